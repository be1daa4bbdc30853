// ntio::System: one booted NT instance (kernel, object manager, executive, I/O manager).
// A host process may hold several; tests boot a fresh one per test. No hidden singletons: WDM
// free functions find their System through the object they are given or the calling thread.
#pragma once

#include <cstddef>
#include <memory>

namespace ntio {
namespace ke { class Kernel; }
namespace ob { class ObjectManager; }
namespace ex { class Executive; }
namespace io { class IoManager; }

struct BootOptions {
    unsigned processors = 0;  // emulated CPUs (DPC threads); 0 = the host's CPU count
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

    // The System of the calling thread: the one its KTHREAD belongs to, else the one this host
    // thread booted last, else the most recently booted live System (a host thread that calls
    // ntio for the first time joins it). Null when none is alive.
    static System* current() noexcept;

    // Makes `this` the System that the calling host thread uses from now on.
    void make_current() noexcept;

private:
    std::unique_ptr<ke::Kernel> m_kernel;
    std::unique_ptr<ob::ObjectManager> m_objects;
    std::unique_ptr<ex::Executive> m_executive;
    std::unique_ptr<io::IoManager> m_io;
};

}  // namespace ntio
