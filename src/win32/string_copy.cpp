// lstrcpy, lstrcpyn and lstrcat in their ANSI and wide forms: plain copies to a terminator, with no
// bound but lstrcpyn's count.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-lstrcpynw
#include "win32/win32.hpp"

namespace {

template <class Char>
Char* copy_string(Char* to, const Char* from) {
    if (!to || !from) return nullptr;
    std::size_t i = 0;
    for (; from[i]; ++i) to[i] = from[i];
    to[i] = 0;
    return to;
}

// "iMaxLength: The number of TCHAR values to be copied ... including a terminating null character";
// a longer source is cut and still terminated. NT deviation (guess): a count of 0 writes nothing and
// returns the buffer; a negative count fails (NULL, ERROR_INVALID_PARAMETER).
template <class Char>
Char* copy_bounded(Char* to, const Char* from, int max_length) {
    if (!to || !from || max_length < 0) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return nullptr;
    }
    if (max_length == 0) return to;
    int i = 0;
    for (; i < max_length - 1 && from[i]; ++i) to[i] = from[i];
    to[i] = 0;
    return to;
}

template <class Char>
Char* append_string(Char* to, const Char* from) {
    if (!to || !from) return nullptr;
    std::size_t end = 0;
    while (to[end]) ++end;
    copy_string(to + end, from);
    return to;
}

}  // namespace

extern "C" {

LPSTR WINAPI lstrcpyA(LPSTR lpString1, LPCSTR lpString2) { return copy_string(lpString1, lpString2); }
LPWSTR WINAPI lstrcpyW(LPWSTR lpString1, LPCWSTR lpString2) { return copy_string(lpString1, lpString2); }
LPSTR WINAPI lstrcpynA(LPSTR lpString1, LPCSTR lpString2, int iMaxLength) {
    return copy_bounded(lpString1, lpString2, iMaxLength);
}
LPWSTR WINAPI lstrcpynW(LPWSTR lpString1, LPCWSTR lpString2, int iMaxLength) {
    return copy_bounded(lpString1, lpString2, iMaxLength);
}
LPSTR WINAPI lstrcatA(LPSTR lpString1, LPCSTR lpString2) { return append_string(lpString1, lpString2); }
LPWSTR WINAPI lstrcatW(LPWSTR lpString1, LPCWSTR lpString2) { return append_string(lpString1, lpString2); }

}  // extern "C"
