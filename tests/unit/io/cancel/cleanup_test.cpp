// NT fact C6: IRP_MJ_CLEANUP is where a driver completes the IRPs it still holds for the file
// object being cleaned up; the I/O manager does not cancel them itself for a plain device. The
// CleanupQueue driver is written the WDK way: a cancel-safe queue of parked IOCTLs, drained in
// CLEANUP for the one file object with IoCsqRemoveNextIrp and a peek context.
#include "unit/io/cancel/cleanup_queue_driver.hpp"

#include "support/bugcheck_catcher.hpp"

namespace ntio::io::test {
namespace {

// NT fact C6: the last close sends CLEANUP with the file's parked IRPs neither cancelled nor
// completed; the driver completes them there with STATUS_CANCELLED. Another file object's IRP is
// untouched; CLOSE follows once the drained IRPs released the file object.
TEST_F(CleanupQueueTest, cleanup_finds_parked_irps_uncancelled_and_the_driver_completes_them)
{
    HANDLE a = open(), b = open();
    HANDLE ea = event(), ea2 = event(), eb = event();
    IO_STATUS_BLOCK ia{}, ia2{}, ib{};
    ia.Status = ia2.Status = ib.Status = 0x1234;
    ASSERT_EQ(park(a, ea, &ia), STATUS_PENDING);
    ASSERT_EQ(park(a, ea2, &ia2), STATUS_PENDING);
    ASSERT_EQ(park(b, eb, &ib), STATUS_PENDING);

    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(g_cleanup_queue.cleanups.load(), 1);
    EXPECT_EQ(g_cleanup_queue.parked_at_cleanup.load(), 2);
    EXPECT_EQ(g_cleanup_queue.cancel_seen_at_cleanup.load(), 0);  // the I/O manager cancelled nothing
    EXPECT_TRUE(signalled(ea));
    EXPECT_TRUE(signalled(ea2));
    EXPECT_EQ(ia.Status, STATUS_CANCELLED);
    EXPECT_EQ(ia2.Status, STATUS_CANCELLED);
    EXPECT_EQ(g_cleanup_queue.closes.load(), 1);  // the drained IRPs no longer hold file a

    EXPECT_FALSE(signalled(eb));  // file b's IRP stays parked
    EXPECT_EQ(ib.Status, 0x1234);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_TRUE(signalled(eb));
    EXPECT_EQ(ib.Status, STATUS_CANCELLED);
    EXPECT_EQ(g_cleanup_queue.closes.load(), 2);
    EXPECT_EQ(g_cleanup_queue.closes_with_irps_left.load(), 0);
    for (HANDLE e : {ea, ea2, eb}) EXPECT_EQ(NtClose(e), STATUS_SUCCESS);
}

// NT fact C6, the other half: a driver that does not drain in CLEANUP keeps its IRP pending after
// the last handle closed (nothing cancels it), and the IRP's reference holds the file object, so
// CLOSE waits for its completion. IoCancelIrp still works on it afterwards.
TEST_F(CleanupQueueTest, without_a_drain_the_irp_outlives_the_handle_and_close_waits_for_it)
{
    g_cleanup_queue.drain_in_cleanup = false;
    HANDLE a = open();
    HANDLE ea = event();
    IO_STATUS_BLOCK ia{};
    ia.Status = 0x1234;
    ASSERT_EQ(park(a, ea, &ia), STATUS_PENDING);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(g_cleanup_queue.cleanups.load(), 1);
    EXPECT_EQ(g_cleanup_queue.cancel_seen_at_cleanup.load(), 0);
    EXPECT_FALSE(signalled(ea));
    EXPECT_EQ(ia.Status, 0x1234);
    EXPECT_EQ(g_cleanup_queue.closes.load(), 0);

    // Anyone holding the IRP may still cancel it; the queue's cancel routine completes it with
    // STATUS_CANCELLED, and the file object's CLOSE follows.
    PIRP parked = cleanup_queue_peek();
    ASSERT_NE(parked, nullptr);
    EXPECT_TRUE(IoCancelIrp(parked));
    EXPECT_TRUE(signalled(ea));
    EXPECT_EQ(ia.Status, STATUS_CANCELLED);
    EXPECT_EQ(g_cleanup_queue.closes.load(), 1);
    EXPECT_EQ(g_cleanup_queue.closes_with_irps_left.load(), 0);
    EXPECT_EQ(NtClose(ea), STATUS_SUCCESS);
}

// Bug check 0x48 (IRP, the cancel routine set by the driver), raised by NtCancelIoFile when the
// thread's IRP it cancels has a cancel routine but was walked past its top stack location (a driver
// that skipped a location it did not have while the IRP sat in its queue):
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x48--cancel-state-in-completed-irp
TEST_F(CleanupQueueTest, cancel_io_file_of_an_irp_past_its_stack_bugchecks_cancel_state_in_completed_irp)
{
    HANDLE a = open();
    HANDLE ea = event();
    IO_STATUS_BLOCK ia{};
    ia.Status = 0x1234;
    ASSERT_EQ(park(a, ea, &ia), STATUS_PENDING);
    PIRP parked = cleanup_queue_peek();
    ASSERT_NE(parked, nullptr);
    PDRIVER_CANCEL routine = parked->CancelRoutine;
    ASSERT_NE(routine, nullptr);  // the cancel-safe queue's
    PFILE_OBJECT file = parked->Tail.Overlay.OriginalFileObject;
    ASSERT_NE(file, nullptr);
    int skipped = 0;
    for (; parked->CurrentLocation <= parked->StackCount + 1; ++skipped) IoSkipCurrentIrpStackLocation(parked);

    IO_STATUS_BLOCK result{};
    auto bc = ntio::test::catch_bugcheck([&] { (void)NtCancelIoFile(a, &result); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(CANCEL_STATE_IN_COMPLETED_IRP));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(parked));
    EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(routine));
    EXPECT_EQ(bc->p3, 0u);
    EXPECT_EQ(bc->p4, 0u);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);  // the cancel spin lock was let go first
    EXPECT_TRUE(parked->Cancel);
    EXPECT_EQ(parked->CancelRoutine, nullptr);  // taken, never called
    EXPECT_FALSE(signalled(ea));

    // Undo the walk and finish the cancel the bugcheck interrupted; the service's reference on the
    // file object went with its frame (the catcher runs no destructors), so drop it here.
    for (; skipped > 0; --skipped) IoSetNextIrpStackLocation(parked);
    (void)IoSetCancelRoutine(parked, routine);
    EXPECT_TRUE(IoCancelIrp(parked));
    EXPECT_TRUE(signalled(ea));
    EXPECT_EQ(ia.Status, STATUS_CANCELLED);
    ObDereferenceObject(file);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(g_cleanup_queue.closes.load(), 1);
    EXPECT_EQ(NtClose(ea), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::io::test
