// host::sync_static_branch while other threads run the sites: the rewrite of code other threads
// execute (int3, core barriers, SIGTRAP steering), under ThreadSanitizer too.
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

constexpr int kRunners = 2;
constexpr int kToggles = 400;

// Invariant: while one thread turns the key on and off, threads running the site never crash or
// execute a torn instruction, each call returns one of the two states' results, and once the last
// sync (to off) has returned, every runner's next call returns the off state's.
TEST(StaticBranchStress, sites_rewritten_under_running_threads_stay_whole) {
    g_flag.store(false);
    (void)sync_static_branch(g_key);
    std::atomic<bool> stop{false};
    std::atomic<long> bad{0};
    std::atomic<int> off_after_stop{0};
    std::atomic<int> running{0};
    std::vector<std::thread> runners;
    for (int t = 0; t < kRunners; ++t)
        runners.emplace_back([&] {
            (void)through_site(10);
            running.fetch_add(1, std::memory_order_release);
            while (!stop.load(std::memory_order_acquire)) {
                const int r = through_site(10);
                if (r != 10 && r != 11) bad.fetch_add(1);
            }
            if (through_site(10) == 10) off_after_stop.fetch_add(1);
        });
    while (running.load(std::memory_order_acquire) < kRunners) std::this_thread::yield();
    for (int i = 0; i < kToggles; ++i) {
        g_flag.store(i % 2 == 0);
        (void)sync_static_branch(g_key);
    }
    g_flag.store(false);
    (void)sync_static_branch(g_key);
    stop.store(true, std::memory_order_release);
    for (auto& t : runners) t.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_EQ(off_after_stop.load(), kRunners);
}

}  // namespace
}  // namespace ntio::host
