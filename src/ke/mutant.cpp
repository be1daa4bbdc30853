// Mutants and kernel mutexes (KMUTANT): SignalState 1 = free, <= 0 = owned (recursion depth
// 1 - SignalState). Ownership lives in OwnerThread and the owner's mutant list, so a terminating
// owner abandons them. Kernel mutexes (ApcDisable) also disable normal kernel APCs while owned.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "ke/apc.hpp"
#include "ke/dispatcher.hpp"
#include "ke/kernel.hpp"
#include "ke/mutant.hpp"
#include "verifier/verifier.hpp"

namespace ntio::ke {
namespace {

enum class ReleaseResult { Released, NotOwned };

// Lock held. `abandon`: release for good whatever the recursion depth, marking it abandoned.
ReleaseResult release_locked(PKMUTANT m, _KTHREAD* caller, bool abandon, LONG& previous) noexcept {
    previous = state_of(&m->Header);
    if (!abandon && m->OwnerThread != caller) return ReleaseResult::NotOwned;
    _KTHREAD* owner = m->OwnerThread;
    LONG next = abandon ? 1 : previous + 1;
    if (abandon && owner) m->Abandoned = 1;
    if (next == 1 && owner) {
        RemoveEntryList(&m->MutantListEntry);
        InitializeListHead(&m->MutantListEntry);
        m->OwnerThread = nullptr;
        if (m->ApcDisable) owner->m_kernel_apc_disable.fetch_add(1, std::memory_order_relaxed);
    }
    exchange_state(&m->Header, next);
    if (next == 1) wait_test_locked(&m->Header);
    return ReleaseResult::Released;
}

void initialize(PKMUTANT m, bool owned, UCHAR apc_disable) {
    initialize_header(&m->Header, MutantObject, static_cast<UCHAR>(sizeof(KMUTANT) / sizeof(LONG)), owned ? 0 : 1);
    m->MutantFlags = 0;
    m->ApcDisable = apc_disable;
    m->OwnerThread = nullptr;
    InitializeListHead(&m->MutantListEntry);
    if (owned) {
        _KTHREAD* t = current_thread();
        DispatcherGuard guard;
        m->OwnerThread = t;
        if (t) InsertTailList(&t->m_mutant_list, &m->MutantListEntry);
    }
}

}  // namespace

void abandon_mutants_locked(_KTHREAD* t) noexcept {
    while (!IsListEmpty(&t->m_mutant_list)) {
        PKMUTANT m = CONTAINING_RECORD(t->m_mutant_list.Flink, KMUTANT, MutantListEntry);
        LONG previous;
        release_locked(m, t, true, previous);
    }
}

NTSTATUS release_mutant(PRKMUTANT mutant, bool abandoned, LONG* previous_count) {
    _KTHREAD* t = current_thread();
    LONG previous = 0;
    ReleaseResult r;
    {
        DispatcherGuard guard;
        r = release_locked(mutant, t, abandoned, previous);
    }
    if (previous_count) *previous_count = previous;
    if (r == ReleaseResult::NotOwned) return STATUS_MUTANT_NOT_OWNED;
    if (t && t->m_irql == PASSIVE_LEVEL) deliver_kernel_apcs_if_pending(t);
    return STATUS_SUCCESS;
}

}  // namespace ntio::ke

using namespace ntio::ke;

extern "C" {

NTKERNELAPI VOID KeInitializeMutant(PRKMUTANT Mutant, BOOLEAN InitialOwner) { initialize(Mutant, InitialOwner, 0); }

// Level is accepted for source compatibility; NT ignores it as well on x64.
NTKERNELAPI VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level) { initialize(Mutex, false, 1); }

NTKERNELAPI LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeDispatchLte);
    LONG previous = 0;
    if (release_mutant(Mutex, false, &previous) == STATUS_MUTANT_NOT_OWNED)
        KeBugCheckEx(THREAD_NOT_MUTEX_OWNER, reinterpret_cast<ULONG_PTR>(Mutex->OwnerThread),
                     reinterpret_cast<ULONG_PTR>(Mutex), reinterpret_cast<ULONG_PTR>(current_thread()), 0);
    return previous;
}

// Not owned (and not an abandon): raises STATUS_MUTANT_NOT_OWNED, as NT's KeReleaseMutant does.
NTKERNELAPI LONG KeReleaseMutant(PRKMUTANT Mutant, KPRIORITY Increment, BOOLEAN Abandoned, BOOLEAN Wait) {
    LONG previous = 0;
    if (release_mutant(Mutant, Abandoned != FALSE, &previous) == STATUS_MUTANT_NOT_OWNED)
        ExRaiseStatus(STATUS_MUTANT_NOT_OWNED);
    return previous;
}

NTKERNELAPI LONG KeReadStateMutex(PRKMUTEX Mutex) {
    return state_of(&Mutex->Header);
}

NTKERNELAPI LONG KeReadStateMutant(PRKMUTANT Mutant) { return KeReadStateMutex(Mutant); }

}  // extern "C"
