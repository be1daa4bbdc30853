/* System information (sysinfoapi.h / winbase.h / debugapi.h subset): GetSystemInfo and
 * GetNativeSystemInfo, the processor counts, the computer name, the Windows and system directories, IsDebuggerPresent. */
#ifndef NTIO_SDK_WIN32_SYSTEM_INFO_H
#define NTIO_SDK_WIN32_SYSTEM_INFO_H
#include "types.h"

#ifndef _Out_writes_to_opt_
#define _Out_writes_to_opt_(x, y)
#endif

#define PROCESSOR_ARCHITECTURE_INTEL 0
#define PROCESSOR_ARCHITECTURE_ARM 5
#define PROCESSOR_ARCHITECTURE_IA64 6
#define PROCESSOR_ARCHITECTURE_AMD64 9
#define PROCESSOR_ARCHITECTURE_ARM64 12
#define PROCESSOR_ARCHITECTURE_UNKNOWN 0xFFFF
#define PROCESSOR_INTEL_386 386
#define PROCESSOR_INTEL_486 486
#define PROCESSOR_INTEL_PENTIUM 586
#define PROCESSOR_AMD_X8664 8664
#define MAX_COMPUTERNAME_LENGTH 15

typedef struct _SYSTEM_INFO {
    union {
        DWORD dwOemId;
        struct {
            WORD wProcessorArchitecture;
            WORD wReserved;
        };
    };
    DWORD dwPageSize;
    LPVOID lpMinimumApplicationAddress;
    LPVOID lpMaximumApplicationAddress;
    DWORD_PTR dwActiveProcessorMask;
    DWORD dwNumberOfProcessors;
    DWORD dwProcessorType;
    DWORD dwAllocationGranularity;
    WORD wProcessorLevel;
    WORD wProcessorRevision;
} SYSTEM_INFO, *LPSYSTEM_INFO;

NTIO_BEGIN_DECLS
WINBASEAPI VOID WINAPI GetSystemInfo(_Out_ LPSYSTEM_INFO lpSystemInfo);
/* ntio has one processor group: group 0 or ALL_PROCESSOR_GROUPS; another group is 0 with
 * ERROR_INVALID_PARAMETER. */
#define ALL_PROCESSOR_GROUPS 0xffff
WINBASEAPI DWORD WINAPI GetActiveProcessorCount(_In_ WORD GroupNumber);
WINBASEAPI DWORD WINAPI GetMaximumProcessorCount(_In_ WORD GroupNumber);
WINBASEAPI VOID WINAPI GetNativeSystemInfo(_Out_ LPSYSTEM_INFO lpSystemInfo);
WINBASEAPI BOOL WINAPI GetComputerNameA(_Out_writes_to_opt_(*nSize, *nSize + 1) LPSTR lpBuffer, _Inout_ LPDWORD nSize);
WINBASEAPI BOOL WINAPI GetComputerNameW(_Out_writes_to_opt_(*nSize, *nSize + 1) LPWSTR lpBuffer, _Inout_ LPDWORD nSize);
WINBASEAPI UINT WINAPI GetWindowsDirectoryA(_Out_writes_to_opt_(uSize, return + 1) LPSTR lpBuffer, _In_ UINT uSize);
WINBASEAPI UINT WINAPI GetWindowsDirectoryW(_Out_writes_to_opt_(uSize, return + 1) LPWSTR lpBuffer, _In_ UINT uSize);
WINBASEAPI UINT WINAPI GetSystemDirectoryA(_Out_writes_to_opt_(uSize, return + 1) LPSTR lpBuffer, _In_ UINT uSize);
WINBASEAPI UINT WINAPI GetSystemDirectoryW(_Out_writes_to_opt_(uSize, return + 1) LPWSTR lpBuffer, _In_ UINT uSize);
WINBASEAPI BOOL WINAPI IsDebuggerPresent(VOID);
NTIO_END_DECLS

#ifdef UNICODE
#define GetComputerName GetComputerNameW
#define GetWindowsDirectory GetWindowsDirectoryW
#define GetSystemDirectory GetSystemDirectoryW
#else
#define GetComputerName GetComputerNameA
#define GetWindowsDirectory GetWindowsDirectoryA
#define GetSystemDirectory GetSystemDirectoryA
#endif

#endif /* NTIO_SDK_WIN32_SYSTEM_INFO_H */
