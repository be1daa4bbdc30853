/* Handles, process/thread identity, time and debug output (handleapi.h, processthreadsapi.h,
 * sysinfoapi.h, debugapi.h subset). Handles are the NT handles of the calling process. */
#ifndef NTIO_SDK_WIN32_HANDLES_H
#define NTIO_SDK_WIN32_HANDLES_H
#include "types.h"
#include "access.h"

#define HANDLE_FLAG_INHERIT 0x00000001
#define HANDLE_FLAG_PROTECT_FROM_CLOSE 0x00000002

NTIO_BEGIN_DECLS

WINBASEAPI BOOL WINAPI CloseHandle(_In_ HANDLE hObject);
WINBASEAPI BOOL WINAPI DuplicateHandle(_In_ HANDLE hSourceProcessHandle, _In_ HANDLE hSourceHandle,
                                       _In_ HANDLE hTargetProcessHandle, _Outptr_ LPHANDLE lpTargetHandle,
                                       _In_ DWORD dwDesiredAccess, _In_ BOOL bInheritHandle, _In_ DWORD dwOptions);
WINBASEAPI HANDLE WINAPI GetCurrentProcess(VOID);
WINBASEAPI DWORD WINAPI GetCurrentProcessId(VOID);
WINBASEAPI HANDLE WINAPI GetCurrentThread(VOID);
WINBASEAPI DWORD WINAPI GetCurrentThreadId(VOID);

WINBASEAPI DWORD WINAPI GetTickCount(VOID);
WINBASEAPI ULONGLONG WINAPI GetTickCount64(VOID);

WINBASEAPI VOID WINAPI OutputDebugStringA(_In_opt_ LPCSTR lpOutputString);
WINBASEAPI VOID WINAPI OutputDebugStringW(_In_opt_ LPCWSTR lpOutputString);
#ifdef UNICODE
#define OutputDebugString OutputDebugStringW
#else
#define OutputDebugString OutputDebugStringA
#endif

NTIO_END_DECLS
#endif /* NTIO_SDK_WIN32_HANDLES_H */
