// Boot and shutdown order of one System: the registry's key tree first (a refused hive file stops the
// boot before anything runs), then the kernel (threads, DPCs, timers), then the object manager
// (types, namespace, the System process), which then provides thread objects to the kernel and
// receives \REGISTRY.
#include "ntio/system.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "config/config_manager.hpp"
#include "config/key_object.hpp"
#include "ke/kernel.hpp"
#include "ob/object_manager.hpp"
#include "ex/executive.hpp"
#include "ex/callback_objects.hpp"
#include "io/io_manager.hpp"
#include "io/driver_loader.hpp"
#include "io/locked_pages.hpp"
#include "io/pnp_manager.hpp"
#include "io/console_driver.hpp"
#include "fsrtl/mup.hpp"
#include "mm/section.hpp"
#include "inspect/kd_server.hpp"

namespace ntio {
namespace {
std::atomic<System*> g_latest{nullptr};
thread_local System* t_current = nullptr;
}  // namespace

System::System(const BootOptions& options) {
    io::register_types();
    config::register_key_type();
    mm::register_section_type();
    ex::register_callback_type();
    {
        std::string message;
        NTSTATUS status = config::ConfigManager::create(options.hive_path, m_config, message);
        if (!NT_SUCCESS(status)) throw BootError(status, message);
    }
    m_kernel = std::make_unique<ke::Kernel>(*this, options.processors);
    m_objects = std::make_unique<ob::ObjectManager>(*this);
    {
        // \REGISTRY cannot fail to enter a namespace that was just built; a failure is a broken System.
        NTSTATUS status = m_config->start(*m_objects);
        constexpr ULONG kConfigInitializationFailed = 0x67;  // CONFIG_INITIALIZATION_FAILED
        if (!NT_SUCCESS(status)) KeBugCheckEx(kConfigInitializationFailed, 1, static_cast<ULONG_PTR>(status), 0, 0);
    }
    m_kernel->start();
    g_latest.store(this, std::memory_order_release);
    t_current = this;
    // After the System is current: starting workers waits, which binds the booting thread here.
    m_executive = std::make_unique<ex::Executive>(*this);
    m_executive->start();
    ex::create_standard_callbacks(*m_objects);
    m_io = std::make_unique<io::IoManager>(*this);
    m_tracks_locked_pages = io::read_locked_page_tracking();
    // MUP (\Device\Mup and \GLOBAL??\UNC) before any driver: redirectors register with it from their
    // DriverEntry. Without it UNC names find no device (STATUS_OBJECT_PATH_NOT_FOUND); nothing else needs it.
    (void)fsrtl::mup::start(*this);
    // The console driver (\Device\ConDrv): kernel32's standard handles open its objects.
    (void)io::console::start(*this);
    // Boot- and system-start drivers; only a critical (ErrorControl 3) failure stops the boot.
    std::u16string failed;
    if (NTSTATUS status = io::load_start_services(*this, &failed); !NT_SUCCESS(status)) {
        m_io->shutdown();
        m_executive->stop();
        m_kernel->stop();
        m_executive.reset();
        m_io.reset();
        m_objects.reset();
        m_kernel.reset();
        m_config.reset();
        io::end_locked_page_tracking(m_tracks_locked_pages);
        System* self = this;
        g_latest.compare_exchange_strong(self, nullptr);
        if (t_current == this) t_current = nullptr;
        std::string name(failed.begin(), failed.end());
        throw BootError(status, "critical boot driver " + name + " failed to load");
    }
    // Root-enumerated Plug and Play devices listed under Enum\Root get their stacks and start; a
    // device that fails is left in its failed state, as NT leaves it.
    (void)io::pnp_enumerate_root(this);
    // The kd-style inspector: the bugcheck dump writer and the live-attach server (NTIO_KD=0: none).
    inspect::kd_system_started(*this);
}

System::~System() {
    std::vector<std::pair<void (*)(void*), void*>> hooks;
    {
        std::lock_guard guard(m_shutdown_lock);
        hooks.swap(m_shutdown_hooks);
        m_shutting_down = true;
    }
    if (!hooks.empty()) make_current();
    for (auto it = hooks.rbegin(); it != hooks.rend(); ++it) it->first(it->second);
    inspect::kd_system_stopping(*this);
    // Applications end first: a handle one left open on a driver's device closes while the driver
    // is loaded, and does not leave its unload to run after the I/O manager is gone.
    m_objects->end_application_processes();
    // Drivers unload while threads, DPCs and work items still run (DriverUnload may wait on them).
    m_io->shutdown();
    m_objects->close_kernel_handles();
    m_executive->stop();
    m_kernel->stop();
    m_executive.reset();
    m_io.reset();
    m_objects.reset();
    m_kernel.reset();
    m_config.reset();
    io::end_locked_page_tracking(m_tracks_locked_pages);
    System* self = this;
    g_latest.compare_exchange_strong(self, nullptr);
    if (t_current == this) t_current = nullptr;
}

System* System::current() noexcept {
    if (System* s = ke::Kernel::system_of_current_thread()) return s;
    if (t_current) return t_current;
    return g_latest.load(std::memory_order_acquire);
}

void System::make_current() noexcept { t_current = this; }

void System::at_shutdown(void (*hook)(void*), void* context) {
    std::lock_guard guard(m_shutdown_lock);
    m_shutdown_hooks.emplace_back(hook, context);
}

bool System::try_at_shutdown(void (*hook)(void*), void* context) {
    std::lock_guard guard(m_shutdown_lock);
    if (m_shutting_down) return false;
    m_shutdown_hooks.emplace_back(hook, context);
    return true;
}

}  // namespace ntio
