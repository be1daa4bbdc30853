/* <ntifs.h> piece: charging and returning pool quota of a process (PsChargePoolQuota,
 * PsChargeProcessPoolQuota, PsReturnPoolQuota).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-pschargepoolquota */
#ifndef NTIO_DDK_PS_QUOTA_H
#define NTIO_DDK_PS_QUOTA_H

#include "ex.h"
#include "ob.h"

NTIO_BEGIN_DECLS

/* PoolType: NonPagedPool, PagedPool or their CacheAligned forms. IRQL < DISPATCH_LEVEL.
 * PsChargePoolQuota raises STATUS_QUOTA_EXCEEDED, and charges nothing, when the charge would pass
 * the process's limit; PsChargeProcessPoolQuota returns that status instead. Each successful charge
 * is matched by a PsReturnPoolQuota, which raises STATUS_QUOTA_EXCEEDED when more would be returned
 * than is charged. Charges to the system process are not counted. */
NTKERNELAPI VOID NTAPI PsChargePoolQuota(_In_ PEPROCESS Process, _In_ POOL_TYPE PoolType, _In_ ULONG_PTR Amount);
NTKERNELAPI NTSTATUS NTAPI PsChargeProcessPoolQuota(_In_ PEPROCESS Process, _In_ POOL_TYPE PoolType,
                                                    _In_ ULONG_PTR Amount);
NTKERNELAPI VOID NTAPI PsReturnPoolQuota(_In_ PEPROCESS Process, _In_ POOL_TYPE PoolType, _In_ ULONG_PTR Amount);

NTIO_END_DECLS

#endif /* NTIO_DDK_PS_QUOTA_H */
