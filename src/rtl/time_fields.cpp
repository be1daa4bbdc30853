// System time <-> calendar fields (TIME_FIELDS) in the proleptic Gregorian calendar that NT's
// 1601-based system time counts in. The day arithmetic works in 400-year eras of 146097 days.
#include <cstdint>

#include <wdm.h>

namespace ntio::rtl {
namespace {

constexpr std::int64_t kTicksPerMillisecond = 10000;
constexpr std::int64_t kTicksPerDay = 864000000000LL;
constexpr std::int64_t kDaysPerEra = 146097;  // 400 Gregorian years
constexpr CSHORT kFirstYear = 1601;
constexpr CSHORT kLastYear = 30827;           // the last year a SYSTEMTIME holds

constexpr bool leap(std::int64_t year) noexcept { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

constexpr int days_in_month(std::int64_t year, int month) noexcept {
    constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1601-01-01 of a date. Years are counted from March so that the leap day ends the year.
constexpr std::int64_t days_from_date(std::int64_t year, int month, int day) noexcept {
    const std::int64_t y = (month <= 2 ? year - 1 : year) - kFirstYear + 1;  // 1600-03-01 is day 0 of era 0
    const std::int64_t era = floor_div(y, 400);
    const std::int64_t year_of_era = y - era * 400;
    const int shifted_month = month > 2 ? month - 3 : month + 9;  // March = 0
    const std::int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * kDaysPerEra + day_of_era - 306;  // 1600-03-01 .. 1601-01-01 is 306 days
}

struct Date {
    std::int64_t year;
    int month;
    int day;
};

constexpr Date date_from_days(std::int64_t days) noexcept {
    const std::int64_t shifted = days + 306;
    const std::int64_t era = floor_div(shifted, kDaysPerEra);
    const std::int64_t day_of_era = shifted - era * kDaysPerEra;
    const std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const int shifted_month = static_cast<int>((5 * day_of_year + 2) / 153);
    const int day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
    const int month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    const std::int64_t year = era * 400 + year_of_era + kFirstYear - 1 + (month <= 2 ? 1 : 0);
    return {year, month, day};
}

static_assert(days_from_date(1601, 1, 1) == 0);
static_assert(days_from_date(1970, 1, 1) == 134774);
static_assert(date_from_days(134774).year == 1970 && date_from_days(134774).month == 1 && date_from_days(134774).day == 1);
static_assert(date_from_days(days_from_date(2000, 2, 29)).day == 29);

}  // namespace
}  // namespace ntio::rtl

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtltimetotimefields
// 1601-01-01 was a Monday (Weekday 1).
NTSYSAPI VOID NTAPI RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields) {
    using namespace ntio::rtl;
    const std::int64_t days = floor_div(Time->QuadPart, kTicksPerDay);
    const std::int64_t in_day = (Time->QuadPart - days * kTicksPerDay) / kTicksPerMillisecond;
    const Date date = date_from_days(days);
    TimeFields->Year = static_cast<CSHORT>(date.year);
    TimeFields->Month = static_cast<CSHORT>(date.month);
    TimeFields->Day = static_cast<CSHORT>(date.day);
    TimeFields->Hour = static_cast<CSHORT>(in_day / 3600000);
    TimeFields->Minute = static_cast<CSHORT>(in_day / 60000 % 60);
    TimeFields->Second = static_cast<CSHORT>(in_day / 1000 % 60);
    TimeFields->Milliseconds = static_cast<CSHORT>(in_day % 1000);
    TimeFields->Weekday = static_cast<CSHORT>((days % 7 + 7 + 1) % 7);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtltimefieldstotime
NTSYSAPI BOOLEAN NTAPI RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time) {
    using namespace ntio::rtl;
    const TIME_FIELDS& f = *TimeFields;
    if (f.Year < kFirstYear || f.Year > kLastYear || f.Month < 1 || f.Month > 12 || f.Day < 1 ||
        f.Day > days_in_month(f.Year, f.Month) || f.Hour < 0 || f.Hour > 23 || f.Minute < 0 || f.Minute > 59 ||
        f.Second < 0 || f.Second > 59 || f.Milliseconds < 0 || f.Milliseconds > 999)
        return FALSE;
    const std::int64_t ms = ((std::int64_t{f.Hour} * 60 + f.Minute) * 60 + f.Second) * 1000 + f.Milliseconds;
    Time->QuadPart = days_from_date(f.Year, f.Month, f.Day) * kTicksPerDay + ms * kTicksPerMillisecond;
    return TRUE;
}

}  // extern "C"
