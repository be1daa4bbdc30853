// IoGetDeviceToVerify / IoSetDeviceToVerify / IoSetHardErrorOrVerifyDevice: the thread's
// device-to-verify field (ETHREAD on NT).
// A removable-media driver that finds the medium changed sets the device the file system must
// verify and fails the request with STATUS_VERIFY_REQUIRED; the file system reads it back from the
// thread the request came from.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iogetdevicetoverify
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iosetdevicetoverify
#include "io/ddk.hpp"
#include "ob/process.hpp"
#include "verifier/verifier.hpp"

extern "C" {

// A NULL thread has no field: NULL (the routines are documented for a thread pointer only).
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetDeviceToVerify(PETHREAD Thread) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoDispatch);
    return Thread ? Thread->m_device_to_verify.load(std::memory_order_acquire) : nullptr;
}

NTKERNELAPI VOID NTAPI IoSetDeviceToVerify(PETHREAD Thread, PDEVICE_OBJECT DeviceObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoDispatch);
    if (Thread) Thread->m_device_to_verify.store(DeviceObject, std::memory_order_release);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iosetharderrororverifydevice:
// a removable-media driver names the device to verify in the thread that issued Irp, for the file
// system above to find with IoGetDeviceToVerify. Learn forbids the call for an IRP whose
// Tail.Overlay.Thread is NULL; such an IRP (or a NULL Irp) changes nothing. <= DISPATCH_LEVEL.
NTKERNELAPI VOID NTAPI IoSetHardErrorOrVerifyDevice(PIRP Irp, PDEVICE_OBJECT DeviceObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    if (!Irp || !Irp->Tail.Overlay.Thread) return;
    Irp->Tail.Overlay.Thread->m_device_to_verify.store(DeviceObject, std::memory_order_release);
}

}  // extern "C"
