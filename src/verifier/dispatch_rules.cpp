// IoCallDriver under the verifier: argument and forwarding checks at entry (Level 1 and the
// stack-location copy rules of Level 2), then the dispatch routine inside a frame, then the exit
// rules: IRQL and spin locks, STATUS_PENDING if and only if marked pending, completed or forwarded.
// Rule pages: https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
#include <new>

#include "ob/object_header.hpp"
#include "verifier/chained_calls.hpp"
#include "verifier/fast_hooks.hpp"
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {

void wdm_error(ULONG_PTR subcode, PVOID routine, PIRP irp, PDEVICE_OBJECT device, Severity severity,
               const char* rule, const char* message, PDRIVER_OBJECT driver, IrpRecord* record) {
    report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, subcode, reinterpret_cast<ULONG_PTR>(routine),
            reinterpret_cast<ULONG_PTR>(irp), reinterpret_cast<ULONG_PTR>(device), severity, rule, message, driver,
            irp, record});
}

namespace {

ULONG_PTR ptr(const void* p) noexcept { return reinterpret_cast<ULONG_PTR>(p); }

// 0x0F (verifier-and-inspector.md 2.2; Learn's 0xC9 table has no row for it, so the parameters are
// ntio's: file object, IRP, device): an IRP_MJ_CREATE sent for a file object that is done with, its
// open cancelled (IoCancelFileOpen, FO_FILE_OPEN_CANCELLED) or its handle closed and cleaned up.
void check_create_file_object(PDEVICE_OBJECT device, PIRP irp, PDRIVER_OBJECT blamed) {
    if (irp->CurrentLocation <= 1) return;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    PFILE_OBJECT file = sp->FileObject;
    if (sp->MajorFunction != IRP_MJ_CREATE || !file || file->Type != IO_TYPE_FILE ||
        ob::type_of(file) != &io::g_file_type)
        return;
    const bool cancelled = (__atomic_load_n(&file->Flags, __ATOMIC_RELAXED) & FO_FILE_OPEN_CANCELLED) != 0;
    if (!cancelled && !io::file_private(file).cleanup_done) return;
    report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x0F, ptr(file), ptr(irp), ptr(device), Severity::Always, nullptr,
            cancelled ? "IRP_MJ_CREATE was sent for a file object whose open was cancelled"
                      : "IRP_MJ_CREATE was sent for a file object that was already closed",
            blamed, irp, nullptr});
}

// The IRQL a dispatch routine returned at is not the one it was called at. Learn's 0xC9 table has
// 0x05 for the change (device, IRQL before, IRQL after) and 0x12 (the dispatch routine, IRQL before
// the call, current IRQL) under "IoCallDriver was called above DISPATCH_LEVEL": the dispatch left the
// caller above DISPATCH_LEVEL. Learn does not say which of the two a change to above DISPATCH_LEVEL
// raises; ntio raises 0x12 there, 0x05 otherwise (docs/nt-deviations.md).
void irql_changed_across_dispatch(PDEVICE_OBJECT device, PVOID routine, KIRQL before, KIRQL after,
                                  PDRIVER_OBJECT driver, PIRP irp, IrpRecord* record) {
    if (after > DISPATCH_LEVEL)
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x12, ptr(routine), before, after, Severity::Always, nullptr,
                "the dispatch routine returned above DISPATCH_LEVEL", driver, irp, record});
    else
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x05, ptr(device), before, after, Severity::Always, nullptr,
                "the IRQL changed across the dispatch routine", driver, irp, record});
}

// METHOD_BUFFERED IOCTLs: fill the part of the system buffer the caller's input did not cover, so
// that an Information larger than what the driver wrote is seen at completion (0xC9 0x312).
void poison_ioctl_output(PIRP irp, IrpRecord& record) {
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    if (sp->MajorFunction != IRP_MJ_DEVICE_CONTROL && sp->MajorFunction != IRP_MJ_INTERNAL_DEVICE_CONTROL) return;
    const ULONG code = sp->Parameters.DeviceIoControl.IoControlCode;
    if (METHOD_FROM_CTL_CODE(code) != METHOD_BUFFERED || !irp->AssociatedIrp.SystemBuffer) return;
    const ULONG in = sp->Parameters.DeviceIoControl.InputBufferLength;
    const ULONG out = sp->Parameters.DeviceIoControl.OutputBufferLength;
    record.output_length = out;
    record.poisoned = true;
    record.poison_offset = in;
    record.poison_length = out > in ? out - in : 0;
    auto* bytes = static_cast<UCHAR*>(irp->AssociatedIrp.SystemBuffer);
    for (ULONG i = in; i < out; ++i) bytes[i] = static_cast<UCHAR>(kPoisonByte ^ (i * 131u));
}

void entry_checks(PDEVICE_OBJECT device, PIRP irp, Frame* caller, ULONG target_flags) {
    PDRIVER_OBJECT blamed = caller ? caller->device->DriverObject : (device ? device->DriverObject : nullptr);
    PVOID caller_routine = caller ? reinterpret_cast<PVOID>(caller->routine) : nullptr;
    if (!device)
        wdm_error(0x204, caller_routine, irp, nullptr, Severity::Always, nullptr,
                  "IoCallDriver was passed a NULL device object", blamed, caller ? caller->record.get() : nullptr);
    if (irp->Type != IO_TYPE_IRP)
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x03, ptr(irp), 0, 0, Severity::Always, nullptr,
                "IoCallDriver was passed an IRP whose Type is not IO_TYPE_IRP", blamed, irp, nullptr});
    if (device->Type != IO_TYPE_DEVICE)
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x04, ptr(device), 0, 0, Severity::Always, nullptr,
                "IoCallDriver was passed an invalid device object", blamed, irp, nullptr});
    const KIRQL irql = current_irql();
    if (irql > DISPATCH_LEVEL)
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x10, irql, 0, 0, Severity::Always, nullptr,
                "IoCallDriver was called above DISPATCH_LEVEL", blamed, irp, nullptr});
    check_create_file_object(device, irp, blamed);
    (void)target_flags;
    wdm_send_rules(device, irp, caller);
    if (PDRIVER_CANCEL routine = __atomic_load_n(&irp->CancelRoutine, __ATOMIC_RELAXED)) {
        (void)routine;
        wdm_error(0x203, caller_routine, irp, device, Severity::Always, nullptr,
                  "IoCallDriver was called with the IRP's cancel routine still set", blamed,
                  caller ? caller->record.get() : nullptr);
    }
    if (!caller) return;
    // Forwarding from a verified dispatch routine. A skip reuses the caller's location; a copy (or a
    // hand-built next location) is one below it and must have been set up.
    bool queued_beneath = false;
    if (caller->forwarded && caller->lower_status == STATUS_PENDING && caller->record) {
        std::lock_guard guard(tracking_lock());
        queued_beneath = caller->record->completions == caller->completions_at_entry;
    }
    if (queued_beneath)
        wdm_error(0x205, caller_routine, irp, device, Severity::Always, nullptr,
                  "the driver forwarded an IRP that is still queued beneath it", blamed, caller->record.get());
    if (irp->CurrentLocation - 1 == caller->location - 1 && irp->CurrentLocation > 1) {
        PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
        PIO_STACK_LOCATION current = IoGetCurrentIrpStackLocation(irp);
        if (next->MajorFunction == kPoisonMajor)
            wdm_error(0x212, caller_routine, irp, device, Severity::Always, nullptr,
                      "the driver forwarded the IRP without setting up the next stack location (use "
                      "IoCopyCurrentIrpStackLocationToNext or IoSkipCurrentIrpStackLocation)",
                      blamed, caller->record.get());
        if (next->Control & SL_PENDING_RETURNED)
            wdm_error(0x206, caller_routine, irp, device, Severity::Always, nullptr,
                      "the driver forwarded the IRP without zeroing the next location's Control (use "
                      "IoCopyCurrentIrpStackLocationToNext or IoSkipCurrentIrpStackLocation)",
                      blamed, caller->record.get());
        // Equal routines and contexts alone are legal: one driver filtering several layers sets the
        // same routine (often with a NULL context) at each. Only a location copied from the
        // caller's own carries the caller's kCopiedMark.
        if ((next->Control & kCopiedMark) && next->CompletionRoutine &&
            next->CompletionRoutine == current->CompletionRoutine && next->Context == current->Context)
            wdm_error(0x207, caller_routine, irp, device, Severity::Always, nullptr,
                      "the driver copied the upper driver's completion routine into the next location "
                      "(use IoCopyCurrentIrpStackLocationToNext)",
                      blamed, caller->record.get());
    }
    // A skip hands the lower driver the caller's own location, whose completion routine is the upper
    // driver's: "If a badly written driver makes the mistake of calling IoSkipCurrentIrpStackLocation
    // and then setting a completion routine, this driver might overwrite a completion routine set by
    // the driver above it" (IoSkipCurrentIrpStackLocation on Learn). Spec 2.4's skip unwinding;
    // reported as 0x212, a trashed stack location (Learn gives the WDM codes no table).
    if (irp->CurrentLocation == caller->location + 1) {
        PIO_STACK_LOCATION own = stack_location(irp, caller->location);
        if (own->CompletionRoutine != caller->own_routine_at_entry || own->Context != caller->own_context_at_entry)
            wdm_error(0x212, caller_routine, irp, device, Severity::Always, nullptr,
                      "the driver called IoSkipCurrentIrpStackLocation and then set a completion routine, "
                      "overwriting the completion routine of the driver above it (use "
                      "IoCopyCurrentIrpStackLocationToNext)",
                      blamed, caller->record.get());
    }
    wdm_forward_rules(device, irp, *caller);
    caller->forwarded = true;
    // The lower driver (maybe unverified) never sees the mark: skip hands it the caller's location.
    stack_location(irp, caller->location)->Control &= static_cast<UCHAR>(~kCopiedMark);
    if (irp->CurrentLocation > 1) IoGetNextIrpStackLocation(irp)->Control &= static_cast<UCHAR>(~kCopiedMark);
}

void exit_checks(Frame& frame, NTSTATUS status, KIRQL irql_before) {
    sdv_dispatch_exit(frame, status);
    PDRIVER_OBJECT driver = frame.device->DriverObject;
    PVOID routine = reinterpret_cast<PVOID>(frame.routine);
    const KIRQL irql_after = current_irql();
    if (cancel_lock_depth() > frame.cancel_lock_depth_at_entry || (irql_after == DISPATCH_LEVEL && irql_before < DISPATCH_LEVEL)) {
        static const char kCondition[] = "The driver must release all spin locks before its dispatch routine returns.";
        report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiSpinLock, ptr(kCondition), 0, 0, Severity::Always, "SpinLock",
                kCondition, driver, frame.irp, frame.record.get()});
    }
    if (irql_after != irql_before)
        irql_changed_across_dispatch(frame.device, routine, irql_before, irql_after, driver, frame.irp, frame.record.get());

    bool marked = false;
    bool completed = false;
    NTSTATUS completed_status = 0;
    PDRIVER_CANCEL cancel_now = nullptr;
    bool taken_back = false;
    {
        std::lock_guard guard(tracking_lock());
        IrpRecord& record = *frame.record;
        const bool completion_seen = record.completions > frame.completions_at_entry;
        // Before any completion started the IRP is alive and its Control is the dispatch's to read;
        // a completion (maybe still running elsewhere) cleared it, so use what it captured.
        if (completion_seen || record.freed)
            marked = (record.pending_bits >> frame.location) & 1;
        else
            marked = (stack_location(frame.irp, frame.location)->Control & SL_PENDING_RETURNED) != 0;
        taken_back = completion_seen && record.stopped && record.owner_location <= frame.location;
        completed = completion_seen && !taken_back;
        completed_status = record.completed_status;
        // Forwarded, pending below, no completion begun: the IRP is alive and the lower drivers' (0x229).
        if (frame.forwarded && frame.lower_status == STATUS_PENDING && !completion_seen && !record.freed)
            cancel_now = __atomic_load_n(&frame.irp->CancelRoutine, __ATOMIC_RELAXED);
        add_path_locked(record, {Event::Return, frame.location, 0, 0, marked, frame.device, routine, status});
        // Borrowed from here on (reports print it): recycled only once also out of the table.
        release_frame_record_locked(record);
    }
    wdm_exit_rules(frame, status, completed, completed_status, cancel_now);
    if (status == STATUS_PENDING) {
        if (!marked && !frame.forwarded)
            wdm_error(0x23D, routine, frame.irp, frame.device, Severity::Always, "MarkIrpPending2",
                      "the dispatch routine returned STATUS_PENDING without calling IoMarkIrpPending", driver,
                      frame.record.get());
        // Guess (Learn gives the WDM DRIVER ERROR codes no table): 0x24C is 0x23D's forwarding
        // variant. A forwarded IRP whose lower driver did not return STATUS_PENDING is not pending
        // below, so the dispatch's own STATUS_PENDING needs its own IoMarkIrpPending. (An IRP its
        // completion routine took back may be marked after that completion: not judged here.)
        else if (!marked && !taken_back && frame.lower_status != STATUS_PENDING)
            wdm_error(0x24C, routine, frame.irp, frame.device, Severity::Always, "MarkIrpPending2",
                      "the dispatch routine forwarded the IRP, the lower driver did not return STATUS_PENDING, "
                      "and it returned STATUS_PENDING without calling IoMarkIrpPending",
                      driver, frame.record.get());
        return;
    }
    if (status == static_cast<NTSTATUS>(0xFFFFFFFF))
        wdm_error(0x225, routine, frame.irp, frame.device, Severity::Always, nullptr,
                  "the dispatch routine returned the illegal status 0xFFFFFFFF (an uninitialized variable?)",
                  driver, frame.record.get());
    if (marked && !frame.forced_pending)
        wdm_error(0x23E, routine, frame.irp, frame.device, Severity::Always, "MarkIrpPending",
                  "the dispatch routine called IoMarkIrpPending but did not return STATUS_PENDING", driver,
                  frame.record.get());
    if (!completed && !frame.forwarded)
        wdm_error(0x226, routine, frame.irp, frame.device, Severity::Always, "IrpProcessingComplete",
                  "the dispatch routine returned without completing the IRP, passing it down or returning "
                  "STATUS_PENDING",
                  driver, frame.record.get());
    if (completed && status != completed_status)
        wdm_error(0x224, routine, frame.irp, frame.device, Severity::StrictOnly, "LowerDriverReturn",
                  "the dispatch routine returned a status other than the IRP's IoStatus.Status", driver,
                  frame.record.get());
}

}  // namespace

// Level 1 at IoCallDriver (0xC9 0x03, 0x04, 0x10): arguments and IRQL, nothing remembered.
void level1_entry_checks(PDEVICE_OBJECT device, PIRP irp) {
    PDRIVER_OBJECT blamed = context_driver();
    if (!blamed && device && device->Type == IO_TYPE_DEVICE) blamed = device->DriverObject;
    if (!device || device->Type != IO_TYPE_DEVICE)
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x04, ptr(device), 0, 0, Severity::Always, nullptr,
                "IoCallDriver was passed an invalid device object", blamed, irp, nullptr});
    if (irp->Type != IO_TYPE_IRP)
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x03, ptr(irp), 0, 0, Severity::Always, nullptr,
                "IoCallDriver was passed an IRP whose Type is not IO_TYPE_IRP", blamed, irp, nullptr});
    if (const KIRQL irql = current_irql(); irql > DISPATCH_LEVEL)
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x10, irql, 0, 0, Severity::Always, nullptr,
                "IoCallDriver was called above DISPATCH_LEVEL", blamed, irp, nullptr});
    if (device && device->Type == IO_TYPE_DEVICE && irp->Type == IO_TYPE_IRP) check_create_file_object(device, irp, blamed);
}

// Level 1 at the dispatch's return: the IRQL it was called at (0xC9 0x05, or 0x12 above
// DISPATCH_LEVEL), no spin lock kept. The IRP may be gone by now: only the device and the routine are
// named.
void level1_exit_checks(PDEVICE_OBJECT device, PVOID routine, KIRQL irql_before, int cancel_depth_before) {
    PDRIVER_OBJECT driver = device->DriverObject;
    const KIRQL irql_after = current_irql();
    if (cancel_lock_depth() > cancel_depth_before || (irql_after == DISPATCH_LEVEL && irql_before < DISPATCH_LEVEL)) {
        static const char kCondition[] = "The driver must release all spin locks before its dispatch routine returns.";
        report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiSpinLock, ptr(kCondition), 0, 0, Severity::Always, "SpinLock",
                kCondition, driver, nullptr, nullptr});
    }
    if (irql_after != irql_before) irql_changed_across_dispatch(device, routine, irql_before, irql_after, driver, nullptr, nullptr);
}

FastIoCheck fast_io_enter(PDEVICE_OBJECT device) noexcept {
    if (!(device_flags(device) & NTIO_VERIFIER_IO_CHECKING)) return {0, 0, false};
    const ContextWord previous = context_word();
    set_context_driver(device->DriverObject);
    return {previous, current_irql(), true};
}

// 0xC9 0x11 (Learn: the fast I/O dispatch routine, the IRQL before it, the current IRQL; filed under
// "IoCallDriver was called above DISPATCH_LEVEL"). Learn gives no condition beyond the parameters;
// ntio reports a fast I/O routine that returns at another IRQL than it was called at, as 0x05 does
// for a dispatch routine (docs/nt-deviations.md).
void fast_io_exit(const FastIoCheck& check, PDEVICE_OBJECT device, PVOID routine) noexcept {
    if (!check.checked) return;
    restore_context(check.previous);
    if (const KIRQL after = current_irql(); after != check.irql_before)
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x11, ptr(routine), check.irql_before, after, Severity::Always,
                nullptr, "the fast I/O routine returned at another IRQL than it was called at", device->DriverObject,
                nullptr, nullptr});
}

namespace {

// A dispatch of a driver the verifier does not check: logged when logging is on, with the driver
// context switched so that a verified caller is not charged for the lower driver's allocations.
NTSTATUS unchecked_call(PDEVICE_OBJECT device, PIRP irp, ULONG target_flags) noexcept {
    PDRIVER_OBJECT const context = target_flags ? device->DriverObject : nullptr;
    if (logging_for(target_flags)) return logged_call(device, irp, context);
    ContextScope scope(context);
    return plain_call(device, irp);
}

// A dispatch of a driver under Level 1 I/O verification only: the Level 1 checks around an untracked
// call (no frame, no record).
NTSTATUS level1_call(PDEVICE_OBJECT device, PIRP irp, ULONG target_flags) noexcept {
    const KIRQL irql_before = current_irql();
    const int cancel_depth = cancel_lock_depth();
    PVOID const routine = irp->CurrentLocation > 1
                              ? reinterpret_cast<PVOID>(device->DriverObject->MajorFunction[IoGetNextIrpStackLocation(irp)->MajorFunction])
                              : nullptr;
    const NTSTATUS status = unchecked_call(device, irp, target_flags);
    level1_exit_checks(device, routine, irql_before, cancel_depth);
    return status;
}

// The checked dispatch: the frame, the routine, the exit rules.
NTSTATUS checked_call(PDEVICE_OBJECT device, PIRP irp, Frame* caller, bool forced) noexcept {
    if (irp->CurrentLocation <= 1) {
        // As for an unverified target: the call's record (no routine: no location to run it at), then 0x35.
        if (logging_for(device_flags(device))) log_call(irp, device, nullptr);
        KeBugCheckEx(NO_MORE_IRP_STACK_LOCATIONS, reinterpret_cast<ULONG_PTR>(irp), 0, 0, 0);
    }
    const CHAR location = static_cast<CHAR>(irp->CurrentLocation - 1);
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    PDRIVER_DISPATCH routine = device->DriverObject->MajorFunction[sp->MajorFunction];
    const bool log = logging_for(device_flags(device));
    if (log) log_call(irp, device, reinterpret_cast<PVOID>(routine));
    // The frame holds the record (active_frames); nothing owning stays on this stack, which a test's
    // bugcheck hook may leave through a longjmp.
    std::vector<Frame>& frames = thread_frames();
    const std::size_t index = frames.size();
    const char* label = device_label(device);
    {
        std::lock_guard guard(tracking_lock());
        // A forward from a verified dispatch: its frame already holds the record.
        RecordRef record = caller && caller->record && !caller->record->erased.load(std::memory_order_relaxed)
                               ? caller->record
                               : find_record_locked(irp);
        const bool fresh = irp->CurrentLocation == irp->StackCount + 1 && !caller;
        if (record && fresh && record->active_frames == 0 && record->completions > 0) {
            erase_record_locked(irp);
            record = nullptr;
        }
        if (!record) record = create_record_locked(irp);
        // Out of memory for a record: the dispatch runs without a frame (untracked).
        if (record) {
            if (fresh && !record->poisoned) poison_ioctl_output(irp, *record);
            ++record->active_frames;
            record->stopped = false;
            record->reached_originator = false;
            record->pending_bits &= ~(std::uint64_t{1} << (location & 63));
            add_path_locked(*record, {Event::Dispatch, location, sp->MajorFunction, sp->MinorFunction, false, device,
                                      reinterpret_cast<PVOID>(routine), irp->IoStatus.Status, device->DriverObject,
                                      label});
            frames.push_back({record, irp, device, routine, location, false, 0, 0, cancel_lock_depth(), forced});
            t_state.frame_count = frames.size();
            Frame& frame = frames.back();
            frame.completions_at_entry = frame.record->completions;
            frame.own_routine_at_entry = sp->CompletionRoutine;
            frame.own_context_at_entry = sp->Context;
            frame.major = sp->MajorFunction;
            frame.minor = sp->MinorFunction;
            frame.status_at_entry = irp->IoStatus.Status;
            frame.information_at_entry = irp->IoStatus.Information;
            sdv_dispatch_entry(frames.back());
        }
    }
    // A user-mode request is watched for taking too long to complete or to cancel (slow_irps.cpp).
    if (irp->RequestorMode == UserMode) start_slow_irp_watch();
    --irp->CurrentLocation;
    sp = --irp->Tail.Overlay.CurrentStackLocation;
    sp->DeviceObject = device;
    // Force pending: the completion walks up as after an asynchronous completion (PendingReturned).
    if (forced) sp->Control |= SL_PENDING_RETURNED;
    sp->Control |= kCopiedMark;
    // The location below is not the dispatch's until it sets it up: mark it, so that forwarding
    // without IoCopyCurrentIrpStackLocationToNext / IoSkipCurrentIrpStackLocation is seen (0x212).
    if (location > 1) IoGetNextIrpStackLocation(irp)->MajorFunction = kPoisonMajor;

    const KIRQL irql_before = current_irql();
    NTSTATUS status;
    {
        ContextScope scope(device->DriverObject);
        status = routine(device, irp);
    }
    if (log) log_return(irp, status, location);
    std::vector<Frame>& after = thread_frames();
    if (index < after.size() && after[index].irp == irp) {
        exit_checks(after[index], status, irql_before);
        after.erase(after.begin() + static_cast<std::ptrdiff_t>(index), after.end());
        t_state.frame_count = after.size();
    }
    return status;
}

// Force pending I/O (Driver Verifier option class 10): the dispatch runs on a worker thread with its
// location marked pending, and the caller gets STATUS_PENDING at once, so its wait and completion
// paths run as they do when the lower driver is asynchronous.
struct ForcedCall {
    WORK_QUEUE_ITEM item;
    PDEVICE_OBJECT device;
    PIRP irp;
};

VOID NTAPI forced_call_worker(PVOID context) {
    auto* call = static_cast<ForcedCall*>(context);
    PDEVICE_OBJECT device = call->device;
    PIRP irp = call->irp;
    delete call;
    const ULONG flags = device_flags(device);
    if (io_level2(flags)) {
        (void)checked_call(device, irp, nullptr, true);
    } else {
        IoGetNextIrpStackLocation(irp)->Control |= SL_PENDING_RETURNED;
        (void)unchecked_call(device, irp, flags);
    }
    ObDereferenceObject(device);
}

}  // namespace

namespace {

// The frame of this thread's dispatch that holds irp, unless the IRP it ran for is gone (freed or
// reinitialized: its record is out of the table) and irp is a new one at the same address.
Frame* live_frame(PIRP irp) noexcept {
    Frame* frame = innermost_frame(irp);
    if (frame && frame->record && frame->record->erased.load(std::memory_order_acquire)) return nullptr;
    return frame;
}

}  // namespace

// A target no rule checks, with nothing logged and no Level 2 dispatch on this thread (those go
// elsewhere from call_driver_unverified): it runs in no driver's context, so that a verified caller
// is not charged for its allocations.
NTSTATUS call_driver_untraced(PDEVICE_OBJECT device, PIRP irp) noexcept {
    ContextScope scope(nullptr);
    return plain_call(device, irp);
}

namespace {
// The exit checks of the Level 1 call, handing the dispatch's status back (a tail call there).
// `major`: the framed call's major function. The blamed device is the last call chained into it (a
// forward of the same IRP, so of the same major function), and the routine named is its driver's.
[[gnu::cold, gnu::noinline]] NTSTATUS level1_exit_reported(PDEVICE_OBJECT device, UCHAR major, KIRQL irql_before,
                                                           int cancel_depth_before, NTSTATUS status) {
    PVOID const routine = major <= IRP_MJ_MAXIMUM_FUNCTION
                              ? reinterpret_cast<PVOID>(device->DriverObject->MajorFunction[major])
                              : nullptr;
    level1_exit_checks(device, routine, irql_before, cancel_depth_before);
    return status;
}

// What the Level 1 call compares across the dispatch, in one word: the IRQL and the cancel spin
// lock depth.
inline std::uint64_t level1_exit_key(KIRQL irql, int cancel_depth) noexcept {
    return static_cast<std::uint64_t>(static_cast<std::uint32_t>(cancel_depth)) << 8 | irql;
}

// This thread's verifier state and KTHREAD found again after a call (the same KTHREAD, unless the
// dispatch ended the thread's binding). libntio's thread-locals are
// initial-exec: the thread pointer plus an offset from the GOT. Read before and after a call, GCC
// keeps each offset in a callee-saved register across it; these reads (asm volatile, so not merged
// with the ones before the call) load the offsets again instead, which costs less than the register's
// push and pop.
struct AfterCall {
    ThreadState* state;
    _KTHREAD* thread;
};
inline AfterCall after_call() noexcept {
#if defined(__x86_64__) && defined(__GNUC__)
    std::uintptr_t tp, state_offset, thread_offset;
    asm volatile("movq %%fs:0, %0" : "=r"(tp));
    asm volatile("movq _ZN4ntio8verifier7t_stateE@gottpoff(%%rip), %0" : "=r"(state_offset));
    asm volatile("movq _ZN4ntio2ke16t_current_threadE@gottpoff(%%rip), %0" : "=r"(thread_offset));
    auto* state = reinterpret_cast<ThreadState*>(tp + state_offset);
    auto* current = reinterpret_cast<std::atomic<_KTHREAD*>*>(tp + thread_offset);
    return {state, current->load(std::memory_order_acquire)};
#else
    return {&t_state, ke::current_thread_if_any()};
#endif
}

// ---- Chained Level 1 calls (chained_calls.hpp) ----
// A call a filter's dispatch makes by a tail call keeps no frame: its exit checks would run at the
// same instant as the framed call's above it, on the same IRQL and cancel spin lock depth. It is
// chained when its entry IRQL and depth are that call's: it switches the driver context, names its
// device as the one the exit check blames, and jumps to the dispatch; the framed call's exit checks
// run when the whole chain returns. The report names what the unchained calls would have named: the
// innermost call whose checks fail is the last one chained (an IRQL changed before a tail call makes
// the next call a framed one, which checks from there).
NTIO_DEFINE_CHAIN(ntio_level1)

// A framed Level 1 call: the dispatch with the driver's context set, its IRQL and cancel spin lock
// depth compared after (0x05 / 0x12 and the SpinLock rule at its return), the chain it interrupts and
// the major function (for a report's routine) kept in stack slots, the chain put back after its
// dispatch (which returns to ntio_level1_chain_return). Few
// values live across the dispatch: the previous context and the IRQL and cancel spin lock depth in
// one word; the thread and its state are found again after it. Each value kept would be a
// callee-saved register pushed and popped around every verified call, and on some hosts (AMD Zen)
// those stack round trips cost more than the reads they save.
[[gnu::noinline]] NTSTATUS level1_framed_call(PDEVICE_OBJECT device, PIRP irp, PDRIVER_OBJECT driver,
                                              std::uint64_t key, PDRIVER_DISPATCH routine, UCHAR major) noexcept {
    ThreadState& state = t_state;
    volatile UCHAR framed_major = major;
    volatile std::uint64_t outer_key = state.chain_key;
    volatile PDEVICE_OBJECT outer_device = state.chain_device;
    const ContextWord previous = state.context;
    state.context = reinterpret_cast<ContextWord>(driver);
    state.chain_key = key;
    state.chain_device = device;
    const NTSTATUS status = ntio_level1_framed_dispatch(device, irp, routine);
    const AfterCall after = after_call();
    after.state->context = previous;
    PDEVICE_OBJECT const blamed = after.state->chain_device;
    after.state->chain_key = outer_key;
    after.state->chain_device = outer_device;
    if (!after.thread || level1_exit_key(after.thread->m_irql, after.state->cancel_lock_depth) != key) [[unlikely]]
        return level1_exit_reported(blamed, framed_major, static_cast<KIRQL>(key), static_cast<int>(key >> 8), status);
    return status;
}

// The dispatch of a Level 1 call: a chained call (`return_address` is IoCallDriver's, from its hook;
// nullptr elsewhere) jumps to it, any other is framed.
[[gnu::always_inline]] inline NTSTATUS level1_dispatch(PDEVICE_OBJECT device, PIRP irp, PDRIVER_OBJECT driver,
                                                             KIRQL irql, const void* return_address) noexcept {
    if (--irp->CurrentLocation <= 0) [[unlikely]]
        KeBugCheckEx(NO_MORE_IRP_STACK_LOCATIONS, reinterpret_cast<ULONG_PTR>(irp), 0, 0, 0);
    PIO_STACK_LOCATION sp = --irp->Tail.Overlay.CurrentStackLocation;
    sp->DeviceObject = device;
    ThreadState& state = t_state;
    const std::uint64_t key = level1_exit_key(irql, state.cancel_lock_depth);
    const UCHAR major = sp->MajorFunction;
    const PDRIVER_DISPATCH routine = driver->MajorFunction[major];
    if (ntio_level1_chained(return_address) && state.chain_key == key) {
        state.context = reinterpret_cast<ContextWord>(driver);
        state.chain_device = device;
        return NTIO_CHAINED_DISPATCH(routine, device, irp);
    }
    return level1_framed_call(device, irp, driver, key, routine, major);
}

// A Level 1 call whose entry checks report (0xC9 0x03 / 0x04 / 0x10), or a create (0x0F), then its
// dispatch: out of line, so that the usual path keeps nothing across a call before the dispatch.
[[gnu::cold, gnu::noinline]] NTSTATUS level1_call_reported(PDEVICE_OBJECT device, PIRP irp, PDRIVER_OBJECT driver,
                                                           KIRQL irql) noexcept {
    level1_entry_checks(device, irp);
    return level1_dispatch(device, irp, driver, irql, nullptr);
}

// A Level 1 target with nothing else to do: the Level 1 checks around the dispatch with the
// driver's context set, nothing remembered. The thread's KTHREAD is read once before the dispatch.
// `return_address`: as for level1_dispatch.
[[gnu::always_inline]] inline NTSTATUS level1_call_inline(PDEVICE_OBJECT device, PIRP irp, PDRIVER_OBJECT driver,
                                                          ULONG flags, bool traced,
                                                          const void* return_address = nullptr) noexcept {
    _KTHREAD* const thread = ke::current_thread_if_any();
    if (!thread || t_state.frame_count != 0 || traced) [[unlikely]] return call_driver_slow(device, irp, flags);
    const KIRQL irql = thread->m_irql;
    // A create goes the cold way too, for its file object's check (0x0F): the major function is the
    // byte the dispatch is looked up by.
    if (device->Type != IO_TYPE_DEVICE || irp->Type != IO_TYPE_IRP || irql > DISPATCH_LEVEL ||
        (irp->Tail.Overlay.CurrentStackLocation - 1)->MajorFunction == IRP_MJ_CREATE) [[unlikely]]
        return level1_call_reported(device, irp, driver, irql);
    return level1_dispatch(device, irp, driver, irql, return_address);
}
}  // namespace

NTSTATUS call_driver_level1(PDEVICE_OBJECT device, PIRP irp, ULONG flags) noexcept {
    return level1_call_inline(device, irp, device->DriverObject, flags, tracing());
}

// IoCallDriver while the verifier is active and not only tracing: the Level 1 target with nothing
// else to do in line (chained, or framed by one call), everything else by tail calls.
// `return_address`: IoCallDriver's (call_driver_hooked below passes it).
extern "C" [[gnu::visibility("hidden")]] NTSTATUS ntio_verifier_call_driver_hooked(PDEVICE_OBJECT device, PIRP irp,
                                                                                  ULONG reasons,
                                                                                  const void* return_address) noexcept {
    PDRIVER_OBJECT const driver = device ? device->DriverObject : nullptr;
    if (!driver || driver->Type != IO_TYPE_DRIVER) [[unlikely]] return call_driver_odd_target(device, irp);
    const ULONG flags = io::driver_private(driver).verifier_flags.load(std::memory_order_relaxed);
    if ((flags & kLevel1LeanMask) == kLevel1Lean) [[likely]]
        return level1_call_inline(device, irp, driver, flags, (reasons & kSlowTracing) != 0, return_address);
    return call_driver_with_flags(device, irp, flags);
}

// call_driver_hooked(device, irp, reasons): IofCallDriver jumps here, so the word at the stack
// pointer is IoCallDriver's return address, passed on as the fourth argument.
#if NTIO_CHAINED_CALLS
NTIO_RETURN_ADDRESS_ENTRY(_ZN4ntio8verifier18call_driver_hookedEP14_DEVICE_OBJECTP4_IRPj,
                          ntio_verifier_call_driver_hooked, "%rcx");
#else
NTSTATUS call_driver_hooked(PDEVICE_OBJECT device, PIRP irp, ULONG reasons) noexcept {
    return ntio_verifier_call_driver_hooked(device, irp, reasons, nullptr);
}
#endif

// Everything the inline IoCallDriver hook leaves: Level 2 frames, forwarding rules, stress modes, the
// log of verified drivers.
NTSTATUS call_driver_slow(PDEVICE_OBJECT device, PIRP irp, ULONG target_flags) noexcept {
    if (device && irp && irp->Type == IO_TYPE_IRP) {
        sdv_originator_send(irp, device);
        check_send_after_failed_completion_ex(irp);
    }
    Frame* caller = live_frame(irp);
    bool forced = false;
    if (target_flags & (NTIO_VERIFIER_SYNC_DELAY_FUZZING | NTIO_VERIFIER_FORCE_PENDING)) [[unlikely]] {
        maybe_delay(target_flags);
        forced = device && irp && irp->Type == IO_TYPE_IRP && irp->CurrentLocation > 1 &&
                 roll_force_pending(target_flags);
    }
    const bool level1 = (target_flags & NTIO_VERIFIER_IO_CHECKING) != 0;
    const bool level2 = io_level2(target_flags);
    if (!caller && !level2 && !forced) {
        if (!level1) return unchecked_call(device, irp, target_flags);
        level1_entry_checks(device, irp);
        return level1_call(device, irp, target_flags);
    }
    // A forward from a Level 2 dispatch gets that dispatch's forwarding rules whatever the target.
    if (level1 && !level2 && !caller) level1_entry_checks(device, irp);
    else entry_checks(device, irp, caller, target_flags);
    NTSTATUS status;
    if (forced) {
        auto* call = new (std::nothrow) ForcedCall{};
        if (!call) {
            status = level2 ? checked_call(device, irp, caller, false)
                   : level1 ? level1_call(device, irp, target_flags)
                            : unchecked_call(device, irp, target_flags);
        } else {
            call->device = device;
            call->irp = irp;
            ObReferenceObject(device);
            ExInitializeWorkItem(&call->item, forced_call_worker, call);
            ExQueueWorkItem(&call->item, DelayedWorkQueue);
            status = STATUS_PENDING;
        }
    } else if (level1 && !level2) {
        status = level1_call(device, irp, target_flags);
    } else if (!level2) {
        status = unchecked_call(device, irp, target_flags);
    } else {
        status = checked_call(device, irp, caller, false);
    }
    if ((caller = live_frame(irp))) {
        caller->lower_status = status;
        if (status == STATUS_PENDING) wdm_forward_pending(*caller);
    }
    return status;
}

}  // namespace ntio::verifier
