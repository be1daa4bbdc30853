/* msfs.sys IRP_MJ_QUERY_INFORMATION and IRP_MJ_SET_INFORMATION on the server end:
 * FileMailslotQueryInformation (GetMailslotInfo) and FileMailslotSetInformation (SetMailslotInfo, the
 * read timeout of later reads). The read timeout travels in 100 ns units as the create gave it: a
 * negative relative time, 0 (no wait) or -1 (MAILSLOT_WAIT_FOREVER). Other classes, and a client
 * end or the root, are STATUS_INVALID_PARAMETER.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_file_mailslot_query_information */
#include "msfs.h"

NTSTATUS MsfsQueryInformation(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PMSFS_DEVICE_EXTENSION extension = (PMSFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_MAILSLOT_QUERY_INFORMATION info = (PFILE_MAILSLOT_QUERY_INFORMATION)Irp->AssociatedIrp.SystemBuffer;
    PMSFS_FCB fcb;
    ULONG end;
    KIRQL irql;

    fcb = MsfsFcbOf(stack->FileObject, &end);
    if (fcb == NULL || end != MSFS_SERVER_END ||
        stack->Parameters.QueryFile.FileInformationClass != FileMailslotQueryInformation) {
        return MsfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (stack->Parameters.QueryFile.Length < sizeof(FILE_MAILSLOT_QUERY_INFORMATION)) {
        return MsfsComplete(Irp, STATUS_INFO_LENGTH_MISMATCH, 0);
    }
    KeAcquireSpinLock(&extension->Lock, &irql);
    info->MaximumMessageSize = fcb->MaximumMessageSize;
    info->MailslotQuota = fcb->MailslotQuota;
    info->MessagesAvailable = fcb->MessageCount;
    info->NextMessageSize = IsListEmpty(&fcb->Messages)
                                ? MAILSLOT_NO_MESSAGE
                                : CONTAINING_RECORD(fcb->Messages.Flink, MSFS_MESSAGE, ListEntry)->Length;
    info->ReadTimeout = fcb->ReadTimeout;
    KeReleaseSpinLock(&extension->Lock, irql);
    return MsfsComplete(Irp, STATUS_SUCCESS, sizeof(FILE_MAILSLOT_QUERY_INFORMATION));
}

/* FILE_MAILSLOT_SET_INFORMATION holds a pointer to the new timeout, read here from the caller's
 * memory (probed when the request came from user mode); no pointer is MAILSLOT_WAIT_FOREVER, as a
 * create without a timeout. */
NTSTATUS MsfsSetInformation(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PMSFS_DEVICE_EXTENSION extension = (PMSFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_MAILSLOT_SET_INFORMATION set = (PFILE_MAILSLOT_SET_INFORMATION)Irp->AssociatedIrp.SystemBuffer;
    LARGE_INTEGER timeout;
    NTSTATUS status = STATUS_SUCCESS;
    PMSFS_FCB fcb;
    ULONG end;
    KIRQL irql;

    fcb = MsfsFcbOf(stack->FileObject, &end);
    if (fcb == NULL || end != MSFS_SERVER_END ||
        stack->Parameters.SetFile.FileInformationClass != FileMailslotSetInformation) {
        return MsfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (stack->Parameters.SetFile.Length < sizeof(FILE_MAILSLOT_SET_INFORMATION)) {
        return MsfsComplete(Irp, STATUS_INFO_LENGTH_MISMATCH, 0);
    }
    timeout.QuadPart = MSFS_WAIT_FOREVER;
    if (set->ReadTimeout != NULL) {
        __try {
            if (Irp->RequestorMode != KernelMode) {
                ProbeForRead(set->ReadTimeout, sizeof(LARGE_INTEGER), sizeof(ULONG));
            }
            timeout = *set->ReadTimeout;
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
    }
    if (!NT_SUCCESS(status)) {
        return MsfsComplete(Irp, status, 0);
    }
    KeAcquireSpinLock(&extension->Lock, &irql);
    fcb->ReadTimeout = timeout;
    KeReleaseSpinLock(&extension->Lock, irql);
    return MsfsComplete(Irp, STATUS_SUCCESS, 0);
}
