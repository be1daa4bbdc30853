// Process pool quota: the paged and nonpaged pool a process has been charged for, its peaks and its
// limits, and the Ps routines drivers charge and return it with. The pool charges it for blocks
// allocated with quota (ex/pool.cpp); NtQueryInformationProcess reports it (nt/process_services.cpp).
#include "ob/process.hpp"

namespace ntio::ob {

namespace {

PoolQuota& quota_of(PEPROCESS process, bool paged) noexcept
{
    return process->m_pool_quota[paged ? kPagedQuota : kNonPagedQuota];
}

bool is_paged_type(POOL_TYPE type) noexcept { return (static_cast<ULONG>(type) & 1) != 0; }

}  // namespace

bool charge_pool_quota(PEPROCESS process, bool paged, SIZE_T amount) noexcept
{
    // The system process is not charged, as on Windows: its allocations are the system's own.
    if (process->m_is_system) return true;
    PoolQuota& q = quota_of(process, paged);
    const SIZE_T limit = q.limit.load(std::memory_order_relaxed);
    SIZE_T usage = q.usage.load(std::memory_order_relaxed);
    SIZE_T next;
    do {
        if (amount > limit || usage > limit - amount) return false;
        next = usage + amount;
    } while (!q.usage.compare_exchange_weak(usage, next, std::memory_order_relaxed));
    SIZE_T peak = q.peak.load(std::memory_order_relaxed);
    while (peak < next && !q.peak.compare_exchange_weak(peak, next, std::memory_order_relaxed)) {
    }
    return true;
}

bool return_pool_quota(PEPROCESS process, bool paged, SIZE_T amount) noexcept
{
    if (process->m_is_system) return true;
    PoolQuota& q = quota_of(process, paged);
    SIZE_T usage = q.usage.load(std::memory_order_relaxed);
    do {
        if (amount > usage) return false;
    } while (!q.usage.compare_exchange_weak(usage, usage - amount, std::memory_order_relaxed));
    return true;
}

}  // namespace ntio::ob

using namespace ntio;

// No verifier IRQL rule names these routines, so none is checked at their entry.
extern "C" {

// "If insufficient quota exists for the process, quota is not charged, and PsChargePoolQuota raises
// an exception with the status value STATUS_QUOTA_EXCEEDED." IRQL < DISPATCH_LEVEL.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-pschargepoolquota
VOID NTAPI PsChargePoolQuota(PEPROCESS Process, POOL_TYPE PoolType, ULONG_PTR Amount)
{
    if (!ob::charge_pool_quota(Process, ob::is_paged_type(PoolType), Amount)) ExRaiseStatus(STATUS_QUOTA_EXCEEDED);
}

// PsChargePoolQuota's non-raising form (ntifs.h): STATUS_QUOTA_EXCEEDED is returned instead. Learn
// gives no page of its own; the status and IRQL follow PsChargePoolQuota.
NTSTATUS NTAPI PsChargeProcessPoolQuota(PEPROCESS Process, POOL_TYPE PoolType, ULONG_PTR Amount)
{
    return ob::charge_pool_quota(Process, ob::is_paged_type(PoolType), Amount) ? STATUS_SUCCESS
                                                                                 : STATUS_QUOTA_EXCEEDED;
}

// "If the quota return would exceed the quota for the process, PsReturnPoolQuota raises an
// exception with the status value STATUS_QUOTA_EXCEEDED": returning more than is charged raises,
// and returns nothing. IRQL < DISPATCH_LEVEL.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psreturnpoolquota
VOID NTAPI PsReturnPoolQuota(PEPROCESS Process, POOL_TYPE PoolType, ULONG_PTR Amount)
{
    if (!ob::return_pool_quota(Process, ob::is_paged_type(PoolType), Amount)) ExRaiseStatus(STATUS_QUOTA_EXCEEDED);
}

}  // extern "C"
