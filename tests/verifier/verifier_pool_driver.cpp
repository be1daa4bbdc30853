// The VerPool driver (written the way a WDM driver writer writes it, bugs on request) and the
// fixture that loads it under the verifier. Its timer, DPC and MDL buffer live in static storage: a
// test that catches the unload bugcheck lets them run or be cancelled after the driver is gone.
#include <sched.h>

#include <cstring>

#include "verifier_pool_driver.hpp"

namespace ntio::verifier::test {

PoolDriverState g_pool_state;

namespace {

struct UpperExtension {
    PDEVICE_OBJECT Lower;
};

struct LowerExtension {
    KDEVICE_QUEUE Queue;
    PIRP Held;
};

// The read's Parameters.Read.Key for Lower.
constexpr ULONG kLowerTouchAfterComplete = 1;
constexpr ULONG kLowerLegal = 2;

KTIMER g_timer;
KDPC g_timer_dpc;
KDPC g_dpc;
PMDL g_mdl = nullptr;
alignas(4096) UCHAR g_mdl_buffer[4096];

KDPC g_blocker_dpc;
std::atomic<int> g_dpc_blocker{0};     // 1: running and holding processor 0, 2: released
WORK_QUEUE_ITEM g_blocker_item;
std::atomic<int> g_worker_blocker{0};  // the same for one worker thread

// The driver's system thread (kIoctlStartThread): waits until told to stop, then ends.
KEVENT g_thread_stop;
PETHREAD g_thread = nullptr;  // referenced while it may run

VOID NTAPI DriverThread(PVOID) {
    KeWaitForSingleObject(&g_thread_stop, Executive, KernelMode, FALSE, nullptr);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

VOID NTAPI TimerDpc(PKDPC, PVOID, PVOID, PVOID) {}

VOID NTAPI CountingDpc(PKDPC, PVOID, PVOID, PVOID) { g_pool_state.dpc_runs.fetch_add(1); }

VOID NTAPI CountingWorkItem(PDEVICE_OBJECT, PVOID Context) {
    g_pool_state.work_item_runs.fetch_add(1);
    IoFreeWorkItem(static_cast<PIO_WORKITEM>(Context));
}

NTSTATUS NTAPI FreeOnCompletion(PDEVICE_OBJECT, PIRP Irp, PVOID) {
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

NTSTATUS complete(PIRP Irp, NTSTATUS Status) {
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

// A read of the driver's own, freed by its completion routine.
NTSTATUS send_read(PDEVICE_OBJECT Lower, ULONG Key) {
    PIRP irp = IoAllocateIrp(Lower->StackSize, FALSE);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_READ;
    sp->Parameters.Read.Key = Key;
    IoSetCompletionRoutine(irp, FreeOnCompletion, nullptr, TRUE, TRUE, TRUE);
    return IoCallDriver(Lower, irp);
}

NTSTATUS NTAPI UpperControl(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    auto* ext = static_cast<UpperExtension*>(DeviceObject->DeviceExtension);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case kIoctlSendReadTouchAfter:
        status = send_read(ext->Lower, kLowerTouchAfterComplete);
        break;
    case kIoctlSendReadLegal:
        status = send_read(ext->Lower, kLowerLegal);
        break;
    case kIoctlFillCurrentLocation:
    case kIoctlFillNextLocation: {
        PIRP irp = IoAllocateIrp(2, FALSE);
        if (!irp) return complete(Irp, STATUS_INSUFFICIENT_RESOURCES);
        // The bug: a fresh IRP's current location is one past its last; only the next is the
        // driver's to fill.
        PIO_STACK_LOCATION target = sp->Parameters.DeviceIoControl.IoControlCode == kIoctlFillCurrentLocation
                                        ? IoGetCurrentIrpStackLocation(irp)
                                        : IoGetNextIrpStackLocation(irp);
        target->MajorFunction = IRP_MJ_READ;
        target->Parameters.Read.Length = 4;
        IoFreeIrp(irp);
        break;
    }
    case kIoctlTouchSlack: {
        PIRP irp = IoAllocateIrp(1, FALSE);
        if (!irp) return complete(Irp, STATUS_INSUFFICIENT_RESOURCES);
        IoGetCurrentIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;  // the same bug, one byte of it
        IoFreeIrp(irp);
        break;
    }
    case kIoctlArmTimer: {
        LARGE_INTEGER due;
        due.QuadPart = -36000000000LL;  // one hour
        KeSetTimer(&g_timer, due, &g_timer_dpc);
        break;
    }
    case kIoctlQueueDpc:
        KeInsertQueueDpc(&g_dpc, nullptr, nullptr);
        break;
    case kIoctlQueueWorkItem: {
        PIO_WORKITEM item = IoAllocateWorkItem(DeviceObject);
        if (!item) return complete(Irp, STATUS_INSUFFICIENT_RESOURCES);
        // At DISPATCH_LEVEL no worker thread is added for it: it waits behind the busy worker.
        KIRQL irql;
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        IoQueueWorkItem(item, CountingWorkItem, DelayedWorkQueue, item);
        KeLowerIrql(irql);
        break;
    }
    case kIoctlStartThread: {
        HANDLE handle = nullptr;
        KeInitializeEvent(&g_thread_stop, NotificationEvent, FALSE);
        status = PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, DriverThread, nullptr);
        if (NT_SUCCESS(status)) {
            status = ObReferenceObjectByHandle(handle, SYNCHRONIZE, *PsThreadType, KernelMode,
                                               reinterpret_cast<PVOID*>(&g_thread), nullptr);
            ZwClose(handle);
        }
        break;
    }
    case kIoctlLeakMdl:
        g_mdl = IoAllocateMdl(g_mdl_buffer, sizeof g_mdl_buffer, FALSE, FALSE, nullptr);
        status = g_mdl ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
        break;
    case kIoctlFreeMdl:
        if (g_mdl) IoFreeMdl(g_mdl);
        g_mdl = nullptr;
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    return complete(Irp, status);
}

NTSTATUS NTAPI LowerRead(PDEVICE_OBJECT, PIRP Irp) {
    if (IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Key == kLowerTouchAfterComplete) {
        // The bug: the IRP belongs to its completion (which freed it) once IoCompleteRequest is called.
        Irp->IoStatus.Status = STATUS_SUCCESS;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return Irp->IoStatus.Status;
    }
    return complete(Irp, STATUS_SUCCESS);
}

NTSTATUS NTAPI LowerWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    auto* ext = static_cast<LowerExtension*>(DeviceObject->DeviceExtension);
    PKDEVICE_QUEUE_ENTRY entry = &Irp->Tail.Overlay.DeviceQueueEntry;
    IoMarkIrpPending(Irp);
    KIRQL irql;
    switch (IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Key) {
    case kQueueHold: {
        // Device queues are DISPATCH_LEVEL routines (the IrqlDispatch rule).
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        const bool queued = KeInsertDeviceQueue(&ext->Queue, entry);
        KeLowerIrql(irql);
        if (queued) break;  // not idle: stays queued, never expected
        ext->Held = Irp;
        return STATUS_PENDING;
    }
    case kQueueCompleteQueued:
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        if (!KeInsertDeviceQueue(&ext->Queue, entry)) ext->Held = nullptr;
        KeLowerIrql(irql);
        // The bug: the IRP is completed but its entry is still linked in the queue.
        break;
    case kQueueRemoveThenComplete:
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        if (KeInsertDeviceQueue(&ext->Queue, entry)) (void)KeRemoveEntryDeviceQueue(&ext->Queue, entry);
        KeLowerIrql(irql);
        break;
    case kStartIoHold:
        IoStartPacket(DeviceObject, Irp, nullptr, nullptr);
        return STATUS_PENDING;
    case kStartIoCompleteQueued:
        IoStartPacket(DeviceObject, Irp, nullptr, nullptr);
        // The bug: the device was busy, so the packet waits in DeviceObject->DeviceQueue.
        break;
    default:
        break;
    }
    (void)complete(Irp, STATUS_SUCCESS);
    return STATUS_PENDING;
}

// Keeps the packet as the device's current IRP until FinishCurrentPacket.
VOID NTAPI PoolStartIo(PDEVICE_OBJECT, PIRP) {}

VOID NTAPI PoolUnload(PDRIVER_OBJECT DriverObject) {
    if (g_pool_state.cancel_timer_at_unload.load()) KeCancelTimer(&g_timer);
    if (g_pool_state.stop_thread_at_unload.load()) StopDriverThread();
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

VOID NTAPI BlockingDpc(PKDPC, PVOID, PVOID, PVOID) {
    g_dpc_blocker.store(1);
    while (g_dpc_blocker.load() == 1) sched_yield();
}

VOID NTAPI BlockingWorkItem(PVOID) {
    g_worker_blocker.store(1);
    while (g_worker_blocker.load() == 1) sched_yield();
}

}  // namespace

NTSTATUS NTAPI VerPoolDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    UNICODE_STRING upper_name = RTL_CONSTANT_STRING(L"\\Device\\VerPoolUpper");
    UNICODE_STRING lower_name = RTL_CONSTANT_STRING(L"\\Device\\VerPoolLower");
    PDEVICE_OBJECT lower = nullptr;
    NTSTATUS status =
        IoCreateDevice(DriverObject, sizeof(LowerExtension), &lower_name, FILE_DEVICE_UNKNOWN, 0, FALSE, &lower);
    if (!NT_SUCCESS(status)) return status;
    auto* lower_ext = static_cast<LowerExtension*>(lower->DeviceExtension);
    KeInitializeDeviceQueue(&lower_ext->Queue);
    lower_ext->Held = nullptr;
    PDEVICE_OBJECT upper = nullptr;
    status = IoCreateDevice(DriverObject, sizeof(UpperExtension), &upper_name, FILE_DEVICE_UNKNOWN, 0, FALSE, &upper);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(lower);
        return status;
    }
    static_cast<UpperExtension*>(upper->DeviceExtension)->Lower = lower;
    KeInitializeTimer(&g_timer);
    KeInitializeDpc(&g_timer_dpc, TimerDpc, nullptr);
    KeInitializeDpc(&g_dpc, CountingDpc, nullptr);
    KeSetTargetProcessorDpc(&g_dpc, 0);
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = UpperControl;
    DriverObject->MajorFunction[IRP_MJ_READ] = LowerRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = LowerWrite;
    DriverObject->DriverStartIo = PoolStartIo;
    DriverObject->DriverUnload = PoolUnload;
    return STATUS_SUCCESS;
}

void BlockDpcProcessor0() {
    g_dpc_blocker.store(0);
    KeInitializeDpc(&g_blocker_dpc, BlockingDpc, nullptr);
    KeSetTargetProcessorDpc(&g_blocker_dpc, 0);
    KeInsertQueueDpc(&g_blocker_dpc, nullptr, nullptr);
    while (g_dpc_blocker.load() != 1) sched_yield();
}

void ReleaseDpcProcessor0() {
    g_dpc_blocker.store(2);
    KeFlushQueuedDpcs();
}

void BlockWorker() {
    g_worker_blocker.store(0);
    ExInitializeWorkItem(&g_blocker_item, BlockingWorkItem, nullptr);
    ExQueueWorkItem(&g_blocker_item, DelayedWorkQueue);
    while (g_worker_blocker.load() != 1) sched_yield();
}

void ReleaseWorker() { g_worker_blocker.store(2); }

void ReleaseHeldWrite(PDEVICE_OBJECT Lower) {
    auto* ext = static_cast<LowerExtension*>(Lower->DeviceExtension);
    PIRP held = ext->Held;
    ext->Held = nullptr;
    KIRQL irql;
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    (void)KeRemoveDeviceQueue(&ext->Queue);  // empty: the queue goes idle
    KeLowerIrql(irql);
    if (held) (void)complete(held, STATUS_SUCCESS);
}

void FinishCurrentPacket(PDEVICE_OBJECT Lower) {
    KIRQL irql;
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    if (PIRP current = Lower->CurrentIrp) (void)complete(current, STATUS_SUCCESS);
    IoStartNextPacket(Lower, FALSE);
    KeLowerIrql(irql);
}

void FreeLeakedMdl() {
    if (g_mdl) IoFreeMdl(g_mdl);
    g_mdl = nullptr;
}

void StopDriverThread() {
    if (!g_thread) return;
    KeSetEvent(&g_thread_stop, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(g_thread, Executive, KernelMode, FALSE, nullptr);
    ObDereferenceObject(g_thread);
    g_thread = nullptr;
}

void PoolTest::SetUp() {
    VerifiedDriverTest::SetUp();
    g_pool_state.cancel_timer_at_unload.store(false);
    g_pool_state.stop_thread_at_unload.store(false);
    g_pool_state.dpc_runs.store(0);
    g_pool_state.work_item_runs.store(0);
}

void PoolTest::TearDown() {
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
    KeCancelTimer(&g_timer);
    StopDriverThread();
    VerifiedDriverTest::TearDown();
}

PDEVICE_OBJECT PoolTest::upper() const {
    // IoCreateDevice links new devices at the head: Upper was created last.
    return m_driver->DeviceObject;
}

PDEVICE_OBJECT PoolTest::lower() const { return m_driver->DeviceObject->NextDevice; }

PIRP PoolTest::send_write(ULONG mode, NTSTATUS* final_status) {
    PDEVICE_OBJECT device = lower();
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    if (!irp) {
        ADD_FAILURE() << "IoAllocateIrp failed";
        return nullptr;
    }
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_WRITE;
    sp->Parameters.Write.Key = mode;
    *final_status = STATUS_PENDING;
    IoSetCompletionRoutine(irp, keep_status, final_status, TRUE, TRUE, TRUE);
    EXPECT_EQ(IoCallDriver(device, irp), STATUS_PENDING);
    return irp;
}

}  // namespace ntio::verifier::test
