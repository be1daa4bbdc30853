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

// Level 1 reports (cold, dispatch_rules.cpp): 0x03 / 0x04 / 0x0F / 0x10 at the call, 0x05 / 0x12 and
// the SpinLock rule at the dispatch's return (`routine`: the dispatch routine, for 0x12).
[[gnu::cold]] void level1_entry_checks(PDEVICE_OBJECT device, PIRP irp);
[[gnu::cold]] void level1_exit_checks(PDEVICE_OBJECT device, PVOID routine, KIRQL irql_before,
                                      int cancel_depth_before);
NTSTATUS call_driver_slow(PDEVICE_OBJECT device, PIRP irp, ULONG target_flags) noexcept;
NTSTATUS invoke_completion_routine_slow(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp,
                                        PVOID context) noexcept;
void on_complete_request_slow(PIRP irp) noexcept;
// IoCompleteRequest by a driver with DDI compliance checking: the PnpRemove rule (ddi_rules.cpp).
void check_completion_ddi(PIRP irp) noexcept;

// The two common IoCallDriver cases while the verifier is active, out of line so that the hook
// itself stays frameless (dispatch_rules.cpp): a target no rule checks, with no Level 2 dispatch on
// this thread and no tracing, and a Level 1 target with nothing else to do (no stress, no IRP
// logging, no tracing, no Level 2 dispatch on this thread).
NTSTATUS call_driver_untraced(PDEVICE_OBJECT device, PIRP irp) noexcept;
NTSTATUS call_driver_level1(PDEVICE_OBJECT device, PIRP irp, ULONG flags) noexcept;

// A target no rule checks (it has a next stack location): by tail calls only, so that with tracing
// on IoCallDriver reaches the logged call in one step (gate V3).
inline NTSTATUS call_driver_unverified(PDEVICE_OBJECT device, PIRP irp) noexcept {
    if (has_frames()) [[unlikely]] return call_driver_slow(device, irp, 0);
    if (tracing()) return logged_call(device, irp, nullptr);
    return call_driver_untraced(device, irp);
}

inline constexpr ULONG kLevel1LeanMask = NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_IO_LEVEL1_ONLY |
                                        NTIO_VERIFIER_FORCE_PENDING | NTIO_VERIFIER_SYNC_DELAY_FUZZING |
                                        NTIO_VERIFIER_IRP_LOGGING;
inline constexpr ULONG kLevel1Lean = NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_IO_LEVEL1_ONLY;

// IoCallDriver's path for a target with these driver flags, by tail calls only.
inline NTSTATUS call_driver_with_flags(PDEVICE_OBJECT device, PIRP irp, ULONG flags) noexcept {
    if ((flags & kLevel1LeanMask) == kLevel1Lean) [[likely]] return call_driver_level1(device, irp, flags);
    if (flags == 0 && device && irp->CurrentLocation > 1) return call_driver_unverified(device, irp);
    return call_driver_slow(device, irp, flags);
}

// A target without a driver object the I/O manager made (null, or a test's bare DRIVER_OBJECT).
[[gnu::cold, gnu::noinline]] inline NTSTATUS call_driver_odd_target(PDEVICE_OBJECT device, PIRP irp) noexcept {
    return call_driver_with_flags(device, irp, live_device_flags(device));
}

// IoCallDriver while the verifier is active and not only tracing (dispatch_rules.cpp); reasons: the
// SlowReason word IofCallDriver read.
NTSTATUS call_driver_hooked(PDEVICE_OBJECT device, PIRP irp, ULONG reasons) noexcept;

// A completion routine while a record exists anywhere (a Level 2 driver tracks an IRP) or the log is
// on: the records' path goes to the slow hook; otherwise the routine runs in its driver's context and
// is logged (logged_completion_routine, irp_log.cpp, with the record written inline; gate V3).
NTSTATUS logged_completion_routine(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp,
                                   PVOID context) noexcept;
inline NTSTATUS invoke_completion_routine_logged(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device,
                                                                  PIRP irp, PVOID context) noexcept {
    if (any_records()) [[unlikely]] return invoke_completion_routine_slow(routine, device, irp, context);
    return logged_completion_routine(routine, device, irp, context);
}

// A completion routine while the verifier is active: with no record and no log, the routine runs in
// its driver's context with nothing to check after.
inline NTSTATUS invoke_completion_routine_hooked(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp,
                                                 PVOID context) noexcept {
    const ULONG slow = g_hot.slow_reasons.load(std::memory_order_acquire);
    if (slow & (kSlowRecords | kSlowTracing | kSlowIrpLogging)) [[unlikely]] {
        if (trace_only(slow)) return traced_completion_routine(routine, device, irp, context);
        return invoke_completion_routine_logged(routine, device, irp, context);
    }
    const ULONG flags = live_device_flags(device);
    ContextScope scope(flags ? device->DriverObject : nullptr);
    return routine(device, irp, context);
}
// The same in a verified completion walk, whose context (`walk`) names the routine's driver.
inline NTSTATUS invoke_completion_routine_hooked(CompletionWalkContext& walk, PIO_COMPLETION_ROUTINE routine,
                                                 PDEVICE_OBJECT device, PIRP irp, PVOID context) noexcept {
    if (g_hot.slow_reasons.load(std::memory_order_acquire) & (kSlowRecords | kSlowTracing | kSlowIrpLogging))
        [[unlikely]] return invoke_completion_routine_hooked(routine, device, irp, context);
    return walk.run(routine, device, irp, context);
}

// IoCompleteRequest's entry when the quick test below fails: nothing any rule could report or record
// (IRQL and cancel routine fine, no spin lock held for SpinLockSafe, no record or frame, no delay
// fuzzing for this driver) returns after the log's record when the log is on; the rest is the slow
// path's.
[[gnu::noinline]] inline void complete_request_checked(PIRP irp) noexcept {
    if (slow_for(kSlowDdiCompliance)) check_completion_ddi(irp);
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

// No frame, no cancel spin lock, no spin lock taken by a checked driver on this thread.
inline bool thread_quiet() noexcept {
    return (t_state.frame_count | static_cast<std::uint32_t>(t_state.cancel_lock_depth) |
            static_cast<std::uint32_t>(t_state.held_spin_locks)) == 0;
}
// IoCompleteRequest's entry while the verifier is active and not only tracing (reasons: the
// SlowReason word IofCompleteRequest read): when no rule could report or record and no driver has
// delay fuzzing or IRP logging, it returns at once, after the log's record when tracing is on (what
// complete_request_checked would find, without its device lookup).
inline void complete_request_hooked(PIRP irp, ULONG reasons) noexcept {
    if (irp->Type == IO_TYPE_IRP && current_irql() <= DISPATCH_LEVEL &&
        !__atomic_load_n(&irp->CancelRoutine, __ATOMIC_RELAXED) && thread_quiet()) [[likely]] {
        const ULONG slow =
            reasons & (kSlowRecords | kSlowTracing | kSlowIrpLogging | kSlowDelayFuzzing | kSlowDdiCompliance);
        if (slow == 0) [[likely]] return;
        if (trace_only(slow)) return log_complete(irp, irp->IoStatus.Status, irp->IoStatus.Information);
    }
    complete_request_checked(irp);
}
inline void complete_request_hooked(PIRP irp) noexcept {
    complete_request_hooked(irp, g_hot.slow_reasons.load(std::memory_order_acquire));
}

// IoAllocateIrp while the verifier is active: an IRP no verified driver allocates (no driver's code
// runs on this thread, no target device) comes from the I/O manager's cache (then alloc_logged says
// whether the log records it).
inline bool irp_allocation_hooked(PDEVICE_OBJECT target) noexcept { return t_state.context || target; }
inline bool alloc_logged() noexcept { return tracing(); }

// IoFreeIrp's hook while the verifier is active, one word read: when a device queue entry is
// watched, a block is charged or an IRP tracked, the freed IRP could concern them (on_free_irp's
// checks, and its log record); otherwise the log's record is all, when tracing is on.
inline void free_irp_hook(PIRP irp) noexcept {
    const ULONG reasons = g_hot.slow_reasons.load(std::memory_order_acquire);
    if (reasons & (kSlowDeviceQueued | kSlowCharges | kSlowRecords)) [[unlikely]] on_free_irp(irp);
    else if (reasons & kSlowTracing) log_free(irp);
}

}  // namespace ntio::verifier
