// Registry and namespace helpers of the driver loader: kernel-handle reads of REG_DWORD, string and
// multi-string values, subkey enumeration, symbolic link queries and creation. Used by the three
// driver_loader*.cpp files only; each returns the Zw* status.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "io/ddk.hpp"

namespace ntio::io::loader {

// A kernel handle closed with ZwClose.
class KernelHandle {
public:
    KernelHandle() = default;
    ~KernelHandle() { reset(); }
    KernelHandle(const KernelHandle&) = delete;
    KernelHandle& operator=(const KernelHandle&) = delete;
    HANDLE* out() noexcept { reset(); return &m_handle; }
    HANDLE get() const noexcept { return m_handle; }
    void reset() noexcept;

private:
    HANDLE m_handle = nullptr;
};

// A UNICODE_STRING over `text` (which must outlive it).
UNICODE_STRING unicode_of(std::u16string_view text) noexcept;

NTSTATUS open_key(std::u16string_view path, KernelHandle& key);
// REG_DWORD only; STATUS_OBJECT_NAME_NOT_FOUND when absent, STATUS_OBJECT_TYPE_MISMATCH for another type.
NTSTATUS query_dword(HANDLE key, std::u16string_view value, ULONG& out);
// REG_SZ or REG_EXPAND_SZ (unexpanded), without the trailing NULs.
NTSTATUS query_string(HANDLE key, std::u16string_view value, std::u16string& out);
// REG_MULTI_SZ: the strings in order, empty ones dropped.
NTSTATUS query_multi_string(HANDLE key, std::u16string_view value, std::vector<std::u16string>& out);
// Names of the key's subkeys.
NTSTATUS enumerate_subkeys(HANDLE key, std::vector<std::u16string>& out);
// Name and REG_SZ data of the key's string values.
NTSTATUS enumerate_string_values(HANDLE key, std::vector<std::pair<std::u16string, std::u16string>>& out);

// The target of the symbolic link `path`.
NTSTATUS query_link(std::u16string_view path, std::u16string& target);
// Creates a permanent symbolic link `path` -> `target`.
NTSTATUS create_permanent_link(std::u16string_view path, std::u16string_view target);

// The host file system's volume (drivers/hostfs). \??\C: links to it when the Hostfs service starts
// with the system; an image path that reaches it is the host file under the directory the service's
// Parameters\Root names ("/" when absent), so driver and DLL paths on C: keep naming host files.
inline constexpr std::u16string_view kHostfsDevice = u"\\Device\\HostFs";
bool hostfs_starts_with_system();
std::u16string hostfs_root();

// Case-insensitive comparisons (RtlUpcaseUnicodeChar).
bool equal_ignore_case(std::u16string_view a, std::u16string_view b) noexcept;
bool starts_with_ignore_case(std::u16string_view text, std::u16string_view prefix) noexcept;

std::string to_utf8(std::u16string_view text);
std::u16string to_utf16(std::string_view text);

}  // namespace ntio::io::loader
