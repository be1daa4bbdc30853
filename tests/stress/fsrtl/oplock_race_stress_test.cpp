// Oplock races behind the in-test file system (tests/unit/fsrtl/oplock_test_fs.hpp): a break against
// the cancel of the granted request, and an acknowledgement against the owner's cleanup and the
// cancel of the waiting operation. Invariant: every IRP completes exactly once (the fixture checks it
// at teardown), an operation held for a break is released exactly once (by the break's end or by its
// cancel, never both, never neither), and no oplock is left when the round ends.
#include "unit/fsrtl/oplock_test_fs.hpp"

#include <thread>

namespace ntio::fsrtl::oplock_test {
namespace {

constexpr int kRounds = 1500;

using OplockRaceTest = OplockFsTest;

TEST_F(OplockRaceTest, break_races_cancel_of_the_granted_request) {
    for (int i = 0; i < kRounds; ++i) {
        Request& batch = fsctl(&m_a, FSCTL_REQUEST_BATCH_OPLOCK);
        ASSERT_EQ(batch.returned, STATUS_PENDING);
        Request& write = prepare(&m_b, IRP_MJ_WRITE);
        std::thread breaker([&] { dispatch(write); });
        std::thread canceller([&] { (void)IoCancelIrp(batch.irp); });
        breaker.join();
        canceller.join();
        ASSERT_TRUE(batch.completed());
        if (batch.iosb.Status == STATUS_CANCELLED) {
            // The oplock was gone before the write looked, or the write broke nothing it waits for.
            if (!write.completed()) (void)fsctl(&m_a, FSCTL_OPLOCK_BREAK_ACK_NO_2);
        } else {
            EXPECT_EQ(batch.iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_NONE));
            EXPECT_FALSE(write.completed());
            EXPECT_EQ(fsctl(&m_a, FSCTL_OPLOCK_BREAK_ACK_NO_2).returned, STATUS_SUCCESS);
        }
        ASSERT_TRUE(write.completed());
        EXPECT_EQ(write.iosb.Status, STATUS_SUCCESS);
        (void)send(&m_a, IRP_MJ_CLEANUP);
        ASSERT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
    }
}

TEST_F(OplockRaceTest, acknowledgement_races_owner_cleanup_and_cancel_of_the_waiter) {
    int cancelled = 0;
    int released = 0;
    for (int i = 0; i < kRounds; ++i) {
        Request& batch = fsctl(&m_a, FSCTL_REQUEST_BATCH_OPLOCK);
        ASSERT_EQ(batch.returned, STATUS_PENDING);
        Request& write = send(&m_b, IRP_MJ_WRITE);
        ASSERT_EQ(write.returned, STATUS_PENDING);
        ASSERT_TRUE(batch.completed());
        Request& ack = prepare(&m_a, IRP_MJ_FILE_SYSTEM_CONTROL, FSCTL_OPLOCK_BREAK_ACKNOWLEDGE);
        Request& cleanup = prepare(&m_a, IRP_MJ_CLEANUP);
        std::thread acker([&] { dispatch(ack); });
        std::thread closer([&] { dispatch(cleanup); });
        std::thread canceller([&] { (void)IoCancelIrp(write.irp); });
        acker.join();
        closer.join();
        canceller.join();
        ASSERT_TRUE(write.completed());
        ASSERT_TRUE(ack.completed());
        // The acknowledgement either ended the break (success) or came after the cleanup had.
        EXPECT_TRUE(ack.iosb.Status == STATUS_SUCCESS || ack.iosb.Status == STATUS_INVALID_OPLOCK_PROTOCOL)
            << std::hex << ack.iosb.Status;
        if (write.iosb.Status == STATUS_CANCELLED) {
            ++cancelled;
        } else {
            EXPECT_EQ(write.iosb.Status, STATUS_SUCCESS);
            ++released;
        }
        ASSERT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
    }
    EXPECT_EQ(cancelled + released, kRounds);
    EXPECT_EQ(m_fs.posted_back.load(), released);
}

}  // namespace
}  // namespace ntio::fsrtl::oplock_test
