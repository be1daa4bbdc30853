// System time <-> seconds since 1970 and 1980, through <wdm.h>: known dates, round trips, and the
// times a ULONG of seconds cannot hold.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtltimetosecondssince1970
#include <gtest/gtest.h>

#include <wdm.h>

namespace epoch_seconds_test {

LARGE_INTEGER time_of(CSHORT year, CSHORT month, CSHORT day, CSHORT hour = 0, CSHORT minute = 0, CSHORT second = 0) {
    TIME_FIELDS fields{year, month, day, hour, minute, second, 0, 0};
    LARGE_INTEGER time{};
    EXPECT_TRUE(RtlTimeFieldsToTime(&fields, &time));
    return time;
}

TEST(EpochSecondsTest, known_dates_give_known_second_counts) {
    LARGE_INTEGER t = time_of(1970, 1, 1);
    ULONG seconds = 77;
    ASSERT_TRUE(RtlTimeToSecondsSince1970(&t, &seconds));
    EXPECT_EQ(seconds, 0u);
    t = time_of(2001, 9, 9, 1, 46, 40);
    ASSERT_TRUE(RtlTimeToSecondsSince1970(&t, &seconds));
    EXPECT_EQ(seconds, 1000000000u);
    t = time_of(1980, 1, 1);
    ASSERT_TRUE(RtlTimeToSecondsSince1980(&t, &seconds));
    EXPECT_EQ(seconds, 0u);
    ASSERT_TRUE(RtlTimeToSecondsSince1970(&t, &seconds));
    EXPECT_EQ(seconds, 315532800u);
    t.QuadPart += 9999999;  // fractions of a second are dropped
    ASSERT_TRUE(RtlTimeToSecondsSince1970(&t, &seconds));
    EXPECT_EQ(seconds, 315532800u);
}

TEST(EpochSecondsTest, seconds_convert_back_to_the_same_time) {
    LARGE_INTEGER t{};
    RtlSecondsSince1970ToTime(1000000000u, &t);
    EXPECT_EQ(t.QuadPart, time_of(2001, 9, 9, 1, 46, 40).QuadPart);
    RtlSecondsSince1980ToTime(86400u, &t);
    EXPECT_EQ(t.QuadPart, time_of(1980, 1, 2).QuadPart);
    RtlSecondsSince1970ToTime(0xFFFFFFFFu, &t);
    ULONG seconds = 0;
    ASSERT_TRUE(RtlTimeToSecondsSince1970(&t, &seconds));
    EXPECT_EQ(seconds, 0xFFFFFFFFu);
}

TEST(EpochSecondsTest, times_before_the_epoch_or_past_a_ulong_fail_and_write_nothing) {
    ULONG seconds = 1234;
    LARGE_INTEGER t = time_of(1969, 12, 31, 23, 59, 59);
    EXPECT_FALSE(RtlTimeToSecondsSince1970(&t, &seconds));
    t = time_of(1979, 12, 31);
    EXPECT_FALSE(RtlTimeToSecondsSince1980(&t, &seconds));
    RtlSecondsSince1970ToTime(0xFFFFFFFFu, &t);
    t.QuadPart += 10000000;  // one second past the last a ULONG counts
    EXPECT_FALSE(RtlTimeToSecondsSince1970(&t, &seconds));
    EXPECT_EQ(seconds, 1234u);
}

}  // namespace epoch_seconds_test
