// ntio::System: one booted NT instance (kernel, object manager, configuration manager, executive,
// I/O manager).
// A host process may hold several; tests boot a fresh one per test. No hidden singletons: WDM
// free functions find their System through the object they are given or the calling thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ntio {
namespace ke { class Kernel; }
namespace ob { class ObjectManager; }
namespace ex { class Executive; }
namespace io { class IoManager; }
namespace config { class ConfigManager; }

struct BootOptions {
    unsigned processors = 0;  // emulated CPUs (DPC threads); 0 = the host's CPU count
    // The registry hive file (SQLite). Empty: a fresh in-memory hive built from the embedded default
    // .reg. A missing file is created from the default; a corrupt or foreign one refuses the boot.
    std::string hive_path;
};

// Thrown by System's constructor when it cannot boot (a refused hive file): the NTSTATUS and one
// line naming the cause. Nothing was started and no file was changed.
class BootError : public std::runtime_error {
public:
    BootError(std::int32_t status, const std::string& message) : std::runtime_error(message), m_status(status) {}
    std::int32_t status() const noexcept { return m_status; }

private:
    std::int32_t m_status;
};

class System {
public:
    explicit System(const BootOptions& options = {});
    ~System();
    System(const System&) = delete;
    System& operator=(const System&) = delete;

    ke::Kernel& kernel() noexcept { return *m_kernel; }
    ob::ObjectManager& objects() noexcept { return *m_objects; }
    ex::Executive& executive() noexcept { return *m_executive; }
    io::IoManager& io() noexcept { return *m_io; }
    config::ConfigManager& config() noexcept { return *m_config; }

    // The System of the calling thread: the one its KTHREAD belongs to, else the one this host
    // thread booted last, else the most recently booted live System (a host thread that calls
    // ntio for the first time joins it). Null when none is alive.
    static System* current() noexcept;

    // Makes `this` the System that the calling host thread uses from now on.
    void make_current() noexcept;
    // Runs hook(context) first thing when the System shuts down, before drivers unload and before
    // its threads are joined, on the thread destroying it (made current): for layers above the
    // services that keep threads of their own waiting (the Win32 I/O callback pool), so that they
    // can release them. Hooks run in reverse order of registration.
    void at_shutdown(void (*hook)(void*), void* context);
    // As at_shutdown, but refused (false, the hook is not kept) once shutdown has begun: for DDIs
    // that must tell their caller the system is already shutting down (PoQueueShutdownWorkItem).
    bool try_at_shutdown(void (*hook)(void*), void* context);

private:
    std::unique_ptr<config::ConfigManager> m_config;
    std::unique_ptr<ke::Kernel> m_kernel;
    std::unique_ptr<ob::ObjectManager> m_objects;
    std::unique_ptr<ex::Executive> m_executive;
    std::unique_ptr<io::IoManager> m_io;
    std::mutex m_shutdown_lock;
    std::vector<std::pair<void (*)(void*), void*>> m_shutdown_hooks;
    bool m_shutting_down = false;  // guarded by m_shutdown_lock: the hooks were taken
    bool m_tracks_locked_pages = false;  // booted with TrackLockedPages = 1 (io/locked_pages.hpp)
};

}  // namespace ntio
