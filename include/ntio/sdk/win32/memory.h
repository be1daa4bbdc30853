/* Memory (memoryapi.h subset): file mapping objects over files or the paging file, views of them in
 * the process, their flush to the file; private memory of a process (VirtualAlloc and friends).
 * Named mappings live in \BaseNamedObjects.
 * https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-createfilemappingw
 * https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-mapviewoffileex */
#ifndef NTIO_SDK_WIN32_MEMORY_H
#define NTIO_SDK_WIN32_MEMORY_H
#include "types.h"
#include "access.h"
#include "../../ddk/ntio_ddk/memory_constants.h"
#include "../../ddk/ntio_ddk/memory_information.h"

#define FILE_MAP_COPY 0x00000001
#define FILE_MAP_WRITE SECTION_MAP_WRITE
#define FILE_MAP_READ SECTION_MAP_READ
#define FILE_MAP_EXECUTE SECTION_MAP_EXECUTE_EXPLICIT
#define FILE_MAP_ALL_ACCESS SECTION_ALL_ACCESS

NTIO_BEGIN_DECLS

/* hFile INVALID_HANDLE_VALUE: a mapping backed by the paging file (a size is required). flProtect is
 * a PAGE_* protection, optionally with SEC_* attributes (SEC_COMMIT when none). An existing named
 * mapping gives its handle and ERROR_ALREADY_EXISTS. */
WINBASEAPI HANDLE WINAPI CreateFileMappingA(_In_ HANDLE hFile, _In_opt_ LPSECURITY_ATTRIBUTES lpFileMappingAttributes,
                                            _In_ DWORD flProtect, _In_ DWORD dwMaximumSizeHigh,
                                            _In_ DWORD dwMaximumSizeLow, _In_opt_ LPCSTR lpName);
WINBASEAPI HANDLE WINAPI CreateFileMappingW(_In_ HANDLE hFile, _In_opt_ LPSECURITY_ATTRIBUTES lpFileMappingAttributes,
                                            _In_ DWORD flProtect, _In_ DWORD dwMaximumSizeHigh,
                                            _In_ DWORD dwMaximumSizeLow, _In_opt_ LPCWSTR lpName);
WINBASEAPI HANDLE WINAPI OpenFileMappingA(_In_ DWORD dwDesiredAccess, _In_ BOOL bInheritHandle, _In_ LPCSTR lpName);
WINBASEAPI HANDLE WINAPI OpenFileMappingW(_In_ DWORD dwDesiredAccess, _In_ BOOL bInheritHandle, _In_ LPCWSTR lpName);
WINBASEAPI LPVOID WINAPI MapViewOfFile(_In_ HANDLE hFileMappingObject, _In_ DWORD dwDesiredAccess,
                                       _In_ DWORD dwFileOffsetHigh, _In_ DWORD dwFileOffsetLow,
                                       _In_ SIZE_T dwNumberOfBytesToMap);
WINBASEAPI LPVOID WINAPI MapViewOfFileEx(_In_ HANDLE hFileMappingObject, _In_ DWORD dwDesiredAccess,
                                         _In_ DWORD dwFileOffsetHigh, _In_ DWORD dwFileOffsetLow,
                                         _In_ SIZE_T dwNumberOfBytesToMap, _In_opt_ LPVOID lpBaseAddress);
WINBASEAPI BOOL WINAPI UnmapViewOfFile(_In_ LPCVOID lpBaseAddress);
WINBASEAPI BOOL WINAPI FlushViewOfFile(_In_ LPCVOID lpBaseAddress, _In_ SIZE_T dwNumberOfBytesToFlush);

/* Private memory. https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualallocex
 * MEM_RESERVE rounds the address down to 64 KiB; VirtualFree with MEM_RELEASE needs dwSize 0. A view
 * of a file mapping is queried as MEM_MAPPED and freed by UnmapViewOfFile only. */
WINBASEAPI LPVOID WINAPI VirtualAlloc(_In_opt_ LPVOID lpAddress, _In_ SIZE_T dwSize, _In_ DWORD flAllocationType,
                                      _In_ DWORD flProtect);
WINBASEAPI LPVOID WINAPI VirtualAllocEx(_In_ HANDLE hProcess, _In_opt_ LPVOID lpAddress, _In_ SIZE_T dwSize,
                                        _In_ DWORD flAllocationType, _In_ DWORD flProtect);
WINBASEAPI BOOL WINAPI VirtualFree(_In_ LPVOID lpAddress, _In_ SIZE_T dwSize, _In_ DWORD dwFreeType);
WINBASEAPI BOOL WINAPI VirtualFreeEx(_In_ HANDLE hProcess, _In_ LPVOID lpAddress, _In_ SIZE_T dwSize,
                                     _In_ DWORD dwFreeType);
WINBASEAPI BOOL WINAPI VirtualProtect(_In_ LPVOID lpAddress, _In_ SIZE_T dwSize, _In_ DWORD flNewProtect,
                                      _Out_ PDWORD lpflOldProtect);
WINBASEAPI BOOL WINAPI VirtualProtectEx(_In_ HANDLE hProcess, _In_ LPVOID lpAddress, _In_ SIZE_T dwSize,
                                        _In_ DWORD flNewProtect, _Out_ PDWORD lpflOldProtect);
WINBASEAPI SIZE_T WINAPI VirtualQuery(_In_opt_ LPCVOID lpAddress, _Out_ PMEMORY_BASIC_INFORMATION lpBuffer,
                                      _In_ SIZE_T dwLength);
WINBASEAPI SIZE_T WINAPI VirtualQueryEx(_In_ HANDLE hProcess, _In_opt_ LPCVOID lpAddress,
                                        _Out_ PMEMORY_BASIC_INFORMATION lpBuffer, _In_ SIZE_T dwLength);
WINBASEAPI BOOL WINAPI VirtualLock(_In_ LPVOID lpAddress, _In_ SIZE_T dwSize);
WINBASEAPI BOOL WINAPI VirtualUnlock(_In_ LPVOID lpAddress, _In_ SIZE_T dwSize);
/* processthreadsapi.h */
WINBASEAPI BOOL WINAPI FlushInstructionCache(_In_ HANDLE hProcess, _In_opt_ LPCVOID lpBaseAddress,
                                             _In_ SIZE_T dwSize);

NTIO_END_DECLS

#ifdef UNICODE
#define CreateFileMapping CreateFileMappingW
#define OpenFileMapping OpenFileMappingW
#else
#define CreateFileMapping CreateFileMappingA
#define OpenFileMapping OpenFileMappingA
#endif

#endif
