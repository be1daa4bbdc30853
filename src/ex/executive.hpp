// ntio::ex::Executive: the executive's per-System state, today the system worker threads behind
// ExQueueWorkItem. Boots after the kernel (it starts kernel threads) and stops before it.
#pragma once

#include <atomic>
#include <mutex>

#include <wdm.h>

namespace ntio { class System; }

namespace ntio::ex {

class Executive {
public:
    explicit Executive(System& system);
    ~Executive();
    Executive(const Executive&) = delete;
    Executive& operator=(const Executive&) = delete;

    // Starts the first worker thread. PASSIVE_LEVEL, once the kernel runs.
    void start();
    // Runs every item queued so far, then ends the worker threads and waits until they have left
    // their loops (the kernel joins the host threads when it stops). PASSIVE_LEVEL.
    void stop();

    // ExQueueWorkItem for this System. IRQL <= DISPATCH_LEVEL. Adds a worker thread when more items
    // wait than workers are idle, the caller is below DISPATCH_LEVEL and is not itself a worker
    // (whose routine is about to return), up to kMaxWorkers.
    void queue_work_item(PWORK_QUEUE_ITEM item, WORK_QUEUE_TYPE type);

    unsigned worker_count() const noexcept { return m_workers.load(std::memory_order_acquire); }

    static constexpr unsigned kMaxWorkers = 16;

private:
    static VOID NTAPI worker_main(PVOID context);
    static VOID NTAPI stop_routine(PVOID context);
    void run_worker();
    NTSTATUS start_worker();

    System& m_system;
    KQUEUE m_queue{};
    std::mutex m_start_lock;  // serialises worker creation and stop
    bool m_started = false;
    bool m_stopping = false;
    std::atomic<unsigned> m_workers{0};  // started and not yet left their loop
    std::atomic<unsigned> m_idle{0};     // waiting in KeRemoveQueue
    std::atomic<unsigned> m_pending{0};  // queued and not yet taken by a worker
    KEVENT m_first_worker_ready{};       // the first worker reached its loop (boot waits for it)
    WORK_QUEUE_ITEM m_stop_items[kMaxWorkers]{};
};

}  // namespace ntio::ex
