/* IRP_MJ_QUERY_INFORMATION (basic, standard, internal, EA, position, name, network open, attribute
 * tag and all) and IRP_MJ_SET_INFORMATION (basic, disposition, position, end of file, allocation,
 * rename), answered from fstat of the open's host descriptor and done with host calls on it.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-query-information
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-set-information */
#include "hostfs.h"
#include "fs_answers.h"

/* The host keeps no creation time in stat(2): the last write time stands for it (a guess at the
 * least surprising value; docs/nt-deviations.md). */
VOID HostfsTimes(_In_ const HOSTFS_STAT *Stat, _Out_ PLARGE_INTEGER Creation, _Out_ PLARGE_INTEGER Access,
                 _Out_ PLARGE_INTEGER Write, _Out_ PLARGE_INTEGER Change)
{
    Creation->QuadPart = Stat->WriteTime;
    Access->QuadPart = Stat->AccessTime;
    Write->QuadPart = Stat->WriteTime;
    Change->QuadPart = Stat->ChangeTime;
}

/* The last component of the open's Windows name, for the hidden attribute of dot files. */
static VOID HostfsLastComponent(_In_ PCUNICODE_STRING Name, _Out_ PUNICODE_STRING Last)
{
    USHORT i = Name->Length / sizeof(WCHAR);
    while (i && Name->Buffer[i - 1] != L'\\') {
        --i;
    }
    Last->Buffer = Name->Buffer + i;
    Last->Length = Last->MaximumLength = (USHORT)(Name->Length - i * sizeof(WCHAR));
}

static VOID HostfsFillBasic(_In_ const HOSTFS_STAT *Stat, _In_ PCUNICODE_STRING Last, _Out_ PFILE_BASIC_INFORMATION Info)
{
    HostfsTimes(Stat, &Info->CreationTime, &Info->LastAccessTime, &Info->LastWriteTime, &Info->ChangeTime);
    Info->FileAttributes = HostfsAttributesOf(Stat, Last);
}

static VOID HostfsFillStandard(_In_ const HOSTFS_STAT *Stat, _In_ PHOSTFS_FCB Fcb, _Out_ PFILE_STANDARD_INFORMATION Info)
{
    /* A directory's size is not reported (NTFS gives 0 for both). */
    Info->AllocationSize.QuadPart = Stat->Directory ? 0 : Stat->Allocated;
    Info->EndOfFile.QuadPart = Stat->Directory ? 0 : Stat->Size;
    Info->NumberOfLinks = Stat->Directory ? 1 : Stat->Links;
    Info->DeletePending = Fcb->DeletePending;
    Info->Directory = Stat->Directory ? TRUE : FALSE;
}


static NTSTATUS HostfsQueryFile(_In_ PHOSTFS_DEVICE_EXTENSION Extension, _In_ PHOSTFS_FCB Fcb, _In_ PHOSTFS_CCB Ccb,
                                _In_ PFILE_OBJECT FileObject, _In_ FILE_INFORMATION_CLASS Class, _Out_ PVOID Buffer,
                                _In_ ULONG Length, _Out_ PULONG Used)
{
    HOSTFS_STAT stat;
    UNICODE_STRING name;
    UNICODE_STRING last;
    NTSTATUS status = STATUS_SUCCESS;
    int error;

    *Used = 0;
    switch (Class) {
    case FileBasicInformation:
    case FileStandardInformation:
    case FileInternalInformation:
    case FileEaInformation:
    case FilePositionInformation:
    case FileNameInformation:
    case FileNetworkOpenInformation:
    case FileAttributeTagInformation:
    case FileAllInformation:
        break;
    default:
        return STATUS_INVALID_PARAMETER;
    }
    error = HostfsStatFd(Ccb->Fd, &stat);
    if (error != 0) {
        return (NTSTATUS)HostfsStatus(error);
    }
    status = HostfsNameOfFd(Extension, Ccb->Fd, &name);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    HostfsLastComponent(&name, &last);
    switch (Class) {
    case FileBasicInformation:
        HostfsFillBasic(&stat, &last, (PFILE_BASIC_INFORMATION)Buffer);
        *Used = sizeof(FILE_BASIC_INFORMATION);
        break;
    case FileStandardInformation:
        HostfsFillStandard(&stat, Fcb, (PFILE_STANDARD_INFORMATION)Buffer);
        *Used = sizeof(FILE_STANDARD_INFORMATION);
        break;
    case FileInternalInformation:
        /* The host's inode number is the file's id on its volume. */
        ((PFILE_INTERNAL_INFORMATION)Buffer)->IndexNumber.QuadPart = (LONGLONG)stat.Inode;
        *Used = sizeof(FILE_INTERNAL_INFORMATION);
        break;
    case FileEaInformation:
        ((PFILE_EA_INFORMATION)Buffer)->EaSize = 0;
        *Used = sizeof(FILE_EA_INFORMATION);
        break;
    case FilePositionInformation:
        /* An asynchronous file's position (the I/O manager answers for synchronous ones). */
        ((PFILE_POSITION_INFORMATION)Buffer)->CurrentByteOffset = FileObject->CurrentByteOffset;
        *Used = sizeof(FILE_POSITION_INFORMATION);
        break;
    case FileNameInformation:
        status = DrvFillName(&name, (PFILE_NAME_INFORMATION)Buffer, Length, Used);
        break;
    case FileNetworkOpenInformation: {
        PFILE_NETWORK_OPEN_INFORMATION info = (PFILE_NETWORK_OPEN_INFORMATION)Buffer;
        FILE_STANDARD_INFORMATION standard;
        HostfsTimes(&stat, &info->CreationTime, &info->LastAccessTime, &info->LastWriteTime, &info->ChangeTime);
        HostfsFillStandard(&stat, Fcb, &standard);
        info->AllocationSize = standard.AllocationSize;
        info->EndOfFile = standard.EndOfFile;
        info->FileAttributes = HostfsAttributesOf(&stat, &last);
        *Used = sizeof(FILE_NETWORK_OPEN_INFORMATION);
        break;
    }
    case FileAttributeTagInformation: {
        PFILE_ATTRIBUTE_TAG_INFORMATION info = (PFILE_ATTRIBUTE_TAG_INFORMATION)Buffer;
        info->FileAttributes = HostfsAttributesOf(&stat, &last);
        info->ReparseTag = 0;
        *Used = sizeof(FILE_ATTRIBUTE_TAG_INFORMATION);
        break;
    }
    default: {
        /* FileAllInformation. Access, mode and alignment are already there: the I/O manager fills them. */
        PFILE_ALL_INFORMATION info = (PFILE_ALL_INFORMATION)Buffer;
        ULONG nameUsed = 0;
        HostfsFillBasic(&stat, &last, &info->BasicInformation);
        HostfsFillStandard(&stat, Fcb, &info->StandardInformation);
        info->InternalInformation.IndexNumber.QuadPart = (LONGLONG)stat.Inode;
        info->EaInformation.EaSize = 0;
        info->PositionInformation.CurrentByteOffset = FileObject->CurrentByteOffset;
        status = DrvFillName(&name, &info->NameInformation, Length - FIELD_OFFSET(FILE_ALL_INFORMATION, NameInformation),
                                &nameUsed);
        *Used = FIELD_OFFSET(FILE_ALL_INFORMATION, NameInformation) + nameUsed;
        break;
    }
    }
    ExFreePoolWithTag(name.Buffer, HOSTFS_TAG);
    return status;
}

NTSTATUS HostfsQueryInformation(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PHOSTFS_DEVICE_EXTENSION extension = (PHOSTFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PHOSTFS_FCB fcb;
    PHOSTFS_CCB ccb;
    ULONG used = 0;
    NTSTATUS status;

    if (!HostfsContextOf(stack->FileObject, &fcb, &ccb)) {
        return HostfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    status = HostfsQueryFile(extension, fcb, ccb, stack->FileObject, stack->Parameters.QueryFile.FileInformationClass,
                             Irp->AssociatedIrp.SystemBuffer, stack->Parameters.QueryFile.Length, &used);
    return HostfsComplete(Irp, status, NT_ERROR(status) ? 0 : used);
}

/* ---- set ---- */

/* 0 leaves a time alone, and so does -1 (stop updating it for this handle: the host keeps no such
 * state). https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_file_basic_information */
static LONGLONG HostfsTimeToSet(_In_ PLARGE_INTEGER Time)
{
    return Time->QuadPart == 0 || Time->QuadPart == -1 ? -1 : Time->QuadPart;
}

/* Times through utimensat; the creation and change times cannot be set on the host and are left as
 * they are. Of the attributes only FILE_ATTRIBUTE_READONLY is kept (the owner write bit); the rest
 * are accepted and not stored (docs/nt-deviations.md). */
static NTSTATUS HostfsSetBasic(_In_ PHOSTFS_FCB Fcb, _In_ PHOSTFS_CCB Ccb, _In_ PFILE_BASIC_INFORMATION Info)
{
    LONGLONG access = HostfsTimeToSet(&Info->LastAccessTime);
    LONGLONG write = HostfsTimeToSet(&Info->LastWriteTime);
    int error;

    if (Info->FileAttributes) {
        if ((Info->FileAttributes & FILE_ATTRIBUTE_DIRECTORY) && !Fcb->Directory) {
            return STATUS_INVALID_PARAMETER;
        }
        if (!Fcb->Directory) {
            error = HostfsSetOwnerWritable(Ccb->Fd, (Info->FileAttributes & FILE_ATTRIBUTE_READONLY) ? 0 : 1);
            if (error != 0) {
                return (NTSTATUS)HostfsStatus(error);
            }
        }
    }
    if (access != -1 || write != -1) {
        error = HostfsSetTimes(Ccb->Fd, access, write);
        if (error != 0) {
            return (NTSTATUS)HostfsStatus(error);
        }
    }
    return STATUS_SUCCESS;
}

/* Whether the directory Path holds any name. */
static BOOLEAN HostfsDirectoryEmpty(_In_ int Fd)
{
    PCHAR path = (PCHAR)ExAllocatePoolWithTag(PagedPool, HOSTFS_MAX_PATH, HOSTFS_TAG);
    BOOLEAN empty = TRUE;
    void *dir;
    int error;

    if (!path) {
        return TRUE;
    }
    if (NT_SUCCESS(HostfsPathOfFd(Fd, path, HOSTFS_MAX_PATH))) {
        dir = HostfsDirOpen(path, &error);
        if (dir) {
            empty = HostfsDirNext(dir) == NULL;
            HostfsDirClose(dir);
        }
    }
    ExFreePoolWithTag(path, HOSTFS_TAG);
    return empty;
}

/* FileDispositionInformation: the file is deleted when its last handle closes. A read-only file or
 * the root cannot be (STATUS_CANNOT_DELETE), nor a directory with names in it
 * (STATUS_DIRECTORY_NOT_EMPTY), nor a file whose host directory this process may not change
 * (STATUS_ACCESS_DENIED). Lock held.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/ns-ntddk-_file_disposition_information */
static NTSTATUS HostfsSetDisposition(_In_ PHOSTFS_FCB Fcb, _In_ PHOSTFS_CCB Ccb, _In_ BOOLEAN Delete)
{
    HOSTFS_STAT stat;
    int error;

    if (!Delete) {
        Fcb->DeletePending = FALSE;
        return STATUS_SUCCESS;
    }
    if (Fcb->Root) {
        return STATUS_CANNOT_DELETE;
    }
    error = HostfsStatFd(Ccb->Fd, &stat);
    if (error != 0) {
        return (NTSTATUS)HostfsStatus(error);
    }
    if (!stat.Directory && !stat.OwnerWritable) {
        return STATUS_CANNOT_DELETE;
    }
    if (stat.Directory && !HostfsDirectoryEmpty(Ccb->Fd)) {
        return STATUS_DIRECTORY_NOT_EMPTY;
    }
    /* The host would refuse the removal at the last cleanup: refused now, as NTFS refuses a delete
     * the file's directory does not allow. */
    error = HostfsCanRemove(Ccb->Fd);
    if (error != 0) {
        return (NTSTATUS)HostfsStatus(error);
    }
    Fcb->DeletePending = TRUE;
    return STATUS_SUCCESS;
}

static NTSTATUS HostfsSetEndOfFile(_In_ PHOSTFS_FCB Fcb, _In_ PHOSTFS_CCB Ccb, _In_ LONGLONG Size, _In_ BOOLEAN Shrink)
{
    HOSTFS_STAT stat;
    int error;

    if (Fcb->Directory) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Size < 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!Shrink) {
        /* FileAllocationInformation: the host allocates as data is written; only a smaller
         * allocation than the file's size changes it (the file is cut to it). */
        error = HostfsStatFd(Ccb->Fd, &stat);
        if (error != 0) {
            return (NTSTATUS)HostfsStatus(error);
        }
        if (Size >= stat.Size) {
            return STATUS_SUCCESS;
        }
    }
    error = HostfsTruncate(Ccb->Fd, Size);
    return error == 0 ? STATUS_SUCCESS : (NTSTATUS)HostfsStatus(error);
}

/* FileRenameInformation: into the directory SL_OPEN_TARGET_DIRECTORY opened (TargetFile, its
 * FileName the new last component), or a new name in the same directory. An existing target (found
 * ignoring case) is STATUS_OBJECT_NAME_COLLISION without ReplaceIfExists; with it, a directory, a
 * read-only file or an open file in the way is STATUS_ACCESS_DENIED, as on NTFS. A change of case
 * only renames. Lock held.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_file_rename_information */
static NTSTATUS HostfsRename(_In_ PHOSTFS_DEVICE_EXTENSION Extension, _In_ PHOSTFS_FCB Fcb, _In_ PHOSTFS_CCB Ccb,
                             _In_ PIO_STACK_LOCATION Stack, _In_ PFILE_RENAME_INFORMATION Info)
{
    PFILE_OBJECT targetFile = Stack->Parameters.SetFile.FileObject;
    BOOLEAN replace = Stack->Parameters.SetFile.ReplaceIfExists || Info->ReplaceIfExists;
    UNICODE_STRING newName;
    PCHAR source;
    PCHAR directory;
    PHOSTFS_LOOKUP lookup;
    NTSTATUS status;
    USHORT i;
    int error;

    if (Fcb->Root) {
        return STATUS_INVALID_PARAMETER;
    }
    if (targetFile) {
        PHOSTFS_FCB targetFcb;
        PHOSTFS_CCB targetCcb;
        if (!HostfsContextOf(targetFile, &targetFcb, &targetCcb) || !targetFcb->Directory) {
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
    }
    if (newName.Length == 0) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    source = (PCHAR)ExAllocatePoolWithTag(PagedPool, HOSTFS_MAX_PATH, HOSTFS_TAG);
    directory = (PCHAR)ExAllocatePoolWithTag(PagedPool, HOSTFS_MAX_PATH, HOSTFS_TAG);
    lookup = (PHOSTFS_LOOKUP)ExAllocatePoolWithTag(PagedPool, sizeof(HOSTFS_LOOKUP), HOSTFS_TAG);
    if (!source || !directory || !lookup) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto out;
    }
    status = HostfsPathOfFd(Ccb->Fd, source, HOSTFS_MAX_PATH);
    if (!NT_SUCCESS(status)) {
        goto out;
    }
    if (targetFile) {
        status = HostfsPathOfFd(((PHOSTFS_CCB)targetFile->FsContext2)->Fd, directory, HOSTFS_MAX_PATH);
        if (!NT_SUCCESS(status)) {
            goto out;
        }
    } else {
        PCHAR slash = strrchr(source, '/');
        ULONG length = slash ? (ULONG)(slash - source) : 0;
        RtlCopyMemory(directory, source, length);
        directory[length] = '\0';
    }
    status = HostfsLookup(directory, &newName, lookup);
    if (!NT_SUCCESS(status)) {
        goto out;
    }
    if (lookup->Exists && !(lookup->Stat.Device == Fcb->HostDevice && lookup->Stat.Inode == Fcb->HostInode)) {
        PLIST_ENTRY entry;
        if (!replace) {
            status = STATUS_OBJECT_NAME_COLLISION;
            goto out;
        }
        if (lookup->Stat.Directory || !lookup->Stat.OwnerWritable) {
            status = STATUS_ACCESS_DENIED;
            goto out;
        }
        for (entry = Extension->Fcbs.Flink; entry != &Extension->Fcbs; entry = entry->Flink) {
            PHOSTFS_FCB open = CONTAINING_RECORD(entry, HOSTFS_FCB, ListEntry);
            if (open->HostDevice == lookup->Stat.Device && open->HostInode == lookup->Stat.Inode &&
                open->OpenHandles) {
                status = STATUS_ACCESS_DENIED;
                goto out;
            }
        }
        /* The existing name may differ in case from the new one: it goes, the new spelling comes. */
        error = HostfsRemove(lookup->Path, 0);
        if (error != 0) {
            status = (NTSTATUS)HostfsStatus(error);
            goto out;
        }
    }
    /* The new name as given (HostfsLookup put the existing spelling in Path; build it again). */
    {
        ULONG used = 0;
        ULONG at = lookup->ParentLength;
        lookup->Path[at] = '/';
        status = RtlUnicodeToUTF8N(lookup->Path + at + 1, HOSTFS_MAX_PATH - at - 2, &used, newName.Buffer, newName.Length);
        if (status != STATUS_SUCCESS) {
            status = STATUS_OBJECT_NAME_INVALID;
            goto out;
        }
        lookup->Path[at + 1 + used] = '\0';
    }
    error = HostfsRenamePath(source, lookup->Path, 1);
    status = error == 0 ? STATUS_SUCCESS : (NTSTATUS)HostfsStatus(error);
out:
    if (source) {
        ExFreePoolWithTag(source, HOSTFS_TAG);
    }
    if (directory) {
        ExFreePoolWithTag(directory, HOSTFS_TAG);
    }
    if (lookup) {
        ExFreePoolWithTag(lookup, HOSTFS_TAG);
    }
    return status;
}

NTSTATUS HostfsSetInformation(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PHOSTFS_DEVICE_EXTENSION extension = (PHOSTFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = stack->FileObject;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    PHOSTFS_FCB fcb;
    PHOSTFS_CCB ccb;
    NTSTATUS status;

    if (!HostfsContextOf(file, &fcb, &ccb)) {
        return HostfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    HostfsLock(extension);
    switch (stack->Parameters.SetFile.FileInformationClass) {
    case FileBasicInformation:
        status = HostfsSetBasic(fcb, ccb, (PFILE_BASIC_INFORMATION)buffer);
        break;
    case FileDispositionInformation:
        status = HostfsSetDisposition(fcb, ccb, ((PFILE_DISPOSITION_INFORMATION)buffer)->DeleteFile);
        break;
    case FilePositionInformation:
        file->CurrentByteOffset = ((PFILE_POSITION_INFORMATION)buffer)->CurrentByteOffset;
        status = STATUS_SUCCESS;
        break;
    case FileEndOfFileInformation:
        /* The lazy writer's advance of the valid data length: nothing is cached here. */
        status = stack->Parameters.SetFile.AdvanceOnly
                     ? STATUS_SUCCESS
                     : HostfsSetEndOfFile(fcb, ccb, ((PFILE_END_OF_FILE_INFORMATION)buffer)->EndOfFile.QuadPart, TRUE);
        break;
    case FileAllocationInformation:
        status = HostfsSetEndOfFile(fcb, ccb, ((PFILE_ALLOCATION_INFORMATION)buffer)->AllocationSize.QuadPart, FALSE);
        break;
    case FileRenameInformation:
        status = HostfsRename(extension, fcb, ccb, stack, (PFILE_RENAME_INFORMATION)buffer);
        break;
    default:
        status = STATUS_INVALID_PARAMETER;
        break;
    }
    HostfsUnlock(extension);
    return HostfsComplete(Irp, status, 0);
}
