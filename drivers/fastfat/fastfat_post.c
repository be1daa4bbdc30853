/* Posting requests that would block: fastfat.sys's file system process. A request whose caller may
 * not wait (IoIsOperationSynchronous FALSE: a file object opened without FILE_SYNCHRONOUS_IO_*, a
 * request that is not a synchronous API) is first tried without blocking: resources acquired with
 * Wait FALSE, CcCopyRead / CcCopyWrite with Wait FALSE, which return FALSE rather than wait for data
 * that is not in the cache
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-cccopyread). When
 * anything would block (a resource another thread holds, data not resident, I/O to the disk), the
 * routine drops what it holds and calls FatPostRequest: the request is marked pending, its dispatch
 * routine returns STATUS_PENDING, and a system worker thread runs the same routine with Wait TRUE and
 * completes the IRP.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioisoperationsynchronous
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/completing-irps
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/system-worker-threads
 *
 * Posted requests are not cancellable (no cancel routine is set); each one holds a count that
 * DriverUnload waits for, so every posted request is completed before the devices go. */
#include "fastfat.h"

VOID FatInitializePosting(VOID)
{
    /* The driver's own count, dropped when it unloads. */
    FatData.PostedRequests = 1;
    KeInitializeEvent(&FatData.PostedDrained, NotificationEvent, FALSE);
}

static VOID FatPostedRequestDone(VOID)
{
    if (InterlockedDecrement(&FatData.PostedRequests) == 0) {
        KeSetEvent(&FatData.PostedDrained, IO_NO_INCREMENT, FALSE);
    }
}

VOID FatDrainPostedRequests(VOID)
{
    if (InterlockedDecrement(&FatData.PostedRequests) != 0) {
        KeWaitForSingleObject(&FatData.PostedDrained, Executive, KernelMode, FALSE, NULL);
    }
}

/* The worker sees the caller's buffer through an MDL: a neither-I/O request (a file system's volume
 * device takes reads, writes and directory queries as Irp->UserBuffer) carries only the caller's
 * address, which is valid in the caller's context alone. The MDL is locked in that context, here,
 * and hung on Irp->MdlAddress, where FatUserBuffer finds it and the I/O manager unlocks and frees
 * it at completion.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/using-neither-buffered-nor-direct-i-o
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocatemdl
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmprobeandlockpages (the call
 * must be in a __try: a range the caller may not access raises) */
static NTSTATUS FatLockUserBuffer(PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    LOCK_OPERATION operation;
    ULONG length;
    PMDL mdl;
    NTSTATUS status = STATUS_SUCCESS;

    switch (stack->MajorFunction) {
    case IRP_MJ_READ:
        length = stack->Parameters.Read.Length;
        operation = IoWriteAccess;
        break;
    case IRP_MJ_WRITE:
        length = stack->Parameters.Write.Length;
        operation = IoReadAccess;
        break;
    case IRP_MJ_DIRECTORY_CONTROL:
        length = stack->MinorFunction == IRP_MN_QUERY_DIRECTORY ? stack->Parameters.QueryDirectory.Length : 0;
        operation = IoWriteAccess;
        break;
    default:
        /* Information requests are buffered (Irp->AssociatedIrp.SystemBuffer); flushes have none. */
        return STATUS_SUCCESS;
    }
    if (Irp->MdlAddress || !Irp->UserBuffer || length == 0) {
        return STATUS_SUCCESS;
    }
    mdl = IoAllocateMdl(Irp->UserBuffer, length, FALSE, FALSE, Irp);
    if (!mdl) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    __try {
        MmProbeAndLockPages(mdl, Irp->RequestorMode, operation);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = FatExceptionStatus(GetExceptionCode());
    }
    if (!NT_SUCCESS(status)) {
        Irp->MdlAddress = NULL;
        IoFreeMdl(mdl);
    }
    return status;
}

/* The worker: the same routine with Wait TRUE, inside FsRtlEnterFileSystem as every dispatch is.
 * The work item is dequeued before its routine runs, so the routine frees it
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iofreeworkitem). The file
 * object is held past the completion: the IRP's reference goes at completion, and if that was the
 * last one the close (and a deferred DriverUnload) run on this thread, which must have dropped its
 * count first or the unload would wait for it. */
static VOID NTAPI FatPostedWorker(PVOID IoObject, PVOID Context, PIO_WORKITEM IoWorkItem)
{
    PIRP irp = (PIRP)Context;
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;

    IoFreeWorkItem(IoWorkItem);
    ObReferenceObject(file);
    FsRtlEnterFileSystem();
    (void)FatCommonDispatch((PDEVICE_OBJECT)IoObject, irp, TRUE);
    FsRtlExitFileSystem();
    FatPostedRequestDone();
    ObDereferenceObject(file);
}

/* IoMarkIrpPending before the IRP can reach the worker, and STATUS_PENDING back to the caller: after
 * queuing, the IRP may already be complete, so it is not touched again here.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iomarkirppending
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocateworkitem
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioqueueworkitemex (the work
 * item references the volume device until its routine returns) */
NTSTATUS FatPostRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_WORKITEM work = IoAllocateWorkItem(DeviceObject);
    NTSTATUS status;

    if (!work) {
        /* Nothing to post with: done here, waiting, as a synchronous request would be. */
        return FatCommonDispatch(DeviceObject, Irp, TRUE);
    }
    status = FatLockUserBuffer(Irp);
    if (!NT_SUCCESS(status)) {
        IoFreeWorkItem(work);
        return FatCompleteRequest(Irp, status, 0);
    }
    IoMarkIrpPending(Irp);
    InterlockedIncrement(&FatData.PostedRequests);
    IoQueueWorkItemEx(work, FatPostedWorker, CriticalWorkQueue, Irp);
    return STATUS_PENDING;
}
