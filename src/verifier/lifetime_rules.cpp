// Object lifetime and cancel paths under the verifier: IoFreeIrp and IRP reinitialization end a
// tracking record, with the I/O verification rules on them (0xC9 0x01, 0x20B, 0x20C, 0x20D, 0x238,
// 0x310, 0x311), IoDeleteDevice rules (0xC9 0x240, 0x201), the cancel spin lock count the
// dispatch-exit rule reads, IRPs completed while still on a device queue (0x2A), and the checks when
// a verified driver unloads (0xCE; leaks: pool, IRPs and MDLs 0xC4 0x62, handles 0xC4 0x63).
// Subcodes and their parameters:
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
// The IRP rules blame the verified driver whose code runs on the thread (the caller of IoFreeIrp,
// IoInitializeIrp, IoReuseIrp); Learn gives the WDM DRIVER ERROR ones no parameters beyond "IRP
// specified", so they have ntio's layout (code, routine: 0 here, the IRP, the device holding it).
#include <unordered_set>

#include "io/dma_verifier.hpp"
#include "io/irp_block.hpp"
#include "io/objects.hpp"
#include "verifier/handle_tracking.hpp"
#include "verifier/sdv_cancel.hpp"
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {

namespace {

std::atomic<std::size_t> g_device_queued_entries{0};  // g_queued->size(), read without the lock

ULONG_PTR ptr(const void* p) noexcept { return reinterpret_cast<ULONG_PTR>(p); }

bool record_visited(const IrpRecord& record, PDRIVER_OBJECT driver) noexcept {
    for (const PathEntry& entry : record.path)
        if (entry.event == Event::Dispatch && entry.driver == driver) return true;
    return false;
}

// KDEVICE_QUEUE entries linked while the verifier was active. Guarded by g_queued_lock, taken inside
// the device queue's spin lock (never the other way round).
std::mutex g_queued_lock;
std::unordered_set<const KDEVICE_QUEUE_ENTRY*>* g_queued = nullptr;  // never freed

// Bug check 0x2A INCONSISTENT_IRP (P1 the IRP): "an IRP that was being completed, but was still
// marked as being queued to a driver's device queue".
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x2a--inconsistent-irp
// NT deviation: seen when the completed IRP is freed or reinitialized (the end of its completion
// for the I/O manager's IRPs), not at IoCompleteRequest entry.
void check_not_device_queued(PIRP irp) noexcept {
    const KDEVICE_QUEUE_ENTRY* entry = &irp->Tail.Overlay.DeviceQueueEntry;
    // An entry inserted before this IRP was freed happened before the free (the queue's owner
    // linked it before handing the IRP on), so a zero count means none of its entries is listed.
    if (g_device_queued_entries.load(std::memory_order_acquire) == 0) return;
    {
        std::lock_guard guard(g_queued_lock);
        if (!g_queued || !g_queued->count(entry)) return;
        // Still linked (a removal while the verifier was off would have left a stale record).
        const bool linked = entry->Inserted && entry->DeviceListEntry.Flink &&
                            entry->DeviceListEntry.Flink->Blink == &entry->DeviceListEntry;
        g_queued->erase(entry);
        publish_count(g_device_queued_entries, g_queued->size(), kSlowDeviceQueued);
        if (!linked) return;
    }
    PDEVICE_OBJECT device = nullptr;
    if (irp->CurrentLocation >= 1 && irp->CurrentLocation <= irp->StackCount)
        device = irp->Tail.Overlay.CurrentStackLocation->DeviceObject;
    report({INCONSISTENT_IRP, ptr(irp), 0, 0, 0, Severity::Always, nullptr,
            "the IRP was completed while still queued on a device queue (KDEVICE_QUEUE / the StartIo queue)",
            device ? device->DriverObject : context_driver(), irp, nullptr});
}

// The verified driver on this thread when it is verified at Level 2, else nullptr.
PDRIVER_OBJECT level2_caller() noexcept {
    PDRIVER_OBJECT driver = context_driver();
    return driver && io_level2(driver_flags(driver)) ? driver : nullptr;
}

// The Static Driver Verifier rule a 0x20B names: IoAllocateFree, with the additional DDI compliance
// checks (see on_free_irp).
const char* free_irp_rule(PDRIVER_OBJECT caller) noexcept {
    return (driver_flags(caller) & NTIO_VERIFIER_DDI_COMPLIANCE_ADDITIONAL) ? "IoAllocateFree" : nullptr;
}

PDEVICE_OBJECT holding_device(PIRP irp) noexcept {
    if (irp->CurrentLocation < 1 || irp->CurrentLocation > irp->StackCount) return nullptr;
    return irp->Tail.Overlay.CurrentStackLocation->DeviceObject;
}

// Whether a verified dispatch was handed the IRP and nobody completed it since (a lower driver
// holds it): the record's latest IoCallDriver is later than its latest IoCompleteRequest. Only IRPs
// some Level 2 driver has seen have records; the others are never "in use" here.
bool in_use(PIRP irp) noexcept {
    if (!any_records()) return false;
    std::lock_guard guard(tracking_lock());
    RecordRef record = find_record_locked(irp);
    return record && record_in_flight_locked(*record);
}

}  // namespace

void on_device_queue_insert(PKDEVICE_QUEUE_ENTRY entry) noexcept {
    sdv_device_queue_insert(entry);
    std::lock_guard guard(g_queued_lock);
    if (!g_queued) g_queued = new (std::nothrow) std::unordered_set<const KDEVICE_QUEUE_ENTRY*>();
    if (!g_queued) return;
    try {
        g_queued->insert(entry);
    } catch (...) {
        // Out of memory: this entry goes unchecked.
    }
    publish_count(g_device_queued_entries, g_queued->size(), kSlowDeviceQueued);
}

void on_device_queue_remove(PKDEVICE_QUEUE_ENTRY entry) noexcept {
    std::lock_guard guard(g_queued_lock);
    if (!g_queued) return;
    g_queued->erase(entry);
    publish_count(g_device_queued_entries, g_queued->size(), kSlowDeviceQueued);
}

void on_cancel_lock_acquired() noexcept {
    ++cancel_lock_depth();
    if (PDRIVER_OBJECT driver = context_driver()) maybe_delay(driver_flags(driver));
}

void on_cancel_lock_released() noexcept {
    if (cancel_lock_depth() > 0) --cancel_lock_depth();
}

namespace {
// A user-mode request's cancel limit runs from its first cancel (slow_irps.cpp).
void note_cancel_locked(IrpRecord& record) noexcept {
    if (record.user_request && record.cancelled_at_ns == 0) record.cancelled_at_ns = watch_clock_ns();
}
}  // namespace

void on_cancel_irp(PIRP irp) noexcept {
    if (irp->Type != IO_TYPE_IRP) return;
    {
        PDEVICE_OBJECT device = irp->CurrentLocation <= irp->StackCount && irp->CurrentLocation >= 1
                                    ? irp->Tail.Overlay.CurrentStackLocation->DeviceObject
                                    : nullptr;
        const ULONG flags = device_flags(device);
        maybe_delay(flags);
        if (logging_for(flags))
            log_event(LogKind::CancelRequest, irp,
                      {device, reinterpret_cast<PVOID>(__atomic_load_n(&irp->CancelRoutine, __ATOMIC_RELAXED))});
    }
    std::lock_guard guard(tracking_lock());
    if (RecordRef record = find_record_locked(irp)) {
        add_path_locked(*record, {Event::Cancel, irp->CurrentLocation, 0, 0, false, nullptr,
                                  reinterpret_cast<PVOID>(__atomic_load_n(&irp->CancelRoutine, __ATOMIC_RELAXED)),
                                  irp->IoStatus.Status});
        note_cancel_locked(*record);
    }
}

// The cancel paths of the I/O manager's file rundown (NtCancelIoFile(Ex), a handle's or a process's
// last close): the IRP's own completion may run on another thread meanwhile, so nothing of the IRP is
// read here, only its record updated.
void on_file_cancel(PIRP irp) noexcept {
    if (!any_records()) return;
    std::lock_guard guard(tracking_lock());
    if (RecordRef record = find_record_locked(irp)) note_cancel_locked(*record);
}

// IoFreeIrp calls this only when free_irp_hook finds something the IRP may concern.
// Static Driver Verifier's IoAllocateFree ("IoAllocateFree rule (wdm)" on Microsoft Learn: IoFreeIrp
// only on IRPs from IoAllocateIrp) decided at run time is a driver freeing an IRP it received, which
// is 0x20B below: for a driver with the additional DDI compliance checks the report names the rule.
void on_free_irp(PIRP irp) noexcept {
    // 0x20B: "the caller of IoFreeIrp is freeing an IRP that is still in use".
    if (irp->Type == IO_TYPE_IRP && any_records()) {
        if (PDRIVER_OBJECT caller = level2_caller(); caller && in_use(irp))
            report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x20B, 0, ptr(irp), ptr(holding_device(irp)),
                    Severity::Always, free_irp_rule(caller),
                    "IoFreeIrp was called for an IRP a lower driver still holds (it was sent with IoCallDriver and "
                    "not completed)",
                    caller, irp, nullptr});
    }
    if (irp->Type == IO_TYPE_IRP) check_not_device_queued(irp);
    forget_allocated_irp(irp);
    if (tracing()) log_free(irp);
    if (!any_records()) return;
    std::lock_guard guard(tracking_lock());
    if (RecordRef record = find_record_locked(irp)) {
        record->freed = true;
        add_path_locked(*record, {Event::Free, irp->CurrentLocation, 0, 0, false, nullptr, nullptr, irp->IoStatus.Status});
        erase_record_locked(irp);
    }
}

// IoFreeIrp on something that is no IRP (a freed one included): 0xC9 0x01 (P2 the object), a Level 1
// rule, for any caller verified with I/O verification; otherwise IoFreeIrp bugchecks as without the
// verifier (MULTIPLE_IRP_COMPLETE_REQUESTS).
void on_free_of_non_irp(PIRP irp) noexcept {
    PDRIVER_OBJECT caller = context_driver();
    if (!caller || !(driver_flags(caller) & NTIO_VERIFIER_IO_CHECKING)) return;
    report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x01, ptr(irp), 0, 0, Severity::Always, nullptr,
            "IoFreeIrp was called for an object whose Type is not IO_TYPE_IRP (freed already, or no IRP)", caller,
            nullptr, nullptr});
}

// IoFreeIrp on an IRP still on a thread's IRP list (IoBuildSynchronousFsdRequest,
// IoBuildDeviceIoControlRequest): Level 1 calls it 0x02 (raised by IoFreeIrp itself), Level 2 0x20C
// ("still queued against a thread"). NT deviation (a guess): one condition, so a Level 2 caller gets
// 0x20C and every other caller 0x02, as IoCallDriver's invalid device is 0x04 or 0x204.
void on_free_of_thread_irp(PIRP irp) noexcept {
    if (PDRIVER_OBJECT caller = level2_caller())
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x20C, 0, ptr(irp), ptr(holding_device(irp)), Severity::Always,
                nullptr,
                "IoFreeIrp was called for an IRP still queued to a thread (IoBuildSynchronousFsdRequest and "
                "IoBuildDeviceIoControlRequest IRPs are freed by the I/O manager when they complete)",
                caller, irp, nullptr});
}

// Reinitializing an IRP (IoInitializeIrp, IoReuseIrp) while a lower driver holds it is 0x310; one
// that IoBuild*Request or IoMakeAssociatedIrp made is 0x311 (the I/O manager frees those, and they
// are on a thread's list or point at a master); IoInitializeIrp on one from IoAllocateIrp is 0x20D
// when its quota was charged ("has caused a quota leak") and the warning 0x238 otherwise ("negatively
// impacts performance"): a driver recycles those with IoReuseIrp. NT deviation (a guess): Learn
// gives 0x20D and 0x238 the same condition; the quota is what their texts tell apart.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreuseirp
void check_reinitialize(PIRP irp, bool reuse) noexcept {
    PDRIVER_OBJECT caller = level2_caller();
    if (!caller) return;
    // IoInitializeIrp gets the caller's memory: its bytes are only trusted once the block says the
    // I/O manager allocated it.
    const bool allocated = io::allocated_irp(irp);
    if ((reuse || allocated) && irp->Type == IO_TYPE_IRP && in_use(irp))
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x310, 0, ptr(irp), ptr(holding_device(irp)), Severity::Always,
                nullptr, "the driver reinitialized an IRP a lower driver still holds", caller, irp, nullptr});
    if (allocated && io::built_irp(irp))
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x311, 0, ptr(irp), 0, Severity::Always, nullptr,
                "the driver reinitialized an IRP made by IoBuild*Request or IoMakeAssociatedIrp", caller, irp,
                nullptr});
    if (!reuse && allocated) {
        const bool quota = (irp->AllocationFlags & IRP_LOOKASIDE_ALLOCATION) != 0;
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, quota ? 0x20Du : 0x238u, 0, ptr(irp), 0, Severity::Always,
                nullptr,
                quota ? "IoInitializeIrp was called for an IRP from IoAllocateIrp with quota charged (a quota leak; "
                        "recycle it with IoReuseIrp)"
                      : "IoInitializeIrp was called for an IRP from IoAllocateIrp (recycle it with IoReuseIrp)",
                caller, irp, nullptr});
    }
}

void on_initialize_irp(PIRP irp, bool reuse) noexcept {
    check_reinitialize(irp, reuse);
    if (irp->Type == IO_TYPE_IRP) check_not_device_queued(irp);
    if (!any_records()) return;
    std::lock_guard guard(tracking_lock());
    if (RecordRef record = find_record_locked(irp)) {
        record->freed = true;
        erase_record_locked(irp);
    }
}

void on_delete_device(PDEVICE_OBJECT device) noexcept {
    if (!device || device->Type != IO_TYPE_DEVICE) return;
    forget_device_label(device);
    PDRIVER_OBJECT driver = device->DriverObject;
    if (!io_level2(driver_flags(driver))) return;  // 0x240 and 0x201 are Level 2 rules
    if (io::device_private(device)->delete_pending.load(std::memory_order_acquire))
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x240, 0, 0, ptr(device), Severity::Always, nullptr,
                "IoDeleteDevice was called for a device object already deleted", driver, nullptr, nullptr});
    if (device->DeviceObjectExtension->AttachedTo)
        report({DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x201, 0, 0, ptr(device), Severity::Always, nullptr,
                "the device is deleting itself while it is still attached to a device below it (call "
                "IoDetachDevice first)",
                driver, nullptr, nullptr});
}

void on_driver_forget(PDRIVER_OBJECT driver, bool unloaded) noexcept {
    const ULONG flags = driver_flags(driver);
    if (unloaded && active() && (flags & (NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_POOL_TRACKING))) {
        // An IRP this driver saw that nobody completed or freed is still parked in the driver (or
        // in a driver it handed it to, whose completion would call back into unloaded code).
        IrpRecord* pending = nullptr;  // borrowed: the table keeps it while the IRP lives
        {
            std::lock_guard guard(tracking_lock());
            for (RecordRef& record : all_records_locked()) {
                if (record->freed || record->completions > 0 || !record_visited(*record, driver)) continue;
                pending = record.get();
                break;
            }
        }
        if (pending) {
            forget_driver_slot(driver, true);
            report({DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, ptr(pending->irp), 0,
                    ptr(reinterpret_cast<PVOID>(driver->DriverUnload)), 1, Severity::Always, nullptr,
                    "the driver unloaded with an IRP it did not complete or cancel", driver, pending->irp, pending});
        }
        check_pending_operations(driver);
    }
    io::dma::AdapterLeft dma{};
    if (io::dma::adapter_left_at_unload(driver, &dma) && unloaded && active() &&
        (flags & NTIO_VERIFIER_DMA_CHECKING)) {
        forget_driver_slot(driver, true);  // the report is made once, whatever a surviving test does next
        report_dma_violation(driver, dma.p1, dma.p2, dma.p3, dma.p4, dma.message);
    }
    if (unloaded && active()) {
        // Handles first: the objects they keep open may be what the pool check would count.
        check_handle_leaks(driver);
        check_resource_leaks(driver);
    }
    forget_resources(driver);
    forget_handles(driver);
    forget_driver_slot(driver, unloaded);  // a failed DriverEntry's object may be gone already
    // Records naming the driver's devices must not outlive them (reports print device names).
    std::lock_guard guard(tracking_lock());
    for (RecordRef& record : all_records_locked())
        if (record_visited(*record, driver)) erase_record_locked(record->irp);
}

}  // namespace ntio::verifier
