// ntio::ke::Kernel: the per-System kernel state: emulated processors with their DPC threads, the
// timer engine, the thread provider (ob), threads started for the system, and the rundown hooks
// that run when a thread terminates. Free functions below are ke's internal C++ surface for the
// other components (ex, ob, io, nt).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <wdm.h>
#include "ke/process.hpp"
#include "ke/thread.hpp"
#include "ke/thread_provider.hpp"

namespace ntio { class System; }

namespace ntio::ke {

class DpcProcessor;
class InterruptController;
class TimerEngine;
class HeapThreadProvider;

// Called on the terminating thread (PASSIVE_LEVEL, before the thread object is signalled and its
// mutants abandoned), e.g. by the I/O manager to cancel the thread's IRPs.
using ThreadRundownHook = void (*)(_KTHREAD* thread, void* context);

class Kernel {
public:
    Kernel(System& system, unsigned processors);
    ~Kernel();
    Kernel(const Kernel&) = delete;
    Kernel& operator=(const Kernel&) = delete;

    // Starts the DPC threads and the timer engine. stop() terminates the adopted host threads
    // that are still bound to this System and joins every thread the kernel started.
    void start();
    void stop();

    // The System of the calling thread's KTHREAD; null if it has none (never adopts).
    static System* system_of_current_thread() noexcept;
    System& system() noexcept { return m_system; }
    unsigned processor_count() const noexcept { return m_processors; }
    // Distinct for every kernel the process makes (never reused, unlike the address): what was armed
    // on a kernel that has stopped since is known to be disarmed.
    std::uint64_t generation() const noexcept { return m_generation; }

    // ob registers its provider during boot (before any thread is adopted); null restores the
    // heap provider. The provider must outlive every thread it allocated.
    void set_thread_provider(ThreadProvider* provider) noexcept;
    ThreadProvider& thread_provider() noexcept { return *m_provider; }

    // Runs `routine(context)` on a new host thread whose KTHREAD is `thread` (allocated through
    // the provider and prepared with initialize_thread). The thread terminates with
    // STATUS_SUCCESS when the routine returns. PASSIVE_LEVEL. STATUS_INSUFFICIENT_RESOURCES if
    // the host refuses a thread (the caller still owns `thread` then).
    NTSTATUS start_thread(_KTHREAD* thread, PKSTART_ROUTINE routine, PVOID context);

    // Terminates the calling thread (PsTerminateSystemThread): delivers its kernel APCs, runs the
    // rundown hooks, abandons its mutants, signals it, releases it and exits the host thread.
    [[noreturn]] void terminate_current_thread(NTSTATUS exit_status);

    void add_thread_rundown_hook(ThreadRundownHook hook, void* context);

    // Calls visit(thread, context) for each KTHREAD registered with this kernel and not yet
    // unregistered, under the thread list's lock (visit must not start or end threads).
    void for_each_thread(void (*visit)(_KTHREAD* thread, void* context), void* context);

    // Internal pieces (ke only).
    DpcProcessor& dpc_processor(unsigned number) noexcept { return *m_dpc[number]; }
    TimerEngine& timers() noexcept { return *m_timers; }
    InterruptController& interrupts() noexcept { return *m_interrupts; }
    void register_thread(_KTHREAD* thread);
    void run_rundown_hooks(_KTHREAD* thread);
    void unregister_thread(_KTHREAD* thread);
    bool accepting_threads() const noexcept { return m_accepting.load(std::memory_order_acquire); }

private:
    void reap_finished_host_threads_locked(bool all);

    System& m_system;
    unsigned m_processors;
    std::uint64_t m_generation;
    std::unique_ptr<HeapThreadProvider> m_heap_provider;
    ThreadProvider* m_provider;
    std::vector<std::unique_ptr<DpcProcessor>> m_dpc;
    std::unique_ptr<TimerEngine> m_timers;
    std::unique_ptr<InterruptController> m_interrupts;
    bool m_started = false;
    std::atomic<bool> m_accepting{true};

    std::mutex m_threads_lock;
    LIST_ENTRY m_threads;  // live KTHREADs (m_kernel_link)
    std::vector<HostThreadRecord*> m_host_threads;

    std::mutex m_hooks_lock;
    std::vector<std::pair<ThreadRundownHook, void*>> m_rundown_hooks;
};

// Signals a dispatcher object for good (threads, processes): SignalState 1 and every waiter
// whose wait this satisfies is woken. Any IRQL <= DISPATCH_LEVEL.
void signal_object(DISPATCHER_HEADER* object);

// Process termination's request to end a thread that is not the caller (NtTerminateProcess, system
// stop). ntio cannot unwind a host thread, so the request does what Learn's "Waits and APCs" table
// says termination does to a waiting thread: it interrupts every user-mode wait (STATUS_USER_APC)
// and every alertable kernel-mode wait (STATUS_ALERTED), now and from then on, unless the thread
// disabled kernel APCs or waits above PASSIVE_LEVEL; a non-alertable kernel-mode wait runs on.
// User APCs queued to the thread are not delivered once termination was requested (on NT the
// thread exits before returning to user mode). Any IRQL <= DISPATCH_LEVEL.
void request_thread_termination(_KTHREAD* thread) noexcept;

// Thread suspension (thread_suspend.cpp), what NtSuspendThread and NtResumeThread do once the
// handle is checked. suspend_thread raises the count (STATUS_SUSPEND_COUNT_EXCEEDED at
// MAXIMUM_SUSPEND_COUNT, STATUS_THREAD_IS_TERMINATING once the thread's end began) and, from zero,
// queues the suspend APC; resume_thread lowers it and lets the thread go at zero. Both give the
// count before the call. force_resume_thread clears it (termination, which a suspended thread must
// reach). initialize_suspension prepares a new thread object.
void initialize_suspension(_KTHREAD* thread) noexcept;
NTSTATUS suspend_thread(_KTHREAD* thread, ULONG* previous_count) noexcept;
NTSTATUS resume_thread(_KTHREAD* thread, ULONG* previous_count) noexcept;
void force_resume_thread(_KTHREAD* thread) noexcept;
ULONG suspend_count(_KTHREAD* thread) noexcept;

// User-mode mutant release (NtReleaseMutant): STATUS_MUTANT_NOT_OWNED when the caller does not own
// it (instead of the THREAD_NOT_MUTEX_OWNER bugcheck of KeReleaseMutex); *previous_count gets the
// state before release. `abandoned` releases it for good as abandoned (owner terminating).
NTSTATUS release_mutant(PRKMUTANT mutant, bool abandoned, LONG* previous_count);

// Completion ports' KQUEUEs (queue.cpp): make_queue_count_lazily, right after KeInitializeQueue,
// marks a queue whose entries all come through insert_queue_entry, KeInsertQueue without the
// previous count: one atomic step per entry instead of two. KeInsertQueue, KeInsertHeadQueue,
// KeReadStateQueue and KeRundownQueue stay correct on it (through the dispatcher lock).
// insert_queue_entry: any IRQL <= DISPATCH_LEVEL.
void make_queue_count_lazily(PRKQUEUE queue) noexcept;
void insert_queue_entry(PRKQUEUE queue, PLIST_ENTRY entry) noexcept;
// KeReadStateQueue for dumps and the inspector: never waits for the dispatcher lock; while another
// holder has it, a lazily counting queue reports its ready chain's count alone.
LONG queue_depth_snapshot(PRKQUEUE queue) noexcept;

// Batched KeRemoveQueue (GetQueuedCompletionStatusEx): waits like KeRemoveQueue for the first
// entry, then takes up to `max_entries` - 1 more that are already queued. Returns STATUS_SUCCESS
// with *removed >= 1, or STATUS_TIMEOUT / STATUS_USER_APC / STATUS_ALERTED / STATUS_ABANDONED with
// *removed == 0. IRQL <= APC_LEVEL (DISPATCH_LEVEL with a zero timeout).
NTSTATUS remove_queue_entries(PRKQUEUE queue, KPROCESSOR_MODE wait_mode, bool alertable,
                              PLARGE_INTEGER timeout, PLIST_ENTRY* entries, ULONG max_entries,
                              ULONG* removed);

// The emulated processor the caller runs on (its DPC processor for DPC threads).
unsigned current_processor(Kernel& kernel) noexcept;

// The processor a DPC runs on when queued now: its KeSetTargetProcessorDpc target, else the
// caller's processor.
unsigned dpc_processor_for(Kernel& kernel, PRKDPC dpc) noexcept;

// Whether a KTIMER is in its engine's list (set and not yet expired or cancelled). An expired timer
// has had its DPC queued by then: the engine does both under one lock. Any IRQL <= DISPATCH_LEVEL.
bool timer_armed(PKTIMER timer) noexcept;
// The interrupt time a KTIMER was last set to expire at (its next expiry while a periodic timer runs);
// 0 for a timer never set. Read under the engines' lock. Any IRQL <= DISPATCH_LEVEL.
ULONGLONG timer_due_time(PKTIMER timer) noexcept;

// Queues a DPC on a specific processor of `kernel` (timer engine, KeSetTargetProcessorDpc).
BOOLEAN insert_queue_dpc(Kernel& kernel, unsigned processor, PRKDPC dpc, PVOID arg1, PVOID arg2);

}  // namespace ntio::ke
