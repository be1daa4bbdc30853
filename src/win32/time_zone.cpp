// The time zone: GetTimeZoneInformation and GetDynamicTimeZoneInformation from the host's rules for
// the current year, and SystemTimeToTzSpecificLocalTime / TzSpecificLocalTimeToSystemTime through a
// TIME_ZONE_INFORMATION's rules (or the host's own rules for a NULL one).
// https://learn.microsoft.com/windows/win32/api/timezoneapi/ns-timezoneapi-time_zone_information
// https://learn.microsoft.com/windows/win32/api/timezoneapi/nf-timezoneapi-gettimezoneinformation
#include <cstring>

#include "win32/win32.hpp"
#include "host/time_zone.hpp"

using namespace ntio;

namespace {

constexpr LONGLONG kTicksPerSecond = 10000000;
constexpr LONGLONG kTicksPerMinute = 60 * kTicksPerSecond;
constexpr LONGLONG kUnixEpochTicks = 116444736000000000LL;  // 1970-01-01 in 100 ns units since 1601

LONGLONG ticks_of_unix(std::int64_t seconds) { return seconds * kTicksPerSecond + kUnixEpochTicks; }

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

TIME_FIELDS fields_of(LONGLONG ticks) {
    LARGE_INTEGER time;
    time.QuadPart = ticks;
    TIME_FIELDS fields{};
    RtlTimeToTimeFields(&time, &fields);
    return fields;
}

// The "day-in-month" form of a transition at `local_ticks` (the local time the clocks show just
// before they change): wYear 0, the month, the weekday, which of the month's such weekdays (5 for
// the last) and the time of day.
SYSTEMTIME transition_rule(LONGLONG local_ticks) {
    const TIME_FIELDS f = fields_of(local_ticks);
    SYSTEMTIME rule{};
    rule.wMonth = static_cast<WORD>(f.Month);
    rule.wDayOfWeek = static_cast<WORD>(f.Weekday);
    rule.wDay = static_cast<WORD>(f.Day + 7 > days_in_month(f.Year, f.Month) ? 5 : (f.Day - 1) / 7 + 1);
    rule.wHour = static_cast<WORD>(f.Hour);
    rule.wMinute = static_cast<WORD>(f.Minute);
    rule.wSecond = static_cast<WORD>(f.Second);
    return rule;
}

// The local time (100 ns since 1601) a transition rule names in `year`: the day-in-month form, or an
// absolute date when wYear is set. False for a rule that names no valid date.
bool rule_in_year(const SYSTEMTIME& rule, int year, LONGLONG& ticks) {
    if (rule.wMonth < 1 || rule.wMonth > 12 || rule.wDayOfWeek > 6) return false;
    TIME_FIELDS f{};
    f.Year = static_cast<CSHORT>(rule.wYear ? rule.wYear : year);
    f.Month = static_cast<CSHORT>(rule.wMonth);
    f.Hour = static_cast<CSHORT>(rule.wHour);
    f.Minute = static_cast<CSHORT>(rule.wMinute);
    f.Second = static_cast<CSHORT>(rule.wSecond);
    f.Milliseconds = static_cast<CSHORT>(rule.wMilliseconds);
    if (rule.wYear) {
        f.Day = static_cast<CSHORT>(rule.wDay);
    } else {
        if (rule.wDay < 1 || rule.wDay > 5) return false;
        f.Day = 1;
        LARGE_INTEGER first;
        if (!RtlTimeFieldsToTime(&f, &first)) return false;
        const int first_weekday = fields_of(first.QuadPart).Weekday;
        int day = 1 + (rule.wDayOfWeek - first_weekday + 7) % 7 + (rule.wDay - 1) * 7;
        while (day > days_in_month(f.Year, f.Month)) day -= 7;
        f.Day = static_cast<CSHORT>(day);
    }
    LARGE_INTEGER time;
    if (!RtlTimeFieldsToTime(&f, &time)) return false;
    ticks = time.QuadPart;
    return true;
}

void copy_name(const std::string& name, WCHAR (&out)[32]) {
    const std::u16string wide = win32::ansi_to_utf16(name);
    std::memset(out, 0, sizeof out);
    for (std::size_t i = 0; i < wide.size() && i + 1 < std::size(out); ++i) out[i] = static_cast<WCHAR>(wide[i]);
}

// The host's rules for the current year as TIME_ZONE_INFORMATION; false when the host cannot tell.
bool current_zone(TIME_ZONE_INFORMATION& tzi) {
    SYSTEMTIME now{};
    GetSystemTime(&now);
    host::TimeZoneYear year;
    if (!host::time_zone_year(now.wYear, year)) return false;
    std::memset(&tzi, 0, sizeof tzi);
    // "The bias is the difference, in minutes, between Coordinated Universal Time (UTC) and local
    // time ... UTC = local time + bias."
    tzi.Bias = static_cast<LONG>(-year.standard_offset / 60);
    tzi.StandardBias = 0;
    copy_name(year.standard_name, tzi.StandardName);
    copy_name(year.daylight_name, tzi.DaylightName);
    if (year.has_daylight) {
        tzi.DaylightBias = static_cast<LONG>(-(year.daylight_offset - year.standard_offset) / 60);
        // Each date is the local time before the change: standard time when daylight time begins,
        // daylight time when it ends.
        tzi.DaylightDate = transition_rule(ticks_of_unix(year.daylight_start + year.standard_offset));
        tzi.StandardDate = transition_rule(ticks_of_unix(year.standard_start + year.daylight_offset));
    }
    return true;
}

// "If the time zone does not use daylight saving time, or if the caller specified an invalid
// time zone, the return value is TIME_ZONE_ID_UNKNOWN" (no daylight date); else which is in force.
DWORD zone_id(const TIME_ZONE_INFORMATION& tzi) {
    if (tzi.DaylightDate.wMonth == 0) return TIME_ZONE_ID_UNKNOWN;
    const int daylight = host::daylight_in_force_now();
    if (daylight < 0) return TIME_ZONE_ID_UNKNOWN;
    return daylight ? TIME_ZONE_ID_DAYLIGHT : TIME_ZONE_ID_STANDARD;
}

// Whether `ticks` (UTC when `from_utc`, else local time) falls in daylight time under `tzi`'s rules
// for `year`. The daylight period begins at DaylightDate (local standard time) and ends at
// StandardDate (local daylight time); in the southern hemisphere it spans the new year.
bool in_daylight(const TIME_ZONE_INFORMATION& tzi, LONGLONG ticks, int year, bool from_utc) {
    if (tzi.DaylightDate.wMonth == 0 || tzi.StandardDate.wMonth == 0) return false;
    LONGLONG begin = 0, end = 0;
    if (!rule_in_year(tzi.DaylightDate, year, begin) || !rule_in_year(tzi.StandardDate, year, end)) return false;
    if (from_utc) {
        begin += LONGLONG{tzi.Bias + tzi.StandardBias} * kTicksPerMinute;
        end += LONGLONG{tzi.Bias + tzi.DaylightBias} * kTicksPerMinute;
    }
    return begin < end ? (ticks >= begin && ticks < end) : (ticks >= begin || ticks < end);
}

BOOL time_zone_parameter_error() {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
}

// The shared path of both conversions: `in` as ticks, the zone (the given one or the host's), and
// the bias in minutes to apply (UTC = local + bias).
BOOL convert_through_zone(const TIME_ZONE_INFORMATION* given, const SYSTEMTIME* in, LPSYSTEMTIME out, bool from_utc) {
    if (!in || !out) return time_zone_parameter_error();
    FILETIME as_filetime;
    if (!SystemTimeToFileTime(in, &as_filetime)) return FALSE;  // ERROR_INVALID_PARAMETER set
    const LONGLONG ticks = (LONGLONG{as_filetime.dwHighDateTime} << 32) | as_filetime.dwLowDateTime;
    TIME_ZONE_INFORMATION current;
    if (!given) {
        if (!current_zone(current)) return time_zone_parameter_error();
        given = &current;
    }
    const bool daylight = in_daylight(*given, ticks, in->wYear, from_utc);
    const LONG minutes = given->Bias + (daylight ? given->DaylightBias : given->StandardBias);
    const LONGLONG bias = LONGLONG{minutes} * kTicksPerMinute;
    const LONGLONG result = from_utc ? ticks - bias : ticks + bias;
    if (result < 0) return time_zone_parameter_error();
    FILETIME converted;
    converted.dwLowDateTime = static_cast<DWORD>(result);
    converted.dwHighDateTime = static_cast<DWORD>(static_cast<ULONGLONG>(result) >> 32);
    return FileTimeToSystemTime(&converted, out);
}

}  // namespace

extern "C" {

// TIME_ZONE_ID_INVALID with the last error on failure. NT deviation: the names are the host's
// abbreviations ("CET", "CEST"), not Windows' registry names ("W. Europe Standard Time").
DWORD WINAPI GetTimeZoneInformation(LPTIME_ZONE_INFORMATION lpTimeZoneInformation) {
    if (!lpTimeZoneInformation) {
        SetLastError(ERROR_NOACCESS);  // a fault on Windows
        return TIME_ZONE_ID_INVALID;
    }
    TIME_ZONE_INFORMATION tzi;
    if (!current_zone(tzi)) {
        SetLastError(ERROR_NOT_SUPPORTED);  // a guess: the host cannot tell (Windows always can)
        return TIME_ZONE_ID_INVALID;
    }
    *lpTimeZoneInformation = tzi;
    return zone_id(tzi);
}

// https://learn.microsoft.com/windows/win32/api/timezoneapi/nf-timezoneapi-getdynamictimezoneinformation
// TimeZoneKeyName is the host's zone name ("Europe/Paris"), cut to 127 characters; daylight saving
// time is never disabled.
DWORD WINAPI GetDynamicTimeZoneInformation(PDYNAMIC_TIME_ZONE_INFORMATION pTimeZoneInformation) {
    if (!pTimeZoneInformation) {
        SetLastError(ERROR_NOACCESS);
        return TIME_ZONE_ID_INVALID;
    }
    TIME_ZONE_INFORMATION tzi;
    if (!current_zone(tzi)) {
        SetLastError(ERROR_NOT_SUPPORTED);
        return TIME_ZONE_ID_INVALID;
    }
    std::memset(pTimeZoneInformation, 0, sizeof *pTimeZoneInformation);
    static_assert(offsetof(DYNAMIC_TIME_ZONE_INFORMATION, TimeZoneKeyName) >= sizeof(TIME_ZONE_INFORMATION));
    std::memcpy(pTimeZoneInformation, &tzi, sizeof tzi);  // the same fields, in the same order, come first
    const std::u16string key = win32::ansi_to_utf16(host::time_zone_key_name());
    for (std::size_t i = 0; i < key.size() && i + 1 < std::size(pTimeZoneInformation->TimeZoneKeyName); ++i)
        pTimeZoneInformation->TimeZoneKeyName[i] = static_cast<WCHAR>(key[i]);
    pTimeZoneInformation->DynamicDaylightTimeDisabled = FALSE;
    return zone_id(tzi);
}

// https://learn.microsoft.com/windows/win32/api/timezoneapi/nf-timezoneapi-systemtimetotzspecificlocaltime
// A NULL zone is the current one. The rules are applied for the year of the time converted, the
// daylight period judged in UTC. A time the result cannot hold, or a NULL time, is
// ERROR_INVALID_PARAMETER.
BOOL WINAPI SystemTimeToTzSpecificLocalTime(const TIME_ZONE_INFORMATION* lpTimeZoneInformation,
                                            const SYSTEMTIME* lpUniversalTime, LPSYSTEMTIME lpLocalTime) {
    return convert_through_zone(lpTimeZoneInformation, lpUniversalTime, lpLocalTime, true);
}

// https://learn.microsoft.com/windows/win32/api/timezoneapi/nf-timezoneapi-tzspecificlocaltimetosystemtime
// A guess for the hour the clocks show twice: it is read as daylight time.
BOOL WINAPI TzSpecificLocalTimeToSystemTime(const TIME_ZONE_INFORMATION* lpTimeZoneInformation,
                                            const SYSTEMTIME* lpLocalTime, LPSYSTEMTIME lpUniversalTime) {
    return convert_through_zone(lpTimeZoneInformation, lpLocalTime, lpUniversalTime, false);
}

}  // extern "C"
