// The VerDdi test driver: a legacy WDM driver with two devices (upper forwarding to lower), written
// the way a driver writer writes one, with the DDI misuse of spec 5.1 / 5.2 on request.
#include <new>

#include "verifier_ddi_driver.hpp"

namespace ntio::verifier::test {
namespace {

constexpr ULONG kTag = 'iddV';

DdiExtension* ddi_ext_of(PDEVICE_OBJECT d) { return static_cast<DdiExtension*>(d->DeviceExtension); }

NTSTATUS ddi_complete(PIRP Irp, NTSTATUS status) {
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

BOOLEAN NTAPI ddi_isr(PKINTERRUPT, PVOID) { return FALSE; }

// The modes whose DDI needs an MDL with its pages already locked.
bool needs_locked_pages(ULONG mode) { return mode >= kDdiMapLockedPages && mode <= kDdiUnlockPages; }

// At PASSIVE_LEVEL, before the raise: what the DDI under test needs.
void before_raise(ULONG mode, DdiExtension* ext) {
    if (mode == kDdiMdl || needs_locked_pages(mode))
        ext->SpareMdl = IoAllocateMdl(ext->MdlBuffer, sizeof ext->MdlBuffer, FALSE, FALSE, nullptr);
    if (needs_locked_pages(mode) && ext->SpareMdl) MmProbeAndLockPages(ext->SpareMdl, KernelMode, IoWriteAccess);
    if (mode == kDdiLeaveCriticalRegion) KeEnterCriticalRegion();
    if (mode == kDdiBuildDeviceIoControl) KeInitializeEvent(&ext->IoctlDone, NotificationEvent, FALSE);
    if (mode == kDdiFastMutexUnsafeRelease) {
        KeEnterCriticalRegion();
        ExAcquireFastMutexUnsafe(&ext->FastMutex);
        KeLeaveCriticalRegion();  // the bug the release below is checked for
    }
    if (mode == kDdiFastMutexRelease) {
        // Held with PASSIVE_LEVEL saved, from the PASSIVE_LEVEL the call below is raised from: the
        // release restores the IRQL the dispatch routine was called at, wherever it is made.
        ExAcquireFastMutex(&ext->FastMutex);
        KeLowerIrql(PASSIVE_LEVEL);
    }
}

// A DDI called at the IRQL the test asks for; an error it returns fails the read.
NTSTATUS call_ddi(ULONG mode, PDEVICE_OBJECT device, DdiExtension* ext) {
    switch (mode) {
    case kDdiCreateDevice: {
        PDEVICE_OBJECT extra = nullptr;
        if (NT_SUCCESS(IoCreateDevice(device->DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &extra)))
            IoDeleteDevice(extra);
        break;
    }
    case kDdiMdl:  // the MDL is allocated and freed at PASSIVE_LEVEL around this
        if (ext->SpareMdl) {
            MmProbeAndLockPages(ext->SpareMdl, KernelMode, IoWriteAccess);
            if (MmMapLockedPagesSpecifyCache(ext->SpareMdl, KernelMode, MmCached, nullptr, FALSE, NormalPagePriority))
                ext->MdlBuffer[0] = 1;
            MmUnlockPages(ext->SpareMdl);
        }
        break;
    case kDdiGetDeviceObjectPointer: {
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\VerDdiMissing");
        PFILE_OBJECT file = nullptr;
        PDEVICE_OBJECT target = nullptr;
        if (NT_SUCCESS(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &file, &target))) ObDereferenceObject(file);
        break;
    }
    case kDdiConnectInterrupt: {
        PKINTERRUPT interrupt = nullptr;
        if (NT_SUCCESS(IoConnectInterrupt(&interrupt, ddi_isr, ext, nullptr, 0x51, 5, 5, LevelSensitive, FALSE,
                                          KeQueryActiveProcessors(), FALSE)))
            ext->SpareInterrupt = interrupt;
        break;
    }
    case kDdiPsGetVersion: {
        ULONG major = 0, minor = 0, build = 0;
        (void)PsGetVersion(&major, &minor, &build, nullptr);
        break;
    }
    case kDdiIoGetInitialStack: (void)IoGetInitialStack(); break;
    case kDdiKeSetEventWait:
        (void)KeSetEvent(&ext->Event, IO_NO_INCREMENT, TRUE);
        KeClearEvent(&ext->Event);
        break;
    case kDdiKeSetEventNoWait:
        (void)KeSetEvent(&ext->Event, IO_NO_INCREMENT, FALSE);
        KeClearEvent(&ext->Event);
        break;
    case kDdiPagedPool:
    case kDdiNonPagedPool:
        if (PVOID p = ExAllocatePoolWithTag(mode == kDdiPagedPool ? PagedPool : NonPagedPoolNx, 32, kTag))
            ExFreePoolWithTag(p, kTag);
        break;
    case kDdiCreateSymbolicLink: {
        UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\DosDevices\\VerDdiLink");
        UNICODE_STRING target = RTL_CONSTANT_STRING(L"\\Device\\VerDdiLow");
        if (NT_SUCCESS(IoCreateSymbolicLink(&link, &target))) (void)IoDeleteSymbolicLink(&link);
        break;
    }
    case kDdiDeleteSymbolicLink: {
        UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\DosDevices\\VerDdiMissing");
        (void)IoDeleteSymbolicLink(&link);
        break;
    }
    case kDdiZwOpenKey: {
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\SOFTWARE\\VerDdiMissing");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        HANDLE key = nullptr;
        if (NT_SUCCESS(ZwOpenKey(&key, KEY_READ, &oa))) (void)ZwClose(key);
        break;
    }
    case kDdiRtlDeleteRegistryValue:
        (void)RtlDeleteRegistryValue(RTL_REGISTRY_ABSOLUTE, L"\\Registry\\Machine\\SOFTWARE", L"VerDdiMissing");
        break;
    case kDdiWaitTimeout:
    case kDdiWaitPoll: {
        LARGE_INTEGER timeout;
        timeout.QuadPart = mode == kDdiWaitTimeout ? -10000 : 0;
        (void)KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, &timeout);
        break;
    }
    case kDdiEnterCriticalRegion:
        KeEnterCriticalRegion();
        KeLeaveCriticalRegion();
        break;
    case kDdiReleaseSpinLockAtPassive: {
        // Taken by raising, then the IRQL lowered by hand under the lock: the release comes at the
        // IRQL the test asked for.
        const KIRQL level = KeGetCurrentIrql();
        KIRQL old;
        KeAcquireSpinLock(&ext->Lock, &old);
        KeLowerIrql(level);
        KeReleaseSpinLock(&ext->Lock, level);
        break;
    }
    case kDdiMapLockedPages:
    case kDdiMapLockedPagesUser:
    case kDdiMapSpecifyCache:
    case kDdiMapSpecifyCacheUser: {
        if (!ext->SpareMdl) return STATUS_INSUFFICIENT_RESOURCES;
        const KPROCESSOR_MODE access = (mode == kDdiMapLockedPagesUser || mode == kDdiMapSpecifyCacheUser) ? UserMode
                                                                                                          : KernelMode;
        PVOID va = (mode == kDdiMapLockedPages || mode == kDdiMapLockedPagesUser)
                       ? MmMapLockedPages(ext->SpareMdl, access)
                       : MmMapLockedPagesSpecifyCache(ext->SpareMdl, access, MmCached, nullptr, FALSE,
                                                      NormalPagePriority);
        if (!va) return STATUS_INSUFFICIENT_RESOURCES;
        if (access == UserMode) ext->UserMapping = va;  // unmapped before the pages are unlocked
        else static_cast<UCHAR*>(va)[0] = 1;
        break;
    }
    case kDdiUnlockPages:
        if (ext->SpareMdl) MmUnlockPages(ext->SpareMdl);
        break;
    case kDdiLeaveCriticalRegion: KeLeaveCriticalRegion(); break;
    case kDdiAcquireSpinLock: {
        KIRQL old;
        KeAcquireSpinLock(&ext->Lock, &old);
        KeReleaseSpinLock(&ext->Lock, old);
        break;
    }
    case kDdiAcquireSpinLockAtDpcLevel: {
        KeAcquireSpinLockAtDpcLevel(&ext->Lock);
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
        KLOCK_QUEUE_HANDLE handle;
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&ext->Lock, &handle);
        KeReleaseInStackQueuedSpinLockFromDpcLevel(&handle);
        break;
    }
    case kDdiReferenceByHandle: {
        PVOID thread = nullptr;
        const NTSTATUS status =
            ObReferenceObjectByHandle(ZwCurrentThread(), SYNCHRONIZE, *PsThreadType, KernelMode, &thread, nullptr);
        if (!NT_SUCCESS(status)) return status;
        ObDereferenceObject(thread);
        break;
    }
    case kDdiBuildDeviceIoControl:
        // Sent once the IRQL is back at PASSIVE_LEVEL.
        ext->IoctlIrp = IoBuildDeviceIoControlRequest(kDdiIoctlPing, device, nullptr, 0, nullptr, 0, FALSE,
                                                      &ext->IoctlDone, &ext->IoctlStatus);
        if (!ext->IoctlIrp) return STATUS_INSUFFICIENT_RESOURCES;
        break;
    case kDdiPool2:
        if (PVOID p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, kTag)) ExFreePoolWithTag(p, kTag);
        break;
    case kDdiAcquireResource:
        ExAcquireResourceExclusiveLite(&ext->Resource, TRUE);
        ExReleaseResourceLite(&ext->Resource);
        break;
    case kDdiFastMutexUnsafe:
        ExAcquireFastMutexUnsafe(&ext->FastMutex);
        ExReleaseFastMutexUnsafe(&ext->FastMutex);
        break;
    case kDdiFastMutexUnsafeRelease: ExReleaseFastMutexUnsafe(&ext->FastMutex); break;
    case kDdiFastMutex:
        ExAcquireFastMutex(&ext->FastMutex);
        ExReleaseFastMutex(&ext->FastMutex);
        break;
    case kDdiFastMutexRelease: ExReleaseFastMutex(&ext->FastMutex); break;
    default: return VerDdiCallKernelDdi(mode, device, ext);
    }
    return STATUS_SUCCESS;
}

// Back at PASSIVE_LEVEL: what the DDI called raised left to do (send the IOCTL built, unmap, unlock
// and free the MDL).
NTSTATUS after_lower(PDEVICE_OBJECT device, DdiExtension* ext) {
    NTSTATUS status = STATUS_SUCCESS;
    if (PIRP irp = ext->IoctlIrp) {
        ext->IoctlIrp = nullptr;
        status = IoCallDriver(device, irp);
        if (status == STATUS_PENDING) {
            (void)KeWaitForSingleObject(&ext->IoctlDone, Executive, KernelMode, FALSE, nullptr);
            status = ext->IoctlStatus.Status;
        }
    }
    if (PKINTERRUPT interrupt = ext->SpareInterrupt) {
        ext->SpareInterrupt = nullptr;
        IoDisconnectInterrupt(interrupt);
    }
    if (PMDL mdl = ext->SpareMdl) {
        if (ext->UserMapping) MmUnmapLockedPages(ext->UserMapping, mdl);
        ext->UserMapping = nullptr;
        if (mdl->MdlFlags & MDL_PAGES_LOCKED) MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        ext->SpareMdl = nullptr;
    }
    return status;
}

VOID NTAPI InitialStackDpc(PKDPC, PVOID Context, PVOID, PVOID) {
    DdiExtension* ext = static_cast<DdiExtension*>(Context);
    (void)IoGetInitialStack();  // P2: an APC_LEVEL-only routine from a DPC
    PIRP irp = ext->DpcIrp;
    ext->DpcIrp = nullptr;
    (void)ddi_complete(irp, STATUS_SUCCESS);
}

VOID NTAPI LegacyCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    DdiExtension* ext = ddi_ext_of(DeviceObject);
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->Lock, irql);
    (void)ddi_complete(Irp, STATUS_CANCELLED);
}

// The timer's DPC completes the oldest queued read whose cancel routine it could clear.
VOID NTAPI LegacyTimerDpc(PKDPC, PVOID Context, PVOID, PVOID) {
    DdiExtension* ext = static_cast<DdiExtension*>(Context);
    PIRP done = nullptr;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    for (PLIST_ENTRY e = ext->Queue.Flink; e != &ext->Queue; e = e->Flink) {
        PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(irp, nullptr)) {
            RemoveEntryList(e);
            done = irp;
            break;
        }
    }
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    if (done) {
        (void)ddi_complete(done, STATUS_SUCCESS);
        ext->TimerCompletions.fetch_add(1);
    }
}

NTSTATUS queue_legacy(PDEVICE_OBJECT DeviceObject, PIRP Irp, bool cancellable) {
    DdiExtension* ext = ddi_ext_of(DeviceObject);
    IoMarkIrpPending(Irp);
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    if (cancellable) {
        IoSetCancelRoutine(Irp, LegacyCancel);
        if (Irp->Cancel && IoSetCancelRoutine(Irp, nullptr)) {
            KeReleaseSpinLock(&ext->Lock, irql);
            (void)ddi_complete(Irp, STATUS_CANCELLED);
            return STATUS_PENDING;
        }
    }
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->Lock, irql);
    if (cancellable) {
        LARGE_INTEGER due;
        due.QuadPart = -10000;  // 1 ms
        (void)KeSetTimer(&ext->Timer, due, &ext->TimerDpc);
    }
    return STATUS_PENDING;
}

NTSTATUS NTAPI RoutineRaisesAndSetsEvent(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    DdiExtension* ext = static_cast<DdiExtension*>(Context);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    (void)KeSetEvent(&ext->Event, IO_NO_INCREMENT, TRUE);  // P2: Wait = TRUE at DISPATCH_LEVEL
    if (Irp->PendingReturned) IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS NTAPI RoutineSetsEvent(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    DdiExtension* ext = static_cast<DdiExtension*>(Context);
    (void)KeSetEvent(&ext->Event, IO_NO_INCREMENT, FALSE);
    if (Irp->PendingReturned) IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS NTAPI RoutinePropagates(PDEVICE_OBJECT, PIRP Irp, PVOID) {
    if (Irp->PendingReturned) IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS forward(PDEVICE_OBJECT DeviceObject, DdiExtension* ext, PIRP Irp, LONG how) {
    IoCopyCurrentIrpStackLocationToNext(Irp);
    // A copy needs a completion routine (without one it is 0xC9 0x21C): one that only propagates
    // the pending bit, replaced below where the mode wants another.
    IoSetCompletionRoutine(Irp, RoutinePropagates, nullptr, TRUE, TRUE, TRUE);
    if (how == kForwardCompletionExUnchecked || how == kForwardCompletionExChecked) {
        const NTSTATUS set = IoSetCompletionRoutineEx(DeviceObject, Irp, RoutineSetsEvent, ext, TRUE, TRUE, TRUE);
        if (!NT_SUCCESS(set) && how == kForwardCompletionExChecked) return ddi_complete(Irp, set);
    } else if (how == kForwardRoutineSetsEventWait)
        IoSetCompletionRoutine(Irp, RoutineRaisesAndSetsEvent, ext, TRUE, TRUE, TRUE);
    else if (how == kForwardRoutineSetsEvent)
        IoSetCompletionRoutine(Irp, RoutineSetsEvent, ext, TRUE, TRUE, TRUE);
    const NTSTATUS status = IoCallDriver(ext->Lower, Irp);
    if (how == kForwardReturnOther) return STATUS_SUCCESS;  // P2: LowerDriverReturn
    return status;
}

NTSTATUS NTAPI DdiRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    DdiExtension* ext = ddi_ext_of(DeviceObject);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    const ULONG mode = sp->Parameters.Read.Key;
    const KIRQL level = static_cast<KIRQL>(sp->Parameters.Read.ByteOffset.LowPart);
    const LONG how = sp->Parameters.Read.ByteOffset.HighPart;
    if (ext->Upper && how != kForwardNone) return forward(DeviceObject, ext, Irp, how);
    KIRQL irql;
    switch (mode) {
    case kDdiDpcInitialStack:
        IoMarkIrpPending(Irp);
        ext->DpcIrp = Irp;
        (void)KeInsertQueueDpc(&ext->Dpc, nullptr, nullptr);
        return STATUS_PENDING;
    case kDdiFreePoolNull:
        ExFreePool(nullptr);
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiSpinLockReturn:
        KeAcquireSpinLock(&ext->Lock, &irql);
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiCancelLockReturn:
        IoAcquireCancelSpinLock(&irql);
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiCompleteReturnPending:
        (void)ddi_complete(Irp, STATUS_SUCCESS);
        return STATUS_PENDING;
    case kDdiCriticalRegionLeft:
        KeEnterCriticalRegion();
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiCriticalRegionBalanced:
        KeEnterCriticalRegion();
        KeLeaveCriticalRegion();
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiCompleteUnderSpinLock:
        KeAcquireSpinLock(&ext->Lock, &irql);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        KeReleaseSpinLock(&ext->Lock, irql);
        return STATUS_SUCCESS;
    case kDdiCompleteAfterRelease:
        KeAcquireSpinLock(&ext->Lock, &irql);
        KeReleaseSpinLock(&ext->Lock, irql);
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiStartNextUnderSpinLock:
        KeAcquireSpinLock(&ext->Lock, &irql);
        IoStartNextPacket(DeviceObject, FALSE);
        KeReleaseSpinLock(&ext->Lock, irql);
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiStartNextAtDispatch:
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        IoStartNextPacket(DeviceObject, FALSE);
        KeLowerIrql(irql);
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiFreeIrpAsPool:
        ext->SpareIrp = IoAllocateIrp(1, FALSE);
        if (ext->SpareIrp) ExFreePool(ext->SpareIrp);
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiFreeIrpLegal:
        if (PIRP spare = IoAllocateIrp(1, FALSE)) IoFreeIrp(spare);
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiFreeOwnIrpAsPool: {
        // An IRP built in the driver's own memory goes back to where the driver got it
        // (IoInitializeIrp on Microsoft Learn: "IRPs the driver allocated as raw memory").
        const USHORT size = IoSizeOfIrp(2);
        if (auto* own = static_cast<PIRP>(ExAllocatePoolWithTag(NonPagedPoolNx, size, 'prID'))) {
            IoInitializeIrp(own, size, 2);
            ExFreePoolWithTag(own, 'prID');
        }
        return ddi_complete(Irp, STATUS_SUCCESS);
    }
    case kDdiRemoveLockReleaseUnacquired:
        IoReleaseRemoveLock(&ext->RemoveLock, Irp);
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiRemoveLockBalanced:
        if (NT_SUCCESS(IoAcquireRemoveLock(&ext->RemoveLock, Irp))) IoReleaseRemoveLock(&ext->RemoveLock, Irp);
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiRemoveLockWaitMismatch:
        if (NT_SUCCESS(IoAcquireRemoveLock(&ext->RemoveLock, Irp))) IoReleaseRemoveLockAndWait(&ext->RemoveLock, ext);
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiStartPacket:
        IoMarkIrpPending(Irp);
        IoStartPacket(DeviceObject, Irp, nullptr, nullptr);
        return STATUS_PENDING;
    case kDdiReleaseHeldPacket: {
        DdiExtension* held_ext = ddi_ext_of(DeviceObject);
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        if (PIRP held = held_ext->HeldPacket) {
            held_ext->HeldPacket = nullptr;
            (void)ddi_complete(held, STATUS_SUCCESS);
            IoStartNextPacket(DeviceObject, FALSE);
        }
        KeLowerIrql(irql);
        return ddi_complete(Irp, STATUS_SUCCESS);
    }
    // Packets go to StartIo without cancel routines (kDdiStartPacket): not cancelable (StartIoCancel).
    case kDdiDeferStartIo:
    case kDdiNonCancelableStartIo:
        IoSetStartIoAttributes(DeviceObject, mode == kDdiDeferStartIo, TRUE);
        return ddi_complete(Irp, STATUS_SUCCESS);
    case kDdiLegacyQueue: return queue_legacy(DeviceObject, Irp, true);
    case kDdiPark: return queue_legacy(DeviceObject, Irp, false);
    case kDdiCompleteRaised: {
        KeRaiseIrql(level, &irql);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        KeLowerIrql(irql);
        return STATUS_SUCCESS;
    }
    default: break;
    }
    before_raise(mode, ext);
    KIRQL old = PASSIVE_LEVEL;
    if (level > PASSIVE_LEVEL) KeRaiseIrql(level, &old);
    const NTSTATUS status = call_ddi(mode, DeviceObject, ext);
    if (level > PASSIVE_LEVEL) KeLowerIrql(old);
    const NTSTATUS sent = after_lower(DeviceObject, ext);
    return ddi_complete(Irp, NT_SUCCESS(status) ? sent : status);
}

NTSTATUS NTAPI DdiControl(PDEVICE_OBJECT, PIRP Irp) {
    const ULONG code = IoGetCurrentIrpStackLocation(Irp)->Parameters.DeviceIoControl.IoControlCode;
    return ddi_complete(Irp, code == kDdiIoctlPing ? STATUS_SUCCESS : STATUS_INVALID_DEVICE_REQUEST);
}

// Per-open state is the device's remove lock (a legacy driver with one open at a time).
NTSTATUS NTAPI DdiCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    DdiExtension* ext = ddi_ext_of(DeviceObject);
    if (ext->CreateNeverCompletes) return STATUS_SUCCESS;  // P2: the IRP is never completed
    IoInitializeRemoveLock(&ext->RemoveLock, kTag, 0, 0);
    return ddi_complete(Irp, STATUS_SUCCESS);
}

// Cancels the queued reads of the open, then waits for the reads in flight (spec 5.3, NT fact M5).
NTSTATUS NTAPI DdiCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    DdiExtension* ext = ddi_ext_of(DeviceObject);
    if (!NT_SUCCESS(IoAcquireRemoveLock(&ext->RemoveLock, Irp))) return ddi_complete(Irp, STATUS_DELETE_PENDING);
    LIST_ENTRY cancelled;
    InitializeListHead(&cancelled);
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    if (ext->BuggyCleanup) {
        ULONG major = 0, minor = 0;
        (void)PsGetVersion(&major, &minor, nullptr, nullptr);  // P1: PASSIVE_LEVEL only, under a spin lock
    }
    for (PLIST_ENTRY e = ext->Queue.Flink; e != &ext->Queue;) {
        PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        e = e->Flink;
        if (IoSetCancelRoutine(irp, nullptr)) {
            RemoveEntryList(&irp->Tail.Overlay.ListEntry);
            InsertTailList(&cancelled, &irp->Tail.Overlay.ListEntry);
        }
    }
    KeReleaseSpinLock(&ext->Lock, irql);
    while (!IsListEmpty(&cancelled)) {
        PIRP irp = CONTAINING_RECORD(RemoveHeadList(&cancelled), IRP, Tail.Overlay.ListEntry);
        (void)ddi_complete(irp, STATUS_CANCELLED);
    }
    IoReleaseRemoveLockAndWait(&ext->RemoveLock, Irp);
    return ddi_complete(Irp, STATUS_SUCCESS);
}

NTSTATUS NTAPI DdiClose(PDEVICE_OBJECT, PIRP Irp) { return ddi_complete(Irp, STATUS_SUCCESS); }

VOID NTAPI DdiStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    DdiExtension* ext = ddi_ext_of(DeviceObject);
    ext->StartIoCalls.fetch_add(1);
    if (ext->HoldNextStartIo) {  // the device stays busy with it until kDdiReleaseHeldPacket
        ext->HoldNextStartIo = false;
        ext->HeldPacket = Irp;
        return;
    }
    (void)ddi_complete(Irp, STATUS_SUCCESS);
    if (ext->StartIoStartsNext) IoStartNextPacket(DeviceObject, FALSE);
}

VOID NTAPI DdiUnload(PDRIVER_OBJECT DriverObject) {
    while (PDEVICE_OBJECT device = DriverObject->DeviceObject) {
        DdiExtension* ext = ddi_ext_of(device);
        (void)KeCancelTimer(&ext->Timer);
        (void)ExDeleteResourceLite(&ext->Resource);
        IoDeleteDevice(device);
    }
}

NTSTATUS create_device(PDRIVER_OBJECT DriverObject, PCWSTR name, bool upper, PDEVICE_OBJECT* out) {
    UNICODE_STRING device_name;
    RtlInitUnicodeString(&device_name, name);
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(DdiExtension), &device_name, FILE_DEVICE_UNKNOWN, 0,
                                     FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    DdiExtension* ext = new (device->DeviceExtension) DdiExtension{};
    ext->Upper = upper;
    KeInitializeSpinLock(&ext->Lock);
    InitializeListHead(&ext->Queue);
    KeInitializeEvent(&ext->Event, NotificationEvent, FALSE);
    KeInitializeDpc(&ext->Dpc, InitialStackDpc, ext);
    KeInitializeTimer(&ext->Timer);
    KeInitializeDpc(&ext->TimerDpc, LegacyTimerDpc, ext);
    IoInitializeRemoveLock(&ext->RemoveLock, kTag, 0, 0);
    (void)ExInitializeResourceLite(&ext->Resource);
    ExInitializeFastMutex(&ext->FastMutex);
    KeInitializeSpinLock(&ext->SecondLock);
    KeInitializeDeviceQueue(&ext->DeviceQueue);
    KeInitializeGuardedMutex(&ext->GuardedMutex);
    KeInitializeEvent(&ext->PowerDone, NotificationEvent, FALSE);
    device->Flags |= DO_BUFFERED_IO;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    *out = device;
    return STATUS_SUCCESS;
}

}  // namespace

NTSTATUS NTAPI VerDdiDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DdiCreate;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = DdiCleanup;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = DdiClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = DdiRead;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DdiControl;
    DriverObject->MajorFunction[IRP_MJ_PNP] = VerDdiPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = VerDdiPower;
    DriverObject->DriverStartIo = DdiStartIo;
    DriverObject->DriverUnload = DdiUnload;
    PDEVICE_OBJECT lower = nullptr;
    PDEVICE_OBJECT upper = nullptr;
    NTSTATUS status = create_device(DriverObject, L"\\Device\\VerDdiLow", false, &lower);
    if (!NT_SUCCESS(status)) return status;
    status = create_device(DriverObject, L"\\Device\\VerDdiUp", true, &upper);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(lower);
        return status;
    }
    upper->StackSize = static_cast<CCHAR>(lower->StackSize + 1);
    ddi_ext_of(upper)->Lower = lower;
    return STATUS_SUCCESS;
}

PDEVICE_OBJECT VerDdiUpper(PDRIVER_OBJECT Driver) {
    for (PDEVICE_OBJECT d = Driver->DeviceObject; d; d = d->NextDevice)
        if (ddi_ext_of(d)->Upper) return d;
    return nullptr;
}

PDEVICE_OBJECT VerDdiLower(PDRIVER_OBJECT Driver) {
    for (PDEVICE_OBJECT d = Driver->DeviceObject; d; d = d->NextDevice)
        if (!ddi_ext_of(d)->Upper) return d;
    return nullptr;
}

ULONG VerDdiQueued(PDEVICE_OBJECT Device) {
    DdiExtension* ext = ddi_ext_of(Device);
    ULONG n = 0;
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    for (PLIST_ENTRY e = ext->Queue.Flink; e != &ext->Queue; e = e->Flink) ++n;
    KeReleaseSpinLock(&ext->Lock, irql);
    return n;
}

PIRP VerDdiTakeQueued(PDEVICE_OBJECT Device) {
    DdiExtension* ext = ddi_ext_of(Device);
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    PIRP irp = IsListEmpty(&ext->Queue) ? nullptr
                                        : CONTAINING_RECORD(RemoveHeadList(&ext->Queue), IRP, Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->Lock, irql);
    return irp;
}

}  // namespace ntio::verifier::test
