/* <ntio/ntapi.h>: the Nt* system services for applications (C and C++), as ntdll exports them.
 * Called from an application thread they run with PreviousMode UserMode: every caller pointer is probed
 * and captured (a bad one gives STATUS_ACCESS_VIOLATION), handles are checked for the granted access and
 * kernel handles are invalid. Types and information classes are shared with the Zw* routines in <wdm.h>. */
#ifndef NTIO_NTAPI_H
#define NTIO_NTAPI_H
#include <wdm.h>
#include <ntio_ddk/se_token.h>
#include <ntio_ddk/ps_information.h>
#include <ntio_ddk/system_information.h>

#ifndef NtCurrentProcess
#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#endif
#ifndef NtCurrentThread
#define NtCurrentThread() ((HANDLE)(LONG_PTR)-2)
#endif

NTIO_BEGIN_DECLS

/* Every Nt* routine: IRQL == PASSIVE_LEVEL; handles returned belong to the calling process and are
 * closed with NtClose. */
NTSYSAPI NTSTATUS NTAPI NtClose(_In_ HANDLE Handle);
NTSYSAPI NTSTATUS NTAPI NtDuplicateObject(_In_ HANDLE SourceProcessHandle, _In_ HANDLE SourceHandle,
                                          _In_opt_ HANDLE TargetProcessHandle, _Out_opt_ PHANDLE TargetHandle,
                                          _In_ ACCESS_MASK DesiredAccess, _In_ ULONG HandleAttributes,
                                          _In_ ULONG Options);
NTSYSAPI NTSTATUS NTAPI NtMakeTemporaryObject(_In_ HANDLE Handle);
NTSYSAPI NTSTATUS NTAPI NtMakePermanentObject(_In_ HANDLE Handle);
NTSYSAPI NTSTATUS NTAPI NtQueryObject(_In_opt_ HANDLE Handle, _In_ OBJECT_INFORMATION_CLASS ObjectInformationClass,
                                      _Out_writes_bytes_opt_(ObjectInformationLength) PVOID ObjectInformation,
                                      _In_ ULONG ObjectInformationLength, _Out_opt_ PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI NtSetInformationObject(_In_ HANDLE Handle, _In_ OBJECT_INFORMATION_CLASS ObjectInformationClass,
                                               _In_reads_bytes_(ObjectInformationLength) PVOID ObjectInformation,
                                               _In_ ULONG ObjectInformationLength);
/* Object security: READ_CONTROL / WRITE_DAC / WRITE_OWNER / ACCESS_SYSTEM_SECURITY on the handle as the
 * SECURITY_INFORMATION parts need; a buffer too small is STATUS_BUFFER_TOO_SMALL with *LengthNeeded. */
NTSYSAPI NTSTATUS NTAPI NtQuerySecurityObject(_In_ HANDLE Handle, _In_ SECURITY_INFORMATION SecurityInformation,
                                              _Out_writes_bytes_opt_(Length) PSECURITY_DESCRIPTOR SecurityDescriptor,
                                              _In_ ULONG Length, _Out_ PULONG LengthNeeded);
NTSYSAPI NTSTATUS NTAPI NtSetSecurityObject(_In_ HANDLE Handle, _In_ SECURITY_INFORMATION SecurityInformation,
                                            _In_ PSECURITY_DESCRIPTOR SecurityDescriptor);
/* Tokens. */
NTSYSAPI NTSTATUS NTAPI NtOpenProcessTokenEx(_In_ HANDLE ProcessHandle, _In_ ACCESS_MASK DesiredAccess,
                                             _In_ ULONG HandleAttributes, _Out_ PHANDLE TokenHandle);
NTSYSAPI NTSTATUS NTAPI NtOpenThreadTokenEx(_In_ HANDLE ThreadHandle, _In_ ACCESS_MASK DesiredAccess,
                                            _In_ BOOLEAN OpenAsSelf, _In_ ULONG HandleAttributes,
                                            _Out_ PHANDLE TokenHandle);
NTSYSAPI NTSTATUS NTAPI NtQueryInformationToken(_In_ HANDLE TokenHandle,
                                                _In_ TOKEN_INFORMATION_CLASS TokenInformationClass,
                                                _Out_writes_bytes_to_opt_(TokenInformationLength, *ReturnLength)
                                                    PVOID TokenInformation,
                                                _In_ ULONG TokenInformationLength, _Out_ PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI NtAllocateLocallyUniqueId(_Out_ PLUID Luid);
NTSYSAPI NTSTATUS NTAPI NtOpenProcessToken(_In_ HANDLE ProcessHandle, _In_ ACCESS_MASK DesiredAccess,
                                           _Out_ PHANDLE TokenHandle);
NTSYSAPI NTSTATUS NTAPI NtOpenThreadToken(_In_ HANDLE ThreadHandle, _In_ ACCESS_MASK DesiredAccess,
                                          _In_ BOOLEAN OpenAsSelf, _Out_ PHANDLE TokenHandle);
/* A copy of a token: primary, or impersonation at ObjectAttributes->SecurityQualityOfService's level. */
NTSYSAPI NTSTATUS NTAPI NtDuplicateToken(_In_ HANDLE ExistingTokenHandle, _In_ ACCESS_MASK DesiredAccess,
                                         _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ BOOLEAN EffectiveOnly,
                                         _In_ TOKEN_TYPE TokenType, _Out_ PHANDLE NewTokenHandle);
/* TOKEN_ADJUST_PRIVILEGES (+ TOKEN_QUERY with PreviousState); STATUS_NOT_ALL_ASSIGNED is a success. */
NTSYSAPI NTSTATUS NTAPI NtAdjustPrivilegesToken(_In_ HANDLE TokenHandle, _In_ BOOLEAN DisableAllPrivileges,
                                                _In_opt_ PTOKEN_PRIVILEGES NewState, _In_ ULONG BufferLength,
                                                _Out_writes_bytes_to_opt_(BufferLength, *ReturnLength)
                                                    PTOKEN_PRIVILEGES PreviousState,
                                                _Out_opt_ PULONG ReturnLength);
/* TokenOwner, TokenPrimaryGroup, TokenDefaultDacl (TOKEN_ADJUST_DEFAULT) and TokenSessionId
 * (TOKEN_ADJUST_SESSIONID and SeTcbPrivilege). */
NTSYSAPI NTSTATUS NTAPI NtSetInformationToken(_In_ HANDLE TokenHandle,
                                              _In_ TOKEN_INFORMATION_CLASS TokenInformationClass,
                                              _In_reads_bytes_(TokenInformationLength) PVOID TokenInformation,
                                              _In_ ULONG TokenInformationLength);
NTSYSAPI NTSTATUS NTAPI NtPrivilegeCheck(_In_ HANDLE ClientToken, _Inout_ PPRIVILEGE_SET RequiredPrivileges,
                                         _Out_ PBOOLEAN Result);
NTSYSAPI NTSTATUS NTAPI NtImpersonateAnonymousToken(_In_ HANDLE ThreadHandle);
NTSYSAPI NTSTATUS NTAPI NtAdjustGroupsToken(_In_ HANDLE TokenHandle, _In_ BOOLEAN ResetToDefault,
                                            _In_opt_ PTOKEN_GROUPS NewState, _In_opt_ ULONG BufferLength,
                                            _Out_writes_bytes_to_opt_(BufferLength, *ReturnLength)
                                                PTOKEN_GROUPS PreviousState,
                                            _Out_opt_ PULONG ReturnLength);
/* Access checks and audit alarms of protected servers (no audit log: GenerateOnClose is FALSE). */
NTSYSAPI NTSTATUS NTAPI NtAccessCheckAndAuditAlarm(_In_ PUNICODE_STRING SubsystemName, _In_opt_ PVOID HandleId,
                                                   _In_ PUNICODE_STRING ObjectTypeName, _In_ PUNICODE_STRING ObjectName,
                                                   _In_ PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                   _In_ ACCESS_MASK DesiredAccess, _In_ PGENERIC_MAPPING GenericMapping,
                                                   _In_ BOOLEAN ObjectCreation, _Out_ PACCESS_MASK GrantedAccess,
                                                   _Out_ PNTSTATUS AccessStatus, _Out_ PBOOLEAN GenerateOnClose);
NTSYSAPI NTSTATUS NTAPI NtAccessCheckByTypeAndAuditAlarm(
    _In_ PUNICODE_STRING SubsystemName, _In_opt_ PVOID HandleId, _In_ PUNICODE_STRING ObjectTypeName,
    _In_ PUNICODE_STRING ObjectName, _In_ PSECURITY_DESCRIPTOR SecurityDescriptor, _In_opt_ PSID PrincipalSelfSid,
    _In_ ACCESS_MASK DesiredAccess, _In_ AUDIT_EVENT_TYPE AuditType, _In_ ULONG Flags,
    _In_reads_opt_(ObjectTypeLength) POBJECT_TYPE_LIST ObjectTypeList, _In_ ULONG ObjectTypeLength,
    _In_ PGENERIC_MAPPING GenericMapping, _In_ BOOLEAN ObjectCreation, _Out_ PACCESS_MASK GrantedAccess,
    _Out_ PNTSTATUS AccessStatus, _Out_ PBOOLEAN GenerateOnClose);
NTSYSAPI NTSTATUS NTAPI NtAccessCheckByTypeResultListAndAuditAlarm(
    _In_ PUNICODE_STRING SubsystemName, _In_opt_ PVOID HandleId, _In_ PUNICODE_STRING ObjectTypeName,
    _In_ PUNICODE_STRING ObjectName, _In_ PSECURITY_DESCRIPTOR SecurityDescriptor, _In_opt_ PSID PrincipalSelfSid,
    _In_ ACCESS_MASK DesiredAccess, _In_ AUDIT_EVENT_TYPE AuditType, _In_ ULONG Flags,
    _In_reads_opt_(ObjectTypeLength) POBJECT_TYPE_LIST ObjectTypeList, _In_ ULONG ObjectTypeLength,
    _In_ PGENERIC_MAPPING GenericMapping, _In_ BOOLEAN ObjectCreation,
    _Out_writes_(ObjectTypeLength) PACCESS_MASK GrantedAccess, _Out_writes_(ObjectTypeLength) PNTSTATUS AccessStatus,
    _Out_ PBOOLEAN GenerateOnClose);
NTSYSAPI NTSTATUS NTAPI NtAccessCheckByTypeResultListAndAuditAlarmByHandle(
    _In_ PUNICODE_STRING SubsystemName, _In_opt_ PVOID HandleId, _In_ HANDLE ClientToken,
    _In_ PUNICODE_STRING ObjectTypeName, _In_ PUNICODE_STRING ObjectName, _In_ PSECURITY_DESCRIPTOR SecurityDescriptor,
    _In_opt_ PSID PrincipalSelfSid, _In_ ACCESS_MASK DesiredAccess, _In_ AUDIT_EVENT_TYPE AuditType, _In_ ULONG Flags,
    _In_reads_opt_(ObjectTypeLength) POBJECT_TYPE_LIST ObjectTypeList, _In_ ULONG ObjectTypeLength,
    _In_ PGENERIC_MAPPING GenericMapping, _In_ BOOLEAN ObjectCreation,
    _Out_writes_(ObjectTypeLength) PACCESS_MASK GrantedAccess, _Out_writes_(ObjectTypeLength) PNTSTATUS AccessStatus,
    _Out_ PBOOLEAN GenerateOnClose);
NTSYSAPI NTSTATUS NTAPI NtOpenObjectAuditAlarm(_In_ PUNICODE_STRING SubsystemName, _In_opt_ PVOID HandleId,
                                               _In_ PUNICODE_STRING ObjectTypeName, _In_ PUNICODE_STRING ObjectName,
                                               _In_opt_ PSECURITY_DESCRIPTOR SecurityDescriptor,
                                               _In_ HANDLE ClientToken, _In_ ACCESS_MASK DesiredAccess,
                                               _In_ ACCESS_MASK GrantedAccess, _In_opt_ PPRIVILEGE_SET Privileges,
                                               _In_ BOOLEAN ObjectCreation, _In_ BOOLEAN AccessGranted,
                                               _Out_ PBOOLEAN GenerateOnClose);
NTSYSAPI NTSTATUS NTAPI NtPrivilegeObjectAuditAlarm(_In_ PUNICODE_STRING SubsystemName, _In_opt_ PVOID HandleId,
                                                    _In_ HANDLE ClientToken, _In_ ACCESS_MASK DesiredAccess,
                                                    _In_ PPRIVILEGE_SET Privileges, _In_ BOOLEAN AccessGranted);
NTSYSAPI NTSTATUS NTAPI NtCloseObjectAuditAlarm(_In_ PUNICODE_STRING SubsystemName, _In_opt_ PVOID HandleId,
                                                _In_ BOOLEAN GenerateOnClose);
NTSYSAPI NTSTATUS NTAPI NtDeleteObjectAuditAlarm(_In_ PUNICODE_STRING SubsystemName, _In_opt_ PVOID HandleId,
                                                 _In_ BOOLEAN GenerateOnClose);
NTSYSAPI NTSTATUS NTAPI NtPrivilegedServiceAuditAlarm(_In_ PUNICODE_STRING SubsystemName,
                                                      _In_ PUNICODE_STRING ServiceName, _In_ HANDLE ClientToken,
                                                      _In_ PPRIVILEGE_SET Privileges, _In_ BOOLEAN AccessGranted);
NTSYSAPI NTSTATUS NTAPI NtFilterToken(_In_ HANDLE ExistingTokenHandle, _In_ ULONG Flags,
                                      _In_opt_ PTOKEN_GROUPS SidsToDisable,
                                      _In_opt_ PTOKEN_PRIVILEGES PrivilegesToDelete,
                                      _In_opt_ PTOKEN_GROUPS RestrictedSids, _Out_ PHANDLE NewTokenHandle);
/* Processes and threads by client id (see ZwOpenProcess in <ntddk.h>). */
NTSYSAPI NTSTATUS NTAPI NtOpenProcess(_Out_ PHANDLE ProcessHandle, _In_ ACCESS_MASK DesiredAccess,
                                      _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_opt_ PCLIENT_ID ClientId);
NTSYSAPI NTSTATUS NTAPI NtOpenThread(_Out_ PHANDLE ThreadHandle, _In_ ACCESS_MASK DesiredAccess,
                                     _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_opt_ PCLIENT_ID ClientId);
NTSYSAPI NTSTATUS NTAPI NtTerminateProcess(_In_opt_ HANDLE ProcessHandle, _In_ NTSTATUS ExitStatus);
/* Processes: the classes ZwQueryInformationProcess and ZwSetInformationProcess in <ntddk.h> list. */
NTSYSAPI NTSTATUS NTAPI NtQueryInformationProcess(_In_ HANDLE ProcessHandle,
                                                  _In_ PROCESSINFOCLASS ProcessInformationClass,
                                                  _Out_writes_bytes_(ProcessInformationLength) PVOID ProcessInformation,
                                                  _In_ ULONG ProcessInformationLength, _Out_opt_ PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI NtSetInformationProcess(_In_ HANDLE ProcessHandle,
                                                _In_ PROCESSINFOCLASS ProcessInformationClass,
                                                _In_reads_bytes_(ProcessInformationLength) PVOID ProcessInformation,
                                                _In_ ULONG ProcessInformationLength);
/* Threads: see ZwSetInformationThread and ZwQueryInformationThread in <ntddk.h>. */
NTSYSAPI NTSTATUS NTAPI NtSetInformationThread(_In_ HANDLE ThreadHandle, _In_ THREADINFOCLASS ThreadInformationClass,
                                               _In_reads_bytes_(ThreadInformationLength) PVOID ThreadInformation,
                                               _In_ ULONG ThreadInformationLength);
NTSYSAPI NTSTATUS NTAPI NtQueryInformationThread(_In_ HANDLE ThreadHandle,
                                                 _In_ THREADINFOCLASS ThreadInformationClass,
                                                 _Out_writes_bytes_(ThreadInformationLength) PVOID ThreadInformation,
                                                 _In_ ULONG ThreadInformationLength, _Out_opt_ PULONG ReturnLength);
/* The system (<ntio_ddk/system_information.h>): SystemBasicInformation, SystemProcessorInformation,
 * SystemTimeOfDayInformation and SystemKernelDebuggerInformation need their structure's exact length
 * (STATUS_INFO_LENGTH_MISMATCH); SystemProcessInformation, SystemProcessorPerformanceInformation,
 * SystemModuleInformation, SystemHandleInformation and SystemExtendedHandleInformation are variable:
 * too short a buffer is STATUS_INFO_LENGTH_MISMATCH with the length needed in *ReturnLength. Other
 * classes are STATUS_INVALID_INFO_CLASS. */
NTSYSAPI NTSTATUS NTAPI NtQuerySystemInformation(_In_ SYSTEM_INFORMATION_CLASS SystemInformationClass,
                                                 _Out_writes_bytes_opt_(SystemInformationLength) PVOID SystemInformation,
                                                 _In_ ULONG SystemInformationLength, _Out_opt_ PULONG ReturnLength);

NTSYSAPI NTSTATUS NTAPI NtCreateEvent(_Out_ PHANDLE EventHandle, _In_ ACCESS_MASK DesiredAccess,
                                      _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                      _In_ EVENT_TYPE EventType, _In_ BOOLEAN InitialState);
NTSYSAPI NTSTATUS NTAPI NtOpenEvent(_Out_ PHANDLE EventHandle, _In_ ACCESS_MASK DesiredAccess,
                                    _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtSetEvent(_In_ HANDLE EventHandle, _Out_opt_ PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI NtResetEvent(_In_ HANDLE EventHandle, _Out_opt_ PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI NtPulseEvent(_In_ HANDLE EventHandle, _Out_opt_ PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI NtClearEvent(_In_ HANDLE EventHandle);
NTSYSAPI NTSTATUS NTAPI NtQueryEvent(_In_ HANDLE EventHandle, _In_ EVENT_INFORMATION_CLASS EventInformationClass,
                                     _Out_writes_bytes_(EventInformationLength) PVOID EventInformation,
                                     _In_ ULONG EventInformationLength, _Out_opt_ PULONG ReturnLength);

NTSYSAPI NTSTATUS NTAPI NtCreateSemaphore(_Out_ PHANDLE SemaphoreHandle, _In_ ACCESS_MASK DesiredAccess,
                                          _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                          _In_ LONG InitialCount, _In_ LONG MaximumCount);
NTSYSAPI NTSTATUS NTAPI NtOpenSemaphore(_Out_ PHANDLE SemaphoreHandle, _In_ ACCESS_MASK DesiredAccess,
                                        _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtReleaseSemaphore(_In_ HANDLE SemaphoreHandle, _In_ LONG ReleaseCount,
                                           _Out_opt_ PLONG PreviousCount);
NTSYSAPI NTSTATUS NTAPI NtQuerySemaphore(_In_ HANDLE SemaphoreHandle,
                                         _In_ SEMAPHORE_INFORMATION_CLASS SemaphoreInformationClass,
                                         _Out_writes_bytes_(SemaphoreInformationLength) PVOID SemaphoreInformation,
                                         _In_ ULONG SemaphoreInformationLength, _Out_opt_ PULONG ReturnLength);

NTSYSAPI NTSTATUS NTAPI NtCreateMutant(_Out_ PHANDLE MutantHandle, _In_ ACCESS_MASK DesiredAccess,
                                       _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                       _In_ BOOLEAN InitialOwner);
NTSYSAPI NTSTATUS NTAPI NtOpenMutant(_Out_ PHANDLE MutantHandle, _In_ ACCESS_MASK DesiredAccess,
                                     _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtReleaseMutant(_In_ HANDLE MutantHandle, _Out_opt_ PLONG PreviousCount);
NTSYSAPI NTSTATUS NTAPI NtQueryMutant(_In_ HANDLE MutantHandle, _In_ MUTANT_INFORMATION_CLASS MutantInformationClass,
                                      _Out_writes_bytes_(MutantInformationLength) PVOID MutantInformation,
                                      _In_ ULONG MutantInformationLength, _Out_opt_ PULONG ReturnLength);

/* Timer objects (see ZwSetTimer in <wdm.h>): a TimerApcRoutine runs as a user APC of the thread that
 * set the timer, in an alertable wait of that thread or at NtTestAlert. */
NTSYSAPI NTSTATUS NTAPI NtCreateTimer(_Out_ PHANDLE TimerHandle, _In_ ACCESS_MASK DesiredAccess,
                                      _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ TIMER_TYPE TimerType);
NTSYSAPI NTSTATUS NTAPI NtOpenTimer(_Out_ PHANDLE TimerHandle, _In_ ACCESS_MASK DesiredAccess,
                                    _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtSetTimer(_In_ HANDLE TimerHandle, _In_ PLARGE_INTEGER DueTime,
                                   _In_opt_ PTIMER_APC_ROUTINE TimerApcRoutine, _In_opt_ PVOID TimerContext,
                                   _In_ BOOLEAN ResumeTimer, _In_opt_ LONG Period, _Out_opt_ PBOOLEAN PreviousState);
NTSYSAPI NTSTATUS NTAPI NtSetTimerEx(_In_ HANDLE TimerHandle, _In_ TIMER_SET_INFORMATION_CLASS TimerSetInformationClass,
                                     _Inout_updates_bytes_opt_(TimerSetInformationLength) PVOID TimerSetInformation,
                                     _In_ ULONG TimerSetInformationLength);
NTSYSAPI NTSTATUS NTAPI NtCancelTimer(_In_ HANDLE TimerHandle, _Out_opt_ PBOOLEAN CurrentState);
NTSYSAPI NTSTATUS NTAPI NtQueryTimer(_In_ HANDLE TimerHandle, _In_ TIMER_INFORMATION_CLASS TimerInformationClass,
                                     _Out_writes_bytes_(TimerInformationLength) PVOID TimerInformation,
                                     _In_ ULONG TimerInformationLength, _Out_opt_ PULONG ReturnLength);

NTSYSAPI NTSTATUS NTAPI NtWaitForSingleObject(_In_ HANDLE Handle, _In_ BOOLEAN Alertable,
                                              _In_opt_ PLARGE_INTEGER Timeout);
NTSYSAPI NTSTATUS NTAPI NtWaitForMultipleObjects(_In_ ULONG Count, _In_reads_(Count) HANDLE Handles[],
                                                 _In_ WAIT_TYPE WaitType, _In_ BOOLEAN Alertable,
                                                 _In_opt_ PLARGE_INTEGER Timeout);
NTSYSAPI NTSTATUS NTAPI NtSignalAndWaitForSingleObject(_In_ HANDLE SignalHandle, _In_ HANDLE WaitHandle,
                                                       _In_ BOOLEAN Alertable, _In_opt_ PLARGE_INTEGER Timeout);
NTSYSAPI NTSTATUS NTAPI NtDelayExecution(_In_ BOOLEAN Alertable, _In_ PLARGE_INTEGER DelayInterval);
NTSYSAPI NTSTATUS NTAPI NtYieldExecution(VOID);

NTSYSAPI NTSTATUS NTAPI NtQueueApcThread(_In_ HANDLE ThreadHandle, _In_ PPS_APC_ROUTINE ApcRoutine,
                                         _In_opt_ PVOID ApcArgument1, _In_opt_ PVOID ApcArgument2,
                                         _In_opt_ PVOID ApcArgument3);
NTSYSAPI NTSTATUS NTAPI NtTestAlert(VOID);
NTSYSAPI NTSTATUS NTAPI NtAlertThread(_In_ HANDLE ThreadHandle);
/* Thread suspension: each returns the suspend count before the call (THREAD_SUSPEND_RESUME). */
NTSYSAPI NTSTATUS NTAPI NtSuspendThread(_In_ HANDLE ThreadHandle, _Out_opt_ PULONG PreviousSuspendCount);
NTSYSAPI NTSTATUS NTAPI NtResumeThread(_In_ HANDLE ThreadHandle, _Out_opt_ PULONG PreviousSuspendCount);
NTSYSAPI NTSTATUS NTAPI NtAlertResumeThread(_In_ HANDLE ThreadHandle, _Out_opt_ PULONG PreviousSuspendCount);

NTSYSAPI NTSTATUS NTAPI NtCreateDirectoryObject(_Out_ PHANDLE DirectoryHandle, _In_ ACCESS_MASK DesiredAccess,
                                                _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtOpenDirectoryObject(_Out_ PHANDLE DirectoryHandle, _In_ ACCESS_MASK DesiredAccess,
                                              _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtQueryDirectoryObject(_In_ HANDLE DirectoryHandle,
                                               _Out_writes_bytes_opt_(Length) PVOID Buffer, _In_ ULONG Length,
                                               _In_ BOOLEAN ReturnSingleEntry, _In_ BOOLEAN RestartScan,
                                               _Inout_ PULONG Context, _Out_opt_ PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI NtCreateSymbolicLinkObject(_Out_ PHANDLE LinkHandle, _In_ ACCESS_MASK DesiredAccess,
                                                   _In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                   _In_ PUNICODE_STRING LinkTarget);
NTSYSAPI NTSTATUS NTAPI NtOpenSymbolicLinkObject(_Out_ PHANDLE LinkHandle, _In_ ACCESS_MASK DesiredAccess,
                                                 _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtQuerySymbolicLinkObject(_In_ HANDLE LinkHandle, _Inout_ PUNICODE_STRING LinkTarget,
                                                  _Out_opt_ PULONG ReturnedLength);


/* File I/O services (the I/O manager's; file and device handles). */
NTSYSAPI NTSTATUS NTAPI NtCreateFile(_Out_ PHANDLE FileHandle, _In_ ACCESS_MASK DesiredAccess,
                                     _In_ POBJECT_ATTRIBUTES ObjectAttributes, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                     _In_opt_ PLARGE_INTEGER AllocationSize, _In_ ULONG FileAttributes,
                                     _In_ ULONG ShareAccess, _In_ ULONG CreateDisposition, _In_ ULONG CreateOptions,
                                     _In_reads_bytes_opt_(EaLength) PVOID EaBuffer, _In_ ULONG EaLength);
NTSYSAPI NTSTATUS NTAPI NtOpenFile(_Out_ PHANDLE FileHandle, _In_ ACCESS_MASK DesiredAccess,
                                   _In_ POBJECT_ATTRIBUTES ObjectAttributes, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                   _In_ ULONG ShareAccess, _In_ ULONG OpenOptions);
NTSYSAPI NTSTATUS NTAPI NtReadFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event, _In_opt_ PIO_APC_ROUTINE ApcRoutine,
                                   _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                   _Out_writes_bytes_(Length) PVOID Buffer, _In_ ULONG Length,
                                   _In_opt_ PLARGE_INTEGER ByteOffset, _In_opt_ PULONG Key);
NTSYSAPI NTSTATUS NTAPI NtWriteFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event, _In_opt_ PIO_APC_ROUTINE ApcRoutine,
                                    _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                    _In_reads_bytes_(Length) PVOID Buffer, _In_ ULONG Length,
                                    _In_opt_ PLARGE_INTEGER ByteOffset, _In_opt_ PULONG Key);
NTSYSAPI NTSTATUS NTAPI NtDeviceIoControlFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event,
                                              _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext,
                                              _Out_ PIO_STATUS_BLOCK IoStatusBlock, _In_ ULONG IoControlCode,
                                              _In_reads_bytes_opt_(InputBufferLength) PVOID InputBuffer,
                                              _In_ ULONG InputBufferLength,
                                              _Out_writes_bytes_opt_(OutputBufferLength) PVOID OutputBuffer,
                                              _In_ ULONG OutputBufferLength);
NTSYSAPI NTSTATUS NTAPI NtFsControlFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event, _In_opt_ PIO_APC_ROUTINE ApcRoutine,
                                        _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                        _In_ ULONG FsControlCode,
                                        _In_reads_bytes_opt_(InputBufferLength) PVOID InputBuffer,
                                        _In_ ULONG InputBufferLength,
                                        _Out_writes_bytes_opt_(OutputBufferLength) PVOID OutputBuffer,
                                        _In_ ULONG OutputBufferLength);

NTIO_END_DECLS

/* The rest of the I/O system services, by group. */
#include "ddk/ntio_ddk/io_completion.h"
#include "ddk/ntio_ddk/named_pipe.h"
#include "nt/io_completion_services.h"
#include "nt/file_information_services.h"
#include "nt/file_operation_services.h"
#include "nt/file_cancel_services.h"
#include "nt/registry_services.h"
#include "nt/driver_services.h"
#include "nt/display_string.h"
#include "nt/section_services.h"
#include "nt/virtual_memory_services.h"
#include "nt/power_services.h"
#include "nt/ktm_services.h"

#endif /* NTIO_NTAPI_H */
