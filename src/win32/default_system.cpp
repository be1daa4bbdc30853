// The process-wide default System for Win32 applications that never boot one: booted on the first
// Win32 call made while no System is alive, shut down with the process's static objects.
#include <memory>
#include <mutex>

#include "win32/win32.hpp"
#include "ntio/system.hpp"

namespace ntio::win32 {
namespace {

struct DefaultSystem {
    std::mutex lock;
    std::unique_ptr<System> system;
    // NT deviation: ExitProcess kills the remaining threads; here the shutdown at exit waits for
    // threads made by CreateThread that are still running.
    ~DefaultSystem() { system.reset(); }
};

DefaultSystem& default_holder() {
    static DefaultSystem holder;
    return holder;
}

}  // namespace

System& ensure_system() {
    if (System* current = System::current()) return *current;
    DefaultSystem& holder = default_holder();
    std::lock_guard guard(holder.lock);
    if (System* current = System::current()) return *current;
    if (!holder.system) holder.system = std::make_unique<System>();
    holder.system->make_current();
    return *holder.system;
}

}  // namespace ntio::win32
