// _KTHREAD: the kernel half of a thread, laid over one host thread. Its DISPATCHER_HEADER comes
// first so that a thread is a waitable object, signalled for good when the thread terminates. ob
// derives _ETHREAD from it and allocates it through ke::ThreadProvider; ke initialises it with
// ke::initialize_thread() after allocation (no constructor arguments, so derived classes work).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <wdm.h>

namespace ntio { class System; }
namespace ntio::ke {
class Kernel;
class ThreadProvider;
struct ThreadBinding;
struct HostThreadRecord;

// Values of _KTHREAD::m_wait_word, the futex word the thread sleeps on.
inline constexpr std::uint32_t kWaitIdle = 0;      // not waiting, or the wait was satisfied
inline constexpr std::uint32_t kWaitBlocked = 1;   // wait blocks queued, not yet asleep
inline constexpr std::uint32_t kWaitSleeping = 2;  // asleep in the futex: satisfier must wake it
}  // namespace ntio::ke

struct _KTHREAD {
    // Waitable part (Type ThreadObject): SignalState becomes 1 when the thread terminates.
    DISPATCHER_HEADER Header{};

    // ---- Identity (set by initialize_thread, constant afterwards) ----
    ntio::System* m_system = nullptr;
    ntio::ke::Kernel* m_kernel = nullptr;
    ntio::ke::ThreadProvider* m_provider = nullptr;  // the provider that allocated it (release)
    PEPROCESS m_process = nullptr;
    bool m_is_system_thread = false;  // started by Kernel::start_thread (or a DPC thread)
    bool m_is_dpc_thread = false;
    unsigned m_dpc_processor = 0;

    // ---- Owned by the running thread itself ----
    KIRQL m_irql = PASSIVE_LEVEL;
    KPROCESSOR_MODE m_previous_mode = KernelMode;
    bool m_executing_dpc = false;
    std::atomic<bool> m_kernel_apc_in_progress{false};
    KPRIORITY m_priority = 8;
    KPRIORITY m_base_priority = 8;         // KeSetBasePriorityThread: the process's base (8) plus the increment
    KAFFINITY m_system_affinity = 0;       // KeSetSystemAffinityThreadEx & co.; 0: the user affinity (all)
    // Read by APC inserters on other threads (to decide whether a waiter may be woken): atomics.
    std::atomic<SHORT> m_kernel_apc_disable{0};   // KeEnterCriticalRegion: -1 per level (NT fact G8)
    std::atomic<SHORT> m_special_apc_disable{0};  // KeEnterGuardedRegion: -1 per level (NT fact G8)

    // Fields above are written by the thread itself on every service call (IRQL, PreviousMode,
    // regions); fields below are what other threads touch to queue an APC or satisfy a wait. The
    // pad keeps them on different cache lines whatever the object's alignment, so a waker does not
    // pull a line the target keeps dirtying (cross-core wake gates B3, B4).
    char m_false_sharing_pad[64]{};

    // ---- Protected by the dispatcher lock ----
    LIST_ENTRY m_apc_list[2]{};                // [KernelMode], [UserMode]
    std::atomic<bool> m_kernel_apc_pending{false};
    std::atomic<bool> m_user_apc_pending{false};
    bool m_apc_queueable = false;              // FALSE once termination began (NT fact G5)
    bool m_termination_requested = false;      // request_thread_termination (kernel.hpp)
    BOOLEAN m_alerted[2]{};                    // per KPROCESSOR_MODE
    LIST_ENTRY m_mutant_list{};                // KMUTANT.MutantListEntry of owned mutants
    PRKQUEUE m_queue = nullptr;                // associated KQUEUE (concurrency accounting)
    bool m_queue_blocked = false;              // not counted in m_queue->CurrentCount while blocked
    LIST_ENTRY m_queue_link{};                 // in KQUEUE.ThreadListHead

    // Wait state: blocks queued in the objects' WaitListHead while waiting.
    PKWAIT_BLOCK m_wait_blocks = nullptr;
    ULONG m_wait_count = 0;  // may stay 1 after a KQUEUE handed its entry over (unwait_dequeue_locked)
    WAIT_TYPE m_wait_type = WaitAny;
    KPROCESSOR_MODE m_wait_mode = KernelMode;
    BOOLEAN m_wait_alertable = FALSE;
    KIRQL m_wait_irql = PASSIVE_LEVEL;
    _KTHREAD* m_ready_next = nullptr;          // wait_test_locked's deferred-wake chain

    // One cache line (bodies of thread objects are line-aligned, ob/object_header.hpp) holds what
    // a waker of a single-object wait touches: the word, the status, the entry a KQUEUE hands
    // over, and the first wait block up to its Object. A cross-core wake pulls one line of the
    // waiter (gates B3, B4). Checked by the static_assert after the struct.
    alignas(64) std::atomic<std::uint32_t> m_wait_word{ntio::ke::kWaitIdle};
    NTSTATUS m_wait_status = STATUS_SUCCESS;
    PLIST_ENTRY m_dequeued_entry = nullptr;    // entry handed over by KeInsertQueue to this waiter
    KWAIT_BLOCK m_own_wait_blocks[THREAD_WAIT_OBJECTS + 1]{};

    char m_false_sharing_pad_end[64]{};

    // ---- Lifetime ----
    std::atomic<bool> m_terminated{false};
    NTSTATUS m_exit_status = STATUS_PENDING;
    ntio::ke::ThreadBinding* m_binding = nullptr;        // adopted host threads only
    std::atomic<_KTHREAD*>* m_current_slot = nullptr;    // adopted: the host thread's t_current_thread
    ntio::ke::HostThreadRecord* m_host_record = nullptr; // threads started by Kernel::start_thread
    LIST_ENTRY m_kernel_link{};                          // Kernel's list of live threads
    PKSTART_ROUTINE m_start_routine = nullptr;
    PVOID m_start_context = nullptr;
    std::uint64_t m_unique_id = 0;

    // ---- Executive timers (ex/timer_object.cpp) ----
    // Timer objects whose APC targets this thread (NT's ETHREAD.ActiveTimerListHead), guarded by
    // m_active_timer_lock (taken after a timer's own lock); the thread's rundown cancels them.
    LIST_ENTRY m_active_timers{};
    KSPIN_LOCK m_active_timer_lock = 0;

    // ---- Scheduling and accounting the DDIs record and report (thread_accounting.cpp) ----
    std::atomic<UCHAR> m_ideal_processor{0};  // KeSetIdealProcessorThread: the user ideal processor
    bool m_stack_swap_enabled = true;          // KeSetKernelStackSwapEnable (written by the thread itself)
    // The host thread's CPU-time clock (a clockid_t), valid while the host thread runs; at termination
    // the time it read last is kept in m_final_cpu_time_ns and reported from then on.
    std::atomic<int> m_cpu_clock{0};
    std::atomic<bool> m_has_cpu_clock{false};
    std::atomic<std::uint64_t> m_final_cpu_time_ns{0};
    // System times (100 ns since 1601) of the thread's creation and of its termination (0 while it
    // runs): GetThreadTimes.
    std::int64_t m_create_time = 0;
    std::atomic<std::int64_t> m_exit_time{0};

    // ---- Suspension (thread_suspend.cpp): NT's suspend count, suspend APC and the event the
    // APC's normal routine waits on while the count is above zero. The count and the event's
    // clearing are guarded by m_suspend_lock.
    KSPIN_LOCK m_suspend_lock = 0;
    ULONG m_suspend_count = 0;
    KAPC m_suspend_apc{};
    KEVENT m_resume_event{};
};

static_assert(offsetof(_KTHREAD, m_own_wait_blocks[0].Object) + sizeof(PVOID) - offsetof(_KTHREAD, m_wait_word) <= 64,
              "a single-object waker must touch one line of the waiting thread");

namespace ntio::ke {

// Prepares a freshly allocated thread object (from ThreadProvider::allocate_thread) for `system`
// in `process`, and records the Kernel's current provider as the one that will release it. Call it
// right after allocation, before the object is visible to other threads. Any IRQL.
void initialize_thread(_KTHREAD* thread, System& system, PEPROCESS process);

// The calling thread's KTHREAD as current_thread_if_any() answers it; a trivially destructible
// constinit thread-local, so the inline readers below compile to one TLS load (thread.cpp keeps it).
extern constinit thread_local std::atomic<_KTHREAD*> t_current_thread;
_KTHREAD* adopt_current_thread() noexcept;

// The calling thread's KTHREAD if it already has one; never adopts.
inline _KTHREAD* current_thread_if_any() noexcept { return t_current_thread.load(std::memory_order_acquire); }
// The calling host thread's KTHREAD, adopting the host thread on its first call (into the
// System::current() system's host_thread_process()). Null only when no System is alive.
inline _KTHREAD* current_thread() noexcept {
    if (_KTHREAD* t = current_thread_if_any()) return t;
    return adopt_current_thread();
}

// Sets the calling thread's PreviousMode (Nt* services: UserMode on entry from the application,
// KernelMode for Zw* calls); returns the previous value.
KPROCESSOR_MODE set_previous_mode(KPROCESSOR_MODE mode) noexcept;

// Read-only views for tests and the inspector (NT fact G8: nesting values of the counters).
inline SHORT kernel_apc_disable(const _KTHREAD* t) noexcept { return t->m_kernel_apc_disable.load(std::memory_order_relaxed); }
inline SHORT special_apc_disable(const _KTHREAD* t) noexcept { return t->m_special_apc_disable.load(std::memory_order_relaxed); }
// NT's CombinedApcDisable: SpecialApcDisable in the high 16 bits, KernelApcDisable in the low.
inline ULONG combined_apc_disable(const _KTHREAD* t) noexcept {
    return (static_cast<ULONG>(static_cast<USHORT>(special_apc_disable(t))) << 16) |
           static_cast<USHORT>(kernel_apc_disable(t));
}
inline bool is_terminated(const _KTHREAD* t) noexcept { return t->m_terminated.load(std::memory_order_acquire); }
inline NTSTATUS exit_status(const _KTHREAD* t) noexcept { return t->m_exit_status; }

}  // namespace ntio::ke
