// Kernel lifetime: emulated processors (DPC threads), timer engine, thread provider, threads the
// kernel starts (joined at stop) and the termination path every thread goes through.
#include <thread>
#include <csetjmp>
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "ke/kernel.hpp"
#include "rtl/seh_thread.hpp"
#include "host/cpu.hpp"
#include "host/thread.hpp"
#include "ke/apc.hpp"
#include "ke/dispatcher.hpp"
#include "ke/dpc_processor.hpp"
#include "ke/interrupt.hpp"
#include "ke/mutant.hpp"
#include "ke/queue.hpp"
#include "ke/thread_lifecycle.hpp"
#include "ke/timer_engine.hpp"
#include "ntio/system.hpp"

namespace ntio::ke {

struct HostThreadRecord {
    host::Thread thread;
    std::atomic<bool> done{false};
};

// Used until ob registers its provider (and by ke's own unit tests): plain heap thread objects
// in no process.
class HeapThreadProvider final : public ThreadProvider {
public:
    _KTHREAD* allocate_thread(PEPROCESS) override { return new (std::nothrow) _KTHREAD(); }
    void release_thread(_KTHREAD* thread) override { delete thread; }
    PEPROCESS system_process() override { return nullptr; }
    PEPROCESS host_thread_process() override { return nullptr; }
};

void initialize_process(_KPROCESS* process) noexcept {
    initialize_header(&process->Header, ProcessObject,
                      static_cast<UCHAR>(sizeof(DISPATCHER_HEADER) / sizeof(LONG)), 0);
}

// The WDK's data export (deprecated): the processor count of the System constructed last in the host
// process (1 before the first).
// NT deviation: NT has one machine and so one count; Systems with other counts overwrite each other's.
extern "C" {
NTSYSAPI volatile CCHAR KeNumberProcessors = 1;
}

namespace {
std::uint64_t next_generation() noexcept {
    static std::atomic<std::uint64_t> counter{0};
    return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}
}  // namespace

Kernel::Kernel(System& system, unsigned processors)
    : m_system(system),
      m_processors(processors ? processors : host::cpu_count()),
      m_generation(next_generation()),
      m_heap_provider(std::make_unique<HeapThreadProvider>()),
      m_provider(m_heap_provider.get()) {
    if (m_processors > 64) m_processors = 64;  // one KAFFINITY group
    __atomic_store_n(&KeNumberProcessors, static_cast<CCHAR>(m_processors), __ATOMIC_RELAXED);
    InitializeListHead(&m_threads);
    for (unsigned i = 0; i < m_processors; ++i) m_dpc.push_back(std::make_unique<DpcProcessor>(*this, i));
    m_timers = std::make_unique<TimerEngine>(*this);
    m_interrupts = std::make_unique<InterruptController>(*this);
}

Kernel::~Kernel() { stop(); }

System* Kernel::system_of_current_thread() noexcept {
    _KTHREAD* t = current_thread_if_any();
    return t ? t->m_system : nullptr;
}

void Kernel::set_thread_provider(ThreadProvider* provider) noexcept {
    m_provider = provider ? provider : m_heap_provider.get();
}

void Kernel::start() {
    if (m_started) return;
    m_started = true;
    for (auto& dpc : m_dpc) dpc->start();
    m_timers->start();
}

void Kernel::stop() {
    if (!m_started) {
        m_accepting.store(false, std::memory_order_release);
        return;
    }
    m_started = false;
    m_timers->stop();
    for (auto& dpc : m_dpc) dpc->request_stop();
    {
        std::vector<HostThreadRecord*> records;
        {
            std::lock_guard guard(m_threads_lock);
            records.swap(m_host_threads);
        }
        for (HostThreadRecord* r : records) {
            r->thread.join();
            delete r;
        }
    }
    m_accepting.store(false, std::memory_order_release);
    // Adopted host threads still bound to this System: terminate them on their behalf. A host
    // thread that is terminating itself right now wins the detach and finishes on its own.
    std::vector<_KTHREAD*> adopted;
    {
        std::lock_guard guard(m_threads_lock);
        for (PLIST_ENTRY e = m_threads.Flink; e != &m_threads; e = e->Flink) {
            _KTHREAD* t = CONTAINING_RECORD(e, _KTHREAD, m_kernel_link);
            if (t->m_binding && detach_binding(t->m_binding, t)) adopted.push_back(t);
        }
    }
    for (_KTHREAD* t : adopted) terminate_thread(t, STATUS_SUCCESS);
    // Wait for host threads that were terminating themselves concurrently.
    for (;;) {
        {
            std::lock_guard guard(m_threads_lock);
            if (IsListEmpty(&m_threads)) break;
        }
        std::this_thread::yield();
    }
}

void Kernel::reap_finished_host_threads_locked(bool all) {
    auto it = std::remove_if(m_host_threads.begin(), m_host_threads.end(), [all](HostThreadRecord* r) {
        if (!all && !r->done.load(std::memory_order_acquire)) return false;
        r->thread.join();
        delete r;
        return true;
    });
    m_host_threads.erase(it, m_host_threads.end());
}

namespace {
// PsTerminateSystemThread in a system thread comes back here with a longjmp instead of unwinding
// the stack: NT never unwinds a terminated thread's stack, and the frames above belong to a driver
// whose DriverUnload may unmap its image as soon as it sees the thread object signalled, so an
// unwinder reading their tables would fault. The skipped frames hold nothing ntio must release (a
// driver cannot rely on anything running there on NT either); their __try frames are dropped.
thread_local std::jmp_buf* t_system_thread_exit = nullptr;
thread_local NTSTATUS t_system_thread_status = STATUS_SUCCESS;

void system_thread_main(void* raw) {
    auto* thread = static_cast<_KTHREAD*>(raw);
    bind_current_thread(thread);
    // Kernel APCs queued before the thread ran (the suspend APC of a thread created suspended) are
    // delivered before its start routine, as NT's thread start-up delivers them at PASSIVE_LEVEL.
    deliver_kernel_apcs_if_pending(thread);
    std::jmp_buf exit_point;
    PNTIO_SEH_FRAME const seh_top = rtl::t_seh.top;
    t_system_thread_status = STATUS_SUCCESS;
    if (setjmp(exit_point) == 0) {
        t_system_thread_exit = &exit_point;
        thread->m_start_routine(thread->m_start_context);
    } else {
        rtl::t_seh.top = seh_top;
        rtl::t_seh.pending = 0;
    }
    t_system_thread_exit = nullptr;
    HostThreadRecord* record = thread->m_host_record;
    _KTHREAD* self = unbind_current_thread_for_exit();
    terminate_thread(self, t_system_thread_status);
    clear_terminating();
    record->done.store(true, std::memory_order_release);
}
}  // namespace

NTSTATUS Kernel::start_thread(_KTHREAD* thread, PKSTART_ROUTINE routine, PVOID context) {
    if (!thread || !routine) return STATUS_INVALID_PARAMETER;
    if (!accepting_threads()) return STATUS_INSUFFICIENT_RESOURCES;
    auto* record = new (std::nothrow) HostThreadRecord();
    if (!record) return STATUS_INSUFFICIENT_RESOURCES;
    thread->m_is_system_thread = true;
    thread->m_host_record = record;
    thread->m_start_routine = routine;
    thread->m_start_context = context;
    register_thread(thread);
    {
        std::lock_guard guard(m_threads_lock);
        reap_finished_host_threads_locked(false);
        m_host_threads.push_back(record);
    }
    NTSTATUS status = record->thread.start(&system_thread_main, thread);
    if (!NT_SUCCESS(status)) {
        {
            std::lock_guard guard(m_threads_lock);
            m_host_threads.erase(std::find(m_host_threads.begin(), m_host_threads.end(), record));
        }
        delete record;
        thread->m_host_record = nullptr;
        unregister_thread(thread);
    }
    return status;
}

void Kernel::terminate_current_thread(NTSTATUS exit_status) {
    if (std::jmp_buf* exit_point = t_system_thread_exit) {
        t_system_thread_status = exit_status;
        std::longjmp(*exit_point, 1);
    }
    _KTHREAD* self = unbind_current_thread_for_exit();
    HostThreadRecord* record = self ? self->m_host_record : nullptr;
    if (self) terminate_thread(self, exit_status);
    clear_terminating();
    if (record) record->done.store(true, std::memory_order_release);
    host::Thread::exit_current();
}

void Kernel::add_thread_rundown_hook(ThreadRundownHook hook, void* context) {
    std::lock_guard guard(m_hooks_lock);
    m_rundown_hooks.emplace_back(hook, context);
}

void Kernel::run_rundown_hooks(_KTHREAD* thread) {
    std::vector<std::pair<ThreadRundownHook, void*>> hooks;
    {
        std::lock_guard guard(m_hooks_lock);
        hooks = m_rundown_hooks;
    }
    for (auto& [hook, context] : hooks) hook(thread, context);
}

void Kernel::register_thread(_KTHREAD* thread) {
    std::lock_guard guard(m_threads_lock);
    InsertTailList(&m_threads, &thread->m_kernel_link);
}

void Kernel::unregister_thread(_KTHREAD* thread) {
    std::lock_guard guard(m_threads_lock);
    RemoveEntryList(&thread->m_kernel_link);
    InitializeListHead(&thread->m_kernel_link);
}

void Kernel::for_each_thread(void (*visit)(_KTHREAD* thread, void* context), void* context) {
    std::lock_guard guard(m_threads_lock);
    for (PLIST_ENTRY e = m_threads.Flink; e != &m_threads; e = e->Flink)
        visit(CONTAINING_RECORD(e, _KTHREAD, m_kernel_link), context);
}

void terminate_thread(_KTHREAD* t, NTSTATUS exit_status) noexcept {
    Kernel* kernel = t->m_kernel;
    const bool self = current_thread_if_any() == t;
    if (self) {
        t->m_irql = PASSIVE_LEVEL;
        deliver_kernel_apcs_if_pending(t);
    }
    kernel->run_rundown_hooks(t);
    rundown_apcs(t);
    freeze_cpu_time(t);
    {
        DispatcherGuard guard;
        abandon_mutants_locked(t);
        disassociate_queue_locked(t);
        t->m_exit_status = exit_status;
        t->m_terminated.store(true, std::memory_order_release);
        exchange_state(&t->Header, 1);
        wait_test_locked(&t->Header);
    }
    kernel->unregister_thread(t);
    t->m_provider->release_thread(t);
}

}  // namespace ntio::ke
