// NtSetInformationThread and ZwSetInformationThread: the thread information classes ntio's threads
// hold (priority, base priority, impersonation token, hidden from the debugger). The queries are in
// thread_query_services.cpp.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <ntifs.h>

#include "nt/object_reference.hpp"
#include "nt/thread_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"
#include "ob/process.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

// SetThreadPriority's saturation values (THREAD_BASE_PRIORITY_LOWRT / _IDLE in winnt.h).
constexpr LONG kBasePrioritySaturate = 15;
constexpr LONG kBasePriorityMax = 2;

}  // namespace

extern "C" {

// Sets one THREADINFOCLASS of the thread ThreadHandle names:
// - ThreadPriority, a KPRIORITY in LOW_PRIORITY+1..HIGH_PRIORITY (else STATUS_INVALID_PARAMETER); a
//   real-time one (LOW_REALTIME_PRIORITY and up) needs SeIncreaseBasePriorityPrivilege from user mode
//   (STATUS_PRIVILEGE_NOT_HELD). THREAD_SET_INFORMATION.
// - ThreadBasePriority, a LONG increment over the process's base: -2..2, or +-15 to saturate (else
//   STATUS_INVALID_PARAMETER). THREAD_SET_INFORMATION or THREAD_SET_LIMITED_INFORMATION.
// - ThreadImpersonationToken, a HANDLE to an impersonation token opened for TOKEN_IMPERSONATE, or
//   NULL to stop impersonating (PsAssignImpersonationToken). THREAD_SET_THREAD_TOKEN.
// - ThreadHideFromDebugger, no data. THREAD_SET_INFORMATION.
// - ThreadPriorityBoost, a ULONG: nonzero disables priority boosting (SetThreadPriorityBoost's
//   flag, recorded only). THREAD_SET_INFORMATION or THREAD_SET_LIMITED_INFORMATION.
// - ThreadNameInformation, a THREAD_NAME_INFORMATION: the thread's description (SetThreadDescription
//   and ThreadNameInformation queries read it; an odd length is STATUS_INVALID_PARAMETER).
//   THREAD_SET_LIMITED_INFORMATION or THREAD_SET_INFORMATION.
// The length must be the class's exactly (STATUS_INFO_LENGTH_MISMATCH).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwsetinformationthread
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-setthreadpriority
// (the base priority values and the access rights SetThreadPriority documents)
// Classes Windows only queries, and values outside THREADINFOCLASS, are STATUS_INVALID_INFO_CLASS.
// NT deviation: the other classes Windows sets (ThreadAffinityMask, ThreadIdealProcessor(Ex),
// ThreadZeroTlsCell, ThreadBreakOnTermination, ThreadIoPriority,
// ThreadPagePriority, ThreadActualBasePriority, ThreadEnableAlignmentFaultFixup,
// ThreadQuerySetWin32StartAddress, ThreadSwitchLegacyState, ThreadGroupInformation) are
// STATUS_NOT_IMPLEMENTED: ntio's threads are host threads whose scheduling and TLS it does not
// control; priorities are recorded and reported (KeQueryPriorityThread) only.
NTSTATUS NTAPI NtSetInformationThread(HANDLE ThreadHandle, THREADINFOCLASS ThreadInformationClass,
                                      PVOID ThreadInformation, ULONG ThreadInformationLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    switch (ThreadInformationClass) {
    case ThreadPriority: {
        if (ThreadInformationLength != sizeof(KPRIORITY)) return STATUS_INFO_LENGTH_MISMATCH;
        KPRIORITY priority = 0;
        NTSTATUS status = read_caller(mode, static_cast<const KPRIORITY*>(ThreadInformation), priority);
        if (!NT_SUCCESS(status)) return status;
        if (priority <= LOW_PRIORITY || priority > HIGH_PRIORITY) return STATUS_INVALID_PARAMETER;
        if (priority >= LOW_REALTIME_PRIORITY &&
            !SeSinglePrivilegeCheck(SeExports->SeIncreaseBasePriorityPrivilege, mode)) {
            return STATUS_PRIVILEGE_NOT_HELD;
        }
        HandleReference<_ETHREAD> thread;
        status = reference_thread(ThreadHandle, THREAD_SET_INFORMATION, mode, thread);
        if (!NT_SUCCESS(status)) return status;
        KeSetPriorityThread(thread.get(), priority);
        return STATUS_SUCCESS;
    }
    case ThreadBasePriority: {
        if (ThreadInformationLength != sizeof(LONG)) return STATUS_INFO_LENGTH_MISMATCH;
        LONG increment = 0;
        NTSTATUS status = read_caller(mode, static_cast<const LONG*>(ThreadInformation), increment);
        if (!NT_SUCCESS(status)) return status;
        if ((increment < -kBasePriorityMax || increment > kBasePriorityMax) && increment != kBasePrioritySaturate &&
            increment != -kBasePrioritySaturate) {
            return STATUS_INVALID_PARAMETER;
        }
        HandleReference<_ETHREAD> thread;
        status = reference_thread(ThreadHandle, THREAD_SET_INFORMATION | THREAD_SET_LIMITED_INFORMATION, mode, thread);
        if (!NT_SUCCESS(status)) return status;
        KeSetBasePriorityThread(thread.get(), increment);
        return STATUS_SUCCESS;
    }
    case ThreadImpersonationToken: {
        if (ThreadInformationLength != sizeof(HANDLE)) return STATUS_INFO_LENGTH_MISMATCH;
        HANDLE token = nullptr;
        NTSTATUS status = read_caller(mode, static_cast<const HANDLE*>(ThreadInformation), token);
        if (!NT_SUCCESS(status)) return status;
        HandleReference<_ETHREAD> thread;
        status = reference_thread(ThreadHandle, THREAD_SET_THREAD_TOKEN, mode, thread);
        if (!NT_SUCCESS(status)) return status;
        return PsAssignImpersonationToken(thread.get(), token);
    }
    case ThreadHideFromDebugger: {
        if (ThreadInformationLength != 0) return STATUS_INFO_LENGTH_MISMATCH;
        HandleReference<_ETHREAD> thread;
        NTSTATUS status = reference_thread(ThreadHandle, THREAD_SET_INFORMATION, mode, thread);
        if (!NT_SUCCESS(status)) return status;
        thread->m_hide_from_debugger.store(true, std::memory_order_relaxed);
        return STATUS_SUCCESS;
    }
    case ThreadPriorityBoost: {
        if (ThreadInformationLength != sizeof(ULONG)) return STATUS_INFO_LENGTH_MISMATCH;
        ULONG disable = 0;
        NTSTATUS status = read_caller(mode, static_cast<const ULONG*>(ThreadInformation), disable);
        if (!NT_SUCCESS(status)) return status;
        HandleReference<_ETHREAD> thread;
        status = reference_thread(ThreadHandle, THREAD_SET_INFORMATION | THREAD_SET_LIMITED_INFORMATION, mode, thread);
        if (!NT_SUCCESS(status)) return status;
        thread->m_priority_boost_disabled.store(disable != 0, std::memory_order_relaxed);
        return STATUS_SUCCESS;
    }
    case ThreadNameInformation: {
        if (ThreadInformationLength != sizeof(THREAD_NAME_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;
        auto* info = static_cast<PTHREAD_NAME_INFORMATION>(ThreadInformation);
        std::u16string text;
        NTSTATUS status = capture_string(mode, info ? &info->ThreadName : nullptr, text);
        if (!NT_SUCCESS(status)) return status;
        HandleReference<_ETHREAD> thread;
        status = reference_thread(ThreadHandle, THREAD_SET_LIMITED_INFORMATION | THREAD_SET_INFORMATION, mode, thread);
        if (!NT_SUCCESS(status)) return status;
        std::lock_guard guard(thread->m_description_lock);
        thread->m_description = std::move(text);
        return STATUS_SUCCESS;
    }
    case ThreadAffinityMask:
    case ThreadIdealProcessor:
    case ThreadIdealProcessorEx:
    case ThreadZeroTlsCell:
    case ThreadBreakOnTermination:
    case ThreadIoPriority:
    case ThreadPagePriority:
    case ThreadActualBasePriority:
    case ThreadEnableAlignmentFaultFixup:
    case ThreadQuerySetWin32StartAddress:
    case ThreadSwitchLegacyState:
    case ThreadGroupInformation:
        return STATUS_NOT_IMPLEMENTED;
    default:
        return STATUS_INVALID_INFO_CLASS;
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwsetinformationthread
NTSTATUS NTAPI ZwSetInformationThread(HANDLE ThreadHandle, THREADINFOCLASS ThreadInformationClass,
                                      PVOID ThreadInformation, ULONG ThreadInformationLength) {
    KernelModeCall kernel;
    return NtSetInformationThread(ThreadHandle, ThreadInformationClass, ThreadInformation, ThreadInformationLength);
}

}  // extern "C"
