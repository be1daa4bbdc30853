// Controller objects: a hardware controller shared by several devices. Devices wait for it in its
// device queue through their own Queue.Wcb; the owner's ControllerControl routine runs at
// DISPATCH_LEVEL and says whether the controller stays with it (KeepObject, until IoFreeController)
// or goes to the next waiting device at once (DeallocateObject).
#include "io/ddk.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

constexpr ULONG kControllerTag = 0x6C727443;  // "Ctrl"

// Runs the controller's owners, one after another while they return DeallocateObject; stops at one
// that keeps it, or marks it free when nobody waits. DISPATCH_LEVEL; `wcb` is the first owner.
void run_owners(PCONTROLLER_OBJECT controller, PWAIT_CONTEXT_BLOCK wcb) {
    while (wcb) {
        auto* device = static_cast<PDEVICE_OBJECT>(wcb->DeviceObject);
        const IO_ALLOCATION_ACTION action = wcb->DeviceRoutine(device, device->CurrentIrp, nullptr, wcb->DeviceContext);
        if (action != DeallocateObject) return;
        PKDEVICE_QUEUE_ENTRY next = KeRemoveDeviceQueue(&controller->DeviceWaitQueue);
        wcb = next ? CONTAINING_RECORD(next, WAIT_CONTEXT_BLOCK, WaitQueueEntry) : nullptr;
    }
}

}  // namespace
}  // namespace ntio::io

using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iocreatecontroller
// A free controller object whose ControllerExtension is Size zeroed bytes right after it; NULL
// without memory. PASSIVE_LEVEL.
// NT deviation: the object comes from nonpaged pool, not the object manager (no
// IoControllerObjectType, no name, no references); IoDeleteController frees it.
NTKERNELAPI PCONTROLLER_OBJECT NTAPI IoCreateController(ULONG Size) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive2);
    const SIZE_T bytes = sizeof(CONTROLLER_OBJECT) + static_cast<SIZE_T>(Size);
    auto* controller = static_cast<PCONTROLLER_OBJECT>(ExAllocatePoolWithTag(NonPagedPoolNx, bytes, kControllerTag));
    if (!controller) return nullptr;
    std::memset(controller, 0, bytes);
    controller->Type = IO_TYPE_CONTROLLER;
    controller->Size = static_cast<CSHORT>(bytes);  // truncated for a large extension, as a CSHORT is
    controller->ControllerExtension = controller + 1;
    KeInitializeDeviceQueue(&controller->DeviceWaitQueue);
    return controller;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iodeletecontroller
// Frees the controller object and its extension. PASSIVE_LEVEL.
NTKERNELAPI VOID NTAPI IoDeleteController(PCONTROLLER_OBJECT ControllerObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive4);
    if (ControllerObject) ExFreePoolWithTag(ControllerObject, kControllerTag);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioallocatecontroller
// Queues DeviceObject (its Queue.Wcb) for the controller; when it gets it (at once if free),
// ExecutionRoutine runs at DISPATCH_LEVEL with DeviceObject->CurrentIrp, a NULL map register base
// and Context. DeallocateObject hands the controller on; KeepObject keeps it until
// IoFreeController. Called below DISPATCH_LEVEL, the routine still runs at DISPATCH_LEVEL.
NTKERNELAPI VOID NTAPI IoAllocateController(PCONTROLLER_OBJECT ControllerObject, PDEVICE_OBJECT DeviceObject,
                                            PDRIVER_CONTROL ExecutionRoutine, PVOID Context) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::DispatchOnly);
    if (!ControllerObject || !DeviceObject || !ExecutionRoutine) return;
    PWAIT_CONTEXT_BLOCK wcb = &DeviceObject->Queue.Wcb;
    wcb->DeviceRoutine = ExecutionRoutine;
    wcb->DeviceContext = Context;
    wcb->NumberOfMapRegisters = 0;
    wcb->DeviceObject = DeviceObject;
    wcb->CurrentIrp = DeviceObject->CurrentIrp;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    if (!KeInsertDeviceQueue(&ControllerObject->DeviceWaitQueue, &wcb->WaitQueueEntry)) run_owners(ControllerObject, wcb);
    KeLowerIrql(old);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iofreecontroller
// The owner gives the controller up: the next waiting device's routine runs (DISPATCH_LEVEL), or
// the controller is free.
NTKERNELAPI VOID NTAPI IoFreeController(PCONTROLLER_OBJECT ControllerObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::DispatchOnly);
    if (!ControllerObject) return;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    PKDEVICE_QUEUE_ENTRY next = KeRemoveDeviceQueue(&ControllerObject->DeviceWaitQueue);
    if (next) run_owners(ControllerObject, CONTAINING_RECORD(next, WAIT_CONTEXT_BLOCK, WaitQueueEntry));
    KeLowerIrql(old);
}

}  // extern "C"
