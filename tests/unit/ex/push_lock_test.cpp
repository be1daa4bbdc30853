// Push locks as a driver uses them, inside a critical region: shared owners coexist, an exclusive
// owner excludes everyone, a blocked acquire is granted when the holder releases, waiters are
// granted in arrival order (a reader arriving behind a waiting writer waits for it), and a release
// the caller does not hold leaves the lock alone.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirepushlockexclusive
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace push_lock_test {

class PushLockTest : public ntio::test::SystemTest {};

TEST_F(PushLockTest, shared_owners_coexist_and_keep_out_an_exclusive_one) {
    EX_PUSH_LOCK lock;
    ExInitializePushLock(&lock);
    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&lock);
    ASSERT_TRUE(ExTryAcquirePushLockShared(&lock));
    EXPECT_FALSE(ExTryAcquirePushLockExclusive(&lock));
    ExReleasePushLockShared(&lock);
    EXPECT_FALSE(ExTryAcquirePushLockExclusive(&lock));
    ExReleasePushLockShared(&lock);
    ASSERT_TRUE(ExTryAcquirePushLockExclusive(&lock));
    EXPECT_FALSE(ExTryAcquirePushLockShared(&lock));
    EXPECT_FALSE(ExTryAcquirePushLockExclusive(&lock));
    ExReleasePushLockExclusive(&lock);
    KeLeaveCriticalRegion();
    EXPECT_EQ(lock, 0u);
}

// The owner releases only after the waiter has had time to block; the waiter then runs holding the
// lock, and the owner can tell it had not run before.
TEST_F(PushLockTest, a_blocked_acquire_is_granted_when_the_owner_releases) {
    EX_PUSH_LOCK lock;
    ExInitializePushLock(&lock);
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusiveEx(&lock, EX_DEFAULT_PUSH_LOCK_FLAGS);
    std::atomic<int> stage{0};
    std::thread waiter([&] {
        KeEnterCriticalRegion();
        stage = 1;
        ExAcquirePushLockSharedEx(&lock, EX_DEFAULT_PUSH_LOCK_FLAGS);
        stage = 2;
        ExReleasePushLockSharedEx(&lock, EX_DEFAULT_PUSH_LOCK_FLAGS);
        KeLeaveCriticalRegion();
    });
    while (stage.load() == 0) std::this_thread::yield();
    // Parked or about to: it cannot get in while the lock is held.
    for (int i = 0; i < 1000; ++i) std::this_thread::yield();
    EXPECT_EQ(stage.load(), 1);
    ExReleasePushLockExclusiveEx(&lock, EX_DEFAULT_PUSH_LOCK_FLAGS);
    waiter.join();
    EXPECT_EQ(stage.load(), 2);
    KeLeaveCriticalRegion();
    EXPECT_EQ(lock, 0u);
}

// A writer waits for the reader; a second reader arriving after the writer waits behind it rather
// than joining the first reader, and gets in after the writer has left.
TEST_F(PushLockTest, waiters_are_granted_in_arrival_order) {
    EX_PUSH_LOCK lock;
    ExInitializePushLock(&lock);
    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&lock);
    std::vector<int> order;  // written under the lock
    std::atomic<bool> writer_started{false};
    std::thread writer([&] {
        KeEnterCriticalRegion();
        writer_started = true;
        ExAcquirePushLockExclusive(&lock);
        order.push_back(1);
        ExReleasePushLockExclusive(&lock);
        KeLeaveCriticalRegion();
    });
    while (!writer_started.load()) std::this_thread::yield();
    // Once the writer waits, a new reader cannot get in.
    for (;;) {
        if (!ExTryAcquirePushLockShared(&lock)) break;
        ExReleasePushLockShared(&lock);
        std::this_thread::yield();
    }
    std::thread reader([&] {
        KeEnterCriticalRegion();
        ExAcquirePushLockShared(&lock);
        order.push_back(2);
        ExReleasePushLockShared(&lock);
        KeLeaveCriticalRegion();
    });
    for (int i = 0; i < 1000; ++i) std::this_thread::yield();
    ExReleasePushLockShared(&lock);
    writer.join();
    reader.join();
    KeLeaveCriticalRegion();
    ASSERT_EQ(order.size(), 2u);
    EXPECT_EQ(order[0], 1);
    EXPECT_EQ(order[1], 2);
    EXPECT_EQ(lock, 0u);
}

TEST_F(PushLockTest, a_release_the_caller_does_not_hold_leaves_the_lock_alone) {
    EX_PUSH_LOCK lock;
    ExInitializePushLock(&lock);
    KeEnterCriticalRegion();
    ExReleasePushLockExclusive(&lock);
    ExReleasePushLockShared(&lock);
    EXPECT_EQ(lock, 0u);
    ExAcquirePushLockShared(&lock);
    ExReleasePushLockExclusive(&lock);  // held shared, not exclusive
    EXPECT_FALSE(ExTryAcquirePushLockExclusive(&lock));
    ExReleasePushLockShared(&lock);
    ASSERT_TRUE(ExTryAcquirePushLockExclusive(&lock));
    ExReleasePushLockShared(&lock);  // held exclusive, not shared
    EXPECT_FALSE(ExTryAcquirePushLockShared(&lock));
    ExReleasePushLockExclusive(&lock);
    KeLeaveCriticalRegion();
    EXPECT_EQ(lock, 0u);
}

}  // namespace push_lock_test
