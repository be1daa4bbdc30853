// System worker threads: ExQueueWorkItem puts the item on the System's KQUEUE and a worker thread
// (a kernel thread of the System process, at PASSIVE_LEVEL) runs it. A routine that returns at
// another IRQL bugchecks WORKER_THREAD_RETURNED_AT_BAD_IRQL; one that returns with APCs still
// disabled bugchecks APC_INDEX_MISMATCH with call type 1 (worker routine), as on Windows.
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "ex/executive.hpp"
#include "ex/timer_object.hpp"

#include "ke/kernel.hpp"
#include "ke/thread.hpp"
#include "ntio/system.hpp"
#include "verifier/pending_work.hpp"
#include "verifier/verifier.hpp"

namespace ntio::ex {
namespace {

// Items queued while the verifier is active and not yet taken by a worker: a verified driver that
// unloads with one whose routine is in its image is 0xCE (verifier unload_rules.cpp). Workers look
// at the count only, one relaxed load, and take the lock only while something is recorded.
std::mutex g_pending_lock;
std::unordered_set<PWORK_QUEUE_ITEM>* g_pending = nullptr;  // guarded by g_pending_lock; never freed
std::atomic<std::size_t> g_pending_count{0};

void record_pending(PWORK_QUEUE_ITEM item) noexcept {
    std::lock_guard guard(g_pending_lock);
    if (!g_pending) g_pending = new (std::nothrow) std::unordered_set<PWORK_QUEUE_ITEM>();
    if (!g_pending) return;
    try {
        if (g_pending->insert(item).second) g_pending_count.fetch_add(1, std::memory_order_relaxed);
    } catch (...) {
        // Out of memory: this item goes unchecked at unload.
    }
}

void forget_pending(PWORK_QUEUE_ITEM item) noexcept {
    if (g_pending_count.load(std::memory_order_relaxed) == 0) return;
    std::lock_guard guard(g_pending_lock);
    if (g_pending && g_pending->erase(item)) g_pending_count.fetch_sub(1, std::memory_order_relaxed);
}

// KeRemoveQueue's result when it is a status rather than an entry. It returns an entry or
// STATUS_TIMEOUT, STATUS_USER_APC or STATUS_ABANDONED (KeRemoveQueue on Microsoft Learn); the
// statuses are compared one by one, not as a range: a user-space item can live below 4 GiB (a
// heap at a low address, as under valgrind), where a range test took it for a status and lost it.
PLIST_ENTRY status_entry(NTSTATUS status) noexcept {
    return reinterpret_cast<PLIST_ENTRY>(static_cast<LONG_PTR>(status));
}

}  // namespace

void for_each_pending_work_item(void (*fn)(PWORK_QUEUE_ITEM item, void* context), void* context) {
    std::lock_guard guard(g_pending_lock);
    if (!g_pending) return;
    for (PWORK_QUEUE_ITEM item : *g_pending) fn(item, context);
}

Executive::Executive(System& system) : m_system(system) {
    KeInitializeQueue(&m_queue, kMaxWorkers);
    KeInitializeEvent(&m_first_worker_ready, NotificationEvent, FALSE);
    // A terminating thread's timer objects lose their APCs (NT's ExTimerRundown).
    system.kernel().add_thread_rundown_hook(timer_rundown, nullptr);
}

Executive::~Executive() { stop(); }

void Executive::start() {
    std::lock_guard<std::mutex> lock(m_start_lock);
    if (m_started) return;
    m_started = true;
    // Waiting for the worker makes "an item queued right after boot finds an idle worker" hold, so
    // the first items never add threads.
    if (NT_SUCCESS(start_worker())) {
        KeWaitForSingleObject(&m_first_worker_ready, ::Executive, KernelMode, FALSE, nullptr);
    }
}

NTSTATUS Executive::start_worker() {
    ke::Kernel& kernel = m_system.kernel();
    ke::ThreadProvider& provider = kernel.thread_provider();
    PEPROCESS process = provider.system_process();
    _KTHREAD* thread = provider.allocate_thread(process);
    if (!thread) return STATUS_INSUFFICIENT_RESOURCES;
    ke::initialize_thread(thread, m_system, process);
    m_workers.fetch_add(1, std::memory_order_acq_rel);
    const NTSTATUS status = kernel.start_thread(thread, worker_main, this);
    if (!NT_SUCCESS(status)) {
        m_workers.fetch_sub(1, std::memory_order_acq_rel);
        provider.release_thread(thread);
    }
    return status;
}

void Executive::stop() {
    unsigned workers;
    {
        std::lock_guard<std::mutex> lock(m_start_lock);
        if (!m_started || m_stopping) return;
        m_stopping = true;
        workers = m_workers.load(std::memory_order_acquire);
        // FIFO: every item queued before these runs first.
        for (unsigned i = 0; i < workers; ++i) {
            m_stop_items[i].WorkerRoutine = stop_routine;
            m_stop_items[i].Parameter = this;
            KeInsertQueue(&m_queue, &m_stop_items[i].List);
        }
    }
    // A host-level wait, not a KEVENT: stop may run on a thread that is no longer a KTHREAD (a System
    // destroyed from exit handlers, after the main thread's binding went), where a kernel wait
    // returns at once and the rundown below would steal the workers' stop items.
    for (unsigned left = m_workers.load(std::memory_order_acquire); left != 0;
         left = m_workers.load(std::memory_order_acquire))
        m_workers.wait(left, std::memory_order_acquire);
    // Items queued by the last routines after the workers stopped taking work: nobody else will
    // run them, so the stopping thread does (NT deviation: not on a worker thread).
    if (PLIST_ENTRY rest = KeRundownQueue(&m_queue)) {
        PLIST_ENTRY entry = rest;
        do {
            PLIST_ENTRY next = entry->Flink;
            auto* item = CONTAINING_RECORD(entry, WORK_QUEUE_ITEM, List);
            item->List.Flink = nullptr;
            forget_pending(item);
            if (item->WorkerRoutine != stop_routine) item->WorkerRoutine(item->Parameter);
            entry = next;
        } while (entry != rest);
    }
}

void Executive::queue_work_item(PWORK_QUEUE_ITEM item, WORK_QUEUE_TYPE type) {
    if (item->List.Flink != nullptr) {
        KeBugCheckEx(WORKER_INVALID, 1, reinterpret_cast<ULONG_PTR>(item), static_cast<ULONG_PTR>(type), 0);
    }
    // NT deviation: one queue serves every WORK_QUEUE_TYPE; items run in FIFO order.
    // Idle workers are counted before the insert: one of them may take this very item at once.
    const unsigned idle = m_idle.load(std::memory_order_acquire);
    const unsigned pending = m_pending.fetch_add(1, std::memory_order_acq_rel) + 1;
    if (verifier::active()) [[unlikely]] record_pending(item);
    KeInsertQueue(&m_queue, &item->List);
    // NT deviation: Windows adds workers from a periodic balance check; here the queuing thread
    // does when the queue outgrows the idle workers. A routine that queues an item and then waits
    // for it on the only worker would therefore deadlock.
    if (pending <= idle || KeGetCurrentIrql() >= DISPATCH_LEVEL ||
        m_workers.load(std::memory_order_acquire) >= kMaxWorkers) {
        return;
    }
    _KTHREAD* self = ke::current_thread_if_any();
    if (self && self->m_is_system_thread && self->m_start_routine == worker_main) return;
    std::lock_guard<std::mutex> lock(m_start_lock);
    if (m_started && !m_stopping && m_workers.load(std::memory_order_acquire) < kMaxWorkers) (void)start_worker();
}

VOID NTAPI Executive::stop_routine(PVOID) {}

VOID NTAPI Executive::worker_main(PVOID context) { static_cast<Executive*>(context)->run_worker(); }

void Executive::run_worker() {
    bool first = true;
    for (;;) {
        m_idle.fetch_add(1, std::memory_order_acq_rel);
        if (first) KeSetEvent(&m_first_worker_ready, 0, FALSE);
        first = false;
        PLIST_ENTRY entry = KeRemoveQueue(&m_queue, KernelMode, nullptr);
        m_idle.fetch_sub(1, std::memory_order_acq_rel);
        if (entry == status_entry(STATUS_ABANDONED)) break;
        if (entry == status_entry(STATUS_TIMEOUT) || entry == status_entry(STATUS_USER_APC)) continue;
        auto* item = CONTAINING_RECORD(entry, WORK_QUEUE_ITEM, List);
        PWORKER_THREAD_ROUTINE routine = item->WorkerRoutine;
        if (routine == stop_routine) break;
        m_pending.fetch_sub(1, std::memory_order_acq_rel);
        PVOID parameter = item->Parameter;
        forget_pending(item);
        // The item may be queued again (or freed) by its routine from here on.
        item->List.Flink = nullptr;
        routine(parameter);
        const KIRQL irql = KeGetCurrentIrql();
        if (irql != PASSIVE_LEVEL) {
            KeBugCheckEx(WORKER_THREAD_RETURNED_AT_BAD_IRQL, reinterpret_cast<ULONG_PTR>(routine), irql,
                         reinterpret_cast<ULONG_PTR>(parameter), reinterpret_cast<ULONG_PTR>(item));
        }
        _KTHREAD* self = ke::current_thread();
        const SHORT kernel_disable = ke::kernel_apc_disable(self);
        const SHORT special_disable = ke::special_apc_disable(self);
        if (kernel_disable != 0 || special_disable != 0) {
            const ULONG combined = (static_cast<ULONG>(static_cast<USHORT>(special_disable)) << 16) |
                                   static_cast<USHORT>(kernel_disable);
            KeBugCheckEx(APC_INDEX_MISMATCH, reinterpret_cast<ULONG_PTR>(routine), 0, combined, 1);
        }
    }
    m_workers.fetch_sub(1, std::memory_order_acq_rel);
    m_workers.notify_all();
}

}  // namespace ntio::ex

// With no System there are no worker queues: bug check 0xE4 parameter 5, "an attempt was made to
// queue a work item before Worker Queued was initialized" (work item, queue number, NUMA node or -1
// when all were searched; ExQueueWorkItem names no node),
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xe4--worker-invalid
extern "C" VOID NTAPI ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType) {
    ntio::System* system = ntio::System::current();
    if (!system) {
        KeBugCheckEx(WORKER_INVALID, 5, reinterpret_cast<ULONG_PTR>(WorkItem), QueueType,
                     static_cast<ULONG_PTR>(-1));
    }
    system->executive().queue_work_item(WorkItem, QueueType);
}
