// catch_bugcheck runs a body and reports the bugcheck it raised (code and four parameters) instead of
// letting KeBugCheckEx print the stop screen and abort. Nests; restores the previous hook on return.
#pragma once

#include <wdm.h>

#include <functional>
#include <optional>

#include <gtest/gtest.h>

namespace ntio::test {

struct BugCheck {
    ULONG code = 0;
    ULONG_PTR p1 = 0;
    ULONG_PTR p2 = 0;
    ULONG_PTR p3 = 0;
    ULONG_PTR p4 = 0;
};

// Runs body on the calling thread. If it bugchecks on this thread, the bugcheck is recorded, control
// returns here through siglongjmp (C++ destructors between the bugcheck and here do not run), and
// the record is returned; otherwise nullopt. A bugcheck on another thread while armed is not caught
// (it aborts as usual, so a test cannot miss it).
std::optional<BugCheck> catch_bugcheck(const std::function<void()>& body);

// Expects body to run without a bugcheck (a legal pattern must not be flagged).
inline void expect_no_bugcheck(const std::function<void()>& body) {
    const std::optional<BugCheck> bc = catch_bugcheck(body);
    EXPECT_FALSE(bc.has_value()) << std::hex << "unexpected bugcheck 0x" << (bc ? bc->code : 0) << " p1 0x"
                                 << (bc ? bc->p1 : 0);
}

}  // namespace ntio::test
