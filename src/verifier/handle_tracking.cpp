// Handle tracking for verified drivers: kernel-mode handles made while a verified driver's code runs
// on the thread (DriverEntry, dispatch, completion and DPC routines: the context driver) are charged
// to it per (process, object), and those still open after its DriverUnload are reported. Windows'
// Miscellaneous Checks turn on handle tracing for the same purpose ("to help investigate kernel
// handle leaks": https://learn.microsoft.com/windows-hardware/drivers/devtest/miscellaneous-checks).
#include "verifier/handle_tracking.hpp"

#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ob/object_header.hpp"
#include "ob/object_type.hpp"
#include "verifier/state.hpp"

namespace ntio::verifier {
namespace {

struct Key {
    PEPROCESS process;
    const void* object;
    bool operator==(const Key&) const = default;
};
struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
        return std::hash<const void*>()(k.process) * 31 + std::hash<const void*>()(k.object);
    }
};
struct Charge {
    PDRIVER_OBJECT driver;
    ULONG handles;           // handles the driver made to the object in the process, not yet removed
    HANDLE last_handle;
    const char16_t* type;    // the type's name (type descriptors live as long as the System)
};

std::mutex g_lock;
std::unordered_map<Key, Charge, KeyHash>* g_charges = nullptr;  // guarded by g_lock; never destroyed
std::atomic<std::size_t> g_charge_count{0};  // g_charges->size(), read without g_lock
LeakedHandles g_last_leak{};

constexpr ULONG kHandleCheckFlags = NTIO_VERIFIER_MISCELLANEOUS_CHECKS | NTIO_VERIFIER_POOL_TRACKING;

bool is_file(const char16_t* type) noexcept { return type && std::u16string_view(type) == u"File"; }

}  // namespace

void on_handle_created(PEPROCESS process, void* object, HANDLE handle, KPROCESSOR_MODE mode) noexcept {
    if (mode != KernelMode) return;  // a user-mode caller's handle is the caller's, not a driver's
    PDRIVER_OBJECT driver = context_driver();
    if (!driver || !(driver_flags(driver) & kHandleCheckFlags)) return;
    const char16_t* type = ob::type_of(object)->name;
    std::lock_guard guard(g_lock);
    if (!g_charges) g_charges = new (std::nothrow) std::unordered_map<Key, Charge, KeyHash>();
    if (!g_charges) return;
    try {
        auto [it, inserted] = g_charges->try_emplace(Key{process, object}, Charge{driver, 0, handle, type});
        ++it->second.handles;
        it->second.last_handle = handle;
        // NT deviation: a second driver making a handle to an object the first still holds there
        // is charged to the first (one charge per process and object keeps the removal hook a lookup).
    } catch (...) {
        // Out of memory: this handle goes untracked.
    }
    g_charge_count.store(g_charges->size(), std::memory_order_release);
}

// NT deviation: the removal is matched by process and object, not by handle value (the removal path
// does not know it): a handle to the same object made by someone else in the same table and closed
// while the driver's stays open makes the driver's look closed.
void on_handle_removed(PEPROCESS process, void* object) noexcept {
    // A handle charged before its removal was charged before the removal began (the maker inserted
    // it), so nothing charged means nothing to uncharge.
    if (g_charge_count.load(std::memory_order_acquire) == 0) return;
    std::lock_guard guard(g_lock);
    if (!g_charges) return;
    auto it = g_charges->find(Key{process, object});
    if (it == g_charges->end()) return;
    if (--it->second.handles == 0) g_charges->erase(it);
    g_charge_count.store(g_charges->size(), std::memory_order_release);
}

void forget_handles(PDRIVER_OBJECT driver) noexcept {
    forget_file_references(driver);
    if (g_charge_count.load(std::memory_order_acquire) == 0) return;
    std::lock_guard guard(g_lock);
    if (!g_charges) return;
    for (auto it = g_charges->begin(); it != g_charges->end();)
        it = it->second.driver == driver ? g_charges->erase(it) : std::next(it);
    g_charge_count.store(g_charges->size(), std::memory_order_release);
}

namespace {

void check_open_handles(PDRIVER_OBJECT driver) noexcept {
    if (g_charge_count.load(std::memory_order_acquire) == 0) return;
    LeakedHandles leak{};
    {
        std::lock_guard guard(g_lock);
        if (!g_charges) return;
        for (const auto& [key, charge] : *g_charges) {
            if (charge.driver != driver) continue;
            if (leak.handles == 0 || (is_file(charge.type) && !is_file(leak.type))) {
                // The report names a file object's handle when there is one: the leak that keeps a
                // device (and its driver) from unloading.
                leak.first_handle = charge.last_handle;
                leak.first_object = const_cast<void*>(key.object);
                leak.process = key.process;
                leak.type = charge.type;
            }
            leak.handles += charge.handles;
            if (is_file(charge.type)) leak.file_handles += charge.handles;
        }
    }
    if (leak.handles == 0) return;
    forget_handles(driver);  // the report is made; a test that survives it starts clean
    g_last_leak = leak;
    std::string type;
    for (const char16_t* c = leak.type; c && *c; ++c) type += *c < 0x80 ? static_cast<char>(*c) : '?';
    char message[240];
    std::snprintf(message, sizeof message,
                  "the driver unloaded without closing %lu handle(s) it opened (%lu to file objects); one is "
                  "handle %p to %s object %p",
                  static_cast<unsigned long>(leak.handles), static_cast<unsigned long>(leak.file_handles),
                  leak.first_handle, type.c_str(), leak.first_object);
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, kLeakedHandles, reinterpret_cast<ULONG_PTR>(&driver->DriverName),
            reinterpret_cast<ULONG_PTR>(&g_last_leak), leak.handles, Severity::Always, nullptr, message, driver,
            nullptr, nullptr});
}

}  // namespace

void check_handle_leaks(PDRIVER_OBJECT driver) noexcept {
    if (!(driver_flags(driver) & kHandleCheckFlags)) return;
    check_open_handles(driver);
    // File objects held by reference only: a leaked handle keeps its file object too, and is the
    // more specific report, so it goes first.
    check_file_reference_leaks(driver);
}

}  // namespace ntio::verifier
