// Shared by the unload leak tests (handles, file object references): an IOCTL the test sends itself
// to a driver's device and its final status, and an unload with the driver still verified.
#pragma once

#include <utility>

#include <ntddk.h>
#include <ntio/ntio.h>
#include <ntio/ntio_verifier.h>

namespace ntio::test {

inline NTSTATUS NTAPI keep_final_status(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    *static_cast<NTSTATUS*>(Context) = Irp->IoStatus.Status;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// An IRP_MJ_DEVICE_CONTROL of the test's own (not the driver's) to the driver's first device.
inline NTSTATUS own_ioctl(PDRIVER_OBJECT driver, ULONG code) {
    PDEVICE_OBJECT device = driver->DeviceObject;
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    sp->Parameters.DeviceIoControl.IoControlCode = code;
    NTSTATUS final_status = STATUS_PENDING;
    IoSetCompletionRoutine(irp, keep_final_status, &final_status, TRUE, TRUE, TRUE);
    (void)IoCallDriver(device, irp);
    IoFreeIrp(irp);
    return final_status;
}

// NtioUnloadDriver with the driver still verified; the caller's reference is dropped.
inline void unload_verified(PDRIVER_OBJECT& driver_ref) {
    PDRIVER_OBJECT driver = std::exchange(driver_ref, nullptr);
    (void)NtioUnloadDriver(driver);
    ObDereferenceObject(driver);
}

// A test's teardown: the driver, if still loaded, unverified first (so that no leak check runs) and
// unloaded; the caller's reference is dropped.
inline void drop_driver(PDRIVER_OBJECT& driver_ref) {
    PDRIVER_OBJECT driver = std::exchange(driver_ref, nullptr);
    if (!driver) return;
    (void)NtioVerifierSetFlags(driver, 0);
    (void)NtioUnloadDriver(driver);
    ObDereferenceObject(driver);
}

}  // namespace ntio::test
