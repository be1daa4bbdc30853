// Thread suspension built the way NT builds it: a suspend count per thread and a kernel APC whose
// normal routine waits (wait reason Suspended) while the count is above zero. The first suspension
// queues the APC; the thread stops where it next takes kernel APCs (in a wait, when its IRQL drops
// below APC_LEVEL, when it leaves a critical region, or before its start routine when it was created
// suspended). Resumption to zero signals the event the routine waits on.
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-suspendthread
// ("each thread has a suspend count (with a maximum value of MAXIMUM_SUSPEND_COUNT) ... If the
// suspend count is greater than zero, the thread is suspended")
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-resumethread
// NT deviation: Windows interrupts a thread running user code to suspend it; ntio cannot stop a host
// thread between two instructions, so a thread that never waits or calls into the kernel runs on
// until it does (docs/nt-deviations.md).
#include <wdm.h>

#include "ke/dispatcher.hpp"
#include "ke/kernel.hpp"
#include "ke/thread.hpp"

namespace ntio::ke {
namespace {

bool termination_requested(_KTHREAD* t) noexcept {
    DispatcherGuard guard;
    return t->m_termination_requested;
}

VOID NTAPI suspend_kernel_routine(PKAPC, PKNORMAL_ROUTINE*, PVOID*, PVOID*, PVOID*) {}

// The suspend APC's normal routine, on the suspended thread at PASSIVE_LEVEL: waits until the count
// is zero again. The event is cleared under the lock that guards the count, so a resumption between
// the test and the wait leaves it signalled.
VOID NTAPI suspend_normal_routine(PVOID, PVOID, PVOID) {
    _KTHREAD* self = current_thread_if_any();
    if (!self) return;
    for (;;) {
        KIRQL irql;
        KeAcquireSpinLock(&self->m_suspend_lock, &irql);
        const bool suspended = self->m_suspend_count != 0;
        if (suspended) KeClearEvent(&self->m_resume_event);
        KeReleaseSpinLock(&self->m_suspend_lock, irql);
        if (!suspended || termination_requested(self)) return;
        (void)KeWaitForSingleObject(&self->m_resume_event, Suspended, KernelMode, FALSE, nullptr);
    }
}

}  // namespace

void initialize_suspension(_KTHREAD* thread) noexcept {
    thread->m_suspend_lock = 0;
    thread->m_suspend_count = 0;
    KeInitializeEvent(&thread->m_resume_event, NotificationEvent, FALSE);
    KeInitializeApc(&thread->m_suspend_apc, thread, OriginalApcEnvironment, suspend_kernel_routine, nullptr,
                    suspend_normal_routine, KernelMode, nullptr);
}

NTSTATUS suspend_thread(_KTHREAD* thread, ULONG* previous_count) noexcept {
    if (is_terminated(thread) || termination_requested(thread)) return STATUS_THREAD_IS_TERMINATING;
    KIRQL irql;
    KeAcquireSpinLock(&thread->m_suspend_lock, &irql);
    const ULONG previous = thread->m_suspend_count;
    if (previous >= MAXIMUM_SUSPEND_COUNT) {
        KeReleaseSpinLock(&thread->m_suspend_lock, irql);
        return STATUS_SUSPEND_COUNT_EXCEEDED;
    }
    thread->m_suspend_count = previous + 1;
    KeReleaseSpinLock(&thread->m_suspend_lock, irql);
    // From zero: the APC goes in. Still queued from an earlier round (resumed before it ran), the
    // insertion fails and that APC finds the count above zero when it runs.
    if (previous == 0) (void)KeInsertQueueApc(&thread->m_suspend_apc, nullptr, nullptr, 0);
    if (previous_count) *previous_count = previous;
    return STATUS_SUCCESS;
}

NTSTATUS resume_thread(_KTHREAD* thread, ULONG* previous_count) noexcept {
    KIRQL irql;
    KeAcquireSpinLock(&thread->m_suspend_lock, &irql);
    const ULONG previous = thread->m_suspend_count;
    if (previous != 0) {
        thread->m_suspend_count = previous - 1;
        if (previous == 1) (void)KeSetEvent(&thread->m_resume_event, IO_NO_INCREMENT, FALSE);
    }
    KeReleaseSpinLock(&thread->m_suspend_lock, irql);
    if (previous_count) *previous_count = previous;
    return STATUS_SUCCESS;
}

ULONG suspend_count(_KTHREAD* thread) noexcept {
    KIRQL irql;
    KeAcquireSpinLock(&thread->m_suspend_lock, &irql);
    const ULONG count = thread->m_suspend_count;
    KeReleaseSpinLock(&thread->m_suspend_lock, irql);
    return count;
}

void force_resume_thread(_KTHREAD* thread) noexcept {
    KIRQL irql;
    KeAcquireSpinLock(&thread->m_suspend_lock, &irql);
    thread->m_suspend_count = 0;
    (void)KeSetEvent(&thread->m_resume_event, IO_NO_INCREMENT, FALSE);
    KeReleaseSpinLock(&thread->m_suspend_lock, irql);
}

}  // namespace ntio::ke
