// Lookup sections: handle lookups read the handle table without writing to it. A lookup runs inside
// a short section announced in its own thread's slot (two stores to a line no other thread writes);
// whoever removes a handle-table entry waits, before it drops the handle's reference, until every
// section that might have seen the entry has ended (the grace period). The writer side orders memory
// with one process-wide barrier (host::process_barrier), so readers need no fence. Sections never
// block and never run driver code: a caller that keeps an object past its section takes a reference
// inside it.
#pragma once

#include <atomic>
#include <cstdint>

namespace ntio::ob {

struct alignas(64) LookupSlot {
    std::atomic<std::uint64_t> seq{0};  // odd while the owning thread is inside a section
    unsigned depth = 0;                 // nesting, owner only
    std::atomic<bool> in_use{false};
    LookupSlot* next = nullptr;         // the registry is an append-only list
    // Holds (ob/object_hold.hpp): the object the owning thread uses past its section without a
    // reference, and a reference a handle's remover handed that use.
    std::atomic<const void*> held{nullptr};
    std::atomic<const void*> handed{nullptr};
    // Spare references (ob/object_hold.hpp): `spares` references to `spare_object`, the owner's to
    // hand out and take back inside a bracket (`spares_busy`); `steal` is a remover taking them.
    std::atomic<bool> spares_busy{false};
    std::atomic<const void*> steal{nullptr};
    std::atomic<const void*> spare_object{nullptr};
    std::atomic<long> spares{0};
};

// True when readers must fence themselves (the host refused the process-wide barrier). Set once,
// before any section, by the library's static initialisation.
extern bool g_lookup_fence;
extern constinit thread_local LookupSlot* t_lookup_slot;  // constinit: no TLS init check per access
LookupSlot* claim_lookup_slot() noexcept;
// The registry's first slot (then ->next), for removers that look at every thread's slot.
LookupSlot* first_lookup_slot() noexcept;
// When a slot's thread ends: ends a hold it left and gives back its spare references (object_hold.cpp).
void release_slot_references(LookupSlot* slot) noexcept;

inline void enter_lookup() noexcept {
    LookupSlot* slot = t_lookup_slot;
    if (!slot) slot = claim_lookup_slot();
    if (slot->depth++ != 0) return;
    // The new count must be visible before the entry is read: the remover's process barrier
    // provides that ordering; without it the reader's increment is a full barrier itself.
    if (g_lookup_fence) {
        slot->seq.fetch_add(1, std::memory_order_seq_cst);
        return;
    }
    slot->seq.store(slot->seq.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
}

inline void leave_lookup() noexcept {
    LookupSlot* slot = t_lookup_slot;
    if (--slot->depth != 0) return;
    slot->seq.store(slot->seq.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

// The grace period: returns once every lookup section that was open when it was called has ended
// (the caller's own excepted). Call after unpublishing an entry, before releasing what it pointed to.
void wait_for_lookups() noexcept;

// RAII section.
struct LookupSection {
    LookupSection() noexcept { enter_lookup(); }
    ~LookupSection() { leave_lookup(); }
    LookupSection(const LookupSection&) = delete;
    LookupSection& operator=(const LookupSection&) = delete;
};

}  // namespace ntio::ob
