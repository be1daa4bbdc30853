// GetStringType(Ex) for CT_CTYPE1: one WORD of C1_* classes per code unit (wide forms) or per byte
// (ANSI forms, every byte of a UTF-8 character getting that character's classes).
// https://learn.microsoft.com/windows/win32/api/stringapiset/nf-stringapiset-getstringtypew
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-getstringtypea
#include <cstring>

#include "win32/nls.hpp"

using namespace ntio;
using win32::nls::fail;

namespace {

// "The lpSrcStr and lpCharType pointers cannot be the same. In this case, the error
// ERROR_INVALID_PARAMETER results." dwInfoType is one of the three types; only CT_CTYPE1 is there
// (CT_CTYPE2 and CT_CTYPE3 are ERROR_CALL_NOT_IMPLEMENTED).
DWORD check_call(DWORD type, const void* source, int count, const void* types) {
    if (type != CT_CTYPE1 && type != CT_CTYPE2 && type != CT_CTYPE3) return ERROR_INVALID_FLAGS;
    if (!source || !types || count == 0 || source == types) return ERROR_INVALID_PARAMETER;
    if (type != CT_CTYPE1) return ERROR_CALL_NOT_IMPLEMENTED;
    return ERROR_SUCCESS;
}

}  // namespace

extern "C" {

// A surrogate code unit gets none of the classes. "If the application sets the size to any negative
// integer, the source string is assumed to be null-terminated and the function calculates the size
// automatically with an additional character for the null termination."
BOOL WINAPI GetStringTypeW(DWORD dwInfoType, LPCWCH lpSrcStr, int cchSrc, LPWORD lpCharType) {
    if (const DWORD error = check_call(dwInfoType, lpSrcStr, cchSrc, lpCharType)) return fail(error);
    const std::u16string_view text = win32::nls::counted_with_nul(lpSrcStr, cchSrc);
    for (std::size_t i = 0; i < text.size(); ++i) lpCharType[i] = win32::nls::ctype1(text[i]);
    return TRUE;
}

// "Note that the W version of this function ignores this parameter" (the locale only names the ANSI
// code page).
BOOL WINAPI GetStringTypeExW(LCID Locale, DWORD dwInfoType, LPCWSTR lpSrcStr, int cchSrc, LPWORD lpCharType) {
    (void)Locale;
    return GetStringTypeW(dwInfoType, lpSrcStr, cchSrc, lpCharType);
}

// cchSrc counts bytes of the locale's ANSI code page (UTF-8 here). NT deviation (guess): each byte of
// a character gets that character's classes, and a byte of an ill-formed sequence none.
BOOL WINAPI GetStringTypeExA(LCID Locale, DWORD dwInfoType, LPCSTR lpSrcStr, int cchSrc, LPWORD lpCharType) {
    if (const DWORD error = check_call(dwInfoType, lpSrcStr, cchSrc, lpCharType)) return fail(error);
    if (!win32::nls::locale_from_lcid(Locale)) return fail(ERROR_INVALID_PARAMETER);
    const std::size_t count = cchSrc < 0 ? std::strlen(lpSrcStr) + 1 : static_cast<std::size_t>(cchSrc);
    for (std::size_t i = 0; i < count;) {
        const win32::nls::Utf8Char c = win32::nls::next_utf8(lpSrcStr + i, count - i);
        const WORD type = c.valid ? win32::nls::ctype1(c.code) : 0;
        for (std::size_t k = 0; k < c.length; ++k) lpCharType[i + k] = type;
        i += c.length;
    }
    return TRUE;
}

BOOL WINAPI GetStringTypeA(LCID Locale, DWORD dwInfoType, LPCSTR lpSrcStr, int cchSrc, LPWORD lpCharType) {
    return GetStringTypeExA(Locale, dwInfoType, lpSrcStr, cchSrc, lpCharType);
}

}  // extern "C"
