/* Linguistic and ordinal string comparison (stringapiset.h / winnls.h subset): CompareString(Ex),
 * CompareStringOrdinal and their flags. ntio's linguistic order is an approximation of Windows'
 * (docs/nt-deviations.md, win32); ordinal comparison is exact. */
#ifndef NTIO_SDK_WIN32_STRING_COMPARE_H
#define NTIO_SDK_WIN32_STRING_COMPARE_H
#include "types.h"

#define CSTR_LESS_THAN 1
#define CSTR_EQUAL 2
#define CSTR_GREATER_THAN 3

#define NORM_IGNORECASE 0x00000001
#define NORM_IGNORENONSPACE 0x00000002
#define NORM_IGNORESYMBOLS 0x00000004
#define SORT_DIGITSASNUMBERS 0x00000008
#define LINGUISTIC_IGNORECASE 0x00000010
#define LINGUISTIC_IGNOREDIACRITIC 0x00000020
#define SORT_STRINGSORT 0x00001000
#define NORM_IGNOREKANATYPE 0x00010000
#define NORM_IGNOREWIDTH 0x00020000
#define NORM_LINGUISTIC_CASING 0x08000000

typedef struct _nlsversioninfo {
    DWORD dwNLSVersionInfoSize;
    DWORD dwNLSVersion;
    DWORD dwDefinedVersion;
    DWORD dwEffectiveId;
    GUID guidCustomVersion;
} NLSVERSIONINFO, *LPNLSVERSIONINFO;

NTIO_BEGIN_DECLS
WINBASEAPI int WINAPI CompareStringA(_In_ LCID Locale, _In_ DWORD dwCmpFlags, _In_ LPCCH lpString1, _In_ int cchCount1,
                                     _In_ LPCCH lpString2, _In_ int cchCount2);
WINBASEAPI int WINAPI CompareStringW(_In_ LCID Locale, _In_ DWORD dwCmpFlags, _In_ LPCWCH lpString1,
                                     _In_ int cchCount1, _In_ LPCWCH lpString2, _In_ int cchCount2);
WINBASEAPI int WINAPI CompareStringEx(_In_opt_ LPCWSTR lpLocaleName, _In_ DWORD dwCmpFlags, _In_ LPCWCH lpString1,
                                      _In_ int cchCount1, _In_ LPCWCH lpString2, _In_ int cchCount2,
                                      _Reserved_ LPNLSVERSIONINFO lpVersionInformation, _Reserved_ LPVOID lpReserved,
                                      _Reserved_ LPARAM lParam);
WINBASEAPI int WINAPI CompareStringOrdinal(_In_ LPCWCH lpString1, _In_ int cchCount1, _In_ LPCWCH lpString2,
                                           _In_ int cchCount2, _In_ BOOL bIgnoreCase);
NTIO_END_DECLS

#ifdef UNICODE
#define CompareString CompareStringW
#else
#define CompareString CompareStringA
#endif

#endif /* NTIO_SDK_WIN32_STRING_COMPARE_H */
