// Creation and teardown of the per-System power manager state (power_manager.hpp): made on the
// first Po call that needs it, its idle clock stopped when the System begins to shut down (before
// drivers unload), its records freed with the I/O manager.
#include "io/power_manager.hpp"

#include "io/io_manager.hpp"
#include "ob/object_manager.hpp"

namespace ntio::io {

PowerManager::PowerManager(System& owner) : system(owner) {
    KeInitializeEvent(&idle_work_done, NotificationEvent, TRUE);
}

PowerManager::~PowerManager() = default;

void PowerManagerDeleter::operator()(PowerManager* power) const noexcept {
    power_idle_shutdown(*power);
    delete power;
}

PowerManager& IoManager::power() {
    std::call_once(m_power_once, [this] {
        m_power.reset(new PowerManager(m_system));
        m_power_made.store(m_power.get(), std::memory_order_release);
        m_system.at_shutdown([](void* p) { power_idle_shutdown(*static_cast<PowerManager*>(p)); }, m_power.get());
    });
    return *m_power;
}

PowerManager& power_of(PDEVICE_OBJECT device) { return ob::manager_of(device).system().io().power(); }

PowerManager* current_power() {
    System* system = System::current();
    return system ? &system->io().power() : nullptr;
}

}  // namespace ntio::io
