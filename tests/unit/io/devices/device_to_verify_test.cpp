// The thread's device to verify, as a removable-media driver sets it and a file system reads it
// back from the thread the request came from: per thread, NULL until set.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iosetdevicetoverify
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iogetdevicetoverify
#include <ntifs.h>

#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test {
namespace device_to_verify {

using DeviceToVerifyTest = DevicesTest;

struct Seen {
    KEVENT done;
    PDEVICE_OBJECT before = nullptr;
    PDEVICE_OBJECT after = nullptr;
    PDEVICE_OBJECT set = nullptr;
};

VOID NTAPI other_thread(PVOID context) {
    auto* seen = static_cast<Seen*>(context);
    seen->before = IoGetDeviceToVerify(PsGetCurrentThread());
    IoSetDeviceToVerify(PsGetCurrentThread(), seen->set);
    seen->after = IoGetDeviceToVerify(PsGetCurrentThread());
    KeSetEvent(&seen->done, IO_NO_INCREMENT, FALSE);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

TEST_F(DeviceToVerifyTest, set_and_read_back_per_thread) {
    PDRIVER_OBJECT driver = load(u"Verify");
    PDEVICE_OBJECT device = create(driver);
    ASSERT_NE(device, nullptr);
    PETHREAD self = PsGetCurrentThread();
    EXPECT_EQ(IoGetDeviceToVerify(self), nullptr);
    IoSetDeviceToVerify(self, device);
    EXPECT_EQ(IoGetDeviceToVerify(self), device);

    // Another thread starts with none and sets its own, leaving this thread's alone.
    Seen seen;
    KeInitializeEvent(&seen.done, NotificationEvent, FALSE);
    seen.set = device;
    HANDLE thread = nullptr;
    ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, other_thread, &seen),
              STATUS_SUCCESS);
    ASSERT_EQ(KeWaitForSingleObject(&seen.done, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(seen.before, nullptr);
    EXPECT_EQ(seen.after, device);
    EXPECT_EQ(ZwClose(thread), STATUS_SUCCESS);

    IoSetDeviceToVerify(self, nullptr);
    EXPECT_EQ(IoGetDeviceToVerify(self), nullptr);
    EXPECT_EQ(IoGetDeviceToVerify(nullptr), nullptr);  // no thread, no field
    unload(driver);
}

}  // namespace device_to_verify
}  // namespace ntio::io::test
