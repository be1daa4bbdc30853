// FAT date and time against NT time, with expected values from the host's own calendar (timegm):
// leap days, the 1980 and 2107 limits, 2-second and 10 ms resolution, invalid fields, and the
// volume's time-zone bias. No image or host tool is needed.
#include <ctime>

#include "fat_image.hpp"

namespace ntio::fastfat::test {
namespace {

constexpr LONGLONG kUnixToNtSeconds = 11644473600LL;

LONGLONG nt_time(int year, int month, int day, int hour, int minute, int second) {
    std::tm t{};
    t.tm_year = year - 1900;
    t.tm_mon = month - 1;
    t.tm_mday = day;
    t.tm_hour = hour;
    t.tm_min = minute;
    t.tm_sec = second;
    return (static_cast<LONGLONG>(timegm(&t)) + kUnixToNtSeconds) * 10000000LL;
}

USHORT fat_date(int year, int month, int day) { return static_cast<USHORT>(((year - 1980) << 9) | (month << 5) | day); }
USHORT fat_time(int hour, int minute, int second) {
    return static_cast<USHORT>((hour << 11) | (minute << 5) | (second / 2));
}

TEST(FatTime, DatesToNtTime) {
    struct Case {
        int y, mo, d, h, mi, s;
    };
    for (const Case& c : {Case{1980, 1, 1, 0, 0, 0}, Case{2000, 2, 29, 23, 59, 58}, Case{2024, 12, 31, 12, 30, 10},
                          Case{2100, 3, 1, 1, 2, 4}, Case{2107, 12, 31, 23, 59, 58}}) {
        LARGE_INTEGER t = FatTimeToNtTime(nullptr, fat_date(c.y, c.mo, c.d), fat_time(c.h, c.mi, c.s), 0);
        EXPECT_EQ(t.QuadPart, nt_time(c.y, c.mo, c.d, c.h, c.mi, c.s)) << c.y << "-" << c.mo << "-" << c.d;
        USHORT date, time;
        UCHAR tenths;
        FatNtTimeToFatTime(nullptr, t, &date, &time, &tenths);
        EXPECT_EQ(date, fat_date(c.y, c.mo, c.d));
        EXPECT_EQ(time, fat_time(c.h, c.mi, c.s));
        EXPECT_EQ(tenths, 0);
    }
}

TEST(FatTime, InvalidFieldsGiveZero) {
    EXPECT_EQ(FatTimeToNtTime(nullptr, 0, 0, 0).QuadPart, 0);
    EXPECT_EQ(FatTimeToNtTime(nullptr, fat_date(2001, 13, 1), 0, 0).QuadPart, 0);
    EXPECT_EQ(FatTimeToNtTime(nullptr, fat_date(2001, 2, 29), 0, 0).QuadPart, 0);  // not a leap year
    EXPECT_EQ(FatTimeToNtTime(nullptr, fat_date(2100, 2, 29), 0, 0).QuadPart, 0);  // nor is 2100
    EXPECT_EQ(FatTimeToNtTime(nullptr, fat_date(2001, 1, 1), fat_time(24, 0, 0), 0).QuadPart, 0);
    EXPECT_EQ(FatTimeToNtTime(nullptr, fat_date(2001, 1, 1), 0, 200).QuadPart, 0);
}

TEST(FatTime, ResolutionAndLimits) {
    USHORT date, time;
    UCHAR tenths;
    LARGE_INTEGER t;
    // 13:14:15.678: the odd second and 67 hundredths go to the tenths field (10 ms units).
    t.QuadPart = nt_time(2022, 5, 6, 13, 14, 15) + 6780000;
    FatNtTimeToFatTime(nullptr, t, &date, &time, &tenths);
    EXPECT_EQ(time, fat_time(13, 14, 14));
    EXPECT_EQ(tenths, 167);
    EXPECT_EQ(FatTimeToNtTime(nullptr, date, time, tenths).QuadPart, nt_time(2022, 5, 6, 13, 14, 15) + 6700000);
    // Before 1980 and after 2107 clamp to the ends of the range.
    t.QuadPart = nt_time(1975, 6, 1, 0, 0, 0);
    FatNtTimeToFatTime(nullptr, t, &date, &time, &tenths);
    EXPECT_EQ(date, fat_date(1980, 1, 1));
    EXPECT_EQ(time, 0);
    t.QuadPart = nt_time(2150, 1, 1, 0, 0, 0);
    FatNtTimeToFatTime(nullptr, t, &date, &time, &tenths);
    EXPECT_EQ(date, fat_date(2107, 12, 31));
    EXPECT_EQ(time, fat_time(23, 59, 58));
}

TEST(FatTime, TimeZoneBiasShiftsLocalTime) {
    FAT_VOLUME volume{};
    // UTC+2: bias is -2 hours (local = system - bias).
    volume.TimeZoneBias = -2LL * 3600 * 10000000LL;
    LARGE_INTEGER t = FatTimeToNtTime(&volume, fat_date(2023, 7, 1), fat_time(12, 0, 0), 0);
    EXPECT_EQ(t.QuadPart, nt_time(2023, 7, 1, 10, 0, 0));
    USHORT date, time;
    FatNtTimeToFatTime(&volume, t, &date, &time, nullptr);
    EXPECT_EQ(date, fat_date(2023, 7, 1));
    EXPECT_EQ(time, fat_time(12, 0, 0));
}

}  // namespace
}  // namespace ntio::fastfat::test
