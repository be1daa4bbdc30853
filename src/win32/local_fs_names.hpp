// Names of the kernel32 pipe and mailslot calls: `\\.\pipe\<name>` is `\??\pipe\<name>` in NT and
// `\\.\mailslot\<name>` is `\??\mailslot\<name>`, `\??\pipe` and `\??\MAILSLOT` being the links to
// the named-pipe and mailslot file systems (\Device\NamedPipe, \Device\Mailslot).
#pragma once

#include <string_view>

#include "win32/dos_paths.hpp"

namespace ntio::win32 {

// The NT prefixes every local pipe and mailslot name has after the DOS-to-NT conversion.
inline constexpr std::u16string_view kPipePrefix = u"\\??\\pipe\\";
inline constexpr std::u16string_view kMailslotPrefix = u"\\??\\mailslot\\";

// True when `nt_path` (a DosPathAttributes::nt_path) is `prefix` (lower case), compared without case
// (Win32 names are case-insensitive; callers write `\\.\PiPe\x` too), then at least one character.
inline bool is_named_under(std::u16string_view nt_path, std::u16string_view prefix) noexcept {
    if (nt_path.size() <= prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char16_t c = nt_path[i];
        if (c >= u'A' && c <= u'Z') c = static_cast<char16_t>(c - u'A' + u'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// The status a pipe or mailslot call reports for its name: the conversion's failure (no name is
// STATUS_OBJECT_PATH_NOT_FOUND, ERROR_PATH_NOT_FOUND), STATUS_OBJECT_NAME_INVALID (ERROR_INVALID_NAME)
// for a name outside `prefix`, else STATUS_SUCCESS.
inline NTSTATUS check_name_under(const DosPathAttributes& attributes, std::u16string_view prefix) noexcept {
    if (!NT_SUCCESS(attributes.status())) return attributes.status();
    return is_named_under(attributes.nt_path(), prefix) ? STATUS_SUCCESS : STATUS_OBJECT_NAME_INVALID;
}

}  // namespace ntio::win32
