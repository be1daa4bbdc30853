/* Code pages and strings (stringapiset.h / winnls.h / winbase.h subset): MultiByteToWideChar and
 * WideCharToMultiByte for the UTF-8 code pages (ntio's ANSI and OEM code pages are UTF-8), GetACP,
 * GetOEMCP, IsValidCodePage, and the lstr* string routines (lstrcmp compares as CompareString does). */
#ifndef NTIO_SDK_WIN32_CODE_PAGES_H
#define NTIO_SDK_WIN32_CODE_PAGES_H
#include "types.h"

#define CP_ACP 0
#define CP_OEMCP 1
#define CP_MACCP 2
#define CP_THREAD_ACP 3
#define CP_SYMBOL 42
#define CP_UTF7 65000
#define CP_UTF8 65001

#define MB_PRECOMPOSED 0x00000001
#define MB_COMPOSITE 0x00000002
#define MB_USEGLYPHCHARS 0x00000004
#define MB_ERR_INVALID_CHARS 0x00000008

#define WC_DISCARDNS 0x00000010
#define WC_SEPCHARS 0x00000020
#define WC_DEFAULTCHAR 0x00000040
#define WC_ERR_INVALID_CHARS 0x00000080
#define WC_COMPOSITECHECK 0x00000200
#define WC_NO_BEST_FIT_CHARS 0x00000400

NTIO_BEGIN_DECLS
WINBASEAPI int WINAPI MultiByteToWideChar(_In_ UINT CodePage, _In_ DWORD dwFlags, _In_ LPCCH lpMultiByteStr,
                                          _In_ int cbMultiByte, _Out_opt_ LPWSTR lpWideCharStr, _In_ int cchWideChar);
WINBASEAPI int WINAPI WideCharToMultiByte(_In_ UINT CodePage, _In_ DWORD dwFlags, _In_ LPCWCH lpWideCharStr,
                                          _In_ int cchWideChar, _Out_opt_ LPSTR lpMultiByteStr, _In_ int cbMultiByte,
                                          _In_opt_ LPCCH lpDefaultChar, _Out_opt_ LPBOOL lpUsedDefaultChar);
WINBASEAPI UINT WINAPI GetACP(VOID);
WINBASEAPI UINT WINAPI GetOEMCP(VOID);
WINBASEAPI BOOL WINAPI IsValidCodePage(_In_ UINT CodePage);
WINBASEAPI int WINAPI lstrlenA(_In_opt_ LPCSTR lpString);
WINBASEAPI int WINAPI lstrlenW(_In_opt_ LPCWSTR lpString);
WINBASEAPI int WINAPI lstrcmpA(_In_ LPCSTR lpString1, _In_ LPCSTR lpString2);
WINBASEAPI int WINAPI lstrcmpW(_In_ LPCWSTR lpString1, _In_ LPCWSTR lpString2);
WINBASEAPI int WINAPI lstrcmpiA(_In_ LPCSTR lpString1, _In_ LPCSTR lpString2);
WINBASEAPI int WINAPI lstrcmpiW(_In_ LPCWSTR lpString1, _In_ LPCWSTR lpString2);
WINBASEAPI LPSTR WINAPI lstrcpyA(_Out_ LPSTR lpString1, _In_ LPCSTR lpString2);
WINBASEAPI LPWSTR WINAPI lstrcpyW(_Out_ LPWSTR lpString1, _In_ LPCWSTR lpString2);
WINBASEAPI LPSTR WINAPI lstrcpynA(_Out_ LPSTR lpString1, _In_ LPCSTR lpString2, _In_ int iMaxLength);
WINBASEAPI LPWSTR WINAPI lstrcpynW(_Out_ LPWSTR lpString1, _In_ LPCWSTR lpString2, _In_ int iMaxLength);
WINBASEAPI LPSTR WINAPI lstrcatA(_Inout_ LPSTR lpString1, _In_ LPCSTR lpString2);
WINBASEAPI LPWSTR WINAPI lstrcatW(_Inout_ LPWSTR lpString1, _In_ LPCWSTR lpString2);
NTIO_END_DECLS

#ifdef UNICODE
#define lstrlen lstrlenW
#define lstrcmp lstrcmpW
#define lstrcmpi lstrcmpiW
#define lstrcpy lstrcpyW
#define lstrcpyn lstrcpynW
#define lstrcat lstrcatW
#else
#define lstrlen lstrlenA
#define lstrcmp lstrcmpA
#define lstrcmpi lstrcmpiA
#define lstrcpy lstrcpyA
#define lstrcpyn lstrcpynA
#define lstrcat lstrcatA
#endif

#endif /* NTIO_SDK_WIN32_CODE_PAGES_H */
