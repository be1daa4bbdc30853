/* ramdisk.sys fast I/O: FastIoRead and FastIoWrite, which the I/O manager calls before it builds an
 * IRP for a synchronous open (RamdiskCreateClose marks those). A routine does the whole transfer
 * only when the IRP path would succeed with it, copying straight between the disk and the caller's
 * buffer; for everything else it returns FALSE, so the IRP path gives its exact status.
 * FAST_IO_DISPATCH and the routines' contract:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_fast_io_dispatch; a routine
 * that returns FALSE makes the I/O manager send the IRP instead:
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irps-are-different-from-fast-i-o */
#include "ramdisk.h"

static FAST_IO_READ RamdiskFastIoRead;
static FAST_IO_WRITE RamdiskFastIoWrite;

FAST_IO_DISPATCH RamdiskFastIoDispatch = {
    .SizeOfFastIoDispatch = sizeof(FAST_IO_DISPATCH),
    .FastIoRead = RamdiskFastIoRead,
    .FastIoWrite = RamdiskFastIoWrite,
};

/* Declines (FALSE) a zero-length transfer and anything RamdiskCheckTransfer refuses, a write that
 * might have to wait for a flush when the caller cannot wait, and a copy that faulted on the
 * caller's buffer: the IRP path then fails the probe and lock of that buffer with its own status. */
static BOOLEAN NTAPI RamdiskFastIoRead(_In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length,
                                       _In_ BOOLEAN Wait, _In_ ULONG LockKey, _Out_ PVOID Buffer,
                                       _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
{
    PRAMDISK_EXTENSION extension = (PRAMDISK_EXTENSION)DeviceObject->DeviceExtension;
    const LONGLONG offset = FileOffset->QuadPart;

    UNREFERENCED_PARAMETER(FileObject);
    UNREFERENCED_PARAMETER(Wait);
    UNREFERENCED_PARAMETER(LockKey);
    if (Length == 0 || !NT_SUCCESS(RamdiskCheckTransfer(extension, FALSE, offset, Length))) {
        return FALSE;
    }
    RamdiskPrefetchRead(extension, extension->Data + offset, Length);
    /* A read needs no image lock: the guarded copy is done here, in the routine the stack above
     * calls, without RamdiskCopy's frame. */
    __try {
        RtlCopyMemory(Buffer, extension->Data + offset, Length);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return FALSE;
    }
    IoStatus->Status = STATUS_SUCCESS;
    IoStatus->Information = Length;
    return TRUE;
}

static BOOLEAN NTAPI RamdiskFastIoWrite(_In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset,
                                        _In_ ULONG Length, _In_ BOOLEAN Wait, _In_ ULONG LockKey, _In_ PVOID Buffer,
                                        _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
{
    PRAMDISK_EXTENSION extension = (PRAMDISK_EXTENSION)DeviceObject->DeviceExtension;
    const LONGLONG offset = FileOffset->QuadPart;

    UNREFERENCED_PARAMETER(FileObject);
    UNREFERENCED_PARAMETER(LockKey);
    if (Length == 0 || !NT_SUCCESS(RamdiskCheckTransfer(extension, TRUE, offset, Length))) {
        return FALSE;
    }
    if (extension->Dirty && !Wait) {
        return FALSE;
    }
    if (!RamdiskCopy(extension, TRUE, (ULONGLONG)offset, Length, Buffer, TRUE)) {
        return FALSE;
    }
    IoStatus->Status = STATUS_SUCCESS;
    IoStatus->Information = Length;
    return TRUE;
}
