// Executive spin locks as a driver uses them: shared owners coexist, an exclusive owner excludes
// everyone, the raising forms move IRQL to DISPATCH_LEVEL and back, a sole shared owner can convert
// to exclusive, a waiting writer holds back new readers, and releasing a lock not held bugchecks.
// The ForDpc spin lock forms raise only below DISPATCH_LEVEL.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/reader-writer-spin-locks
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <wdm.h>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

namespace ex_spin_lock_test {

using ntio::test::catch_bugcheck;

class ExSpinLockTest : public ntio::test::SystemTest {};

TEST_F(ExSpinLockTest, shared_owners_coexist_and_keep_out_an_exclusive_one) {
    EX_SPIN_LOCK lock = 0;
    const KIRQL old = ExAcquireSpinLockShared(&lock);
    EXPECT_EQ(old, PASSIVE_LEVEL);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    ASSERT_TRUE(ExTryAcquireSpinLockSharedAtDpcLevel(&lock));
    ExAcquireSpinLockSharedAtDpcLevel(&lock);
    EXPECT_FALSE(ExTryAcquireSpinLockExclusiveAtDpcLevel(&lock));
    ExReleaseSpinLockSharedFromDpcLevel(&lock);
    ExReleaseSpinLockSharedFromDpcLevel(&lock);
    EXPECT_FALSE(ExTryAcquireSpinLockExclusiveAtDpcLevel(&lock));
    ExReleaseSpinLockShared(&lock, old);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    EXPECT_EQ(lock, 0);
}

TEST_F(ExSpinLockTest, an_exclusive_owner_keeps_out_everyone_until_it_releases) {
    EX_SPIN_LOCK lock = 0;
    const KIRQL old = ExAcquireSpinLockExclusive(&lock);
    EXPECT_EQ(old, PASSIVE_LEVEL);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    EXPECT_FALSE(ExTryAcquireSpinLockSharedAtDpcLevel(&lock));
    EXPECT_FALSE(ExTryAcquireSpinLockExclusiveAtDpcLevel(&lock));
    ExReleaseSpinLockExclusive(&lock, old);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    const KIRQL dpc = KeRaiseIrqlToDpcLevel();
    ExAcquireSpinLockExclusiveAtDpcLevel(&lock);
    EXPECT_FALSE(ExTryAcquireSpinLockSharedAtDpcLevel(&lock));
    ExReleaseSpinLockExclusiveFromDpcLevel(&lock);
    ASSERT_TRUE(ExTryAcquireSpinLockExclusiveAtDpcLevel(&lock));
    ExReleaseSpinLockExclusiveFromDpcLevel(&lock);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(dpc);
    EXPECT_EQ(lock, 0);
}

TEST_F(ExSpinLockTest, only_a_sole_shared_owner_converts_to_exclusive) {
    EX_SPIN_LOCK lock = 0;
    const KIRQL old = ExAcquireSpinLockShared(&lock);
    ExAcquireSpinLockSharedAtDpcLevel(&lock);
    EXPECT_FALSE(ExTryConvertSharedSpinLockExclusive(&lock));
    ExReleaseSpinLockSharedFromDpcLevel(&lock);
    ASSERT_TRUE(ExTryConvertSharedSpinLockExclusive(&lock));
    EXPECT_FALSE(ExTryAcquireSpinLockSharedAtDpcLevel(&lock));
    ExReleaseSpinLockExclusive(&lock, old);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    EXPECT_EQ(lock, 0);
}

// A writer spinning for the lock makes new readers wait; it gets the lock once the reader leaves.
TEST_F(ExSpinLockTest, a_waiting_writer_holds_back_new_readers) {
    EX_SPIN_LOCK lock = 0;
    const KIRQL old = ExAcquireSpinLockShared(&lock);
    std::atomic<bool> writer_in{false};
    std::thread writer([&] {
        const KIRQL w = ExAcquireSpinLockExclusive(&lock);
        writer_in = true;
        ExReleaseSpinLockExclusive(&lock, w);
    });
    // Once the writer waits, a new shared acquire fails (a reader that got in is let out again).
    for (;;) {
        if (!ExTryAcquireSpinLockSharedAtDpcLevel(&lock)) break;
        ExReleaseSpinLockSharedFromDpcLevel(&lock);
        std::this_thread::yield();
    }
    EXPECT_FALSE(writer_in.load());
    ExReleaseSpinLockShared(&lock, old);
    writer.join();
    EXPECT_TRUE(writer_in.load());
    EXPECT_EQ(lock, 0);
}

TEST_F(ExSpinLockTest, releasing_a_lock_not_held_bugchecks_spin_lock_not_owned) {
    EX_SPIN_LOCK lock = 0;
    auto shared = catch_bugcheck([&] { ExReleaseSpinLockSharedFromDpcLevel(&lock); });
    ASSERT_TRUE(shared.has_value());
    EXPECT_EQ(shared->code, static_cast<ULONG>(SPIN_LOCK_NOT_OWNED));
    EXPECT_EQ(shared->p1, reinterpret_cast<ULONG_PTR>(&lock));
    auto exclusive = catch_bugcheck([&] { ExReleaseSpinLockExclusiveFromDpcLevel(&lock); });
    ASSERT_TRUE(exclusive.has_value());
    EXPECT_EQ(exclusive->code, static_cast<ULONG>(SPIN_LOCK_NOT_OWNED));
    // Held shared, released as exclusive: also not owned in that mode.
    const KIRQL old = KeRaiseIrqlToDpcLevel();
    ExAcquireSpinLockSharedAtDpcLevel(&lock);
    auto wrong_mode = catch_bugcheck([&] { ExReleaseSpinLockExclusiveFromDpcLevel(&lock); });
    ASSERT_TRUE(wrong_mode.has_value());
    EXPECT_EQ(wrong_mode->code, static_cast<ULONG>(SPIN_LOCK_NOT_OWNED));
    lock = 0;
    KeLowerIrql(old);
}

TEST_F(ExSpinLockTest, for_dpc_forms_raise_only_below_dispatch_level) {
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    const KIRQL from_passive = KeAcquireSpinLockForDpc(&lock);
    EXPECT_EQ(from_passive, PASSIVE_LEVEL);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    EXPECT_FALSE(KeTestSpinLock(&lock));
    KeReleaseSpinLockForDpc(&lock, from_passive);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    EXPECT_TRUE(KeTestSpinLock(&lock));

    KLOCK_QUEUE_HANDLE handle;
    KeAcquireInStackQueuedSpinLockForDpc(&lock, &handle);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    EXPECT_FALSE(KeTestSpinLock(&lock));
    KeReleaseInStackQueuedSpinLockForDpc(&handle);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    const KIRQL dpc = KeRaiseIrqlToDpcLevel();
    const KIRQL at_dispatch = KeAcquireSpinLockForDpc(&lock);
    EXPECT_EQ(at_dispatch, DISPATCH_LEVEL);
    KeReleaseSpinLockForDpc(&lock, at_dispatch);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeAcquireInStackQueuedSpinLockForDpc(&lock, &handle);
    EXPECT_FALSE(KeTestSpinLock(&lock));
    KeReleaseInStackQueuedSpinLockForDpc(&handle);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    EXPECT_TRUE(KeTestSpinLock(&lock));
    KeLowerIrql(dpc);
}

}  // namespace ex_spin_lock_test
