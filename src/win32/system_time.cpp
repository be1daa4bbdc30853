// GetSystemTime, GetLocalTime, GetSystemTime(Precise)AsFileTime, the FILETIME / SYSTEMTIME
// conversions, CompareFileTime and the performance counter, over KeQuerySystemTime(Precise),
// RtlTimeToTimeFields / RtlTimeFieldsToTime, Ex{System,Local}Time... and KeQueryPerformanceCounter.
// https://learn.microsoft.com/windows/win32/api/timezoneapi/nf-timezoneapi-filetimetosystemtime
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-filetimetolocalfiletime
#include "win32/win32.hpp"

using namespace ntio;

namespace {

LARGE_INTEGER from_filetime(const FILETIME& ft) {
    LARGE_INTEGER time;
    time.LowPart = ft.dwLowDateTime;
    time.HighPart = static_cast<LONG>(ft.dwHighDateTime);
    return time;
}

FILETIME to_filetime(LARGE_INTEGER time) {
    FILETIME ft;
    ft.dwLowDateTime = time.LowPart;
    ft.dwHighDateTime = static_cast<DWORD>(time.HighPart);
    return ft;
}

void to_system_time(LARGE_INTEGER time, LPSYSTEMTIME out) {
    TIME_FIELDS fields{};
    RtlTimeToTimeFields(&time, &fields);
    out->wYear = static_cast<WORD>(fields.Year);
    out->wMonth = static_cast<WORD>(fields.Month);
    out->wDayOfWeek = static_cast<WORD>(fields.Weekday);
    out->wDay = static_cast<WORD>(fields.Day);
    out->wHour = static_cast<WORD>(fields.Hour);
    out->wMinute = static_cast<WORD>(fields.Minute);
    out->wSecond = static_cast<WORD>(fields.Second);
    out->wMilliseconds = static_cast<WORD>(fields.Milliseconds);
}

BOOL invalid_parameter() {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
}

// What the local time differs from the system time by now: "FileTimeToLocalFileTime uses the
// current settings for the time zone and daylight saving time", whatever the time converted.
LONGLONG current_bias() {
    LARGE_INTEGER now, local;
    KeQuerySystemTime(&now);
    ExSystemTimeToLocalTime(&now, &local);
    return local.QuadPart - now.QuadPart;
}

}  // namespace

extern "C" {

VOID WINAPI GetSystemTimeAsFileTime(LPFILETIME lpSystemTimeAsFileTime) {
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    *lpSystemTimeAsFileTime = to_filetime(now);
}

VOID WINAPI GetSystemTimePreciseAsFileTime(LPFILETIME lpSystemTimeAsFileTime) {
    LARGE_INTEGER now;
    KeQuerySystemTimePrecise(&now);
    *lpSystemTimeAsFileTime = to_filetime(now);
}

VOID WINAPI GetSystemTime(LPSYSTEMTIME lpSystemTime) {
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    to_system_time(now, lpSystemTime);
}

VOID WINAPI GetLocalTime(LPSYSTEMTIME lpSystemTime) {
    LARGE_INTEGER now, local;
    KeQuerySystemTime(&now);
    ExSystemTimeToLocalTime(&now, &local);
    to_system_time(local, lpSystemTime);
}

// "lpFileTime ... This value must be less than 0x8000000000000000. Otherwise, the function fails."
BOOL WINAPI FileTimeToSystemTime(const FILETIME* lpFileTime, LPSYSTEMTIME lpSystemTime) {
    if (!lpFileTime || !lpSystemTime) return invalid_parameter();
    const LARGE_INTEGER time = from_filetime(*lpFileTime);
    if (time.QuadPart < 0) return invalid_parameter();
    to_system_time(time, lpSystemTime);
    return TRUE;
}

// wDayOfWeek is ignored; a member out of its range (or a date before 1601) fails.
BOOL WINAPI SystemTimeToFileTime(const SYSTEMTIME* lpSystemTime, LPFILETIME lpFileTime) {
    if (!lpSystemTime || !lpFileTime) return invalid_parameter();
    TIME_FIELDS fields{};
    fields.Year = static_cast<CSHORT>(lpSystemTime->wYear);
    fields.Month = static_cast<CSHORT>(lpSystemTime->wMonth);
    fields.Day = static_cast<CSHORT>(lpSystemTime->wDay);
    fields.Hour = static_cast<CSHORT>(lpSystemTime->wHour);
    fields.Minute = static_cast<CSHORT>(lpSystemTime->wMinute);
    fields.Second = static_cast<CSHORT>(lpSystemTime->wSecond);
    fields.Milliseconds = static_cast<CSHORT>(lpSystemTime->wMilliseconds);
    if (lpSystemTime->wYear > 30827) return invalid_parameter();  // SYSTEMTIME's documented range
    LARGE_INTEGER time;
    if (!RtlTimeFieldsToTime(&fields, &time)) return invalid_parameter();
    *lpFileTime = to_filetime(time);
    return TRUE;
}

BOOL WINAPI FileTimeToLocalFileTime(const FILETIME* lpFileTime, LPFILETIME lpLocalFileTime) {
    if (!lpFileTime || !lpLocalFileTime) return invalid_parameter();
    LARGE_INTEGER time = from_filetime(*lpFileTime);
    time.QuadPart += current_bias();
    *lpLocalFileTime = to_filetime(time);
    return TRUE;
}

BOOL WINAPI LocalFileTimeToFileTime(const FILETIME* lpLocalFileTime, LPFILETIME lpFileTime) {
    if (!lpLocalFileTime || !lpFileTime) return invalid_parameter();
    LARGE_INTEGER time = from_filetime(*lpLocalFileTime);
    time.QuadPart -= current_bias();
    *lpFileTime = to_filetime(time);
    return TRUE;
}

// -1, 0 or 1 as the first time is earlier than, equal to or later than the second (unsigned
// 64-bit values).
LONG WINAPI CompareFileTime(const FILETIME* lpFileTime1, const FILETIME* lpFileTime2) {
    // NULL (a fault on Windows) compares as equal rather than crashing.
    if (!lpFileTime1 || !lpFileTime2) return 0;
    const ULONGLONG a = (ULONGLONG{lpFileTime1->dwHighDateTime} << 32) | lpFileTime1->dwLowDateTime;
    const ULONGLONG b = (ULONGLONG{lpFileTime2->dwHighDateTime} << 32) | lpFileTime2->dwLowDateTime;
    return a < b ? -1 : a > b ? 1 : 0;
}

// "On systems that run Windows XP or later, the function will always succeed"; a NULL pointer,
// which would fault on Windows, fails with ERROR_NOACCESS instead.
BOOL WINAPI QueryPerformanceCounter(LARGE_INTEGER* lpPerformanceCount) {
    if (!lpPerformanceCount) {
        SetLastError(ERROR_NOACCESS);
        return FALSE;
    }
    *lpPerformanceCount = KeQueryPerformanceCounter(nullptr);
    return TRUE;
}

BOOL WINAPI QueryPerformanceFrequency(LARGE_INTEGER* lpFrequency) {
    if (!lpFrequency) {
        SetLastError(ERROR_NOACCESS);
        return FALSE;
    }
    (void)KeQueryPerformanceCounter(lpFrequency);
    return TRUE;
}

}  // extern "C"
