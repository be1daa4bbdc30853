/* Character case and class routines of user32 (winuser.h subset): CharUpper / CharLower (in place, or
 * on one character passed as the pointer), their counted forms, and IsCharAlpha and friends. */
#ifndef NTIO_SDK_WIN32_CHARACTERS_H
#define NTIO_SDK_WIN32_CHARACTERS_H
#include "types.h"

NTIO_BEGIN_DECLS
WINUSERAPI LPSTR WINAPI CharUpperA(_Inout_ LPSTR lpsz);
WINUSERAPI LPWSTR WINAPI CharUpperW(_Inout_ LPWSTR lpsz);
WINUSERAPI LPSTR WINAPI CharLowerA(_Inout_ LPSTR lpsz);
WINUSERAPI LPWSTR WINAPI CharLowerW(_Inout_ LPWSTR lpsz);
WINUSERAPI DWORD WINAPI CharUpperBuffA(_Inout_updates_(cchLength) LPSTR lpsz, _In_ DWORD cchLength);
WINUSERAPI DWORD WINAPI CharUpperBuffW(_Inout_updates_(cchLength) LPWSTR lpsz, _In_ DWORD cchLength);
WINUSERAPI DWORD WINAPI CharLowerBuffA(_Inout_updates_(cchLength) LPSTR lpsz, _In_ DWORD cchLength);
WINUSERAPI DWORD WINAPI CharLowerBuffW(_Inout_updates_(cchLength) LPWSTR lpsz, _In_ DWORD cchLength);
WINUSERAPI BOOL WINAPI IsCharAlphaA(_In_ CHAR ch);
WINUSERAPI BOOL WINAPI IsCharAlphaW(_In_ WCHAR ch);
WINUSERAPI BOOL WINAPI IsCharAlphaNumericA(_In_ CHAR ch);
WINUSERAPI BOOL WINAPI IsCharAlphaNumericW(_In_ WCHAR ch);
WINUSERAPI BOOL WINAPI IsCharUpperA(_In_ CHAR ch);
WINUSERAPI BOOL WINAPI IsCharUpperW(_In_ WCHAR ch);
WINUSERAPI BOOL WINAPI IsCharLowerA(_In_ CHAR ch);
WINUSERAPI BOOL WINAPI IsCharLowerW(_In_ WCHAR ch);
NTIO_END_DECLS

#ifdef UNICODE
#define CharUpper CharUpperW
#define CharLower CharLowerW
#define CharUpperBuff CharUpperBuffW
#define CharLowerBuff CharLowerBuffW
#define IsCharAlpha IsCharAlphaW
#define IsCharAlphaNumeric IsCharAlphaNumericW
#define IsCharUpper IsCharUpperW
#define IsCharLower IsCharLowerW
#else
#define CharUpper CharUpperA
#define CharLower CharLowerA
#define CharUpperBuff CharUpperBuffA
#define CharLowerBuff CharLowerBuffA
#define IsCharAlpha IsCharAlphaA
#define IsCharAlphaNumeric IsCharAlphaNumericA
#define IsCharUpper IsCharUpperA
#define IsCharLower IsCharLowerA
#endif

#endif /* NTIO_SDK_WIN32_CHARACTERS_H */
