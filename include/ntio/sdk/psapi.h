/* <psapi.h>: the process status routines ntio has, the image file a process runs in its native
 * (NT) form, under both names Windows exports (psapi's and kernel32's K32 one).
 * https://learn.microsoft.com/windows/win32/api/psapi/nf-psapi-getprocessimagefilenamew */
#ifndef NTIO_SDK_PSAPI_H
#define NTIO_SDK_PSAPI_H
#include "windows.h"

NTIO_BEGIN_DECLS
WINBASEAPI DWORD WINAPI GetProcessImageFileNameA(_In_ HANDLE hProcess, _Out_writes_(nSize) LPSTR lpImageFileName,
                                                 _In_ DWORD nSize);
WINBASEAPI DWORD WINAPI GetProcessImageFileNameW(_In_ HANDLE hProcess, _Out_writes_(nSize) LPWSTR lpImageFileName,
                                                 _In_ DWORD nSize);
WINBASEAPI DWORD WINAPI K32GetProcessImageFileNameA(_In_ HANDLE hProcess, _Out_writes_(nSize) LPSTR lpImageFileName,
                                                    _In_ DWORD nSize);
WINBASEAPI DWORD WINAPI K32GetProcessImageFileNameW(_In_ HANDLE hProcess, _Out_writes_(nSize) LPWSTR lpImageFileName,
                                                    _In_ DWORD nSize);
NTIO_END_DECLS

#ifdef UNICODE
#define GetProcessImageFileName GetProcessImageFileNameW
#else
#define GetProcessImageFileName GetProcessImageFileNameA
#endif

#endif /* NTIO_SDK_PSAPI_H */
