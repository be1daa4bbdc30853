/* Time (sysinfoapi.h / timezoneapi.h / profileapi.h / fileapi.h subset): the system and local time as
 * SYSTEMTIME and FILETIME, the conversions between them, CompareFileTime and the performance counter. */
#ifndef NTIO_SDK_WIN32_SYSTEM_TIME_H
#define NTIO_SDK_WIN32_SYSTEM_TIME_H
#include "types.h"

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
NTIO_END_DECLS

#endif /* NTIO_SDK_WIN32_SYSTEM_TIME_H */
