// The power manager routines drivers call around IRP_MJ_POWER: PoCallDriver, PoStartNextPowerIrp,
// PoSetPowerState and PoRequestPowerIrp, with Windows Vista semantics (power IRPs are not serialised
// per device, so PoStartNextPowerIrp has nothing to release), and the set-power IRPs the PnP manager
// sends on start, removal and shutdown. The power states a device reported live
// in DEVOBJ_EXTENSION.PowerFlags, as on NT: system state in bits 0-3, device state in bits 4-7.
#include "io/pnp_manager.hpp"

#include "io/device_object.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

namespace {

constexpr ULONG kSystemStateMask = 0x0F;
constexpr ULONG kDeviceStateShift = 4;
constexpr ULONG kDeviceStateMask = 0xF0;


struct PowerRequest {
    PDEVICE_OBJECT target;            // the device PoRequestPowerIrp was given
    PDEVICE_OBJECT top;               // referenced
    UCHAR minor;
    POWER_STATE state;
    PREQUEST_POWER_COMPLETE complete;
    PVOID context;
};

// Runs in the extra stack location PoRequestPowerIrp keeps for itself: the requester's callback, then
// the IRP goes.
NTSTATUS NTAPI power_request_done(PDEVICE_OBJECT, PIRP irp, PVOID context) {
    auto* request = static_cast<PowerRequest*>(context);
    if (request->complete)
        request->complete(request->target, request->minor, request->state, request->context, &irp->IoStatus);
    ObDereferenceObject(request->top);
    ExFreePool(request);
    IoFreeIrp(irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

struct PowerWait {
    KEVENT done;
    NTSTATUS status;
};

VOID NTAPI device_power_done(PDEVICE_OBJECT, UCHAR, POWER_STATE, PVOID context, PIO_STATUS_BLOCK iosb) {
    auto* wait = static_cast<PowerWait*>(context);
    wait->status = iosb->Status;
    KeSetEvent(&wait->done, IO_NO_INCREMENT, FALSE);
}

// The sender's completion routine: the IRP stays the sender's, freed once the wait is over.
NTSTATUS NTAPI system_power_done(PDEVICE_OBJECT, PIRP irp, PVOID context) {
    auto* wait = static_cast<PowerWait*>(context);
    wait->status = irp->IoStatus.Status;
    KeSetEvent(&wait->done, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

}  // namespace

// A system set-power IRP as the power manager sends it: Status STATUS_NOT_SUPPORTED, Type
// SystemPowerState, the shutdown action; no query first (the power manager queries before a sleep
// state only, and S0 and removal are not vetoable).
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-set-power
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-power
NTSTATUS pnp_set_system_power(PDEVICE_OBJECT pdo, SYSTEM_POWER_STATE state, POWER_ACTION action) {
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(pdo);
    PIRP irp = IoAllocateIrpEx(top, top->StackSize, FALSE);
    if (!irp) {
        ObDereferenceObject(top);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PowerWait wait;
    KeInitializeEvent(&wait.done, NotificationEvent, FALSE);
    wait.status = STATUS_SUCCESS;
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
    irp->IoStatus.Information = 0;
    irp->RequestorMode = KernelMode;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_POWER;
    sp->MinorFunction = IRP_MN_SET_POWER;
    sp->Parameters.Power.SystemContext = 0;
    sp->Parameters.Power.Type = SystemPowerState;
    sp->Parameters.Power.State.SystemState = state;
    sp->Parameters.Power.ShutdownType = action;
    IoSetCompletionRoutine(irp, system_power_done, &wait, TRUE, TRUE, TRUE);
    (void)PoCallDriver(top, irp);
    (void)KeWaitForSingleObject(&wait.done, Executive, KernelMode, FALSE, nullptr);
    IoFreeIrp(irp);
    ObDereferenceObject(top);
    return wait.status;
}

NTSTATUS pnp_set_device_power(PDEVICE_OBJECT pdo, DEVICE_POWER_STATE state) {
    PowerWait wait;
    KeInitializeEvent(&wait.done, NotificationEvent, FALSE);
    wait.status = STATUS_SUCCESS;
    POWER_STATE power;
    power.DeviceState = state;
    NTSTATUS status = PoRequestPowerIrp(pdo, IRP_MN_SET_POWER, power, device_power_done, &wait, nullptr);
    if (status != STATUS_PENDING) return status;
    (void)KeWaitForSingleObject(&wait.done, Executive, KernelMode, FALSE, nullptr);
    return wait.status;
}

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pocalldriver
NTSTATUS NTAPI PoCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoDispatchLte);
    return IoCallDriver(DeviceObject, Irp);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-postartnextpowerirp
// "Starting with Windows Vista, drivers are not required to call PoStartNextPowerIrp"; calling it
// does nothing there.
VOID NTAPI PoStartNextPowerIrp(PIRP Irp) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    (void)Irp;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-posetpowerstate
// "Callers of PoSetPowerState must be running at IRQL <= APC_LEVEL except when setting the state to
// D0", which they may do at IRQL <= DISPATCH_LEVEL.
POWER_STATE NTAPI PoSetPowerState(PDEVICE_OBJECT DeviceObject, POWER_STATE_TYPE Type, POWER_STATE State) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost,
                    Type == DevicePowerState && State.DeviceState == PowerDeviceD0 ? DISPATCH_LEVEL : APC_LEVEL);
    POWER_STATE previous;
    previous.DeviceState = PowerDeviceUnspecified;
    if (!is_device(DeviceObject)) return previous;
    ULONG* flags = &DeviceObject->DeviceObjectExtension->PowerFlags;
    ULONG old = __atomic_load_n(flags, __ATOMIC_ACQUIRE);
    ULONG desired;
    do {
        if (Type == DevicePowerState) {
            desired = (old & ~kDeviceStateMask) |
                      ((static_cast<ULONG>(State.DeviceState) << kDeviceStateShift) & kDeviceStateMask);
        } else {
            desired = (old & ~kSystemStateMask) | (static_cast<ULONG>(State.SystemState) & kSystemStateMask);
        }
    } while (!__atomic_compare_exchange_n(flags, &old, desired, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    if (Type == DevicePowerState)
        previous.DeviceState = static_cast<DEVICE_POWER_STATE>((old & kDeviceStateMask) >> kDeviceStateShift);
    else
        previous.SystemState = static_cast<SYSTEM_POWER_STATE>(old & kSystemStateMask);
    return previous;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-porequestpowerirp
NTSTATUS NTAPI PoRequestPowerIrp(PDEVICE_OBJECT DeviceObject, UCHAR MinorFunction, POWER_STATE PowerState,
                                 PREQUEST_POWER_COMPLETE CompletionFunction, PVOID Context, PIRP* Irp) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::RequestedPowerIrp, MinorFunction, reinterpret_cast<ULONG_PTR>(Irp));
    if (Irp) *Irp = nullptr;
    if (!is_device(DeviceObject)) return STATUS_INVALID_PARAMETER_1;
    if (MinorFunction != IRP_MN_SET_POWER && MinorFunction != IRP_MN_QUERY_POWER && MinorFunction != IRP_MN_WAIT_WAKE)
        return STATUS_INVALID_PARAMETER_2;
    if (MinorFunction != IRP_MN_WAIT_WAKE &&
        (PowerState.DeviceState <= PowerDeviceUnspecified || PowerState.DeviceState >= PowerDeviceMaximum))
        return STATUS_INVALID_PARAMETER_3;
    auto* request = static_cast<PowerRequest*>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(PowerRequest), 'rwoP'));
    if (!request) return STATUS_INSUFFICIENT_RESOURCES;
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(DeviceObject);
    // One location more than the stack needs: the first is the requester's, for the completion.
    PIRP irp = IoAllocateIrpEx(top, static_cast<CCHAR>(top->StackSize + 1), FALSE);
    if (!irp) {
        ObDereferenceObject(top);
        ExFreePool(request);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    *request = PowerRequest{DeviceObject, top, MinorFunction, PowerState, CompletionFunction, Context};
    IoSetNextIrpStackLocation(irp);
    IoGetCurrentIrpStackLocation(irp)->DeviceObject = DeviceObject;
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
    irp->IoStatus.Information = 0;
    irp->RequestorMode = KernelMode;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_POWER;
    sp->MinorFunction = MinorFunction;
    if (MinorFunction == IRP_MN_WAIT_WAKE) {
        sp->Parameters.WaitWake.PowerState = PowerState.SystemState;
    } else {
        sp->Parameters.Power.Type = DevicePowerState;
        sp->Parameters.Power.State = PowerState;
        sp->Parameters.Power.ShutdownType = PowerActionNone;
        sp->Parameters.Power.SystemContext = 0;
    }
    IoSetCompletionRoutine(irp, power_request_done, request, TRUE, TRUE, TRUE);
    if (Irp) *Irp = irp;
    (void)PoCallDriver(top, irp);
    return STATUS_PENDING;
}

}  // extern "C"
