/* pnp_sys_function.sys: a WDM function driver for a root-enumerated test device, written as the WDK
 * samples teach: AddDevice creates and attaches an FDO and registers a device interface; START is
 * handled after the bus (and fails when the service key has FailStart = 1); the interface is enabled
 * while started; reads return 'S' bytes; REMOVE waits for the remove lock, passes the IRP down,
 * detaches and deletes. It reports its loads, unloads, adds and removes (pnp_sys_report.h). */
#include <ntddk.h>

#include "pnp_sys_report.h"

/* {5c1c1e6e-4b5a-4e3a-9d53-3f1a1f7a0002} */
static const GUID GUID_PNP_SYS_TEST = {0x5c1c1e6e, 0x4b5a, 0x4e3a, {0x9d, 0x53, 0x3f, 0x1a, 0x1f, 0x7a, 0x00, 0x02}};

DRIVER_INITIALIZE DriverEntry;
static DRIVER_ADD_DEVICE FnAddDevice;
static DRIVER_DISPATCH FnPnp;
static DRIVER_DISPATCH FnPower;
static DRIVER_DISPATCH FnCreateClose;
static DRIVER_DISPATCH FnRead;
static DRIVER_UNLOAD FnUnload;

typedef struct _FN_EXTENSION {
    PDEVICE_OBJECT Lower;
    UNICODE_STRING Link;
    IO_REMOVE_LOCK RemoveLock;
    BOOLEAN SurpriseRemoved;
} FN_EXTENSION, *PFN_EXTENSION;

static ULONG g_image_loads;

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS FnAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo = NULL;
    PFN_EXTENSION ext;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(FN_EXTENSION), NULL, FILE_DEVICE_UNKNOWN,
                                     FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    ext = (PFN_EXTENSION)fdo->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    IoInitializeRemoveLock(&ext->RemoveLock, 'sPnP', 0, 0);
    status = IoRegisterDeviceInterface(Pdo, &GUID_PNP_SYS_TEST, NULL, &ext->Link);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(fdo);
        return status;
    }
    ext->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (!ext->Lower) {
        RtlFreeUnicodeString(&ext->Link);
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    ReportBump(L"Adds");
    return STATUS_SUCCESS;
}

static NTSTATUS FnPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFN_EXTENSION ext = (PFN_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return Complete(Irp, status, 0);

    switch (sp->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = IoForwardIrpSynchronously(ext->Lower, Irp) ? Irp->IoStatus.Status : STATUS_UNSUCCESSFUL;
        if (NT_SUCCESS(status) && ReportGet(L"FailStart") != 0)
            status = STATUS_DEVICE_CONFIGURATION_ERROR;
        if (NT_SUCCESS(status))
            (VOID)IoSetDeviceInterfaceState(&ext->Link, TRUE);
        Complete(Irp, status, 0);
        IoReleaseRemoveLock(&ext->RemoveLock, Irp);
        return status;
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    case IRP_MN_SURPRISE_REMOVAL:
        ext->SurpriseRemoved = TRUE;
        (VOID)IoSetDeviceInterfaceState(&ext->Link, FALSE);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    case IRP_MN_REMOVE_DEVICE:
        ReportBump(L"Removes");
        if (!ext->SurpriseRemoved)
            (VOID)IoSetDeviceInterfaceState(&ext->Link, FALSE);
        IoReleaseRemoveLockAndWait(&ext->RemoveLock, Irp);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->Lower, Irp);
        IoDetachDevice(ext->Lower);
        RtlFreeUnicodeString(&ext->Link);
        IoDeleteDevice(DeviceObject);
        return status;
    default:
        break;
    }
    IoSkipCurrentIrpStackLocation(Irp);
    status = IoCallDriver(ext->Lower, Irp);
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}

static NTSTATUS FnPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFN_EXTENSION ext = (PFN_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    if (sp->MinorFunction == IRP_MN_SET_POWER && sp->Parameters.Power.Type == DevicePowerState)
        (VOID)PoSetPowerState(DeviceObject, DevicePowerState, sp->Parameters.Power.State);
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(ext->Lower, Irp);
}

static NTSTATUS FnCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFN_EXTENSION ext = (PFN_EXTENSION)DeviceObject->DeviceExtension;
    NTSTATUS status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return Complete(Irp, status, 0);
    Complete(Irp, STATUS_SUCCESS, 0);
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return STATUS_SUCCESS;
}

static NTSTATUS FnRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFN_EXTENSION ext = (PFN_EXTENSION)DeviceObject->DeviceExtension;
    ULONG length = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
    NTSTATUS status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return Complete(Irp, status, 0);
    RtlFillMemory(Irp->AssociatedIrp.SystemBuffer, length, 'S');
    Complete(Irp, STATUS_SUCCESS, length);
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return STATUS_SUCCESS;
}

static VOID FnUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ReportBump(L"Unloads");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    ReportInit(RegistryPath);
    g_image_loads++;
    ReportSet(L"ImageLoads", g_image_loads);
    ReportBump(L"Entries");
    DriverObject->DriverExtension->AddDevice = FnAddDevice;
    DriverObject->MajorFunction[IRP_MJ_PNP] = FnPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = FnPower;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = FnCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = FnCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = FnCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = FnRead;
    DriverObject->DriverUnload = FnUnload;
    return STATUS_SUCCESS;
}
