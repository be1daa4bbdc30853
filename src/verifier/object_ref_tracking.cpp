// File objects a verified driver holds by reference only (IoGetDeviceObjectPointer's, or one it
// referenced by handle or pointer) and has not dereferenced when it unloads: on Windows such a file
// object, and the device stack under it, can never go away. The Ob* DDIs report references taken
// while a verified driver's code runs and every dereference; what is left after DriverUnload (or at
// shutdown) is 0xC4 0x64 (ntio's code: https://learn.microsoft.com/windows-hardware/drivers/debugger/debugging-a-failed-driver-unload
// describes finding such a reference by hand).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ob/object_header.hpp"
#include "verifier/handle_tracking.hpp"
#include "verifier/state.hpp"

namespace ntio::verifier {
namespace {

struct Charge {
    PDRIVER_OBJECT driver;
    ULONG references;  // at most the references the driver still holds on the object
};
using ChargeMap = std::unordered_map<const void*, std::vector<Charge>>;

std::mutex g_lock;
ChargeMap* g_charges = nullptr;  // guarded by g_lock; never destroyed
LeakedFileReferences g_last_leak{};

// Charged objects per hash bucket, read without g_lock: a dereference whose bucket is empty (every
// one while no verified driver holds a file object) leaves at once. Raised under g_lock before the
// referencing DDI returns, so a dereference of that reference (which comes after it) sees it.
constexpr unsigned kFilterBits = 8;
std::atomic<std::uint32_t> g_filter[1u << kFilterBits];

unsigned filter_bucket(const void* object) noexcept {
    // Object bodies are 64-byte aligned (ob::kBodyAlignment).
    return static_cast<unsigned>((reinterpret_cast<std::uintptr_t>(object) >> 6) * 0x9E3779B97F4A7C15ULL >>
                                 (64 - kFilterBits));
}

// The flags that turn on handle tracking turn this on too: the same leak class.
constexpr ULONG kReferenceCheckFlags = NTIO_VERIFIER_MISCELLANEOUS_CHECKS | NTIO_VERIFIER_POOL_TRACKING;

void erase_locked(ChargeMap::iterator it) {
    g_filter[filter_bucket(it->first)].fetch_sub(1, std::memory_order_release);
    g_charges->erase(it);
}

}  // namespace

void on_object_referenced(PVOID object) noexcept {
    PDRIVER_OBJECT driver = context_driver();
    if (!driver || !object) return;
    POBJECT_TYPE file_type = *IoFileObjectType;
    if (!file_type || ob::type_of(object) != file_type) return;
    if (!(driver_flags(driver) & kReferenceCheckFlags)) return;
    std::lock_guard guard(g_lock);
    if (!g_charges) g_charges = new (std::nothrow) ChargeMap();
    if (!g_charges) return;
    try {
        auto [it, inserted] = g_charges->try_emplace(object);
        if (inserted) g_filter[filter_bucket(object)].fetch_add(1, std::memory_order_release);
        auto charge = std::find_if(it->second.begin(), it->second.end(),
                                   [driver](const Charge& c) { return c.driver == driver; });
        if (charge == it->second.end()) it->second.push_back({driver, 1});
        else ++charge->references;
    } catch (...) {
        // Out of memory: this reference goes untracked (an empty entry is harmless: it is erased at
        // the next dereference of the object).
    }
}

// NT deviation (the check may miss a leak, never report a false one): the dereference does not say
// whose reference it drops, so it takes one off every driver's count on the object. A driver's count
// never exceeds the references it still holds, but another party's reference taken and dropped
// while the driver holds its own hides the driver's.
void on_object_dereferenced(PVOID object) noexcept {
    if (!object || g_filter[filter_bucket(object)].load(std::memory_order_acquire) == 0) [[likely]] return;
    std::lock_guard guard(g_lock);
    if (!g_charges) return;
    auto it = g_charges->find(object);
    if (it == g_charges->end()) return;
    auto& charges = it->second;
    for (Charge& c : charges) --c.references;
    charges.erase(std::remove_if(charges.begin(), charges.end(), [](const Charge& c) { return c.references == 0; }),
                  charges.end());
    if (charges.empty()) erase_locked(it);
}

void forget_file_references(PDRIVER_OBJECT driver) noexcept {
    std::lock_guard guard(g_lock);
    if (!g_charges) return;
    for (auto it = g_charges->begin(); it != g_charges->end();) {
        auto& charges = it->second;
        charges.erase(std::remove_if(charges.begin(), charges.end(), [driver](const Charge& c) { return c.driver == driver; }),
                      charges.end());
        if (charges.empty()) {
            auto next = std::next(it);
            erase_locked(it);
            it = next;
        } else {
            ++it;
        }
    }
}

void check_file_reference_leaks(PDRIVER_OBJECT driver) noexcept {
    if (!(driver_flags(driver) & kReferenceCheckFlags)) return;
    LeakedFileReferences leak{};
    ULONG most = 0;
    {
        std::lock_guard guard(g_lock);
        if (!g_charges) return;
        for (const auto& [object, charges] : *g_charges) {
            for (const Charge& c : charges) {
                if (c.driver != driver) continue;
                ++leak.files;
                leak.references += c.references;
                if (c.references > most) {
                    most = c.references;
                    leak.first_file = static_cast<PFILE_OBJECT>(const_cast<void*>(object));
                }
            }
        }
        // The driver still holds a reference on first_file (its count is a lower bound), so the
        // file object is alive and its device field readable.
        if (leak.first_file) leak.device = leak.first_file->DeviceObject;
    }
    if (leak.references == 0) return;
    forget_file_references(driver);  // the report is made; a test that survives it starts clean
    g_last_leak = leak;
    char message[240];
    std::snprintf(message, sizeof message,
                  "the driver unloaded holding %lu reference(s) to %lu file object(s) it never dereferenced "
                  "(ObDereferenceObject); one is file object %p on device %p",
                  static_cast<unsigned long>(leak.references), static_cast<unsigned long>(leak.files),
                  static_cast<void*>(leak.first_file), static_cast<void*>(leak.device));
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, kLeakedFileReferences,
            reinterpret_cast<ULONG_PTR>(&driver->DriverName), reinterpret_cast<ULONG_PTR>(&g_last_leak),
            leak.references, Severity::Always, nullptr, message, driver, nullptr, nullptr});
}

}  // namespace ntio::verifier
