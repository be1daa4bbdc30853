// RegGetValue (A and W): RegQueryValueEx plus a subkey, a type restriction (RRF_RT_*), REG_EXPAND_SZ
// expansion (reported as REG_SZ) unless RRF_NOEXPAND, strings always NUL-terminated (REG_MULTI_SZ
// double-NUL), and RRF_ZEROONFAILURE. https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-reggetvaluew
// and the RRF/SRRF flag table https://learn.microsoft.com/windows/win32/shell/srrf

#include <cstring>
#include <string>
#include <vector>

#include "nt/rtl_registry_support.hpp"
#include "win32/registry_common.hpp"

namespace ntio::win32::registry {
namespace {

DWORD restriction_bit(ULONG type) noexcept {
    switch (type) {
    case REG_NONE: return RRF_RT_REG_NONE;
    case REG_SZ: return RRF_RT_REG_SZ;
    case REG_EXPAND_SZ: return RRF_RT_REG_EXPAND_SZ;
    case REG_BINARY: return RRF_RT_REG_BINARY;
    case REG_DWORD: return RRF_RT_REG_DWORD;
    case REG_MULTI_SZ: return RRF_RT_REG_MULTI_SZ;
    case REG_QWORD: return RRF_RT_REG_QWORD;
    default: return 0;
    }
}

// The type restriction. RRF_RT_DWORD / RRF_RT_QWORD admit a REG_BINARY only of 4 / 8 bytes
// (ERROR_DATATYPE_MISMATCH otherwise); a plain RRF_RT_REG_BINARY admits any size.
LSTATUS check_type(DWORD flags, ULONG type, std::size_t size) noexcept {
    const DWORD allowed = flags & RRF_RT_ANY;
    if (allowed == RRF_RT_ANY) return ERROR_SUCCESS;
    if (!(allowed & restriction_bit(type))) return ERROR_UNSUPPORTED_TYPE;
    if (type == REG_BINARY && (allowed & (RRF_RT_REG_DWORD | RRF_RT_REG_QWORD))) {
        const bool dword_ok = (allowed & RRF_RT_REG_DWORD) && size == sizeof(DWORD);
        const bool qword_ok = (allowed & RRF_RT_REG_QWORD) && size == sizeof(ULONGLONG);
        if (!dword_ok && !qword_ok) return ERROR_DATATYPE_MISMATCH;
    }
    return ERROR_SUCCESS;
}

bool same_name_ignoring_case(std::u16string_view a, std::u16string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char16_t x = a[i], y = b[i];
        if (x >= u'a' && x <= u'z') x = static_cast<char16_t>(x - u'a' + u'A');
        if (y >= u'a' && y <= u'z') y = static_cast<char16_t>(y - u'a' + u'A');
        if (x != y) return false;
    }
    return true;
}

// NT deviation: the environment ExpandEnvironmentStrings reads is the host process's environment
// (there is no per-process environment block); names compare case-insensitively as on Windows.
bool host_environment_lookup(std::u16string_view name, std::u16string& value) {
    for (char** entry = environ; entry && *entry; ++entry) {
        std::u16string line = ansi_to_utf16(*entry);
        const std::size_t equals = line.find(u'=', 1);
        if (equals == std::u16string::npos) continue;
        if (same_name_ignoring_case(std::u16string_view(line).substr(0, equals), name)) {
            value = line.substr(equals + 1);
            return true;
        }
    }
    return false;
}

std::u16string as_text(const std::vector<unsigned char>& data) {
    std::u16string text(data.size() / sizeof(char16_t), u'\0');
    if (!text.empty()) std::memcpy(text.data(), data.data(), text.size() * sizeof(char16_t));
    return text;
}

void store_text(const std::u16string& text, std::vector<unsigned char>& data) {
    data.resize(text.size() * sizeof(char16_t));
    if (!text.empty()) std::memcpy(data.data(), text.data(), data.size());
}

// Expands REG_EXPAND_SZ (becoming REG_SZ) and terminates strings: one NUL, two for REG_MULTI_SZ.
void prepare_string(DWORD flags, ULONG& type, std::vector<unsigned char>& data) {
    std::u16string text = as_text(data);
    if (type == REG_EXPAND_SZ && !(flags & RRF_NOEXPAND)) {
        std::u16string_view raw(text);
        if (const std::size_t nul = raw.find(u'\0'); nul != std::u16string_view::npos) raw = raw.substr(0, nul);
        text = nt::expand_environment(raw, host_environment_lookup);
        type = REG_SZ;
    }
    if (text.empty() || text.back() != u'\0') text.push_back(u'\0');
    if (type == REG_MULTI_SZ && (text.size() < 2 || text[text.size() - 2] != u'\0')) text.push_back(u'\0');
    store_text(text, data);
}

LSTATUS get_value(bool ansi, HKEY hkey, Name& sub_key, Name& value, DWORD flags, LPDWORD type_out, PVOID data_out,
                  LPDWORD size_inout) {
    ensure_system();
    const DWORD capacity = (data_out && size_inout) ? *size_inout : 0;
    auto fail = [&](LSTATUS error) {
        if ((flags & RRF_ZEROONFAILURE) && data_out && capacity) std::memset(data_out, 0, capacity);
        return error;
    };
    if (data_out && !size_inout) return ERROR_INVALID_PARAMETER;
    // At least one RRF_RT_ type; an explicit RRF_RT_REG_EXPAND_SZ needs RRF_NOEXPAND (the expanded
    // string would be a REG_SZ).
    if (!(flags & RRF_RT_ANY)) return fail(ERROR_INVALID_PARAMETER);
    if ((flags & RRF_RT_REG_EXPAND_SZ) && !(flags & RRF_NOEXPAND) && (flags & RRF_RT_ANY) != RRF_RT_ANY)
        return fail(ERROR_INVALID_PARAMETER);
    if (!NT_SUCCESS(sub_key.status())) return fail(to_error(sub_key.status()));
    if (!NT_SUCCESS(value.status())) return fail(to_error(value.status()));

    KeyArg root;
    NTSTATUS status = root.open(hkey, KEY_QUERY_VALUE);
    if (!NT_SUCCESS(status)) return fail(to_error(status));
    HANDLE key = root.get();
    HANDLE opened = nullptr;
    if (!sub_key.text().empty()) {
        OBJECT_ATTRIBUTES attributes;
        init_key_attributes(attributes, key, sub_key.get());
        status = NtOpenKey(&opened, KEY_QUERY_VALUE, &attributes);
        if (!NT_SUCCESS(status)) return fail(to_error(status));
        key = opened;
    }
    ULONG type = 0;
    std::vector<unsigned char> data;
    status = query_value(key, value.get(), type, data);
    if (opened) (void)NtClose(opened);
    if (!NT_SUCCESS(status)) return fail(to_error(status));

    if (is_string_type(type)) prepare_string(flags, type, data);
    const LSTATUS type_error = check_type(flags, type, data.size());
    if (ansi && is_string_type(type)) data = string_data_to_ansi(data);

    if (type_out) *type_out = type;
    const auto size = static_cast<DWORD>(data.size());
    if (type_error != ERROR_SUCCESS) {
        // A type the flags do not allow still reports its type, size and (when it fits and
        // RRF_ZEROONFAILURE does not ask for a zeroed buffer) its data, as Windows does.
        if (data_out && size <= capacity && !(flags & RRF_ZEROONFAILURE) && size) std::memcpy(data_out, data.data(), size);
        if (size_inout) *size_inout = size;
        return fail(type_error);
    }
    if (data_out && capacity < size) {
        *size_inout = size;
        return fail(ERROR_MORE_DATA);
    }
    if (data_out && size) std::memcpy(data_out, data.data(), size);
    if (size_inout) *size_inout = size;
    return ERROR_SUCCESS;
}

}  // namespace
}  // namespace ntio::win32::registry

using namespace ntio::win32::registry;

extern "C" {

LSTATUS WINAPI RegGetValueW(HKEY hkey, LPCWSTR lpSubKey, LPCWSTR lpValue, DWORD dwFlags, LPDWORD pdwType, PVOID pvData,
                            LPDWORD pcbData) {
    Name sub_key(lpSubKey);
    Name value(lpValue);
    return get_value(false, hkey, sub_key, value, dwFlags, pdwType, pvData, pcbData);
}

LSTATUS WINAPI RegGetValueA(HKEY hkey, LPCSTR lpSubKey, LPCSTR lpValue, DWORD dwFlags, LPDWORD pdwType, PVOID pvData,
                            LPDWORD pcbData) {
    Name sub_key(lpSubKey);
    Name value(lpValue);
    return get_value(true, hkey, sub_key, value, dwFlags, pdwType, pvData, pcbData);
}

}  // extern "C"
