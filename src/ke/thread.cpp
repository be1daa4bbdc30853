// Thread identity: adoption of host threads on their first ntio call, the TLS binding whose
// destructor terminates an adopted thread, KeGetCurrentThread and PreviousMode.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "host/clock.hpp"
#include "host/thread.hpp"
#include "ke/thread.hpp"
#include "ke/kernel.hpp"
#include "ke/previous_mode.hpp"
#include "ke/thread_lifecycle.hpp"
#include "ntio/system.hpp"

namespace ntio::ke {

// The binding proper: whose destructor terminates an adopted thread when its host thread exits.
struct ThreadBinding {
    std::atomic<_KTHREAD*> thread{nullptr};
    ~ThreadBinding();
};

constinit thread_local std::atomic<_KTHREAD*> t_current_thread{nullptr};

namespace {
thread_local ThreadBinding t_binding;
// Trivially destructible, so usable while other thread_locals are being destroyed.
thread_local _KTHREAD* t_terminating = nullptr;
thread_local bool t_adopting = false;
thread_local bool t_binding_gone = false;
std::atomic<std::uint64_t> g_next_thread_id{1};

// What current_thread_if_any() answers: the bound thread, else the one terminating itself here.
void refresh_current() noexcept {
    _KTHREAD* bound = t_binding_gone ? nullptr : t_binding.thread.load(std::memory_order_relaxed);
    t_current_thread.store(bound ? bound : t_terminating, std::memory_order_release);
}

_KTHREAD* adopt() noexcept;
}  // namespace

void note_host_cpu_clock(_KTHREAD* thread) noexcept {
    int clock = 0;
    if (!host::current_thread_cpu_clock(clock)) return;
    thread->m_cpu_clock.store(clock, std::memory_order_relaxed);
    thread->m_has_cpu_clock.store(true, std::memory_order_release);
}

namespace {
_KTHREAD* adopt() noexcept {
    if (t_adopting || t_binding_gone) return nullptr;
    System* system = System::current();
    if (!system) return nullptr;
    Kernel& kernel = system->kernel();
    if (!kernel.accepting_threads()) return nullptr;
    t_adopting = true;
    ThreadProvider& provider = kernel.thread_provider();
    PEPROCESS process = provider.host_thread_process();
    _KTHREAD* thread = provider.allocate_thread(process);
    if (thread) {
        initialize_thread(thread, *system, process);
        // Adopted host threads are the application's threads: Nt* services see UserMode callers.
        thread->m_previous_mode = UserMode;
        thread->m_binding = &t_binding;
        thread->m_current_slot = &t_current_thread;
        note_host_cpu_clock(thread);
        kernel.register_thread(thread);
        t_binding.thread.store(thread, std::memory_order_release);
        refresh_current();
    }
    t_adopting = false;
    return thread;
}
}  // namespace

ThreadBinding::~ThreadBinding() {
    _KTHREAD* thread = this->thread.exchange(nullptr, std::memory_order_acq_rel);
    if (thread) {
        t_terminating = thread;
        refresh_current();
        terminate_thread(thread, STATUS_SUCCESS);
        t_terminating = nullptr;
    }
    t_binding_gone = true;
    refresh_current();
}

void initialize_thread(_KTHREAD* t, System& system, PEPROCESS process) {
    t->Header.Lock = 0;
    t->Header.Type = ThreadObject;
    t->Header.Size = static_cast<UCHAR>(sizeof(DISPATCHER_HEADER) / sizeof(LONG));
    t->Header.SignalState = 0;
    InitializeListHead(&t->Header.WaitListHead);
    t->m_system = &system;
    t->m_kernel = &system.kernel();
    t->m_provider = &system.kernel().thread_provider();
    t->m_process = process;
    t->m_irql = PASSIVE_LEVEL;
    t->m_previous_mode = KernelMode;
    InitializeListHead(&t->m_apc_list[KernelMode]);
    InitializeListHead(&t->m_apc_list[UserMode]);
    InitializeListHead(&t->m_mutant_list);
    InitializeListHead(&t->m_queue_link);
    InitializeListHead(&t->m_kernel_link);
    InitializeListHead(&t->m_active_timers);
    t->m_active_timer_lock = 0;
    t->m_apc_queueable = true;
    initialize_suspension(t);
    t->m_exit_status = STATUS_PENDING;
    t->m_create_time = host::system_time();
    t->m_unique_id = g_next_thread_id.fetch_add(1, std::memory_order_relaxed);
    // Ideal processors handed out in turn, as NT spreads a process's threads.
    t->m_ideal_processor.store(static_cast<UCHAR>(t->m_unique_id % system.kernel().processor_count()),
                               std::memory_order_relaxed);
}

_KTHREAD* adopt_current_thread() noexcept { return adopt(); }

void bind_current_thread(_KTHREAD* thread) noexcept {
    note_host_cpu_clock(thread);
    t_binding.thread.store(thread, std::memory_order_release);
    refresh_current();
}

_KTHREAD* unbind_current_thread_for_exit() noexcept {
    _KTHREAD* thread = t_binding.thread.exchange(nullptr, std::memory_order_acq_rel);
    t_terminating = thread;
    refresh_current();
    return thread;
}

void clear_terminating() noexcept {
    t_terminating = nullptr;
    refresh_current();
}

bool detach_binding(ThreadBinding* binding, _KTHREAD* thread) noexcept {
    if (!binding->thread.compare_exchange_strong(thread, nullptr, std::memory_order_acq_rel)) return false;
    // The host thread no longer sees it as current (it adopts a new one if it calls in again).
    _KTHREAD* expected = thread;
    thread->m_current_slot->compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel);
    return true;
}

KPROCESSOR_MODE set_previous_mode(KPROCESSOR_MODE mode) noexcept {
    _KTHREAD* t = current_thread();
    if (!t) return KernelMode;
    KPROCESSOR_MODE old = t->m_previous_mode;
    t->m_previous_mode = mode;
    return old;
}

}  // namespace ntio::ke

using namespace ntio::ke;

extern "C" {

NTKERNELAPI PKTHREAD KeGetCurrentThread(VOID) { return current_thread(); }

NTKERNELAPI KPROCESSOR_MODE KeGetPreviousMode(VOID) { return ntio::ke::previous_mode(); }

NTKERNELAPI KPROCESSOR_MODE ExGetPreviousMode(VOID) { return KeGetPreviousMode(); }

NTKERNELAPI KPRIORITY KeQueryPriorityThread(PKTHREAD Thread) { return Thread ? Thread->m_priority : 0; }

// NT deviation: the priority is recorded and reported but does not change host scheduling.
NTKERNELAPI KPRIORITY KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority) {
    KPRIORITY old = Thread->m_priority;
    Thread->m_priority = Priority;
    return old;
}

NTKERNELAPI BOOLEAN KeIsExecutingDpc(VOID) {
    _KTHREAD* t = current_thread_if_any();
    return t && t->m_executing_dpc;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-kesetbaseprioritythread
// The base becomes the process's base priority (8 for every ntio thread) plus Increment, kept inside
// the variable class (1 to LOW_REALTIME_PRIORITY - 1); the current priority follows it. Returns the
// previous increment (old base minus the process's base).
// NT deviation: like KeSetPriorityThread, recorded and reported, host scheduling is unchanged.
NTKERNELAPI LONG KeSetBasePriorityThread(PKTHREAD Thread, LONG Increment) {
    constexpr KPRIORITY kProcessBase = 8;
    if (!Thread) return 0;
    const LONG previous = Thread->m_base_priority - kProcessBase;
    const LONGLONG wanted = static_cast<LONGLONG>(kProcessBase) + Increment;
    const KPRIORITY base = static_cast<KPRIORITY>(std::clamp<LONGLONG>(wanted, 1, LOW_REALTIME_PRIORITY - 1));
    Thread->m_base_priority = base;
    Thread->m_priority = base;
    return previous;
}

}  // extern "C"
