/* Processes (processthreadsapi.h / wow64apiset.h / sysinfoapi.h / winbase.h / debugapi.h subset):
 * ending the process, its exit code, id, priority class and boost, affinity, session, image name,
 * start-up information and times, the system's CPU times, the memory status, the remote debugger
 * check and the WOW64 queries (ntio runs native x64 programs only). */
#ifndef NTIO_SDK_WIN32_PROCESS_H
#define NTIO_SDK_WIN32_PROCESS_H
#include "types.h"
#include "../../ddk/ntio_ddk/io_counters.h"

#define NORMAL_PRIORITY_CLASS 0x00000020
#define IDLE_PRIORITY_CLASS 0x00000040
#define HIGH_PRIORITY_CLASS 0x00000080
#define REALTIME_PRIORITY_CLASS 0x00000100
#define BELOW_NORMAL_PRIORITY_CLASS 0x00004000
#define ABOVE_NORMAL_PRIORITY_CLASS 0x00008000
#define PROCESS_MODE_BACKGROUND_BEGIN 0x00100000
#define PROCESS_MODE_BACKGROUND_END 0x00200000

#define IMAGE_FILE_MACHINE_UNKNOWN 0
#define IMAGE_FILE_MACHINE_I386 0x014c
#define IMAGE_FILE_MACHINE_ARMNT 0x01c4
#define IMAGE_FILE_MACHINE_AMD64 0x8664
#define IMAGE_FILE_MACHINE_ARM64 0xAA64

#define STARTF_USESHOWWINDOW 0x00000001
#define STARTF_USESIZE 0x00000002
#define STARTF_USEPOSITION 0x00000004
#define STARTF_USECOUNTCHARS 0x00000008
#define STARTF_USEFILLATTRIBUTE 0x00000010
#define STARTF_RUNFULLSCREEN 0x00000020
#define STARTF_FORCEONFEEDBACK 0x00000040
#define STARTF_FORCEOFFFEEDBACK 0x00000080
#define STARTF_USESTDHANDLES 0x00000100
#define STARTF_USEHOTKEY 0x00000200
#define STARTF_TITLEISLINKNAME 0x00000800
#define STARTF_TITLEISAPPID 0x00001000
#define STARTF_PREVENTPINNING 0x00002000
#define STARTF_UNTRUSTEDSOURCE 0x00008000

typedef struct _STARTUPINFOA {
    DWORD cb;
    LPSTR lpReserved;
    LPSTR lpDesktop;
    LPSTR lpTitle;
    DWORD dwX;
    DWORD dwY;
    DWORD dwXSize;
    DWORD dwYSize;
    DWORD dwXCountChars;
    DWORD dwYCountChars;
    DWORD dwFillAttribute;
    DWORD dwFlags;
    WORD wShowWindow;
    WORD cbReserved2;
    LPBYTE lpReserved2;
    HANDLE hStdInput;
    HANDLE hStdOutput;
    HANDLE hStdError;
} STARTUPINFOA, *LPSTARTUPINFOA;

typedef struct _STARTUPINFOW {
    DWORD cb;
    LPWSTR lpReserved;
    LPWSTR lpDesktop;
    LPWSTR lpTitle;
    DWORD dwX;
    DWORD dwY;
    DWORD dwXSize;
    DWORD dwYSize;
    DWORD dwXCountChars;
    DWORD dwYCountChars;
    DWORD dwFillAttribute;
    DWORD dwFlags;
    WORD wShowWindow;
    WORD cbReserved2;
    LPBYTE lpReserved2;
    HANDLE hStdInput;
    HANDLE hStdOutput;
    HANDLE hStdError;
} STARTUPINFOW, *LPSTARTUPINFOW;

typedef struct _MEMORYSTATUSEX {
    DWORD dwLength;
    DWORD dwMemoryLoad;
    DWORDLONG ullTotalPhys;
    DWORDLONG ullAvailPhys;
    DWORDLONG ullTotalPageFile;
    DWORDLONG ullAvailPageFile;
    DWORDLONG ullTotalVirtual;
    DWORDLONG ullAvailVirtual;
    DWORDLONG ullAvailExtendedVirtual;
} MEMORYSTATUSEX, *LPMEMORYSTATUSEX;

NTIO_BEGIN_DECLS
WINBASEAPI DECLSPEC_NORETURN VOID WINAPI ExitProcess(_In_ UINT uExitCode);
WINBASEAPI BOOL WINAPI TerminateProcess(_In_ HANDLE hProcess, _In_ UINT uExitCode);
WINBASEAPI BOOL WINAPI GetExitCodeProcess(_In_ HANDLE hProcess, _Out_ LPDWORD lpExitCode);
WINBASEAPI DWORD WINAPI GetProcessId(_In_ HANDLE Process);
WINBASEAPI DWORD WINAPI GetProcessIdOfThread(_In_ HANDLE Thread);
WINBASEAPI DWORD WINAPI GetPriorityClass(_In_ HANDLE hProcess);
WINBASEAPI BOOL WINAPI SetPriorityClass(_In_ HANDLE hProcess, _In_ DWORD dwPriorityClass);
WINBASEAPI BOOL WINAPI IsWow64Process(_In_ HANDLE hProcess, _Out_ PBOOL Wow64Process);
WINBASEAPI BOOL WINAPI IsWow64Process2(_In_ HANDLE hProcess, _Out_ USHORT* pProcessMachine,
                                       _Out_opt_ USHORT* pNativeMachine);
WINBASEAPI VOID WINAPI GetStartupInfoA(_Out_ LPSTARTUPINFOA lpStartupInfo);
WINBASEAPI VOID WINAPI GetStartupInfoW(_Out_ LPSTARTUPINFOW lpStartupInfo);
WINBASEAPI BOOL WINAPI GetProcessTimes(_In_ HANDLE hProcess, _Out_ LPFILETIME lpCreationTime,
                                       _Out_ LPFILETIME lpExitTime, _Out_ LPFILETIME lpKernelTime,
                                       _Out_ LPFILETIME lpUserTime);
WINBASEAPI BOOL WINAPI GetSystemTimes(_Out_opt_ PFILETIME lpIdleTime, _Out_opt_ PFILETIME lpKernelTime,
                                      _Out_opt_ PFILETIME lpUserTime);
WINBASEAPI BOOL WINAPI GlobalMemoryStatusEx(_Inout_ LPMEMORYSTATUSEX lpBuffer);
WINBASEAPI BOOL WINAPI GetProcessHandleCount(_In_ HANDLE hProcess, _Out_ PDWORD pdwHandleCount);

/* winnt.h / winbase.h: the process's I/O requests and bytes (PROCESS_QUERY_INFORMATION or
 * PROCESS_QUERY_LIMITED_INFORMATION). Reads and writes are ReadFile / WriteFile and their kin; every
 * other request to a driver or file system (DeviceIoControl, information queries and sets, flushes,
 * locks, directory listings) is "other"; bytes are what each request reported moving. */
WINBASEAPI BOOL WINAPI GetProcessIoCounters(_In_ HANDLE hProcess, _Out_ PIO_COUNTERS lpIoCounters);
WINBASEAPI BOOL WINAPI GetProcessPriorityBoost(_In_ HANDLE hProcess, _Out_ PBOOL pDisablePriorityBoost);
WINBASEAPI BOOL WINAPI SetProcessPriorityBoost(_In_ HANDLE hProcess, _In_ BOOL bDisablePriorityBoost);
WINBASEAPI BOOL WINAPI GetProcessAffinityMask(_In_ HANDLE hProcess, _Out_ PDWORD_PTR lpProcessAffinityMask,
                                              _Out_ PDWORD_PTR lpSystemAffinityMask);
WINBASEAPI BOOL WINAPI SetProcessAffinityMask(_In_ HANDLE hProcess, _In_ DWORD_PTR dwProcessAffinityMask);
WINBASEAPI BOOL WINAPI ProcessIdToSessionId(_In_ DWORD dwProcessId, _Out_ DWORD* pSessionId);
WINBASEAPI BOOL WINAPI CheckRemoteDebuggerPresent(_In_ HANDLE hProcess, _Out_ PBOOL pbDebuggerPresent);
/* dwFlags: 0 for the Win32 path, PROCESS_NAME_NATIVE for the native one. */
WINBASEAPI BOOL WINAPI QueryFullProcessImageNameA(_In_ HANDLE hProcess, _In_ DWORD dwFlags, _Out_ LPSTR lpExeName,
                                                  _Inout_ PDWORD lpdwSize);
WINBASEAPI BOOL WINAPI QueryFullProcessImageNameW(_In_ HANDLE hProcess, _In_ DWORD dwFlags, _Out_ LPWSTR lpExeName,
                                                  _Inout_ PDWORD lpdwSize);
NTIO_END_DECLS

#define PROCESS_NAME_NATIVE 0x00000001

#ifdef UNICODE
typedef STARTUPINFOW STARTUPINFO;
typedef LPSTARTUPINFOW LPSTARTUPINFO;
#define GetStartupInfo GetStartupInfoW
#define QueryFullProcessImageName QueryFullProcessImageNameW
#else
typedef STARTUPINFOA STARTUPINFO;
typedef LPSTARTUPINFOA LPSTARTUPINFO;
#define GetStartupInfo GetStartupInfoA
#define QueryFullProcessImageName QueryFullProcessImageNameA
#endif

#endif /* NTIO_SDK_WIN32_PROCESS_H */
