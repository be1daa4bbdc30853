/* IRP_MJ_CREATE: whole-volume opens, and files and directories by path (from the root or relative to
 * an open directory) with every disposition, FILE_DIRECTORY_FILE / FILE_NON_DIRECTORY_FILE,
 * FILE_DELETE_ON_CLOSE, overwrite and supersede, read-only files, and share access through
 * IoCheckShareAccess on the FCB every open of the file shares.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocreatefile (dispositions) */
#include "fastfat.h"
#include "fs_answers.h"

#define FAT_WRITE_ACCESS (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_ADD_SUBDIRECTORY | FILE_DELETE_CHILD)

static const GENERIC_MAPPING FatFileMapping = {FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE,
                                               FILE_ALL_ACCESS};

typedef struct _FAT_CREATE {
    PFAT_VCB Vcb;
    PIRP Irp;
    PFILE_OBJECT FileObject;
    ULONG Disposition;
    ULONG Options;
    ACCESS_MASK Access;
    USHORT ShareAccess;
    USHORT FileAttributes;
    BOOLEAN TrailingBackslash;
    BOOLEAN OpenTargetDirectory;
    UNICODE_STRING ParentName; /* pool: the full name of the directory holding the target */
} FAT_CREATE, *PFAT_CREATE;

/* Characters no FAT name holds; a wildcard or a stream name in an open is an invalid name. */
static BOOLEAN FatIsLegalComponent(PCUNICODE_STRING Name)
{
    USHORT i;
    USHORT count = Name->Length / sizeof(WCHAR);

    if (count == 0 || count > FAT_MAX_LONG_NAME) {
        return FALSE;
    }
    if ((count == 1 && Name->Buffer[0] == L'.') || (count == 2 && Name->Buffer[0] == L'.' && Name->Buffer[1] == L'.')) {
        return FALSE;
    }
    for (i = 0; i < count; ++i) {
        WCHAR c = Name->Buffer[i];
        if (c < 0x20 || c == L'*' || c == L'?' || c == L'<' || c == L'>' || c == L'"' || c == L'|' || c == L':' ||
            c == L'/') {
            return FALSE;
        }
    }
    return TRUE;
}

static NTSTATUS FatAppendName(PUNICODE_STRING Path, const FAT_DIRENT *Dirent)
{
    const WCHAR *name = Dirent->LongNameLength ? Dirent->LongName : Dirent->ShortName;
    USHORT bytes = (USHORT)((Dirent->LongNameLength ? Dirent->LongNameLength : Dirent->ShortNameLength) * sizeof(WCHAR));
    USHORT base = Path->Length <= sizeof(WCHAR) ? 0 : Path->Length;

    if (base + sizeof(WCHAR) + bytes > Path->MaximumLength) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    Path->Buffer[base / sizeof(WCHAR)] = L'\\';
    RtlCopyMemory(Path->Buffer + base / sizeof(WCHAR) + 1, name, bytes);
    Path->Length = (USHORT)(base + sizeof(WCHAR) + bytes);
    return STATUS_SUCCESS;
}

/* Connects the file object to the FCB with a new CCB and records the handle's share access. */
static NTSTATUS FatOpenFcb(PFAT_CREATE Create, PFAT_FCB Fcb)
{
    PFILE_OBJECT file = Create->FileObject;
    PFAT_CCB ccb;
    NTSTATUS status;

    ccb = FatCreateCcb();
    if (!ccb) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Create->Options & FILE_RESERVE_OPFILTER) {
        /* FsRtl reserves a filter oplock for the only open; with other handles open the create
         * fails with STATUS_OPLOCK_NOT_GRANTED (Learn, NtCreateFile: FILE_RESERVE_OPFILTER).
         * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtloplockfsctrlex */
        status = FsRtlOplockFsctrlEx(&Fcb->Oplock, Create->Irp, (ULONG)Fcb->OpenHandles + 1, 0);
        if (!NT_SUCCESS(status)) {
            FatDeleteCcb(ccb);
            return status;
        }
    }
    if (Fcb->OpenHandles > 0) {
        status = IoCheckShareAccess(Create->Access, Create->ShareAccess, file, &Fcb->ShareAccess, TRUE);
        if (!NT_SUCCESS(status)) {
            FatDeleteCcb(ccb);
            return status;
        }
    } else {
        IoSetShareAccess(Create->Access, Create->ShareAccess, file, &Fcb->ShareAccess);
    }
    if (Create->Options & FILE_DELETE_ON_CLOSE) {
        ccb->Flags |= CCB_DELETE_ON_CLOSE;
    }
    if (FatNamesShortName(&Fcb->Dirent, &file->FileName)) {
        ccb->Flags |= CCB_OPENED_BY_SHORT_NAME;
    }
    FatReferenceFcb(Fcb);
    Fcb->OpenHandles++;
    InterlockedIncrement(&Create->Vcb->OpenFileObjects);
    file->FsContext = &Fcb->Header;
    file->FsContext2 = ccb;
    file->SectionObjectPointer = &Fcb->SectionObjectPointers;
    file->Vpb = Create->Vcb->Vpb;
    if (!(Create->Options & FILE_NO_INTERMEDIATE_BUFFERING)) {
        file->Flags |= FO_CACHE_SUPPORTED;
    }
    /* The open's oplock key (an oplock key ECP's) goes with its file object, also when no oplock
     * check ran for this create (a new file, the file's first open).
     * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcheckoplockex */
    (void)FsRtlCheckOplockEx(&Fcb->Oplock, Create->Irp, OPLOCK_FLAG_OPLOCK_KEY_CHECK_ONLY, NULL, NULL, NULL);
    return STATUS_SUCCESS;
}

/* FILE_OVERWRITE(_IF) and FILE_SUPERSEDE on an existing file: size 0 and the new attributes.
 * FastFat refuses to drop the hidden or system attribute this way (STATUS_ACCESS_DENIED). The
 * cache of other opens is purged first; the caller holds the FCB's paging resource exclusive. */
static NTSTATUS FatOverwrite(PFAT_CREATE Create, PFAT_FCB Fcb)
{
    LARGE_INTEGER zero;
    UCHAR keep = Fcb->Dirent.Attributes & (FAT_ATTR_HIDDEN | FAT_ATTR_SYSTEM);
    UCHAR attributes = (UCHAR)(Create->FileAttributes & (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN |
                                                          FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_ARCHIVE));
    NTSTATUS status;

    zero.QuadPart = 0;
    if ((attributes & keep) != keep) {
        return STATUS_ACCESS_DENIED;
    }
    /* A mapped view or section of the file keeps its data: the file cannot be cut to zero. */
    if (!MmCanFileBeTruncated(&Fcb->SectionObjectPointers, &zero)) {
        return STATUS_USER_MAPPED_FILE;
    }
    if (Fcb->SectionObjectPointers.SharedCacheMap &&
        !CcPurgeCacheSection(&Fcb->SectionObjectPointers, NULL, 0, FALSE)) {
        return STATUS_USER_MAPPED_FILE;
    }
    status = FatSetFileSize(&Create->Vcb->Volume, &Fcb->Dirent, 0);
    if (NT_SUCCESS(status)) {
        status = FatSetEntryInformation(&Create->Vcb->Volume, &Fcb->Dirent, (UCHAR)(attributes | FAT_ATTR_ARCHIVE),
                                        NULL, NULL, NULL);
    }
    FatFcbSizesFromDirent(Fcb);
    FatSetCacheSizes(Fcb);
    return status;
}

/* What the memory manager's sections of the file allow, checked as FastFat checks them before the
 * share access (NT fact N2):
 * - a writable user reference (a writable section or view) needs the open to share write
 *   (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmdoesfilehaveuserwritablereferences);
 * - writing the file's data, deleting it on close or overwriting it needs its image section gone
 *   (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmflushimagesection:
 *   "When opening a file for write access, the file system should call MmFlushImageSection from its
 *   IRP_MJ_CREATE dispatch routine, passing MmFlushForWrite"). */
static NTSTATUS FatCheckSections(PFAT_CREATE Create, PFAT_FCB Fcb, BOOLEAN Overwrite)
{
    BOOLEAN deleteOnClose = (Create->Options & FILE_DELETE_ON_CLOSE) != 0;

    if (!(Create->ShareAccess & FILE_SHARE_WRITE) &&
        MmDoesFileHaveUserWritableReferences(&Fcb->SectionObjectPointers) != 0) {
        return STATUS_SHARING_VIOLATION;
    }
    if (((Create->Access & FILE_WRITE_DATA) || deleteOnClose || Overwrite) &&
        !MmFlushImageSection(&Fcb->SectionObjectPointers, MmFlushForWrite)) {
        return deleteOnClose ? STATUS_CANNOT_DELETE : STATUS_SHARING_VIOLATION;
    }
    return STATUS_SUCCESS;
}

/* The share check against the file's opens. A Windows file system that meets a sharing violation
 * first breaks other opens' handle caching (RH, RWH, batch and filter oplocks), whose owners may
 * close the cached handles that stand in the way, and checks again: STATUS_PENDING when FsRtl holds
 * the create until the breaks end (it is then posted to start again).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcheckoplockex
 * (OPLOCK_FLAG_BREAKING_FOR_SHARING_VIOLATION). A caller that asked FILE_COMPLETE_IF_OPLOCKED not
 * to wait for breaks gets the violation at once (a guess: Learn does not say). */
static NTSTATUS FatCheckShareAccess(PFAT_CREATE Create, PFAT_FCB Fcb, BOOLEAN Directory)
{
    NTSTATUS status;

    if (Fcb->OpenHandles == 0) {
        return STATUS_SUCCESS;
    }
    status = IoCheckShareAccess(Create->Access, Create->ShareAccess, Create->FileObject, &Fcb->ShareAccess, FALSE);
    if (status != STATUS_SHARING_VIOLATION || Directory || (Create->Options & FILE_COMPLETE_IF_OPLOCKED)) {
        return status;
    }
    if (FatCheckOplock(Create->Vcb->VolumeDevice, Fcb, Create->Irp, OPLOCK_FLAG_BREAKING_FOR_SHARING_VIOLATION) ==
        STATUS_PENDING) {
        return STATUS_PENDING;
    }
    return IoCheckShareAccess(Create->Access, Create->ShareAccess, Create->FileObject, &Fcb->ShareAccess, FALSE);
}

static NTSTATUS FatOpenExisting(PFAT_CREATE Create, const FAT_DIRENT *Dirent, PULONG_PTR Information,
                                PBOOLEAN Retry)
{
    BOOLEAN directory = (Dirent->Attributes & FAT_ATTR_DIRECTORY) != 0;
    ULONG disposition = Create->Disposition;
    BOOLEAN overwrite = DrvOverwrites(disposition);
    PFAT_FCB fcb;
    BOOLEAN created = FALSE;
    NTSTATUS oplock = STATUS_SUCCESS;
    NTSTATUS status;

    status = DrvCheckOpenExisting(directory, (Dirent->Attributes & FAT_ATTR_READ_ONLY) != 0, disposition,
                                  Create->Options, Create->TrailingBackslash, (Create->Access & FAT_WRITE_ACCESS) != 0);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    fcb = FatFindFcb(Create->Vcb, Dirent->DirectoryCluster, Dirent->DirentIndex);
    if (!fcb) {
        fcb = FatCreateFcb(Create->Vcb, &Create->ParentName, Dirent, directory ? FAT_NTC_DCB : FAT_NTC_FCB);
        if (!fcb) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        created = TRUE;
    }
    if (fcb->DeletePending) {
        status = STATUS_DELETE_PENDING;
    } else if (!directory && !NT_SUCCESS(status = FatCheckSections(Create, fcb, overwrite))) {
    } else if (!NT_SUCCESS(status = FatCheckShareAccess(Create, fcb, directory)) || status == STATUS_PENDING) {
        /* A sharing violation, or FsRtl holds the create until handle caching is given up. */
    } else if (!directory && !created &&
               (oplock = FatCheckOplock(Create->Vcb->VolumeDevice, fcb, Create->Irp, 0)) != STATUS_SUCCESS &&
               oplock != STATUS_OPLOCK_BREAK_IN_PROGRESS) {
        /* STATUS_PENDING: FsRtl holds the create until the break is acknowledged, then it is posted
         * to start again; or the open fails (STATUS_CANNOT_BREAK_OPLOCK). */
        status = oplock;
    } else if (overwrite) {
        /* Lock order is main resource, paging resource, then the VCB: without both at once, start
         * again. The main resource keeps readers out first: a cached read holds it shared, then the
         * cache's lock for the file, then waits for the paging resource in its paging read, and
         * the overwrite's purge needs that cache lock. */
        if (!ExAcquireResourceExclusiveLite(&fcb->MainResource, FALSE)) {
            *Retry = TRUE;
            status = STATUS_RETRY;
        } else if (!ExAcquireResourceExclusiveLite(&fcb->PagingIoResource, FALSE)) {
            ExReleaseResourceLite(&fcb->MainResource);
            *Retry = TRUE;
            status = STATUS_RETRY;
        } else {
            status = FatOverwrite(Create, fcb);
            ExReleaseResourceLite(&fcb->PagingIoResource);
            ExReleaseResourceLite(&fcb->MainResource);
            if (NT_SUCCESS(status)) {
                FatNotifyChange(Create->Vcb, fcb, FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE |
                                                      FILE_NOTIFY_CHANGE_ATTRIBUTES, FILE_ACTION_MODIFIED);
            }
        }
    } else {
        status = STATUS_SUCCESS;
    }
    if (NT_SUCCESS(status) && status != STATUS_PENDING) {
        status = FatOpenFcb(Create, fcb);
        if (NT_SUCCESS(status) && oplock == STATUS_OPLOCK_BREAK_IN_PROGRESS) {
            /* FILE_COMPLETE_IF_OPLOCKED: opened at once, while the break is still under way. */
            status = oplock;
        }
    }
    if (created) {
        /* The open holds its own reference; the FCB goes now if nothing opened it. */
        FatDereferenceFcb(fcb);
    }
    if (NT_SUCCESS(status) && status != STATUS_PENDING) {
        *Information = disposition == FILE_SUPERSEDE ? FILE_SUPERSEDED
                       : overwrite                   ? FILE_OVERWRITTEN
                                                     : FILE_OPENED;
    }
    return status;
}

static NTSTATUS FatCreateNew(PFAT_CREATE Create, ULONG Directory, PCUNICODE_STRING Name, PULONG_PTR Information)
{
    BOOLEAN directory = (Create->Options & FILE_DIRECTORY_FILE) != 0;
    FAT_DIRENT *dirent;
    FAT_TUNNELED *tunneled;
    PFAT_FCB fcb;
    UCHAR attributes;
    NTSTATUS status;

    status = DrvCheckCreateNew(Create->Disposition, Create->Options, Create->TrailingBackslash);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (Create->Vcb->Vpb->RealDevice->Characteristics & FILE_READ_ONLY_DEVICE) {
        return STATUS_MEDIA_WRITE_PROTECTED;
    }
    attributes = (UCHAR)(Create->FileAttributes &
                         (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_ARCHIVE));
    attributes = directory ? (UCHAR)((attributes & ~FAT_ATTR_ARCHIVE) | FAT_ATTR_DIRECTORY)
                           : (UCHAR)(attributes | FAT_ATTR_ARCHIVE);
    dirent = (FAT_DIRENT *)ExAllocatePoolWithTag(PagedPool, sizeof(FAT_DIRENT), FASTFAT_TAG);
    tunneled = (FAT_TUNNELED *)ExAllocatePoolWithTag(PagedPool, sizeof(FAT_TUNNELED), FASTFAT_TAG);
    if (!dirent || !tunneled) {
        if (dirent) {
            ExFreePoolWithTag(dirent, FASTFAT_TAG);
        }
        if (tunneled) {
            ExFreePoolWithTag(tunneled, FASTFAT_TAG);
        }
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    /* A name just removed from this directory: its names and creation time come back. */
    FatFindTunneled(Create->Vcb, Directory, Name, tunneled);
    status = STATUS_OBJECT_NAME_COLLISION;
    if (tunneled->LongName.Length != 0) {
        status = FatCreateEntryEx(&Create->Vcb->Volume, Directory, &tunneled->LongName, &tunneled->ShortName,
                                  attributes, dirent);
    }
    if (status == STATUS_OBJECT_NAME_COLLISION) {
        /* No tunneled long name, or another entry holds it now: the name as given. */
        status = FatCreateEntryEx(&Create->Vcb->Volume, Directory, Name,
                                  tunneled->LongName.Length != 0 ? NULL : &tunneled->ShortName, attributes, dirent);
    }
    if (NT_SUCCESS(status)) {
        FatRestoreTunneled(Create->Vcb, dirent, tunneled);
        fcb = FatCreateFcb(Create->Vcb, &Create->ParentName, dirent, directory ? FAT_NTC_DCB : FAT_NTC_FCB);
        if (!fcb) {
            (void)FatDeleteEntry(&Create->Vcb->Volume, dirent);
            status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            status = FatOpenFcb(Create, fcb);
            if (NT_SUCCESS(status)) {
                FatNotifyChange(Create->Vcb, fcb, directory ? FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME,
                                FILE_ACTION_ADDED);
            } else {
                (void)FatDeleteEntry(&Create->Vcb->Volume, &fcb->Dirent);
                fcb->Deleted = TRUE;
            }
            FatDereferenceFcb(fcb);
        }
    }
    ExFreePoolWithTag(tunneled, FASTFAT_TAG);
    ExFreePoolWithTag(dirent, FASTFAT_TAG);
    if (NT_SUCCESS(status)) {
        *Information = FILE_CREATED;
    }
    return status;
}

/* SL_OPEN_TARGET_DIRECTORY (the target of a rename): the directory that would hold the name is
 * opened, FileName is left holding the last component, and Information says whether it exists.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create */
static NTSTATUS FatOpenTarget(PFAT_CREATE Create, PFAT_FCB Start, const FAT_DIRENT *Parent, USHORT GrandLength,
                              PCUNICODE_STRING Component, BOOLEAN Exists, PULONG_PTR Information)
{
    PUNICODE_STRING fileName = &Create->FileObject->FileName;
    PFAT_FCB fcb = Start;
    BOOLEAN created = FALSE;
    NTSTATUS status;

    if (Parent) {
        fcb = FatFindFcb(Create->Vcb, Parent->DirectoryCluster, Parent->DirentIndex);
        if (!fcb) {
            UNICODE_STRING grand = Create->ParentName;
            grand.Length = GrandLength;
            fcb = FatCreateFcb(Create->Vcb, &grand, Parent, FAT_NTC_DCB);
            if (!fcb) {
                return STATUS_INSUFFICIENT_RESOURCES;
            }
            created = TRUE;
        }
    }
    status = FatOpenFcb(Create, fcb);
    if (created) {
        FatDereferenceFcb(fcb);
    }
    if (NT_SUCCESS(status)) {
        RtlMoveMemory(fileName->Buffer, Component->Buffer, Component->Length);
        fileName->Length = Component->Length;
        *Information = Exists ? FILE_EXISTS : FILE_DOES_NOT_EXIST;
    }
    return status;
}

/* Walks the path below Start; opens or creates its last component. Vcb->Resource held exclusive. */
static NTSTATUS FatOpenPath(PFAT_CREATE Create, PFAT_FCB Start, UNICODE_STRING Remaining, PULONG_PTR Information,
                            PBOOLEAN Retry)
{
    ULONG directory = FatDirectoryOf(Start);
    FAT_DIRENT *dirent;
    FAT_DIRENT *parent;
    BOOLEAN haveParent = FALSE;
    USHORT grandLength = 0;
    NTSTATUS status = STATUS_SUCCESS;

    dirent = (FAT_DIRENT *)ExAllocatePoolWithTag(PagedPool, 2 * sizeof(FAT_DIRENT), FASTFAT_TAG);
    if (!dirent) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    parent = dirent + 1;
    for (;;) {
        UNICODE_STRING component = Remaining;
        USHORT i;
        BOOLEAN last = TRUE;

        for (i = 0; i < Remaining.Length / sizeof(WCHAR); ++i) {
            if (Remaining.Buffer[i] == L'\\') {
                component.Length = (USHORT)(i * sizeof(WCHAR));
                Remaining.Buffer += i + 1;
                Remaining.Length = (USHORT)(Remaining.Length - (i + 1) * sizeof(WCHAR));
                last = FALSE;
                break;
            }
        }
        if (!FatIsLegalComponent(&component)) {
            status = STATUS_OBJECT_NAME_INVALID;
            break;
        }
        status = FatLookupName(&Create->Vcb->Volume, directory, &component, dirent);
        if (last && Create->OpenTargetDirectory) {
            status = FatOpenTarget(Create, Start, haveParent ? parent : NULL, grandLength, &component,
                                   status == STATUS_SUCCESS, Information);
            break;
        }
        if (last) {
            if (NT_SUCCESS(status)) {
                status = FatOpenExisting(Create, dirent, Information, Retry);
            } else if (status == STATUS_OBJECT_NAME_NOT_FOUND) {
                status = FatCreateNew(Create, directory, &component, Information);
            }
            break;
        }
        if (status == STATUS_OBJECT_NAME_NOT_FOUND ||
            (NT_SUCCESS(status) && !(dirent->Attributes & FAT_ATTR_DIRECTORY))) {
            status = STATUS_OBJECT_PATH_NOT_FOUND;
        }
        if (!NT_SUCCESS(status)) {
            break;
        }
        grandLength = Create->ParentName.Length;
        status = FatAppendName(&Create->ParentName, dirent);
        if (!NT_SUCCESS(status)) {
            break;
        }
        directory = dirent->FirstCluster;
        RtlCopyMemory(parent, dirent, sizeof(FAT_DIRENT));
        haveParent = TRUE;
    }
    ExFreePoolWithTag(dirent, FASTFAT_TAG);
    return status;
}

static NTSTATUS FatOpenVolume(PFAT_CREATE Create, PULONG_PTR Information)
{
    if (Create->Options & FILE_DIRECTORY_FILE) {
        return STATUS_NOT_A_DIRECTORY;
    }
    if (Create->Disposition != FILE_OPEN && Create->Disposition != FILE_OPEN_IF) {
        return STATUS_ACCESS_DENIED;
    }
    *Information = FILE_OPENED;
    return FatOpenFcb(Create, Create->Vcb->VolumeFcb);
}

static NTSTATUS FatCommonCreate(PFAT_VCB Vcb, PIRP Irp, PIO_STACK_LOCATION Stack, PULONG_PTR Information,
                                PBOOLEAN Retry)
{
    PFILE_OBJECT file = Stack->FileObject;
    PFILE_OBJECT related = file->RelatedFileObject;
    PFAT_FCB start = Vcb->RootFcb;
    UNICODE_STRING name = file->FileName;
    FAT_CREATE create;
    NTSTATUS status;

    RtlZeroMemory(&create, sizeof(create));
    create.Vcb = Vcb;
    create.Irp = Irp;
    create.FileObject = file;
    create.Disposition = Stack->Parameters.Create.Options >> 24;
    create.Options = Stack->Parameters.Create.Options & FILE_VALID_OPTION_FLAGS;
    create.Access = Stack->Parameters.Create.SecurityContext->DesiredAccess;
    RtlMapGenericMask(&create.Access, &FatFileMapping);
    create.ShareAccess = Stack->Parameters.Create.ShareAccess;
    create.FileAttributes = Stack->Parameters.Create.FileAttributes;
    create.OpenTargetDirectory = (Stack->Flags & SL_OPEN_TARGET_DIRECTORY) != 0;

    if (Vcb->Flags & VCB_DISMOUNTED) {
        return STATUS_VOLUME_DISMOUNTED;
    }
    if (Vcb->Flags & VCB_LOCKED) {
        return STATUS_ACCESS_DENIED;
    }
    if (related) {
        start = (PFAT_FCB)related->FsContext;
        if (!start) {
            return STATUS_INVALID_PARAMETER;
        }
        if (start->Header.NodeTypeCode == FAT_NTC_VOLUME_OPEN) {
            if (name.Length == 0) {
                return FatOpenVolume(&create, Information);
            }
            start = Vcb->RootFcb;
        }
        if (name.Length && name.Buffer[0] == L'\\') {
            return STATUS_OBJECT_NAME_INVALID;
        }
    } else {
        if (name.Length == 0) {
            return FatOpenVolume(&create, Information);
        }
        if (name.Buffer[0] != L'\\') {
            return STATUS_OBJECT_NAME_INVALID;
        }
        name.Buffer++;
        name.Length -= sizeof(WCHAR);
    }
    if (name.Length >= sizeof(WCHAR) && name.Buffer[name.Length / sizeof(WCHAR) - 1] == L'\\') {
        name.Length -= sizeof(WCHAR);
        create.TrailingBackslash = TRUE;
        if (name.Length >= sizeof(WCHAR) && name.Buffer[name.Length / sizeof(WCHAR) - 1] == L'\\') {
            return STATUS_OBJECT_NAME_INVALID;
        }
    }
    if (name.Length == 0) {
        /* The root, or the related directory itself. */
        ULONG_PTR opened = FILE_OPENED;
        if (!FatIsDirectoryFcb(start)) {
            if (create.TrailingBackslash || (create.Options & FILE_DIRECTORY_FILE)) {
                return STATUS_NOT_A_DIRECTORY;
            }
            return STATUS_INVALID_PARAMETER;
        }
        if (create.Options & FILE_NON_DIRECTORY_FILE) {
            return STATUS_FILE_IS_A_DIRECTORY;
        }
        if (create.Disposition != FILE_OPEN && create.Disposition != FILE_OPEN_IF) {
            return start->Header.NodeTypeCode == FAT_NTC_ROOT_DCB ? STATUS_ACCESS_DENIED : STATUS_OBJECT_NAME_COLLISION;
        }
        status = FatOpenFcb(&create, start);
        if (NT_SUCCESS(status)) {
            *Information = opened;
        }
        return status;
    }
    if (!FatIsDirectoryFcb(start)) {
        return STATUS_INVALID_PARAMETER;
    }
    {
        /* Room for the start's name and every component at its longest (a short name given may
         * stand for a long one). */
        ULONG room = start->FullName.Length + name.Length + (FAT_MAX_LONG_NAME + 1) * sizeof(WCHAR) * 8u;
        create.ParentName.MaximumLength = (USHORT)(room > 0xFFFEu ? 0xFFFEu : room);
    }
    create.ParentName.Buffer = (PWCHAR)ExAllocatePoolWithTag(PagedPool, create.ParentName.MaximumLength, FASTFAT_TAG);
    if (!create.ParentName.Buffer) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlCopyMemory(create.ParentName.Buffer, start->FullName.Buffer, start->FullName.Length);
    create.ParentName.Length = start->FullName.Length;
    status = FatOpenPath(&create, start, name, Information, Retry);
    ExFreePoolWithTag(create.ParentName.Buffer, FASTFAT_TAG);
    return status;
}

NTSTATUS FatCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG_PTR information = 0;
    NTSTATUS status;

    for (;;) {
        BOOLEAN retry = FALSE;
        ExAcquireResourceExclusiveLite(&vcb->Resource, TRUE);
        status = FatCommonCreate(vcb, Irp, stack, &information, &retry);
        ExReleaseResourceLite(&vcb->Resource);
        if (!retry) {
            break;
        }
        /* Someone (a reader, the lazy writer) holds a resource this overwrite needs: let it finish. */
        {
            LARGE_INTEGER delay;
            delay.QuadPart = -10 * 1000;
            KeDelayExecutionThread(KernelMode, FALSE, &delay);
        }
    }
    if (status == STATUS_PENDING) {
        return status; /* FsRtl's until the oplock break ends */
    }
    return FatCompleteRequest(Irp, status, NT_SUCCESS(status) ? information : 0);
}
