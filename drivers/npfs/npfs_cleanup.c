/* npfs.sys IRP_MJ_CLEANUP and IRP_MJ_CLOSE. Cleanup (the last handle of an end closed) finishes every
 * request still waiting on that end, leaves what it wrote readable by the other end, and puts a
 * connected instance in the closing state; close frees the instance once both ends are gone, and the
 * pipe with its last instance. */
#include "npfs.h"

static VOID NpfsDropQueue(_Inout_ PNPFS_QUEUE Queue)
{
    while (!IsListEmpty(&Queue->Data)) {
        PNPFS_DATA_ENTRY entry = CONTAINING_RECORD(RemoveHeadList(&Queue->Data), NPFS_DATA_ENTRY, ListEntry);
        ExFreePoolWithTag(entry, NPFS_TAG);
    }
}

static VOID NpfsFreeCcb(_In_ PNPFS_CCB Ccb)
{
    PNPFS_FCB fcb = Ccb->Fcb;
    RemoveEntryList(&Ccb->ListEntry);
    /* Only buffered data can be left: a pending request holds its file object open. */
    NpfsDropQueue(&Ccb->Queue[FILE_PIPE_INBOUND]);
    NpfsDropQueue(&Ccb->Queue[FILE_PIPE_OUTBOUND]);
    ExFreePoolWithTag(Ccb, NPFS_TAG);
    if (--fcb->References == 0 && !fcb->Listed) {
        ExFreePoolWithTag(fcb, NPFS_TAG);
    }
}

/* The end `End` of Ccb goes away. Lock held. */
static VOID NpfsCloseEnd(_In_ PNPFS_CCB Ccb, _In_ ULONG End, _Inout_ PLIST_ENTRY Done)
{
    PNPFS_FCB fcb = Ccb->Fcb;
    Ccb->EndFile[End] = NULL;
    if (End == FILE_PIPE_SERVER_END) {
        NpfsFailParked(&Ccb->Listeners, STATUS_PIPE_BROKEN, Done);
        /* The name goes with its last server instance: a new create makes a new pipe. */
        if (--fcb->CurrentInstances == 0 && fcb->Listed) {
            RemoveEntryList(&fcb->ListEntry);
            fcb->Listed = FALSE;
        }
    }
    if (Ccb->State == FILE_PIPE_CONNECTED_STATE) {
        Ccb->State = FILE_PIPE_CLOSING_STATE;
        /* NT fact F6 and O8: reads waiting on either end end with STATUS_PIPE_BROKEN, and so do
         * writes still waiting for room; what this end wrote stays readable (NT fact O5), what was
         * written to it is dropped. */
        NpfsFlushQueue(NpfsReadQueue(Ccb, End), STATUS_PIPE_BROKEN, TRUE, Done);
        NpfsFlushQueue(NpfsWriteQueue(Ccb, End), STATUS_PIPE_BROKEN, FALSE, Done);
    } else {
        Ccb->State = FILE_PIPE_CLOSING_STATE;
        NpfsFlushQueue(&Ccb->Queue[FILE_PIPE_INBOUND], STATUS_PIPE_BROKEN, TRUE, Done);
        NpfsFlushQueue(&Ccb->Queue[FILE_PIPE_OUTBOUND], STATUS_PIPE_BROKEN, TRUE, Done);
    }
}

NTSTATUS NpfsCleanup(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    LIST_ENTRY done;
    PNPFS_CCB ccb;
    ULONG end;
    KIRQL irql;

    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    if (NpfsIsRoot(extension, stack->FileObject)) {
        NpfsCleanupWaiters(extension, stack->FileObject, &done);
    } else {
        ccb = NpfsCcbOf(stack->FileObject, &end);
        /* A client end the server disconnected has nothing left to finish. */
        if (ccb != NULL && ccb->EndFile[end] == stack->FileObject) {
            NpfsCloseEnd(ccb, end, &done);
        }
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    NpfsCompleteList(&done);
    return NpfsComplete(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS NpfsClose(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PNPFS_CCB ccb;
    ULONG end;
    KIRQL irql;

    ccb = NpfsCcbOf(stack->FileObject, &end);
    if (ccb != NULL) {
        KeAcquireSpinLock(&extension->Lock, &irql);
        if (--ccb->OpenFiles == 0) {
            NpfsFreeCcb(ccb);
        }
        KeReleaseSpinLock(&extension->Lock, irql);
    }
    return NpfsComplete(Irp, STATUS_SUCCESS, 0);
}
