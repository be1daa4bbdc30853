// IRP cancellation: the system-wide cancel spin lock, IoCancelIrp (NT facts C1, C2, C7) and the call
// of a cancel routine every cancel path shares.
// IoCancelIrp sets Irp->Cancel before it takes the cancel routine, both sequentially consistent, so a
// dispatch that sets its routine and then reads Cancel (C7) either sees the flag or has its routine
// called: never neither.
#include "io/cancel.hpp"
#include "io/objects.hpp"
#include "ke/spin_lock.hpp"
#include "verifier/verifier.hpp"

namespace {

// The NT cancel spin lock is one lock for the whole machine: the numbered queued spin lock
// LockQueueIoCancelLock (KeAcquireQueuedSpinLock reaches it too).
// NT deviation: every System in the host process shares this one. It is a plain lock word with no
// per-System state, so sharing it only adds contention between Systems that cancel at the same moment.
constexpr PKSPIN_LOCK g_cancel_spin_lock = ntio::ke::queued_spin_lock(LockQueueIoCancelLock);

// An IRP is in a driver's hands while 1 <= CurrentLocation <= StackCount; StackCount + 1 means it has
// not been sent yet or all its stack locations completed; anything above cannot be a live IRP, and
// Windows refuses to call a cancel routine on it (bug check 0x48, Microsoft Learn).
bool irp_location_invalid(PIRP irp) noexcept { return irp->CurrentLocation > irp->StackCount + 1; }

PDEVICE_OBJECT current_device(PIRP irp) noexcept {
    // NT deviation: with no current stack location (IRP not yet sent, or all locations completed)
    // Windows passes whatever lies past the stack array; ntio passes NULL instead of reading it.
    if (irp->CurrentLocation < 1 || irp->CurrentLocation > irp->StackCount) return nullptr;
    return IoGetCurrentIrpStackLocation(irp)->DeviceObject;
}

}  // namespace

namespace ntio::io {

// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x11b---driver-returned-holding-cancel-lock
void call_cancel_routine(PDRIVER_CANCEL routine, PDEVICE_OBJECT device, PIRP irp, KIRQL irql) {
    irp->CancelIrql = irql;
    routine(device, irp);  // the IRP may be gone once it returns
    if (ke::spin_lock_held_by_current_thread(g_cancel_spin_lock)) [[unlikely]] {
        // NT deviation: Windows stops with the lock held; ntio lets it go first so a caught bugcheck
        // (tests) does not leave every later cancel spinning.
        IoReleaseCancelSpinLock(irql);
        KeBugCheckEx(DRIVER_RETURNED_HOLDING_CANCEL_LOCK, reinterpret_cast<ULONG_PTR>(irp),
                     reinterpret_cast<ULONG_PTR>(routine), 0, 0);
    }
}

}  // namespace ntio::io

extern "C" {

// Microsoft Learn, IoAcquireCancelSpinLock: raises to DISPATCH_LEVEL; IRQL <= DISPATCH_LEVEL.
NTKERNELAPI VOID NTAPI IoAcquireCancelSpinLock(PKIRQL Irql) {
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::sdv_cancel_lock_acquiring();
    KeAcquireSpinLock(g_cancel_spin_lock, Irql);
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_cancel_lock_acquired();
}

// Microsoft Learn, IoReleaseCancelSpinLock: a cancel routine passes Irp->CancelIrql.
NTKERNELAPI VOID NTAPI IoReleaseCancelSpinLock(KIRQL Irql) {
    if (ntio::verifier::active()) [[unlikely]] {
        ntio::verifier::sdv_cancel_lock_releasing();
        ntio::verifier::on_cancel_lock_released();
    }
    KeReleaseSpinLock(g_cancel_spin_lock, Irql);
}

// Microsoft Learn, IoCancelIrp: sets the cancel bit in every case; calls the cancel routine, if one is
// set, at DISPATCH_LEVEL with the cancel spin lock held (the routine releases it with
// Irp->CancelIrql) and returns TRUE; otherwise FALSE. The caller keeps the IRP from being freed.
NTKERNELAPI BOOLEAN NTAPI IoCancelIrp(PIRP Irp) {
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_cancel_irp(Irp);
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    __atomic_store_n(&Irp->Cancel, static_cast<BOOLEAN>(TRUE), __ATOMIC_SEQ_CST);  // NT fact C1
    // Look before exchanging: with no routine there is nothing to take, and not writing the field
    // keeps a concurrent completion's plain read of it race-free. A routine set after this load sees
    // Cancel already TRUE (the store above comes first), which is the C7 case its dispatch handles.
    PDRIVER_CANCEL routine = __atomic_load_n(&Irp->CancelRoutine, __ATOMIC_SEQ_CST);
    if (routine) routine = IoSetCancelRoutine(Irp, nullptr);
    if (!routine) {
        IoReleaseCancelSpinLock(irql);
        return FALSE;
    }
    if (irp_location_invalid(Irp)) {
        // NT deviation: Windows stops with the lock held; ntio lets it go first so a caught bugcheck
        // (tests) does not leave every later cancel spinning.
        IoReleaseCancelSpinLock(irql);
        KeBugCheckEx(CANCEL_STATE_IN_COMPLETED_IRP, reinterpret_cast<ULONG_PTR>(Irp),
                     reinterpret_cast<ULONG_PTR>(routine), 0, 0);
    }
    // NT fact C2: exactly once, CancelRoutine already NULL.
    ntio::io::call_cancel_routine(routine, current_device(Irp), Irp, irql);
    return TRUE;
}

// ntio addition (no WDK counterpart): the function form of the IoSetCancelRoutine macro for callers
// that cannot use macros, with one check the macro cannot make: installing a routine on an IRP whose
// CurrentLocation is past StackCount + 1 is the state bug check 0x48 describes.
NTKERNELAPI PDRIVER_CANCEL NTAPI IoSetCancelRoutineCheck(PIRP Irp, PDRIVER_CANCEL CancelRoutine) {
    if (CancelRoutine && irp_location_invalid(Irp))
        KeBugCheckEx(CANCEL_STATE_IN_COMPLETED_IRP, reinterpret_cast<ULONG_PTR>(Irp),
                     reinterpret_cast<ULONG_PTR>(CancelRoutine), 0, 0);
    return IoSetCancelRoutine(Irp, CancelRoutine);
}

}  // extern "C"
