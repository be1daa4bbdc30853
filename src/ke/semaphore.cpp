// Semaphores (KSEMAPHORE): SignalState is the count, bounded by Limit. Release is a CAS on the
// count; the lock is taken only when someone waits.
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

NTKERNELAPI VOID KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    initialize_header(&Semaphore->Header, SemaphoreObject, static_cast<UCHAR>(sizeof(KSEMAPHORE) / sizeof(LONG)),
                      Count);
    Semaphore->Limit = Limit;
}

NTKERNELAPI LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait) {
    const LONG limit = Semaphore->Limit;
    auto word = header_word(&Semaphore->Header);
    ULONG64 w = word.load(std::memory_order_acquire);
    for (;;) {
        LONG old = state_in(w);
        if (Adjustment <= 0 || old > limit || Adjustment > limit - old) ExRaiseStatus(STATUS_SEMAPHORE_LIMIT_EXCEEDED);
        if (w & kWaitersBit) break;
        if (word.compare_exchange_weak(w, with_state(w, old + Adjustment), std::memory_order_acq_rel)) return old;
    }
    LONG old;
    {
        DispatcherGuard guard;
        old = state_of(&Semaphore->Header);
        if (Adjustment > limit - old) {
            old = -1;
        } else {
            add_state(&Semaphore->Header, Adjustment);
            wait_test_locked(&Semaphore->Header);
        }
    }
    if (old < 0) ExRaiseStatus(STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    return old;
}

NTKERNELAPI LONG KeReadStateSemaphore(PRKSEMAPHORE Semaphore) {
    return state_of(&Semaphore->Header);
}

}  // extern "C"
