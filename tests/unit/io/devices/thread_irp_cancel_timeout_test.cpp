// A dying thread's IRPs that its exit cancelled but no driver completes: after the wait (NT's five
// minutes, shortened here with NtioSetThreadIrpCancelTimeout) each is disassociated from the thread,
// an IO_DRIVER_CANCEL_TIMEOUT error is logged for the device that holds it, and the IRP completes
// later without the thread, its IOSB and event still written.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/canceling-irps: "If a canceled IRP is
// not completed within 5 minutes, the I/O manager considers the IRP timed out. Such IRPs are
// disassociated from the thread, and an error is logged for the device that currently owns the IRP."
#include <atomic>
#include <string>
#include <thread>

#include <wdm.h>

#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test {
namespace cancel_timeout {

// The driver parks every device control without a cancel routine: a request only its "hardware"
// (the test) ever completes.
std::atomic<PIRP> g_parked{nullptr};

NTSTATUS NTAPI park_without_cancel_routine(PDEVICE_OBJECT, PIRP irp) {
    IoMarkIrpPending(irp);
    g_parked.store(irp);
    return STATUS_PENDING;
}

NTSTATUS NTAPI stuck_entry(PDRIVER_OBJECT driver, PUNICODE_STRING path) {
    (void)plain_entry(driver, path);
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = park_without_cancel_routine;
    return STATUS_SUCCESS;
}

struct Request {
    PDEVICE_OBJECT device = nullptr;
    KEVENT done;
    IO_STATUS_BLOCK iosb{};
};

// The system thread: one threaded IRP, then it exits with the IRP still parked.
VOID NTAPI issue_and_exit(PVOID context) {
    auto* r = static_cast<Request*>(context);
    const ULONG code = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x901, METHOD_NEITHER, FILE_ANY_ACCESS);
    PIRP irp = IoBuildDeviceIoControlRequest(code, r->device, nullptr, 0, nullptr, 0, FALSE, &r->done, &r->iosb);
    ASSERT_NE(irp, nullptr);
    EXPECT_EQ(IoCallDriver(r->device, irp), STATUS_PENDING);
}

class ThreadIrpCancelTimeoutTest : public DevicesTest {
protected:
    void SetUp() override {
        DevicesTest::SetUp();
        g_parked.store(nullptr);
    }
    void TearDown() override {
        (void)NtioSetThreadIrpCancelTimeout(m_previous_timeout);
        DevicesTest::TearDown();
    }
    // Starts the issuing thread on `device`; returns its handle once its IRP is parked.
    HANDLE start(Request& r, PDEVICE_OBJECT device) {
        r.device = device;
        KeInitializeEvent(&r.done, NotificationEvent, FALSE);
        r.iosb.Status = 0x1234;
        HANDLE thread = nullptr;
        EXPECT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, issue_and_exit, &r),
                  STATUS_SUCCESS);
        return thread;
    }
    static void complete_parked(PIRP irp) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 7;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
    ULONG m_previous_timeout = NtioSetThreadIrpCancelTimeout(5 * 60 * 1000);
};

TEST_F(ThreadIrpCancelTimeoutTest, an_irp_nobody_completes_is_disassociated_and_logged_for_its_device) {
    PDRIVER_OBJECT driver = load(u"StuckIrp", stuck_entry);
    PDEVICE_OBJECT device = create(driver, u"\\Device\\StuckIrp");
    ASSERT_NE(device, nullptr);
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    (void)NtioSetThreadIrpCancelTimeout(20);

    Request r;
    testing::internal::CaptureStderr();
    HANDLE thread = start(r, device);
    ASSERT_NE(thread, nullptr);
    // The thread's exit cancels the IRP (no cancel routine: only Cancel is set), waits, gives up.
    ASSERT_EQ(ZwWaitForSingleObject(thread, FALSE, nullptr), STATUS_SUCCESS);
    ZwClose(thread);
    const std::string out = testing::internal::GetCapturedStderr();
    EXPECT_NE(out.find("Error log: \\Device\\StuckIrp (\\Driver\\StuckIrp): ErrorCode 0x80040036"), std::string::npos)
        << out;

    PIRP irp = g_parked.load();
    ASSERT_NE(irp, nullptr);
    EXPECT_TRUE(irp->Cancel);
    EXPECT_EQ(irp->Tail.Overlay.Thread, nullptr);
    EXPECT_EQ(KeReadStateEvent(&r.done), 0);
    EXPECT_EQ(r.iosb.Status, 0x1234);

    // The driver finishes it at last: the caller's IOSB and event are written without the thread.
    complete_parked(irp);
    LARGE_INTEGER bound;
    bound.QuadPart = -60LL * 10 * 1000 * 1000;  // a hang guard only
    ASSERT_EQ(KeWaitForSingleObject(&r.done, Executive, KernelMode, FALSE, &bound), STATUS_SUCCESS);
    EXPECT_EQ(r.iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(r.iosb.Information, 7u);
    EXPECT_EQ(NtioIrpCount(), 0u);
    unload(driver);
}

TEST_F(ThreadIrpCancelTimeoutTest, an_irp_completed_during_the_wait_logs_nothing) {
    PDRIVER_OBJECT driver = load(u"LateIrp", stuck_entry);
    PDEVICE_OBJECT device = create(driver, u"\\Device\\LateIrp");
    ASSERT_NE(device, nullptr);
    device->Flags &= ~DO_DEVICE_INITIALIZING;

    Request r;
    testing::internal::CaptureStderr();
    HANDLE thread = start(r, device);
    ASSERT_NE(thread, nullptr);
    // Once the exiting thread has cancelled the IRP it waits (five minutes at most) for it: the
    // driver completes it now, so the thread finishes its exit at once and nothing is logged.
    PIRP irp = nullptr;
    while (!(irp = g_parked.load()) || !*static_cast<volatile BOOLEAN*>(&irp->Cancel)) std::this_thread::yield();
    complete_parked(irp);
    ASSERT_EQ(ZwWaitForSingleObject(thread, FALSE, nullptr), STATUS_SUCCESS);
    ZwClose(thread);
    const std::string out = testing::internal::GetCapturedStderr();
    EXPECT_EQ(out.find("Error log:"), std::string::npos) << out;
    EXPECT_EQ(KeReadStateEvent(&r.done), 1);
    EXPECT_EQ(r.iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(NtioIrpCount(), 0u);
    unload(driver);
}

}  // namespace cancel_timeout
}  // namespace ntio::io::test
