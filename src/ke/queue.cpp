// KQUEUE: entries in EntryListHead (SignalState = their number), LIFO dequeue waiters in the
// header's wait list (WaitType WaitDequeue), and the concurrency limit: CurrentCount counts the
// associated threads that are running; a waiter gets an entry only while it is below
// MaximumCount, and an associated thread that blocks elsewhere lets another one run.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "ke/queue.hpp"
#include "ke/apc.hpp"
#include "ke/dispatcher.hpp"
#include "ke/kernel.hpp"

namespace ntio::ke {
namespace {

PKWAIT_BLOCK first_dequeue_waiter_locked(PRKQUEUE q) noexcept {
    for (PLIST_ENTRY e = q->Header.WaitListHead.Flink; e != &q->Header.WaitListHead; e = e->Flink) {
        auto* b = CONTAINING_RECORD(e, KWAIT_BLOCK, WaitListEntry);
        if (b->WaitType == WaitDequeue) return b;
    }
    return nullptr;
}

// Makes `t` associated with `q` and not counted as running (it is about to dequeue). Lock held.
void associate_locked(_KTHREAD* t, PRKQUEUE q) noexcept {
    if (t->m_queue == q) {
        q->CurrentCount = q->CurrentCount - 1;
        return;
    }
    if (PRKQUEUE old = t->m_queue) {
        RemoveEntryList(&t->m_queue_link);
        old->CurrentCount = old->CurrentCount - 1;
        activate_queue_waiters_locked(old);
    }
    t->m_queue = q;
    InsertTailList(&q->ThreadListHead, &t->m_queue_link);
}

PLIST_ENTRY take_entry_locked(PRKQUEUE q) noexcept {
    PLIST_ENTRY entry = RemoveHeadList(&q->EntryListHead);
    add_state(&q->Header, -1);
    return entry;
}

LONG insert_locked(PRKQUEUE q, PLIST_ENTRY entry, bool head) noexcept {
    LONG previous = state_of(&q->Header);
    if (previous == 0 && q->CurrentCount < q->MaximumCount) {
        // An empty queue with a dequeue waiter that may run: the entry goes straight to it (what
        // inserting and at once removing it would do, without touching the list or the header).
        if (PKWAIT_BLOCK b = first_dequeue_waiter_locked(q)) {
            _KTHREAD* t = b->Thread;
            t->m_dequeued_entry = entry;
            q->CurrentCount = q->CurrentCount + 1;
            unwait_locked(t, STATUS_SUCCESS);
            return previous;
        }
    }
    if (head) InsertHeadList(&q->EntryListHead, entry);
    else InsertTailList(&q->EntryListHead, entry);
    add_state(&q->Header, 1);
    activate_queue_waiters_locked(q);
    return previous;
}

}  // namespace

void activate_queue_waiters_locked(PRKQUEUE q) noexcept {
    while (q->CurrentCount < q->MaximumCount && !IsListEmpty(&q->EntryListHead)) {
        PKWAIT_BLOCK b = first_dequeue_waiter_locked(q);
        if (!b) break;
        _KTHREAD* t = b->Thread;
        t->m_dequeued_entry = take_entry_locked(q);
        q->CurrentCount = q->CurrentCount + 1;
        unwait_locked(t, STATUS_SUCCESS);
    }
    if (state_of(&q->Header) > 0) wait_test_locked(&q->Header);  // KeWaitFor* on the queue itself
}

void disassociate_queue_locked(_KTHREAD* t) noexcept {
    PRKQUEUE q = t->m_queue;
    if (!q) return;
    RemoveEntryList(&t->m_queue_link);
    InitializeListHead(&t->m_queue_link);
    t->m_queue = nullptr;
    if (!t->m_queue_blocked) q->CurrentCount = q->CurrentCount - 1;
    t->m_queue_blocked = false;
    activate_queue_waiters_locked(q);
}

void queue_thread_blocking_locked(_KTHREAD* t) noexcept {
    PRKQUEUE q = t->m_queue;
    if (!q) return;
    t->m_queue_blocked = true;
    q->CurrentCount = q->CurrentCount - 1;
    activate_queue_waiters_locked(q);
}

void queue_thread_resuming_locked(_KTHREAD* t) noexcept {
    if (!t->m_queue_blocked) return;
    t->m_queue_blocked = false;
    if (t->m_queue) t->m_queue->CurrentCount = t->m_queue->CurrentCount + 1;
}

NTSTATUS remove_queue_entries(PRKQUEUE q, KPROCESSOR_MODE mode, bool alertable, PLARGE_INTEGER timeout,
                              PLIST_ENTRY* entries, ULONG max_entries, ULONG* removed) {
    *removed = 0;
    _KTHREAD* t = current_thread();
    if (!t || !q || !entries || max_entries == 0) return STATUS_INVALID_PARAMETER;
    const WaitDeadline deadline = make_deadline(timeout);
    for (;;) {
        if (t->m_irql == PASSIVE_LEVEL) deliver_kernel_apcs_if_pending(t);
        dispatcher_lock().lock();
        associate_locked(t, q);
        if (!IsListEmpty(&q->EntryListHead) && q->CurrentCount < q->MaximumCount) {
            ULONG n = 0;
            while (n < max_entries && !IsListEmpty(&q->EntryListHead)) entries[n++] = take_entry_locked(q);
            q->CurrentCount = q->CurrentCount + 1;
            dispatcher_lock().unlock();
            *removed = n;
            return STATUS_SUCCESS;
        }
        NTSTATUS status = test_alertable_locked(t, mode, alertable);
        if (status == STATUS_PENDING && deadline.zero) status = STATUS_TIMEOUT;
        bool retry_for_apc = status == STATUS_PENDING && t->m_irql == PASSIVE_LEVEL && kernel_apc_deliverable_locked(t);
        if (status != STATUS_PENDING || retry_for_apc) {
            q->CurrentCount = q->CurrentCount + 1;
            dispatcher_lock().unlock();
            if (retry_for_apc) continue;
            if (status == STATUS_USER_APC && mode == UserMode) deliver_user_apcs(t);
            return status;
        }
        PKWAIT_BLOCK b = &t->m_own_wait_blocks[0];
        b->Thread = t;
        b->Object = q;
        b->WaitKey = 0;
        b->WaitType = WaitDequeue;
        b->BlockState = 1;
        t->m_wait_blocks = b;
        t->m_wait_type = WaitAny;
        t->m_wait_mode = mode;
        t->m_wait_alertable = alertable;
        t->m_wait_irql = t->m_irql;
        t->m_wait_status = STATUS_WAIT_0;
        t->m_dequeued_entry = nullptr;
        t->m_wait_word.store(kWaitBlocked, std::memory_order_relaxed);
        queue_wait_block_locked(b, true);  // LIFO: the most recent waiter is served first
        t->m_wait_count = 1;
        dispatcher_lock().unlock();

        status = sleep_until_unwaited(t, deadline);

        if (status == STATUS_SUCCESS && t->m_dequeued_entry && max_entries == 1) {
            // The waker handed us the entry and raised CurrentCount under the lock before it made
            // our wait word idle (release); we saw idle with acquire, so the entry is ours and no
            // other thread touches it again: return without taking the lock (gate B3).
            entries[0] = t->m_dequeued_entry;
            t->m_dequeued_entry = nullptr;
            *removed = 1;
            return STATUS_SUCCESS;
        }
        dispatcher_lock().lock();
        if (status == STATUS_SUCCESS && t->m_dequeued_entry) {
            // Running again: CurrentCount was raised by whoever handed us the entry.
            ULONG n = 0;
            entries[n++] = t->m_dequeued_entry;
            t->m_dequeued_entry = nullptr;
            while (n < max_entries && !IsListEmpty(&q->EntryListHead)) entries[n++] = take_entry_locked(q);
            dispatcher_lock().unlock();
            *removed = n;
            return STATUS_SUCCESS;
        }
        if (t->m_queue == q) q->CurrentCount = q->CurrentCount + 1;
        dispatcher_lock().unlock();
        if (status == STATUS_KERNEL_APC) continue;
        if (status == STATUS_USER_APC && mode == UserMode) deliver_user_apcs(t);
        return status;
    }
}

}  // namespace ntio::ke

using namespace ntio::ke;

extern "C" {

NTKERNELAPI VOID KeInitializeQueue(PRKQUEUE Queue, ULONG Count) {
    initialize_header(&Queue->Header, QueueObject, static_cast<UCHAR>(sizeof(KQUEUE) / sizeof(LONG)), 0);
    InitializeListHead(&Queue->EntryListHead);
    InitializeListHead(&Queue->ThreadListHead);
    Queue->CurrentCount = 0;
    if (Count == 0) {
        _KTHREAD* t = current_thread();
        Count = t ? t->m_kernel->processor_count() : 1;
    }
    Queue->MaximumCount = Count;
}

NTKERNELAPI LONG KeInsertQueue(PRKQUEUE Queue, PLIST_ENTRY Entry) {
    DispatcherGuard guard;
    return insert_locked(Queue, Entry, false);
}

NTKERNELAPI LONG KeInsertHeadQueue(PRKQUEUE Queue, PLIST_ENTRY Entry) {
    DispatcherGuard guard;
    return insert_locked(Queue, Entry, true);
}

NTKERNELAPI PLIST_ENTRY KeRemoveQueue(PRKQUEUE Queue, KPROCESSOR_MODE WaitMode, PLARGE_INTEGER Timeout) {
    PLIST_ENTRY entry = nullptr;
    ULONG removed = 0;
    NTSTATUS status = remove_queue_entries(Queue, WaitMode, false, Timeout, &entry, 1, &removed);
    return removed ? entry : reinterpret_cast<PLIST_ENTRY>(static_cast<LONG_PTR>(status));
}

NTKERNELAPI PLIST_ENTRY KeRundownQueue(PRKQUEUE Queue) {
    DispatcherGuard guard;
    PLIST_ENTRY first = nullptr;
    if (!IsListEmpty(&Queue->EntryListHead)) {
        first = Queue->EntryListHead.Flink;
        RemoveEntryList(&Queue->EntryListHead);  // the entries stay linked in a circle without head
    }
    InitializeListHead(&Queue->EntryListHead);
    exchange_state(&Queue->Header, 0);
    while (!IsListEmpty(&Queue->ThreadListHead)) {
        _KTHREAD* t = CONTAINING_RECORD(RemoveHeadList(&Queue->ThreadListHead), _KTHREAD, m_queue_link);
        InitializeListHead(&t->m_queue_link);
        t->m_queue = nullptr;
    }
    for (PKWAIT_BLOCK b; (b = first_dequeue_waiter_locked(Queue)) != nullptr;) unwait_locked(b->Thread, STATUS_ABANDONED);
    Queue->CurrentCount = 0;
    return first;
}

NTKERNELAPI LONG KeReadStateQueue(PRKQUEUE Queue) { return state_of(&Queue->Header); }

}  // extern "C"
