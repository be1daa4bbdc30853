// Cancel-safe IRP queues (IoCsq*): the driver supplies the queue and its lock through callbacks; these
// routines own the cancel protocol. An IRP is in the queue exactly while it carries csq_cancel as its
// cancel routine, and whoever takes that routine back (IoSetCancelRoutine(NULL) != NULL, or IoCancelIrp)
// owns the IRP. Written from Microsoft Learn: "Cancel-Safe IRP Queues" and the IoCsqInitialize(Ex),
// IoCsqInsertIrp(Ex), IoCsqRemoveIrp and IoCsqRemoveNextIrp pages (NT fact B9).
#include "io/objects.hpp"

namespace {

// Microsoft Learn (IoCsqRemoveIrp and the other IoCsq pages): the IoCsqXxx routines keep their IRP
// context in Irp->Tail.Overlay.DriverContext[3]; drivers using them leave that member alone. It holds
// the caller's IO_CSQ_IRP_CONTEXT, or the IO_CSQ itself when the caller passed no context; the two are
// told apart by their Type (IO_TYPE_CSQ_IRP_CONTEXT versus IO_TYPE_CSQ / IO_TYPE_CSQ_EX).
PVOID& csq_slot(PIRP irp) noexcept { return irp->Tail.Overlay.DriverContext[3]; }

PIO_CSQ_IRP_CONTEXT slot_context(PVOID slot) noexcept {
    auto* context = static_cast<PIO_CSQ_IRP_CONTEXT>(slot);
    return context->Type == IO_TYPE_CSQ_IRP_CONTEXT ? context : nullptr;
}

PIO_CSQ slot_csq(PVOID slot) noexcept {
    PIO_CSQ_IRP_CONTEXT context = slot_context(slot);
    return context ? context->Csq : static_cast<PIO_CSQ>(slot);
}

// Unlinks the IRP from the driver's queue and from its context. Queue lock held; the caller owns the
// IRP (it took the cancel routine back, or it is the cancel routine).
void detach_locked(PIO_CSQ csq, PIRP irp) noexcept {
    csq->CsqRemoveIrp(csq, irp);
    if (PIO_CSQ_IRP_CONTEXT context = slot_context(csq_slot(irp))) context->Irp = nullptr;
    csq_slot(irp) = nullptr;
}

// The cancel routine every queued IRP carries. Called by IoCancelIrp with the cancel spin lock held;
// it lets that go at once (the queue has its own lock) and completes through the driver's callback.
VOID NTAPI csq_cancel(PDEVICE_OBJECT, PIRP irp) {
    IoReleaseCancelSpinLock(irp->CancelIrql);
    PIO_CSQ csq = slot_csq(csq_slot(irp));
    KIRQL irql;
    csq->CsqAcquireLock(csq, &irql);
    detach_locked(csq, irp);
    csq->CsqReleaseLock(csq, irql);
    csq->CsqCompleteCanceledIrp(csq, irp);
}

// Takes a queued IRP back from the cancel path. FALSE: IoCancelIrp already took csq_cancel and will
// dequeue and complete the IRP as soon as it gets the queue lock, so the caller must leave it.
bool reclaim_locked(PIRP irp) noexcept { return IoSetCancelRoutine(irp, nullptr) != nullptr; }

NTSTATUS insert(PIO_CSQ csq, PIRP irp, PIO_CSQ_IRP_CONTEXT context, PVOID insert_context) {
    KIRQL irql;
    csq->CsqAcquireLock(csq, &irql);
    // Pending before the callback (NT fact B9): a dispatch may return STATUS_PENDING right after
    // IoCsqInsertIrp, and a driver that marks it again after a failed insert-ex does no harm.
    IoMarkIrpPending(irp);
    if (csq->Type == IO_TYPE_CSQ_EX) {
        NTSTATUS status = reinterpret_cast<PIO_CSQ_INSERT_IRP_EX>(reinterpret_cast<void (*)()>(csq->CsqInsertIrp))(csq, irp, insert_context);
        if (!NT_SUCCESS(status)) {
            // Not queued, no cancel routine: the driver keeps the IRP (NT fact B9, S13).
            csq->CsqReleaseLock(csq, irql);
            return status;
        }
    } else {
        csq->CsqInsertIrp(csq, irp);
    }
    if (context) {
        context->Type = IO_TYPE_CSQ_IRP_CONTEXT;
        context->Irp = irp;
        context->Csq = csq;
        csq_slot(irp) = context;
    } else {
        csq_slot(irp) = csq;
    }
    // Publish the cancel routine only once the slot is filled: csq_cancel reads it.
    (void)IoSetCancelRoutine(irp, csq_cancel);
    // NT fact C7: a cancel that came before the routine was set found none; catch it here. If
    // IoCancelIrp got the routine first, csq_cancel is waiting for the queue lock and finishes the job.
    // NT deviation: Microsoft Learn says an IRP cancelled before the insert is not inserted at all;
    // ntio follows NT fact B9 (the insert callback runs, then the IRP is removed again and completed
    // through CsqCompleteCanceledIrp). Either way it ends completed and never stays queued.
    if (__atomic_load_n(&irp->Cancel, __ATOMIC_SEQ_CST) && reclaim_locked(irp)) {
        detach_locked(csq, irp);
        csq->CsqReleaseLock(csq, irql);
        csq->CsqCompleteCanceledIrp(csq, irp);
        return STATUS_SUCCESS;
    }
    csq->CsqReleaseLock(csq, irql);
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

NTKERNELAPI NTSTATUS NTAPI IoCsqInitialize(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP CsqInsertIrp, PIO_CSQ_REMOVE_IRP CsqRemoveIrp,
                                           PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp, PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock,
                                           PIO_CSQ_RELEASE_LOCK CsqReleaseLock,
                                           PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp) {
    Csq->Type = IO_TYPE_CSQ;
    Csq->CsqInsertIrp = CsqInsertIrp;
    Csq->CsqRemoveIrp = CsqRemoveIrp;
    Csq->CsqPeekNextIrp = CsqPeekNextIrp;
    Csq->CsqAcquireLock = CsqAcquireLock;
    Csq->CsqReleaseLock = CsqReleaseLock;
    Csq->CsqCompleteCanceledIrp = CsqCompleteCanceledIrp;
    Csq->ReservePointer = nullptr;
    return STATUS_SUCCESS;
}

// The IO_CSQ has one insert slot; the Type tells which signature it holds (IO_TYPE_CSQ_EX: the
// CsqInsertIrpEx form, Microsoft Learn IoCsqInitializeEx).
NTKERNELAPI NTSTATUS NTAPI IoCsqInitializeEx(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP_EX CsqInsertIrp,
                                             PIO_CSQ_REMOVE_IRP CsqRemoveIrp, PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp,
                                             PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock, PIO_CSQ_RELEASE_LOCK CsqReleaseLock,
                                             PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp) {
    IoCsqInitialize(Csq, reinterpret_cast<PIO_CSQ_INSERT_IRP>(reinterpret_cast<void (*)()>(CsqInsertIrp)), CsqRemoveIrp, CsqPeekNextIrp,
                    CsqAcquireLock, CsqReleaseLock, CsqCompleteCanceledIrp);
    Csq->Type = IO_TYPE_CSQ_EX;
    return STATUS_SUCCESS;
}

NTKERNELAPI VOID NTAPI IoCsqInsertIrp(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context) {
    (void)insert(Csq, Irp, Context, nullptr);
}

// Microsoft Learn, IoCsqInsertIrpEx: STATUS_SUCCESS for a queue set up by IoCsqInitialize, otherwise
// what the driver's CsqInsertIrpEx returned.
NTKERNELAPI NTSTATUS NTAPI IoCsqInsertIrpEx(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context, PVOID InsertContext) {
    return insert(Csq, Irp, Context, InsertContext);
}

// Microsoft Learn, IoCsqRemoveIrp: the IRP named by the context, or NULL when it was cancelled (or
// already removed).
NTKERNELAPI PIRP NTAPI IoCsqRemoveIrp(PIO_CSQ Csq, PIO_CSQ_IRP_CONTEXT Context) {
    KIRQL irql;
    Csq->CsqAcquireLock(Csq, &irql);
    PIRP irp = Context->Irp;
    if (irp && reclaim_locked(irp)) {
        detach_locked(Csq, irp);
    } else {
        irp = nullptr;
    }
    Csq->CsqReleaseLock(Csq, irql);
    return irp;
}

// Microsoft Learn, IoCsqRemoveNextIrp: walks the driver's peek callback from the head with PeekContext
// (the callback does the matching) and removes the first IRP not being cancelled.
NTKERNELAPI PIRP NTAPI IoCsqRemoveNextIrp(PIO_CSQ Csq, PVOID PeekContext) {
    KIRQL irql;
    Csq->CsqAcquireLock(Csq, &irql);
    PIRP irp = Csq->CsqPeekNextIrp(Csq, nullptr, PeekContext);
    while (irp && !reclaim_locked(irp)) irp = Csq->CsqPeekNextIrp(Csq, irp, PeekContext);
    if (irp) detach_locked(Csq, irp);
    Csq->CsqReleaseLock(Csq, irql);
    return irp;
}

}  // extern "C"
