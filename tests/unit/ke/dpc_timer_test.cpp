// DPCs and timers: DPCs run at DISPATCH_LEVEL on a DPC thread with their arguments, insert-once,
// removal, flush; timers one-shot and periodic, cancel, synchronization timers, DPC on expiry.
#include <memory>
#include <thread>

#include "ke_fixture.hpp"

namespace ntio::test {
namespace {

using DpcTimerTest = KeTest;

struct DpcRecord {
    std::atomic<int> runs{0};
    KIRQL irql = PASSIVE_LEVEL;
    BOOLEAN executing_dpc = FALSE;
    _KTHREAD* thread = nullptr;
    PVOID arg1 = nullptr;
    PVOID arg2 = nullptr;
    KEVENT done;
};

void record_dpc(PKDPC, PVOID context, PVOID arg1, PVOID arg2) {
    auto* r = static_cast<DpcRecord*>(context);
    r->irql = KeGetCurrentIrql();
    r->executing_dpc = KeIsExecutingDpc();
    r->thread = KeGetCurrentThread();
    r->arg1 = arg1;
    r->arg2 = arg2;
    r->runs.fetch_add(1);
    KeSetEvent(&r->done, 0, FALSE);
}

TEST_F(DpcTimerTest, dpc_runs_at_dispatch_level_on_a_dpc_thread) {
    DpcRecord r;
    KeInitializeEvent(&r.done, NotificationEvent, FALSE);
    KDPC dpc;
    KeInitializeDpc(&dpc, &record_dpc, &r);
    EXPECT_EQ(dpc.Type, DpcObject);
    ASSERT_TRUE(KeInsertQueueDpc(&dpc, reinterpret_cast<PVOID>(1), reinterpret_cast<PVOID>(2)));
    ASSERT_EQ(wait(&r.done), STATUS_SUCCESS);
    KeFlushQueuedDpcs();
    EXPECT_EQ(r.irql, DISPATCH_LEVEL);
    EXPECT_TRUE(r.executing_dpc);
    EXPECT_NE(r.thread, KeGetCurrentThread());
    EXPECT_TRUE(r.thread->m_is_dpc_thread);
    EXPECT_EQ(r.arg1, reinterpret_cast<PVOID>(1));
    EXPECT_EQ(r.arg2, reinterpret_cast<PVOID>(2));
    EXPECT_FALSE(KeIsExecutingDpc());
}

void block_dpc(PKDPC, PVOID context, PVOID, PVOID) {
    auto* gate = static_cast<std::atomic<int>*>(context);
    gate->store(1);
    while (gate->load() != 2) {}
}

TEST_F(DpcTimerTest, queued_dpc_is_inserted_once_and_can_be_removed) {
    std::atomic<int> gate{0};
    KDPC blocker, dpc;
    KeInitializeDpc(&blocker, &block_dpc, &gate);
    KeSetTargetProcessorDpc(&blocker, 0);
    DpcRecord r;
    KeInitializeEvent(&r.done, NotificationEvent, FALSE);
    KeInitializeDpc(&dpc, &record_dpc, &r);
    KeSetTargetProcessorDpc(&dpc, 0);
    ASSERT_TRUE(KeInsertQueueDpc(&blocker, nullptr, nullptr));
    while (gate.load() != 1) {}
    EXPECT_TRUE(KeInsertQueueDpc(&dpc, nullptr, nullptr));
    EXPECT_FALSE(KeInsertQueueDpc(&dpc, nullptr, nullptr));
    EXPECT_TRUE(KeRemoveQueueDpc(&dpc));
    EXPECT_FALSE(KeRemoveQueueDpc(&dpc));
    EXPECT_TRUE(KeInsertQueueDpc(&dpc, nullptr, nullptr));
    gate.store(2);
    KeFlushQueuedDpcs();
    EXPECT_EQ(r.runs.load(), 1);
    EXPECT_EQ(r.thread->m_dpc_processor, 0u);
}

void record_processor_dpc(PKDPC, PVOID context, PVOID, PVOID) {
    auto* processor = static_cast<std::atomic<ULONG>*>(context);
    processor->store(KeGetCurrentProcessorNumberEx(nullptr));
}

// Learn (KeSetTargetProcessorDpc): a Number that is not below the count of active processors in
// group 0 leaves the DPC's target as it was.
TEST_F(DpcTimerTest, a_target_processor_the_system_lacks_leaves_the_target_unchanged) {
    const ULONG count = KeQueryActiveProcessorCountEx(0);
    ASSERT_GE(count, 1u);
    std::atomic<ULONG> processor{~0u};
    KDPC dpc;
    KeInitializeDpc(&dpc, &record_processor_dpc, &processor);
    KeSetTargetProcessorDpc(&dpc, static_cast<CCHAR>(count - 1));
    KeSetTargetProcessorDpc(&dpc, static_cast<CCHAR>(count));
    KeSetTargetProcessorDpc(&dpc, static_cast<CCHAR>(100));
    ASSERT_TRUE(KeInsertQueueDpc(&dpc, nullptr, nullptr));
    KeFlushQueuedDpcs();
    EXPECT_EQ(processor.load(), count - 1);
}

TEST_F(DpcTimerTest, one_shot_timer_signals_and_queues_its_dpc) {
    KTIMER timer;
    KeInitializeTimer(&timer);
    EXPECT_EQ(timer.Header.Type, TimerNotificationObject);
    DpcRecord r;
    KeInitializeEvent(&r.done, NotificationEvent, FALSE);
    KDPC dpc;
    KeInitializeDpc(&dpc, &record_dpc, &r);
    EXPECT_FALSE(KeSetTimer(&timer, relative_ms(5), &dpc));
    EXPECT_FALSE(KeReadStateTimer(&timer));
    ASSERT_EQ(wait(&timer), STATUS_SUCCESS);
    EXPECT_TRUE(KeReadStateTimer(&timer));
    ASSERT_EQ(wait(&r.done), STATUS_SUCCESS);
    EXPECT_EQ(r.runs.load(), 1);
    EXPECT_EQ(r.irql, DISPATCH_LEVEL);
    EXPECT_FALSE(KeCancelTimer(&timer));  // already expired
}

TEST_F(DpcTimerTest, set_on_an_armed_timer_returns_true_and_cancel_disarms_it) {
    KTIMER timer;
    KeInitializeTimerEx(&timer, NotificationTimer);
    EXPECT_FALSE(KeSetTimer(&timer, relative_ms(60000), nullptr));
    EXPECT_TRUE(KeSetTimer(&timer, relative_ms(60000), nullptr));
    EXPECT_TRUE(KeCancelTimer(&timer));
    EXPECT_FALSE(KeCancelTimer(&timer));
    LARGE_INTEGER zero{};
    EXPECT_EQ(wait(&timer, zero), STATUS_TIMEOUT);
}

TEST_F(DpcTimerTest, periodic_timer_fires_repeatedly_until_cancelled) {
    KTIMER timer;
    KeInitializeTimerEx(&timer, SynchronizationTimer);
    EXPECT_EQ(timer.Header.Type, TimerSynchronizationObject);
    DpcRecord r;
    KeInitializeEvent(&r.done, SynchronizationEvent, FALSE);
    KDPC dpc;
    KeInitializeDpc(&dpc, &record_dpc, &r);
    KeSetTimerEx(&timer, relative_ms(1), 2, &dpc);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(wait(&r.done), STATUS_SUCCESS);
    EXPECT_TRUE(KeCancelTimer(&timer));
    KeFlushQueuedDpcs();
    EXPECT_GE(r.runs.load(), 3);
}

TEST_F(DpcTimerTest, synchronization_timer_releases_one_wait) {
    KTIMER timer;
    KeInitializeTimerEx(&timer, SynchronizationTimer);
    KeSetTimer(&timer, relative_ms(1), nullptr);
    ASSERT_EQ(wait(&timer), STATUS_SUCCESS);
    LARGE_INTEGER zero{};
    EXPECT_EQ(wait(&timer, zero), STATUS_TIMEOUT);
}

TEST_F(DpcTimerTest, absolute_due_time_in_the_past_expires_at_once) {
    KTIMER timer;
    KeInitializeTimer(&timer);
    LARGE_INTEGER past;
    KeQuerySystemTime(&past);
    past.QuadPart -= 10000000;
    KeSetTimer(&timer, past, nullptr);
    EXPECT_EQ(wait(&timer), STATUS_SUCCESS);
}

TEST_F(DpcTimerTest, time_queries_are_consistent) {
    LARGE_INTEGER sys;
    KeQuerySystemTime(&sys);
    // 2020-01-01 in 100 ns units since 1601.
    EXPECT_GT(sys.QuadPart, 132223104000000000LL);
    ULONGLONG a = KeQueryInterruptTime();
    ULONGLONG b = KeQueryInterruptTime();
    EXPECT_LE(a, b);
    LARGE_INTEGER freq;
    LARGE_INTEGER c1 = KeQueryPerformanceCounter(&freq);
    KeStallExecutionProcessor(50);
    LARGE_INTEGER c2 = KeQueryPerformanceCounter(nullptr);
    EXPECT_EQ(freq.QuadPart, 10000000);
    EXPECT_GE(c2.QuadPart - c1.QuadPart, 500);
    EXPECT_EQ(KeQueryTimeIncrement(), 156250u);
    LARGE_INTEGER ticks;
    KeQueryTickCount(&ticks);
    EXPECT_GE(ticks.QuadPart, 0);
    KAFFINITY active = 0;
    ULONG n = KeQueryActiveProcessorCount(&active);
    EXPECT_EQ(n, system().kernel().processor_count());
    EXPECT_EQ(KeQueryActiveProcessorCountEx(0), n);
    EXPECT_EQ(KeQueryActiveProcessorCountEx(1), 0u);
    EXPECT_LT(KeGetCurrentProcessorNumber(), n);
    PROCESSOR_NUMBER pn;
    EXPECT_LT(KeGetCurrentProcessorNumberEx(&pn), n);
    EXPECT_EQ(pn.Group, 0);
    EXPECT_NE(active, 0u);
}

// Processor indexes and numbers map one to one in the single group; a processor the system does
// not have is refused both ways.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kegetprocessornumberfromindex
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kegetprocessorindexfromnumber
TEST_F(DpcTimerTest, processor_indexes_and_numbers_map_one_to_one) {
    const ULONG n = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    for (ULONG index = 0; index < n; ++index) {
        PROCESSOR_NUMBER number{};
        number.Reserved = 7;
        ASSERT_EQ(KeGetProcessorNumberFromIndex(index, &number), STATUS_SUCCESS);
        EXPECT_EQ(number.Group, 0);
        EXPECT_EQ(number.Number, index);
        EXPECT_EQ(number.Reserved, 0);
        EXPECT_EQ(KeGetProcessorIndexFromNumber(&number), index);
    }
    PROCESSOR_NUMBER number{};
    EXPECT_EQ(KeGetProcessorNumberFromIndex(n, &number), STATUS_INVALID_PARAMETER);
    number.Number = static_cast<UCHAR>(n);
    EXPECT_EQ(KeGetProcessorIndexFromNumber(&number), ULONG{INVALID_PROCESSOR_INDEX});
    number.Number = 0;
    number.Group = 1;
    EXPECT_EQ(KeGetProcessorIndexFromNumber(&number), ULONG{INVALID_PROCESSOR_INDEX});
}

// The unbiased interrupt time moves with the interrupt time (the host clock stops for both while
// the machine sleeps), never backwards.
TEST_F(DpcTimerTest, unbiased_interrupt_time_advances_with_the_interrupt_time) {
    const ULONGLONG before = KeQueryUnbiasedInterruptTime();
    const ULONGLONG interrupt = KeQueryInterruptTime();
    LARGE_INTEGER pause;
    pause.QuadPart = -20000;  // 2 ms
    ASSERT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &pause), STATUS_SUCCESS);
    const ULONGLONG after = KeQueryUnbiasedInterruptTime();
    EXPECT_GE(after - before, 20000u);
    EXPECT_GE(interrupt + 10000, before);
    EXPECT_GE(KeQueryInterruptTime() + 10000, after);
}

// The stack limits bracket a local variable of the caller; the initial stack is the high limit and
// the remaining size is what lies below the caller's frame.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetstacklimits
TEST_F(DpcTimerTest, stack_limits_bracket_the_current_frame) {
    ULONG_PTR low = 0;
    ULONG_PTR high = 0;
    IoGetStackLimits(&low, &high);
    int local = 0;
    const auto here = reinterpret_cast<ULONG_PTR>(&local);
    EXPECT_LT(low, here);
    EXPECT_GT(high, here);
    EXPECT_EQ(reinterpret_cast<ULONG_PTR>(IoGetInitialStack()), high);
    const ULONG_PTR remaining = IoGetRemainingStackSize();
    EXPECT_GT(remaining, 0u);
    EXPECT_LT(remaining, high - low);
}

// A region is within the stack limits only when the current thread's stack holds all of it: a local,
// not a heap block, not a region running past either end, not another thread's local.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowithinstacklimits
TEST_F(DpcTimerTest, within_stack_limits_holds_only_regions_of_the_current_stack) {
    ULONG_PTR low = 0;
    ULONG_PTR high = 0;
    IoGetStackLimits(&low, &high);
    char local[64] = {};
    const auto here = reinterpret_cast<ULONG_PTR>(local);
    EXPECT_TRUE(IoWithinStackLimits(here, sizeof(local)));
    EXPECT_TRUE(IoWithinStackLimits(low, high - low));
    EXPECT_FALSE(IoWithinStackLimits(low - 1, 2));
    EXPECT_FALSE(IoWithinStackLimits(high - 1, 2));
    EXPECT_FALSE(IoWithinStackLimits(here, ~ULONG_PTR{0}));  // wraps around
    auto heap = std::make_unique<char[]>(64);
    EXPECT_FALSE(IoWithinStackLimits(reinterpret_cast<ULONG_PTR>(heap.get()), 64));
    ULONG_PTR other = 0;
    std::thread([&other] {
        char theirs[16] = {};
        other = reinterpret_cast<ULONG_PTR>(theirs);
    }).join();
    EXPECT_FALSE(IoWithinStackLimits(other, 16));
}

}  // namespace
}  // namespace ntio::test
