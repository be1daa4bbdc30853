// Timer objects set, cancelled and fired while their last handle is closed and their setting
// threads end. Each round makes a synchronization timer; two setter threads set it over and over
// with a due time of 100 ns and an APC (so its expiry DPC keeps queueing APCs to them), running their
// APCs between sets; a third thread cancels it and waits on it; the main thread closes the handle
// part-way through, and the setters end soon after with timers possibly still armed.
// Invariants: every set, cancel and wait returns STATUS_SUCCESS / STATUS_TIMEOUT, or
// STATUS_INVALID_HANDLE once the handle is closed; an APC runs only on a thread of its round that set
// the timer, with that round's context, and no more often than its thread's successful sets; nothing
// is touched after the timer object goes (the sanitizer builds check; the round's state is freed as
// soon as its threads have ended).
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "support/system_fixture.hpp"

#undef __try  // the SEH emulation in <wdm.h> takes the name over
#include <ntio/ntapi.h>

namespace ntio::test {
namespace {

using TimerObjectStress = SystemTest;

struct Round {
    std::atomic<HANDLE> timer{nullptr};
    std::atomic<int> bad_status{0};
    std::atomic<int> foreign_apcs{0};
};

// Per setter thread: the APC's context, so an APC can tell whose set queued it.
struct Setter {
    Round* round = nullptr;
    std::thread::id thread;
    std::atomic<long> sets{0};
    std::atomic<long> apcs{0};
};

VOID NTAPI on_timer_apc(PVOID context, ULONG low, LONG high) {
    (void)low;
    (void)high;
    auto* setter = static_cast<Setter*>(context);
    if (std::this_thread::get_id() != setter->thread) setter->round->foreign_apcs.fetch_add(1);
    setter->apcs.fetch_add(1);
}

bool expected(NTSTATUS status) {
    return status == STATUS_SUCCESS || status == STATUS_TIMEOUT || status == STATUS_INVALID_HANDLE;
}

TEST_F(TimerObjectStress, sets_cancels_and_expiries_race_the_last_close_and_the_setters_end) {
    constexpr int kRounds = 50;
    constexpr int kSetsBeforeClose = 40;
    long total_sets = 0;
    long total_apcs = 0;
    for (int r = 0; r < kRounds; ++r) {
        auto round = std::make_unique<Round>();
        HANDLE timer = nullptr;
        ASSERT_EQ(NtCreateTimer(&timer, TIMER_ALL_ACCESS, nullptr, SynchronizationTimer), STATUS_SUCCESS);
        round->timer.store(timer);
        Setter setters[2];
        std::atomic<int> sets_done{0};
        std::vector<std::thread> threads;
        for (auto& setter : setters) {
            setter.round = round.get();
            threads.emplace_back([&setter, &sets_done, r] {
                setter.thread = std::this_thread::get_id();
                Round& round = *setter.round;
                for (int i = 0; ; ++i) {
                    LARGE_INTEGER due;
                    due.QuadPart = -1;  // 100 ns from now: the DPC races everything that follows
                    const NTSTATUS status = NtSetTimer(round.timer.load(), &due, on_timer_apc, &setter, FALSE, 0,
                                                       nullptr);
                    if (!expected(status)) round.bad_status.fetch_add(1);
                    if (status == STATUS_SUCCESS) setter.sets.fetch_add(1);
                    if (i == kSetsBeforeClose) sets_done.fetch_add(1);
                    if (status == STATUS_INVALID_HANDLE) break;
                    if (i % 2) (void)NtTestAlert();  // runs the APCs queued so far
                }
                // Half the rounds end the thread with APCs still queued to it, and its last set may
                // not have expired yet.
                if (r % 2) (void)NtTestAlert();
            });
        }
        threads.emplace_back([&round, r] {
            for (int i = 0; i < 200; ++i) {
                HANDLE h = round->timer.load();
                NTSTATUS status = NtCancelTimer(h, nullptr);
                if (!expected(status)) round->bad_status.fetch_add(1);
                LARGE_INTEGER none;
                none.QuadPart = (i + r) % 4 == 0 ? -10 : 0;  // now and then a 1 us wait for the expiry
                status = NtWaitForSingleObject(h, FALSE, &none);
                if (!expected(status)) round->bad_status.fetch_add(1);
                if (status == STATUS_INVALID_HANDLE) break;
            }
        });
        while (sets_done.load() < 2) std::this_thread::yield();
        EXPECT_EQ(NtClose(timer), STATUS_SUCCESS);
        for (auto& t : threads) t.join();
        for (auto& setter : setters) {
            EXPECT_LE(setter.apcs.load(), setter.sets.load()) << "round " << r;
            total_sets += setter.sets.load();
            total_apcs += setter.apcs.load();
        }
        EXPECT_EQ(round->bad_status.load(), 0) << "round " << r;
        EXPECT_EQ(round->foreign_apcs.load(), 0) << "round " << r;
    }
    EXPECT_GT(total_sets, 0);
    // How many expiries reach their APC above depends on the scheduling (the other setter usually
    // takes the association over first). Alone, one set's expiry reaches its APC exactly once.
    (void)total_apcs;
    Round alone;
    Setter setter;
    setter.round = &alone;
    setter.thread = std::this_thread::get_id();
    HANDLE timer = nullptr;
    ASSERT_EQ(NtCreateTimer(&timer, TIMER_ALL_ACCESS, nullptr, NotificationTimer), STATUS_SUCCESS);
    LARGE_INTEGER due;
    due.QuadPart = -1;
    ASSERT_EQ(NtSetTimer(timer, &due, on_timer_apc, &setter, FALSE, 0, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(NtWaitForSingleObject(timer, FALSE, nullptr), STATUS_SUCCESS);
    // The expiry signalled the timer before its DPC queued the APC: wait alertably until it arrives.
    LARGE_INTEGER bound;
    bound.QuadPart = -600000000LL;  // a minute: the APC ends the wait long before
    if (setter.apcs.load() == 0) {
        EXPECT_EQ(NtDelayExecution(TRUE, &bound), STATUS_USER_APC);
    }
    EXPECT_EQ(setter.apcs.load(), 1);
    EXPECT_EQ(alone.foreign_apcs.load(), 0);
    EXPECT_EQ(NtClose(timer), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test
