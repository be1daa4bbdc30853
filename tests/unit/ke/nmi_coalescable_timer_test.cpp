// NMI callbacks (KeRegisterNmiCallback, NtioRaiseNmi) and KeSetCoalescableTimer.
#include "ke_fixture.hpp"

#include <ntio/ntio.h>

namespace ntio::test {
namespace {

using NmiTimerTest = KeTest;

struct NmiRecord {
    const char* name;
    BOOLEAN result;
    std::vector<std::pair<const char*, BOOLEAN>>* calls;  // (name, Handled it was given)
    KIRQL irql = PASSIVE_LEVEL;
};

BOOLEAN NTAPI nmi_callback(PVOID context, BOOLEAN handled) {
    auto* r = static_cast<NmiRecord*>(context);
    r->irql = KeGetCurrentIrql();
    r->calls->emplace_back(r->name, handled);
    return r->result;
}

using Calls = std::vector<std::pair<const char*, BOOLEAN>>;

// "When a nonmaskable interrupt occurs, the system calls each registered callback in reverse order
// from the order in which they were registered. For the first callback, the system passes FALSE as the
// Handled parameter. For each subsequent callback, if any previous callback returned TRUE, the system
// passes TRUE ... The callback routine must be able to be run at IRQL = HIGH_LEVEL."
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keregisternmicallback
TEST_F(NmiTimerTest, NmiCallbacksRunNewestFirstAtHighLevelWithTheHandledSoFar) {
    Calls calls;
    NmiRecord first{"first", FALSE, &calls};
    NmiRecord second{"second", TRUE, &calls};
    NmiRecord third{"third", FALSE, &calls};
    PVOID h1 = KeRegisterNmiCallback(nmi_callback, &first);
    PVOID h2 = KeRegisterNmiCallback(nmi_callback, &second);
    PVOID h3 = KeRegisterNmiCallback(nmi_callback, &third);
    ASSERT_NE(h1, nullptr);
    ASSERT_NE(h2, nullptr);
    ASSERT_NE(h3, nullptr);
    NtioRaiseNmi();
    EXPECT_EQ(calls, (Calls{{"third", FALSE}, {"second", FALSE}, {"first", TRUE}}));
    EXPECT_EQ(first.irql, KIRQL{HIGH_LEVEL});
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    // "returns STATUS_INVALID_HANDLE if no callback matching the provided Handle value is found."
    EXPECT_EQ(KeDeregisterNmiCallback(h2), STATUS_SUCCESS);
    EXPECT_EQ(KeDeregisterNmiCallback(h2), STATUS_INVALID_HANDLE);
    calls.clear();
    first.result = TRUE;
    NtioRaiseNmi();
    EXPECT_EQ(calls, (Calls{{"third", FALSE}, {"first", FALSE}}));
    EXPECT_EQ(KeDeregisterNmiCallback(h1), STATUS_SUCCESS);
    EXPECT_EQ(KeDeregisterNmiCallback(h3), STATUS_SUCCESS);
}

// "If any callback returns a value of TRUE, the system considers the interrupt to have been handled.
// Otherwise, the system calls the HAL's default handler for the interrupt, which normally causes the
// system to bug check."
TEST_F(NmiTimerTest, UnhandledNmiBugchecks) {
    Calls calls;
    NmiRecord only{"only", FALSE, &calls};
    PVOID h = KeRegisterNmiCallback(nmi_callback, &only);
    ASSERT_NE(h, nullptr);
    std::optional<BugCheck> bc = catch_bugcheck([] { NtioRaiseNmi(); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, ULONG{NMI_HARDWARE_FAILURE});
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);  // the callbacks ran and the IRQL came back first
    EXPECT_EQ(calls.size(), 1u);
    EXPECT_EQ(KeDeregisterNmiCallback(h), STATUS_SUCCESS);
    bc = catch_bugcheck([] { NtioRaiseNmi(); });  // no callback at all
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, ULONG{NMI_HARDWARE_FAILURE});
}

struct TimerRecord {
    std::atomic<int> runs{0};
    KEVENT fired;
};

void timer_dpc(PKDPC, PVOID context, PVOID, PVOID) {
    auto* r = static_cast<TimerRecord*>(context);
    r->runs.fetch_add(1);
    KeSetEvent(&r->fired, 0, FALSE);
}

// "A call to KeSetCoalescableTimer with TolerableDelay = 0 is the same as a call to KeSetTimerEx":
// with a tolerance it still expires (ntio at the due time), signals the timer, queues the DPC,
// repeats with Period, and returns TRUE when the timer was already in the queue.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesetcoalescabletimer
TEST_F(NmiTimerTest, CoalescableTimerExpiresLikeKeSetTimerEx) {
    KTIMER timer;
    KeInitializeTimerEx(&timer, NotificationTimer);
    TimerRecord r;
    KeInitializeEvent(&r.fired, SynchronizationEvent, FALSE);
    KDPC dpc;
    KeInitializeDpc(&dpc, &timer_dpc, &r);
    EXPECT_FALSE(KeSetCoalescableTimer(&timer, relative_ms(20), 0, 50, &dpc));
    ASSERT_EQ(wait(&r.fired), STATUS_SUCCESS);
    EXPECT_TRUE(KeReadStateTimer(&timer));
    // Periodic: it comes back.
    EXPECT_FALSE(KeSetCoalescableTimer(&timer, relative_ms(5), 5, 100, &dpc));
    ASSERT_EQ(wait(&r.fired), STATUS_SUCCESS);
    ASSERT_EQ(wait(&r.fired), STATUS_SUCCESS);
    EXPECT_TRUE(KeSetCoalescableTimer(&timer, relative_ms(60000), 0, 0, nullptr));  // was armed (periodic)
    EXPECT_FALSE(KeReadStateTimer(&timer));                                        // set resets the state
    EXPECT_TRUE(KeCancelTimer(&timer));
    KeFlushQueuedDpcs();
}

}  // namespace
}  // namespace ntio::test
