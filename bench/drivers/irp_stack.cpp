// The null driver, the pass-through filter and the originator of the IRP gates (see irp_stack.hpp).
#include "drivers/irp_stack.hpp"

#include <string>

#include "drivers/images.hpp"

#include <ntio/ntio.h>

namespace ntio::bench {
namespace {

NTSTATUS NullDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = irpSp->Parameters.Read.Length;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID BenchUnload(PDRIVER_OBJECT DriverObject) { UNREFERENCED_PARAMETER(DriverObject); }

NTSTATUS NullDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = BenchUnload;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) DriverObject->MajorFunction[i] = NullDispatch;
    return STATUS_SUCCESS;
}

struct FilterExtension {
    PDEVICE_OBJECT Lower;
};

NTSTATUS FilterCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    if (Irp->PendingReturned) IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS FilterDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    auto* extension = static_cast<FilterExtension*>(DeviceObject->DeviceExtension);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, FilterCompletion, nullptr, TRUE, TRUE, TRUE);
    return IoCallDriver(extension->Lower, Irp);
}

NTSTATUS FilterDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = BenchUnload;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) DriverObject->MajorFunction[i] = FilterDispatch;
    return STATUS_SUCCESS;
}

NTSTATUS OriginatorCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
    UNREFERENCED_PARAMETER(DeviceObject);
    *static_cast<ULONG_PTR*>(Context) = Irp->IoStatus.Information;
    return STATUS_MORE_PROCESSING_REQUIRED;  // the IRP is ours again: freed by the originator
}

}  // namespace

IrpStack build_irp_stack(int filters, int instance) {
    IrpStack stack;
    stack.filters = filters;
    // One pair of drivers per stack: stacks of different depths coexist in one System.
    const std::string tag = std::to_string(filters) + "_" + std::to_string(instance);
    const std::u16string null_service = u"BenchNull" + std::u16string(tag.begin(), tag.end());
    const std::u16string filter_service = u"BenchFilter" + std::u16string(tag.begin(), tag.end());
    UNICODE_STRING null_name = unicode(null_service);
    UNICODE_STRING filter_name = unicode(filter_service);
    if (!NT_SUCCESS(NtioCreateDriver(&null_name, NullDriverEntry, &stack.drivers[0])) ||
        !NT_SUCCESS(NtioCreateDriver(&filter_name, FilterDriverEntry, &stack.drivers[1])))
        KeBugCheckEx(0xBE7C0001, 0, 0, 0, 0);
    if (!NT_SUCCESS(IoCreateDevice(stack.drivers[0], 0, nullptr, FILE_DEVICE_NULL, 0, FALSE, &stack.devices[0])))
        KeBugCheckEx(0xBE7C0002, 0, 0, 0, 0);
    stack.devices[0]->Flags &= ~DO_DEVICE_INITIALIZING;
    stack.top = stack.devices[0];
    for (int i = 1; i <= filters; ++i) {
        if (!NT_SUCCESS(IoCreateDevice(stack.drivers[1], sizeof(FilterExtension), nullptr, FILE_DEVICE_NULL, 0, FALSE,
                                       &stack.devices[i])))
            KeBugCheckEx(0xBE7C0003, 0, 0, 0, 0);
        auto* extension = static_cast<FilterExtension*>(stack.devices[i]->DeviceExtension);
        extension->Lower = IoAttachDeviceToDeviceStack(stack.devices[i], stack.top);
        stack.devices[i]->Flags &= ~DO_DEVICE_INITIALIZING;
        stack.top = stack.devices[i];
    }
    return stack;
}

void destroy_irp_stack(IrpStack& stack) {
    for (int i = stack.filters; i >= 1; --i) {
        auto* extension = static_cast<FilterExtension*>(stack.devices[i]->DeviceExtension);
        IoDetachDevice(extension->Lower);
        IoDeleteDevice(stack.devices[i]);
    }
    IoDeleteDevice(stack.devices[0]);
    for (PDRIVER_OBJECT& driver : stack.drivers) {
        NtioUnloadDriver(driver);
        ObDereferenceObject(driver);
        driver = nullptr;
    }
}

ULONG_PTR irp_round_trip(const IrpStack& stack) {
    ULONG_PTR information = 0;
    PIRP irp = IoAllocateIrp(stack.top->StackSize, FALSE);
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = IRP_MJ_READ;
    next->Parameters.Read.Length = 4096;
    IoSetCompletionRoutine(irp, OriginatorCompletion, &information, TRUE, TRUE, TRUE);
    (void)IoCallDriver(stack.top, irp);
    IoFreeIrp(irp);
    return information;
}

}  // namespace ntio::bench
