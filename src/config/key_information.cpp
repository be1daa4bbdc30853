// Layouts of the key and value information classes (Windows x64, <wdm.h>/<ntddk.h>) and the rule
// every class shares: a buffer below the fixed part gets STATUS_BUFFER_TOO_SMALL, one below the
// whole gets the fixed part and STATUS_BUFFER_OVERFLOW, and ResultLength is the whole size.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwqueryvaluekey
#include "config/key_information.hpp"

#include <cstddef>

namespace ntio::config {
namespace {

ULONG bytes_of(std::u16string_view text) noexcept { return static_cast<ULONG>(text.size() * sizeof(char16_t)); }

ULONG align_up(ULONG value, ULONG alignment) noexcept { return (value + alignment - 1) & ~(alignment - 1); }

// The whole answer is built in `out`; the length rule then trims it.
NTSTATUS finish(std::vector<unsigned char>& out, ULONG fixed, ULONG length, ULONG& result_length)
{
    result_length = static_cast<ULONG>(out.size());
    if (length < fixed) {
        out.clear();
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (length < out.size()) {
        out.resize(fixed);
        return STATUS_BUFFER_OVERFLOW;
    }
    return STATUS_SUCCESS;
}

void put(std::vector<unsigned char>& out, std::size_t offset, const void* data, std::size_t size)
{
    if (size) std::memcpy(out.data() + offset, data, size);
}

template <class T>
void put_struct(std::vector<unsigned char>& out, const T& value, std::size_t fixed)
{
    std::memcpy(out.data(), &value, std::min(sizeof(T), fixed));
}

// KEY_VALUE_PARTIAL_INFORMATION and its Align64 form: the same fields, the data at the form's offset.
template <class Info>
NTSTATUS partial_information(const KeyValue& value, ULONG length, std::vector<unsigned char>& out,
                             ULONG& result_length)
{
    const ULONG fixed = offsetof(Info, Data);
    const ULONG data_bytes = static_cast<ULONG>(value.data.size());
    out.assign(fixed + data_bytes, 0);
    Info info{};
    info.Type = value.type;
    info.DataLength = data_bytes;
    put_struct(out, info, fixed);
    put(out, fixed, value.data.data(), data_bytes);
    return finish(out, fixed, length, result_length);
}

}  // namespace

bool key_information_class_valid(KEY_INFORMATION_CLASS info_class) noexcept
{
    switch (info_class) {
    case KeyBasicInformation:
    case KeyNodeInformation:
    case KeyFullInformation:
    case KeyNameInformation:
    case KeyCachedInformation:
    case KeyVirtualizationInformation:
        return true;
    default:
        return false;
    }
}

bool value_information_class_valid(KEY_VALUE_INFORMATION_CLASS info_class) noexcept
{
    switch (info_class) {
    case KeyValueBasicInformation:
    case KeyValueFullInformation:
    case KeyValuePartialInformation:
    case KeyValueFullInformationAlign64:
    case KeyValuePartialInformationAlign64:
        return true;
    default:
        return false;
    }
}

NTSTATUS build_key_information(const KeyNode& node, std::u16string_view full_name, KEY_INFORMATION_CLASS info_class,
                               ULONG length, std::vector<unsigned char>& out, ULONG& result_length)
{
    LARGE_INTEGER last_write;
    last_write.QuadPart = node.last_write;
    const ULONG name_bytes = bytes_of(node.name);
    const ULONG class_bytes = bytes_of(node.class_name);
    switch (info_class) {
    case KeyBasicInformation: {
        const ULONG fixed = offsetof(KEY_BASIC_INFORMATION, Name);
        out.assign(fixed + name_bytes, 0);
        KEY_BASIC_INFORMATION info{};
        info.LastWriteTime = last_write;
        info.NameLength = name_bytes;
        put_struct(out, info, fixed);
        put(out, fixed, node.name.data(), name_bytes);
        return finish(out, fixed, length, result_length);
    }
    case KeyNodeInformation: {
        const ULONG fixed = offsetof(KEY_NODE_INFORMATION, Name);
        out.assign(fixed + name_bytes + class_bytes, 0);
        KEY_NODE_INFORMATION info{};
        info.LastWriteTime = last_write;
        // No class: ClassOffset is -1 (0xFFFFFFFF), as NT reports it.
        info.ClassOffset = class_bytes ? fixed + name_bytes : 0xFFFFFFFFu;
        info.ClassLength = class_bytes;
        info.NameLength = name_bytes;
        put_struct(out, info, fixed);
        put(out, fixed, node.name.data(), name_bytes);
        put(out, fixed + name_bytes, node.class_name.data(), class_bytes);
        return finish(out, fixed, length, result_length);
    }
    case KeyFullInformation: {
        const ULONG fixed = offsetof(KEY_FULL_INFORMATION, Class);
        out.assign(fixed + class_bytes, 0);
        KEY_FULL_INFORMATION info{};
        info.LastWriteTime = last_write;
        info.ClassOffset = fixed;
        info.ClassLength = class_bytes;
        info.SubKeys = static_cast<ULONG>(node.children.size());
        for (const auto& [key, child] : node.children) {
            info.MaxNameLen = std::max(info.MaxNameLen, bytes_of(child->name));
            info.MaxClassLen = std::max(info.MaxClassLen, bytes_of(child->class_name));
        }
        info.Values = static_cast<ULONG>(node.values.size());
        for (const KeyValue& value : node.values) {
            info.MaxValueNameLen = std::max(info.MaxValueNameLen, bytes_of(value.name));
            info.MaxValueDataLen = std::max(info.MaxValueDataLen, static_cast<ULONG>(value.data.size()));
        }
        put_struct(out, info, fixed);
        put(out, fixed, node.class_name.data(), class_bytes);
        return finish(out, fixed, length, result_length);
    }
    case KeyNameInformation: {
        const ULONG fixed = offsetof(KEY_NAME_INFORMATION, Name);
        const ULONG path_bytes = bytes_of(full_name);
        out.assign(fixed + path_bytes, 0);
        KEY_NAME_INFORMATION info{};
        info.NameLength = path_bytes;
        put_struct(out, info, fixed);
        put(out, fixed, full_name.data(), path_bytes);
        return finish(out, fixed, length, result_length);
    }
    case KeyCachedInformation: {
        const ULONG fixed = sizeof(KEY_CACHED_INFORMATION);
        out.assign(fixed, 0);
        KEY_CACHED_INFORMATION info{};
        info.LastWriteTime = last_write;
        info.SubKeys = static_cast<ULONG>(node.children.size());
        for (const auto& [key, child] : node.children) info.MaxNameLen = std::max(info.MaxNameLen, bytes_of(child->name));
        info.Values = static_cast<ULONG>(node.values.size());
        for (const KeyValue& value : node.values) {
            info.MaxValueNameLen = std::max(info.MaxValueNameLen, bytes_of(value.name));
            info.MaxValueDataLen = std::max(info.MaxValueDataLen, static_cast<ULONG>(value.data.size()));
        }
        info.NameLength = name_bytes;
        put_struct(out, info, fixed);
        return finish(out, fixed, length, result_length);
    }
    case KeyVirtualizationInformation: {
        // No key takes part in registry virtualization here (no virtual store, no UAC redirection):
        // every flag is clear. https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/ns-ntddk-_key_virtualization_information
        const ULONG fixed = sizeof(KEY_VIRTUALIZATION_INFORMATION);
        out.assign(fixed, 0);
        return finish(out, fixed, length, result_length);
    }
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

NTSTATUS build_value_information(const KeyValue& value, KEY_VALUE_INFORMATION_CLASS info_class, ULONG length,
                                 std::vector<unsigned char>& out, ULONG& result_length)
{
    const ULONG name_bytes = bytes_of(value.name);
    const ULONG data_bytes = static_cast<ULONG>(value.data.size());
    switch (info_class) {
    case KeyValueBasicInformation: {
        const ULONG fixed = offsetof(KEY_VALUE_BASIC_INFORMATION, Name);
        out.assign(fixed + name_bytes, 0);
        KEY_VALUE_BASIC_INFORMATION info{};
        info.Type = value.type;
        info.NameLength = name_bytes;
        put_struct(out, info, fixed);
        put(out, fixed, value.name.data(), name_bytes);
        return finish(out, fixed, length, result_length);
    }
    case KeyValueFullInformation:
    case KeyValueFullInformationAlign64: {
        const ULONG fixed = offsetof(KEY_VALUE_FULL_INFORMATION, Name);
        // The data starts aligned after the name: 4 bytes, or 8 for the Align64 class.
        const ULONG data_offset = align_up(fixed + name_bytes, info_class == KeyValueFullInformation ? 4 : 8);
        out.assign(data_offset + data_bytes, 0);
        KEY_VALUE_FULL_INFORMATION info{};
        info.Type = value.type;
        info.DataOffset = data_offset;
        info.DataLength = data_bytes;
        info.NameLength = name_bytes;
        put_struct(out, info, fixed);
        put(out, fixed, value.name.data(), name_bytes);
        put(out, data_offset, value.data.data(), data_bytes);
        return finish(out, fixed, length, result_length);
    }
    case KeyValuePartialInformation:
        return partial_information<KEY_VALUE_PARTIAL_INFORMATION>(value, length, out, result_length);
    case KeyValuePartialInformationAlign64:
        return partial_information<KEY_VALUE_PARTIAL_INFORMATION_ALIGN64>(value, length, out, result_length);
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

}  // namespace ntio::config
