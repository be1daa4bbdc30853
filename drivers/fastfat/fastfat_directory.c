/* IRP_MJ_DIRECTORY_CONTROL: IRP_MN_QUERY_DIRECTORY (the directory, full, both, names, id-both and
 * id-full classes; the search mask is set by the first query of a handle and matched with
 * FsRtlIsNameInExpression against the long and the short name; restart, single entry and index
 * resume) and IRP_MN_NOTIFY_CHANGE_DIRECTORY (queued on the volume's notify list; every change the
 * driver makes is reported through FsRtlNotifyFullReportChange).
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-query-directory
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-notify-change-directory */
#include "fastfat.h"
#include "fs_answers.h"

/* Sets the handle's search mask (upcased for a case-insensitive match); NULL or empty means "*". */
static NTSTATUS FatSetSearchMask(PFAT_CCB Ccb, PUNICODE_STRING Mask)
{
    NTSTATUS status = DrvSetSearchMask(&Ccb->SearchMask, Mask, FASTFAT_TAG);

    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (FsRtlDoesNameContainWildCards(&Ccb->SearchMask)) {
        Ccb->Flags |= CCB_MASK_WILD;
    } else {
        Ccb->Flags &= ~CCB_MASK_WILD;
    }
    return STATUS_SUCCESS;
}

static BOOLEAN FatMatches(PFAT_CCB Ccb, const FAT_DIRENT *Dirent)
{
    UNICODE_STRING name;

    if (Dirent->LongNameLength) {
        name.Buffer = (PWCH)Dirent->LongName;
        name.Length = name.MaximumLength = (USHORT)(Dirent->LongNameLength * sizeof(WCHAR));
        if (FsRtlIsNameInExpression(&Ccb->SearchMask, &name, TRUE, NULL)) {
            return TRUE;
        }
    }
    name.Buffer = (PWCH)Dirent->ShortName;
    name.Length = name.MaximumLength = (USHORT)(Dirent->ShortNameLength * sizeof(WCHAR));
    return FsRtlIsNameInExpression(&Ccb->SearchMask, &name, TRUE, NULL);
}


/* Fills one entry (Entry has at least NameOffset bytes, zeroed); the name is copied by the caller. */
static VOID FatFillEntry(PFAT_VCB Vcb, FILE_INFORMATION_CLASS Class, const FAT_DIRENT *Dirent, PUCHAR Entry,
                         ULONG NameBytes)
{
    BOOLEAN directory = (Dirent->Attributes & FAT_ATTR_DIRECTORY) != 0;
    ULONG bpc = Vcb->Volume.BytesPerCluster;
    /* A directory's size is not reported (FastFat gives 0 for both). */
    LONGLONG size = directory ? 0 : (LONGLONG)Dirent->FileSize;
    LONGLONG allocation = directory ? 0 : (LONGLONG)((Dirent->FileSize + (ULONGLONG)bpc - 1) / bpc * bpc);
    BOOLEAN shortName = Dirent->LongNameLength != 0;

    if (Class == FileNamesInformation) {
        PFILE_NAMES_INFORMATION info = (PFILE_NAMES_INFORMATION)Entry;
        info->FileIndex = Dirent->DirentIndex;
        info->FileNameLength = NameBytes;
        return;
    }
    {
        /* Directory, full, both, id-both and id-full share this prefix. */
        PFILE_DIRECTORY_INFORMATION info = (PFILE_DIRECTORY_INFORMATION)Entry;
        info->FileIndex = Dirent->DirentIndex;
        info->CreationTime = Dirent->CreationTime;
        info->LastAccessTime = Dirent->LastAccessTime;
        info->LastWriteTime = Dirent->LastWriteTime;
        info->ChangeTime = Dirent->LastWriteTime;
        info->EndOfFile.QuadPart = size;
        info->AllocationSize.QuadPart = allocation;
        info->FileAttributes = FatAttributesOf(Dirent->Attributes);
        info->FileNameLength = NameBytes;
    }
    switch (Class) {
    case FileBothDirectoryInformation: {
        PFILE_BOTH_DIR_INFORMATION info = (PFILE_BOTH_DIR_INFORMATION)Entry;
        if (shortName) {
            info->ShortNameLength = (CCHAR)(Dirent->ShortNameLength * sizeof(WCHAR));
            RtlCopyMemory(info->ShortName, Dirent->ShortName, Dirent->ShortNameLength * sizeof(WCHAR));
        }
        break;
    }
    case FileIdBothDirectoryInformation: {
        PFILE_ID_BOTH_DIR_INFORMATION info = (PFILE_ID_BOTH_DIR_INFORMATION)Entry;
        if (shortName) {
            info->ShortNameLength = (CCHAR)(Dirent->ShortNameLength * sizeof(WCHAR));
            RtlCopyMemory(info->ShortName, Dirent->ShortName, Dirent->ShortNameLength * sizeof(WCHAR));
        }
        info->FileId.QuadPart = FatDirentId(&Vcb->Volume, Dirent);
        break;
    }
    case FileIdFullDirectoryInformation:
        ((PFILE_ID_FULL_DIR_INFORMATION)Entry)->FileId.QuadPart = FatDirentId(&Vcb->Volume, Dirent);
        break;
    default:
        break;
    }
}

static NTSTATUS FatQueryDirectory(PFAT_VCB Vcb, PFAT_FCB Fcb, PFAT_CCB Ccb, PIRP Irp, PIO_STACK_LOCATION Stack,
                                  PULONG_PTR Information)
{
    FILE_INFORMATION_CLASS class = Stack->Parameters.QueryDirectory.FileInformationClass;
    ULONG length = Stack->Parameters.QueryDirectory.Length;
    ULONG nameOffset = DrvDirectoryNameOffset(class);
    BOOLEAN single = (Stack->Flags & SL_RETURN_SINGLE_ENTRY) != 0;
    BOOLEAN first = !(Ccb->Flags & CCB_ENUM_STARTED);
    PUCHAR buffer = (PUCHAR)FatUserBuffer(Irp);
    FAT_DIRENT *dirent;
    ULONG used = 0;
    ULONG lastEntry = 0;
    BOOLEAN any = FALSE;
    NTSTATUS status = STATUS_SUCCESS;

    if (nameOffset == 0) {
        return STATUS_INVALID_INFO_CLASS;
    }
    if (!buffer) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    /* The mask is the first query's; a restart may give a new one. */
    if (first || ((Stack->Flags & SL_RESTART_SCAN) && Stack->Parameters.QueryDirectory.FileName)) {
        status = FatSetSearchMask(Ccb, Stack->Parameters.QueryDirectory.FileName);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        Ccb->EnumIndex = 0;
    }
    if (Stack->Flags & SL_RESTART_SCAN) {
        Ccb->EnumIndex = 0;
    } else if (Stack->Flags & SL_INDEX_SPECIFIED) {
        Ccb->EnumIndex = Stack->Parameters.QueryDirectory.FileIndex + 1;
    }
    Ccb->Flags |= CCB_ENUM_STARTED;

    dirent = (FAT_DIRENT *)ExAllocatePoolWithTag(PagedPool, sizeof(FAT_DIRENT), FASTFAT_TAG);
    if (!dirent) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ExAcquireResourceSharedLite(&Vcb->Resource, TRUE);
    __try {
        for (;;) {
            ULONG index = Ccb->EnumIndex;
            ULONG start = (used + 7) & ~7u;
            ULONG nameBytes;
            const WCHAR *name;

            status = FatEnumerateDirectory(&Vcb->Volume, FatDirectoryOf(Fcb), &index, dirent);
            if (!NT_SUCCESS(status)) {
                break;
            }
            if (!FatMatches(Ccb, dirent)) {
                Ccb->EnumIndex = index;
                continue;
            }
            name = dirent->LongNameLength ? dirent->LongName : dirent->ShortName;
            nameBytes = (dirent->LongNameLength ? dirent->LongNameLength : dirent->ShortNameLength) * sizeof(WCHAR);
            if (any && start + nameOffset + nameBytes > length) {
                /* Full: this entry waits for the next query. */
                break;
            }
            if (!any && nameOffset + nameBytes > length) {
                /* The first entry does not fit: as much of it as does, and it is passed. */
                RtlZeroMemory(buffer, nameOffset);
                FatFillEntry(Vcb, class, dirent, buffer, nameBytes);
                RtlCopyMemory(buffer + nameOffset, name, length - nameOffset);
                used = length;
                Ccb->EnumIndex = index;
                status = STATUS_BUFFER_OVERFLOW;
                any = TRUE;
                break;
            }
            if (any) {
                *(PULONG)(buffer + lastEntry) = start - lastEntry;
            }
            RtlZeroMemory(buffer + start, nameOffset);
            FatFillEntry(Vcb, class, dirent, buffer + start, nameBytes);
            RtlCopyMemory(buffer + start + nameOffset, name, nameBytes);
            lastEntry = start;
            used = start + nameOffset + nameBytes;
            any = TRUE;
            Ccb->EnumIndex = index;
            if (single) {
                break;
            }
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = FatExceptionStatus(GetExceptionCode());
        any = FALSE;
        used = 0;
    }
    ExReleaseResourceLite(&Vcb->Resource);
    ExFreePoolWithTag(dirent, FASTFAT_TAG);
    if (status == STATUS_BUFFER_OVERFLOW) {
        *Information = used;
        return status;
    }
    if (any) {
        *Information = used;
        return STATUS_SUCCESS;
    }
    if (status == STATUS_NO_MORE_FILES || NT_SUCCESS(status)) {
        /* Nothing matched at all on the first query is "no such file" ([MS-FSA] 2.1.5.6.3). */
        return first ? STATUS_NO_SUCH_FILE : STATUS_NO_MORE_FILES;
    }
    return status;
}

static NTSTATUS FatNotifyChangeDirectory(PFAT_VCB Vcb, PFAT_FCB Fcb, PFAT_CCB Ccb, PIRP Irp, PIO_STACK_LOCATION Stack)
{
    STRING name;

    if (!Ccb->NotifyName.Buffer) {
        Ccb->NotifyName.Buffer = (PWCHAR)ExAllocatePoolWithTag(PagedPool, Fcb->FullName.Length, FASTFAT_TAG);
        if (!Ccb->NotifyName.Buffer) {
            return FatCompleteRequest(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        }
        RtlCopyMemory(Ccb->NotifyName.Buffer, Fcb->FullName.Buffer, Fcb->FullName.Length);
        Ccb->NotifyName.Length = Ccb->NotifyName.MaximumLength = Fcb->FullName.Length;
    }
    name.Buffer = (PCHAR)Ccb->NotifyName.Buffer;
    name.Length = name.MaximumLength = Ccb->NotifyName.Length;
    FsRtlNotifyFullChangeDirectory(Vcb->NotifySync, &Vcb->DirNotifyList, Ccb, &name,
                                   (Stack->Flags & SL_WATCH_TREE) != 0, FALSE,
                                   Stack->Parameters.NotifyDirectory.CompletionFilter, Irp, NULL, NULL);
    return STATUS_PENDING;
}

/* Wait FALSE: a query reads the directory's entries from the disk (metadata is not cached here), so
 * a well-formed query is posted; a change notification pends on the notify list as before. */
NTSTATUS FatDirectoryControl(PDEVICE_OBJECT DeviceObject, PIRP Irp, BOOLEAN Wait)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFAT_FCB fcb = (PFAT_FCB)stack->FileObject->FsContext;
    PFAT_CCB ccb = (PFAT_CCB)stack->FileObject->FsContext2;
    ULONG_PTR information = 0;
    NTSTATUS status;

    if (!fcb || !ccb) {
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (vcb->Flags & VCB_DISMOUNTED) {
        return FatCompleteRequest(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    if (!FatIsDirectoryFcb(fcb)) {
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    switch (stack->MinorFunction) {
    case IRP_MN_QUERY_DIRECTORY:
        if (DrvDirectoryNameOffset(stack->Parameters.QueryDirectory.FileInformationClass) == 0) {
            return FatCompleteRequest(Irp, STATUS_INVALID_INFO_CLASS, 0);
        }
        if (!Wait) {
            return FatPostRequest(DeviceObject, Irp);
        }
        ExAcquireResourceSharedLite(&fcb->MainResource, TRUE);
        status = FatQueryDirectory(vcb, fcb, ccb, Irp, stack, &information);
        ExReleaseResourceLite(&fcb->MainResource);
        return FatCompleteRequest(Irp, status, information);
    case IRP_MN_NOTIFY_CHANGE_DIRECTORY:
        return FatNotifyChangeDirectory(vcb, fcb, ccb, Irp, stack);
    default:
        return FatCompleteRequest(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}
