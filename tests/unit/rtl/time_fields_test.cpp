// Calendar fields of a system time and back, and the RtlRandom contract, as drivers call them.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtltimetotimefields
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtltimefieldstotime
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrandom
#include <gtest/gtest.h>

#include <set>

#include <wdm.h>

namespace time_fields_test {

constexpr LONGLONG kUnixEpoch = 116444736000000000LL;

TIME_FIELDS fields_of(LONGLONG time) {
    LARGE_INTEGER t;
    t.QuadPart = time;
    TIME_FIELDS f;
    RtlTimeToTimeFields(&t, &f);
    return f;
}

TEST(RtlTimeFieldsTest, the_epochs_split_into_their_dates) {
    TIME_FIELDS f = fields_of(0);
    EXPECT_EQ(f.Year, 1601);
    EXPECT_EQ(f.Month, 1);
    EXPECT_EQ(f.Day, 1);
    EXPECT_EQ(f.Weekday, 1);  // a Monday
    f = fields_of(kUnixEpoch);
    EXPECT_EQ(f.Year, 1970);
    EXPECT_EQ(f.Month, 1);
    EXPECT_EQ(f.Day, 1);
    EXPECT_EQ(f.Hour, 0);
    EXPECT_EQ(f.Weekday, 4);  // a Thursday
}

TEST(RtlTimeFieldsTest, a_leap_day_with_a_time_of_day) {
    // 2024-02-29 13:45:07.123 UTC is 1709214307.123 s after 1970.
    const LONGLONG time = kUnixEpoch + 1709214307LL * 10000000 + 1230000 + 4567;
    TIME_FIELDS f = fields_of(time);
    EXPECT_EQ(f.Year, 2024);
    EXPECT_EQ(f.Month, 2);
    EXPECT_EQ(f.Day, 29);
    EXPECT_EQ(f.Hour, 13);
    EXPECT_EQ(f.Minute, 45);
    EXPECT_EQ(f.Second, 7);
    EXPECT_EQ(f.Milliseconds, 123);
    EXPECT_EQ(f.Weekday, 4);  // a Thursday
    LARGE_INTEGER back;
    ASSERT_TRUE(RtlTimeFieldsToTime(&f, &back));
    EXPECT_EQ(back.QuadPart, time - 4567);  // below a millisecond is not in the fields
}

TEST(RtlTimeFieldsTest, every_day_over_four_centuries_round_trips) {
    constexpr LONGLONG kDay = 864000000000LL;
    int previous_weekday = fields_of(0).Weekday;
    for (LONGLONG day = 1; day < 146097 + 400; ++day) {
        TIME_FIELDS f = fields_of(day * kDay + 3600LL * 10000000);
        ASSERT_EQ(f.Weekday, (previous_weekday + 1) % 7) << day;
        previous_weekday = f.Weekday;
        LARGE_INTEGER back;
        ASSERT_TRUE(RtlTimeFieldsToTime(&f, &back)) << day;
        ASSERT_EQ(back.QuadPart, day * kDay + 3600LL * 10000000) << day;
    }
}

TEST(RtlTimeFieldsTest, fields_out_of_range_are_refused_and_weekday_is_ignored) {
    TIME_FIELDS good{2023, 12, 31, 23, 59, 59, 999, 6};
    LARGE_INTEGER t;
    ASSERT_TRUE(RtlTimeFieldsToTime(&good, &t));
    TIME_FIELDS other_weekday = good;
    other_weekday.Weekday = 2;
    LARGE_INTEGER t2;
    ASSERT_TRUE(RtlTimeFieldsToTime(&other_weekday, &t2));
    EXPECT_EQ(t.QuadPart, t2.QuadPart);

    auto refused = [&](TIME_FIELDS f) {
        LARGE_INTEGER out;
        out.QuadPart = 42;
        const BOOLEAN ok = RtlTimeFieldsToTime(&f, &out);
        return !ok && out.QuadPart == 42;
    };
    TIME_FIELDS f = good;
    f.Year = 1600;
    EXPECT_TRUE(refused(f));
    f = good; f.Month = 13;
    EXPECT_TRUE(refused(f));
    f = good; f.Month = 0;
    EXPECT_TRUE(refused(f));
    f = good; f.Month = 2; f.Day = 29;  // 2023 is no leap year
    EXPECT_TRUE(refused(f));
    f = good; f.Year = 1900; f.Month = 2; f.Day = 29;  // nor is 1900
    EXPECT_TRUE(refused(f));
    f = good; f.Year = 2000; f.Month = 2; f.Day = 29;  // 2000 is
    EXPECT_FALSE(refused(f));
    f = good; f.Day = 32;
    EXPECT_TRUE(refused(f));
    f = good; f.Hour = 24;
    EXPECT_TRUE(refused(f));
    f = good; f.Minute = 60;
    EXPECT_TRUE(refused(f));
    f = good; f.Second = -1;
    EXPECT_TRUE(refused(f));
    f = good; f.Milliseconds = 1000;
    EXPECT_TRUE(refused(f));
}

TEST(RtlRandomTest, results_stay_below_maxlong_and_the_seed_carries_the_sequence) {
    for (auto* random : {&RtlRandom, &RtlRandomEx}) {
        ULONG seed = 0x12345678;
        std::set<ULONG> seen;
        for (int i = 0; i < 10000; ++i) {
            const ULONG before = seed;
            const ULONG value = random(&seed);
            ASSERT_LT(value, ULONG{MAXLONG});
            ASSERT_NE(seed, before);
            seen.insert(value);
        }
        EXPECT_GT(seen.size(), 9900u);  // not stuck in a short cycle
        // The same seed gives the same sequence.
        ULONG a = 7, b = 7;
        for (int i = 0; i < 5; ++i) EXPECT_EQ(random(&a), random(&b));
        // Seeds of any value, MAXULONG included, work.
        ULONG big = 0xFFFFFFFF;
        EXPECT_LT(random(&big), ULONG{MAXLONG});
    }
}

}  // namespace time_fields_test
