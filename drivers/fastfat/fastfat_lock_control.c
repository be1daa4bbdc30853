/* IRP_MJ_LOCK_CONTROL: byte-range locks of files through FsRtl's FILE_LOCK in the FCB, which
 * completes the IRP; reads and writes check them (fastfat_read_write.c) and cleanup releases a
 * handle's locks. https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-lock-control */
#include "fastfat.h"

NTSTATUS FatLockControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PFAT_FCB fcb = (PFAT_FCB)IoGetCurrentIrpStackLocation(Irp)->FileObject->FsContext;

    if (!fcb || fcb->Header.NodeTypeCode != FAT_NTC_FCB) {
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (vcb->Flags & VCB_DISMOUNTED) {
        return FatCompleteRequest(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    if (FatCheckOplock(DeviceObject, fcb, Irp, 0) == STATUS_PENDING) {
        return STATUS_PENDING;
    }
    return FsRtlProcessFileLock(&fcb->FileLock, Irp, NULL);
}
