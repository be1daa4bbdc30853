// The completion-port suite's test driver, written as a WDK driver writer writes one: DriverEntry
// fills MajorFunction[] and creates the device and its DOS link; every dispatch routine completes
// the IRP, or marks it pending and parks it (finished later from a work item, or at cleanup).
#include <atomic>

#include "port_test_driver.hpp"

namespace ntio::test::ports {
namespace {

struct DeviceExtension {
    KSPIN_LOCK lock;
    LIST_ENTRY parked;  // IRPs through Tail.Overlay.ListEntry
    LONG parked_count;
    NTSTATUS finish_status;
    ULONG finish_information;
};

PDEVICE_OBJECT g_device;
std::atomic<bool> g_park_transfers{false};
std::atomic<LONG> g_parked{0};

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS park(DeviceExtension* ext, PIRP irp) {
    IoMarkIrpPending(irp);
    KIRQL irql;
    KeAcquireSpinLock(&ext->lock, &irql);
    InsertTailList(&ext->parked, &irp->Tail.Overlay.ListEntry);
    ++g_parked;
    KeReleaseSpinLock(&ext->lock, irql);
    return STATUS_PENDING;
}

// Completes every parked IRP (of `file`, or all when null) with the given result.
void finish_parked(DeviceExtension* ext, PFILE_OBJECT file, NTSTATUS status, ULONG information) {
    LIST_ENTRY done;
    InitializeListHead(&done);
    KIRQL irql;
    KeAcquireSpinLock(&ext->lock, &irql);
    for (PLIST_ENTRY e = ext->parked.Flink; e != &ext->parked;) {
        PLIST_ENTRY next = e->Flink;
        PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (!file || IoGetCurrentIrpStackLocation(irp)->FileObject == file) {
            RemoveEntryList(e);
            InsertTailList(&done, e);
            --g_parked;
        }
        e = next;
    }
    KeReleaseSpinLock(&ext->lock, irql);
    while (!IsListEmpty(&done)) {
        PIRP irp = CONTAINING_RECORD(RemoveHeadList(&done), IRP, Tail.Overlay.ListEntry);
        const ULONG_PTR info = NT_SUCCESS(status) || NT_WARNING(status) ? information : 0;
        (void)complete(irp, status, info);
    }
}

VOID NTAPI finish_work(PDEVICE_OBJECT device, PVOID context) {
    auto* ext = static_cast<DeviceExtension*>(device->DeviceExtension);
    finish_parked(ext, nullptr, ext->finish_status, ext->finish_information);
    IoFreeWorkItem(static_cast<PIO_WORKITEM>(context));
}

NTSTATUS NTAPI dispatch_control(PDEVICE_OBJECT device, PIRP irp) {
    auto* ext = static_cast<DeviceExtension*>(device->DeviceExtension);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (sp->Parameters.DeviceIoControl.InputBufferLength < sizeof(CompleteRequest))
        return complete(irp, STATUS_INVALID_PARAMETER, 0);
    CompleteRequest request = *static_cast<CompleteRequest*>(irp->AssociatedIrp.SystemBuffer);
    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case kIoctlComplete:
        if (request.how == kPark) return park(ext, irp);
        irp->IoStatus.Status = request.status;
        irp->IoStatus.Information = request.information;
        if (request.how == kPendAndComplete) {
            IoMarkIrpPending(irp);
            IoCompleteRequest(irp, IO_NO_INCREMENT);
            return STATUS_PENDING;
        }
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return request.status;
    case kIoctlFinishParked: {
        PIO_WORKITEM item = IoAllocateWorkItem(device);
        if (!item) return complete(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        ext->finish_status = request.status;
        ext->finish_information = request.information;
        IoQueueWorkItem(item, finish_work, DelayedWorkQueue, item);
        return complete(irp, STATUS_SUCCESS, 0);
    }
    default: return complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

NTSTATUS NTAPI dispatch_read_write(PDEVICE_OBJECT device, PIRP irp) {
    auto* ext = static_cast<DeviceExtension*>(device->DeviceExtension);
    if (g_park_transfers.load()) return park(ext, irp);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    const ULONG length = sp->Parameters.Read.Length;
    if (sp->MajorFunction == IRP_MJ_READ && length) RtlFillMemory(irp->AssociatedIrp.SystemBuffer, length, 'p');
    return complete(irp, STATUS_SUCCESS, length);
}

// The last handle of a file went: its parked IRPs complete as cancelled.
NTSTATUS NTAPI dispatch_cleanup(PDEVICE_OBJECT device, PIRP irp) {
    auto* ext = static_cast<DeviceExtension*>(device->DeviceExtension);
    finish_parked(ext, IoGetCurrentIrpStackLocation(irp)->FileObject, STATUS_CANCELLED, 0);
    return complete(irp, STATUS_SUCCESS, 0);
}

NTSTATUS NTAPI dispatch_create_close(PDEVICE_OBJECT, PIRP irp) { return complete(irp, STATUS_SUCCESS, 0); }

VOID NTAPI driver_unload(PDRIVER_OBJECT) {
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\PortTest");
    (void)IoDeleteSymbolicLink(&link);
    IoDeleteDevice(g_device);
    g_device = nullptr;
}

}  // namespace

void set_park_transfers(bool park) { g_park_transfers = park; }
LONG parked_count() { return g_parked.load(); }

NTSTATUS NTAPI port_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->MajorFunction[IRP_MJ_CREATE] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_CLEANUP] = dispatch_cleanup;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = dispatch_control;
    driver->MajorFunction[IRP_MJ_READ] = dispatch_read_write;
    driver->MajorFunction[IRP_MJ_WRITE] = dispatch_read_write;
    driver->DriverUnload = driver_unload;
    g_park_transfers = false;
    g_parked = 0;

    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\PortTest");
    NTSTATUS status = IoCreateDevice(driver, sizeof(DeviceExtension), &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_device);
    if (!NT_SUCCESS(status)) return status;
    auto* ext = static_cast<DeviceExtension*>(g_device->DeviceExtension);
    KeInitializeSpinLock(&ext->lock);
    InitializeListHead(&ext->parked);
    g_device->Flags |= DO_BUFFERED_IO;
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\PortTest");
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(g_device);
        g_device = nullptr;
    }
    return status;
}

}  // namespace ntio::test::ports
