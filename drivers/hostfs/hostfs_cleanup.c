/* IRP_MJ_CLEANUP (the last handle of a file object closed: its share access and byte-range locks go;
 * the last handle of a file marked for deletion deletes the host file) and IRP_MJ_CLOSE (the file
 * object's last reference: its host descriptor and CCB go, the FCB with its last file object).
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-cleanup
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-close */
#include "hostfs.h"

NTSTATUS HostfsCleanup(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PHOSTFS_DEVICE_EXTENSION extension = (PHOSTFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    PHOSTFS_FCB fcb;
    PHOSTFS_CCB ccb;
    PCHAR path;

    if (!HostfsContextOf(file, &fcb, &ccb)) {
        return HostfsComplete(Irp, STATUS_SUCCESS, 0);
    }
    path = (PCHAR)ExAllocatePoolWithTag(PagedPool, HOSTFS_MAX_PATH, HOSTFS_TAG);
    HostfsLock(extension);
    if (!fcb->Directory) {
        (void)FsRtlFastUnlockAll(&fcb->FileLock, file, IoGetRequestorProcess(Irp), NULL);
    }
    IoRemoveShareAccess(file, &fcb->ShareAccess);
    if (ccb->DeleteOnClose) {
        fcb->DeletePending = TRUE;
    }
    if (--fcb->OpenHandles == 0 && fcb->DeletePending) {
        /* The host name as it is now (renames included). A directory that is not empty stays: NTFS
         * refuses the disposition of one before it gets here; FILE_DELETE_ON_CLOSE cannot be refused. */
        if (path && NT_SUCCESS(HostfsPathOfFd(ccb->Fd, path, HOSTFS_MAX_PATH)) &&
            HostfsRemove(path, fcb->Directory) == 0) {
            RemoveEntryList(&fcb->ListEntry);
            InitializeListHead(&fcb->ListEntry);
        }
        fcb->DeletePending = FALSE;
    }
    HostfsUnlock(extension);
    if (path) {
        ExFreePoolWithTag(path, HOSTFS_TAG);
    }
    return HostfsComplete(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS HostfsClose(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PHOSTFS_DEVICE_EXTENSION extension = (PHOSTFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    PHOSTFS_FCB fcb;
    PHOSTFS_CCB ccb;

    if (!HostfsContextOf(file, &fcb, &ccb)) {
        return HostfsComplete(Irp, STATUS_SUCCESS, 0);
    }
    HostfsCloseFd(ccb->Fd);
    HostfsFreeListing(ccb);
    if (ccb->Mask.Buffer) {
        ExFreePoolWithTag(ccb->Mask.Buffer, HOSTFS_TAG);
    }
    ExFreePoolWithTag(ccb, HOSTFS_TAG);
    HostfsLock(extension);
    HostfsDereferenceFcb_locked(fcb);
    HostfsUnlock(extension);
    file->FsContext = NULL;
    file->FsContext2 = NULL;
    return HostfsComplete(Irp, STATUS_SUCCESS, 0);
}
