/* IRP_MJ_CREATE: files and directories by path (from the root or relative to an open directory) with
 * every disposition, FILE_DIRECTORY_FILE / FILE_NON_DIRECTORY_FILE, FILE_DELETE_ON_CLOSE, a trailing
 * backslash, SL_OPEN_TARGET_DIRECTORY (the target of a rename), and share access through
 * IoCheckShareAccess on the FCB every open of the host file shares. The host's permissions decide
 * what may be opened for what: a host EACCES is STATUS_ACCESS_DENIED.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocreatefile (dispositions and
 * the Information values) */
#include "hostfs.h"
#include "fs_answers.h"

#define HOSTFS_WRITE_ACCESS (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_ADD_SUBDIRECTORY | FILE_DELETE_CHILD)

static const GENERIC_MAPPING HostfsFileMapping = {FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE,
                                                  FILE_ALL_ACCESS};

typedef struct _HOSTFS_CREATE {
    PHOSTFS_DEVICE_EXTENSION Extension;
    PFILE_OBJECT FileObject;
    ULONG Disposition;
    ULONG Options;
    ACCESS_MASK Access;
    USHORT ShareAccess;
    ULONG FileAttributes;
    BOOLEAN TrailingBackslash;
    BOOLEAN Root;
    HOSTFS_LOOKUP Lookup;
} HOSTFS_CREATE, *PHOSTFS_CREATE;

/* How the host descriptor is opened for the access asked: data rights need a read or write
 * descriptor (the host checks its permissions there), anything else an O_PATH one. */
static int HostfsOpenMode(ACCESS_MASK Access, BOOLEAN Directory)
{
    int how = 0;
    if (Directory) {
        return HOSTFS_OPEN_DIRECTORY | ((Access & FILE_LIST_DIRECTORY) ? HOSTFS_OPEN_READ : HOSTFS_OPEN_PATH);
    }
    if (Access & (FILE_READ_DATA | FILE_EXECUTE)) {
        how |= HOSTFS_OPEN_READ;
    }
    if (Access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) {
        how |= HOSTFS_OPEN_WRITE;
    }
    return how ? how : HOSTFS_OPEN_PATH;
}

/* Connects the file object to the FCB of the host file Fd has open, with a new CCB owning Fd, and
 * records the open's share access (checked against the other opens first unless Checked). Fd is
 * closed on failure. Lock held. */
static NTSTATUS HostfsAttach(_In_ PHOSTFS_CREATE Create, _In_ int Fd, _In_ PHOSTFS_FCB Known)
{
    PHOSTFS_FCB fcb = Known;
    PHOSTFS_CCB ccb;
    HOSTFS_STAT stat;
    int error;

    if (!fcb) {
        error = HostfsStatFd(Fd, &stat);
        if (error != 0) {
            HostfsCloseFd(Fd);
            return (NTSTATUS)HostfsStatus(error);
        }
        fcb = HostfsReferenceFcb_locked(Create->Extension, &stat);
        if (!fcb) {
            HostfsCloseFd(Fd);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    ccb = (PHOSTFS_CCB)ExAllocatePoolZero(NonPagedPoolNx, sizeof(HOSTFS_CCB), HOSTFS_TAG);
    if (!ccb) {
        HostfsDereferenceFcb_locked(fcb);
        HostfsCloseFd(Fd);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (fcb->OpenHandles == 0) {
        IoSetShareAccess(Create->Access, Create->ShareAccess, Create->FileObject, &fcb->ShareAccess);
    } else {
        IoUpdateShareAccess(Create->FileObject, &fcb->ShareAccess);
    }
    ccb->Fd = Fd;
    ccb->DeleteOnClose = (Create->Options & FILE_DELETE_ON_CLOSE) != 0;
    fcb->Root = fcb->Root || Create->Root;
    fcb->OpenHandles++;
    Create->FileObject->FsContext = fcb;
    Create->FileObject->FsContext2 = ccb;
    return STATUS_SUCCESS;
}

static NTSTATUS HostfsOpenExisting(_In_ PHOSTFS_CREATE Create, _Out_ PULONG_PTR Information)
{
    const HOSTFS_STAT *stat = &Create->Lookup.Stat;
    BOOLEAN directory = stat->Directory ? TRUE : FALSE;
    ULONG disposition = Create->Disposition;
    BOOLEAN overwrite = DrvOverwrites(disposition);
    PHOSTFS_FCB fcb;
    NTSTATUS status;
    int how;
    int fd;

    if (Create->Root) {
        /* The volume's root cannot be made, replaced or deleted. */
        if (Create->Options & FILE_NON_DIRECTORY_FILE) {
            return STATUS_FILE_IS_A_DIRECTORY;
        }
        if (disposition != FILE_OPEN && disposition != FILE_OPEN_IF) {
            return STATUS_ACCESS_DENIED;
        }
        if (Create->Options & FILE_DELETE_ON_CLOSE) {
            return STATUS_CANNOT_DELETE;
        }
    }
    /* A file without the owner write bit is read-only: no writing, overwriting or deleting. */
    status = DrvCheckOpenExisting(directory, !stat->OwnerWritable, disposition, Create->Options,
                                  Create->TrailingBackslash, (Create->Access & HOSTFS_WRITE_ACCESS) != 0);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    fcb = HostfsReferenceFcb_locked(Create->Extension, stat);
    if (!fcb) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (fcb->DeletePending) {
        status = STATUS_DELETE_PENDING;
    } else if (fcb->OpenHandles != 0) {
        status = IoCheckShareAccess(Create->Access, Create->ShareAccess, Create->FileObject, &fcb->ShareAccess, FALSE);
    } else {
        status = STATUS_SUCCESS;
    }
    if (!NT_SUCCESS(status)) {
        HostfsDereferenceFcb_locked(fcb);
        return status;
    }
    how = HostfsOpenMode(Create->Access, directory);
    if (overwrite) {
        /* Cut to zero through the descriptor the open keeps: a write descriptor whatever the access
         * asked (the I/O manager checks the handle's access before each request). */
        how = (how & ~HOSTFS_OPEN_PATH) | HOSTFS_OPEN_WRITE | HOSTFS_OPEN_TRUNCATE;
    }
    fd = HostfsOpen(Create->Lookup.Path, how);
    if (fd < 0) {
        HostfsDereferenceFcb_locked(fcb);
        return (NTSTATUS)HostfsStatus(fd);
    }
    if (overwrite && (Create->FileAttributes & FILE_ATTRIBUTE_READONLY)) {
        (void)HostfsSetOwnerWritable(fd, 0);
    }
    status = HostfsAttach(Create, fd, fcb);
    if (NT_SUCCESS(status)) {
        *Information = disposition == FILE_SUPERSEDE ? FILE_SUPERSEDED : overwrite ? FILE_OVERWRITTEN : FILE_OPENED;
    }
    return status;
}

static NTSTATUS HostfsCreateNew(_In_ PHOSTFS_CREATE Create, _Out_ PULONG_PTR Information)
{
    BOOLEAN directory = (Create->Options & FILE_DIRECTORY_FILE) != 0;
    NTSTATUS status;
    int error;
    int fd;

    status = DrvCheckCreateNew(Create->Disposition, Create->Options, Create->TrailingBackslash);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (directory) {
        error = HostfsMakeDirectory(Create->Lookup.Path);
        if (error != 0) {
            return (NTSTATUS)HostfsStatus(error);
        }
        fd = HostfsOpen(Create->Lookup.Path, HostfsOpenMode(Create->Access, TRUE));
        if (fd < 0) {
            (void)HostfsRemove(Create->Lookup.Path, 1);
            return (NTSTATUS)HostfsStatus(fd);
        }
    } else {
        /* Created with a descriptor that can write whatever the access (a new file is writable by its
         * creator, even with FILE_ATTRIBUTE_READONLY). */
        fd = HostfsOpen(Create->Lookup.Path,
                        (HostfsOpenMode(Create->Access, FALSE) & ~HOSTFS_OPEN_PATH) | HOSTFS_OPEN_READ |
                            HOSTFS_OPEN_WRITE | HOSTFS_OPEN_CREATE);
        if (fd < 0) {
            return (NTSTATUS)HostfsStatus(fd);
        }
        if (Create->FileAttributes & FILE_ATTRIBUTE_READONLY) {
            (void)HostfsSetOwnerWritable(fd, 0);
        }
    }
    status = HostfsAttach(Create, fd, NULL);
    if (!NT_SUCCESS(status)) {
        (void)HostfsRemove(Create->Lookup.Path, directory);
        return status;
    }
    *Information = FILE_CREATED;
    return STATUS_SUCCESS;
}

/* SL_OPEN_TARGET_DIRECTORY: the directory that would hold the name is opened, FileName is left
 * holding the last component, and Information says whether it exists (FILE_EXISTS or
 * FILE_DOES_NOT_EXIST). https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create */
static NTSTATUS HostfsOpenTarget(_In_ PHOSTFS_CREATE Create, _In_z_ PCSTR Start, _In_ PCUNICODE_STRING Name,
                                 _Out_ PULONG_PTR Information)
{
    PUNICODE_STRING fileName = &Create->FileObject->FileName;
    UNICODE_STRING parent = *Name;
    UNICODE_STRING component;
    BOOLEAN exists;
    NTSTATUS status;
    int fd;

    if (Name->Length == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    status = HostfsLookup(Start, Name, &Create->Lookup);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    exists = Create->Lookup.Exists;
    while (parent.Length && parent.Buffer[parent.Length / sizeof(WCHAR) - 1] != L'\\') {
        parent.Length -= sizeof(WCHAR);
    }
    component.Buffer = Name->Buffer + parent.Length / sizeof(WCHAR);
    component.Length = (USHORT)(Name->Length - parent.Length);
    if (parent.Length) {
        parent.Length -= sizeof(WCHAR);
    }
    status = HostfsLookup(Start, &parent, &Create->Lookup);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (!Create->Lookup.Exists || !Create->Lookup.Stat.Directory) {
        return STATUS_OBJECT_PATH_NOT_FOUND;
    }
    fd = HostfsOpen(Create->Lookup.Path, HostfsOpenMode(Create->Access, TRUE));
    if (fd < 0) {
        return (NTSTATUS)HostfsStatus(fd);
    }
    Create->Options &= ~FILE_DELETE_ON_CLOSE;
    status = HostfsAttach(Create, fd, NULL);
    if (NT_SUCCESS(status)) {
        RtlMoveMemory(fileName->Buffer, component.Buffer, component.Length);
        fileName->Length = component.Length;
        *Information = exists ? FILE_EXISTS : FILE_DOES_NOT_EXIST;
    }
    return status;
}

static NTSTATUS HostfsCreateFile(_In_ PHOSTFS_DEVICE_EXTENSION Extension, _In_ PIO_STACK_LOCATION Stack,
                                 _Out_ PULONG_PTR Information)
{
    PFILE_OBJECT file = Stack->FileObject;
    PFILE_OBJECT related = file->RelatedFileObject;
    UNICODE_STRING name = file->FileName;
    PHOSTFS_CREATE create;
    PCHAR start;
    NTSTATUS status;

    create = (PHOSTFS_CREATE)ExAllocatePoolZero(PagedPool, sizeof(HOSTFS_CREATE), HOSTFS_TAG);
    start = (PCHAR)ExAllocatePoolWithTag(PagedPool, HOSTFS_MAX_PATH, HOSTFS_TAG);
    if (!create || !start) {
        if (create) {
            ExFreePoolWithTag(create, HOSTFS_TAG);
        }
        if (start) {
            ExFreePoolWithTag(start, HOSTFS_TAG);
        }
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    create->Extension = Extension;
    create->FileObject = file;
    create->Disposition = Stack->Parameters.Create.Options >> 24;
    create->Options = Stack->Parameters.Create.Options & FILE_VALID_OPTION_FLAGS;
    create->Access = Stack->Parameters.Create.SecurityContext->DesiredAccess;
    RtlMapGenericMask(&create->Access, &HostfsFileMapping);
    create->ShareAccess = Stack->Parameters.Create.ShareAccess;
    create->FileAttributes = Stack->Parameters.Create.FileAttributes;

    status = STATUS_SUCCESS;
    if (related) {
        PHOSTFS_FCB relatedFcb;
        PHOSTFS_CCB relatedCcb;
        if (!HostfsContextOf(related, &relatedFcb, &relatedCcb)) {
            status = STATUS_INVALID_PARAMETER;
        } else if (name.Length && name.Buffer[0] == L'\\') {
            status = STATUS_OBJECT_NAME_INVALID;
        } else {
            status = HostfsPathOfFd(relatedCcb->Fd, start, HOSTFS_MAX_PATH);
            create->Root = relatedFcb->Root && name.Length == 0;
        }
    } else {
        /* The volume itself (\Device\HostFs) is its root directory. */
        if (name.Length && name.Buffer[0] != L'\\') {
            status = STATUS_OBJECT_NAME_INVALID;
        } else if (name.Length) {
            name.Buffer++;
            name.Length -= sizeof(WCHAR);
        }
        RtlCopyMemory(start, Extension->Root, Extension->RootLength + 1);
        create->Root = name.Length == 0;
    }
    if (NT_SUCCESS(status) && name.Length >= sizeof(WCHAR) && name.Buffer[name.Length / sizeof(WCHAR) - 1] == L'\\') {
        name.Length -= sizeof(WCHAR);
        create->TrailingBackslash = TRUE;
        if (name.Length == 0 || name.Buffer[name.Length / sizeof(WCHAR) - 1] == L'\\') {
            status = STATUS_OBJECT_NAME_INVALID;
        }
    }
    if (NT_SUCCESS(status)) {
        HostfsLock(Extension);
        if (Stack->Flags & SL_OPEN_TARGET_DIRECTORY) {
            status = HostfsOpenTarget(create, start, &name, Information);
        } else {
            status = HostfsLookup(start, &name, &create->Lookup);
            if (NT_SUCCESS(status)) {
                status = create->Lookup.Exists ? HostfsOpenExisting(create, Information)
                                               : HostfsCreateNew(create, Information);
            }
        }
        HostfsUnlock(Extension);
    }
    ExFreePoolWithTag(start, HOSTFS_TAG);
    ExFreePoolWithTag(create, HOSTFS_TAG);
    return status;
}

NTSTATUS HostfsCreate(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PHOSTFS_DEVICE_EXTENSION extension = (PHOSTFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    ULONG_PTR information = 0;
    NTSTATUS status = HostfsCreateFile(extension, IoGetCurrentIrpStackLocation(Irp), &information);
    return HostfsComplete(Irp, status, NT_SUCCESS(status) ? information : 0);
}
