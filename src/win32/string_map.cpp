// LCMapStringA/W/Ex for the one-to-one mappings (case, byte reversal, kana, ASCII width), the
// NORM_IGNORENONSPACE / NORM_IGNORESYMBOLS stripping and sort keys in ntio's approximate order. Hashes,
// title case and Chinese conversion are not there (ERROR_CALL_NOT_IMPLEMENTED).
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-lcmapstringex
#include <cstring>

#include "win32/nls.hpp"

using namespace ntio;
using win32::nls::fail;

namespace {

constexpr DWORD kCase = LCMAP_LOWERCASE | LCMAP_UPPERCASE;
constexpr DWORD kKana = LCMAP_HIRAGANA | LCMAP_KATAKANA;
constexpr DWORD kWidth = LCMAP_HALFWIDTH | LCMAP_FULLWIDTH;
constexpr DWORD kChinese = LCMAP_SIMPLIFIED_CHINESE | LCMAP_TRADITIONAL_CHINESE;
constexpr DWORD kStrip = NORM_IGNORENONSPACE | NORM_IGNORESYMBOLS;
constexpr DWORD kMapFlags = kCase | kKana | kWidth | kChinese | LCMAP_SORTKEY | LCMAP_BYTEREV | LCMAP_HASH |
                            LCMAP_LINGUISTIC_CASING | LCMAP_SORTHANDLE;
// The one-to-one mappings ntio does.
constexpr DWORD kUnitMaps = kCase | kKana | kWidth | LCMAP_BYTEREV | LCMAP_LINGUISTIC_CASING;

// The flag checks Learn gives: "this flag and LCMAP_KATAKANA are mutually exclusive" (likewise the
// width and the Chinese pairs); LCMAP_LINGUISTIC_CASING "is valid with LCMAP_LOWERCASE or
// LCMAP_UPPERCASE only"; the compare flags go with LCMAP_SORTKEY (and LCMAP_HASH), except
// NORM_IGNORENONSPACE and NORM_IGNORESYMBOLS, which "simply strip characters from the input string"
// and are not combined with the case mappings.
DWORD check_flags(DWORD flags) {
    const DWORD compare = flags & win32::nls::kCompareFlags;
    if (!flags || (flags & ~(kMapFlags | win32::nls::kCompareFlags))) return ERROR_INVALID_FLAGS;
    if ((flags & kKana) == kKana || (flags & kWidth) == kWidth || (flags & kChinese) == kChinese)
        return ERROR_INVALID_FLAGS;
    if ((flags & LCMAP_LINGUISTIC_CASING) && !(flags & kCase)) return ERROR_INVALID_FLAGS;
    if (flags & (LCMAP_SORTKEY | LCMAP_HASH)) {
        if ((flags & LCMAP_SORTKEY) && (flags & LCMAP_HASH)) return ERROR_INVALID_FLAGS;
        if (flags & kMapFlags & ~(LCMAP_SORTKEY | LCMAP_HASH | LCMAP_BYTEREV)) return ERROR_INVALID_FLAGS;
        return (flags & LCMAP_HASH) ? ERROR_CALL_NOT_IMPLEMENTED : ERROR_SUCCESS;
    }
    if (compare & ~kStrip) return ERROR_INVALID_FLAGS;
    if (compare && (flags & kCase)) return ERROR_INVALID_FLAGS;
    if (compare) return (flags & kMapFlags) ? ERROR_CALL_NOT_IMPLEMENTED : ERROR_SUCCESS;
    // Title case is both case bits.
    if ((flags & kCase) == kCase || (flags & ~kUnitMaps)) return ERROR_CALL_NOT_IMPLEMENTED;
    return ERROR_SUCCESS;
}

char16_t map_unit(char16_t c, DWORD flags) {
    // LCMAP_LINGUISTIC_CASING changes nothing for en-US: its linguistic casing is the simple one.
    if (flags & LCMAP_UPPERCASE) c = win32::nls::to_upper(c);
    if (flags & LCMAP_LOWERCASE) c = win32::nls::to_lower(c);
    if ((flags & LCMAP_HIRAGANA) && c >= 0x30A1 && c <= 0x30F6) c = static_cast<char16_t>(c - 0x60);
    if ((flags & LCMAP_KATAKANA) && c >= 0x3041 && c <= 0x3096) c = static_cast<char16_t>(c + 0x60);
    if (flags & LCMAP_FULLWIDTH) {
        if (c >= 0x21 && c <= 0x7E) c = static_cast<char16_t>(c + 0xFEE0);
        else if (c == u' ') c = 0x3000;
    }
    if (flags & LCMAP_HALFWIDTH) {
        if (c >= 0xFF01 && c <= 0xFF5E) c = static_cast<char16_t>(c - 0xFEE0);
        else if (c == 0x3000) c = u' ';
    }
    if (flags & LCMAP_BYTEREV) c = static_cast<char16_t>((c << 8) | (c >> 8));
    return c;
}

// A string mapping of the source (flags checked).
std::u16string map_text(std::u16string_view text, DWORD flags) {
    if (flags & kStrip) return win32::nls::strip(text, flags);
    std::u16string out(text);
    for (char16_t& c : out) c = map_unit(c, flags);
    return out;
}

// LCMAP_SORTKEY: "the destination string can contain an odd number of bytes. The LCMAP_BYTEREV flag
// only reverses an even number of bytes."
std::vector<BYTE> map_key(std::u16string_view text, DWORD flags) {
    std::vector<BYTE> key = win32::nls::sort_key(text, flags & win32::nls::kCompareFlags);
    if (flags & LCMAP_BYTEREV)
        for (std::size_t i = 0; i + 1 < key.size(); i += 2) std::swap(key[i], key[i + 1]);
    return key;
}

// The result into the caller's buffer of `size` units (bytes for a sort key): the count, with size 0
// the count needed, too small ERROR_INSUFFICIENT_BUFFER.
template <class Unit, class Out>
int copy_result(const Unit* data, std::size_t count, Out* buffer, int size) {
    const int needed = static_cast<int>(count);
    if (size == 0) return needed;
    if (size < needed) return fail(ERROR_INSUFFICIENT_BUFFER);
    std::memcpy(buffer, data, count * sizeof(Unit));
    return needed;
}

// The checks both forms share. "If LCMAP_UPPERCASE or LCMAP_LOWERCASE is set and if LCMAP_SORTKEY is
// not set, the lpSrcStr and lpDestStr pointers can be the same. Otherwise ... the function fails, and
// GetLastError returns ERROR_INVALID_PARAMETER."
DWORD check_call(DWORD flags, bool locale, const void* source, int source_count, const void* dest, int dest_count) {
    if (const DWORD error = check_flags(flags)) return error;
    if (!locale || !source || source_count == 0 || dest_count < 0 || (dest_count > 0 && !dest))
        return ERROR_INVALID_PARAMETER;
    if (dest == source && (!(flags & kCase) || (flags & LCMAP_SORTKEY))) return ERROR_INVALID_PARAMETER;
    return ERROR_SUCCESS;
}

int map_wide(const win32::nls::LocaleData* locale, DWORD flags, LPCWSTR source, int source_count, LPWSTR dest,
             int dest_count) {
    if (const DWORD error = check_call(flags, locale != nullptr, source, source_count, dest, dest_count))
        return fail(error);
    // A negative count takes the NUL too: "the function calculates the string length itself, and
    // null-terminates the mapped string".
    const std::u16string_view text = win32::nls::counted_with_nul(source, source_count);
    if (flags & LCMAP_SORTKEY) {
        const std::vector<BYTE> key = map_key(text, flags);
        return copy_result(key.data(), key.size(), dest, dest_count);
    }
    const std::u16string mapped = map_text(text, flags);
    return copy_result(mapped.data(), mapped.size(), dest, dest_count);
}

}  // namespace

extern "C" {

// "lpVersionInformation: Reserved; must be NULL", "lpReserved: Reserved; must be NULL", "sortHandle:
// Reserved; must be 0": anything else is ERROR_INVALID_PARAMETER (guess).
int WINAPI LCMapStringEx(LPCWSTR lpLocaleName, DWORD dwMapFlags, LPCWSTR lpSrcStr, int cchSrc, LPWSTR lpDestStr,
                         int cchDest, LPNLSVERSIONINFO lpVersionInformation, LPVOID lpReserved, LPARAM sortHandle) {
    if (lpVersionInformation || lpReserved || sortHandle) return fail(ERROR_INVALID_PARAMETER);
    return map_wide(win32::nls::locale_from_name(lpLocaleName), dwMapFlags, lpSrcStr, cchSrc, lpDestStr, cchDest);
}

int WINAPI LCMapStringW(LCID Locale, DWORD dwMapFlags, LPCWSTR lpSrcStr, int cchSrc, LPWSTR lpDestStr, int cchDest) {
    return map_wide(win32::nls::locale_from_lcid(Locale), dwMapFlags, lpSrcStr, cchSrc, lpDestStr, cchDest);
}

// The ANSI form maps the source converted from the ANSI code page (UTF-8) and converts the result
// back; counts are bytes, and a mapping that changes a character's UTF-8 length changes the count.
int WINAPI LCMapStringA(LCID Locale, DWORD dwMapFlags, LPCSTR lpSrcStr, int cchSrc, LPSTR lpDestStr, int cchDest) {
    if (const DWORD error = check_call(dwMapFlags, win32::nls::locale_from_lcid(Locale) != nullptr, lpSrcStr, cchSrc,
                                       lpDestStr, cchDest))
        return fail(error);
    const std::string_view source = cchSrc < 0 ? std::string_view(lpSrcStr, std::strlen(lpSrcStr) + 1)
                                               : std::string_view(lpSrcStr, static_cast<std::size_t>(cchSrc));
    const std::u16string text = win32::ansi_to_utf16(source);
    if (dwMapFlags & LCMAP_SORTKEY) {
        const std::vector<BYTE> key = map_key(text, dwMapFlags);
        return copy_result(key.data(), key.size(), lpDestStr, cchDest);
    }
    const std::string mapped = win32::utf16_to_ansi(map_text(text, dwMapFlags));
    return copy_result(mapped.data(), mapped.size(), lpDestStr, cchDest);
}

}  // extern "C"
