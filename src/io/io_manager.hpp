// IoManager: the per-System I/O manager. Boots after the executive (it needs the object manager's
// namespace and worker threads) and shuts down first: shutdown() unloads the drivers still loaded
// while threads, DPCs and work items still run. It counts live IRPs and MDLs so tests detect leaks,
// and keeps the list of loaded drivers.
#pragma once

#include "io/ddk.hpp"

namespace ntio { class System; }

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

    // ---- Accounting for leak checks (any IRQL) ----
    std::size_t irp_count() const noexcept { return m_irps.load(std::memory_order_relaxed); }
    std::size_t mdl_count() const noexcept { return m_mdls.load(std::memory_order_relaxed); }
    void irp_allocated() noexcept { m_irps.fetch_add(1, std::memory_order_relaxed); }
    void irp_freed() noexcept { m_irps.fetch_sub(1, std::memory_order_relaxed); }
    void mdl_allocated() noexcept { m_mdls.fetch_add(1, std::memory_order_relaxed); }
    void mdl_freed() noexcept { m_mdls.fetch_sub(1, std::memory_order_relaxed); }

    // ---- Loaded drivers (driver_object.cpp) ----
    void driver_loaded(PDRIVER_OBJECT driver);
    void driver_unloaded(PDRIVER_OBJECT driver);
    std::vector<PDRIVER_OBJECT> drivers();

private:
    System& m_system;
    std::atomic<std::size_t> m_irps{0};
    std::atomic<std::size_t> m_mdls{0};
    std::mutex m_driver_lock;
    std::vector<PDRIVER_OBJECT> m_drivers;  // referenced while loaded
};

// The I/O manager of the calling thread's System (System::current()).
IoManager& current_io() noexcept;

}  // namespace ntio::io
