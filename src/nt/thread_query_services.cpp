// NtQueryInformationThread and ZwQueryInformationThread: what ntio's threads hold about themselves
// (ids, exit status, priorities, times, start address, pending I/O, description).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwqueryinformationthread
// https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntqueryinformationthread
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <ntifs.h>

#include "io/irp.hpp"
#include "ke/kernel.hpp"
#include "ke/thread_lifecycle.hpp"
#include "nt/enum_value.hpp"
#include "nt/previous_mode.hpp"
#include "nt/query_buffer.hpp"
#include "nt/thread_reference.hpp"
#include "ob/process.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

constexpr ACCESS_MASK kQueryLimited = THREAD_QUERY_INFORMATION | THREAD_QUERY_LIMITED_INFORMATION;

// The exit status is STATUS_PENDING while the thread runs. NT deviation: ntio has no TEB
// (TebBaseAddress NULL) and does not bind threads to processors (the affinity is the active
// processors, or the system affinity the thread set itself).
THREAD_BASIC_INFORMATION basic_information(_ETHREAD* thread) {
    THREAD_BASIC_INFORMATION info{};
    info.ExitStatus = ke::is_terminated(thread) ? ke::exit_status(thread) : STATUS_PENDING;
    info.ClientId.UniqueProcess = thread->m_process ? thread->m_process->m_unique_id : nullptr;
    info.ClientId.UniqueThread = thread->m_cid_thread;
    const bool own_affinity = thread == ke::current_thread_if_any() && thread->m_system_affinity != 0;
    info.AffinityMask = own_affinity ? thread->m_system_affinity : KeQueryActiveProcessors();
    info.Priority = __atomic_load_n(&thread->m_priority, __ATOMIC_RELAXED);
    info.BasePriority = __atomic_load_n(&thread->m_base_priority, __ATOMIC_RELAXED);
    return info;
}

// The times GetThreadTimes reports. NT deviation: the host counts a thread's CPU time as one
// figure, so all of it is user time and the kernel time is 0.
KERNEL_USER_TIMES thread_times(_ETHREAD* thread) {
    KERNEL_USER_TIMES times{};
    times.CreateTime.QuadPart = thread->m_create_time;
    times.ExitTime.QuadPart = thread->m_exit_time.load(std::memory_order_acquire);
    times.UserTime.QuadPart = static_cast<LONGLONG>(ke::thread_cpu_time_ns(thread) / 100);
    return times;
}

// Whether the calling thread is the only one of its process not terminated. A guess: the handle
// must name a thread (any query right) but the answer is about the caller, as the class's name says.
ULONG am_last_thread() {
    _KTHREAD* self = ke::current_thread_if_any();
    PEPROCESS process = self ? self->m_process : nullptr;
    if (!process) return FALSE;
    std::lock_guard<std::mutex> guard(process->m_thread_lock);
    ULONG running = 0;
    for (_ETHREAD* thread : process->m_threads)
        if (!ke::is_terminated(thread)) ++running;
    return running <= 1 ? TRUE : FALSE;
}

template <class Info>
NTSTATUS answer_fixed(KPROCESSOR_MODE mode, HANDLE handle, ACCESS_MASK rights, PVOID buffer, ULONG length,
                      PULONG return_length, Info (*fill)(_ETHREAD*)) {
    return answer_fixed_class(*PsThreadType, mode, handle, rights, buffer, length, return_length, fill);
}

// ThreadNameInformation: THREAD_NAME_INFORMATION with the text right after it (Buffer NULL when
// there is none). A guess where Learn is silent: less than the structure is
// STATUS_INFO_LENGTH_MISMATCH, room for the structure but not the text STATUS_BUFFER_TOO_SMALL,
// both with the size needed in *ReturnLength.
NTSTATUS answer_name(KPROCESSOR_MODE mode, HANDLE handle, PVOID buffer, ULONG length, PULONG return_length) {
    NTSTATUS status = probe_built_query(mode, buffer, length, return_length, alignof(ULONG_PTR));
    if (!NT_SUCCESS(status)) return status;
    HandleReference<_ETHREAD> thread;
    status = reference_thread(handle, kQueryLimited, mode, thread);
    if (!NT_SUCCESS(status)) return status;
    std::u16string text;
    {
        std::lock_guard guard(thread->m_description_lock);
        text = thread->m_description;
    }
    const std::size_t text_bytes = text.size() * sizeof(WCHAR);
    const auto needed = static_cast<ULONG>(sizeof(THREAD_NAME_INFORMATION) + text_bytes);
    if (length < needed) {
        if (return_length) (void)write_caller(mode, return_length, needed);
        return length < sizeof(THREAD_NAME_INFORMATION) ? STATUS_INFO_LENGTH_MISMATCH : STATUS_BUFFER_TOO_SMALL;
    }
    std::vector<unsigned char> answer(needed);
    THREAD_NAME_INFORMATION name{};
    name.ThreadName.Length = static_cast<USHORT>(text_bytes);
    name.ThreadName.MaximumLength = static_cast<USHORT>(text_bytes);
    if (!text.empty()) name.ThreadName.Buffer = reinterpret_cast<PWCH>(static_cast<char*>(buffer) + sizeof name);
    std::memcpy(answer.data(), &name, sizeof name);
    if (!text.empty()) std::memcpy(answer.data() + sizeof name, text.data(), text_bytes);
    return write_built_query(mode, buffer, return_length, answer, alignof(ULONG_PTR));
}

}  // namespace

extern "C" {

// Queries one THREADINFOCLASS of the thread ThreadHandle names (NtCurrentThread() included):
// - THREAD_QUERY_LIMITED_INFORMATION (or THREAD_QUERY_INFORMATION): ThreadBasicInformation
//   (THREAD_BASIC_INFORMATION), ThreadTimes (KERNEL_USER_TIMES), ThreadPriorityBoost and
//   ThreadIsTerminated (ULONG), ThreadNameInformation (THREAD_NAME_INFORMATION and its text), as
//   GetExitCodeThread, GetThreadId, GetThreadTimes, GetThreadPriorityBoost and GetThreadDescription
//   document their rights;
// - THREAD_QUERY_INFORMATION: ThreadQuerySetWin32StartAddress (PVOID: CreateThread's start
//   address, or the system thread's start routine; NULL for a host thread ntio adopted and ntio's
//   own worker threads),
//   ThreadIsIoPending (ULONG, as GetThreadIOPendingFlag), ThreadAmILastThread (ULONG),
//   ThreadHideFromDebugger (BOOLEAN) and ThreadSuspendCount (ULONG: the count SuspendThread and
//   ResumeThread answer) - guesses for the last four where Learn names no right.
// A fixed class's length must be its structure's exactly (STATUS_INFO_LENGTH_MISMATCH), checked
// before the buffers are probed and the handle is looked up. Every other class is
// STATUS_INVALID_INFO_CLASS (docs/nt-deviations.md lists the ones Windows answers).
NTSTATUS NTAPI NtQueryInformationThread(HANDLE ThreadHandle, THREADINFOCLASS ThreadInformationClass,
                                        PVOID ThreadInformation, ULONG ThreadInformationLength,
                                        PULONG ReturnLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    HANDLE const h = ThreadHandle;
    PVOID const buffer = ThreadInformation;
    const ULONG length = ThreadInformationLength;
    switch (enum_value(ThreadInformationClass)) {
    case ThreadBasicInformation:
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength, basic_information);
    case ThreadTimes:
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength, thread_times);
    case ThreadPriorityBoost:
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength, +[](_ETHREAD* t) -> ULONG {
            return t->m_priority_boost_disabled.load(std::memory_order_relaxed) ? TRUE : FALSE;
        });
    case ThreadIsTerminated:
        return answer_fixed(mode, h, kQueryLimited, buffer, length, ReturnLength,
                            +[](_ETHREAD* t) -> ULONG { return ke::is_terminated(t) ? TRUE : FALSE; });
    case ThreadQuerySetWin32StartAddress:
        return answer_fixed(mode, h, THREAD_QUERY_INFORMATION, buffer, length, ReturnLength,
                            +[](_ETHREAD* t) -> PVOID { return t->m_start_address.load(std::memory_order_relaxed); });
    case ThreadIsIoPending:
        return answer_fixed(mode, h, THREAD_QUERY_INFORMATION, buffer, length, ReturnLength,
                            +[](_ETHREAD* t) -> ULONG { return io::thread_irp_count(t) != 0 ? TRUE : FALSE; });
    case ThreadAmILastThread:
        return answer_fixed(mode, h, THREAD_QUERY_INFORMATION, buffer, length, ReturnLength,
                            +[](_ETHREAD*) -> ULONG { return am_last_thread(); });
    case ThreadHideFromDebugger:
        return answer_fixed(mode, h, THREAD_QUERY_INFORMATION, buffer, length, ReturnLength, +[](_ETHREAD* t) -> BOOLEAN {
            return t->m_hide_from_debugger.load(std::memory_order_relaxed) ? TRUE : FALSE;
        });
    case ThreadNameInformation:
        return answer_name(mode, h, buffer, length, ReturnLength);
    case ThreadSuspendCount:
        return answer_fixed(mode, h, THREAD_QUERY_INFORMATION, buffer, length, ReturnLength,
                            +[](_ETHREAD* t) -> ULONG { return ke::suspend_count(t); });
    default:
        return STATUS_INVALID_INFO_CLASS;
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwqueryinformationthread
NTSTATUS NTAPI ZwQueryInformationThread(HANDLE ThreadHandle, THREADINFOCLASS ThreadInformationClass,
                                        PVOID ThreadInformation, ULONG ThreadInformationLength,
                                        PULONG ReturnLength) {
    KernelModeCall kernel;
    return NtQueryInformationThread(ThreadHandle, ThreadInformationClass, ThreadInformation, ThreadInformationLength,
                                    ReturnLength);
}

}  // extern "C"
