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

// IoCallDriver while the verifier is active. A Level 1 target with nothing else to do here (no
// Level 2 dispatch on this thread, no stress, no log) gets the Level 1 checks around the call,
// nothing remembered.
inline NTSTATUS call_driver_hooked(PDEVICE_OBJECT device, PIRP irp) noexcept {
    const ULONG flags = live_device_flags(device);
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
// tracks an IRP) and no log, the routine runs in its driver's context with nothing to check after.
inline NTSTATUS invoke_completion_routine_hooked(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp,
                                                 PVOID context) noexcept {
    if (!any_records()) [[likely]] {
        const ULONG flags = live_device_flags(device);
        if (!logging_for(flags)) [[likely]] {
            ContextScope scope(flags ? device->DriverObject : nullptr);
            return routine(device, irp, context);
        }
    }
    return invoke_completion_routine_slow(routine, device, irp, context);
}

// IoCompleteRequest's entry while the verifier is active: nothing any rule could report or record
// (IRQL and cancel routine fine, no spin lock held for SpinLockSafe, no record or frame, no log, no
// delay fuzzing) returns at once.
inline void complete_request_hooked(PIRP irp) noexcept {
    if (irp->Type == IO_TYPE_IRP && current_irql() <= DISPATCH_LEVEL &&
        !__atomic_load_n(&irp->CancelRoutine, __ATOMIC_RELAXED) && t_state.held_spin_locks == 0 &&
        t_state.cancel_lock_depth == 0 && !any_records() && !has_frames()) [[likely]] {
        PDEVICE_OBJECT device = irp->CurrentLocation >= 1 && irp->CurrentLocation <= irp->StackCount
                                    ? irp->Tail.Overlay.CurrentStackLocation->DeviceObject
                                    : nullptr;
        const ULONG flags = live_device_flags(device);
        if (!logging_for(flags) && !(flags & NTIO_VERIFIER_SYNC_DELAY_FUZZING)) [[likely]] return;
    }
    on_complete_request_slow(irp);
}

// IoAllocateIrp while the verifier is active: an IRP no verified driver allocates (no driver's code
// runs on this thread, no target device) and no log records comes from the I/O manager's cache.
inline bool irp_allocation_hooked(PDEVICE_OBJECT target) noexcept {
    return t_state.context || target || tracing();
}

// IoFreeIrp while the verifier is active: whether anything is queued, charged, tracked or logged
// that the freed IRP could concern (on_free_irp's checks run only then).
inline bool free_irp_hooked(PIRP) noexcept {
    return g_device_queued_entries.load(std::memory_order_acquire) != 0 || any_charges() || tracing() ||
           any_records();
}

}  // namespace ntio::verifier
