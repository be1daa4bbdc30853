// KQUEUE: entries (SignalState = their number), LIFO dequeue waiters in the header's wait list
// (WaitType WaitDequeue), and the concurrency limit: CurrentCount counts the associated threads
// that are running; a waiter gets an entry only while it is below MaximumCount, and an associated
// thread that blocks elsewhere lets another one run.
// The KQUEUE is opaque to drivers (KeInitializeQueue on Microsoft Learn), so EntryListHead holds
// two chains rather than a list: Flink is the ready chain (oldest first, linked through the
// entries' Flink, NULL-terminated), taken under the dispatcher lock; Blink is the incoming stack
// (newest first), onto which KeInsertQueue pushes without the lock while nobody waits on the queue.
// Only an empty ready chain is refilled, by reversing the whole stack, so entries leave in FIFO
// order. An insert pushes before it raises SignalState and reads the waiter bit in the same atomic
// step; a waiter sets that bit before it looks for entries: one of the two always sees the other
// (gate B1: a poster on another CPU shares only the queue's own cache lines with the consumer).
// A queue marked to count lazily (make_queue_count_lazily: the completion ports) saves the insert
// its second atomic step: its incoming entries are not in SignalState, which counts the ready chain
// alone; the remover adds them as it takes the stack over, KeReadStateQueue counts them under the
// lock, and "signalled" means SignalState > 0 or a non-empty stack (queue_signalled). Such an insert
// pushes and then loads the waiter bit; a waiter sets the bit and then looks at the stack (both
// seq_cst), so again one of the two sees the other.
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
#include "ke/wait_poll.hpp"
#include "ke/apc.hpp"
#include "ke/dispatcher.hpp"
#include "ke/kernel.hpp"

namespace ntio::ke {
namespace {

PKWAIT_BLOCK first_dequeue_waiter_locked(PRKQUEUE q) noexcept {
    for (PLIST_ENTRY e = q->Header.WaitListHead.Flink; e != &q->Header.WaitListHead; e = e->Flink) {
        // The block sits on its thread's wait line, which the handoff writes: fetch it for writing
        // at once rather than shared and then again to own it (one cross-core transfer, gate B3).
        prefetch_for_write(e);
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

// Header byte 1 (unused by queues otherwise): the queue counts its incoming entries lazily.
constexpr ULONG64 kLazyCountBit = 1ull << 8;
bool counts_lazily(PRKQUEUE q) noexcept {
    return (header_word(&q->Header).load(std::memory_order_relaxed) & kLazyCountBit) != 0;
}

PLIST_ENTRY& ready_of(PRKQUEUE q) noexcept { return q->EntryListHead.Flink; }
std::atomic_ref<PLIST_ENTRY> incoming_of(PRKQUEUE q) noexcept { return std::atomic_ref<PLIST_ENTRY>(q->EntryListHead.Blink); }

void push_incoming(PRKQUEUE q, PLIST_ENTRY entry) noexcept {
    auto incoming = incoming_of(q);
    PLIST_ENTRY top = incoming.load(std::memory_order_relaxed);
    do {
        entry->Flink = top;
    } while (!incoming.compare_exchange_weak(top, entry, std::memory_order_seq_cst, std::memory_order_relaxed));
}

bool has_entries_locked(PRKQUEUE q) noexcept {
    return ready_of(q) != nullptr || incoming_of(q).load(std::memory_order_seq_cst) != nullptr;
}

// Entries queued, for a lazily counting queue: the ready chain's (SignalState) and the incoming
// stack's. Lock held: entries below the stack's top change only under it.
LONG lazy_count_locked(PRKQUEUE q) noexcept {
    LONG n = std::max(state_of(&q->Header), 0);
    for (PLIST_ENTRY e = incoming_of(q).load(std::memory_order_acquire); e; e = e->Flink) ++n;
    return n;
}

// Takes up to `max` entries, oldest first (at least one when has_entries_locked). Lock held.
// A lazily counting queue's SignalState gains the entries taken over from the incoming stack.
ULONG take_entries_locked(PRKQUEUE q, PLIST_ENTRY* entries, ULONG max) noexcept {
    ULONG n = 0;
    LONG taken_over = 0;
    while (n < max) {
        PLIST_ENTRY e = ready_of(q);
        if (!e) {
            PLIST_ENTRY stack = incoming_of(q).exchange(nullptr, std::memory_order_acq_rel);
            if (!stack) break;
            while (stack) {
                PLIST_ENTRY next = stack->Flink;
                stack->Flink = e;
                e = stack;
                stack = next;
                ++taken_over;
            }
        }
        ready_of(q) = e->Flink;
        entries[n++] = e;
    }
    const LONG delta = (counts_lazily(q) ? taken_over : 0) - static_cast<LONG>(n);
    if (delta) add_state(&q->Header, delta);
    return n;
}

PLIST_ENTRY take_entry_locked(PRKQUEUE q) noexcept {
    PLIST_ENTRY entry = nullptr;
    (void)take_entries_locked(q, &entry, 1);
    return entry;
}

// An insert that found waiters: a handoff writes two more lines, both last written by the waiter's
// CPU before it slept: the lock and the first waiter's wait block (the LIFO head). Asking for both
// now makes their cross-core transfers overlap instead of following one another (gate B3). Not on
// the lock-free path: there the lock stays with whichever CPU is using it.
void prefetch_handoff_lines(PRKQUEUE q) noexcept {
    prefetch_for_write(&dispatcher_lock());
    if (const void* first = racy_hint(reinterpret_cast<void* const*>(&q->Header.WaitListHead.Flink)))
        prefetch_for_write(first);
}

// Returns the previous count, or 0 without `want_previous` (a lazily counting queue's count walks
// its incoming stack).
LONG insert_locked(PRKQUEUE q, PLIST_ENTRY entry, bool head, bool want_previous = true) noexcept {
    const bool lazy = counts_lazily(q);
    const LONG previous = !want_previous ? 0 : lazy ? lazy_count_locked(q) : std::max(state_of(&q->Header), 0);
    if (!has_entries_locked(q) && q->CurrentCount < q->MaximumCount) {
        // An empty queue with a dequeue waiter that may run: the entry goes straight to it (what
        // inserting and at once removing it would do, without touching the chains or the header).
        if (PKWAIT_BLOCK b = first_dequeue_waiter_locked(q)) {
            _KTHREAD* t = b->Thread;
            t->m_dequeued_entry = entry;
            q->CurrentCount = q->CurrentCount + 1;
            unwait_dequeue_locked(t, b, STATUS_SUCCESS);
            return previous;
        }
    }
    if (head) {
        entry->Flink = ready_of(q);
        ready_of(q) = entry;
        add_state(&q->Header, 1);
    } else {
        push_incoming(q, entry);
        if (!lazy) add_state(&q->Header, 1);
    }
    activate_queue_waiters_locked(q);
    return previous;
}

}  // namespace

void activate_queue_waiters_locked(PRKQUEUE q) noexcept {
    while (q->CurrentCount < q->MaximumCount && has_entries_locked(q)) {
        PKWAIT_BLOCK b = first_dequeue_waiter_locked(q);
        if (!b) break;
        _KTHREAD* t = b->Thread;
        t->m_dequeued_entry = take_entry_locked(q);
        q->CurrentCount = q->CurrentCount + 1;
        unwait_dequeue_locked(t, b, STATUS_SUCCESS);
    }
    if (queue_signalled(&q->Header)) wait_test_locked(&q->Header);  // KeWaitFor* on the queue itself
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

LONG queue_depth_snapshot(PRKQUEUE q) noexcept {
    if (!counts_lazily(q)) return std::max(state_of(&q->Header), 0);
    if (!dispatcher_lock().try_lock()) return std::max(state_of(&q->Header), 0);
    const LONG n = lazy_count_locked(q);
    dispatcher_lock().unlock();
    return n;
}

void make_queue_count_lazily(PRKQUEUE q) noexcept {
    header_word(&q->Header).fetch_or(kLazyCountBit, std::memory_order_relaxed);
}

void insert_queue_entry(PRKQUEUE q, PLIST_ENTRY entry) noexcept {
    auto word = header_word(&q->Header);
    // The push writes the line: fetch it owned, not shared and then again to own it.
    prefetch_for_write(&q->Header);
    if (!(word.load(std::memory_order_acquire) & kWaitersBit)) [[likely]] {
        push_incoming(q, entry);
        if (!(word.load(std::memory_order_seq_cst) & kWaitersBit)) [[likely]] return;
        // A waiter queued itself between the check and the push and may have missed the entry.
        DispatcherGuard guard;
        activate_queue_waiters_locked(q);
        return;
    }
    prefetch_handoff_lines(q);
    DispatcherGuard guard;
    (void)insert_locked(q, entry, false, false);
}

NTSTATUS remove_queue_entries(PRKQUEUE q, KPROCESSOR_MODE mode, bool alertable, PLARGE_INTEGER timeout,
                              PLIST_ENTRY* entries, ULONG max_entries, ULONG* removed) {
    *removed = 0;
    _KTHREAD* t = current_thread();
    if (!t || !q || !entries || max_entries == 0) return STATUS_INVALID_PARAMETER;
    const WaitDeadline deadline = make_deadline(timeout);
    for (;;) {
        poll_before_dequeue(q, timeout);
        if (t->m_irql == PASSIVE_LEVEL) deliver_kernel_apcs_if_pending(t);
        dispatcher_lock().lock();
        associate_locked(t, q);
        if (has_entries_locked(q) && q->CurrentCount < q->MaximumCount) {
            const ULONG n = take_entries_locked(q, entries, max_entries);
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
        if (has_entries_locked(q) && q->CurrentCount < q->MaximumCount) {
            // A lock-free insert pushed before our waiter bit was set and so hands nothing over.
            unlink_wait_blocks_locked(t);
            t->m_wait_word.store(kWaitIdle, std::memory_order_relaxed);
            const ULONG n = take_entries_locked(q, entries, max_entries);
            q->CurrentCount = q->CurrentCount + 1;
            dispatcher_lock().unlock();
            *removed = n;
            return STATUS_SUCCESS;
        }
        dispatcher_lock().unlock();

        status = sleep_until_unwaited(t, deadline);
        t->m_wait_count = 0;  // a handoff (unwait_dequeue_locked) leaves it to us

        if (status == STATUS_SUCCESS && t->m_dequeued_entry && max_entries == 1) {
            // The waker handed us the entry and raised CurrentCount under the lock before it made
            // our wait word idle (release); we saw idle with acquire, so the entry is ours and no
            // other thread touches it again: return without taking the lock (gate B3).
            // m_dequeued_entry is left as it is (the next dequeue wait clears it before it can be
            // read): the line came over shared and a write here would cost a second transfer.
            // The entry is usually freed or reused at once by its remover: fetch it owned.
            entries[0] = t->m_dequeued_entry;
            prefetch_for_write(entries[0]);
            *removed = 1;
            return STATUS_SUCCESS;
        }
        dispatcher_lock().lock();
        if (status == STATUS_SUCCESS && t->m_dequeued_entry) {
            // Running again: CurrentCount was raised by whoever handed us the entry.
            ULONG n = 0;
            entries[n++] = t->m_dequeued_entry;
            t->m_dequeued_entry = nullptr;
            if (n < max_entries) n += take_entries_locked(q, entries + n, max_entries - n);
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
    Queue->EntryListHead.Flink = nullptr;
    Queue->EntryListHead.Blink = nullptr;
    InitializeListHead(&Queue->ThreadListHead);
    Queue->CurrentCount = 0;
    if (Count == 0) {
        _KTHREAD* t = current_thread();
        Count = t ? t->m_kernel->processor_count() : 1;
    }
    Queue->MaximumCount = Count;
}

NTKERNELAPI LONG KeInsertQueue(PRKQUEUE Queue, PLIST_ENTRY Entry) {
    auto word = header_word(&Queue->Header);
    // The header is written on either path: fetch it owned, not shared and then again to own it.
    prefetch_for_write(&Queue->Header);
    const ULONG64 seen = word.load(std::memory_order_acquire);
    if (seen & kLazyCountBit) [[unlikely]] {
        DispatcherGuard guard;  // the previous count needs the lock
        return insert_locked(Queue, Entry, false);
    }
    if (seen & kWaitersBit) {
        prefetch_handoff_lines(Queue);
    } else {
        push_incoming(Queue, Entry);
        const ULONG64 old = word.fetch_add(ULONG64{1} << 32, std::memory_order_acq_rel);
        if (!(old & kWaitersBit)) return std::max(state_in(old), 0);
        // A waiter queued itself between the check and the push and may have missed the entry.
        DispatcherGuard guard;
        activate_queue_waiters_locked(Queue);
        return std::max(state_in(old), 0);
    }
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

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-keremovequeueex (Windows 7+)
// Waits like KeRemoveQueue (alertably if asked) for the first entry, then takes the ones already
// queued, up to Count. Returns how many EntryArray holds; when the wait ends without an entry, that is
// 1 and EntryArray[0] is the status (STATUS_TIMEOUT, STATUS_USER_APC, STATUS_ALERTED, STATUS_ABANDONED)
// cast to a PLIST_ENTRY, as KeRemoveQueue returns it.
NTKERNELAPI ULONG KeRemoveQueueEx(PKQUEUE Queue, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                  PLIST_ENTRY* EntryArray, ULONG Count) {
    if (Count == 0) return 0;
    ULONG removed = 0;
    NTSTATUS status = remove_queue_entries(Queue, WaitMode, Alertable != FALSE, Timeout, EntryArray, Count, &removed);
    if (removed) return removed;
    EntryArray[0] = reinterpret_cast<PLIST_ENTRY>(static_cast<LONG_PTR>(status));
    return 1;
}

NTKERNELAPI PLIST_ENTRY KeRundownQueue(PRKQUEUE Queue) {
    DispatcherGuard guard;
    // The entries, oldest first, linked in a circle without a head (as NT returns them).
    PLIST_ENTRY first = nullptr;
    auto append = [&first](PLIST_ENTRY e) {
        if (!first) {
            first = e->Flink = e->Blink = e;
            return;
        }
        PLIST_ENTRY last = first->Blink;
        e->Flink = first;
        e->Blink = last;
        last->Flink = e;
        first->Blink = e;
    };
    for (PLIST_ENTRY e; (e = take_entry_locked(Queue)) != nullptr;) append(e);
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

// An insert that has pushed but not yet counted its entry can let a remover drive the state below
// zero for a moment: the count never reads as negative. A lazily counting queue is counted under
// the lock.
NTKERNELAPI LONG KeReadStateQueue(PRKQUEUE Queue) {
    if (counts_lazily(Queue)) {
        DispatcherGuard guard;
        return lazy_count_locked(Queue);
    }
    return std::max(state_of(&Queue->Header), 0);
}

}  // extern "C"
