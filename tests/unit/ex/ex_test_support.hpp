// Helpers shared by the ex unit tests: run a statement expecting a bugcheck and read its code and
// parameters, and run a function on another host thread (adopted by the current System).
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include <wdm.h>

#include "support/bugcheck_catcher.hpp"

namespace ntio::test::ex {

struct Stop {
    ULONG code = 0;
    std::array<ULONG_PTR, 4> p{};
};

inline std::optional<Stop> stop_of(const std::function<void()>& fn) {
    auto caught = ntio::test::catch_bugcheck(fn);
    if (!caught) return std::nullopt;
    Stop s;
    s.code = caught->code;
    s.p = {caught->p1, caught->p2, caught->p3, caught->p4};
    return s;
}

inline void on_other_thread(const std::function<void()>& fn) {
    std::thread t(fn);
    t.join();
}

}  // namespace ntio::test::ex
