// System affinity and base priority as a driver uses them: the processor number the thread reports
// stays inside the affinity it set, the previous affinity comes back for the revert, invalid masks
// change nothing; KeSetBasePriorityThread returns the previous increment and keeps the base in the
// variable class.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesetsystemaffinitythreadex
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesetsystemgroupaffinitythread
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-kesetbaseprioritythread
#include <gtest/gtest.h>

#include <thread>

#include <ntddk.h>

#include "support/system_fixture.hpp"

namespace affinity_priority_test {

class AffinityPriorityTest : public ntio::test::SystemTest {};

ULONG reported_processor() {
    PROCESSOR_NUMBER number{};
    const ULONG index = KeGetCurrentProcessorNumberEx(&number);
    EXPECT_EQ(number.Group, 0);
    EXPECT_EQ(number.Number, index);
    return index;
}

TEST_F(AffinityPriorityTest, the_reported_processor_follows_the_system_affinity) {
    KAFFINITY active = 0;
    const ULONG count = KeQueryActiveProcessorCount(&active);
    for (ULONG p = 0; p < count && p < 64; ++p) {
        const KAFFINITY previous = KeSetSystemAffinityThreadEx(KAFFINITY{1} << p);
        EXPECT_EQ(previous, 0u);  // the user affinity
        for (int i = 0; i < 20; ++i) EXPECT_EQ(reported_processor(), p);
        EXPECT_EQ(KeGetCurrentProcessorNumber(), p);
        KeRevertToUserAffinityThreadEx(previous);
    }
}

TEST_F(AffinityPriorityTest, nested_affinities_return_and_restore_the_previous_one) {
    KAFFINITY active = 0;
    const ULONG count = KeQueryActiveProcessorCount(&active);
    const KAFFINITY last = KAFFINITY{1} << (count - 1);
    const KAFFINITY outer = KeSetSystemAffinityThreadEx(1);
    EXPECT_EQ(outer, 0u);
    const KAFFINITY inner = KeSetSystemAffinityThreadEx(last);
    EXPECT_EQ(inner, 1u);
    EXPECT_EQ(reported_processor(), count - 1);
    KeRevertToUserAffinityThreadEx(inner);
    EXPECT_EQ(reported_processor(), 0u);
    KeRevertToUserAffinityThreadEx(outer);
    // Back to the user affinity: a second set reports no previous system affinity.
    EXPECT_EQ(KeSetSystemAffinityThreadEx(1), 0u);
    KeRevertToUserAffinityThreadEx(0);
}

TEST_F(AffinityPriorityTest, invalid_masks_change_nothing) {
    KAFFINITY active = 0;
    const ULONG count = KeQueryActiveProcessorCount(&active);
    EXPECT_EQ(KeSetSystemAffinityThreadEx(0), 0u);
    EXPECT_EQ(KeSetSystemAffinityThreadEx(0), 0u);  // still the user affinity
    if (count < 64) {
        const KAFFINITY previous = KeSetSystemAffinityThreadEx(1);
        EXPECT_EQ(KeSetSystemAffinityThreadEx(KAFFINITY{1} << count), 1u);  // a processor that does not exist
        EXPECT_EQ(reported_processor(), 0u);
        KeRevertToUserAffinityThreadEx(KAFFINITY{1} << count);  // invalid nonzero: no effect
        EXPECT_EQ(reported_processor(), 0u);
        KeRevertToUserAffinityThreadEx(previous);
    }
}

TEST_F(AffinityPriorityTest, group_affinity_saves_and_restores) {
    KAFFINITY active = 0;
    const ULONG count = KeQueryActiveProcessorCount(&active);
    GROUP_AFFINITY wanted{};
    wanted.Mask = KAFFINITY{1} << (count - 1);
    GROUP_AFFINITY previous{};
    previous.Mask = 0xdead;
    KeSetSystemGroupAffinityThread(&wanted, &previous);
    EXPECT_EQ(previous.Group, 0);
    EXPECT_EQ(reported_processor(), count - 1);

    GROUP_AFFINITY first{};
    first.Mask = 1;
    GROUP_AFFINITY saved{};
    KeSetSystemGroupAffinityThread(&first, &saved);
    EXPECT_EQ(saved.Mask, wanted.Mask);
    EXPECT_EQ(reported_processor(), 0u);

    GROUP_AFFINITY bad_group{};
    bad_group.Mask = 1;
    bad_group.Group = 1;  // one group only
    KeSetSystemGroupAffinityThread(&bad_group, nullptr);
    EXPECT_EQ(reported_processor(), 0u);

    KeRevertToUserGroupAffinityThread(&saved);
    EXPECT_EQ(reported_processor(), count - 1);
    KeRevertToUserGroupAffinityThread(&previous);
    EXPECT_EQ(KeSetSystemAffinityThreadEx(1), 0u);  // the user affinity again
    KeRevertToUserAffinityThreadEx(0);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesetsystemaffinitythread
TEST_F(AffinityPriorityTest, the_older_affinity_pair_sets_and_returns_to_the_user_affinity) {
    KAFFINITY active = 0;
    const ULONG count = KeQueryActiveProcessorCount(&active);
    KeSetSystemAffinityThread(KAFFINITY{1} << (count - 1));
    EXPECT_EQ(reported_processor(), count - 1);
    KeSetSystemAffinityThread(1);  // nested: replaces it
    EXPECT_EQ(reported_processor(), 0u);
    KeSetSystemAffinityThread(0);  // invalid: no change
    EXPECT_EQ(reported_processor(), 0u);
    KeRevertToUserAffinityThread();
    EXPECT_EQ(KeSetSystemAffinityThreadEx(1), 0u);  // the user affinity again
    KeRevertToUserAffinityThread();
    KeRevertToUserAffinityThread();  // without a system affinity: nothing to do
    EXPECT_EQ(KeSetSystemAffinityThreadEx(1), 0u);
    KeRevertToUserAffinityThreadEx(0);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-kesetidealprocessorthread
TEST_F(AffinityPriorityTest, ideal_processor_returns_the_previous_one) {
    KAFFINITY active = 0;
    const ULONG count = KeQueryActiveProcessorCount(&active);
    PKTHREAD thread = KeGetCurrentThread();
    const UCHAR original = KeSetIdealProcessorThread(thread, 0);
    EXPECT_LT(original, count);
    EXPECT_EQ(KeSetIdealProcessorThread(thread, static_cast<UCHAR>(count - 1)), 0);
    EXPECT_EQ(KeSetIdealProcessorThread(thread, static_cast<UCHAR>(count)), count - 1);  // no such processor
    EXPECT_EQ(KeSetIdealProcessorThread(thread, 0), count - 1);
    // Under a system affinity the user ideal processor stays.
    const KAFFINITY previous = KeSetSystemAffinityThreadEx(1);
    EXPECT_EQ(KeSetIdealProcessorThread(thread, 0), 0);
    KeRevertToUserAffinityThreadEx(previous);
    (void)KeSetIdealProcessorThread(thread, original);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-kesetkernelstackswapenable
TEST_F(AffinityPriorityTest, stack_swap_enable_returns_the_previous_setting) {
    EXPECT_TRUE(KeSetKernelStackSwapEnable(FALSE));
    EXPECT_FALSE(KeSetKernelStackSwapEnable(FALSE));
    EXPECT_FALSE(KeSetKernelStackSwapEnable(TRUE));
    EXPECT_TRUE(KeSetKernelStackSwapEnable(TRUE));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerytotalcycletimethread
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequeryruntimethread
TEST_F(AffinityPriorityTest, run_and_cycle_times_grow_with_the_threads_cpu_use) {
    PKTHREAD thread = KeGetCurrentThread();
    ULONG64 stamp_before = 0;
    const ULONG64 cycles_before = KeQueryTotalCycleTimeThread(thread, &stamp_before);
    ULONG user_before = 0;
    const ULONG kernel_before = KeQueryRuntimeThread(thread, &user_before);
    // Burn 60 ms of this thread's CPU (more than three 15.625 ms ticks).
    const ULONGLONG until = KeQueryInterruptTime() + 60 * 10000;
    while (KeQueryInterruptTime() < until) {
    }
    ULONG64 stamp_after = 0;
    const ULONG64 cycles_after = KeQueryTotalCycleTimeThread(thread, &stamp_after);
    EXPECT_GT(stamp_after, stamp_before);
    EXPECT_GT(cycles_after, cycles_before);
    // Never more cycles than the counter advanced by (the thread ran at most all the time).
    EXPECT_LE(cycles_after - cycles_before, (stamp_after - stamp_before) * 11 / 10);
    ULONG user_after = 0;
    const ULONG kernel_after = KeQueryRuntimeThread(thread, &user_after);
    // This test's thread is an application thread: its time is user time.
    EXPECT_EQ(kernel_after, kernel_before);
    EXPECT_GE(user_after, user_before);
    EXPECT_GE(user_after + kernel_after, user_before + kernel_before);
}

// KeQueryTotalCycleTimeProcess: every thread of the process counts, those that ended too.
TEST_F(AffinityPriorityTest, process_cycle_time_adds_up_its_threads) {
    PKPROCESS process = reinterpret_cast<PKPROCESS>(PsGetCurrentProcess());
    ULONG64 stamp = 0;
    const ULONG64 own = KeQueryTotalCycleTimeThread(KeGetCurrentThread(), &stamp);
    const ULONG64 before = KeQueryTotalCycleTimeProcess(process, &stamp);  // read after: at least as much
    EXPECT_NE(stamp, 0u);
    EXPECT_GE(before, own);
    ULONG64 worker_cycles = 0;
    std::thread worker([&] {
        const ULONGLONG until = KeQueryInterruptTime() + 30 * 10000;
        while (KeQueryInterruptTime() < until) {
        }
        ULONG64 ignored = 0;
        worker_cycles = KeQueryTotalCycleTimeThread(KeGetCurrentThread(), &ignored);
    });
    worker.join();  // the worker's thread has ended: its cycles stay counted
    EXPECT_GT(worker_cycles, 0u);
    const ULONG64 after = KeQueryTotalCycleTimeProcess(process, &stamp);
    EXPECT_GE(after, before + worker_cycles);
}

TEST_F(AffinityPriorityTest, base_priority_returns_the_previous_increment) {
    PKTHREAD thread = KeGetCurrentThread();
    const KPRIORITY original = KeQueryPriorityThread(thread);
    EXPECT_EQ(KeSetBasePriorityThread(thread, 2), 0);
    EXPECT_EQ(KeQueryPriorityThread(thread), 10);
    EXPECT_EQ(KeSetBasePriorityThread(thread, -3), 2);
    EXPECT_EQ(KeQueryPriorityThread(thread), 5);
    // The variable class bounds the base: 1..LOW_REALTIME_PRIORITY-1.
    EXPECT_EQ(KeSetBasePriorityThread(thread, 100), -3);
    EXPECT_EQ(KeQueryPriorityThread(thread), LOW_REALTIME_PRIORITY - 1);
    EXPECT_EQ(KeSetBasePriorityThread(thread, -100), LOW_REALTIME_PRIORITY - 1 - 8);
    EXPECT_EQ(KeQueryPriorityThread(thread), 1);
    EXPECT_EQ(KeSetBasePriorityThread(thread, 0), 1 - 8);
    KeSetPriorityThread(thread, original);
}

}  // namespace affinity_priority_test
