// Lookup-section slots (one per thread, reused after the thread ends) and the grace period.
#include "ob/lookup_section.hpp"

#include "host/cpu.hpp"
#include "host/memory_barrier.hpp"
#include "host/thread.hpp"

namespace ntio::ob {
namespace {

std::atomic<LookupSlot*> g_slots{nullptr};
std::atomic<unsigned> g_fence_word{0};  // a full barrier where the host gives no process barrier

void release_slot(void* value) {
    auto* slot = static_cast<LookupSlot*>(value);
    release_slot_references(slot);
    if (t_lookup_slot == slot) t_lookup_slot = nullptr;
    slot->in_use.store(false, std::memory_order_release);
}

// Released after every C++ thread_local destructor of the thread, so lookups made by the thread's
// own rundown (IRP cancellation, handle closes) still have their slot.
host::LateThreadExit& slot_release() noexcept {
    static host::LateThreadExit* release = new host::LateThreadExit(release_slot);  // never destroyed
    return *release;
}

bool initialise() noexcept {
    (void)slot_release();
    return !host::process_barrier_available();
}

}  // namespace

bool g_lookup_fence = initialise();
constinit thread_local LookupSlot* t_lookup_slot = nullptr;

LookupSlot* claim_lookup_slot() noexcept {
    LookupSlot* slot = nullptr;
    for (LookupSlot* s = g_slots.load(std::memory_order_acquire); s; s = s->next) {
        bool idle = false;
        if (!s->in_use.load(std::memory_order_relaxed) &&
            s->in_use.compare_exchange_strong(idle, true, std::memory_order_acquire)) {
            slot = s;
            break;
        }
    }
    if (!slot) {
        // Never freed: a slot outlives its thread and serves the next one.
        slot = new LookupSlot;
        slot->in_use.store(true, std::memory_order_relaxed);
        LookupSlot* head = g_slots.load(std::memory_order_relaxed);
        do {
            slot->next = head;
        } while (!g_slots.compare_exchange_weak(head, slot, std::memory_order_release, std::memory_order_relaxed));
    }
    slot->depth = 0;
    t_lookup_slot = slot;
    slot_release().set(slot);
    return slot;
}

LookupSlot* first_lookup_slot() noexcept { return g_slots.load(std::memory_order_acquire); }

void wait_for_lookups() noexcept {
    if (g_lookup_fence) g_fence_word.fetch_add(1, std::memory_order_seq_cst);
    else host::process_barrier();
    const LookupSlot* mine = t_lookup_slot;
    for (LookupSlot* s = g_slots.load(std::memory_order_acquire); s; s = s->next) {
        if (s == mine) continue;
        const std::uint64_t seen = s->seq.load(std::memory_order_acquire);
        if (!(seen & 1)) continue;
        // Sections are short; a long wait means the reader was preempted.
        for (unsigned spins = 0; s->seq.load(std::memory_order_acquire) == seen; ++spins) host::spin_step(spins);
    }
}

}  // namespace ntio::ob
