// What the advapi32 registry pieces share: resolving an HKEY (a predefined root is opened for the
// duration of one call), the NTSTATUS -> LSTATUS step (returned, never stored as the last error),
// value names as UNICODE_STRINGs from either A or W callers, and growing Nt*Key query buffers.
#pragma once

#include <vector>

#include "win32/win32.hpp"

namespace ntio::win32::registry {

// The Win32 error for a status, through the one table (RtlNtStatusToDosError). The thread's last
// error is left alone: Reg* functions return their error.
inline LSTATUS to_error(NTSTATUS status) noexcept {
    return static_cast<LSTATUS>(RtlNtStatusToDosError(status));
}

// An HKEY made usable for one call: a key handle is used as is; a predefined root (HKEY_LOCAL_MACHINE
// and friends) is opened here and closed by the destructor.
class KeyArg {
public:
    KeyArg() = default;
    KeyArg(const KeyArg&) = delete;
    KeyArg& operator=(const KeyArg&) = delete;
    ~KeyArg();
    // STATUS_INVALID_HANDLE for a predefined value ntio has no key for (the performance keys).
    NTSTATUS open(HKEY key, ACCESS_MASK access);
    HANDLE get() const noexcept { return m_handle; }
    bool predefined() const noexcept { return m_owned; }
    // Keeps an opened predefined root open past the call (the handle is the caller's from now on).
    HANDLE keep() noexcept {
        m_owned = false;
        return m_handle;
    }

private:
    HANDLE m_handle = nullptr;
    bool m_owned = false;
};

// True for the HKEY_* constants (sign-extended 0x80000000-0x80000060).
bool is_predefined(HKEY key) noexcept;

// A name from a W or A caller as a counted string; null is the empty name (the default value).
class Name {
public:
    explicit Name(LPCWSTR name);
    explicit Name(LPCSTR name);
    Name(const Name&) = delete;
    Name& operator=(const Name&) = delete;
    // STATUS_NAME_TOO_LONG when the name does not fit a UNICODE_STRING.
    NTSTATUS status() const noexcept { return m_status; }
    PUNICODE_STRING get() noexcept { return &m_string; }
    const std::u16string& text() const noexcept { return m_text; }

private:
    void finish();
    std::u16string m_text;
    UNICODE_STRING m_string{};
    NTSTATUS m_status = STATUS_SUCCESS;
};

// OBJECT_ATTRIBUTES for `name` under `root`, case-insensitive as registry names are.
void init_key_attributes(OBJECT_ATTRIBUTES& attributes, HANDLE root, PUNICODE_STRING name, ULONG extra = 0,
                         PVOID security = nullptr) noexcept;

bool is_path_separator(char16_t c) noexcept;
// RegCreateKeyEx and RegOpenKeyEx (and their transacted forms) ignore separators at the end of a
// subkey name.
void trim_trailing_separators(std::u16string& path);
// RegCreateKeyEx's walk for a path whose parent is missing (registry_keys.cpp); in `transaction`
// when it is not NULL.
NTSTATUS create_path(HANDLE root, const std::u16string& path, ACCESS_MASK access, PUNICODE_STRING key_class,
                     ULONG options, ULONG attributes_extra, PVOID security, HANDLE transaction, HANDLE* result,
                     ULONG* disposition);

// RegCreateKeyEx (registry_keys.cpp): the key and, when its parent is missing, the path to it; in
// `transaction` when it is not NULL (RegCreateKeyTransacted).
LSTATUS create_key(HKEY hKey, const std::u16string* sub_key, const std::u16string* key_class, DWORD options,
                   REGSAM sam, LPSECURITY_ATTRIBUTES security, PHKEY result, LPDWORD disposition,
                   HANDLE transaction = nullptr);

// Runs an Nt*Key query that reports the size it needs until the buffer is large enough.
template <typename Query>
NTSTATUS query_growing(std::vector<unsigned char>& buffer, Query&& query) {
    if (buffer.size() < 512) buffer.resize(512);
    for (;;) {
        ULONG needed = 0;
        NTSTATUS status = query(buffer.data(), static_cast<ULONG>(buffer.size()), &needed);
        if (status != STATUS_BUFFER_OVERFLOW && status != STATUS_BUFFER_TOO_SMALL) return status;
        if (needed <= buffer.size()) needed = static_cast<ULONG>(buffer.size() * 2);
        buffer.resize(needed);
    }
}

// A value's type and data (NtQueryValueKey, KeyValuePartialInformation).
NTSTATUS query_value(HANDLE key, PUNICODE_STRING name, ULONG& type, std::vector<unsigned char>& data);

inline bool is_string_type(ULONG type) noexcept {
    return type == REG_SZ || type == REG_EXPAND_SZ || type == REG_MULTI_SZ;
}

// UTF-16 registry string data (an odd last byte is dropped) to the ANSI code page, NULs kept.
std::vector<unsigned char> string_data_to_ansi(const std::vector<unsigned char>& data);

}  // namespace ntio::win32::registry
