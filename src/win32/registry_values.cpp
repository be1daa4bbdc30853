// advapi32 registry values over the Nt*Key services: RegSetValueEx, RegQueryValueEx, RegEnumValue and
// RegDeleteValue in A and W forms. The A forms convert names and string data (REG_SZ, REG_EXPAND_SZ,
// REG_MULTI_SZ) through the ANSI code page; sizes they report are of the converted data.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regqueryvalueexw
#include <cstring>
#include <string>
#include <vector>

#include "nt/user_memory.hpp"
#include "win32/registry_common.hpp"

namespace ntio::win32::registry {

NTSTATUS query_value(HANDLE key, PUNICODE_STRING name, ULONG& type, std::vector<unsigned char>& data) {
    std::vector<unsigned char> buffer;
    NTSTATUS status = query_growing(buffer, [&](void* out, ULONG length, ULONG* needed) {
        return NtQueryValueKey(key, name, KeyValuePartialInformation, out, length, needed);
    });
    if (!NT_SUCCESS(status)) return status;
    const auto* info = reinterpret_cast<const KEY_VALUE_PARTIAL_INFORMATION*>(buffer.data());
    type = info->Type;
    data.assign(info->Data, info->Data + info->DataLength);
    return STATUS_SUCCESS;
}

std::vector<unsigned char> string_data_to_ansi(const std::vector<unsigned char>& data) {
    std::u16string text(data.size() / sizeof(char16_t), u'\0');
    if (!text.empty()) std::memcpy(text.data(), data.data(), text.size() * sizeof(char16_t));
    std::string ansi = utf16_to_ansi(text);
    return std::vector<unsigned char>(ansi.begin(), ansi.end());
}

namespace {

// The bytes the caller sees: the A forms get string types converted.
void to_caller_form(bool ansi, ULONG type, std::vector<unsigned char>& data) {
    if (ansi && is_string_type(type)) data = string_data_to_ansi(data);
}

// The A forms end string data that is stored without its NUL with one when the caller's buffer has
// room after it; the size reported stays that of the data.
void terminate_ansi_string(bool ansi, ULONG type, const std::vector<unsigned char>& data, LPBYTE out, DWORD capacity) {
    if (!ansi || !is_string_type(type) || !out || data.empty() || data.back() == 0 || capacity <= data.size()) return;
    out[data.size()] = 0;
}

// RegQueryValueEx: lpData NULL with lpcbData -> the size; a buffer too small -> ERROR_MORE_DATA with
// *lpcbData the size needed (the type is still reported); strings are returned as stored (the A form
// adds a NUL after unterminated string data when the buffer has room). A value that does not exist,
// asked for its size only, reports a size of 0.
LSTATUS query_value_ex(bool ansi, HKEY hKey, Name& name, LPDWORD reserved, LPDWORD type_out, LPBYTE data_out,
                       LPDWORD size_inout) {
    ensure_system();
    if (reserved || (data_out && !size_inout)) return ERROR_INVALID_PARAMETER;
    if (!NT_SUCCESS(name.status())) return to_error(name.status());
    KeyArg key;
    NTSTATUS status = key.open(hKey, KEY_QUERY_VALUE);
    if (!NT_SUCCESS(status)) return to_error(status);
    ULONG type = 0;
    std::vector<unsigned char> data;
    status = query_value(key.get(), name.get(), type, data);
    if (!NT_SUCCESS(status)) {
        if (status == STATUS_OBJECT_NAME_NOT_FOUND && !data_out && size_inout) *size_inout = 0;
        return to_error(status);
    }
    to_caller_form(ansi, type, data);
    if (type_out) *type_out = type;
    if (!size_inout) return ERROR_SUCCESS;
    const auto size = static_cast<DWORD>(data.size());
    if (data_out && *size_inout < size) {
        *size_inout = size;
        return ERROR_MORE_DATA;
    }
    if (data_out && size) std::memcpy(data_out, data.data(), size);
    terminate_ansi_string(ansi, type, data, data_out, *size_inout);
    *size_inout = size;
    return ERROR_SUCCESS;
}

// RegSetValueEx of a string type whose size leaves out the NUL that follows the data in the caller's
// buffer stores that NUL too (Windows' "off by one" rule: the data ends in a non-NUL character and
// the character right after it is NUL). One character past the data is read, when it is readable.
DWORD with_following_nul(DWORD type, const BYTE* data, DWORD size, DWORD char_size) {
    if (!is_string_type(type) || !data || size < char_size || size % char_size) return size;
    unsigned char last[2] = {};
    unsigned char next[2] = {};
    if (!NT_SUCCESS(ntio::nt::copy_from_user(last, data + size - char_size, char_size, 1)) ||
        !NT_SUCCESS(ntio::nt::copy_from_user(next, data + size, char_size, 1)))
        return size;
    const bool last_is_nul = last[0] == 0 && last[char_size - 1] == 0;
    const bool next_is_nul = next[0] == 0 && next[char_size - 1] == 0;
    return !last_is_nul && next_is_nul ? size + char_size : size;
}

LSTATUS set_value_ex(HKEY hKey, Name& name, DWORD type, const BYTE* data, DWORD size) {
    ensure_system();
    if (!NT_SUCCESS(name.status())) return to_error(name.status());
    KeyArg key;
    NTSTATUS status = key.open(hKey, KEY_SET_VALUE);
    if (NT_SUCCESS(status)) status = NtSetValueKey(key.get(), name.get(), 0, type, const_cast<BYTE*>(data), size);
    return NT_SUCCESS(status) ? ERROR_SUCCESS : to_error(status);
}

LSTATUS delete_value(HKEY hKey, Name& name) {
    ensure_system();
    if (!NT_SUCCESS(name.status())) return to_error(name.status());
    KeyArg key;
    NTSTATUS status = key.open(hKey, KEY_SET_VALUE);
    if (NT_SUCCESS(status)) status = NtDeleteValueKey(key.get(), name.get());
    return NT_SUCCESS(status) ? ERROR_SUCCESS : to_error(status);
}

// RegEnumValue: lpcchValueName counts characters with the NUL on input, without it on success; a name
// that does not fit is ERROR_MORE_DATA; data that does not fit is ERROR_MORE_DATA with *lpcbData the
// size needed and the type reported.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regenumvaluew
template <typename Char>
LSTATUS enum_value(HKEY hKey, DWORD index, Char* name_out, LPDWORD name_chars, LPDWORD reserved, LPDWORD type_out,
                   LPBYTE data_out, LPDWORD size_inout) {
    ensure_system();
    constexpr bool ansi = sizeof(Char) == 1;
    if (!name_out || !name_chars || reserved || (data_out && !size_inout)) return ERROR_INVALID_PARAMETER;
    KeyArg key;
    NTSTATUS status = key.open(hKey, KEY_QUERY_VALUE);
    if (!NT_SUCCESS(status)) return to_error(status);
    std::vector<unsigned char> buffer;
    status = query_growing(buffer, [&](void* out, ULONG length, ULONG* needed) {
        return NtEnumerateValueKey(key.get(), index, KeyValueFullInformation, out, length, needed);
    });
    if (!NT_SUCCESS(status)) return to_error(status);
    const auto* info = reinterpret_cast<const KEY_VALUE_FULL_INFORMATION*>(buffer.data());
    std::u16string_view name(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / sizeof(WCHAR));
    std::vector<unsigned char> data(buffer.data() + info->DataOffset, buffer.data() + info->DataOffset + info->DataLength);
    to_caller_form(ansi, info->Type, data);

    std::string ansi_name;
    if constexpr (ansi) ansi_name = utf16_to_ansi(name);
    const std::size_t name_length = ansi ? ansi_name.size() : name.size();
    const auto size = static_cast<DWORD>(data.size());
    auto store_value_name = [&] {
        if constexpr (ansi) std::memcpy(name_out, ansi_name.data(), name_length);
        else std::memcpy(name_out, name.data(), name_length * sizeof(WCHAR));
        name_out[name_length] = 0;
        *name_chars = static_cast<DWORD>(name_length);
    };
    // A name or data that does not fit: ERROR_MORE_DATA, with the type and the data's size reported
    // either way. Nothing else is written, except that the W form still stores a name that fits when
    // only the data does not.
    const bool name_fits = name_length + 1 <= *name_chars;
    const DWORD capacity = size_inout ? *size_inout : 0;
    if (!name_fits || (data_out && capacity < size)) {
        if constexpr (!ansi) {
            if (name_fits) store_value_name();
        }
        if (type_out) *type_out = info->Type;
        if (size_inout) *size_inout = size;
        return ERROR_MORE_DATA;
    }
    store_value_name();
    if (type_out) *type_out = info->Type;
    if (data_out && size) std::memcpy(data_out, data.data(), size);
    terminate_ansi_string(ansi, info->Type, data, data_out, capacity);
    if (size_inout) *size_inout = size;
    return ERROR_SUCCESS;
}

}  // namespace
}  // namespace ntio::win32::registry

using namespace ntio::win32;
using namespace ntio::win32::registry;

extern "C" {

LSTATUS WINAPI RegSetValueExW(HKEY hKey, LPCWSTR lpValueName, DWORD Reserved, DWORD dwType, const BYTE* lpData,
                              DWORD cbData) {
    (void)Reserved;
    Name name(lpValueName);
    return set_value_ex(hKey, name, dwType, lpData, with_following_nul(dwType, lpData, cbData, sizeof(WCHAR)));
}

// The ANSI data of a string type is converted byte for byte (embedded and terminating NULs included).
LSTATUS WINAPI RegSetValueExA(HKEY hKey, LPCSTR lpValueName, DWORD Reserved, DWORD dwType, const BYTE* lpData,
                              DWORD cbData) {
    (void)Reserved;
    Name name(lpValueName);
    if (!is_string_type(dwType) || !lpData) return set_value_ex(hKey, name, dwType, lpData, cbData);
    // The caller's bytes are copied as a service copies them: an unreadable buffer is ERROR_NOACCESS.
    std::string bytes(with_following_nul(dwType, lpData, cbData, 1), '\0');
    if (NTSTATUS status = ntio::nt::copy_from_user(bytes.data(), lpData, bytes.size(), 1); !NT_SUCCESS(status))
        return to_error(status);
    std::u16string wide = ansi_to_utf16(bytes);
    return set_value_ex(hKey, name, dwType, reinterpret_cast<const BYTE*>(wide.data()),
                        static_cast<DWORD>(wide.size() * sizeof(char16_t)));
}

LSTATUS WINAPI RegQueryValueExW(HKEY hKey, LPCWSTR lpValueName, LPDWORD lpReserved, LPDWORD lpType, LPBYTE lpData,
                                LPDWORD lpcbData) {
    Name name(lpValueName);
    return query_value_ex(false, hKey, name, lpReserved, lpType, lpData, lpcbData);
}

LSTATUS WINAPI RegQueryValueExA(HKEY hKey, LPCSTR lpValueName, LPDWORD lpReserved, LPDWORD lpType, LPBYTE lpData,
                                LPDWORD lpcbData) {
    Name name(lpValueName);
    return query_value_ex(true, hKey, name, lpReserved, lpType, lpData, lpcbData);
}

LSTATUS WINAPI RegEnumValueW(HKEY hKey, DWORD dwIndex, LPWSTR lpValueName, LPDWORD lpcchValueName, LPDWORD lpReserved,
                             LPDWORD lpType, LPBYTE lpData, LPDWORD lpcbData) {
    return enum_value(hKey, dwIndex, lpValueName, lpcchValueName, lpReserved, lpType, lpData, lpcbData);
}

LSTATUS WINAPI RegEnumValueA(HKEY hKey, DWORD dwIndex, LPSTR lpValueName, LPDWORD lpcchValueName, LPDWORD lpReserved,
                             LPDWORD lpType, LPBYTE lpData, LPDWORD lpcbData) {
    return enum_value(hKey, dwIndex, lpValueName, lpcchValueName, lpReserved, lpType, lpData, lpcbData);
}

LSTATUS WINAPI RegDeleteValueW(HKEY hKey, LPCWSTR lpValueName) {
    Name name(lpValueName);
    return delete_value(hKey, name);
}

LSTATUS WINAPI RegDeleteValueA(HKEY hKey, LPCSTR lpValueName) {
    Name name(lpValueName);
    return delete_value(hKey, name);
}

}  // extern "C"
