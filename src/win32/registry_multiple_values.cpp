// advapi32 RegQueryMultipleValues (A and W) over NtQueryMultipleValueKey: the value names of the
// VALENT array become KEY_VALUE_ENTRY names, the service answers into a buffer of our own, and the
// data is laid out in the caller's buffer (each value at a ULONG boundary, as the service lays it
// out) with ve_valueptr the address of each value's data there. The A form converts string data
// (REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ) to the ANSI code page, as RegQueryValueExA does.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regquerymultiplevaluesw
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regquerymultiplevaluesa
#include <deque>
#include <string>
#include <vector>

#include "nt/user_memory.hpp"
#include "win32/registry_common.hpp"

namespace ntio::win32::registry {
namespace {

// "The total size of the requested data (size of the val_list array + ldwTotSize) is more than the
// system limit of one megabyte" is ERROR_TRANSFER_TOO_LONG.
constexpr std::uint64_t kMaxTransfer = 1u << 20;

// The service's answer for `entries`, in a buffer that grows until the data fits.
NTSTATUS query_entries(HANDLE key, std::vector<KEY_VALUE_ENTRY>& entries, std::vector<unsigned char>& data) {
    for (;;) {
        ULONG length = static_cast<ULONG>(data.size());
        ULONG required = 0;
        NTSTATUS status = NtQueryMultipleValueKey(key, entries.data(), static_cast<ULONG>(entries.size()),
                                                  data.empty() ? nullptr : data.data(), &length, &required);
        if (status != STATUS_BUFFER_OVERFLOW) return status;
        data.resize(required > data.size() ? required : data.size() * 2);
    }
}

template <typename Valent, typename Char>
LSTATUS query_multiple_values(HKEY hKey, Valent* val_list, DWORD num_vals, Char* value_buffer, LPDWORD total_size) {
    constexpr bool ansi = sizeof(Char) == 1;
    ensure_system();
    if (!total_size || (num_vals && !val_list)) return ERROR_INVALID_PARAMETER;
    const DWORD size = *total_size;
    // "If lpValueBuf is NULL, the value pointed to by the ldwTotsize parameter must be zero."
    if (!value_buffer && size) return ERROR_INVALID_PARAMETER;
    KeyArg key;
    NTSTATUS status = key.open(hKey, KEY_QUERY_VALUE);
    if (!NT_SUCCESS(status)) return to_error(status);
    std::deque<Name> names;
    std::vector<KEY_VALUE_ENTRY> entries(num_vals);
    for (DWORD i = 0; i < num_vals; ++i) {
        Name& name = names.emplace_back(val_list[i].ve_valuename);
        if (!NT_SUCCESS(name.status())) return ERROR_INVALID_PARAMETER;
        entries[i] = KEY_VALUE_ENTRY{name.get(), 0, 0, 0};
    }
    std::vector<unsigned char> data;
    status = query_entries(key.get(), entries, data);
    if (!NT_SUCCESS(status)) return to_error(status);

    std::vector<unsigned char> out;
    std::vector<DWORD> offsets(num_vals);
    std::vector<DWORD> lengths(num_vals);
    for (DWORD i = 0; i < num_vals; ++i) {
        std::vector<unsigned char> piece(data.begin() + entries[i].DataOffset,
                                         data.begin() + entries[i].DataOffset + entries[i].DataLength);
        if (ansi && is_string_type(entries[i].Type)) piece = string_data_to_ansi(piece);
        out.resize((out.size() + sizeof(ULONG) - 1) & ~(sizeof(ULONG) - 1));
        offsets[i] = static_cast<DWORD>(out.size());
        lengths[i] = static_cast<DWORD>(piece.size());
        out.insert(out.end(), piece.begin(), piece.end());
    }
    const auto required = static_cast<DWORD>(out.size());
    if (std::uint64_t{num_vals} * sizeof(Valent) + required > kMaxTransfer) return ERROR_TRANSFER_TOO_LONG;
    // "If the function fails because the buffer is too small, ldwTotsize receives the required size";
    // on success it receives the number of bytes copied.
    *total_size = required;
    if (size < required) return ERROR_MORE_DATA;
    status = nt::copy_to_user(value_buffer, out.data(), out.size(), 1);
    if (!NT_SUCCESS(status)) return to_error(status);
    for (DWORD i = 0; i < num_vals; ++i) {
        val_list[i].ve_valuelen = lengths[i];
        val_list[i].ve_valueptr = reinterpret_cast<DWORD_PTR>(reinterpret_cast<unsigned char*>(value_buffer) + offsets[i]);
        val_list[i].ve_type = entries[i].Type;
    }
    return ERROR_SUCCESS;
}

}  // namespace
}  // namespace ntio::win32::registry

using namespace ntio::win32::registry;

extern "C" {

LSTATUS WINAPI RegQueryMultipleValuesW(HKEY hKey, PVALENTW val_list, DWORD num_vals, LPWSTR lpValueBuf,
                                       LPDWORD ldwTotsize) {
    return query_multiple_values(hKey, val_list, num_vals, lpValueBuf, ldwTotsize);
}

LSTATUS WINAPI RegQueryMultipleValuesA(HKEY hKey, PVALENTA val_list, DWORD num_vals, LPSTR lpValueBuf,
                                       LPDWORD ldwTotsize) {
    return query_multiple_values(hKey, val_list, num_vals, lpValueBuf, ldwTotsize);
}

}  // extern "C"
