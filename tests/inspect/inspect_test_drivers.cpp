// The InspectLower and InspectFilter WDM test drivers (see inspect_test_drivers.hpp). Every dispatch
// path ends in exactly one of: complete, pass down, or mark pending and park.
#include "inspect_test_drivers.hpp"

extern "C" {

static NTSTATUS CompleteWith(PIRP Irp, NTSTATUS Status, ULONG_PTR Information) {
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS NTAPI InspectLowerCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    return CompleteWith(Irp, STATUS_SUCCESS, 0);
}

VOID NTAPI InspectLowerCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PINSPECT_LOWER_EXTENSION ext = (PINSPECT_LOWER_EXTENSION)DeviceObject->DeviceExtension;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->QueueLock, irql);
    CompleteWith(Irp, STATUS_CANCELLED, 0);
}

static VOID NTAPI InspectLowerStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    // The "hardware" now owns the IRP (DeviceObject->CurrentIrp); InspectLowerFinishStartIo ends it.
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
}

NTSTATUS NTAPI InspectLowerDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PINSPECT_LOWER_EXTENSION ext = (PINSPECT_LOWER_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_INSPECT_PARK: {
        KIRQL irql;
        IoMarkIrpPending(Irp);
        KeAcquireSpinLock(&ext->QueueLock, &irql);
        (void)IoSetCancelRoutine(Irp, InspectLowerCancel);
        if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL)) {
            KeReleaseSpinLock(&ext->QueueLock, irql);
            CompleteWith(Irp, STATUS_CANCELLED, 0);
            return STATUS_PENDING;
        }
        InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
        KeReleaseSpinLock(&ext->QueueLock, irql);
        return STATUS_PENDING;
    }
    case IOCTL_INSPECT_START_IO:
        IoMarkIrpPending(Irp);
        IoStartPacket(DeviceObject, Irp, NULL, NULL);
        return STATUS_PENDING;
    default:
        return CompleteWith(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

static VOID NTAPI InspectLowerUnload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI InspectLowerDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\InspectLower");
    PDEVICE_OBJECT device;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(INSPECT_LOWER_EXTENSION), &name, FILE_DEVICE_UNKNOWN,
                                     FILE_DEVICE_SECURE_OPEN, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    PINSPECT_LOWER_EXTENSION ext = (PINSPECT_LOWER_EXTENSION)device->DeviceExtension;
    KeInitializeSpinLock(&ext->QueueLock);
    InitializeListHead(&ext->Queue);
    device->Flags |= DO_BUFFERED_IO;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = InspectLowerCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = InspectLowerCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = InspectLowerCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = InspectLowerDeviceControl;
    DriverObject->DriverStartIo = InspectLowerStartIo;
    DriverObject->DriverUnload = InspectLowerUnload;
    return STATUS_SUCCESS;
}

BOOLEAN InspectLowerCompleteParked(PDEVICE_OBJECT Device, NTSTATUS Status) {
    PINSPECT_LOWER_EXTENSION ext = (PINSPECT_LOWER_EXTENSION)Device->DeviceExtension;
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    for (PLIST_ENTRY e = ext->Queue.Flink; e != &ext->Queue; e = e->Flink) {
        PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(irp, NULL)) {
            RemoveEntryList(e);
            KeReleaseSpinLock(&ext->QueueLock, irql);
            CompleteWith(irp, Status, 0);
            return TRUE;
        }
    }
    KeReleaseSpinLock(&ext->QueueLock, irql);
    return FALSE;
}

VOID InspectLowerFinishStartIo(PDEVICE_OBJECT Device, NTSTATUS Status) {
    PIRP irp = Device->CurrentIrp;
    if (!irp) return;
    KIRQL irql;
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    IoStartNextPacket(Device, FALSE);
    KeLowerIrql(irql);
    CompleteWith(irp, Status, 0);
}

// ---- InspectFilter ----

NTSTATUS NTAPI InspectFilterCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    if (Irp->PendingReturned) IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

static NTSTATUS NTAPI InspectFilterDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PINSPECT_FILTER_EXTENSION ext = (PINSPECT_FILTER_EXTENSION)DeviceObject->DeviceExtension;
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, InspectFilterCompletion, ext, TRUE, TRUE, TRUE);
    return IoCallDriver(ext->Lower, Irp);
}

static VOID NTAPI InspectFilterUnload(PDRIVER_OBJECT DriverObject) {
    PDEVICE_OBJECT device = DriverObject->DeviceObject;
    if (!device) return;
    PINSPECT_FILTER_EXTENSION ext = (PINSPECT_FILTER_EXTENSION)device->DeviceExtension;
    IoDetachDevice(ext->Lower);
    IoDeleteDevice(device);
}

NTSTATUS NTAPI InspectFilterDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(RegistryPath);
    PDEVICE_OBJECT device;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(INSPECT_FILTER_EXTENSION), NULL, FILE_DEVICE_UNKNOWN, 0,
                                     FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    PINSPECT_FILTER_EXTENSION ext = (PINSPECT_FILTER_EXTENSION)device->DeviceExtension;
    UNICODE_STRING target;
    RtlInitUnicodeString(&target, L"\\Device\\InspectLower");
    status = IoAttachDevice(device, &target, &ext->Lower);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    device->Flags |= ext->Lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) DriverObject->MajorFunction[i] = InspectFilterDispatch;
    DriverObject->DriverUnload = InspectFilterUnload;
    return STATUS_SUCCESS;
}

}  // extern "C"
