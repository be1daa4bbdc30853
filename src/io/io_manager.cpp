// IoManager boot, shutdown and bookkeeping of loaded drivers.
#include "io/io_manager.hpp"
#include "io/pnp_manager.hpp"
#include "io/pnp_notification.hpp"

#include "io/driver_object.hpp"
#include "io/irp.hpp"
#include "io/objects.hpp"
#include "ke/kernel.hpp"
#include "ntio/system.hpp"

namespace ntio::io {

IoManager::IoManager(System& system) : m_system(system) {
    register_types();
    // A terminating thread cancels and waits for its threaded IRPs (thread_irps.cpp).
    register_thread_irp_rundown(system.kernel());
    // A thread IoCreateSystemThread made drops its driver's reference when it ends (system_thread.cpp).
    register_system_thread_rundown(system.kernel());
}

void IoManager::shutdown() {
    // Boot reinitializations a System that never finished its boot still holds go uncalled.
    run_boot_reinitializations(false);
    // IRP_MJ_SHUTDOWN to the devices that asked for it and to the file systems, before any power
    // IRP or unload (shutdown_notification.cpp).
    send_shutdown_irps();
    // Plug and Play stacks are removed first (IRP_MN_REMOVE_DEVICE), while their drivers are loaded.
    pnp_shutdown(m_system);
    // Drivers without DriverUnload cannot be unloaded on request (NT fact L7) but still go away here.
    // The most recently loaded first: a driver that uses another's devices (a file system mounted on
    // a disk, a filter above it) was loaded after it and goes before it, so its unload routine can
    // still send requests down (a file system writes its volumes back).
    const std::vector<PDRIVER_OBJECT> loaded = drivers();
    for (auto it = loaded.rbegin(); it != loaded.rend(); ++it) driver_shutdown(*it);
    // PnP notification registrations their drivers left behind (an unload routine unregisters them).
    pnp_notifications_shutdown(m_system);
    // File systems that never unregistered: their control devices go with the object manager.
    if (m_file_systems) clear_file_system_queues(*m_file_systems);
}

void IoManager::driver_loaded(PDRIVER_OBJECT driver) {
    std::lock_guard guard(m_driver_lock);
    m_drivers.push_back(driver);
}

void IoManager::driver_unloaded(PDRIVER_OBJECT driver) {
    std::lock_guard guard(m_driver_lock);
    std::erase(m_drivers, driver);
}

std::vector<PDRIVER_OBJECT> IoManager::drivers() {
    std::lock_guard guard(m_driver_lock);
    return m_drivers;
}

IoManager& current_io() noexcept { return System::current()->io(); }

}  // namespace ntio::io
