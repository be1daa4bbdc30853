/* Security of new objects (wdm.h): SeAssignSecurity(Ex) build a new object's self-relative security
 * descriptor from its parent's inheritable ACEs, the creator's explicit descriptor and the subject's
 * token defaults; SeDeassignSecurity frees it. PASSIVE_LEVEL. */
#ifndef NTIO_DDK_SE_ASSIGN_H
#define NTIO_DDK_SE_ASSIGN_H

#include "basetypes.h"
#include "sal.h"
#include "se.h"
#include "ex.h"

/* AutoInheritFlags of SeAssignSecurityEx. */
#define SEF_DACL_AUTO_INHERIT 0x01
#define SEF_SACL_AUTO_INHERIT 0x02
#define SEF_DEFAULT_DESCRIPTOR_FOR_OBJECT 0x04
#define SEF_AVOID_PRIVILEGE_CHECK 0x08
#define SEF_AVOID_OWNER_CHECK 0x10
#define SEF_DEFAULT_OWNER_FROM_PARENT 0x20
#define SEF_DEFAULT_GROUP_FROM_PARENT 0x40
#define SEF_MACL_NO_WRITE_UP 0x100
#define SEF_MACL_NO_READ_UP 0x200
#define SEF_MACL_NO_EXECUTE_UP 0x400
#define SEF_AI_USE_EXTRA_PARAMS 0x800
#define SEF_AVOID_OWNER_RESTRICTION 0x1000
#define SEF_FORCE_USER_MODE 0x2000

NTIO_BEGIN_DECLS

NTKERNELAPI NTSTATUS NTAPI SeAssignSecurity(_In_opt_ PSECURITY_DESCRIPTOR ParentDescriptor,
                                            _In_opt_ PSECURITY_DESCRIPTOR ExplicitDescriptor,
                                            _Out_ PSECURITY_DESCRIPTOR *NewDescriptor, _In_ BOOLEAN IsDirectoryObject,
                                            _In_ PSECURITY_SUBJECT_CONTEXT SubjectContext,
                                            _In_ PGENERIC_MAPPING GenericMapping, _In_ POOL_TYPE PoolType);
NTKERNELAPI NTSTATUS NTAPI SeAssignSecurityEx(_In_opt_ PSECURITY_DESCRIPTOR ParentDescriptor,
                                              _In_opt_ PSECURITY_DESCRIPTOR ExplicitDescriptor,
                                              _Out_ PSECURITY_DESCRIPTOR *NewDescriptor, _In_opt_ GUID *ObjectType,
                                              _In_ BOOLEAN IsDirectoryObject, _In_ ULONG AutoInheritFlags,
                                              _In_ PSECURITY_SUBJECT_CONTEXT SubjectContext,
                                              _In_ PGENERIC_MAPPING GenericMapping, _In_ POOL_TYPE PoolType);
NTKERNELAPI NTSTATUS NTAPI SeDeassignSecurity(_Inout_ PSECURITY_DESCRIPTOR *SecurityDescriptor);

NTIO_END_DECLS

#endif /* NTIO_DDK_SE_ASSIGN_H */
