// MultiByteToWideChar and WideCharToMultiByte for the UTF-8 code pages, over the Rtl transcoder
// (ntio's ANSI, OEM and thread code pages are UTF-8); GetACP, GetOEMCP, IsValidCodePage, lstrlen.
// https://learn.microsoft.com/windows/win32/api/stringapiset/nf-stringapiset-multibytetowidechar
// https://learn.microsoft.com/windows/win32/api/stringapiset/nf-stringapiset-widechartomultibyte
#include <cstring>

#include "rtl/utf.hpp"
#include "win32/win32.hpp"

using namespace ntio;

namespace {

int fail(DWORD error) {
    SetLastError(error);
    return 0;
}

// The code pages ntio converts: CP_UTF8 itself, and CP_ACP, CP_OEMCP and CP_THREAD_ACP, which are
// UTF-8 here. `system`: one of the latter, which also take the flags the single-byte and double-byte
// code pages take (ignored: there is no precomposed or best-fit form to choose in UTF-8).
bool utf8_page(UINT page, bool& system) {
    system = page == CP_ACP || page == CP_OEMCP || page == CP_THREAD_ACP;
    return system || page == CP_UTF8;
}

}  // namespace

extern "C" {

// "For UTF-8 or code page 54936 ... dwFlags must be set to either 0 or MB_ERR_INVALID_CHARS.
// Otherwise, the function fails with ERROR_INVALID_FLAGS." Without MB_ERR_INVALID_CHARS an
// ill-formed sequence becomes U+FFFD; with it the call fails with ERROR_NO_UNICODE_TRANSLATION.
int WINAPI MultiByteToWideChar(UINT CodePage, DWORD dwFlags, LPCCH lpMultiByteStr, int cbMultiByte,
                               LPWSTR lpWideCharStr, int cchWideChar) {
    bool system = false;
    // NT deviation: only the UTF-8 code pages convert; any other is ERROR_INVALID_PARAMETER, as an
    // unknown code page is.
    if (!utf8_page(CodePage, system)) return fail(ERROR_INVALID_PARAMETER);
    const DWORD allowed =
        MB_ERR_INVALID_CHARS | (system ? MB_PRECOMPOSED | MB_COMPOSITE | MB_USEGLYPHCHARS : 0);
    if (dwFlags & ~allowed) return fail(ERROR_INVALID_FLAGS);
    if (!lpMultiByteStr || cbMultiByte == 0 || cbMultiByte < -1 || cchWideChar < 0 ||
        (cchWideChar > 0 && !lpWideCharStr) ||
        static_cast<const void*>(lpMultiByteStr) == static_cast<const void*>(lpWideCharStr))
        return fail(ERROR_INVALID_PARAMETER);
    // -1: the string and its terminating null.
    const std::size_t count = cbMultiByte == -1 ? std::strlen(lpMultiByteStr) + 1 : static_cast<std::size_t>(cbMultiByte);
    bool replaced = false;
    const std::size_t needed = rtl::utf16_size(lpMultiByteStr, count, &replaced);
    if (replaced && (dwFlags & MB_ERR_INVALID_CHARS)) return fail(ERROR_NO_UNICODE_TRANSLATION);
    if (needed > static_cast<std::size_t>(INT_MAX)) return fail(ERROR_INVALID_PARAMETER);
    if (cchWideChar == 0) return static_cast<int>(needed);
    if (needed > static_cast<std::size_t>(cchWideChar)) return fail(ERROR_INSUFFICIENT_BUFFER);
    std::size_t consumed = 0;
    const std::size_t written = rtl::utf8_to_utf16(lpMultiByteStr, count, reinterpret_cast<char16_t*>(lpWideCharStr),
                                                   static_cast<std::size_t>(cchWideChar), &consumed, nullptr);
    return static_cast<int>(written);
}

// "For the CP_UTF7 and CP_UTF8 settings for CodePage, [lpDefaultChar and lpUsedDefaultChar] must be
// set to NULL. Otherwise, the function fails with ERROR_INVALID_PARAMETER." An unpaired surrogate
// becomes U+FFFD, or with WC_ERR_INVALID_CHARS fails with ERROR_NO_UNICODE_TRANSLATION.
int WINAPI WideCharToMultiByte(UINT CodePage, DWORD dwFlags, LPCWCH lpWideCharStr, int cchWideChar,
                               LPSTR lpMultiByteStr, int cbMultiByte, LPCCH lpDefaultChar, LPBOOL lpUsedDefaultChar) {
    bool system = false;
    if (!utf8_page(CodePage, system)) return fail(ERROR_INVALID_PARAMETER);
    const DWORD allowed = WC_ERR_INVALID_CHARS |
                          (system ? WC_COMPOSITECHECK | WC_DISCARDNS | WC_SEPCHARS | WC_DEFAULTCHAR | WC_NO_BEST_FIT_CHARS : 0);
    if (dwFlags & ~allowed) return fail(ERROR_INVALID_FLAGS);
    if (!system && (lpDefaultChar || lpUsedDefaultChar)) return fail(ERROR_INVALID_PARAMETER);
    if (!lpWideCharStr || cchWideChar == 0 || cchWideChar < -1 || cbMultiByte < 0 ||
        (cbMultiByte > 0 && !lpMultiByteStr) ||
        static_cast<const void*>(lpMultiByteStr) == static_cast<const void*>(lpWideCharStr))
        return fail(ERROR_INVALID_PARAMETER);
    const auto* units = reinterpret_cast<const char16_t*>(lpWideCharStr);
    std::size_t count = static_cast<std::size_t>(cchWideChar);
    if (cchWideChar == -1) count = std::char_traits<char16_t>::length(units) + 1;
    bool replaced = false;
    const std::size_t needed = rtl::utf8_size(units, count, &replaced);
    if (replaced && (dwFlags & WC_ERR_INVALID_CHARS)) return fail(ERROR_NO_UNICODE_TRANSLATION);
    // The ANSI code page's default character is never used: U+FFFD has a UTF-8 form.
    if (lpUsedDefaultChar) *lpUsedDefaultChar = FALSE;
    if (needed > static_cast<std::size_t>(INT_MAX)) return fail(ERROR_INVALID_PARAMETER);
    if (cbMultiByte == 0) return static_cast<int>(needed);
    if (needed > static_cast<std::size_t>(cbMultiByte)) return fail(ERROR_INSUFFICIENT_BUFFER);
    std::size_t consumed = 0;
    const std::size_t written =
        rtl::utf16_to_utf8(units, count, lpMultiByteStr, static_cast<std::size_t>(cbMultiByte), &consumed, nullptr);
    return static_cast<int>(written);
}

UINT WINAPI GetACP(VOID) { return CP_UTF8; }
UINT WINAPI GetOEMCP(VOID) { return CP_UTF8; }

// The code pages MultiByteToWideChar converts by number (CP_ACP and the others are not code pages
// but names for one).
BOOL WINAPI IsValidCodePage(UINT CodePage) { return CodePage == CP_UTF8; }

int WINAPI lstrlenA(LPCSTR lpString) { return lpString ? static_cast<int>(std::strlen(lpString)) : 0; }

int WINAPI lstrlenW(LPCWSTR lpString) {
    return lpString ? static_cast<int>(std::char_traits<char16_t>::length(reinterpret_cast<const char16_t*>(lpString))) : 0;
}

}  // extern "C"
