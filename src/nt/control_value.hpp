// A REG_DWORD setting under HKLM\SYSTEM\CurrentControlSet\Control, read the way a driver reads one:
// RtlQueryRegistryValues, type-checked, relative to RTL_REGISTRY_CONTROL. Include after the DDK
// headers (the caller's component header). PASSIVE_LEVEL.
#pragma once

namespace ntio::nt {

// `fallback` when the key or the value is absent or is not a REG_DWORD.
inline ULONG control_dword(PCWSTR key, PCWSTR name, ULONG fallback) noexcept {
    ULONG value = fallback;
    ULONG default_value = fallback;
    RTL_QUERY_REGISTRY_TABLE table[2] = {};
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK;
    table[0].Name = const_cast<PWSTR>(name);
    table[0].EntryContext = &value;
    table[0].DefaultType = (REG_DWORD << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT) | REG_DWORD;
    table[0].DefaultData = &default_value;
    table[0].DefaultLength = sizeof(default_value);
    if (!NT_SUCCESS(RtlQueryRegistryValues(RTL_REGISTRY_CONTROL | RTL_REGISTRY_OPTIONAL, key, table, nullptr, nullptr)))
        return fallback;
    return value;
}

}  // namespace ntio::nt
