// NtQueryInformationProcess and NtSetInformationProcess with their Zw forms, for the classes ntio
// keeps the state of: ProcessBasicInformation (ids and exit status), ProcessVmCounters (the pool quota usage and peaks) and ProcessQuotaLimits (the
// pool quota limits, which a caller may lower freely and raise with SeIncreaseQuotaPrivilege).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwqueryinformationprocess
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <ntddk.h>

#include "nt/enum_value.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"
#include "ob/process.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

// What ntio reports for the QUOTA_LIMITS fields it does not enforce: the working-set sizes a new
// Windows process reports (50 and 345 pages), no pagefile limit and no time limit.
constexpr SIZE_T kMinimumWorkingSet = 50 * PAGE_SIZE;
constexpr SIZE_T kMaximumWorkingSet = 345 * PAGE_SIZE;

bool caller_holds_increase_quota(KPROCESSOR_MODE mode) {
    if (mode == KernelMode) return true;
    PEPROCESS caller = ob::current_process();
    return caller && caller->m_token && caller->m_token->privilege_enabled(SE_INCREASE_QUOTA_PRIVILEGE);
}

// The output of a fixed-size class: probed (UserMode) before the handle is looked up, written after.
NTSTATUS probe_output(KPROCESSOR_MODE mode, PVOID buffer, ULONG length, PULONG return_length) {
    if (mode == KernelMode) return STATUS_SUCCESS;
    NTSTATUS status = probe_for_write(buffer, length, alignof(ULONG));
    if (NT_SUCCESS(status) && return_length) status = probe_for_write(return_length, sizeof(ULONG), alignof(ULONG));
    return status;
}

void fill_vm_counters(PEPROCESS process, VM_COUNTERS_EX& out) {
    out = {};
    const ob::PoolQuota& paged = process->m_pool_quota[ob::kPagedQuota];
    const ob::PoolQuota& nonpaged = process->m_pool_quota[ob::kNonPagedQuota];
    out.QuotaPagedPoolUsage = paged.usage.load(std::memory_order_relaxed);
    out.QuotaPeakPagedPoolUsage = paged.peak.load(std::memory_order_relaxed);
    out.QuotaNonPagedPoolUsage = nonpaged.usage.load(std::memory_order_relaxed);
    out.QuotaPeakNonPagedPoolUsage = nonpaged.peak.load(std::memory_order_relaxed);
}

void fill_quota_limits(PEPROCESS process, QUOTA_LIMITS& out) {
    out = {};
    out.PagedPoolLimit = process->m_pool_quota[ob::kPagedQuota].limit.load(std::memory_order_relaxed);
    out.NonPagedPoolLimit = process->m_pool_quota[ob::kNonPagedQuota].limit.load(std::memory_order_relaxed);
    out.MinimumWorkingSetSize = kMinimumWorkingSet;
    out.MaximumWorkingSetSize = kMaximumWorkingSet;
    out.PagefileLimit = static_cast<SIZE_T>(-1);
}

// ProcessBasicInformation: the exit status (STATUS_PENDING while the process runs), no PEB (ntio has
// none), the processors of the System, the base priority of its priority class, the process's id
// and its creator's.
void fill_basic_information(PEPROCESS process, PROCESS_BASIC_INFORMATION& out) {
    out = {};
    out.ExitStatus = __atomic_load_n(&process->m_exit_status, __ATOMIC_ACQUIRE);
    out.AffinityMask = static_cast<ULONG_PTR>(KeQueryActiveProcessors());
    out.BasePriority = ob::priority_class_base(process->m_priority_class.load(std::memory_order_relaxed));
    out.UniqueProcessId = reinterpret_cast<ULONG_PTR>(process->m_unique_id);
    out.InheritedFromUniqueProcessId = reinterpret_cast<ULONG_PTR>(process->m_parent_id);
}

bool implemented_class(unsigned long c) {
    return c == ProcessBasicInformation || c == ProcessVmCounters || c == ProcessQuotaLimits;
}

}  // namespace

extern "C" {

// Length first (a wrong one fails before the handle is looked at), then the buffers, then the
// handle and its access.
NTSTATUS NTAPI NtQueryInformationProcess(HANDLE ProcessHandle, PROCESSINFOCLASS ProcessInformationClass,
                                         PVOID ProcessInformation, ULONG ProcessInformationLength,
                                         PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    const unsigned long info_class = enum_value(ProcessInformationClass);
    if (info_class > ProcessBreakOnTermination) return STATUS_INVALID_INFO_CLASS;
    // NT deviation: the other classes are not kept by ntio (docs/nt-deviations.md).
    if (!implemented_class(info_class)) return STATUS_NOT_IMPLEMENTED;
    ULONG length;
    ACCESS_MASK access;
    if (info_class == ProcessBasicInformation) {
        if (ProcessInformationLength != sizeof(PROCESS_BASIC_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
        length = sizeof(PROCESS_BASIC_INFORMATION);
        access = PROCESS_QUERY_LIMITED_INFORMATION;
    } else if (info_class == ProcessVmCounters) {
        if (ProcessInformationLength != sizeof(VM_COUNTERS) && ProcessInformationLength != sizeof(VM_COUNTERS_EX))
            return STATUS_INFO_LENGTH_MISMATCH;
        length = ProcessInformationLength;
        access = PROCESS_QUERY_LIMITED_INFORMATION;
    } else {
        if (ProcessInformationLength != sizeof(QUOTA_LIMITS)) return STATUS_INFO_LENGTH_MISMATCH;
        length = sizeof(QUOTA_LIMITS);
        access = PROCESS_QUERY_INFORMATION;
    }
    NTSTATUS status = probe_output(mode, ProcessInformation, length, ReturnLength);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<_EPROCESS> process;
    status = process.reference(ProcessHandle, access, *PsProcessType, mode);
    if (!NT_SUCCESS(status)) return status;
    union {
        PROCESS_BASIC_INFORMATION basic;
        VM_COUNTERS_EX counters;
        QUOTA_LIMITS limits;
    } answer;
    if (info_class == ProcessBasicInformation) fill_basic_information(process.get(), answer.basic);
    else if (info_class == ProcessVmCounters) fill_vm_counters(process.get(), answer.counters);
    else fill_quota_limits(process.get(), answer.limits);
    status = mode == KernelMode ? (std::memcpy(ProcessInformation, &answer, length), STATUS_SUCCESS)
                                : copy_to_user(ProcessInformation, &answer, length, alignof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    if (ReturnLength) (void)write_caller(mode, ReturnLength, length);
    return STATUS_SUCCESS;
}

// ProcessQuotaLimits: the pool limits are changed only when both checks pass (nothing is half
// applied). A zero field keeps its limit; the working-set, pagefile and time fields are accepted
// and not kept (ntio enforces none of them).
NTSTATUS NTAPI NtSetInformationProcess(HANDLE ProcessHandle, PROCESSINFOCLASS ProcessInformationClass,
                                       PVOID ProcessInformation, ULONG ProcessInformationLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    const unsigned long info_class = enum_value(ProcessInformationClass);
    if (info_class > ProcessBreakOnTermination) return STATUS_INVALID_INFO_CLASS;
    // NT deviation: the other classes are not kept by ntio (docs/nt-deviations.md).
    if (info_class != ProcessQuotaLimits) return STATUS_NOT_IMPLEMENTED;
    if (ProcessInformationLength != sizeof(QUOTA_LIMITS)) return STATUS_INFO_LENGTH_MISMATCH;
    QUOTA_LIMITS requested;
    NTSTATUS status = mode == KernelMode
                          ? (std::memcpy(&requested, ProcessInformation, sizeof requested), STATUS_SUCCESS)
                          : copy_from_user(&requested, ProcessInformation, sizeof requested, alignof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    HandleReference<_EPROCESS> process;
    status = process.reference(ProcessHandle, PROCESS_SET_QUOTA, *PsProcessType, mode);
    if (!NT_SUCCESS(status)) return status;
    ob::PoolQuota& paged = process->m_pool_quota[ob::kPagedQuota];
    ob::PoolQuota& nonpaged = process->m_pool_quota[ob::kNonPagedQuota];
    const bool raises = requested.PagedPoolLimit > paged.limit.load(std::memory_order_relaxed) ||
                        requested.NonPagedPoolLimit > nonpaged.limit.load(std::memory_order_relaxed);
    if (raises && !caller_holds_increase_quota(mode)) return STATUS_PRIVILEGE_NOT_HELD;
    if (requested.PagedPoolLimit != 0) paged.limit.store(requested.PagedPoolLimit, std::memory_order_relaxed);
    if (requested.NonPagedPoolLimit != 0) nonpaged.limit.store(requested.NonPagedPoolLimit, std::memory_order_relaxed);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ZwQueryInformationProcess(HANDLE ProcessHandle, PROCESSINFOCLASS ProcessInformationClass,
                                         PVOID ProcessInformation, ULONG ProcessInformationLength,
                                         PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryInformationProcess(ProcessHandle, ProcessInformationClass, ProcessInformation,
                                     ProcessInformationLength, ReturnLength);
}

NTSTATUS NTAPI ZwSetInformationProcess(HANDLE ProcessHandle, PROCESSINFOCLASS ProcessInformationClass,
                                       PVOID ProcessInformation, ULONG ProcessInformationLength) {
    KernelModeCall kernel;
    return NtSetInformationProcess(ProcessHandle, ProcessInformationClass, ProcessInformation,
                                   ProcessInformationLength);
}

}  // extern "C"
