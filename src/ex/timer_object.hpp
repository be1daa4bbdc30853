// The executive timer object (NT's ETIMER), the body of the objects NtCreateTimer makes: a KTIMER
// with the APC its TIMER_APC_ROUTINE is delivered through and the DPC that queues that APC at each
// expiry. While an APC is associated the timer sits in the setting thread's list of active timers
// (_KTHREAD::m_active_timers) and holds a reference on itself; each queued APC holds another. The
// association ends at cancel, at the next set, after a one-shot timer's APC, when the setting thread
// terminates (the thread rundown hook) and when the last handle to the timer is closed.
// Lock order: the timer's lock, then a thread's active-timer lock.
#pragma once

#include <wdm.h>

#include "ke/thread.hpp"

namespace ntio::ex {

struct TimerObject {
    KTIMER timer;               // first: the body is waited on (and read) as its KTIMER
    ULONG signature;            // kTimerObjectSignature once initialized (ob's procedures check it)
    KSPIN_LOCK lock;            // guards what follows
    KAPC apc;                   // TIMER_APC_ROUTINE, queued to the thread that set the timer
    KDPC dpc;                   // the expiry DPC that queues the APC
    LIST_ENTRY active_link;     // in apc.Thread->m_active_timers while apc_associated
    PTIMER_APC_ROUTINE apc_routine;  // of the association
    LONG period;                // of the latest set, in ms
    bool apc_associated;
    bool dpc_used;              // ever armed with the DPC: its deletion flushes the DPC queues
};

inline constexpr ULONG kTimerObjectSignature = 0x72656d54;  // 'Tmer'

// Prepares a zeroed body (ObCreateObject's) as a not-set, not-signalled timer of `type`.
void initialize_timer_object(TimerObject* timer, TIMER_TYPE type) noexcept;

// True for a body initialize_timer_object prepared (`body_size` is the object's body size): a Timer
// object created some other way (a driver's ObCreateObject with a bare KTIMER body) is not one.
bool is_timer_object(const void* body, ULONG body_size) noexcept;

struct TimerSetting {
    LARGE_INTEGER due_time{};                 // KeSetTimerEx's: negative relative, positive absolute
    PTIMER_APC_ROUTINE apc_routine = nullptr;  // null: no APC
    PVOID apc_context = nullptr;
    KPROCESSOR_MODE apc_mode = KernelMode;     // UserMode: a user APC (delivered in alertable waits)
    LONG period = 0;                          // ms, >= 0
};

// Cancels what the timer was set to (and its APC), then arms it as `setting` says, the APC (if any)
// targeting the calling thread. Returns the signal state before arming. IRQL <= APC_LEVEL.
BOOLEAN set_timer_object(TimerObject* timer, const TimerSetting& setting) noexcept;

// Disarms the timer and ends its APC association (a queued APC is removed). Returns the signal
// state, which the cancel leaves as it was. IRQL <= APC_LEVEL.
BOOLEAN cancel_timer_object(TimerObject* timer) noexcept;

// The Timer type's procedures (ob/object_type.cpp calls them for bodies is_timer_object accepts).
// The last handle closed cancels the timer and its APC; deletion disarms the KTIMER and waits until
// no expiry DPC can still be running on the body.
void close_timer_object(TimerObject* timer, ULONG_PTR system_handle_count) noexcept;
void delete_timer_object(TimerObject* timer) noexcept;

// Thread rundown hook (Executive registers it with the kernel): cancels the timers whose APC targets
// the terminating thread, with their APCs. The timers' signal states are left as they are.
void timer_rundown(_KTHREAD* thread, void* context);

}  // namespace ntio::ex
