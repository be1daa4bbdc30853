// VerDdi's modes for the rest of spec 3.6's DDI compliance rules: one Ke/Ex/Mm/Ob/Io/Po routine per
// mode, called at the IRQL the read asked for, written as a driver writer would call it; and the
// driver's IRP_MJ_PNP and IRP_MJ_POWER routines the PnpRemove and RequestedPowerIrp tests use.
#include "verifier_ddi_driver.hpp"

namespace ntio::verifier::test {
namespace {

constexpr ULONG kKernelDdiTag = 'kddV';

VOID NTAPI power_done(PDEVICE_OBJECT, UCHAR, POWER_STATE, PVOID Context, PIO_STATUS_BLOCK) {
    KeSetEvent(static_cast<PKEVENT>(Context), IO_NO_INCREMENT, FALSE);
}

NTSTATUS request_power(PDEVICE_OBJECT device, DdiExtension* ext, bool keep_pointer) {
    POWER_STATE state;
    state.DeviceState = PowerDeviceD0;
    PIRP irp = nullptr;
    KeClearEvent(&ext->PowerDone);
    const NTSTATUS status = PoRequestPowerIrp(device, IRP_MN_SET_POWER, state, power_done, &ext->PowerDone,
                                              keep_pointer ? &irp : nullptr);
    if (status != STATUS_PENDING) return status;
    (void)KeWaitForSingleObject(&ext->PowerDone, Executive, KernelMode, FALSE, nullptr);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI own_irp_done(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    static_cast<DdiExtension*>(Context)->OwnIrpCompletions.fetch_add(1);
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;  // the IRP is gone: the I/O manager must not touch it
}

// A read of the driver's own, to its own device (mode 0: completed at once).
NTSTATUS send_own_irp(PDEVICE_OBJECT device, DdiExtension* ext, bool with_routine) {
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_READ;
    sp->Parameters.Read.Key = 0;
    sp->Parameters.Read.ByteOffset.QuadPart = 0;
    if (with_routine) IoSetCompletionRoutine(irp, own_irp_done, ext, TRUE, TRUE, TRUE);
    else ext->OwnIrp = irp;
    (void)IoCallDriver(device, irp);
    return STATUS_SUCCESS;
}

}  // namespace

NTSTATUS VerDdiCallKernelDdi(ULONG mode, PDEVICE_OBJECT device, DdiExtension* ext) {
    switch (mode) {
    case kDdiObjectSecurity: {
        PSECURITY_DESCRIPTOR sd = nullptr;
        BOOLEAN allocated = FALSE;
        const NTSTATUS status = ObGetObjectSecurity(device, &sd, &allocated);
        if (!NT_SUCCESS(status)) return status;
        ObReleaseObjectSecurity(sd, allocated);
        break;
    }
    case kDdiDeviceQueue:
        // An idle queue: the entry is not linked, the queue only turns busy, and the remove turns
        // it idle again.
        if (KeInsertDeviceQueue(&ext->DeviceQueue, &ext->DeviceQueueEntry)) return STATUS_UNSUCCESSFUL;
        if (KeRemoveDeviceQueue(&ext->DeviceQueue)) return STATUS_UNSUCCESSFUL;
        break;
    case kDdiPagedLookaside: {
        PAGED_LOOKASIDE_LIST list;
        ExInitializePagedLookasideList(&list, nullptr, nullptr, 0, 64, kKernelDdiTag, 0);
        ExDeletePagedLookasideList(&list);
        break;
    }
    case kDdiResourceShared:
        (void)ExAcquireResourceSharedLite(&ext->Resource, TRUE);
        ExReleaseResourceLite(&ext->Resource);
        break;
    case kDdiUuidCreate: {
        UUID uuid;
        return ExUuidCreate(&uuid);
    }
    case kDdiDeviceToVerify:
        if (IoGetDeviceToVerify(PsGetCurrentThread())) return STATUS_UNSUCCESSFUL;  // nothing set here
        break;
    case kDdiGuardedMutex:
        KeAcquireGuardedMutex(&ext->GuardedMutex);
        KeReleaseGuardedMutex(&ext->GuardedMutex);
        break;
    case kDdiDelayExecution: {
        LARGE_INTEGER none;
        none.QuadPart = 0;
        return KeDelayExecutionThread(KernelMode, FALSE, &none);
    }
    case kDdiAreApcsDisabled: (void)KeAreApcsDisabled(); break;
    case kDdiTimer: {
        KeInitializeTimer(&ext->SpareTimer);
        LARGE_INTEGER due;
        due.QuadPart = -36000000000LL;  // an hour: cancelled long before
        (void)KeSetTimer(&ext->SpareTimer, due, nullptr);
        if (!KeCancelTimer(&ext->SpareTimer)) return STATUS_UNSUCCESSFUL;
        break;
    }
    case kDdiClearEvent: KeClearEvent(&ext->Event); break;
    case kDdiNonCachedMemory: {
        PVOID p = MmAllocateNonCachedMemory(64);
        if (!p) return STATUS_INSUFFICIENT_RESOURCES;
        MmFreeNonCachedMemory(p, 64);
        break;
    }
    case kDdiTimerResolution: (void)ExSetTimerResolution(0, FALSE); break;
    case kDdiQueuedLockNested: {
        KLOCK_QUEUE_HANDLE outer;
        KLOCK_QUEUE_HANDLE inner;
        KeAcquireInStackQueuedSpinLock(&ext->Lock, &outer);
        KeAcquireInStackQueuedSpinLock(&ext->Lock, &inner);  // the same lock again
        KeReleaseInStackQueuedSpinLock(&inner);
        KeReleaseInStackQueuedSpinLock(&outer);
        break;
    }
    case kDdiQueuedLockTwoLocks: {
        KLOCK_QUEUE_HANDLE outer;
        KLOCK_QUEUE_HANDLE inner;
        KeAcquireInStackQueuedSpinLock(&ext->Lock, &outer);
        KeAcquireInStackQueuedSpinLock(&ext->SecondLock, &inner);
        KeReleaseInStackQueuedSpinLock(&inner);
        KeReleaseInStackQueuedSpinLock(&outer);
        break;
    }
    case kDdiQueuedLockReleaseFree: {
        KLOCK_QUEUE_HANDLE handle;
        KeAcquireInStackQueuedSpinLock(&ext->Lock, &handle);
        KeReleaseInStackQueuedSpinLock(&handle);
        KeReleaseInStackQueuedSpinLock(&handle);  // released twice
        break;
    }
    case kDdiGuardedLeaveUnentered: KeLeaveGuardedRegion(); break;
    case kDdiGuardedRegionBalanced:
        KeEnterGuardedRegion();
        KeLeaveGuardedRegion();
        break;
    case kDdiGuardedRegionLeft: KeEnterGuardedRegion(); break;  // never left
    case kDdiPowerIrpPointer: return request_power(device, ext, true);
    case kDdiPowerIrpNoPointer: return request_power(device, ext, false);
    case kDdiSendOwnIrp: return send_own_irp(device, ext, false);
    case kDdiSendOwnIrpWithRoutine: return send_own_irp(device, ext, true);
    default: return VerDdiCallPnpDdi(mode, device, ext);
    }
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI VerDdiPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    const NTSTATUS status = static_cast<DdiExtension*>(DeviceObject->DeviceExtension)->PnpStatus;
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS NTAPI VerDdiPower(PDEVICE_OBJECT, PIRP Irp) {
    PoStartNextPowerIrp(Irp);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

}  // namespace ntio::verifier::test
