/* Win32 base types (windef.h / winnt.h / minwindef.h spellings) for <windows.h>. The NT base types
 * (BOOL, DWORD, HANDLE, LPVOID, LARGE_INTEGER, ...) are shared with the DDK through basetypes.h, so
 * <windows.h> and <wdm.h>/<ntio/ntapi.h> can be included together in either order. */
#ifndef NTIO_SDK_WIN32_TYPES_H
#define NTIO_SDK_WIN32_TYPES_H
#include "../../ddk/ntio_ddk/basetypes.h"
#include "../../ddk/ntio_ddk/sal.h"

#define WINBASEAPI NTIO_API
#define WINADVAPI NTIO_API
#define WINUSERAPI NTIO_API
#ifndef APIENTRY
#define APIENTRY WINAPI
#endif
#ifndef WINAPIV
#define WINAPIV
#endif
#ifndef FAR
#define FAR
#endif
#ifndef NEAR
#define NEAR
#endif

typedef float FLOAT, *PFLOAT;
typedef BOOL *LPBOOL;
typedef int *LPINT;
typedef WORD *LPWORD;
typedef LONG *LPLONG;
typedef ULONGLONG DWORDLONG, *PDWORDLONG;
typedef void *PVOID64;
typedef HANDLE *LPHANDLE;
typedef HANDLE HINSTANCE, HMODULE, HLOCAL, HGLOBAL, HKEY, HWND, HRSRC, HDESK, HWINSTA;
typedef HKEY *PHKEY;
typedef int HFILE;
typedef LONG HRESULT;
typedef WORD ATOM;
typedef UINT_PTR WPARAM;
typedef LONG_PTR LPARAM, LRESULT;
typedef DWORD COLORREF, *LPCOLORREF;
typedef DWORD LCTYPE;
typedef WORD LANGID;
typedef CHAR *LPCH, *PCH, *NPSTR;
typedef WCHAR *LPWCH;
typedef const CHAR *LPCCH;
typedef const WCHAR *LPCWCH;
typedef ULONG_PTR HANDLE_PTR;
typedef INT_PTR (WINAPI *FARPROC)(void);
typedef INT_PTR (WINAPI *NEARPROC)(void);
typedef INT_PTR (WINAPI *PROC)(void);

#ifdef UNICODE
typedef WCHAR TCHAR, *PTCHAR, TBYTE, *PTBYTE;
typedef LPWSTR LPTSTR, PTSTR, LPTCH, PTCH;
typedef LPCWSTR LPCTSTR, PCTSTR;
#define __TEXT(quote) L##quote
#else
typedef char TCHAR, *PTCHAR;
typedef unsigned char TBYTE, *PTBYTE;
typedef LPSTR LPTSTR, PTSTR, LPTCH, PTCH;
typedef LPCSTR LPCTSTR, PCTSTR;
#define __TEXT(quote) quote
#endif
#define TEXT(quote) __TEXT(quote)

typedef struct _FILETIME {
    DWORD dwLowDateTime;
    DWORD dwHighDateTime;
} FILETIME, *PFILETIME, *LPFILETIME;

typedef struct _SYSTEMTIME {
    WORD wYear;
    WORD wMonth;
    WORD wDayOfWeek;
    WORD wDay;
    WORD wHour;
    WORD wMinute;
    WORD wSecond;
    WORD wMilliseconds;
} SYSTEMTIME, *PSYSTEMTIME, *LPSYSTEMTIME;

typedef struct _SECURITY_ATTRIBUTES {
    DWORD nLength;
    LPVOID lpSecurityDescriptor;
    BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

typedef struct _OVERLAPPED {
    ULONG_PTR Internal;
    ULONG_PTR InternalHigh;
    union {
        struct {
            DWORD Offset;
            DWORD OffsetHigh;
        };
        PVOID Pointer;
    };
    HANDLE hEvent;
} OVERLAPPED, *LPOVERLAPPED;

typedef struct _OVERLAPPED_ENTRY {
    ULONG_PTR lpCompletionKey;
    LPOVERLAPPED lpOverlapped;
    ULONG_PTR Internal;
    DWORD dwNumberOfBytesTransferred;
} OVERLAPPED_ENTRY, *LPOVERLAPPED_ENTRY;

C_ASSERT(sizeof(FILETIME) == 8);
C_ASSERT(sizeof(SYSTEMTIME) == 16);
C_ASSERT(sizeof(SECURITY_ATTRIBUTES) == 24);
C_ASSERT(sizeof(OVERLAPPED) == 32);
C_ASSERT(FIELD_OFFSET(OVERLAPPED, Offset) == 16);
C_ASSERT(FIELD_OFFSET(OVERLAPPED, hEvent) == 24);
C_ASSERT(sizeof(OVERLAPPED_ENTRY) == 32);
C_ASSERT(FIELD_OFFSET(OVERLAPPED_ENTRY, dwNumberOfBytesTransferred) == 24);

#define MAX_PATH 260
#define MAXDWORD 0xffffffff
#ifndef MAXCHAR
#define MAXCHAR 0x7f
#endif
#define MAXBYTE 0xff
#define MAXWORD 0xffff
#define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)
#define HFILE_ERROR ((HFILE)-1)
#define MAKEWORD(a, b) ((WORD)(((BYTE)(((DWORD_PTR)(a)) & 0xff)) | ((WORD)((BYTE)(((DWORD_PTR)(b)) & 0xff))) << 8))
#define LOBYTE(w) ((BYTE)(((DWORD_PTR)(w)) & 0xff))
#define HIBYTE(w) ((BYTE)((((DWORD_PTR)(w)) >> 8) & 0xff))

/* NT deviation: min/max are macros only in C; in C++ they would break the standard library headers
 * (the SDK defines them unless NOMINMAX, which every C++ user of the SDK sets). */
#if !defined(NOMINMAX) && !defined(__cplusplus)
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#endif

#endif /* NTIO_SDK_WIN32_TYPES_H */
