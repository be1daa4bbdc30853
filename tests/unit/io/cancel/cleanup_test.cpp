// NT fact C6: IRP_MJ_CLEANUP is where a driver completes the IRPs it still holds for the file
// object being cleaned up; the I/O manager does not cancel them itself for a plain device. The
// CleanupQueue driver is written the WDK way: a cancel-safe queue of parked IOCTLs, drained in
// CLEANUP for the one file object with IoCsqRemoveNextIrp and a peek context.
#include "unit/io/cancel/cleanup_queue_driver.hpp"

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

}  // namespace
}  // namespace ntio::io::test
