// The FileCancel WDM test driver and its fixture. Every dispatch routine completes, or marks pending
// and parks; parked requests leave through exactly one of the cancel routine, a completing IOCTL or
// IRP_MJ_CLEANUP (NT fact C6). The queue lock nests inside the cancel spin lock.
#include "file_cancel_driver.hpp"

namespace ntio::test::file_cancel {

DriverCounters g_counters;

namespace {

struct DeviceExtension {
    KSPIN_LOCK QueueLock;
    LIST_ENTRY Queue;       // parked with FileCancelRoutine
    LIST_ENTRY PlainQueue;  // parked without a cancel routine
    LIST_ENTRY HeldQueue;   // given to the cancel routine in kCancelHold mode
};

DeviceExtension* ext_of(PDEVICE_OBJECT device) { return static_cast<DeviceExtension*>(device->DeviceExtension); }

VOID CompleteParked(PIRP Irp, NTSTATUS Status) {
    --g_counters.parked;
    if (Status == STATUS_SUCCESS) ++g_counters.completed_success;
    else ++g_counters.completed_cancelled;
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

VOID NTAPI CompleteCancelledWork(PDEVICE_OBJECT DeviceObject, PVOID Context) {
    UNREFERENCED_PARAMETER(DeviceObject);
    PIRP Irp = static_cast<PIRP>(Context);
    if (const LONG ms = g_counters.work_delay_ms.load()) {
        LARGE_INTEGER delay;
        delay.QuadPart = -10000LL * ms;
        (void)KeDelayExecutionThread(KernelMode, FALSE, &delay);
    }
    IoFreeWorkItem(static_cast<PIO_WORKITEM>(Irp->Tail.Overlay.DriverContext[0]));
    CompleteParked(Irp, STATUS_CANCELLED);
    --g_counters.pending_work;
}

}  // namespace

// Called with the cancel spin lock held; unlinks the request and finishes it as the mode says.
VOID NTAPI FileCancelRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    ++g_counters.cancel_routine_calls;
    g_counters.last_cancelled = Irp;
    if (!DeviceObject) {
        ++g_counters.cancel_device_null;
        DeviceObject = IoGetCurrentIrpStackLocation(Irp)->DeviceObject;
    }
    DeviceExtension* ext = ext_of(DeviceObject);
    KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    const LONG mode = g_counters.cancel_mode.load();
    if (mode == kCancelHold || mode == kCancelHoldKeepingLock) InsertTailList(&ext->HeldQueue, &Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
    if (mode == kCancelHoldKeepingLock) return;  // the bug: the cancel spin lock is still held
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    if (mode == kCancelHold) return;
    if (mode == kCancelWorkItem) {
        PIO_WORKITEM item = IoAllocateWorkItem(DeviceObject);
        if (item) {
            ++g_counters.pending_work;
            Irp->Tail.Overlay.DriverContext[0] = item;
            IoQueueWorkItem(item, CompleteCancelledWork, DelayedWorkQueue, Irp);
            return;
        }
    }
    CompleteParked(Irp, STATUS_CANCELLED);
}

namespace {

// The classic WDM park (NT fact C7): look at Cancel and set the routine under the cancel spin lock,
// so a cancel either finds the routine or this dispatch sees Cancel.
NTSTATUS Park(PDEVICE_OBJECT DeviceObject, PIRP Irp, BOOLEAN Cancelable) {
    DeviceExtension* ext = ext_of(DeviceObject);
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(irql);
        ++g_counters.cancel_routine_calls;
        ++g_counters.completed_cancelled;
        Irp->IoStatus.Status = STATUS_CANCELLED;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    IoMarkIrpPending(Irp);
    ++g_counters.parked;
    KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    InsertTailList(Cancelable ? &ext->Queue : &ext->PlainQueue, &Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
    if (Cancelable) (void)IoSetCancelRoutine(Irp, FileCancelRoutine);
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}

// The oldest request whose cancel routine this driver wins back, unlinked; NULL when none.
PIRP TakeOldest(DeviceExtension* ext) {
    PIRP found = NULL;
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    for (PLIST_ENTRY e = ext->Queue.Flink; e != &ext->Queue; e = e->Flink) {
        PIRP Irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(Irp, NULL) != NULL) {  // else its cancel routine owns it
            RemoveEntryList(e);
            found = Irp;
            break;
        }
    }
    KeReleaseSpinLock(&ext->QueueLock, irql);
    return found;
}

// Moves every entry of `from` for `file` (all when NULL) to `to`. Queue lock held.
VOID TakeAll(LIST_ENTRY* from, LIST_ENTRY* to, PFILE_OBJECT file, BOOLEAN Cancelable) {
    PLIST_ENTRY e = from->Flink;
    while (e != from) {
        PLIST_ENTRY next = e->Flink;
        PIRP Irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if ((!file || IoGetCurrentIrpStackLocation(Irp)->FileObject == file) &&
            (!Cancelable || IoSetCancelRoutine(Irp, NULL) != NULL)) {
            RemoveEntryList(e);
            InsertTailList(to, e);
        }
        e = next;
    }
}

VOID CompleteList(LIST_ENTRY* list, NTSTATUS Status) {
    while (!IsListEmpty(list)) {
        PLIST_ENTRY e = RemoveHeadList(list);
        CompleteParked(CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry), Status);
    }
}

NTSTATUS CompleteNow(PIRP Irp, NTSTATUS Status, ULONG_PTR Information) {
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

NTSTATUS ReplyUlong(PIRP Irp, ULONG Value) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    if (sp->Parameters.DeviceIoControl.OutputBufferLength < sizeof(ULONG))
        return CompleteNow(Irp, STATUS_BUFFER_TOO_SMALL, 0);
    *static_cast<ULONG*>(Irp->AssociatedIrp.SystemBuffer) = Value;
    return CompleteNow(Irp, STATUS_SUCCESS, sizeof(ULONG));
}

NTSTATUS NTAPI DispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    return CompleteNow(Irp, STATUS_SUCCESS, 0);
}

// NT fact C6: the last handle to a file object is gone; its parked requests end here.
NTSTATUS NTAPI DispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    DeviceExtension* ext = ext_of(DeviceObject);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    LIST_ENTRY victims;
    InitializeListHead(&victims);
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    TakeAll(&ext->Queue, &victims, file, TRUE);
    TakeAll(&ext->PlainQueue, &victims, file, FALSE);
    TakeAll(&ext->HeldQueue, &victims, file, FALSE);
    KeReleaseSpinLock(&ext->QueueLock, irql);
    CompleteList(&victims, STATUS_CANCELLED);
    return CompleteNow(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS NTAPI DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) { return Park(DeviceObject, Irp, TRUE); }

NTSTATUS NTAPI DispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    DeviceExtension* ext = ext_of(DeviceObject);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case kIoctlPark:
        return Park(DeviceObject, Irp, TRUE);
    case kIoctlParkPlain:
        return Park(DeviceObject, Irp, FALSE);
    case kIoctlCancelCount:
        return ReplyUlong(Irp, static_cast<ULONG>(g_counters.cancel_routine_calls.load()));
    case kIoctlCompleteOne: {
        PIRP parked = TakeOldest(ext);
        if (parked) CompleteParked(parked, STATUS_SUCCESS);
        return ReplyUlong(Irp, parked ? 1 : 0);
    }
    case kIoctlFlushPlain: {
        // Requests without a cancel routine learn of a cancel from Irp->Cancel, read under the
        // cancel spin lock (where IoCancelIrp writes it).
        LIST_ENTRY victims;
        InitializeListHead(&victims);
        KIRQL irql;
        KeAcquireSpinLock(&ext->QueueLock, &irql);
        TakeAll(&ext->PlainQueue, &victims, NULL, FALSE);
        KeReleaseSpinLock(&ext->QueueLock, irql);
        ULONG n = 0;
        while (!IsListEmpty(&victims)) {
            PIRP parked = CONTAINING_RECORD(RemoveHeadList(&victims), IRP, Tail.Overlay.ListEntry);
            IoAcquireCancelSpinLock(&irql);
            const BOOLEAN cancelled = parked->Cancel;
            IoReleaseCancelSpinLock(irql);
            CompleteParked(parked, cancelled ? STATUS_CANCELLED : STATUS_SUCCESS);
            ++n;
        }
        return ReplyUlong(Irp, n);
    }
    case kIoctlReleaseHeld: {
        LIST_ENTRY victims;
        InitializeListHead(&victims);
        KIRQL irql;
        KeAcquireSpinLock(&ext->QueueLock, &irql);
        TakeAll(&ext->HeldQueue, &victims, NULL, FALSE);
        KeReleaseSpinLock(&ext->QueueLock, irql);
        ULONG n = 0;
        for (PLIST_ENTRY e = victims.Flink; e != &victims; e = e->Flink) ++n;
        CompleteList(&victims, STATUS_CANCELLED);
        return ReplyUlong(Irp, n);
    }
    default:
        return CompleteNow(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

VOID NTAPI FileCancelUnload(PDRIVER_OBJECT DriverObject) {
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\??\\FileCancel");
    (void)IoDeleteSymbolicLink(&link);
    if (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

}  // namespace

NTSTATUS NTAPI file_cancel_driver_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\FileCancel");
    PDEVICE_OBJECT device = NULL;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(DeviceExtension), &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    DeviceExtension* ext = ext_of(device);
    KeInitializeSpinLock(&ext->QueueLock);
    InitializeListHead(&ext->Queue);
    InitializeListHead(&ext->PlainQueue);
    InitializeListHead(&ext->HeldQueue);
    device->Flags |= DO_BUFFERED_IO;
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\??\\FileCancel");
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = DispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = DispatchCleanup;
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchRead;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchDeviceControl;
    DriverObject->DriverUnload = FileCancelUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

// ---- Fixture ----

void FileCancelTest::SetUp() {
    SystemTest::SetUp();
    g_counters.reset();
    ASSERT_EQ(create_driver(L"FileCancel", file_cancel_driver_entry), STATUS_SUCCESS);
}

void FileCancelTest::TearDown() {
    LARGE_INTEGER step;
    step.QuadPart = -10 * 1000;  // 1 ms
    for (int i = 0; i < 20000 && g_counters.pending_work.load() != 0; ++i) (void)NtDelayExecution(FALSE, &step);
    EXPECT_EQ(g_counters.pending_work.load(), 0) << "work items still queued";
    unload_driver();
    EXPECT_EQ(g_counters.parked.load(), 0) << "requests left parked by the test";
    DriverTest::TearDown();
}

HANDLE FileCancelTest::open_device(bool synchronous) {
    UNICODE_STRING text;
    RtlInitUnicodeString(&text, L"\\??\\FileCancel");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &text, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    HANDLE handle = nullptr;
    EXPECT_EQ(NtCreateFile(&handle, FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                           FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                           synchronous ? FILE_SYNCHRONOUS_IO_NONALERT : 0, nullptr, 0),
              STATUS_SUCCESS);
    return handle;
}

bool FileCancelTest::wait_parked(LONG count) {
    LARGE_INTEGER step;
    step.QuadPart = -10 * 1000;  // 1 ms
    for (int i = 0; i < 20000; ++i) {
        if (g_counters.parked.load() == count) return true;
        (void)NtDelayExecution(FALSE, &step);
    }
    return false;
}

ULONG FileCancelTest::cancel_count(HANDLE file) {
    ULONG count = 0xFFFFFFFF;
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtDeviceIoControlFile(file, nullptr, nullptr, nullptr, &iosb, kIoctlCancelCount, nullptr, 0, &count,
                                    sizeof(count)),
              STATUS_SUCCESS);
    return count;
}

bool FileCancelTest::complete_one(HANDLE file) {
    ULONG done = 0;
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtDeviceIoControlFile(file, nullptr, nullptr, nullptr, &iosb, kIoctlCompleteOne, nullptr, 0, &done,
                                    sizeof(done)),
              STATUS_SUCCESS);
    return done != 0;
}

}  // namespace ntio::test::file_cancel
