// PLACEHOLDER (replaced by the ob component): per-System object manager.
#pragma once
#include <cstddef>
namespace ntio { class System; }
namespace ntio::ob {
class ObjectManager {
public:
    explicit ObjectManager(System& system) : m_system(system) {}
    std::size_t object_count() const noexcept { return 0; }
    std::size_t handle_count() const noexcept { return 0; }
private:
    System& m_system;
};
}  // namespace ntio::ob
