// National-language support shared by the locale, comparison and mapping routines: the two locales
// ntio knows (en-US and invariant) and how LCIDs and names find them, the thread locale, character
// case and CT_CTYPE1 classes, and the approximate linguistic order CompareString uses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "win32/win32.hpp"

namespace ntio::win32::nls {

struct LocaleData;

// The locale an LCID names (LOCALE_USER_DEFAULT, LOCALE_SYSTEM_DEFAULT and LOCALE_CUSTOM_* resolve to
// en-US), or null: any other locale is unknown to ntio.
const LocaleData* locale_from_lcid(LCID lcid) noexcept;
// The locale a name names: NULL (LOCALE_NAME_USER_DEFAULT) and LOCALE_NAME_SYSTEM_DEFAULT are en-US,
// "" is the invariant locale, "en-US" matches without regard to case; else null.
const LocaleData* locale_from_name(LPCWSTR name) noexcept;
LCID locale_lcid(const LocaleData& locale) noexcept;
std::u16string_view locale_name(const LocaleData& locale) noexcept;
// The value of an LCTYPE (flags removed) as text, or null when the locale has no such item.
const char16_t* locale_item(const LocaleData& locale, LCTYPE type) noexcept;

// The calling thread's locale (GetThreadLocale), en-US until SetThreadLocale changes it.
LCID thread_locale() noexcept;

// The NLS routines' failure: 0 with the last error set.
inline int fail(DWORD error) noexcept {
    SetLastError(error);
    return 0;
}

// Copies `text` and its NUL into a buffer of `size` characters (the NLS convention): the count written
// including the NUL, with size 0 the count needed; too small is ERROR_INSUFFICIENT_BUFFER. The caller
// has checked that size is not negative and that a non-zero size comes with a buffer.
template <class Char, class Text>
int copy_with_nul(const Text& text, Char* buffer, int size) {
    const int needed = static_cast<int>(text.size()) + 1;
    if (size == 0) return needed;
    if (size < needed) return fail(ERROR_INSUFFICIENT_BUFFER);
    for (std::size_t i = 0; i < text.size(); ++i) buffer[i] = static_cast<Char>(text[i]);
    buffer[text.size()] = 0;
    return needed;
}

// A WCHAR string and its count: a negative count means NUL-terminated (without the NUL).
inline std::u16string_view counted(LPCWSTR text, int count) noexcept {
    const auto* units = reinterpret_cast<const char16_t*>(text);
    if (count < 0) return std::u16string_view(units);
    return std::u16string_view(units, static_cast<std::size_t>(count));
}

// The same, but a negative count takes the NUL too (LCMapString, GetStringType).
inline std::u16string_view counted_with_nul(LPCWSTR text, int count) noexcept {
    const std::u16string_view view = counted(text, count);
    return count < 0 ? std::u16string_view(view.data(), view.size() + 1) : view;
}

// The next character of UTF-8 text (the ANSI code page) of `count` bytes: its code point and length in
// bytes; an ill-formed sequence is not `valid`.
struct Utf8Char {
    char32_t code;
    std::size_t length;
    bool valid;
};
Utf8Char next_utf8(const char* bytes, std::size_t count) noexcept;

// Case of one UTF-16 code unit: the Rtl tables (NT's upcase table) where they map the unit, else the C
// library's mapping when it stays a single non-surrogate unit.
char16_t to_upper(char16_t c) noexcept;
char16_t to_lower(char16_t c) noexcept;
// The CT_CTYPE1 bits (C1_*) of one code point, from the C library's wide classification.
WORD ctype1(char32_t c) noexcept;

// The compare flags CompareString takes.
inline constexpr DWORD kCompareFlags = NORM_IGNORECASE | NORM_IGNORENONSPACE | NORM_IGNORESYMBOLS |
                                       SORT_DIGITSASNUMBERS | LINGUISTIC_IGNORECASE | LINGUISTIC_IGNOREDIACRITIC |
                                       SORT_STRINGSORT | NORM_IGNOREKANATYPE | NORM_IGNOREWIDTH |
                                       NORM_LINGUISTIC_CASING;
// ntio's linguistic order (CSTR_LESS_THAN, CSTR_EQUAL or CSTR_GREATER_THAN); `flags` are compare flags
// already checked against kCompareFlags.
int collate(std::u16string_view a, std::u16string_view b, DWORD flags);
// The sort key of that order (LCMAP_SORTKEY): comparing two keys byte by byte orders their strings
// as collate does. It ends with a 0 byte.
std::vector<BYTE> sort_key(std::u16string_view text, DWORD flags);
// LCMapString's NORM_IGNORENONSPACE (drop combining marks and the accents of Latin letters) and
// NORM_IGNORESYMBOLS (drop what the order calls symbols) as mappings.
std::u16string strip(std::u16string_view text, DWORD flags);

}  // namespace ntio::win32::nls
