// IofCompleteRequest's body: the sanity checks, the bottom-up walk over the stack locations that
// runs the completion routines and carries the pending bit, the associated-IRP rule, then the final
// stage (irp_final_stage.cpp). Runs inline on the completing thread with no lock and no allocation.
//
// One template, three instantiations: IofCompleteRequest's two (irp_completion.cpp), whose routines
// run directly, or through the verifier's hook when it is active at the entry, and the IRP log's while
// tracing alone is on (verifier/irp_log.cpp), which writes each routine's record in the walk's own
// frame.
// Routines::invoke(routine, device, irp, context, location, pending_returned) runs one routine and
// returns its result; location and pending_returned are the IRP's as the routine is called. One
// Routines object lives from before the first routine to after the last.
#pragma once

#include "io/irp.hpp"

namespace ntio::io {

// P2 of the MULTIPLE_IRP_COMPLETE_REQUESTS bugchecks raised here (NT puts a source line there, e.g.
// "BugCheck 44, {irp, f7a, 0, 0}" in https://github.com/openvswitch/ovs/commit/8ddda6853b1f69e5005a84de501ad87d0181d0f9;
// ours are stable numbers tests can assert).
inline constexpr ULONG_PTR kCompleteOfFreedIrp = 0x2;
inline constexpr ULONG_PTR kCompleteBadLocation = 0x3;

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetcompletionroutine:
// InvokeOnSuccess follows NT_SUCCESS, InvokeOnError its negation, InvokeOnCancel Irp->Cancel
// (NT fact C3).
inline bool completion_routine_wanted(PIRP irp, UCHAR control) noexcept {
    const NTSTATUS status = irp->IoStatus.Status;
    if (NT_SUCCESS(status) ? (control & SL_INVOKE_ON_SUCCESS) : (control & SL_INVOKE_ON_ERROR)) return true;
    // Atomic: IoCancelIrp on another thread may set Cancel while completion runs.
    return __atomic_load_n(&irp->Cancel, __ATOMIC_RELAXED) && (control & SL_INVOKE_ON_CANCEL);
}

// An associated IRP that finished its walk: NT frees it (and its MDLs) and completes the master when
// the master's IrpCount drops to 0 (irp_completion.cpp).
void complete_associated(PIRP irp) noexcept;

// Checks, in NT's order: a freed IRP or one walked past its top location is MULTIPLE_IRP_COMPLETE_REQUESTS
// (0x44, P1 = IRP); a cancel routine still set is CANCEL_STATE_IN_COMPLETED_IRP (0x48, P1 = IRP,
// P2 = routine); STATUS_PENDING (or -1) as the final status is DRIVER_VERIFIER_IOMANAGER_VIOLATION
// (0xC9, 0x06, status, IRP), as Driver Verifier's I/O verification reports it
// (https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation).
// NT deviation: NT checks the last one only under Driver Verifier; ntio always does.
template <typename Routines>
[[gnu::always_inline]] inline void complete_request_walk(PIRP Irp) noexcept {
    const auto p1 = reinterpret_cast<ULONG_PTR>(Irp);
    if (Irp->Type != IO_TYPE_IRP) KeBugCheckEx(MULTIPLE_IRP_COMPLETE_REQUESTS, p1, kCompleteOfFreedIrp, 0, 0);
    if (Irp->CurrentLocation > Irp->StackCount + 1)
        KeBugCheckEx(MULTIPLE_IRP_COMPLETE_REQUESTS, p1, kCompleteBadLocation, 0, 0);
    // Atomic: a late IoCancelIrp may exchange the (already NULL) routine concurrently.
    if (PDRIVER_CANCEL routine = __atomic_load_n(&Irp->CancelRoutine, __ATOMIC_RELAXED))
        KeBugCheckEx(CANCEL_STATE_IN_COMPLETED_IRP, p1, reinterpret_cast<ULONG_PTR>(routine), 0, 0);
    if (Irp->IoStatus.Status == STATUS_PENDING || Irp->IoStatus.Status == static_cast<NTSTATUS>(0xFFFFFFFF))
        KeBugCheckEx(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x06, static_cast<ULONG>(Irp->IoStatus.Status), p1, 0);

    // Walk up from the current location. Per level (NT facts B4, B5, B6): move up one location,
    // PendingReturned = that level's SL_PENDING_RETURNED, clear its Control, then run its routine
    // with the device of the location above (NULL for the originator's location, where
    // CurrentLocation == StackCount + 1). With no routine run, a pended level marks the level above
    // pending so the bit reaches the top. STATUS_MORE_PROCESSING_REQUIRED stops the walk (A4).
    const CHAR top = static_cast<CHAR>(Irp->StackCount + 1);
    {
        Routines routines;  // the walk's state, if the routines keep any, until the last routine returns
        while (Irp->CurrentLocation < top) {
            PIO_STACK_LOCATION sp = Irp->Tail.Overlay.CurrentStackLocation;
            const CHAR location = static_cast<CHAR>(++Irp->CurrentLocation);
            ++Irp->Tail.Overlay.CurrentStackLocation;
            const UCHAR control = sp->Control;
            const bool pending = (control & SL_PENDING_RETURNED) != 0;
            Irp->PendingReturned = pending ? TRUE : FALSE;
            sp->Control = 0;
            PIO_COMPLETION_ROUTINE routine = sp->CompletionRoutine;
            if (routine && completion_routine_wanted(Irp, control)) {
                PDEVICE_OBJECT device =
                    location == top ? nullptr : Irp->Tail.Overlay.CurrentStackLocation->DeviceObject;
                if (routines.invoke(routine, device, Irp, sp->Context, location, pending) ==
                    STATUS_MORE_PROCESSING_REQUIRED)
                    return;
            } else if (pending && location < top) {
                IoMarkIrpPending(Irp);
            }
        }
    }

    if (Irp->Flags & IRP_ASSOCIATED_IRP) {
        complete_associated(Irp);
        return;
    }
    // A service that set IRP_DEFER_IO_COMPLETION runs the final stage itself when the dispatch did
    // not return STATUS_PENDING (NT's IopSynchronousServiceTail).
    if ((Irp->Flags & IRP_DEFER_IO_COMPLETION) && !Irp->PendingReturned) return;
    complete_final_stage(Irp);
}

}  // namespace ntio::io
