// Calls on every processor and on an expanded stack, as drivers make them: KeGenericCallDpc runs its
// routine once per processor at DISPATCH_LEVEL, concurrently (the barrier proves it), and returns
// when all signalled done; KeIpiGenericCall does the same at IPI_LEVEL; KeExpandKernelStackAndCallout
// calls on the caller's thread with the stack asked for.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kegenericcalldpc
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keipigenericcall
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-keexpandkernelstackandcallout
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace generic_call_test {

class GenericCallTest : public ntio::test::SystemTest {};

struct Record {
    std::atomic<int> calls{0};
    std::atomic<int> bad_irql{0};
    std::atomic<KAFFINITY> processors{0};
    std::atomic<int> first_phase{0};
    std::atomic<int> early{0};   // passed the barrier before everyone reached it
    std::atomic<int> winners{0};
    std::atomic<int> done_after_return{0};
    int expected = 0;
};

VOID generic_routine(PKDPC, PVOID context, PVOID done, PVOID sync) {
    auto* r = static_cast<Record*>(context);
    if (KeGetCurrentIrql() != DISPATCH_LEVEL) r->bad_irql.fetch_add(1);
    r->processors.fetch_or(KAFFINITY{1} << KeGetCurrentProcessorNumber());
    r->calls.fetch_add(1);
    r->first_phase.fetch_add(1);
    if (KeSignalCallDpcSynchronize(sync)) r->winners.fetch_add(1);
    if (r->first_phase.load() != r->expected) r->early.fetch_add(1);
    if (KeSignalCallDpcSynchronize(sync)) r->winners.fetch_add(1);  // the barrier is reusable
    KeSignalCallDpcDone(done);
}

TEST_F(GenericCallTest, the_routine_runs_once_on_every_processor_together) {
    KAFFINITY active = 0;
    Record r;
    r.expected = static_cast<int>(KeQueryActiveProcessorCount(&active));
    KeGenericCallDpc(&generic_routine, &r);
    EXPECT_EQ(r.calls.load(), r.expected);  // all signalled done before the return
    EXPECT_EQ(r.processors.load(), active);
    EXPECT_EQ(r.bad_irql.load(), 0);
    EXPECT_EQ(r.early.load(), 0);
    EXPECT_EQ(r.winners.load(), 2);  // one TRUE per barrier
    // Again: a call leaves nothing behind.
    Record again;
    again.expected = r.expected;
    KeGenericCallDpc(&generic_routine, &again);
    EXPECT_EQ(again.calls.load(), r.expected);
}

std::atomic<int> g_ipi_calls{0};
std::atomic<int> g_ipi_bad_irql{0};

ULONG_PTR ipi_worker(ULONG_PTR argument) {
    if (KeGetCurrentIrql() != IPI_LEVEL) g_ipi_bad_irql.fetch_add(1);
    g_ipi_calls.fetch_add(1);
    return argument + KeGetCurrentProcessorNumber();
}

TEST_F(GenericCallTest, an_ipi_call_runs_everywhere_at_ipi_level_and_returns_the_callers_result) {
    const ULONG count = KeQueryActiveProcessorCount(nullptr);
    g_ipi_calls = 0;
    g_ipi_bad_irql = 0;
    const ULONG_PTR result = KeIpiGenericCall(&ipi_worker, 1000);
    EXPECT_EQ(g_ipi_calls.load(), static_cast<int>(count));
    EXPECT_EQ(g_ipi_bad_irql.load(), 0);
    EXPECT_GE(result, 1000u);
    EXPECT_LT(result, 1000u + count);
}

struct Callout {
    std::thread::id thread;
    PVOID parameter = nullptr;
    ULONG_PTR remaining = 0;
    int calls = 0;
};

VOID callout(PVOID parameter) {
    auto* c = static_cast<Callout*>(parameter);
    c->thread = std::this_thread::get_id();
    c->parameter = parameter;
    c->remaining = IoGetRemainingStackSize();
    ++c->calls;
}

TEST_F(GenericCallTest, the_callout_runs_on_the_callers_thread_with_the_stack_asked_for) {
    Callout c;
    ASSERT_EQ(KeExpandKernelStackAndCallout(&callout, &c, MAXIMUM_EXPANSION_SIZE), STATUS_SUCCESS);
    EXPECT_EQ(c.calls, 1);
    EXPECT_EQ(c.thread, std::this_thread::get_id());
    EXPECT_EQ(c.parameter, &c);
    EXPECT_GE(c.remaining, ULONG_PTR{MAXIMUM_EXPANSION_SIZE} - 4096);
    ASSERT_EQ(KeExpandKernelStackAndCalloutEx(&callout, &c, KERNEL_STACK_SIZE, TRUE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(c.calls, 2);
    KIRQL irql;
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    const NTSTATUS at_dispatch = KeExpandKernelStackAndCalloutEx(&callout, &c, PAGE_SIZE, FALSE, nullptr);
    KeLowerIrql(irql);
    EXPECT_EQ(at_dispatch, STATUS_SUCCESS);
    EXPECT_EQ(c.calls, 3);
}

TEST_F(GenericCallTest, more_than_the_maximum_expansion_is_refused_without_calling) {
    Callout c;
    EXPECT_EQ(KeExpandKernelStackAndCallout(&callout, &c, MAXIMUM_EXPANSION_SIZE + 1), STATUS_INVALID_PARAMETER_2);
    EXPECT_EQ(KeExpandKernelStackAndCalloutEx(&callout, &c, SIZE_T{1} << 40, TRUE, nullptr), STATUS_INVALID_PARAMETER_2);
    EXPECT_EQ(c.calls, 0);
    EXPECT_EQ(MAXIMUM_EXPANSION_SIZE, 0x11800);
}

}  // namespace generic_call_test
