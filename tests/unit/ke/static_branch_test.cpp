// host::sync_static_branch (host/static_branch.hpp): sites that follow their flag only when told to,
// a thread that reaches a site mid-rewrite steered to the new state, and an int3 that is no site
// left to kill the process as before.
#include <signal.h>

#include <atomic>

#include <gtest/gtest.h>

#include "host/static_branch.hpp"

namespace ntio::host {
namespace {

std::atomic<bool> g_flag{false};
NTIO_DEFINE_STATIC_BRANCH(test_branch, ntio_sb_unit_test, g_flag)

[[gnu::noinline]] bool site_a() { return test_branch(); }
[[gnu::noinline]] int site_b() {
    if (test_branch()) [[unlikely]] return 2;
    return 1;
}

NTIO_STATIC_BRANCH_KEY(g_key, ntio_sb_unit_test, g_flag);

void set_and_sync(bool on, void (*while_trapping)() = nullptr) {
    g_flag.store(on);
    (void)sync_static_branch(g_key, while_trapping);
}

TEST(StaticBranch, every_inlined_copy_is_a_site_of_the_key) {
    EXPECT_GE(__stop_ntio_sb_unit_test - __start_ntio_sb_unit_test, 2);
}

TEST(StaticBranch, sites_follow_the_flag_after_each_sync) {
    set_and_sync(false);
    EXPECT_FALSE(site_a());
    EXPECT_EQ(site_b(), 1);
    set_and_sync(true);
    EXPECT_TRUE(site_a());
    EXPECT_EQ(site_b(), 2);
    set_and_sync(false);
    EXPECT_FALSE(site_a());
    EXPECT_EQ(site_b(), 1);
}

// A patched site no longer reads the flag: it keeps the state of the last sync until the next one.
// (Where the process cannot patch its code the sites test the flag, and follow it at once.)
TEST(StaticBranch, patched_sites_change_only_at_a_sync) {
    set_and_sync(false);
    if (!static_branch_patched(g_key)) GTEST_SKIP() << "this process cannot rewrite its code (sites test the flag)";
    g_flag.store(true);
    EXPECT_FALSE(site_a());
    EXPECT_EQ(site_b(), 1);
    (void)sync_static_branch(g_key);
    EXPECT_TRUE(site_a());
    g_flag.store(false);
    EXPECT_TRUE(site_a());
    (void)sync_static_branch(g_key);
    EXPECT_FALSE(site_a());
}

// A thread that reaches a site while it holds the int3 of a rewrite goes where the site will lead.
bool g_seen_while_trapping = false;
int g_seen_b_while_trapping = 0;
void run_sites() {
    g_seen_while_trapping = site_a();
    g_seen_b_while_trapping = site_b();
}

TEST(StaticBranch, a_site_reached_mid_rewrite_takes_the_new_state) {
    set_and_sync(false);
    if (!static_branch_patched(g_key)) GTEST_SKIP() << "this process cannot rewrite its code (sites test the flag)";
    set_and_sync(true, run_sites);
    EXPECT_TRUE(g_seen_while_trapping);
    EXPECT_EQ(g_seen_b_while_trapping, 2);
    set_and_sync(false, run_sites);
    EXPECT_FALSE(g_seen_while_trapping);
    EXPECT_EQ(g_seen_b_while_trapping, 1);
    EXPECT_FALSE(site_a());
}

// The SIGTRAP handler steers only its sites: any other breakpoint still ends the process as the
// default action does.
TEST(StaticBranchDeathTest, an_int3_that_is_no_site_still_kills_the_process) {
    set_and_sync(false);
    EXPECT_EXIT({ __asm__ __volatile__("int3"); }, ::testing::KilledBySignal(SIGTRAP), "");
}

}  // namespace
}  // namespace ntio::host
