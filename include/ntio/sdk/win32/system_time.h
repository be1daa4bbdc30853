/* Time (sysinfoapi.h / timezoneapi.h / profileapi.h / fileapi.h subset): the system and local time as
 * SYSTEMTIME and FILETIME, the conversions between them, CompareFileTime, the performance counter, and
 * the time zone with the conversions through a given one. */
#ifndef NTIO_SDK_WIN32_SYSTEM_TIME_H
#define NTIO_SDK_WIN32_SYSTEM_TIME_H
#include "types.h"

#define TIME_ZONE_ID_INVALID ((DWORD)0xFFFFFFFF)
#define TIME_ZONE_ID_UNKNOWN 0
#define TIME_ZONE_ID_STANDARD 1
#define TIME_ZONE_ID_DAYLIGHT 2

typedef struct _TIME_ZONE_INFORMATION {
    LONG Bias;
    WCHAR StandardName[32];
    SYSTEMTIME StandardDate;
    LONG StandardBias;
    WCHAR DaylightName[32];
    SYSTEMTIME DaylightDate;
    LONG DaylightBias;
} TIME_ZONE_INFORMATION, *PTIME_ZONE_INFORMATION, *LPTIME_ZONE_INFORMATION;

typedef struct _TIME_DYNAMIC_ZONE_INFORMATION {
    LONG Bias;
    WCHAR StandardName[32];
    SYSTEMTIME StandardDate;
    LONG StandardBias;
    WCHAR DaylightName[32];
    SYSTEMTIME DaylightDate;
    LONG DaylightBias;
    WCHAR TimeZoneKeyName[128];
    BOOLEAN DynamicDaylightTimeDisabled;
} DYNAMIC_TIME_ZONE_INFORMATION, *PDYNAMIC_TIME_ZONE_INFORMATION;

NTIO_BEGIN_DECLS
WINBASEAPI VOID WINAPI GetSystemTime(_Out_ LPSYSTEMTIME lpSystemTime);
WINBASEAPI VOID WINAPI GetLocalTime(_Out_ LPSYSTEMTIME lpSystemTime);
WINBASEAPI VOID WINAPI GetSystemTimeAsFileTime(_Out_ LPFILETIME lpSystemTimeAsFileTime);
WINBASEAPI VOID WINAPI GetSystemTimePreciseAsFileTime(_Out_ LPFILETIME lpSystemTimeAsFileTime);
WINBASEAPI BOOL WINAPI FileTimeToSystemTime(_In_ const FILETIME* lpFileTime, _Out_ LPSYSTEMTIME lpSystemTime);
WINBASEAPI BOOL WINAPI SystemTimeToFileTime(_In_ const SYSTEMTIME* lpSystemTime, _Out_ LPFILETIME lpFileTime);
WINBASEAPI BOOL WINAPI FileTimeToLocalFileTime(_In_ const FILETIME* lpFileTime, _Out_ LPFILETIME lpLocalFileTime);
WINBASEAPI BOOL WINAPI LocalFileTimeToFileTime(_In_ const FILETIME* lpLocalFileTime, _Out_ LPFILETIME lpFileTime);
WINBASEAPI LONG WINAPI CompareFileTime(_In_ const FILETIME* lpFileTime1, _In_ const FILETIME* lpFileTime2);
WINBASEAPI BOOL WINAPI QueryPerformanceCounter(_Out_ LARGE_INTEGER* lpPerformanceCount);
WINBASEAPI BOOL WINAPI QueryPerformanceFrequency(_Out_ LARGE_INTEGER* lpFrequency);
WINBASEAPI DWORD WINAPI GetTimeZoneInformation(_Out_ LPTIME_ZONE_INFORMATION lpTimeZoneInformation);
WINBASEAPI DWORD WINAPI GetDynamicTimeZoneInformation(_Out_ PDYNAMIC_TIME_ZONE_INFORMATION pTimeZoneInformation);
WINBASEAPI BOOL WINAPI SystemTimeToTzSpecificLocalTime(_In_opt_ const TIME_ZONE_INFORMATION* lpTimeZoneInformation,
                                                       _In_ const SYSTEMTIME* lpUniversalTime,
                                                       _Out_ LPSYSTEMTIME lpLocalTime);
WINBASEAPI BOOL WINAPI TzSpecificLocalTimeToSystemTime(_In_opt_ const TIME_ZONE_INFORMATION* lpTimeZoneInformation,
                                                       _In_ const SYSTEMTIME* lpLocalTime,
                                                       _Out_ LPSYSTEMTIME lpUniversalTime);
NTIO_END_DECLS

#endif /* NTIO_SDK_WIN32_SYSTEM_TIME_H */
