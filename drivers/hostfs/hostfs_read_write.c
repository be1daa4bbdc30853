/* IRP_MJ_READ and IRP_MJ_WRITE (pread and pwrite on the open's host descriptor, through the system
 * buffer), IRP_MJ_FLUSH_BUFFERS (fsync) and IRP_MJ_LOCK_CONTROL (FsRtl's byte-range locks, which
 * reads and writes respect). The I/O manager passes a synchronous file's current position as the
 * offset (FILE_USE_FILE_POINTER_POSITION) or resolves it; the driver moves CurrentByteOffset past
 * what it transferred, as a file system does.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-read
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-write
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-flush-buffers
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-lock-control */
#include "hostfs.h"

static LARGE_INTEGER HostfsOffset(_In_ PFILE_OBJECT File, _In_ LARGE_INTEGER Offset)
{
    if (Offset.LowPart == FILE_USE_FILE_POINTER_POSITION && Offset.HighPart == -1) {
        return File->CurrentByteOffset;
    }
    return Offset;
}

NTSTATUS HostfsRead(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = stack->FileObject;
    ULONG length = stack->Parameters.Read.Length;
    LARGE_INTEGER offset = HostfsOffset(file, stack->Parameters.Read.ByteOffset);
    PHOSTFS_FCB fcb;
    PHOSTFS_CCB ccb;
    long long done;

    UNREFERENCED_PARAMETER(DeviceObject);
    if (!HostfsContextOf(file, &fcb, &ccb)) {
        return HostfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    /* Reading a directory's data is an invalid request, as on NTFS. */
    if (fcb->Directory) {
        return HostfsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    if (offset.QuadPart < 0) {
        return HostfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (length == 0) {
        return HostfsComplete(Irp, STATUS_SUCCESS, 0);
    }
    if (!FsRtlCheckLockForReadAccess(&fcb->FileLock, Irp)) {
        return HostfsComplete(Irp, STATUS_FILE_LOCK_CONFLICT, 0);
    }
    done = HostfsPread(ccb->Fd, Irp->AssociatedIrp.SystemBuffer, length, offset.QuadPart);
    if (done < 0) {
        return HostfsComplete(Irp, (NTSTATUS)HostfsStatus((int)done), 0);
    }
    /* At or past the end: STATUS_END_OF_FILE, nothing read. */
    if (done == 0) {
        return HostfsComplete(Irp, STATUS_END_OF_FILE, 0);
    }
    if (file->Flags & FO_SYNCHRONOUS_IO) {
        file->CurrentByteOffset.QuadPart = offset.QuadPart + done;
    }
    return HostfsComplete(Irp, STATUS_SUCCESS, (ULONG_PTR)done);
}

NTSTATUS HostfsWrite(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = stack->FileObject;
    ULONG length = stack->Parameters.Write.Length;
    LARGE_INTEGER offset = HostfsOffset(file, stack->Parameters.Write.ByteOffset);
    PHOSTFS_FCB fcb;
    PHOSTFS_CCB ccb;
    HOSTFS_STAT stat;
    long long done;
    int error;

    UNREFERENCED_PARAMETER(DeviceObject);
    if (!HostfsContextOf(file, &fcb, &ccb)) {
        return HostfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (fcb->Directory) {
        return HostfsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    if (offset.LowPart == FILE_WRITE_TO_END_OF_FILE && offset.HighPart == -1) {
        error = HostfsStatFd(ccb->Fd, &stat);
        if (error != 0) {
            return HostfsComplete(Irp, (NTSTATUS)HostfsStatus(error), 0);
        }
        offset.QuadPart = stat.Size;
    }
    if (offset.QuadPart < 0) {
        return HostfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (length == 0) {
        return HostfsComplete(Irp, STATUS_SUCCESS, 0);
    }
    if (!FsRtlCheckLockForWriteAccess(&fcb->FileLock, Irp)) {
        return HostfsComplete(Irp, STATUS_FILE_LOCK_CONFLICT, 0);
    }
    done = HostfsPwrite(ccb->Fd, Irp->AssociatedIrp.SystemBuffer, length, offset.QuadPart);
    if (done < 0) {
        return HostfsComplete(Irp, (NTSTATUS)HostfsStatus((int)done), 0);
    }
    if (file->Flags & FO_SYNCHRONOUS_IO) {
        file->CurrentByteOffset.QuadPart = offset.QuadPart + done;
    }
    return HostfsComplete(Irp, STATUS_SUCCESS, (ULONG_PTR)done);
}

NTSTATUS HostfsFlushBuffers(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PHOSTFS_FCB fcb;
    PHOSTFS_CCB ccb;
    int error;

    UNREFERENCED_PARAMETER(DeviceObject);
    if (!HostfsContextOf(IoGetCurrentIrpStackLocation(Irp)->FileObject, &fcb, &ccb)) {
        return HostfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    /* An O_PATH descriptor (an open without data rights) has nothing of its own to flush; the I/O
     * manager refuses a flush without write access before it gets here. */
    error = HostfsSync(ccb->Fd);
    if (error != 0 && (NTSTATUS)HostfsStatus(error) != STATUS_INVALID_PARAMETER) {
        return HostfsComplete(Irp, (NTSTATUS)HostfsStatus(error), 0);
    }
    return HostfsComplete(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS HostfsLockControl(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PHOSTFS_FCB fcb;
    PHOSTFS_CCB ccb;

    UNREFERENCED_PARAMETER(DeviceObject);
    if (!HostfsContextOf(IoGetCurrentIrpStackLocation(Irp)->FileObject, &fcb, &ccb) || fcb->Directory) {
        return HostfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    /* FsRtlProcessFileLock completes the IRP. */
    return FsRtlProcessFileLock(&fcb->FileLock, Irp, NULL);
}
