// Spin locks: the KSPIN_LOCK word holds the owning KTHREAD (0 = free), which lets a recursive
// acquire bugcheck SPIN_LOCK_ALREADY_OWNED. Waiters spin with pause and yield the CPU after a
// while (the host may have preempted the owner).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "host/cpu.hpp"
#include "ke/spin_lock.hpp"
#include "ke/thread.hpp"
#include "verifier/verifier.hpp"

using namespace ntio::ke;

namespace {

inline ULONG_PTR owner_token(_KTHREAD* t) noexcept { return t ? reinterpret_cast<ULONG_PTR>(t) : 1; }

void acquire(PKSPIN_LOCK lock, _KTHREAD* t) noexcept {
    std::atomic_ref<ULONG_PTR> word(*lock);
    const ULONG_PTR token = owner_token(t);
    unsigned spins = 0;
    for (;;) {
        ULONG_PTR expected = 0;
        if (word.compare_exchange_weak(expected, token, std::memory_order_acquire, std::memory_order_relaxed))
            return;
        if (expected == token && t) KeBugCheckEx(SPIN_LOCK_ALREADY_OWNED, reinterpret_cast<ULONG_PTR>(lock), 0, 0, 0);
        while (word.load(std::memory_order_relaxed) != 0) {
            ntio::host::spin_step(++spins, 256);
        }
    }
}

void release(PKSPIN_LOCK lock, _KTHREAD* t) noexcept {
    std::atomic_ref<ULONG_PTR> word(*lock);
    ULONG_PTR held = word.load(std::memory_order_relaxed);
    if (held == 0 || (t && held != owner_token(t)))
        KeBugCheckEx(SPIN_LOCK_NOT_OWNED, reinterpret_cast<ULONG_PTR>(lock), held, 0, 0);
    word.store(0, std::memory_order_release);
}

}  // namespace

bool ntio::ke::spin_lock_held_by_current_thread(PKSPIN_LOCK lock) noexcept {
    return std::atomic_ref<ULONG_PTR>(*lock).load(std::memory_order_relaxed) == owner_token(current_thread());
}

void ntio::ke::acquire_spin_lock(PKSPIN_LOCK lock) noexcept { acquire(lock, current_thread()); }
void ntio::ke::release_spin_lock(PKSPIN_LOCK lock) noexcept { release(lock, current_thread()); }

extern "C" {

NTKERNELAPI VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock) { *SpinLock = 0; }

NTKERNELAPI KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeAcquireSpinLock, reinterpret_cast<ULONG_PTR>(SpinLock));
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);  // checked above as KeAcquireSpinLock
    acquire(SpinLock, current_thread());
    return old;
}

// Raises to SYNCH_LEVEL (not DISPATCH_LEVEL) before taking the lock; KeReleaseSpinLock releases it
// and lowers back to the IRQL returned.
NTKERNELAPI KIRQL KeAcquireSpinLockRaiseToSynch(PKSPIN_LOCK SpinLock) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeAcquireSpinLock, reinterpret_cast<ULONG_PTR>(SpinLock));
    KIRQL old = KfRaiseIrql(SYNCH_LEVEL);
    acquire(SpinLock, current_thread());
    return old;
}

NTKERNELAPI VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql) {
    *OldIrql = KeAcquireSpinLockRaiseToDpc(SpinLock);
}

NTKERNELAPI VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeReleaseSpinLock, reinterpret_cast<ULONG_PTR>(SpinLock));
    release(SpinLock, current_thread());
    KeLowerIrql(NewIrql);
}

NTKERNELAPI VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeAcquireSpinLock, reinterpret_cast<ULONG_PTR>(SpinLock), 1);
    acquire(SpinLock, current_thread());
}

NTKERNELAPI VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeReleaseSpinLockFromDpcLevel, reinterpret_cast<ULONG_PTR>(SpinLock));
    release(SpinLock, current_thread());
}

NTKERNELAPI BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) {
    std::atomic_ref<ULONG_PTR> word(*SpinLock);
    ULONG_PTR expected = 0;
    return word.compare_exchange_strong(expected, owner_token(current_thread()), std::memory_order_acquire)
               ? TRUE : FALSE;
}

// TRUE when the lock is free (Microsoft Learn, KeTestSpinLock).
NTKERNELAPI BOOLEAN KeTestSpinLock(PKSPIN_LOCK SpinLock) {
    return std::atomic_ref<ULONG_PTR>(*SpinLock).load(std::memory_order_relaxed) == 0 ? TRUE : FALSE;
}

// NT deviation: in-stack queued spin locks share the plain spin lock's protocol (no FIFO hand-off
// between waiters); the handle still records the lock and the previous IRQL.
NTKERNELAPI VOID KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::QueuedSpinLockAcquire, reinterpret_cast<ULONG_PTR>(SpinLock));
    LockHandle->LockQueue.Next = nullptr;
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->OldIrql = KeAcquireSpinLockRaiseToDpc(SpinLock);
}

NTKERNELAPI VOID KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::QueuedSpinLockRelease,
                    reinterpret_cast<ULONG_PTR>(LockHandle->LockQueue.Lock));
    KeReleaseSpinLock(LockHandle->LockQueue.Lock, LockHandle->OldIrql);
}

NTKERNELAPI VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeAcquireSpinLock, reinterpret_cast<ULONG_PTR>(SpinLock), 1);
    LockHandle->LockQueue.Next = nullptr;
    LockHandle->LockQueue.Lock = SpinLock;
    acquire(SpinLock, current_thread());
}

NTKERNELAPI VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeReleaseSpinLockFromDpcLevel, reinterpret_cast<ULONG_PTR>(LockHandle->LockQueue.Lock));
    release(LockHandle->LockQueue.Lock, current_thread());
}

// The ForDpc forms serve DPC routines that may run as threaded DPCs (below DISPATCH_LEVEL): they
// raise only when the caller is below DISPATCH_LEVEL, and the release lowers only back to that.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlockfordpc
NTKERNELAPI KIRQL KeAcquireSpinLockForDpc(PKSPIN_LOCK SpinLock) {
    const KIRQL irql = KeGetCurrentIrql();
    if (irql < DISPATCH_LEVEL) return KeAcquireSpinLockRaiseToDpc(SpinLock);
    KeAcquireSpinLockAtDpcLevel(SpinLock);
    return irql;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereleasespinlockfordpc
NTKERNELAPI VOID KeReleaseSpinLockForDpc(PKSPIN_LOCK SpinLock, KIRQL OldIrql) {
    if (OldIrql < DISPATCH_LEVEL) KeReleaseSpinLock(SpinLock, OldIrql);
    else KeReleaseSpinLockFromDpcLevel(SpinLock);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquireinstackqueuedspinlockfordpc
NTKERNELAPI VOID KeAcquireInStackQueuedSpinLockForDpc(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle) {
    const KIRQL irql = KeGetCurrentIrql();
    if (irql < DISPATCH_LEVEL) {
        KeAcquireInStackQueuedSpinLock(SpinLock, LockHandle);
    } else {
        KeAcquireInStackQueuedSpinLockAtDpcLevel(SpinLock, LockHandle);
        LockHandle->OldIrql = irql;
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereleaseinstackqueuedspinlockfordpc
NTKERNELAPI VOID KeReleaseInStackQueuedSpinLockForDpc(PKLOCK_QUEUE_HANDLE LockHandle) {
    if (LockHandle->OldIrql < DISPATCH_LEVEL) KeReleaseInStackQueuedSpinLock(LockHandle);
    else KeReleaseInStackQueuedSpinLockFromDpcLevel(LockHandle);
}

}  // extern "C"
