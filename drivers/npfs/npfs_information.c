/* npfs.sys IRP_MJ_QUERY_INFORMATION and IRP_MJ_SET_INFORMATION: FilePipeInformation (the read and
 * completion mode of one end; SetNamedPipeHandleState), FilePipeLocalInformation
 * (GetNamedPipeInfo, GetNamedPipeHandleState) and FileStandardInformation. Other classes are
 * STATUS_INVALID_PARAMETER, as the pipe file system answers them.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_file_pipe_local_information */
#include "npfs.h"

static VOID NpfsLocalInformation(_In_ PNPFS_CCB Ccb, _In_ ULONG End, _In_ PFILE_OBJECT FileObject,
                                 _Out_ PFILE_PIPE_LOCAL_INFORMATION Local)
{
    PNPFS_FCB fcb = Ccb->Fcb;
    PNPFS_QUEUE readQueue = NpfsReadQueue(Ccb, End);
    PNPFS_QUEUE writeQueue = NpfsWriteQueue(Ccb, End);
    Local->NamedPipeType = fcb->NamedPipeType;
    Local->NamedPipeConfiguration = fcb->NamedPipeConfiguration;
    Local->MaximumInstances = fcb->MaximumInstances;
    Local->CurrentInstances = fcb->CurrentInstances;
    Local->InboundQuota = fcb->InboundQuota;
    Local->OutboundQuota = fcb->OutboundQuota;
    Local->ReadDataAvailable = readQueue->BytesQueued;
    Local->WriteQuotaAvailable =
        writeQueue->Quota > writeQueue->BytesBuffered ? writeQueue->Quota - writeQueue->BytesBuffered : 0;
    /* A client end the server disconnected is disconnected, whatever the instance does next. */
    Local->NamedPipeState = Ccb->EndFile[End] == FileObject ? Ccb->State : FILE_PIPE_DISCONNECTED_STATE;
    Local->NamedPipeEnd = End;
}

NTSTATUS NpfsQueryInformation(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG length = stack->Parameters.QueryFile.Length;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    FILE_PIPE_LOCAL_INFORMATION local;
    ULONG_PTR information = 0;
    NTSTATUS status = STATUS_SUCCESS;
    PNPFS_CCB ccb;
    ULONG end;
    KIRQL irql;

    ccb = NpfsCcbOf(stack->FileObject, &end);
    if (ccb == NULL) {
        return NpfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    KeAcquireSpinLock(&extension->Lock, &irql);
    NpfsLocalInformation(ccb, end, stack->FileObject, &local);
    switch (stack->Parameters.QueryFile.FileInformationClass) {
    case FilePipeInformation:
        if (length < sizeof(FILE_PIPE_INFORMATION)) {
            status = STATUS_INFO_LENGTH_MISMATCH;
        } else {
            ((PFILE_PIPE_INFORMATION)buffer)->ReadMode = ccb->ReadMode[end];
            ((PFILE_PIPE_INFORMATION)buffer)->CompletionMode = ccb->CompletionMode[end];
            information = sizeof(FILE_PIPE_INFORMATION);
        }
        break;
    case FilePipeLocalInformation:
        if (length < sizeof(FILE_PIPE_LOCAL_INFORMATION)) {
            status = STATUS_INFO_LENGTH_MISMATCH;
        } else {
            RtlCopyMemory(buffer, &local, sizeof(local));
            information = sizeof(local);
        }
        break;
    case FileStandardInformation:
        if (length < sizeof(FILE_STANDARD_INFORMATION)) {
            status = STATUS_INFO_LENGTH_MISMATCH;
        } else {
            PFILE_STANDARD_INFORMATION standard = (PFILE_STANDARD_INFORMATION)buffer;
            RtlZeroMemory(standard, sizeof(*standard));
            standard->AllocationSize.QuadPart = (LONGLONG)local.InboundQuota + local.OutboundQuota;
            standard->EndOfFile.QuadPart = local.ReadDataAvailable;
            standard->NumberOfLinks = 1;
            standard->DeletePending = local.NamedPipeState == FILE_PIPE_CLOSING_STATE;
            information = sizeof(FILE_STANDARD_INFORMATION);
        }
        break;
    default:
        status = STATUS_INVALID_PARAMETER;
        break;
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    return NpfsComplete(Irp, status, information);
}

/* FilePipeInformation: a message read mode needs a message pipe; both modes are 0 or 1. */
NTSTATUS NpfsSetInformation(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_PIPE_INFORMATION pipe = (PFILE_PIPE_INFORMATION)Irp->AssociatedIrp.SystemBuffer;
    NTSTATUS status = STATUS_SUCCESS;
    PNPFS_CCB ccb;
    ULONG end;
    KIRQL irql;

    ccb = NpfsCcbOf(stack->FileObject, &end);
    if (ccb == NULL || stack->Parameters.SetFile.FileInformationClass != FilePipeInformation) {
        return NpfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (stack->Parameters.SetFile.Length < sizeof(FILE_PIPE_INFORMATION)) {
        return NpfsComplete(Irp, STATUS_INFO_LENGTH_MISMATCH, 0);
    }
    if (pipe->ReadMode > FILE_PIPE_MESSAGE_MODE || pipe->CompletionMode > FILE_PIPE_COMPLETE_OPERATION) {
        return NpfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    KeAcquireSpinLock(&extension->Lock, &irql);
    if (pipe->ReadMode == FILE_PIPE_MESSAGE_MODE && ccb->Fcb->NamedPipeType != FILE_PIPE_MESSAGE_TYPE) {
        status = STATUS_INVALID_PARAMETER;
    } else {
        ccb->ReadMode[end] = pipe->ReadMode;
        ccb->CompletionMode[end] = pipe->CompletionMode;
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    return NpfsComplete(Irp, status, 0);
}
