// The Zw* forms of the KTM services: each runs the Nt* service with PreviousMode KernelMode.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "nt/previous_mode.hpp"

using ntio::nt::KernelModeCall;

extern "C" {

NTSTATUS NTAPI ZwCreateTransactionManager(PHANDLE TmHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, PUNICODE_STRING LogFileName, ULONG CreateOptions, ULONG CommitStrength) {
    KernelModeCall kernel;
    return NtCreateTransactionManager(TmHandle, DesiredAccess, ObjectAttributes, LogFileName, CreateOptions, CommitStrength);
}

NTSTATUS NTAPI ZwOpenTransactionManager(PHANDLE TmHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, PUNICODE_STRING LogFileName, LPGUID TmIdentity, ULONG OpenOptions) {
    KernelModeCall kernel;
    return NtOpenTransactionManager(TmHandle, DesiredAccess, ObjectAttributes, LogFileName, TmIdentity, OpenOptions);
}

NTSTATUS NTAPI ZwRenameTransactionManager(PUNICODE_STRING LogFileName, LPGUID ExistingTransactionManagerGuid) {
    KernelModeCall kernel;
    return NtRenameTransactionManager(LogFileName, ExistingTransactionManagerGuid);
}

NTSTATUS NTAPI ZwRollforwardTransactionManager(HANDLE TransactionManagerHandle, PLARGE_INTEGER TmVirtualClock) {
    KernelModeCall kernel;
    return NtRollforwardTransactionManager(TransactionManagerHandle, TmVirtualClock);
}

NTSTATUS NTAPI ZwRecoverTransactionManager(HANDLE TransactionManagerHandle) {
    KernelModeCall kernel;
    return NtRecoverTransactionManager(TransactionManagerHandle);
}

NTSTATUS NTAPI ZwQueryInformationTransactionManager(HANDLE TransactionManagerHandle, TRANSACTIONMANAGER_INFORMATION_CLASS TransactionManagerInformationClass, PVOID TransactionManagerInformation, ULONG TransactionManagerInformationLength, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryInformationTransactionManager(TransactionManagerHandle, TransactionManagerInformationClass, TransactionManagerInformation, TransactionManagerInformationLength, ReturnLength);
}

NTSTATUS NTAPI ZwSetInformationTransactionManager(HANDLE TmHandle, TRANSACTIONMANAGER_INFORMATION_CLASS TransactionManagerInformationClass, PVOID TransactionManagerInformation, ULONG TransactionManagerInformationLength) {
    KernelModeCall kernel;
    return NtSetInformationTransactionManager(TmHandle, TransactionManagerInformationClass, TransactionManagerInformation, TransactionManagerInformationLength);
}

NTSTATUS NTAPI ZwEnumerateTransactionObject(HANDLE RootObjectHandle, KTMOBJECT_TYPE QueryType, PKTMOBJECT_CURSOR ObjectCursor, ULONG ObjectCursorLength, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtEnumerateTransactionObject(RootObjectHandle, QueryType, ObjectCursor, ObjectCursorLength, ReturnLength);
}

NTSTATUS NTAPI ZwCreateTransaction(PHANDLE TransactionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, LPGUID Uow, HANDLE TmHandle, ULONG CreateOptions, ULONG IsolationLevel, ULONG IsolationFlags, PLARGE_INTEGER Timeout, PUNICODE_STRING Description) {
    KernelModeCall kernel;
    return NtCreateTransaction(TransactionHandle, DesiredAccess, ObjectAttributes, Uow, TmHandle, CreateOptions, IsolationLevel, IsolationFlags, Timeout, Description);
}

NTSTATUS NTAPI ZwOpenTransaction(PHANDLE TransactionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, LPGUID Uow, HANDLE TmHandle) {
    KernelModeCall kernel;
    return NtOpenTransaction(TransactionHandle, DesiredAccess, ObjectAttributes, Uow, TmHandle);
}

NTSTATUS NTAPI ZwQueryInformationTransaction(HANDLE TransactionHandle, TRANSACTION_INFORMATION_CLASS TransactionInformationClass, PVOID TransactionInformation, ULONG TransactionInformationLength, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryInformationTransaction(TransactionHandle, TransactionInformationClass, TransactionInformation, TransactionInformationLength, ReturnLength);
}

NTSTATUS NTAPI ZwSetInformationTransaction(HANDLE TransactionHandle, TRANSACTION_INFORMATION_CLASS TransactionInformationClass, PVOID TransactionInformation, ULONG TransactionInformationLength) {
    KernelModeCall kernel;
    return NtSetInformationTransaction(TransactionHandle, TransactionInformationClass, TransactionInformation, TransactionInformationLength);
}

NTSTATUS NTAPI ZwCommitTransaction(HANDLE TransactionHandle, BOOLEAN Wait) {
    KernelModeCall kernel;
    return NtCommitTransaction(TransactionHandle, Wait);
}

NTSTATUS NTAPI ZwRollbackTransaction(HANDLE TransactionHandle, BOOLEAN Wait) {
    KernelModeCall kernel;
    return NtRollbackTransaction(TransactionHandle, Wait);
}

NTSTATUS NTAPI ZwCreateEnlistment(PHANDLE EnlistmentHandle, ACCESS_MASK DesiredAccess, HANDLE ResourceManagerHandle, HANDLE TransactionHandle, POBJECT_ATTRIBUTES ObjectAttributes, ULONG CreateOptions, NOTIFICATION_MASK NotificationMask, PVOID EnlistmentKey) {
    KernelModeCall kernel;
    return NtCreateEnlistment(EnlistmentHandle, DesiredAccess, ResourceManagerHandle, TransactionHandle, ObjectAttributes, CreateOptions, NotificationMask, EnlistmentKey);
}

NTSTATUS NTAPI ZwOpenEnlistment(PHANDLE EnlistmentHandle, ACCESS_MASK DesiredAccess, HANDLE RmHandle, LPGUID EnlistmentGuid, POBJECT_ATTRIBUTES ObjectAttributes) {
    KernelModeCall kernel;
    return NtOpenEnlistment(EnlistmentHandle, DesiredAccess, RmHandle, EnlistmentGuid, ObjectAttributes);
}

NTSTATUS NTAPI ZwQueryInformationEnlistment(HANDLE EnlistmentHandle, ENLISTMENT_INFORMATION_CLASS EnlistmentInformationClass, PVOID EnlistmentInformation, ULONG EnlistmentInformationLength, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryInformationEnlistment(EnlistmentHandle, EnlistmentInformationClass, EnlistmentInformation, EnlistmentInformationLength, ReturnLength);
}

NTSTATUS NTAPI ZwSetInformationEnlistment(HANDLE EnlistmentHandle, ENLISTMENT_INFORMATION_CLASS EnlistmentInformationClass, PVOID EnlistmentInformation, ULONG EnlistmentInformationLength) {
    KernelModeCall kernel;
    return NtSetInformationEnlistment(EnlistmentHandle, EnlistmentInformationClass, EnlistmentInformation, EnlistmentInformationLength);
}

NTSTATUS NTAPI ZwRecoverEnlistment(HANDLE EnlistmentHandle, PVOID EnlistmentKey) {
    KernelModeCall kernel;
    return NtRecoverEnlistment(EnlistmentHandle, EnlistmentKey);
}

NTSTATUS NTAPI ZwPrePrepareEnlistment(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    KernelModeCall kernel;
    return NtPrePrepareEnlistment(EnlistmentHandle, TmVirtualClock);
}

NTSTATUS NTAPI ZwPrepareEnlistment(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    KernelModeCall kernel;
    return NtPrepareEnlistment(EnlistmentHandle, TmVirtualClock);
}

NTSTATUS NTAPI ZwCommitEnlistment(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    KernelModeCall kernel;
    return NtCommitEnlistment(EnlistmentHandle, TmVirtualClock);
}

NTSTATUS NTAPI ZwRollbackEnlistment(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    KernelModeCall kernel;
    return NtRollbackEnlistment(EnlistmentHandle, TmVirtualClock);
}

NTSTATUS NTAPI ZwPrePrepareComplete(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    KernelModeCall kernel;
    return NtPrePrepareComplete(EnlistmentHandle, TmVirtualClock);
}

NTSTATUS NTAPI ZwPrepareComplete(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    KernelModeCall kernel;
    return NtPrepareComplete(EnlistmentHandle, TmVirtualClock);
}

NTSTATUS NTAPI ZwCommitComplete(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    KernelModeCall kernel;
    return NtCommitComplete(EnlistmentHandle, TmVirtualClock);
}

NTSTATUS NTAPI ZwReadOnlyEnlistment(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    KernelModeCall kernel;
    return NtReadOnlyEnlistment(EnlistmentHandle, TmVirtualClock);
}

NTSTATUS NTAPI ZwRollbackComplete(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    KernelModeCall kernel;
    return NtRollbackComplete(EnlistmentHandle, TmVirtualClock);
}

NTSTATUS NTAPI ZwSinglePhaseReject(HANDLE EnlistmentHandle, PLARGE_INTEGER TmVirtualClock) {
    KernelModeCall kernel;
    return NtSinglePhaseReject(EnlistmentHandle, TmVirtualClock);
}

NTSTATUS NTAPI ZwCreateResourceManager(PHANDLE ResourceManagerHandle, ACCESS_MASK DesiredAccess, HANDLE TmHandle, LPGUID ResourceManagerGuid, POBJECT_ATTRIBUTES ObjectAttributes, ULONG CreateOptions, PUNICODE_STRING Description) {
    KernelModeCall kernel;
    return NtCreateResourceManager(ResourceManagerHandle, DesiredAccess, TmHandle, ResourceManagerGuid, ObjectAttributes, CreateOptions, Description);
}

NTSTATUS NTAPI ZwOpenResourceManager(PHANDLE ResourceManagerHandle, ACCESS_MASK DesiredAccess, HANDLE TmHandle, LPGUID ResourceManagerGuid, POBJECT_ATTRIBUTES ObjectAttributes) {
    KernelModeCall kernel;
    return NtOpenResourceManager(ResourceManagerHandle, DesiredAccess, TmHandle, ResourceManagerGuid, ObjectAttributes);
}

NTSTATUS NTAPI ZwRecoverResourceManager(HANDLE ResourceManagerHandle) {
    KernelModeCall kernel;
    return NtRecoverResourceManager(ResourceManagerHandle);
}

NTSTATUS NTAPI ZwGetNotificationResourceManager(HANDLE ResourceManagerHandle, PTRANSACTION_NOTIFICATION TransactionNotification, ULONG NotificationLength, PLARGE_INTEGER Timeout, PULONG ReturnLength, ULONG Asynchronous, ULONG_PTR AsynchronousContext) {
    KernelModeCall kernel;
    return NtGetNotificationResourceManager(ResourceManagerHandle, TransactionNotification, NotificationLength, Timeout, ReturnLength, Asynchronous, AsynchronousContext);
}

NTSTATUS NTAPI ZwQueryInformationResourceManager(HANDLE ResourceManagerHandle, RESOURCEMANAGER_INFORMATION_CLASS ResourceManagerInformationClass, PVOID ResourceManagerInformation, ULONG ResourceManagerInformationLength, PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryInformationResourceManager(ResourceManagerHandle, ResourceManagerInformationClass, ResourceManagerInformation, ResourceManagerInformationLength, ReturnLength);
}

NTSTATUS NTAPI ZwSetInformationResourceManager(HANDLE ResourceManagerHandle, RESOURCEMANAGER_INFORMATION_CLASS ResourceManagerInformationClass, PVOID ResourceManagerInformation, ULONG ResourceManagerInformationLength) {
    KernelModeCall kernel;
    return NtSetInformationResourceManager(ResourceManagerHandle, ResourceManagerInformationClass, ResourceManagerInformation, ResourceManagerInformationLength);
}

NTSTATUS NTAPI ZwPropagationComplete(HANDLE ResourceManagerHandle, ULONG RequestCookie, ULONG BufferLength, PVOID Buffer) {
    KernelModeCall kernel;
    return NtPropagationComplete(ResourceManagerHandle, RequestCookie, BufferLength, Buffer);
}

NTSTATUS NTAPI ZwPropagationFailed(HANDLE ResourceManagerHandle, ULONG RequestCookie, NTSTATUS PropStatus) {
    KernelModeCall kernel;
    return NtPropagationFailed(ResourceManagerHandle, RequestCookie, PropStatus);
}

}  // extern "C"
