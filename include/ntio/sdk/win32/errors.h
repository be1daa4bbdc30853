/* Last error and the NTSTATUS -> Win32 error mapping (errhandlingapi.h, and the ntdll routines
 * winternl.h declares). The last error is per thread; RtlNtStatusToDosError is the one table. */
#ifndef NTIO_SDK_WIN32_ERRORS_H
#define NTIO_SDK_WIN32_ERRORS_H
#include "types.h"
#include "winerror.h"

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

NTIO_END_DECLS
#endif /* NTIO_SDK_WIN32_ERRORS_H */
