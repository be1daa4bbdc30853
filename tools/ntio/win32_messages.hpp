// The text Windows' system message table gives the Win32 errors the ntio command reports (what
// FormatMessage(FORMAT_MESSAGE_FROM_SYSTEM) returns, which sc.exe prints after "FAILED n:").
#pragma once

#include <cstdint>
#include <string>

namespace ntio::tool {

// The message for `error` (UTF-8) without its trailing line break; "Win32 error N." when the
// system message table does not hold it.
std::string win32_message(std::uint32_t error);

}  // namespace ntio::tool
