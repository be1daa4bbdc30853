/* IRP_MJ_READ, IRP_MJ_WRITE and IRP_MJ_FLUSH_BUFFERS: cached I/O through the cache manager (the cache
 * map is made at a handle's first transfer), non-cached I/O straight to the disk (sector-aligned, as
 * FastFat requires), the paging I/O the cache manager sends (the file's clusters, never its
 * directory entry), whole-volume (DASD) transfers, byte-range lock checks, extending writes (the
 * allocation grows before the data goes to the cache), and the cache manager callbacks.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-read
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-write */
#include "fastfat.h"

/* The lazy writer and read-ahead hold the paging resource shared around their paging I/O, so a
 * truncation (which holds it exclusive) never frees clusters under them. */
static BOOLEAN NTAPI FatAcquireForLazyWrite(PVOID Context, BOOLEAN Wait)
{
    FsRtlEnterFileSystem();
    if (!ExAcquireResourceSharedLite(&((PFAT_FCB)Context)->PagingIoResource, Wait)) {
        FsRtlExitFileSystem();
        return FALSE;
    }
    return TRUE;
}

static VOID NTAPI FatReleaseFromLazyWrite(PVOID Context)
{
    ExReleaseResourceLite(&((PFAT_FCB)Context)->PagingIoResource);
    FsRtlExitFileSystem();
}

VOID FatInitializeCacheCallbacks(PCACHE_MANAGER_CALLBACKS Callbacks)
{
    Callbacks->AcquireForLazyWrite = FatAcquireForLazyWrite;
    Callbacks->ReleaseFromLazyWrite = FatReleaseFromLazyWrite;
    Callbacks->AcquireForReadAhead = FatAcquireForLazyWrite;
    Callbacks->ReleaseFromReadAhead = FatReleaseFromLazyWrite;
}

/* Section synchronization, as FastFat does it: "file systems call FsRtlRegisterFileSystemFilterCallbacks
 * to set the PreAcquireForSectionSynchronization callback member ... instead of using the obsolete
 * AcquireFileForNtCreateSection"
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlregisterfilesystemfiltercallbacks).
 * The file's main resource is taken exclusively here, and a section being created hears whether
 * the file has writers; the fast I/O ReleaseFileForNtCreateSection releases it. */
static NTSTATUS NTAPI FatAcquireForCreateSection(PFS_FILTER_CALLBACK_DATA Data, PVOID *CompletionContext)
{
    PFAT_FCB fcb = (PFAT_FCB)Data->FileObject->FsContext;

    UNREFERENCED_PARAMETER(CompletionContext);
    ExAcquireResourceExclusiveLite(&fcb->MainResource, TRUE);
    if (Data->Parameters.AcquireForSectionSynchronization.SyncType != SyncTypeCreateSection) {
        return STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY;
    }
    return fcb->ShareAccess.Writers == 0 ? STATUS_FILE_LOCKED_WITH_ONLY_READERS : STATUS_FILE_LOCKED_WITH_WRITERS;
}

static VOID NTAPI FatReleaseForCreateSection(PFILE_OBJECT FileObject)
{
    ExReleaseResourceLite(&((PFAT_FCB)FileObject->FsContext)->MainResource);
}

NTSTATUS FatInitializeSectionSynchronization(PDRIVER_OBJECT DriverObject, PFAST_IO_DISPATCH FastIo)
{
    FS_FILTER_CALLBACKS callbacks;

    RtlZeroMemory(&callbacks, sizeof(callbacks));
    callbacks.SizeOfFsFilterCallbacks = sizeof(callbacks);
    callbacks.PreAcquireForSectionSynchronization = FatAcquireForCreateSection;
    FastIo->ReleaseFileForNtCreateSection = FatReleaseForCreateSection;
    return FsRtlRegisterFileSystemFilterCallbacks(DriverObject, &callbacks);
}

/* A fault on the caller's buffer is the caller's error: STATUS_INVALID_USER_BUFFER, as Windows file
 * systems answer a write from an unusable buffer (NT fact I8); the cache manager's own statuses
 * (a failed paging read, ...) pass through. */
NTSTATUS FatExceptionStatus(NTSTATUS Code)
{
    return Code == STATUS_ACCESS_VIOLATION || Code == STATUS_DATATYPE_MISALIGNMENT ? STATUS_INVALID_USER_BUFFER : Code;
}

static CC_FILE_SIZES FatCcSizes(PFAT_FCB Fcb)
{
    CC_FILE_SIZES sizes;
    sizes.AllocationSize = Fcb->Header.AllocationSize;
    sizes.FileSize = Fcb->Header.FileSize;
    sizes.ValidDataLength = Fcb->Header.ValidDataLength;
    return sizes;
}

/* Raises (CcInitializeCacheMap does) when the cache map cannot be made: callers are in __try. */
VOID FatCacheFile(PFILE_OBJECT FileObject, PFAT_FCB Fcb)
{
    if (!FileObject->PrivateCacheMap) {
        CC_FILE_SIZES sizes = FatCcSizes(Fcb);
        CcInitializeCacheMap(FileObject, &sizes, FALSE, &FatData.CacheCallbacks, Fcb);
    }
}

VOID FatSetCacheSizes(PFAT_FCB Fcb)
{
    PFILE_OBJECT cached;
    if (!Fcb->SectionObjectPointers.SharedCacheMap) {
        return;
    }
    cached = CcGetFileObjectFromSectionPtrs(&Fcb->SectionObjectPointers);
    if (cached) {
        CC_FILE_SIZES sizes = FatCcSizes(Fcb);
        __try {
            CcSetFileSizes(cached, &sizes);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
        }
    }
}

/* Fast I/O (FsRtlCopyRead / FsRtlCopyWrite) only when no byte-range lock is in the way and a write
 * stays inside the file: growing a file allocates clusters, which is the IRP path's work. */
BOOLEAN NTAPI FatFastIoCheckIfPossible(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                                       ULONG LockKey, BOOLEAN CheckForReadOperation, PIO_STATUS_BLOCK IoStatus,
                                       PDEVICE_OBJECT DeviceObject)
{
    PFAT_FCB fcb = (PFAT_FCB)FileObject->FsContext;
    PEPROCESS process = PsGetCurrentProcess();
    LARGE_INTEGER length;
    UNREFERENCED_PARAMETER(Wait);
    UNREFERENCED_PARAMETER(IoStatus);
    UNREFERENCED_PARAMETER(DeviceObject);

    if (!fcb || fcb->Header.NodeTypeCode != FAT_NTC_FCB || (fcb->Vcb->Flags & VCB_DISMOUNTED)) {
        return FALSE;
    }
    if (!FsRtlOplockIsFastIoPossible(&fcb->Oplock)) {
        return FALSE;
    }
    length.QuadPart = Length;
    if (CheckForReadOperation) {
        return FsRtlFastCheckLockForRead(&fcb->FileLock, FileOffset, &length, LockKey, FileObject, process);
    }
    if (FileOffset->QuadPart < 0 || FileOffset->QuadPart + Length > fcb->Header.FileSize.QuadPart) {
        return FALSE;
    }
    return FsRtlFastCheckLockForWrite(&fcb->FileLock, FileOffset, &length, LockKey, FileObject, process);
}

static NTSTATUS FatPagingRead(PFAT_VCB Vcb, PFAT_FCB Fcb, PIRP Irp, LONGLONG Offset, ULONG Length)
{
    PUCHAR buffer = (PUCHAR)FatUserBuffer(Irp);
    ULONG done = 0;
    NTSTATUS status;

    if (!buffer) {
        return FatCompleteRequest(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    ExAcquireResourceSharedLite(&Fcb->PagingIoResource, TRUE);
    status = FatReadFileData(Vcb, Fcb, (ULONGLONG)Offset, Length, buffer, &done);
    ExReleaseResourceLite(&Fcb->PagingIoResource);
    if (status == STATUS_END_OF_FILE) {
        status = STATUS_SUCCESS;
        done = 0;
    }
    /* The rest of the last page is past the end of the file: zeros. */
    if (NT_SUCCESS(status) && done < Length) {
        RtlZeroMemory(buffer + done, Length - done);
    }
    return FatCompleteRequest(Irp, status, NT_SUCCESS(status) ? Length : 0);
}

static NTSTATUS FatPagingWrite(PFAT_VCB Vcb, PFAT_FCB Fcb, PIRP Irp, LONGLONG Offset, ULONG Length)
{
    PUCHAR buffer = (PUCHAR)FatUserBuffer(Irp);
    ULONG write = Length;
    NTSTATUS status = STATUS_SUCCESS;

    if (!buffer) {
        return FatCompleteRequest(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    ExAcquireResourceSharedLite(&Fcb->PagingIoResource, TRUE);
    /* The file ends at FileSize: the rest of the last page is not the file's. */
    if (Offset >= Fcb->Header.FileSize.QuadPart || Fcb->Deleted) {
        write = 0;
    } else if (Offset + Length > Fcb->Header.FileSize.QuadPart) {
        write = (ULONG)(Fcb->Header.FileSize.QuadPart - Offset);
    }
    if (write) {
        status = FatWriteFileData(Vcb, Fcb, (ULONGLONG)Offset, write, buffer);
    }
    ExReleaseResourceLite(&Fcb->PagingIoResource);
    return FatCompleteRequest(Irp, status, NT_SUCCESS(status) ? Length : 0);
}

/* Whole-volume opens read and write the volume's sectors (sector-aligned, inside the volume). The
 * transfer goes to the disk: a caller that may not wait has it posted. */
static NTSTATUS FatVolumeTransfer(PFAT_VCB Vcb, PIRP Irp, LONGLONG Offset, ULONG Length, BOOLEAN Write, BOOLEAN Wait)
{
    ULONGLONG size = (ULONGLONG)Vcb->Volume.TotalSectors * Vcb->Volume.BytesPerSector;
    PVOID buffer = FatUserBuffer(Irp);
    NTSTATUS status;

    if (Offset < 0 || Offset % Vcb->SectorSize || Length % Vcb->SectorSize) {
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if ((ULONGLONG)Offset >= size) {
        return FatCompleteRequest(Irp, Write ? STATUS_INVALID_PARAMETER : STATUS_END_OF_FILE, 0);
    }
    if ((ULONGLONG)Offset + Length > size) {
        Length = (ULONG)(size - (ULONGLONG)Offset);
    }
    if (!Wait) {
        return FatPostRequest(Vcb->VolumeDevice, Irp);
    }
    __try {
        status = Write ? FatVolumeWrite(Vcb, (ULONGLONG)Offset, Length, buffer)
                       : FatVolumeRead(Vcb, (ULONGLONG)Offset, Length, buffer);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = FatExceptionStatus(GetExceptionCode());
    }
    return FatCompleteRequest(Irp, status, NT_SUCCESS(status) ? Length : 0);
}

static BOOLEAN FatNonCached(PIRP Irp, PFILE_OBJECT FileObject)
{
    return (Irp->Flags & IRP_NOCACHE) || (FileObject->Flags & FO_NO_INTERMEDIATE_BUFFERING);
}

/* Wait FALSE (an asynchronous file object): the FCB is taken only if free and the end of file is
 * checked then, so a read at or past the end completes at once with STATUS_END_OF_FILE, as
 * FastFat's does (NTFS pends it, NT fact I6); a non-cached read, which needs the disk, and a cached
 * read of data the cache does not hold (CcCopyRead with Wait FALSE returns FALSE) are posted. */
NTSTATUS FatRead(PDEVICE_OBJECT DeviceObject, PIRP Irp, BOOLEAN Wait)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = stack->FileObject;
    PFAT_FCB fcb = (PFAT_FCB)file->FsContext;
    LARGE_INTEGER offset = stack->Parameters.Read.ByteOffset;
    ULONG length = stack->Parameters.Read.Length;
    ULONG_PTR information = 0;
    BOOLEAN post = FALSE;
    NTSTATUS status = STATUS_SUCCESS;

    if (!fcb) {
        return FatCompleteRequest(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    if (Irp->Flags & IRP_PAGING_IO) {
        return FatPagingRead(vcb, fcb, Irp, offset.QuadPart, length);
    }
    if (vcb->Flags & VCB_DISMOUNTED) {
        return FatCompleteRequest(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    if (fcb->Header.NodeTypeCode == FAT_NTC_VOLUME_OPEN) {
        return FatVolumeTransfer(vcb, Irp, offset.QuadPart, length, FALSE, Wait);
    }
    if (fcb->Header.NodeTypeCode != FAT_NTC_FCB) {
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (length == 0) {
        return FatCompleteRequest(Irp, STATUS_SUCCESS, 0);
    }
    status = FatCheckOplock(DeviceObject, fcb, Irp, 0);
    if (status == STATUS_PENDING) {
        return status;
    }
    if (!FsRtlCheckLockForReadAccess(&fcb->FileLock, Irp)) {
        return FatCompleteRequest(Irp, STATUS_FILE_LOCK_CONFLICT, 0);
    }
    if (FatNonCached(Irp, file) && (offset.QuadPart % vcb->SectorSize || length % vcb->SectorSize)) {
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (!ExAcquireResourceSharedLite(&fcb->MainResource, Wait)) {
        return FatPostRequest(DeviceObject, Irp);
    }
    if (offset.QuadPart >= fcb->Header.FileSize.QuadPart) {
        status = STATUS_END_OF_FILE;
    } else if (!Wait && FatNonCached(Irp, file)) {
        post = TRUE;
    } else {
        if (offset.QuadPart + length > fcb->Header.FileSize.QuadPart) {
            length = (ULONG)(fcb->Header.FileSize.QuadPart - offset.QuadPart);
        }
        __try {
            if (FatNonCached(Irp, file)) {
                ULONG done = 0;
                /* What other handles wrote through the cache goes to the disk first. */
                if (fcb->SectionObjectPointers.SharedCacheMap) {
                    IO_STATUS_BLOCK iosb;
                    CcFlushCache(&fcb->SectionObjectPointers, &offset, length, &iosb);
                }
                ExAcquireResourceSharedLite(&fcb->PagingIoResource, TRUE);
                status = FatReadFileData(vcb, fcb, (ULONGLONG)offset.QuadPart, length, FatUserBuffer(Irp), &done);
                ExReleaseResourceLite(&fcb->PagingIoResource);
                information = done;
            } else {
                IO_STATUS_BLOCK iosb;
                FatCacheFile(file, fcb);
                if (CcCopyRead(file, &offset, length, Wait, FatUserBuffer(Irp), &iosb)) {
                    status = iosb.Status;
                    information = iosb.Information;
                } else {
                    post = TRUE;
                }
            }
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = FatExceptionStatus(GetExceptionCode());
            information = 0;
            post = FALSE;
        }
    }
    ExReleaseResourceLite(&fcb->MainResource);
    if (post) {
        return FatPostRequest(DeviceObject, Irp);
    }
    return FatCompleteRequest(Irp, status, information);
}

/* Grows the file to End: clusters allocated (and zeroed) on disk, the entry's size set, the cache
 * told. The caller holds the FCB's main resource exclusive. */
static NTSTATUS FatExtendFile(PFAT_VCB Vcb, PFAT_FCB Fcb, ULONGLONG End)
{
    NTSTATUS status;

    ExAcquireResourceExclusiveLite(&Fcb->PagingIoResource, TRUE);
    ExAcquireResourceExclusiveLite(&Vcb->Resource, TRUE);
    status = FatSetFileSize(&Vcb->Volume, &Fcb->Dirent, End);
    FatFcbSizesFromDirent(Fcb);
    ExReleaseResourceLite(&Vcb->Resource);
    FatSetCacheSizes(Fcb);
    ExReleaseResourceLite(&Fcb->PagingIoResource);
    return status;
}

/* Wait FALSE: the FCB is taken only if free; a write that extends the file (allocation on the
 * disk), a non-cached or write-through write, a write the cache manager would throttle (CcCanIWrite)
 * and a cached write the cache cannot take without reading pages first (CcCopyWrite with Wait FALSE
 * returns FALSE) are posted. Nothing is changed before the decision to post. */
NTSTATUS FatWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp, BOOLEAN Wait)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = stack->FileObject;
    PFAT_FCB fcb = (PFAT_FCB)file->FsContext;
    LARGE_INTEGER offset = stack->Parameters.Write.ByteOffset;
    LARGE_INTEGER requested = offset;
    ULONG length = stack->Parameters.Write.Length;
    BOOLEAN nonCached = FatNonCached(Irp, file);
    BOOLEAN post = FALSE;
    NTSTATUS status = STATUS_SUCCESS;
    ULONGLONG end;

    if (!fcb) {
        return FatCompleteRequest(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    if (Irp->Flags & IRP_PAGING_IO) {
        return FatPagingWrite(vcb, fcb, Irp, offset.QuadPart, length);
    }
    if (vcb->Flags & VCB_DISMOUNTED) {
        return FatCompleteRequest(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    if (vcb->Vpb->RealDevice->Characteristics & FILE_READ_ONLY_DEVICE) {
        return FatCompleteRequest(Irp, STATUS_MEDIA_WRITE_PROTECTED, 0);
    }
    if (fcb->Header.NodeTypeCode == FAT_NTC_VOLUME_OPEN) {
        return FatVolumeTransfer(vcb, Irp, offset.QuadPart, length, TRUE, Wait);
    }
    if (fcb->Header.NodeTypeCode != FAT_NTC_FCB) {
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (length == 0) {
        return FatCompleteRequest(Irp, STATUS_SUCCESS, 0);
    }
    status = FatCheckOplock(DeviceObject, fcb, Irp, 0);
    if (status == STATUS_PENDING) {
        return status;
    }
    if (!ExAcquireResourceExclusiveLite(&fcb->MainResource, Wait)) {
        return FatPostRequest(DeviceObject, Irp);
    }
    if (offset.LowPart == FILE_WRITE_TO_END_OF_FILE && offset.HighPart == -1) {
        offset = fcb->Header.FileSize;
    }
    end = (ULONGLONG)offset.QuadPart + length;
    if (offset.QuadPart < 0) {
        status = STATUS_INVALID_PARAMETER;
    } else if (nonCached && (offset.QuadPart % vcb->SectorSize || length % vcb->SectorSize)) {
        status = STATUS_INVALID_PARAMETER;
    } else if (!FsRtlCheckLockForWriteAccess(&fcb->FileLock, Irp)) {
        status = STATUS_FILE_LOCK_CONFLICT;
    } else if (end > 0xFFFFFFFFull) {
        /* FAT records sizes in 32 bits. */
        status = STATUS_DISK_FULL;
    } else if (!Wait && (nonCached || end > (ULONGLONG)fcb->Header.FileSize.QuadPart ||
                         (file->Flags & FO_WRITE_THROUGH))) {
        post = TRUE;
    } else if (end > (ULONGLONG)fcb->Header.FileSize.QuadPart) {
        status = FatExtendFile(vcb, fcb, end);
        if (NT_SUCCESS(status)) {
            FatSetFileObjectFlags(file, FO_FILE_SIZE_CHANGED);
        }
    }
    if (NT_SUCCESS(status) && !post) {
        /* The offset a write to the end of file resolved to. */
        stack->Parameters.Write.ByteOffset = offset;
        __try {
            if (nonCached) {
                /* Cached data of the range goes to the disk first and then leaves the cache, so
                 * neither the cache nor a later write-back hides this write. */
                if (fcb->SectionObjectPointers.SharedCacheMap) {
                    IO_STATUS_BLOCK iosb;
                    CcFlushCache(&fcb->SectionObjectPointers, &offset, length, &iosb);
                    (void)CcPurgeCacheSection(&fcb->SectionObjectPointers, &offset, length, FALSE);
                }
                ExAcquireResourceSharedLite(&fcb->PagingIoResource, TRUE);
                status = FatWriteFileData(vcb, fcb, (ULONGLONG)offset.QuadPart, length, FatUserBuffer(Irp));
                ExReleaseResourceLite(&fcb->PagingIoResource);
            } else {
                FatCacheFile(file, fcb);
                /* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-cccaniwrite
                 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-cccopywrite */
                if (!Wait && !CcCanIWrite(file, length, FALSE, FALSE)) {
                    post = TRUE;
                } else if (!CcCopyWrite(file, &offset, length, Wait, FatUserBuffer(Irp))) {
                    post = TRUE;
                } else if (file->Flags & FO_WRITE_THROUGH) {
                    IO_STATUS_BLOCK iosb;
                    CcFlushCache(&fcb->SectionObjectPointers, &offset, length, &iosb);
                    status = iosb.Status;
                }
            }
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = FatExceptionStatus(GetExceptionCode());
            post = FALSE;
        }
    }
    if (post) {
        /* The worker resolves a write to the end of file again. */
        stack->Parameters.Write.ByteOffset = requested;
        ExReleaseResourceLite(&fcb->MainResource);
        return FatPostRequest(DeviceObject, Irp);
    }
    if (NT_SUCCESS(status)) {
        FatSetFileObjectFlags(file, FO_FILE_MODIFIED);
        if (file->Flags & FO_SYNCHRONOUS_IO) {
            file->CurrentByteOffset.QuadPart = (LONGLONG)end;
        }
    }
    ExReleaseResourceLite(&fcb->MainResource);
    return FatCompleteRequest(Irp, status, NT_SUCCESS(status) ? length : 0);
}

/* The file's cached data, then FSInfo and the disk; a volume handle flushes every file.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-flush-buffers */
NTSTATUS FatFlushBuffers(PDEVICE_OBJECT DeviceObject, PIRP Irp, BOOLEAN Wait)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    PFAT_FCB fcb = (PFAT_FCB)file->FsContext;
    IO_STATUS_BLOCK iosb;
    NTSTATUS status = STATUS_SUCCESS;

    if (!fcb) {
        return FatCompleteRequest(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    if (vcb->Flags & VCB_DISMOUNTED) {
        return FatCompleteRequest(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    if (!Wait) {
        /* Every flush ends with I/O to the disk. */
        return FatPostRequest(DeviceObject, Irp);
    }
    if (fcb->Header.NodeTypeCode == FAT_NTC_VOLUME_OPEN) {
        FatFlushVolume(vcb);
        return FatCompleteRequest(Irp, STATUS_SUCCESS, 0);
    }
    if (fcb->Header.NodeTypeCode == FAT_NTC_FCB) {
        ExAcquireResourceExclusiveLite(&fcb->MainResource, TRUE);
        __try {
            CcFlushCache(&fcb->SectionObjectPointers, NULL, 0, &iosb);
            status = iosb.Status;
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = FatExceptionStatus(GetExceptionCode());
        }
        ExReleaseResourceLite(&fcb->MainResource);
    }
    if (NT_SUCCESS(status)) {
        ExAcquireResourceExclusiveLite(&vcb->Resource, TRUE);
        status = FatFlushFsInfo(&vcb->Volume);
        ExReleaseResourceLite(&vcb->Resource);
    }
    if (NT_SUCCESS(status)) {
        status = FatFlushDevice(vcb);
    }
    return FatCompleteRequest(Irp, status, 0);
}
