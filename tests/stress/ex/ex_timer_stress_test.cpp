// System-allocated timers deleted while they fire. Invariant: the DeleteCallback runs exactly once
// per timer, no expiry callback starts after it ran or runs while it runs, and with Wait it has run
// when ExDeleteTimer returns. Each round sets a fast periodic timer, waits until it has fired a few
// times (counting expiries, never waiting for time to pass), then deletes it, alternating Wait and
// Cancel, and deleting from inside the callback every third round.
#include <atomic>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace ex_timer_stress_test {

class ExTimerStressTest : public ntio::test::SystemTest {};

struct Round {
    std::atomic<int> fired{0};
    std::atomic<int> in_callback{0};
    std::atomic<int> deletes{0};
    std::atomic<int> late{0};
    std::atomic<bool> deleted{false};
    std::atomic<bool> delete_from_callback{false};
    std::atomic<bool> deleting{false};
    KEVENT gone;
    Round() { KeInitializeEvent(&gone, NotificationEvent, FALSE); }
};

VOID on_delete(PVOID context) {
    auto* r = static_cast<Round*>(context);
    if (r->in_callback.load(std::memory_order_acquire) != 0) r->late.fetch_add(1);
    r->deletes.fetch_add(1);
    r->deleted.store(true, std::memory_order_release);
    KeSetEvent(&r->gone, IO_NO_INCREMENT, FALSE);
}

VOID on_expiry(PEX_TIMER timer, PVOID context) {
    auto* r = static_cast<Round*>(context);
    r->in_callback.fetch_add(1, std::memory_order_acq_rel);
    if (r->deleted.load(std::memory_order_acquire)) r->late.fetch_add(1);
    const int fired = r->fired.fetch_add(1) + 1;
    r->in_callback.fetch_sub(1, std::memory_order_acq_rel);
    if (fired == 3 && r->delete_from_callback.load() && !r->deleting.exchange(true)) {
        EXT_DELETE_PARAMETERS p;
        ExInitializeDeleteTimerParameters(&p);
        p.DeleteCallback = &on_delete;
        p.DeleteContext = r;
        ExDeleteTimer(timer, TRUE, FALSE, &p);
    }
}

TEST_F(ExTimerStressTest, the_delete_callback_runs_once_after_the_last_expiry) {
    constexpr int kRounds = 300;
    std::vector<std::unique_ptr<Round>> rounds;
    int not_deleted_at_return = 0;
    for (int i = 0; i < kRounds; ++i) {
        rounds.push_back(std::make_unique<Round>());
        Round* r = rounds.back().get();
        r->delete_from_callback = i % 3 == 2;
        PEX_TIMER timer = ExAllocateTimer(&on_expiry, r, i % 2 ? EX_TIMER_HIGH_RESOLUTION : 0);
        ASSERT_NE(timer, nullptr);
        ExSetTimer(timer, -1000, 1000 + (i % 4) * 500, nullptr);  // 0.1 ms, every 0.1-0.25 ms
        if (r->delete_from_callback) {
            ASSERT_EQ(KeWaitForSingleObject(&r->gone, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
            continue;
        }
        while (r->fired.load() < 2) KeStallExecutionProcessor(10);
        if (r->deleting.exchange(true)) continue;
        EXT_DELETE_PARAMETERS p;
        ExInitializeDeleteTimerParameters(&p);
        p.DeleteCallback = &on_delete;
        p.DeleteContext = r;
        const bool wait = i % 2 == 0;
        ExDeleteTimer(timer, TRUE, wait ? TRUE : FALSE, &p);
        if (wait && !r->deleted.load(std::memory_order_acquire)) ++not_deleted_at_return;
    }
    KeFlushQueuedDpcs();
    int deletes_not_once = 0, late = 0;
    for (auto& r : rounds) {
        ASSERT_EQ(KeWaitForSingleObject(&r->gone, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
        deletes_not_once += r->deletes.load() != 1;
        late += r->late.load();
    }
    KeFlushQueuedDpcs();
    EXPECT_EQ(not_deleted_at_return, 0);
    EXPECT_EQ(deletes_not_once, 0);
    EXPECT_EQ(late, 0);
}

}  // namespace ex_timer_stress_test
