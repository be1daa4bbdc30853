// Per-thread "before-block" pollers: a component whose completions are best reaped by the thread
// that waits for them (the io_uring disk's per-thread rings) registers a poller for that thread, and
// the blocking paths (KeWaitFor*, KeDelayExecutionThread, KeRemoveQueue and the port removals) run
// it before they sleep, so the common case completes without crossing a thread boundary.
#pragma once

#include <wdm.h>

namespace ntio::ke {

// Called on the registering thread before it blocks. may_block: the wait has no timeout, so the
// poller may sleep in its own source (bounded: it must return within about a millisecond so that
// the wait re-checks its objects). Returns true while it made progress or still has work under
// way (the caller re-checks its wait condition and calls again), false when it has nothing to do.
using WaitPoller = bool (*)(void* context, bool may_block) noexcept;

// At most kMaxWaitPollers per thread; false when the table is full. Registering the same pair
// twice registers it once.
inline constexpr int kMaxWaitPollers = 4;
bool register_wait_poller(WaitPoller poller, void* context) noexcept;
void unregister_wait_poller(WaitPoller poller, void* context) noexcept;

// Runs the calling thread's pollers once (not re-entrantly: a poller's completion routine that
// waits runs none); true when any asked to be called again.
bool run_wait_pollers(bool may_block) noexcept;

// The single call lines of the blocking paths. Each returns at once when the thread has no poller
// (one thread-local load); else it polls until an object is signalled (any of `count`, or all for
// WaitAll), the queue has entries, or the pollers have nothing left to do. Only an infinite wait
// lets a poller block.
void poll_before_wait(ULONG count, PVOID* objects, WAIT_TYPE wait_type, PLARGE_INTEGER timeout) noexcept;
void poll_before_dequeue(PRKQUEUE queue, PLARGE_INTEGER timeout) noexcept;

}  // namespace ntio::ke
