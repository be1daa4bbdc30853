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

void trim_trailing_separators(std::u16string& path) {
    std::size_t end = path.size();
    while (end > 0 && path[end - 1] == u'\\') --end;
    if (end > 0) path.resize(end);
}

// The missing keys of `path` created one by one below `root`, in the transaction.
NTSTATUS create_path(HANDLE root, const std::u16string& path, ACCESS_MASK access, PUNICODE_STRING key_class,
                     ULONG options, ULONG extra, PVOID security, HANDLE transaction, HANDLE* result,
                     ULONG* disposition) {
    std::vector<std::u16string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find(u'\\', start);
        if (end == std::u16string::npos) end = path.size();
        if (end > start) parts.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
    if (parts.empty()) return STATUS_OBJECT_NAME_INVALID;
    HANDLE parent = root;
    HANDLE intermediate = nullptr;
    NTSTATUS status = STATUS_SUCCESS;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        UNICODE_STRING name = counted(parts[i]);
        OBJECT_ATTRIBUTES attributes;
        HANDLE created = nullptr;
        const bool last = i + 1 == parts.size();
        if (last) {
            init_key_attributes(attributes, parent, &name, extra, security);
            status = NtCreateKeyTransacted(&created, access, &attributes, 0, key_class, options, transaction,
                                           disposition);
        } else {
            init_key_attributes(attributes, parent, &name);
            status = NtCreateKeyTransacted(&created, KEY_CREATE_SUB_KEY, &attributes, 0, nullptr,
                                           options & REG_OPTION_VOLATILE, transaction, nullptr);
        }
        if (intermediate) (void)NtClose(intermediate);
        intermediate = nullptr;
        if (!NT_SUCCESS(status)) return status;
        if (last)
            *result = created;
        else
            parent = intermediate = created;
    }
    return status;
}

LSTATUS create_key(HKEY hKey, const std::u16string* sub_key, const std::u16string* key_class, DWORD options,
                   REGSAM sam, LPSECURITY_ATTRIBUTES security, PHKEY result, LPDWORD disposition,
                   HANDLE transaction, PVOID extended) {
    ensure_system();
    if (!result) return ERROR_INVALID_PARAMETER;
    *result = nullptr;
    // pExtendedParemeter: "This parameter is reserved and must be NULL."
    if (!sub_key || extended) return ERROR_INVALID_PARAMETER;
    if (sub_key->size() * sizeof(WCHAR) > MAXUSHORT - 1) return ERROR_FILENAME_EXCED_RANGE;
    KeyArg root;
    NTSTATUS status = root.open(hKey, MAXIMUM_ALLOWED);
    if (!NT_SUCCESS(status)) return to_error(status);
    std::u16string path = *sub_key;
    trim_trailing_separators(path);
    UNICODE_STRING name = counted(path);
    std::u16string class_text = key_class ? *key_class : std::u16string();
    UNICODE_STRING class_string = counted(class_text);
    PUNICODE_STRING class_arg = key_class ? &class_string : nullptr;
    const ULONG extra = (security && security->bInheritHandle) ? OBJ_INHERIT : 0;
    PVOID descriptor = security ? security->lpSecurityDescriptor : nullptr;
    const ACCESS_MASK access = sam & ~static_cast<ACCESS_MASK>(KEY_WOW64_RES);
    OBJECT_ATTRIBUTES attributes;
    init_key_attributes(attributes, root.get(), &name, extra, descriptor);
    HANDLE handle = nullptr;
    ULONG created = 0;
    status = NtCreateKeyTransacted(&handle, access, &attributes, 0, class_arg, options, transaction, &created);
    if (status == STATUS_OBJECT_NAME_NOT_FOUND && path.find(u'\\') != std::u16string::npos)
        status = create_path(root.get(), path, access, class_arg, options, extra, descriptor, transaction, &handle,
                             &created);
    if (!NT_SUCCESS(status)) return to_error(status);
    *result = static_cast<HKEY>(handle);
    if (disposition) *disposition = created;
    return ERROR_SUCCESS;
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
    return create_key(hKey, lpSubKey ? &sub_key : nullptr, lpClass ? &key_class : nullptr, dwOptions, samDesired,
                      lpSecurityAttributes, phkResult, lpdwDisposition, hTransaction, pExtendedParemeter);
}

LSTATUS WINAPI RegCreateKeyTransactedA(HKEY hKey, LPCSTR lpSubKey, DWORD Reserved, LPSTR lpClass, DWORD dwOptions,
                                       REGSAM samDesired, const LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                       PHKEY phkResult, LPDWORD lpdwDisposition, HANDLE hTransaction,
                                       PVOID pExtendedParemeter) {
    (void)Reserved;
    std::u16string sub_key = lpSubKey ? ansi_to_utf16(lpSubKey) : std::u16string();
    std::u16string key_class = lpClass ? ansi_to_utf16(lpClass) : std::u16string();
    return create_key(hKey, lpSubKey ? &sub_key : nullptr, lpClass ? &key_class : nullptr, dwOptions, samDesired,
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
