// kernel32 threads: CreateThread (an NT thread of the calling process on a new host thread, started
// through the kernel like PsCreateSystemThread but in the application's process and in user mode),
// ExitThread (which runs the thread's FLS callbacks first), GetExitCodeThread, GetThreadId and
// GetThreadIOPendingFlag (NtQueryInformationThread's answers), QueueUserAPC, and SuspendThread /
// ResumeThread over the Nt services. ntio has no NtCreateThreadEx yet, so CreateThread uses the
// ke/ob internals that service would use.
#include <exception>
#include <new>

#include "win32/win32.hpp"
#include "win32/process_handles.hpp"
#include "ke/kernel.hpp"
#include "ke/thread.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "ob/object_header.hpp"
#include "ob/object_type.hpp"
#include "ob/process.hpp"
#include "ob/thread_objects.hpp"

using namespace ntio;

namespace {

struct StartBlock {
    LPTHREAD_START_ROUTINE routine;
    LPVOID parameter;
};

[[noreturn]] void exit_current_thread(DWORD exit_code) {
    _KTHREAD* self = ke::current_thread();
    // ensure_system() adopted the caller, so it always has a KTHREAD here.
    if (!self || !self->m_kernel) std::terminate();
    // What a thread's end runs before it is terminated: its FLS callbacks (fls.cpp).
    win32::run_fls_callbacks();
    static_cast<_ETHREAD*>(self)->m_terminating.store(true, std::memory_order_release);
    self->m_kernel->terminate_current_thread(static_cast<NTSTATUS>(exit_code));
}

VOID thread_start(PVOID context) {
    StartBlock block = *static_cast<StartBlock*>(context);
    delete static_cast<StartBlock*>(context);
    // Application threads call the Nt* services from user mode.
    (void)ke::set_previous_mode(UserMode);
    // Returning from the start routine is ExitThread with its return value.
    exit_current_thread(block.routine(block.parameter));
}

VOID NTAPI dispatch_user_apc(PVOID routine, PVOID data, PVOID) {
    reinterpret_cast<PAPCFUNC>(routine)(reinterpret_cast<ULONG_PTR>(data));
}

// SuspendThread / ResumeThread over their Nt service: the count before the call, or (DWORD)-1.
DWORD previous_suspend_count(NTSTATUS(NTAPI* change)(HANDLE, PULONG), HANDLE thread) {
    ULONG previous = 0;
    NTSTATUS status = change(thread, &previous);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return static_cast<DWORD>(-1);
    }
    return previous;
}

}  // namespace

extern "C" {

HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
                           LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter, DWORD dwCreationFlags,
                           LPDWORD lpThreadId) {
    (void)dwStackSize;  // host threads get the host's default stack
    System& system = win32::ensure_system();
    if (!lpStartAddress) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return nullptr;
    }
    PEPROCESS process = ob::current_process();
    if (!process) {
        win32::set_last_nt_error(STATUS_INVALID_HANDLE);
        return nullptr;
    }
    if (process->m_terminating.load(std::memory_order_acquire)) {
        win32::set_last_nt_error(STATUS_PROCESS_IS_TERMINATING);
        return nullptr;
    }
    ob::ObjectManager& manager = system.objects();
    auto* block = new (std::nothrow) StartBlock{lpStartAddress, lpParameter};
    if (!block) {
        win32::set_last_nt_error(STATUS_NO_MEMORY);
        return nullptr;
    }
    _KTHREAD* thread = manager.threads().allocate_thread(process);
    if (!thread) {
        delete block;
        win32::set_last_nt_error(STATUS_INSUFFICIENT_RESOURCES);
        return nullptr;
    }
    ke::initialize_thread(thread, system, process);
    static_cast<_ETHREAD*>(thread)->m_start_address.store(reinterpret_cast<PVOID>(lpStartAddress),
                                                          std::memory_order_relaxed);
    // Our own reference: the thread may run, finish and release itself before the handle exists.
    auto keep = ob::ObRef<_KTHREAD>::share(thread);
    // CREATE_SUSPENDED: a suspend count of 1 before the thread runs; its suspend APC is delivered
    // before the start routine, so the routine waits for ResumeThread.
    if (dwCreationFlags & CREATE_SUSPENDED) (void)ke::suspend_thread(thread, nullptr);
    NTSTATUS status = system.kernel().start_thread(thread, thread_start, block);
    if (!NT_SUCCESS(status)) {
        manager.threads().release_thread(thread);
        delete block;
        win32::set_last_nt_error(status);
        return nullptr;
    }
    const ULONG attributes = (lpThreadAttributes && lpThreadAttributes->bInheritHandle) ? OBJ_INHERIT : 0;
    HANDLE handle = nullptr;
    status = manager.open_object_by_pointer(thread, attributes, THREAD_ALL_ACCESS, &ob::g_thread_type, KernelMode,
                                            &handle);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return nullptr;
    }
    if (lpThreadId)
        *lpThreadId = static_cast<DWORD>(reinterpret_cast<ULONG_PTR>(static_cast<_ETHREAD*>(thread)->m_cid_thread));
    return handle;
}

VOID WINAPI ExitThread(DWORD dwExitCode) {
    win32::ensure_system();
    exit_current_thread(dwExitCode);
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getexitcodethread
// ThreadBasicInformation's exit status: STATUS_PENDING (STILL_ACTIVE) while the thread runs.
BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode) {
    THREAD_BASIC_INFORMATION basic{};
    NTSTATUS status = NtQueryInformationThread(hThread, ThreadBasicInformation, &basic, sizeof basic, nullptr);
    if (!NT_SUCCESS(status)) return win32::succeeded(status);
    if (!lpExitCode) return win32::succeeded(STATUS_ACCESS_VIOLATION);
    *lpExitCode = static_cast<DWORD>(basic.ExitStatus);
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-suspendthread
// THREAD_SUSPEND_RESUME; (DWORD)-1 and the last error on failure (ERROR_SIGNAL_REFUSED, the Win32
// form of STATUS_SUSPEND_COUNT_EXCEEDED, past MAXIMUM_SUSPEND_COUNT).
DWORD WINAPI SuspendThread(HANDLE hThread) { return previous_suspend_count(NtSuspendThread, hThread); }

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-resumethread
DWORD WINAPI ResumeThread(HANDLE hThread) { return previous_suspend_count(NtResumeThread, hThread); }

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getthreadid
DWORD WINAPI GetThreadId(HANDLE Thread) {
    THREAD_BASIC_INFORMATION basic{};
    NTSTATUS status = NtQueryInformationThread(Thread, ThreadBasicInformation, &basic, sizeof basic, nullptr);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    return static_cast<DWORD>(reinterpret_cast<ULONG_PTR>(basic.ClientId.UniqueThread));
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getthreadiopendingflag: whether the
// thread has I/O requests outstanding (IRPs on its list). THREAD_QUERY_INFORMATION.
BOOL WINAPI GetThreadIOPendingFlag(HANDLE hThread, PBOOL lpIOIsPending) {
    ULONG pending = 0;
    NTSTATUS status = NtQueryInformationThread(hThread, ThreadIsIoPending, &pending, sizeof pending, nullptr);
    if (!NT_SUCCESS(status)) return win32::succeeded(status);
    if (!lpIOIsPending) return win32::succeeded(STATUS_ACCESS_VIOLATION);
    *lpIOIsPending = pending != 0;
    return TRUE;
}

DWORD WINAPI QueueUserAPC(PAPCFUNC pfnAPC, HANDLE hThread, ULONG_PTR dwData) {
    win32::ensure_system();
    // NT deviation: a NULL routine queues nothing that would run (NtQueueApcThread's NULL-routine
    // rule, NT fact G5) instead of faulting in the target thread.
    NTSTATUS status = pfnAPC ? NtQueueApcThread(hThread, dispatch_user_apc, reinterpret_cast<PVOID>(pfnAPC),
                                                reinterpret_cast<PVOID>(dwData), nullptr)
                             : NtQueueApcThread(hThread, nullptr, nullptr, nullptr, nullptr);
    if (!NT_SUCCESS(status)) {
        // NT fact G5: a terminated thread gives STATUS_UNSUCCESSFUL -> ERROR_GEN_FAILURE.
        win32::set_last_nt_error(status);
        return 0;
    }
    return 1;
}

}  // extern "C"
