// The special pool for IRPs: one reserved address range cut into fixed slots of a few pages, each an
// IRP's data pages followed by a guard page that is never accessible. An IRP sits at the end of its
// slot's data pages, so the first byte past it is on the guard page; a freed IRP is poisoned, its
// pages made inaccessible, and the slot waits in a FIFO quarantine before reuse, so a late touch
// faults. Driver Verifier's special pool and I/O verification:
// https://learn.microsoft.com/windows-hardware/drivers/devtest/special-pool
// https://learn.microsoft.com/windows-hardware/drivers/devtest/i-o-verification
#include "verifier/special_pool.hpp"


#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>

#include <ntio/ntio_verifier.h>

#include "host/pages.hpp"
#include "verifier/state.hpp"

namespace ntio::verifier {
namespace {

// A slot: up to kDataPages pages for the block (the largest IRP, 127 stack locations, needs 3 pages
// of 4 KiB), then one guard page.
constexpr std::size_t kDataPages = 3;
constexpr std::size_t kSlotPages = kDataPages + 1;
constexpr std::uint32_t kSlots = 2048;
// Freed slots kept inaccessible before one is reused (the oldest first).
constexpr std::size_t kQuarantine = 256;
constexpr unsigned char kFreedPoison = 0xF5;
constexpr unsigned char kSlackPattern = 0xC1;

enum SlotState : std::uint32_t { kUnused = 0, kLive = 1, kFreed = 2 };

struct Pool {
    std::uintptr_t base = 0;
    std::size_t page = 0;
    std::size_t slot_bytes = 0;
    std::size_t data_bytes = 0;
    // Read by the fault handler without the lock: state, then the block's offset in its slot.
    std::atomic<std::uint32_t> state[kSlots];
    std::atomic<std::uint32_t> start[kSlots];
    std::atomic<std::uint32_t> end[kSlots];  // the block's end; slack up to data_bytes
    std::mutex lock;
    std::vector<std::uint32_t> reusable;  // guarded by lock: out of quarantine, pages inaccessible
    std::deque<std::uint32_t> quarantine; // guarded by lock
    std::uint32_t next_unused = 0;        // guarded by lock
    std::size_t live = 0;                 // guarded by lock
    std::size_t fallbacks = 0;            // guarded by lock
};

std::atomic<Pool*> g_pool{nullptr};
std::once_flag g_pool_once;

Pool* pool() noexcept {
    std::call_once(g_pool_once, [] {
        auto* p = new (std::nothrow) Pool();
        if (!p) return;
        p->page = host::page_size();
        p->slot_bytes = kSlotPages * p->page;
        p->data_bytes = kDataPages * p->page;
        // Address space only: pages are made accessible one IRP at a time.
        void* region = host::reserve_pages(p->slot_bytes * kSlots);
        if (!region) {
            delete p;
            return;
        }
        p->base = reinterpret_cast<std::uintptr_t>(region);
        for (std::uint32_t i = 0; i < kSlots; ++i) {
            p->state[i].store(kUnused, std::memory_order_relaxed);
            p->start[i].store(0, std::memory_order_relaxed);
            p->end[i].store(0, std::memory_order_relaxed);
        }
        g_pool.store(p, std::memory_order_release);  // never freed: late faults must find it
    });
    return g_pool.load(std::memory_order_acquire);
}

// NT deviation: Windows puts the IRPs of a driver under I/O verification in special pool whatever
// the Special Pool option says ("When Level 1 I/O Verification is enabled, all IRPs obtained through
// IoAllocateIrp are allocated from a special pool and their use is tracked",
// https://learn.microsoft.com/windows-hardware/drivers/devtest/i-o-verification); ntio needs both
// (the standard flags have both), so I/O verification alone keeps IRP allocation free of system
// calls. Either way only IRPs a verified driver allocates (its code on the thread, or
// IoAllocateIrpEx for its device) come from here: an originator's IRPs sent to a verified stack
// (gate V2's) do not.
bool special_for(PDRIVER_OBJECT driver) noexcept {
    constexpr ULONG kNeeded = NTIO_VERIFIER_SPECIAL_POOL | NTIO_VERIFIER_IO_CHECKING;
    return driver && (driver_flags(driver) & kNeeded) == kNeeded;
}

std::uintptr_t slot_base(const Pool& p, std::uint32_t slot) noexcept { return p.base + slot * p.slot_bytes; }

bool slot_of(const Pool& p, std::uintptr_t address, std::uint32_t* slot) noexcept {
    if (address < p.base || address >= p.base + p.slot_bytes * kSlots) return false;
    *slot = static_cast<std::uint32_t>((address - p.base) / p.slot_bytes);
    return true;
}

}  // namespace

void* special_pool_allocate_irp(PDEVICE_OBJECT target, std::size_t bytes) noexcept {
    if (!special_for(context_driver()) && !(target && special_for(target->DriverObject))) return nullptr;
    Pool* p = pool();
    if (!p || bytes == 0 || bytes > p->data_bytes || bytes % 8 != 0) return nullptr;
    std::lock_guard guard(p->lock);
    std::uint32_t slot;
    if (!p->reusable.empty()) {
        slot = p->reusable.back();
        p->reusable.pop_back();
    } else if (p->next_unused < kSlots) {
        slot = p->next_unused++;
    } else if (!p->quarantine.empty()) {
        // Every slot is live or quarantined: cut the quarantine short rather than fail.
        slot = p->quarantine.front();
        p->quarantine.pop_front();
    } else {
        // As on Windows, an allocation the special pool cannot hold comes from normal pool.
        ++p->fallbacks;
        return nullptr;
    }
    // The block keeps MEMORY_ALLOCATION_ALIGNMENT (16): an IRP with an odd number of stack locations
    // leaves 8 bytes between its end and the guard page, filled with a pattern checked at free.
    const std::size_t start = (p->data_bytes - bytes) & ~std::size_t{15};
    const std::size_t first_page = start / p->page * p->page;
    auto* data = reinterpret_cast<unsigned char*>(slot_base(*p, slot));
    if (!host::protect_pages(data + first_page, p->data_bytes - first_page, host::kPageRead | host::kPageWrite)) {
        p->reusable.push_back(slot);
        ++p->fallbacks;
        return nullptr;
    }
    std::memset(data + start + bytes, kSlackPattern, p->data_bytes - start - bytes);
    p->start[slot].store(static_cast<std::uint32_t>(start), std::memory_order_relaxed);
    p->end[slot].store(static_cast<std::uint32_t>(start + bytes), std::memory_order_relaxed);
    p->state[slot].store(kLive, std::memory_order_release);
    ++p->live;
    return data + start;
}

bool special_pool_owns(const void* block) noexcept {
    Pool* p = g_pool.load(std::memory_order_acquire);
    std::uint32_t slot;
    return p && slot_of(*p, reinterpret_cast<std::uintptr_t>(block), &slot);
}

void special_pool_free(void* block, const void* freed) noexcept {
    Pool* p = g_pool.load(std::memory_order_acquire);
    std::uint32_t slot;
    if (!p || !slot_of(*p, reinterpret_cast<std::uintptr_t>(block), &slot)) return;
    auto* data = reinterpret_cast<unsigned char*>(slot_base(*p, slot));
    const unsigned char* corrupted = nullptr;
    {
        std::lock_guard guard(p->lock);
        if (p->state[slot].load(std::memory_order_relaxed) != kLive) return;
        const std::size_t start = p->start[slot].load(std::memory_order_relaxed);
        for (std::size_t i = p->end[slot].load(std::memory_order_relaxed); i < p->data_bytes && !corrupted; ++i)
            if (data[i] != kSlackPattern) corrupted = data + i;
        if (!corrupted) {
            std::memset(data + start, kFreedPoison, p->data_bytes - start);
            p->state[slot].store(kFreed, std::memory_order_release);
            (void)host::protect_pages(data, p->data_bytes, host::kPageNone);
            --p->live;
            p->quarantine.push_back(slot);
            if (p->quarantine.size() > kQuarantine) {
                p->reusable.push_back(p->quarantine.front());
                p->quarantine.pop_front();
            }
        }
    }
    if (!corrupted) return;
    // Bug check 0xC1 SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, parameter 4 0x24: "A driver freed an
    // address, but bytes occurring after the end of the allocation have been overwritten"
    // (parameters: the address freed, the corrupted address, reserved, 0x24).
    // https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc1--special-pool-detected-memory-corruption
    report({SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, reinterpret_cast<ULONG_PTR>(freed),
            reinterpret_cast<ULONG_PTR>(corrupted), 0, 0x24, Severity::Always, nullptr,
            "the driver wrote past the end of an IRP from the special pool (found when it was freed)", context_driver(),
            nullptr, nullptr});
    KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, reinterpret_cast<ULONG_PTR>(freed),
                 reinterpret_cast<ULONG_PTR>(corrupted), 0, 0x24);
}

// Bug checks 0xD5 DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL / 0xCC PAGE_FAULT_IN_FREED_SPECIAL_POOL and
// 0xD6 DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION / 0xCD PAGE_FAULT_BEYOND_END_OF_ALLOCATION; the
// DRIVER_ form when a driver's code was running. Parameters: address referenced, 0 read / 1 write,
// the address that referenced memory, reserved. "This cannot be protected by a try - except handler".
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xd5--driver-page-fault-in-freed-special-pool
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xd6--driver-page-fault-beyond-end-of-allocation
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xcc--page-fault-in-freed-special-pool
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xcd--page-fault-beyond-end-of-allocation
void special_pool_fault(const void* address, bool write, const void* pc) noexcept {
    Pool* p = g_pool.load(std::memory_order_acquire);
    std::uint32_t slot;
    if (!p || !slot_of(*p, reinterpret_cast<std::uintptr_t>(address), &slot)) return;
    const std::uint32_t state = p->state[slot].load(std::memory_order_acquire);
    if (state == kUnused) return;  // a wild pointer into address space never handed out
    // A live slot faults only on its guard page or on the pages below its block (never accessible
    // while it lives): both are outside the allocation.
    const bool freed = state == kFreed;
    PDRIVER_OBJECT driver = context_driver();
    const ULONG code = freed ? (driver ? DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL : PAGE_FAULT_IN_FREED_SPECIAL_POOL)
                             : (driver ? DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION : PAGE_FAULT_BEYOND_END_OF_ALLOCATION);
    const auto p1 = reinterpret_cast<ULONG_PTR>(address);
    const ULONG_PTR p2 = write ? 1 : 0;
    const auto p3 = reinterpret_cast<ULONG_PTR>(pc);
    // The IRP is not passed: its pages are inaccessible, and the report must not fault again.
    report({code, p1, p2, p3, 0, Severity::Always, nullptr,
            freed ? "an IRP from the special pool was touched after IoFreeIrp (after its completion freed it)"
                  : "an access past the end of an IRP from the special pool (beyond its last stack location)",
            driver, nullptr, nullptr});
    // The mode is off: report returned, but the faulting access cannot be resumed.
    KeBugCheckEx(code, p1, p2, p3, 0);
}

SpecialPoolCounters special_pool_counters() noexcept {
    SpecialPoolCounters counters;
    Pool* p = g_pool.load(std::memory_order_acquire);
    if (!p) return counters;
    std::lock_guard guard(p->lock);
    counters.live = p->live;
    counters.quarantined = p->quarantine.size();
    counters.fallbacks = p->fallbacks;
    return counters;
}

}  // namespace ntio::verifier
