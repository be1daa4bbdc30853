/* OSVERSIONINFOW and OSVERSIONINFOEXW (the RTL_ forms of RtlGetVersion), shared by <wdm.h> through
 * rtl.h and <windows.h> (GetVersionEx). Compiles alone in C11 and C++20. */
#ifndef NTIO_DDK_OS_VERSION_INFO_H
#define NTIO_DDK_OS_VERSION_INFO_H
#include "basetypes.h"

typedef struct _OSVERSIONINFOW {
    ULONG dwOSVersionInfoSize;
    ULONG dwMajorVersion;
    ULONG dwMinorVersion;
    ULONG dwBuildNumber;
    ULONG dwPlatformId;
    WCHAR szCSDVersion[128];
} OSVERSIONINFOW, *POSVERSIONINFOW, *LPOSVERSIONINFOW, RTL_OSVERSIONINFOW, *PRTL_OSVERSIONINFOW;
typedef struct _OSVERSIONINFOEXW {
    ULONG dwOSVersionInfoSize;
    ULONG dwMajorVersion;
    ULONG dwMinorVersion;
    ULONG dwBuildNumber;
    ULONG dwPlatformId;
    WCHAR szCSDVersion[128];
    USHORT wServicePackMajor;
    USHORT wServicePackMinor;
    USHORT wSuiteMask;
    UCHAR wProductType;
    UCHAR wReserved;
} OSVERSIONINFOEXW, *POSVERSIONINFOEXW, *LPOSVERSIONINFOEXW, RTL_OSVERSIONINFOEXW, *PRTL_OSVERSIONINFOEXW;
C_ASSERT(sizeof(RTL_OSVERSIONINFOW) == 276);
C_ASSERT(sizeof(RTL_OSVERSIONINFOEXW) == 284);
#define VER_PLATFORM_WIN32_NT 2
#define VER_NT_WORKSTATION 0x0000001
#define VER_NT_DOMAIN_CONTROLLER 0x0000002
#define VER_NT_SERVER 0x0000003

#endif /* NTIO_DDK_OS_VERSION_INFO_H */
