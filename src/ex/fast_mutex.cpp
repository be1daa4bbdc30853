// FAST_MUTEX and KGUARDED_MUTEX (one structure). Count holds FM_LOCK_BIT (set while free),
// FM_LOCK_WAITER_WOKEN (one waiter has been signalled and not yet run) and the number of waiters in
// units of FM_LOCK_WAITER_INC. A release signals the Event only when waiters exist and none is
// already woken, so the auto-reset event never carries more than one signal and none is lost.
// Ownership errors bugcheck as Driver Verifier's deadlock detection does
// (learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc4--driver-verifier-detected-violation).
#include <atomic>
#include <cstdint>

#include <wdm.h>

#include "ke/thread.hpp"
#include "verifier/verifier.hpp"

namespace ntio::ex {
namespace {

LONG load_count(PFAST_MUTEX m) noexcept { return __atomic_load_n(&m->Count, __ATOMIC_RELAXED); }
bool replace_count(PFAST_MUTEX m, LONG& expected, LONG desired) noexcept {
    return __atomic_compare_exchange_n(&m->Count, &expected, desired, true, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

PVOID owner_of(PFAST_MUTEX m) noexcept { return __atomic_load_n(&m->Owner, __ATOMIC_RELAXED); }
void set_owner(PFAST_MUTEX m, PVOID owner) noexcept { __atomic_store_n(&m->Owner, owner, __ATOMIC_RELAXED); }

void check_not_recursive(PFAST_MUTEX m, PVOID self) {
    if (owner_of(m) == self) {
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000, reinterpret_cast<ULONG_PTR>(m), 0, 0);
    }
}

void check_owner(PFAST_MUTEX m, PVOID self) {
    PVOID owner = owner_of(m);
    if (owner == nullptr) {
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1007, reinterpret_cast<ULONG_PTR>(m), 0, 0);
    }
    if (owner != self) {
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1004, reinterpret_cast<ULONG_PTR>(m),
                     reinterpret_cast<ULONG_PTR>(owner), reinterpret_cast<ULONG_PTR>(self));
    }
}

bool try_acquire(PFAST_MUTEX m) noexcept {
    LONG c = load_count(m);
    while (c & FM_LOCK_BIT) {
        if (replace_count(m, c, c & ~FM_LOCK_BIT)) return true;
    }
    return false;
}

void acquire(PFAST_MUTEX m) {
    bool woken = false;  // this thread was signalled and still has to clear FM_LOCK_WAITER_WOKEN
    for (;;) {
        LONG c = load_count(m);
        const LONG clear = woken ? ~FM_LOCK_WAITER_WOKEN : ~0;
        if (c & FM_LOCK_BIT) {
            if (replace_count(m, c, (c & ~FM_LOCK_BIT) & clear)) return;
            continue;
        }
        if (!replace_count(m, c, (c + FM_LOCK_WAITER_INC) & clear)) continue;
        __atomic_fetch_add(&m->Contention, 1, __ATOMIC_RELAXED);
        KeWaitForSingleObject(&m->Event, WrFastMutex, KernelMode, FALSE, nullptr);
        woken = true;
    }
}

void release(PFAST_MUTEX m) {
    LONG c = load_count(m);
    for (;;) {
        LONG desired = c | FM_LOCK_BIT;
        const bool wake = c >= FM_LOCK_WAITER_INC && (c & FM_LOCK_WAITER_WOKEN) == 0;
        if (wake) desired = (desired - FM_LOCK_WAITER_INC) | FM_LOCK_WAITER_WOKEN;
        if (__atomic_compare_exchange_n(&m->Count, &c, desired, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
            if (wake) KeSetEvent(&m->Event, 0, FALSE);
            return;
        }
    }
}

// Driver Verifier's 0xC4 0x39 / 0x3A (an unsafe acquire or release outside APC_LEVEL with APCs
// enabled), for a verified caller: NT checks them under Driver Verifier only.
void check_unsafe_context(PFAST_MUTEX m, ULONG code) {
    NTIO_VERIFY_DDI(verifier::DdiRule::LockApcsDisabled, reinterpret_cast<ULONG_PTR>(m), code);
}

// Driver Verifier's 0xC4 0x33 (an acquire above APC_LEVEL) for a verified caller. Unverified, the
// acquire's raise to APC_LEVEL is a raise to a lower IRQL: IRQL_NOT_GREATER_OR_EQUAL, as
// KeRaiseIrql documents ("If the new IRQL is less than the current IRQL, a bug check occurs").
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keraiseirql
void check_acquire_irql(PFAST_MUTEX m) {
    NTIO_VERIFY_DDI(verifier::DdiRule::FastMutexIrql, reinterpret_cast<ULONG_PTR>(m), 0x33);
}

}  // namespace
}  // namespace ntio::ex

using namespace ntio::ex;

extern "C" {

VOID NTAPI ExInitializeFastMutex(PFAST_MUTEX FastMutex) {
    FastMutex->Count = FM_LOCK_BIT;
    FastMutex->Owner = nullptr;
    FastMutex->Contention = 0;
    FastMutex->OldIrql = 0;
    KeInitializeEvent(&FastMutex->Event, SynchronizationEvent, FALSE);
}

VOID FASTCALL ExAcquireFastMutex(PFAST_MUTEX FastMutex) {
    check_acquire_irql(FastMutex);
    PVOID self = KeGetCurrentThread();
    check_not_recursive(FastMutex, self);
    KIRQL old_irql;
    KeRaiseIrql(APC_LEVEL, &old_irql);
    acquire(FastMutex);
    set_owner(FastMutex, self);
    FastMutex->OldIrql = old_irql;
}

BOOLEAN FASTCALL ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex) {
    check_acquire_irql(FastMutex);
    KIRQL old_irql;
    KeRaiseIrql(APC_LEVEL, &old_irql);
    if (!try_acquire(FastMutex)) {
        KeLowerIrql(old_irql);
        return FALSE;
    }
    set_owner(FastMutex, KeGetCurrentThread());
    FastMutex->OldIrql = old_irql;
    return TRUE;
}

VOID FASTCALL ExReleaseFastMutex(PFAST_MUTEX FastMutex) {
    check_owner(FastMutex, KeGetCurrentThread());
    // Driver Verifier's 0xC4 0x34 for a verified caller. Unverified, the release goes through and
    // the IRQL drops to what the acquire saved, as on NT.
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::FastMutexIrql, reinterpret_cast<ULONG_PTR>(FastMutex), 0x34);
    const KIRQL old_irql = static_cast<KIRQL>(FastMutex->OldIrql);
    set_owner(FastMutex, nullptr);
    release(FastMutex);
    KeLowerIrql(old_irql);
}

VOID FASTCALL ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex) {
    check_unsafe_context(FastMutex, 0x39);
    PVOID self = KeGetCurrentThread();
    check_not_recursive(FastMutex, self);
    acquire(FastMutex);
    set_owner(FastMutex, self);
}

VOID FASTCALL ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex) {
    check_unsafe_context(FastMutex, 0x3A);
    check_owner(FastMutex, KeGetCurrentThread());
    set_owner(FastMutex, nullptr);
    release(FastMutex);
}

VOID FASTCALL KeInitializeGuardedMutex(PKGUARDED_MUTEX Mutex) { ExInitializeFastMutex(Mutex); }

VOID FASTCALL KeAcquireGuardedMutex(PKGUARDED_MUTEX Mutex) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeApcLte1);
    PVOID self = KeGetCurrentThread();
    check_not_recursive(Mutex, self);
    KeEnterGuardedRegion();
    acquire(Mutex);
    set_owner(Mutex, self);
}

BOOLEAN FASTCALL KeTryToAcquireGuardedMutex(PKGUARDED_MUTEX Mutex) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeApcLte1);
    KeEnterGuardedRegion();
    if (!try_acquire(Mutex)) {
        KeLeaveGuardedRegion();
        return FALSE;
    }
    set_owner(Mutex, KeGetCurrentThread());
    return TRUE;
}

VOID FASTCALL KeReleaseGuardedMutex(PKGUARDED_MUTEX Mutex) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeApcLte1);
    check_owner(Mutex, KeGetCurrentThread());
    set_owner(Mutex, nullptr);
    release(Mutex);
    KeLeaveGuardedRegion();
}

VOID FASTCALL KeAcquireGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeApcLte1);
    PVOID self = KeGetCurrentThread();
    check_not_recursive(FastMutex, self);
    acquire(FastMutex);
    set_owner(FastMutex, self);
}

VOID FASTCALL KeReleaseGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeApcLte1);
    check_owner(FastMutex, KeGetCurrentThread());
    set_owner(FastMutex, nullptr);
    release(FastMutex);
}

}  // extern "C"
