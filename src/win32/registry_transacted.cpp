// advapi32's transacted registry keys: RegCreateKeyTransacted, RegOpenKeyTransacted and
// RegDeleteKeyTransacted (A and W) over NtCreateKeyTransacted / NtOpenKeyTransactedEx. As
// RegCreateKeyEx does, a create walks the missing keys of the path, each in the transaction.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regcreatekeytransactedw
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regopenkeytransactedw
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regdeletekeytransactedw
#include <string>
#include <vector>

#include "win32/registry_common.hpp"

namespace ntio::win32::registry {
namespace {

UNICODE_STRING counted(std::u16string& text) noexcept {
    UNICODE_STRING name;
    name.Buffer = reinterpret_cast<PWCH>(text.data());
    name.Length = name.MaximumLength = static_cast<USHORT>(text.size() * sizeof(WCHAR));
    return name;
}


LSTATUS create_transacted(HKEY hKey, const std::u16string* sub_key, const std::u16string* key_class, DWORD options,
                          REGSAM sam, LPSECURITY_ATTRIBUTES security, PHKEY result, LPDWORD disposition,
                          HANDLE transaction, PVOID extended) {
    if (!result) return ERROR_INVALID_PARAMETER;
    *result = nullptr;
    // pExtendedParemeter: "This parameter is reserved and must be NULL."
    if (extended) return ERROR_INVALID_PARAMETER;
    return create_key(hKey, sub_key, key_class, options, sam, security, result, disposition, transaction);
}

NTSTATUS open_in(HKEY hKey, const std::u16string* sub_key, DWORD options, ACCESS_MASK access, HANDLE transaction,
                 HANDLE* handle) {
    if (sub_key && sub_key->size() * sizeof(WCHAR) > MAXUSHORT - 1) return STATUS_NAME_TOO_LONG;
    KeyArg root;
    NTSTATUS status = root.open(hKey, MAXIMUM_ALLOWED);
    if (!NT_SUCCESS(status)) return status;
    std::u16string path = sub_key ? *sub_key : std::u16string();
    trim_trailing_separators(path);
    UNICODE_STRING name = counted(path);
    OBJECT_ATTRIBUTES attributes;
    init_key_attributes(attributes, root.get(), &name);
    return NtOpenKeyTransactedEx(handle, access, &attributes, options, transaction);
}

LSTATUS open_key(HKEY hKey, const std::u16string* sub_key, DWORD options, REGSAM sam, PHKEY result,
                 HANDLE transaction, PVOID extended) {
    ensure_system();
    if (!result) return ERROR_INVALID_PARAMETER;
    *result = nullptr;
    if (extended) return ERROR_INVALID_PARAMETER;
    // RegOpenKeyTransacted: with no subkey name and a predefined hKey, "phkResult receives the same hKey
    // handle passed into the function" (not bound to the transaction).
    if ((!sub_key || sub_key->empty()) && is_predefined(hKey)) {
        KeyArg root;
        NTSTATUS usable = root.open(hKey, sam & ~static_cast<ACCESS_MASK>(KEY_WOW64_RES));
        if (!NT_SUCCESS(usable)) return to_error(usable);
        *result = hKey;
        return ERROR_SUCCESS;
    }
    HANDLE handle = nullptr;
    NTSTATUS status =
        open_in(hKey, sub_key, options, sam & ~static_cast<ACCESS_MASK>(KEY_WOW64_RES), transaction, &handle);
    if (status == STATUS_NAME_TOO_LONG) return ERROR_FILENAME_EXCED_RANGE;
    if (!NT_SUCCESS(status)) return to_error(status);
    *result = static_cast<HKEY>(handle);
    return ERROR_SUCCESS;
}

// RegDeleteKeyTransacted: the key is deleted in the transaction (it must have no subkeys).
LSTATUS delete_key(HKEY hKey, const std::u16string* sub_key, HANDLE transaction, PVOID extended) {
    ensure_system();
    if (!sub_key || extended) return ERROR_INVALID_PARAMETER;
    HANDLE target = nullptr;
    NTSTATUS status = open_in(hKey, sub_key, 0, DELETE, transaction, &target);
    if (status == STATUS_NAME_TOO_LONG) return ERROR_FILENAME_EXCED_RANGE;
    if (!NT_SUCCESS(status)) return to_error(status);
    status = NtDeleteKey(target);
    (void)NtClose(target);
    return NT_SUCCESS(status) ? ERROR_SUCCESS : to_error(status);
}

std::u16string wide(LPCWSTR text) { return std::u16string(reinterpret_cast<const char16_t*>(text)); }

}  // namespace
}  // namespace ntio::win32::registry

using namespace ntio::win32;
using namespace ntio::win32::registry;

extern "C" {

LSTATUS WINAPI RegCreateKeyTransactedW(HKEY hKey, LPCWSTR lpSubKey, DWORD Reserved, LPWSTR lpClass, DWORD dwOptions,
                                       REGSAM samDesired, const LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                       PHKEY phkResult, LPDWORD lpdwDisposition, HANDLE hTransaction,
                                       PVOID pExtendedParemeter) {
    (void)Reserved;
    std::u16string sub_key = lpSubKey ? wide(lpSubKey) : std::u16string();
    std::u16string key_class = lpClass ? wide(lpClass) : std::u16string();
    return create_transacted(hKey, lpSubKey ? &sub_key : nullptr, lpClass ? &key_class : nullptr, dwOptions, samDesired,
                      lpSecurityAttributes, phkResult, lpdwDisposition, hTransaction, pExtendedParemeter);
}

LSTATUS WINAPI RegCreateKeyTransactedA(HKEY hKey, LPCSTR lpSubKey, DWORD Reserved, LPSTR lpClass, DWORD dwOptions,
                                       REGSAM samDesired, const LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                       PHKEY phkResult, LPDWORD lpdwDisposition, HANDLE hTransaction,
                                       PVOID pExtendedParemeter) {
    (void)Reserved;
    std::u16string sub_key = lpSubKey ? ansi_to_utf16(lpSubKey) : std::u16string();
    std::u16string key_class = lpClass ? ansi_to_utf16(lpClass) : std::u16string();
    return create_transacted(hKey, lpSubKey ? &sub_key : nullptr, lpClass ? &key_class : nullptr, dwOptions, samDesired,
                      lpSecurityAttributes, phkResult, lpdwDisposition, hTransaction, pExtendedParemeter);
}

LSTATUS WINAPI RegOpenKeyTransactedW(HKEY hKey, LPCWSTR lpSubKey, DWORD ulOptions, REGSAM samDesired, PHKEY phkResult,
                                     HANDLE hTransaction, PVOID pExtendedParemeter) {
    std::u16string sub_key = lpSubKey ? wide(lpSubKey) : std::u16string();
    return open_key(hKey, lpSubKey ? &sub_key : nullptr, ulOptions, samDesired, phkResult, hTransaction,
                    pExtendedParemeter);
}

LSTATUS WINAPI RegOpenKeyTransactedA(HKEY hKey, LPCSTR lpSubKey, DWORD ulOptions, REGSAM samDesired, PHKEY phkResult,
                                     HANDLE hTransaction, PVOID pExtendedParemeter) {
    std::u16string sub_key = lpSubKey ? ansi_to_utf16(lpSubKey) : std::u16string();
    return open_key(hKey, lpSubKey ? &sub_key : nullptr, ulOptions, samDesired, phkResult, hTransaction,
                    pExtendedParemeter);
}

LSTATUS WINAPI RegDeleteKeyTransactedW(HKEY hKey, LPCWSTR lpSubKey, REGSAM samDesired, DWORD Reserved,
                                       HANDLE hTransaction, PVOID pExtendedParameter) {
    (void)samDesired;  // KEY_WOW64_* select a view; there is one
    (void)Reserved;
    std::u16string sub_key = lpSubKey ? wide(lpSubKey) : std::u16string();
    return delete_key(hKey, lpSubKey ? &sub_key : nullptr, hTransaction, pExtendedParameter);
}

LSTATUS WINAPI RegDeleteKeyTransactedA(HKEY hKey, LPCSTR lpSubKey, REGSAM samDesired, DWORD Reserved,
                                       HANDLE hTransaction, PVOID pExtendedParameter) {
    (void)samDesired;
    (void)Reserved;
    std::u16string sub_key = lpSubKey ? ansi_to_utf16(lpSubKey) : std::u16string();
    return delete_key(hKey, lpSubKey ? &sub_key : nullptr, hTransaction, pExtendedParameter);
}

}  // extern "C"
