// advapi32 RegSaveKey(Ex) and RegRestoreKey (A and W) over NtSaveKeyEx and NtRestoreKey: the file is
// created (save) or opened (restore) through kernel32's CreateFile, so DOS paths work as anywhere
// else in ntio.
#include "win32/registry_common.hpp"

using namespace ntio::win32;
using namespace ntio::win32::registry;

namespace {

HANDLE create_save_file(LPCWSTR name, LPSECURITY_ATTRIBUTES security) {
    return CreateFileW(name, GENERIC_WRITE, 0, security, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
}
HANDLE create_save_file(LPCSTR name, LPSECURITY_ATTRIBUTES security) {
    return CreateFileA(name, GENERIC_WRITE, 0, security, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
}
HANDLE open_saved_file(LPCWSTR name) {
    return CreateFileW(name, GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
}
HANDLE open_saved_file(LPCSTR name) {
    return CreateFileA(name, GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
}
BOOL delete_file(LPCWSTR name) { return DeleteFileW(name); }
BOOL delete_file(LPCSTR name) { return DeleteFileA(name); }

// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regsavekeyexw: Flags is one of
// REG_STANDARD_FORMAT, REG_LATEST_FORMAT and REG_NO_COMPRESSION (all write the same text in ntio).
// The file must not exist (ERROR_ALREADY_EXISTS). A save that fails leaves no file behind.
template <class Char>
LSTATUS save_key(HKEY hKey, const Char* file, LPSECURITY_ATTRIBUTES security, DWORD flags) {
    ensure_system();
    if (!file) return ERROR_INVALID_PARAMETER;
    if (flags != REG_STANDARD_FORMAT && flags != REG_LATEST_FORMAT && flags != REG_NO_COMPRESSION)
        return ERROR_INVALID_PARAMETER;
    KeyArg key;
    NTSTATUS status = key.open(hKey, MAXIMUM_ALLOWED);
    if (!NT_SUCCESS(status)) return to_error(status);
    const DWORD saved_error = GetLastError();
    HANDLE handle = create_save_file(file, security);
    if (handle == INVALID_HANDLE_VALUE) {
        const DWORD error = GetLastError();
        SetLastError(saved_error);
        return static_cast<LSTATUS>(error == ERROR_FILE_EXISTS ? ERROR_ALREADY_EXISTS : error);
    }
    status = NtSaveKeyEx(key.get(), handle, flags);
    (void)NtClose(handle);
    if (!NT_SUCCESS(status)) (void)delete_file(file);
    SetLastError(saved_error);
    return NT_SUCCESS(status) ? ERROR_SUCCESS : to_error(status);
}

// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regrestorekeyw
template <class Char>
LSTATUS restore_key(HKEY hKey, const Char* file, DWORD flags) {
    ensure_system();
    if (!file) return ERROR_INVALID_PARAMETER;
    KeyArg key;
    NTSTATUS status = key.open(hKey, MAXIMUM_ALLOWED);
    if (!NT_SUCCESS(status)) return to_error(status);
    const DWORD saved_error = GetLastError();
    HANDLE handle = open_saved_file(file);
    if (handle == INVALID_HANDLE_VALUE) {
        const DWORD error = GetLastError();
        SetLastError(saved_error);
        return static_cast<LSTATUS>(error);
    }
    status = NtRestoreKey(key.get(), handle, flags);
    (void)NtClose(handle);
    return NT_SUCCESS(status) ? ERROR_SUCCESS : to_error(status);
}

}  // namespace

extern "C" {

LSTATUS WINAPI RegSaveKeyW(HKEY hKey, LPCWSTR lpFile, const LPSECURITY_ATTRIBUTES lpSecurityAttributes) {
    return save_key(hKey, lpFile, lpSecurityAttributes, REG_STANDARD_FORMAT);
}
LSTATUS WINAPI RegSaveKeyA(HKEY hKey, LPCSTR lpFile, const LPSECURITY_ATTRIBUTES lpSecurityAttributes) {
    return save_key(hKey, lpFile, lpSecurityAttributes, REG_STANDARD_FORMAT);
}
LSTATUS WINAPI RegSaveKeyExW(HKEY hKey, LPCWSTR lpFile, const LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD Flags) {
    return save_key(hKey, lpFile, lpSecurityAttributes, Flags);
}
LSTATUS WINAPI RegSaveKeyExA(HKEY hKey, LPCSTR lpFile, const LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD Flags) {
    return save_key(hKey, lpFile, lpSecurityAttributes, Flags);
}
LSTATUS WINAPI RegRestoreKeyW(HKEY hKey, LPCWSTR lpFile, DWORD dwFlags) { return restore_key(hKey, lpFile, dwFlags); }
LSTATUS WINAPI RegRestoreKeyA(HKEY hKey, LPCSTR lpFile, DWORD dwFlags) { return restore_key(hKey, lpFile, dwFlags); }

}  // extern "C"
