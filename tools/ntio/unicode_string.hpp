// A UNICODE_STRING over UTF-16 text the caller keeps alive: how the ntio command hands names to
// the Zw routines. Include after <wdm.h>.
#pragma once

#include <string_view>

namespace ntio::tool {

inline UNICODE_STRING counted(std::u16string_view text) {
    UNICODE_STRING s;
    s.Buffer = const_cast<PWSTR>(reinterpret_cast<PCWSTR>(text.data()));
    s.Length = static_cast<USHORT>(text.size() * sizeof(WCHAR));
    s.MaximumLength = s.Length;
    return s;
}

}  // namespace ntio::tool
