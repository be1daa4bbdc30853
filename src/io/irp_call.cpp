// IoCallDriver and the helpers that wrap it: IoSetCompletionRoutineEx (a completion routine that
// keeps the driver's device referenced until it has run) and IoForwardIrpSynchronously. IofCallDriver
// is the hot path: no locks, no allocation, one indirect call.
#include "io/irp.hpp"
#include "io/irp_completion_walk.hpp"
#include "verifier/fast_hooks.hpp"

extern "C" {

// NT fact A9: CurrentLocation goes down by one, the new location gets the target device, then the
// dispatch routine of the device's driver runs. Running out of locations is bugcheck 0x35 (P1 = IRP).
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x35--no-more-irp-stack-locations
NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    if (ntio::verifier::hooks_on()) [[unlikely]] {
        const ULONG reasons = ntio::verifier::g_hot.slow_reasons.load(std::memory_order_acquire);
        // Tracing alone (no driver verified): the records around the dispatch, and nothing else.
        if (ntio::verifier::trace_only(reasons) && DeviceObject) return ntio::verifier::traced_call(DeviceObject, Irp);
        return ntio::verifier::call_driver_hooked(DeviceObject, Irp, reasons);
    }
    if (--Irp->CurrentLocation <= 0)
        KeBugCheckEx(NO_MORE_IRP_STACK_LOCATIONS, reinterpret_cast<ULONG_PTR>(Irp), 0, 0, 0);
    PIO_STACK_LOCATION sp = --Irp->Tail.Overlay.CurrentStackLocation;
    sp->DeviceObject = DeviceObject;
    return DeviceObject->DriverObject->MajorFunction[sp->MajorFunction](DeviceObject, Irp);
}

}  // extern "C"

namespace {

// IoSetCompletionRoutineEx's context: the driver's routine, its Invoke* choices and a reference on
// its device object, so the driver image (and its routine) stays until the routine has returned.
struct CompletionExContext {
    PIO_COMPLETION_ROUTINE routine;
    PVOID context;
    PDEVICE_OBJECT device;
    UCHAR control;  // SL_INVOKE_ON_* as the driver asked
};
constexpr ULONG kCompletionExTag = 'xEoI';

// Registered for every outcome, so the context is freed however the IRP completes: the Learn page
// says the memory stays allocated only until the IRP's completion reaches the routine
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetcompletionroutineex).
// When the driver's Invoke* choices exclude this outcome its routine does not run and the thunk
// does what the completion walk does for a level without a routine: carry the pending bit up.
NTSTATUS NTAPI completion_ex_thunk(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
    auto* ctx = static_cast<CompletionExContext*>(Context);
    NTSTATUS status = STATUS_CONTINUE_COMPLETION;
    if (ntio::io::completion_routine_wanted(Irp, ctx->control)) {
        status = ctx->routine(DeviceObject, Irp, ctx->context);
    } else if (Irp->PendingReturned && Irp->CurrentLocation <= Irp->StackCount) {
        IoMarkIrpPending(Irp);
    }
    PDEVICE_OBJECT device = ctx->device;
    ExFreePoolWithTag(ctx, kCompletionExTag);
    ObDereferenceObject(device);
    return status;
}

NTSTATUS NTAPI forward_sync_completion(PDEVICE_OBJECT, PIRP, PVOID Context) {
    KeSetEvent(static_cast<PKEVENT>(Context), IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetcompletionroutineex:
// STATUS_INSUFFICIENT_RESOURCES when the context cannot be allocated (no routine is set then).
NTSTATUS NTAPI IoSetCompletionRoutineEx(PDEVICE_OBJECT DeviceObject, PIRP Irp, PIO_COMPLETION_ROUTINE CompletionRoutine,
                                        PVOID Context, BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError,
                                        BOOLEAN InvokeOnCancel) {
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::sdv_completion_ex_device(DeviceObject, Irp);
    auto* ctx = static_cast<CompletionExContext*>(
        ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(CompletionExContext), kCompletionExTag));
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::on_completion_ex_result(Irp, ctx == nullptr);
    if (!ctx) return STATUS_INSUFFICIENT_RESOURCES;
    if (ntio::verifier::active()) [[unlikely]] ntio::verifier::sdv_completion_ex_set(Irp);
    ctx->routine = CompletionRoutine;
    ctx->context = Context;
    ctx->device = DeviceObject;
    ctx->control = static_cast<UCHAR>((InvokeOnSuccess ? SL_INVOKE_ON_SUCCESS : 0) | (InvokeOnError ? SL_INVOKE_ON_ERROR : 0) |
                                      (InvokeOnCancel ? SL_INVOKE_ON_CANCEL : 0));
    ObReferenceObject(DeviceObject);
    IoSetCompletionRoutine(Irp, completion_ex_thunk, ctx, TRUE, TRUE, TRUE);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioforwardirpsynchronously:
// copies the current location to the next, sends the IRP and waits for it; returns TRUE when the
// IRP was sent (the caller then reads IoStatus and completes it), FALSE when there is no next
// location. PASSIVE_LEVEL.
BOOLEAN NTAPI IoForwardIrpSynchronously(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    if (Irp->CurrentLocation <= 1) return FALSE;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, forward_sync_completion, &event, TRUE, TRUE, TRUE);
    if (IoCallDriver(DeviceObject, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, nullptr);
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioiserroruserinduced
BOOLEAN NTAPI IoIsErrorUserInduced(NTSTATUS Status) {
    switch (Status) {
    case STATUS_DEVICE_NOT_READY:
    case STATUS_IO_TIMEOUT:
    case STATUS_MEDIA_WRITE_PROTECTED:
    case STATUS_NO_MEDIA_IN_DEVICE:
    case STATUS_UNRECOGNIZED_MEDIA:
    case STATUS_VERIFY_REQUIRED:
    case STATUS_WRONG_VOLUME:
        return TRUE;
    default:
        return FALSE;
    }
}

}  // extern "C"
