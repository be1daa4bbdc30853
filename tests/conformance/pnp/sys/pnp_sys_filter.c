/* pnp_sys_filter.sys: a WDM filter driver as the WDK template writes one, loaded by the PnP manager as
 * a lower or an upper filter (one image per service: two services cannot share an image). It attaches
 * in AddDevice, passes every IRP down, detaches and deletes on IRP_MN_REMOVE_DEVICE, and reports its
 * loads and unloads (pnp_sys_report.h). */
#include <ntddk.h>

#include "pnp_sys_report.h"

DRIVER_INITIALIZE DriverEntry;
static DRIVER_ADD_DEVICE FilterAddDevice;
static DRIVER_DISPATCH FilterDispatch;
static DRIVER_UNLOAD FilterUnload;

typedef struct _FILTER_EXTENSION {
    PDEVICE_OBJECT Lower;
} FILTER_EXTENSION, *PFILTER_EXTENSION;

static ULONG g_image_loads;

static NTSTATUS FilterAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT filter = NULL;
    PFILTER_EXTENSION ext;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(FILTER_EXTENSION), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE,
                                     &filter);
    if (!NT_SUCCESS(status))
        return status;
    ext = (PFILTER_EXTENSION)filter->DeviceExtension;
    ext->Lower = IoAttachDeviceToDeviceStack(filter, Pdo);
    if (!ext->Lower) {
        IoDeleteDevice(filter);
        return STATUS_NO_SUCH_DEVICE;
    }
    filter->Flags |= ext->Lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO | DO_POWER_PAGABLE);
    filter->Flags &= ~DO_DEVICE_INITIALIZING;
    ReportBump(L"Adds");
    return STATUS_SUCCESS;
}

static NTSTATUS FilterDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFILTER_EXTENSION ext = (PFILTER_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    PDEVICE_OBJECT lower = ext->Lower;
    NTSTATUS status;

    if (sp->MajorFunction == IRP_MJ_POWER) {
        PoStartNextPowerIrp(Irp);
        IoSkipCurrentIrpStackLocation(Irp);
        return PoCallDriver(lower, Irp);
    }
    if (sp->MajorFunction == IRP_MJ_PNP && sp->MinorFunction == IRP_MN_REMOVE_DEVICE) {
        ReportBump(L"Removes");
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(lower, Irp);
        IoDetachDevice(lower);
        IoDeleteDevice(DeviceObject);
        return status;
    }
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(lower, Irp);
}

static VOID FilterUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ReportBump(L"Unloads");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    ULONG i;
    ReportInit(RegistryPath);
    g_image_loads++;
    ReportSet(L"ImageLoads", g_image_loads);
    ReportBump(L"Entries");
    for (i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = FilterDispatch;
    DriverObject->DriverExtension->AddDevice = FilterAddDevice;
    DriverObject->DriverUnload = FilterUnload;
    return STATUS_SUCCESS;
}
