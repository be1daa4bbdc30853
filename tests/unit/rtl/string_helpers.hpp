// Test helpers for 16-bit WCHAR strings (gtest's wide-string asserts assume glibc's 32-bit wchar_t).
#pragma once

#include <string>

#include <wdm.h>

namespace ntio::test {

inline std::u16string us(PCUNICODE_STRING s) {
    return std::u16string(reinterpret_cast<const char16_t*>(s->Buffer), s->Length / sizeof(WCHAR));
}
inline std::u16string wz(const wchar_t* s) {
    std::u16string out;
    while (*s) out.push_back(static_cast<char16_t>(*s++));
    return out;
}
inline std::string as(const ANSI_STRING* s) { return std::string(s->Buffer, s->Length); }

}  // namespace ntio::test
