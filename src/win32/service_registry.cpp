// Service records in the registry: the Zw key and value helpers the SCM uses (kernel handles, no
// access check of the caller: the SCM checked its own rights first, as services.exe running as SYSTEM
// does), reading a record, deleting a service's key tree, and the name and text-argument rules.
// https://learn.microsoft.com/windows-hardware/drivers/install/hklm-system-currentcontrolset-services-registry-tree
#include <cstring>
#include <string>
#include <vector>

#include "win32/service_database.hpp"

namespace ntio::win32::scm {
namespace {

struct CountedName {
    explicit CountedName(std::u16string_view text) : storage(text) {
        string.Buffer = reinterpret_cast<PWCH>(storage.data());
        string.Length = string.MaximumLength = static_cast<USHORT>(storage.size() * sizeof(WCHAR));
    }
    std::u16string storage;
    UNICODE_STRING string{};
};

void init_attributes(OBJECT_ATTRIBUTES& attributes, HANDLE root, PUNICODE_STRING name) {
    InitializeObjectAttributes(&attributes, name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, root, nullptr);
}

template <typename Query>
NTSTATUS query_growing(std::vector<unsigned char>& buffer, Query&& query) {
    if (buffer.size() < 256) buffer.resize(256);
    for (;;) {
        ULONG needed = 0;
        NTSTATUS status = query(buffer.data(), static_cast<ULONG>(buffer.size()), &needed);
        if (status != STATUS_BUFFER_OVERFLOW && status != STATUS_BUFFER_TOO_SMALL) return status;
        buffer.resize(needed > buffer.size() ? needed : buffer.size() * 2);
    }
}

}  // namespace

void Key::reset() noexcept {
    if (m_handle) (void)ZwClose(m_handle);
    m_handle = nullptr;
}

NTSTATUS open_key(HANDLE root, std::u16string_view path, ACCESS_MASK access, Key& key) {
    CountedName name(path);
    OBJECT_ATTRIBUTES attributes;
    init_attributes(attributes, root, &name.string);
    return ZwOpenKey(key.out(), access, &attributes);
}

NTSTATUS create_key(HANDLE root, std::u16string_view path, ACCESS_MASK access, ULONG options, Key& key,
                    ULONG* disposition) {
    CountedName name(path);
    OBJECT_ATTRIBUTES attributes;
    init_attributes(attributes, root, &name.string);
    return ZwCreateKey(key.out(), access, &attributes, 0, nullptr, options, disposition);
}

NTSTATUS open_service_key(std::u16string_view service, ACCESS_MASK access, Key& key) {
    std::u16string path(kServicesPath);
    path += u'\\';
    path += service;
    return open_key(nullptr, path, access, key);
}

NTSTATUS read_value(HANDLE key, std::u16string_view name, ULONG& type, std::vector<unsigned char>& data) {
    CountedName value_name(name);
    std::vector<unsigned char> buffer;
    NTSTATUS status = query_growing(buffer, [&](void* out, ULONG length, ULONG* needed) {
        return ZwQueryValueKey(key, &value_name.string, KeyValuePartialInformation, out, length, needed);
    });
    if (!NT_SUCCESS(status)) return status;
    const auto* info = reinterpret_cast<const KEY_VALUE_PARTIAL_INFORMATION*>(buffer.data());
    type = info->Type;
    data.assign(info->Data, info->Data + info->DataLength);
    return STATUS_SUCCESS;
}

NTSTATUS read_dword(HANDLE key, std::u16string_view name, DWORD& value) {
    ULONG type = 0;
    std::vector<unsigned char> data;
    NTSTATUS status = read_value(key, name, type, data);
    if (!NT_SUCCESS(status)) return status;
    if (type != REG_DWORD || data.size() != sizeof(DWORD)) return STATUS_OBJECT_TYPE_MISMATCH;
    std::memcpy(&value, data.data(), sizeof(DWORD));
    return STATUS_SUCCESS;
}

NTSTATUS read_string(HANDLE key, std::u16string_view name, std::u16string& value) {
    ULONG type = 0;
    std::vector<unsigned char> data;
    NTSTATUS status = read_value(key, name, type, data);
    if (!NT_SUCCESS(status)) return status;
    if (type != REG_SZ && type != REG_EXPAND_SZ && type != REG_MULTI_SZ) return STATUS_OBJECT_TYPE_MISMATCH;
    value.assign(data.size() / sizeof(WCHAR), u'\0');
    std::memcpy(value.data(), data.data(), value.size() * sizeof(WCHAR));
    if (type == REG_MULTI_SZ) {
        while (value.size() >= 1 && value.back() == u'\0') value.pop_back();
    } else {
        const auto nul = value.find(u'\0');
        if (nul != std::u16string::npos) value.resize(nul);
    }
    return STATUS_SUCCESS;
}

NTSTATUS write_value(HANDLE key, std::u16string_view name, ULONG type, const void* data, ULONG size) {
    CountedName value_name(name);
    return ZwSetValueKey(key, &value_name.string, 0, type, const_cast<void*>(data), size);
}

NTSTATUS write_dword(HANDLE key, std::u16string_view name, DWORD value) {
    return write_value(key, name, REG_DWORD, &value, sizeof(value));
}

NTSTATUS write_string(HANDLE key, std::u16string_view name, ULONG type, std::u16string_view value) {
    std::u16string data(value);
    data.push_back(u'\0');
    if (type == REG_MULTI_SZ && !value.empty()) data.push_back(u'\0');
    return write_value(key, name, type, data.data(), static_cast<ULONG>(data.size() * sizeof(WCHAR)));
}

NTSTATUS delete_value(HANDLE key, std::u16string_view name) {
    CountedName value_name(name);
    NTSTATUS status = ZwDeleteValueKey(key, &value_name.string);
    return status == STATUS_OBJECT_NAME_NOT_FOUND ? STATUS_SUCCESS : status;
}

std::vector<std::u16string> subkey_names(HANDLE key) {
    std::vector<std::u16string> names;
    std::vector<unsigned char> buffer;
    for (ULONG index = 0;; ++index) {
        NTSTATUS status = query_growing(buffer, [&](void* out, ULONG length, ULONG* needed) {
            return ZwEnumerateKey(key, index, KeyBasicInformation, out, length, needed);
        });
        if (!NT_SUCCESS(status)) break;
        const auto* info = reinterpret_cast<const KEY_BASIC_INFORMATION*>(buffer.data());
        names.emplace_back(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / sizeof(WCHAR));
    }
    return names;
}

NTSTATUS delete_tree(HANDLE key) {
    for (const std::u16string& child_name : subkey_names(key)) {
        Key child;
        NTSTATUS status = open_key(key, child_name, KEY_ALL_ACCESS, child);
        if (!NT_SUCCESS(status)) return status;
        status = delete_tree(child.get());
        if (!NT_SUCCESS(status)) return status;
    }
    return ZwDeleteKey(key);
}

NTSTATUS read_record(HANDLE key, std::u16string_view name, ServiceRecord& record) {
    record = ServiceRecord{};
    record.name = std::u16string(name);
    NTSTATUS status = read_dword(key, u"Type", record.type);
    if (!NT_SUCCESS(status)) return STATUS_OBJECT_NAME_NOT_FOUND;
    (void)read_dword(key, u"Start", record.start);
    (void)read_dword(key, u"ErrorControl", record.error_control);
    (void)read_string(key, u"ImagePath", record.image_path);
    (void)read_string(key, u"Group", record.group);
    (void)read_dword(key, u"Tag", record.tag);
    (void)read_string(key, u"DependOnService", record.depend_on_service);
    (void)read_string(key, u"DependOnGroup", record.depend_on_group);
    (void)read_string(key, u"ObjectName", record.object_name);
    (void)read_string(key, u"DisplayName", record.display_name);
    DWORD delete_flag = 0;
    record.delete_flag = NT_SUCCESS(read_dword(key, u"DeleteFlag", delete_flag)) && delete_flag != 0;
    return STATUS_SUCCESS;
}

std::u16string fold(std::u16string_view name) {
    std::u16string folded(name);
    for (char16_t& c : folded) c = static_cast<char16_t>(RtlUpcaseUnicodeChar(static_cast<WCHAR>(c)));
    return folded;
}

// Service names: 1-256 characters, no '/' or '\' (CreateService: "Forward-slash (/) and backslash
// (\) are not valid service name characters"; MS-SCMR ROpenServiceW adds that they are illegal).
// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-createservicew
bool valid_service_name(std::u16string_view name) noexcept {
    if (name.empty() || name.size() > kMaxNameLength) return false;
    for (char16_t c : name)
        if (c == u'\\' || c == u'/') return false;
    return true;
}

std::unique_ptr<std::u16string> text_arg(LPCWSTR text) {
    if (!text) return nullptr;
    return std::make_unique<std::u16string>(reinterpret_cast<const char16_t*>(text));
}

std::unique_ptr<std::u16string> text_arg(LPCSTR text) {
    if (!text) return nullptr;
    return std::make_unique<std::u16string>(ansi_to_utf16(text));
}

std::unique_ptr<std::u16string> multi_text_arg(LPCWSTR text) {
    if (!text) return nullptr;
    auto out = std::make_unique<std::u16string>();
    const auto* p = reinterpret_cast<const char16_t*>(text);
    while (*p) {
        std::u16string_view item(p);
        if (!out->empty()) out->push_back(u'\0');
        out->append(item);
        p += item.size() + 1;
    }
    return out;
}

std::unique_ptr<std::u16string> multi_text_arg(LPCSTR text) {
    if (!text) return nullptr;
    auto out = std::make_unique<std::u16string>();
    const char* p = text;
    while (*p) {
        std::string_view item(p);
        if (!out->empty()) out->push_back(u'\0');
        out->append(ansi_to_utf16(item));
        p += item.size() + 1;
    }
    return out;
}

}  // namespace ntio::win32::scm
