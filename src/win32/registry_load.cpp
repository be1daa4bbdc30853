// advapi32 RegLoadKey, RegUnLoadKey and RegReplaceKey (A and W) over NtLoadKey, NtUnloadKey and
// NtReplaceKey: the hive's key is
// lpSubKey below hKey (HKEY_LOCAL_MACHINE or HKEY_USERS, or a handle to either), the file a DOS
// path, turned into its NT name as CreateFile turns it.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regloadkeyw
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regunloadkeyw
#include "win32/dos_paths.hpp"
#include "win32/registry_common.hpp"

using namespace ntio::win32;
using namespace ntio::win32::registry;

namespace {

// hKey and lpSubKey as NtLoadKey's TargetKey: a null or empty lpSubKey names no key to create
// (ERROR_INVALID_PARAMETER; Learn marks it optional without saying what NULL does).
template <class Char>
LSTATUS with_target(HKEY hKey, const Char* sub_key, const auto& call) {
    ensure_system();
    if (!sub_key || !*sub_key) return ERROR_INVALID_PARAMETER;
    KeyArg key;
    NTSTATUS status = key.open(hKey, MAXIMUM_ALLOWED);
    if (!NT_SUCCESS(status)) return to_error(status);
    Name name(sub_key);
    if (!NT_SUCCESS(name.status())) return to_error(name.status());
    OBJECT_ATTRIBUTES target;
    init_key_attributes(target, key.get(), name.get());
    return to_error(call(&target));
}

template <class Char>
LSTATUS load_key(HKEY hKey, const Char* sub_key, const Char* file) {
    if (!file) return ERROR_INVALID_PARAMETER;
    return with_target(hKey, sub_key, [&](POBJECT_ATTRIBUTES target) {
        DosPathAttributes source(file, nullptr);
        if (!NT_SUCCESS(source.status())) return source.status();
        return NtLoadKey(target, source.get());
    });
}

template <class Char>
LSTATUS unload_key(HKEY hKey, const Char* sub_key) {
    return with_target(hKey, sub_key, [](POBJECT_ATTRIBUTES target) { return NtUnloadKey(target); });
}

// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regreplacekeyw: hKey, or its
// lpSubKey, is the hive's root.
template <class Char>
LSTATUS replace_key(HKEY hKey, const Char* sub_key, const Char* new_file, const Char* old_file) {
    ensure_system();
    if (!new_file || !old_file) return ERROR_INVALID_PARAMETER;
    KeyArg key;
    NTSTATUS status = key.open(hKey, MAXIMUM_ALLOWED);
    if (!NT_SUCCESS(status)) return to_error(status);
    HANDLE target = key.get();
    HANDLE opened = nullptr;
    if (sub_key && *sub_key) {
        Name name(sub_key);
        if (!NT_SUCCESS(name.status())) return to_error(name.status());
        OBJECT_ATTRIBUTES attributes;
        init_key_attributes(attributes, key.get(), name.get());
        status = NtOpenKey(&opened, MAXIMUM_ALLOWED, &attributes);
        if (!NT_SUCCESS(status)) return to_error(status);
        target = opened;
    }
    DosPathAttributes replacement(new_file, nullptr);
    DosPathAttributes backup(old_file, nullptr);
    status = !NT_SUCCESS(replacement.status()) ? replacement.status()
             : !NT_SUCCESS(backup.status())    ? backup.status()
                                               : NtReplaceKey(replacement.get(), target, backup.get());
    if (opened) (void)NtClose(opened);
    return to_error(status);
}

}  // namespace

extern "C" {

LSTATUS WINAPI RegLoadKeyW(HKEY hKey, LPCWSTR lpSubKey, LPCWSTR lpFile) { return load_key(hKey, lpSubKey, lpFile); }
LSTATUS WINAPI RegLoadKeyA(HKEY hKey, LPCSTR lpSubKey, LPCSTR lpFile) { return load_key(hKey, lpSubKey, lpFile); }
LSTATUS WINAPI RegUnLoadKeyW(HKEY hKey, LPCWSTR lpSubKey) { return unload_key(hKey, lpSubKey); }
LSTATUS WINAPI RegUnLoadKeyA(HKEY hKey, LPCSTR lpSubKey) { return unload_key(hKey, lpSubKey); }
LSTATUS WINAPI RegReplaceKeyW(HKEY hKey, LPCWSTR lpSubKey, LPCWSTR lpNewFile, LPCWSTR lpOldFile) {
    return replace_key(hKey, lpSubKey, lpNewFile, lpOldFile);
}
LSTATUS WINAPI RegReplaceKeyA(HKEY hKey, LPCSTR lpSubKey, LPCSTR lpNewFile, LPCSTR lpOldFile) {
    return replace_key(hKey, lpSubKey, lpNewFile, lpOldFile);
}

}  // extern "C"
