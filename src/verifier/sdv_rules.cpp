// Static Driver Verifier rules as run-time monitors (spec 3.1-3.5) and the further I/O
// verification checks of spec 2.4 that need state of their own: the driver context of DPCs,
// returning from dispatch with APCs disabled, LowerDriverReturn, SpinLockSafe, an IRP freed as pool,
// remove-lock tags, and the cancel rules IrpCancelField and StartIoCancel. Rule pages:
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-lowerdriverreturn,
// .../wdm-spinlocksafe, .../wdm-criticalregions, .../wdm-irpcancelfield, .../wdm-startiocancel; subcodes from
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc4--driver-verifier-detected-violation
#include <mutex>
#include <unordered_map>

#include "io/irp.hpp"
#include "ke/thread.hpp"
#include "verifier/sdv_cancel.hpp"
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define NTIO_SDV_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NTIO_SDV_ASAN 1
#endif
#endif
#ifdef NTIO_SDV_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace ntio::verifier {
namespace {

ULONG_PTR ptr(const void* p) noexcept { return reinterpret_cast<ULONG_PTR>(p); }

// Guards the DPC and remove-lock tables. Never held across report(): a test's bugcheck hook leaves
// through a longjmp.
std::mutex g_lock;
std::unordered_map<PKDPC, PDRIVER_OBJECT>* g_dpcs = nullptr;  // never destroyed

struct TrackedRemoveLock {
    PDRIVER_OBJECT driver;
    std::unordered_map<PVOID, int> tags;  // acquisitions not yet released, per tag
};
std::unordered_map<PIO_REMOVE_LOCK, TrackedRemoveLock>* g_remove_locks = nullptr;  // never destroyed

SHORT apc_disable_count() noexcept {
    _KTHREAD* t = ke::current_thread_if_any();
    return t ? ke::kernel_apc_disable(t) : 0;
}
SHORT guarded_count() noexcept {
    _KTHREAD* t = ke::current_thread_if_any();
    return t ? ke::special_apc_disable(t) : 0;
}

bool io_checked(PDRIVER_OBJECT driver) noexcept {
    return driver && (driver_flags(driver) & NTIO_VERIFIER_IO_CHECKING);
}

// The Static Driver Verifier rules beyond Driver Verifier's standard DDI set run with the additional
// DDI compliance checks.
bool sdv_checked(PDRIVER_OBJECT driver) noexcept {
    return driver && (driver_flags(driver) & NTIO_VERIFIER_DDI_COMPLIANCE_ADDITIONAL);
}

// DEVOBJ_EXTENSION.StartIoFlags: IoSetStartIoAttributes(NonCancelable = TRUE) (the value Windows
// debuggers show, as src/io/start_io.cpp sets it).
constexpr ULONG kStartIoNonCancelable = 0x200;

// StartIoCancel finding of this thread's dispatch: the packet IoStartPacket queued for StartIo with
// no cancel routine while the device's StartIo queue is cancelable. Reported at the dispatch's exit
// (the insert hook runs under the device queue's spin lock).
thread_local PIRP t_uncancelable_packet = nullptr;

// Whether `entry` (just linked, the queue's lock held) is in device->DeviceQueue: the walk from the
// entry around its list meets the queue's head.
bool linked_in(const KDEVICE_QUEUE_ENTRY* entry, PDEVICE_OBJECT device) noexcept {
    const LIST_ENTRY* head = &device->DeviceQueue.DeviceListHead;
    const LIST_ENTRY* start = &entry->DeviceListEntry;
    for (const LIST_ENTRY* e = start->Flink; e && e != start; e = e->Flink)
        if (e == head) return true;
    return false;
}

// IrpCancelField (the rule applies at the end of the dispatch routine): an IRP the dispatch keeps
// (not passed down, not completed) that has a cancel routine while Irp->Cancel is already TRUE was
// cancelled before its routine was set, and the driver did not look at Cancel: no IoCancelIrp will
// ever call the routine. Read under the cancel spin lock, which IoCancelIrp holds from setting Cancel
// to taking the routine, and under the tracking lock while no completion of the IRP began (a
// completer takes it before the IRP can be freed).
struct CancelState {
    bool readable = false;
    bool cancel = false;
    PDRIVER_CANCEL routine = nullptr;
};
CancelState read_cancel_state(const Frame& frame) noexcept {
    CancelState state;
    // Not while this thread holds the cancel spin lock: a dispatch that returned holding it is the
    // SpinLock rule's (reported next), and one called under it (from a cancel routine) cannot take it.
    if (frame.forwarded || cancel_lock_depth() != 0 || KeGetCurrentIrql() > DISPATCH_LEVEL) return state;
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    {
        std::lock_guard guard(tracking_lock());
        const IrpRecord& record = *frame.record;
        if (!record.erased.load(std::memory_order_acquire) && !record.freed &&
            record.completions == frame.completions_at_entry) {
            state.readable = true;
            state.cancel = __atomic_load_n(&frame.irp->Cancel, __ATOMIC_SEQ_CST) != FALSE;
            state.routine = __atomic_load_n(&frame.irp->CancelRoutine, __ATOMIC_SEQ_CST);
        }
    }
    IoReleaseCancelSpinLock(irql);
    return state;
}

void check_cancel_rules(const Frame& frame) noexcept {
    const bool uncancelable_packet = t_uncancelable_packet == frame.irp;
    if (uncancelable_packet) t_uncancelable_packet = nullptr;
    PDRIVER_OBJECT driver = frame.device->DriverObject;
    if (!sdv_checked(driver)) return;
    const CancelState state = read_cancel_state(frame);
    if (state.readable && state.cancel && state.routine) {
        static const char kCondition[] =
            "The driver should check Irp->Cancel when it sets a cancel routine on an IRP it pends.";
        report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiIrpCancelField, ptr(kCondition), ptr(frame.irp),
                ptr(reinterpret_cast<PVOID>(state.routine)), Severity::Always, "IrpCancelField",
                "the dispatch routine left a cancel routine on an IRP that was already cancelled (it did not check "
                "Irp->Cancel after IoSetCancelRoutine), so the IRP can never be cancelled",
                driver, frame.irp, frame.record.get()});
    }
    // A routine the dispatch set on the queued packet after IoStartPacket makes it cancelable again.
    if (uncancelable_packet && !(state.readable && state.routine)) {
        static const char kCondition[] =
            "The driver should not allow cancellation of its StartIo packets before it sets a non-NULL cancel "
            "routine.";
        report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiStartIoCancel, ptr(kCondition), ptr(frame.irp),
                ptr(frame.device), Severity::Always, "StartIoCancel",
                "IoStartPacket queued the IRP for StartIo without a cancel routine (CancelFunction NULL) while the "
                "device's StartIo queue is cancelable (IoSetStartIoAttributes NonCancelable FALSE): IoCancelIrp "
                "cannot reach it while it waits",
                driver, frame.irp, frame.record.get()});
    }
}

}  // namespace

// ---- DPCs: the driver that initialised a DPC is the context driver while its routine runs ----

void on_initialize_dpc(PKDPC dpc) noexcept {
    PDRIVER_OBJECT driver = context_driver();
    const bool verified = driver && driver_flags(driver);
    std::lock_guard guard(g_lock);
    if (verified) {
        if (!g_dpcs) g_dpcs = new std::unordered_map<PKDPC, PDRIVER_OBJECT>();
        (*g_dpcs)[dpc] = driver;
    } else if (g_dpcs) {
        g_dpcs->erase(dpc);
    }
}

void on_queue_dpc(PKDPC dpc) noexcept {
    PDRIVER_OBJECT driver = context_driver();
    if (!dpc || !driver || !driver_flags(driver)) return;  // queued by the system or an unverified caller
    std::lock_guard guard(g_lock);
    if (!g_dpcs) g_dpcs = new std::unordered_map<PKDPC, PDRIVER_OBJECT>();
    (*g_dpcs)[dpc] = driver;
}

void DpcScope::enter(PKDPC dpc) noexcept {
    m_previous = context_word();
    PDRIVER_OBJECT driver = nullptr;
    {
        std::lock_guard guard(g_lock);
        if (g_dpcs)
            if (auto it = g_dpcs->find(dpc); it != g_dpcs->end()) driver = it->second;
    }
    // A driver no longer verified (or gone) has no flags: nothing is charged to it.
    if (driver && driver_flags(driver)) set_context_driver(driver);
}

void DpcScope::leave(ContextWord previous) noexcept { restore_context(previous); }

ContextWord SystemScope::enter() noexcept {
    const ContextWord previous = context_word();
    set_context_driver(nullptr);
    return previous;
}

// ---- IoAllocateForward / IoBuildFsdForward: a driver's own IRP sent without a completion routine ----
// https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-ioallocateforward
// An IRP from IoAllocateIrp or IoBuildAsynchronousFsdRequest belongs to no thread: only the
// originator's completion routine can take it back (and free it) when the lower drivers complete it.
// Threaded IRPs (IoBuildSynchronousFsdRequest, IoBuildDeviceIoControlRequest) and associated IRPs
// are the I/O manager's to finish.

void sdv_originator_send(PIRP irp, PDEVICE_OBJECT target) noexcept {
    PDRIVER_OBJECT driver = context_driver();
    if (!sdv_checked(driver) || irp->CurrentLocation != irp->StackCount + 1 || irp->CurrentLocation <= 1) return;
    if (irp->Flags & IRP_ASSOCIATED_IRP) return;
    if (irp->ThreadListEntry.Flink != &irp->ThreadListEntry) return;
    if (IoGetNextIrpStackLocation(irp)->CompletionRoutine) return;
    static const char kCondition[] =
        "A driver should set a completion routine on an IRP from IoAllocateIrp or IoBuildAsynchronousFsdRequest "
        "before it calls IoCallDriver or PoCallDriver.";
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiIoAllocateForward, ptr(kCondition), ptr(irp), ptr(target),
            Severity::Always, "IoAllocateForward",
            "the driver sent an IRP of its own without a completion routine: nothing takes it back to be freed "
            "when the lower drivers complete it",
            driver, irp, nullptr});
}

// ---- Dispatch entry and exit ----

void sdv_dispatch_entry(Frame& frame) noexcept {
    frame.apc_disable_at_entry = apc_disable_count();
    frame.guarded_at_entry = guarded_count();
    // An outermost dispatch starts with no finding (a caught bugcheck may have cut one short).
    if (thread_frames().size() == 1) {
        t_uncancelable_packet = nullptr;
        sdv_completion_ex_reset();
        sdv_resource_reset();
    }
}

// ---- StartIoCancel: IoStartPacket queuing a packet IoCancelIrp cannot reach ----

void sdv_device_queue_insert(PKDEVICE_QUEUE_ENTRY entry) noexcept {
    PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.DeviceQueueEntry);
    // Only an IRP a verified dispatch of this thread holds is read: compared as an address first.
    const Frame* frame = innermost_frame(irp);
    if (!frame) return;
    PDEVICE_OBJECT device = frame->device;
    PDRIVER_OBJECT driver = device->DriverObject;
    if (!sdv_checked(driver) || !driver->DriverStartIo) return;
    if (__atomic_load_n(&device->DeviceObjectExtension->StartIoFlags, __ATOMIC_ACQUIRE) & kStartIoNonCancelable) return;
    if (__atomic_load_n(&irp->CancelRoutine, __ATOMIC_SEQ_CST)) return;
    if (!linked_in(entry, device)) return;  // a queue of the driver's own, not StartIo's
    t_uncancelable_packet = irp;
}

void sdv_dispatch_exit(Frame& frame, NTSTATUS status) noexcept {
    check_cancel_rules(frame);
    sdv_completion_ex_exit(frame);
    sdv_resource_exit(frame);
    PDRIVER_OBJECT driver = frame.device->DriverObject;
    PVOID routine = reinterpret_cast<PVOID>(frame.routine);
    // CriticalRegions / "returning from dispatch with APCs disabled" (spec 2.4): 0xC4 0xC5 with the
    // routine, the count now and the count before the dispatch.
    const SHORT now = apc_disable_count();
    if (now != frame.apc_disable_at_entry)
        report({DRIVER_VERIFIER_DETECTED_VIOLATION, 0xC5, ptr(routine),
                static_cast<ULONG_PTR>(static_cast<LONG_PTR>(now)),
                static_cast<ULONG_PTR>(static_cast<LONG_PTR>(frame.apc_disable_at_entry)), Severity::Always,
                "CriticalRegions", "the dispatch routine changed the thread's APC disable count (KeEnterCriticalRegion "
                "without KeLeaveCriticalRegion)",
                driver, frame.irp, frame.record.get()});
    // GuardedRegions: a guarded region entered and not left (or left and not entered) by the dispatch.
    if (guarded_count() != frame.guarded_at_entry) report_unbalanced_guarded_region(driver, frame.irp);

    // LowerDriverReturn: a dispatch that passed the IRP down returns what IoCallDriver returned.
    // STATUS_PENDING is always a legal return after marking (checked by MarkIrpPending2), and a
    // driver that got the IRP back (its routine returned STATUS_MORE_PROCESSING_REQUIRED) and
    // completed it again returns its own status.
    // The rules dispatch_rules.cpp checks next (0x225, 0x23E, 0x224) are left to it.
    if (!frame.forwarded || status == STATUS_PENDING || status == frame.lower_status ||
        status == static_cast<NTSTATUS>(0xFFFFFFFF))
        return;
    bool own_completion = false;
    bool reported_as_0x224 = false;
    {
        std::lock_guard guard(tracking_lock());
        const IrpRecord& record = *frame.record;
        const unsigned completions = record.completions - frame.completions_at_entry;
        const bool marked = (completions > 0 || record.freed)
                                ? ((record.pending_bits >> frame.location) & 1) != 0
                                : (stack_location(frame.irp, frame.location)->Control & SL_PENDING_RETURNED) != 0;
        if (marked && !frame.forced_pending) return;  // 0x23E
        own_completion = completions >= 2 || (record.stopped && record.owner_location <= frame.location);
        const bool completed = completions > 0 && !(record.stopped && record.owner_location <= frame.location);
        reported_as_0x224 = completed && status != record.completed_status;  // dispatch_rules.cpp's check
    }
    if (own_completion || reported_as_0x224) return;
    report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x224, ptr(routine), ptr(frame.irp), ptr(frame.device),
            Severity::StrictOnly, "LowerDriverReturn",
            "the dispatch routine passed the IRP down but returned a status other than the one IoCallDriver returned",
            driver, frame.irp, frame.record.get()});
}

// ---- IoCompleteRequest: SpinLockSafe ----

void sdv_complete_request(PIRP irp, PDEVICE_OBJECT device) noexcept {
    (void)device;
    check_ddi_irql(DdiRule::IoDispatchLte);  // IoCompleteRequest: IRQL <= DISPATCH_LEVEL
    PDRIVER_OBJECT driver = context_driver();
    // SpinLockSafe is a Static Driver Verifier rule beyond Driver Verifier's standard DDI set: it
    // runs with the additional DDI compliance checks.
    if (!driver || !(driver_flags(driver) & NTIO_VERIFIER_DDI_COMPLIANCE_ADDITIONAL)) return;
    if (held_spin_locks() == 0 && cancel_lock_depth() == 0) return;
    static const char kCondition[] = "IoCompleteRequest should not be called while holding a spin lock.";
    // NT deviation: SpinLockSafe has no subcode of its own on Learn; reported as the SpinLock rule's
    // 0x40009 with SpinLockSafe's name.
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, kDdiSpinLock, ptr(kCondition), ptr(irp), 0, Severity::Always,
            "SpinLockSafe", kCondition, driver, irp, nullptr});
}

// ---- ExFreePool on an IRP (spec 2.4): 0xC4 0x105 ----

// The rule is for IRPs the I/O manager handed out (IoAllocateIrp, IoBuild*Request), which go back
// through IoFreeIrp (IoFreeIrp on Microsoft Learn: "the reciprocal to IoAllocateIrp"). An IRP a
// driver built with IoInitializeIrp in memory it allocated itself is freed where it came from, so
// the block's contents (an IRP header) are not the test: the allocator's mark before the block is.
// Both a pool block and an allocator IRP have 32 readable bytes of header before them.
void check_free_pool(PVOID block) noexcept {
    PDRIVER_OBJECT driver = context_driver();
    if (!block || !io_checked(driver)) return;  // ExFreePool(NULL): the pool's BAD_POOL_CALLER 0x46
#ifdef NTIO_SDV_ASAN
    if (__asan_region_is_poisoned(static_cast<char*>(block) - 32, 32)) return;
#endif
    auto* irp = static_cast<PIRP>(block);
    if (!io::irp_from_allocator(irp) || irp->Type != IO_TYPE_IRP) return;
    report({DRIVER_VERIFIER_DETECTED_VIOLATION, 0x105, ptr(irp), 0, 0, Severity::Always, nullptr,
            "the driver freed an IRP with ExFreePool instead of IoFreeIrp", driver, irp, nullptr});
}

// ---- Remove locks (spec 2.4 and 3.5) ----
// Only locks a verified driver initialised are tracked. Release-and-wait is accepted wherever it
// runs (a legacy driver's per-file lock at IRP_MJ_CLEANUP is legal, spec 5.3 and NT fact M5): the
// IRP_MN_REMOVE_DEVICE-only rules are PnP rules.

void on_remove_lock(RemoveLockOp op, PIO_REMOVE_LOCK lock, PVOID tag) noexcept {
    ULONG_PTR subcode = 0;
    PVOID other_tag = nullptr;
    PDRIVER_OBJECT driver = nullptr;
    {
        std::lock_guard guard(g_lock);
        if (op == RemoveLockOp::Initialize) {
            PDRIVER_OBJECT ctx = context_driver();
            if (io_checked(ctx)) {
                if (!g_remove_locks) g_remove_locks = new std::unordered_map<PIO_REMOVE_LOCK, TrackedRemoveLock>();
                (*g_remove_locks)[lock] = {ctx, {}};
            } else if (g_remove_locks) {
                g_remove_locks->erase(lock);
            }
            return;
        }
        if (!g_remove_locks) return;
        auto it = g_remove_locks->find(lock);
        if (it == g_remove_locks->end()) return;
        TrackedRemoveLock& tracked = it->second;
        driver = tracked.driver;
        if (!driver_flags(driver)) {
            g_remove_locks->erase(it);
            return;
        }
        if (op == RemoveLockOp::Acquire) {
            ++tracked.tags[tag];
            return;
        }
        auto held = tracked.tags.find(tag);
        if (held == tracked.tags.end() || held->second == 0) {
            for (const auto& [t, count] : tracked.tags)
                if (count > 0) other_tag = t;
            subcode = op == RemoveLockOp::Release ? 0xD5 : 0xD6;
        } else if (--held->second == 0) {
            tracked.tags.erase(held);
        }
        if (op == RemoveLockOp::ReleaseAndWait && subcode == 0) g_remove_locks->erase(it);
    }
    if (subcode == 0xD5)
        report({DRIVER_VERIFIER_DETECTED_VIOLATION, 0xD5, ptr(lock), ptr(tag), 0, Severity::Always,
                "RemoveLockRelease2",
                "IoReleaseRemoveLock was called with a tag that no IoAcquireRemoveLock acquired (release without "
                "acquire, or a mismatched tag)",
                driver, nullptr, nullptr});
    else if (subcode == 0xD6)
        report({DRIVER_VERIFIER_DETECTED_VIOLATION, 0xD6, ptr(lock), ptr(tag), ptr(other_tag), Severity::Always,
                "RemoveLock",
                "IoReleaseRemoveLockAndWait was called with a tag that no IoAcquireRemoveLock acquired", driver,
                nullptr, nullptr});
}

}  // namespace ntio::verifier
