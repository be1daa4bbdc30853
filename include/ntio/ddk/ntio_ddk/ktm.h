/* ntio_ddk/ktm.h: the Kernel Transaction Manager surface of <wdm.h> (ktmtypes.h values, the TM,
 * resource manager, transaction and enlistment rights, information classes, the Zw* services and the
 * pointer-based Tm* routines). Every routine: IRQL == PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/kernel-transaction-manager-routines */
#ifndef NTIO_DDK_KTM_H
#define NTIO_DDK_KTM_H

NTIO_BEGIN_DECLS

#ifndef _KTMTYPES_
#define _KTMTYPES_
typedef GUID UOW, *PUOW;
typedef GUID CRM_PROTOCOL_ID, *PCRM_PROTOCOL_ID;
typedef ULONG NOTIFICATION_MASK;
typedef ULONG SAVEPOINT_ID, *PSAVEPOINT_ID;

#define TRANSACTION_MANAGER_VOLATILE 0x00000001
#define TRANSACTION_MANAGER_COMMIT_DEFAULT 0x00000000
#define TRANSACTION_MANAGER_COMMIT_SYSTEM_VOLUME 0x00000002
#define TRANSACTION_MANAGER_COMMIT_SYSTEM_HIVES 0x00000004
#define TRANSACTION_MANAGER_COMMIT_LOWEST 0x00000008
#define TRANSACTION_MANAGER_CORRUPT_FOR_RECOVERY 0x00000010
#define TRANSACTION_MANAGER_CORRUPT_FOR_PROGRESS 0x00000020
#define TRANSACTION_MANAGER_MAXIMUM_OPTION 0x0000003f
#define TRANSACTION_DO_NOT_PROMOTE 0x00000001
#define TRANSACTION_MAXIMUM_OPTION 0x00000001
#define RESOURCE_MANAGER_VOLATILE 0x00000001
#define RESOURCE_MANAGER_COMMUNICATION 0x00000002
#define RESOURCE_MANAGER_MAXIMUM_OPTION 0x00000003
#define CRM_PROTOCOL_EXPLICIT_MARSHAL_ONLY 0x00000001
#define CRM_PROTOCOL_DYNAMIC_MARSHAL_INFO 0x00000002
#define CRM_PROTOCOL_MAXIMUM_OPTION 0x00000003
#define ENLISTMENT_SUPERIOR 0x00000001
#define ENLISTMENT_MAXIMUM_OPTION 0x00000001

#define TRANSACTION_NOTIFY_MASK 0x3FFFFFFF
#define TRANSACTION_NOTIFY_PREPREPARE 0x00000001
#define TRANSACTION_NOTIFY_PREPARE 0x00000002
#define TRANSACTION_NOTIFY_COMMIT 0x00000004
#define TRANSACTION_NOTIFY_ROLLBACK 0x00000008
#define TRANSACTION_NOTIFY_PREPREPARE_COMPLETE 0x00000010
#define TRANSACTION_NOTIFY_PREPARE_COMPLETE 0x00000020
#define TRANSACTION_NOTIFY_COMMIT_COMPLETE 0x00000040
#define TRANSACTION_NOTIFY_ROLLBACK_COMPLETE 0x00000080
#define TRANSACTION_NOTIFY_RECOVER 0x00000100
#define TRANSACTION_NOTIFY_SINGLE_PHASE_COMMIT 0x00000200
#define TRANSACTION_NOTIFY_DELEGATE_COMMIT 0x00000400
#define TRANSACTION_NOTIFY_RECOVER_QUERY 0x00000800
#define TRANSACTION_NOTIFY_ENLIST_PREPREPARE 0x00001000
#define TRANSACTION_NOTIFY_LAST_RECOVER 0x00002000
#define TRANSACTION_NOTIFY_INDOUBT 0x00004000
#define TRANSACTION_NOTIFY_PROPAGATE_PULL 0x00008000
#define TRANSACTION_NOTIFY_PROPAGATE_PUSH 0x00010000
#define TRANSACTION_NOTIFY_MARSHAL 0x00020000
#define TRANSACTION_NOTIFY_ENLIST_MASK 0x00040000
#define TRANSACTION_NOTIFY_RM_DISCONNECTED 0x01000000
#define TRANSACTION_NOTIFY_TM_ONLINE 0x02000000
#define TRANSACTION_NOTIFY_COMMIT_REQUEST 0x04000000
#define TRANSACTION_NOTIFY_PROMOTE 0x08000000
#define TRANSACTION_NOTIFY_PROMOTE_NEW 0x10000000
#define TRANSACTION_NOTIFY_REQUEST_OUTCOME 0x20000000
#define TRANSACTION_NOTIFY_COMMIT_FINALIZE 0x40000000

#define TRANSACTIONMANAGER_OBJECT_PATH L"\\TransactionManager\\"
#define TRANSACTION_OBJECT_PATH L"\\Transaction\\"
#define ENLISTMENT_OBJECT_PATH L"\\Enlistment\\"
#define RESOURCE_MANAGER_OBJECT_PATH L"\\ResourceManager\\"

#define MAX_TRANSACTION_DESCRIPTION_LENGTH 64
#define MAX_RESOURCEMANAGER_DESCRIPTION_LENGTH 64

/* What NtGetNotificationResourceManager returns: this header, then ArgumentLength bytes. */
typedef struct _TRANSACTION_NOTIFICATION {
    PVOID TransactionKey;
    ULONG TransactionNotification;
    LARGE_INTEGER TmVirtualClock;
    ULONG ArgumentLength;
} TRANSACTION_NOTIFICATION, *PTRANSACTION_NOTIFICATION;

typedef struct _TRANSACTION_NOTIFICATION_RECOVERY_ARGUMENT {
    GUID EnlistmentId;
    GUID UOW;
} TRANSACTION_NOTIFICATION_RECOVERY_ARGUMENT, *PTRANSACTION_NOTIFICATION_RECOVERY_ARGUMENT;

typedef struct _TRANSACTION_NOTIFICATION_TM_ONLINE_ARGUMENT {
    GUID TmIdentity;
    ULONG Flags;
} TRANSACTION_NOTIFICATION_TM_ONLINE_ARGUMENT, *PTRANSACTION_NOTIFICATION_TM_ONLINE_ARGUMENT;
#endif /* _KTMTYPES_ */

/* ---- Access rights (wdm.h) ---------------------------------------------------------------------- */
#define TRANSACTIONMANAGER_QUERY_INFORMATION 0x0001
#define TRANSACTIONMANAGER_SET_INFORMATION 0x0002
#define TRANSACTIONMANAGER_RECOVER 0x0004
#define TRANSACTIONMANAGER_RENAME 0x0008
#define TRANSACTIONMANAGER_CREATE_RM 0x0010
#define TRANSACTIONMANAGER_BIND_TRANSACTION 0x0020
#define TRANSACTIONMANAGER_GENERIC_READ (STANDARD_RIGHTS_READ | TRANSACTIONMANAGER_QUERY_INFORMATION)
#define TRANSACTIONMANAGER_GENERIC_WRITE                                                                 \
    (STANDARD_RIGHTS_WRITE | TRANSACTIONMANAGER_SET_INFORMATION | TRANSACTIONMANAGER_RECOVER |           \
     TRANSACTIONMANAGER_RENAME | TRANSACTIONMANAGER_CREATE_RM)
#define TRANSACTIONMANAGER_GENERIC_EXECUTE (STANDARD_RIGHTS_EXECUTE)
#define TRANSACTIONMANAGER_ALL_ACCESS                                                                    \
    (STANDARD_RIGHTS_REQUIRED | TRANSACTIONMANAGER_GENERIC_READ | TRANSACTIONMANAGER_GENERIC_WRITE |     \
     TRANSACTIONMANAGER_GENERIC_EXECUTE | TRANSACTIONMANAGER_BIND_TRANSACTION)

#define TRANSACTION_QUERY_INFORMATION 0x0001
#define TRANSACTION_SET_INFORMATION 0x0002
#define TRANSACTION_ENLIST 0x0004
#define TRANSACTION_COMMIT 0x0008
#define TRANSACTION_ROLLBACK 0x0010
#define TRANSACTION_PROPAGATE 0x0020
#define TRANSACTION_RIGHT_RESERVED1 0x0040
#define TRANSACTION_GENERIC_READ (STANDARD_RIGHTS_READ | TRANSACTION_QUERY_INFORMATION | SYNCHRONIZE)
#define TRANSACTION_GENERIC_WRITE                                                                        \
    (STANDARD_RIGHTS_WRITE | TRANSACTION_SET_INFORMATION | TRANSACTION_COMMIT | TRANSACTION_ENLIST |     \
     TRANSACTION_ROLLBACK | TRANSACTION_PROPAGATE | SYNCHRONIZE)
#define TRANSACTION_GENERIC_EXECUTE (STANDARD_RIGHTS_EXECUTE | TRANSACTION_COMMIT | TRANSACTION_ROLLBACK | SYNCHRONIZE)
#define TRANSACTION_ALL_ACCESS                                                                           \
    (STANDARD_RIGHTS_REQUIRED | TRANSACTION_GENERIC_READ | TRANSACTION_GENERIC_WRITE | TRANSACTION_GENERIC_EXECUTE)
#define TRANSACTION_RESOURCE_MANAGER_RIGHTS                                                              \
    (TRANSACTION_GENERIC_READ | STANDARD_RIGHTS_WRITE | TRANSACTION_SET_INFORMATION | TRANSACTION_ENLIST | \
     TRANSACTION_ROLLBACK | TRANSACTION_PROPAGATE | SYNCHRONIZE)

#define RESOURCEMANAGER_QUERY_INFORMATION 0x0001
#define RESOURCEMANAGER_SET_INFORMATION 0x0002
#define RESOURCEMANAGER_RECOVER 0x0004
#define RESOURCEMANAGER_ENLIST 0x0008
#define RESOURCEMANAGER_GET_NOTIFICATION 0x0010
#define RESOURCEMANAGER_REGISTER_PROTOCOL 0x0020
#define RESOURCEMANAGER_COMPLETE_PROPAGATION 0x0040
#define RESOURCEMANAGER_GENERIC_READ (STANDARD_RIGHTS_READ | RESOURCEMANAGER_QUERY_INFORMATION | SYNCHRONIZE)
#define RESOURCEMANAGER_GENERIC_WRITE                                                                    \
    (STANDARD_RIGHTS_WRITE | RESOURCEMANAGER_SET_INFORMATION | RESOURCEMANAGER_RECOVER |                 \
     RESOURCEMANAGER_ENLIST | RESOURCEMANAGER_GET_NOTIFICATION | RESOURCEMANAGER_REGISTER_PROTOCOL |     \
     RESOURCEMANAGER_COMPLETE_PROPAGATION | SYNCHRONIZE)
#define RESOURCEMANAGER_GENERIC_EXECUTE                                                                  \
    (STANDARD_RIGHTS_EXECUTE | RESOURCEMANAGER_RECOVER | RESOURCEMANAGER_ENLIST |                        \
     RESOURCEMANAGER_GET_NOTIFICATION | RESOURCEMANAGER_COMPLETE_PROPAGATION | SYNCHRONIZE)
#define RESOURCEMANAGER_ALL_ACCESS                                                                       \
    (STANDARD_RIGHTS_REQUIRED | RESOURCEMANAGER_GENERIC_READ | RESOURCEMANAGER_GENERIC_WRITE |           \
     RESOURCEMANAGER_GENERIC_EXECUTE)

#define ENLISTMENT_QUERY_INFORMATION 0x0001
#define ENLISTMENT_SET_INFORMATION 0x0002
#define ENLISTMENT_RECOVER 0x0004
#define ENLISTMENT_SUBORDINATE_RIGHTS 0x0008
#define ENLISTMENT_SUPERIOR_RIGHTS 0x0010
#define ENLISTMENT_GENERIC_READ (STANDARD_RIGHTS_READ | ENLISTMENT_QUERY_INFORMATION)
#define ENLISTMENT_GENERIC_WRITE                                                                         \
    (STANDARD_RIGHTS_WRITE | ENLISTMENT_SET_INFORMATION | ENLISTMENT_RECOVER |                           \
     ENLISTMENT_SUBORDINATE_RIGHTS | ENLISTMENT_SUPERIOR_RIGHTS)
#define ENLISTMENT_GENERIC_EXECUTE                                                                       \
    (STANDARD_RIGHTS_EXECUTE | ENLISTMENT_RECOVER | ENLISTMENT_SUBORDINATE_RIGHTS | ENLISTMENT_SUPERIOR_RIGHTS)
#define ENLISTMENT_ALL_ACCESS                                                                            \
    (STANDARD_RIGHTS_REQUIRED | ENLISTMENT_GENERIC_READ | ENLISTMENT_GENERIC_WRITE | ENLISTMENT_GENERIC_EXECUTE)

/* ---- States, outcomes and information classes --------------------------------------------------- */
typedef enum _TRANSACTION_OUTCOME {
    TransactionOutcomeUndetermined = 1,
    TransactionOutcomeCommitted,
    TransactionOutcomeAborted
} TRANSACTION_OUTCOME;

typedef enum _TRANSACTION_STATE {
    TransactionStateNormal = 1,
    TransactionStateIndoubt,
    TransactionStateCommittedNotify
} TRANSACTION_STATE;

typedef struct _TRANSACTION_BASIC_INFORMATION {
    GUID TransactionId;
    ULONG State;
    ULONG Outcome;
} TRANSACTION_BASIC_INFORMATION, *PTRANSACTION_BASIC_INFORMATION;

typedef struct _TRANSACTIONMANAGER_BASIC_INFORMATION {
    GUID TmIdentity;
    LARGE_INTEGER VirtualClock;
} TRANSACTIONMANAGER_BASIC_INFORMATION, *PTRANSACTIONMANAGER_BASIC_INFORMATION;

typedef struct _TRANSACTIONMANAGER_LOG_INFORMATION {
    GUID LogIdentity;
} TRANSACTIONMANAGER_LOG_INFORMATION, *PTRANSACTIONMANAGER_LOG_INFORMATION;

typedef struct _TRANSACTIONMANAGER_LOGPATH_INFORMATION {
    ULONG LogPathLength;
    WCHAR LogPath[1];
} TRANSACTIONMANAGER_LOGPATH_INFORMATION, *PTRANSACTIONMANAGER_LOGPATH_INFORMATION;

typedef struct _TRANSACTIONMANAGER_RECOVERY_INFORMATION {
    ULONGLONG LastRecoveredLsn;
} TRANSACTIONMANAGER_RECOVERY_INFORMATION, *PTRANSACTIONMANAGER_RECOVERY_INFORMATION;

typedef struct _TRANSACTION_PROPERTIES_INFORMATION {
    ULONG IsolationLevel;
    ULONG IsolationFlags;
    LARGE_INTEGER Timeout;
    ULONG Outcome;
    ULONG DescriptionLength;
    WCHAR Description[1];
} TRANSACTION_PROPERTIES_INFORMATION, *PTRANSACTION_PROPERTIES_INFORMATION;

typedef struct _TRANSACTION_BIND_INFORMATION {
    HANDLE TmHandle;
} TRANSACTION_BIND_INFORMATION, *PTRANSACTION_BIND_INFORMATION;

typedef struct _TRANSACTION_ENLISTMENT_PAIR {
    GUID EnlistmentId;
    GUID ResourceManagerId;
} TRANSACTION_ENLISTMENT_PAIR, *PTRANSACTION_ENLISTMENT_PAIR;

typedef struct _TRANSACTION_ENLISTMENTS_INFORMATION {
    ULONG NumberOfEnlistments;
    TRANSACTION_ENLISTMENT_PAIR EnlistmentPair[1];
} TRANSACTION_ENLISTMENTS_INFORMATION, *PTRANSACTION_ENLISTMENTS_INFORMATION;

typedef struct _TRANSACTION_SUPERIOR_ENLISTMENT_INFORMATION {
    TRANSACTION_ENLISTMENT_PAIR SuperiorEnlistmentPair;
} TRANSACTION_SUPERIOR_ENLISTMENT_INFORMATION, *PTRANSACTION_SUPERIOR_ENLISTMENT_INFORMATION;

typedef struct _RESOURCEMANAGER_BASIC_INFORMATION {
    GUID ResourceManagerId;
    ULONG DescriptionLength;
    WCHAR Description[1];
} RESOURCEMANAGER_BASIC_INFORMATION, *PRESOURCEMANAGER_BASIC_INFORMATION;

typedef struct _RESOURCEMANAGER_COMPLETION_INFORMATION {
    HANDLE IoCompletionPortHandle;
    ULONG_PTR CompletionKey;
} RESOURCEMANAGER_COMPLETION_INFORMATION, *PRESOURCEMANAGER_COMPLETION_INFORMATION;

typedef enum _KTMOBJECT_TYPE {
    KTMOBJECT_TRANSACTION,
    KTMOBJECT_TRANSACTION_MANAGER,
    KTMOBJECT_RESOURCE_MANAGER,
    KTMOBJECT_ENLISTMENT,
    KTMOBJECT_INVALID
} KTMOBJECT_TYPE, *PKTMOBJECT_TYPE;

typedef struct _KTMOBJECT_CURSOR {
    GUID LastQuery;
    ULONG ObjectIdCount;
    GUID ObjectIds[1];
} KTMOBJECT_CURSOR, *PKTMOBJECT_CURSOR;

typedef enum _TRANSACTION_INFORMATION_CLASS {
    TransactionBasicInformation,
    TransactionPropertiesInformation,
    TransactionEnlistmentInformation,
    TransactionSuperiorEnlistmentInformation
} TRANSACTION_INFORMATION_CLASS;

typedef enum _TRANSACTIONMANAGER_INFORMATION_CLASS {
    TransactionManagerBasicInformation,
    TransactionManagerLogInformation,
    TransactionManagerLogPathInformation,
    TransactionManagerRecoveryInformation = 4
} TRANSACTIONMANAGER_INFORMATION_CLASS;

typedef enum _RESOURCEMANAGER_INFORMATION_CLASS {
    ResourceManagerBasicInformation,
    ResourceManagerCompletionInformation
} RESOURCEMANAGER_INFORMATION_CLASS;

typedef struct _ENLISTMENT_BASIC_INFORMATION {
    GUID EnlistmentId;
    GUID TransactionId;
    GUID ResourceManagerId;
} ENLISTMENT_BASIC_INFORMATION, *PENLISTMENT_BASIC_INFORMATION;

typedef struct _ENLISTMENT_CRM_INFORMATION {
    GUID CrmTransactionManagerId;
    GUID CrmResourceManagerId;
    GUID CrmEnlistmentId;
} ENLISTMENT_CRM_INFORMATION, *PENLISTMENT_CRM_INFORMATION;

typedef enum _ENLISTMENT_INFORMATION_CLASS {
    EnlistmentBasicInformation,
    EnlistmentRecoveryInformation,
    EnlistmentCrmInformation
} ENLISTMENT_INFORMATION_CLASS;

/* ---- Objects ------------------------------------------------------------------------------------ */
/* The four KTM object bodies are opaque to drivers, as in the WDK. */
typedef struct _KTM KTM, *PKTM, *PRKTM;
typedef struct _KTRANSACTION KTRANSACTION, *PKTRANSACTION, *PRKTRANSACTION;
typedef struct _KRESOURCEMANAGER KRESOURCEMANAGER, *PKRESOURCEMANAGER, *PRKRESOURCEMANAGER;
typedef struct _KENLISTMENT KENLISTMENT, *PKENLISTMENT, *PRKENLISTMENT;

extern NTKERNELAPI POBJECT_TYPE *TmTransactionManagerObjectType;
extern NTKERNELAPI POBJECT_TYPE *TmResourceManagerObjectType;
extern NTKERNELAPI POBJECT_TYPE *TmTransactionObjectType;
extern NTKERNELAPI POBJECT_TYPE *TmEnlistmentObjectType;

/* A resource manager's ResourceManagerNotification routine (TmEnableCallbacks). Called at
 * PASSIVE_LEVEL with no KTM lock held; it may call the Tm*Complete routines before returning, or
 * return STATUS_PENDING and call them later. */
typedef NTSTATUS NTAPI TM_RM_NOTIFICATION(_In_ PKENLISTMENT EnlistmentObject, _In_ PVOID RMContext,
                                          _In_ PVOID TransactionContext, _In_ ULONG TransactionNotification,
                                          _Inout_ PLARGE_INTEGER TmVirtualClock, _In_ ULONG ArgumentLength,
                                          _In_ PVOID Argument);
typedef TM_RM_NOTIFICATION *PTM_RM_NOTIFICATION;

/* ---- Zw* services ------------------------------------------------------------------------------- */
NTSYSCALLAPI NTSTATUS NTAPI ZwCreateTransactionManager(_Out_ PHANDLE TmHandle, _In_ ACCESS_MASK DesiredAccess,
                                                       _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                       _In_opt_ PUNICODE_STRING LogFileName,
                                                       _In_opt_ ULONG CreateOptions, _In_opt_ ULONG CommitStrength);
NTSYSCALLAPI NTSTATUS NTAPI ZwOpenTransactionManager(_Out_ PHANDLE TmHandle, _In_ ACCESS_MASK DesiredAccess,
                                                     _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                     _In_opt_ PUNICODE_STRING LogFileName,
                                                     _In_opt_ LPGUID TmIdentity, _In_opt_ ULONG OpenOptions);
NTSYSCALLAPI NTSTATUS NTAPI ZwRenameTransactionManager(_In_ PUNICODE_STRING LogFileName,
                                                       _In_ LPGUID ExistingTransactionManagerGuid);
NTSYSCALLAPI NTSTATUS NTAPI ZwRollforwardTransactionManager(_In_ HANDLE TransactionManagerHandle,
                                                            _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI ZwRecoverTransactionManager(_In_ HANDLE TransactionManagerHandle);
NTSYSCALLAPI NTSTATUS NTAPI ZwQueryInformationTransactionManager(
    _In_ HANDLE TransactionManagerHandle, _In_ TRANSACTIONMANAGER_INFORMATION_CLASS TransactionManagerInformationClass,
    _Out_writes_bytes_(TransactionManagerInformationLength) PVOID TransactionManagerInformation,
    _In_ ULONG TransactionManagerInformationLength, _Out_opt_ PULONG ReturnLength);
NTSYSCALLAPI NTSTATUS NTAPI ZwSetInformationTransactionManager(
    _In_opt_ HANDLE TmHandle, _In_ TRANSACTIONMANAGER_INFORMATION_CLASS TransactionManagerInformationClass,
    _In_reads_bytes_(TransactionManagerInformationLength) PVOID TransactionManagerInformation,
    _In_ ULONG TransactionManagerInformationLength);
NTSYSCALLAPI NTSTATUS NTAPI ZwEnumerateTransactionObject(_In_opt_ HANDLE RootObjectHandle,
                                                         _In_ KTMOBJECT_TYPE QueryType,
                                                         _Inout_updates_bytes_(ObjectCursorLength)
                                                             PKTMOBJECT_CURSOR ObjectCursor,
                                                         _In_ ULONG ObjectCursorLength, _Out_ PULONG ReturnLength);
NTSYSCALLAPI NTSTATUS NTAPI ZwCreateTransaction(_Out_ PHANDLE TransactionHandle, _In_ ACCESS_MASK DesiredAccess,
                                                _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes, _In_opt_ LPGUID Uow,
                                                _In_opt_ HANDLE TmHandle, _In_opt_ ULONG CreateOptions,
                                                _In_opt_ ULONG IsolationLevel, _In_opt_ ULONG IsolationFlags,
                                                _In_opt_ PLARGE_INTEGER Timeout,
                                                _In_opt_ PUNICODE_STRING Description);
NTSYSCALLAPI NTSTATUS NTAPI ZwOpenTransaction(_Out_ PHANDLE TransactionHandle, _In_ ACCESS_MASK DesiredAccess,
                                              _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ LPGUID Uow,
                                              _In_opt_ HANDLE TmHandle);
NTSYSCALLAPI NTSTATUS NTAPI ZwQueryInformationTransaction(
    _In_ HANDLE TransactionHandle, _In_ TRANSACTION_INFORMATION_CLASS TransactionInformationClass,
    _Out_writes_bytes_(TransactionInformationLength) PVOID TransactionInformation,
    _In_ ULONG TransactionInformationLength, _Out_opt_ PULONG ReturnLength);
NTSYSCALLAPI NTSTATUS NTAPI ZwSetInformationTransaction(
    _In_ HANDLE TransactionHandle, _In_ TRANSACTION_INFORMATION_CLASS TransactionInformationClass,
    _In_reads_bytes_(TransactionInformationLength) PVOID TransactionInformation,
    _In_ ULONG TransactionInformationLength);
NTSYSCALLAPI NTSTATUS NTAPI ZwCommitTransaction(_In_ HANDLE TransactionHandle, _In_ BOOLEAN Wait);
NTSYSCALLAPI NTSTATUS NTAPI ZwRollbackTransaction(_In_ HANDLE TransactionHandle, _In_ BOOLEAN Wait);
NTSYSCALLAPI NTSTATUS NTAPI ZwCreateEnlistment(_Out_ PHANDLE EnlistmentHandle, _In_ ACCESS_MASK DesiredAccess,
                                               _In_ HANDLE ResourceManagerHandle, _In_ HANDLE TransactionHandle,
                                               _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                               _In_opt_ ULONG CreateOptions, _In_ NOTIFICATION_MASK NotificationMask,
                                               _In_opt_ PVOID EnlistmentKey);
NTSYSCALLAPI NTSTATUS NTAPI ZwOpenEnlistment(_Out_ PHANDLE EnlistmentHandle, _In_ ACCESS_MASK DesiredAccess,
                                             _In_ HANDLE RmHandle, _In_ LPGUID EnlistmentGuid,
                                             _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSCALLAPI NTSTATUS NTAPI ZwQueryInformationEnlistment(
    _In_ HANDLE EnlistmentHandle, _In_ ENLISTMENT_INFORMATION_CLASS EnlistmentInformationClass,
    _Out_writes_bytes_(EnlistmentInformationLength) PVOID EnlistmentInformation,
    _In_ ULONG EnlistmentInformationLength, _Out_opt_ PULONG ReturnLength);
NTSYSCALLAPI NTSTATUS NTAPI ZwSetInformationEnlistment(
    _In_opt_ HANDLE EnlistmentHandle, _In_ ENLISTMENT_INFORMATION_CLASS EnlistmentInformationClass,
    _In_reads_bytes_(EnlistmentInformationLength) PVOID EnlistmentInformation,
    _In_ ULONG EnlistmentInformationLength);
NTSYSCALLAPI NTSTATUS NTAPI ZwRecoverEnlistment(_In_ HANDLE EnlistmentHandle, _In_opt_ PVOID EnlistmentKey);
NTSYSCALLAPI NTSTATUS NTAPI ZwPrePrepareEnlistment(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI ZwPrepareEnlistment(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI ZwCommitEnlistment(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI ZwRollbackEnlistment(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI ZwPrePrepareComplete(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI ZwPrepareComplete(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI ZwCommitComplete(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI ZwReadOnlyEnlistment(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI ZwRollbackComplete(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI ZwSinglePhaseReject(_In_ HANDLE EnlistmentHandle, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTSYSCALLAPI NTSTATUS NTAPI ZwCreateResourceManager(_Out_ PHANDLE ResourceManagerHandle,
                                                    _In_ ACCESS_MASK DesiredAccess, _In_ HANDLE TmHandle,
                                                    _In_opt_ LPGUID ResourceManagerGuid,
                                                    _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                    _In_opt_ ULONG CreateOptions,
                                                    _In_opt_ PUNICODE_STRING Description);
NTSYSCALLAPI NTSTATUS NTAPI ZwOpenResourceManager(_Out_ PHANDLE ResourceManagerHandle, _In_ ACCESS_MASK DesiredAccess,
                                                  _In_ HANDLE TmHandle, _In_ LPGUID ResourceManagerGuid,
                                                  _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSCALLAPI NTSTATUS NTAPI ZwRecoverResourceManager(_In_ HANDLE ResourceManagerHandle);
NTSYSCALLAPI NTSTATUS NTAPI ZwGetNotificationResourceManager(
    _In_ HANDLE ResourceManagerHandle, _Out_ PTRANSACTION_NOTIFICATION TransactionNotification,
    _In_ ULONG NotificationLength, _In_ PLARGE_INTEGER Timeout, _Out_opt_ PULONG ReturnLength,
    _In_ ULONG Asynchronous, _In_opt_ ULONG_PTR AsynchronousContext);
NTSYSCALLAPI NTSTATUS NTAPI ZwQueryInformationResourceManager(
    _In_ HANDLE ResourceManagerHandle, _In_ RESOURCEMANAGER_INFORMATION_CLASS ResourceManagerInformationClass,
    _Out_writes_bytes_(ResourceManagerInformationLength) PVOID ResourceManagerInformation,
    _In_ ULONG ResourceManagerInformationLength, _Out_opt_ PULONG ReturnLength);
NTSYSCALLAPI NTSTATUS NTAPI ZwSetInformationResourceManager(
    _In_ HANDLE ResourceManagerHandle, _In_ RESOURCEMANAGER_INFORMATION_CLASS ResourceManagerInformationClass,
    _In_reads_bytes_(ResourceManagerInformationLength) PVOID ResourceManagerInformation,
    _In_ ULONG ResourceManagerInformationLength);
NTSYSCALLAPI NTSTATUS NTAPI ZwPropagationComplete(_In_ HANDLE ResourceManagerHandle, _In_ ULONG RequestCookie,
                                                  _In_ ULONG BufferLength, _In_ PVOID Buffer);
NTSYSCALLAPI NTSTATUS NTAPI ZwPropagationFailed(_In_ HANDLE ResourceManagerHandle, _In_ ULONG RequestCookie,
                                                _In_ NTSTATUS PropStatus);

/* ---- Tm* routines: the pointer-based forms, for components that hold referenced objects ---------- */
NTKERNELAPI NTSTATUS NTAPI TmRenameTransactionManager(_In_ PUNICODE_STRING LogFileName,
                                                      _In_ LPGUID ExistingTransactionManagerGuid);
NTKERNELAPI NTSTATUS NTAPI TmRecoverTransactionManager(_In_ PKTM Tm, _In_ PLARGE_INTEGER TargetVirtualClock);
NTKERNELAPI NTSTATUS NTAPI TmCommitTransaction(_In_ PKTRANSACTION Transaction, _In_ BOOLEAN Wait);
NTKERNELAPI NTSTATUS NTAPI TmRollbackTransaction(_In_ PKTRANSACTION Transaction, _In_ BOOLEAN Wait);
NTKERNELAPI VOID NTAPI TmGetTransactionId(_In_ PKTRANSACTION Transaction, _Out_ PUOW TransactionId);
NTKERNELAPI BOOLEAN NTAPI TmIsTransactionActive(_In_ PKTRANSACTION Transaction);
NTKERNELAPI NTSTATUS NTAPI TmCreateEnlistment(_Out_ PHANDLE EnlistmentHandle, _In_ KPROCESSOR_MODE PreviousMode,
                                              _In_ ACCESS_MASK DesiredAccess,
                                              _In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                              _In_ PRKRESOURCEMANAGER ResourceManager,
                                              _In_ PKTRANSACTION Transaction, _In_opt_ ULONG CreateOptions,
                                              _In_ NOTIFICATION_MASK NotificationMask,
                                              _In_opt_ PVOID EnlistmentKey);
NTKERNELAPI NTSTATUS NTAPI TmRecoverEnlistment(_In_ PKENLISTMENT Enlistment, _In_ PVOID EnlistmentKey);
NTKERNELAPI NTSTATUS NTAPI TmPrePrepareEnlistment(_In_ PKENLISTMENT Enlistment, _In_ PLARGE_INTEGER TmVirtualClock);
NTKERNELAPI NTSTATUS NTAPI TmPrepareEnlistment(_In_ PKENLISTMENT Enlistment, _In_ PLARGE_INTEGER TmVirtualClock);
NTKERNELAPI NTSTATUS NTAPI TmCommitEnlistment(_In_ PKENLISTMENT Enlistment, _In_ PLARGE_INTEGER TmVirtualClock);
NTKERNELAPI NTSTATUS NTAPI TmRollbackEnlistment(_In_ PKENLISTMENT Enlistment, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTKERNELAPI NTSTATUS NTAPI TmPrePrepareComplete(_In_ PKENLISTMENT Enlistment, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTKERNELAPI NTSTATUS NTAPI TmPrepareComplete(_In_ PKENLISTMENT Enlistment, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTKERNELAPI NTSTATUS NTAPI TmCommitComplete(_In_ PKENLISTMENT Enlistment, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTKERNELAPI NTSTATUS NTAPI TmRollbackComplete(_In_ PKENLISTMENT Enlistment, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTKERNELAPI NTSTATUS NTAPI TmReadOnlyEnlistment(_In_ PKENLISTMENT Enlistment, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTKERNELAPI NTSTATUS NTAPI TmSinglePhaseReject(_In_ PKENLISTMENT Enlistment, _In_opt_ PLARGE_INTEGER TmVirtualClock);
NTKERNELAPI NTSTATUS NTAPI TmReferenceEnlistmentKey(_In_ PKENLISTMENT Enlistment, _Out_ PVOID *Key);
NTKERNELAPI NTSTATUS NTAPI TmDereferenceEnlistmentKey(_In_ PKENLISTMENT Enlistment, _Out_opt_ PBOOLEAN LastReference);
NTKERNELAPI NTSTATUS NTAPI TmRecoverResourceManager(_In_ PKRESOURCEMANAGER ResourceManager);
NTKERNELAPI NTSTATUS NTAPI TmEnableCallbacks(_In_ PKRESOURCEMANAGER ResourceManager,
                                             _In_ PTM_RM_NOTIFICATION CallbackRoutine, _In_opt_ PVOID RMKey);
NTKERNELAPI NTSTATUS NTAPI TmPropagationComplete(_In_ PKRESOURCEMANAGER ResourceManager, _In_ ULONG RequestCookie,
                                                 _In_ ULONG BufferLength, _In_ PVOID Buffer);
NTKERNELAPI NTSTATUS NTAPI TmPropagationFailed(_In_ PKRESOURCEMANAGER ResourceManager, _In_ ULONG RequestCookie,
                                               _In_ NTSTATUS Status);

NTIO_END_DECLS

#endif /* NTIO_DDK_KTM_H */
