// IoManager: the per-System I/O manager. Boots after the executive (it needs the object manager's
// namespace and worker threads) and shuts down first: shutdown() unloads the drivers still loaded
// while threads, DPCs and work items still run. It counts live IRPs and MDLs so tests detect leaks,
// and keeps the list of loaded drivers.
#pragma once

#include "io/ddk.hpp"
#include "ke/thread.hpp"
#include "ntio/system.hpp"

namespace ntio::io {

// Registers the Driver, Device and File object types (and later I/O types) with the object
// manager. Idempotent; System calls it before booting the object manager so \ObjectTypes lists them.
void register_types();

class IoManager {
public:
    explicit IoManager(System& system);
    ~IoManager();
    IoManager(const IoManager&) = delete;
    IoManager& operator=(const IoManager&) = delete;

    System& system() noexcept { return m_system; }

    // Unloads every driver still loaded (NtioUnloadDriver semantics, DriverUnload called), then
    // deletes what is left. PASSIVE_LEVEL, called once by ~System before the executive stops.
    void shutdown();

    // ---- Accounting for leak checks (any IRQL; io_accounting.cpp) ----
    // Live IRPs and MDLs. Each thread keeps its own balance for the manager it last counted for
    // (stores to a line only that thread writes: the I/O path shares no counter between CPUs, gate
    // D1); the counts add them up, exactly when nothing is allocated or freed meanwhile.
    enum Counted { kIrps, kMdls, kCountedKinds };
    std::size_t irp_count() const noexcept { return live(kIrps); }
    std::size_t mdl_count() const noexcept { return live(kMdls); }
    void irp_allocated() noexcept { count(kIrps, 1); }
    void irp_freed() noexcept { count(kIrps, -1); }
    void mdl_allocated() noexcept { count(kMdls, 1); }
    void mdl_freed() noexcept { count(kMdls, -1); }

    // ---- Loaded drivers (driver_object.cpp) ----
    void driver_loaded(PDRIVER_OBJECT driver);
    void driver_unloaded(PDRIVER_OBJECT driver);
    std::vector<PDRIVER_OBJECT> drivers();

private:
    friend struct ThreadCounts;
    inline void count(Counted what, long delta) noexcept;
    void count_slow(Counted what, long delta) noexcept;
    std::size_t live(Counted what) const noexcept;

    System& m_system;
    // Balances of threads that ended or moved to another manager, and the threads counting here;
    // both under the accounting lock (io_accounting.cpp).
    long m_retired[kCountedKinds] = {};
    std::vector<struct ThreadCounts*> m_counting;
    std::mutex m_driver_lock;
    std::vector<PDRIVER_OBJECT> m_drivers;  // referenced while loaded
};

// One thread's IRP and MDL balances (io_accounting.cpp): `io` is the manager they count for, changed
// by the owner (or cleared by ~IoManager) under the accounting lock, read by the owner without it.
struct ThreadCounts {
    std::atomic<IoManager*> io{nullptr};
    std::atomic<long> balance[IoManager::kCountedKinds] = {};

    void detach_locked() noexcept;
    ~ThreadCounts();
};
// This thread's counts: null until it first counts, and again once they were destroyed at thread exit.
extern constinit thread_local ThreadCounts* t_io_counts;  // constinit: no TLS init check per access

inline void IoManager::count(Counted what, long delta) noexcept {
    ThreadCounts* mine = t_io_counts;
    if (mine && mine->io.load(std::memory_order_relaxed) == this) {
        mine->balance[what].store(mine->balance[what].load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
        return;
    }
    count_slow(what, delta);
}

// The I/O manager of the calling thread's System (System::current()).
IoManager& current_io() noexcept;

// System::current() inline, for the per-request paths: the calling thread's KTHREAD names its System
// (one TLS load and one load); a thread without one (or not yet bound) takes System::current()'s
// own fallbacks, so the answer is always the same as System::current()'s.
inline System* current_system() noexcept {
    if (_KTHREAD* thread = ke::current_thread_if_any(); thread && thread->m_system) [[likely]]
        return thread->m_system;
    return System::current();
}

}  // namespace ntio::io
