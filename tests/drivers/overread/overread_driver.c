/* overread.sys: \Device\Overread answers IOCTL_OVERREAD_VERSION with a fixed-length version field
 * (overread_version.c). Written the way a WDK driver writer writes it. */
#include <wdm.h>

#include "overread.h"

static DRIVER_UNLOAD OverreadUnload;
static DRIVER_DISPATCH OverreadCreateClose;
static DRIVER_DISPATCH OverreadDeviceControl;

static VOID OverreadUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    if (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

static NTSTATUS OverreadCreateClose(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS OverreadDeviceControl(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;
    ULONG_PTR information = 0;

    UNREFERENCED_PARAMETER(DeviceObject);
    if (stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_OVERREAD_VERSION) {
        if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(ULONG) ||
            stack->Parameters.DeviceIoControl.OutputBufferLength < OVERREAD_VERSION_FIELD) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            const ULONG index = *(const ULONG *)Irp->AssociatedIrp.SystemBuffer;
            OverreadCopyVersion(index, (PUCHAR)Irp->AssociatedIrp.SystemBuffer);
            status = STATUS_SUCCESS;
            information = OVERREAD_VERSION_FIELD;
        }
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT device = NULL;

    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = OverreadUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = OverreadCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = OverreadCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = OverreadDeviceControl;
    RtlInitUnicodeString(&name, L"\\Device\\Overread");
    return IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
}
