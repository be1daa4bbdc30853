// kernel32 virtual memory over the virtual memory services: VirtualAlloc(Ex), VirtualFree(Ex),
// VirtualProtect(Ex), VirtualQuery(Ex), VirtualLock, VirtualUnlock and FlushInstructionCache. The
// last errors come from the statuses (ERROR_INVALID_ADDRESS for conflicting or unallocated ranges,
// ERROR_NOT_LOCKED, ERROR_BAD_LENGTH for a short query buffer).
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualallocex
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualfreeex
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualprotectex
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualqueryex
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtuallock
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualunlock
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-flushinstructioncache
#include "win32/win32.hpp"

using namespace ntio;

extern "C" {

LPVOID WINAPI VirtualAllocEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType,
                             DWORD flProtect) {
    win32::ensure_system();
    PVOID base = lpAddress;
    SIZE_T size = dwSize;
    NTSTATUS status = NtAllocateVirtualMemory(hProcess, &base, 0, &size, flAllocationType, flProtect);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return nullptr;
    }
    return base;
}

LPVOID WINAPI VirtualAlloc(LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType, DWORD flProtect) {
    return VirtualAllocEx(NtCurrentProcess(), lpAddress, dwSize, flAllocationType, flProtect);
}

// Learn: "If the dwFreeType parameter is MEM_RELEASE, [dwSize] must be 0".
BOOL WINAPI VirtualFreeEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType) {
    win32::ensure_system();
    if ((dwFreeType & MEM_RELEASE) && dwSize != 0) return win32::succeeded(STATUS_INVALID_PARAMETER);
    PVOID base = lpAddress;
    SIZE_T size = dwSize;
    return win32::succeeded(NtFreeVirtualMemory(hProcess, &base, &size, dwFreeType));
}

BOOL WINAPI VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType) {
    return VirtualFreeEx(NtCurrentProcess(), lpAddress, dwSize, dwFreeType);
}

BOOL WINAPI VirtualProtectEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect,
                             PDWORD lpflOldProtect) {
    win32::ensure_system();
    PVOID base = lpAddress;
    SIZE_T size = dwSize;
    return win32::succeeded(NtProtectVirtualMemory(hProcess, &base, &size, flNewProtect, lpflOldProtect));
}

BOOL WINAPI VirtualProtect(LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect, PDWORD lpflOldProtect) {
    return VirtualProtectEx(NtCurrentProcess(), lpAddress, dwSize, flNewProtect, lpflOldProtect);
}

// The bytes written to the buffer, 0 on failure.
SIZE_T WINAPI VirtualQueryEx(HANDLE hProcess, LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength) {
    win32::ensure_system();
    SIZE_T written = 0;
    NTSTATUS status = NtQueryVirtualMemory(hProcess, const_cast<PVOID>(lpAddress), MemoryBasicInformation, lpBuffer,
                                           dwLength, &written);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    return written;
}

SIZE_T WINAPI VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength) {
    return VirtualQueryEx(NtCurrentProcess(), lpAddress, lpBuffer, dwLength);
}

BOOL WINAPI VirtualLock(LPVOID lpAddress, SIZE_T dwSize) {
    win32::ensure_system();
    PVOID base = lpAddress;
    SIZE_T size = dwSize;
    return win32::succeeded(NtLockVirtualMemory(NtCurrentProcess(), &base, &size, MAP_PROCESS));
}

BOOL WINAPI VirtualUnlock(LPVOID lpAddress, SIZE_T dwSize) {
    win32::ensure_system();
    PVOID base = lpAddress;
    SIZE_T size = dwSize;
    return win32::succeeded(NtUnlockVirtualMemory(NtCurrentProcess(), &base, &size, MAP_PROCESS));
}

BOOL WINAPI FlushInstructionCache(HANDLE hProcess, LPCVOID lpBaseAddress, SIZE_T dwSize) {
    win32::ensure_system();
    return win32::succeeded(NtFlushInstructionCache(hProcess, const_cast<PVOID>(lpBaseAddress), dwSize));
}

}  // extern "C"
