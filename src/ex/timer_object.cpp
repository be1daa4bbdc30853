// The executive timer object (see timer_object.hpp). Reference accounting, as NT's: the APC
// association holds one reference on the timer, the expiry DPC takes one (ObReferenceObjectSafe) for
// the APC it queues, and the APC's kernel routine gives it back (with the association's, after the
// only expiry of a one-shot timer). References dropped where the last one may go above APC_LEVEL
// defer the deletion to a worker thread, where the delete procedure may wait for the DPC queues.
#include <wdm.h>

#include "ex/timer_object.hpp"
#include "ke/kernel.hpp"

namespace ntio::ex {
namespace {

// Drops references on the timer; the last one's deletion never runs here (the caller may hold a
// spin lock's IRQL or run in a DPC).
void drop(TimerObject* timer, ULONG count) noexcept {
    while (count--) ObDereferenceObjectDeferDelete(timer);
}

// Takes the timer off its APC thread's active list. Timer lock held, association present.
void unlink_from_thread_locked(TimerObject* timer) noexcept {
    _KTHREAD* thread = timer->apc.Thread;
    KeAcquireSpinLockAtDpcLevel(&thread->m_active_timer_lock);
    RemoveEntryList(&timer->active_link);
    InitializeListHead(&timer->active_link);
    KeReleaseSpinLockFromDpcLevel(&thread->m_active_timer_lock);
    timer->apc_associated = false;
}

// Disarms the KTIMER and ends the APC association with everything it queued. Timer lock held.
// Returns the references the caller drops once the lock is released.
ULONG cancel_locked(TimerObject* timer) noexcept {
    KeCancelTimer(&timer->timer);
    if (!timer->apc_associated) return 0;
    unlink_from_thread_locked(timer);
    ULONG references = 1;  // the association's
    (void)KeRemoveQueueDpc(&timer->dpc);
    if (KeRemoveQueueApc(&timer->apc)) ++references;  // the queued APC's
    return references;
}

// The expiry DPC of a timer with an APC: queues the APC to its thread with the expiry time (the two
// halves the timer engine passes as system arguments). An APC still queued from an earlier expiry is
// not queued twice.
VOID expiry_dpc(PKDPC, PVOID context, PVOID system_argument1, PVOID system_argument2) {
    auto* timer = static_cast<TimerObject*>(context);
    // Deletion flushes the DPC queues before the body goes, so the body is valid here; its count may
    // already be 0 (then the timer is going away and nothing is queued).
    if (!ObReferenceObjectSafe(timer)) return;
    BOOLEAN inserted = FALSE;
    KeAcquireSpinLockAtDpcLevel(&timer->lock);
    // A DPC already running when the timer was set again (KeRemoveQueueDpc cannot stop it) queues
    // the new setting's APC, as NT's expiry DPC does; the APC's kernel routine copes with the new
    // setting's own expiry queueing it again.
    if (timer->apc_associated) inserted = KeInsertQueueApc(&timer->apc, system_argument1, system_argument2, 0);
    KeReleaseSpinLockFromDpcLevel(&timer->lock);
    if (!inserted) drop(timer, 1);
}

// The APC's normal routine: calls the TIMER_APC_ROUTINE (the kernel routine passed it in the second
// argument) with the caller's context and the expiry time's two halves (packed in the first).
VOID timer_apc_trampoline(PVOID context, PVOID packed_time, PVOID routine) {
    const auto time = reinterpret_cast<ULONG_PTR>(packed_time);
    reinterpret_cast<PTIMER_APC_ROUTINE>(routine)(context, static_cast<ULONG>(time), static_cast<LONG>(time >> 32));
}

// The APC's kernel routine, on the target thread at APC_LEVEL before the TIMER_APC_ROUTINE: the only
// APC of a one-shot timer ends the association; an APC whose association ended meanwhile (cancelled,
// or set again by some thread) does not call the routine.
VOID apc_kernel_routine(PKAPC apc, PKNORMAL_ROUTINE* normal_routine, PVOID*, PVOID* system_argument1,
                        PVOID* system_argument2) {
    auto* timer = CONTAINING_RECORD(apc, TimerObject, apc);
    ULONG references = 1;  // the queued APC's
    KIRQL irql;
    KeAcquireSpinLock(&timer->lock, &irql);
    if (timer->apc_associated && timer->apc.Thread == KeGetCurrentThread()) {
        // The expiry DPC passed the time's low and high halves; the trampoline gets them as one value
        // and the routine of this association.
        const auto low = static_cast<ULONG>(reinterpret_cast<ULONG_PTR>(*system_argument1));
        const auto high = static_cast<ULONG>(reinterpret_cast<ULONG_PTR>(*system_argument2));
        *system_argument1 = reinterpret_cast<PVOID>((static_cast<ULONG_PTR>(high) << 32) | low);
        *system_argument2 = reinterpret_cast<PVOID>(timer->apc_routine);
        if (timer->period == 0) {
            unlink_from_thread_locked(timer);
            ++references;
            // An earlier setting's expiry DPC may have queued this APC again since its dequeue: an
            // APC must never stay queued once its association ends (a later set reinitializes it).
            if (KeRemoveQueueApc(&timer->apc)) ++references;
        }
    } else {
        *normal_routine = nullptr;
    }
    KeReleaseSpinLock(&timer->lock, irql);
    drop(timer, references);
}

// A queued APC left when its thread terminates (the rundown hook normally removed it first).
VOID apc_rundown_routine(PKAPC apc) { drop(CONTAINING_RECORD(apc, TimerObject, apc), 1); }

}  // namespace

void initialize_timer_object(TimerObject* timer, TIMER_TYPE type) noexcept {
    KeInitializeTimerEx(&timer->timer, type);
    KeInitializeSpinLock(&timer->lock);
    KeInitializeDpc(&timer->dpc, expiry_dpc, timer);
    InitializeListHead(&timer->active_link);
    timer->apc_routine = nullptr;
    timer->period = 0;
    timer->apc_associated = false;
    timer->dpc_used = false;
    timer->signature = kTimerObjectSignature;
}

bool is_timer_object(const void* body, ULONG body_size) noexcept {
    return body_size >= sizeof(TimerObject) && static_cast<const TimerObject*>(body)->signature == kTimerObjectSignature;
}

BOOLEAN set_timer_object(TimerObject* timer, const TimerSetting& setting) noexcept {
    _KTHREAD* self = KeGetCurrentThread();
    KIRQL irql;
    KeAcquireSpinLock(&timer->lock, &irql);
    const ULONG references = cancel_locked(timer);
    const BOOLEAN state = KeReadStateTimer(&timer->timer);
    timer->period = setting.period;
    PKDPC dpc = nullptr;
    if (setting.apc_routine && self) {
        KeInitializeApc(&timer->apc, self, CurrentApcEnvironment, apc_kernel_routine, apc_rundown_routine,
                        timer_apc_trampoline, setting.apc_mode, setting.apc_context);
        timer->apc_routine = setting.apc_routine;
        KeAcquireSpinLockAtDpcLevel(&self->m_active_timer_lock);
        InsertTailList(&self->m_active_timers, &timer->active_link);
        KeReleaseSpinLockFromDpcLevel(&self->m_active_timer_lock);
        timer->apc_associated = true;
        timer->dpc_used = true;
        ObReferenceObject(timer);  // the association's
        dpc = &timer->dpc;
    }
    (void)KeSetTimerEx(&timer->timer, setting.due_time, setting.period, dpc);
    KeReleaseSpinLock(&timer->lock, irql);
    drop(timer, references);
    return state;
}

BOOLEAN cancel_timer_object(TimerObject* timer) noexcept {
    KIRQL irql;
    KeAcquireSpinLock(&timer->lock, &irql);
    const ULONG references = cancel_locked(timer);
    KeReleaseSpinLock(&timer->lock, irql);
    const BOOLEAN state = KeReadStateTimer(&timer->timer);
    drop(timer, references);
    return state;
}

void close_timer_object(TimerObject* timer, ULONG_PTR system_handle_count) noexcept {
    if (system_handle_count == 1) (void)cancel_timer_object(timer);
}

void delete_timer_object(TimerObject* timer) noexcept {
    KeCancelTimer(&timer->timer);
    if (!timer->dpc_used) return;
    // An expiry DPC may still run on the body (dequeued before the cancel): let every DPC queued
    // so far finish. Once the kernel has stopped its processors no DPC runs any more.
    _KTHREAD* self = KeGetCurrentThread();
    if (self && self->m_kernel && self->m_kernel->accepting_threads()) KeFlushQueuedDpcs();
}

void timer_rundown(_KTHREAD* thread, void*) {
    KIRQL irql;
    KeAcquireSpinLock(&thread->m_active_timer_lock, &irql);
    while (!IsListEmpty(&thread->m_active_timers)) {
        auto* timer = CONTAINING_RECORD(thread->m_active_timers.Flink, TimerObject, active_link);
        // Kept alive while the list lock is dropped to take the timer's lock first (lock order).
        ObReferenceObject(timer);
        KeReleaseSpinLock(&thread->m_active_timer_lock, irql);
        ULONG references = 1;
        KeAcquireSpinLock(&timer->lock, &irql);
        if (timer->apc_associated && timer->apc.Thread == thread) references += cancel_locked(timer);
        KeReleaseSpinLock(&timer->lock, irql);
        drop(timer, references);
        KeAcquireSpinLock(&thread->m_active_timer_lock, &irql);
    }
    KeReleaseSpinLock(&thread->m_active_timer_lock, irql);
}

}  // namespace ntio::ex
