// The user32 character routines: CharUpper / CharLower (a string in place, or one character passed in
// the pointer's low word), their counted forms, and IsCharAlpha, IsCharAlphaNumeric, IsCharUpper and
// IsCharLower, over the NLS case mapping and CT_CTYPE1 classes.
// https://learn.microsoft.com/windows/win32/api/winuser/nf-winuser-charupperw
// https://learn.microsoft.com/windows/win32/api/winuser/nf-winuser-isalphaw
#include <cstring>

#include "rtl/utf.hpp"
#include "win32/nls.hpp"

using namespace ntio;

namespace {

using CaseMap = char16_t (*)(char16_t) noexcept;

// "If the high-order word of this parameter is zero, the low-order word must contain a single
// character to be converted."
bool is_character(const void* pointer) { return (reinterpret_cast<ULONG_PTR>(pointer) >> 16) == 0; }

void map_wide(LPWSTR text, std::size_t count, CaseMap map) {
    for (std::size_t i = 0; i < count; ++i) text[i] = map(text[i]);
}

// The ANSI code page is UTF-8: each well-formed character of the BMP is mapped in place when its
// mapping has a UTF-8 form of the same length; anything else is left as it is.
void map_utf8(char* text, std::size_t count, CaseMap map) {
    for (std::size_t i = 0; i < count;) {
        const win32::nls::Utf8Char c = win32::nls::next_utf8(text + i, count - i);
        if (c.valid && c.code <= 0xFFFF) {
            const char16_t mapped = map(static_cast<char16_t>(c.code));
            char bytes[4];
            if (mapped != c.code && rtl::utf16_to_utf8(&mapped, 1, bytes, sizeof bytes) == c.length)
                std::memcpy(text + i, bytes, c.length);
        }
        i += c.length;
    }
}

LPWSTR char_case_wide(LPWSTR text, CaseMap map) {
    if (is_character(text)) return reinterpret_cast<LPWSTR>(static_cast<ULONG_PTR>(map(static_cast<char16_t>(reinterpret_cast<ULONG_PTR>(text)))));
    map_wide(text, std::char_traits<char16_t>::length(reinterpret_cast<const char16_t*>(text)), map);
    return text;
}

// One ANSI character: a byte, which in UTF-8 is a character only below 0x80.
LPSTR char_case_ansi(LPSTR text, CaseMap map) {
    if (is_character(text)) {
        const auto c = static_cast<unsigned char>(reinterpret_cast<ULONG_PTR>(text));
        return reinterpret_cast<LPSTR>(static_cast<ULONG_PTR>(c < 0x80 ? map(c) : c));
    }
    map_utf8(text, std::strlen(text), map);
    return text;
}

// NT deviation (guess): a NULL buffer processes nothing.
DWORD buffer_case_wide(LPWSTR text, DWORD count, CaseMap map) {
    if (!text) return 0;
    map_wide(text, count, map);
    return count;
}

DWORD buffer_case_ansi(LPSTR text, DWORD count, CaseMap map) {
    if (!text) return 0;
    map_utf8(text, count, map);
    return count;
}

bool has_type(WCHAR c, WORD mask) { return (win32::nls::ctype1(c) & mask) != 0; }

// ANSI bytes from 0x80 up are parts of UTF-8 sequences, no characters of their own.
bool ansi_has_type(CHAR c, WORD mask) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x80 && has_type(byte, mask);
}

}  // namespace

extern "C" {

LPWSTR WINAPI CharUpperW(LPWSTR lpsz) { return char_case_wide(lpsz, win32::nls::to_upper); }
LPWSTR WINAPI CharLowerW(LPWSTR lpsz) { return char_case_wide(lpsz, win32::nls::to_lower); }
LPSTR WINAPI CharUpperA(LPSTR lpsz) { return char_case_ansi(lpsz, win32::nls::to_upper); }
LPSTR WINAPI CharLowerA(LPSTR lpsz) { return char_case_ansi(lpsz, win32::nls::to_lower); }

DWORD WINAPI CharUpperBuffW(LPWSTR lpsz, DWORD cchLength) { return buffer_case_wide(lpsz, cchLength, win32::nls::to_upper); }
DWORD WINAPI CharLowerBuffW(LPWSTR lpsz, DWORD cchLength) { return buffer_case_wide(lpsz, cchLength, win32::nls::to_lower); }
DWORD WINAPI CharUpperBuffA(LPSTR lpsz, DWORD cchLength) { return buffer_case_ansi(lpsz, cchLength, win32::nls::to_upper); }
DWORD WINAPI CharLowerBuffA(LPSTR lpsz, DWORD cchLength) { return buffer_case_ansi(lpsz, cchLength, win32::nls::to_lower); }

BOOL WINAPI IsCharAlphaW(WCHAR ch) { return has_type(ch, C1_ALPHA); }
BOOL WINAPI IsCharAlphaNumericW(WCHAR ch) { return has_type(ch, C1_ALPHA | C1_DIGIT); }
BOOL WINAPI IsCharUpperW(WCHAR ch) { return has_type(ch, C1_UPPER); }
BOOL WINAPI IsCharLowerW(WCHAR ch) { return has_type(ch, C1_LOWER); }
BOOL WINAPI IsCharAlphaA(CHAR ch) { return ansi_has_type(ch, C1_ALPHA); }
BOOL WINAPI IsCharAlphaNumericA(CHAR ch) { return ansi_has_type(ch, C1_ALPHA | C1_DIGIT); }
BOOL WINAPI IsCharUpperA(CHAR ch) { return ansi_has_type(ch, C1_UPPER); }
BOOL WINAPI IsCharLowerA(CHAR ch) { return ansi_has_type(ch, C1_LOWER); }

}  // extern "C"
