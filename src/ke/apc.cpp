// APCs, alerts and APC-disable regions. Kernel APCs run on their target thread as soon as it is
// below APC_LEVEL and not in a guarded region (normal ones also not in a critical region): at once
// when queued to the caller itself, by waking the target out of a wait, or at its next delivery
// point (IRQL lowered, region left, wait entered). User APCs run only when an alertable user-mode
// wait returns STATUS_USER_APC or KeTestAlertThread(UserMode) finds them.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "ke/apc.hpp"
#include "ke/kernel.hpp"
#include "ke/dispatcher.hpp"
#include "verifier/verifier.hpp"

namespace ntio::ke {
namespace {

inline bool is_special(PKAPC apc) noexcept { return apc->NormalRoutine == nullptr; }

// Pops the first APC of `mode`'s list and copies what delivery needs. Lock held.
// A dequeued APC: its routines and arguments are copied out under the lock, because the kernel
// routine may free the object.
struct DequeuedApc {
    PKAPC apc;
    PKKERNEL_ROUTINE kernel_routine;
    PKNORMAL_ROUTINE normal;
    PVOID context, arg1, arg2;
};

DequeuedApc pop_locked(_KTHREAD* t, KPROCESSOR_MODE mode) noexcept {
    prefetch_for_write(t->m_apc_list[static_cast<unsigned>(mode)].Flink);  // the APC, written below
    PLIST_ENTRY e = RemoveHeadList(&t->m_apc_list[static_cast<unsigned>(mode)]);
    PKAPC apc = CONTAINING_RECORD(e, KAPC, ApcListEntry);
    apc->Inserted = FALSE;
    if (IsListEmpty(&t->m_apc_list[static_cast<unsigned>(mode)])) {
        if (mode == KernelMode) t->m_kernel_apc_pending.store(false, std::memory_order_relaxed);
    }
    return {apc, apc->KernelRoutine, apc->NormalRoutine, apc->NormalContext, apc->SystemArgument1,
            apc->SystemArgument2};
}

// Runs one dequeued APC: its kernel routine at APC_LEVEL, then its normal routine (if any is
// left) at PASSIVE_LEVEL. The APC object may be freed by the kernel routine: not touched after.
void run_apc(_KTHREAD* t, DequeuedApc d, bool kernel_normal) noexcept {
    KIRQL old = t->m_irql;
    t->m_irql = APC_LEVEL;
    if (d.kernel_routine) d.kernel_routine(d.apc, &d.normal, &d.context, &d.arg1, &d.arg2);
    t->m_irql = old;
    if (d.normal) {
        if (kernel_normal) t->m_kernel_apc_in_progress.store(true, std::memory_order_relaxed);
        d.normal(d.context, d.arg1, d.arg2);
        if (kernel_normal) t->m_kernel_apc_in_progress.store(false, std::memory_order_relaxed);
    }
}

}  // namespace

bool kernel_apc_deliverable_locked(_KTHREAD* t) noexcept {
    if (IsListEmpty(&t->m_apc_list[static_cast<unsigned>(KernelMode)])) return false;
    if (t->m_special_apc_disable.load(std::memory_order_relaxed) != 0) return false;
    PKAPC first = CONTAINING_RECORD(t->m_apc_list[static_cast<unsigned>(KernelMode)].Flink, KAPC, ApcListEntry);
    if (is_special(first)) return true;
    return t->m_kernel_apc_disable.load(std::memory_order_relaxed) == 0 &&
           !t->m_kernel_apc_in_progress.load(std::memory_order_relaxed);
}

void deliver_kernel_apcs(_KTHREAD* t) noexcept {
    for (;;) {
        DequeuedApc d;
        {
            DispatcherGuard guard;
            if (!kernel_apc_deliverable_locked(t)) return;
            d = pop_locked(t, KernelMode);
        }
        run_apc(t, d, true);
    }
}

void deliver_user_apcs(_KTHREAD* t) noexcept {
    for (;;) {
        DequeuedApc d;
        // Usually just woken by the thread that queued the APC on another CPU, which left the lock
        // and the APC list written: fetch both owned and at once (gate B4).
        prefetch_for_write(&dispatcher_lock());
        prefetch_for_write(&t->m_apc_list[static_cast<unsigned>(UserMode)]);
        {
            DispatcherGuard guard;
            if (t->m_termination_requested || IsListEmpty(&t->m_apc_list[static_cast<unsigned>(UserMode)])) {
                t->m_user_apc_pending.store(false, std::memory_order_relaxed);
                return;
            }
            d = pop_locked(t, UserMode);
        }
        run_apc(t, d, false);
    }
}

// NT deviation: an APC left at termination without a RundownRoutine is dropped, not freed to pool.
void rundown_apcs(_KTHREAD* t) noexcept {
    LIST_ENTRY pending;
    InitializeListHead(&pending);
    {
        DispatcherGuard guard;
        t->m_apc_queueable = false;
        for (unsigned mode = KernelMode; mode <= UserMode; ++mode) {
            while (!IsListEmpty(&t->m_apc_list[static_cast<unsigned>(mode)])) InsertTailList(&pending, RemoveHeadList(&t->m_apc_list[static_cast<unsigned>(mode)]));
        }
        t->m_kernel_apc_pending.store(false, std::memory_order_relaxed);
        t->m_user_apc_pending.store(false, std::memory_order_relaxed);
    }
    while (!IsListEmpty(&pending)) {
        PKAPC apc = CONTAINING_RECORD(RemoveHeadList(&pending), KAPC, ApcListEntry);
        apc->Inserted = FALSE;
        if (apc->RundownRoutine) apc->RundownRoutine(apc);
    }
}

}  // namespace ntio::ke

using namespace ntio::ke;

extern "C" {

NTKERNELAPI VOID KeInitializeApc(PRKAPC Apc, PRKTHREAD Thread, KAPC_ENVIRONMENT Environment,
                                 PKKERNEL_ROUTINE KernelRoutine, PKRUNDOWN_ROUTINE RundownRoutine,
                                 PKNORMAL_ROUTINE NormalRoutine, KPROCESSOR_MODE ApcMode, PVOID NormalContext) {
    Apc->Type = ApcObject;
    Apc->SpareByte0 = 0;
    Apc->Size = sizeof(KAPC);
    Apc->SpareByte1 = 0;
    Apc->SpareLong0 = 0;
    Apc->Thread = Thread;
    Apc->ApcListEntry.Flink = Apc->ApcListEntry.Blink = nullptr;
    Apc->KernelRoutine = KernelRoutine;
    Apc->RundownRoutine = RundownRoutine;
    Apc->NormalRoutine = NormalRoutine;
    Apc->ApcStateIndex = static_cast<CCHAR>(Environment == CurrentApcEnvironment ? OriginalApcEnvironment : Environment);
    if (NormalRoutine) {
        Apc->ApcMode = ApcMode;
        Apc->NormalContext = NormalContext;
    } else {
        Apc->ApcMode = KernelMode;
        Apc->NormalContext = nullptr;
    }
    Apc->SystemArgument1 = Apc->SystemArgument2 = nullptr;
    Apc->Inserted = FALSE;
}

NTKERNELAPI BOOLEAN KeInsertQueueApc(PRKAPC Apc, PVOID SystemArgument1, PVOID SystemArgument2, KPRIORITY Increment) {
    _KTHREAD* t = Apc->Thread;
    if (!t) return FALSE;
    _KTHREAD* self = current_thread_if_any();
    bool deliver_now = false;
    if (t != self) {
        // The target, usually asleep on another CPU, last wrote these lines itself: ask for all of
        // them at once and owned, so that their transfers overlap (gate B4).
        prefetch_for_write(&dispatcher_lock());
        prefetch_for_write(&t->m_apc_list[0]);
        prefetch_for_write(&t->m_wait_alertable);
        prefetch_for_write(&t->m_wait_word);
    }
    {
        DispatcherGuard guard;
        if (Apc->Inserted || !t->m_apc_queueable) return FALSE;  // NT fact G5: terminated -> FALSE
        Apc->SystemArgument1 = SystemArgument1;
        Apc->SystemArgument2 = SystemArgument2;
        Apc->Inserted = TRUE;
        if (Apc->ApcMode == KernelMode) {
            PLIST_ENTRY head = &t->m_apc_list[static_cast<unsigned>(KernelMode)];
            if (Apc->NormalRoutine == nullptr) {
                // Special APCs go before every normal one, in FIFO order among themselves.
                PLIST_ENTRY e = head->Flink;
                while (e != head && is_special(CONTAINING_RECORD(e, KAPC, ApcListEntry))) e = e->Flink;
                InsertTailList(e, &Apc->ApcListEntry);
            } else {
                InsertTailList(head, &Apc->ApcListEntry);
            }
            t->m_kernel_apc_pending.store(true, std::memory_order_relaxed);
            if (t == self) {
                deliver_now = t->m_irql == PASSIVE_LEVEL;
            } else if (is_waiting_locked(t) && t->m_wait_irql == PASSIVE_LEVEL && kernel_apc_deliverable_locked(t)) {
                unwait_locked(t, STATUS_KERNEL_APC);
            }
        } else {
            InsertTailList(&t->m_apc_list[static_cast<unsigned>(UserMode)], &Apc->ApcListEntry);
            if (t != self && is_waiting_locked(t) && t->m_wait_alertable && t->m_wait_mode == UserMode) {
                t->m_user_apc_pending.store(true, std::memory_order_relaxed);
                unwait_locked(t, STATUS_USER_APC);
            }
        }
    }
    if (deliver_now) deliver_kernel_apcs(self);
    return TRUE;
}

NTKERNELAPI BOOLEAN KeRemoveQueueApc(PKAPC Apc) {
    _KTHREAD* t = Apc->Thread;
    DispatcherGuard guard;
    if (!Apc->Inserted) return FALSE;
    RemoveEntryList(&Apc->ApcListEntry);
    Apc->Inserted = FALSE;
    if (IsListEmpty(&t->m_apc_list[static_cast<unsigned>(KernelMode)])) t->m_kernel_apc_pending.store(false, std::memory_order_relaxed);
    if (IsListEmpty(&t->m_apc_list[static_cast<unsigned>(UserMode)])) t->m_user_apc_pending.store(false, std::memory_order_relaxed);
    return TRUE;
}

NTKERNELAPI BOOLEAN KeAreApcsQueued(PKTHREAD Thread) {
    DispatcherGuard guard;
    return (!IsListEmpty(&Thread->m_apc_list[static_cast<unsigned>(KernelMode)]) || !IsListEmpty(&Thread->m_apc_list[static_cast<unsigned>(UserMode)])) ? TRUE : FALSE;
}

// NT fact G8: critical regions count KernelApcDisable down (-1, -2, ...), guarded regions
// SpecialApcDisable.
NTKERNELAPI VOID KeEnterCriticalRegion(VOID) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::CriticalRegion, 0);
    if (_KTHREAD* t = current_thread()) t->m_kernel_apc_disable.fetch_sub(1, std::memory_order_relaxed);
}

NTKERNELAPI VOID KeLeaveCriticalRegion(VOID) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::CriticalRegion, 1);
    _KTHREAD* t = current_thread();
    if (!t) return;
    if (t->m_kernel_apc_disable.fetch_add(1, std::memory_order_relaxed) + 1 == 0) deliver_kernel_apcs_if_pending(t);
}

NTKERNELAPI VOID KeEnterGuardedRegion(VOID) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeApcLte2);
    if (_KTHREAD* t = current_thread()) t->m_special_apc_disable.fetch_sub(1, std::memory_order_relaxed);
}

NTKERNELAPI VOID KeLeaveGuardedRegion(VOID) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::GuardedRegionLeave);
    _KTHREAD* t = current_thread();
    if (!t) return;
    if (t->m_special_apc_disable.fetch_add(1, std::memory_order_relaxed) + 1 == 0) deliver_kernel_apcs_if_pending(t);
}

NTKERNELAPI BOOLEAN KeAreApcsDisabled(VOID) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeApcLte2);
    _KTHREAD* t = current_thread();
    if (!t) return FALSE;
    return (kernel_apc_disable(t) != 0 || special_apc_disable(t) != 0) ? TRUE : FALSE;
}

NTKERNELAPI BOOLEAN KeAreAllApcsDisabled(VOID) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeApcLte2);
    _KTHREAD* t = current_thread();
    if (!t) return FALSE;
    return (special_apc_disable(t) != 0 || t->m_irql >= APC_LEVEL) ? TRUE : FALSE;
}

NTKERNELAPI BOOLEAN KeAlertThread(PKTHREAD Thread, KPROCESSOR_MODE AlertMode) {
    DispatcherGuard guard;
    BOOLEAN previous = Thread->m_alerted[static_cast<unsigned>(AlertMode)];
    if (!previous) {
        if (is_waiting_locked(Thread) && Thread->m_wait_alertable && AlertMode <= Thread->m_wait_mode)
            unwait_locked(Thread, STATUS_ALERTED);
        else
            Thread->m_alerted[static_cast<unsigned>(AlertMode)] = TRUE;
    }
    return previous;
}

}  // extern "C"

namespace ntio::ke {

// https://learn.microsoft.com/windows-hardware/drivers/kernel/waits-and-apcs
void request_thread_termination(_KTHREAD* thread) noexcept {
    {
        DispatcherGuard guard;
        if (thread->m_termination_requested) return;
        thread->m_termination_requested = true;
        if (is_waiting_locked(thread) &&
            termination_interrupts_locked(thread, thread->m_wait_mode, thread->m_wait_alertable, thread->m_wait_irql))
            unwait_locked(thread, thread->m_wait_mode == UserMode ? STATUS_USER_APC : STATUS_ALERTED);
    }
    // A suspended thread could not reach its end: NT resumes it by force (KeForceResumeThread).
    force_resume_thread(thread);
}

}  // namespace ntio::ke

extern "C" {

// UserMode with user APCs queued: they run here, once each (NT fact G5: NtTestAlert delivers them).
NTKERNELAPI BOOLEAN KeTestAlertThread(KPROCESSOR_MODE AlertMode) {
    _KTHREAD* t = current_thread();
    if (!t) return FALSE;
    BOOLEAN previous;
    bool deliver = false;
    {
        DispatcherGuard guard;
        previous = t->m_alerted[static_cast<unsigned>(AlertMode)];
        if (previous) {
            t->m_alerted[static_cast<unsigned>(AlertMode)] = FALSE;
        } else if (AlertMode == UserMode && !IsListEmpty(&t->m_apc_list[static_cast<unsigned>(UserMode)])) {
            t->m_user_apc_pending.store(true, std::memory_order_relaxed);
            deliver = true;
        }
    }
    if (deliver) deliver_user_apcs(t);
    return previous;
}

}  // extern "C"
