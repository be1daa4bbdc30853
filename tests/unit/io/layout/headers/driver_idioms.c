/* What every WDK driver source file does before its first line of logic: SAL-annotated prototypes
 * through the role types, a code-section pragma, and PAGED_CODE() in pageable routines. Compiled (not
 * run) as C and C++ by the header tests. */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH IdiomsCreateClose;
DRIVER_UNLOAD IdiomsUnload;
_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH IdiomsRead;
DRIVER_CANCEL IdiomsCancel;

#pragma alloc_text(PAGE, DriverEntry)
#pragma alloc_text(PAGE, IdiomsCreateClose)
#pragma alloc_text(PAGE, IdiomsUnload)

_Use_decl_annotations_
NTSTATUS IdiomsCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PAGED_CODE();
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* IoSetCancelRoutine used as a plain statement, as WDK samples do: it must not warn about an unused
 * value under -Werror (gcc and clang). */
_Use_decl_annotations_
VOID IdiomsCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

_Use_decl_annotations_
NTSTATUS IdiomsRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;

    UNREFERENCED_PARAMETER(DeviceObject);
    IoAcquireCancelSpinLock(&irql);
    IoMarkIrpPending(Irp);
    IoSetCancelRoutine(Irp, IdiomsCancel);
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}

_Use_decl_annotations_
VOID IdiomsUnload(PDRIVER_OBJECT DriverObject)
{
    PAGED_CODE();
    if (DriverObject->DeviceObject != NULL) {
        IoDeleteDevice(DriverObject->DeviceObject);
    }
}

_Use_decl_annotations_
NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\Idioms");
    PDEVICE_OBJECT device = NULL;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    PAGED_CODE();
    status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = IdiomsCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = IdiomsCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = IdiomsRead;
    DriverObject->DriverUnload = IdiomsUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
