// advapi32 registry keys over the Nt*Key services: the predefined roots, RegCreateKeyEx (which, unlike
// NtCreateKey, creates every missing key of the path), RegOpenKeyEx, RegDeleteKey(Ex), RegCloseKey,
// RegFlushKey, RegEnumKeyEx, RegQueryInfoKey and RegDeleteTree, in A and W forms. Errors are returned,
// not stored.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regcreatekeyexw
#include <cstring>
#include <string>
#include <vector>

#include "nt/rtl_registry_support.hpp"
#include "win32/registry_common.hpp"

namespace ntio::win32::registry {

bool is_path_separator(char16_t c) noexcept { return c == u'\\'; }

// RegCreateKeyEx and RegOpenKeyEx ignore separators at the end of a subkey name ("Software\\Test\\\\"
// opens Software\\Test on Windows); a name made only of separators is left to the services.
void trim_trailing_separators(std::u16string& path) {
    std::size_t end = path.size();
    while (end > 0 && is_path_separator(path[end - 1])) --end;
    if (end > 0) path.resize(end);
}

// RegCreateKeyEx's walk for a path whose parent is missing: every component is created (with the
// same volatility) below the previous one; the last one with the caller's access, class and security;
// in `transaction` when it is not NULL (RegCreateKeyTransacted).
NTSTATUS create_path(HANDLE root, const std::u16string& path, ACCESS_MASK access, PUNICODE_STRING key_class,
                     ULONG options, ULONG attributes_extra, PVOID security, HANDLE transaction, HANDLE* result,
                     ULONG* disposition) {
    std::vector<std::u16string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = start;
        while (end < path.size() && !is_path_separator(path[end])) ++end;
        if (end > start) parts.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
    if (parts.empty()) return STATUS_OBJECT_NAME_INVALID;
    HANDLE parent = root;
    HANDLE intermediate = nullptr;
    NTSTATUS status = STATUS_SUCCESS;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        UNICODE_STRING name;
        name.Buffer = reinterpret_cast<PWCH>(parts[i].data());
        name.Length = name.MaximumLength = static_cast<USHORT>(parts[i].size() * sizeof(WCHAR));
        OBJECT_ATTRIBUTES attributes;
        HANDLE created = nullptr;
        const bool last = i + 1 == parts.size();
        if (last) {
            init_key_attributes(attributes, parent, &name, attributes_extra, security);
            status = transaction ? NtCreateKeyTransacted(&created, access, &attributes, 0, key_class, options,
                                                         transaction, disposition)
                                 : NtCreateKey(&created, access, &attributes, 0, key_class, options, disposition);
        } else {
            init_key_attributes(attributes, parent, &name);
            const ULONG volatility = options & REG_OPTION_VOLATILE;
            status = transaction ? NtCreateKeyTransacted(&created, KEY_CREATE_SUB_KEY, &attributes, 0, nullptr,
                                                         volatility, transaction, nullptr)
                                 : NtCreateKey(&created, KEY_CREATE_SUB_KEY, &attributes, 0, nullptr, volatility, nullptr);
        }
        if (intermediate) (void)NtClose(intermediate);
        intermediate = nullptr;
        if (!NT_SUCCESS(status)) return status;
        if (last) {
            *result = created;
        } else {
            intermediate = created;
            parent = created;
        }
    }
    return status;
}

LSTATUS create_key(HKEY hKey, const std::u16string* sub_key, const std::u16string* key_class, DWORD options,
                   REGSAM sam, LPSECURITY_ATTRIBUTES security, PHKEY result, LPDWORD disposition,
                   HANDLE transaction) {
    ensure_system();
    if (!result) return ERROR_INVALID_PARAMETER;
    *result = nullptr;
    if (!sub_key) return ERROR_INVALID_PARAMETER;
    if (sub_key->size() * sizeof(WCHAR) > MAXUSHORT - 1) return ERROR_FILENAME_EXCED_RANGE;
    KeyArg root;
    NTSTATUS status = root.open(hKey, MAXIMUM_ALLOWED);
    if (!NT_SUCCESS(status)) return to_error(status);

    std::u16string path = *sub_key;
    trim_trailing_separators(path);
    UNICODE_STRING name;
    name.Buffer = reinterpret_cast<PWCH>(path.data());
    name.Length = name.MaximumLength = static_cast<USHORT>(path.size() * sizeof(WCHAR));
    std::u16string class_text = key_class ? *key_class : std::u16string();
    UNICODE_STRING class_string;
    class_string.Buffer = reinterpret_cast<PWCH>(class_text.data());
    class_string.Length = class_string.MaximumLength = static_cast<USHORT>(class_text.size() * sizeof(WCHAR));
    PUNICODE_STRING class_arg = key_class ? &class_string : nullptr;
    const ULONG extra = (security && security->bInheritHandle) ? OBJ_INHERIT : 0;
    PVOID descriptor = security ? security->lpSecurityDescriptor : nullptr;
    // KEY_WOW64_* pick a registry view on 64-bit Windows; there is only one view here.
    const ACCESS_MASK access = sam & ~static_cast<ACCESS_MASK>(KEY_WOW64_RES);

    OBJECT_ATTRIBUTES attributes;
    init_key_attributes(attributes, root.get(), &name, extra, descriptor);
    HANDLE handle = nullptr;
    ULONG created = 0;
    status = transaction
                 ? NtCreateKeyTransacted(&handle, access, &attributes, 0, class_arg, options, transaction, &created)
                 : NtCreateKey(&handle, access, &attributes, 0, class_arg, options, &created);
    if (status == STATUS_OBJECT_NAME_NOT_FOUND && path.find(u'\\') != std::u16string::npos)
        status = create_path(root.get(), path, access, class_arg, options, extra, descriptor, transaction, &handle,
                             &created);
    if (!NT_SUCCESS(status)) return to_error(status);
    *result = static_cast<HKEY>(handle);
    if (disposition) *disposition = created;
    return ERROR_SUCCESS;
}

namespace {

constexpr ULONG kPredefinedFirst = 0x80000000;
constexpr ULONG kPredefinedLast = 0x80000060;

NTSTATUS open_absolute(std::u16string path, ACCESS_MASK access, HANDLE* handle) {
    UNICODE_STRING name;
    name.Buffer = reinterpret_cast<PWCH>(path.data());
    name.Length = name.MaximumLength = static_cast<USHORT>(path.size() * sizeof(WCHAR));
    OBJECT_ATTRIBUTES attributes;
    init_key_attributes(attributes, nullptr, &name);
    return NtOpenKey(handle, access, &attributes);
}

// The root each predefined key stands for. HKEY_CURRENT_USER is the calling user's key under
// \REGISTRY\USER, or .DEFAULT while that user has no key there (RegOpenCurrentUser's fallback).
// NT deviation: HKEY_CLASSES_ROOT is the machine's Software\Classes only (no per-user merge), and the
// performance keys, HKEY_DYN_DATA and HKEY_CURRENT_USER_LOCAL_SETTINGS are invalid handles.
NTSTATUS open_predefined(HKEY key, ACCESS_MASK access, HANDLE* handle) {
    switch (static_cast<LONG>(static_cast<ULONG>(reinterpret_cast<ULONG_PTR>(key)))) {
    case static_cast<LONG>(0x80000002): return open_absolute(u"\\REGISTRY\\MACHINE", access, handle);
    case static_cast<LONG>(0x80000003): return open_absolute(u"\\REGISTRY\\USER", access, handle);
    case static_cast<LONG>(0x80000000): return open_absolute(u"\\REGISTRY\\MACHINE\\SOFTWARE\\Classes", access, handle);
    case static_cast<LONG>(0x80000005):
        return open_absolute(u"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Hardware Profiles\\Current", access,
                             handle);
    case static_cast<LONG>(0x80000001): {
        std::u16string user = nt::current_user_key_path();
        NTSTATUS status = open_absolute(user, access, handle);
        if (status == STATUS_OBJECT_NAME_NOT_FOUND) status = open_absolute(u"\\REGISTRY\\USER\\.DEFAULT", access, handle);
        return status;
    }
    default: return STATUS_INVALID_HANDLE;
    }
}


LSTATUS open_key(HKEY hKey, const std::u16string* sub_key, DWORD options, REGSAM sam, PHKEY result) {
    ensure_system();
    if (!result) return ERROR_INVALID_PARAMETER;
    *result = nullptr;
    const ACCESS_MASK access = sam & ~static_cast<ACCESS_MASK>(KEY_WOW64_RES);
    const bool same_key = !sub_key || sub_key->empty();
    HANDLE handle = nullptr;
    NTSTATUS status;
    if (same_key && is_predefined(hKey)) {
        // The predefined key itself comes back (each call opens its root with the rights it needs).
        if (NTSTATUS usable = open_predefined(hKey, access, &handle); !NT_SUCCESS(usable)) return to_error(usable);
        (void)NtClose(handle);
        *result = hKey;
        return ERROR_SUCCESS;
    } else {
        if (sub_key && sub_key->size() * sizeof(WCHAR) > MAXUSHORT - 1) return ERROR_FILENAME_EXCED_RANGE;
        KeyArg root;
        status = root.open(hKey, MAXIMUM_ALLOWED);
        if (!NT_SUCCESS(status)) return to_error(status);
        std::u16string path = sub_key ? *sub_key : std::u16string();
        trim_trailing_separators(path);
        UNICODE_STRING name;
        name.Buffer = reinterpret_cast<PWCH>(path.data());
        name.Length = name.MaximumLength = static_cast<USHORT>(path.size() * sizeof(WCHAR));
        OBJECT_ATTRIBUTES attributes;
        init_key_attributes(attributes, root.get(), &name);
        status = NtOpenKeyEx(&handle, access, &attributes, options);
    }
    if (!NT_SUCCESS(status)) return to_error(status);
    *result = static_cast<HKEY>(handle);
    return ERROR_SUCCESS;
}

LSTATUS delete_key(HKEY hKey, const std::u16string* sub_key) {
    ensure_system();
    if (!sub_key) return ERROR_INVALID_PARAMETER;
    HKEY target = nullptr;
    // The key itself needs DELETE; an empty name deletes hKey's own key.
    LSTATUS error = open_key(hKey, sub_key, 0, DELETE, &target);
    if (error != ERROR_SUCCESS) return error;
    NTSTATUS status = NtDeleteKey(static_cast<HANDLE>(target));
    (void)NtClose(static_cast<HANDLE>(target));
    return NT_SUCCESS(status) ? ERROR_SUCCESS : to_error(status);
}

std::u16string wide(LPCWSTR text) { return std::u16string(reinterpret_cast<const char16_t*>(text)); }

// The enumerated name as the caller's characters: the W form copies UTF-16, the A form converts.
template <typename Char>
bool store_name(std::u16string_view name, Char* buffer, DWORD capacity, DWORD* written) {
    if constexpr (sizeof(Char) == sizeof(WCHAR)) {
        if (name.size() + 1 > capacity) return false;
        std::memcpy(buffer, name.data(), name.size() * sizeof(WCHAR));
        buffer[name.size()] = 0;
        *written = static_cast<DWORD>(name.size());
    } else {
        std::string ansi = utf16_to_ansi(name);
        if (ansi.size() + 1 > capacity) return false;
        std::memcpy(buffer, ansi.data(), ansi.size());
        buffer[ansi.size()] = 0;
        *written = static_cast<DWORD>(ansi.size());
    }
    return true;
}

template <typename Char>
DWORD name_length(std::u16string_view name) {
    if constexpr (sizeof(Char) == sizeof(WCHAR)) return static_cast<DWORD>(name.size());
    else return static_cast<DWORD>(utf16_to_ansi(name).size());
}

// RegEnumKeyEx: lpcchName is the buffer's size in characters with the NUL; on success the name's
// length without it. A name or class that does not fit gives ERROR_MORE_DATA.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regenumkeyexw
template <typename Char>
LSTATUS enum_key(HKEY hKey, DWORD index, Char* name, LPDWORD name_chars, LPDWORD reserved, Char* class_name,
                 LPDWORD class_chars, PFILETIME last_write) {
    ensure_system();
    if (!name || !name_chars || reserved || (class_name && !class_chars)) return ERROR_INVALID_PARAMETER;
    KeyArg key;
    NTSTATUS status = key.open(hKey, KEY_ENUMERATE_SUB_KEYS);
    if (!NT_SUCCESS(status)) return to_error(status);
    std::vector<unsigned char> buffer;
    status = query_growing(buffer, [&](void* data, ULONG length, ULONG* needed) {
        return NtEnumerateKey(key.get(), index, KeyNodeInformation, data, length, needed);
    });
    if (!NT_SUCCESS(status)) return to_error(status);
    const auto* info = reinterpret_cast<const KEY_NODE_INFORMATION*>(buffer.data());
    std::u16string_view key_name(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / sizeof(WCHAR));
    std::u16string_view key_class(reinterpret_cast<const char16_t*>(buffer.data() + info->ClassOffset),
                                  info->ClassLength / sizeof(WCHAR));
    DWORD written = 0;
    if (!store_name(key_name, name, *name_chars, &written)) return ERROR_MORE_DATA;
    DWORD class_written = 0;
    if (class_name && !store_name(key_class, class_name, *class_chars, &class_written)) return ERROR_MORE_DATA;
    *name_chars = written;
    if (class_name) *class_chars = class_written;
    if (last_write) {
        last_write->dwLowDateTime = static_cast<DWORD>(info->LastWriteTime.QuadPart);
        last_write->dwHighDateTime = static_cast<DWORD>(static_cast<ULONGLONG>(info->LastWriteTime.QuadPart) >> 32);
    }
    return ERROR_SUCCESS;
}

ULONG security_descriptor_length(HANDLE key) {
    PVOID object = nullptr;
    if (!NT_SUCCESS(ObReferenceObjectByHandle(key, 0, nullptr, UserMode, &object, nullptr))) return 0;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    BOOLEAN allocated = FALSE;
    ULONG length = 0;
    if (NT_SUCCESS(ObGetObjectSecurity(object, &descriptor, &allocated)) && descriptor) {
        length = RtlLengthSecurityDescriptor(descriptor);
        ObReleaseObjectSecurity(descriptor, allocated);
    }
    ObDereferenceObject(object);
    return length;
}

// RegQueryInfoKey: lengths of names and classes in characters without the NUL, data in bytes.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regqueryinfokeyw
template <typename Char>
LSTATUS query_info_key(HKEY hKey, Char* class_name, LPDWORD class_chars, LPDWORD reserved, LPDWORD sub_keys,
                       LPDWORD max_sub_key_len, LPDWORD max_class_len, LPDWORD values, LPDWORD max_value_name_len,
                       LPDWORD max_value_len, LPDWORD security_length, PFILETIME last_write) {
    ensure_system();
    if (reserved || (class_name && !class_chars)) return ERROR_INVALID_PARAMETER;
    KeyArg key;
    NTSTATUS status = key.open(hKey, KEY_QUERY_VALUE);
    if (!NT_SUCCESS(status)) return to_error(status);
    std::vector<unsigned char> buffer;
    status = query_growing(buffer, [&](void* data, ULONG length, ULONG* needed) {
        return NtQueryKey(key.get(), KeyFullInformation, data, length, needed);
    });
    if (!NT_SUCCESS(status)) return to_error(status);
    const auto* info = reinterpret_cast<const KEY_FULL_INFORMATION*>(buffer.data());
    std::u16string_view key_class(reinterpret_cast<const char16_t*>(buffer.data() + info->ClassOffset),
                                  info->ClassLength / sizeof(WCHAR));
    if (class_chars) {
        const DWORD needed = name_length<Char>(key_class);
        const DWORD capacity = *class_chars;
        if (class_name && capacity == 0) {
            // A zero-sized class buffer is left alone and the call succeeds, with a length of 0.
            *class_chars = 0;
        } else if (class_name && needed + 1 > capacity) {
            if constexpr (sizeof(Char) == sizeof(WCHAR)) {
                // W: nothing is written; the length needed without the NUL.
                *class_chars = needed;
                return ERROR_INSUFFICIENT_BUFFER;
            } else {
                // A: the class cut to the buffer, NUL-terminated, and that length.
                const std::string ansi = utf16_to_ansi(key_class);
                std::memcpy(class_name, ansi.data(), capacity - 1);
                class_name[capacity - 1] = 0;
                *class_chars = capacity - 1;
                return ERROR_MORE_DATA;
            }
        } else {
            if (class_name) {
                DWORD written = 0;
                (void)store_name(key_class, class_name, capacity, &written);
            }
            *class_chars = needed;
        }
    }
    if (sub_keys) *sub_keys = info->SubKeys;
    if (max_sub_key_len) *max_sub_key_len = info->MaxNameLen / sizeof(WCHAR);
    if (max_class_len) *max_class_len = info->MaxClassLen / sizeof(WCHAR);
    if (values) *values = info->Values;
    if (max_value_name_len) *max_value_name_len = info->MaxValueNameLen / sizeof(WCHAR);
    if (max_value_len) *max_value_len = info->MaxValueDataLen;
    if (security_length) *security_length = security_descriptor_length(key.get());
    if (last_write) {
        last_write->dwLowDateTime = static_cast<DWORD>(info->LastWriteTime.QuadPart);
        last_write->dwHighDateTime = static_cast<DWORD>(static_cast<ULONGLONG>(info->LastWriteTime.QuadPart) >> 32);
    }
    return ERROR_SUCCESS;
}

// What RegDeleteTree needs on every key it empties and deletes.
constexpr ACCESS_MASK kTreeAccess = DELETE | KEY_ENUMERATE_SUB_KEYS | KEY_QUERY_VALUE | KEY_SET_VALUE;

// Deletes every subkey (link keys themselves, not their targets) and every value below `key`.
NTSTATUS empty_tree(HANDLE key, int depth) {
    if (depth > 512) return STATUS_INSUFFICIENT_RESOURCES;
    std::vector<unsigned char> buffer;
    for (;;) {
        NTSTATUS status = query_growing(buffer, [&](void* out, ULONG length, ULONG* needed) {
            return NtEnumerateKey(key, 0, KeyBasicInformation, out, length, needed);
        });
        if (status == STATUS_NO_MORE_ENTRIES) break;
        if (!NT_SUCCESS(status)) return status;
        auto* info = reinterpret_cast<KEY_BASIC_INFORMATION*>(buffer.data());
        UNICODE_STRING name{static_cast<USHORT>(info->NameLength), static_cast<USHORT>(info->NameLength), info->Name};
        OBJECT_ATTRIBUTES attributes;
        init_key_attributes(attributes, key, &name, OBJ_OPENLINK);
        HANDLE child = nullptr;
        status = NtOpenKey(&child, kTreeAccess, &attributes);
        if (!NT_SUCCESS(status)) return status;
        status = empty_tree(child, depth + 1);
        if (NT_SUCCESS(status)) status = NtDeleteKey(child);
        (void)NtClose(child);
        if (!NT_SUCCESS(status)) return status;
    }
    for (;;) {
        NTSTATUS status = query_growing(buffer, [&](void* out, ULONG length, ULONG* needed) {
            return NtEnumerateValueKey(key, 0, KeyValueBasicInformation, out, length, needed);
        });
        if (status == STATUS_NO_MORE_ENTRIES) return STATUS_SUCCESS;
        if (!NT_SUCCESS(status)) return status;
        auto* info = reinterpret_cast<KEY_VALUE_BASIC_INFORMATION*>(buffer.data());
        UNICODE_STRING name{static_cast<USHORT>(info->NameLength), static_cast<USHORT>(info->NameLength), info->Name};
        status = NtDeleteValueKey(key, &name);
        if (!NT_SUCCESS(status)) return status;
    }
}

// RegDeleteTree: a null subkey empties hKey; otherwise the subkey is emptied and deleted.
LSTATUS delete_tree(HKEY hKey, const std::u16string* sub_key) {
    ensure_system();
    if (!sub_key) {
        KeyArg key;
        NTSTATUS status = key.open(hKey, kTreeAccess);
        if (NT_SUCCESS(status)) status = empty_tree(key.get(), 0);
        return NT_SUCCESS(status) ? ERROR_SUCCESS : to_error(status);
    }
    HKEY target = nullptr;
    LSTATUS error = open_key(hKey, sub_key, 0, kTreeAccess, &target);
    if (error != ERROR_SUCCESS) return error;
    KeyArg key;
    NTSTATUS status = key.open(target, kTreeAccess);
    if (NT_SUCCESS(status)) status = empty_tree(key.get(), 0);
    if (NT_SUCCESS(status)) status = NtDeleteKey(key.get());
    if (!is_predefined(target)) (void)NtClose(static_cast<HANDLE>(target));
    return NT_SUCCESS(status) ? ERROR_SUCCESS : to_error(status);
}

}  // namespace

// Only the low 32 bits of a predefined key are looked at, as Windows does on 64-bit (HKEY_CURRENT_USER
// passed as 0x80000001, without the sign extension, is still HKEY_CURRENT_USER).
bool is_predefined(HKEY key) noexcept {
    const auto value = static_cast<ULONG>(reinterpret_cast<ULONG_PTR>(key));
    return value >= static_cast<ULONG>(kPredefinedFirst) && value <= static_cast<ULONG>(kPredefinedLast);
}

KeyArg::~KeyArg() {
    if (m_owned && m_handle) (void)NtClose(m_handle);
}

NTSTATUS KeyArg::open(HKEY key, ACCESS_MASK access) {
    // A null HKEY is not "no root": every Reg* call rejects it.
    if (!key) return STATUS_INVALID_HANDLE;
    if (!is_predefined(key)) {
        m_handle = static_cast<HANDLE>(key);
        return STATUS_SUCCESS;
    }
    NTSTATUS status = open_predefined(key, access, &m_handle);
    if (!NT_SUCCESS(status)) {
        m_handle = nullptr;
        return status;
    }
    m_owned = true;
    return status;
}

Name::Name(LPCWSTR name) {
    if (name) m_text = reinterpret_cast<const char16_t*>(name);
    finish();
}

Name::Name(LPCSTR name) {
    if (name) m_text = ansi_to_utf16(name);
    finish();
}

void Name::finish() {
    if (m_text.size() * sizeof(WCHAR) > MAXUSHORT - 1) {
        m_status = STATUS_NAME_TOO_LONG;
        return;
    }
    m_string.Buffer = reinterpret_cast<PWCH>(m_text.data());
    m_string.Length = m_string.MaximumLength = static_cast<USHORT>(m_text.size() * sizeof(WCHAR));
}

void init_key_attributes(OBJECT_ATTRIBUTES& attributes, HANDLE root, PUNICODE_STRING name, ULONG extra,
                         PVOID security) noexcept {
    InitializeObjectAttributes(&attributes, name, OBJ_CASE_INSENSITIVE | extra, root, security);
}

}  // namespace ntio::win32::registry

using namespace ntio::win32;
using namespace ntio::win32::registry;

extern "C" {

LSTATUS WINAPI RegCloseKey(HKEY hKey) {
    ensure_system();
    // Closing a predefined key succeeds and leaves it usable.
    if (is_predefined(hKey)) return ERROR_SUCCESS;
    NTSTATUS status = NtClose(static_cast<HANDLE>(hKey));
    return NT_SUCCESS(status) ? ERROR_SUCCESS : to_error(status);
}

LSTATUS WINAPI RegFlushKey(HKEY hKey) {
    ensure_system();
    KeyArg key;
    NTSTATUS status = key.open(hKey, MAXIMUM_ALLOWED);
    if (NT_SUCCESS(status)) status = NtFlushKey(key.get());
    return NT_SUCCESS(status) ? ERROR_SUCCESS : to_error(status);
}

LSTATUS WINAPI RegCreateKeyExW(HKEY hKey, LPCWSTR lpSubKey, DWORD Reserved, LPWSTR lpClass, DWORD dwOptions,
                               REGSAM samDesired, const LPSECURITY_ATTRIBUTES lpSecurityAttributes, PHKEY phkResult,
                               LPDWORD lpdwDisposition) {
    (void)Reserved;
    std::u16string sub_key = lpSubKey ? wide(lpSubKey) : std::u16string();
    std::u16string key_class = lpClass ? wide(lpClass) : std::u16string();
    return create_key(hKey, lpSubKey ? &sub_key : nullptr, lpClass ? &key_class : nullptr, dwOptions, samDesired,
                      lpSecurityAttributes, phkResult, lpdwDisposition);
}

LSTATUS WINAPI RegCreateKeyExA(HKEY hKey, LPCSTR lpSubKey, DWORD Reserved, LPSTR lpClass, DWORD dwOptions,
                               REGSAM samDesired, const LPSECURITY_ATTRIBUTES lpSecurityAttributes, PHKEY phkResult,
                               LPDWORD lpdwDisposition) {
    (void)Reserved;
    std::u16string sub_key = lpSubKey ? ansi_to_utf16(lpSubKey) : std::u16string();
    std::u16string key_class = lpClass ? ansi_to_utf16(lpClass) : std::u16string();
    return create_key(hKey, lpSubKey ? &sub_key : nullptr, lpClass ? &key_class : nullptr, dwOptions, samDesired,
                      lpSecurityAttributes, phkResult, lpdwDisposition);
}

LSTATUS WINAPI RegOpenKeyExW(HKEY hKey, LPCWSTR lpSubKey, DWORD ulOptions, REGSAM samDesired, PHKEY phkResult) {
    std::u16string sub_key = lpSubKey ? wide(lpSubKey) : std::u16string();
    return open_key(hKey, lpSubKey ? &sub_key : nullptr, ulOptions, samDesired, phkResult);
}

LSTATUS WINAPI RegOpenKeyExA(HKEY hKey, LPCSTR lpSubKey, DWORD ulOptions, REGSAM samDesired, PHKEY phkResult) {
    // The A form fails a null key before it touches *phkResult (the W form clears it first).
    if (!hKey && phkResult) return ERROR_INVALID_HANDLE;
    std::u16string sub_key = lpSubKey ? ansi_to_utf16(lpSubKey) : std::u16string();
    return open_key(hKey, lpSubKey ? &sub_key : nullptr, ulOptions, samDesired, phkResult);
}

LSTATUS WINAPI RegDeleteKeyExW(HKEY hKey, LPCWSTR lpSubKey, REGSAM samDesired, DWORD Reserved) {
    (void)samDesired;
    (void)Reserved;
    std::u16string sub_key = lpSubKey ? wide(lpSubKey) : std::u16string();
    return delete_key(hKey, lpSubKey ? &sub_key : nullptr);
}

LSTATUS WINAPI RegDeleteKeyExA(HKEY hKey, LPCSTR lpSubKey, REGSAM samDesired, DWORD Reserved) {
    (void)samDesired;
    (void)Reserved;
    std::u16string sub_key = lpSubKey ? ansi_to_utf16(lpSubKey) : std::u16string();
    return delete_key(hKey, lpSubKey ? &sub_key : nullptr);
}

// lpSubKeyName null renames hKey's own key; "The new name must not already exist" (a sibling of
// that name is ERROR_ACCESS_DENIED, Windows' STATUS_CANNOT_DELETE).
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regrenamekey
LSTATUS WINAPI RegRenameKey(HKEY hKey, LPCWSTR lpSubKeyName, LPCWSTR lpNewKeyName) {
    ensure_system();
    if (!lpNewKeyName) return ERROR_INVALID_PARAMETER;
    Name new_name(lpNewKeyName);
    if (!NT_SUCCESS(new_name.status())) return to_error(new_name.status());
    std::u16string sub_key = lpSubKeyName ? wide(lpSubKeyName) : std::u16string();
    HKEY target = nullptr;
    LSTATUS error = open_key(hKey, &sub_key, 0, KEY_WRITE, &target);
    if (error != ERROR_SUCCESS) return error;
    KeyArg key;  // a predefined key comes back as itself: its root is opened here
    NTSTATUS status = key.open(target, KEY_WRITE);
    if (NT_SUCCESS(status)) status = NtRenameKey(key.get(), new_name.get());
    if (!is_predefined(target)) (void)NtClose(static_cast<HANDLE>(target));
    return NT_SUCCESS(status) ? ERROR_SUCCESS : to_error(status);
}

// "Deletes the subkeys and values of the specified key recursively"; with lpSubKey NULL "the subkeys
// and values of hKey are deleted" and hKey stays. The key needs DELETE, KEY_ENUMERATE_SUB_KEYS and
// KEY_QUERY_VALUE (and KEY_SET_VALUE for its values).
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regdeletetreew
LSTATUS WINAPI RegDeleteTreeW(HKEY hKey, LPCWSTR lpSubKey) {
    std::u16string sub_key = lpSubKey ? wide(lpSubKey) : std::u16string();
    return delete_tree(hKey, lpSubKey ? &sub_key : nullptr);
}

// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regdeletetreea
LSTATUS WINAPI RegDeleteTreeA(HKEY hKey, LPCSTR lpSubKey) {
    std::u16string sub_key = lpSubKey ? ansi_to_utf16(lpSubKey) : std::u16string();
    return delete_tree(hKey, lpSubKey ? &sub_key : nullptr);
}

LSTATUS WINAPI RegDeleteKeyW(HKEY hKey, LPCWSTR lpSubKey) { return RegDeleteKeyExW(hKey, lpSubKey, 0, 0); }
LSTATUS WINAPI RegDeleteKeyA(HKEY hKey, LPCSTR lpSubKey) { return RegDeleteKeyExA(hKey, lpSubKey, 0, 0); }

LSTATUS WINAPI RegEnumKeyExW(HKEY hKey, DWORD dwIndex, LPWSTR lpName, LPDWORD lpcchName, LPDWORD lpReserved,
                             LPWSTR lpClass, LPDWORD lpcchClass, PFILETIME lpftLastWriteTime) {
    return enum_key(hKey, dwIndex, lpName, lpcchName, lpReserved, lpClass, lpcchClass, lpftLastWriteTime);
}

LSTATUS WINAPI RegEnumKeyExA(HKEY hKey, DWORD dwIndex, LPSTR lpName, LPDWORD lpcchName, LPDWORD lpReserved,
                             LPSTR lpClass, LPDWORD lpcchClass, PFILETIME lpftLastWriteTime) {
    return enum_key(hKey, dwIndex, lpName, lpcchName, lpReserved, lpClass, lpcchClass, lpftLastWriteTime);
}

LSTATUS WINAPI RegQueryInfoKeyW(HKEY hKey, LPWSTR lpClass, LPDWORD lpcchClass, LPDWORD lpReserved, LPDWORD lpcSubKeys,
                                LPDWORD lpcbMaxSubKeyLen, LPDWORD lpcbMaxClassLen, LPDWORD lpcValues,
                                LPDWORD lpcbMaxValueNameLen, LPDWORD lpcbMaxValueLen, LPDWORD lpcbSecurityDescriptor,
                                PFILETIME lpftLastWriteTime) {
    return query_info_key(hKey, lpClass, lpcchClass, lpReserved, lpcSubKeys, lpcbMaxSubKeyLen, lpcbMaxClassLen,
                          lpcValues, lpcbMaxValueNameLen, lpcbMaxValueLen, lpcbSecurityDescriptor, lpftLastWriteTime);
}

LSTATUS WINAPI RegQueryInfoKeyA(HKEY hKey, LPSTR lpClass, LPDWORD lpcchClass, LPDWORD lpReserved, LPDWORD lpcSubKeys,
                                LPDWORD lpcbMaxSubKeyLen, LPDWORD lpcbMaxClassLen, LPDWORD lpcValues,
                                LPDWORD lpcbMaxValueNameLen, LPDWORD lpcbMaxValueLen, LPDWORD lpcbSecurityDescriptor,
                                PFILETIME lpftLastWriteTime) {
    return query_info_key(hKey, lpClass, lpcchClass, lpReserved, lpcSubKeys, lpcbMaxSubKeyLen, lpcbMaxClassLen,
                          lpcValues, lpcbMaxValueNameLen, lpcbMaxValueLen, lpcbSecurityDescriptor, lpftLastWriteTime);
}

}  // extern "C"
