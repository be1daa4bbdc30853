/* Kernel Transaction Manager system services (ntdll): transaction managers, resource managers,
 * transactions and enlistments for applications; the Zw* forms and the types are in <wdm.h>.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/kernel-transaction-manager-routines */
#ifndef NTIO_NT_KTM_SERVICES_H
#define NTIO_NT_KTM_SERVICES_H
#include <wdm.h>

NTIO_BEGIN_DECLS
NTSYSCALLAPI NTSTATUS NTAPI NtCreateTransactionManager(_Out_ PHANDLE TmHandle, _In_ ACCESS_MASK DesiredAccess,
                                                       _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                       _In_opt_ PUNICODE_STRING LogFileName,
                                                       _In_opt_ ULONG CreateOptions, _In_opt_ ULONG CommitStrength);
NTSYSCALLAPI NTSTATUS NTAPI NtOpenTransactionManager(_Out_ PHANDLE TmHandle, _In_ ACCESS_MASK DesiredAccess,
                                                     _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                     _In_opt_ PUNICODE_STRING LogFileName,
                                                     _In_opt_ LPGUID TmIdentity, _In_opt_ ULONG OpenOptions);
NTSYSCALLAPI NTSTATUS NTAPI NtRenameTransactionManager(_In_ PUNICODE_STRING LogFileName,
                                                       _In_ LPGUID ExistingTransactionManagerGuid);
NTSYSCALLAPI NTSTATUS NTAPI NtRollforwardTransactionManager(_In_ HANDLE TransactionManagerHandle,
                                                            _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI NtRecoverTransactionManager(_In_ HANDLE TransactionManagerHandle);
NTSYSCALLAPI NTSTATUS NTAPI NtQueryInformationTransactionManager(
    _In_ HANDLE TransactionManagerHandle, _In_ TRANSACTIONMANAGER_INFORMATION_CLASS TransactionManagerInformationClass,
    _Out_writes_bytes_(TransactionManagerInformationLength) PVOID TransactionManagerInformation,
    _In_ ULONG TransactionManagerInformationLength, _Out_opt_ PULONG ReturnLength);
NTSYSCALLAPI NTSTATUS NTAPI NtSetInformationTransactionManager(
    _In_opt_ HANDLE TmHandle, _In_ TRANSACTIONMANAGER_INFORMATION_CLASS TransactionManagerInformationClass,
    _In_reads_bytes_(TransactionManagerInformationLength) PVOID TransactionManagerInformation,
    _In_ ULONG TransactionManagerInformationLength);
NTSYSCALLAPI NTSTATUS NTAPI NtEnumerateTransactionObject(_In_opt_ HANDLE RootObjectHandle,
                                                         _In_ KTMOBJECT_TYPE QueryType,
                                                         _Inout_updates_bytes_(ObjectCursorLength)
                                                             PKTMOBJECT_CURSOR ObjectCursor,
                                                         _In_ ULONG ObjectCursorLength, _Out_ PULONG ReturnLength);
NTSYSCALLAPI NTSTATUS NTAPI NtCreateTransaction(_Out_ PHANDLE TransactionHandle, _In_ ACCESS_MASK DesiredAccess,
                                                _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes, _In_opt_ LPGUID Uow,
                                                _In_opt_ HANDLE TmHandle, _In_opt_ ULONG CreateOptions,
                                                _In_opt_ ULONG IsolationLevel, _In_opt_ ULONG IsolationFlags,
                                                _In_opt_ PLARGE_INTEGER Timeout,
                                                _In_opt_ PUNICODE_STRING Description);
NTSYSCALLAPI NTSTATUS NTAPI NtOpenTransaction(_Out_ PHANDLE TransactionHandle, _In_ ACCESS_MASK DesiredAccess,
                                              _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ LPGUID Uow,
                                              _In_opt_ HANDLE TmHandle);
NTSYSCALLAPI NTSTATUS NTAPI NtQueryInformationTransaction(
    _In_ HANDLE TransactionHandle, _In_ TRANSACTION_INFORMATION_CLASS TransactionInformationClass,
    _Out_writes_bytes_(TransactionInformationLength) PVOID TransactionInformation,
    _In_ ULONG TransactionInformationLength, _Out_opt_ PULONG ReturnLength);
NTSYSCALLAPI NTSTATUS NTAPI NtSetInformationTransaction(
    _In_ HANDLE TransactionHandle, _In_ TRANSACTION_INFORMATION_CLASS TransactionInformationClass,
    _In_reads_bytes_(TransactionInformationLength) PVOID TransactionInformation,
    _In_ ULONG TransactionInformationLength);
NTSYSCALLAPI NTSTATUS NTAPI NtCommitTransaction(_In_ HANDLE TransactionHandle, _In_ BOOLEAN Wait);
NTSYSCALLAPI NTSTATUS NTAPI NtRollbackTransaction(_In_ HANDLE TransactionHandle, _In_ BOOLEAN Wait);
NTSYSCALLAPI NTSTATUS NTAPI NtCreateEnlistment(_Out_ PHANDLE EnlistmentHandle, _In_ ACCESS_MASK DesiredAccess,
                                               _In_ HANDLE ResourceManagerHandle, _In_ HANDLE TransactionHandle,
                                               _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                               _In_opt_ ULONG CreateOptions, _In_ NOTIFICATION_MASK NotificationMask,
                                               _In_opt_ PVOID EnlistmentKey);
NTSYSCALLAPI NTSTATUS NTAPI NtOpenEnlistment(_Out_ PHANDLE EnlistmentHandle, _In_ ACCESS_MASK DesiredAccess,
                                             _In_ HANDLE RmHandle, _In_ LPGUID EnlistmentGuid,
                                             _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSCALLAPI NTSTATUS NTAPI NtQueryInformationEnlistment(
    _In_ HANDLE EnlistmentHandle, _In_ ENLISTMENT_INFORMATION_CLASS EnlistmentInformationClass,
    _Out_writes_bytes_(EnlistmentInformationLength) PVOID EnlistmentInformation,
    _In_ ULONG EnlistmentInformationLength, _Out_opt_ PULONG ReturnLength);
NTSYSCALLAPI NTSTATUS NTAPI NtSetInformationEnlistment(
    _In_opt_ HANDLE EnlistmentHandle, _In_ ENLISTMENT_INFORMATION_CLASS EnlistmentInformationClass,
    _In_reads_bytes_(EnlistmentInformationLength) PVOID EnlistmentInformation,
    _In_ ULONG EnlistmentInformationLength);
NTSYSCALLAPI NTSTATUS NTAPI NtRecoverEnlistment(_In_ HANDLE EnlistmentHandle, _In_opt_ PVOID EnlistmentKey);
NTSYSCALLAPI NTSTATUS NTAPI NtPrePrepareEnlistment(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI NtPrepareEnlistment(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI NtCommitEnlistment(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI NtRollbackEnlistment(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI NtPrePrepareComplete(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI NtPrepareComplete(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI NtCommitComplete(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI NtReadOnlyEnlistment(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI NtRollbackComplete(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI NtSinglePhaseReject(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI NtCreateResourceManager(_Out_ PHANDLE ResourceManagerHandle,
                                                    _In_ ACCESS_MASK DesiredAccess, _In_ HANDLE TmHandle,
                                                    _In_opt_ LPGUID ResourceManagerGuid,
                                                    _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                    _In_opt_ ULONG CreateOptions,
                                                    _In_opt_ PUNICODE_STRING Description);
NTSYSCALLAPI NTSTATUS NTAPI NtOpenResourceManager(_Out_ PHANDLE ResourceManagerHandle, _In_ ACCESS_MASK DesiredAccess,
                                                  _In_ HANDLE TmHandle, _In_ LPGUID ResourceManagerGuid,
                                                  _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSCALLAPI NTSTATUS NTAPI NtRecoverResourceManager(_In_ HANDLE ResourceManagerHandle);
NTSYSCALLAPI NTSTATUS NTAPI NtGetNotificationResourceManager(
    _In_ HANDLE ResourceManagerHandle, _Out_ PTRANSACTION_NOTIFICATION TransactionNotification,
    _In_ ULONG NotificationLength, _In_ PLARGE_INTEGER Timeout, _Out_opt_ PULONG ReturnLength,
    _In_ ULONG Asynchronous, _In_opt_ ULONG_PTR AsynchronousContext);
NTSYSCALLAPI NTSTATUS NTAPI NtQueryInformationResourceManager(
    _In_ HANDLE ResourceManagerHandle, _In_ RESOURCEMANAGER_INFORMATION_CLASS ResourceManagerInformationClass,
    _Out_writes_bytes_(ResourceManagerInformationLength) PVOID ResourceManagerInformation,
    _In_ ULONG ResourceManagerInformationLength, _Out_opt_ PULONG ReturnLength);
NTSYSCALLAPI NTSTATUS NTAPI NtSetInformationResourceManager(
    _In_ HANDLE ResourceManagerHandle, _In_ RESOURCEMANAGER_INFORMATION_CLASS ResourceManagerInformationClass,
    _In_reads_bytes_(ResourceManagerInformationLength) PVOID ResourceManagerInformation,
    _In_ ULONG ResourceManagerInformationLength);
NTSYSCALLAPI NTSTATUS NTAPI NtPropagationComplete(_In_ HANDLE ResourceManagerHandle, _In_ ULONG RequestCookie,
                                                  _In_ ULONG BufferLength, _In_ PVOID Buffer);
NTSYSCALLAPI NTSTATUS NTAPI NtPropagationFailed(_In_ HANDLE ResourceManagerHandle, _In_ ULONG RequestCookie,
                                                _In_ NTSTATUS PropStatus);

NTIO_END_DECLS

#endif /* NTIO_NT_KTM_SERVICES_H */
