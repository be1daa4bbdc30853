// Holds: the remover's side and the holder's rare one (see object_hold.hpp).
#include "ob/object_hold.hpp"

#include <mutex>

#include <sched.h>

#include "host/cpu.hpp"
#include "host/memory_barrier.hpp"

namespace ntio::ob {
namespace {

// One hand-off at a time: after one, `handed` is clear, or holds a reference the holder takes when
// its present hold ends, so a remover that finds one for its object there may drop its own.
std::mutex g_hand_off_lock;

// Stores `object` as the slot's handed reference. False when the slot's holder already has one for
// it, or stopped holding it. A reference to an object the thread held before is taken back by that
// hold's end: waited for.
bool store_handed(LookupSlot* slot, ObjectHeader* object) noexcept {
    for (unsigned spins = 0;; ++spins) {
        const void* expected = nullptr;
        if (slot->handed.compare_exchange_strong(expected, object, std::memory_order_seq_cst)) return true;
        if (expected == object) return false;
        if (slot->held.load(std::memory_order_acquire) != object) return false;
        if (spins < 128) host::cpu_relax();
        else sched_yield();
    }
}

}  // namespace

void take_handed_reference(LookupSlot* slot) noexcept {
    if (const void* object = slot->handed.exchange(nullptr, std::memory_order_acq_rel))
        dereference(const_cast<ObjectHeader*>(static_cast<const ObjectHeader*>(object)));
}

void give_holders_references(ObjectHeader* object) noexcept {
    for (LookupSlot* slot = first_lookup_slot(); slot; slot = slot->next) {
        if (slot->held.load(std::memory_order_acquire) != object) continue;
        std::lock_guard<std::mutex> guard(g_hand_off_lock);
        reference(object);  // the holder's; the caller's own keeps the object alive meanwhile
        // (so neither this reference's drop nor a taken-back one's below is the last)
        if (!store_handed(slot, object)) {
            dereference(object);
            continue;
        }
        // Without the process barrier, the store above and the load below are sequentially
        // consistent, as the holder's exchange and load are.
        if (!g_lookup_fence) host::process_barrier();
        // Still held: the holder sees `handed` when it ends its hold. Else it may have ended
        // before the store was visible to it: whoever takes the reference back drops it.
        if (slot->held.load(std::memory_order_seq_cst) == object) continue;
        take_handed_reference(slot);
    }
}

}  // namespace ntio::ob
