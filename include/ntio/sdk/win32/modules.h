/* Modules (libloaderapi.h subset): GetModuleHandle, GetModuleFileName, GetProcAddress, LoadLibrary
 * and FreeLibrary over the host's dynamic loader. A module is an ELF shared object (a ".dll" is one
 * named so); its handle is the address it is loaded at. kernel32.dll, kernelbase.dll, ntdll.dll and
 * advapi32.dll are the ntio library. */
#ifndef NTIO_SDK_WIN32_MODULES_H
#define NTIO_SDK_WIN32_MODULES_H
#include "types.h"

#ifndef _Out_writes_to_opt_
#define _Out_writes_to_opt_(x, y)
#endif
#ifndef IS_INTRESOURCE
#define IS_INTRESOURCE(_r) ((((ULONG_PTR)(_r)) >> 16) == 0)
#endif

NTIO_BEGIN_DECLS
WINBASEAPI HMODULE WINAPI GetModuleHandleA(_In_opt_ LPCSTR lpModuleName);
WINBASEAPI HMODULE WINAPI GetModuleHandleW(_In_opt_ LPCWSTR lpModuleName);
WINBASEAPI DWORD WINAPI GetModuleFileNameA(_In_opt_ HMODULE hModule, _Out_writes_to_opt_(nSize, return + 1) LPSTR lpFilename,
                                           _In_ DWORD nSize);
WINBASEAPI DWORD WINAPI GetModuleFileNameW(_In_opt_ HMODULE hModule,
                                           _Out_writes_to_opt_(nSize, return + 1) LPWSTR lpFilename, _In_ DWORD nSize);
WINBASEAPI FARPROC WINAPI GetProcAddress(_In_ HMODULE hModule, _In_ LPCSTR lpProcName);
WINBASEAPI HMODULE WINAPI LoadLibraryA(_In_ LPCSTR lpLibFileName);
WINBASEAPI HMODULE WINAPI LoadLibraryW(_In_ LPCWSTR lpLibFileName);
WINBASEAPI BOOL WINAPI FreeLibrary(_In_ HMODULE hLibModule);
NTIO_END_DECLS

#ifdef UNICODE
#define GetModuleHandle GetModuleHandleW
#define GetModuleFileName GetModuleFileNameW
#define LoadLibrary LoadLibraryW
#else
#define GetModuleHandle GetModuleHandleA
#define GetModuleFileName GetModuleFileNameA
#define LoadLibrary LoadLibraryA
#endif

#endif /* NTIO_SDK_WIN32_MODULES_H */
