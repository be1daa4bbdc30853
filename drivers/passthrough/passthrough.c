/* passthrough.sys: the template filter. As a legacy filter (Parameters\AttachTo present) it attaches
 * in DriverEntry over the devices named there; otherwise it is a PnP filter whose AddDevice attaches
 * over the PDO of each device naming it in UpperFilters / LowerFilters. It describes itself like the
 * device below and passes every IRP down untouched by skipping its own stack location, and every fast
 * read and write to the fast I/O routines of the driver below. A filter that needs to see the result
 * copies the location and sets a completion routine instead (see trace.sys). */
#include "filter_attach.h"

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD PassthroughUnload;
DRIVER_ADD_DEVICE PassthroughAddDevice;
DRIVER_DISPATCH PassthroughDispatch;
_Dispatch_type_(IRP_MJ_PNP) DRIVER_DISPATCH PassthroughPnp;

static FAST_IO_DISPATCH PassthroughFastIoDispatch = {
    .SizeOfFastIoDispatch = sizeof(FAST_IO_DISPATCH),
    .FastIoRead = FilterFastIoRead,
    .FastIoWrite = FilterFastIoWrite,
};

NTSTATUS PassthroughDispatch(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PFILTER_EXTENSION extension = (PFILTER_EXTENSION)DeviceObject->DeviceExtension;
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(extension->Lower, Irp);
}

/* REMOVE_DEVICE: pass it down first, then leave the stack and go. */
NTSTATUS PassthroughPnp(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PFILTER_EXTENSION extension = (PFILTER_EXTENSION)DeviceObject->DeviceExtension;
    const UCHAR minor = IoGetCurrentIrpStackLocation(Irp)->MinorFunction;
    PDEVICE_OBJECT lower = extension->Lower;
    NTSTATUS status;

    IoSkipCurrentIrpStackLocation(Irp);
    status = IoCallDriver(lower, Irp);
    if (minor == IRP_MN_REMOVE_DEVICE) {
        IoDetachDevice(lower);
        extension->Lower = NULL;
        IoDeleteDevice(DeviceObject);
    }
    return status;
}

NTSTATUS PassthroughAddDevice(_In_ PDRIVER_OBJECT DriverObject, _In_ PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT device = NULL;
    return FilterAttachToDevice(DriverObject, PhysicalDeviceObject, sizeof(FILTER_EXTENSION), &device);
}

VOID PassthroughUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    FilterDetachAll(DriverObject);
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    ULONG i;
    for (i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) {
        DriverObject->MajorFunction[i] = PassthroughDispatch;
    }
    DriverObject->MajorFunction[IRP_MJ_PNP] = PassthroughPnp;
    DriverObject->FastIoDispatch = &PassthroughFastIoDispatch;
    DriverObject->DriverUnload = PassthroughUnload;
    if (!FilterIsLegacy(RegistryPath)) {
        /* A PnP driver: the PnP manager adds its devices and unloads it after the last one went;
         * NtUnloadDriver refuses it. */
        DriverObject->DriverExtension->AddDevice = PassthroughAddDevice;
        return STATUS_SUCCESS;
    }
    return FilterAttachFromRegistry(DriverObject, RegistryPath, sizeof(FILTER_EXTENSION));
}
