// Events (KEVENT): notification events stay signalled until reset; synchronization events
// release one waiter and reset. Setting an event nobody waits on takes no lock.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "ke/dispatcher.hpp"
#include "verifier/verifier.hpp"

using namespace ntio::ke;

extern "C" {

NTKERNELAPI VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State) {
    initialize_header(&Event->Header,
                      Type == SynchronizationEvent ? EventSynchronizationObject : EventNotificationObject,
                      static_cast<UCHAR>(sizeof(KEVENT) / sizeof(LONG)), State ? 1 : 0);
}

// NT deviation: Wait == TRUE is accepted but the dispatcher lock is not kept across the return.
NTKERNELAPI LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeSetEvent, Wait);
    return set_signalled(&Event->Header) > 0 ? 1 : 0;
}

NTKERNELAPI LONG KeResetEvent(PRKEVENT Event) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    return exchange_state(&Event->Header, 0);
}

// NT's KeClearEvent is a plain store of SignalState: clearing wakes nobody, so it needs no lock and
// no read-modify-write. SignalState is the high half of the header word the dispatcher updates
// atomically; a 4-byte store into it cannot be lost against those 8-byte operations on x86-64 (a
// locked operation on the word sees it or overwrites nothing but the state it read).
NTKERNELAPI VOID KeClearEvent(PRKEVENT Event) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    std::atomic_ref<LONG> state(Event->Header.SignalState);
    if (state.load(std::memory_order_relaxed) != 0) state.store(0, std::memory_order_release);
}

NTKERNELAPI LONG KeReadStateEvent(PRKEVENT Event) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    return state_of(&Event->Header);
}

// Satisfies the current waiters (all for notification, one for synchronization) and leaves the
// event not signalled.
NTKERNELAPI LONG KePulseEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    DispatcherGuard guard;
    LONG old = exchange_state(&Event->Header, 1);
    _KTHREAD* ready = old == 0 ? wait_test_collect_locked(&Event->Header) : nullptr;
    exchange_state(&Event->Header, 0);
    wake_ready_locked(ready);
    return old;
}

}  // extern "C"
