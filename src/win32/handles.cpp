// kernel32 handles, identity, time and debug output: CloseHandle/DuplicateHandle over
// NtClose/NtDuplicateObject, the pseudo handles, ids, tick counts and OutputDebugString.
#include <cstdio>
#include <string>

#include "win32/win32.hpp"

using namespace ntio;

extern "C" {

BOOL WINAPI CloseHandle(HANDLE hObject) {
    win32::ensure_system();
    NTSTATUS status = NtClose(hObject);
    if (NT_SUCCESS(status)) return TRUE;
    win32::set_last_nt_error(status);
    return FALSE;
}

BOOL WINAPI DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle, HANDLE hTargetProcessHandle,
                            LPHANDLE lpTargetHandle, DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwOptions) {
    win32::ensure_system();
    NTSTATUS status = NtDuplicateObject(hSourceProcessHandle, hSourceHandle, hTargetProcessHandle, lpTargetHandle,
                                        dwDesiredAccess, bInheritHandle ? OBJ_INHERIT : 0, dwOptions);
    if (NT_SUCCESS(status)) return TRUE;
    win32::set_last_nt_error(status);
    return FALSE;
}

HANDLE WINAPI GetCurrentProcess(VOID) { return NtCurrentProcess(); }
HANDLE WINAPI GetCurrentThread(VOID) { return NtCurrentThread(); }

DWORD WINAPI GetCurrentProcessId(VOID) {
    win32::ensure_system();
    return static_cast<DWORD>(reinterpret_cast<ULONG_PTR>(PsGetCurrentProcessId()));
}

DWORD WINAPI GetCurrentThreadId(VOID) {
    win32::ensure_system();
    return static_cast<DWORD>(reinterpret_cast<ULONG_PTR>(PsGetCurrentThreadId()));
}

// Milliseconds since the host booted (the interrupt time is in 100 ns units); wraps after 49.7
// days like Windows' GetTickCount.
ULONGLONG WINAPI GetTickCount64(VOID) { return KeQueryInterruptTime() / 10000; }
DWORD WINAPI GetTickCount(VOID) { return static_cast<DWORD>(GetTickCount64()); }

// Without a debugger, the text goes to stderr as DbgPrint's does.
VOID WINAPI OutputDebugStringA(LPCSTR lpOutputString) {
    if (lpOutputString) std::fputs(lpOutputString, stderr);
}

VOID WINAPI OutputDebugStringW(LPCWSTR lpOutputString) {
    if (!lpOutputString) return;
    std::string text = win32::utf16_to_ansi(reinterpret_cast<const char16_t*>(lpOutputString));
    std::fputs(text.c_str(), stderr);
}

}  // extern "C"
