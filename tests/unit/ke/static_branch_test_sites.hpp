// The unit test's static branch and sites that are not plain functions: an inline function and a
// template used from two files (static_branch_test.cpp, static_branch_test_other.cpp), whose
// duplicate copies the linker discards with their site entries.
#pragma once

#include <atomic>

#include "host/static_branch.hpp"

namespace ntio::host {

inline std::atomic<bool> g_test_flag{false};
NTIO_DEFINE_STATIC_BRANCH(test_branch, ntio_sb_unit_test, g_test_flag)

[[gnu::noinline]] inline bool inline_site() { return test_branch(); }

template <int N>
[[gnu::noinline]] int template_site() {
    if (test_branch()) [[unlikely]] return 10 + N;
    return N;
}

int other_file_sites();  // static_branch_test_other.cpp: how many of its copies are on (0-3)

}  // namespace ntio::host
