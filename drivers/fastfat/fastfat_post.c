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
 * Posted requests wait in their volume's cancel-safe queue (IoCsq*) until a worker takes them, so
 * CancelIo / NtCancelIoFile completes a request still waiting there with STATUS_CANCELLED; once a
 * worker has taken it, it runs to completion (FastFat's posted requests cannot be cancelled at all).
 * A volume has at most FAT_POST_WORKERS workers at a time, each taking requests from the queue
 * until it is empty: requests that block on one busy volume (a file another thread holds) do not
 * take every system worker thread, and they wait in the queue, where they can be cancelled.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/cancel-safe-irp-queues
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocsqinsertirpex
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocsqremovenextirp
 *
 * Each worker holds a count that DriverUnload waits for; a worker leaves only when its volume's
 * queue holds nothing left to take (a request being cancelled is completed by its canceller), so
 * every posted request is completed before the devices go. */
#include "fastfat.h"

#define FAT_POST_WORKERS 2

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

/* ---- the volume's cancel-safe queue: PostQueue under PostLock ---- */

/* Queues the IRP; InsertContext is a BOOLEAN set when the caller is to start a worker (fewer than
 * FAT_POST_WORKERS serve the queue). Counted here, under the queue lock, so a worker that finds the
 * queue empty and leaves (FatTakePostedRequest) and a request that comes in meanwhile never miss
 * each other. */
static NTSTATUS NTAPI FatCsqInsertIrp(PIO_CSQ Csq, PIRP Irp, PVOID InsertContext)
{
    PFAT_VCB vcb = CONTAINING_RECORD(Csq, FAT_VCB, PostCsq);

    InsertTailList(&vcb->PostQueue, &Irp->Tail.Overlay.ListEntry);
    if (vcb->PostWorkers < FAT_POST_WORKERS) {
        vcb->PostWorkers++;
        *(PBOOLEAN)InsertContext = TRUE;
    }
    return STATUS_SUCCESS;
}

static VOID NTAPI FatCsqRemoveIrp(PIO_CSQ Csq, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
}

/* First in, first out: the IRP after Irp (the head when NULL); any IRP matches. */
static PIRP NTAPI FatCsqPeekNextIrp(PIO_CSQ Csq, PIRP Irp, PVOID PeekContext)
{
    PFAT_VCB vcb = CONTAINING_RECORD(Csq, FAT_VCB, PostCsq);
    PLIST_ENTRY next = Irp ? Irp->Tail.Overlay.ListEntry.Flink : vcb->PostQueue.Flink;

    UNREFERENCED_PARAMETER(PeekContext);
    return next == &vcb->PostQueue ? NULL : CONTAINING_RECORD(next, IRP, Tail.Overlay.ListEntry);
}

static VOID NTAPI FatCsqAcquireLock(PIO_CSQ Csq, PKIRQL Irql)
{
    KeAcquireSpinLock(&CONTAINING_RECORD(Csq, FAT_VCB, PostCsq)->PostLock, Irql);
}

static VOID NTAPI FatCsqReleaseLock(PIO_CSQ Csq, KIRQL Irql)
{
    KeReleaseSpinLock(&CONTAINING_RECORD(Csq, FAT_VCB, PostCsq)->PostLock, Irql);
}

/* Cancelled while it waited for a worker: nothing of it was done. The MDL locked for the worker
 * goes with the completion. */
static VOID NTAPI FatCsqCompleteCanceledIrp(PIO_CSQ Csq, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

VOID FatInitializeVolumePosting(PFAT_VCB Vcb)
{
    KeInitializeSpinLock(&Vcb->PostLock);
    InitializeListHead(&Vcb->PostQueue);
    Vcb->PostWorkers = 0;
    (void)IoCsqInitializeEx(&Vcb->PostCsq, FatCsqInsertIrp, FatCsqRemoveIrp, FatCsqPeekNextIrp, FatCsqAcquireLock,
                            FatCsqReleaseLock, FatCsqCompleteCanceledIrp);
}

/* Whether the queue holds a request a worker could still take: one whose cancel routine (the one
 * the cancel-safe queue sets on every queued IRP, under the queue lock) is still set. One that
 * IoCancelIrp has taken the routine of stays listed until its canceller gets the queue lock and
 * removes and completes it: no worker is needed for it. PostLock held. */
static BOOLEAN FatHasTakeableRequest(PFAT_VCB Vcb)
{
    PLIST_ENTRY entry;

    for (entry = Vcb->PostQueue.Flink; entry != &Vcb->PostQueue; entry = entry->Flink) {
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (InterlockedCompareExchangePointer((PVOID volatile *)&irp->CancelRoutine, NULL, NULL) != NULL) {
            return TRUE;
        }
    }
    return FALSE;
}

/* The next request for this worker, or NULL when none is left to take: then the worker has left
 * (PostWorkers counts it no more), decided under the queue lock, where FatCsqInsertIrp counts, so a
 * request queued meanwhile either sees the worker gone and starts another or is taken here. */
static PIRP FatTakePostedRequest(PFAT_VCB Vcb)
{
    for (;;) {
        PIRP irp = IoCsqRemoveNextIrp(&Vcb->PostCsq, NULL);
        KIRQL irql;
        BOOLEAN idle;

        if (irp) {
            return irp;
        }
        KeAcquireSpinLock(&Vcb->PostLock, &irql);
        idle = !FatHasTakeableRequest(Vcb);
        if (idle) {
            Vcb->PostWorkers--;
        }
        KeReleaseSpinLock(&Vcb->PostLock, irql);
        if (idle) {
            return NULL;
        }
    }
}

/* The worker: takes the volume's posted requests one after the other and runs each through the same
 * routine with Wait TRUE, inside FsRtlEnterFileSystem as every dispatch is, until the queue is
 * empty. The work item is dequeued before its routine runs, so the routine frees it
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iofreeworkitem); it holds
 * the volume device (IoQueueWorkItemEx), so the VCB and its queue stay until the routine returns.
 * Each request's file object is held past its completion: the IRP's reference goes at completion,
 * and if that was the last one the close runs on this thread. It is dropped once the next request's
 * file object is held (a file on this volume, so that close cannot delete the volume or unload the
 * driver), or, after the last request, once the worker's count is: that close may end in a deferred
 * DriverUnload, which waits for the count. */
static VOID NTAPI FatPostedWorker(PVOID IoObject, PVOID Context, PIO_WORKITEM IoWorkItem)
{
    PDEVICE_OBJECT device = (PDEVICE_OBJECT)IoObject;
    PFAT_VCB vcb = FatVcbOfDevice(device);
    PFILE_OBJECT held = NULL;
    PIRP irp;

    UNREFERENCED_PARAMETER(Context);
    IoFreeWorkItem(IoWorkItem);
    while ((irp = FatTakePostedRequest(vcb)) != NULL) {
        PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
        ObReferenceObject(file);
        if (held) {
            ObDereferenceObject(held);
        }
        held = file;
        FsRtlEnterFileSystem();
        (void)FatCommonDispatch(device, irp, TRUE);
        FsRtlExitFileSystem();
    }
    FatPostedRequestDone();
    if (held) {
        ObDereferenceObject(held);
    }
}

/* The IRP goes into the volume's queue (IoCsqInsertIrpEx marks it pending and makes it cancellable;
 * one cancelled already is completed with STATUS_CANCELLED there) and STATUS_PENDING goes back to
 * the caller: once queued, the IRP may already be complete, so it is not touched again here. A
 * worker is started when fewer than FAT_POST_WORKERS serve the queue; the work item is had before
 * the IRP is queued, so a request is never queued without a way to be served.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iomarkirppending
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocateworkitem
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioqueueworkitemex (the work
 * item references the volume device until its routine returns) */
NTSTATUS FatPostRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PIO_WORKITEM work = IoAllocateWorkItem(DeviceObject);
    BOOLEAN startWorker = FALSE;
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
    (void)IoCsqInsertIrpEx(&vcb->PostCsq, Irp, NULL, &startWorker);
    if (startWorker) {
        InterlockedIncrement(&FatData.PostedRequests);
        IoQueueWorkItemEx(work, FatPostedWorker, CriticalWorkQueue, NULL);
    } else {
        IoFreeWorkItem(work);
    }
    return STATUS_PENDING;
}
