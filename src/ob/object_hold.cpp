// Holds: the remover's side and the holder's rare one (see object_hold.hpp).
#include "ob/object_hold.hpp"

#include <mutex>

#include "host/cpu.hpp"
#include "host/memory_barrier.hpp"

#include <wdm.h>

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
        host::spin_step(spins);
    }
}

ObjectHeader* header(const void* object) noexcept {
    return const_cast<ObjectHeader*>(static_cast<const ObjectHeader*>(object));
}

// Drops `count` references to `object`. The last may delete it: here, or on a system worker when
// `defer` (a thread that is ending must not run a delete procedure: IRP_MJ_CLOSE, perhaps a driver's
// deferred unload that waits for that very thread).
void drop_references(ObjectHeader* object, long count, bool defer = false) noexcept {
    if (count > 1) object->pointer_count.fetch_sub(count - 1, std::memory_order_acq_rel);
    if (count <= 0) return;
    if (defer) ObDereferenceObjectDeferDelete(object->body());
    else dereference(object);
}

// Empties the slot's spares when they are `object`'s (any object's when null); returns how many it
// took. The caller is the slot's owner or a remover whose steal is announced and unopposed.
long take_spares(LookupSlot* slot, const void* object) noexcept {
    const void* current = slot->spare_object.load(std::memory_order_relaxed);
    if (!current || (object && current != object)) return 0;
    const long spares = slot->spares.load(std::memory_order_relaxed);
    slot->spares.store(0, std::memory_order_relaxed);
    slot->spare_object.store(nullptr, std::memory_order_relaxed);
    return spares;
}

// The owner's own flush: its spares of `object` (of any object when null) go back. Only the slot's
// owner may call it: the bracket keeps removers' steals out, not the owner.
void flush_own_spares(LookupSlot* slot, const void* object, bool defer = false) noexcept {
    for (unsigned spins = 0; !enter_spares(slot); ++spins) host::spin_step(spins);  // a remover is stealing them
    const void* current = slot->spare_object.load(std::memory_order_relaxed);
    const long taken = take_spares(slot, object);
    leave_spares(slot);
    if (taken) drop_references(header(current), taken, defer);
}

// A remover takes back the reference it handed to a slot whose holder stopped holding first: only
// that reference. The holder's spares are left alone (they are the owner's; the steal of the
// object's last handle takes them, and the holder's refills came before its hold ended, which the
// remover saw).
void take_back_handed(LookupSlot* slot) noexcept {
    if (const void* object = slot->handed.exchange(nullptr, std::memory_order_acq_rel)) dereference(header(object));
}

}  // namespace

void take_handed_reference(LookupSlot* slot) noexcept {
    if (const void* object = slot->handed.exchange(nullptr, std::memory_order_acq_rel)) {
        // The handle this thread held the object through is gone: spares it made of the object
        // during the hold would outlive every handle.
        flush_own_spares(slot, object);
        dereference(header(object));
    }
}

void release_slot_references(LookupSlot* slot) noexcept {
    // A hold its thread left without ending it (no service returns without ending its hold; a thread
    // unwound from inside one would leave it): ended, so a remover never hands the dead slot a
    // reference.
    if (slot->held.load(std::memory_order_relaxed)) {
        slot->held.store(nullptr, std::memory_order_seq_cst);
        if (const void* object = slot->handed.exchange(nullptr, std::memory_order_acq_rel))
            drop_references(header(object), 1, true);
    }
    flush_own_spares(slot, nullptr, true);
}

void refill_spares(LookupSlot* slot, ObjectHeader* object) noexcept {
    object->pointer_count.fetch_add(kSpareBatch, std::memory_order_relaxed);  // the caller's and the spares
    const void* old = object;
    long old_spares = kSpareBatch - 1;  // a steal under way: only the caller's is kept
    if (enter_spares(slot)) {
        old = slot->spare_object.load(std::memory_order_relaxed);
        old_spares = take_spares(slot, nullptr);
        slot->spare_object.store(object, std::memory_order_relaxed);
        slot->spares.store(kSpareBatch - 1, std::memory_order_relaxed);
        leave_spares(slot);
    }
    if (old_spares) drop_references(header(old), old_spares);
}

void steal_spare_references(ObjectHeader* object) noexcept {
    for (LookupSlot* slot = first_lookup_slot(); slot; slot = slot->next) {
        if (slot->spare_object.load(std::memory_order_acquire) != object) continue;
        long taken = 0;
        if (slot == t_lookup_slot) {
            taken = take_spares(slot, object);  // the caller's own: no one else touches them
        } else {
            std::lock_guard<std::mutex> guard(g_hand_off_lock);
            slot->steal.store(object, std::memory_order_seq_cst);
            // After the barrier the owner is either inside its bracket (waited for) or will see the
            // steal when it next enters one.
            if (!g_lookup_fence) host::process_barrier();
            for (unsigned spins = 0; slot->spares_busy.load(std::memory_order_seq_cst); ++spins) host::spin_step(spins);
            taken = take_spares(slot, object);
            slot->steal.store(nullptr, std::memory_order_release);
        }
        drop_references(object, taken);  // never the last: the caller still has the handle's
    }
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
        take_back_handed(slot);
    }
}

}  // namespace ntio::ob
