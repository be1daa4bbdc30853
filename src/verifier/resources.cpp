// Pool tracking for verified drivers: pool blocks, IRPs and MDLs allocated while a driver's code runs
// on the thread (its DriverEntry, dispatch and completion routines) are charged to it, and what is
// still allocated when its DriverUnload returns (or when the system shuts down with the driver still
// loaded) is a leak (0xC4 0x62, as Driver Verifier's Pool Tracking reports it:
// https://learn.microsoft.com/windows-hardware/drivers/devtest/pool-tracking).
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "rtl/bugcheck.hpp"
#include "verifier/state.hpp"

namespace ntio::verifier {

namespace {

std::atomic<std::size_t> g_charged_blocks{0};  // g_charges->size(), read without g_lock

enum class Kind : std::uint8_t { Pool, Irp, Mdl };

struct Charge {
    PDRIVER_OBJECT driver;
    SIZE_T bytes;
    ULONG tag;
    Kind kind;
};
std::mutex g_lock;
std::unordered_map<const void*, Charge>* g_charges = nullptr;  // guarded by g_lock; never destroyed

// Parameter 3 of 0xC4 0x62 ("verifier internal structure with driver information"): the counts of
// pool blocks (and their bytes), IRPs and MDLs left behind.
struct LeakInfo {
    ResourceCounts counts;
};
LeakInfo g_last_leak;

bool tracked(PDRIVER_OBJECT driver) noexcept {
    return driver && (driver_flags(driver) & (NTIO_VERIFIER_POOL_TRACKING | NTIO_VERIFIER_IO_CHECKING));
}

// A block already charged (an MDL's pool block) is charged again as what it now is.
void charge(const void* block, SIZE_T bytes, ULONG tag, Kind kind) noexcept {
    PDRIVER_OBJECT driver = context_driver();
    if (!tracked(driver)) return;
    std::lock_guard guard(g_lock);
    if (!g_charges) g_charges = new (std::nothrow) std::unordered_map<const void*, Charge>();
    if (!g_charges) return;
    try {
        (*g_charges)[block] = {driver, bytes, tag, kind};
    } catch (...) {
        // Out of memory: this allocation goes untracked.
    }
    publish_count(g_charged_blocks, g_charges->size(), kSlowCharges);
}

// A block charged before it is freed was charged before the free (whoever frees it got it from
// the allocation): nothing charged at all means nothing to uncharge.
void uncharge(const void* block) noexcept {
    if (g_charged_blocks.load(std::memory_order_acquire) == 0) return;
    std::lock_guard guard(g_lock);
    if (!g_charges) return;
    g_charges->erase(block);
    publish_count(g_charged_blocks, g_charges->size(), kSlowCharges);
}

}  // namespace


bool inject_allocation_failure() noexcept {
    PDRIVER_OBJECT driver = context_driver();
    if (!driver || !(driver_flags(driver) & NTIO_VERIFIER_RANDOM_LOW_RESOURCES)) return false;
    if (!roll_low_resources()) return false;
    count_injected_failure();
    return true;
}

void on_pool_allocate(void* block, SIZE_T bytes, ULONG tag) noexcept { charge(block, bytes, tag, Kind::Pool); }
void on_pool_free(void* block) noexcept { uncharge(block); }
void on_allocate_irp(PIRP irp) noexcept {
    charge(irp, 0, 0, Kind::Irp);
    if (PDRIVER_OBJECT driver = context_driver(); logging_for(driver ? driver_flags(driver) : 0)) log_alloc(irp);
}
// An IRP in its caller's memory starts its life at IoInitializeIrp: the log's alloc, as for one
// from IoAllocateIrp (its reader keeps a later IRP at the same address apart from this one).
void on_initialized_irp(PIRP irp) noexcept {
    if (PDRIVER_OBJECT driver = context_driver(); logging_for(driver ? driver_flags(driver) : 0)) log_alloc(irp);
}
void forget_allocated_irp(PIRP irp) noexcept { uncharge(irp); }
PDRIVER_OBJECT charged_driver(const void* block) noexcept {
    if (g_charged_blocks.load(std::memory_order_acquire) == 0) return nullptr;
    std::lock_guard guard(g_lock);
    if (!g_charges) return nullptr;
    auto it = g_charges->find(block);
    return it == g_charges->end() ? nullptr : it->second.driver;
}
// MDLs come from the I/O manager's per-thread cache or from pool: counted as MDLs, not pool blocks.
void on_allocate_mdl(PMDL mdl) noexcept { charge(mdl, 0, 0, Kind::Mdl); }
void on_free_mdl(PMDL mdl) noexcept { uncharge(mdl); }
PDRIVER_OBJECT walk_slot_driver(ContextWord word) noexcept {
    PDRIVER_OBJECT const driver = *reinterpret_cast<const PDRIVER_OBJECT*>(word & ~kWalkSlotTag);
    return driver && driver_flags(driver) ? driver : nullptr;
}
bool context_tracks_pool() noexcept {
    PDRIVER_OBJECT driver = context_driver();
    return driver && (driver_flags(driver) & NTIO_VERIFIER_POOL_TRACKING);
}

ResourceCounts resource_counts(PDRIVER_OBJECT driver) noexcept {
    ResourceCounts counts;
    std::lock_guard guard(g_lock);
    if (!g_charges) return counts;
    for (const auto& [block, c] : *g_charges) {
        if (c.driver != driver) continue;
        switch (c.kind) {
        case Kind::Irp: ++counts.irps; break;
        case Kind::Mdl: ++counts.mdls; break;
        case Kind::Pool:
            ++counts.pool_blocks;
            counts.pool_bytes += c.bytes;
            break;
        }
    }
    return counts;
}

void forget_resources(PDRIVER_OBJECT driver) noexcept {
    std::lock_guard guard(g_lock);
    if (!g_charges) return;
    for (auto it = g_charges->begin(); it != g_charges->end();)
        it = it->second.driver == driver ? g_charges->erase(it) : std::next(it);
    publish_count(g_charged_blocks, g_charges->size(), kSlowCharges);
}

void check_resource_leaks(PDRIVER_OBJECT driver) noexcept {
    if (!(driver_flags(driver) & NTIO_VERIFIER_POOL_TRACKING)) return;
    const ResourceCounts counts = resource_counts(driver);
    const std::uint64_t total = counts.pool_blocks + counts.irps + counts.mdls;
    if (total == 0) return;
    forget_resources(driver);  // the report is made; a test that survives it starts clean
    g_last_leak.counts = counts;
    char message[200];
    std::snprintf(message, sizeof message,
                  "the driver unloaded without freeing %llu pool allocation(s) (%llu bytes), %llu IRP(s) and %llu MDL(s)",
                  static_cast<unsigned long long>(counts.pool_blocks), static_cast<unsigned long long>(counts.pool_bytes),
                  static_cast<unsigned long long>(counts.irps), static_cast<unsigned long long>(counts.mdls));
    // NT deviation: IRPs and MDLs a driver allocated and never freed count as allocations here (on
    // NT they are pool blocks of the I/O manager, counted the same way under Pool Tracking).
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, 0x62, reinterpret_cast<ULONG_PTR>(&driver->DriverName),
            reinterpret_cast<ULONG_PTR>(&g_last_leak), static_cast<ULONG_PTR>(total), Severity::Always, nullptr,
            message, driver, nullptr, nullptr});
}

}  // namespace ntio::verifier
