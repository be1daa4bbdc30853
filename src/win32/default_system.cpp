// The process-wide default System for Win32 applications that never boot one: booted on the first
// Win32 call made while no System is alive, shut down with the process's static objects.
#include <cstdio>
#include <cstdlib>
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
    if (!holder.system) {
        // The embedded default hive unless NTIO_HIVE names a hive file (architecture.md, runtime model).
        BootOptions options;
        if (const char* hive = std::getenv("NTIO_HIVE")) options.hive_path = hive;
        try {
            holder.system = std::make_unique<System>(options);
        } catch (const BootError& error) {
            // The application cannot run without its system, as a Windows process cannot start
            // without its registry: one line saying why, and a failing exit.
            std::fprintf(stderr, "%s (status 0x%08X)\n", error.what(), static_cast<unsigned>(error.status()));
            std::exit(1);
        }
    }
    holder.system->make_current();
    return *holder.system;
}

}  // namespace ntio::win32
