/* npfs.sys IRP_MJ_READ, IRP_MJ_WRITE and IRP_MJ_FLUSH_BUFFERS: the state checks of each pipe end,
 * then the data queues of npfs_queue.c. A read with nothing to read waits (queue operation) or fails
 * with STATUS_PIPE_EMPTY (FILE_PIPE_COMPLETE_OPERATION); a write past the quota waits until readers
 * take its data; a flush waits until the other end has read everything this end wrote. */
#include "npfs.h"

/* The status a read or write gets from a pipe end that is not connected, or STATUS_SUCCESS. A client
 * end the server disconnected stays disconnected, even when the instance has a new client. */
static NTSTATUS NpfsEndStatus(_In_ PNPFS_CCB Ccb, _In_ ULONG End, _In_ PFILE_OBJECT FileObject, _In_ BOOLEAN Write)
{
    if (Ccb->EndFile[End] != FileObject) {
        return STATUS_PIPE_DISCONNECTED;
    }
    switch (Ccb->State) {
    case FILE_PIPE_LISTENING_STATE:
        return STATUS_PIPE_LISTENING; /* NT fact O8 */
    case FILE_PIPE_DISCONNECTED_STATE:
        return STATUS_PIPE_DISCONNECTED; /* NT fact O8 */
    case FILE_PIPE_CLOSING_STATE:
        /* NT fact O8: the other end closed; what it wrote stays readable (O5), writes fail. */
        return Write ? STATUS_PIPE_CLOSING : STATUS_SUCCESS;
    default:
        return STATUS_SUCCESS;
    }
}

NTSTATUS NpfsRead(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG length = stack->Parameters.Read.Length;
    PUCHAR buffer = (PUCHAR)Irp->AssociatedIrp.SystemBuffer;
    LIST_ENTRY done;
    PNPFS_QUEUE queue;
    PNPFS_CCB ccb;
    BOOLEAN messageMode;
    ULONG copied = 0;
    ULONG end;
    NTSTATUS status;
    KIRQL irql;

    ccb = NpfsCcbOf(stack->FileObject, &end);
    if (ccb == NULL) {
        return NpfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    status = NpfsEndStatus(ccb, end, stack->FileObject, FALSE);
    if (NT_SUCCESS(status)) {
        queue = NpfsReadQueue(ccb, end);
        messageMode = ccb->ReadMode[end] == FILE_PIPE_MESSAGE_MODE;
        if (length == 0) {
            /* NT fact O5: a zero-byte read succeeds while data is queued; O6: otherwise it waits. */
            status = queue->Messages != 0 ? STATUS_SUCCESS : STATUS_PENDING;
        } else {
            status = NpfsReadQueueData(queue, messageMode, buffer, length, &copied, &done);
        }
        if (status == STATUS_PENDING) {
            if (ccb->State == FILE_PIPE_CLOSING_STATE) {
                status = STATUS_PIPE_BROKEN; /* NT facts O3, O5: drained after the other end closed */
            } else if (ccb->CompletionMode[end] == FILE_PIPE_COMPLETE_OPERATION) {
                status = STATUS_PIPE_EMPTY;
            } else {
                Irp->Tail.Overlay.DriverContext[0] = buffer;
                Irp->Tail.Overlay.DriverContext[1] = (PVOID)(ULONG_PTR)length;
                Irp->Tail.Overlay.DriverContext[2] = (PVOID)(ULONG_PTR)messageMode;
                (void)NpfsParkIrp(&queue->Readers, Irp, &done);
            }
        }
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    NpfsCompleteList(&done);
    if (status == STATUS_PENDING) {
        return STATUS_PENDING;
    }
    return NpfsComplete(Irp, status, copied);
}

NTSTATUS NpfsWrite(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    LIST_ENTRY done;
    PNPFS_CCB ccb;
    ULONG written = 0;
    ULONG end;
    NTSTATUS status;
    KIRQL irql;

    ccb = NpfsCcbOf(stack->FileObject, &end);
    if (ccb == NULL) {
        return NpfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    status = NpfsEndStatus(ccb, end, stack->FileObject, TRUE);
    if (NT_SUCCESS(status)) {
        status = NpfsWriteQueueData(NpfsWriteQueue(ccb, end), ccb->Fcb->NamedPipeType == FILE_PIPE_MESSAGE_TYPE,
                                    (PUCHAR)Irp->AssociatedIrp.SystemBuffer, stack->Parameters.Write.Length, Irp,
                                    ccb->CompletionMode[end] == FILE_PIPE_COMPLETE_OPERATION, &written, &done);
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    NpfsCompleteList(&done);
    if (status == STATUS_PENDING) {
        return STATUS_PENDING;
    }
    return NpfsComplete(Irp, status, written);
}

/* FlushFileBuffers on a pipe end returns once the other end has read all this end wrote
 * (https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-flushfilebuffers). */
NTSTATUS NpfsFlushBuffers(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    LIST_ENTRY done;
    PNPFS_QUEUE queue;
    PNPFS_CCB ccb;
    ULONG end;
    NTSTATUS status;
    KIRQL irql;

    ccb = NpfsCcbOf(stack->FileObject, &end);
    if (ccb == NULL) {
        return NpfsComplete(Irp, STATUS_SUCCESS, 0); /* the root holds no data */
    }
    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    status = NpfsEndStatus(ccb, end, stack->FileObject, FALSE);
    if (NT_SUCCESS(status)) {
        queue = NpfsWriteQueue(ccb, end);
        if (queue->Messages != 0 && ccb->State == FILE_PIPE_CONNECTED_STATE) {
            (void)NpfsParkIrp(&queue->Flushers, Irp, &done);
            status = STATUS_PENDING;
        }
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    NpfsCompleteList(&done);
    if (status == STATUS_PENDING) {
        return STATUS_PENDING;
    }
    return NpfsComplete(Irp, status, 0);
}
