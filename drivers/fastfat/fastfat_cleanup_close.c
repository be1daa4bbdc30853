/* IRP_MJ_CLEANUP (the last handle of a file object): byte-range locks and change-notify requests of
 * the handle go, the directory entry gets its archive bit and last-write time when the file was
 * written, the cache map is released, share access is removed, and a file marked for deletion is
 * deleted when its last handle goes. IRP_MJ_CLOSE (the last reference) frees the CCB and drops the
 * FCB; the last close of a dismounted volume deletes the volume.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-cleanup */
#include "fastfat.h"

/* FileObject: the last handle's; the name its open uses is the one the deletion removes (for
 * tunneling). */
static VOID FatDeleteFile(PFAT_VCB Vcb, PFAT_FCB Fcb, PFILE_OBJECT FileObject)
{
    BOOLEAN directory = FatIsDirectoryFcb(Fcb);
    PFAT_CCB ccb = (PFAT_CCB)FileObject->FsContext2;
    ULONG firstCluster = Fcb->Dirent.FirstCluster;

    ExAcquireResourceExclusiveLite(&Vcb->Resource, TRUE);
    if (!Fcb->Deleted && !(Vcb->Flags & VCB_DISMOUNTED) && NT_SUCCESS(FatDeleteEntry(&Vcb->Volume, &Fcb->Dirent))) {
        Fcb->Deleted = TRUE;
        FatTunnelRemovedEntry(Vcb, &Fcb->Dirent, ccb && (ccb->Flags & CCB_OPENED_BY_SHORT_NAME));
        if (directory) {
            /* KB 172190: a deleted directory's tunneled names go with it (its cluster may name
             * another directory later). */
            FsRtlDeleteKeyFromTunnelCache(&Vcb->Tunnel, firstCluster);
        }
        Fcb->Header.FileSize.QuadPart = 0;
        Fcb->Header.ValidDataLength.QuadPart = 0;
        Fcb->Header.AllocationSize.QuadPart = 0;
        FatNotifyChange(Vcb, Fcb, directory ? FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME,
                        FILE_ACTION_REMOVED);
    }
    ExReleaseResourceLite(&Vcb->Resource);
}

/* FastFat records the last write in the directory entry when the handle that wrote goes (the
 * archive bit always; the time unless the handle set it or froze it, CCB_KEEP_LAST_WRITE). */
static VOID FatRecordWrite(PFAT_VCB Vcb, PFAT_FCB Fcb, PFILE_OBJECT FileObject)
{
    PFAT_CCB ccb = (PFAT_CCB)FileObject->FsContext2;
    LARGE_INTEGER now;

    if (!(FileObject->Flags & FO_FILE_MODIFIED) || Fcb->Deleted || (Vcb->Flags & VCB_DISMOUNTED)) {
        return;
    }
    FatCurrentFatTime(&now);
    ExAcquireResourceExclusiveLite(&Vcb->Resource, TRUE);
    (void)FatSetEntryInformation(&Vcb->Volume, &Fcb->Dirent, (UCHAR)(Fcb->Dirent.Attributes | FAT_ATTR_ARCHIVE), NULL,
                                 ccb && (ccb->Flags & CCB_KEEP_LAST_WRITE) ? NULL : &now, NULL);
    FatNotifyChange(Vcb, Fcb, FILE_NOTIFY_CHANGE_LAST_WRITE | FILE_NOTIFY_CHANGE_SIZE, FILE_ACTION_MODIFIED);
    ExReleaseResourceLite(&Vcb->Resource);
}

NTSTATUS FatCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = stack->FileObject;
    PFAT_FCB fcb = (PFAT_FCB)file->FsContext;
    PFAT_CCB ccb = (PFAT_CCB)file->FsContext2;
    BOOLEAN deleteNow = FALSE;

    if (!fcb) {
        return FatCompleteRequest(Irp, STATUS_SUCCESS, 0);
    }
    if (fcb->Header.NodeTypeCode == FAT_NTC_VOLUME_OPEN) {
        ExAcquireResourceExclusiveLite(&vcb->Resource, TRUE);
        if ((vcb->Flags & VCB_LOCKED) && vcb->LockFileObject == file) {
            vcb->Flags &= ~VCB_LOCKED;
            vcb->LockFileObject = NULL;
        }
        IoRemoveShareAccess(file, &fcb->ShareAccess);
        fcb->OpenHandles--;
        ExReleaseResourceLite(&vcb->Resource);
        file->Flags |= FO_CLEANUP_COMPLETE;
        return FatCompleteRequest(Irp, STATUS_SUCCESS, 0);
    }
    if (FatIsDirectoryFcb(fcb)) {
        FsRtlNotifyCleanup(vcb->NotifySync, &vcb->DirNotifyList, ccb);
    } else {
        (void)FsRtlFastUnlockAll(&fcb->FileLock, file, IoGetRequestorProcess(Irp), NULL);
        /* A delete-on-close handle breaks other handles' caching, so that their owners can close
         * them; with no resource held, as the break may wait for them. */
        if (ccb && (ccb->Flags & CCB_DELETE_ON_CLOSE)) {
            (void)FsRtlCheckOplockEx(&fcb->Oplock, Irp, OPLOCK_FLAG_CLOSING_DELETE_ON_CLOSE, NULL, NULL, NULL);
        }
    }

    ExAcquireResourceExclusiveLite(&fcb->MainResource, TRUE);
    if (fcb->Header.NodeTypeCode == FAT_NTC_FCB) {
        FatRecordWrite(vcb, fcb, file);
    }
    if (ccb && (ccb->Flags & CCB_DELETE_ON_CLOSE)) {
        fcb->DeletePending = TRUE;
    }
    ExAcquireResourceExclusiveLite(&vcb->Resource, TRUE);
    IoRemoveShareAccess(file, &fcb->ShareAccess);
    fcb->OpenHandles--;
    deleteNow = fcb->OpenHandles == 0 && fcb->DeletePending;
    ExReleaseResourceLite(&vcb->Resource);

    if (fcb->SectionObjectPointers.SharedCacheMap) {
        LARGE_INTEGER zero;
        zero.QuadPart = 0;
        __try {
            /* NT deviation: FastFat leaves a closed file's dirty data to the lazy writer; this driver
             * writes it here, so the stream's cache map (and its reference on the file object) is
             * gone when the last handle is, and the volume is consistent on disk at that point. */
            if (!deleteNow) {
                IO_STATUS_BLOCK iosb;
                CcFlushCache(&fcb->SectionObjectPointers, NULL, 0, &iosb);
            } else {
                (void)CcPurgeCacheSection(&fcb->SectionObjectPointers, NULL, 0, FALSE);
            }
        } __except (EXCEPTION_EXECUTE_HANDLER) {
        }
        (void)CcUninitializeCacheMap(file, deleteNow ? &zero : NULL, NULL);
    } else if (file->PrivateCacheMap) {
        (void)CcUninitializeCacheMap(file, NULL, NULL);
    }
    if (deleteNow) {
        ExAcquireResourceExclusiveLite(&fcb->PagingIoResource, TRUE);
        FatDeleteFile(vcb, fcb, file);
        ExReleaseResourceLite(&fcb->PagingIoResource);
    }
    ExReleaseResourceLite(&fcb->MainResource);
    /* The handle's own oplock ends with it, once its share access is gone: a create that waited for
     * this owner (the break of a sharing violation) starts again now and must not find it. */
    if (!FatIsDirectoryFcb(fcb)) {
        (void)FsRtlCheckOplockEx(&fcb->Oplock, Irp, 0, NULL, NULL, NULL);
    }
    file->Flags |= FO_CLEANUP_COMPLETE;
    return FatCompleteRequest(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS FatClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    PFAT_FCB fcb = (PFAT_FCB)file->FsContext;
    PFAT_CCB ccb = (PFAT_CCB)file->FsContext2;
    BOOLEAN deleteVolume;
    KIRQL irql;

    if (!fcb) {
        return FatCompleteRequest(Irp, STATUS_SUCCESS, 0);
    }
    if (ccb) {
        FatDeleteCcb(ccb);
    }
    ExAcquireResourceExclusiveLite(&vcb->Resource, TRUE);
    FatDereferenceFcb(fcb);
    ExReleaseResourceLite(&vcb->Resource);
    file->FsContext = NULL;
    file->FsContext2 = NULL;
    deleteVolume = InterlockedDecrement(&vcb->OpenFileObjects) == 0 && (vcb->Flags & VCB_DISMOUNTED);
    FatCompleteRequest(Irp, STATUS_SUCCESS, 0);
    if (deleteVolume) {
        /* The I/O manager dropped this file's VPB reference before the close. */
        IoAcquireVpbSpinLock(&irql);
        deleteVolume = vcb->Vpb->ReferenceCount == 0;
        IoReleaseVpbSpinLock(irql);
        if (deleteVolume) {
            FatDeleteVcb(vcb);
        }
    }
    return STATUS_SUCCESS;
}
