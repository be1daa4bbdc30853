// Holds: a service uses the object of a handle it looked up without taking a reference, for the
// rest of the call (a synchronous read's file object). A reference is two locked instructions on
// the object's shared count, and the one that drops it waits for the request's last loads (a 4 KiB
// read's copy) before the service can return; a hold is two stores and two loads on the thread's
// own lookup slot.
//
// What keeps a held object alive is the handle it was found through: its reference is dropped
// only after the handle's entry is removed and a grace period has passed (handle_table.cpp), and
// that drop first gives every thread holding the object a reference of its own
// (give_holders_references). Holder and remover are a Dekker pair: the holder clears `held` then
// looks at `handed`; the remover stores `handed`, orders memory on every thread with one
// process-wide barrier, then looks at `held` again. At least one of them sees the other's store,
// and whoever takes `handed` back (an exchange) drops that reference. The holder's side has no
// fence; where the host gives no process barrier (g_lookup_fence) both sides' stores and loads are
// sequentially consistent.
//
// A thread holds one object at a time: a service called while its thread holds one (a driver's
// nested read on the same thread, an APC) takes a reference instead.
#pragma once

#include "ob/lookup_section.hpp"
#include "ob/object_header.hpp"

namespace ntio::ob {

// Inside a lookup section, once the entry's object passed its checks: the thread holds `object`
// until end_hold. False when the thread already holds one (take a reference then).
[[gnu::always_inline]] inline bool hold(ObjectHeader* object) noexcept {
    LookupSlot* slot = t_lookup_slot;  // claimed: the caller is inside a section
    if (slot->held.load(std::memory_order_relaxed)) [[unlikely]] return false;
    slot->held.store(object, std::memory_order_relaxed);  // published by leaving the section
    return true;
}

void take_handed_reference(LookupSlot* slot) noexcept;

// Ends the thread's hold. Every use of the object is before it: the remover may free the object
// as soon as it sees `held` clear.
[[gnu::always_inline]] inline void end_hold() noexcept {
    LookupSlot* slot = t_lookup_slot;
    if (g_lookup_fence) [[unlikely]] {
        slot->held.exchange(nullptr, std::memory_order_seq_cst);
        if (slot->handed.load(std::memory_order_seq_cst)) take_handed_reference(slot);
        return;
    }
    slot->held.store(nullptr, std::memory_order_release);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (slot->handed.load(std::memory_order_relaxed)) [[unlikely]] take_handed_reference(slot);
}

// A removed handle's reference to `object` is about to be dropped (after the grace period):
// every thread holding the object gets a reference of its own first, which its end_hold drops.
void give_holders_references(ObjectHeader* object) noexcept;

// ---- Spare references ----
// An asynchronous request's IRP keeps its file object with a reference of its own, taken when it is
// sent and dropped by its final stage. On the requesting thread both come from, and go back to, a
// stock of spare references to one object in the thread's slot: one locked instruction per
// kSpareBatch requests instead of two per request. Spares are made only while the thread holds the
// object (found through a handle), and the removal of an object's last handle takes every thread's
// spares of it back (steal_spare_references; a holder that was handed a reference drops its spares of
// that object itself), so spares never keep alive an object that would otherwise go. The owner works
// on its spares inside a bracket (`spares_busy`); a remover announces a steal, orders memory on every
// thread with the process-wide barrier, and waits for the bracket to be empty: a Dekker pair again.

inline constexpr long kSpareBatch = 64;
inline constexpr long kMaxSpares = 256;

// False when a steal is under way: the caller uses the object's count itself.
[[gnu::always_inline]] inline bool enter_spares(LookupSlot* slot) noexcept {
    if (g_lookup_fence) [[unlikely]] {
        slot->spares_busy.exchange(true, std::memory_order_seq_cst);
        if (!slot->steal.load(std::memory_order_seq_cst)) return true;
    } else {
        slot->spares_busy.store(true, std::memory_order_relaxed);
        std::atomic_signal_fence(std::memory_order_seq_cst);
        // Acquire: the spares read after it are not read before it (a steal that ended meanwhile
        // emptied them).
        if (!slot->steal.load(std::memory_order_acquire)) [[likely]] return true;
    }
    slot->spares_busy.store(false, std::memory_order_release);
    return false;
}

[[gnu::always_inline]] inline void leave_spares(LookupSlot* slot) noexcept {
    slot->spares_busy.store(false, std::memory_order_release);
}

// Out of line: the thread's spares become `object`'s (one for the caller, the rest spare), and the
// old object's go back to it.
void refill_spares(LookupSlot* slot, ObjectHeader* object) noexcept;

// A reference to `object`, which the calling thread holds (hold above).
[[gnu::always_inline]] inline void take_spare_reference(ObjectHeader* object) noexcept {
    LookupSlot* slot = t_lookup_slot;  // claimed by the hold's lookup
    if (!enter_spares(slot)) [[unlikely]] {
        reference(object);
        return;
    }
    if (slot->spare_object.load(std::memory_order_relaxed) == object) [[likely]] {
        const long spares = slot->spares.load(std::memory_order_relaxed);
        if (spares > 0) [[likely]] {
            slot->spares.store(spares - 1, std::memory_order_relaxed);
            leave_spares(slot);
            return;
        }
    }
    leave_spares(slot);
    refill_spares(slot, object);
}

// Drops a reference to `object` that the calling thread owns: back into its spares when they are
// `object`'s, else from the object's count.
[[gnu::always_inline]] inline void drop_spare_reference(ObjectHeader* object) noexcept {
    LookupSlot* slot = t_lookup_slot;
    if (slot && enter_spares(slot)) [[likely]] {
        if (slot->spare_object.load(std::memory_order_relaxed) == object) [[likely]] {
            const long spares = slot->spares.load(std::memory_order_relaxed);
            if (spares < kMaxSpares) [[likely]] {
                slot->spares.store(spares + 1, std::memory_order_relaxed);
                leave_spares(slot);
                return;
            }
        }
        leave_spares(slot);
    }
    dereference(object);
}

// The last handle to `object` is gone (after the grace period and give_holders_references, before the
// handle's own reference is dropped): takes every thread's spares of it back.
void steal_spare_references(ObjectHeader* object) noexcept;

}  // namespace ntio::ob
