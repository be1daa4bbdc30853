// The CleanupQueue driver: dispatch routines, the cancel-safe queue's callbacks and the per-file
// count of parked IRPs (kept in FsContext) that lets CLOSE check none is left.
#include "unit/io/cancel/cleanup_queue_driver.hpp"

namespace ntio::io::test {

CleanupQueueState g_cleanup_queue;

void CleanupQueueState::reset()
{
    drain_in_cleanup = true;
    cleanups = 0;
    closes = 0;
    cancel_seen_at_cleanup = 0;
    parked_at_cleanup = 0;
    closes_with_irps_left = 0;
    refused_after_cleanup = 0;
    device = nullptr;
}

namespace {

struct Extension {
    IO_CSQ csq;
    KSPIN_LOCK lock;
    LIST_ENTRY queue;
};

// FsContext of each open: the IRPs parked for it, and whether its CLEANUP came.
struct FileContext {
    LONG parked;
    LONG cleaned_up;
};

Extension* extension_of(PIO_CSQ csq) { return CONTAINING_RECORD(csq, Extension, csq); }
Extension* extension() { return static_cast<Extension*>(g_cleanup_queue.device->DeviceExtension); }
FileContext* context_of(PIRP irp)
{
    return static_cast<FileContext*>(IoGetCurrentIrpStackLocation(irp)->FileObject->FsContext);
}

NTSTATUS complete(PIRP irp, NTSTATUS status)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

// Every parked IRP leaves through here: the driver's completion, the drain or the cancel routine.
void complete_parked(PIRP irp, NTSTATUS status)
{
    InterlockedDecrement(&context_of(irp)->parked);
    complete(irp, status);
}

// Under the queue lock: an IOCTL that raced past its file's CLEANUP is refused here rather than
// parked where no drain will find it (the I/O manager does not stop such an IRP, so the driver must).
NTSTATUS NTAPI csq_insert(PIO_CSQ csq, PIRP irp, PVOID)
{
    if (context_of(irp)->cleaned_up) {
        ++g_cleanup_queue.refused_after_cleanup;
        return STATUS_CANCELLED;
    }
    InterlockedIncrement(&context_of(irp)->parked);
    InsertTailList(&extension_of(csq)->queue, &irp->Tail.Overlay.ListEntry);
    return STATUS_SUCCESS;
}

VOID NTAPI csq_remove(PIO_CSQ, PIRP irp) { RemoveEntryList(&irp->Tail.Overlay.ListEntry); }

PIRP NTAPI csq_peek_next(PIO_CSQ csq, PIRP irp, PVOID peek_context)
{
    PLIST_ENTRY head = &extension_of(csq)->queue;
    for (PLIST_ENTRY e = irp ? irp->Tail.Overlay.ListEntry.Flink : head->Flink; e != head; e = e->Flink) {
        PIRP next = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (!peek_context || IoGetCurrentIrpStackLocation(next)->FileObject == peek_context) return next;
    }
    return nullptr;
}

_IRQL_raises_(DISPATCH_LEVEL) VOID NTAPI csq_acquire(PIO_CSQ csq, PKIRQL irql)
{
    KeAcquireSpinLock(&extension_of(csq)->lock, irql);
}

_IRQL_requires_(DISPATCH_LEVEL) VOID NTAPI csq_release(PIO_CSQ csq, KIRQL irql)
{
    KeReleaseSpinLock(&extension_of(csq)->lock, irql);
}

VOID NTAPI csq_complete_canceled(PIO_CSQ, PIRP irp) { complete_parked(irp, STATUS_CANCELLED); }

NTSTATUS NTAPI on_create(PDEVICE_OBJECT, PIRP irp)
{
    auto* context = static_cast<FileContext*>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(FileContext), 'QlcT'));
    if (!context) return complete(irp, STATUS_INSUFFICIENT_RESOURCES);
    context->parked = 0;
    context->cleaned_up = 0;
    IoGetCurrentIrpStackLocation(irp)->FileObject->FsContext = context;
    return complete(irp, STATUS_SUCCESS);
}

NTSTATUS NTAPI on_close(PDEVICE_OBJECT, PIRP irp)
{
    ++g_cleanup_queue.closes;
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    auto* context = static_cast<FileContext*>(file->FsContext);
    if (InterlockedCompareExchange(&context->parked, 0, 0) != 0) ++g_cleanup_queue.closes_with_irps_left;
    ExFreePoolWithTag(context, 'QlcT');
    file->FsContext = nullptr;
    return complete(irp, STATUS_SUCCESS);
}

NTSTATUS NTAPI on_ioctl(PDEVICE_OBJECT device, PIRP irp)
{
    if (IoGetCurrentIrpStackLocation(irp)->Parameters.DeviceIoControl.IoControlCode != kIoctlPark)
        return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    // IoCsqInsertIrpEx marks the IRP pending when it parks it (NT fact B9), and leaves a refused one
    // to be completed here.
    NTSTATUS status = IoCsqInsertIrpEx(&static_cast<Extension*>(device->DeviceExtension)->csq, irp, nullptr, nullptr);
    if (!NT_SUCCESS(status)) return complete(irp, status);
    return STATUS_PENDING;
}

NTSTATUS NTAPI on_cleanup(PDEVICE_OBJECT device, PIRP irp)
{
    ++g_cleanup_queue.cleanups;
    auto* ext = static_cast<Extension*>(device->DeviceExtension);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    {
        KIRQL irql;
        KeAcquireSpinLock(&ext->lock, &irql);
        static_cast<FileContext*>(file->FsContext)->cleaned_up = 1;
        for (PIRP parked = csq_peek_next(&ext->csq, nullptr, file); parked;
             parked = csq_peek_next(&ext->csq, parked, file)) {
            ++g_cleanup_queue.parked_at_cleanup;
            // IoCancelIrp sets Cancel under the cancel spin lock, not this queue's lock: read it as
            // the racing flag it is (a plain read, as NT drivers do, is a data race to tsan).
            if (__atomic_load_n(&parked->Cancel, __ATOMIC_RELAXED)) ++g_cleanup_queue.cancel_seen_at_cleanup;
        }
        KeReleaseSpinLock(&ext->lock, irql);
    }
    if (g_cleanup_queue.drain_in_cleanup.load()) {
        while (PIRP parked = IoCsqRemoveNextIrp(&ext->csq, file)) complete_parked(parked, STATUS_CANCELLED);
    }
    return complete(irp, STATUS_SUCCESS);
}

VOID NTAPI on_unload(PDRIVER_OBJECT) { IoDeleteDevice(g_cleanup_queue.device); }

}  // namespace

NTSTATUS NTAPI cleanup_queue_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    driver->MajorFunction[IRP_MJ_CREATE] = on_create;
    driver->MajorFunction[IRP_MJ_CLOSE] = on_close;
    driver->MajorFunction[IRP_MJ_CLEANUP] = on_cleanup;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = on_ioctl;
    driver->DriverUnload = on_unload;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\CleanupQueue");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, sizeof(Extension), &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    auto* ext = static_cast<Extension*>(device->DeviceExtension);
    KeInitializeSpinLock(&ext->lock);
    InitializeListHead(&ext->queue);
    status = IoCsqInitializeEx(&ext->csq, csq_insert, csq_remove, csq_peek_next, csq_acquire, csq_release,
                             csq_complete_canceled);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    g_cleanup_queue.device = device;
    return STATUS_SUCCESS;
}

bool cleanup_queue_complete_next()
{
    PIRP irp = IoCsqRemoveNextIrp(&extension()->csq, nullptr);
    if (!irp) return false;
    complete_parked(irp, STATUS_SUCCESS);
    return true;
}

PIRP cleanup_queue_peek()
{
    Extension* ext = extension();
    KIRQL irql;
    KeAcquireSpinLock(&ext->lock, &irql);
    PIRP irp = csq_peek_next(&ext->csq, nullptr, nullptr);
    KeReleaseSpinLock(&ext->lock, irql);
    return irp;
}

}  // namespace ntio::io::test
