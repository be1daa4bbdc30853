// advapi32 RegQueryMultipleValues over NtQueryMultipleValueKey: the value names of the VALENT array
// become KEY_VALUE_ENTRY names, and the offsets the service reports become addresses in the caller's
// buffer. https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regquerymultiplevaluesw
#include <string>
#include <vector>

#include "win32/registry_common.hpp"

namespace ntio::win32::registry {
namespace {

// "The total size of the requested data (size of the val_list array + ldwTotSize) is more than the
// system limit of one megabyte" is ERROR_TRANSFER_TOO_LONG.
constexpr std::uint64_t kMaxTransfer = 1u << 20;

}  // namespace
}  // namespace ntio::win32::registry

using namespace ntio::win32::registry;

extern "C" {

LSTATUS WINAPI RegQueryMultipleValuesW(HKEY hKey, PVALENTW val_list, DWORD num_vals, LPWSTR lpValueBuf,
                                       LPDWORD ldwTotsize) {
    ntio::win32::ensure_system();
    if (!ldwTotsize || (num_vals && !val_list)) return ERROR_INVALID_PARAMETER;
    const DWORD size = *ldwTotsize;
    // "If lpValueBuf is NULL, the value pointed to by the ldwTotsize parameter must be zero."
    if (!lpValueBuf && size) return ERROR_INVALID_PARAMETER;
    KeyArg key;
    NTSTATUS status = key.open(hKey, KEY_QUERY_VALUE);
    if (!NT_SUCCESS(status)) return to_error(status);
    std::vector<std::u16string> names(num_vals);
    std::vector<UNICODE_STRING> strings(num_vals);
    std::vector<KEY_VALUE_ENTRY> entries(num_vals);
    for (DWORD i = 0; i < num_vals; ++i) {
        if (val_list[i].ve_valuename) names[i] = reinterpret_cast<const char16_t*>(val_list[i].ve_valuename);
        if (names[i].size() * sizeof(WCHAR) > MAXUSHORT - 1) return ERROR_INVALID_PARAMETER;
        strings[i].Buffer = reinterpret_cast<PWCH>(names[i].data());
        strings[i].Length = strings[i].MaximumLength = static_cast<USHORT>(names[i].size() * sizeof(WCHAR));
        entries[i] = KEY_VALUE_ENTRY{&strings[i], 0, 0, 0};
    }
    ULONG length = size;
    ULONG required = 0;
    status = NtQueryMultipleValueKey(key.get(), entries.data(), num_vals, lpValueBuf, &length, &required);
    if (status != STATUS_BUFFER_OVERFLOW && !NT_SUCCESS(status)) return to_error(status);
    if (std::uint64_t{num_vals} * sizeof(VALENTW) + required > kMaxTransfer) return ERROR_TRANSFER_TOO_LONG;
    // "If the function fails because the buffer is too small, ldwTotsize receives the required size."
    *ldwTotsize = required;
    if (status == STATUS_BUFFER_OVERFLOW) return ERROR_MORE_DATA;
    for (DWORD i = 0; i < num_vals; ++i) {
        val_list[i].ve_valuelen = entries[i].DataLength;
        val_list[i].ve_valueptr = reinterpret_cast<DWORD_PTR>(reinterpret_cast<unsigned char*>(lpValueBuf) +
                                                              entries[i].DataOffset);
        val_list[i].ve_type = entries[i].Type;
    }
    return ERROR_SUCCESS;
}

}  // extern "C"
