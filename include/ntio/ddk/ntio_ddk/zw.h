/* <wdm.h> piece for the nt component: the Zw* system services a driver calls (PreviousMode KernelMode:
 * no probing, kernel handles allowed), the information classes and structures they share with the Nt*
 * services of <ntio/ntapi.h>, and IoCreateNotificationEvent / IoCreateSynchronizationEvent.
 * Exact WDK/ntdll spellings and Windows x64 layouts. */
#ifndef NTIO_DDK_ZW_H
#define NTIO_DDK_ZW_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"
#include "ke.h"
#include "ob.h"

/* ---- DuplicateHandle / NtDuplicateObject options --------------------------------------------- */
#ifndef DUPLICATE_CLOSE_SOURCE
#define DUPLICATE_CLOSE_SOURCE 0x00000001
#endif
#ifndef DUPLICATE_SAME_ACCESS
#define DUPLICATE_SAME_ACCESS 0x00000002
#endif
#ifndef DUPLICATE_SAME_ATTRIBUTES
#define DUPLICATE_SAME_ATTRIBUTES 0x00000004
#endif

/* ---- Object information (NtQueryObject / NtSetInformationObject) ------------------------------- */
/* OBJECT_INFORMATION_CLASS and OBJECT_NAME_INFORMATION come from ob.h. */

/* ntdll spelling; <winternl.h> calls the same layout PUBLIC_OBJECT_BASIC_INFORMATION. */
typedef struct _OBJECT_BASIC_INFORMATION {
    ULONG Attributes;
    ACCESS_MASK GrantedAccess;
    ULONG HandleCount;
    ULONG PointerCount;
    ULONG PagedPoolCharge;
    ULONG NonPagedPoolCharge;
    ULONG Reserved[3];
    ULONG NameInfoSize;
    ULONG TypeInfoSize;
    ULONG SecurityDescriptorSize;
    LARGE_INTEGER CreationTime;
} OBJECT_BASIC_INFORMATION, *POBJECT_BASIC_INFORMATION;
C_ASSERT(sizeof(OBJECT_BASIC_INFORMATION) == 0x38);

typedef struct __PUBLIC_OBJECT_BASIC_INFORMATION {
    ULONG Attributes;
    ACCESS_MASK GrantedAccess;
    ULONG HandleCount;
    ULONG PointerCount;
    ULONG Reserved[10];
} PUBLIC_OBJECT_BASIC_INFORMATION, *PPUBLIC_OBJECT_BASIC_INFORMATION;
C_ASSERT(sizeof(PUBLIC_OBJECT_BASIC_INFORMATION) == 0x38);

/* The type name's characters follow the structure in the caller's buffer. */
typedef struct _OBJECT_TYPE_INFORMATION {
    UNICODE_STRING TypeName;
    ULONG TotalNumberOfObjects;
    ULONG TotalNumberOfHandles;
    ULONG TotalPagedPoolUsage;
    ULONG TotalNonPagedPoolUsage;
    ULONG TotalNamePoolUsage;
    ULONG TotalHandleTableUsage;
    ULONG HighWaterNumberOfObjects;
    ULONG HighWaterNumberOfHandles;
    ULONG HighWaterPagedPoolUsage;
    ULONG HighWaterNonPagedPoolUsage;
    ULONG HighWaterNamePoolUsage;
    ULONG HighWaterHandleTableUsage;
    ULONG InvalidAttributes;
    struct {
        ACCESS_MASK GenericRead;
        ACCESS_MASK GenericWrite;
        ACCESS_MASK GenericExecute;
        ACCESS_MASK GenericAll;
    } GenericMapping;
    ULONG ValidAccessMask;
    BOOLEAN SecurityRequired;
    BOOLEAN MaintainHandleCount;
    UCHAR TypeIndex;
    CHAR ReservedByte;
    ULONG PoolType;
    ULONG DefaultPagedPoolCharge;
    ULONG DefaultNonPagedPoolCharge;
} OBJECT_TYPE_INFORMATION, *POBJECT_TYPE_INFORMATION;
C_ASSERT(sizeof(OBJECT_TYPE_INFORMATION) == 0x68);

typedef struct __PUBLIC_OBJECT_TYPE_INFORMATION {
    UNICODE_STRING TypeName;
    ULONG Reserved[22];
} PUBLIC_OBJECT_TYPE_INFORMATION, *PPUBLIC_OBJECT_TYPE_INFORMATION;
C_ASSERT(sizeof(PUBLIC_OBJECT_TYPE_INFORMATION) == 0x68);

typedef struct _OBJECT_HANDLE_FLAG_INFORMATION {
    BOOLEAN Inherit;
    BOOLEAN ProtectFromClose;
} OBJECT_HANDLE_FLAG_INFORMATION, *POBJECT_HANDLE_FLAG_INFORMATION;

/* One NtQueryDirectoryObject entry; the array ends with a zeroed entry, the strings follow it. */
typedef struct _OBJECT_DIRECTORY_INFORMATION {
    UNICODE_STRING Name;
    UNICODE_STRING TypeName;
} OBJECT_DIRECTORY_INFORMATION, *POBJECT_DIRECTORY_INFORMATION;
C_ASSERT(sizeof(OBJECT_DIRECTORY_INFORMATION) == 0x20);

/* ---- Events, semaphores, mutants --------------------------------------------------------------- */
typedef enum _EVENT_INFORMATION_CLASS { EventBasicInformation } EVENT_INFORMATION_CLASS;
typedef struct _EVENT_BASIC_INFORMATION {
    EVENT_TYPE EventType;
    LONG EventState;
} EVENT_BASIC_INFORMATION, *PEVENT_BASIC_INFORMATION;
C_ASSERT(sizeof(EVENT_BASIC_INFORMATION) == 8);

typedef enum _SEMAPHORE_INFORMATION_CLASS { SemaphoreBasicInformation } SEMAPHORE_INFORMATION_CLASS;
typedef struct _SEMAPHORE_BASIC_INFORMATION {
    LONG CurrentCount;
    LONG MaximumCount;
} SEMAPHORE_BASIC_INFORMATION, *PSEMAPHORE_BASIC_INFORMATION;
C_ASSERT(sizeof(SEMAPHORE_BASIC_INFORMATION) == 8);

typedef enum _MUTANT_INFORMATION_CLASS { MutantBasicInformation, MutantOwnerInformation } MUTANT_INFORMATION_CLASS;
typedef struct _MUTANT_BASIC_INFORMATION {
    LONG CurrentCount;
    BOOLEAN OwnedByCaller;
    BOOLEAN AbandonedState;
} MUTANT_BASIC_INFORMATION, *PMUTANT_BASIC_INFORMATION;
C_ASSERT(sizeof(MUTANT_BASIC_INFORMATION) == 8);
typedef struct _MUTANT_OWNER_INFORMATION {
    CLIENT_ID ClientId;
} MUTANT_OWNER_INFORMATION, *PMUTANT_OWNER_INFORMATION;

/* ---- Timers (Nt/ZwCreateTimer & co.) ------------------------------------------------------------
 * The routine NtSetTimer queues as an APC to the thread that set the timer, at each expiration:
 * TimerLowValue / TimerHighValue are the two halves of the system time the timer expired at. */
typedef VOID TIMER_APC_ROUTINE(_In_ PVOID TimerContext, _In_ ULONG TimerLowValue, _In_ LONG TimerHighValue);
typedef TIMER_APC_ROUTINE *PTIMER_APC_ROUTINE;

typedef enum _TIMER_SET_INFORMATION_CLASS { TimerSetCoalescableTimer, MaxTimerInfoClass } TIMER_SET_INFORMATION_CLASS;
struct _COUNTED_REASON_CONTEXT;
typedef struct _TIMER_SET_COALESCABLE_TIMER_INFO {
    _In_ LARGE_INTEGER DueTime;
    _In_opt_ PTIMER_APC_ROUTINE TimerApcRoutine;
    _In_opt_ PVOID TimerContext;
    _In_opt_ struct _COUNTED_REASON_CONTEXT *WakeContext;
    _In_opt_ ULONG Period;
    _In_ ULONG TolerableDelay;
    _Out_opt_ PBOOLEAN PreviousState;
} TIMER_SET_COALESCABLE_TIMER_INFO, *PTIMER_SET_COALESCABLE_TIMER_INFO;
C_ASSERT(sizeof(TIMER_SET_COALESCABLE_TIMER_INFO) == 0x30);
C_ASSERT(FIELD_OFFSET(TIMER_SET_COALESCABLE_TIMER_INFO, Period) == 0x20);

/* NtQueryTimer (ntdll's; not in the WDK). RemainingTime is the due time less the interrupt time, in
 * 100 ns units: negative once the timer has expired. */
typedef enum _TIMER_INFORMATION_CLASS { TimerBasicInformation } TIMER_INFORMATION_CLASS;
typedef struct _TIMER_BASIC_INFORMATION {
    LARGE_INTEGER RemainingTime;
    BOOLEAN TimerState;
} TIMER_BASIC_INFORMATION, *PTIMER_BASIC_INFORMATION;
C_ASSERT(sizeof(TIMER_BASIC_INFORMATION) == 0x10);

/* ---- User APCs (NtQueueApcThread) -------------------------------------------------------------- */
typedef VOID (NTAPI *PPS_APC_ROUTINE)(_In_opt_ PVOID ApcArgument1, _In_opt_ PVOID ApcArgument2,
                                      _In_opt_ PVOID ApcArgument3);

NTIO_BEGIN_DECLS

/* Every Zw* routine: IRQL == PASSIVE_LEVEL, runs with PreviousMode KernelMode (no probing, kernel
 * handles accepted, no access check on handles). Handles returned are owned by the caller, who closes
 * them with ZwClose. Semantics and statuses as the Nt* routine of the same name. */
NTSYSAPI NTSTATUS NTAPI ZwClose(_In_ HANDLE Handle);
NTSYSAPI NTSTATUS NTAPI ZwDuplicateObject(_In_ HANDLE SourceProcessHandle, _In_ HANDLE SourceHandle,
                                          _In_opt_ HANDLE TargetProcessHandle, _Out_opt_ PHANDLE TargetHandle,
                                          _In_ ACCESS_MASK DesiredAccess, _In_ ULONG HandleAttributes,
                                          _In_ ULONG Options);
NTSYSAPI NTSTATUS NTAPI ZwMakeTemporaryObject(_In_ HANDLE Handle);
NTSYSAPI NTSTATUS NTAPI ZwMakePermanentObject(_In_ HANDLE Handle);
NTSYSAPI NTSTATUS NTAPI ZwQueryObject(_In_opt_ HANDLE Handle, _In_ OBJECT_INFORMATION_CLASS ObjectInformationClass,
                                      _Out_writes_bytes_opt_(ObjectInformationLength) PVOID ObjectInformation,
                                      _In_ ULONG ObjectInformationLength, _Out_opt_ PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI ZwSetInformationObject(_In_ HANDLE Handle, _In_ OBJECT_INFORMATION_CLASS ObjectInformationClass,
                                               _In_reads_bytes_(ObjectInformationLength) PVOID ObjectInformation,
                                               _In_ ULONG ObjectInformationLength);

NTSYSAPI NTSTATUS NTAPI ZwCreateEvent(_Out_ PHANDLE EventHandle, _In_ ACCESS_MASK DesiredAccess,
                                      _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                      _In_ EVENT_TYPE EventType, _In_ BOOLEAN InitialState);
NTSYSAPI NTSTATUS NTAPI ZwOpenEvent(_Out_ PHANDLE EventHandle, _In_ ACCESS_MASK DesiredAccess,
                                    _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwSetEvent(_In_ HANDLE EventHandle, _Out_opt_ PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI ZwResetEvent(_In_ HANDLE EventHandle, _Out_opt_ PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI ZwPulseEvent(_In_ HANDLE EventHandle, _Out_opt_ PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI ZwClearEvent(_In_ HANDLE EventHandle);
NTSYSAPI NTSTATUS NTAPI ZwQueryEvent(_In_ HANDLE EventHandle, _In_ EVENT_INFORMATION_CLASS EventInformationClass,
                                     _Out_writes_bytes_(EventInformationLength) PVOID EventInformation,
                                     _In_ ULONG EventInformationLength, _Out_opt_ PULONG ReturnLength);

NTSYSAPI NTSTATUS NTAPI ZwCreateSemaphore(_Out_ PHANDLE SemaphoreHandle, _In_ ACCESS_MASK DesiredAccess,
                                          _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                          _In_ LONG InitialCount, _In_ LONG MaximumCount);
NTSYSAPI NTSTATUS NTAPI ZwOpenSemaphore(_Out_ PHANDLE SemaphoreHandle, _In_ ACCESS_MASK DesiredAccess,
                                        _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwReleaseSemaphore(_In_ HANDLE SemaphoreHandle, _In_ LONG ReleaseCount,
                                           _Out_opt_ PLONG PreviousCount);
NTSYSAPI NTSTATUS NTAPI ZwQuerySemaphore(_In_ HANDLE SemaphoreHandle,
                                         _In_ SEMAPHORE_INFORMATION_CLASS SemaphoreInformationClass,
                                         _Out_writes_bytes_(SemaphoreInformationLength) PVOID SemaphoreInformation,
                                         _In_ ULONG SemaphoreInformationLength, _Out_opt_ PULONG ReturnLength);

NTSYSAPI NTSTATUS NTAPI ZwCreateMutant(_Out_ PHANDLE MutantHandle, _In_ ACCESS_MASK DesiredAccess,
                                       _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                       _In_ BOOLEAN InitialOwner);
NTSYSAPI NTSTATUS NTAPI ZwOpenMutant(_Out_ PHANDLE MutantHandle, _In_ ACCESS_MASK DesiredAccess,
                                     _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwReleaseMutant(_In_ HANDLE MutantHandle, _Out_opt_ PLONG PreviousCount);
NTSYSAPI NTSTATUS NTAPI ZwQueryMutant(_In_ HANDLE MutantHandle, _In_ MUTANT_INFORMATION_CLASS MutantInformationClass,
                                      _Out_writes_bytes_(MutantInformationLength) PVOID MutantInformation,
                                      _In_ ULONG MutantInformationLength, _Out_opt_ PULONG ReturnLength);

/* Timer objects: waitable (signalled at expiry; a SynchronizationTimer releases one waiter and resets).
 * Create: TimerType other than NotificationTimer / SynchronizationTimer is STATUS_INVALID_PARAMETER_4.
 * Set (TIMER_MODIFY_STATE): cancels what was set, resets the timer and arms it for DueTime (negative:
 * relative, 100 ns units) and every Period ms after (negative Period: STATUS_INVALID_PARAMETER_6);
 * TimerApcRoutine is queued to the calling thread at each expiry, as a user APC for a user-mode caller
 * (a kernel-mode normal APC for a Zw caller). ResumeTimer gets STATUS_TIMER_RESUME_IGNORED (no wake
 * from sleep here). *PreviousState: the signal state before. Cancel (TIMER_MODIFY_STATE): disarms it and
 * its APC; *CurrentState: the signal state. The timer and its APC are cancelled when the setting thread
 * ends and when the last handle to the timer is closed. SetTimerEx: TimerSetCoalescableTimer only
 * (another class: STATUS_INVALID_PARAMETER; a length other than the structure's:
 * STATUS_INFO_LENGTH_MISMATCH); TolerableDelay is accepted and unused.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwsettimer */
NTSYSAPI NTSTATUS NTAPI ZwCreateTimer(_Out_ PHANDLE TimerHandle, _In_ ACCESS_MASK DesiredAccess,
                                      _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ TIMER_TYPE TimerType);
NTSYSAPI NTSTATUS NTAPI ZwOpenTimer(_Out_ PHANDLE TimerHandle, _In_ ACCESS_MASK DesiredAccess,
                                    _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwSetTimer(_In_ HANDLE TimerHandle, _In_ PLARGE_INTEGER DueTime,
                                   _In_opt_ PTIMER_APC_ROUTINE TimerApcRoutine, _In_opt_ PVOID TimerContext,
                                   _In_ BOOLEAN ResumeTimer, _In_opt_ LONG Period, _Out_opt_ PBOOLEAN PreviousState);
NTSYSAPI NTSTATUS NTAPI ZwSetTimerEx(_In_ HANDLE TimerHandle, _In_ TIMER_SET_INFORMATION_CLASS TimerSetInformationClass,
                                     _Inout_updates_bytes_opt_(TimerSetInformationLength) PVOID TimerSetInformation,
                                     _In_ ULONG TimerSetInformationLength);
NTSYSAPI NTSTATUS NTAPI ZwCancelTimer(_In_ HANDLE TimerHandle, _Out_opt_ PBOOLEAN CurrentState);
/* TIMER_QUERY_STATE; the class's structure size exactly (STATUS_INFO_LENGTH_MISMATCH otherwise). */
NTSYSAPI NTSTATUS NTAPI ZwQueryTimer(_In_ HANDLE TimerHandle, _In_ TIMER_INFORMATION_CLASS TimerInformationClass,
                                     _Out_writes_bytes_(TimerInformationLength) PVOID TimerInformation,
                                     _In_ ULONG TimerInformationLength, _Out_opt_ PULONG ReturnLength);

NTSYSAPI NTSTATUS NTAPI ZwWaitForSingleObject(_In_ HANDLE Handle, _In_ BOOLEAN Alertable,
                                              _In_opt_ PLARGE_INTEGER Timeout);
NTSYSAPI NTSTATUS NTAPI ZwWaitForMultipleObjects(_In_ ULONG Count, _In_reads_(Count) HANDLE Handles[],
                                                 _In_ WAIT_TYPE WaitType, _In_ BOOLEAN Alertable,
                                                 _In_opt_ PLARGE_INTEGER Timeout);
NTSYSAPI NTSTATUS NTAPI ZwSignalAndWaitForSingleObject(_In_ HANDLE SignalHandle, _In_ HANDLE WaitHandle,
                                                       _In_ BOOLEAN Alertable, _In_opt_ PLARGE_INTEGER Timeout);
NTSYSAPI NTSTATUS NTAPI ZwDelayExecution(_In_ BOOLEAN Alertable, _In_ PLARGE_INTEGER DelayInterval);
/* Not in the WDK (an ntoskrnl export drivers declare themselves): gives up the processor. Always
 * STATUS_SUCCESS here (never STATUS_NO_YIELD_PERFORMED: the host does not say whether it switched). */
NTSYSAPI NTSTATUS NTAPI ZwYieldExecution(VOID);

NTSYSAPI NTSTATUS NTAPI ZwQueueApcThread(_In_ HANDLE ThreadHandle, _In_ PPS_APC_ROUTINE ApcRoutine,
                                         _In_opt_ PVOID ApcArgument1, _In_opt_ PVOID ApcArgument2,
                                         _In_opt_ PVOID ApcArgument3);
NTSYSAPI NTSTATUS NTAPI ZwTestAlert(VOID);
NTSYSAPI NTSTATUS NTAPI ZwAlertThread(_In_ HANDLE ThreadHandle);

/* A handle to the process (thread) a CLIENT_ID names; ObjectAttributes->ObjectName must be NULL.
 * STATUS_INVALID_PARAMETER_MIX (a name, or no client id), STATUS_INVALID_CID, STATUS_ACCESS_DENIED.
 * IRQL == PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwopenprocess */
NTSYSAPI NTSTATUS NTAPI ZwOpenProcess(_Out_ PHANDLE ProcessHandle, _In_ ACCESS_MASK DesiredAccess,
                                      _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_opt_ PCLIENT_ID ClientId);
/* Ends the process (PROCESS_TERMINATE): its threads marked, its handles closed, its waiters released.
 * STATUS_PROCESS_IS_TERMINATING if it already is. ntio refuses the caller's own process and the
 * System process (STATUS_ACCESS_DENIED). IRQL == PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwterminateprocess */
NTSYSAPI NTSTATUS NTAPI ZwTerminateProcess(_In_opt_ HANDLE ProcessHandle, _In_ NTSTATUS ExitStatus);
NTSYSAPI NTSTATUS NTAPI ZwOpenThread(_Out_ PHANDLE ThreadHandle, _In_ ACCESS_MASK DesiredAccess,
                                     _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_opt_ PCLIENT_ID ClientId);

NTSYSAPI NTSTATUS NTAPI ZwCreateDirectoryObject(_Out_ PHANDLE DirectoryHandle, _In_ ACCESS_MASK DesiredAccess,
                                                _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwOpenDirectoryObject(_Out_ PHANDLE DirectoryHandle, _In_ ACCESS_MASK DesiredAccess,
                                              _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwQueryDirectoryObject(_In_ HANDLE DirectoryHandle,
                                               _Out_writes_bytes_opt_(Length) PVOID Buffer, _In_ ULONG Length,
                                               _In_ BOOLEAN ReturnSingleEntry, _In_ BOOLEAN RestartScan,
                                               _Inout_ PULONG Context, _Out_opt_ PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI ZwCreateSymbolicLinkObject(_Out_ PHANDLE LinkHandle, _In_ ACCESS_MASK DesiredAccess,
                                                   _In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                   _In_ PUNICODE_STRING LinkTarget);
NTSYSAPI NTSTATUS NTAPI ZwOpenSymbolicLinkObject(_Out_ PHANDLE LinkHandle, _In_ ACCESS_MASK DesiredAccess,
                                                 _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwQuerySymbolicLinkObject(_In_ HANDLE LinkHandle, _Inout_ PUNICODE_STRING LinkTarget,
                                                  _Out_opt_ PULONG ReturnedLength);

/* IRQL == PASSIVE_LEVEL. Creates (or opens, when the name exists: then the existing event of whatever
 * kind is returned) the event named by the full object path EventName, signalled at creation, and
 * returns a kernel handle in *EventHandle. The returned event is not referenced for the caller: it stays
 * valid while the handle is open (close it with ZwClose). NULL on failure. */
NTKERNELAPI PKEVENT NTAPI IoCreateNotificationEvent(_In_ PUNICODE_STRING EventName,
                                                            _Out_ PHANDLE EventHandle);
NTKERNELAPI PKEVENT NTAPI IoCreateSynchronizationEvent(_In_ PUNICODE_STRING EventName,
                                                               _Out_ PHANDLE EventHandle);


/* File I/O services (the I/O manager's; file and device handles). */
NTSYSAPI NTSTATUS NTAPI ZwCreateFile(_Out_ PHANDLE FileHandle, _In_ ACCESS_MASK DesiredAccess,
                                     _In_ POBJECT_ATTRIBUTES ObjectAttributes, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                     _In_opt_ PLARGE_INTEGER AllocationSize, _In_ ULONG FileAttributes,
                                     _In_ ULONG ShareAccess, _In_ ULONG CreateDisposition, _In_ ULONG CreateOptions,
                                     _In_reads_bytes_opt_(EaLength) PVOID EaBuffer, _In_ ULONG EaLength);
NTSYSAPI NTSTATUS NTAPI ZwOpenFile(_Out_ PHANDLE FileHandle, _In_ ACCESS_MASK DesiredAccess,
                                   _In_ POBJECT_ATTRIBUTES ObjectAttributes, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                   _In_ ULONG ShareAccess, _In_ ULONG OpenOptions);
NTSYSAPI NTSTATUS NTAPI ZwReadFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event, _In_opt_ PIO_APC_ROUTINE ApcRoutine,
                                   _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                   _Out_writes_bytes_(Length) PVOID Buffer, _In_ ULONG Length,
                                   _In_opt_ PLARGE_INTEGER ByteOffset, _In_opt_ PULONG Key);
NTSYSAPI NTSTATUS NTAPI ZwWriteFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event, _In_opt_ PIO_APC_ROUTINE ApcRoutine,
                                    _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                    _In_reads_bytes_(Length) PVOID Buffer, _In_ ULONG Length,
                                    _In_opt_ PLARGE_INTEGER ByteOffset, _In_opt_ PULONG Key);
NTSYSAPI NTSTATUS NTAPI ZwDeviceIoControlFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event,
                                              _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                              _Out_ PIO_STATUS_BLOCK IoStatusBlock, _In_ ULONG IoControlCode,
                                              _In_reads_bytes_opt_(InputBufferLength) PVOID InputBuffer,
                                              _In_ ULONG InputBufferLength,
                                              _Out_writes_bytes_opt_(OutputBufferLength) PVOID OutputBuffer,
                                              _In_ ULONG OutputBufferLength);
NTSYSAPI NTSTATUS NTAPI ZwFsControlFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event, _In_opt_ PIO_APC_ROUTINE ApcRoutine,
                                        _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                        _In_ ULONG FsControlCode,
                                        _In_reads_bytes_opt_(InputBufferLength) PVOID InputBuffer,
                                        _In_ ULONG InputBufferLength,
                                        _Out_writes_bytes_opt_(OutputBufferLength) PVOID OutputBuffer,
                                        _In_ ULONG OutputBufferLength);

NTIO_END_DECLS

#endif /* NTIO_DDK_ZW_H */
