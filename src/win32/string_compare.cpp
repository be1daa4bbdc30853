// CompareStringA/W/Ex and lstrcmp(i), which compare in ntio's approximate linguistic order
// (collation.cpp), and CompareStringOrdinal, which compares code units as RtlCompareUnicodeString does.
// https://learn.microsoft.com/windows/win32/api/stringapiset/nf-stringapiset-comparestringex
// https://learn.microsoft.com/windows/win32/api/stringapiset/nf-stringapiset-comparestringordinal
#include <cstring>

#include "rtl/case_map.hpp"
#include "win32/nls.hpp"

using namespace ntio;
using win32::nls::fail;

namespace {

// The checks every CompareString form shares (locale, flags, strings), then the comparison. Learn
// lets the application supply any negative count for a null-terminated string.
int compare_wide(const win32::nls::LocaleData* locale, DWORD flags, LPCWCH s1, int count1, LPCWCH s2, int count2) {
    if (flags & ~win32::nls::kCompareFlags) return fail(ERROR_INVALID_FLAGS);
    if (!locale || !s1 || !s2) return fail(ERROR_INVALID_PARAMETER);
    return win32::nls::collate(win32::nls::counted(s1, count1), win32::nls::counted(s2, count2), flags);
}

std::u16string widen(LPCCH text, int count) {
    return win32::ansi_to_utf16(count < 0 ? std::string_view(text) : std::string_view(text, static_cast<std::size_t>(count)));
}

// lstrcmp(i) has no error return. NT deviation (guess): NULL sorts before every string, two NULLs
// are equal.
int compare_nullable(const void* s1, const void* s2) { return s1 ? 1 : s2 ? -1 : 0; }

}  // namespace

extern "C" {

// lpVersionInformation is accepted and ignored (there is one version of ntio's order); "lpReserved:
// Reserved; must be NULL", "lParam: Reserved; must be 0" (else ERROR_INVALID_PARAMETER, a guess).
int WINAPI CompareStringEx(LPCWSTR lpLocaleName, DWORD dwCmpFlags, LPCWCH lpString1, int cchCount1, LPCWCH lpString2,
                           int cchCount2, LPNLSVERSIONINFO lpVersionInformation, LPVOID lpReserved, LPARAM lParam) {
    (void)lpVersionInformation;
    if (lpReserved || lParam) return fail(ERROR_INVALID_PARAMETER);
    return compare_wide(win32::nls::locale_from_name(lpLocaleName), dwCmpFlags, lpString1, cchCount1, lpString2,
                        cchCount2);
}

int WINAPI CompareStringW(LCID Locale, DWORD dwCmpFlags, LPCWCH lpString1, int cchCount1, LPCWCH lpString2,
                          int cchCount2) {
    return compare_wide(win32::nls::locale_from_lcid(Locale), dwCmpFlags, lpString1, cchCount1, lpString2, cchCount2);
}

// The ANSI form compares the strings converted from the ANSI code page (UTF-8); counts are bytes.
int WINAPI CompareStringA(LCID Locale, DWORD dwCmpFlags, LPCCH lpString1, int cchCount1, LPCCH lpString2,
                          int cchCount2) {
    if (dwCmpFlags & ~win32::nls::kCompareFlags) return fail(ERROR_INVALID_FLAGS);
    if (!win32::nls::locale_from_lcid(Locale) || !lpString1 || !lpString2) return fail(ERROR_INVALID_PARAMETER);
    return win32::nls::collate(widen(lpString1, cchCount1), widen(lpString2, cchCount2), dwCmpFlags);
}

// "The application supplies -1 if the string is null-terminated"; any other negative count is
// ERROR_INVALID_PARAMETER, as is a bIgnoreCase other than 0 and 1 ("1 is the only numeric value that
// can be used to specify a true value ... that does not result an invalid parameter error").
// Ignoring case compares through the upcase table, code unit by code unit, as RtlCompareUnicodeString.
int WINAPI CompareStringOrdinal(LPCWCH lpString1, int cchCount1, LPCWCH lpString2, int cchCount2, BOOL bIgnoreCase) {
    if (!lpString1 || !lpString2 || cchCount1 < -1 || cchCount2 < -1 || (bIgnoreCase != FALSE && bIgnoreCase != TRUE))
        return fail(ERROR_INVALID_PARAMETER);
    const std::u16string_view a = win32::nls::counted(lpString1, cchCount1);
    const std::u16string_view b = win32::nls::counted(lpString2, cchCount2);
    const std::size_t common = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < common; ++i) {
        const char16_t x = bIgnoreCase ? rtl::upcase(a[i]) : a[i];
        const char16_t y = bIgnoreCase ? rtl::upcase(b[i]) : b[i];
        if (x != y) return x < y ? CSTR_LESS_THAN : CSTR_GREATER_THAN;
    }
    return a.size() < b.size() ? CSTR_LESS_THAN : a.size() > b.size() ? CSTR_GREATER_THAN : CSTR_EQUAL;
}

// "lstrcmp ... calls CompareStringEx, using the current thread locale, and subtracts 2 to maintain
// the C run-time convention"; lstrcmpi adds NORM_IGNORECASE.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-lstrcmpw
int WINAPI lstrcmpW(LPCWSTR lpString1, LPCWSTR lpString2) {
    if (!lpString1 || !lpString2) return compare_nullable(lpString1, lpString2);
    return CompareStringW(win32::nls::thread_locale(), 0, lpString1, -1, lpString2, -1) - 2;
}

int WINAPI lstrcmpiW(LPCWSTR lpString1, LPCWSTR lpString2) {
    if (!lpString1 || !lpString2) return compare_nullable(lpString1, lpString2);
    return CompareStringW(win32::nls::thread_locale(), NORM_IGNORECASE, lpString1, -1, lpString2, -1) - 2;
}

int WINAPI lstrcmpA(LPCSTR lpString1, LPCSTR lpString2) {
    if (!lpString1 || !lpString2) return compare_nullable(lpString1, lpString2);
    return CompareStringA(win32::nls::thread_locale(), 0, lpString1, -1, lpString2, -1) - 2;
}

int WINAPI lstrcmpiA(LPCSTR lpString1, LPCSTR lpString2) {
    if (!lpString1 || !lpString2) return compare_nullable(lpString1, lpString2);
    return CompareStringA(win32::nls::thread_locale(), NORM_IGNORECASE, lpString1, -1, lpString2, -1) - 2;
}

}  // extern "C"
