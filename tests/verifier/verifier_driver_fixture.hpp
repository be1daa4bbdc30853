// The fixture the verifier suites share when they drive one test driver by IOCTLs sent as the
// test's own IRPs: load it (verified or not) in strict mode, send it a control code, catch the
// bugcheck a request stops with (freeing the IRP the stop left behind), unload it.
#pragma once

#include <gtest/gtest.h>

#include <functional>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

#include <wdm.h>
#include <ntio/ntio.h>
#include <ntio/ntio_verifier.h>

namespace ntio::verifier::test {

class VerifiedDriverTest : public ntio::test::SystemTest {
protected:
    void SetUp() override;
    // Unverifies and unloads the driver still loaded, back to PASSIVE_LEVEL and strict mode.
    void TearDown() override;
    // Creates the driver `name` from `entry` and verifies it with flags (0: not verified).
    void load_driver(const wchar_t* name, PDRIVER_INITIALIZE entry, ULONG flags);
    // Sends IRP_MJ_DEVICE_CONTROL `code` (Type3InputBuffer `input`) to device as an IRP of the test,
    // not of the driver, and returns its final status.
    NTSTATUS send_ioctl(PDEVICE_OBJECT device, ULONG code, PVOID input = nullptr);
    // Expects the bugcheck `code` from body and returns it: IRQL back to PASSIVE_LEVEL, the IOCTL the
    // stop cut short freed, leak checks off (the body did not finish).
    ntio::test::BugCheck expect_stop(const std::function<void()>& body, ULONG code);
    // NtioUnloadDriver with the driver still verified; the driver object reference is dropped.
    void unload();
    // A completion routine that stores the IRP's final status at Context and keeps the IRP.
    static NTSTATUS NTAPI keep_status(PDEVICE_OBJECT, PIRP irp, PVOID context);

    PDRIVER_OBJECT m_driver = nullptr;
    PIRP m_ioctl_irp = nullptr;  // the IOCTL in flight (a caught bugcheck leaves it behind)
};

}  // namespace ntio::verifier::test
