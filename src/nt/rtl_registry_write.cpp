// RtlWriteRegistryValue, RtlDeleteRegistryValue, RtlCheckRegistryKey and RtlCreateRegistryKey: one
// Zw*Key call each on the key that RelativeTo and Path name. In nt, not rtl, because they call services.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlwriteregistryvalue
#include "nt/current_system.hpp"
#include <wdm.h>

#include "nt/rtl_registry_support.hpp"
#include "verifier/verifier.hpp"

namespace {

void init_value_name(UNICODE_STRING& name, PCWSTR value) {
    if (value) {
        RtlInitUnicodeString(&name, value);
    } else {
        name.Buffer = nullptr;
        name.Length = name.MaximumLength = 0;
    }
}

}  // namespace

extern "C" {

// "If the specified key does not exist, the routine attempts to create it": only the last component,
// as ZwCreateKey does.
NTSYSAPI NTSTATUS NTAPI RtlWriteRegistryValue(ULONG RelativeTo, PCWSTR Path, PCWSTR ValueName, ULONG ValueType,
                                              PVOID ValueData, ULONG ValueLength) {
    ntio::nt::RtlKey key;
    NTSTATUS status = ntio::nt::rtl_registry_open(RelativeTo, Path, KEY_SET_VALUE, true, key);
    if (!NT_SUCCESS(status)) return status;
    UNICODE_STRING name;
    init_value_name(name, ValueName);
    return ZwSetValueKey(key.get(), &name, 0, ValueType, ValueData, ValueLength);
}

NTSYSAPI NTSTATUS NTAPI RtlDeleteRegistryValue(ULONG RelativeTo, PCWSTR Path, PCWSTR ValueName) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::RtlPassive);
    ntio::nt::RtlKey key;
    NTSTATUS status = ntio::nt::rtl_registry_open(RelativeTo, Path, KEY_SET_VALUE, false, key);
    if (!NT_SUCCESS(status)) return status;
    UNICODE_STRING name;
    init_value_name(name, ValueName);
    return ZwDeleteValueKey(key.get(), &name);
}

NTSYSAPI NTSTATUS NTAPI RtlCheckRegistryKey(ULONG RelativeTo, PWSTR Path) {
    ntio::nt::RtlKey key;
    return ntio::nt::rtl_registry_open(RelativeTo, Path, KEY_READ, false, key);
}

NTSYSAPI NTSTATUS NTAPI RtlCreateRegistryKey(ULONG RelativeTo, PWSTR Path) {
    ntio::nt::RtlKey key;
    NTSTATUS status = ntio::nt::rtl_registry_open(RelativeTo, Path, KEY_READ, true, key);
    // ZwCreateKey's informational statuses are a success here.
    return NT_SUCCESS(status) ? STATUS_SUCCESS : status;
}

}  // extern "C"
