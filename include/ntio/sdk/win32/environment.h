/* Environment variables (processenv.h subset): one environment for the host process, case-insensitive
 * names as on Windows. */
#ifndef NTIO_SDK_WIN32_ENVIRONMENT_H
#define NTIO_SDK_WIN32_ENVIRONMENT_H
#include "types.h"

#ifndef _Out_writes_to_opt_
#define _Out_writes_to_opt_(x, y)
#endif

NTIO_BEGIN_DECLS
WINBASEAPI DWORD WINAPI GetEnvironmentVariableA(_In_opt_ LPCSTR lpName, _Out_writes_to_opt_(nSize, return + 1) LPSTR lpBuffer,
                                                _In_ DWORD nSize);
WINBASEAPI DWORD WINAPI GetEnvironmentVariableW(_In_opt_ LPCWSTR lpName,
                                                _Out_writes_to_opt_(nSize, return + 1) LPWSTR lpBuffer, _In_ DWORD nSize);
WINBASEAPI BOOL WINAPI SetEnvironmentVariableA(_In_ LPCSTR lpName, _In_opt_ LPCSTR lpValue);
WINBASEAPI BOOL WINAPI SetEnvironmentVariableW(_In_ LPCWSTR lpName, _In_opt_ LPCWSTR lpValue);
WINBASEAPI DWORD WINAPI ExpandEnvironmentStringsA(_In_ LPCSTR lpSrc, _Out_writes_to_opt_(nSize, return) LPSTR lpDst,
                                                  _In_ DWORD nSize);
WINBASEAPI DWORD WINAPI ExpandEnvironmentStringsW(_In_ LPCWSTR lpSrc, _Out_writes_to_opt_(nSize, return) LPWSTR lpDst,
                                                  _In_ DWORD nSize);
WINBASEAPI LPWCH WINAPI GetEnvironmentStringsW(VOID);
WINBASEAPI BOOL WINAPI FreeEnvironmentStringsW(_In_ LPWCH penv);
NTIO_END_DECLS

#ifdef UNICODE
#define GetEnvironmentVariable GetEnvironmentVariableW
#define SetEnvironmentVariable SetEnvironmentVariableW
#define ExpandEnvironmentStrings ExpandEnvironmentStringsW
#else
#define GetEnvironmentVariable GetEnvironmentVariableA
#define SetEnvironmentVariable SetEnvironmentVariableA
#define ExpandEnvironmentStrings ExpandEnvironmentStringsA
#endif

#endif /* NTIO_SDK_WIN32_ENVIRONMENT_H */
