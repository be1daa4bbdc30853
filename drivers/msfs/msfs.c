/* msfs.sys, the mailslot file system: \Device\Mailslot and its \DosDevices\MAILSLOT link (Win32
 * \\.\mailslot\name). This file holds DriverEntry, DriverUnload and the small helpers every dispatch
 * file uses; the mailslot logic is in msfs_create.c, msfs_read_write.c, msfs_information.c and
 * msfs_cleanup.c. */
#include "msfs.h"

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD MsfsUnload;

/* {4E54494F-0012-4D73-6673-000000000001}: the class of ntio's mailslot device. */
static const GUID MsfsClassGuid = {0x4E54494F, 0x0012, 0x4D73, {0x66, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}};

NTSTATUS MsfsComplete(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_MAILSLOT_INCREMENT);
    return Status;
}

VOID MsfsCompleteList(_Inout_ PLIST_ENTRY Irps)
{
    while (!IsListEmpty(Irps)) {
        PLIST_ENTRY entry = RemoveHeadList(Irps);
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        IoCompleteRequest(irp, IO_MAILSLOT_INCREMENT);
    }
}

PMSFS_FCB MsfsFcbOf(_In_ PFILE_OBJECT FileObject, _Out_ PULONG End)
{
    PMSFS_FCB fcb = (PMSFS_FCB)FileObject->FsContext;
    *End = (ULONG)(ULONG_PTR)FileObject->FsContext2;
    if (fcb == NULL || fcb->NodeType != MSFS_NODE_FCB) {
        return NULL;
    }
    return fcb;
}

/* No request is left (every server's cleanup completed its reads), but a read's timer DPC may still
 * be queued, or be returning from the completion that let the last handle close: it must be done
 * before the device extension and this image go. KeFlushQueuedDpcs "returns after all currently
 * queued DPCs on all processors have executed their DPC routines to completion".
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keflushqueueddpcs */
VOID MsfsUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(MSFS_LINK_NAME);
    IoDeleteSymbolicLink(&link);
    KeFlushQueuedDpcs();
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(MSFS_DEVICE_NAME);
    UNICODE_STRING link = RTL_CONSTANT_STRING(MSFS_LINK_NAME);
    UNICODE_STRING sddl = RTL_CONSTANT_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R);
    PDEVICE_OBJECT device = NULL;
    PMSFS_DEVICE_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    /* Any user may create and open mailslots, whoever loaded the driver. */
    status = IoCreateDeviceSecure(DriverObject, sizeof(MSFS_DEVICE_EXTENSION), &name, FILE_DEVICE_MAILSLOT, 0, FALSE,
                                  &sddl, &MsfsClassGuid, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = (PMSFS_DEVICE_EXTENSION)device->DeviceExtension;
    KeInitializeSpinLock(&extension->Lock);
    InitializeListHead(&extension->Mailslots);
    extension->Root.NodeType = MSFS_NODE_ROOT;

    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = MsfsCreate;
    DriverObject->MajorFunction[IRP_MJ_CREATE_MAILSLOT] = MsfsCreateMailslot;
    DriverObject->MajorFunction[IRP_MJ_READ] = MsfsRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = MsfsWrite;
    DriverObject->MajorFunction[IRP_MJ_QUERY_INFORMATION] = MsfsQueryInformation;
    DriverObject->MajorFunction[IRP_MJ_SET_INFORMATION] = MsfsSetInformation;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = MsfsCleanup;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = MsfsClose;
    DriverObject->DriverUnload = MsfsUnload;
    /* Reads and writes arrive with a system buffer: a message is copied from the writer's and into a
     * parked reader's from whichever thread gets there. */
    device->Flags |= DO_BUFFERED_IO;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
