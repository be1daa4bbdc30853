// The verifier's hooks on the I/O manager's hot paths (IoCallDriver, IoCompleteRequest, completion
// routines), inline in the I/O manager so that the common cases cost a few loads: a Level 1 driver
// with nothing else to check, or no tracking record and no log. Everything else goes to the
// out-of-line *_slow functions (dispatch_rules.cpp, completion_rules.cpp).
#pragma once

#include "io/objects.hpp"
#include "verifier/state.hpp"

namespace ntio::verifier {

// The flags of a live device's driver, from the copy set_flags keeps in the driver object (one load
// instead of the table's hashed lookup; only for devices, whose driver outlives them). A driver
// object the I/O manager did not create (Type not IO_TYPE_DRIVER: a test's bare DRIVER_OBJECT) has
// no private part: the table answers.
inline ULONG live_device_flags(PDEVICE_OBJECT device) noexcept {
    if (!device) return 0;
    PDRIVER_OBJECT driver = device->DriverObject;
    if (!driver) return 0;
    if (driver->Type != IO_TYPE_DRIVER) [[unlikely]] return driver_flags(driver);
    return io::driver_private(driver).verifier_flags.load(std::memory_order_relaxed);
}

// Level 1 reports (cold, dispatch_rules.cpp): 0x03 / 0x04 / 0x10 at the call, 0x05 and the SpinLock
// rule at the dispatch's return.
[[gnu::cold]] void level1_entry_checks(PDEVICE_OBJECT device, PIRP irp);
[[gnu::cold]] void level1_exit_checks(PDEVICE_OBJECT device, KIRQL irql_before, int cancel_depth_before);
NTSTATUS call_driver_slow(PDEVICE_OBJECT device, PIRP irp, ULONG target_flags) noexcept;
NTSTATUS invoke_completion_routine_slow(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp,
                                        PVOID context) noexcept;
void on_complete_request_slow(PIRP irp) noexcept;

// IoCallDriver while the verifier is active, with no Level 2 dispatch on this thread. An unverified
// target runs in no driver's context (a verified caller is not charged for its allocations), logged
// when tracing; a Level 1 target with nothing else to do (no stress, no IRP logging, no tracing) gets
// the Level 1 checks around the call, nothing remembered.
inline NTSTATUS call_driver_hooked(PDEVICE_OBJECT device, PIRP irp) noexcept {
    const ULONG flags = live_device_flags(device);
    if (flags == 0 && device && irp->CurrentLocation > 1 && !has_frames()) [[likely]] {
        const bool log = tracing();
        std::uint64_t match = 0;
        const CHAR location = static_cast<CHAR>(irp->CurrentLocation - 1);
        PDRIVER_DISPATCH routine = device->DriverObject->MajorFunction[IoGetNextIrpStackLocation(irp)->MajorFunction];
        if (log) [[unlikely]] {
            match = next_match_id();
            log_call(irp, device, reinterpret_cast<PVOID>(routine), match);  // reads the IRP as IoCallDriver got it
        }
        --irp->CurrentLocation;
        PIO_STACK_LOCATION sp = --irp->Tail.Overlay.CurrentStackLocation;
        sp->DeviceObject = device;
        NTSTATUS status;
        {
            ContextScope scope(nullptr);
            status = routine(device, irp);
        }
        if (log) [[unlikely]] log_return(irp, device, match, status, location);
        return status;
    }
    constexpr ULONG kLeanMask = NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_IO_LEVEL1_ONLY | NTIO_VERIFIER_FORCE_PENDING |
                                NTIO_VERIFIER_SYNC_DELAY_FUZZING | NTIO_VERIFIER_IRP_LOGGING;
    if ((flags & kLeanMask) != (NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_IO_LEVEL1_ONLY) || has_frames() ||
        tracing()) [[unlikely]]
        return call_driver_slow(device, irp, flags);
    const KIRQL irql = current_irql();
    if (device->Type != IO_TYPE_DEVICE || irp->Type != IO_TYPE_IRP || irql > DISPATCH_LEVEL) [[unlikely]]
        level1_entry_checks(device, irp);
    if (--irp->CurrentLocation <= 0) [[unlikely]]
        KeBugCheckEx(NO_MORE_IRP_STACK_LOCATIONS, reinterpret_cast<ULONG_PTR>(irp), 0, 0, 0);
    PIO_STACK_LOCATION sp = --irp->Tail.Overlay.CurrentStackLocation;
    sp->DeviceObject = device;
    const int cancel_depth = t_state.cancel_lock_depth;
    NTSTATUS status;
    {
        ContextScope scope(device->DriverObject);
        status = device->DriverObject->MajorFunction[sp->MajorFunction](device, irp);
    }
    if (current_irql() != irql || t_state.cancel_lock_depth > cancel_depth) [[unlikely]]
        level1_exit_checks(device, irql, cancel_depth);
    return status;
}

// A completion routine while the verifier is active: with no record anywhere (no Level 2 driver
// tracks an IRP), the routine runs in its driver's context with nothing to check after; logged when
// the log is on.
inline NTSTATUS invoke_completion_routine_hooked(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp,
                                                 PVOID context) noexcept {
    if (any_records()) [[unlikely]] return invoke_completion_routine_slow(routine, device, irp, context);
    const ULONG flags = live_device_flags(device);
    const CHAR location = irp->CurrentLocation;
    const bool pending_returned = irp->PendingReturned != FALSE;
    NTSTATUS result;
    {
        ContextScope scope(flags ? device->DriverObject : nullptr);
        result = routine(device, irp, context);
    }
    if (logging_for(flags)) [[unlikely]]
        log_completion_routine(irp, device, reinterpret_cast<PVOID>(routine), result, location, pending_returned);
    return result;
}

// IoCompleteRequest's entry while the verifier is active: nothing any rule could report or record
// (IRQL and cancel routine fine, no spin lock held for SpinLockSafe, no record or frame, no delay
// fuzzing) returns at once, after the log's record when the log is on.
inline void complete_request_hooked(PIRP irp) noexcept {
    if (irp->Type == IO_TYPE_IRP && current_irql() <= DISPATCH_LEVEL &&
        !__atomic_load_n(&irp->CancelRoutine, __ATOMIC_RELAXED) && t_state.held_spin_locks == 0 &&
        t_state.cancel_lock_depth == 0 && !any_records() && !has_frames()) [[likely]] {
        PDEVICE_OBJECT device = irp->CurrentLocation >= 1 && irp->CurrentLocation <= irp->StackCount
                                    ? irp->Tail.Overlay.CurrentStackLocation->DeviceObject
                                    : nullptr;
        const ULONG flags = live_device_flags(device);
        if (!(flags & NTIO_VERIFIER_SYNC_DELAY_FUZZING)) [[likely]] {
            if (logging_for(flags)) [[unlikely]] log_complete(irp, irp->IoStatus.Status, irp->IoStatus.Information);
            return;
        }
    }
    on_complete_request_slow(irp);
}

// IoAllocateIrp while the verifier is active: an IRP no verified driver allocates (no driver's code
// runs on this thread, no target device) comes from the I/O manager's cache (then alloc_logged says
// whether the log records it).
inline bool irp_allocation_hooked(PDEVICE_OBJECT target) noexcept { return t_state.context || target; }
inline bool alloc_logged() noexcept { return tracing(); }

// IoFreeIrp while the verifier is active: whether anything is queued, charged or tracked that the
// freed IRP could concern (on_free_irp's checks, and its log record, run only then); otherwise
// free_logged says whether the log records the free.
inline bool free_irp_hooked(PIRP) noexcept {
    return g_device_queued_entries.load(std::memory_order_acquire) != 0 || any_charges() || any_records();
}
inline bool free_logged() noexcept { return tracing(); }

}  // namespace ntio::verifier
