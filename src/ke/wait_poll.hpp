// Per-thread "before-block" pollers and sleepers: a component whose completions are best reaped by
// the thread that waits for them (the io_uring disk's per-thread rings) registers a poller for that
// thread, and the blocking paths (KeWaitFor*, KeDelayExecutionThread, KeRemoveQueue and the port
// removals) run it before they sleep, so the common case completes without crossing a thread
// boundary. A component that can also sleep on the thread's wait word inside its own source (an
// io_uring FUTEX_WAIT on the KTHREAD's wait word) registers a sleeper: the wait path then sleeps in
// it, so the thread wakes at once for whichever comes first, its source or whatever ke wakes it for.
#pragma once

#include <atomic>
#include <cstdint>

#include <wdm.h>

#include "host/futex.hpp"

namespace ntio::ke {

// Called on the registering thread before it blocks. may_block: the wait has no timeout, so the
// poller may sleep in its own source (bounded: it must return within about a millisecond so that
// the wait re-checks its objects). sleeper_follows: the thread has a sleeper and the wait is not a
// zero-timeout poll, so a poller whose sleeper will sleep for it may leave its submissions to that
// sleep (one system call) and must not block; it is also set, without may_block, for the run right
// after a sleeper reported work (the sleep has just been in the kernel: deliver what is ready). Returns true while it made progress or still has
// work under way (the caller re-checks its wait condition and calls again), false when it has
// nothing to do.
using WaitPoller = bool (*)(void* context, bool may_block, bool sleeper_follows) noexcept;

// At most kMaxWaitPollers per thread; false when the table is full. Registering the same pair
// twice registers it once.
inline constexpr int kMaxWaitPollers = 4;
bool register_wait_poller(WaitPoller poller, void* context) noexcept;
void unregister_wait_poller(WaitPoller poller, void* context) noexcept;

// Runs the calling thread's pollers once (not re-entrantly: a poller's completion routine that
// waits runs none); true when any asked to be called again.
bool run_wait_pollers(bool may_block, bool sleeper_follows = false) noexcept;

// How many waits (blocking or not: every KeWaitFor*, KeDelayExecutionThread, KeRemoveQueue and
// what is built on them) the calling thread entered while it had a poller; wraps. A poller's
// owner compares two readings to learn whether the thread waited in between.
// Inline: the io_uring disk reads it on every request.
extern constinit thread_local std::uint32_t t_polled_waits;
inline std::uint32_t polled_waits() noexcept { return t_polled_waits; }

// The single call lines of the blocking paths. Each returns at once when the thread has no poller
// (one thread-local load); else it polls until an object is signalled (any of `count`, or all for
// WaitAll), the queue has entries, or the pollers have nothing left to do. Only an infinite wait
// lets a poller block.
void poll_before_wait(ULONG count, PVOID* objects, WAIT_TYPE wait_type, PLARGE_INTEGER timeout) noexcept;
void poll_before_dequeue(PRKQUEUE queue, PLARGE_INTEGER timeout) noexcept;

// What a sleeper's sleep ended with.
enum class SleepOutcome {
    none,     // it had nothing in its source: it did not sleep (ke sleeps in the futex)
    woken,    // *word may have left `sleeping` (or a spurious return): ke re-checks the word
    timeout,  // the deadline passed
    work,     // its source has completions to deliver: ke ends the wait, runs the pollers, retries
};

// Sleeps while *word == sleeping, until the deadline (null: none), or until its own source has
// work. It must not run completion routines (the thread is inside a wait); ke runs the pollers
// after it has taken the thread out of the wait. The word is the KTHREAD's futex word: every ke
// waker stores kWaitIdle in it and then futex-wakes it, so a sleeper that waits on the word in
// the kernel (FUTEX_WAIT, private, any bitset) is woken by exactly what wakes the thread.
using WaitSleeper = SleepOutcome (*)(void* context, std::atomic<std::uint32_t>* word, std::uint32_t sleeping,
                                     const host::Deadline* deadline) noexcept;

// How many sleepers a wake of a KTHREAD's wait word wakes: the thread itself and at most one
// kernel wait a sleeper keeps armed on the word between the thread's sleeps (its next sleep reuses
// it), which must never take the only wake meant for the thread sleeping elsewhere.
inline constexpr int kWaitWordWaiters = 2;

// One sleeper per thread: false when another is registered. Clearing an unregistered one is a no-op.
bool set_wait_sleeper(WaitSleeper sleeper, void* context) noexcept;
void clear_wait_sleeper(WaitSleeper sleeper, void* context) noexcept;

// The sleep of a thread whose wait blocks are queued and whose word holds kWaitSleeping (the one
// call line of the dispatcher's sleep): the thread's sleeper when it has one (and is not inside a
// poller), else futex_wait. When the sleeper reports work, the thread leaves the wait under the
// dispatcher lock (unless a waker already ended it) with STATUS_KERNEL_APC, which every wait loop
// takes as "test again", and its pollers deliver the completions before it returns.
host::FutexResult sleep_waiting_thread(_KTHREAD* thread, const host::Deadline* deadline) noexcept;

}  // namespace ntio::ke
