/* <ntifs.h> contents: extra create parameters (ECPs). A kernel caller of IoCreateFileEx hands the
 * file-system stack typed context blocks with its create (IO_DRIVER_CREATE_CONTEXT.ExtraCreateParameter);
 * filters and the file system find them on the IRP_MJ_CREATE IRP. The oplock key ECP is one: opens
 * that carry the same key do not break each other's oplocks. WDK names and signatures:
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/using-extra-create-parameters-with-an-irp-mj-create-operation
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlallocateextracreateparameterlist
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-oplock_key_ecp_context
 * IRQL <= APC_LEVEL for every routine. An ECP list is not locked: its owner serializes its use. */
#ifndef NTIO_DDK_FSRTL_ECP_H
#define NTIO_DDK_FSRTL_ECP_H

#include "io_types.h"

NTIO_BEGIN_DECLS

typedef struct _ECP_LIST ECP_LIST, *PECP_LIST;
typedef struct _ECP_HEADER ECP_HEADER, *PECP_HEADER;

typedef ULONG FSRTL_ALLOCATE_ECPLIST_FLAGS;
typedef ULONG FSRTL_ALLOCATE_ECP_FLAGS;
#define FSRTL_ALLOCATE_ECPLIST_FLAG_CHARGE_QUOTA 0x00000001
#define FSRTL_ALLOCATE_ECP_FLAG_CHARGE_QUOTA 0x00000001
#define FSRTL_ALLOCATE_ECP_FLAG_NONPAGED_POOL 0x00000002
typedef ULONG FSRTL_ECP_LOOKASIDE_FLAGS;
#define FSRTL_ECP_LOOKASIDE_FLAG_NONPAGED_POOL 0x00000002

/* Called when an ECP is freed (with its list or by FsRtlFreeExtraCreateParameter). */
typedef VOID NTAPI FSRTL_EXTRA_CREATE_PARAMETER_CLEANUP_CALLBACK(_Inout_ PVOID EcpContext, _In_ LPCGUID EcpType);
typedef FSRTL_EXTRA_CREATE_PARAMETER_CLEANUP_CALLBACK *PFSRTL_EXTRA_CREATE_PARAMETER_CLEANUP_CALLBACK;

NTKERNELAPI NTSTATUS NTAPI FsRtlAllocateExtraCreateParameterList(_In_ FSRTL_ALLOCATE_ECPLIST_FLAGS Flags,
                                                                 _Outptr_ PECP_LIST *EcpList);
NTKERNELAPI VOID NTAPI FsRtlFreeExtraCreateParameterList(_In_ PECP_LIST EcpList);
NTKERNELAPI NTSTATUS NTAPI FsRtlAllocateExtraCreateParameter(
    _In_ LPCGUID EcpType, _In_ ULONG SizeOfContext, _In_ FSRTL_ALLOCATE_ECP_FLAGS Flags,
    _In_opt_ PFSRTL_EXTRA_CREATE_PARAMETER_CLEANUP_CALLBACK CleanupCallback, _In_ ULONG PoolTag,
    _Outptr_ PVOID *EcpContext);
NTKERNELAPI VOID NTAPI FsRtlFreeExtraCreateParameter(_In_ PVOID EcpContext);
/* Lookaside lists of ECPs of one context size: Lookaside is a caller-allocated PAGED_LOOKASIDE_LIST,
 * or NPAGED_LOOKASIDE_LIST with FSRTL_ECP_LOOKASIDE_FLAG_NONPAGED_POOL. FsRtlFreeExtraCreateParameter
 * gives an ECP back to the list it came from. */
NTKERNELAPI VOID NTAPI FsRtlInitExtraCreateParameterLookasideList(_Inout_ PVOID Lookaside,
                                                                  _In_ FSRTL_ECP_LOOKASIDE_FLAGS Flags,
                                                                  _In_ SIZE_T Size, _In_ ULONG Tag);
NTKERNELAPI VOID NTAPI FsRtlDeleteExtraCreateParameterLookasideList(_Inout_ PVOID Lookaside,
                                                                    _In_ FSRTL_ECP_LOOKASIDE_FLAGS Flags);
NTKERNELAPI NTSTATUS NTAPI FsRtlAllocateExtraCreateParameterFromLookasideList(
    _In_ LPCGUID EcpType, _In_ ULONG SizeOfContext, _In_ FSRTL_ALLOCATE_ECP_FLAGS Flags,
    _In_opt_ PFSRTL_EXTRA_CREATE_PARAMETER_CLEANUP_CALLBACK CleanupCallback, _Inout_ PVOID LookasideList,
    _Outptr_ PVOID *EcpContext);
NTKERNELAPI NTSTATUS NTAPI FsRtlInsertExtraCreateParameter(_Inout_ PECP_LIST EcpList, _Inout_ PVOID EcpContext);
NTKERNELAPI NTSTATUS NTAPI FsRtlFindExtraCreateParameter(_In_ PECP_LIST EcpList, _In_ LPCGUID EcpType,
                                                         _Outptr_opt_ PVOID *EcpContext,
                                                         _Out_opt_ ULONG *EcpContextSize);
NTKERNELAPI NTSTATUS NTAPI FsRtlRemoveExtraCreateParameter(_Inout_ PECP_LIST EcpList, _In_ LPCGUID EcpType,
                                                           _Outptr_ PVOID *EcpContext,
                                                           _Out_opt_ ULONG *EcpContextSize);
NTKERNELAPI NTSTATUS NTAPI FsRtlGetNextExtraCreateParameter(_In_ PECP_LIST EcpList,
                                                            _In_opt_ PVOID CurrentEcpContext,
                                                            _Out_opt_ LPGUID NextEcpType,
                                                            _Outptr_opt_ PVOID *NextEcpContext,
                                                            _Out_opt_ ULONG *NextEcpContextSize);
NTKERNELAPI NTSTATUS NTAPI FsRtlGetEcpListFromIrp(_In_ PIRP Irp, _Outptr_result_maybenull_ PECP_LIST *EcpList);
NTKERNELAPI NTSTATUS NTAPI FsRtlSetEcpListIntoIrp(_Inout_ PIRP Irp, _In_ PECP_LIST EcpList);
NTKERNELAPI VOID NTAPI FsRtlAcknowledgeEcp(_In_ PVOID EcpContext);
NTKERNELAPI BOOLEAN NTAPI FsRtlIsEcpAcknowledged(_In_ PVOID EcpContext);
NTKERNELAPI BOOLEAN NTAPI FsRtlIsEcpFromUserMode(_In_ PVOID EcpContext);

/* The oplock key ECP (Windows 7): the key the open's oplocks are requested and checked under. */
DEFINE_GUID(GUID_ECP_OPLOCK_KEY, 0x48850596, 0x3050, 0x4be7, 0x98, 0x63, 0xfe, 0xc3, 0x50, 0xce, 0x8d, 0x7f);
typedef struct _OPLOCK_KEY_ECP_CONTEXT {
    GUID OplockKey;
    ULONG Reserved;
} OPLOCK_KEY_ECP_CONTEXT, *POPLOCK_KEY_ECP_CONTEXT;

NTIO_END_DECLS

#endif
