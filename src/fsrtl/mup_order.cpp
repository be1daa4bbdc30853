// The order MUP asks providers in: HKLM\SYSTEM\CurrentControlSet\Control\NetworkProvider\Order's
// ProviderOrder (REG_SZ, network provider service names separated by commas, first asked first),
// each provider known by its service key's NetworkProvider\DeviceName, the redirector device name it
// registers with ("Support for UNC Naming and MUP" on Learn: the provider order MPR and MUP follow).
// Providers the list does not name are asked after those it does, in the order they registered.
#include "fsrtl/mup.hpp"

#include <limits>

namespace ntio::fsrtl::mup {
namespace {

constexpr char16_t kOrderKey[] = u"\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Control\\NetworkProvider\\Order";
constexpr char16_t kServices[] = u"\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Services\\";

UNICODE_STRING view_of(std::u16string_view text) {
    return UNICODE_STRING{static_cast<USHORT>(text.size() * sizeof(WCHAR)), static_cast<USHORT>(text.size() * sizeof(WCHAR)),
                          const_cast<PWCH>(reinterpret_cast<PCWCH>(text.data()))};
}

// A REG_SZ or REG_EXPAND_SZ value without its terminator; empty when absent or of another type.
std::u16string read_string(std::u16string_view key_path, const char16_t* value_name) {
    UNICODE_STRING key_name = view_of(key_path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &key_name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE key = nullptr;
    if (!NT_SUCCESS(ZwOpenKey(&key, KEY_QUERY_VALUE, &oa))) return {};
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, reinterpret_cast<PCWSTR>(value_name));
    std::u16string text;
    ULONG bytes = 0;
    NTSTATUS status = ZwQueryValueKey(key, &name, KeyValuePartialInformation, nullptr, 0, &bytes);
    if ((status == STATUS_BUFFER_TOO_SMALL || status == STATUS_BUFFER_OVERFLOW) && bytes) {
        std::vector<UCHAR> buffer(bytes);
        if (NT_SUCCESS(ZwQueryValueKey(key, &name, KeyValuePartialInformation, buffer.data(), bytes, &bytes))) {
            auto* info = reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buffer.data());
            if (info->Type == REG_SZ || info->Type == REG_EXPAND_SZ) {
                text.assign(reinterpret_cast<const char16_t*>(info->Data), info->DataLength / sizeof(WCHAR));
                while (!text.empty() && text.back() == u'\0') text.pop_back();
            }
        }
    }
    (void)ZwClose(key);
    return text;
}

bool same_name(std::u16string_view a, std::u16string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (RtlUpcaseUnicodeChar(a[i]) != RtlUpcaseUnicodeChar(b[i])) return false;
    return true;
}

}  // namespace

ULONG provider_order(std::u16string_view device_name) {
    const std::u16string order = read_string(kOrderKey, u"ProviderOrder");
    ULONG rank = 0;
    size_t start = 0;
    while (start <= order.size() && !order.empty()) {
        size_t end = order.find(u',', start);
        if (end == std::u16string::npos) end = order.size();
        std::u16string_view service = std::u16string_view(order).substr(start, end - start);
        while (!service.empty() && service.front() == u' ') service.remove_prefix(1);
        while (!service.empty() && service.back() == u' ') service.remove_suffix(1);
        if (!service.empty()) {
            std::u16string key(kServices);
            key.append(service).append(u"\\NetworkProvider");
            if (same_name(read_string(key, u"DeviceName"), device_name)) return rank;
            ++rank;
        }
        start = end + 1;
    }
    return std::numeric_limits<ULONG>::max();
}

}  // namespace ntio::fsrtl::mup
