// Static Driver Verifier rules of spec 3.3 and 3.4 as run-time monitors, for drivers verified with
// the additional DDI compliance checks: IoSetCompletionRoutineExCheckDeviceObject,
// CompletionRoutineRegistered, CancelSpinlockRelease and WithinCriticalRegion (IoAllocateFree is 0xC9 0x20B, lifetime_rules.cpp).
// Rule pages (Microsoft Learn): "IoSetCompletionRoutineExCheckDeviceObject rule (wdm)",
// "CompletionRoutineRegistered rule (wdm)", "CancelSpinlockRelease rule (wdm)", "WithinCriticalRegion
// rule (wdm)". Learn gives none of them a Driver Verifier subcode: the ids are
// ntio's (sdv_cancel.hpp), parameter 2 is the rule's condition string as for Learn's DDI rules.
// Each check runs from a DDI off the gated I/O paths (IoSetCompletionRoutineEx, the cancel spin
// lock, ERESOURCE release) or from the dispatch exit hook, and only while the verifier is on.
#include <vector>

#include "ke/thread.hpp"
#include "verifier/sdv_cancel.hpp"
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {
namespace sdv_irp {

ULONG_PTR as_param(const void* p) noexcept { return reinterpret_cast<ULONG_PTR>(p); }

bool sdv_on(PDRIVER_OBJECT driver) noexcept {
    return driver && (driver_flags(driver) & NTIO_VERIFIER_DDI_COMPLIANCE_ADDITIONAL);
}

}  // namespace sdv_irp

using sdv_irp::as_param;
using sdv_irp::sdv_on;

// ---- IoSetCompletionRoutineExCheckDeviceObject ----
// IoSetCompletionRoutineEx holds a reference on the device object it is given until the routine has
// run, so that the driver cannot unload under its routine: only one of the caller's own devices does
// that. Checked at the call, before anything is allocated.
void sdv_completion_ex_device(PDEVICE_OBJECT device, PIRP irp) noexcept {
    PDRIVER_OBJECT driver = context_driver();
    if (!device || !sdv_on(driver) || device->DriverObject == driver) return;
    static const char kCondition[] =
        "A driver should pass one of its own device objects to IoSetCompletionRoutineEx.";
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiCompletionExDeviceObject, as_param(kCondition), as_param(irp),
            as_param(device), Severity::Always, "IoSetCompletionRoutineExCheckDeviceObject",
            "the driver passed IoSetCompletionRoutineEx a device object of another driver: the reference it "
            "takes does not keep the caller loaded while its completion routine can still run",
            driver, irp, nullptr});
}

// ---- CompletionRoutineRegistered: IoSetCompletionRoutineEx, then IoCallDriver / PoCallDriver ----
// "CompletionRoutineRegistered rule (wdm)": a dispatch routine that set a routine with
// IoSetCompletionRoutineEx on the IRP it received must send that IRP on. Otherwise the routine never
// runs, and neither is its context freed nor the device reference it holds dropped. Decided when the
// dispatch returns: the IRP marked here and not forwarded by that dispatch.
namespace {
// The IRP and the stack location of the dispatch that set the routine: the same IRP passed down to
// another dispatch of this thread is that dispatch's own business.
thread_local PIRP t_completion_ex_irp = nullptr;
thread_local CHAR t_completion_ex_location = 0;
}  // namespace

void sdv_completion_ex_set(PIRP irp) noexcept {
    if (!has_frames()) return;
    const Frame* frame = innermost_frame(irp);
    if (!frame || !sdv_on(context_driver())) return;
    t_completion_ex_irp = irp;
    t_completion_ex_location = frame->location;
}

// A caught bugcheck may have cut the marking dispatch short.
void sdv_completion_ex_reset() noexcept { t_completion_ex_irp = nullptr; }

void sdv_completion_ex_exit(const Frame& frame) noexcept {
    if (t_completion_ex_irp != frame.irp || t_completion_ex_location != frame.location) return;
    t_completion_ex_irp = nullptr;
    PDRIVER_OBJECT driver = frame.device->DriverObject;
    if (frame.forwarded || !sdv_on(driver)) return;
    static const char kCondition[] =
        "After IoSetCompletionRoutineEx the driver should pass the IRP on with IoCallDriver or PoCallDriver.";
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiCompletionRoutineRegistered, as_param(kCondition),
            as_param(frame.irp), as_param(frame.device), Severity::Always, "CompletionRoutineRegistered",
            "the dispatch routine set a completion routine with IoSetCompletionRoutineEx and returned without "
            "sending the IRP on: the routine never runs and its context and device reference are never released",
            driver, frame.irp, frame.record.get()});
}

// ---- CancelSpinlockRelease: strict alternation of acquire and release ----
// The thread's cancel spin lock depth (lifetime_rules.cpp) counts what this thread holds: a release
// with none held, or an acquire while it already holds the lock (which deadlocks), breaks the
// alternation. A cancel routine releases the lock IoCancelIrp took on the same thread: depth 1.
namespace {
void report_cancel_lock(PDRIVER_OBJECT driver, bool acquire) noexcept {
    static const char kCondition[] =
        "Calls to IoAcquireCancelSpinLock and IoReleaseCancelSpinLock should strictly alternate.";
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiCancelSpinlockRelease, as_param(kCondition),
            static_cast<ULONG_PTR>(cancel_lock_depth()), acquire ? 1u : 0u, Severity::Always,
            "CancelSpinlockRelease",
            acquire ? "the driver called IoAcquireCancelSpinLock while this thread already holds the cancel spin lock"
                    : "the driver called IoReleaseCancelSpinLock without holding the cancel spin lock",
            driver, nullptr, nullptr});
}
}  // namespace

void sdv_cancel_lock_acquiring() noexcept {
    if (cancel_lock_depth() == 0) return;
    PDRIVER_OBJECT driver = context_driver();
    if (sdv_on(driver)) report_cancel_lock(driver, true);
}

void sdv_cancel_lock_releasing() noexcept {
    if (cancel_lock_depth() != 0) return;
    PDRIVER_OBJECT driver = context_driver();
    if (sdv_on(driver)) report_cancel_lock(driver, false);
}

// ---- WithinCriticalRegion: ERESOURCE release inside a critical region ----
// The acquisitions are Driver Verifier's own check (0xC4 0x37, ddi_rules.cpp). A release by the
// owning thread below APC_LEVEL with normal kernel APCs enabled is this rule's: the thread could be
// suspended between the acquire and the release. A release for another thread (after
// ExSetResourceOwnerPointer, from a worker or a completion) is legal anywhere and not checked.
void sdv_release_resource(PERESOURCE resource, ERESOURCE_THREAD thread) noexcept {
    if (thread != ExGetCurrentResourceThread()) return;
    sdv_resource_not_exclusive(resource);
    PDRIVER_OBJECT driver = context_driver();
    if (!sdv_on(driver) || current_irql() >= APC_LEVEL) return;
    _KTHREAD* t = ke::current_thread_if_any();
    if (!t || ke::kernel_apc_disable(t) != 0 || ke::special_apc_disable(t) != 0) return;
    static const char kCondition[] =
        "ExReleaseResourceLite and ExReleaseResourceForThreadLite should be called inside a critical region.";
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiWithinCriticalRegion, as_param(kCondition), as_param(resource),
            0, Severity::Always, "WithinCriticalRegion",
            "the driver released an ERESOURCE with normal kernel APCs enabled (outside KeEnterCriticalRegion / "
            "KeLeaveCriticalRegion)",
            driver, nullptr, nullptr});
}

// ---- ExclusiveResourceAccess: no exclusive ERESOURCE held when a dispatch routine returns ----
// "ExclusiveResourceAccess rule (wdm)": the driver must not have exclusive access to a resource when
// the routine ends. Followed per thread: each exclusive acquire a verified dispatch made (with the
// dispatch's stack location), until this thread releases it, hands it to an owner pointer or converts
// it to shared. A release by another thread comes only after ExSetResourceOwnerPointer, which ends the
// hold here first. Nested acquires of the same resource (legal recursion on NT) are not flagged.
namespace {
struct ExclusiveHold {
    PERESOURCE resource;
    CHAR location;
};
thread_local std::vector<ExclusiveHold>* t_exclusive = nullptr;  // freed by sdv_resource_reset
}  // namespace

void sdv_resource_exclusive(PERESOURCE resource) noexcept {
    if (!has_frames() || !sdv_on(context_driver())) return;
    if (!t_exclusive) t_exclusive = new std::vector<ExclusiveHold>();
    t_exclusive->push_back({resource, thread_frames().back().location});
}

void sdv_resource_not_exclusive(PERESOURCE resource) noexcept {
    if (!t_exclusive) return;
    for (auto it = t_exclusive->rbegin(); it != t_exclusive->rend(); ++it) {
        if (it->resource != resource) continue;
        t_exclusive->erase(std::next(it).base());
        return;
    }
}

void sdv_resource_reset() noexcept {
    delete t_exclusive;
    t_exclusive = nullptr;
}

void sdv_resource_exit(const Frame& frame) noexcept {
    if (!t_exclusive) return;
    PERESOURCE held = nullptr;
    for (auto it = t_exclusive->begin(); it != t_exclusive->end();) {
        if (it->location == frame.location) {
            held = it->resource;
            it = t_exclusive->erase(it);
        } else {
            ++it;
        }
    }
    if (t_exclusive->empty()) sdv_resource_reset();
    PDRIVER_OBJECT driver = frame.device->DriverObject;
    if (!held || !sdv_on(driver)) return;
    static const char kCondition[] =
        "The driver should release an ERESOURCE it acquired exclusively before its routine returns.";
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiExclusiveResourceAccess, as_param(kCondition), as_param(held),
            as_param(frame.device), Severity::Always, "ExclusiveResourceAccess",
            "the dispatch routine returned still owning an ERESOURCE it acquired exclusively", driver, frame.irp,
            frame.record.get()});
}

}  // namespace ntio::verifier
