// Numbered queued spin locks under contention, mixed with the cancel spin lock they alias.
#include <atomic>

#include "ke_fixture.hpp"

namespace ntio::test {
namespace {

using QueuedSpinLockStress = KeTest;

// Invariant: LockQueueIoCancelLock and IoAcquireCancelSpinLock are one lock, and the try form never
// enters while another holds it: at most one thread is ever inside (`inside` never exceeds 1), and
// the unprotected counter ends at exactly the number of entries.
TEST_F(QueuedSpinLockStress, numbered_lock_and_cancel_lock_exclude_each_other) {
    constexpr int kThreads = 4;
    constexpr int kRounds = 3000;
    std::atomic<int> inside{0}, overlaps{0}, entries{0};
    long counter = 0;
    auto critical = [&] {
        if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
        counter = counter + 1;
        inside.fetch_sub(1);
        entries.fetch_add(1);
    };
    std::vector<_KTHREAD*> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.push_back(start_thread([&, i] {
            for (int r = 0; r < kRounds; ++r) {
                switch ((i + r) % 3) {
                case 0: {
                    const KIRQL old = KeAcquireQueuedSpinLock(LockQueueIoCancelLock);
                    critical();
                    KeReleaseQueuedSpinLock(LockQueueIoCancelLock, old);
                    break;
                }
                case 1: {
                    KIRQL old;
                    IoAcquireCancelSpinLock(&old);
                    critical();
                    IoReleaseCancelSpinLock(old);
                    break;
                }
                default: {
                    KIRQL old;
                    if (KeTryToAcquireQueuedSpinLock(LockQueueIoCancelLock, &old)) {
                        critical();
                        KeReleaseQueuedSpinLock(LockQueueIoCancelLock, old);
                    }
                    break;
                }
                }
            }
        }));
    for (_KTHREAD* t : threads) ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(overlaps.load(), 0);
    EXPECT_EQ(counter, entries.load());
    EXPECT_GE(entries.load(), kThreads * kRounds * 2 / 3);
}

}  // namespace
}  // namespace ntio::test
