// The dispatcher: one process-wide lock (NT's classic dispatcher lock) that guards wait lists,
// mutant ownership, APC queues, alerts and KQUEUE state, plus the wait engine that lives in the
// Windows-layout objects themselves (SignalState + WaitListHead of KWAIT_BLOCKs). SignalState is
// only ever touched atomically so that the lock-free fast paths (wait on a signalled event, set
// an event nobody waits on) can race with lock holders safely.
#pragma once

#include <atomic>
#include <cstdint>

#include <wdm.h>
#include "ke/thread.hpp"

namespace ntio::ke {

// On a line of its own: every cross-core wake takes it, and no unrelated write may bounce it.
class alignas(64) DispatcherLock {
public:
    void lock() noexcept;
    // Takes the lock only if it is free (a snapshot that must not wait, or self-deadlock in a
    // bugcheck's dump while this thread holds it).
    bool try_lock() noexcept {
        return !m_locked.load(std::memory_order_relaxed) && !m_locked.exchange(true, std::memory_order_acquire);
    }
    // Releases the lock, then issues the futex wakes that were decided while it was held, so a
    // woken thread never spins on a lock its waker still holds during the wake system call.
    void unlock() noexcept;

private:
    std::atomic<bool> m_locked{false};
};

DispatcherLock& dispatcher_lock() noexcept;

// Asks for the cache line of `p` in exclusive state without waiting for it: for a line the caller
// is about to read and then write, so that a line last written on another CPU crosses once, not
// once to read and again to own. Never faults, so a stale pointer is harmless.
inline void prefetch_for_write(const void* p) noexcept {
#if defined(__x86_64__)
    // __builtin_prefetch(p, 1) is a plain (shared) prefetch unless the target ISA names PREFETCHW;
    // PREFETCHW is a no-op on the x86-64 CPUs that lack it.
    asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p)));
#else
    __builtin_prefetch(p, 1, 3);
#endif
}

// A pointer read without the lock that guards it, used only as a prefetch address: the value may
// be stale or torn by a concurrent update, which a prefetch tolerates. The read is opaque to the
// compiler (and to tsan), so it is no C++ data race; without x86-64 there is no hint.
inline const void* racy_hint(void* const* p) noexcept {
#if defined(__x86_64__)
    const void* v;
    asm volatile("movq %1, %0" : "=r"(v) : "m"(*p));
    return v;
#else
    (void)p;
    return nullptr;
#endif
}

struct DispatcherGuard {
    DispatcherGuard() noexcept { dispatcher_lock().lock(); }
    ~DispatcherGuard() { dispatcher_lock().unlock(); }
    DispatcherGuard(const DispatcherGuard&) = delete;
    DispatcherGuard& operator=(const DispatcherGuard&) = delete;
};

// The first 8 bytes of a DISPATCHER_HEADER (Lock/Type/.../SignalState) are one atomic word.
// Bit 31 (the high bit of the header's fourth byte) says "wait blocks are queued": a signaller
// that finds it clear may change SignalState with one CAS and never touch the object again (the
// waiter may free it the moment it sees the new state); one that finds it set takes the lock.
// Waiters set it under the lock before they queue, and clear it when the list empties.
inline constexpr ULONG64 kWaitersBit = 1ull << 31;
inline std::atomic_ref<ULONG64> header_word(DISPATCHER_HEADER* h) noexcept {
    return std::atomic_ref<ULONG64>(*reinterpret_cast<ULONG64*>(h));
}
inline LONG state_in(ULONG64 word) noexcept { return static_cast<LONG>(static_cast<ULONG>(word >> 32)); }
inline ULONG64 with_state(ULONG64 word, LONG state) noexcept {
    return (word & 0xffffffffull) | (static_cast<ULONG64>(static_cast<ULONG>(state)) << 32);
}
inline LONG state_of(DISPATCHER_HEADER* h) noexcept { return state_in(header_word(h).load(std::memory_order_acquire)); }
inline UCHAR type_of(DISPATCHER_HEADER* h) noexcept {
    return static_cast<UCHAR>(header_word(h).load(std::memory_order_relaxed) & 0xff);
}
inline bool has_waiters(DISPATCHER_HEADER* h) noexcept {
    return (header_word(h).load(std::memory_order_acquire) & kWaitersBit) != 0;
}
// A KQUEUE's incoming stack (queue.cpp: EntryListHead.Blink) holds entries. A queue whose inserts
// count lazily (a completion port's) does not count those in SignalState until a remover takes
// them over, so "the queue is signalled" is SignalState > 0 or this.
inline bool queue_has_incoming(DISPATCHER_HEADER* h) noexcept {
    auto* q = reinterpret_cast<PRKQUEUE>(h);
    return std::atomic_ref<PLIST_ENTRY>(q->EntryListHead.Blink).load(std::memory_order_seq_cst) != nullptr;
}
inline bool queue_signalled(DISPATCHER_HEADER* h) noexcept { return state_of(h) > 0 || queue_has_incoming(h); }
// Any dispatcher object's signal state as waits see it (a mutant's ownership aside).
inline bool object_signalled(DISPATCHER_HEADER* h) noexcept {
    return type_of(h) == QueueObject ? queue_signalled(h) : state_of(h) > 0;
}

// Replaces / adjusts SignalState atomically (flag and type untouched); returns the old state.
LONG exchange_state(DISPATCHER_HEADER* h, LONG state) noexcept;
LONG add_state(DISPATCHER_HEADER* h, LONG delta) noexcept;

void initialize_header(DISPATCHER_HEADER* h, UCHAR type, UCHAR size_in_longs, LONG state) noexcept;

// Runs the wait test on `h` after its state went up: satisfies, in list order, the waiters the
// new state allows. Dispatcher lock held.
void wait_test_locked(DISPATCHER_HEADER* h) noexcept;
// The two halves of wait_test_locked: satisfy (unlink, set status) and then wake, for callers
// that must change the object between the two.
_KTHREAD* wait_test_collect_locked(DISPATCHER_HEADER* h) noexcept;
void wake_ready_locked(_KTHREAD* ready) noexcept;

// Ends `thread`'s wait with `status`: unlinks its wait blocks and wakes it (one futex wake, only
// if it already sleeps). Dispatcher lock held; the thread must be waiting. The object that caused
// it must not be touched afterwards (the woken thread may free it): wait_test_locked defers the
// wakes to its end for that reason.
void unwait_locked(_KTHREAD* thread, NTSTATUS status) noexcept;
// unwait_locked for a KQUEUE's dequeue waiter, whose one wait block is `block`: touches only the
// waiter's wait line (thread.hpp), leaving m_wait_count for the woken thread to clear, so a
// cross-core handoff pulls one line of the waiter (gate B3). Lock held.
void unwait_dequeue_locked(_KTHREAD* thread, PKWAIT_BLOCK block, NTSTATUS status) noexcept;
// Unlinks a waiter's blocks (clearing the objects' waiter bits when their lists empty). Lock held.
void unlink_wait_blocks_locked(_KTHREAD* t) noexcept;
// Queues a wait block on its object (setting the waiter bit). Lock held.
void queue_wait_block_locked(PKWAIT_BLOCK block, bool at_head) noexcept;
inline bool is_waiting_locked(const _KTHREAD* t) noexcept {
    // A delay (KeDelayExecutionThread) waits on no object at all and is still a wait that an APC
    // or an alert must end; under the lock a non-idle word means the thread is in a wait.
    return t->m_wait_word.load(std::memory_order_relaxed) != kWaitIdle;
}

// Sets a header's state to 1 and wakes what that satisfies, taking the lock only when someone
// waits. Events, timers, threads, processes. Returns the previous state. The lock-free case is
// inline (every completion sets the file's event); set_signalled_waited takes the lock.
LONG set_signalled_waited(DISPATCHER_HEADER* h) noexcept;
inline LONG set_signalled(DISPATCHER_HEADER* h) noexcept {
    auto word = header_word(h);
    ULONG64 w = word.load(std::memory_order_acquire);
    while (!(w & kWaitersBit)) {
        if (state_in(w) > 0) return state_in(w);
        if (word.compare_exchange_weak(w, with_state(w, 1), std::memory_order_acq_rel)) return 0;
    }
    return set_signalled_waited(h);
}

// The wait engine behind KeWaitFor*, KeDelayExecutionThread and KeRemoveQueue. `objects` may be
// null with count 0 (a pure delay). `queue` non-null makes it a dequeue wait on that KQUEUE.
struct WaitRequest {
    ULONG count = 0;
    PVOID* objects = nullptr;
    WAIT_TYPE wait_type = WaitAny;
    KPROCESSOR_MODE wait_mode = KernelMode;
    bool alertable = false;
    PLARGE_INTEGER timeout = nullptr;
    PKWAIT_BLOCK wait_blocks = nullptr;
};
NTSTATUS wait_for_objects(_KTHREAD* thread, const WaitRequest& request);

// Timeout bookkeeping shared with KQUEUE waits: an NT timeout turned into a fixed deadline.
struct WaitDeadline {
    bool infinite = true;
    bool zero = false;
    bool absolute = false;     // system-time deadline (positive NT timeout)
    std::uint64_t interrupt_due = 0;
    std::int64_t system_due = 0;
};
WaitDeadline make_deadline(PLARGE_INTEGER timeout) noexcept;
bool deadline_passed(const WaitDeadline& d) noexcept;

// Sleeps until the wait word says the wait is over or the deadline passes; on timeout ends the
// wait itself (STATUS_TIMEOUT) unless a satisfier got there first. Returns m_wait_status.
NTSTATUS sleep_until_unwaited(_KTHREAD* thread, const WaitDeadline& deadline) noexcept;

// Whether a termination request interrupts a wait in `mode` (alertable or not) at `irql`: Learn,
// "Waits and APCs": termination interrupts user-mode waits, alertable or not, and alertable
// kernel-mode waits; a thread that disabled kernel APCs cannot be terminated meanwhile.
inline bool termination_interrupts_locked(const _KTHREAD* t, KPROCESSOR_MODE mode, bool alertable, KIRQL irql) noexcept {
    return (mode == UserMode || alertable) && irql == PASSIVE_LEVEL &&
           t->m_kernel_apc_disable.load(std::memory_order_relaxed) == 0 &&
           t->m_special_apc_disable.load(std::memory_order_relaxed) == 0;
}

// Alert / user-APC test of an alertable (or user-mode) wait, NT's order. Lock held. Returns
// STATUS_WAIT_0 when the wait may block.
NTSTATUS test_alertable_locked(_KTHREAD* t, KPROCESSOR_MODE wait_mode, bool alertable) noexcept;

// Concurrency accounting of the thread's KQUEUE around a blocking wait elsewhere. Lock held.
void queue_thread_blocking_locked(_KTHREAD* t) noexcept;
void queue_thread_resuming_locked(_KTHREAD* t) noexcept;

}  // namespace ntio::ke
