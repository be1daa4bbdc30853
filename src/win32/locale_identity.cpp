// Locale identity: the user, system, UI and thread defaults (all en-US), LCIDs to names and back, and
// the validity checks. ntio knows en-US and the invariant locale only.
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-lcidtolocalename
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-localenametolcid
#include "win32/nls.hpp"

using namespace ntio;

namespace {

constexpr LCID kEnglishUs = 0x0409;

// NT deviation: the thread locale belongs to the host thread, not to a TEB field.
thread_local LCID t_thread_locale = kEnglishUs;

using win32::nls::fail;

int copy_name(std::u16string_view name, LPWSTR buffer, int size) {
    if (size < 0 || (size > 0 && !buffer)) return fail(ERROR_INVALID_PARAMETER);
    return win32::nls::copy_with_nul(name, buffer, size);
}

}  // namespace

namespace ntio::win32::nls {
LCID thread_locale() noexcept { return t_thread_locale; }
}  // namespace ntio::win32::nls

extern "C" {

LCID WINAPI GetUserDefaultLCID(VOID) { return kEnglishUs; }
LCID WINAPI GetSystemDefaultLCID(VOID) { return kEnglishUs; }
LANGID WINAPI GetUserDefaultLangID(VOID) { return LANGIDFROMLCID(kEnglishUs); }
LANGID WINAPI GetSystemDefaultLangID(VOID) { return LANGIDFROMLCID(kEnglishUs); }
LANGID WINAPI GetUserDefaultUILanguage(VOID) { return LANGIDFROMLCID(kEnglishUs); }
LANGID WINAPI GetSystemDefaultUILanguage(VOID) { return LANGIDFROMLCID(kEnglishUs); }

LCID WINAPI GetThreadLocale(VOID) { return t_thread_locale; }

// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-setthreadlocale: the pseudo values
// store the locale they stand for; a locale ntio does not know is ERROR_INVALID_PARAMETER.
BOOL WINAPI SetThreadLocale(LCID Locale) {
    const auto* locale = win32::nls::locale_from_lcid(Locale);
    if (!locale) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    t_thread_locale = win32::nls::locale_lcid(*locale);
    return TRUE;
}

// "Returns the size of the buffer containing the locale name, including the terminating null
// character, if successful"; 0 with ERROR_INSUFFICIENT_BUFFER otherwise.
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-getuserdefaultlocalename
int WINAPI GetUserDefaultLocaleName(LPWSTR lpLocaleName, int cchLocaleName) {
    if (cchLocaleName <= 0 || !lpLocaleName) return fail(ERROR_INVALID_PARAMETER);
    return copy_name(u"en-US", lpLocaleName, cchLocaleName);
}

int WINAPI GetSystemDefaultLocaleName(LPWSTR lpLocaleName, int cchLocaleName) {
    return GetUserDefaultLocaleName(lpLocaleName, cchLocaleName);
}

// dwFlags is 0 or LOCALE_ALLOW_NEUTRAL_NAMES; cchName 0 asks for the size. LOCALE_INVARIANT has the
// empty name.
int WINAPI LCIDToLocaleName(LCID Locale, LPWSTR lpName, int cchName, DWORD dwFlags) {
    if (dwFlags & ~DWORD(LOCALE_ALLOW_NEUTRAL_NAMES)) return fail(ERROR_INVALID_FLAGS);
    const auto* locale = win32::nls::locale_from_lcid(Locale);
    if (!locale) return fail(ERROR_INVALID_PARAMETER);
    return copy_name(win32::nls::locale_name(*locale), lpName, cchName);
}

LCID WINAPI LocaleNameToLCID(LPCWSTR lpName, DWORD dwFlags) {
    if (dwFlags & ~DWORD(LOCALE_ALLOW_NEUTRAL_NAMES)) return static_cast<LCID>(fail(ERROR_INVALID_FLAGS));
    const auto* locale = win32::nls::locale_from_name(lpName);
    if (!locale) return static_cast<LCID>(fail(ERROR_INVALID_PARAMETER));
    return win32::nls::locale_lcid(*locale);
}

// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-isvalidlocale: dwFlags is
// LCID_INSTALLED, LCID_SUPPORTED or LCID_ALTERNATE_SORTS; both known locales are installed.
BOOL WINAPI IsValidLocale(LCID Locale, DWORD dwFlags) {
    if (dwFlags != LCID_INSTALLED && dwFlags != LCID_SUPPORTED && dwFlags != LCID_ALTERNATE_SORTS) return FALSE;
    return win32::nls::locale_from_lcid(Locale) != nullptr;
}

// NT deviation (guess): a NULL name is not valid here, though other calls read it as the user default.
BOOL WINAPI IsValidLocaleName(LPCWSTR lpLocaleName) {
    return lpLocaleName && win32::nls::locale_from_name(lpLocaleName) != nullptr;
}

}  // extern "C"
