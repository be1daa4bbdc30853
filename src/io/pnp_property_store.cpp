// The unified device property store: DEVPROPTYPE validation, in-memory values per owner and
// persistent values in the registry under <owner key>\Properties\{fmtid}\<pid>.
// https://learn.microsoft.com/windows-hardware/drivers/install/devproptype
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetdevicepropertydata
#include "io/pnp_property_store.hpp"

#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

namespace ntio::io {

namespace {

// Size of one element of a fixed-size base type; 0 for the variable-size ones.
ULONG fixed_size(ULONG base) {
    switch (base) {
    case DEVPROP_TYPE_SBYTE:
    case DEVPROP_TYPE_BYTE:
    case DEVPROP_TYPE_BOOLEAN: return 1;
    case DEVPROP_TYPE_INT16:
    case DEVPROP_TYPE_UINT16: return 2;
    case DEVPROP_TYPE_INT32:
    case DEVPROP_TYPE_UINT32:
    case DEVPROP_TYPE_FLOAT:
    case DEVPROP_TYPE_ERROR:
    case DEVPROP_TYPE_NTSTATUS:
    case DEVPROP_TYPE_DEVPROPTYPE: return 4;
    case DEVPROP_TYPE_INT64:
    case DEVPROP_TYPE_UINT64:
    case DEVPROP_TYPE_DOUBLE:
    case DEVPROP_TYPE_CURRENCY:
    case DEVPROP_TYPE_DATE:
    case DEVPROP_TYPE_FILETIME: return 8;
    case DEVPROP_TYPE_DECIMAL:
    case DEVPROP_TYPE_GUID: return 16;
    case DEVPROP_TYPE_DEVPROPKEY: return sizeof(DEVPROPKEY);
    default: return 0;
    }
}

bool is_string(ULONG base) {
    return base == DEVPROP_TYPE_STRING || base == DEVPROP_TYPE_SECURITY_DESCRIPTOR_STRING ||
           base == DEVPROP_TYPE_STRING_INDIRECT;
}

// Element i of WCHAR data (unaligned-safe).
WCHAR wchar_at(const void* data, ULONG i) {
    WCHAR c;
    std::memcpy(&c, static_cast<const unsigned char*>(data) + i * sizeof(WCHAR), sizeof c);
    return c;
}

std::mutex g_lock;
// memory id -> (key text -> value); key text is "{fmtid}\pid\lcid".
std::map<std::u16string, std::map<std::u16string, PropertyValue>> g_values;

std::u16string ascii(const char* text) { return std::u16string(text, text + std::strlen(text)); }

std::u16string hex4(ULONG value) {
    char text[16];
    std::snprintf(text, sizeof text, "%04x", static_cast<unsigned>(value));
    return ascii(text);
}

std::u16string memory_key(const DEVPROPKEY& key, LCID lcid) {
    return property_guid_text(key.fmtid) + u"\\" + hex4(key.pid) + u"\\" + hex4(lcid);
}

UNICODE_STRING unicode_of(const std::u16string& s) {
    return UNICODE_STRING{static_cast<USHORT>(s.size() * sizeof(WCHAR)), static_cast<USHORT>(s.size() * sizeof(WCHAR)),
                          reinterpret_cast<PWCH>(const_cast<char16_t*>(s.data()))};
}

// An open registry key, closed on scope exit.
class RegKey {
public:
    RegKey() = default;
    ~RegKey() {
        if (m_handle) ZwClose(m_handle);
    }
    RegKey(const RegKey&) = delete;
    RegKey& operator=(const RegKey&) = delete;
    // Opens the key, creating it and the missing keys above it when `create`.
    NTSTATUS open(const std::u16string& path, bool create) {
        if (!create) return open_one(path, false);
        for (std::size_t at = path.find(u'\\', 1); at != std::u16string::npos; at = path.find(u'\\', at + 1)) {
            RegKey parent;
            NTSTATUS status = parent.open_one(path.substr(0, at), true);
            if (!NT_SUCCESS(status) && status != STATUS_OBJECT_NAME_NOT_FOUND && status != STATUS_ACCESS_DENIED)
                return status;
        }
        return open_one(path, true);
    }
    HANDLE handle() const { return m_handle; }

private:
    NTSTATUS open_one(const std::u16string& path, bool create) {
        UNICODE_STRING name = unicode_of(path);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
        return create ? ZwCreateKey(&m_handle, KEY_ALL_ACCESS, &oa, 0, nullptr, REG_OPTION_NON_VOLATILE, nullptr)
                      : ZwOpenKey(&m_handle, KEY_ALL_ACCESS, &oa);
    }
    HANDLE m_handle = nullptr;
};

std::u16string registry_path(const PropertyOwner& owner, const DEVPROPKEY& key) {
    return owner.registry_key + u"\\Properties\\" + property_guid_text(key.fmtid) + u"\\" + hex4(key.pid);
}

// The value name of a locale: the default value for LOCALE_NEUTRAL, else the LCID in hex.
std::u16string locale_value(LCID lcid) { return lcid == LOCALE_NEUTRAL ? std::u16string() : hex4(lcid); }

// NT deviation: a persistent value is stored as REG_BINARY holding the DEVPROPTYPE then the data,
// where Windows uses registry value types of its own (0xFFFF0000 | DEVPROPTYPE) that the .reg text
// format of ntio's hives does not carry.
std::optional<PropertyValue> registry_read(const PropertyOwner& owner, const DEVPROPKEY& key, LCID lcid) {
    if (owner.registry_key.empty()) return std::nullopt;
    RegKey k;
    if (!NT_SUCCESS(k.open(registry_path(owner, key), false))) return std::nullopt;
    std::u16string value_name = locale_value(lcid);
    UNICODE_STRING name = unicode_of(value_name);
    std::vector<unsigned char> buffer(256);
    ULONG length = 0;
    NTSTATUS status;
    for (;;) {
        status = ZwQueryValueKey(k.handle(), &name, KeyValuePartialInformation, buffer.data(),
                                 static_cast<ULONG>(buffer.size()), &length);
        if (status != STATUS_BUFFER_OVERFLOW && status != STATUS_BUFFER_TOO_SMALL) break;
        buffer.resize(length + 16);
    }
    if (!NT_SUCCESS(status)) return std::nullopt;
    auto* info = reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buffer.data());
    if (info->Type != REG_BINARY || info->DataLength < sizeof(DEVPROPTYPE)) return std::nullopt;
    PropertyValue value;
    std::memcpy(&value.type, info->Data, sizeof(DEVPROPTYPE));
    value.data.assign(info->Data + sizeof(DEVPROPTYPE), info->Data + info->DataLength);
    return value;
}

// Deletes one locale's value, or with `all_locales` the property's key with every locale's value.
NTSTATUS registry_delete(const PropertyOwner& owner, const DEVPROPKEY& key, LCID lcid, bool all_locales) {
    if (owner.registry_key.empty()) return STATUS_OBJECT_NAME_NOT_FOUND;
    RegKey k;
    NTSTATUS status = k.open(registry_path(owner, key), false);
    if (!NT_SUCCESS(status)) return status;
    if (all_locales) return ZwDeleteKey(k.handle());
    std::u16string value_name = locale_value(lcid);
    UNICODE_STRING name = unicode_of(value_name);
    return ZwDeleteValueKey(k.handle(), &name);
}

}  // namespace

std::u16string property_guid_text(const GUID& g) {
    char text[40];
    std::snprintf(text, sizeof text, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
                  static_cast<unsigned>(g.Data1), g.Data2, g.Data3, g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3],
                  g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
    return ascii(text);
}

// The DEVPROPTYPE pages: a base type with at most one modifier; DEVPROP_TYPEMOD_ARRAY of fixed-size
// types only, DEVPROP_TYPEMOD_LIST of string types only; strings NUL-terminated, lists ending in two
// NULs; DEVPROP_TYPE_NULL without data.
NTSTATUS property_value_valid(DEVPROPTYPE type, ULONG size, const void* data) {
    const ULONG base = type & DEVPROP_MASK_TYPE;
    const ULONG mod = type & DEVPROP_MASK_TYPEMOD;
    if ((type & ~(DEVPROP_MASK_TYPE | DEVPROP_MASK_TYPEMOD)) != 0 || base > MAX_DEVPROP_TYPE ||
        base == DEVPROP_TYPE_EMPTY)
        return STATUS_INVALID_PARAMETER;
    if (size != 0 && !data) return STATUS_INVALID_PARAMETER;
    if (base == DEVPROP_TYPE_NULL) return mod == 0 && size == 0 ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    const ULONG element = fixed_size(base);
    if (mod == DEVPROP_TYPEMOD_ARRAY) {
        if (element == 0 || size == 0 || size % element != 0) return STATUS_INVALID_PARAMETER;
        return STATUS_SUCCESS;
    }
    if (mod == DEVPROP_TYPEMOD_LIST) {
        if (!is_string(base) || size < 2 * sizeof(WCHAR) || size % sizeof(WCHAR) != 0) return STATUS_INVALID_PARAMETER;
        const ULONG chars = size / sizeof(WCHAR);
        return wchar_at(data, chars - 1) == 0 && wchar_at(data, chars - 2) == 0 ? STATUS_SUCCESS
                                                                                 : STATUS_INVALID_PARAMETER;
    }
    if (mod != 0) return STATUS_INVALID_PARAMETER;
    if (is_string(base)) {
        if (size < sizeof(WCHAR) || size % sizeof(WCHAR) != 0) return STATUS_INVALID_PARAMETER;
        return wchar_at(data, size / sizeof(WCHAR) - 1) == 0 ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    }
    if (base == DEVPROP_TYPE_SECURITY_DESCRIPTOR) return size != 0 ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    return size == element ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

std::optional<PropertyValue> property_read(const PropertyOwner& owner, const DEVPROPKEY& key, LCID lcid) {
    {
        std::lock_guard guard(g_lock);
        auto owner_it = g_values.find(owner.memory_id);
        if (owner_it != g_values.end()) {
            auto it = owner_it->second.find(memory_key(key, lcid));
            if (it != owner_it->second.end()) return it->second;
        }
    }
    return registry_read(owner, key, lcid);
}

NTSTATUS property_write(const PropertyOwner& owner, const DEVPROPKEY& key, LCID lcid, bool persistent,
                        const PropertyValue& value) {
    if (!persistent) {
        (void)registry_delete(owner, key, lcid, false);
        std::lock_guard guard(g_lock);
        g_values[owner.memory_id][memory_key(key, lcid)] = value;
        return STATUS_SUCCESS;
    }
    if (owner.registry_key.empty()) return STATUS_INVALID_DEVICE_REQUEST;
    RegKey k;
    NTSTATUS status = k.open(registry_path(owner, key), true);
    if (!NT_SUCCESS(status)) return status;
    std::vector<unsigned char> blob(sizeof(DEVPROPTYPE) + value.data.size());
    std::memcpy(blob.data(), &value.type, sizeof(DEVPROPTYPE));
    if (!value.data.empty()) std::memcpy(blob.data() + sizeof(DEVPROPTYPE), value.data.data(), value.data.size());
    std::u16string value_name = locale_value(lcid);
    UNICODE_STRING name = unicode_of(value_name);
    status = ZwSetValueKey(k.handle(), &name, 0, REG_BINARY, blob.data(), static_cast<ULONG>(blob.size()));
    if (!NT_SUCCESS(status)) return status;
    std::lock_guard guard(g_lock);
    auto owner_it = g_values.find(owner.memory_id);
    if (owner_it != g_values.end()) owner_it->second.erase(memory_key(key, lcid));
    return STATUS_SUCCESS;
}

NTSTATUS property_delete(const PropertyOwner& owner, const DEVPROPKEY& key, LCID lcid) {
    {
        std::lock_guard guard(g_lock);
        auto owner_it = g_values.find(owner.memory_id);
        if (owner_it != g_values.end()) {
            if (lcid == LOCALE_NEUTRAL) {
                const std::u16string prefix = property_guid_text(key.fmtid) + u"\\" + hex4(key.pid) + u"\\";
                std::erase_if(owner_it->second, [&](const auto& entry) { return entry.first.starts_with(prefix); });
            } else {
                owner_it->second.erase(memory_key(key, lcid));
            }
        }
    }
    (void)registry_delete(owner, key, lcid, lcid == LOCALE_NEUTRAL);
    // ntio's reading: deleting a property that is not there is not an error (the caller's goal, no
    // such value, holds).
    return STATUS_SUCCESS;
}

void property_forget(const std::u16string& memory_id) {
    std::lock_guard guard(g_lock);
    g_values.erase(memory_id);
}

NTSTATUS property_answer(const std::optional<PropertyValue>& value, ULONG size, PVOID data, PULONG required_size,
                         PDEVPROPTYPE type) {
    if (!value) {
        *required_size = 0;
        *type = DEVPROP_TYPE_EMPTY;
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    *type = value->type;
    *required_size = static_cast<ULONG>(value->data.size());
    if (size < value->data.size()) return STATUS_BUFFER_TOO_SMALL;
    if (!value->data.empty()) std::memcpy(data, value->data.data(), value->data.size());
    return STATUS_SUCCESS;
}

}  // namespace ntio::io
