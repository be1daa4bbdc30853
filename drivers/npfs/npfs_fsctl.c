/* npfs.sys IRP_MJ_FILE_SYSTEM_CONTROL: the FSCTL_PIPE_* requests of a pipe end (listen, disconnect,
 * peek, transceive, the client process) and of the root (wait). Statuses: NT facts O1 and O8, and the
 * FSCTL pages of Microsoft Learn ([MS-FSCC] 2.3.45-2.3.48). The event, impersonation and redirector
 * (FSCTL_PIPE_INTERNAL_*) requests are not supported: STATUS_INVALID_DEVICE_REQUEST. */
#include "npfs.h"

/* FSCTL_PIPE_LISTEN, server end only. NT fact O1: an instance a client already opened reports
 * STATUS_PIPE_CONNECTED; else the request waits for a client (FILE_PIPE_COMPLETE_OPERATION:
 * STATUS_PIPE_LISTENING at once). */
static NTSTATUS NpfsListen(_In_ PNPFS_DEVICE_EXTENSION Extension, _In_ PNPFS_CCB Ccb, _In_ ULONG End,
                           _Inout_ PIRP Irp, _Inout_ PLIST_ENTRY Done)
{
    if (End != FILE_PIPE_SERVER_END) {
        return STATUS_ILLEGAL_FUNCTION;
    }
    switch (Ccb->State) {
    case FILE_PIPE_CONNECTED_STATE:
        return STATUS_PIPE_CONNECTED;
    case FILE_PIPE_CLOSING_STATE:
        return STATUS_PIPE_CLOSING;
    case FILE_PIPE_DISCONNECTED_STATE:
        Ccb->State = FILE_PIPE_LISTENING_STATE;
        NpfsSatisfyWaiters(Extension, Ccb->Fcb, Done);
        break;
    default:
        break;
    }
    if (Ccb->CompletionMode[End] == FILE_PIPE_COMPLETE_OPERATION) {
        return STATUS_PIPE_LISTENING;
    }
    (void)NpfsParkIrp(&Ccb->Listeners, Irp, Done);
    return STATUS_PENDING;
}

/* FSCTL_PIPE_DISCONNECT, server end only. NT fact O8: the client's waiting reads end with
 * STATUS_PIPE_DISCONNECTED, queued data is dropped, and the client end stays disconnected. */
static NTSTATUS NpfsDisconnect(_In_ PNPFS_CCB Ccb, _In_ ULONG End, _Inout_ PLIST_ENTRY Done)
{
    if (End != FILE_PIPE_SERVER_END) {
        return STATUS_ILLEGAL_FUNCTION;
    }
    if (Ccb->State == FILE_PIPE_DISCONNECTED_STATE) {
        return STATUS_PIPE_DISCONNECTED;
    }
    Ccb->EndFile[FILE_PIPE_CLIENT_END] = NULL;
    Ccb->State = FILE_PIPE_DISCONNECTED_STATE;
    NpfsFailParked(&Ccb->Listeners, STATUS_PIPE_DISCONNECTED, Done);
    NpfsFlushQueue(&Ccb->Queue[FILE_PIPE_INBOUND], STATUS_PIPE_DISCONNECTED, TRUE, Done);
    NpfsFlushQueue(&Ccb->Queue[FILE_PIPE_OUTBOUND], STATUS_PIPE_DISCONNECTED, TRUE, Done);
    return STATUS_SUCCESS;
}

/* FSCTL_PIPE_PEEK: the state, what is queued to read, and as much of it as fits; never waits.
 * https://learn.microsoft.com/openspecs/windows_protocols/ms-fscc/6b6c8b8b-c5ac-4fa5-9182-619459fce7c7 */
static NTSTATUS NpfsPeek(_In_ PNPFS_CCB Ccb, _In_ ULONG End, _Inout_ PIRP Irp, _Out_ PULONG_PTR Information)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG length = stack->Parameters.FileSystemControl.OutputBufferLength;
    PFILE_PIPE_PEEK_BUFFER peek = (PFILE_PIPE_PEEK_BUFFER)Irp->AssociatedIrp.SystemBuffer;
    ULONG header = FIELD_OFFSET(FILE_PIPE_PEEK_BUFFER, Data);
    PNPFS_QUEUE queue = NpfsReadQueue(Ccb, End);
    ULONG copied;
    ULONG wanted;

    *Information = 0;
    if (length < header) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (Ccb->EndFile[End] != stack->FileObject || Ccb->State == FILE_PIPE_DISCONNECTED_STATE) {
        return STATUS_PIPE_DISCONNECTED;
    }
    if (Ccb->State == FILE_PIPE_LISTENING_STATE) {
        return STATUS_INVALID_PIPE_STATE;
    }
    /* NT fact O5: after the other end closed, peek still shows what it wrote, then the pipe is broken. */
    if (Ccb->State == FILE_PIPE_CLOSING_STATE && queue->Messages == 0) {
        return STATUS_PIPE_BROKEN;
    }
    peek->NamedPipeState = Ccb->State;
    NpfsPeekQueue(queue, Ccb->Fcb->NamedPipeType == FILE_PIPE_MESSAGE_TYPE, peek, length - header, &copied, &wanted);
    *Information = header + copied;
    return copied < wanted ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

/* FSCTL_PIPE_TRANSCEIVE (TransactNamedPipe): writes the input as one message and reads one message
 * into the output, on a connected message-mode end with nothing unread. METHOD_NEITHER: the input is
 * captured and the output locked before anything is queued.
 * https://learn.microsoft.com/openspecs/windows_protocols/ms-fscc/f48cecf1-98d8-48dc-926f-2f3a48f07cf6 */
static NTSTATUS NpfsTransceive(_In_ PNPFS_DEVICE_EXTENSION Extension, _In_ PNPFS_CCB Ccb, _In_ ULONG End,
                               _Inout_ PIRP Irp, _Out_ PULONG_PTR Information)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG inputLength = stack->Parameters.FileSystemControl.InputBufferLength;
    ULONG outputLength = stack->Parameters.FileSystemControl.OutputBufferLength;
    PVOID input = stack->Parameters.FileSystemControl.Type3InputBuffer;
    PUCHAR captured = NULL;
    PUCHAR output = NULL;
    volatile NTSTATUS status = STATUS_SUCCESS;
    volatile BOOLEAN locked = FALSE;
    LIST_ENTRY done;
    PNPFS_QUEUE readQueue;
    ULONG written;
    ULONG copied = 0;
    KIRQL irql;

    *Information = 0;
    if (inputLength != 0) {
        captured = (PUCHAR)ExAllocatePool2(POOL_FLAG_NON_PAGED, inputLength, NPFS_TAG);
        if (captured == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    __try {
        if (inputLength != 0) {
            if (Irp->RequestorMode != KernelMode) {
                ProbeForRead(input, inputLength, 1);
            }
            RtlCopyMemory(captured, input, inputLength);
        }
        if (outputLength != 0) {
            PMDL mdl = IoAllocateMdl(Irp->UserBuffer, outputLength, FALSE, FALSE, Irp);
            if (mdl == NULL) {
                status = STATUS_INSUFFICIENT_RESOURCES;
            } else {
                MmProbeAndLockPages(mdl, Irp->RequestorMode, IoWriteAccess);
                locked = TRUE;
            }
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = STATUS_INVALID_USER_BUFFER;
    }
    if (Irp->MdlAddress != NULL && !locked) {
        /* Probed and refused: the I/O manager unlocks only locked pages. */
        IoFreeMdl(Irp->MdlAddress);
        Irp->MdlAddress = NULL;
    }
    if (NT_SUCCESS(status) && outputLength != 0) {
        output = (PUCHAR)MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
        if (output == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    if (!NT_SUCCESS(status)) {
        if (captured != NULL) {
            ExFreePoolWithTag(captured, NPFS_TAG);
        }
        return status; /* a locked MDL stays on the IRP, released with it */
    }

    InitializeListHead(&done);
    KeAcquireSpinLock(&Extension->Lock, &irql);
    readQueue = NpfsReadQueue(Ccb, End);
    if (Ccb->EndFile[End] != stack->FileObject || Ccb->State == FILE_PIPE_DISCONNECTED_STATE) {
        status = STATUS_PIPE_DISCONNECTED;
    } else if (Ccb->State != FILE_PIPE_CONNECTED_STATE || Ccb->Fcb->NamedPipeType != FILE_PIPE_MESSAGE_TYPE ||
               Ccb->ReadMode[End] != FILE_PIPE_MESSAGE_MODE ||
               Ccb->Fcb->NamedPipeConfiguration != FILE_PIPE_FULL_DUPLEX) {
        status = STATUS_INVALID_PIPE_STATE;
    } else if (readQueue->Messages != 0) {
        status = STATUS_PIPE_BUSY; /* unread data: the reply could not be told from it */
    } else {
        /* The request is buffered whatever the quota: NT fact O7, a cancelled transceive keeps it. */
        status = NpfsWriteQueueData(NpfsWriteQueue(Ccb, End), TRUE, captured, inputLength, NULL, FALSE, &written, &done);
        if (NT_SUCCESS(status)) {
            status = NpfsReadQueueData(readQueue, TRUE, output, outputLength, &copied, &done);
            if (status == STATUS_PENDING) {
                Irp->Tail.Overlay.DriverContext[0] = output;
                Irp->Tail.Overlay.DriverContext[1] = (PVOID)(ULONG_PTR)outputLength;
                Irp->Tail.Overlay.DriverContext[2] = (PVOID)(ULONG_PTR)TRUE;
                (void)NpfsParkIrp(&readQueue->Readers, Irp, &done);
            }
        }
    }
    KeReleaseSpinLock(&Extension->Lock, irql);
    NpfsCompleteList(&done);
    if (captured != NULL) {
        ExFreePoolWithTag(captured, NPFS_TAG);
    }
    *Information = copied;
    return status;
}

/* FSCTL_PIPE_QUERY_CLIENT_PROCESS: who opened the client end. */
static NTSTATUS NpfsQueryClientProcess(_In_ PNPFS_CCB Ccb, _Inout_ PIRP Irp, _Out_ PULONG_PTR Information)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    *Information = 0;
    if (stack->Parameters.FileSystemControl.OutputBufferLength < sizeof(FILE_PIPE_CLIENT_PROCESS_BUFFER)) {
        return STATUS_INVALID_PARAMETER;
    }
    RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, &Ccb->ClientProcess, sizeof(FILE_PIPE_CLIENT_PROCESS_BUFFER));
    *Information = sizeof(FILE_PIPE_CLIENT_PROCESS_BUFFER);
    return STATUS_SUCCESS;
}

/* FSCTL_PIPE_SET_CLIENT_PROCESS: a redirector names the remote client process. */
static NTSTATUS NpfsSetClientProcess(_In_ PNPFS_CCB Ccb, _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->Parameters.FileSystemControl.InputBufferLength < sizeof(FILE_PIPE_CLIENT_PROCESS_BUFFER)) {
        return STATUS_INVALID_PARAMETER;
    }
    RtlCopyMemory(&Ccb->ClientProcess, Irp->AssociatedIrp.SystemBuffer, sizeof(FILE_PIPE_CLIENT_PROCESS_BUFFER));
    return STATUS_SUCCESS;
}

NTSTATUS NpfsFileSystemControl(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG code = stack->Parameters.FileSystemControl.FsControlCode;
    ULONG_PTR information = 0;
    LIST_ENTRY done;
    PNPFS_CCB ccb;
    NTSTATUS status;
    ULONG end;
    KIRQL irql;

    if (stack->MinorFunction != IRP_MN_USER_FS_REQUEST) {
        return NpfsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    if (NpfsIsRoot(extension, stack->FileObject)) {
        if (code == FSCTL_PIPE_WAIT) {
            return NpfsWaitForPipe(extension, Irp);
        }
        return NpfsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    ccb = NpfsCcbOf(stack->FileObject, &end);
    if (ccb == NULL) {
        return NpfsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    switch (code) {
    case FSCTL_PIPE_TRANSCEIVE:
        status = NpfsTransceive(extension, ccb, end, Irp, &information);
        return status == STATUS_PENDING ? STATUS_PENDING : NpfsComplete(Irp, status, information);
    case FSCTL_PIPE_LISTEN:
    case FSCTL_PIPE_DISCONNECT:
    case FSCTL_PIPE_PEEK:
    case FSCTL_PIPE_QUERY_CLIENT_PROCESS:
    case FSCTL_PIPE_SET_CLIENT_PROCESS:
        break;
    case FSCTL_PIPE_WAIT:
        return NpfsComplete(Irp, STATUS_ILLEGAL_FUNCTION, 0); /* sent to the root, not to a pipe */
    default:
        return NpfsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    switch (code) {
    case FSCTL_PIPE_LISTEN:
        status = NpfsListen(extension, ccb, end, Irp, &done);
        break;
    case FSCTL_PIPE_DISCONNECT:
        status = NpfsDisconnect(ccb, end, &done);
        break;
    case FSCTL_PIPE_PEEK:
        status = NpfsPeek(ccb, end, Irp, &information);
        break;
    case FSCTL_PIPE_QUERY_CLIENT_PROCESS:
        status = NpfsQueryClientProcess(ccb, Irp, &information);
        break;
    default:
        status = NpfsSetClientProcess(ccb, Irp);
        break;
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    NpfsCompleteList(&done);
    if (status == STATUS_PENDING) {
        return STATUS_PENDING;
    }
    return NpfsComplete(Irp, status, information);
}
