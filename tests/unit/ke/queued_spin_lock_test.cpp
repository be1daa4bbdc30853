// The numbered system queued spin locks (KeAcquireQueuedSpinLock & co.), the cache maintenance
// routines, the hardware counter configuration a host without a PMU refuses, and KeNumberProcessors.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-keacquirequeuedspinlock
#include <gtest/gtest.h>

#include <ntifs.h>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

namespace queued_spin_lock_test {

class QueuedSpinLockTest : public ntio::test::SystemTest {};

TEST_F(QueuedSpinLockTest, acquire_raises_to_dispatch_and_release_restores_the_irql) {
    ASSERT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    const KIRQL old = KeAcquireQueuedSpinLock(LockQueueMasterLock);
    EXPECT_EQ(old, PASSIVE_LEVEL);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeReleaseQueuedSpinLock(LockQueueMasterLock, old);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

TEST_F(QueuedSpinLockTest, try_fails_on_a_held_lock_and_leaves_the_irql_alone) {
    const KIRQL old = KeAcquireQueuedSpinLock(LockQueueBcbLock);
    KIRQL tried = HIGH_LEVEL;
    EXPECT_FALSE(KeTryToAcquireQueuedSpinLock(LockQueueBcbLock, &tried));
    EXPECT_EQ(tried, DISPATCH_LEVEL);  // the IRQL at the call
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    // Another number is another lock.
    KIRQL other = HIGH_LEVEL;
    ASSERT_TRUE(KeTryToAcquireQueuedSpinLock(LockQueueVacbLock, &other));
    EXPECT_EQ(other, DISPATCH_LEVEL);
    KeReleaseQueuedSpinLock(LockQueueVacbLock, other);
    KeReleaseQueuedSpinLock(LockQueueBcbLock, old);

    KIRQL free_old = HIGH_LEVEL;
    ASSERT_TRUE(KeTryToAcquireQueuedSpinLock(LockQueueBcbLock, &free_old));
    EXPECT_EQ(free_old, PASSIVE_LEVEL);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeReleaseQueuedSpinLock(LockQueueBcbLock, free_old);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

TEST_F(QueuedSpinLockTest, the_io_cancel_lock_is_the_cancel_spin_lock) {
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    KIRQL tried;
    EXPECT_FALSE(KeTryToAcquireQueuedSpinLock(LockQueueIoCancelLock, &tried));
    IoReleaseCancelSpinLock(irql);

    const KIRQL old = KeAcquireQueuedSpinLock(LockQueueIoCancelLock);
    // A cancel now waits for this lock: IoCancelIrp cannot run its routine meanwhile.
    KIRQL dummy;
    EXPECT_FALSE(KeTryToAcquireQueuedSpinLock(LockQueueIoCancelLock, &dummy));
    KeReleaseQueuedSpinLock(LockQueueIoCancelLock, old);
    IoAcquireCancelSpinLock(&irql);  // free again
    IoReleaseCancelSpinLock(irql);
}

TEST_F(QueuedSpinLockTest, the_io_vpb_lock_is_the_vpb_spin_lock) {
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    KIRQL tried;
    EXPECT_FALSE(KeTryToAcquireQueuedSpinLock(LockQueueIoVpbLock, &tried));
    IoReleaseVpbSpinLock(irql);
    ASSERT_TRUE(KeTryToAcquireQueuedSpinLock(LockQueueIoVpbLock, &tried));
    KeReleaseQueuedSpinLock(LockQueueIoVpbLock, tried);
}

TEST_F(QueuedSpinLockTest, a_number_past_the_table_stops_the_system) {
    const auto bc = ntio::test::catch_bugcheck([] { (void)KeAcquireQueuedSpinLock(LockQueueMaximumLock); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(KERNEL_SECURITY_CHECK_FAILURE));
    EXPECT_EQ(bc->p1, static_cast<ULONG_PTR>(FAST_FAIL_INVALID_ARG));
    EXPECT_EQ(bc->p2, static_cast<ULONG_PTR>(LockQueueMaximumLock));
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

TEST_F(QueuedSpinLockTest, releasing_a_numbered_lock_not_held_bugchecks_spin_lock_not_owned) {
    const auto bc = ntio::test::catch_bugcheck([] { KeReleaseQueuedSpinLock(LockQueueAfdWorkQueueLock, PASSIVE_LEVEL); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(SPIN_LOCK_NOT_OWNED));
}

class CacheMaintenanceTest : public ntio::test::SystemTest {};

TEST_F(CacheMaintenanceTest, invalidating_a_range_keeps_its_contents) {
    alignas(64) static unsigned char buffer[1000];
    for (unsigned i = 0; i < sizeof buffer; ++i) buffer[i] = static_cast<unsigned char>(i * 7);
    KeInvalidateRangeAllCaches(buffer + 3, sizeof buffer - 3);  // unaligned start, partial last line
    KeInvalidateRangeAllCaches(buffer, 0);
    for (unsigned i = 0; i < sizeof buffer; ++i) ASSERT_EQ(buffer[i], static_cast<unsigned char>(i * 7));
    (void)KeInvalidateAllCaches();
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);  // both are allowed up to DISPATCH_LEVEL
    KeInvalidateRangeAllCaches(buffer, sizeof buffer);
    (void)KeInvalidateAllCaches();
    KeLowerIrql(old);
    EXPECT_EQ(buffer[999], static_cast<unsigned char>(999 * 7));
}

TEST_F(CacheMaintenanceTest, flush_io_buffers_evaluates_its_arguments_once) {
    int evaluated = 0;
    PMDL mdl = nullptr;
    KeFlushIoBuffers((++evaluated, mdl), (++evaluated, TRUE), (++evaluated, FALSE));
    EXPECT_EQ(evaluated, 3);
}

TEST_F(CacheMaintenanceTest, number_of_processors_is_the_systems_count) {
    EXPECT_EQ(static_cast<ULONG>(KeNumberProcessors), KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS));
}

TEST_F(CacheMaintenanceTest, hardware_counters_are_not_implemented_and_nothing_is_written) {
    HARDWARE_COUNTER counters[MAX_HW_COUNTERS + 1] = {};
    counters[0].Type = PMCCounter;
    EXPECT_EQ(KeSetHardwareCounterConfiguration(counters, MAX_HW_COUNTERS + 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(KeSetHardwareCounterConfiguration(counters, 1), STATUS_NOT_IMPLEMENTED);
    EXPECT_EQ(KeSetHardwareCounterConfiguration(counters, 0), STATUS_NOT_IMPLEMENTED);
    counters[0].Index = 0x5a5a;
    ULONG count = 77;
    EXPECT_EQ(KeQueryHardwareCounterConfiguration(counters, MAX_HW_COUNTERS, &count), STATUS_NOT_IMPLEMENTED);
    EXPECT_EQ(count, 77u);
    EXPECT_EQ(counters[0].Index, 0x5a5au);
}

}  // namespace queued_spin_lock_test
