// Wait engine: dispatcher lock, wait lists inside the objects, wait tests, satisfaction and the
// sleep of a waiting thread on its own futex word. Fast paths: a wait on a signalled notification
// object is one acquire load; on a free synchronization event or semaphore one CAS; a set with
// nobody waiting is one CAS, with no lock and no system call.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "ke/dispatcher.hpp"
#include "host/clock.hpp"
#include "host/cpu.hpp"
#include "host/futex.hpp"
#include "ke/apc.hpp"
#include "ke/queue.hpp"
#include "ke/wait_poll.hpp"

namespace ntio::ke {

void DispatcherLock::lock() noexcept {
    unsigned spins = 0;
    for (;;) {
        if (!m_locked.exchange(true, std::memory_order_acquire)) return;
        while (m_locked.load(std::memory_order_relaxed)) {
            host::spin_step(++spins);
        }
    }
}

namespace {
// Futex words to wake once the dispatcher lock is released. A private FUTEX_WAKE never touches the
// word's memory, so waking a thread that has meanwhile returned (even freed its KTHREAD) is at
// worst a spurious wake-up, which every futex wait in ntio tolerates by re-checking its word.
struct DeferredWakes {
    static constexpr unsigned kCapacity = 64;
    std::atomic<std::uint32_t>* words[kCapacity];
    unsigned count = 0;
};
thread_local DeferredWakes t_deferred_wakes;

void defer_wake(std::atomic<std::uint32_t>* word) noexcept {
    DeferredWakes& d = t_deferred_wakes;
    if (d.count == DeferredWakes::kCapacity) {
        host::futex_wake(word, kWaitWordWaiters);  // rare: more wakes than slots in one lock hold
        return;
    }
    d.words[d.count++] = word;
}
}  // namespace

void DispatcherLock::unlock() noexcept {
    m_locked.store(false, std::memory_order_release);
    DeferredWakes& d = t_deferred_wakes;
    for (unsigned i = 0; i < d.count; ++i) host::futex_wake(d.words[i], kWaitWordWaiters);
    d.count = 0;
}

DispatcherLock& dispatcher_lock() noexcept {
    static DispatcherLock lock;
    return lock;
}

LONG exchange_state(DISPATCHER_HEADER* h, LONG state) noexcept {
    auto word = header_word(h);
    ULONG64 w = word.load(std::memory_order_relaxed);
    while (!word.compare_exchange_weak(w, with_state(w, state), std::memory_order_acq_rel)) {}
    return state_in(w);
}

LONG add_state(DISPATCHER_HEADER* h, LONG delta) noexcept {
    // SignalState is the high half of the word: adding delta << 32 modulo 2^64 leaves the low half
    // alone, and one fetch_add cannot fail under contention the way a CAS loop retries.
    const ULONG64 w = header_word(h).fetch_add(static_cast<ULONG64>(static_cast<ULONG>(delta)) << 32,
                                               std::memory_order_acq_rel);
    return state_in(w);
}

void initialize_header(DISPATCHER_HEADER* h, UCHAR type, UCHAR size_in_longs, LONG state) noexcept {
    ULONG64 low = static_cast<ULONG64>(type) | (static_cast<ULONG64>(size_in_longs) << 16);
    header_word(h).store(with_state(low, state), std::memory_order_relaxed);
    InitializeListHead(&h->WaitListHead);
}

namespace {

enum class Kind { Notification, Synchronization, Semaphore, Mutant, Queue };

inline Kind kind_of(DISPATCHER_HEADER* h) noexcept {
    switch (type_of(h)) {
    case EventSynchronizationObject:
    case TimerSynchronizationObject: return Kind::Synchronization;
    case SemaphoreObject: return Kind::Semaphore;
    case MutantObject: return Kind::Mutant;
    case QueueObject: return Kind::Queue;
    default: return Kind::Notification;
    }
}

inline bool satisfiable(DISPATCHER_HEADER* h, _KTHREAD* t) noexcept {
    if (object_signalled(h)) return true;
    return kind_of(h) == Kind::Mutant && reinterpret_cast<PKMUTANT>(h)->OwnerThread == t;
}

// Mutant acquisition by `t` (lock held, satisfiable checked). Returns TRUE if it was abandoned.
bool acquire_mutant_locked(PKMUTANT m, _KTHREAD* t) noexcept {
    LONG s = add_state(&m->Header, -1);
    if (s == 1) {
        m->OwnerThread = t;
        InsertTailList(&t->m_mutant_list, &m->MutantListEntry);
        if (m->ApcDisable) t->m_kernel_apc_disable.fetch_sub(1, std::memory_order_relaxed);
    }
    if (m->Abandoned) {
        m->Abandoned = 0;
        return true;
    }
    return false;
}

// Consumes one unit of `h` for `t` if it is satisfiable; atomic against the lock-free fast paths.
bool try_consume(DISPATCHER_HEADER* h, _KTHREAD* t, bool& abandoned) noexcept {
    auto word = header_word(h);
    switch (kind_of(h)) {
    case Kind::Notification: return state_of(h) > 0;
    case Kind::Queue: return queue_signalled(h);
    case Kind::Synchronization:
    case Kind::Semaphore: {
        ULONG64 w = word.load(std::memory_order_acquire);
        for (;;) {
            LONG s = state_in(w);
            if (s <= 0) return false;
            if (word.compare_exchange_weak(w, with_state(w, s - 1), std::memory_order_acq_rel)) return true;
        }
    }
    case Kind::Mutant:
        if (!satisfiable(h, t)) return false;
        abandoned |= acquire_mutant_locked(reinterpret_cast<PKMUTANT>(h), t);
        return true;
    }
    return false;
}

void give_back(DISPATCHER_HEADER* h) noexcept {
    Kind k = kind_of(h);
    if (k == Kind::Synchronization || k == Kind::Semaphore) add_state(h, 1);
}

// WaitAll: all objects or none. Mutants cannot change under the lock, so they are taken last and
// never need undoing; events and semaphores can lose a race with a fast-path consumer.
bool try_wait_all_locked(_KTHREAD* t, PVOID const* objects, ULONG count, NTSTATUS& status) noexcept {
    for (ULONG i = 0; i < count; ++i)
        if (!satisfiable(static_cast<DISPATCHER_HEADER*>(objects[i]), t)) return false;
    bool abandoned = false;
    for (ULONG i = 0; i < count; ++i) {
        auto* h = static_cast<DISPATCHER_HEADER*>(objects[i]);
        if (kind_of(h) == Kind::Mutant) continue;
        if (!try_consume(h, t, abandoned)) {
            for (ULONG j = 0; j < i; ++j) {
                auto* g = static_cast<DISPATCHER_HEADER*>(objects[j]);
                if (kind_of(g) != Kind::Mutant) give_back(g);
            }
            return false;
        }
    }
    for (ULONG i = 0; i < count; ++i) {
        auto* h = static_cast<DISPATCHER_HEADER*>(objects[i]);
        if (kind_of(h) == Kind::Mutant) try_consume(h, t, abandoned);
    }
    status = abandoned ? STATUS_ABANDONED_WAIT_0 : STATUS_WAIT_0;
    return true;
}

bool try_wait_all_of_waiter_locked(_KTHREAD* t, NTSTATUS& status) noexcept {
    PVOID objects[MAXIMUM_WAIT_OBJECTS];
    for (ULONG i = 0; i < t->m_wait_count; ++i) objects[i] = t->m_wait_blocks[i].Object;
    return try_wait_all_locked(t, objects, t->m_wait_count, status);
}

inline void wake(_KTHREAD* t) noexcept {
    // The state changes under the lock; the system call waits until the lock is released.
    if (t->m_wait_word.exchange(kWaitIdle, std::memory_order_acq_rel) == kWaitSleeping)
        defer_wake(&t->m_wait_word);
}

}  // namespace

void queue_wait_block_locked(PKWAIT_BLOCK block, bool at_head) noexcept {
    auto* h = static_cast<DISPATCHER_HEADER*>(block->Object);
    // seq_cst: a completion port's insert pushes (seq_cst) and then loads this word; the waiter
    // looks at the queue's entries after setting the bit. One of the two sees the other.
    header_word(h).fetch_or(kWaitersBit, std::memory_order_seq_cst);
    if (at_head) InsertHeadList(&h->WaitListHead, &block->WaitListEntry);
    else InsertTailList(&h->WaitListHead, &block->WaitListEntry);
}

namespace {
// Takes one wait block off its object's list, clearing the waiter bit when the list empties.
void unlink_block_locked(PKWAIT_BLOCK b) noexcept {
    RemoveEntryList(&b->WaitListEntry);
    InitializeListHead(&b->WaitListEntry);
    auto* h = static_cast<DISPATCHER_HEADER*>(b->Object);
    if (IsListEmpty(&h->WaitListHead)) header_word(h).fetch_and(~kWaitersBit, std::memory_order_acq_rel);
}
}  // namespace

void unlink_wait_blocks_locked(_KTHREAD* t) noexcept {
    const ULONG count = t->m_wait_count;
    if (count == 0) return;  // a delay: no store, so a waker leaves that line clean (gate B4)
    for (ULONG i = 0; i < count; ++i) unlink_block_locked(&t->m_wait_blocks[i]);
    t->m_wait_count = 0;
}

void unwait_locked(_KTHREAD* t, NTSTATUS status) noexcept {
    unlink_wait_blocks_locked(t);
    t->m_wait_status = status;
    wake(t);
}

void unwait_dequeue_locked(_KTHREAD* t, PKWAIT_BLOCK b, NTSTATUS status) noexcept {
    unlink_block_locked(b);
    t->m_wait_status = status;
    wake(t);
}

_KTHREAD* wait_test_collect_locked(DISPATCHER_HEADER* h) noexcept {
    _KTHREAD* ready = nullptr;
    PLIST_ENTRY head = &h->WaitListHead;
    PLIST_ENTRY e = head->Flink;
    while (e != head) {
        auto* b = CONTAINING_RECORD(e, KWAIT_BLOCK, WaitListEntry);
        _KTHREAD* t = b->Thread;
        bool satisfied = false;
        NTSTATUS status = STATUS_WAIT_0;
        if (b->WaitType == WaitAny) {
            bool abandoned = false;
            if (!try_consume(h, t, abandoned)) break;  // nothing left to hand out
            status = (abandoned ? STATUS_ABANDONED_WAIT_0 : STATUS_WAIT_0) + b->WaitKey;
            satisfied = true;
        } else if (b->WaitType == WaitAll) {
            satisfied = try_wait_all_of_waiter_locked(t, status);
        }
        if (!satisfied) {
            e = e->Flink;
            continue;
        }
        unlink_wait_blocks_locked(t);
        t->m_wait_status = status;
        t->m_ready_next = ready;
        ready = t;
        if (kind_of(h) != Kind::Mutant && !object_signalled(h)) break;
        e = head->Flink;  // the waiter's blocks left every list: rescan from the start
    }
    return ready;
}

void wake_ready_locked(_KTHREAD* ready) noexcept {
    while (ready) {
        _KTHREAD* t = ready;
        ready = t->m_ready_next;
        wake(t);
    }
}

void wait_test_locked(DISPATCHER_HEADER* h) noexcept {
    // Woken only after the test: from then on `h` is not touched (a waiter may free it at once).
    wake_ready_locked(wait_test_collect_locked(h));
}

LONG set_signalled_waited(DISPATCHER_HEADER* h) noexcept {
    DispatcherGuard guard;
    LONG old = exchange_state(h, 1);
    if (old <= 0) wait_test_locked(h);
    return old;
}

void signal_object(DISPATCHER_HEADER* object) { set_signalled(object); }

WaitDeadline make_deadline(PLARGE_INTEGER timeout) noexcept {
    WaitDeadline d;
    if (!timeout) return d;
    d.infinite = false;
    LONGLONG t = timeout->QuadPart;
    if (t == 0) {
        d.zero = true;
    } else if (t < 0) {
        // SleepEx(INFINITE) passes 0x8000000000000000: negating it would overflow, and a relative
        // wait longer than the clock can count is an infinite one.
        // (Interrupt time stays far below 2^62 units of 100 ns, so the sum cannot overflow.)
        const std::uint64_t relative = 0 - static_cast<std::uint64_t>(t);
        if (relative >= (std::uint64_t{1} << 62)) {
            d.infinite = true;
            return d;
        }
        d.interrupt_due = host::interrupt_time() + relative;
    } else {
        d.absolute = true;
        d.system_due = t;
    }
    return d;
}

bool deadline_passed(const WaitDeadline& d) noexcept {
    if (d.infinite) return false;
    if (d.zero) return true;
    if (d.absolute) return host::system_time() >= d.system_due;
    return host::interrupt_time() >= d.interrupt_due;
}

NTSTATUS sleep_until_unwaited(_KTHREAD* t, const WaitDeadline& d) noexcept {
    std::uint32_t expected = kWaitBlocked;
    if (!t->m_wait_word.compare_exchange_strong(expected, kWaitSleeping, std::memory_order_acq_rel))
        return t->m_wait_status;  // satisfied before we slept
    host::Deadline hd;
    const host::Deadline* deadline = nullptr;
    if (!d.infinite) {
        hd = d.absolute ? host::deadline_from_system_time(d.system_due)
                        : host::deadline_from_interrupt_time(d.interrupt_due);
        deadline = &hd;
    }
    for (;;) {
        host::FutexResult r = sleep_waiting_thread(t, deadline);  // futex_wait, or the thread's sleeper
        if (t->m_wait_word.load(std::memory_order_acquire) == kWaitIdle) return t->m_wait_status;
        if (r == host::FutexResult::Timeout || deadline_passed(d)) {
            DispatcherGuard guard;
            if (t->m_wait_word.load(std::memory_order_acquire) == kWaitIdle) return t->m_wait_status;
            unlink_wait_blocks_locked(t);
            t->m_wait_status = STATUS_TIMEOUT;
            t->m_wait_word.store(kWaitIdle, std::memory_order_release);
            return STATUS_TIMEOUT;
        }
    }
}

NTSTATUS test_alertable_locked(_KTHREAD* t, KPROCESSOR_MODE mode, bool alertable) noexcept {
    if (t->m_termination_requested && termination_interrupts_locked(t, mode, alertable, t->m_irql)) [[unlikely]]
        return mode == UserMode ? STATUS_USER_APC : STATUS_ALERTED;
    if (alertable) {
        if (t->m_alerted[static_cast<unsigned>(mode)]) {
            t->m_alerted[static_cast<unsigned>(mode)] = FALSE;
            return STATUS_ALERTED;
        }
        if (mode != KernelMode && !IsListEmpty(&t->m_apc_list[static_cast<unsigned>(UserMode)])) {
            t->m_user_apc_pending.store(true, std::memory_order_relaxed);
            return STATUS_USER_APC;
        }
        if (t->m_alerted[static_cast<unsigned>(KernelMode)]) {
            t->m_alerted[static_cast<unsigned>(KernelMode)] = FALSE;
            return STATUS_ALERTED;
        }
    } else if (mode != KernelMode && t->m_user_apc_pending.load(std::memory_order_relaxed)) {
        return STATUS_USER_APC;
    }
    return STATUS_PENDING;
}

NTSTATUS wait_for_objects(_KTHREAD* t, const WaitRequest& rq) {
    // The deadline is fixed when the slow path is first entered (the fast path needs no clock).
    WaitDeadline deadline;
    bool have_deadline = false;
    PKWAIT_BLOCK blocks = rq.wait_blocks ? rq.wait_blocks : t->m_own_wait_blocks;
    for (;;) {
        if (t->m_irql == PASSIVE_LEVEL) deliver_kernel_apcs_if_pending(t);

        // Lock-free fast path: one object that is not a mutant (mutant ownership needs the lock).
        if (rq.count == 1) {
            auto* h = static_cast<DISPATCHER_HEADER*>(rq.objects[0]);
            if (kind_of(h) != Kind::Mutant) {
                bool abandoned = false;
                if (try_consume(h, t, abandoned)) return STATUS_WAIT_0;
            }
        }

        if (!have_deadline) {
            deadline = make_deadline(rq.timeout);
            have_deadline = true;
        }
        dispatcher_lock().lock();
        t->m_wait_blocks = blocks;
        t->m_wait_type = rq.wait_type;
        t->m_wait_mode = rq.wait_mode;
        t->m_wait_alertable = rq.alertable;
        t->m_wait_irql = t->m_irql;
        t->m_wait_status = STATUS_WAIT_0;
        t->m_wait_word.store(kWaitBlocked, std::memory_order_relaxed);
        for (ULONG i = 0; i < rq.count; ++i) {
            PKWAIT_BLOCK b = &blocks[i];
            b->Thread = t;
            b->Object = rq.objects[i];
            b->WaitKey = static_cast<USHORT>(i);
            b->WaitType = static_cast<UCHAR>(rq.wait_type);
            b->BlockState = 1;
            queue_wait_block_locked(b, false);
        }
        t->m_wait_count = rq.count;

        // With our waiter bits set, no signaller changes these objects without the lock: the
        // test below sees every state change that happened before.
        NTSTATUS status = STATUS_PENDING;
        if (rq.wait_type == WaitAny) {
            for (ULONG i = 0; i < rq.count; ++i) {
                bool abandoned = false;
                if (try_consume(static_cast<DISPATCHER_HEADER*>(rq.objects[i]), t, abandoned)) {
                    status = (abandoned ? STATUS_ABANDONED_WAIT_0 : STATUS_WAIT_0) + static_cast<NTSTATUS>(i);
                    break;
                }
            }
        } else if (rq.count > 0) {
            NTSTATUS all_status;
            if (try_wait_all_locked(t, rq.objects, rq.count, all_status)) status = all_status;
        }
        if (status == STATUS_PENDING) status = test_alertable_locked(t, rq.wait_mode, rq.alertable);
        if (status == STATUS_PENDING && deadline.zero) status = STATUS_TIMEOUT;
        bool retry_for_apc = false;
        if (status == STATUS_PENDING && t->m_irql == PASSIVE_LEVEL && kernel_apc_deliverable_locked(t))
            retry_for_apc = true;
        if (status != STATUS_PENDING || retry_for_apc) {
            unlink_wait_blocks_locked(t);
            t->m_wait_word.store(kWaitIdle, std::memory_order_relaxed);
            dispatcher_lock().unlock();
            if (retry_for_apc) continue;
            if (status == STATUS_USER_APC && rq.wait_mode == UserMode) deliver_user_apcs(t);
            return status;
        }
        queue_thread_blocking_locked(t);
        dispatcher_lock().unlock();

        status = sleep_until_unwaited(t, deadline);

        if (t->m_queue_blocked) {
            DispatcherGuard guard;
            queue_thread_resuming_locked(t);
        }
        if (status == STATUS_KERNEL_APC) continue;
        if (status == STATUS_USER_APC && rq.wait_mode == UserMode) deliver_user_apcs(t);
        return status;
    }
}

}  // namespace ntio::ke
