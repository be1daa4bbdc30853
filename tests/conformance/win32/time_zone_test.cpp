// The time zone: GetTimeZoneInformation / GetDynamicTimeZoneInformation from the host's rules (set
// here through POSIX TZ strings, which need no zone files), and the conversions through a given
// TIME_ZONE_INFORMATION, across both daylight saving changes and in both hemispheres.
#include <cstdlib>
#include <string>

#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

class TimeZoneTest : public Win32Test {
protected:
    void SetUp() override {
        Win32Test::SetUp();
        if (const char* tz = std::getenv("TZ")) m_saved = tz, m_had = true;
    }
    void TearDown() override {
        if (m_had) setenv("TZ", m_saved.c_str(), 1);
        else unsetenv("TZ");
        Win32Test::TearDown();
    }
    static void use_zone(const char* tz) { setenv("TZ", tz, 1); }

private:
    std::string m_saved;
    bool m_had = false;
};

std::u16string tz_name(const WCHAR* name) { return std::u16string(reinterpret_cast<const char16_t*>(name)); }

SYSTEMTIME tz_time(WORD year, WORD month, WORD day, WORD hour, WORD minute) {
    SYSTEMTIME t{};
    t.wYear = year;
    t.wMonth = month;
    t.wDay = day;
    t.wHour = hour;
    t.wMinute = minute;
    return t;
}

// A day-in-month rule: the `week`th (5: last) Sunday of `month` at `hour`:00, in every year.
void expect_sunday_rule(const SYSTEMTIME& rule, WORD month, WORD week, WORD hour) {
    EXPECT_EQ(rule.wYear, 0);
    EXPECT_EQ(rule.wMonth, month);
    EXPECT_EQ(rule.wDayOfWeek, 0);
    EXPECT_EQ(rule.wDay, week);
    EXPECT_EQ(rule.wHour, hour);
    EXPECT_EQ(rule.wMinute, 0);
}

// The id matches what the local time differs from UTC by now: daylight when it is more than the
// standard bias.
DWORD expected_zone_id(const TIME_ZONE_INFORMATION& tzi) {
    FILETIME now{}, local{};
    GetSystemTimeAsFileTime(&now);
    FileTimeToLocalFileTime(&now, &local);
    const LONGLONG utc = (LONGLONG{now.dwHighDateTime} << 32) | now.dwLowDateTime;
    const LONGLONG here = (LONGLONG{local.dwHighDateTime} << 32) | local.dwLowDateTime;
    const LONG minutes = static_cast<LONG>((here - utc) / 600000000LL);
    return minutes == -(tzi.Bias + tzi.DaylightBias) ? DWORD(TIME_ZONE_ID_DAYLIGHT) : DWORD(TIME_ZONE_ID_STANDARD);
}

TEST_F(TimeZoneTest, a_northern_zone_gives_its_biases_names_and_rules) {
    use_zone("CET-1CEST,M3.5.0,M10.5.0/3");
    TIME_ZONE_INFORMATION tzi{};
    const DWORD id = GetTimeZoneInformation(&tzi);
    EXPECT_EQ(tzi.Bias, -60);
    EXPECT_EQ(tzi.StandardBias, 0);
    EXPECT_EQ(tzi.DaylightBias, -60);
    EXPECT_EQ(tz_name(tzi.StandardName), u"CET");
    EXPECT_EQ(tz_name(tzi.DaylightName), u"CEST");
    // Daylight time begins on the last Sunday of March at 2:00 and ends on the last Sunday of
    // October at 3:00, each in the time the clocks show before the change.
    expect_sunday_rule(tzi.DaylightDate, 3, 5, 2);
    expect_sunday_rule(tzi.StandardDate, 10, 5, 3);
    EXPECT_EQ(id, expected_zone_id(tzi));
}

TEST_F(TimeZoneTest, a_southern_zone_and_a_zone_without_daylight_time) {
    use_zone("AEST-10AEDT,M10.1.0,M4.1.0/3");
    DYNAMIC_TIME_ZONE_INFORMATION dynamic{};
    const DWORD id = GetDynamicTimeZoneInformation(&dynamic);
    EXPECT_EQ(dynamic.Bias, -600);
    EXPECT_EQ(dynamic.DaylightBias, -60);
    expect_sunday_rule(dynamic.DaylightDate, 10, 1, 2);
    expect_sunday_rule(dynamic.StandardDate, 4, 1, 3);
    EXPECT_EQ(tz_name(dynamic.TimeZoneKeyName), u"AEST-10AEDT,M10.1.0,M4.1.0/3");
    EXPECT_FALSE(dynamic.DynamicDaylightTimeDisabled);
    TIME_ZONE_INFORMATION tzi{};
    EXPECT_EQ(GetTimeZoneInformation(&tzi), id);

    use_zone("JST-9");
    EXPECT_EQ(GetTimeZoneInformation(&tzi), DWORD(TIME_ZONE_ID_UNKNOWN));
    EXPECT_EQ(tzi.Bias, -540);
    EXPECT_EQ(tzi.DaylightDate.wMonth, 0);
    EXPECT_EQ(tzi.StandardDate.wMonth, 0);
    EXPECT_EQ(tz_name(tzi.StandardName), u"JST");

    EXPECT_EQ(GetTimeZoneInformation(nullptr), DWORD(TIME_ZONE_ID_INVALID));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NOACCESS));
}

// Pacific time as a program would spell it: daylight time from the second Sunday of March to the
// first Sunday of November, both at 2:00.
TIME_ZONE_INFORMATION pacific_zone() {
    TIME_ZONE_INFORMATION tzi{};
    tzi.Bias = 480;
    tzi.DaylightBias = -60;
    tzi.DaylightDate = SYSTEMTIME{0, 3, 0, 2, 2, 0, 0, 0};
    tzi.StandardDate = SYSTEMTIME{0, 11, 0, 1, 2, 0, 0, 0};
    return tzi;
}

void expect_tz_time(const SYSTEMTIME& t, WORD year, WORD month, WORD day, WORD hour, WORD minute) {
    EXPECT_EQ(t.wYear, year);
    EXPECT_EQ(t.wMonth, month);
    EXPECT_EQ(t.wDay, day);
    EXPECT_EQ(t.wHour, hour);
    EXPECT_EQ(t.wMinute, minute);
}

TEST_F(TimeZoneTest, conversions_follow_the_given_zones_rules) {
    const TIME_ZONE_INFORMATION pacific = pacific_zone();
    SYSTEMTIME out{};
    // 2024-03-10: the clocks go from 2:00 PST to 3:00 PDT at 10:00 UTC.
    SYSTEMTIME utc = tz_time(2024, 3, 10, 9, 59);
    ASSERT_TRUE(SystemTimeToTzSpecificLocalTime(&pacific, &utc, &out));
    expect_tz_time(out, 2024, 3, 10, 1, 59);
    utc = tz_time(2024, 3, 10, 10, 0);
    ASSERT_TRUE(SystemTimeToTzSpecificLocalTime(&pacific, &utc, &out));
    expect_tz_time(out, 2024, 3, 10, 3, 0);
    // 2024-11-03: back from 2:00 PDT to 1:00 PST at 9:00 UTC.
    utc = tz_time(2024, 11, 3, 8, 59);
    ASSERT_TRUE(SystemTimeToTzSpecificLocalTime(&pacific, &utc, &out));
    expect_tz_time(out, 2024, 11, 3, 1, 59);
    utc = tz_time(2024, 11, 3, 9, 0);
    ASSERT_TRUE(SystemTimeToTzSpecificLocalTime(&pacific, &utc, &out));
    expect_tz_time(out, 2024, 11, 3, 1, 0);
    // Back again, in summer and in winter.
    SYSTEMTIME local = tz_time(2024, 7, 4, 12, 0);
    ASSERT_TRUE(TzSpecificLocalTimeToSystemTime(&pacific, &local, &out));
    expect_tz_time(out, 2024, 7, 4, 19, 0);
    local = tz_time(2024, 1, 31, 20, 30);
    ASSERT_TRUE(TzSpecificLocalTimeToSystemTime(&pacific, &local, &out));
    expect_tz_time(out, 2024, 2, 1, 4, 30);

    // A NULL zone is the current one.
    use_zone("CET-1CEST,M3.5.0,M10.5.0/3");
    utc = tz_time(2024, 7, 1, 12, 0);
    ASSERT_TRUE(SystemTimeToTzSpecificLocalTime(nullptr, &utc, &out));
    expect_tz_time(out, 2024, 7, 1, 14, 0);
    utc = tz_time(2024, 1, 15, 12, 0);
    ASSERT_TRUE(SystemTimeToTzSpecificLocalTime(nullptr, &utc, &out));
    expect_tz_time(out, 2024, 1, 15, 13, 0);

    // Bad times and pointers.
    SYSTEMTIME bad = tz_time(2024, 13, 1, 0, 0);
    EXPECT_FALSE(SystemTimeToTzSpecificLocalTime(&pacific, &bad, &out));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(TzSpecificLocalTimeToSystemTime(&pacific, nullptr, &out));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

}  // namespace
}  // namespace ntio::test
