// NtQueryInformationProcess and NtSetInformationProcess with their Zw forms, for the classes ntio
// keeps the state of: ids and exit status, pool quota usage and limits, times, handle counts, the
// image path, the priority class, affinity and boost, the session, the critical flag and the default
// hard error mode.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwqueryinformationprocess
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <ntddk.h>

#include "ke/thread_lifecycle.hpp"
#include "nt/enum_value.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/process_image_path.hpp"
#include "nt/query_buffer.hpp"
#include "nt/user_memory.hpp"
#include "ob/process.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

// What ntio reports for the QUOTA_LIMITS fields it does not enforce: the working-set sizes a new
// Windows process reports (50 and 345 pages), no pagefile limit and no time limit.
constexpr SIZE_T kMinimumWorkingSet = 50 * PAGE_SIZE;
constexpr SIZE_T kMaximumWorkingSet = 345 * PAGE_SIZE;

VM_COUNTERS_EX fill_vm_counters(PEPROCESS process) {
    VM_COUNTERS_EX out{};
    const ob::PoolQuota& paged = process->m_pool_quota[ob::kPagedQuota];
    const ob::PoolQuota& nonpaged = process->m_pool_quota[ob::kNonPagedQuota];
    out.QuotaPagedPoolUsage = paged.usage.load(std::memory_order_relaxed);
    out.QuotaPeakPagedPoolUsage = paged.peak.load(std::memory_order_relaxed);
    out.QuotaNonPagedPoolUsage = nonpaged.usage.load(std::memory_order_relaxed);
    out.QuotaPeakNonPagedPoolUsage = nonpaged.peak.load(std::memory_order_relaxed);
    return out;
}

QUOTA_LIMITS fill_quota_limits(PEPROCESS process) {
    QUOTA_LIMITS out{};
    out.PagedPoolLimit = process->m_pool_quota[ob::kPagedQuota].limit.load(std::memory_order_relaxed);
    out.NonPagedPoolLimit = process->m_pool_quota[ob::kNonPagedQuota].limit.load(std::memory_order_relaxed);
    out.MinimumWorkingSetSize = kMinimumWorkingSet;
    out.MaximumWorkingSetSize = kMaximumWorkingSet;
    out.PagefileLimit = static_cast<SIZE_T>(-1);
    return out;
}

// The processors the process's threads may run on: what ProcessAffinityMask set, else the active ones.
KAFFINITY process_affinity(PEPROCESS process) {
    const KAFFINITY set = process->m_affinity.load(std::memory_order_relaxed);
    return set != 0 ? set : KeQueryActiveProcessors();
}

// ProcessBasicInformation: the exit status (STATUS_PENDING while the process runs), no PEB (ntio has
// none), its affinity, the base priority of its priority class, the process's id and its creator's.
PROCESS_BASIC_INFORMATION fill_basic_information(PEPROCESS process) {
    PROCESS_BASIC_INFORMATION out{};
    out.ExitStatus = __atomic_load_n(&process->m_exit_status, __ATOMIC_ACQUIRE);
    out.AffinityMask = static_cast<ULONG_PTR>(process_affinity(process));
    out.BasePriority = ob::priority_class_base(process->m_priority_class.load(std::memory_order_relaxed));
    out.UniqueProcessId = reinterpret_cast<ULONG_PTR>(process->m_unique_id);
    out.InheritedFromUniqueProcessId = reinterpret_cast<ULONG_PTR>(process->m_parent_id);
    return out;
}

// The process a query or set names, referenced for the rights its class needs, checked as "any of"
// (PROCESS_QUERY_INFORMATION includes PROCESS_QUERY_LIMITED_INFORMATION's answers, as kernel32's
// pages take either). STATUS_INVALID_HANDLE or STATUS_OBJECT_TYPE_MISMATCH as ob decides.
NTSTATUS reference_process(HANDLE handle, ACCESS_MASK rights, KPROCESSOR_MODE mode,
                           HandleReference<_EPROCESS>& process) {
    return process.reference_any(handle, rights, *PsProcessType, mode);
}

constexpr ACCESS_MASK kQueryLimited = PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION;

// ProcessTimes, as GetProcessTimes reports them: the CPU time is the threads', the ended ones
// included. NT deviation: the host counts a thread's CPU time as one figure, so all of it is user
// time and the kernel time is 0.
KERNEL_USER_TIMES process_times(PEPROCESS process) {
    KERNEL_USER_TIMES times{};
    std::uint64_t ns = 0;
    {
        std::lock_guard<std::mutex> guard(process->m_thread_lock);
        ns = process->m_deleted_threads_cpu_ns;
        for (_ETHREAD* thread : process->m_threads) ns += ke::thread_cpu_time_ns(thread);
    }
    times.CreateTime.QuadPart = process->m_create_time;
    times.ExitTime.QuadPart = process->m_exit_time.load(std::memory_order_acquire);
    times.UserTime.QuadPart = static_cast<LONGLONG>(ns / 100);
    return times;
}

// ProcessIoCounters: the figures of the process's threads (io/io_counters.hpp), the ended ones
// included, and what other processes' threads completed for it.
IO_COUNTERS io_counters(PEPROCESS process) {
    ULONGLONG figures[6] = {};
    auto add = [&figures](const ob::IoCounts& counts) {
        for (int k = 0; k < 3; ++k) {
            figures[k] += counts.operations[k].load(std::memory_order_relaxed);
            figures[3 + k] += counts.bytes[k].load(std::memory_order_relaxed);
        }
    };
    {
        std::lock_guard<std::mutex> guard(process->m_thread_lock);
        add(process->m_io_shared);
        for (_ETHREAD* thread : process->m_threads) add(thread->m_io_counts);
    }
    IO_COUNTERS out{};
    out.ReadOperationCount = figures[ob::kIoRead];
    out.WriteOperationCount = figures[ob::kIoWrite];
    out.OtherOperationCount = figures[ob::kIoOther];
    out.ReadTransferCount = figures[3 + ob::kIoRead];
    out.WriteTransferCount = figures[3 + ob::kIoWrite];
    out.OtherTransferCount = figures[3 + ob::kIoOther];
    return out;
}

// NT deviation: Foreground is always FALSE; ntio has no foreground window to give a process.
PROCESS_PRIORITY_CLASS priority_class(PEPROCESS process) {
    PROCESS_PRIORITY_CLASS info{};
    info.PriorityClass = process->m_priority_class.load(std::memory_order_relaxed);
    return info;
}

template <class Info>
NTSTATUS answer_fixed(KPROCESSOR_MODE mode, HANDLE handle, ACCESS_MASK rights, PVOID buffer, ULONG length,
                      PULONG return_length, Info (*fill)(PEPROCESS)) {
    return answer_fixed_class(*PsProcessType, mode, handle, rights, buffer, length, return_length, fill);
}

// ProcessHandleCount: a ULONG, or PROCESS_HANDLE_INFORMATION with the table's high watermark
// when the length is its size; Windows takes both lengths.
NTSTATUS answer_handle_count(KPROCESSOR_MODE mode, HANDLE handle, PVOID buffer, ULONG length, PULONG return_length) {
    if (length == sizeof(PROCESS_HANDLE_INFORMATION))
        return answer_fixed(mode, handle, kQueryLimited, buffer, length, return_length,
                            +[](PEPROCESS p) -> PROCESS_HANDLE_INFORMATION {
                                return {p->m_handle_table.count(), p->m_handle_table.peak()};
                            });
    return answer_fixed(mode, handle, kQueryLimited, buffer, length, return_length,
                        +[](PEPROCESS p) -> ULONG { return p->m_handle_table.count(); });
}

// ProcessImageFileName and ProcessImageFileNameWin32: a UNICODE_STRING followed by the path and a
// terminating NUL (counted in MaximumLength, not Length) in the caller's buffer; a System process
// has an empty string with a NULL Buffer. A buffer too small for all of it is
// STATUS_INFO_LENGTH_MISMATCH with the size needed in *ReturnLength, which is how drivers size the
// buffer (ask with length 0, then again); that the NUL is counted is a guess where Learn is silent.
NTSTATUS answer_image_name(KPROCESSOR_MODE mode, HANDLE handle, bool win32_form, PVOID buffer, ULONG length,
                           PULONG return_length) {
    NTSTATUS status = probe_built_query(mode, buffer, length, return_length, alignof(ULONG_PTR));
    if (!NT_SUCCESS(status)) return status;
    HandleReference<_EPROCESS> process;
    status = reference_process(handle, kQueryLimited, mode, process);
    if (!NT_SUCCESS(status)) return status;
    const std::u16string path = process_image_path(process.get(), win32_form);
    const std::size_t text_bytes = path.size() * sizeof(WCHAR);
    const std::size_t stored = path.empty() ? 0 : text_bytes + sizeof(WCHAR);
    if (stored > UNICODE_STRING_MAX_BYTES) return STATUS_NAME_TOO_LONG;
    const auto needed = static_cast<ULONG>(sizeof(UNICODE_STRING) + stored);
    if (length < needed) {
        if (return_length) (void)write_caller(mode, return_length, needed);
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    std::vector<unsigned char> answer(needed, 0);
    UNICODE_STRING name{};
    name.Length = static_cast<USHORT>(text_bytes);
    name.MaximumLength = static_cast<USHORT>(stored);
    if (!path.empty()) name.Buffer = reinterpret_cast<PWCH>(static_cast<char*>(buffer) + sizeof name);
    std::memcpy(answer.data(), &name, sizeof name);
    if (!path.empty()) std::memcpy(answer.data() + sizeof name, path.data(), text_bytes);
    return write_built_query(mode, buffer, return_length, answer, alignof(ULONG_PTR));
}

// Whether the caller's token (the current process's; KernelMode callers pass) has `privilege`
// enabled.
bool caller_holds(KPROCESSOR_MODE mode, ULONG privilege) {
    if (mode == KernelMode) return true;
    PEPROCESS caller = ob::current_process();
    return caller && caller->m_token && caller->m_token->privilege_enabled(privilege);
}

// The input of a fixed set class: its exact length, then a copy of the caller's buffer.
template <class Info>
NTSTATUS capture_set_input(KPROCESSOR_MODE mode, PVOID buffer, ULONG length, Info& out) {
    if (length != sizeof(Info)) return STATUS_INFO_LENGTH_MISMATCH;
    if (mode == KernelMode) {
        std::memcpy(&out, buffer, sizeof out);
        return STATUS_SUCCESS;
    }
    return copy_from_user(&out, buffer, sizeof out, kAnswerAlignment<Info>);
}

// ProcessQuotaLimits: the pool limits are changed only when both checks pass (nothing is half
// applied). A zero field keeps its limit; the working-set, pagefile and time fields are accepted
// and not kept (ntio enforces none of them).
NTSTATUS set_quota_limits(KPROCESSOR_MODE mode, PEPROCESS process, const QUOTA_LIMITS& requested) {
    ob::PoolQuota& paged = process->m_pool_quota[ob::kPagedQuota];
    ob::PoolQuota& nonpaged = process->m_pool_quota[ob::kNonPagedQuota];
    const bool raises = requested.PagedPoolLimit > paged.limit.load(std::memory_order_relaxed) ||
                        requested.NonPagedPoolLimit > nonpaged.limit.load(std::memory_order_relaxed);
    if (raises && !caller_holds(mode, SE_INCREASE_QUOTA_PRIVILEGE)) return STATUS_PRIVILEGE_NOT_HELD;
    if (requested.PagedPoolLimit != 0) paged.limit.store(requested.PagedPoolLimit, std::memory_order_relaxed);
    if (requested.NonPagedPoolLimit != 0) nonpaged.limit.store(requested.NonPagedPoolLimit, std::memory_order_relaxed);
    return STATUS_SUCCESS;
}

// Captures the class's input, references the process for `rights` and applies `apply`.
template <class Info, class Apply>
NTSTATUS set_fixed(KPROCESSOR_MODE mode, HANDLE handle, ACCESS_MASK rights, PVOID buffer, ULONG length,
                   Apply apply) {
    Info requested;
    NTSTATUS status = capture_set_input(mode, buffer, length, requested);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<_EPROCESS> process;
    status = reference_process(handle, rights, mode, process);
    if (!NT_SUCCESS(status)) return status;
    return apply(process.get(), requested);
}

}  // namespace

extern "C" {

// Queries one PROCESSINFOCLASS of the process ProcessHandle names (NtCurrentProcess() included).
// https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntqueryinformationprocess
// The rights follow the Win32 routine built on each class: PROCESS_QUERY_LIMITED_INFORMATION (or
// PROCESS_QUERY_INFORMATION) where its page accepts the limited right (GetProcessId,
// GetProcessTimes, GetPriorityClass, GetProcessHandleCount, GetProcessPriorityBoost,
// ProcessIdToSessionId, IsWow64Process, IsProcessCritical, QueryFullProcessImageName),
// PROCESS_QUERY_INFORMATION for ProcessQuotaLimits, ProcessDebugPort and ProcessDefaultHardErrorMode
// (guesses for the last two). A fixed class's length must be its structure's exactly
// (STATUS_INFO_LENGTH_MISMATCH), checked before the buffers are probed and the handle is looked up.
// The set-only classes (ProcessAffinityMask, ProcessBasePriority, ProcessRaisePriority) and those
// above ProcessImageFileNameWin32 are STATUS_INVALID_INFO_CLASS.
NTSTATUS NTAPI NtQueryInformationProcess(HANDLE ProcessHandle, PROCESSINFOCLASS ProcessInformationClass,
                                         PVOID ProcessInformation, ULONG ProcessInformationLength,
                                         PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    HANDLE const h = ProcessHandle;
    PVOID const buffer = ProcessInformation;
    const ULONG length = ProcessInformationLength;
    switch (enum_value(ProcessInformationClass)) {
    case ProcessBasicInformation:
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength, fill_basic_information);
    case ProcessVmCounters:
        if (length == sizeof(VM_COUNTERS))
            return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength, +[](PEPROCESS p) {
                VM_COUNTERS_EX counters = fill_vm_counters(p);
                VM_COUNTERS out;
                std::memcpy(&out, &counters, sizeof out);  // VM_COUNTERS is VM_COUNTERS_EX's start
                return out;
            });
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength, fill_vm_counters);
    case ProcessQuotaLimits:
        return answer_fixed(mode, h, PROCESS_QUERY_INFORMATION, buffer, length, ReturnLength, fill_quota_limits);
    case ProcessTimes:
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength, process_times);
    case ProcessIoCounters:
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength, io_counters);
    case ProcessDebugPort:
        // ntio has no user-mode debugger to attach: never debugged.
        return answer_fixed(mode, h, PROCESS_QUERY_INFORMATION, buffer, length, ReturnLength,
                            +[](PEPROCESS) -> ULONG_PTR { return 0; });
    case ProcessWow64Information:
        // ntio runs 64-bit programs natively: no WOW64 PEB.
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength,
                            +[](PEPROCESS) -> ULONG_PTR { return 0; });
    case ProcessDefaultHardErrorMode:
        return answer_fixed(mode, h, PROCESS_QUERY_INFORMATION, buffer, length, ReturnLength,
                            +[](PEPROCESS p) -> ULONG { return p->m_hard_error_mode.load(std::memory_order_relaxed); });
    case ProcessPriorityClass:
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength, priority_class);
    case ProcessHandleCount:
        return answer_handle_count(mode, h, buffer, length, ReturnLength);
    case ProcessPriorityBoost:
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength, +[](PEPROCESS p) -> ULONG {
            return p->m_priority_boost_disabled.load(std::memory_order_relaxed) ? TRUE : FALSE;
        });
    case ProcessSessionInformation:
        // The session of the process's primary token (0 for the System process's).
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength,
                            +[](PEPROCESS p) -> PROCESS_SESSION_INFORMATION {
                                return {p->m_token ? p->m_token->session_id() : 0};
                            });
    case ProcessBreakOnTermination:
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength, +[](PEPROCESS p) -> ULONG {
            return p->m_break_on_termination.load(std::memory_order_relaxed) ? TRUE : FALSE;
        });
    case ProcessImageFileName:
        return answer_image_name(mode, h, false, buffer, length, ReturnLength);
    case ProcessImageFileNameWin32:
        return answer_image_name(mode, h, true, buffer, length, ReturnLength);
    case ProcessAffinityMask:
    case ProcessBasePriority:
    case ProcessRaisePriority:
        return STATUS_INVALID_INFO_CLASS;
    default:
        // NT deviation: the other classes up to ProcessImageFileNameWin32 are not kept by ntio
        // (docs/nt-deviations.md).
        return enum_value(ProcessInformationClass) < ProcessImageFileNameWin32 ? STATUS_NOT_IMPLEMENTED
                                                                               : STATUS_INVALID_INFO_CLASS;
    }
}

// Sets one PROCESSINFOCLASS of the process ProcessHandle names. The length must be the class's
// structure's (STATUS_INFO_LENGTH_MISMATCH); the input is captured before the handle is looked up.
// ntio records what is set and reports it; the host's scheduling does not change.
// - ProcessQuotaLimits (PROCESS_SET_QUOTA): see set_quota_limits.
// - ProcessPriorityClass (PROCESS_PRIORITY_CLASS, PROCESS_SET_INFORMATION): a class outside 1..6 is
//   STATUS_INVALID_PARAMETER; PROCESS_PRIORITY_CLASS_REALTIME without SeIncreaseBasePriorityPrivilege
//   STATUS_PRIVILEGE_NOT_HELD (a guess: SetPriorityClass's page says the realtime class needs it).
//   Foreground is not kept.
// - ProcessAffinityMask (KAFFINITY, PROCESS_SET_INFORMATION): zero, or a processor that is not
//   active, is STATUS_INVALID_PARAMETER, as SetProcessAffinityMask's page says of the mask:
//   https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setprocessaffinitymask
// - ProcessPriorityBoost and ProcessDefaultHardErrorMode (ULONG, PROCESS_SET_INFORMATION).
// - ProcessBreakOnTermination (ULONG, PROCESS_SET_INFORMATION): needs SeDebugPrivilege
//   (STATUS_PRIVILEGE_NOT_HELD), a guess where Learn is silent; ntio does not bugcheck when a
//   critical process ends.
// Query-only classes are STATUS_INVALID_INFO_CLASS; the other classes Windows sets are
// STATUS_NOT_IMPLEMENTED (docs/nt-deviations.md).
NTSTATUS NTAPI NtSetInformationProcess(HANDLE ProcessHandle, PROCESSINFOCLASS ProcessInformationClass,
                                       PVOID ProcessInformation, ULONG ProcessInformationLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    HANDLE const h = ProcessHandle;
    PVOID const buffer = ProcessInformation;
    const ULONG length = ProcessInformationLength;
    switch (enum_value(ProcessInformationClass)) {
    case ProcessQuotaLimits:
        return set_fixed<QUOTA_LIMITS>(mode, h, PROCESS_SET_QUOTA, buffer, length,
                                       [mode](PEPROCESS p, const QUOTA_LIMITS& q) { return set_quota_limits(mode, p, q); });
    case ProcessPriorityClass:
        return set_fixed<PROCESS_PRIORITY_CLASS>(
            mode, h, PROCESS_SET_INFORMATION, buffer, length, [mode](PEPROCESS p, const PROCESS_PRIORITY_CLASS& c) {
                if (c.PriorityClass < ob::kPriorityClassIdle || c.PriorityClass > ob::kPriorityClassAboveNormal)
                    return STATUS_INVALID_PARAMETER;
                if (c.PriorityClass == ob::kPriorityClassRealtime && !caller_holds(mode, SE_INC_BASE_PRIORITY_PRIVILEGE))
                    return STATUS_PRIVILEGE_NOT_HELD;
                p->m_priority_class.store(c.PriorityClass, std::memory_order_relaxed);
                return STATUS_SUCCESS;
            });
    case ProcessAffinityMask:
        return set_fixed<KAFFINITY>(mode, h, PROCESS_SET_INFORMATION, buffer, length, [](PEPROCESS p, KAFFINITY mask) {
            if (mask == 0 || (mask & ~KeQueryActiveProcessors()) != 0) return STATUS_INVALID_PARAMETER;
            p->m_affinity.store(mask, std::memory_order_relaxed);
            return STATUS_SUCCESS;
        });
    case ProcessPriorityBoost:
        return set_fixed<ULONG>(mode, h, PROCESS_SET_INFORMATION, buffer, length, [](PEPROCESS p, ULONG disable) {
            p->m_priority_boost_disabled.store(disable != 0, std::memory_order_relaxed);
            return STATUS_SUCCESS;
        });
    case ProcessDefaultHardErrorMode:
        return set_fixed<ULONG>(mode, h, PROCESS_SET_INFORMATION, buffer, length, [](PEPROCESS p, ULONG error_mode) {
            p->m_hard_error_mode.store(error_mode, std::memory_order_relaxed);
            return STATUS_SUCCESS;
        });
    case ProcessBreakOnTermination:
        return set_fixed<ULONG>(mode, h, PROCESS_SET_INFORMATION, buffer, length, [mode](PEPROCESS p, ULONG critical) {
            if (!caller_holds(mode, SE_DEBUG_PRIVILEGE)) return STATUS_PRIVILEGE_NOT_HELD;
            p->m_break_on_termination.store(critical != 0, std::memory_order_relaxed);
            return STATUS_SUCCESS;
        });
    case ProcessBasicInformation:
    case ProcessVmCounters:
    case ProcessTimes:
    case ProcessDebugPort:
    case ProcessHandleCount:
    case ProcessWow64Information:
    case ProcessImageFileName:
    case ProcessImageFileNameWin32:
        return STATUS_INVALID_INFO_CLASS;
    default:
        // NT deviation: the other classes up to ProcessImageFileNameWin32 are not kept by ntio
        // (docs/nt-deviations.md).
        return enum_value(ProcessInformationClass) < ProcessImageFileNameWin32 ? STATUS_NOT_IMPLEMENTED
                                                                               : STATUS_INVALID_INFO_CLASS;
    }
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
