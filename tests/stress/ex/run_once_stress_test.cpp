// One-time initialization and cache-aware run-down under contention.
// Run-once invariant: however many threads race through RtlRunOnceExecuteOnce (or the
// Begin/Complete protocol, with some attempts failing), the initialization routine succeeds exactly
// once per structure and every caller that gets STATUS_SUCCESS sees that one context.
// Cache-aware run-down invariant: when the wait returns no thread holds a reference, and no
// acquire succeeds after it has returned, with references released on other processors' counters.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <ntddk.h>

#include "support/system_fixture.hpp"

namespace run_once_stress_test {

class RunOnceStressTest : public ntio::test::SystemTest {};

struct Round {
    RTL_RUN_ONCE once = RTL_RUN_ONCE_INIT;
    std::atomic<int> successes{0};
    std::atomic<int> failures{0};
    alignas(8) int data = 0;
};

// Every other attempt of a round fails before one succeeds.
ULONG NTAPI init_round(PRTL_RUN_ONCE, PVOID Parameter, PVOID* Context) {
    auto* round = static_cast<Round*>(Parameter);
    if (round->failures.fetch_add(1) % 2 == 0) return FALSE;
    round->successes.fetch_add(1);
    *Context = &round->data;
    return TRUE;
}

TEST_F(RunOnceStressTest, concurrent_initializers_run_the_routine_to_success_exactly_once) {
    constexpr int kThreads = 4;
    constexpr int kRounds = 3000;
    std::vector<Round> rounds(kRounds);
    std::atomic<int> wrong_context{0};
    std::atomic<int> unexpected_status{0};
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            // Start together, so that the rounds overlap rather than run thread after thread.
            ready.fetch_add(1);
            while (ready.load() < kThreads) std::this_thread::yield();
            for (int r = 0; r < kRounds; ++r) {
                Round& round = rounds[r];
                PVOID context = nullptr;
                NTSTATUS status;
                if ((t + r) % 2 == 0) {
                    do {
                        status = RtlRunOnceExecuteOnce(&round.once, init_round, &round, &context);
                    } while (status == STATUS_UNSUCCESSFUL);
                } else {
                    // The protocol by hand; a failed attempt is given up and begun again.
                    for (;;) {
                        status = RtlRunOnceBeginInitialize(&round.once, 0, &context);
                        if (status != STATUS_PENDING) break;
                        PVOID made = nullptr;
                        if (init_round(&round.once, &round, &made)) {
                            status = RtlRunOnceComplete(&round.once, 0, made);
                            context = made;
                            break;
                        }
                        (void)RtlRunOnceComplete(&round.once, RTL_RUN_ONCE_INIT_FAILED, nullptr);
                    }
                }
                if (status != STATUS_SUCCESS) unexpected_status.fetch_add(1);
                if (context != &round.data) wrong_context.fetch_add(1);
            }
        });
    }
    for (auto& t : threads) t.join();
    int not_once = 0;
    for (Round& round : rounds) not_once += round.successes.load() != 1;
    EXPECT_EQ(not_once, 0);
    EXPECT_EQ(wrong_context.load(), 0);
    EXPECT_EQ(unexpected_status.load(), 0);
}

// Asynchronous mode: every thread initializes in parallel, exactly one completion succeeds, and
// everyone ends up with the winner's context.
TEST_F(RunOnceStressTest, parallel_asynchronous_attempts_agree_on_one_winner) {
    constexpr int kThreads = 4;
    constexpr int kRounds = 3000;
    std::vector<Round> rounds(kRounds);
    std::vector<std::atomic<int>> wins(kRounds);
    std::atomic<int> disagreements{0};
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            // Start together, so that the rounds overlap rather than run thread after thread.
            ready.fetch_add(1);
            while (ready.load() < kThreads) std::this_thread::yield();
            for (int r = 0; r < kRounds; ++r) {
                Round& round = rounds[r];
                PVOID context = nullptr;
                NTSTATUS status = RtlRunOnceBeginInitialize(&round.once, RTL_RUN_ONCE_ASYNC, &context);
                if (status == STATUS_PENDING) {
                    // Each thread offers its own (aligned) pointer; only the winner's sticks.
                    PVOID mine = &rounds[(r + t) % kRounds].data;
                    if (RtlRunOnceComplete(&round.once, RTL_RUN_ONCE_ASYNC, mine) == STATUS_SUCCESS) {
                        wins[r].fetch_add(1);
                    }
                    status = RtlRunOnceBeginInitialize(&round.once, RTL_RUN_ONCE_CHECK_ONLY, &context);
                }
                PVOID again = nullptr;
                if (status != STATUS_SUCCESS ||
                    RtlRunOnceBeginInitialize(&round.once, RTL_RUN_ONCE_ASYNC, &again) != STATUS_SUCCESS ||
                    again != context)
                    disagreements.fetch_add(1);
            }
        });
    }
    for (auto& t : threads) t.join();
    int not_one_winner = 0;
    for (auto& w : wins) not_one_winner += w.load() != 1;
    EXPECT_EQ(not_one_winner, 0);
    EXPECT_EQ(disagreements.load(), 0);
}

TEST_F(RunOnceStressTest, cache_aware_rundown_has_no_holder_when_the_wait_returns) {
    constexpr int kThreads = 3;
    constexpr int kRounds = 300;
    PEX_RUNDOWN_REF_CACHE_AWARE ref = ExAllocateCacheAwareRundownProtection(NonPagedPoolNx, 'rdCS');
    ASSERT_NE(ref, nullptr);
    std::atomic<int> holders{0};
    std::atomic<bool> run_down{false};
    std::atomic<bool> stop{false};
    std::atomic<long> late_acquires{0};
    std::atomic<long> acquired{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            const ULONG count = 1 + t % 2;
            while (!stop.load(std::memory_order_relaxed)) {
                if (!ExAcquireRundownProtectionCacheAwareEx(ref, count)) {
                    std::this_thread::yield();
                    continue;
                }
                if (run_down.load(std::memory_order_acquire)) late_acquires.fetch_add(1);
                holders.fetch_add(1, std::memory_order_acq_rel);
                acquired.fetch_add(1, std::memory_order_relaxed);
                // Let the host move the thread, so the release may land on another counter.
                if (acquired.load(std::memory_order_relaxed) % 7 == 0) std::this_thread::yield();
                holders.fetch_sub(1, std::memory_order_acq_rel);
                for (ULONG i = 0; i < count; ++i) ExReleaseRundownProtectionCacheAware(ref);
            }
        });
    }
    int held_at_return = 0;
    for (int round = 0; round < kRounds; ++round) {
        const long before = acquired.load();
        while (acquired.load() < before + 20) std::this_thread::yield();
        ExWaitForRundownProtectionReleaseCacheAware(ref);
        if (holders.load(std::memory_order_acquire) != 0) ++held_at_return;
        run_down.store(true, std::memory_order_release);
        for (int i = 0; i < 20; ++i) std::this_thread::yield();
        ExRundownCompletedCacheAware(ref);
        run_down.store(false, std::memory_order_release);
        ExReInitializeRundownProtectionCacheAware(ref);
    }
    stop.store(true);
    for (auto& t : threads) t.join();
    ExFreeCacheAwareRundownProtection(ref);
    EXPECT_EQ(held_at_return, 0);
    EXPECT_EQ(late_acquires.load(), 0);
}

}  // namespace run_once_stress_test
