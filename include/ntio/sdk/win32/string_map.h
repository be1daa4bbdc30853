/* String mapping and character types (stringapiset.h / winnls.h subset): LCMapString(Ex) for case,
 * kana, width, byte reversal, stripping and sort keys, and GetStringType(Ex) for CT_CTYPE1. */
#ifndef NTIO_SDK_WIN32_STRING_MAP_H
#define NTIO_SDK_WIN32_STRING_MAP_H
#include "types.h"
#include "string_compare.h"

#define LCMAP_LOWERCASE 0x00000100
#define LCMAP_UPPERCASE 0x00000200
#define LCMAP_TITLECASE 0x00000300
#define LCMAP_SORTKEY 0x00000400
#define LCMAP_BYTEREV 0x00000800
#define LCMAP_HASH 0x00040000
#define LCMAP_HIRAGANA 0x00100000
#define LCMAP_KATAKANA 0x00200000
#define LCMAP_HALFWIDTH 0x00400000
#define LCMAP_FULLWIDTH 0x00800000
#define LCMAP_LINGUISTIC_CASING 0x01000000
#define LCMAP_SIMPLIFIED_CHINESE 0x02000000
#define LCMAP_TRADITIONAL_CHINESE 0x04000000
#define LCMAP_SORTHANDLE 0x20000000

#define CT_CTYPE1 0x00000001
#define CT_CTYPE2 0x00000002
#define CT_CTYPE3 0x00000004

#define C1_UPPER 0x0001
#define C1_LOWER 0x0002
#define C1_DIGIT 0x0004
#define C1_SPACE 0x0008
#define C1_PUNCT 0x0010
#define C1_CNTRL 0x0020
#define C1_BLANK 0x0040
#define C1_XDIGIT 0x0080
#define C1_ALPHA 0x0100
#define C1_DEFINED 0x0200

NTIO_BEGIN_DECLS
WINBASEAPI int WINAPI LCMapStringA(_In_ LCID Locale, _In_ DWORD dwMapFlags, _In_ LPCSTR lpSrcStr, _In_ int cchSrc,
                                   _Out_writes_opt_(cchDest) LPSTR lpDestStr, _In_ int cchDest);
WINBASEAPI int WINAPI LCMapStringW(_In_ LCID Locale, _In_ DWORD dwMapFlags, _In_ LPCWSTR lpSrcStr, _In_ int cchSrc,
                                   _Out_writes_opt_(cchDest) LPWSTR lpDestStr, _In_ int cchDest);
WINBASEAPI int WINAPI LCMapStringEx(_In_opt_ LPCWSTR lpLocaleName, _In_ DWORD dwMapFlags, _In_ LPCWSTR lpSrcStr,
                                    _In_ int cchSrc, _Out_writes_opt_(cchDest) LPWSTR lpDestStr, _In_ int cchDest,
                                    _In_opt_ LPNLSVERSIONINFO lpVersionInformation, _In_opt_ LPVOID lpReserved,
                                    _In_opt_ LPARAM sortHandle);
WINBASEAPI BOOL WINAPI GetStringTypeW(_In_ DWORD dwInfoType, _In_ LPCWCH lpSrcStr, _In_ int cchSrc,
                                      _Out_ LPWORD lpCharType);
WINBASEAPI BOOL WINAPI GetStringTypeExW(_In_ LCID Locale, _In_ DWORD dwInfoType, _In_ LPCWSTR lpSrcStr,
                                        _In_ int cchSrc, _Out_ LPWORD lpCharType);
WINBASEAPI BOOL WINAPI GetStringTypeA(_In_ LCID Locale, _In_ DWORD dwInfoType, _In_ LPCSTR lpSrcStr, _In_ int cchSrc,
                                      _Out_ LPWORD lpCharType);
WINBASEAPI BOOL WINAPI GetStringTypeExA(_In_ LCID Locale, _In_ DWORD dwInfoType, _In_ LPCSTR lpSrcStr,
                                        _In_ int cchSrc, _Out_ LPWORD lpCharType);
NTIO_END_DECLS

#ifdef UNICODE
#define LCMapString LCMapStringW
#define GetStringTypeEx GetStringTypeExW
#else
#define LCMapString LCMapStringA
#define GetStringTypeEx GetStringTypeExA
#endif

#endif /* NTIO_SDK_WIN32_STRING_MAP_H */
