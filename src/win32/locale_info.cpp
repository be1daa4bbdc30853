// GetLocaleInfoA/W/Ex: one LCTYPE of en-US or the invariant locale as text, or as a number with
// LOCALE_RETURN_NUMBER; cchData 0 asks for the size.
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-getlocaleinfoex
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-getlocaleinfow
#include <cstring>

#include "win32/nls.hpp"

using namespace ntio;

namespace {

using win32::nls::fail;

// The flags an LCTYPE may carry. LOCALE_NOUSEROVERRIDE changes nothing (there are no user overrides),
// nor do LOCALE_USE_CP_ACP (the ANSI code page is UTF-8) and LOCALE_RETURN_GENITIVE_NAMES (English
// month names have no genitive form).
constexpr LCTYPE kTypeFlags = LOCALE_NOUSEROVERRIDE | LOCALE_USE_CP_ACP | LOCALE_RETURN_NUMBER |
                              LOCALE_RETURN_GENITIVE_NAMES;

// LOCALE_RETURN_NUMBER applies to the numeric (LOCALE_I*) types only; the language ids are hex.
bool numeric_value(LCTYPE type, const char16_t* text, DWORD& value) {
    const bool hex = type == LOCALE_ILANGUAGE || type == LOCALE_IDEFAULTLANGUAGE;
    if (!*text) return false;
    value = 0;
    for (const char16_t* p = text; *p; ++p) {
        unsigned digit;
        if (*p >= u'0' && *p <= u'9') digit = *p - u'0';
        else if (hex && *p >= u'a' && *p <= u'f') digit = *p - u'a' + 10;
        else return false;
        value = value * (hex ? 16 : 10) + digit;
    }
    return true;
}

// The item's text for a locale, checking the flags; null with the last error set when it fails.
const char16_t* item_text(const win32::nls::LocaleData* locale, LCTYPE type, int size, bool buffer) {
    if (!locale || size < 0 || (size > 0 && !buffer)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return nullptr;
    }
    // Learn: an LCTYPE the function does not know, or a flag it does not take, is ERROR_INVALID_FLAGS.
    const char16_t* text = win32::nls::locale_item(*locale, type & ~kTypeFlags);
    if (!text) {
        SetLastError(ERROR_INVALID_FLAGS);
        return nullptr;
    }
    return text;
}

// LOCALE_RETURN_NUMBER: the value as a DWORD in the buffer; the count is "the size of the integer
// retrieved, that is, 2 for the Unicode version of the function or 4 for the ANSI version".
template <class Char>
int number_out(LCTYPE type, const char16_t* text, Char* buffer, int size) {
    DWORD value = 0;
    if (!numeric_value(type & ~kTypeFlags, text, value)) return fail(ERROR_INVALID_FLAGS);
    const int needed = static_cast<int>(sizeof(DWORD) / sizeof(Char));
    if (size == 0) return needed;
    if (size < needed) return fail(ERROR_INSUFFICIENT_BUFFER);
    std::memcpy(buffer, &value, sizeof value);
    return needed;
}

int locale_info_wide(const win32::nls::LocaleData* locale, LCTYPE type, LPWSTR buffer, int size) {
    const char16_t* text = item_text(locale, type, size, buffer != nullptr);
    if (!text) return 0;
    if (type & LOCALE_RETURN_NUMBER) return number_out(type, text, buffer, size);
    // "the number of characters retrieved in the locale data buffer ... including the terminating
    // null character", or with cchData 0 the size needed.
    return win32::nls::copy_with_nul(std::u16string_view(text), buffer, size);
}

}  // namespace

extern "C" {

int WINAPI GetLocaleInfoEx(LPCWSTR lpLocaleName, LCTYPE LCType, LPWSTR lpLCData, int cchData) {
    return locale_info_wide(win32::nls::locale_from_name(lpLocaleName), LCType, lpLCData, cchData);
}

int WINAPI GetLocaleInfoW(LCID Locale, LCTYPE LCType, LPWSTR lpLCData, int cchData) {
    return locale_info_wide(win32::nls::locale_from_lcid(Locale), LCType, lpLCData, cchData);
}

// The ANSI form counts bytes of the ANSI code page (UTF-8 here).
int WINAPI GetLocaleInfoA(LCID Locale, LCTYPE LCType, LPSTR lpLCData, int cchData) {
    const char16_t* text = item_text(win32::nls::locale_from_lcid(Locale), LCType, cchData, lpLCData != nullptr);
    if (!text) return 0;
    if (LCType & LOCALE_RETURN_NUMBER) return number_out(LCType, text, lpLCData, cchData);
    return win32::nls::copy_with_nul(win32::utf16_to_ansi(text), lpLCData, cchData);
}

}  // extern "C"
