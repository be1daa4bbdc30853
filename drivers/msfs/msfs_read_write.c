/* msfs.sys IRP_MJ_READ and IRP_MJ_WRITE. A client's write queues one message (or hands it straight to
 * the oldest waiting read); the server's read takes one whole message, or waits for one up to the
 * mailslot's read timeout. A waiting read is cancellable through its cancel routine and ends with
 * STATUS_IO_TIMEOUT when its timer fires; its context is freed by whichever of its two holders, the
 * request and the timer, lets go last. Whoever clears a read's cancel routine owns its completion.
 * https://learn.microsoft.com/windows/win32/ipc/reading-from-a-mailslot */
#include "msfs.h"

static KDEFERRED_ROUTINE MsfsReadTimeout;
static DRIVER_CANCEL MsfsCancelRead;

/* Drops one hold on Read; the last frees it. Lock held. */
static VOID MsfsReleaseRead(_Inout_ PMSFS_READ Read)
{
    if (--Read->References == 0) {
        ExFreePoolWithTag(Read, MSFS_TAG);
    }
}

/* Ends a read whose request the caller owns (its cancel routine cleared): Status and Information for
 * the IRP, the timer stopped if it has not fired. Lock held. */
static VOID MsfsFinishRead(_Inout_ PMSFS_READ Read, _In_ NTSTATUS Status, _In_ ULONG_PTR Information,
                           _Inout_ PLIST_ENTRY Done)
{
    PIRP irp = Read->Irp;
    RemoveEntryList(&Read->ListEntry);
    Read->Irp = NULL;
    irp->IoStatus.Status = Status;
    irp->IoStatus.Information = Information;
    InsertTailList(Done, &irp->Tail.Overlay.ListEntry);
    if (KeCancelTimer(&Read->Timer)) {
        MsfsReleaseRead(Read); /* the timer's hold: its routine will not run */
    }
    MsfsReleaseRead(Read);
}

/* Moves the oldest message into Buffer: STATUS_BUFFER_TOO_SMALL (the message stays) when it does
 * not fit. Lock held; a message is queued. */
static NTSTATUS MsfsTakeMessage(_Inout_ PMSFS_FCB Fcb, _Out_writes_bytes_(Length) PUCHAR Buffer, _In_ ULONG Length,
                                _Out_ PULONG Copied)
{
    PMSFS_MESSAGE message = CONTAINING_RECORD(Fcb->Messages.Flink, MSFS_MESSAGE, ListEntry);
    *Copied = 0;
    if (message->Length > Length) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (message->Length != 0) {
        RtlCopyMemory(Buffer, message + 1, message->Length);
    }
    *Copied = message->Length;
    RemoveEntryList(&message->ListEntry);
    Fcb->MessageCount--;
    ExFreePoolWithTag(message, MSFS_TAG);
    return STATUS_SUCCESS;
}

/* Gives queued messages to the waiting reads, oldest first; a read whose buffer is too small for the
 * next message ends with STATUS_BUFFER_TOO_SMALL and the message waits for the next read. Lock held. */
static VOID MsfsServeReaders(_Inout_ PMSFS_FCB Fcb, _Inout_ PLIST_ENTRY Done)
{
    PLIST_ENTRY link = Fcb->Readers.Flink;
    while (link != &Fcb->Readers && !IsListEmpty(&Fcb->Messages)) {
        PMSFS_READ read = CONTAINING_RECORD(link, MSFS_READ, ListEntry);
        PIRP irp = read->Irp;
        ULONG copied;
        NTSTATUS status;
        link = link->Flink;
        if (IoSetCancelRoutine(irp, NULL) == NULL) {
            continue; /* its cancel routine takes it out */
        }
        status = MsfsTakeMessage(Fcb, (PUCHAR)irp->AssociatedIrp.SystemBuffer,
                                 IoGetCurrentIrpStackLocation(irp)->Parameters.Read.Length, &copied);
        MsfsFinishRead(read, status, copied, Done);
    }
}

VOID MsfsFailReaders(_Inout_ PMSFS_FCB Fcb, _In_ NTSTATUS Status, _Inout_ PLIST_ENTRY Done)
{
    PLIST_ENTRY link = Fcb->Readers.Flink;
    while (link != &Fcb->Readers) {
        PMSFS_READ read = CONTAINING_RECORD(link, MSFS_READ, ListEntry);
        link = link->Flink;
        if (IoSetCancelRoutine(read->Irp, NULL) != NULL) {
            MsfsFinishRead(read, Status, 0, Done);
        }
    }
}

static VOID MsfsReadTimeout(_In_ PKDPC Dpc, _In_opt_ PVOID DeferredContext, _In_opt_ PVOID SystemArgument1,
                            _In_opt_ PVOID SystemArgument2)
{
    PMSFS_READ read = (PMSFS_READ)DeferredContext;
    PMSFS_DEVICE_EXTENSION extension;
    PIRP irp = NULL;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    if (read == NULL) {
        return;
    }
    extension = read->Extension;
    KeAcquireSpinLockAtDpcLevel(&extension->Lock);
    if (read->Irp != NULL && IoSetCancelRoutine(read->Irp, NULL) != NULL) {
        irp = read->Irp;
        RemoveEntryList(&read->ListEntry);
        read->Irp = NULL;
        MsfsReleaseRead(read); /* the request's hold */
    }
    MsfsReleaseRead(read); /* the timer's hold */
    KeReleaseSpinLockFromDpcLevel(&extension->Lock);
    if (irp != NULL) {
        MsfsComplete(irp, STATUS_IO_TIMEOUT, 0);
    }
}

static VOID MsfsCancelRead(_Inout_ PDEVICE_OBJECT DeviceObject, _Inout_ _IRQL_uses_cancel_ PIRP Irp)
{
    PMSFS_DEVICE_EXTENSION extension = (PMSFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PMSFS_READ read = (PMSFS_READ)Irp->Tail.Overlay.DriverContext[0];
    LIST_ENTRY done;
    KIRQL irql;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    MsfsFinishRead(read, STATUS_CANCELLED, 0, &done);
    KeReleaseSpinLock(&extension->Lock, irql);
    MsfsCompleteList(&done);
}

/* Only the server reads. A client end that may read (it was opened with read access) gets
 * STATUS_INVALID_PARAMETER, one of the two answers Windows gives (the other, STATUS_ACCESS_DENIED,
 * is the I/O manager's for a client without read access). */
NTSTATUS MsfsRead(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PMSFS_DEVICE_EXTENSION extension = (PMSFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG length = stack->Parameters.Read.Length;
    LIST_ENTRY done;
    PMSFS_READ read;
    PMSFS_FCB fcb;
    ULONG end;
    ULONG copied = 0;
    NTSTATUS status;
    KIRQL irql;

    fcb = MsfsFcbOf(stack->FileObject, &end);
    if (fcb == NULL || end != MSFS_SERVER_END) {
        return MsfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    /* The context a waiting read needs, taken before the lock (it is freed when the read does not wait). */
    read = (PMSFS_READ)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(MSFS_READ), MSFS_TAG);
    if (read == NULL) {
        return MsfsComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    if (!fcb->Listed) {
        /* Sent before the server's last handle closed, arriving after its cleanup: nothing would
         * ever end a wait. */
        status = STATUS_FILE_FORCED_CLOSED;
    } else if (!IsListEmpty(&fcb->Messages)) {
        status = MsfsTakeMessage(fcb, (PUCHAR)Irp->AssociatedIrp.SystemBuffer, length, &copied);
    } else if (fcb->ReadTimeout.QuadPart == 0) {
        /* "Returns immediately if no message is present": ERROR_SEM_TIMEOUT, even for a zero-length read. */
        status = STATUS_IO_TIMEOUT;
    } else {
        status = STATUS_PENDING;
        read->Irp = Irp;
        read->Extension = extension;
        read->References = 2;
        KeInitializeTimer(&read->Timer);
        KeInitializeDpc(&read->Dpc, MsfsReadTimeout, read);
        Irp->Tail.Overlay.DriverContext[0] = read;
        IoMarkIrpPending(Irp);
        InsertTailList(&fcb->Readers, &read->ListEntry);
        IoSetCancelRoutine(Irp, MsfsCancelRead);
        if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
            MsfsFinishRead(read, STATUS_CANCELLED, 0, &done); /* the timer was never set: drop its hold too */
            MsfsReleaseRead(read);
        } else if (fcb->ReadTimeout.QuadPart == MSFS_WAIT_FOREVER) {
            MsfsReleaseRead(read); /* no timer */
        } else {
            KeSetTimer(&read->Timer, fcb->ReadTimeout, &read->Dpc);
        }
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    if (status != STATUS_PENDING) {
        ExFreePoolWithTag(read, MSFS_TAG);
        return MsfsComplete(Irp, status, copied);
    }
    MsfsCompleteList(&done);
    return STATUS_PENDING;
}

/* Only clients write, one message per write. The server's handle from CreateMailslot has no write
 * access (the I/O manager refuses it, STATUS_ACCESS_DENIED); a server end opened with write access
 * gets the same from here. A message above the mailslot's MaximumMessageSize is
 * STATUS_INVALID_PARAMETER; once the server has closed, the mailslot is gone and a client's write is
 * STATUS_FILE_FORCED_CLOSED. */
NTSTATUS MsfsWrite(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PMSFS_DEVICE_EXTENSION extension = (PMSFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG length = stack->Parameters.Write.Length;
    PMSFS_MESSAGE message;
    LIST_ENTRY done;
    PMSFS_FCB fcb;
    ULONG end;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;

    fcb = MsfsFcbOf(stack->FileObject, &end);
    if (fcb == NULL) {
        return MsfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (end != MSFS_CLIENT_END) {
        return MsfsComplete(Irp, STATUS_ACCESS_DENIED, 0);
    }
    if (fcb->MaximumMessageSize != 0 && length > fcb->MaximumMessageSize) {
        return MsfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (length > MAXULONG - sizeof(MSFS_MESSAGE)) {
        return MsfsComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    message = (PMSFS_MESSAGE)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(MSFS_MESSAGE) + length, MSFS_TAG);
    if (message == NULL) {
        return MsfsComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    message->Length = length;
    if (length != 0) {
        RtlCopyMemory(message + 1, Irp->AssociatedIrp.SystemBuffer, length);
    }
    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    if (!fcb->Listed) {
        status = STATUS_FILE_FORCED_CLOSED;
    } else {
        InsertTailList(&fcb->Messages, &message->ListEntry);
        fcb->MessageCount++;
        message = NULL;
        MsfsServeReaders(fcb, &done);
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    if (message != NULL) {
        ExFreePoolWithTag(message, MSFS_TAG);
    }
    MsfsCompleteList(&done);
    return MsfsComplete(Irp, status, NT_SUCCESS(status) ? length : 0);
}
