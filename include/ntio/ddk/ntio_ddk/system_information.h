/* The system information classes of NtQuerySystemInformation and the structures ntio answers for
 * them, with THREAD_BASIC_INFORMATION and THREAD_NAME_INFORMATION of NtQueryInformationThread: what
 * <winternl.h> holds and the WDK headers do not. Windows drivers declare ZwQuerySystemInformation and
 * these types themselves (no WDK header has them), so <wdm.h>, <ntddk.h> and <ntifs.h> leave this
 * header out and only <ntio/ntapi.h> (and so <winternl.h>) includes it.
 * https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntquerysysteminformation
 * https://learn.microsoft.com/windows/win32/sysinfo/zwquerysysteminformation */
#ifndef NTIO_DDK_SYSTEM_INFORMATION_H
#define NTIO_DDK_SYSTEM_INFORMATION_H

#include "basetypes.h"
#include "ps_information.h"

NTIO_BEGIN_DECLS

/* The numbering Windows uses; ntio answers the classes named in NtQuerySystemInformation's comment. */
typedef enum _SYSTEM_INFORMATION_CLASS {
    SystemBasicInformation = 0,
    SystemProcessorInformation = 1,
    SystemPerformanceInformation = 2,
    SystemTimeOfDayInformation = 3,
    SystemProcessInformation = 5,
    SystemProcessorPerformanceInformation = 8,
    SystemModuleInformation = 11,
    SystemHandleInformation = 16,
    SystemInterruptInformation = 23,
    SystemExceptionInformation = 33,
    SystemKernelDebuggerInformation = 35,
    SystemRegistryQuotaInformation = 37,
    SystemLookasideInformation = 45,
    SystemExtendedHandleInformation = 64,
    SystemCodeIntegrityInformation = 103,
    SystemPolicyInformation = 134
} SYSTEM_INFORMATION_CLASS;

/* SystemBasicInformation. Learn's <winternl.h> names only NumberOfProcessors (the rest "reserved");
 * the fields here are at the offsets Windows x64 fills. */
typedef struct _SYSTEM_BASIC_INFORMATION {
    ULONG Reserved;
    ULONG TimerResolution;  /* 100 ns units */
    ULONG PageSize;
    ULONG NumberOfPhysicalPages;
    ULONG LowestPhysicalPageNumber;
    ULONG HighestPhysicalPageNumber;
    ULONG AllocationGranularity;
    ULONG_PTR MinimumUserModeAddress;
    ULONG_PTR MaximumUserModeAddress;
    KAFFINITY ActiveProcessorsAffinityMask;
    CCHAR NumberOfProcessors;
} SYSTEM_BASIC_INFORMATION, *PSYSTEM_BASIC_INFORMATION;

/* SystemProcessorInformation: GetSystemInfo's processor fields (PROCESSOR_ARCHITECTURE_*, family,
 * model and stepping). */
typedef struct _SYSTEM_PROCESSOR_INFORMATION {
    USHORT ProcessorArchitecture;
    USHORT ProcessorLevel;
    USHORT ProcessorRevision;
    USHORT MaximumProcessors;
    ULONG ProcessorFeatureBits;
} SYSTEM_PROCESSOR_INFORMATION, *PSYSTEM_PROCESSOR_INFORMATION;

/* SystemTimeOfDayInformation (48 bytes on Learn): system times in 100 ns units since 1601; the bias
 * is UTC minus local time. */
typedef struct _SYSTEM_TIMEOFDAY_INFORMATION {
    LARGE_INTEGER BootTime;
    LARGE_INTEGER CurrentTime;
    LARGE_INTEGER TimeZoneBias;
    ULONG TimeZoneId;
    ULONG Reserved;
    ULONGLONG BootTimeBias;
    ULONGLONG SleepTimeBias;
} SYSTEM_TIMEOFDAY_INFORMATION, *PSYSTEM_TIMEOFDAY_INFORMATION;

/* SystemProcessInformation: one entry per process, each followed by its threads; NextEntryOffset is
 * the distance to the next entry, 0 in the last. The field names are Learn's <winternl.h> ones. */
typedef struct _SYSTEM_THREAD_INFORMATION {
    LARGE_INTEGER Reserved1[3]; /* kernel, user and creation times */
    ULONG Reserved2;
    PVOID StartAddress;
    CLIENT_ID ClientId;
    KPRIORITY Priority;
    LONG BasePriority;
    ULONG Reserved3;
    ULONG ThreadState;
    ULONG WaitReason;
} SYSTEM_THREAD_INFORMATION, *PSYSTEM_THREAD_INFORMATION;

typedef struct _SYSTEM_PROCESS_INFORMATION {
    ULONG NextEntryOffset;
    ULONG NumberOfThreads;
    BYTE Reserved1[48];
    UNICODE_STRING ImageName;
    KPRIORITY BasePriority;
    HANDLE UniqueProcessId;
    PVOID Reserved2; /* the creating process's id */
    ULONG HandleCount;
    ULONG SessionId;
    PVOID Reserved3;
    SIZE_T PeakVirtualSize;
    SIZE_T VirtualSize;
    ULONG Reserved4;
    SIZE_T PeakWorkingSetSize;
    SIZE_T WorkingSetSize;
    PVOID Reserved5;
    SIZE_T QuotaPagedPoolUsage;
    PVOID Reserved6;
    SIZE_T QuotaNonPagedPoolUsage;
    SIZE_T PagefileUsage;
    SIZE_T PeakPagefileUsage;
    SIZE_T PrivatePageCount;
    LARGE_INTEGER Reserved7[6];
} SYSTEM_PROCESS_INFORMATION, *PSYSTEM_PROCESS_INFORMATION;

/* SystemProcessorPerformanceInformation: one per processor, 100 ns units; KernelTime includes
 * IdleTime. */
typedef struct _SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION {
    LARGE_INTEGER IdleTime;
    LARGE_INTEGER KernelTime;
    LARGE_INTEGER UserTime;
    LARGE_INTEGER Reserved1[2];
    ULONG Reserved2;
} SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION, *PSYSTEM_PROCESSOR_PERFORMANCE_INFORMATION;

/* SystemModuleInformation: the loaded kernel images, the kernel first (as AuxKlibQueryModuleInformation
 * lists them); OffsetToFileName indexes FullPathName. */
typedef struct _RTL_PROCESS_MODULE_INFORMATION {
    HANDLE Section;
    PVOID MappedBase;
    PVOID ImageBase;
    ULONG ImageSize;
    ULONG Flags;
    USHORT LoadOrderIndex;
    USHORT InitOrderIndex;
    USHORT LoadCount;
    USHORT OffsetToFileName;
    UCHAR FullPathName[256];
} RTL_PROCESS_MODULE_INFORMATION, *PRTL_PROCESS_MODULE_INFORMATION;

typedef struct _RTL_PROCESS_MODULES {
    ULONG NumberOfModules;
    RTL_PROCESS_MODULE_INFORMATION Modules[1];
} RTL_PROCESS_MODULES, *PRTL_PROCESS_MODULES;

/* SystemKernelDebuggerInformation. */
typedef struct _SYSTEM_KERNEL_DEBUGGER_INFORMATION {
    BOOLEAN KernelDebuggerEnabled;
    BOOLEAN KernelDebuggerNotPresent;
} SYSTEM_KERNEL_DEBUGGER_INFORMATION, *PSYSTEM_KERNEL_DEBUGGER_INFORMATION;

/* SystemHandleInformation: every handle of every process (UniqueProcessId and HandleValue cut to
 * 16 bits, as Windows does); SystemExtendedHandleInformation has them whole. */
typedef struct _SYSTEM_HANDLE_TABLE_ENTRY_INFO {
    USHORT UniqueProcessId;
    USHORT CreatorBackTraceIndex;
    UCHAR ObjectTypeIndex;
    UCHAR HandleAttributes;
    USHORT HandleValue;
    PVOID Object;
    ULONG GrantedAccess;
} SYSTEM_HANDLE_TABLE_ENTRY_INFO, *PSYSTEM_HANDLE_TABLE_ENTRY_INFO;

typedef struct _SYSTEM_HANDLE_INFORMATION {
    ULONG NumberOfHandles;
    SYSTEM_HANDLE_TABLE_ENTRY_INFO Handles[1];
} SYSTEM_HANDLE_INFORMATION, *PSYSTEM_HANDLE_INFORMATION;

typedef struct _SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX {
    PVOID Object;
    ULONG_PTR UniqueProcessId;
    ULONG_PTR HandleValue;
    ULONG GrantedAccess;
    USHORT CreatorBackTraceIndex;
    USHORT ObjectTypeIndex;
    ULONG HandleAttributes;
    ULONG Reserved;
} SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX, *PSYSTEM_HANDLE_TABLE_ENTRY_INFO_EX;

typedef struct _SYSTEM_HANDLE_INFORMATION_EX {
    ULONG_PTR NumberOfHandles;
    ULONG_PTR Reserved;
    SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX Handles[1];
} SYSTEM_HANDLE_INFORMATION_EX, *PSYSTEM_HANDLE_INFORMATION_EX;

/* ThreadBasicInformation. ntio has no TEB: TebBaseAddress is NULL. */
typedef struct _THREAD_BASIC_INFORMATION {
    NTSTATUS ExitStatus;
    PVOID TebBaseAddress;
    CLIENT_ID ClientId;
    KAFFINITY AffinityMask;
    KPRIORITY Priority;
    KPRIORITY BasePriority;
} THREAD_BASIC_INFORMATION, *PTHREAD_BASIC_INFORMATION;

/* ThreadNameInformation: SetThreadDescription's text, right after the structure. */
typedef struct _THREAD_NAME_INFORMATION {
    UNICODE_STRING ThreadName;
} THREAD_NAME_INFORMATION, *PTHREAD_NAME_INFORMATION;

C_ASSERT(sizeof(SYSTEM_BASIC_INFORMATION) == 0x40);
C_ASSERT(FIELD_OFFSET(SYSTEM_BASIC_INFORMATION, NumberOfProcessors) == 0x38);
C_ASSERT(sizeof(SYSTEM_PROCESSOR_INFORMATION) == 0xC);
C_ASSERT(sizeof(SYSTEM_TIMEOFDAY_INFORMATION) == 48);
C_ASSERT(sizeof(SYSTEM_THREAD_INFORMATION) == 0x50);
C_ASSERT(sizeof(SYSTEM_PROCESS_INFORMATION) == 0x100);
C_ASSERT(FIELD_OFFSET(SYSTEM_PROCESS_INFORMATION, ImageName) == 0x38);
C_ASSERT(FIELD_OFFSET(SYSTEM_PROCESS_INFORMATION, UniqueProcessId) == 0x50);
C_ASSERT(FIELD_OFFSET(SYSTEM_PROCESS_INFORMATION, HandleCount) == 0x60);
C_ASSERT(sizeof(SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION) == 48);
C_ASSERT(sizeof(RTL_PROCESS_MODULE_INFORMATION) == 0x128);
C_ASSERT(FIELD_OFFSET(RTL_PROCESS_MODULES, Modules) == 8);
C_ASSERT(sizeof(SYSTEM_HANDLE_TABLE_ENTRY_INFO) == 0x18);
C_ASSERT(sizeof(SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX) == 0x28);
C_ASSERT(FIELD_OFFSET(SYSTEM_HANDLE_INFORMATION_EX, Handles) == 0x10);
C_ASSERT(sizeof(THREAD_BASIC_INFORMATION) == 0x30);

/* The kernel-mode form, for callers of the ntio headers; a driver built for Windows declares it
 * itself, which matches this declaration. */
NTSYSAPI NTSTATUS NTAPI ZwQuerySystemInformation(_In_ SYSTEM_INFORMATION_CLASS SystemInformationClass,
                                                 _Out_writes_bytes_opt_(SystemInformationLength) PVOID SystemInformation,
                                                 _In_ ULONG SystemInformationLength, _Out_opt_ PULONG ReturnLength);

NTIO_END_DECLS

#endif /* NTIO_DDK_SYSTEM_INFORMATION_H */
