// Object lifetime and cancel paths under the verifier: IoFreeIrp and IRP reinitialization end a
// tracking record, IoDeleteDevice rules (0xC9 0x240, 0x201), the cancel spin lock count the
// dispatch-exit rule reads, and the checks when a verified driver unloads (0xCE).
#include "io/objects.hpp"
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {
namespace {

ULONG_PTR ptr(const void* p) noexcept { return reinterpret_cast<ULONG_PTR>(p); }

bool record_visited(const IrpRecord& record, PDRIVER_OBJECT driver) noexcept {
    for (const PathEntry& entry : record.path)
        if (entry.event == Event::Dispatch && entry.driver == driver) return true;
    return false;
}

}  // namespace

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

void on_free_irp(PIRP irp) noexcept {
    forget_allocated_irp(irp);
    if (tracing()) log_event(LogKind::Free, irp, {});
    std::lock_guard guard(tracking_lock());
    if (RecordRef record = find_record_locked(irp)) {
        record->freed = true;
        add_path_locked(*record, {Event::Free, irp->CurrentLocation, 0, 0, false, nullptr, nullptr, irp->IoStatus.Status});
        erase_record_locked(irp);
    }
}

void on_initialize_irp(PIRP irp) noexcept {
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
    if (!(driver_flags(driver) & NTIO_VERIFIER_IO_CHECKING)) return;
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
            forget_driver_slot(driver);
            report({DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, ptr(pending->irp), 0,
                    ptr(reinterpret_cast<PVOID>(driver->DriverUnload)), 1, Severity::Always, nullptr,
                    "the driver unloaded with an IRP it did not complete or cancel", driver, pending->irp, pending});
        }
    }
    if (unloaded && active()) check_resource_leaks(driver);
    forget_resources(driver);
    forget_driver_slot(driver);
    // Records naming the driver's devices must not outlive them (reports print device names).
    std::lock_guard guard(tracking_lock());
    for (RecordRef& record : all_records_locked())
        if (record_visited(*record, driver)) erase_record_locked(record->irp);
}

}  // namespace ntio::verifier
