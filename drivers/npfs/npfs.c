/* npfs.sys, the named-pipe file system: \Device\NamedPipe and its \DosDevices\pipe link (Win32
 * \\.\pipe\name). This file holds DriverEntry, DriverUnload and the small helpers every dispatch file
 * uses; the pipe logic is in npfs_create.c, npfs_queue.c, npfs_read_write.c, npfs_fsctl.c,
 * npfs_wait.c, npfs_information.c and npfs_cleanup.c. */
#include "npfs.h"

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD NpfsUnload;

/* {4E54494F-0011-4E70-6673-000000000001}: the class of ntio's named-pipe device. */
static const GUID NpfsClassGuid = {0x4E54494F, 0x0011, 0x4E70, {0x66, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}};

NTSTATUS NpfsComplete(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NAMED_PIPE_INCREMENT);
    return Status;
}

VOID NpfsCompleteList(_Inout_ PLIST_ENTRY Irps)
{
    while (!IsListEmpty(Irps)) {
        PLIST_ENTRY entry = RemoveHeadList(Irps);
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        IoCompleteRequest(irp, IO_NAMED_PIPE_INCREMENT);
    }
}

PNPFS_CCB NpfsCcbOf(_In_ PFILE_OBJECT FileObject, _Out_ PULONG End)
{
    PNPFS_CCB ccb = (PNPFS_CCB)FileObject->FsContext;
    *End = (ULONG)(ULONG_PTR)FileObject->FsContext2;
    if (ccb == NULL || ccb->NodeType != NPFS_NODE_CCB) {
        return NULL;
    }
    return ccb;
}

BOOLEAN NpfsIsRoot(_In_ PNPFS_DEVICE_EXTENSION Extension, _In_ PFILE_OBJECT FileObject)
{
    return FileObject->FsContext == &Extension->Root;
}

/* No request is left (every handle was closed, which completed its waits), but a wait's timer DPC
 * may still be queued, or be returning from the completion that let the last handle close: it must be
 * done before the device extension and this image go. KeFlushQueuedDpcs "returns after all currently
 * queued DPCs on all processors have executed their DPC routines to completion".
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keflushqueueddpcs */
VOID NpfsUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(NPFS_LINK_NAME);
    IoDeleteSymbolicLink(&link);
    KeFlushQueuedDpcs();
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(NPFS_DEVICE_NAME);
    UNICODE_STRING link = RTL_CONSTANT_STRING(NPFS_LINK_NAME);
    UNICODE_STRING sddl = RTL_CONSTANT_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R);
    PDEVICE_OBJECT device = NULL;
    PNPFS_DEVICE_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    /* Any user may create and open pipes, whoever loaded the driver. */
    status = IoCreateDeviceSecure(DriverObject, sizeof(NPFS_DEVICE_EXTENSION), &name, FILE_DEVICE_NAMED_PIPE, 0, FALSE,
                                  &sddl, &NpfsClassGuid, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = (PNPFS_DEVICE_EXTENSION)device->DeviceExtension;
    KeInitializeSpinLock(&extension->Lock);
    InitializeListHead(&extension->Pipes);
    InitializeListHead(&extension->Waiters);
    extension->Root.NodeType = NPFS_NODE_ROOT;

    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = NpfsCreate;
    DriverObject->MajorFunction[IRP_MJ_CREATE_NAMED_PIPE] = NpfsCreateNamedPipe;
    DriverObject->MajorFunction[IRP_MJ_READ] = NpfsRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = NpfsWrite;
    DriverObject->MajorFunction[IRP_MJ_FILE_SYSTEM_CONTROL] = NpfsFileSystemControl;
    DriverObject->MajorFunction[IRP_MJ_QUERY_INFORMATION] = NpfsQueryInformation;
    DriverObject->MajorFunction[IRP_MJ_SET_INFORMATION] = NpfsSetInformation;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = NpfsCleanup;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = NpfsClose;
    DriverObject->MajorFunction[IRP_MJ_FLUSH_BUFFERS] = NpfsFlushBuffers;
    DriverObject->DriverUnload = NpfsUnload;
    /* Reads and writes arrive with a system buffer: queued data and parked reads are reached from
     * whichever thread completes them. */
    device->Flags |= DO_BUFFERED_IO;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
