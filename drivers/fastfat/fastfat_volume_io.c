/* The engine's volume callbacks as non-cached sector I/O to the target device: any byte range is
 * widened to whole sectors through a bounce buffer (read-modify-write for writes). Metadata goes
 * through here rather than a stream file object on the cache manager because the engine addresses
 * the FAT and directories by volume byte offset in small pieces, and writing them through keeps the
 * volume consistent on disk after every operation (a dismount or unload has no metadata to flush).
 * Also here: file data written by cluster (paging writes) without touching the directory entry. */
#include "fastfat.h"

static NTSTATUS FatDeviceTransfer(PFAT_VCB Vcb, UCHAR Major, ULONGLONG Offset, ULONG Length, PVOID Buffer)
{
    KEVENT event;
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER offset;
    PIRP irp;
    NTSTATUS status;

    offset.QuadPart = (LONGLONG)Offset;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    irp = IoBuildSynchronousFsdRequest(Major, Vcb->TargetDevice, Buffer, Length, &offset, &event, &iosb);
    if (!irp) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    /* The file system's own I/O is not re-verified against the volume it serves. */
    IoGetNextIrpStackLocation(irp)->Flags |= SL_OVERRIDE_VERIFY_VOLUME;
    status = IoCallDriver(Vcb->TargetDevice, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    if (NT_SUCCESS(status) && iosb.Information != Length) {
        status = STATUS_DEVICE_DATA_ERROR;
    }
    return status;
}

static NTSTATUS FatTransfer(PVOID Context, ULONGLONG Offset, ULONG Length, PVOID Buffer, BOOLEAN Write)
{
    PFAT_VCB vcb = (PFAT_VCB)Context;
    ULONG sector = vcb->SectorSize;
    ULONGLONG start = Offset - Offset % sector;
    ULONGLONG end = Offset + Length;
    ULONG span;
    PUCHAR bounce;
    NTSTATUS status;

    if (Length == 0) {
        return STATUS_SUCCESS;
    }
    end = (end + sector - 1) / sector * sector;
    if (start == Offset && end == Offset + Length) {
        return FatDeviceTransfer(vcb, Write ? IRP_MJ_WRITE : IRP_MJ_READ, Offset, Length, Buffer);
    }
    span = (ULONG)(end - start);
    bounce = (PUCHAR)ExAllocatePoolWithTag(NonPagedPoolNx, span, FASTFAT_TAG);
    if (!bounce) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = FatDeviceTransfer(vcb, IRP_MJ_READ, start, span, bounce);
    if (NT_SUCCESS(status)) {
        if (Write) {
            RtlCopyMemory(bounce + (Offset - start), Buffer, Length);
            status = FatDeviceTransfer(vcb, IRP_MJ_WRITE, start, span, bounce);
        } else {
            RtlCopyMemory(Buffer, bounce + (Offset - start), Length);
        }
    }
    ExFreePoolWithTag(bounce, FASTFAT_TAG);
    return status;
}

NTSTATUS FatVolumeRead(PVOID Context, ULONGLONG Offset, ULONG Length, PVOID Buffer)
{
    return FatTransfer(Context, Offset, Length, Buffer, FALSE);
}

NTSTATUS FatVolumeWrite(PVOID Context, ULONGLONG Offset, ULONG Length, const VOID *Buffer)
{
    return FatTransfer(Context, Offset, Length, (PVOID)Buffer, TRUE);
}

NTSTATUS FatSendDeviceIoctl(PDEVICE_OBJECT Device, ULONG Code, PVOID Output, ULONG Length)
{
    KEVENT event;
    IO_STATUS_BLOCK iosb;
    PIRP irp;
    NTSTATUS status;

    KeInitializeEvent(&event, NotificationEvent, FALSE);
    irp = IoBuildDeviceIoControlRequest(Code, Device, NULL, 0, Output, Length, FALSE, &event, &iosb);
    if (!irp) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = IoCallDriver(Device, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    return status;
}

/* IRP_MJ_FLUSH_BUFFERS to the disk, so what the volume wrote reaches its backing store. */
NTSTATUS FatFlushDevice(PFAT_VCB Vcb)
{
    KEVENT event;
    IO_STATUS_BLOCK iosb;
    PIRP irp;
    NTSTATUS status;

    KeInitializeEvent(&event, NotificationEvent, FALSE);
    irp = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, Vcb->TargetDevice, NULL, 0, NULL, &event, &iosb);
    if (!irp) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = IoCallDriver(Vcb->TargetDevice, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    /* A disk without a flush has nothing to write back. */
    return status == STATUS_INVALID_DEVICE_REQUEST ? STATUS_SUCCESS : status;
}

/* The walk of a file's chain reads FAT sectors that other files' allocations and frees rewrite
 * (under the VCB resource exclusive): the data paths hold the VCB shared around it, as the engine
 * asks of every reader (fat_engine.h). The file's own chain cannot change meanwhile: that takes its
 * PagingIoResource exclusive, which the caller holds shared.
 *
 * Shared with ExAcquireSharedStarveExclusive: paging I/O must not queue behind an exclusive waiter.
 * A paging read can be on behalf of a thread that already holds the VCB shared (a directory query
 * filling a caller's buffer that is a mapped view of a file on this volume), and an exclusive waiter
 * that came in between would wait for that thread, which waits for the paging read. An exclusive
 * owner waits for no paging I/O that could be here (fastfat.h, lock order), so waiting for one is
 * safe. */
static VOID FatAcquireVolumeForData(PFAT_VCB Vcb)
{
    (void)ExAcquireSharedStarveExclusive(&Vcb->Resource, TRUE);
}

NTSTATUS FatReadFileData(PFAT_VCB Vcb, PFAT_FCB Fcb, ULONGLONG Offset, ULONG Length, PVOID Buffer, PULONG Done)
{
    NTSTATUS status;

    FatAcquireVolumeForData(Vcb);
    status = FatReadFile(&Vcb->Volume, &Fcb->Dirent, Offset, Length, Buffer, Done);
    ExReleaseResourceLite(&Vcb->Resource);
    return status;
}

static NTSTATUS FatWriteFileDataLocked(PFAT_VCB Vcb, PFAT_FCB Fcb, ULONGLONG Offset, ULONG Length, const VOID *Buffer)
{
    PFAT_VOLUME volume = &Vcb->Volume;
    ULONG bpc = volume->BytesPerCluster;
    ULONG cluster;
    ULONG within = (ULONG)(Offset % bpc);
    const UCHAR *from = (const UCHAR *)Buffer;
    NTSTATUS status;

    status = FatChainSeek(volume, Fcb->Dirent.FirstCluster, (ULONG)(Offset / bpc), &cluster);
    while (NT_SUCCESS(status) && Length) {
        ULONG chunk = bpc - within;
        if (chunk > Length) {
            chunk = Length;
        }
        status = FatVolumeWrite(Vcb, FatClusterOffset(volume, cluster) + within, chunk, from);
        from += chunk;
        Length -= chunk;
        within = 0;
        if (NT_SUCCESS(status) && Length) {
            status = FatNextCluster(volume, cluster, &cluster);
            if (NT_SUCCESS(status) && cluster == FAT_CLUSTER_EOC) {
                status = STATUS_FILE_CORRUPT_ERROR;
            }
        }
    }
    return status == STATUS_END_OF_FILE ? STATUS_FILE_CORRUPT_ERROR : status;
}

NTSTATUS FatWriteFileData(PFAT_VCB Vcb, PFAT_FCB Fcb, ULONGLONG Offset, ULONG Length, const VOID *Buffer)
{
    NTSTATUS status;

    if (Length == 0) {
        return STATUS_SUCCESS;
    }
    FatAcquireVolumeForData(Vcb);
    status = FatWriteFileDataLocked(Vcb, Fcb, Offset, Length, Buffer);
    ExReleaseResourceLite(&Vcb->Resource);
    return status;
}
