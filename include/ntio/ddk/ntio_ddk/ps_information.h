/* <ntddk.h> piece: process information classes and the structures ntio answers for them
 * (PROCESS_BASIC_INFORMATION, QUOTA_LIMITS, IO_COUNTERS, VM_COUNTERS, VM_COUNTERS_EX, PROCESS_PRIORITY_CLASS,
 * PROCESS_SESSION_INFORMATION, PROCESS_HANDLE_INFORMATION), with ZwQueryInformationProcess and
 * ZwSetInformationProcess; thread information classes with ZwSetInformationThread and
 * ZwQueryInformationThread (KERNEL_USER_TIMES). Applications get
 * the Nt* forms from <ntio/ntapi.h>.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwqueryinformationprocess */
#ifndef NTIO_DDK_PS_INFORMATION_H
#define NTIO_DDK_PS_INFORMATION_H

#include "basetypes.h"
#include "io_counters.h"

NTIO_BEGIN_DECLS

typedef enum _PROCESSINFOCLASS {
    ProcessBasicInformation = 0,
    ProcessQuotaLimits = 1,
    ProcessIoCounters = 2,
    ProcessVmCounters = 3,
    ProcessTimes = 4,
    ProcessBasePriority = 5,
    ProcessRaisePriority = 6,
    ProcessDebugPort = 7,
    ProcessExceptionPort = 8,
    ProcessAccessToken = 9,
    ProcessLdtInformation = 10,
    ProcessLdtSize = 11,
    ProcessDefaultHardErrorMode = 12,
    ProcessIoPortHandlers = 13,
    ProcessPooledUsageAndLimits = 14,
    ProcessWorkingSetWatch = 15,
    ProcessUserModeIOPL = 16,
    ProcessEnableAlignmentFaultFixup = 17,
    ProcessPriorityClass = 18,
    ProcessWx86Information = 19,
    ProcessHandleCount = 20,
    ProcessAffinityMask = 21,
    ProcessPriorityBoost = 22,
    ProcessDeviceMap = 23,
    ProcessSessionInformation = 24,
    ProcessForegroundInformation = 25,
    ProcessWow64Information = 26,
    ProcessImageFileName = 27,
    ProcessLUIDDeviceMapsEnabled = 28,
    ProcessBreakOnTermination = 29,
    ProcessDebugObjectHandle = 30,
    ProcessDebugFlags = 31,
    ProcessHandleTracing = 32,
    ProcessIoPriority = 33,
    ProcessExecuteFlags = 34,
    ProcessTlsInformation = 35,
    ProcessCookie = 36,
    ProcessImageInformation = 37,
    ProcessCycleTime = 38,
    ProcessPagePriority = 39,
    ProcessInstrumentationCallback = 40,
    ProcessThreadStackAllocation = 41,
    ProcessWorkingSetWatchEx = 42,
    ProcessImageFileNameWin32 = 43
} PROCESSINFOCLASS;

typedef enum _THREADINFOCLASS {
    ThreadBasicInformation,
    ThreadTimes,
    ThreadPriority,
    ThreadBasePriority,
    ThreadAffinityMask,
    ThreadImpersonationToken,
    ThreadDescriptorTableEntry,
    ThreadEnableAlignmentFaultFixup,
    ThreadEventPair_Reusable,
    ThreadQuerySetWin32StartAddress,
    ThreadZeroTlsCell,
    ThreadPerformanceCount,
    ThreadAmILastThread,
    ThreadIdealProcessor,
    ThreadPriorityBoost,
    ThreadSetTlsArrayAddress,
    ThreadIsIoPending,
    ThreadHideFromDebugger,
    ThreadBreakOnTermination,
    ThreadSwitchLegacyState,
    ThreadIsTerminated,
    ThreadLastSystemCall,
    ThreadIoPriority,
    ThreadCycleTime,
    ThreadPagePriority,
    ThreadActualBasePriority,
    ThreadTebInformation,
    ThreadCSwitchMon,
    ThreadCSwitchPmu,
    ThreadWow64Context,
    ThreadGroupInformation,
    ThreadUmsInformation,
    ThreadCounterProfiling,
    ThreadIdealProcessorEx,
    ThreadCpuAccountingInformation,
    ThreadSuspendCount,
    ThreadHeterogeneousCpuPolicy,
    ThreadContainerId,
    ThreadNameInformation,
    MaxThreadInfoClass
} THREADINFOCLASS;

/* ThreadTimes: 100 ns units; the creation and exit times are system times (ExitTime 0 while the
 * thread runs). https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwqueryinformationthread */
typedef struct _KERNEL_USER_TIMES {
    LARGE_INTEGER CreateTime;
    LARGE_INTEGER ExitTime;
    LARGE_INTEGER KernelTime;
    LARGE_INTEGER UserTime;
} KERNEL_USER_TIMES, *PKERNEL_USER_TIMES;

/* ProcessBasicInformation (NtQueryInformationProcess on Learn). ntio has no PEB: PebBaseAddress is
 * NULL. */
typedef struct _PROCESS_BASIC_INFORMATION {
    NTSTATUS ExitStatus;
    struct _PEB *PebBaseAddress;
    ULONG_PTR AffinityMask;
    KPRIORITY BasePriority;
    ULONG_PTR UniqueProcessId;
    ULONG_PTR InheritedFromUniqueProcessId;
} PROCESS_BASIC_INFORMATION, *PPROCESS_BASIC_INFORMATION;

/* https://learn.microsoft.com/windows/win32/api/winnt/ns-winnt-quota_limits */
#ifndef NTIO_QUOTA_LIMITS_DEFINED
#define NTIO_QUOTA_LIMITS_DEFINED
typedef struct _QUOTA_LIMITS {
    SIZE_T PagedPoolLimit;
    SIZE_T NonPagedPoolLimit;
    SIZE_T MinimumWorkingSetSize;
    SIZE_T MaximumWorkingSetSize;
    SIZE_T PagefileLimit;
    LARGE_INTEGER TimeLimit;
} QUOTA_LIMITS, *PQUOTA_LIMITS;
#endif

typedef struct _VM_COUNTERS {
    SIZE_T PeakVirtualSize;
    SIZE_T VirtualSize;
    ULONG PageFaultCount;
    SIZE_T PeakWorkingSetSize;
    SIZE_T WorkingSetSize;
    SIZE_T QuotaPeakPagedPoolUsage;
    SIZE_T QuotaPagedPoolUsage;
    SIZE_T QuotaPeakNonPagedPoolUsage;
    SIZE_T QuotaNonPagedPoolUsage;
    SIZE_T PagefileUsage;
    SIZE_T PeakPagefileUsage;
} VM_COUNTERS, *PVM_COUNTERS;

typedef struct _VM_COUNTERS_EX {
    SIZE_T PeakVirtualSize;
    SIZE_T VirtualSize;
    ULONG PageFaultCount;
    SIZE_T PeakWorkingSetSize;
    SIZE_T WorkingSetSize;
    SIZE_T QuotaPeakPagedPoolUsage;
    SIZE_T QuotaPagedPoolUsage;
    SIZE_T QuotaPeakNonPagedPoolUsage;
    SIZE_T QuotaNonPagedPoolUsage;
    SIZE_T PagefileUsage;
    SIZE_T PeakPagefileUsage;
    SIZE_T PrivateUsage;
} VM_COUNTERS_EX, *PVM_COUNTERS_EX;

/* ProcessPriorityClass: PriorityClass is one of the PROCESS_PRIORITY_CLASS_* numbers. */
#define PROCESS_PRIORITY_CLASS_UNKNOWN 0
#define PROCESS_PRIORITY_CLASS_IDLE 1
#define PROCESS_PRIORITY_CLASS_NORMAL 2
#define PROCESS_PRIORITY_CLASS_HIGH 3
#define PROCESS_PRIORITY_CLASS_REALTIME 4
#define PROCESS_PRIORITY_CLASS_BELOW_NORMAL 5
#define PROCESS_PRIORITY_CLASS_ABOVE_NORMAL 6
typedef struct _PROCESS_PRIORITY_CLASS {
    BOOLEAN Foreground;
    UCHAR PriorityClass;
} PROCESS_PRIORITY_CLASS, *PPROCESS_PRIORITY_CLASS;

/* ProcessSessionInformation. */
typedef struct _PROCESS_SESSION_INFORMATION {
    ULONG SessionId;
} PROCESS_SESSION_INFORMATION, *PPROCESS_SESSION_INFORMATION;

/* ProcessHandleCount with a length of 8 (a ULONG alone is accepted too). */
typedef struct _PROCESS_HANDLE_INFORMATION {
    ULONG HandleCount;
    ULONG HandleCountHighWatermark;
} PROCESS_HANDLE_INFORMATION, *PPROCESS_HANDLE_INFORMATION;

C_ASSERT(sizeof(QUOTA_LIMITS) == 0x30);
C_ASSERT(sizeof(VM_COUNTERS) == 0x58);
C_ASSERT(sizeof(VM_COUNTERS_EX) == 0x60);
C_ASSERT(FIELD_OFFSET(VM_COUNTERS, QuotaPeakPagedPoolUsage) == 0x28);

/* ProcessHandle needs PROCESS_QUERY_LIMITED_INFORMATION for ProcessBasicInformation,
 * ProcessVmCounters (VM_COUNTERS or VM_COUNTERS_EX), ProcessTimes (KERNEL_USER_TIMES),
 * ProcessIoCounters (IO_COUNTERS), ProcessPriorityClass (PROCESS_PRIORITY_CLASS), ProcessHandleCount (ULONG or
 * PROCESS_HANDLE_INFORMATION), ProcessPriorityBoost, ProcessBreakOnTermination (ULONG),
 * ProcessSessionInformation (PROCESS_SESSION_INFORMATION), ProcessWow64Information (ULONG_PTR),
 * ProcessImageFileName and ProcessImageFileNameWin32 (a UNICODE_STRING followed by its text: a
 * smaller buffer is STATUS_INFO_LENGTH_MISMATCH with the size needed in *ReturnLength), and
 * PROCESS_QUERY_INFORMATION for ProcessQuotaLimits (QUOTA_LIMITS), ProcessDebugPort (ULONG_PTR) and
 * ProcessDefaultHardErrorMode (ULONG). A fixed class's length other than its structure's is
 * STATUS_INFO_LENGTH_MISMATCH. The set-only classes and those above ProcessImageFileNameWin32 are
 * STATUS_INVALID_INFO_CLASS; the others Windows answers are STATUS_NOT_IMPLEMENTED in ntio.
 * IRQL == PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI ZwQueryInformationProcess(_In_ HANDLE ProcessHandle,
                                                  _In_ PROCESSINFOCLASS ProcessInformationClass,
                                                  _Out_writes_bytes_(ProcessInformationLength) PVOID ProcessInformation,
                                                  _In_ ULONG ProcessInformationLength, _Out_opt_ PULONG ReturnLength);
/* ProcessQuotaLimits (PROCESS_SET_QUOTA): zero leaves a pool limit as it is; raising one needs
 * SeIncreaseQuotaPrivilege (STATUS_PRIVILEGE_NOT_HELD). PROCESS_SET_INFORMATION: ProcessPriorityClass
 * (PROCESS_PRIORITY_CLASS; PROCESS_PRIORITY_CLASS_REALTIME needs SeIncreaseBasePriorityPrivilege),
 * ProcessAffinityMask (KAFFINITY: nonzero, active processors only, else STATUS_INVALID_PARAMETER),
 * ProcessPriorityBoost, ProcessDefaultHardErrorMode and ProcessBreakOnTermination (ULONG; the last
 * needs SeDebugPrivilege). IRQL == PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI ZwSetInformationProcess(_In_ HANDLE ProcessHandle,
                                                _In_ PROCESSINFOCLASS ProcessInformationClass,
                                                _In_reads_bytes_(ProcessInformationLength) PVOID ProcessInformation,
                                                _In_ ULONG ProcessInformationLength);
/* ThreadPriority (KPRIORITY 1..31; 16 and up need SeIncreaseBasePriorityPrivilege from user mode) and
 * ThreadHideFromDebugger (no data) need THREAD_SET_INFORMATION; ThreadNameInformation
 * (THREAD_NAME_INFORMATION, <winternl.h>) THREAD_SET_LIMITED_INFORMATION; ThreadBasePriority (LONG increment
 * -2..2, or +-15 to saturate) THREAD_SET_INFORMATION or THREAD_SET_LIMITED_INFORMATION;
 * ThreadImpersonationToken (a HANDLE to an impersonation token with TOKEN_IMPERSONATE, NULL to revert)
 * THREAD_SET_THREAD_TOKEN. A length other than the class's is STATUS_INFO_LENGTH_MISMATCH; the other
 * classes Windows sets are STATUS_NOT_IMPLEMENTED in ntio, query-only ones STATUS_INVALID_INFO_CLASS.
 * IRQL == PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI ZwSetInformationThread(_In_ HANDLE ThreadHandle, _In_ THREADINFOCLASS ThreadInformationClass,
                                               _In_reads_bytes_(ThreadInformationLength) PVOID ThreadInformation,
                                               _In_ ULONG ThreadInformationLength);
/* ThreadBasicInformation (THREAD_BASIC_INFORMATION, in <winternl.h> / <ntio/ntapi.h>), ThreadTimes
 * (KERNEL_USER_TIMES), ThreadPriorityBoost, ThreadIsTerminated and ThreadNameInformation (variable:
 * THREAD_NAME_INFORMATION and its text) need THREAD_QUERY_LIMITED_INFORMATION;
 * ThreadQuerySetWin32StartAddress (PVOID), ThreadIsIoPending, ThreadAmILastThread (ULONG) and
 * ThreadHideFromDebugger (BOOLEAN) THREAD_QUERY_INFORMATION. A fixed class's length must be its
 * structure's exactly (STATUS_INFO_LENGTH_MISMATCH); other classes are STATUS_INVALID_INFO_CLASS.
 * IRQL == PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwqueryinformationthread */
NTSYSAPI NTSTATUS NTAPI ZwQueryInformationThread(_In_ HANDLE ThreadHandle,
                                                 _In_ THREADINFOCLASS ThreadInformationClass,
                                                 _Out_writes_bytes_(ThreadInformationLength) PVOID ThreadInformation,
                                                 _In_ ULONG ThreadInformationLength, _Out_opt_ PULONG ReturnLength);

NTIO_END_DECLS

#endif /* NTIO_DDK_PS_INFORMATION_H */
