// Shared pieces of the IRP unit tests: a hand-filled driver and device object pair (IofCallDriver
// needs only DriverObject->MajorFunction and the device's StackSize), so the IRP mechanics are tested
// without the driver loader.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

#include <wdm.h>

namespace ntio::io::test {

struct FakeDevice {
    DRIVER_OBJECT driver{};
    DEVICE_OBJECT device{};
    FakeDevice(PDRIVER_DISPATCH dispatch, CCHAR stack_size = 1, ULONG flags = 0) {
        for (auto& f : driver.MajorFunction) f = dispatch;
        device.Type = IO_TYPE_DEVICE;
        device.DriverObject = &driver;
        device.StackSize = stack_size;
        device.Flags = flags;
    }
};

}  // namespace ntio::io::test
