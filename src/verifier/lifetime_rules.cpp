// Object lifetime and cancel paths under the verifier: IoFreeIrp and IRP reinitialization end a
// tracking record, IoDeleteDevice rules (0xC9 0x240, 0x201), the cancel spin lock count the
// dispatch-exit rule reads, IRPs completed while still on a device queue (0x2A), and the checks when
// a verified driver unloads (0xCE; leaks: pool, IRPs and MDLs 0xC4 0x62, handles 0xC4 0x63).
#include <unordered_set>

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
    if (RecordRef record = find_record_locked(irp))
        add_path_locked(*record, {Event::Cancel, irp->CurrentLocation, 0, 0, false, nullptr,
                                  reinterpret_cast<PVOID>(__atomic_load_n(&irp->CancelRoutine, __ATOMIC_RELAXED)),
                                  irp->IoStatus.Status});
}

// IoFreeIrp calls this only when free_irp_hook finds something the IRP may concern.
void on_free_irp(PIRP irp) noexcept {
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

void on_initialize_irp(PIRP irp) noexcept {
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
