// Pipe names of the kernel32 pipe calls: `\\.\pipe\<name>` is `\??\pipe\<name>` in NT, `\??\pipe`
// being the link to the named-pipe file system's device (\Device\NamedPipe).
#pragma once

#include <string_view>

#include "win32/dos_paths.hpp"

namespace ntio::win32 {

// The NT prefix every local pipe name has after the DOS-to-NT conversion.
inline constexpr std::u16string_view kPipePrefix = u"\\??\\pipe\\";

// True when `nt_path` (a DosPathAttributes::nt_path) names a pipe: the prefix, compared without case
// (Win32 names are case-insensitive; callers write `\\.\PiPe\x` too), then at least one character.
inline bool is_pipe_path(std::u16string_view nt_path) noexcept {
    if (nt_path.size() <= kPipePrefix.size()) return false;
    for (std::size_t i = 0; i < kPipePrefix.size(); ++i) {
        char16_t c = nt_path[i];
        if (c >= u'A' && c <= u'Z') c = static_cast<char16_t>(c - u'A' + u'a');
        if (c != kPipePrefix[i]) return false;
    }
    return true;
}

// The status a pipe call reports for its name: the conversion's failure, STATUS_OBJECT_NAME_INVALID
// (ERROR_INVALID_NAME) for a name outside `\\.\pipe\`, else STATUS_SUCCESS.
inline NTSTATUS check_pipe_name(const DosPathAttributes& attributes) noexcept {
    if (!NT_SUCCESS(attributes.status())) return attributes.status();
    return is_pipe_path(attributes.nt_path()) ? STATUS_SUCCESS : STATUS_OBJECT_NAME_INVALID;
}

}  // namespace ntio::win32
