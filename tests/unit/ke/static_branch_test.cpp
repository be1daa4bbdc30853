// host::set_static_branch (host/static_branch.hpp): rewritten sites follow their key only when told
// to, a thread that reaches a site mid-rewrite runs the new instruction, and sites in inline
// functions and templates link and rewrite like any other.
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "host/static_branch.hpp"
#include "static_branch_test_sites.hpp"

namespace ntio::host {
namespace {

[[gnu::noinline]] bool site_a() { return test_branch(); }
[[gnu::noinline]] int site_b() {
    if (test_branch()) [[unlikely]] return 2;
    return 1;
}

NTIO_STATIC_BRANCH_KEY(g_key, ntio_sb_unit_test, g_test_flag);

void set_and_sync(bool on) {
    g_test_flag.store(on);
    (void)sync_static_branch(g_key);
}

bool patched() { return static_branch_patched(g_key); }

TEST(StaticBranch, every_inlined_copy_is_a_site_of_the_key) {
    // site_a, site_b, the template's two instantiations here and the inline function's copy (the
    // other file's copies of those two are dropped with the functions by the linker, or kept).
    EXPECT_GE(__stop_ntio_sb_unit_test - __start_ntio_sb_unit_test, 5);
}

TEST(StaticBranch, sites_follow_the_key_after_each_sync) {
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

// A rewritten site no longer reads the flag: it keeps the state of the last rewrite until the next.
// (Where the process cannot rewrite its code the sites test the flag, and follow it at once.)
TEST(StaticBranch, rewritten_sites_change_only_at_a_rewrite) {
    set_and_sync(false);
    if (!patched()) GTEST_SKIP() << "this process cannot rewrite its code (sites test the flag)";
    g_test_flag.store(true);
    EXPECT_FALSE(site_a());
    EXPECT_EQ(site_b(), 1);
    EXPECT_TRUE(set_static_branch(g_key, true));
    EXPECT_TRUE(site_a());
    g_test_flag.store(false);
    EXPECT_TRUE(site_a());
    EXPECT_TRUE(set_static_branch(g_key, false));
    EXPECT_FALSE(site_a());
}

TEST(StaticBranch, sites_in_inline_functions_and_templates_follow_the_key) {
    set_and_sync(true);
    EXPECT_TRUE(inline_site());
    EXPECT_EQ(template_site<1>(), 11);
    EXPECT_EQ(template_site<2>(), 12);
    EXPECT_EQ(other_file_sites(), 3);  // the other file's copies
    set_and_sync(false);
    EXPECT_FALSE(inline_site());
    EXPECT_EQ(template_site<1>(), 1);
    EXPECT_EQ(template_site<2>(), 2);
    EXPECT_EQ(other_file_sites(), 0);
}

// A thread that reaches a site while the rewrite holds it waits there and runs the new instruction:
// whatever it reads is the state the rewrite is going to, never the old one nor torn bytes.
std::atomic<bool> g_runner_ready{false};
std::atomic<int> g_runner_result{0};
std::thread g_runner;
void start_runner_mid_rewrite() {
    g_runner = std::thread([] {
        g_runner_ready.store(true);
        g_runner_result.store(site_b());
    });
    while (!g_runner_ready.load()) std::this_thread::yield();
    // Give it time to reach the site (the assertion does not depend on it: only whether the spin
    // is exercised does).
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void rewrite_with_a_runner(bool on) {
    g_runner_ready.store(false);
    g_runner_result.store(0);
    set_static_branch_rewrite_hook_for_test(start_runner_mid_rewrite);
    EXPECT_TRUE(set_static_branch(g_key, on));
    set_static_branch_rewrite_hook_for_test(nullptr);
    g_runner.join();
}

TEST(StaticBranch, a_site_reached_mid_rewrite_runs_the_new_instruction) {
    set_and_sync(false);
    if (!patched()) GTEST_SKIP() << "this process cannot rewrite its code (sites test the flag)";
    rewrite_with_a_runner(true);
    EXPECT_EQ(g_runner_result.load(), 2);
    rewrite_with_a_runner(false);
    EXPECT_EQ(g_runner_result.load(), 1);
    EXPECT_EQ(site_b(), 1);
}

}  // namespace
}  // namespace ntio::host
