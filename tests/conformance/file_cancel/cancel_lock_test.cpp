// A cancel routine that returns still holding the cancel spin lock, reached through the file cancel
// path (NtCancelIoFileEx, which shares it with the close of a port-bound file): bug check 0x11B,
// DRIVER_RETURNED_HOLDING_CANCEL_LOCK, P1 = the IRP, P2 = the cancel routine
// (https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x11b---driver-returned-holding-cancel-lock).
#include "conformance/nt/nt_test_support.hpp"
#include "file_cancel_driver.hpp"
#include "support/bugcheck_catcher.hpp"

namespace ntio::test::file_cancel {
namespace {

TEST_F(FileCancelTest, cancel_routine_returning_with_the_cancel_lock_is_bug_check_0x11b) {
    g_counters.cancel_mode = kCancelHoldKeepingLock;
    Handle h(open_device(false));
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtDeviceIoControlFile(h, nullptr, nullptr, nullptr, &iosb, kIoctlPark, nullptr, 0, nullptr, 0),
              STATUS_PENDING);
    PVOID file = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, &file, nullptr), STATUS_SUCCESS);

    IO_STATUS_BLOCK io{};
    auto bc = ntio::test::catch_bugcheck([&] { (void)NtCancelIoFileEx(h, nullptr, &io); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(DRIVER_RETURNED_HOLDING_CANCEL_LOCK));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(g_counters.last_cancelled.load()));
    EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(&FileCancelRoutine));
    EXPECT_EQ(g_counters.cancel_routine_calls.load(), 1);
    // The lock was let go before the stop, at the IRQL the cancel took it from.
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    IoReleaseCancelSpinLock(irql);

    // The bugcheck skipped the service's own dereference of the file; the held request is finished.
    ObDereferenceObject(file);
    ObDereferenceObject(file);
    ULONG released = 0;
    IO_STATUS_BLOCK sync{};
    ASSERT_EQ(NtDeviceIoControlFile(h, nullptr, nullptr, nullptr, &sync, kIoctlReleaseHeld, nullptr, 0, &released,
                                    sizeof(released)),
              STATUS_SUCCESS);
    EXPECT_EQ(released, 1u);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
}

}  // namespace
}  // namespace ntio::test::file_cancel
