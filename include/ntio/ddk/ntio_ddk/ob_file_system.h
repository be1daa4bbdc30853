/* <ntifs.h> pieces of the object manager: ObOpenObjectByPointerWithTag, ObGetObjectPointerCount and
 * ObQueryObjectAuditingByHandle. */
#ifndef NTIO_DDK_OB_FILE_SYSTEM_H
#define NTIO_DDK_OB_FILE_SYSTEM_H

#include "ob.h"

NTIO_BEGIN_DECLS

/* ObOpenObjectByPointer; Tag names the reference for debugging. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI ObOpenObjectByPointerWithTag(_In_ PVOID Object, _In_ ULONG HandleAttributes,
                                                        _In_opt_ PACCESS_STATE PassedAccessState,
                                                        _In_ ACCESS_MASK DesiredAccess,
                                                        _In_opt_ POBJECT_TYPE ObjectType,
                                                        _In_ KPROCESSOR_MODE AccessMode, _In_ ULONG Tag,
                                                        _Out_ PHANDLE Handle);
/* The object's pointer (reference) count at the time of the call. Any IRQL. */
NTKERNELAPI ULONG NTAPI ObGetObjectPointerCount(_In_ PVOID Object);
/* Whether closing Handle (of the current process) generates an audit; ntio never audits.
 * PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI ObQueryObjectAuditingByHandle(_In_ HANDLE Handle, _Out_ PBOOLEAN GenerateOnClose);

NTIO_END_DECLS

#endif /* NTIO_DDK_OB_FILE_SYSTEM_H */
