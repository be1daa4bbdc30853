// The image file a process runs, as kernel32 (QueryFullProcessImageName) and psapi
// (GetProcessImageFileName and its K32 form) name it, through NtQueryInformationProcess's
// ProcessImageFileNameWin32 and ProcessImageFileName classes.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-queryfullprocessimagenamew
// https://learn.microsoft.com/windows/win32/api/psapi/nf-psapi-getprocessimagefilenamew
#include <vector>

#include "win32/win32.hpp"
#include "ntio/sdk/psapi.h"

using namespace ntio;

namespace {

// The path by the two calls a driver makes too: the size needed, then the buffer.
NTSTATUS image_path(HANDLE process, PROCESSINFOCLASS info_class, std::u16string& out) {
    ULONG needed = 0;
    NTSTATUS status = NtQueryInformationProcess(process, info_class, nullptr, 0, &needed);
    if (status != STATUS_INFO_LENGTH_MISMATCH) return NT_SUCCESS(status) ? STATUS_INTERNAL_ERROR : status;
    std::vector<ULONG_PTR> buffer((needed + sizeof(ULONG_PTR) - 1) / sizeof(ULONG_PTR));
    status = NtQueryInformationProcess(process, info_class, buffer.data(), needed, nullptr);
    if (!NT_SUCCESS(status)) return status;
    const auto* name = reinterpret_cast<const UNICODE_STRING*>(buffer.data());
    out.assign(reinterpret_cast<const char16_t*>(name->Buffer), name->Length / sizeof(WCHAR));
    return STATUS_SUCCESS;
}

// The path in the caller's characters into `buffer` of `size` characters with its NUL: the
// characters written without the NUL, or 0 with the last error. A buffer too small is
// ERROR_INSUFFICIENT_BUFFER, as for the other kernel32 calls that do not return the size needed.
template <class Char>
DWORD copy_path(HANDLE process, PROCESSINFOCLASS info_class, Char* buffer, DWORD size) {
    std::u16string path;
    NTSTATUS status = image_path(process, info_class, path);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    DWORD written;
    if constexpr (sizeof(Char) == 1) written = win32::copy_out(win32::utf16_to_ansi(path), size, buffer);
    else written = win32::copy_out(path, size, buffer);
    if (written >= size || !buffer) {
        SetLastError(buffer ? ERROR_INSUFFICIENT_BUFFER : ERROR_NOACCESS);
        return 0;
    }
    return written;
}

// dwFlags 0: the Win32 form (C:\...); PROCESS_NAME_NATIVE: the NT form. Another flag is
// ERROR_INVALID_PARAMETER; a NULL lpdwSize ERROR_NOACCESS (Windows faults). *lpdwSize is left as it
// was on failure.
template <class Char>
BOOL query_full_name(HANDLE process, DWORD flags, Char* buffer, PDWORD size) {
    if (flags & ~DWORD{PROCESS_NAME_NATIVE}) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!size) {
        SetLastError(ERROR_NOACCESS);
        return FALSE;
    }
    const PROCESSINFOCLASS info_class = (flags & PROCESS_NAME_NATIVE) ? ProcessImageFileName : ProcessImageFileNameWin32;
    const DWORD written = copy_path(process, info_class, buffer, *size);
    if (written == 0 && GetLastError() != ERROR_SUCCESS) return FALSE;
    *size = written;
    return TRUE;
}

}  // namespace

extern "C" {

// PROCESS_QUERY_INFORMATION or PROCESS_QUERY_LIMITED_INFORMATION.
BOOL WINAPI QueryFullProcessImageNameW(HANDLE hProcess, DWORD dwFlags, LPWSTR lpExeName, PDWORD lpdwSize) {
    SetLastError(ERROR_SUCCESS);
    return query_full_name(hProcess, dwFlags, lpExeName, lpdwSize);
}

BOOL WINAPI QueryFullProcessImageNameA(HANDLE hProcess, DWORD dwFlags, LPSTR lpExeName, PDWORD lpdwSize) {
    SetLastError(ERROR_SUCCESS);
    return query_full_name(hProcess, dwFlags, lpExeName, lpdwSize);
}

// The NT form ("in device form, rather than drive letters" on Windows; see ProcessImageFileName
// for ntio's). PROCESS_QUERY_INFORMATION or PROCESS_QUERY_LIMITED_INFORMATION.
DWORD WINAPI K32GetProcessImageFileNameW(HANDLE hProcess, LPWSTR lpImageFileName, DWORD nSize) {
    return copy_path(hProcess, ProcessImageFileName, lpImageFileName, nSize);
}

DWORD WINAPI K32GetProcessImageFileNameA(HANDLE hProcess, LPSTR lpImageFileName, DWORD nSize) {
    return copy_path(hProcess, ProcessImageFileName, lpImageFileName, nSize);
}

// psapi's names of the same routines (PSAPI_VERSION 1).
DWORD WINAPI GetProcessImageFileNameW(HANDLE hProcess, LPWSTR lpImageFileName, DWORD nSize) {
    return K32GetProcessImageFileNameW(hProcess, lpImageFileName, nSize);
}

DWORD WINAPI GetProcessImageFileNameA(HANDLE hProcess, LPSTR lpImageFileName, DWORD nSize) {
    return K32GetProcessImageFileNameA(hProcess, lpImageFileName, nSize);
}

}  // extern "C"
