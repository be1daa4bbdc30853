// PLACEHOLDER (replaced by the ke component): per-System kernel state.
#pragma once
namespace ntio { class System; }
namespace ntio::ke {
class Kernel {
public:
    Kernel(System& system, unsigned processors) : m_system(system) { (void)processors; }
    void start() {}
    void stop() {}
    static System* system_of_current_thread() noexcept { return nullptr; }
    System& system() noexcept { return m_system; }
private:
    System& m_system;
};
}  // namespace ntio::ke
