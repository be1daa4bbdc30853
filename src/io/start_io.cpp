// The StartIo model: IoStartPacket hands an IRP to DriverObject->DriverStartIo when the device is idle
// and parks it in DeviceObject->DeviceQueue when busy; IoStartNextPacket(ByKey) feeds the next one.
// DeviceObject->CurrentIrp names the packet StartIo owns. StartIo runs at DISPATCH_LEVEL. Cancel
// routines given to IoStartPacket are set under the cancel spin lock, so a driver's cancel routine can
// compare the IRP with CurrentIrp and KeRemoveEntryDeviceQueue it (WDK "Using the StartIo model";
// Microsoft Learn IoStartPacket, IoStartNextPacket, IoStartNextPacketByKey, IoSetStartIoAttributes).
#include "io/cancel.hpp"
#include "io/objects.hpp"
#include "verifier/verifier.hpp"

namespace {

// DEVOBJ_EXTENSION.StartIoFlags bits, with the values Windows debuggers show for them.
constexpr ULONG kSioNoKey = 0x20;        // a deferred IoStartNextPacket is pending
constexpr ULONG kSioWithKey = 0x40;      // a deferred IoStartNextPacketByKey is pending (key: StartIoKey)
constexpr ULONG kSioCancelable = 0x80;   // the pending call passed Cancelable = TRUE
constexpr ULONG kSioDeferred = 0x100;    // IoSetStartIoAttributes(DeferredStartIo = TRUE)
constexpr ULONG kSioNoCancel = 0x200;    // IoSetStartIoAttributes(NonCancelable = TRUE)

// Guards StartIoCount and the pending bits of deferred devices; only those take it.
KSPIN_LOCK g_deferred_lock = 0;

// The device whose StartIo (not deferred) this thread is running: IoStartNextPacket from inside it
// with a packet waiting nests another StartIo call (the verifier's StartIoRecursion rule).
constinit thread_local PDEVICE_OBJECT t_start_io_device = nullptr;

PDEVOBJ_EXTENSION doe(PDEVICE_OBJECT device) noexcept { return device->DeviceObjectExtension; }

ULONG start_io_flags(PDEVICE_OBJECT device) noexcept {
    return __atomic_load_n(&doe(device)->StartIoFlags, __ATOMIC_ACQUIRE);
}

struct NextRequest {
    bool by_key = false;
    bool cancelable = false;
    ULONG key = 0;
};

PIRP irp_of(PKDEVICE_QUEUE_ENTRY entry) noexcept {
    return entry ? CONTAINING_RECORD(entry, IRP, Tail.Overlay.DeviceQueueEntry) : nullptr;
}

// NT deviation: Windows calls through the NULL pointer and stops on the fault at DISPATCH_LEVEL;
// ntio stops with the code that fault gets (0xD1: address 0, IRQL, execute access) before it takes
// any lock or raises IRQL.
void require_start_io(PDEVICE_OBJECT device) {
    if (!device->DriverObject->DriverStartIo)
        KeBugCheckEx(DRIVER_IRQL_NOT_LESS_OR_EQUAL, 0, DISPATCH_LEVEL, 8, 0);
}

// Makes the next queued packet current, or clears CurrentIrp (queue idle). DISPATCH_LEVEL.
PIRP dequeue_next(PDEVICE_OBJECT device, const NextRequest& next) {
    KIRQL cancel_irql = DISPATCH_LEVEL;
    if (next.cancelable) IoAcquireCancelSpinLock(&cancel_irql);
    device->CurrentIrp = nullptr;
    PIRP irp = irp_of(next.by_key ? KeRemoveByKeyDeviceQueue(&device->DeviceQueue, next.key)
                                  : KeRemoveDeviceQueue(&device->DeviceQueue));
    device->CurrentIrp = irp;
    if (next.cancelable) {
        if (irp && (start_io_flags(device) & kSioNoCancel)) (void)IoSetCancelRoutine(irp, nullptr);
        IoReleaseCancelSpinLock(cancel_irql);
    }
    return irp;
}

// Calls StartIo with irp, DISPATCH_LEVEL. For a deferred device the StartIo calls that
// IoStartNextPacket asked for while StartIo was running are made here, one after the other, once the
// running call returns: never nested, and never lost to a caller on another thread.
void run_start_io(PDEVICE_OBJECT device, PIRP irp) {
    PDRIVER_STARTIO start_io = device->DriverObject->DriverStartIo;
    if (!(start_io_flags(device) & kSioDeferred)) {
        PDEVICE_OBJECT const outer = t_start_io_device;
        t_start_io_device = device;
        start_io(device, irp);
        t_start_io_device = outer;
        return;
    }
    PDEVOBJ_EXTENSION ext = doe(device);
    while (irp) {
        KeAcquireSpinLockAtDpcLevel(&g_deferred_lock);
        ++ext->StartIoCount;
        KeReleaseSpinLockFromDpcLevel(&g_deferred_lock);

        start_io(device, irp);

        NextRequest next;
        bool pending = false;
        KeAcquireSpinLockAtDpcLevel(&g_deferred_lock);
        if (--ext->StartIoCount == 0) {
            ULONG flags = __atomic_load_n(&ext->StartIoFlags, __ATOMIC_ACQUIRE);
            if (flags & (kSioNoKey | kSioWithKey)) {
                pending = true;
                next.by_key = (flags & kSioWithKey) != 0;
                next.cancelable = (flags & kSioCancelable) != 0;
                next.key = static_cast<ULONG>(ext->StartIoKey);
                __atomic_fetch_and(&ext->StartIoFlags, ~(kSioNoKey | kSioWithKey | kSioCancelable), __ATOMIC_RELEASE);
            }
        }
        KeReleaseSpinLockFromDpcLevel(&g_deferred_lock);
        irp = pending ? dequeue_next(device, next) : nullptr;
    }
}

// TRUE when StartIo is running for this deferred device: the request is recorded for it instead.
bool defer_request(PDEVICE_OBJECT device, const NextRequest& next) {
    PDEVOBJ_EXTENSION ext = doe(device);
    KeAcquireSpinLockAtDpcLevel(&g_deferred_lock);
    bool deferred = ext->StartIoCount > 0;
    if (deferred) {
        ext->StartIoKey = static_cast<LONG>(next.key);
        ULONG bits = (next.by_key ? kSioWithKey : kSioNoKey) | (next.cancelable ? kSioCancelable : 0);
        __atomic_fetch_and(&ext->StartIoFlags, ~(kSioNoKey | kSioWithKey | kSioCancelable), __ATOMIC_RELAXED);
        __atomic_fetch_or(&ext->StartIoFlags, bits, __ATOMIC_RELEASE);
    }
    KeReleaseSpinLockFromDpcLevel(&g_deferred_lock);
    return deferred;
}

void start_next_packet(PDEVICE_OBJECT device, const NextRequest& next) {
    require_start_io(device);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    if (!((start_io_flags(device) & kSioDeferred) && defer_request(device, next))) {
        if (PIRP irp = dequeue_next(device, next)) run_start_io(device, irp);
    }
    KeLowerIrql(old);
}

}  // namespace

extern "C" {

// Microsoft Learn, IoStartPacket: StartIo now if the device is idle, else into the device queue (by
// *Key when Key is given). The cancel routine goes in under the cancel spin lock; a packet that was
// already cancelled when it was queued is handed to that routine at once (with the cancel spin lock
// held, as IoCancelIrp would), since no later IoCancelIrp will find it. A packet started at once
// goes to StartIo even if cancelled: StartIo checks Irp->Cancel, as the StartIo model requires.
NTKERNELAPI VOID NTAPI IoStartPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp, PULONG Key, PDRIVER_CANCEL CancelFunction) {
    require_start_io(DeviceObject);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KIRQL cancel_irql = DISPATCH_LEVEL;
    if (CancelFunction) {
        IoAcquireCancelSpinLock(&cancel_irql);
        (void)IoSetCancelRoutine(Irp, CancelFunction);
    }
    PKDEVICE_QUEUE_ENTRY entry = &Irp->Tail.Overlay.DeviceQueueEntry;
    BOOLEAN queued = Key ? KeInsertByKeyDeviceQueue(&DeviceObject->DeviceQueue, entry, *Key)
                         : KeInsertDeviceQueue(&DeviceObject->DeviceQueue, entry);
    if (!queued) {
        DeviceObject->CurrentIrp = Irp;
        if (CancelFunction) {
            // NT deviation: Microsoft Learn words NonCancelable for packets IoStartNextPacket dequeues;
            // ntio treats a packet IoStartPacket hands straight to StartIo the same way.
            if (start_io_flags(DeviceObject) & kSioNoCancel) (void)IoSetCancelRoutine(Irp, nullptr);
            IoReleaseCancelSpinLock(cancel_irql);
        }
        run_start_io(DeviceObject, Irp);
    } else if (CancelFunction) {
        if (__atomic_load_n(&Irp->Cancel, __ATOMIC_SEQ_CST) && IoSetCancelRoutine(Irp, nullptr)) {
            ntio::io::call_cancel_routine(CancelFunction, DeviceObject, Irp, cancel_irql);  // releases the lock
        } else {
            IoReleaseCancelSpinLock(cancel_irql);
        }
    }
    KeLowerIrql(old);
}

// Microsoft Learn, IoStartNextPacket: dequeues the next packet and calls StartIo with it, or marks the
// device idle. Cancelable: the driver's packets carry cancel routines, so the dequeue and CurrentIrp
// change happen under the cancel spin lock.
NTKERNELAPI VOID NTAPI IoStartNextPacket(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable) {
    // Nested: called from this device's StartIo (not deferred) with a packet waiting, which the
    // call hands to StartIo one level deeper.
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::StartNextPacket, reinterpret_cast<ULONG_PTR>(DeviceObject),
                    t_start_io_device == DeviceObject && !IsListEmpty(&DeviceObject->DeviceQueue.DeviceListHead));
    start_next_packet(DeviceObject, NextRequest{.by_key = false, .cancelable = Cancelable != FALSE, .key = 0});
}

// Microsoft Learn, IoStartNextPacketByKey: as IoStartNextPacket, choosing by KeRemoveByKeyDeviceQueue.
NTKERNELAPI VOID NTAPI IoStartNextPacketByKey(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable, ULONG Key) {
    start_next_packet(DeviceObject, NextRequest{.by_key = true, .cancelable = Cancelable != FALSE, .key = Key});
}

// Microsoft Learn, IoSetStartIoAttributes: any IRQL.
NTKERNELAPI VOID NTAPI IoSetStartIoAttributes(PDEVICE_OBJECT DeviceObject, BOOLEAN DeferredStartIo,
                                              BOOLEAN NonCancelable) {
    ULONG* flags = &doe(DeviceObject)->StartIoFlags;
    if (DeferredStartIo) __atomic_fetch_or(flags, kSioDeferred, __ATOMIC_RELEASE);
    else __atomic_fetch_and(flags, ~kSioDeferred, __ATOMIC_RELEASE);
    if (NonCancelable) __atomic_fetch_or(flags, kSioNoCancel, __ATOMIC_RELEASE);
    else __atomic_fetch_and(flags, ~kSioNoCancel, __ATOMIC_RELEASE);
}

}  // extern "C"
