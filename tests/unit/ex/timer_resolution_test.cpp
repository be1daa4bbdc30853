// ExSetTimerResolution's documented rules, read back through its return value: a request only
// lowers the period, never below the least the system supports, and the default comes back once
// every request has been undone with SetResolution FALSE.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exsettimerresolution
#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace timer_resolution_test {

class TimerResolutionTest : public ntio::test::SystemTest {};

TEST_F(TimerResolutionTest, requests_lower_the_period_until_all_are_undone) {
    const ULONG initial = ExSetTimerResolution(0, FALSE);  // no request outstanding: the default
    EXPECT_EQ(initial, KeQueryTimeIncrement());
    EXPECT_EQ(ExSetTimerResolution(20000, TRUE), 20000u);    // 2 ms
    EXPECT_EQ(ExSetTimerResolution(50000, TRUE), 20000u);    // above the setting: the setting
    const ULONG least = ExSetTimerResolution(1, TRUE);       // below what the clock supports
    EXPECT_GT(least, 1u);
    EXPECT_LE(least, 10000u);                                // "approximately 10,000 (1 millisecond)"
    EXPECT_EQ(ExSetTimerResolution(0, FALSE), least);        // two requests still outstanding
    EXPECT_EQ(ExSetTimerResolution(0, FALSE), least);
    EXPECT_EQ(ExSetTimerResolution(0, FALSE), initial);      // the last one undone
    EXPECT_EQ(ExSetTimerResolution(0, FALSE), initial);      // nothing left to undo
}

}  // namespace timer_resolution_test
