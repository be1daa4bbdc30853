// IoManager boot, shutdown and bookkeeping of loaded drivers.
#include "io/io_manager.hpp"

#include "io/objects.hpp"
#include "ntio/system.hpp"
#include <ntio/ntio.h>

namespace ntio::io {

IoManager::IoManager(System& system) : m_system(system) { register_types(); }

IoManager::~IoManager() = default;

void IoManager::shutdown() {
    for (PDRIVER_OBJECT driver : drivers()) NtioUnloadDriver(driver);
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
