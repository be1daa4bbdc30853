// System-allocated timers as drivers use them: one-shot and periodic expiries call the callback at
// DISPATCH_LEVEL with the timer and its context, the timer is waitable, set and cancel report a
// pending expiry, and delete runs the DeleteCallback once the timer is gone.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/exxxxtimer-routines-and-ex-timer-objects
#include <atomic>
#include <vector>

#include <gtest/gtest.h>

#include <wdm.h>

#include "ex_test_support.hpp"
#include "support/system_fixture.hpp"

namespace ex_timer_test {

class ExTimerTest : public ntio::test::SystemTest {};

constexpr LONGLONG kMs = 10000;

struct Fired {
    std::atomic<int> count{0};
    std::atomic<int> bad_irql{0};
    std::atomic<int> deleted_before{0};  // callbacks after the delete callback ran
    std::atomic<bool> deleted{false};
    PEX_TIMER timer = nullptr;
    std::atomic<PEX_TIMER> seen{nullptr};
    KEVENT event;
    KEVENT deleted_event;
    std::vector<int> order;  // 1 callback, 2 delete callback (single-threaded uses only)
    Fired() {
        KeInitializeEvent(&event, NotificationEvent, FALSE);
        KeInitializeEvent(&deleted_event, NotificationEvent, FALSE);
    }
};

VOID on_expiry(PEX_TIMER timer, PVOID context) {
    auto* f = static_cast<Fired*>(context);
    if (KeGetCurrentIrql() != DISPATCH_LEVEL) f->bad_irql.fetch_add(1);
    if (f->deleted.load()) f->deleted_before.fetch_add(1);
    f->seen = timer;
    f->order.push_back(1);
    f->count.fetch_add(1);
    KeSetEvent(&f->event, IO_NO_INCREMENT, FALSE);
}

VOID on_delete(PVOID context) {
    auto* f = static_cast<Fired*>(context);
    f->order.push_back(2);
    f->deleted = true;
    KeSetEvent(&f->deleted_event, IO_NO_INCREMENT, FALSE);
}

NTSTATUS wait_for(PVOID object, LONGLONG ms = 20000) {
    LARGE_INTEGER timeout;
    timeout.QuadPart = -ms * kMs;
    return KeWaitForSingleObject(object, Executive, KernelMode, FALSE, &timeout);
}

EXT_DELETE_PARAMETERS delete_parameters(Fired& f) {
    EXT_DELETE_PARAMETERS p;
    ExInitializeDeleteTimerParameters(&p);
    p.DeleteCallback = &on_delete;
    p.DeleteContext = &f;
    return p;
}

TEST_F(ExTimerTest, a_one_shot_timer_calls_back_once_at_dispatch_level_and_signals) {
    Fired f;
    PEX_TIMER timer = ExAllocateTimer(&on_expiry, &f, EX_TIMER_HIGH_RESOLUTION | EX_TIMER_NOTIFICATION);
    ASSERT_NE(timer, nullptr);
    EXT_SET_PARAMETERS set;
    ExInitializeSetTimerParameters(&set);
    EXPECT_EQ(set.NoWakeTolerance, EX_TIMER_UNLIMITED_TOLERANCE);
    EXPECT_FALSE(ExSetTimer(timer, -2 * kMs, 0, &set));
    ASSERT_EQ(wait_for(timer), STATUS_SUCCESS);  // the timer is waitable
    ASSERT_EQ(wait_for(&f.event), STATUS_SUCCESS);
    KeFlushQueuedDpcs();
    EXPECT_EQ(f.count.load(), 1);
    EXPECT_EQ(f.seen.load(), timer);
    EXPECT_EQ(f.bad_irql.load(), 0);
    EXPECT_FALSE(ExCancelTimer(timer, nullptr));  // already expired
    EXT_DELETE_PARAMETERS del = delete_parameters(f);
    EXPECT_FALSE(ExDeleteTimer(timer, TRUE, TRUE, &del));
    EXPECT_TRUE(f.deleted.load());
    EXPECT_EQ(f.count.load(), 1);
}

TEST_F(ExTimerTest, a_periodic_timer_fires_until_cancelled) {
    Fired f;
    PEX_TIMER timer = ExAllocateTimer(&on_expiry, &f, EX_TIMER_HIGH_RESOLUTION);
    ASSERT_NE(timer, nullptr);
    ExSetTimer(timer, -1 * kMs, 5000 /* 0.5 ms: finer than a KTIMER period */, nullptr);
    while (f.count.load() < 5) {
        ASSERT_EQ(wait_for(&f.event), STATUS_SUCCESS);
        KeClearEvent(&f.event);
    }
    ExCancelTimer(timer, nullptr);
    KeFlushQueuedDpcs();
    const int after_cancel = f.count.load();
    LARGE_INTEGER delay;
    delay.QuadPart = -20 * kMs;
    KeDelayExecutionThread(KernelMode, FALSE, &delay);
    KeFlushQueuedDpcs();
    EXPECT_EQ(f.count.load(), after_cancel);
    EXPECT_FALSE(ExDeleteTimer(timer, TRUE, TRUE, nullptr));
}

TEST_F(ExTimerTest, setting_or_cancelling_a_pending_timer_reports_it) {
    Fired f;
    PEX_TIMER timer = ExAllocateTimer(&on_expiry, &f, 0);
    ASSERT_NE(timer, nullptr);
    EXPECT_FALSE(ExCancelTimer(timer, nullptr));  // never set
    EXPECT_FALSE(ExSetTimer(timer, -10000 * kMs, 0, nullptr));
    EXPECT_TRUE(ExSetTimer(timer, -10000 * kMs, 0, nullptr));  // replaces the pending expiry
    EXPECT_TRUE(ExCancelTimer(timer, nullptr));
    EXPECT_FALSE(ExCancelTimer(timer, nullptr));
    // Absolute due times (system time) work for a timer that is not high resolution.
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    ExSetTimer(timer, now.QuadPart + 2 * kMs, 0, nullptr);
    ASSERT_EQ(wait_for(&f.event), STATUS_SUCCESS);
    EXPECT_FALSE(ExDeleteTimer(timer, TRUE, TRUE, nullptr));
    EXPECT_EQ(f.count.load(), 1);
}

TEST_F(ExTimerTest, deleting_with_cancel_and_wait_cancels_and_runs_the_delete_callback_first) {
    Fired f;
    PEX_TIMER timer = ExAllocateTimer(&on_expiry, &f, 0);
    ASSERT_NE(timer, nullptr);
    ExSetTimer(timer, -10000 * kMs, 0, nullptr);
    EXT_DELETE_PARAMETERS del = delete_parameters(f);
    EXPECT_TRUE(ExDeleteTimer(timer, TRUE, TRUE, &del));
    EXPECT_TRUE(f.deleted.load());  // before the return
    EXPECT_EQ(f.count.load(), 0);
}

TEST_F(ExTimerTest, deleting_without_cancel_lets_the_pending_expiry_happen_first) {
    Fired f;
    PEX_TIMER timer = ExAllocateTimer(&on_expiry, &f, 0);
    ASSERT_NE(timer, nullptr);
    ExSetTimer(timer, -5 * kMs, 10 * kMs, nullptr);  // periodic: the last expiry does not re-arm
    EXT_DELETE_PARAMETERS del = delete_parameters(f);
    EXPECT_FALSE(ExDeleteTimer(timer, FALSE, FALSE, &del));
    ASSERT_EQ(wait_for(&f.deleted_event), STATUS_SUCCESS);
    KeFlushQueuedDpcs();
    EXPECT_EQ(f.order, (std::vector<int>{1, 2}));
    EXPECT_EQ(f.deleted_before.load(), 0);
}

VOID delete_self(PEX_TIMER timer, PVOID context) {
    on_expiry(timer, context);
    EXT_DELETE_PARAMETERS del = delete_parameters(*static_cast<Fired*>(context));
    ExDeleteTimer(timer, TRUE, FALSE, &del);
}

TEST_F(ExTimerTest, a_callback_may_delete_its_own_timer) {
    Fired f;
    PEX_TIMER timer = ExAllocateTimer(&delete_self, &f, 0);
    ASSERT_NE(timer, nullptr);
    ExSetTimer(timer, -1 * kMs, 1 * kMs, nullptr);
    ASSERT_EQ(wait_for(&f.deleted_event), STATUS_SUCCESS);
    KeFlushQueuedDpcs();
    EXPECT_EQ(f.count.load(), 1);
    EXPECT_EQ(f.order, (std::vector<int>{1, 2}));
}

TEST_F(ExTimerTest, a_never_set_timer_is_deleted_and_unknown_attributes_are_refused) {
    Fired f;
    PEX_TIMER timer = ExAllocateTimer(nullptr, nullptr, EX_TIMER_NO_WAKE);
    ASSERT_NE(timer, nullptr);
    EXT_DELETE_PARAMETERS del = delete_parameters(f);
    EXPECT_FALSE(ExDeleteTimer(timer, TRUE, TRUE, &del));
    EXPECT_TRUE(f.deleted.load());
    EXPECT_EQ(ExAllocateTimer(nullptr, nullptr, 0x100), nullptr);
}

TEST_F(ExTimerTest, documented_misuse_bugchecks) {
    auto both = ntio::test::ex::stop_of([] { ExAllocateTimer(nullptr, nullptr, EX_TIMER_HIGH_RESOLUTION | EX_TIMER_NO_WAKE); });
    ASSERT_TRUE(both);
    EXPECT_EQ(both->code, ULONG{KERNEL_SECURITY_CHECK_FAILURE});
    PEX_TIMER timer = ExAllocateTimer(nullptr, nullptr, EX_TIMER_HIGH_RESOLUTION);
    ASSERT_NE(timer, nullptr);
    auto absolute = ntio::test::ex::stop_of([&] { ExSetTimer(timer, 1, 0, nullptr); });
    ASSERT_TRUE(absolute);
    EXPECT_EQ(absolute->code, ULONG{KERNEL_SECURITY_CHECK_FAILURE});
    auto wait_without_cancel = ntio::test::ex::stop_of([&] { ExDeleteTimer(timer, FALSE, TRUE, nullptr); });
    ASSERT_TRUE(wait_without_cancel);
    EXPECT_FALSE(ExDeleteTimer(timer, TRUE, TRUE, nullptr));
}

}  // namespace ex_timer_test
