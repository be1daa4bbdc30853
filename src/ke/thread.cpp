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

#include "ke/thread.hpp"
#include "ke/kernel.hpp"
#include "ke/thread_lifecycle.hpp"
#include "ntio/system.hpp"

namespace ntio::ke {

struct ThreadBinding {
    std::atomic<_KTHREAD*> thread{nullptr};
    ~ThreadBinding();
};

namespace {
thread_local ThreadBinding t_binding;
// Trivially destructible, so usable while other thread_locals are being destroyed.
thread_local _KTHREAD* t_terminating = nullptr;
thread_local bool t_adopting = false;
thread_local bool t_binding_gone = false;
std::atomic<std::uint64_t> g_next_thread_id{1};

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
        kernel.register_thread(thread);
        t_binding.thread.store(thread, std::memory_order_release);
    }
    t_adopting = false;
    return thread;
}
}  // namespace

ThreadBinding::~ThreadBinding() {
    _KTHREAD* thread = this->thread.exchange(nullptr, std::memory_order_acq_rel);
    if (thread) {
        t_terminating = thread;
        terminate_thread(thread, STATUS_SUCCESS);
        t_terminating = nullptr;
    }
    t_binding_gone = true;
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
    t->m_apc_queueable = true;
    t->m_exit_status = STATUS_PENDING;
    t->m_unique_id = g_next_thread_id.fetch_add(1, std::memory_order_relaxed);
}

_KTHREAD* current_thread_if_any() noexcept {
    if (t_binding_gone) return t_terminating;
    if (_KTHREAD* t = t_binding.thread.load(std::memory_order_acquire)) return t;
    return t_terminating;
}

_KTHREAD* current_thread() noexcept {
    if (_KTHREAD* t = current_thread_if_any()) return t;
    return adopt();
}

void bind_current_thread(_KTHREAD* thread) noexcept { t_binding.thread.store(thread, std::memory_order_release); }

_KTHREAD* unbind_current_thread_for_exit() noexcept {
    _KTHREAD* thread = t_binding.thread.exchange(nullptr, std::memory_order_acq_rel);
    t_terminating = thread;
    return thread;
}

void clear_terminating() noexcept { t_terminating = nullptr; }

bool detach_binding(ThreadBinding* binding, _KTHREAD* thread) noexcept {
    return binding->thread.compare_exchange_strong(thread, nullptr, std::memory_order_acq_rel);
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

NTKERNELAPI KPROCESSOR_MODE KeGetPreviousMode(VOID) {
    _KTHREAD* t = current_thread();
    return t ? t->m_previous_mode : static_cast<KPROCESSOR_MODE>(KernelMode);
}

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

}  // extern "C"
