// The CancelTest driver (written as a WDM driver would be) and the fixture that loads it.
#include "cancel_test_driver.hpp"

#include "ob/object_manager.hpp"

namespace ntio::io::test {

std::function<void(PIRP)> g_between_set_and_check;

namespace {

// ---- Cancel routines ----

void record_cancel_entry(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    DeviceExtension* ext = ext_of(DeviceObject ? DeviceObject : IoGetCurrentIrpStackLocation(Irp)->DeviceObject);
    InterlockedIncrement(&ext->CancelRoutineCalls);
    ext->CancelSawCancelFlag = Irp->Cancel;
    // Interlocked read: the driver's own IoSetCancelRoutine(NULL) on another CPU may be racing it.
    ext->CancelSawNullRoutine =
        InterlockedCompareExchangePointer((PVOID volatile*)&Irp->CancelRoutine, NULL, NULL) == NULL;
    ext->CancelIrqlInRoutine = KeGetCurrentIrql();
    ext->CancelDeviceArg = DeviceObject;
}

// kParkCancelable: release the cancel spin lock first, then unlink under the queue lock.
VOID NTAPI ListCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    record_cancel_entry(DeviceObject, Irp);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    DeviceExtension* ext = ext_of(DeviceObject);
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->QueueLock, irql);
    DriverCompleteRead(Irp, STATUS_CANCELLED, 0);
}

// kParkTimer (S19): unlink, stop the timer, complete cancelled.
VOID NTAPI TimerCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    record_cancel_entry(DeviceObject, Irp);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    DeviceExtension* ext = ext_of(DeviceObject);
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->QueueLock, irql);
    KeCancelTimer(&ext->Timer);
    DriverCompleteRead(Irp, STATUS_CANCELLED, 0);
}

// kParkStartIo: the classic StartIo cancel routine. The current packet belongs to StartIo (it
// completes it when it sees Cancel); a queued one is pulled from the device queue.
VOID NTAPI StartIoCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    record_cancel_entry(DeviceObject, Irp);
    if (Irp == DeviceObject->CurrentIrp) {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        DriverCompleteRead(Irp, STATUS_CANCELLED, 0);
        IoStartNextPacket(DeviceObject, TRUE);
        return;
    }
    (void)KeRemoveEntryDeviceQueue(&DeviceObject->DeviceQueue, &Irp->Tail.Overlay.DeviceQueueEntry);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    DriverCompleteRead(Irp, STATUS_CANCELLED, 0);
}

VOID NTAPI TestStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    DeviceExtension* ext = ext_of(DeviceObject);
    LONG n = ext->StartIoCount++;
    if (n < 32) ext->StartIoOrder[n] = Irp;
    ext->StartIoIrql = KeGetCurrentIrql();
    if (!ext->CompleteInStartIo) return;  // the device "starts"; DriverCompleteCurrentStartIo is the interrupt
    if (++ext->StartIoDepth > ext->StartIoMaxDepth) ext->StartIoMaxDepth = ext->StartIoDepth;
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    BOOLEAN mine = IoSetCancelRoutine(Irp, NULL) != NULL;
    IoReleaseCancelSpinLock(irql);
    if (mine) DriverCompleteRead(Irp, STATUS_SUCCESS, 0);
    IoStartNextPacket(DeviceObject, TRUE);
    --ext->StartIoDepth;
}

// ---- Cancel-safe queue callbacks (S12) ----

DeviceExtension* csq_ext(PIO_CSQ Csq) { return CONTAINING_RECORD(Csq, DeviceExtension, Csq); }

VOID NTAPI CsqInsert(PIO_CSQ Csq, PIRP Irp) {
    DeviceExtension* ext = csq_ext(Csq);
    InterlockedIncrement(&ext->CsqInsertCalls);
    InsertTailList(&ext->CsqQueue, &Irp->Tail.Overlay.ListEntry);
}

// S13: with no request in progress the IRP becomes the current one instead of being queued.
NTSTATUS NTAPI CsqInsertEx(PIO_CSQ Csq, PIRP Irp, PVOID InsertContext) {
    DeviceExtension* ext = csq_ext(Csq);
    InterlockedIncrement(&ext->CsqInsertCalls);
    if (ext->CurrentRequest == NULL) return STATUS_UNSUCCESSFUL;
    InsertTailList(&ext->CsqQueue, &Irp->Tail.Overlay.ListEntry);
    return STATUS_SUCCESS;
}

VOID NTAPI CsqRemove(PIO_CSQ Csq, PIRP Irp) { RemoveEntryList(&Irp->Tail.Overlay.ListEntry); }

// PeekContext is a FILE_OBJECT filter; NULL matches any file.
PIRP NTAPI CsqPeekNext(PIO_CSQ Csq, PIRP Irp, PVOID PeekContext) {
    DeviceExtension* ext = csq_ext(Csq);
    PLIST_ENTRY head = &ext->CsqQueue;
    PLIST_ENTRY next = Irp ? Irp->Tail.Overlay.ListEntry.Flink : head->Flink;
    for (; next != head; next = next->Flink) {
        PIRP candidate = CONTAINING_RECORD(next, IRP, Tail.Overlay.ListEntry);
        if (!PeekContext || IoGetCurrentIrpStackLocation(candidate)->FileObject == PeekContext) return candidate;
    }
    return NULL;
}

VOID NTAPI CsqAcquire(PIO_CSQ Csq, PKIRQL Irql) { KeAcquireSpinLock(&csq_ext(Csq)->CsqLock, Irql); }
VOID NTAPI CsqRelease(PIO_CSQ Csq, KIRQL Irql) { KeReleaseSpinLock(&csq_ext(Csq)->CsqLock, Irql); }

VOID NTAPI CsqCompleteCanceled(PIO_CSQ Csq, PIRP Irp) {
    InterlockedIncrement(&csq_ext(Csq)->CsqCanceledCompletions);
    DriverCompleteRead(Irp, STATUS_CANCELLED, 0);
}

// ---- Timer DPC (S19) ----

VOID NTAPI TimerDpcRoutine(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2) {
    PDEVICE_OBJECT device = static_cast<PDEVICE_OBJECT>(Context);
    DeviceExtension* ext = ext_of(device);
    KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    PIRP irp = NULL;
    for (PLIST_ENTRY e = ext->Queue.Flink; e != &ext->Queue; e = e->Flink) {
        PIRP candidate = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(candidate, NULL) != NULL) {  // won against the cancel routine
            RemoveEntryList(e);
            irp = candidate;
            break;
        }
    }
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
    if (irp) DriverCompleteRead(irp, STATUS_SUCCESS, 0);
}

// ---- S12 worker thread ----

VOID NTAPI WorkerThread(PVOID Context) {
    PDEVICE_OBJECT device = static_cast<PDEVICE_OBJECT>(Context);
    DeviceExtension* ext = ext_of(device);
    for (;;) {
        KeWaitForSingleObject(&ext->WorkSemaphore, Executive, KernelMode, FALSE, NULL);
        if (ext->StopWorker) break;
        PIRP irp = IoCsqRemoveNextIrp(&ext->Csq, NULL);
        if (!irp) {
            // The request was cancelled before the worker got to it; nothing to do this time.
            InterlockedIncrement(&ext->WorkerRetries);
            continue;
        }
        LARGE_INTEGER delay;
        delay.QuadPart = -10000;  // 1 ms of "device time"
        KeDelayExecutionThread(KernelMode, FALSE, &delay);
        DriverCompleteRead(irp, STATUS_SUCCESS, 4);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

// ---- Dispatch ----

NTSTATUS park_list(PDEVICE_OBJECT DeviceObject, PIRP Irp, PDRIVER_CANCEL Routine) {
    DeviceExtension* ext = ext_of(DeviceObject);
    KIRQL irql;
    IoMarkIrpPending(Irp);
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->QueueLock, irql);
    if (!Routine) return STATUS_PENDING;
    (void)IoSetCancelRoutine(Irp, Routine);
    if (g_between_set_and_check) g_between_set_and_check(Irp);
    // NT fact C7: a cancel that came first found no routine; if we take the routine back, we own the
    // cancel. If IoCancelIrp took it, the cancel routine unlinks and completes: hands off.
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        KeAcquireSpinLock(&ext->QueueLock, &irql);
        RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
        KeReleaseSpinLock(&ext->QueueLock, irql);
        DriverCompleteRead(Irp, STATUS_CANCELLED, 0);
    }
    return STATUS_PENDING;  // marked pending above (B8 allows completing it meanwhile)
}

NTSTATUS NTAPI DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    DeviceExtension* ext = ext_of(DeviceObject);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    switch (sp->Parameters.Read.Key) {
    case kParkPlain:
        return park_list(DeviceObject, Irp, NULL);
    case kParkCancelable:
        return park_list(DeviceObject, Irp, ListCancel);
    case kParkTimer: {
        NTSTATUS status = park_list(DeviceObject, Irp, TimerCancel);
        LARGE_INTEGER due;
        due.QuadPart = -20 * 10000;  // 20 ms
        KeSetTimer(&ext->Timer, due, &ext->TimerDpc);
        return status;
    }
    case kParkCsq:
        // S12: insert inside a critical region, return STATUS_PENDING without IoMarkIrpPending (B9).
        KeEnterCriticalRegion();
        IoCsqInsertIrp(&ext->Csq, Irp, NULL);
        KeLeaveCriticalRegion();
        if (ext->Worker) KeReleaseSemaphore(&ext->WorkSemaphore, 0, 1, FALSE);
        return STATUS_PENDING;
    case kParkCsqContext:
        IoCsqInsertIrp(&ext->Csq, Irp, &ext->Context);
        return STATUS_PENDING;
    case kParkCsqEx: {
        NTSTATUS status = IoCsqInsertIrpEx(&ext->Csq, Irp, NULL, NULL);
        if (!NT_SUCCESS(status)) {
            // S13: not queued, no cancel routine: it becomes the request in progress.
            IoMarkIrpPending(Irp);  // a second mark (B9): harmless
            ext->CurrentRequest = Irp;
        }
        return STATUS_PENDING;
    }
    case kParkStartIo:
        IoMarkIrpPending(Irp);
        IoStartPacket(DeviceObject, Irp, sp->Parameters.Read.ByteOffset.LowPart ? &sp->Parameters.Read.ByteOffset.LowPart : NULL,
                      StartIoCancel);
        return STATUS_PENDING;
    default:
        Irp->IoStatus.Status = STATUS_INVALID_PARAMETER;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INVALID_PARAMETER;
    }
}

VOID NTAPI CancelTestUnload(PDRIVER_OBJECT DriverObject) {
    PDEVICE_OBJECT device = DriverObject->DeviceObject;
    DeviceExtension* ext = ext_of(device);
    if (ext->Worker) {
        // S16: stop flag, wake it, wait for the thread object, drop the reference.
        InterlockedExchange(&ext->StopWorker, 1);
        KeReleaseSemaphore(&ext->WorkSemaphore, 0, 1, TRUE);
        KeWaitForSingleObject(ext->Worker, Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(ext->Worker);
    }
    KeCancelTimer(&ext->Timer);
    IoDeleteDevice(device);
}

NTSTATUS create_device(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT* out) {
    PDEVICE_OBJECT device;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(DeviceExtension), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    DeviceExtension* ext = ext_of(device);
    RtlZeroMemory(ext, sizeof(*ext));
    KeInitializeSpinLock(&ext->QueueLock);
    InitializeListHead(&ext->Queue);
    KeInitializeSpinLock(&ext->CsqLock);
    InitializeListHead(&ext->CsqQueue);
    KeInitializeTimer(&ext->Timer);
    KeInitializeDpc(&ext->TimerDpc, TimerDpcRoutine, device);
    KeInitializeSemaphore(&ext->WorkSemaphore, 0, MAXLONG);
    device->Flags |= DO_BUFFERED_IO;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    *out = device;
    return STATUS_SUCCESS;
}

void set_dispatch(PDRIVER_OBJECT DriverObject) {
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchRead;
    DriverObject->DriverStartIo = TestStartIo;
    DriverObject->DriverUnload = CancelTestUnload;
}

}  // namespace

NTSTATUS NTAPI CancelTestDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    set_dispatch(DriverObject);
    PDEVICE_OBJECT device;
    NTSTATUS status = create_device(DriverObject, &device);
    if (!NT_SUCCESS(status)) return status;
    IoCsqInitialize(&ext_of(device)->Csq, CsqInsert, CsqRemove, CsqPeekNext, CsqAcquire, CsqRelease,
                    CsqCompleteCanceled);
    return STATUS_SUCCESS;
}

// Same driver, but its queue is the S13 IoCsqInitializeEx flavour.
NTSTATUS NTAPI CancelTestExDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    set_dispatch(DriverObject);
    PDEVICE_OBJECT device;
    NTSTATUS status = create_device(DriverObject, &device);
    if (!NT_SUCCESS(status)) return status;
    IoCsqInitializeEx(&ext_of(device)->Csq, CsqInsertEx, CsqRemove, CsqPeekNext, CsqAcquire, CsqRelease,
                      CsqCompleteCanceled);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI CancelTestWorkerDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    NTSTATUS status = CancelTestDriverEntry(DriverObject, RegistryPath);
    if (!NT_SUCCESS(status)) return status;
    PDEVICE_OBJECT device = DriverObject->DeviceObject;
    DeviceExtension* ext = ext_of(device);
    HANDLE thread;
    status = PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, WorkerThread, device);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    status = ObReferenceObjectByHandle(thread, THREAD_ALL_ACCESS, NULL, KernelMode,
                                       reinterpret_cast<PVOID*>(&ext->Worker), NULL);
    ZwClose(thread);
    return status;
}

// ---- Hardware side ----

PIRP DriverTakeParked(PDEVICE_OBJECT Device) {
    DeviceExtension* ext = ext_of(Device);
    KIRQL irql;
    PIRP irp = NULL;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    for (PLIST_ENTRY e = ext->Queue.Flink; e != &ext->Queue; e = e->Flink) {
        PIRP candidate = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        // A plain park has no routine to take back; a cancelable one is ours only if we take it.
        if (IoGetCurrentIrpStackLocation(candidate)->Parameters.Read.Key == kParkPlain ||
            IoSetCancelRoutine(candidate, NULL) != NULL) {
            RemoveEntryList(e);
            irp = candidate;
            break;
        }
    }
    KeReleaseSpinLock(&ext->QueueLock, irql);
    return irp;
}

void DriverCompleteRead(PIRP Irp, NTSTATUS Status, ULONG_PTR Information) {
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

void DriverCompleteCurrentStartIo(PDEVICE_OBJECT Device, NTSTATUS Status) {
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    PIRP irp = Device->CurrentIrp;
    if (irp && IoSetCancelRoutine(irp, NULL) == NULL) irp = NULL;  // its cancel routine finishes it
    IoReleaseCancelSpinLock(irql);
    if (!irp) return;
    DriverCompleteRead(irp, Status, 0);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    IoStartNextPacket(Device, TRUE);
    KeLowerIrql(old);
}

// ---- Fixture ----

namespace {
NTSTATUS NTAPI RecordCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
    auto* outcome = static_cast<Outcome*>(Context);
    outcome->status.store(Irp->IoStatus.Status);
    outcome->information.store(Irp->IoStatus.Information);
    outcome->pending_returned.store(Irp->PendingReturned != FALSE);
    outcome->completions.fetch_add(1);
    return STATUS_MORE_PROCESSING_REQUIRED;
}
}  // namespace

void CancelTest::SetUp() {
    SystemTest::SetUp();
    g_between_set_and_check = nullptr;
}

void CancelTest::TearDown() {
    unload_driver();
    g_between_set_and_check = nullptr;
    DriverTest::TearDown();
}

void CancelTest::load(PDRIVER_INITIALIZE entry, const wchar_t* name) {
    ASSERT_EQ(create_driver(name, entry), STATUS_SUCCESS);
    ASSERT_NE(m_driver->DeviceObject, nullptr);
}

std::size_t CancelTest::object_count() { return system().objects().object_count(); }

void CancelTest::settle_objects(std::size_t expected) {
    for (int i = 0; i < 20000 && object_count() != expected; ++i) {
        LARGE_INTEGER ms;
        ms.QuadPart = -10000;
        KeDelayExecutionThread(KernelMode, FALSE, &ms);
    }
    EXPECT_EQ(object_count(), expected);
}

PIRP CancelTest::make_read(ParkMode mode, Outcome& outcome, PFILE_OBJECT file) {
    PIRP irp = IoAllocateIrp(device()->StackSize, FALSE);
    EXPECT_NE(irp, nullptr);
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_READ;
    sp->Parameters.Read.Length = 4;
    sp->Parameters.Read.Key = mode;
    sp->FileObject = file;
    IoSetCompletionRoutine(irp, RecordCompletion, &outcome, TRUE, TRUE, TRUE);
    return irp;
}

}  // namespace ntio::io::test
