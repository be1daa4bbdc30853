// The process-wide default System for Win32 applications that never boot one: booted on the first
// Win32 call made while no System is alive, shut down with the process's static objects; and
// NtioBootSystem / NtioShutdownSystem, which boot and shut it down explicitly.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>

#include "win32/win32.hpp"
#include "ke/thread.hpp"
#include "ntio/system.hpp"
#include <ntio/ntio.h>

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

// Boots the default System with the hive file `hive` (null: NTIO_HIVE, else the embedded default
// hive, architecture.md's runtime model). The caller holds the holder's lock.
NTSTATUS boot_locked(DefaultSystem& holder, const char* hive) {
    BootOptions options;
    if (!hive) hive = std::getenv("NTIO_HIVE");
    if (hive) options.hive_path = hive;
    try {
        holder.system = std::make_unique<System>(options);
    } catch (const BootError& error) {
        // The application cannot run without its system, as a Windows process cannot start
        // without its registry: one line saying why.
        std::fprintf(stderr, "%s (status 0x%08X)\n", error.what(), static_cast<unsigned>(error.status()));
        return static_cast<NTSTATUS>(error.status());
    } catch (const std::bad_alloc&) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    holder.system->make_current();
    return STATUS_SUCCESS;
}

}  // namespace

System& ensure_system() {
    if (System* current = System::current()) return *current;
    DefaultSystem& holder = default_holder();
    std::lock_guard guard(holder.lock);
    if (System* current = System::current()) return *current;
    if (!holder.system) {
        if (!NT_SUCCESS(boot_locked(holder, nullptr))) std::exit(1);  // the line is printed
        return *holder.system;
    }
    holder.system->make_current();
    return *holder.system;
}

}  // namespace ntio::win32

using ntio::win32::DefaultSystem;

extern "C" {

NTSTATUS NtioBootSystem(const char* HivePath) {
    DefaultSystem& holder = ntio::win32::default_holder();
    std::lock_guard guard(holder.lock);
    if (holder.system) {
        holder.system->make_current();
        return STATUS_ALREADY_COMPLETE;
    }
    return ntio::win32::boot_locked(holder, HivePath);
}

NTSTATUS NtioShutdownSystem(VOID) {
    DefaultSystem& holder = ntio::win32::default_holder();
    std::unique_ptr<ntio::System> doomed;
    {
        std::lock_guard guard(holder.lock);
        if (!holder.system) return STATUS_INVALID_DEVICE_STATE;
        // A thread the System started (CreateThread, PsCreateSystemThread, a worker) would wait for
        // itself in the shutdown.
        const _KTHREAD* self = ntio::ke::t_current_thread.load(std::memory_order_relaxed);
        if (self && self->m_system == holder.system.get() && self->m_is_system_thread) return STATUS_INVALID_DEVICE_STATE;
        doomed = std::move(holder.system);
    }
    doomed.reset();  // outside the lock: a Win32 call racing with it boots a fresh System
    return STATUS_SUCCESS;
}

}  // extern "C"
