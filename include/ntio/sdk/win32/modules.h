/* Modules (libloaderapi.h subset): GetModuleHandle, GetModuleFileName, GetProcAddress, LoadLibrary(Ex)
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

#define DONT_RESOLVE_DLL_REFERENCES 0x00000001
#define LOAD_LIBRARY_AS_DATAFILE 0x00000002
#define LOAD_WITH_ALTERED_SEARCH_PATH 0x00000008
#define LOAD_IGNORE_CODE_AUTHZ_LEVEL 0x00000010
#define LOAD_LIBRARY_AS_IMAGE_RESOURCE 0x00000020
#define LOAD_LIBRARY_AS_DATAFILE_EXCLUSIVE 0x00000040
#define LOAD_LIBRARY_REQUIRE_SIGNED_TARGET 0x00000080
#define LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR 0x00000100
#define LOAD_LIBRARY_SEARCH_APPLICATION_DIR 0x00000200
#define LOAD_LIBRARY_SEARCH_USER_DIRS 0x00000400
#define LOAD_LIBRARY_SEARCH_SYSTEM32 0x00000800
#define LOAD_LIBRARY_SEARCH_DEFAULT_DIRS 0x00001000
#define LOAD_LIBRARY_SAFE_CURRENT_DIRS 0x00002000
#define LOAD_LIBRARY_SEARCH_SYSTEM32_NO_FORWARDER 0x00004000
#define LOAD_LIBRARY_OS_INTEGRITY_CONTINUITY 0x00008000

/* A module handle LoadLibraryEx returned for a file mapped as data or as an image resource. */
#define LDR_IS_DATAFILE(handle) (((ULONG_PTR)(handle)) & (ULONG_PTR)1)
#define LDR_IS_IMAGEMAPPING(handle) (((ULONG_PTR)(handle)) & (ULONG_PTR)2)
#define LDR_IS_RESOURCE(handle) (LDR_IS_IMAGEMAPPING(handle) || LDR_IS_DATAFILE(handle))

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
WINBASEAPI HMODULE WINAPI LoadLibraryExA(_In_ LPCSTR lpLibFileName, _Reserved_ HANDLE hFile, _In_ DWORD dwFlags);
WINBASEAPI HMODULE WINAPI LoadLibraryExW(_In_ LPCWSTR lpLibFileName, _Reserved_ HANDLE hFile, _In_ DWORD dwFlags);
WINBASEAPI BOOL WINAPI FreeLibrary(_In_ HMODULE hLibModule);
NTIO_END_DECLS

#ifdef UNICODE
#define GetModuleHandle GetModuleHandleW
#define GetModuleFileName GetModuleFileNameW
#define LoadLibrary LoadLibraryW
#define LoadLibraryEx LoadLibraryExW
#else
#define GetModuleHandle GetModuleHandleA
#define GetModuleFileName GetModuleFileNameA
#define LoadLibrary LoadLibraryA
#define LoadLibraryEx LoadLibraryExA
#endif

#endif /* NTIO_SDK_WIN32_MODULES_H */
