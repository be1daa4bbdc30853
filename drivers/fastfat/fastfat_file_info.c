/* IRP_MJ_QUERY_INFORMATION and IRP_MJ_SET_INFORMATION on files and directories: the classes FastFat
 * answers from the directory entry and the FCB, and the sets that change the entry (basic
 * information, end of file, allocation), mark it for deletion (disposition) or move it (rename on
 * the same volume). Position, mode, alignment and access are the I/O manager's.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-query-information
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-set-information
 * [MS-FSCC] 2.4 (the information classes) */
#include "fastfat.h"
#include "fs_answers.h"

ULONG FatAttributesOf(UCHAR FatAttributes)
{
    ULONG attributes = FatAttributes & (FAT_ATTR_READ_ONLY | FAT_ATTR_HIDDEN | FAT_ATTR_SYSTEM | FAT_ATTR_DIRECTORY |
                                        FAT_ATTR_ARCHIVE);
    /* [MS-FSCC] 2.6: FILE_ATTRIBUTE_NORMAL is only valid alone, for a file with no other attribute. */
    return attributes ? attributes : FILE_ATTRIBUTE_NORMAL;
}

ULONG FatFileAttributes(PFAT_FCB Fcb)
{
    if (Fcb->Header.NodeTypeCode == FAT_NTC_ROOT_DCB) {
        return FILE_ATTRIBUTE_DIRECTORY;
    }
    return FatAttributesOf(Fcb->Dirent.Attributes);
}

/* FastFat's file ID: where the directory entry is on the volume. */
LONGLONG FatDirentId(PFAT_VOLUME Volume, const FAT_DIRENT *Dirent)
{
    ULONGLONG byte = (ULONGLONG)Dirent->DirentIndex * 32;
    ULONG cluster;

    if (Dirent->DirectoryCluster == FAT_FIXED_ROOT) {
        return (LONGLONG)((ULONGLONG)Volume->FirstRootDirSector * Volume->BytesPerSector + byte);
    }
    if (!NT_SUCCESS(FatChainSeek(Volume, Dirent->DirectoryCluster, (ULONG)(byte / Volume->BytesPerCluster), &cluster))) {
        return 0;
    }
    return (LONGLONG)(FatClusterOffset(Volume, cluster) + byte % Volume->BytesPerCluster);
}

static LONGLONG FatEntryId(PFAT_FCB Fcb)
{
    PFAT_VOLUME volume = &Fcb->Vcb->Volume;

    if (Fcb->Header.NodeTypeCode == FAT_NTC_ROOT_DCB) {
        return volume->FatType == FatType32 ? (LONGLONG)FatClusterOffset(volume, volume->RootCluster)
                                            : (LONGLONG)volume->FirstRootDirSector * volume->BytesPerSector;
    }
    return FatDirentId(volume, &Fcb->Dirent);
}

static VOID FatFillBasic(PFAT_FCB Fcb, PFILE_BASIC_INFORMATION Info)
{
    Info->CreationTime = Fcb->Dirent.CreationTime;
    Info->LastAccessTime = Fcb->Dirent.LastAccessTime;
    Info->LastWriteTime = Fcb->Dirent.LastWriteTime;
    /* FAT keeps no change time: FastFat reports the last write time. */
    Info->ChangeTime = Fcb->Dirent.LastWriteTime;
    Info->FileAttributes = FatFileAttributes(Fcb);
}

static VOID FatFillStandard(PFAT_FCB Fcb, PFILE_STANDARD_INFORMATION Info)
{
    BOOLEAN directory = FatIsDirectoryFcb(Fcb);
    /* FastFat reports no size for a directory. */
    Info->AllocationSize.QuadPart = directory ? 0 : Fcb->Header.AllocationSize.QuadPart;
    Info->EndOfFile.QuadPart = directory ? 0 : Fcb->Header.FileSize.QuadPart;
    Info->NumberOfLinks = 1;
    Info->DeletePending = Fcb->DeletePending;
    Info->Directory = directory;
}


static NTSTATUS FatQueryFile(PFAT_FCB Fcb, PFILE_OBJECT FileObject, FILE_INFORMATION_CLASS Class, PVOID Buffer,
                             ULONG Length, PULONG Used)
{
    NTSTATUS status = STATUS_SUCCESS;

    switch (Class) {
    case FileBasicInformation:
        FatFillBasic(Fcb, (PFILE_BASIC_INFORMATION)Buffer);
        *Used = sizeof(FILE_BASIC_INFORMATION);
        break;
    case FileStandardInformation:
        FatFillStandard(Fcb, (PFILE_STANDARD_INFORMATION)Buffer);
        *Used = sizeof(FILE_STANDARD_INFORMATION);
        break;
    case FileInternalInformation:
        ((PFILE_INTERNAL_INFORMATION)Buffer)->IndexNumber.QuadPart = FatEntryId(Fcb);
        *Used = sizeof(FILE_INTERNAL_INFORMATION);
        break;
    case FileEaInformation:
        ((PFILE_EA_INFORMATION)Buffer)->EaSize = 0;
        *Used = sizeof(FILE_EA_INFORMATION);
        break;
    case FilePositionInformation:
        ((PFILE_POSITION_INFORMATION)Buffer)->CurrentByteOffset = FileObject->CurrentByteOffset;
        *Used = sizeof(FILE_POSITION_INFORMATION);
        break;
    case FileNameInformation:
        status = DrvFillName(&Fcb->FullName, (PFILE_NAME_INFORMATION)Buffer, Length, Used);
        break;
    case FileAlternateNameInformation: {
        UNICODE_STRING shortName;
        if (Fcb->Header.NodeTypeCode == FAT_NTC_ROOT_DCB) {
            return STATUS_OBJECT_NAME_NOT_FOUND;
        }
        shortName.Buffer = Fcb->Dirent.ShortName;
        shortName.Length = shortName.MaximumLength = (USHORT)(Fcb->Dirent.ShortNameLength * sizeof(WCHAR));
        status = DrvFillName(&shortName, (PFILE_NAME_INFORMATION)Buffer, Length, Used);
        break;
    }
    case FileNetworkOpenInformation: {
        PFILE_NETWORK_OPEN_INFORMATION info = (PFILE_NETWORK_OPEN_INFORMATION)Buffer;
        FILE_BASIC_INFORMATION basic;
        FILE_STANDARD_INFORMATION standard;
        FatFillBasic(Fcb, &basic);
        FatFillStandard(Fcb, &standard);
        info->CreationTime = basic.CreationTime;
        info->LastAccessTime = basic.LastAccessTime;
        info->LastWriteTime = basic.LastWriteTime;
        info->ChangeTime = basic.ChangeTime;
        info->AllocationSize = standard.AllocationSize;
        info->EndOfFile = standard.EndOfFile;
        info->FileAttributes = basic.FileAttributes;
        *Used = sizeof(FILE_NETWORK_OPEN_INFORMATION);
        break;
    }
    case FileAttributeTagInformation: {
        PFILE_ATTRIBUTE_TAG_INFORMATION info = (PFILE_ATTRIBUTE_TAG_INFORMATION)Buffer;
        info->FileAttributes = FatFileAttributes(Fcb);
        info->ReparseTag = 0;
        *Used = sizeof(FILE_ATTRIBUTE_TAG_INFORMATION);
        break;
    }
    case FileAllInformation: {
        /* Access, mode and alignment are already there: the I/O manager fills them. */
        PFILE_ALL_INFORMATION info = (PFILE_ALL_INFORMATION)Buffer;
        ULONG nameUsed = 0;
        FatFillBasic(Fcb, &info->BasicInformation);
        FatFillStandard(Fcb, &info->StandardInformation);
        info->InternalInformation.IndexNumber.QuadPart = FatEntryId(Fcb);
        info->EaInformation.EaSize = 0;
        info->PositionInformation.CurrentByteOffset = FileObject->CurrentByteOffset;
        status = DrvFillName(&Fcb->FullName, &info->NameInformation,
                             Length - FIELD_OFFSET(FILE_ALL_INFORMATION, NameInformation), &nameUsed);
        *Used = FIELD_OFFSET(FILE_ALL_INFORMATION, NameInformation) + nameUsed;
        break;
    }
    default:
        status = STATUS_INVALID_PARAMETER;
        break;
    }
    return status;
}

/* Wait FALSE: answered from the FCB when its resource and the volume's are free, else posted. */
NTSTATUS FatQueryInformation(PDEVICE_OBJECT DeviceObject, PIRP Irp, BOOLEAN Wait)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFAT_FCB fcb = (PFAT_FCB)stack->FileObject->FsContext;
    ULONG used = 0;
    NTSTATUS status;

    if (!fcb) {
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (vcb->Flags & VCB_DISMOUNTED) {
        return FatCompleteRequest(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    if (fcb->Header.NodeTypeCode == FAT_NTC_VOLUME_OPEN) {
        /* A whole-volume handle is no file: FastFat answers nothing on it. */
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (!ExAcquireResourceSharedLite(&fcb->MainResource, Wait)) {
        return FatPostRequest(DeviceObject, Irp);
    }
    if (!ExAcquireResourceSharedLite(&vcb->Resource, Wait)) {
        ExReleaseResourceLite(&fcb->MainResource);
        return FatPostRequest(DeviceObject, Irp);
    }
    status = FatQueryFile(fcb, stack->FileObject, stack->Parameters.QueryFile.FileInformationClass,
                          Irp->AssociatedIrp.SystemBuffer, stack->Parameters.QueryFile.Length, &used);
    ExReleaseResourceLite(&vcb->Resource);
    ExReleaseResourceLite(&fcb->MainResource);
    return FatCompleteRequest(Irp, status, NT_ERROR(status) ? 0 : used);
}

/* ---- set ---- */

static LARGE_INTEGER *FatTimeToSet(LARGE_INTEGER *Time)
{
    /* 0: leave the time alone; -1: stop updating it for this handle (FAT keeps nothing to stop). */
    return Time->QuadPart == 0 || Time->QuadPart == -1 ? NULL : Time;
}

/* FileObject: the handle's; a last write time it sets, or -1 (stop updating it for this handle),
 * keeps the cleanup of the handle from recording its writes over it.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_file_basic_information
 * ("request that the file system not update one or more of these members for I/O operations that
 * are performed on the caller's file handle by setting the appropriate members to -1"). A time set
 * explicitly stays too, as FastFat keeps it (a guess Learn does not state; CopyFile's copy keeps
 * its source's last write time by setting it on the handle it wrote through). -2 (resume
 * updating) is NTFS's and ReFS's only: here it is ignored like 0. */
static NTSTATUS FatSetBasic(PFAT_VCB Vcb, PFAT_FCB Fcb, PFILE_OBJECT FileObject, PFILE_BASIC_INFORMATION Info)
{
    UCHAR attributes = 0xFF;
    PFAT_CCB ccb = (PFAT_CCB)FileObject->FsContext2;
    NTSTATUS status;

    if (Fcb->Header.NodeTypeCode == FAT_NTC_ROOT_DCB) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Info->FileAttributes) {
        ULONG wanted = Info->FileAttributes;
        if ((wanted & FILE_ATTRIBUTE_DIRECTORY) && !FatIsDirectoryFcb(Fcb)) {
            return STATUS_INVALID_PARAMETER;
        }
        attributes = (UCHAR)(wanted & (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM |
                                       FILE_ATTRIBUTE_ARCHIVE));
        attributes |= (UCHAR)(Fcb->Dirent.Attributes & FAT_ATTR_DIRECTORY);
    }
    ExAcquireResourceExclusiveLite(&Vcb->Resource, TRUE);
    status = FatSetEntryInformation(&Vcb->Volume, &Fcb->Dirent, attributes, FatTimeToSet(&Info->CreationTime),
                                    FatTimeToSet(&Info->LastWriteTime), FatTimeToSet(&Info->LastAccessTime));
    if (NT_SUCCESS(status) && ccb && Info->LastWriteTime.QuadPart != 0 && Info->LastWriteTime.QuadPart != -2) {
        ccb->Flags |= CCB_KEEP_LAST_WRITE;
    }
    if (NT_SUCCESS(status)) {
        FatNotifyChange(Vcb, Fcb,
                        (Info->FileAttributes ? FILE_NOTIFY_CHANGE_ATTRIBUTES : 0) |
                            (FatTimeToSet(&Info->LastWriteTime) ? FILE_NOTIFY_CHANGE_LAST_WRITE : 0) |
                            (FatTimeToSet(&Info->CreationTime) ? FILE_NOTIFY_CHANGE_CREATION : 0) |
                            (FatTimeToSet(&Info->LastAccessTime) ? FILE_NOTIFY_CHANGE_LAST_ACCESS : 0),
                        FILE_ACTION_MODIFIED);
    }
    ExReleaseResourceLite(&Vcb->Resource);
    return status;
}

static BOOLEAN FatDirectoryIsEmpty(PFAT_VCB Vcb, PFAT_FCB Fcb)
{
    FAT_DIRENT *dirent = (FAT_DIRENT *)ExAllocatePoolWithTag(PagedPool, sizeof(FAT_DIRENT), FASTFAT_TAG);
    ULONG index = 0;
    BOOLEAN empty = TRUE;

    if (!dirent) {
        return FALSE;
    }
    while (NT_SUCCESS(FatEnumerateDirectory(&Vcb->Volume, FatDirectoryOf(Fcb), &index, dirent))) {
        BOOLEAN dot = dirent->ShortNameLength == 1 && dirent->ShortName[0] == L'.';
        BOOLEAN dotdot = dirent->ShortNameLength == 2 && dirent->ShortName[0] == L'.' && dirent->ShortName[1] == L'.';
        if (!dot && !dotdot) {
            empty = FALSE;
            break;
        }
    }
    ExFreePoolWithTag(dirent, FASTFAT_TAG);
    return empty;
}

/* FileDispositionInformation: FastFat refuses read-only files (STATUS_CANNOT_DELETE) and non-empty
 * directories (STATUS_DIRECTORY_NOT_EMPTY) when the mark is set, not at the delete. */
static NTSTATUS FatSetDisposition(PFAT_VCB Vcb, PFAT_FCB Fcb, PFILE_OBJECT FileObject, BOOLEAN Delete)
{
    NTSTATUS status = STATUS_SUCCESS;

    if (!Delete) {
        Fcb->DeletePending = FALSE;
        FileObject->DeletePending = FALSE;
        return STATUS_SUCCESS;
    }
    if (Fcb->Header.NodeTypeCode == FAT_NTC_ROOT_DCB || (Fcb->Dirent.Attributes & FAT_ATTR_READ_ONLY)) {
        return STATUS_CANNOT_DELETE;
    }
    /* A file whose image (or data) section is in use cannot be deleted
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmflushimagesection:
     * before deleting, MmFlushImageSection with MmFlushForDelete from IRP_MJ_SET_INFORMATION). */
    if (!FatIsDirectoryFcb(Fcb) && !MmFlushImageSection(&Fcb->SectionObjectPointers, MmFlushForDelete)) {
        return STATUS_CANNOT_DELETE;
    }
    ExAcquireResourceSharedLite(&Vcb->Resource, TRUE);
    if (FatIsDirectoryFcb(Fcb) && !FatDirectoryIsEmpty(Vcb, Fcb)) {
        status = STATUS_DIRECTORY_NOT_EMPTY;
    }
    ExReleaseResourceLite(&Vcb->Resource);
    if (NT_SUCCESS(status)) {
        Fcb->DeletePending = TRUE;
        FileObject->DeletePending = TRUE;
    }
    return status;
}

static NTSTATUS FatSetEndOfFile(PFAT_VCB Vcb, PFAT_FCB Fcb, PFILE_OBJECT FileObject, LONGLONG Size)
{
    NTSTATUS status;

    if (FatIsDirectoryFcb(Fcb)) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (Size < 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Size > 0xFFFFFFFFll) {
        return STATUS_DISK_FULL;
    }
    ExAcquireResourceExclusiveLite(&Fcb->PagingIoResource, TRUE);
    /* A truncation that would cut a user-mapped view or section fails
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmcanfilebetruncated). */
    if (Size < Fcb->Header.FileSize.QuadPart) {
        LARGE_INTEGER newSize;
        newSize.QuadPart = Size;
        if (!MmCanFileBeTruncated(&Fcb->SectionObjectPointers, &newSize)) {
            ExReleaseResourceLite(&Fcb->PagingIoResource);
            return STATUS_USER_MAPPED_FILE;
        }
    }
    if (Size < Fcb->Header.FileSize.QuadPart && Fcb->SectionObjectPointers.SharedCacheMap) {
        LARGE_INTEGER from;
        from.QuadPart = Size;
        (void)CcPurgeCacheSection(&Fcb->SectionObjectPointers, &from, 0, FALSE);
    }
    ExAcquireResourceExclusiveLite(&Vcb->Resource, TRUE);
    status = FatSetFileSize(&Vcb->Volume, &Fcb->Dirent, (ULONGLONG)Size);
    FatFcbSizesFromDirent(Fcb);
    if (NT_SUCCESS(status)) {
        FatNotifyChange(Vcb, Fcb, FILE_NOTIFY_CHANGE_SIZE, FILE_ACTION_MODIFIED);
    }
    ExReleaseResourceLite(&Vcb->Resource);
    FatSetCacheSizes(Fcb);
    ExReleaseResourceLite(&Fcb->PagingIoResource);
    if (NT_SUCCESS(status)) {
        FatSetFileObjectFlags(FileObject, FO_FILE_SIZE_CHANGED | FO_FILE_MODIFIED);
    }
    return status;
}

/* FileAllocationInformation: an allocation below the file size truncates the file to it.
 * NT deviation: a larger allocation is accepted without allocating clusters ahead of the data (the
 * engine allocates as the file grows); the reported AllocationSize stays what the data uses. */
static NTSTATUS FatSetAllocation(PFAT_VCB Vcb, PFAT_FCB Fcb, PFILE_OBJECT FileObject, LONGLONG Size)
{
    if (FatIsDirectoryFcb(Fcb)) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (Size < Fcb->Header.FileSize.QuadPart) {
        return FatSetEndOfFile(Vcb, Fcb, FileObject, Size);
    }
    return Size > 0xFFFFFFFFll ? STATUS_DISK_FULL : STATUS_SUCCESS;
}

/* FileRenameInformation on one volume: the target directory is the one the I/O manager opened with
 * SL_OPEN_TARGET_DIRECTORY (its file object's FileName holds the new last component), or the
 * file's own directory for a bare name. A directory with open files below it cannot move
 * (STATUS_ACCESS_DENIED, as FastFat); an existing target is replaced only with ReplaceIfExists and
 * never when it is a directory, open, or read-only. */
static BOOLEAN FatHasOpenChildren(PFAT_VCB Vcb, PFAT_FCB Fcb)
{
    PLIST_ENTRY entry;
    for (entry = Vcb->FcbList.Flink; entry != &Vcb->FcbList; entry = entry->Flink) {
        PFAT_FCB other = CONTAINING_RECORD(entry, FAT_FCB, Links);
        if (other != Fcb && !other->Deleted && other->FullName.Length > Fcb->FullName.Length &&
            other->FullName.Buffer[Fcb->FullName.Length / sizeof(WCHAR)] == L'\\' &&
            RtlCompareMemory(other->FullName.Buffer, Fcb->FullName.Buffer, Fcb->FullName.Length) ==
                Fcb->FullName.Length) {
            return TRUE;
        }
    }
    return FALSE;
}

static NTSTATUS FatRename(PFAT_VCB Vcb, PFAT_FCB Fcb, PIO_STACK_LOCATION Stack, PFILE_RENAME_INFORMATION Info)
{
    PFILE_OBJECT targetFile = Stack->Parameters.SetFile.FileObject;
    BOOLEAN replace = Stack->Parameters.SetFile.ReplaceIfExists;
    PFAT_FCB targetDirectory;
    UNICODE_STRING newName;
    FAT_DIRENT *existing;
    FAT_TUNNELED *tunneled;
    BOOLEAN sameEntry = FALSE;
    ULONG oldDirectory = Fcb->Dirent.DirectoryCluster;
    BOOLEAN directory = FatIsDirectoryFcb(Fcb);
    ULONG nameFilter = directory ? FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME;
    USHORT i;
    NTSTATUS status;

    if (Fcb->Header.NodeTypeCode == FAT_NTC_ROOT_DCB) {
        return STATUS_INVALID_PARAMETER;
    }
    if (targetFile) {
        targetDirectory = (PFAT_FCB)targetFile->FsContext;
        if (!targetDirectory || !FatIsDirectoryFcb(targetDirectory) || targetDirectory->Vcb != Vcb) {
            return STATUS_NOT_SAME_DEVICE;
        }
        newName = targetFile->FileName;
    } else {
        newName.Buffer = Info->FileName;
        newName.Length = newName.MaximumLength = (USHORT)Info->FileNameLength;
        for (i = 0; i < newName.Length / sizeof(WCHAR); ++i) {
            if (newName.Buffer[i] == L'\\') {
                return STATUS_OBJECT_NAME_INVALID;
            }
        }
        targetDirectory = NULL;
    }
    if (newName.Length == 0) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    existing = (FAT_DIRENT *)ExAllocatePoolWithTag(PagedPool, sizeof(FAT_DIRENT), FASTFAT_TAG);
    tunneled = (FAT_TUNNELED *)ExAllocatePoolWithTag(PagedPool, sizeof(FAT_TUNNELED), FASTFAT_TAG);
    if (!existing || !tunneled) {
        if (existing) {
            ExFreePoolWithTag(existing, FASTFAT_TAG);
        }
        if (tunneled) {
            ExFreePoolWithTag(tunneled, FASTFAT_TAG);
        }
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ExAcquireResourceExclusiveLite(&Vcb->Resource, TRUE);
    {
        ULONG targetCluster = targetDirectory ? FatDirectoryOf(targetDirectory) : oldDirectory;
        UNICODE_STRING parentName;
        if (directory && FatHasOpenChildren(Vcb, Fcb)) {
            status = STATUS_ACCESS_DENIED;
            goto out;
        }
        status = FatLookupName(&Vcb->Volume, targetCluster, &newName, existing);
        if (NT_SUCCESS(status) &&
            !(existing->DirectoryCluster == Fcb->Dirent.DirectoryCluster && existing->DirentIndex == Fcb->Dirent.DirentIndex)) {
            PFAT_FCB open = FatFindFcb(Vcb, existing->DirectoryCluster, existing->DirentIndex);
            if (!replace) {
                status = STATUS_OBJECT_NAME_COLLISION;
                goto out;
            }
            if ((existing->Attributes & (FAT_ATTR_DIRECTORY | FAT_ATTR_READ_ONLY)) || (open && open->OpenHandles)) {
                status = STATUS_ACCESS_DENIED;
                goto out;
            }
            status = FatDeleteEntry(&Vcb->Volume, existing);
            if (!NT_SUCCESS(status)) {
                goto out;
            }
            if (open) {
                open->Deleted = TRUE;
            }
            /* The replaced file's name is removed from the directory: it tunnels, and the renamed
             * file takes its names and creation time below (the "safe save" of KB 172190). */
            FatTunnelRemovedEntry(Vcb, existing, FatNamesShortName(existing, &newName));
        } else if (NT_SUCCESS(status)) {
            /* A new spelling of the same entry (a change of case): no name leaves or arrives. */
            sameEntry = TRUE;
            status = STATUS_SUCCESS;
        } else if (status != STATUS_OBJECT_NAME_NOT_FOUND) {
            goto out;
        }
        if (sameEntry) {
            RtlZeroMemory(tunneled, sizeof(*tunneled));
        } else {
            FatFindTunneled(Vcb, targetCluster, &newName, tunneled);
        }
        *existing = Fcb->Dirent; /* the old names, for the tunnel cache */
        FatNotifyChange(Vcb, Fcb, nameFilter, targetDirectory ? FILE_ACTION_REMOVED : FILE_ACTION_RENAMED_OLD_NAME);
        status = STATUS_OBJECT_NAME_COLLISION;
        if (tunneled->LongName.Length != 0) {
            /* Renamed onto the short name of a removed file: it gets that file's long name back. */
            status = FatRenameEntryEx(&Vcb->Volume, &Fcb->Dirent, targetCluster, &tunneled->LongName,
                                      &tunneled->ShortName);
        }
        if (status == STATUS_OBJECT_NAME_COLLISION) {
            status = FatRenameEntryEx(&Vcb->Volume, &Fcb->Dirent, targetCluster, &newName,
                                      tunneled->LongName.Length != 0 ? NULL : &tunneled->ShortName);
        }
        if (!NT_SUCCESS(status)) {
            goto out;
        }
        {
            /* The renaming open's name is removed (keyed as that open names the file, whatever other
             * opens call it), and from now on the open names the file by the name it gave. */
            PFAT_CCB ccb = (PFAT_CCB)Stack->FileObject->FsContext2;
            if (!sameEntry) {
                FatTunnelRemovedEntry(Vcb, existing, ccb && (ccb->Flags & CCB_OPENED_BY_SHORT_NAME));
                FatRestoreTunneled(Vcb, &Fcb->Dirent, tunneled);
            }
            if (ccb) {
                ccb->Flags &= ~CCB_OPENED_BY_SHORT_NAME;
                if (FatNamesShortName(&Fcb->Dirent, &newName)) {
                    ccb->Flags |= CCB_OPENED_BY_SHORT_NAME;
                }
            }
        }
        /* The new full name: the target directory's, or the old one without its last component. */
        if (targetDirectory) {
            parentName = targetDirectory->FullName;
        } else {
            parentName = Fcb->FullName;
            parentName.Length = (USHORT)(Fcb->FinalNameOffset - sizeof(WCHAR));
            if (parentName.Length == 0) {
                parentName.Length = sizeof(WCHAR);
            }
        }
        {
            UNICODE_STRING copy;
            copy.Length = copy.MaximumLength = parentName.Length;
            copy.Buffer = (PWCHAR)ExAllocatePoolWithTag(PagedPool, parentName.Length, FASTFAT_TAG);
            if (copy.Buffer) {
                RtlCopyMemory(copy.Buffer, parentName.Buffer, parentName.Length);
                (void)FatSetFcbName(Fcb, &copy, &Fcb->Dirent);
                ExFreePoolWithTag(copy.Buffer, FASTFAT_TAG);
            }
        }
        FatNotifyChange(Vcb, Fcb, nameFilter, targetDirectory ? FILE_ACTION_ADDED : FILE_ACTION_RENAMED_NEW_NAME);
    }
out:
    ExReleaseResourceLite(&Vcb->Resource);
    ExFreePoolWithTag(tunneled, FASTFAT_TAG);
    ExFreePoolWithTag(existing, FASTFAT_TAG);
    return status;
}

/* Wait FALSE: the file position is set at once (when the FCB is free); every other class writes
 * the directory entry or the FAT to the disk and is posted. */
NTSTATUS FatSetInformation(PDEVICE_OBJECT DeviceObject, PIRP Irp, BOOLEAN Wait)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = stack->FileObject;
    PFAT_FCB fcb = (PFAT_FCB)file->FsContext;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    NTSTATUS status;

    if (!fcb) {
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (vcb->Flags & VCB_DISMOUNTED) {
        return FatCompleteRequest(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    if (fcb->Header.NodeTypeCode == FAT_NTC_VOLUME_OPEN) {
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (vcb->Vpb->RealDevice->Characteristics & FILE_READ_ONLY_DEVICE &&
        stack->Parameters.SetFile.FileInformationClass != FilePositionInformation) {
        return FatCompleteRequest(Irp, STATUS_MEDIA_WRITE_PROTECTED, 0);
    }
    /* End of file, allocation, rename, link and delete break oplocks (FsRtl picks by class); the lazy
     * writer's valid-data advance changes nothing a holder caches. */
    if (fcb->Header.NodeTypeCode == FAT_NTC_FCB && !stack->Parameters.SetFile.AdvanceOnly &&
        FatCheckOplock(DeviceObject, fcb, Irp, 0) == STATUS_PENDING) {
        return STATUS_PENDING;
    }
    if ((!Wait && stack->Parameters.SetFile.FileInformationClass != FilePositionInformation) ||
        !ExAcquireResourceExclusiveLite(&fcb->MainResource, Wait)) {
        return FatPostRequest(DeviceObject, Irp);
    }
    switch (stack->Parameters.SetFile.FileInformationClass) {
    case FileBasicInformation:
        status = FatSetBasic(vcb, fcb, file, (PFILE_BASIC_INFORMATION)buffer);
        break;
    case FileDispositionInformation:
        status = FatSetDisposition(vcb, fcb, file, ((PFILE_DISPOSITION_INFORMATION)buffer)->DeleteFile);
        break;
    case FilePositionInformation:
        file->CurrentByteOffset = ((PFILE_POSITION_INFORMATION)buffer)->CurrentByteOffset;
        status = STATUS_SUCCESS;
        break;
    case FileEndOfFileInformation:
        /* The lazy writer's advance of the valid data length: FAT keeps none on disk. */
        status = stack->Parameters.SetFile.AdvanceOnly
                     ? STATUS_SUCCESS
                     : FatSetEndOfFile(vcb, fcb, file, ((PFILE_END_OF_FILE_INFORMATION)buffer)->EndOfFile.QuadPart);
        break;
    case FileAllocationInformation:
        status = FatSetAllocation(vcb, fcb, file, ((PFILE_ALLOCATION_INFORMATION)buffer)->AllocationSize.QuadPart);
        break;
    case FileRenameInformation:
        status = FatRename(vcb, fcb, stack, (PFILE_RENAME_INFORMATION)buffer);
        break;
    default:
        status = STATUS_INVALID_PARAMETER;
        break;
    }
    ExReleaseResourceLite(&fcb->MainResource);
    return FatCompleteRequest(Irp, status, 0);
}
