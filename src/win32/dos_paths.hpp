// DOS path names -> NT path names, the per-process current directory and GetFullPathName folding:
// "\\.\X" and "\\?\X" become "\??\X", "C:\..." becomes "\??\C:\...", relative names are resolved
// against the current directory. Drive letters are whatever "\??\C:" resolves to in the namespace.
#pragma once

#include <string>
#include <string_view>

#include "win32/win32.hpp"

namespace ntio::win32 {

// GetFullPathName: the absolute DOS form of `path` with "." and ".." folded and "/" turned into "\";
// "\\?\" names are returned unchanged. STATUS_OBJECT_NAME_INVALID for an empty name.
NTSTATUS full_dos_path(std::u16string_view path, std::u16string& out);

// The NT name ("\??\...") CreateFile opens for `path`.
NTSTATUS dos_path_to_nt_path(std::u16string_view path, std::u16string& out);

// The calling process's current directory, always with a trailing "\" (GetCurrentDirectory drops it
// except for a drive root).
std::u16string current_directory();
void set_current_directory(std::u16string full_path_with_separator);

// OBJECT_ATTRIBUTES (case-insensitive, optional inherit flag and security descriptor) for the NT name
// of a DOS path. Holds the name storage.
class DosPathAttributes {
public:
    DosPathAttributes(LPCWSTR path, LPSECURITY_ATTRIBUTES sa);
    DosPathAttributes(LPCSTR path, LPSECURITY_ATTRIBUTES sa);
    DosPathAttributes(const DosPathAttributes&) = delete;
    DosPathAttributes& operator=(const DosPathAttributes&) = delete;
    NTSTATUS status() const noexcept { return m_status; }
    POBJECT_ATTRIBUTES get() noexcept { return &m_attributes; }
    const std::u16string& nt_path() const noexcept { return m_nt_path; }

private:
    void build(std::u16string_view path, LPSECURITY_ATTRIBUTES sa);
    std::u16string m_nt_path;
    UNICODE_STRING m_name{};
    OBJECT_ATTRIBUTES m_attributes{};
    NTSTATUS m_status = STATUS_SUCCESS;
};

// DeleteFile / RemoveDirectory (file_create.cpp): sets the delete disposition on the name opened
// with `open_options` (FILE_NON_DIRECTORY_FILE or FILE_DIRECTORY_FILE); FALSE with the last error set.
BOOL delete_by_name(DosPathAttributes& attributes, ULONG open_options);

inline std::u16string_view wide(LPCWSTR text) {
    return text ? std::u16string_view(reinterpret_cast<const char16_t*>(text)) : std::u16string_view{};
}

}  // namespace ntio::win32
