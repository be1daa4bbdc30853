/* Last error and the NTSTATUS -> Win32 error mapping (errhandlingapi.h, and the ntdll routines
 * winternl.h declares). The last error is per thread; RtlNtStatusToDosError is the one table.
 * FormatMessage (winbase.h) turns an error into the system's message text; LocalAlloc / LocalFree
 * (winbase.h) are here because FORMAT_MESSAGE_ALLOCATE_BUFFER hands out LocalAlloc memory. */
#ifndef NTIO_SDK_WIN32_ERRORS_H
#define NTIO_SDK_WIN32_ERRORS_H
#include "types.h"
#include "winerror.h"
#include <stdarg.h>

NTIO_BEGIN_DECLS

/* ntdll: Win32 error for an NTSTATUS (ERROR_MR_MID_NOT_FOUND when it has none); 0x8007xxxx and
 * 0xC007xxxx give xxxx. Any IRQL, any thread; no system needed. */
NTSYSAPI ULONG NTAPI RtlNtStatusToDosError(NTSTATUS Status);
NTSYSAPI ULONG NTAPI RtlNtStatusToDosErrorNoTeb(NTSTATUS Status);
NTSYSAPI DWORD NTAPI RtlGetLastWin32Error(VOID);
NTSYSAPI VOID NTAPI RtlSetLastWin32Error(DWORD Win32Error);
NTSYSAPI NTSTATUS NTAPI RtlGetLastNtStatus(VOID);

WINBASEAPI DWORD WINAPI GetLastError(VOID);
WINBASEAPI VOID WINAPI SetLastError(DWORD dwErrCode);

/* ---- Error modes (errhandlingapi.h) ----
 * The process's mode is its NtSetInformationProcess ProcessDefaultHardErrorMode, in which bit 0 is the
 * opposite of SEM_FAILCRITICALERRORS (set: critical errors are shown); SEM_NOALIGNMENTFAULTEXCEPT
 * stays once set. A thread's own mode starts at 0 and takes only SEM_FAILCRITICALERRORS,
 * SEM_NOGPFAULTERRORBOX and SEM_NOOPENFILEERRORBOX (anything else: ERROR_INVALID_PARAMETER). ntio
 * shows no error boxes: the modes are kept and reported. */
#define SEM_FAILCRITICALERRORS 0x0001
#define SEM_NOGPFAULTERRORBOX 0x0002
#define SEM_NOALIGNMENTFAULTEXCEPT 0x0004
#define SEM_NOOPENFILEERRORBOX 0x8000
WINBASEAPI UINT WINAPI SetErrorMode(UINT uMode);
WINBASEAPI UINT WINAPI GetErrorMode(VOID);
WINBASEAPI BOOL WINAPI SetThreadErrorMode(DWORD dwNewMode, LPDWORD lpOldMode);
WINBASEAPI DWORD WINAPI GetThreadErrorMode(VOID);

/* ---- Language identifiers (winnt.h) ---- */
#ifndef MAKELANGID
#define MAKELANGID(p, s) ((((WORD)(s)) << 10) | (WORD)(p))
#endif
#ifndef PRIMARYLANGID
#define PRIMARYLANGID(lgid) ((WORD)(lgid) & 0x3ff)
#endif
#ifndef SUBLANGID
#define SUBLANGID(lgid) ((WORD)(lgid) >> 10)
#endif
#ifndef LANG_NEUTRAL
#define LANG_NEUTRAL 0x00
#endif
#ifndef LANG_ENGLISH
#define LANG_ENGLISH 0x09
#endif
#ifndef SUBLANG_NEUTRAL
#define SUBLANG_NEUTRAL 0x00
#endif
#ifndef SUBLANG_DEFAULT
#define SUBLANG_DEFAULT 0x01
#endif
#ifndef SUBLANG_SYS_DEFAULT
#define SUBLANG_SYS_DEFAULT 0x02
#endif
#ifndef SUBLANG_ENGLISH_US
#define SUBLANG_ENGLISH_US 0x01
#endif

/* ---- FormatMessage (winbase.h) ---- */
#define FORMAT_MESSAGE_ALLOCATE_BUFFER 0x00000100
#define FORMAT_MESSAGE_IGNORE_INSERTS 0x00000200
#define FORMAT_MESSAGE_FROM_STRING 0x00000400
#define FORMAT_MESSAGE_FROM_HMODULE 0x00000800
#define FORMAT_MESSAGE_FROM_SYSTEM 0x00001000
#define FORMAT_MESSAGE_ARGUMENT_ARRAY 0x00002000
#define FORMAT_MESSAGE_MAX_WIDTH_MASK 0x000000FF

/* The system message table holds the texts of the Win32 errors ntio produces (English); any other id
 * fails with ERROR_MR_MID_NOT_FOUND. Module message tables do not exist (ERROR_RESOURCE_TYPE_NOT_FOUND). */
WINBASEAPI DWORD WINAPI FormatMessageA(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId,
                                       LPSTR lpBuffer, DWORD nSize, va_list *Arguments);
WINBASEAPI DWORD WINAPI FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId,
                                       LPWSTR lpBuffer, DWORD nSize, va_list *Arguments);
#ifdef UNICODE
#define FormatMessage FormatMessageW
#else
#define FormatMessage FormatMessageA
#endif

/* ---- Local heap (winbase.h): fixed blocks only ---- */
#define LMEM_FIXED 0x0000
#define LMEM_ZEROINIT 0x0040
#define LPTR (LMEM_FIXED | LMEM_ZEROINIT)
WINBASEAPI HLOCAL WINAPI LocalAlloc(UINT uFlags, SIZE_T uBytes);
WINBASEAPI HLOCAL WINAPI LocalFree(HLOCAL hMem);

NTIO_END_DECLS
#endif /* NTIO_SDK_WIN32_ERRORS_H */
