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

}  // namespace ntio::ob
