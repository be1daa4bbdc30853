// The numbered system queued spin locks (KeAcquireQueuedSpinLock and its release and try forms). NT
// keeps one per LockQueue* number for the kernel's own structures; io's cancel and VPB spin locks
// are two of them here as on NT, so a driver that takes LockQueueIoCancelLock excludes cancel routines.
#include "ke/spin_lock.hpp"
#include "verifier/verifier.hpp"

namespace ntio::ke {

// NT deviation: one set for the host process, shared by every System in it, as the cancel spin lock
// always was (io/cancel.cpp): they are plain lock words with no per-System state.
KSPIN_LOCK g_queued_spin_locks[LockQueueMaximumLock] = {};

}  // namespace ntio::ke

namespace {

// A number past the table would index past NT's per-processor lock queue array; Learn documents no
// result, so ntio stops as for other invalid arguments of a routine that cannot fail.
PKSPIN_LOCK numbered_lock(KSPIN_LOCK_QUEUE_NUMBER number) noexcept {
    if (number >= LockQueueMaximumLock) [[unlikely]]
        KeBugCheckEx(KERNEL_SECURITY_CHECK_FAILURE, FAST_FAIL_INVALID_ARG, static_cast<ULONG_PTR>(number), 0, 0);
    return ntio::ke::queued_spin_lock(static_cast<unsigned>(number));
}

}  // namespace

extern "C" {

// Reserved for system use; Learn gives only the signature:
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-keacquirequeuedspinlock
// Raises to DISPATCH_LEVEL as KeAcquireSpinLock does (and is checked as it is).
NTKERNELAPI KIRQL FASTCALL KeAcquireQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number) {
    return KeAcquireSpinLockRaiseToDpc(numbered_lock(Number));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-kereleasequeuedspinlock
NTKERNELAPI VOID FASTCALL KeReleaseQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number, KIRQL OldIrql) {
    KeReleaseSpinLock(numbered_lock(Number), OldIrql);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ketrytoacquirequeuedspinlock
// TRUE with the lock held at DISPATCH_LEVEL and the previous IRQL in *OldIrql; FALSE with the IRQL
// back where it was when the lock is held (by anyone, the caller included).
NTKERNELAPI LOGICAL FASTCALL KeTryToAcquireQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number, PKIRQL OldIrql) {
    PKSPIN_LOCK lock = numbered_lock(Number);
    const KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    *OldIrql = old;
    if (!KeTryToAcquireSpinLockAtDpcLevel(lock)) {
        KeLowerIrql(old);
        return FALSE;
    }
    // Counted only once held, so that a failed try leaves the verifier's held-lock count alone.
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::KeAcquireSpinLock, reinterpret_cast<ULONG_PTR>(lock), 1);
    return TRUE;
}

}  // extern "C"
