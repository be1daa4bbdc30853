// RtlQueryRegistryValues: walks a driver's query table over the Zw*Key routines, calling its query
// routines or storing values directly (RTL_QUERY_REGISTRY_DIRECT), with the documented flags, defaults
// and REG_EXPAND_SZ / REG_MULTI_SZ preprocessing. Lives in nt, not rtl, because it calls services.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlqueryregistryvalues
#include "nt/current_system.hpp"
#include <wdm.h>

#include "nt/rtl_registry_support.hpp"

#include "rtl/string_pool.hpp"

namespace ntio::nt {
namespace {

constexpr ULONG kScopeFlags = RTL_QUERY_REGISTRY_SUBKEY | RTL_QUERY_REGISTRY_TOPKEY;

bool is_string_type(ULONG type) noexcept {
    return type == REG_SZ || type == REG_EXPAND_SZ || type == REG_MULTI_SZ;
}

// Bytes of a NUL-terminated (REG_SZ) or double-NUL-terminated (REG_MULTI_SZ) default, terminators
// included: what the routine measures when DefaultLength is 0.
ULONG default_string_length(ULONG type, const WCHAR* data) noexcept {
    if (!data) return 0;
    std::size_t count = 0;
    if (type == REG_MULTI_SZ) {
        while (data[count] || data[count + 1]) ++count;
        count += 2;
    } else {
        while (data[count]) ++count;
        count += 1;
    }
    return static_cast<ULONG>(count * sizeof(WCHAR));
}

// Keys in \REGISTRY\USER come from user profile hives, the untrusted ones of the TYPECHECK rule.
bool is_untrusted_path(std::u16string_view path) noexcept {
    constexpr std::u16string_view kUser = u"\\REGISTRY\\USER";
    if (path.size() < kUser.size()) return false;
    for (std::size_t i = 0; i < kUser.size(); ++i) {
        char16_t c = path[i];
        if (c >= u'a' && c <= u'z') c = static_cast<char16_t>(c - u'a' + u'A');
        if (c != kUser[i]) return false;
    }
    return path.size() == kUser.size() || path[kUser.size()] == u'\\';
}

// Decided before the walk allocates anything: a fast fail unwinds nothing.
bool key_is_untrusted(HANDLE key) {
    alignas(KEY_NAME_INFORMATION) unsigned char buffer[1024];
    ULONG needed = 0;
    if (!NT_SUCCESS(ZwQueryKey(key, KeyNameInformation, buffer, sizeof(buffer), &needed))) return false;
    const auto* info = reinterpret_cast<const KEY_NAME_INFORMATION*>(buffer);
    return is_untrusted_path(std::u16string_view(reinterpret_cast<const char16_t*>(info->Name),
                                                 info->NameLength / sizeof(WCHAR)));
}

bool target_is_untrusted(ULONG relative_to, PCWSTR path) {
    if (relative_to & RTL_REGISTRY_HANDLE) return key_is_untrusted(reinterpret_cast<HANDLE>(const_cast<PWSTR>(path)));
    switch (relative_to & ~static_cast<ULONG>(RTL_REGISTRY_OPTIONAL)) {
    case RTL_REGISTRY_USER: return true;
    case RTL_REGISTRY_ABSOLUTE: return path && is_untrusted_path(reinterpret_cast<const char16_t*>(path));
    default: return false;
    }
}

// A key information query into a buffer that grows to what the service says it needs.
template <typename Query>
NTSTATUS query_growing(std::vector<unsigned char>& buffer, Query&& query) {
    if (buffer.size() < 256) buffer.resize(256);
    for (;;) {
        ULONG needed = 0;
        NTSTATUS status = query(buffer.data(), static_cast<ULONG>(buffer.size()), &needed);
        if (status != STATUS_BUFFER_OVERFLOW && status != STATUS_BUFFER_TOO_SMALL) return status;
        if (needed <= buffer.size()) needed = static_cast<ULONG>(buffer.size() * 2);
        buffer.resize(needed);
    }
}

class TableWalker {
public:
    TableWalker(PVOID context, PVOID environment) : m_context(context), m_environment(environment) {}

    NTSTATUS run(ULONG relative_to, PCWSTR path, PRTL_QUERY_REGISTRY_TABLE table);

private:
    NTSTATUS process_entry(PRTL_QUERY_REGISTRY_TABLE entry, HANDLE key);
    NTSTATUS query_all_values(PRTL_QUERY_REGISTRY_TABLE entry, HANDLE key);
    NTSTATUS deliver(PRTL_QUERY_REGISTRY_TABLE entry, PWSTR name, ULONG type, const void* data, ULONG length);
    NTSTATUS call(PRTL_QUERY_REGISTRY_TABLE entry, PWSTR name, ULONG type, const void* data, ULONG length);
    static NTSTATUS store_direct(PRTL_QUERY_REGISTRY_TABLE entry, ULONG type, const void* data, ULONG length);

    PVOID m_context;
    PVOID m_environment;
    std::vector<unsigned char> m_buffer;
};

NTSTATUS TableWalker::run(ULONG relative_to, PCWSTR path, PRTL_QUERY_REGISTRY_TABLE table) {
    bool deletes = false;
    for (PRTL_QUERY_REGISTRY_TABLE entry = table; entry->QueryRoutine || entry->Name; ++entry) {
        if (entry->Flags & RTL_QUERY_REGISTRY_DELETE) deletes = true;
        // Since Windows 8 a DIRECT query without TYPECHECK on an untrusted hive is a fast fail; subkeys
        // stay in the hive of the key RelativeTo and Path name.
        if ((entry->Flags & RTL_QUERY_REGISTRY_DIRECT) && !(entry->Flags & RTL_QUERY_REGISTRY_TYPECHECK) &&
            target_is_untrusted(relative_to, path))
            KeBugCheckEx(KERNEL_SECURITY_CHECK_FAILURE, FAST_FAIL_UNSAFE_REGISTRY_ACCESS,
                         reinterpret_cast<ULONG_PTR>(entry), reinterpret_cast<ULONG_PTR>(path), relative_to);
    }
    const ACCESS_MASK access = KEY_READ | (deletes ? KEY_SET_VALUE : 0);

    RtlKey top;
    NTSTATUS status = rtl_registry_open(relative_to, path, access, false, top);
    if (!NT_SUCCESS(status)) {
        // RTL_REGISTRY_OPTIONAL: a missing key is not an error; nothing is queried.
        if ((relative_to & RTL_REGISTRY_OPTIONAL) &&
            (status == STATUS_OBJECT_NAME_NOT_FOUND || status == STATUS_OBJECT_PATH_NOT_FOUND))
            return STATUS_SUCCESS;
        return status;
    }

    RtlKey subkey;
    HANDLE current = top.get();
    for (PRTL_QUERY_REGISTRY_TABLE entry = table; entry->QueryRoutine || entry->Name; ++entry) {
        if (entry->Flags & kScopeFlags) {
            // Each scope change starts again from the key RelativeTo and Path name.
            subkey.reset();
            current = top.get();
            if ((entry->Flags & RTL_QUERY_REGISTRY_SUBKEY) && entry->Name && entry->Name[0]) {
                UNICODE_STRING name;
                RtlInitUnicodeString(&name, entry->Name);
                OBJECT_ATTRIBUTES attributes;
                InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, top.get(),
                                           nullptr);
                status = ZwOpenKey(subkey.out(), access, &attributes);
                if (!NT_SUCCESS(status)) {
                    subkey.reset();
                    return status;
                }
                current = subkey.get();
            }
            // A scope entry without a routine only moves the focus.
            if (!entry->QueryRoutine) continue;
        }
        status = process_entry(entry, current);
        if (!NT_SUCCESS(status)) return status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS TableWalker::process_entry(PRTL_QUERY_REGISTRY_TABLE entry, HANDLE key) {
    const ULONG flags = entry->Flags;
    const bool direct = (flags & RTL_QUERY_REGISTRY_DIRECT) != 0;
    if (!direct && !entry->QueryRoutine) return STATUS_INVALID_PARAMETER;
    // On a scope entry Name named the subkey, not a value.
    PWSTR value_name = (flags & kScopeFlags) ? nullptr : entry->Name;

    if (direct && (!value_name || !entry->EntryContext)) return STATUS_INVALID_PARAMETER;

    // NOVALUE on a nameless entry: one call with no value instead of one per value of the key.
    if ((flags & RTL_QUERY_REGISTRY_NOVALUE) && !value_name && !direct)
        return entry->QueryRoutine(value_name, REG_NONE, nullptr, 0, m_context, entry->EntryContext);
    if (!value_name) return query_all_values(entry, key);

    UNICODE_STRING name;
    RtlInitUnicodeString(&name, value_name);
    NTSTATUS status = query_growing(m_buffer, [&](void* buffer, ULONG length, ULONG* needed) {
        return ZwQueryValueKey(key, &name, KeyValuePartialInformation, buffer, length, needed);
    });
    if (status == STATUS_OBJECT_NAME_NOT_FOUND) {
        if (flags & RTL_QUERY_REGISTRY_REQUIRED) return STATUS_OBJECT_NAME_NOT_FOUND;
        ULONG default_type = entry->DefaultType;
        if (flags & RTL_QUERY_REGISTRY_TYPECHECK) default_type &= ~static_cast<ULONG>(RTL_QUERY_REGISTRY_TYPECHECK_MASK);
        if (default_type == REG_NONE) return STATUS_SUCCESS;
        ULONG length = entry->DefaultLength;
        if (length == 0 && is_string_type(default_type))
            length = default_string_length(default_type, static_cast<const WCHAR*>(entry->DefaultData));
        return deliver(entry, value_name, default_type, entry->DefaultData, length);
    }
    if (!NT_SUCCESS(status)) return status;

    // The value moves out of m_buffer: a query routine may re-enter the walker's buffer users.
    const auto* info = reinterpret_cast<const KEY_VALUE_PARTIAL_INFORMATION*>(m_buffer.data());
    std::vector<unsigned char> data(info->Data, info->Data + info->DataLength);
    const ULONG type = info->Type;
    if (direct && (flags & RTL_QUERY_REGISTRY_TYPECHECK)) {
        const ULONG expected = entry->DefaultType >> RTL_QUERY_REGISTRY_TYPECHECK_SHIFT;
        if (expected != type) return STATUS_OBJECT_TYPE_MISMATCH;
    }
    status = deliver(entry, value_name, type, data.data(), static_cast<ULONG>(data.size()));
    if (!NT_SUCCESS(status)) return status;
    if (flags & RTL_QUERY_REGISTRY_DELETE) {
        status = ZwDeleteValueKey(key, &name);
        if (!NT_SUCCESS(status)) return status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS TableWalker::query_all_values(PRTL_QUERY_REGISTRY_TABLE entry, HANDLE key) {
    struct Value {
        std::u16string name;
        ULONG type;
        std::vector<unsigned char> data;
    };
    // Read every value before calling out, so a routine that writes the key cannot skew the indexes.
    std::vector<Value> values;
    for (ULONG index = 0;; ++index) {
        NTSTATUS status = query_growing(m_buffer, [&](void* buffer, ULONG length, ULONG* needed) {
            return ZwEnumerateValueKey(key, index, KeyValueFullInformation, buffer, length, needed);
        });
        if (status == STATUS_NO_MORE_ENTRIES) break;
        if (!NT_SUCCESS(status)) return status;
        const auto* info = reinterpret_cast<const KEY_VALUE_FULL_INFORMATION*>(m_buffer.data());
        const auto* bytes = m_buffer.data();
        values.push_back(Value{std::u16string(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / sizeof(WCHAR)),
                               info->Type,
                               std::vector<unsigned char>(bytes + info->DataOffset, bytes + info->DataOffset + info->DataLength)});
    }
    if (values.empty() && (entry->Flags & RTL_QUERY_REGISTRY_REQUIRED)) return STATUS_OBJECT_NAME_NOT_FOUND;
    for (Value& value : values) {
        NTSTATUS status = deliver(entry, reinterpret_cast<PWSTR>(value.name.data()), value.type, value.data.data(),
                                  static_cast<ULONG>(value.data.size()));
        if (!NT_SUCCESS(status)) return status;
    }
    if (entry->Flags & RTL_QUERY_REGISTRY_DELETE) {
        for (Value& value : values) {
            UNICODE_STRING name;
            name.Buffer = reinterpret_cast<PWCH>(value.name.data());
            name.Length = name.MaximumLength = static_cast<USHORT>(value.name.size() * sizeof(WCHAR));
            NTSTATUS status = ZwDeleteValueKey(key, &name);
            if (!NT_SUCCESS(status)) return status;
        }
    }
    return STATUS_SUCCESS;
}

// The preprocessing step: REG_EXPAND_SZ is expanded and handed on as REG_SZ, REG_MULTI_SZ is handed
// on one REG_SZ string per call; RTL_QUERY_REGISTRY_NOEXPAND passes both raw.
NTSTATUS TableWalker::deliver(PRTL_QUERY_REGISTRY_TABLE entry, PWSTR name, ULONG type, const void* data, ULONG length) {
    const ULONG flags = entry->Flags;
    if (!(flags & RTL_QUERY_REGISTRY_NOEXPAND) && data) {
        const auto* text = static_cast<const char16_t*>(data);
        std::size_t count = length / sizeof(WCHAR);
        if (type == REG_EXPAND_SZ) {
            std::u16string_view raw(text, count);
            if (const std::size_t nul = raw.find(u'\0'); nul != std::u16string_view::npos) raw = raw.substr(0, nul);
            std::u16string expanded = expand_environment(raw, environment_block_lookup(static_cast<const WCHAR*>(m_environment)));
            return call(entry, name, REG_SZ, expanded.c_str(), static_cast<ULONG>((expanded.size() + 1) * sizeof(WCHAR)));
        }
        if (type == REG_MULTI_SZ && !(flags & RTL_QUERY_REGISTRY_DIRECT)) {
            std::size_t start = 0;
            while (start < count && text[start]) {
                std::size_t end = start;
                while (end < count && text[end]) ++end;
                std::u16string piece(text + start, end - start);
                NTSTATUS status = call(entry, name, REG_SZ, piece.c_str(), static_cast<ULONG>((piece.size() + 1) * sizeof(WCHAR)));
                if (!NT_SUCCESS(status)) return status;
                start = end + 1;
            }
            return STATUS_SUCCESS;
        }
    }
    return call(entry, name, type, data, length);
}

NTSTATUS TableWalker::call(PRTL_QUERY_REGISTRY_TABLE entry, PWSTR name, ULONG type, const void* data, ULONG length) {
    if (entry->Flags & RTL_QUERY_REGISTRY_DIRECT) return store_direct(entry, type, data, length);
    return entry->QueryRoutine(name, type, const_cast<void*>(data), length, m_context, entry->EntryContext);
}

// EntryContext as the documentation lays it out: a UNICODE_STRING for strings (Buffer NULL: allocated
// here, freed with RtlFreeUnicodeString), the value itself when it fits a ULONG, else a buffer whose
// first LONG is -size (data only) or +size (length, type, then data).
NTSTATUS TableWalker::store_direct(PRTL_QUERY_REGISTRY_TABLE entry, ULONG type, const void* data, ULONG length) {
    if (is_string_type(type) && !(entry->Flags & RTL_QUERY_REGISTRY_NOSTRING)) {
        auto* string = static_cast<PUNICODE_STRING>(entry->EntryContext);
        const auto* text = static_cast<const WCHAR*>(data);
        ULONG bytes = length & ~static_cast<ULONG>(1);
        const bool terminated = bytes >= sizeof(WCHAR) && text[bytes / sizeof(WCHAR) - 1] == 0;
        const ULONG text_bytes = terminated ? bytes - static_cast<ULONG>(sizeof(WCHAR)) : bytes;
        const ULONG with_nul = text_bytes + static_cast<ULONG>(sizeof(WCHAR));
        if (with_nul > MAXUSHORT) return STATUS_BUFFER_TOO_SMALL;
        if (!string->Buffer) {
            auto* buffer = static_cast<PWCH>(rtl::string_alloc(with_nul));
            if (!buffer) return STATUS_NO_MEMORY;
            string->Buffer = buffer;
            string->MaximumLength = static_cast<USHORT>(with_nul);
        } else if (text_bytes > string->MaximumLength) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        if (text_bytes) std::memcpy(string->Buffer, data, text_bytes);
        string->Length = static_cast<USHORT>(text_bytes);
        if (with_nul <= string->MaximumLength) string->Buffer[text_bytes / sizeof(WCHAR)] = 0;
        return STATUS_SUCCESS;
    }
    if (length <= sizeof(ULONG)) {
        if (length) std::memcpy(entry->EntryContext, data, length);
        return STATUS_SUCCESS;
    }
    auto* buffer = static_cast<unsigned char*>(entry->EntryContext);
    LONG declared;
    std::memcpy(&declared, buffer, sizeof(declared));
    if (declared < 0) {
        if (static_cast<ULONG>(-static_cast<LONGLONG>(declared)) < length) return STATUS_BUFFER_TOO_SMALL;
        std::memcpy(buffer, data, length);
        return STATUS_SUCCESS;
    }
    if (static_cast<ULONGLONG>(declared) < static_cast<ULONGLONG>(length) + 2 * sizeof(ULONG)) return STATUS_BUFFER_TOO_SMALL;
    const ULONG header[2] = {length, type};
    std::memcpy(buffer, header, sizeof(header));
    std::memcpy(buffer + sizeof(header), data, length);
    return STATUS_SUCCESS;
}

}  // namespace
}  // namespace ntio::nt

extern "C" {

NTSYSAPI NTSTATUS NTAPI RtlQueryRegistryValues(ULONG RelativeTo, PCWSTR Path, PRTL_QUERY_REGISTRY_TABLE QueryTable,
                                               PVOID Context, PVOID Environment) {
    if (!QueryTable) return STATUS_INVALID_PARAMETER;
    ntio::nt::TableWalker walker(Context, Environment);
    return walker.run(RelativeTo, Path, QueryTable);
}

}  // extern "C"
