// IoCompleteRequest and completion routines under the verifier: Level 1 completion checks (IRQL,
// cancel routine still set), completing an IRP still queued beneath the caller, the IOCTL
// information leak, and PendingReturned propagation by completion routines (0xC9 0x228).
#include "verifier/fast_hooks.hpp"
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {
namespace {

ULONG_PTR ptr(const void* p) noexcept { return reinterpret_cast<ULONG_PTR>(p); }

PDEVICE_OBJECT current_device(PIRP irp) noexcept {
    if (irp->CurrentLocation < 1 || irp->CurrentLocation > irp->StackCount) return nullptr;
    return irp->Tail.Overlay.CurrentStackLocation->DeviceObject;
}

// Information larger than the output buffer, or reaching into the poisoned part the driver never
// wrote: the I/O manager would copy uninitialized kernel memory to the caller (0xC9 0x312).
bool leaks_information(PIRP irp, const IrpRecord& record) noexcept {
    if (!record.poisoned || NT_ERROR(irp->IoStatus.Status)) return false;
    const ULONG_PTR information = irp->IoStatus.Information;
    if (information > record.output_length) return true;
    const ULONG start = record.poison_offset;
    if (information <= start) return false;
    // The last bytes reported (up to 4) still hold the poison pattern: nobody wrote them.
    const ULONG_PTR tail_begin = information >= 4 && information - 4 > start ? information - 4 : start;
    const auto* bytes = static_cast<const UCHAR*>(irp->AssociatedIrp.SystemBuffer);
    for (ULONG_PTR i = tail_begin; i < information; ++i)
        if (bytes[i] != static_cast<UCHAR>(kPoisonByte ^ (static_cast<ULONG>(i) * 131u))) return false;
    return true;
}

// 0x239 (a warning on Learn): "the caller of IoCompleteRequest is completing an IRP that has never
// been forwarded via a call to IoCallDriver or PoCallDriver". No location is in use, so the caller
// is the IRP's originator (the verified driver on this thread); an IRP whose record saw a dispatch
// was forwarded, and a second completion after one reached the originator is the double completion
// below. NT deviation: seen only when IoCompleteRequest takes the verifier's full path (a Level 2
// dispatch on the thread, or a tracked IRP), not for a completion from a DPC with nothing tracked.
void check_never_forwarded(PIRP irp, const IrpRecord* record) noexcept {
    PDRIVER_OBJECT caller = context_driver();
    if (!caller || !io_level2(driver_flags(caller))) return;
    if (record) {
        std::lock_guard guard(tracking_lock());
        for (const PathEntry& entry : record->path)
            if (entry.event == Event::Dispatch) return;
    }
    report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x239, 0, ptr(irp), 0, Severity::Always, nullptr,
            "the driver completed an IRP it never sent with IoCallDriver", caller, irp, nullptr});
}

// Spec 2.4, the unwinding of IoSkipCurrentIrpStackLocation: a dispatch that skipped its location and
// then completed the IRP itself, without forwarding it (or putting the location back), completes from
// the location of the driver above it, whose completion routine for this level is never called.
// Reported as 0x212, a stack location used improperly (Learn gives the WDM codes no table).
void check_completion_after_skip(PIRP irp) noexcept {
    Frame* frame = innermost_frame(irp);
    if (!frame || frame->forwarded || irp->CurrentLocation != frame->location + 1) return;
    if (frame->record) {
        if (frame->record->erased.load(std::memory_order_acquire)) return;
        // A completion begun since the dispatch started put the IRP past the top: a second completion,
        // the double completion's (0x44) to report.
        std::lock_guard guard(tracking_lock());
        if (frame->record->completions > frame->completions_at_entry) return;
    }
    wdm_error(0x212, reinterpret_cast<PVOID>(frame->routine), irp, frame->device, Severity::Always, nullptr,
              "the driver called IoSkipCurrentIrpStackLocation and then completed the IRP instead of "
              "forwarding it: the completion routine of the driver above is skipped",
              frame->device->DriverObject, frame->record.get());
}

}  // namespace

void on_complete_request_slow(PIRP irp) noexcept {
    if (irp->Type != IO_TYPE_IRP) return;  // freed or bogus: the I/O manager's 0x44 check follows
    PDEVICE_OBJECT device = current_device(irp);
    sdv_complete_request(irp, device);
    const ULONG completer_flags = device_flags(device);
    if (completer_flags & NTIO_VERIFIER_SYNC_DELAY_FUZZING) [[unlikely]] maybe_delay(completer_flags);
    if (logging_for(completer_flags))
        log_complete(irp, irp->IoStatus.Status, irp->IoStatus.Information);
    // Borrowed: the completer owns the IRP, so nobody frees it (and its record) meanwhile. A
    // dispatch frame of this thread usually holds it already.
    IrpRecord* record = cached_record(irp);
    if (!record && any_records()) {
        std::lock_guard guard(tracking_lock());
        record = find_record_locked(irp).get();
    }
    if (irp->CurrentLocation == irp->StackCount + 1) [[unlikely]] check_never_forwarded(irp, record);
    check_completion_after_skip(irp);
    if (!record && !(completer_flags & NTIO_VERIFIER_IO_CHECKING)) return;
    const ULONG flags = completer_flags;
    PDRIVER_OBJECT driver = device ? device->DriverObject : nullptr;
    PVOID dispatch = nullptr;
    if (device && irp->CurrentLocation <= irp->StackCount)
        dispatch = reinterpret_cast<PVOID>(driver->MajorFunction[irp->Tail.Overlay.CurrentStackLocation->MajorFunction]);

    const KIRQL irql = current_irql();
    if (irql > DISPATCH_LEVEL)
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x0E, irql, ptr(irp), 0, Severity::Always, nullptr,
                "IoCompleteRequest was called above DISPATCH_LEVEL", driver, irp, record});
    // One condition, two subcodes: Level 1's 0x07 (the cancel routine, the IRP) and Level 2's 0x23C ("a
    // driver has completed an IRP without setting the cancel routine in the IRP to NULL", WDM layout).
    // NT deviation (a guess): a Level 2 completer gets 0x23C, any other 0x07, as IoCallDriver's invalid
    // device is 0x04 or 0x204; without the verifier the walk raises CANCEL_STATE_IN_COMPLETED_IRP.
    if (PDRIVER_CANCEL routine = __atomic_load_n(&irp->CancelRoutine, __ATOMIC_RELAXED)) {
        if (io_level2(flags))
            report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x23C, ptr(dispatch), ptr(irp), ptr(device), Severity::Always,
                    nullptr, "the driver completed the IRP without setting its cancel routine to NULL", driver, irp,
                    record});
        else
            report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x07, ptr(reinterpret_cast<PVOID>(routine)), ptr(irp), 0,
                    Severity::Always, nullptr,
                    "IoCompleteRequest was called while the IRP's cancel routine was still set", driver, irp, record});
    }
    // Only the frame's own driver can complete an IRP queued beneath it: a lower driver (verified
    // or not) completing inside the frame's IoCallDriver owns the IRP, and its code runs in its own
    // context (nullptr for an unverified driver), not the frame's.
    if (Frame* frame = innermost_frame(irp);
        frame && irp->CurrentLocation < frame->location && context_driver() == frame->device->DriverObject)
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x209, ptr(reinterpret_cast<PVOID>(frame->routine)), ptr(irp),
                ptr(frame->device), Severity::Always, nullptr,
                "the driver completed an IRP that is still queued beneath it", frame->device->DriverObject, irp,
                frame->record.get()});
    if (!record) return;
    if (irp->CurrentLocation > irp->StackCount) {
        // Completion of an IRP no driver holds. Once a completion reached the originator (its
        // routine kept the IRP with STATUS_MORE_PROCESSING_REQUIRED), another one is a double
        // completion the I/O manager's location check cannot see (DoubleCompletion rule).
        if (record->reached_originator && irp->CurrentLocation == irp->StackCount + 1)
            report({MULTIPLE_IRP_COMPLETE_REQUESTS, ptr(irp), kDoubleCompletionAtOriginator, 0, 0, Severity::Always,
                    "DoubleCompletion", "the IRP was completed again after its completion reached the originator",
                    driver, irp, record});
        std::lock_guard guard(tracking_lock());
        ++record->completions;
        add_path_locked(*record, {Event::Complete, irp->CurrentLocation, 0, 0, false, nullptr, nullptr,
                                  irp->IoStatus.Status});
        return;
    }
    if (io_level2(flags) && leaks_information(irp, *record))
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x312, ptr(dispatch), ptr(irp), ptr(device), Severity::Always,
                nullptr,
                "IoStatus.Information is larger than what the driver wrote to the METHOD_BUFFERED output buffer "
                "(the caller would receive uninitialized kernel memory)",
                driver, irp, record});
    std::lock_guard guard(tracking_lock());
    ++record->completions;
    record->stopped = false;
    record->completed_status = irp->IoStatus.Status;
    for (CHAR n = irp->CurrentLocation; n <= irp->StackCount && n < 64; ++n)
        if (stack_location(irp, n)->Control & SL_PENDING_RETURNED) record->pending_bits |= std::uint64_t{1} << n;
    add_path_locked(*record, {Event::Complete, irp->CurrentLocation, 0, 0,
                              (irp->Tail.Overlay.CurrentStackLocation->Control & SL_PENDING_RETURNED) != 0, device,
                              dispatch, irp->IoStatus.Status});
}

// A completion routine while records exist: the path entries, the log, 0x228.
NTSTATUS invoke_completion_routine_slow(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp,
                                        PVOID context) noexcept {
    const CHAR location = irp->CurrentLocation;
    const bool pending_returned = irp->PendingReturned != FALSE;
    std::uint64_t sequence = 0;
    // A frame of this thread that holds the record keeps it alive across the routine (the routine
    // runs deeper in that frame's dispatch); without one, the table is asked again afterwards.
    IrpRecord* cached = cached_record(irp);
    const ULONG routine_flags = device_flags(device);
    if (cached || any_records()) {
        const char* label = device_label(device);
        std::lock_guard guard(tracking_lock());
        IrpRecord* record = cached;
        RecordRef found;
        if (!record) record = (found = find_record_locked(irp)).get();
        if (record) {
            sequence = record->sequence;
            add_path_locked(*record, {Event::Routine, location, 0, 0, pending_returned, device,
                                      reinterpret_cast<PVOID>(routine), irp->IoStatus.Status, nullptr, label});
        }
    }
    NTSTATUS result;
    {
        ContextScope scope(routine_flags ? device->DriverObject : nullptr);
        result = routine(device, irp, context);
    }
    if (logging_for(routine_flags))
        log_completion_routine(irp, device, reinterpret_cast<PVOID>(routine), result, location, pending_returned);
    if (!sequence) return result;
    // A routine that freed the IRP also ended its record: the cached one says so (erased); without
    // a frame, the table is asked again (nothing owning is held across the routine), and a reused
    // address has a record with another sequence number.
    IrpRecord* record = nullptr;
    if (cached && result != STATUS_MORE_PROCESSING_REQUIRED) {
        if (cached->erased.load(std::memory_order_acquire)) return result;
        record = cached;
    } else {
        std::lock_guard guard(tracking_lock());
        if (cached) {
            if (cached->erased.load(std::memory_order_acquire)) return result;
            record = cached;
        } else {
            RecordRef found = find_record_locked(irp);
            if (!found || found->sequence != sequence) return result;
            record = found.get();
        }
        if (result == STATUS_MORE_PROCESSING_REQUIRED) {
            // The routine's driver owns the IRP again: do not touch it.
            record->stopped = true;
            if (location > record->stack_count) record->reached_originator = true;
            record->owner_location = location;
            add_path_locked(*record, {Event::RoutineMoreProcessing, location, 0, 0, pending_returned, device,
                                      reinterpret_cast<PVOID>(routine), result});
            return result;
        }
    }
    // NT fact B5: a routine that lets completion go on must propagate the pending bit to its own
    // location when PendingReturned is set, or the requester may wait forever (0xC9 0x228). The walk
    // goes on, so the IRP (and the table's reference on its record) is alive.
    if (pending_returned && location <= irp->StackCount && io_level2(routine_flags) &&
        !(irp->Tail.Overlay.CurrentStackLocation->Control & SL_PENDING_RETURNED))
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x228, ptr(reinterpret_cast<PVOID>(routine)), ptr(irp),
                ptr(device), Severity::StrictOnly, nullptr,
                "the completion routine did not call IoMarkIrpPending although Irp->PendingReturned was set",
                device ? device->DriverObject : nullptr, irp, record});
    return result;
}

}  // namespace ntio::verifier
