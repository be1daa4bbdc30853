/* msfs.sys IRP_MJ_CLEANUP and IRP_MJ_CLOSE. The server's cleanup (its last handle closed) deletes the
 * mailslot: the name is free for a new one, its unread messages go, its waiting reads end with
 * STATUS_CANCELLED and clients' later writes fail. A client's cleanup has nothing to finish. Close
 * frees the mailslot with the last file object opened on it. */
#include "msfs.h"

NTSTATUS MsfsCleanup(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PMSFS_DEVICE_EXTENSION extension = (PMSFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    LIST_ENTRY done;
    PMSFS_FCB fcb;
    ULONG end;
    KIRQL irql;

    fcb = MsfsFcbOf(stack->FileObject, &end);
    if (fcb == NULL || end != MSFS_SERVER_END) {
        return MsfsComplete(Irp, STATUS_SUCCESS, 0);
    }
    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    if (fcb->Listed) {
        RemoveEntryList(&fcb->ListEntry);
        fcb->Listed = FALSE;
    }
    MsfsFailReaders(fcb, STATUS_CANCELLED, &done);
    while (!IsListEmpty(&fcb->Messages)) {
        PMSFS_MESSAGE message = CONTAINING_RECORD(RemoveHeadList(&fcb->Messages), MSFS_MESSAGE, ListEntry);
        ExFreePoolWithTag(message, MSFS_TAG);
    }
    fcb->MessageCount = 0;
    KeReleaseSpinLock(&extension->Lock, irql);
    MsfsCompleteList(&done);
    return MsfsComplete(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS MsfsClose(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PMSFS_DEVICE_EXTENSION extension = (PMSFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    BOOLEAN last = FALSE;
    PMSFS_FCB fcb;
    ULONG end;
    KIRQL irql;

    fcb = MsfsFcbOf(stack->FileObject, &end);
    if (fcb != NULL) {
        KeAcquireSpinLock(&extension->Lock, &irql);
        last = --fcb->OpenFiles == 0;
        /* The server's cleanup normally came first; a server whose open failed after this driver
         * took it has none, and its mailslot goes here. */
        if (last && fcb->Listed) {
            RemoveEntryList(&fcb->ListEntry);
            fcb->Listed = FALSE;
        }
        KeReleaseSpinLock(&extension->Lock, irql);
        if (last) {
            ExFreePoolWithTag(fcb, MSFS_TAG);
        }
    }
    return MsfsComplete(Irp, STATUS_SUCCESS, 0);
}
