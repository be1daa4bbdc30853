// Run-down protection under contention. Invariant: when ExWaitForRundownProtectionRelease returns,
// no thread holds a reference (each holder counts itself in while it holds one), and no acquire
// succeeds after the wait has returned. Threads acquire and release in a loop, one or several
// references at a time, while the main thread runs the object down and reinitializes it, round
// after round.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace rundown_stress_test {

class RundownStressTest : public ntio::test::SystemTest {};

TEST_F(RundownStressTest, no_reference_is_held_when_the_wait_returns) {
    constexpr int kThreads = 3;
    constexpr int kRounds = 300;
    EX_RUNDOWN_REF ref;
    ExInitializeRundownProtection(&ref);
    std::atomic<int> holders{0};
    std::atomic<bool> run_down{false};  // set after a wait returned, cleared before reinitializing
    std::atomic<bool> stop{false};
    std::atomic<long> late_acquires{0};
    std::atomic<long> acquired{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            const ULONG count = 1 + t % 2;
            while (!stop.load(std::memory_order_relaxed)) {
                if (!ExAcquireRundownProtectionEx(&ref, count)) {
                    // Run down: let the thread that reinitializes it run (three spinners on two
                    // cores starve it otherwise, most of all under the sanitizers).
                    std::this_thread::yield();
                    continue;
                }
                if (run_down.load(std::memory_order_acquire)) late_acquires.fetch_add(1);
                holders.fetch_add(1, std::memory_order_acq_rel);
                acquired.fetch_add(1, std::memory_order_relaxed);
                holders.fetch_sub(1, std::memory_order_acq_rel);
                ExReleaseRundownProtectionEx(&ref, count);
            }
        });
    }
    int held_at_return = 0;
    for (int round = 0; round < kRounds; ++round) {
        const long before = acquired.load();
        while (acquired.load() < before + 20) std::this_thread::yield();
        ExWaitForRundownProtectionRelease(&ref);
        if (holders.load(std::memory_order_acquire) != 0) ++held_at_return;
        run_down.store(true, std::memory_order_release);
        for (int i = 0; i < 20; ++i) std::this_thread::yield();
        ExRundownCompleted(&ref);
        run_down.store(false, std::memory_order_release);
        ExReInitializeRundownProtection(&ref);
    }
    stop = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(held_at_return, 0);
    EXPECT_EQ(late_acquires.load(), 0);
}

}  // namespace rundown_stress_test
