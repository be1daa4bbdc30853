// IRQL emulation and spin locks: levels, raise/lower rules and their bugchecks, lowering delivers
// pending kernel APCs, spin locks raise to DISPATCH_LEVEL and detect recursion.
#include "ke_fixture.hpp"

namespace ntio::test {
namespace {

using IrqlTest = KeTest;

TEST_F(IrqlTest, thread_starts_at_passive_level) { EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL); }

TEST_F(IrqlTest, raise_then_lower_restores_level) {
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    EXPECT_EQ(old, PASSIVE_LEVEL);
    EXPECT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    EXPECT_EQ(KeRaiseIrqlToDpcLevel(), APC_LEVEL);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(APC_LEVEL);
    KeLowerIrql(old);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    EXPECT_EQ(KeRaiseIrqlToSynchLevel(), PASSIVE_LEVEL);
    EXPECT_EQ(KeGetCurrentIrql(), SYNCH_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL);
}

TEST_F(IrqlTest, raising_to_a_lower_level_bugchecks_irql_not_greater_or_equal) {
    KIRQL old = KeRaiseIrqlToDpcLevel();
    auto bc = catch_bugcheck([] {
        KIRQL ignored;
        KeRaiseIrql(PASSIVE_LEVEL, &ignored);
    });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(IRQL_NOT_GREATER_OR_EQUAL));
    EXPECT_EQ(bc->p1, static_cast<ULONG_PTR>(DISPATCH_LEVEL));
    EXPECT_EQ(bc->p2, static_cast<ULONG_PTR>(PASSIVE_LEVEL));
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
}

TEST_F(IrqlTest, lowering_to_a_higher_level_bugchecks_irql_not_less_or_equal) {
    auto bc = catch_bugcheck([] { KeLowerIrql(DISPATCH_LEVEL); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(IRQL_NOT_LESS_OR_EQUAL));
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

void count_special_apc(PKAPC apc, PKNORMAL_ROUTINE*, PVOID*, PVOID* arg1, PVOID*) {
    ++*static_cast<int*>(*arg1);
}

TEST_F(IrqlTest, lowering_below_apc_level_delivers_pending_kernel_apcs) {
    int runs = 0;
    KAPC apc;
    KeInitializeApc(&apc, KeGetCurrentThread(), OriginalApcEnvironment, &count_special_apc, nullptr, nullptr,
                    KernelMode, nullptr);
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    ASSERT_TRUE(KeInsertQueueApc(&apc, &runs, nullptr, 0));
    EXPECT_EQ(runs, 0);
    KeLowerIrql(old);
    EXPECT_EQ(runs, 1);
}

TEST_F(IrqlTest, spin_lock_raises_to_dispatch_and_restores) {
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    EXPECT_TRUE(KeTestSpinLock(&lock));
    KIRQL old;
    KeAcquireSpinLock(&lock, &old);
    EXPECT_EQ(old, PASSIVE_LEVEL);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    EXPECT_FALSE(KeTestSpinLock(&lock));
    KeReleaseSpinLock(&lock, old);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    EXPECT_TRUE(KeTestSpinLock(&lock));
}

TEST_F(IrqlTest, try_acquire_fails_while_another_thread_holds_the_lock) {
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KEVENT held, release;
    KeInitializeEvent(&held, NotificationEvent, FALSE);
    KeInitializeEvent(&release, NotificationEvent, FALSE);
    _KTHREAD* holder = start_thread([&] {
        KIRQL old = KeAcquireSpinLockRaiseToDpc(&lock);
        KeSetEvent(&held, 0, FALSE);
        while (KeReadStateEvent(&release) == 0) {}
        KeReleaseSpinLock(&lock, old);
    });
    ASSERT_EQ(wait(&held), STATUS_SUCCESS);
    KIRQL old = KeRaiseIrqlToDpcLevel();
    EXPECT_FALSE(KeTryToAcquireSpinLockAtDpcLevel(&lock));
    KeLowerIrql(old);
    KeSetEvent(&release, 0, FALSE);
    ASSERT_EQ(wait(holder), STATUS_SUCCESS);
    old = KeRaiseIrqlToDpcLevel();
    EXPECT_TRUE(KeTryToAcquireSpinLockAtDpcLevel(&lock));
    KeReleaseSpinLockFromDpcLevel(&lock);
    KeLowerIrql(old);
}

TEST_F(IrqlTest, in_stack_queued_spin_lock_records_irql_and_lock) {
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KLOCK_QUEUE_HANDLE handle;
    KeAcquireInStackQueuedSpinLock(&lock, &handle);
    EXPECT_EQ(handle.OldIrql, PASSIVE_LEVEL);
    EXPECT_EQ(handle.LockQueue.Lock, &lock);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    EXPECT_FALSE(KeTestSpinLock(&lock));
    KLOCK_QUEUE_HANDLE inner;
    KSPIN_LOCK lock2;
    KeInitializeSpinLock(&lock2);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&lock2, &inner);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&inner);
    KeReleaseInStackQueuedSpinLock(&handle);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    EXPECT_TRUE(KeTestSpinLock(&lock));
}

TEST_F(IrqlTest, recursive_acquire_bugchecks_spin_lock_already_owned) {
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KIRQL old;
    KeAcquireSpinLock(&lock, &old);
    auto bc = catch_bugcheck([&] { KeAcquireSpinLockAtDpcLevel(&lock); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(SPIN_LOCK_ALREADY_OWNED));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(&lock));
    KeReleaseSpinLock(&lock, old);
}

TEST_F(IrqlTest, releasing_a_free_spin_lock_bugchecks_spin_lock_not_owned) {
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    auto bc = catch_bugcheck([&] { KeReleaseSpinLockFromDpcLevel(&lock); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(SPIN_LOCK_NOT_OWNED));
}

}  // namespace
}  // namespace ntio::test
