// host::set_static_branch while other threads run the sites: the rewrite of code other threads
// execute (jump-to-self, core barriers), under ThreadSanitizer too.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "host/static_branch.hpp"

namespace ntio::host {
namespace {

std::atomic<bool> g_flag{false};
NTIO_DEFINE_STATIC_BRANCH(stress_branch, ntio_sb_stress_test, g_flag)

[[gnu::noinline]] int through_site(int value) {
    if (stress_branch()) [[unlikely]] return value + 1;
    return value;
}

NTIO_STATIC_BRANCH_KEY(g_key, ntio_sb_stress_test, g_flag);

constexpr int kRewriteRunners = 2;
constexpr int kRewriteRounds = 200;

// Invariant: while one thread rewrites the site on and off, threads running it never crash or run a
// torn instruction, and after each rewrite has returned every runner's next pass through the site
// takes the state it was rewritten to (a handshake per round: the runners report, then the next
// rewrite starts).
TEST(StaticBranchStress, sites_rewritten_under_running_threads_take_each_new_state) {
    g_flag.store(false);
    (void)sync_static_branch(g_key);
    if (!static_branch_patched(g_key)) GTEST_SKIP() << "this process cannot rewrite its code (sites test the flag)";
    std::atomic<int> round{-1};   // the round whose state the runners check; kRewriteRounds: stop
    std::atomic<int> reported{0};
    std::atomic<int> wrong{0};
    std::vector<std::thread> runners;
    for (int t = 0; t < kRewriteRunners; ++t)
        runners.emplace_back([&] {
            int seen = -1;
            for (;;) {
                (void)through_site(10);  // passes during the rewrites, whatever their result
                const int r = round.load(std::memory_order_acquire);
                if (r == seen) continue;
                if (r == kRewriteRounds) return;
                if (through_site(10) != (r % 2 == 0 ? 11 : 10)) wrong.fetch_add(1);
                seen = r;
                reported.fetch_add(1, std::memory_order_release);
            }
        });
    for (int r = 0; r < kRewriteRounds; ++r) {
        EXPECT_TRUE(set_static_branch(g_key, r % 2 == 0));
        reported.store(0, std::memory_order_relaxed);
        round.store(r, std::memory_order_release);
        while (reported.load(std::memory_order_acquire) < kRewriteRunners) std::this_thread::yield();
    }
    round.store(kRewriteRounds, std::memory_order_release);
    for (auto& t : runners) t.join();
    EXPECT_TRUE(set_static_branch(g_key, false));
    EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace ntio::host
