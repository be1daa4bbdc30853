/* hostfs.sys, the host file system: one volume device, \Device\HostFs, whose files are the host's
 * files under the directory its Parameters key names (Root, default "/"); the system's \??\C: links
 * to it. This file holds DriverEntry, DriverUnload and the helpers every dispatch file uses (the FCB
 * table, completion, attributes). */
#include "hostfs.h"
#include "driver_parameters.h"

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD HostfsUnload;

/* {4E54494F-0014-486F-7374-000000000001}: the class of ntio's host file system device. */
static const GUID HostfsClassGuid = {0x4E54494F, 0x0014, 0x486F, {0x73, 0x74, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}};

NTSTATUS HostfsComplete(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_DISK_INCREMENT);
    return Status;
}

VOID HostfsLock(_In_ PHOSTFS_DEVICE_EXTENSION Extension)
{
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&Extension->Lock, TRUE);
}

VOID HostfsUnlock(_In_ PHOSTFS_DEVICE_EXTENSION Extension)
{
    ExReleaseResourceLite(&Extension->Lock);
    KeLeaveCriticalRegion();
}

BOOLEAN HostfsContextOf(_In_ PFILE_OBJECT FileObject, _Out_ PHOSTFS_FCB *Fcb, _Out_ PHOSTFS_CCB *Ccb)
{
    *Fcb = (PHOSTFS_FCB)FileObject->FsContext;
    *Ccb = (PHOSTFS_CCB)FileObject->FsContext2;
    return *Fcb != NULL && *Ccb != NULL && (*Fcb)->NodeType == HOSTFS_NODE_FCB;
}

PHOSTFS_FCB HostfsReferenceFcb_locked(_In_ PHOSTFS_DEVICE_EXTENSION Extension, _In_ const HOSTFS_STAT *Stat)
{
    PLIST_ENTRY entry;
    PHOSTFS_FCB fcb;

    for (entry = Extension->Fcbs.Flink; entry != &Extension->Fcbs; entry = entry->Flink) {
        fcb = CONTAINING_RECORD(entry, HOSTFS_FCB, ListEntry);
        if (fcb->HostDevice == Stat->Device && fcb->HostInode == Stat->Inode) {
            fcb->References++;
            return fcb;
        }
    }
    fcb = (PHOSTFS_FCB)ExAllocatePoolZero(NonPagedPoolNx, sizeof(HOSTFS_FCB), HOSTFS_TAG);
    if (!fcb) {
        return NULL;
    }
    fcb->NodeType = HOSTFS_NODE_FCB;
    fcb->HostDevice = Stat->Device;
    fcb->HostInode = Stat->Inode;
    fcb->Directory = Stat->Directory ? TRUE : FALSE;
    fcb->References = 1;
    FsRtlInitializeFileLock(&fcb->FileLock, NULL, NULL);
    InsertTailList(&Extension->Fcbs, &fcb->ListEntry);
    return fcb;
}

VOID HostfsDereferenceFcb_locked(_In_ PHOSTFS_FCB Fcb)
{
    if (--Fcb->References != 0) {
        return;
    }
    /* A deleted file's FCB left the list at its last cleanup (its inode may be reused). */
    RemoveEntryList(&Fcb->ListEntry);
    FsRtlUninitializeFileLock(&Fcb->FileLock);
    ExFreePoolWithTag(Fcb, HOSTFS_TAG);
}

/* FILE_ATTRIBUTE_DIRECTORY for directories, FILE_ATTRIBUTE_ARCHIVE for files (what NTFS gives a file
 * that was written), FILE_ATTRIBUTE_READONLY when the owner write bit is clear (a file's only: a
 * read-only directory on Windows does not stop changes in it), FILE_ATTRIBUTE_HIDDEN for names
 * starting with a dot other than "." and ".." (a guess at what a Windows user expects of Unix dot
 * files; docs/nt-deviations.md). FILE_ATTRIBUTE_NORMAL alone when nothing else applies.
 * https://learn.microsoft.com/windows/win32/fileio/file-attribute-constants */
ULONG HostfsAttributesOf(_In_ const HOSTFS_STAT *Stat, _In_opt_ PCUNICODE_STRING Name)
{
    ULONG attributes = Stat->Directory ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE;
    if (!Stat->Directory && !Stat->OwnerWritable) {
        attributes |= FILE_ATTRIBUTE_READONLY;
    }
    if (Name && Name->Length >= 2 * sizeof(WCHAR) && Name->Buffer[0] == L'.' &&
        !(Name->Length == 2 * sizeof(WCHAR) && Name->Buffer[1] == L'.')) {
        attributes |= FILE_ATTRIBUTE_HIDDEN;
    }
    return attributes;
}

/* The Root value of the Parameters key (REG_SZ or REG_EXPAND_SZ, a host directory starting with
 * '/'), as UTF-8 without its trailing slashes. Absent: "/". */
static NTSTATUS HostfsReadRoot(_In_ PUNICODE_STRING RegistryPath, _Inout_ PHOSTFS_DEVICE_EXTENSION Extension)
{
    UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + 1024 * sizeof(WCHAR)];
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    HANDLE key = NULL;
    ULONG used = 0;
    ULONG chars;
    NTSTATUS status;

    Extension->Root[0] = '\0';
    Extension->RootLength = 0;
    if (!NT_SUCCESS(DrvOpenParameters(RegistryPath, &key))) {
        return STATUS_SUCCESS;
    }
    status = DrvQueryValue(key, L"Root", info, sizeof(buffer));
    ZwClose(key);
    if (status == STATUS_OBJECT_NAME_NOT_FOUND) {
        return STATUS_SUCCESS;
    }
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if ((info->Type != REG_SZ && info->Type != REG_EXPAND_SZ) || info->DataLength < sizeof(WCHAR)) {
        return STATUS_INVALID_PARAMETER;
    }
    chars = info->DataLength / sizeof(WCHAR);
    while (chars && ((PWCHAR)info->Data)[chars - 1] == L'\0') {
        --chars;
    }
    if (chars == 0 || ((PWCHAR)info->Data)[0] != L'/') {
        return STATUS_INVALID_PARAMETER;
    }
    status = RtlUnicodeToUTF8N(Extension->Root, sizeof(Extension->Root) - 1, &used, (PCWCH)info->Data,
                               chars * sizeof(WCHAR));
    if (status != STATUS_SUCCESS) {
        return STATUS_INVALID_PARAMETER;
    }
    while (used && Extension->Root[used - 1] == '/') {
        --used;
    }
    Extension->Root[used] = '\0';
    Extension->RootLength = used;
    return STATUS_SUCCESS;
}

VOID HostfsUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    PHOSTFS_DEVICE_EXTENSION extension = (PHOSTFS_DEVICE_EXTENSION)DriverObject->DeviceObject->DeviceExtension;
    ExDeleteResourceLite(&extension->Lock);
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(HOSTFS_DEVICE_NAME);
    UNICODE_STRING sddl = RTL_CONSTANT_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R);
    PDEVICE_OBJECT device = NULL;
    PHOSTFS_DEVICE_EXTENSION extension;
    HOSTFS_STAT root;
    HOSTFS_VOLUME_STAT volume;
    NTSTATUS status;
    int error;

    /* A disk file system device (not a network one): C: is the system's fixed drive, and programs
     * treat DRIVE_REMOTE volumes differently. No VPB and no IoRegisterFileSystem: the device is the
     * volume, opened directly, as a redirector's device is. Any user may open files; the host's
     * permissions decide what they may do with them. */
    status = IoCreateDeviceSecure(DriverObject, sizeof(HOSTFS_DEVICE_EXTENSION), &name, FILE_DEVICE_DISK_FILE_SYSTEM,
                                  0, FALSE, &sddl, &HostfsClassGuid, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = (PHOSTFS_DEVICE_EXTENSION)device->DeviceExtension;
    InitializeListHead(&extension->Fcbs);
    status = HostfsReadRoot(RegistryPath, extension);
    if (NT_SUCCESS(status)) {
        error = HostfsStatPath(extension->RootLength ? extension->Root : "/", &root);
        if (error != 0 || !root.Directory) {
            status = STATUS_OBJECT_PATH_NOT_FOUND;
        }
    }
    if (NT_SUCCESS(status)) {
        status = ExInitializeResourceLite(&extension->Lock);
    }
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    /* The volume serial number: the host file system's id, folded to 32 bits. */
    if (HostfsStatVolume(extension->RootLength ? extension->Root : "/", &volume) == 0) {
        extension->SerialNumber = (ULONG)(volume.FileSystemId ^ (volume.FileSystemId >> 32));
    }

    DriverObject->MajorFunction[IRP_MJ_CREATE] = HostfsCreate;
    DriverObject->MajorFunction[IRP_MJ_READ] = HostfsRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = HostfsWrite;
    DriverObject->MajorFunction[IRP_MJ_QUERY_INFORMATION] = HostfsQueryInformation;
    DriverObject->MajorFunction[IRP_MJ_SET_INFORMATION] = HostfsSetInformation;
    DriverObject->MajorFunction[IRP_MJ_DIRECTORY_CONTROL] = HostfsDirectoryControl;
    DriverObject->MajorFunction[IRP_MJ_QUERY_VOLUME_INFORMATION] = HostfsQueryVolumeInformation;
    DriverObject->MajorFunction[IRP_MJ_FLUSH_BUFFERS] = HostfsFlushBuffers;
    DriverObject->MajorFunction[IRP_MJ_LOCK_CONTROL] = HostfsLockControl;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = HostfsCleanup;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = HostfsClose;
    DriverObject->DriverUnload = HostfsUnload;
    /* Reads and writes copy through a system buffer: every request completes at once, on the
     * caller's thread, with synchronous host calls. */
    device->Flags |= DO_BUFFERED_IO;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
