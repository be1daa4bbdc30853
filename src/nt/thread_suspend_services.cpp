// NtSuspendThread, NtResumeThread and NtAlertResumeThread: THREAD_SUSPEND_RESUME on the handle, the
// previous suspend count written back when asked for (ke/thread_suspend.cpp keeps the count).
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-suspendthread
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-resumethread
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <wdm.h>

#include "ke/kernel.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

enum class SuspendOperation { suspend, resume, alert_resume };

// The output pointer is probed before the handle is looked at, so that a bad pointer changes no
// count; the count is written after.
NTSTATUS change_suspend_count(HANDLE handle, PULONG previous_count, SuspendOperation operation) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (previous_count) {
        NTSTATUS status = probe_caller_output(mode, previous_count);
        if (!NT_SUCCESS(status)) return status;
    }
    HandleReference<_ETHREAD> thread;
    NTSTATUS status = thread.reference(handle, THREAD_SUSPEND_RESUME, *PsThreadType, mode);
    if (!NT_SUCCESS(status)) return status;
    _KTHREAD* target = thread.get();
    ULONG previous = 0;
    if (operation == SuspendOperation::suspend) {
        status = ke::suspend_thread(target, &previous);
        if (!NT_SUCCESS(status)) return status;
    } else {
        // NtAlertResumeThread alerts the thread for user mode first, then resumes it.
        if (operation == SuspendOperation::alert_resume) (void)KeAlertThread(target, UserMode);
        (void)ke::resume_thread(target, &previous);
    }
    if (previous_count) (void)write_caller(mode, previous_count, previous);
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtSuspendThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount) {
    return change_suspend_count(ThreadHandle, PreviousSuspendCount, SuspendOperation::suspend);
}

NTSTATUS NTAPI NtResumeThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount) {
    return change_suspend_count(ThreadHandle, PreviousSuspendCount, SuspendOperation::resume);
}

NTSTATUS NTAPI NtAlertResumeThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount) {
    return change_suspend_count(ThreadHandle, PreviousSuspendCount, SuspendOperation::alert_resume);
}

}  // extern "C"
