// advapi32 RegCopyTree (A and W): the values and subkeys of a source key, recursively, into a
// destination key. The source subtree is read completely before anything is written, so a copy
// into the source's own subtree ends instead of chasing the keys it creates.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regcopytreew
#include <string>
#include <vector>

#include "win32/registry_common.hpp"

namespace ntio::win32::registry {
namespace {

struct CopiedValue {
    std::u16string name;
    ULONG type = REG_NONE;
    std::vector<unsigned char> data;
};

// One key of the source subtree: what the copy recreates below the destination.
struct CopiedKey {
    std::u16string name;
    std::u16string key_class;
    std::vector<unsigned char> security;  // self-relative; empty when the source had none
    std::vector<CopiedValue> values;
    std::vector<CopiedKey> subkeys;
};

// As deep as RegDeleteTree goes before it gives up.
constexpr int kMaxDepth = 512;

// "This function also copies the security descriptor for the key": owner, group and DACL (the SACL
// needs a privilege the copy does not ask for).
constexpr SECURITY_INFORMATION kCopiedSecurity =
    OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;

UNICODE_STRING counted(std::u16string& text) noexcept {
    const auto bytes = static_cast<USHORT>(text.size() * sizeof(WCHAR));
    return UNICODE_STRING{bytes, bytes, reinterpret_cast<PWCH>(text.data())};
}

NTSTATUS read_values(HANDLE key, std::vector<CopiedValue>& values) {
    std::vector<unsigned char> buffer;
    for (ULONG index = 0;; ++index) {
        NTSTATUS status = query_growing(buffer, [&](void* out, ULONG length, ULONG* needed) {
            return NtEnumerateValueKey(key, index, KeyValueFullInformation, out, length, needed);
        });
        if (status == STATUS_NO_MORE_ENTRIES) return STATUS_SUCCESS;
        if (!NT_SUCCESS(status)) return status;
        const auto* info = reinterpret_cast<const KEY_VALUE_FULL_INFORMATION*>(buffer.data());
        CopiedValue& value = values.emplace_back();
        value.name.assign(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / sizeof(WCHAR));
        value.type = info->Type;
        value.data.assign(buffer.data() + info->DataOffset, buffer.data() + info->DataOffset + info->DataLength);
    }
}

NTSTATUS read_security(HANDLE key, std::vector<unsigned char>& security) {
    NTSTATUS status = query_growing(security, [&](void* out, ULONG length, ULONG* needed) {
        return NtQuerySecurityObject(key, kCopiedSecurity, out, length, needed);
    });
    if (!NT_SUCCESS(status)) security.clear();
    return status;
}

// Reads the values and subkeys of `key` (with each subkey's class and security) into `tree`.
NTSTATUS read_tree(HANDLE key, CopiedKey& tree, int depth) {
    if (depth > kMaxDepth) return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = read_values(key, tree.values);
    if (!NT_SUCCESS(status)) return status;
    std::vector<unsigned char> buffer;
    for (ULONG index = 0;; ++index) {
        status = query_growing(buffer, [&](void* out, ULONG length, ULONG* needed) {
            return NtEnumerateKey(key, index, KeyNodeInformation, out, length, needed);
        });
        if (status == STATUS_NO_MORE_ENTRIES) return STATUS_SUCCESS;
        if (!NT_SUCCESS(status)) return status;
        const auto* info = reinterpret_cast<const KEY_NODE_INFORMATION*>(buffer.data());
        CopiedKey& child = tree.subkeys.emplace_back();
        child.name.assign(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / sizeof(WCHAR));
        child.key_class.assign(reinterpret_cast<const char16_t*>(buffer.data() + info->ClassOffset),
                               info->ClassLength / sizeof(WCHAR));
        UNICODE_STRING name = counted(child.name);
        OBJECT_ATTRIBUTES attributes;
        init_key_attributes(attributes, key, &name);
        HANDLE opened = nullptr;
        status = NtOpenKey(&opened, KEY_READ, &attributes);
        if (!NT_SUCCESS(status)) return status;
        status = read_security(opened, child.security);
        if (NT_SUCCESS(status)) status = read_tree(opened, child, depth + 1);
        (void)NtClose(opened);
        if (!NT_SUCCESS(status)) return status;
    }
}

// Writes the values of `tree` into `key` and creates (or opens, when they exist) its subkeys there.
// Guess (Learn is silent): a subkey the destination already has is merged into, not replaced, and
// keeps its own class and security; created keys are stable ones.
NTSTATUS write_tree(HANDLE key, CopiedKey& tree) {
    for (CopiedValue& value : tree.values) {
        UNICODE_STRING name = counted(value.name);
        NTSTATUS status = NtSetValueKey(key, &name, 0, value.type, value.data.data(),
                                        static_cast<ULONG>(value.data.size()));
        if (!NT_SUCCESS(status)) return status;
    }
    for (CopiedKey& child : tree.subkeys) {
        UNICODE_STRING name = counted(child.name);
        UNICODE_STRING key_class = counted(child.key_class);
        OBJECT_ATTRIBUTES attributes;
        init_key_attributes(attributes, key, &name, 0, child.security.empty() ? nullptr : child.security.data());
        HANDLE created = nullptr;
        NTSTATUS status = NtCreateKey(&created, KEY_SET_VALUE | KEY_CREATE_SUB_KEY, &attributes, 0,
                                      child.key_class.empty() ? nullptr : &key_class, 0, nullptr);
        if (!NT_SUCCESS(status)) return status;
        status = write_tree(created, child);
        (void)NtClose(created);
        if (!NT_SUCCESS(status)) return status;
    }
    return STATUS_SUCCESS;
}

// "The calling process must have KEY_CREATE_SUB_KEY access to the key" (hKeyDest): a handle opened
// without it is refused before anything is copied, as is a handle that is not one.
NTSTATUS check_destination(HANDLE key) {
    OBJECT_BASIC_INFORMATION info{};
    NTSTATUS status = NtQueryObject(key, ObjectBasicInformation, &info, sizeof(info), nullptr);
    if (!NT_SUCCESS(status)) return status;
    return (info.GrantedAccess & KEY_CREATE_SUB_KEY) ? STATUS_SUCCESS : STATUS_ACCESS_DENIED;
}

// The contents of hKeySrc (or of its subkey lpSubKey) go into hKeyDest itself: the source key is
// not recreated by name below the destination.
LSTATUS copy_tree(HKEY source_key, Name& sub_key, bool has_sub_key, HKEY destination_key) {
    ensure_system();
    if (!NT_SUCCESS(sub_key.status())) return to_error(sub_key.status());
    KeyArg source;
    NTSTATUS status = source.open(source_key, KEY_READ);
    if (!NT_SUCCESS(status)) return to_error(status);
    KeyArg destination;
    status = destination.open(destination_key, KEY_CREATE_SUB_KEY | KEY_SET_VALUE);
    if (NT_SUCCESS(status)) status = check_destination(destination.get());
    if (!NT_SUCCESS(status)) return to_error(status);

    HANDLE from = source.get();
    HANDLE opened = nullptr;
    if (has_sub_key) {
        OBJECT_ATTRIBUTES attributes;
        init_key_attributes(attributes, from, sub_key.get());
        status = NtOpenKey(&opened, KEY_READ, &attributes);
        if (!NT_SUCCESS(status)) return to_error(status);
        from = opened;
    }
    CopiedKey tree;
    status = read_tree(from, tree, 0);
    if (opened) (void)NtClose(opened);
    if (NT_SUCCESS(status)) status = write_tree(destination.get(), tree);
    return NT_SUCCESS(status) ? ERROR_SUCCESS : to_error(status);
}

}  // namespace
}  // namespace ntio::win32::registry

using namespace ntio::win32::registry;

extern "C" {

LSTATUS WINAPI RegCopyTreeW(HKEY hKeySrc, LPCWSTR lpSubKey, HKEY hKeyDest) {
    Name sub_key(lpSubKey);
    return copy_tree(hKeySrc, sub_key, lpSubKey != nullptr, hKeyDest);
}

// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regcopytreea
LSTATUS WINAPI RegCopyTreeA(HKEY hKeySrc, LPCSTR lpSubKey, HKEY hKeyDest) {
    Name sub_key(lpSubKey);
    return copy_tree(hKeySrc, sub_key, lpSubKey != nullptr, hKeyDest);
}

}  // extern "C"
