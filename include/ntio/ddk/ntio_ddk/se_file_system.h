/* <ntifs.h> piece for the security routines file systems call: SIDs allocated by Rtl, the
 * security descriptors a file system keeps for its files (query and set by SECURITY_INFORMATION),
 * kernel handles, and the audit hooks. ntio has no audit policy: the SeAuditing* queries say FALSE
 * and the audit alarms record nothing (GenerateOnClose FALSE). Exact WDK spellings.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sesetsecuritydescriptorinfo */
#ifndef NTIO_DDK_SE_FILE_SYSTEM_H
#define NTIO_DDK_SE_FILE_SYSTEM_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"
#include "se.h"
#include "ex.h"
#include "ob.h"

NTIO_BEGIN_DECLS
/* PASSIVE_LEVEL. A SID of SubAuthorityCount (at most 8) sub-authorities from paged pool, freed
 * with RtlFreeSid (which returns NULL). STATUS_INVALID_SID for more than 8, STATUS_NO_MEMORY when
 * the pool is out. */
NTSYSAPI NTSTATUS NTAPI RtlAllocateAndInitializeSid(_In_ PSID_IDENTIFIER_AUTHORITY IdentifierAuthority,
                                                    _In_ UCHAR SubAuthorityCount, _In_ ULONG SubAuthority0,
                                                    _In_ ULONG SubAuthority1, _In_ ULONG SubAuthority2,
                                                    _In_ ULONG SubAuthority3, _In_ ULONG SubAuthority4,
                                                    _In_ ULONG SubAuthority5, _In_ ULONG SubAuthority6,
                                                    _In_ ULONG SubAuthority7, _Outptr_ PSID *Sid);
NTSYSAPI PVOID NTAPI RtlFreeSid(_In_ _Post_invalid_ PSID Sid);

/* PASSIVE_LEVEL. The parts of *ObjectsSecurityDescriptor that *SecurityInformation names, as a
 * self-relative descriptor in SecurityDescriptor; *Length in: the buffer's size, out: the bytes
 * needed (STATUS_BUFFER_TOO_SMALL when they do not fit). A NULL object descriptor gives an empty
 * descriptor. */
NTKERNELAPI NTSTATUS NTAPI SeQuerySecurityDescriptorInfo(_In_ PSECURITY_INFORMATION SecurityInformation,
                                                         _Out_writes_bytes_(*Length) PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                         _Inout_ PULONG Length,
                                                         _Inout_ PSECURITY_DESCRIPTOR *ObjectsSecurityDescriptor);
/* PASSIVE_LEVEL. Replaces the parts of the self-relative *ObjectsSecurityDescriptor that
 * *SecurityInformation names with those of ModificationDescriptor, into a new self-relative
 * descriptor from PoolType stored in *ObjectsSecurityDescriptor; the old one stays the caller's to
 * free. STATUS_NO_SECURITY_ON_OBJECT for a NULL object descriptor, STATUS_INVALID_OWNER /
 * STATUS_INVALID_PRIMARY_GROUP when the owner or group asked for is missing. */
NTKERNELAPI NTSTATUS NTAPI SeSetSecurityDescriptorInfo(_In_opt_ PVOID Object,
                                                       _In_ PSECURITY_INFORMATION SecurityInformation,
                                                       _In_ PSECURITY_DESCRIPTOR ModificationDescriptor,
                                                       _Inout_ PSECURITY_DESCRIPTOR *ObjectsSecurityDescriptor,
                                                       _In_ POOL_TYPE PoolType, _In_ PGENERIC_MAPPING GenericMapping);
NTKERNELAPI NTSTATUS NTAPI SeSetSecurityDescriptorInfoEx(_In_opt_ PVOID Object,
                                                         _In_ PSECURITY_INFORMATION SecurityInformation,
                                                         _In_ PSECURITY_DESCRIPTOR ModificationDescriptor,
                                                         _Inout_ PSECURITY_DESCRIPTOR *ObjectsSecurityDescriptor,
                                                         _In_ ULONG AutoInheritFlags, _In_ POOL_TYPE PoolType,
                                                         _In_ PGENERIC_MAPPING GenericMapping);

/* Any IRQL <= APC_LEVEL. TRUE when Handle is a kernel handle (OBJ_KERNEL_HANDLE, or a handle of
 * the system process's table used in kernel mode). */
NTKERNELAPI BOOLEAN NTAPI ObIsKernelHandle(_In_ HANDLE Handle);

/* Audit hooks (no audit policy here: FALSE, nothing recorded). */
/* The privilege set and generic mapping of an access state (IRP_MJ_CREATE's AccessState). */
NTKERNELAPI NTSTATUS NTAPI SeAppendPrivileges(_Inout_ PACCESS_STATE AccessState, _In_ PPRIVILEGE_SET Privileges);
NTKERNELAPI VOID NTAPI SeSetAccessStateGenericMapping(_Inout_ PACCESS_STATE AccessState,
                                                      _In_ PGENERIC_MAPPING GenericMapping);

NTKERNELAPI BOOLEAN NTAPI SeAuditingFileEvents(_In_ BOOLEAN AccessGranted, _In_ PSECURITY_DESCRIPTOR SecurityDescriptor);
NTKERNELAPI BOOLEAN NTAPI SeAuditingFileOrGlobalEvents(_In_ BOOLEAN AccessGranted,
                                                       _In_ PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                       _In_ PSECURITY_SUBJECT_CONTEXT SubjectSecurityContext);
NTKERNELAPI BOOLEAN NTAPI SeAuditingHardLinkEvents(_In_ BOOLEAN AccessGranted,
                                                   _In_ PSECURITY_DESCRIPTOR SecurityDescriptor);
NTKERNELAPI VOID NTAPI SeOpenObjectAuditAlarm(_In_ PUNICODE_STRING ObjectTypeName, _In_opt_ PVOID Object,
                                              _In_opt_ PUNICODE_STRING AbsoluteObjectName,
                                              _In_ PSECURITY_DESCRIPTOR SecurityDescriptor,
                                              _In_ PACCESS_STATE AccessState, _In_ BOOLEAN ObjectCreated,
                                              _In_ BOOLEAN AccessGranted, _In_ KPROCESSOR_MODE AccessMode,
                                              _Out_ PBOOLEAN GenerateOnClose);
NTKERNELAPI VOID NTAPI SeOpenObjectForDeleteAuditAlarm(_In_ PUNICODE_STRING ObjectTypeName, _In_opt_ PVOID Object,
                                                       _In_opt_ PUNICODE_STRING AbsoluteObjectName,
                                                       _In_ PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                       _In_ PACCESS_STATE AccessState, _In_ BOOLEAN ObjectCreated,
                                                       _In_ BOOLEAN AccessGranted, _In_ KPROCESSOR_MODE AccessMode,
                                                       _Out_ PBOOLEAN GenerateOnClose);
NTKERNELAPI VOID NTAPI SeDeleteObjectAuditAlarm(_In_ PVOID Object, _In_ HANDLE Handle);
/* The forms with a subject context (Vista and later) and with a transaction (KTM) of the above. */
NTKERNELAPI BOOLEAN NTAPI SeAuditingFileEventsWithContext(_In_ BOOLEAN AccessGranted,
                                                          _In_ PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                          _In_opt_ PSECURITY_SUBJECT_CONTEXT SubjectSecurityContext);
NTKERNELAPI BOOLEAN NTAPI SeAuditingHardLinkEventsWithContext(_In_ BOOLEAN AccessGranted,
                                                              _In_ PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                              _In_opt_ PSECURITY_SUBJECT_CONTEXT SubjectSecurityContext);
NTKERNELAPI BOOLEAN NTAPI SeAuditingAnyFileEventsWithContext(_In_ PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                             _In_opt_ PSECURITY_SUBJECT_CONTEXT SubjectSecurityContext);
NTKERNELAPI VOID NTAPI SeAuditHardLinkCreation(_In_ PUNICODE_STRING FileName, _In_ PUNICODE_STRING LinkName,
                                               _In_ BOOLEAN bSuccess);
NTKERNELAPI VOID NTAPI SeAuditHardLinkCreationWithTransaction(_In_ PUNICODE_STRING FileName,
                                                              _In_ PUNICODE_STRING LinkName, _In_ BOOLEAN bSuccess,
                                                              _In_opt_ GUID *TransactionId);
NTKERNELAPI VOID NTAPI SeAuditTransactionStateChange(_In_ GUID *TransactionId, _In_ GUID *ResourceManagerId,
                                                     _In_ ULONG NewTransactionState);
NTKERNELAPI VOID NTAPI SeOpenObjectAuditAlarmWithTransaction(
    _In_ PUNICODE_STRING ObjectTypeName, _In_opt_ PVOID Object, _In_opt_ PUNICODE_STRING AbsoluteObjectName,
    _In_ PSECURITY_DESCRIPTOR SecurityDescriptor, _In_ PACCESS_STATE AccessState, _In_ BOOLEAN ObjectCreated,
    _In_ BOOLEAN AccessGranted, _In_ KPROCESSOR_MODE AccessMode, _In_opt_ GUID *TransactionId,
    _Out_ PBOOLEAN GenerateOnClose);
NTKERNELAPI VOID NTAPI SeOpenObjectForDeleteAuditAlarmWithTransaction(
    _In_ PUNICODE_STRING ObjectTypeName, _In_opt_ PVOID Object, _In_opt_ PUNICODE_STRING AbsoluteObjectName,
    _In_ PSECURITY_DESCRIPTOR SecurityDescriptor, _In_ PACCESS_STATE AccessState, _In_ BOOLEAN ObjectCreated,
    _In_ BOOLEAN AccessGranted, _In_ KPROCESSOR_MODE AccessMode, _In_opt_ GUID *TransactionId,
    _Out_ PBOOLEAN GenerateOnClose);
NTKERNELAPI VOID NTAPI SeDeleteObjectAuditAlarmWithTransaction(_In_ PVOID Object, _In_ HANDLE Handle,
                                                               _In_opt_ GUID *TransactionId);
NTIO_END_DECLS

#endif /* NTIO_DDK_SE_FILE_SYSTEM_H */
