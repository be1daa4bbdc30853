// The WDM DRIVER ERROR rules (0xC9, parameter 1 >= 0x200) of forwarding and of status hygiene that
// the Level 2 IoCallDriver path runs besides its stack-location copy rules (dispatch_rules.cpp):
// stack routing and size, a copy without a completion routine, the IRQL a request is sent at, the
// initial status of PnP / Power / WMI requests, requests a driver does not understand, requests that
// may not fail, and a cancel routine set on an IRP the lower drivers own.
//
// Learn's bug check page lists parameters only for the Level 1 codes (0x01-0x12); the Level 2
// codes show as "WDM DRIVER ERROR <code>" with a text, so the conditions below come from the
// spec's table and the DDI pages cited at each rule, and the parameters are the layout ntio uses for
// every WDM DRIVER ERROR (code, driver routine, IRP, device object; docs/nt-deviations.md).
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
// https://learn.microsoft.com/windows-hardware/drivers/devtest/i-o-verification
#include <cstring>

#include "verifier/state.hpp"

namespace ntio::verifier {
namespace {

// A minor function code past the last one the WDK defines for its major: a request no driver can
// know the meaning of, which it must pass on (or, as the bus driver, complete) with IoStatus as is.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/passing-pnp-irps-down-the-device-stack
bool unknown_request(UCHAR major, UCHAR minor) noexcept {
    switch (major) {
    case IRP_MJ_PNP: return minor > IRP_MN_DEVICE_ENUMERATED;
    case IRP_MJ_POWER: return minor > IRP_MN_QUERY_POWER;
    case IRP_MJ_SYSTEM_CONTROL: return minor > IRP_MN_REGINFO_EX;  // WMI's last minor (0x0a is unused)
    default: return false;
    }
}

// PnP requests every driver must succeed: their pages say a driver must not fail them (surprise
// removal, removal) or that failing them leaves the device in an inconsistent state (the cancels).
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-surprise-removal
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-remove-device
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-cancel-remove-device
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-cancel-stop-device
bool must_succeed(UCHAR major, UCHAR minor) noexcept {
    if (major != IRP_MJ_PNP) return false;
    return minor == IRP_MN_SURPRISE_REMOVAL || minor == IRP_MN_REMOVE_DEVICE ||
           minor == IRP_MN_CANCEL_REMOVE_DEVICE || minor == IRP_MN_CANCEL_STOP_DEVICE;
}

// Whether `device` lies in the stack below `lower` (not `lower` itself).
bool below(PDEVICE_OBJECT lower, PDEVICE_OBJECT device) noexcept {
    PDEVICE_OBJECT d = IoGetLowerDeviceObject(lower);
    bool found = false;
    while (d && !found) {
        found = d == device;
        PDEVICE_OBJECT next = found ? nullptr : IoGetLowerDeviceObject(d);
        ObDereferenceObject(d);
        d = next;
    }
    return found;
}

}  // namespace

void wdm_send_rules(PDEVICE_OBJECT device, PIRP irp, Frame* caller) noexcept {
    if (!device || irp->CurrentLocation <= 1) return;  // 0x204 / 0x208 / NO_MORE_IRP_STACK_LOCATIONS
    PVOID routine = caller ? reinterpret_cast<PVOID>(caller->routine) : nullptr;
    PDRIVER_OBJECT blamed = caller ? caller->device->DriverObject : context_driver();
    if (!blamed) blamed = device->DriverObject;
    IrpRecord* record = caller ? caller->record.get() : nullptr;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    // 0x20E-0x210: the sender of a PnP, Power or WMI request (its first IoCallDriver) initialises
    // IoStatus.Status to STATUS_NOT_SUPPORTED, so that a stack where no driver handles it completes
    // it with that status.
    // https://learn.microsoft.com/windows-hardware/drivers/kernel/passing-pnp-irps-down-the-device-stack
    if (!caller && irp->CurrentLocation == irp->StackCount + 1 && irp->IoStatus.Status != STATUS_NOT_SUPPORTED) {
        if (sp->MajorFunction == IRP_MJ_PNP)
            wdm_error(0x20E, routine, irp, device, Severity::Always, nullptr,
                      "a PnP IRP was sent with IoStatus.Status not initialised to STATUS_NOT_SUPPORTED", blamed,
                      record);
        else if (sp->MajorFunction == IRP_MJ_POWER)
            wdm_error(0x20F, routine, irp, device, Severity::Always, nullptr,
                      "a power IRP was sent with IoStatus.Status not initialised to STATUS_NOT_SUPPORTED", blamed,
                      record);
        else if (sp->MajorFunction == IRP_MJ_SYSTEM_CONTROL)
            wdm_error(0x210, routine, irp, device, Severity::Always, nullptr,
                      "a WMI IRP was sent with IoStatus.Status not initialised to STATUS_NOT_SUPPORTED", blamed,
                      record);
    }
    const KIRQL irql = current_irql();
    // 0x23A: PnP requests travel at PASSIVE_LEVEL ("The PnP manager sends this IRP at IRQL
    // PASSIVE_LEVEL" on every IRP_MN_* page); one sent or forwarded above it reaches a DispatchPnP
    // routine that may wait or touch paged memory. Guess: which IRQL rule Windows puts under 0x23A.
    // https://learn.microsoft.com/windows-hardware/drivers/kernel/dispatchpnp-routines
    if (sp->MajorFunction == IRP_MJ_PNP && irql > PASSIVE_LEVEL)
        wdm_error(0x23A, routine, irp, device, Severity::Always, nullptr,
                  "a PnP IRP was sent above PASSIVE_LEVEL", blamed, record);
    // 0x301 / 0x302: an IRP queued to its thread (IoBuildSynchronousFsdRequest,
    // IoBuildDeviceIoControlRequest) finishes in a kernel APC to that thread, which signals the
    // sender's event. Sent at APC_LEVEL (0x301) or DISPATCH_LEVEL (0x302), the sender that then
    // waits blocks the APC it waits for. Guess: the split of the two codes by IRQL.
    // https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iobuilddeviceiocontrolrequest
    if (irql >= APC_LEVEL && irql <= DISPATCH_LEVEL && irp->ThreadListEntry.Flink != &irp->ThreadListEntry)
        wdm_error(irql == APC_LEVEL ? 0x301 : 0x302, routine, irp, device, Severity::Always, nullptr,
                  irql == APC_LEVEL ? "an IRP queued to its thread was sent at APC_LEVEL: its completion APC "
                                      "cannot run while the sender waits"
                                    : "an IRP queued to its thread was sent at DISPATCH_LEVEL: its completion APC "
                                      "cannot run while the sender waits",
                  blamed, record);
}

void wdm_forward_rules(PDEVICE_OBJECT device, PIRP irp, Frame& caller) noexcept {
    if (!device) return;
    PVOID routine = reinterpret_cast<PVOID>(caller.routine);
    PDRIVER_OBJECT blamed = caller.device->DriverObject;
    IrpRecord* record = caller.record.get();
    // 0x208: the target's stack needs StackSize locations from the next one down; fewer are left
    // (with CurrentLocation 1, none), where the I/O manager would bugcheck NO_MORE_IRP_STACK_LOCATIONS.
    // https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x35--no-more-irp-stack-locations
    if (irp->CurrentLocation - 1 < device->StackSize)
        wdm_error(0x208, routine, irp, device, Severity::Always, nullptr,
                  "the IRP is about to run out of stack locations: the target device's StackSize is larger than "
                  "the locations left below the caller's",
                  blamed, record);
    // 0x211: a filter forwards to the device IoAttachDeviceToDeviceStack returned to it; one further
    // down its stack (the PDO, say) skips the drivers in between.
    // https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioattachdevicetodevicestack
    if (PDEVICE_OBJECT lower = IoGetLowerDeviceObject(caller.device)) {
        const bool skipping = lower != device && below(lower, device);
        ObDereferenceObject(lower);
        if (skipping)
            wdm_error(0x211, routine, irp, device, Severity::Always, nullptr,
                      "the driver forwarded the IRP past the device it is attached to (the device "
                      "IoAttachDeviceToDeviceStack returned), skipping drivers in its stack",
                      blamed, record);
    }
    // 0x21C: the next location is a copy of the caller's with no completion routine: the driver
    // wants nothing back, which IoSkipCurrentIrpStackLocation says without using a location. A warning
    // on Windows: StrictOnly here.
    // https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioskipcurrentirpstacklocation
    if (irp->CurrentLocation == caller.location && irp->CurrentLocation > 1) {
        PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
        PIO_STACK_LOCATION current = stack_location(irp, caller.location);
        if (!next->CompletionRoutine && next->MajorFunction == current->MajorFunction &&
            next->MinorFunction == current->MinorFunction && next->FileObject == current->FileObject &&
            std::memcmp(&next->Parameters, &current->Parameters, sizeof next->Parameters) == 0)
            wdm_error(0x21C, routine, irp, device, Severity::StrictOnly, nullptr,
                      "the driver copied its stack location to the next one but set no completion routine (use "
                      "IoSkipCurrentIrpStackLocation)",
                      blamed, record);
    }
    // 0x213 / 0x214: a request the driver cannot understand goes down with IoStatus as it came; a
    // driver that does not handle a PnP IRP "must not modify Irp->IoStatus". Only the first forward
    // is judged: after that the status is the lower drivers'.
    // https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-pnp-device-state
    if (!caller.forwarded && unknown_request(caller.major, caller.minor)) {
        if (irp->IoStatus.Status != caller.status_at_entry)
            wdm_error(0x213, routine, irp, device, Severity::Always, nullptr,
                      "the driver changed IoStatus.Status of an IRP with a minor function it cannot know, then "
                      "forwarded it",
                      blamed, record);
        else if (irp->IoStatus.Information != caller.information_at_entry)
            wdm_error(0x214, routine, irp, device, Severity::Always, nullptr,
                      "the driver changed IoStatus.Information of an IRP with a minor function it cannot know, "
                      "then forwarded it",
                      blamed, record);
    }
}

void wdm_forward_pending(Frame& caller) noexcept {
    std::lock_guard guard(tracking_lock());
    IrpRecord* record = caller.record.get();
    // No completion begun since the dispatch did: the IRP is alive and held by the lower drivers.
    caller.cancel_after_forward = record && record->completions == caller.completions_at_entry && !record->freed
                                      ? __atomic_load_n(&caller.irp->CancelRoutine, __ATOMIC_RELAXED)
                                      : nullptr;
}

void wdm_exit_rules(Frame& frame, NTSTATUS status, bool completed, NTSTATUS completed_status,
                    PDRIVER_CANCEL cancel_now) noexcept {
    PDRIVER_OBJECT driver = frame.device->DriverObject;
    PVOID routine = reinterpret_cast<PVOID>(frame.routine);
    // 0x229: the IRP went down and is pending there: its cancellation is the lower drivers'. A cancel
    // routine that was not there when IoCallDriver returned was set by this dispatch (or, racing, by
    // a lower driver on another thread: not told apart).
    // https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetcancelroutine
    if (cancel_now && cancel_now != frame.cancel_after_forward)
        wdm_error(0x229, routine, frame.irp, frame.device, Severity::Always, nullptr,
                  "the driver set a cancel routine on an IRP it had forwarded and the lower drivers still own",
                  driver, frame.record.get());
    // 0x247: a PnP request every driver must succeed, failed by this dispatch (returned, or completed
    // without forwarding; a failure the lower driver returned is the lower driver's).
    if (must_succeed(frame.major, frame.minor)) {
        const bool returned_failure =
            !NT_SUCCESS(status) && (!frame.forwarded || status != frame.lower_status);
        const bool completed_failure = !frame.forwarded && completed && !NT_SUCCESS(completed_status);
        if (returned_failure || completed_failure)
            wdm_error(0x247, routine, frame.irp, frame.device, Severity::Always, nullptr,
                      "the driver failed a PnP IRP that may not fail (surprise removal, removal, cancel remove, "
                      "cancel stop)",
                      driver, frame.record.get());
    }
    // 0x23B: completed, not forwarded, a request the driver cannot understand, with a status other than
    // the one it came with: the bus driver "leaves Irp->IoStatus.Status as is and completes the IRP".
    // https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-pnp-device-state
    if (!frame.forwarded && completed && unknown_request(frame.major, frame.minor) &&
        completed_status != frame.status_at_entry)
        wdm_error(0x23B, routine, frame.irp, frame.device, Severity::Always, nullptr,
                  "the driver completed an IRP with a minor function it cannot know and changed its status",
                  driver, frame.record.get());
}

}  // namespace ntio::verifier
