// VerSdv (see verifier_sdv_irp_driver.hpp): written as a WDM driver, against the DDK headers only.
#include "verifier_sdv_irp_driver.hpp"

#include <new>

namespace ntio::verifier::test {
namespace sdv_driver {

NTSTATUS complete(PIRP irp, NTSTATUS status) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

// The completion routine of the driver's own IRP: it takes the IRP back and frees it.
NTSTATUS NTAPI OwnIrpDone(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    auto* ext = static_cast<SdvExtension*>(Context);
    IoFreeIrp(Irp);
    ext->OwnCompletions.fetch_add(1);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// The routine kSdvCompletionEx* set on the read: counts, and lets the completion go on.
NTSTATUS NTAPI CountDone(PDEVICE_OBJECT, PIRP, PVOID Context) {
    static_cast<SdvExtension*>(Context)->OwnCompletions.fetch_add(1);
    return STATUS_CONTINUE_COMPLETION;
}

// Sends an IRP of the driver's own to the peer with IoSetCompletionRoutineEx naming `named`.
NTSTATUS send_own(PDEVICE_OBJECT self, SdvExtension* ext, PDEVICE_OBJECT named) {
    PIRP own = IoAllocateIrp(ext->Peer->StackSize, FALSE);
    if (!own) return STATUS_INSUFFICIENT_RESOURCES;
    ext->OwnIrp = own;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(own);
    sp->MajorFunction = IRP_MJ_READ;
    sp->Parameters.Read.Length = 0;
    sp->Parameters.Read.Key = kSdvComplete;
    NTSTATUS status = IoSetCompletionRoutineEx(named, own, OwnIrpDone, ext, TRUE, TRUE, TRUE);
    if (!NT_SUCCESS(status)) {
        IoFreeIrp(own);
        ext->OwnIrp = nullptr;
        return status;
    }
    (void)self;
    (void)IoCallDriver(ext->Peer, own);  // the peer completes at once
    ext->OwnIrp = nullptr;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI SdvRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    SdvExtension* ext = VerSdvExt(DeviceObject);
    const ULONG mode = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Key;
    KIRQL irql;
    KIRQL second;
    switch (mode) {
    case kSdvFreeReceivedIrp:
        IoFreeIrp(Irp);
        return STATUS_SUCCESS;
    case kSdvFreeOwnIrp: {
        PIRP own = IoAllocateIrp(1, FALSE);
        if (!own) return complete(Irp, STATUS_INSUFFICIENT_RESOURCES);
        IoFreeIrp(own);
        return complete(Irp, STATUS_SUCCESS);
    }
    case kSdvCompletionExPeerDevice: return complete(Irp, send_own(DeviceObject, ext, ext->Peer));
    case kSdvCompletionExOwnDevice: return complete(Irp, send_own(DeviceObject, ext, DeviceObject));
    case kSdvCancelReleaseUnacquired:
        IoReleaseCancelSpinLock(PASSIVE_LEVEL);
        return complete(Irp, STATUS_SUCCESS);
    case kSdvCancelAcquireTwice:
        IoAcquireCancelSpinLock(&irql);
        IoAcquireCancelSpinLock(&second);
        IoReleaseCancelSpinLock(second);
        IoReleaseCancelSpinLock(irql);
        return complete(Irp, STATUS_SUCCESS);
    case kSdvCancelAlternating:
        IoAcquireCancelSpinLock(&irql);
        IoReleaseCancelSpinLock(irql);
        IoAcquireCancelSpinLock(&irql);
        IoReleaseCancelSpinLock(irql);
        return complete(Irp, STATUS_SUCCESS);
    case kSdvReleaseOutsideRegion:
        KeEnterCriticalRegion();
        ExAcquireResourceExclusiveLite(&ext->Resource, TRUE);
        KeLeaveCriticalRegion();
        ExReleaseResourceLite(&ext->Resource);
        return complete(Irp, STATUS_SUCCESS);
    case kSdvReleaseInsideRegion:
        KeEnterCriticalRegion();
        ExAcquireResourceExclusiveLite(&ext->Resource, TRUE);
        ExReleaseResourceLite(&ext->Resource);
        KeLeaveCriticalRegion();
        return complete(Irp, STATUS_SUCCESS);
    case kSdvReleaseForOtherThread: {
        // An owner pointer: an address with its two low bits set, as ExSetResourceOwnerPointer requires.
        const auto owner = reinterpret_cast<ERESOURCE_THREAD>(ext) | 3;
        KeEnterCriticalRegion();
        ExAcquireResourceSharedLite(&ext->Resource, TRUE);
        ExSetResourceOwnerPointer(&ext->Resource, reinterpret_cast<PVOID>(owner));
        KeLeaveCriticalRegion();
        ExReleaseResourceForThreadLite(&ext->Resource, owner);
        return complete(Irp, STATUS_SUCCESS);
    }
    case kSdvCompletionExNotSent: {
        const NTSTATUS status = IoSetCompletionRoutineEx(DeviceObject, Irp, CountDone, ext, TRUE, TRUE, TRUE);
        return complete(Irp, NT_SUCCESS(status) ? STATUS_SUCCESS : status);
    }
    case kSdvCompletionExForward: {
        IoCopyCurrentIrpStackLocationToNext(Irp);
        IoGetNextIrpStackLocation(Irp)->Parameters.Read.Key = kSdvComplete;  // the peer completes it
        const NTSTATUS status = IoSetCompletionRoutineEx(DeviceObject, Irp, CountDone, ext, TRUE, TRUE, TRUE);
        if (!NT_SUCCESS(status)) return complete(Irp, status);
        return IoCallDriver(ext->Peer, Irp);
    }
    case kSdvReturnOwningResource:
        KeEnterCriticalRegion();
        ExAcquireResourceExclusiveLite(&ext->Resource, TRUE);
        KeLeaveCriticalRegion();
        return complete(Irp, STATUS_SUCCESS);
    default: return complete(Irp, STATUS_SUCCESS);
    }
}

VOID NTAPI SdvUnload(PDRIVER_OBJECT DriverObject) {
    while (PDEVICE_OBJECT device = DriverObject->DeviceObject) {
        ExDeleteResourceLite(&VerSdvExt(device)->Resource);
        VerSdvExt(device)->~SdvExtension();
        IoDeleteDevice(device);
    }
}

}  // namespace sdv_driver

NTSTATUS NTAPI VerSdvDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->MajorFunction[IRP_MJ_READ] = sdv_driver::SdvRead;
    DriverObject->DriverUnload = sdv_driver::SdvUnload;
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(SdvExtension), nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    auto* ext = new (device->DeviceExtension) SdvExtension{};
    ExInitializeResourceLite(&ext->Resource);
    device->StackSize = 2;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

}  // namespace ntio::verifier::test
