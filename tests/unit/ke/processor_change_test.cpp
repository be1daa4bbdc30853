// Processor change callbacks (called only for the existing processors, at registration, with
// KE_PROCESSOR_CHANGE_ADD_EXISTING), DPC targeting by PROCESSOR_NUMBER, the cache queries and the
// SYNCH_LEVEL spin lock acquire.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keregisterprocessorchangecallback
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesettargetprocessordpcex
#include <vector>

#include "ke_fixture.hpp"

namespace ntio::test {
namespace ke_processor_change_test {

using ProcessorChangeTest = KeTest;

struct Notification {
    KE_PROCESSOR_CHANGE_NOTIFY_STATE state;
    ULONG number;
    PROCESSOR_NUMBER processor;
    KIRQL irql;
};

struct CallbackLog {
    std::vector<Notification> seen;
    ULONG fail_start_of = ~0u;  // processor whose start notification fails
};

VOID record_change(PVOID context, PKE_PROCESSOR_CHANGE_NOTIFY_CONTEXT change, PNTSTATUS status) {
    auto* log = static_cast<CallbackLog*>(context);
    log->seen.push_back({change->State, change->NtNumber, change->ProcNumber, KeGetCurrentIrql()});
    EXPECT_EQ(*status, STATUS_SUCCESS);
    if (change->State == KeProcessorAddStartNotify && change->NtNumber == log->fail_start_of)
        *status = STATUS_INSUFFICIENT_RESOURCES;
}

TEST_F(ProcessorChangeTest, existing_processors_get_start_then_complete_notifications) {
    const ULONG count = KeQueryActiveProcessorCount(nullptr);
    CallbackLog log;
    PVOID handle = KeRegisterProcessorChangeCallback(record_change, &log, KE_PROCESSOR_CHANGE_ADD_EXISTING);
    ASSERT_NE(handle, nullptr);
    ASSERT_EQ(log.seen.size(), 2u * count);
    for (ULONG i = 0; i < count; ++i) {
        EXPECT_EQ(log.seen[i].state, KeProcessorAddStartNotify);
        EXPECT_EQ(log.seen[i].number, i);
        EXPECT_EQ(log.seen[i].processor.Group, 0);
        EXPECT_EQ(log.seen[i].processor.Number, i);
        EXPECT_EQ(log.seen[i].irql, PASSIVE_LEVEL);
        EXPECT_EQ(log.seen[count + i].state, KeProcessorAddCompleteNotify);
        EXPECT_EQ(log.seen[count + i].number, i);
    }
    KeDeregisterProcessorChangeCallback(handle);
}

TEST_F(ProcessorChangeTest, without_add_existing_nothing_is_called) {
    CallbackLog log;
    PVOID handle = KeRegisterProcessorChangeCallback(record_change, &log, 0);
    ASSERT_NE(handle, nullptr);
    EXPECT_TRUE(log.seen.empty());
    KeDeregisterProcessorChangeCallback(handle);
    EXPECT_EQ(KeRegisterProcessorChangeCallback(nullptr, &log, 0), nullptr);
    EXPECT_EQ(KeRegisterProcessorChangeCallback(record_change, &log, 2), nullptr);
}

TEST_F(ProcessorChangeTest, a_failed_start_stops_and_fails_the_ones_started) {
    const ULONG count = KeQueryActiveProcessorCount(nullptr);
    if (count < 2) GTEST_SKIP() << "needs two processors";
    CallbackLog log;
    log.fail_start_of = 1;
    PVOID handle = KeRegisterProcessorChangeCallback(record_change, &log, KE_PROCESSOR_CHANGE_ADD_EXISTING);
    ASSERT_NE(handle, nullptr);  // the registration itself succeeded (Learn's note)
    ASSERT_EQ(log.seen.size(), 3u);
    EXPECT_EQ(log.seen[0].state, KeProcessorAddStartNotify);
    EXPECT_EQ(log.seen[1].state, KeProcessorAddStartNotify);
    EXPECT_EQ(log.seen[1].number, 1u);
    EXPECT_EQ(log.seen[2].state, KeProcessorAddFailureNotify);
    EXPECT_EQ(log.seen[2].number, 0u);
    KeDeregisterProcessorChangeCallback(handle);
}

struct DpcRun {
    KEVENT done;
    std::atomic<ULONG> processor{~0u};
};

VOID record_processor(PKDPC, PVOID context, PVOID, PVOID) {
    auto* run = static_cast<DpcRun*>(context);
    run->processor = KeGetCurrentProcessorNumberEx(nullptr);
    KeSetEvent(&run->done, IO_NO_INCREMENT, FALSE);
}

TEST_F(ProcessorChangeTest, dpc_targets_the_processor_number_given) {
    const ULONG count = KeQueryActiveProcessorCount(nullptr);
    for (ULONG i = 0; i < count; ++i) {
        DpcRun run;
        KeInitializeEvent(&run.done, NotificationEvent, FALSE);
        KDPC dpc;
        KeInitializeDpc(&dpc, record_processor, &run);
        PROCESSOR_NUMBER number{};
        ASSERT_EQ(KeGetProcessorNumberFromIndex(i, &number), STATUS_SUCCESS);
        ASSERT_EQ(KeSetTargetProcessorDpcEx(&dpc, &number), STATUS_SUCCESS);
        ASSERT_TRUE(KeInsertQueueDpc(&dpc, nullptr, nullptr));
        ASSERT_EQ(wait(&run.done), STATUS_SUCCESS);
        EXPECT_EQ(run.processor.load(), i);
    }
    KDPC dpc;
    KeInitializeDpc(&dpc, record_processor, nullptr);
    PROCESSOR_NUMBER bad{};
    bad.Number = static_cast<UCHAR>(count);
    EXPECT_EQ(KeSetTargetProcessorDpcEx(&dpc, &bad), STATUS_INVALID_PARAMETER);
    bad.Number = 0;
    bad.Group = 1;
    EXPECT_EQ(KeSetTargetProcessorDpcEx(&dpc, &bad), STATUS_INVALID_PARAMETER);
}

TEST_F(ProcessorChangeTest, cache_queries_answer_a_line_size) {
    const ULONG alignment = KeGetRecommendedSharedDataAlignment();
    EXPECT_GE(alignment, 16u);
    EXPECT_EQ(alignment & (alignment - 1), 0u);  // a power of two
    EXPECT_EQ(KeGetDcacheFillSize(), 1L);        // the WDK's x64 macro
    KeFlushWriteBuffer();
}

TEST_F(ProcessorChangeTest, raise_to_synch_acquire_holds_the_lock_at_synch_level) {
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    const KIRQL old = KeAcquireSpinLockRaiseToSynch(&lock);
    EXPECT_EQ(old, PASSIVE_LEVEL);
    EXPECT_EQ(KeGetCurrentIrql(), SYNCH_LEVEL);
    EXPECT_FALSE(KeTestSpinLock(&lock));
    KeReleaseSpinLock(&lock, old);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    EXPECT_TRUE(KeTestSpinLock(&lock));
}

}  // namespace ke_processor_change_test
}  // namespace ntio::test
