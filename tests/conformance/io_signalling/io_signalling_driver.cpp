// The IoSignal WDM test driver, written the way a WDK driver writer writes one: a per-file-object
// context with a remove lock taken around every dispatch (NT fact S11), requests parked with a cancel
// routine set under the cancel spin lock (C7), timer requests completed by a DPC or by their cancel
// routine (S19) and CLEANUP draining what the closing file object left queued (C6, S20).
#include "io_signalling_driver.hpp"

namespace ntio::test::io_signalling {

DriverState g_state;

void DriverState::reset() {
    park_reads = false;
    reads_by_work_item = false;
    parked = 0;
    cancel_routine_calls = 0;
    dispatches = 0;
    live_contexts = 0;
    fs_context_not_null = 0;
    holding = 0;
    cleanup_waiting = 0;
    cleanup_saw_holders = 0;
    timers_pending = 0;
    timer_dpc_completions = 0;
    timer_cleanup_cancels = 0;
    unload_found_queued = 0;
    unloaded = 0;
    work_items = 0;
}

namespace {

constexpr ULONG kTag = 'gSoI';
const char kFileData[kFileSize + 1] = "0123456789";

// FileObject->FsContext: allocated at IRP_MJ_CREATE, freed at IRP_MJ_CLOSE.
struct FileContext {
    IO_REMOVE_LOCK RemoveLock;
    LONG Requests;
};

// One timer-driven request (NT fact S19): owned by whoever unlinks it under QueueLock.
struct TimerRecord {
    LIST_ENTRY Link;
    KTIMER Timer;
    KDPC Dpc;
    PIRP Irp;
    PFILE_OBJECT FileObject;
    PKEVENT Event;
    BOOLEAN TimerDone;      // the DPC ran and left the request to the cancel routine
    BOOLEAN CancelDeferred; // the cancel routine ran and left the request to the DPC
};

struct DeviceExtension {
    KSPIN_LOCK QueueLock;
    LIST_ENTRY Parked;  // IRPs through Tail.Overlay.ListEntry
    LIST_ENTRY Timers;  // TimerRecord.Link
    BOOLEAN Removed;
};

PDEVICE_OBJECT g_device;
KEVENT g_release_held;

DeviceExtension* ext_of(PDEVICE_OBJECT device) { return static_cast<DeviceExtension*>(device->DeviceExtension); }

NTSTATUS CompleteNow(PIRP Irp, NTSTATUS Status, ULONG_PTR Information) {
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

VOID CompleteParked(PIRP Irp, NTSTATUS Status, ULONG_PTR Information) {
    --g_state.parked;
    (void)CompleteNow(Irp, Status, Information);
}

VOID NTAPI ParkedCancelRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    ++g_state.cancel_routine_calls;
    DeviceExtension* ext = ext_of(DeviceObject);
    KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    CompleteParked(Irp, STATUS_CANCELLED, 0);
}

NTSTATUS Park(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    DeviceExtension* ext = ext_of(DeviceObject);
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(irql);
        return CompleteNow(Irp, STATUS_CANCELLED, 0);
    }
    IoMarkIrpPending(Irp);
    ++g_state.parked;
    KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    InsertTailList(&ext->Parked, &Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
    (void)IoSetCancelRoutine(Irp, ParkedCancelRoutine);
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}

// Unlinks the parked requests of `file` (all when NULL) whose cancel routine this driver wins back.
VOID TakeParked(DeviceExtension* ext, PFILE_OBJECT file, LIST_ENTRY* to, BOOLEAN OnlyOldest) {
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    for (PLIST_ENTRY e = ext->Parked.Flink; e != &ext->Parked;) {
        PLIST_ENTRY next = e->Flink;
        PIRP Irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if ((!file || IoGetCurrentIrpStackLocation(Irp)->FileObject == file) && IoSetCancelRoutine(Irp, NULL)) {
            RemoveEntryList(e);
            InsertTailList(to, e);
            if (OnlyOldest) break;
        }
        e = next;
    }
    KeReleaseSpinLock(&ext->QueueLock, irql);
}

ULONG CompleteList(LIST_ENTRY* list, NTSTATUS Status, ULONG_PTR Information) {
    ULONG n = 0;
    while (!IsListEmpty(list)) {
        CompleteParked(CONTAINING_RECORD(RemoveHeadList(list), IRP, Tail.Overlay.ListEntry), Status, Information);
        ++n;
    }
    return n;
}

VOID NTAPI CompleteReadWork(PDEVICE_OBJECT DeviceObject, PVOID Context) {
    UNREFERENCED_PARAMETER(DeviceObject);
    PIRP Irp = static_cast<PIRP>(Context);
    IoFreeWorkItem(static_cast<PIO_WORKITEM>(Irp->Tail.Overlay.DriverContext[0]));
    const ULONG length = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
    const ULONG n = length < 4 ? length : 4;
    RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, "wxyz", n);
    (void)CompleteNow(Irp, STATUS_SUCCESS, n);
    --g_state.work_items;
}

// ---- Timer-driven requests (NT facts S17-S20) ----

VOID FreeTimerRecord(TimerRecord* record) {
    ObDereferenceObject(record->Event);
    ExFreePoolWithTag(record, kTag);
    --g_state.timers_pending;
}

VOID NTAPI TimerDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2) {
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    TimerRecord* record = static_cast<TimerRecord*>(DeferredContext);
    DeviceExtension* ext = ext_of(g_device);
    NTSTATUS status = STATUS_PENDING;
    KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    if (IoSetCancelRoutine(record->Irp, NULL)) {
        status = STATUS_SUCCESS;
    } else if (record->CancelDeferred) {
        status = STATUS_CANCELLED;
    } else {
        record->TimerDone = TRUE;  // the cancel routine, waiting for the lock, finishes it
    }
    if (status != STATUS_PENDING) RemoveEntryList(&record->Link);
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
    if (status == STATUS_PENDING) return;
    PIRP Irp = record->Irp;
    if (status == STATUS_SUCCESS) {
        (void)KeSetEvent(record->Event, IO_NO_INCREMENT, FALSE);
        ++g_state.timer_dpc_completions;
    }
    FreeTimerRecord(record);
    (void)CompleteNow(Irp, status, 0);
}

TimerRecord* FindTimerRecord(DeviceExtension* ext, PIRP Irp) {
    for (PLIST_ENTRY e = ext->Timers.Flink; e != &ext->Timers; e = e->Flink) {
        TimerRecord* record = CONTAINING_RECORD(e, TimerRecord, Link);
        if (record->Irp == Irp) return record;
    }
    return NULL;
}

VOID NTAPI TimerCancelRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    ++g_state.cancel_routine_calls;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    DeviceExtension* ext = ext_of(DeviceObject);
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    TimerRecord* record = FindTimerRecord(ext, Irp);
    BOOLEAN mine = FALSE;
    if (record) {
        mine = record->TimerDone || KeCancelTimer(&record->Timer);
        if (mine) RemoveEntryList(&record->Link);
        else record->CancelDeferred = TRUE;  // the DPC is on its way and finishes it
    }
    KeReleaseSpinLock(&ext->QueueLock, irql);
    if (!mine) return;
    FreeTimerRecord(record);
    (void)CompleteNow(Irp, STATUS_CANCELLED, 0);
}

NTSTATUS StartTimer(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    if (sp->Parameters.DeviceIoControl.InputBufferLength < sizeof(TimerRequest))
        return CompleteNow(Irp, STATUS_INVALID_PARAMETER, 0);
    const TimerRequest request = *static_cast<TimerRequest*>(Irp->AssociatedIrp.SystemBuffer);
    PVOID event = NULL;
    NTSTATUS status = ObReferenceObjectByHandle(request.Event, SYNCHRONIZE | EVENT_MODIFY_STATE, *ExEventObjectType,
                                                Irp->RequestorMode, &event, NULL);
    if (!NT_SUCCESS(status)) return CompleteNow(Irp, status, 0);
    auto* record = static_cast<TimerRecord*>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(TimerRecord), kTag));
    if (!record) {
        ObDereferenceObject(event);
        return CompleteNow(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    RtlZeroMemory(record, sizeof(*record));
    record->Irp = Irp;
    record->FileObject = sp->FileObject;
    record->Event = static_cast<PKEVENT>(event);
    KeInitializeTimer(&record->Timer);
    KeInitializeDpc(&record->Dpc, TimerDpc, record);
    ++g_state.timers_pending;

    DeviceExtension* ext = ext_of(DeviceObject);
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(irql);
        FreeTimerRecord(record);
        return CompleteNow(Irp, STATUS_CANCELLED, 0);
    }
    IoMarkIrpPending(Irp);
    KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    InsertTailList(&ext->Timers, &record->Link);
    (void)KeSetTimer(&record->Timer, request.DueTime, &record->Dpc);
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
    (void)IoSetCancelRoutine(Irp, TimerCancelRoutine);
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}

// NT fact S20: the timer requests of `file` whose timer can still be cancelled end as cancelled.
VOID CancelFileTimers(DeviceExtension* ext, PFILE_OBJECT file) {
    LIST_ENTRY victims;
    InitializeListHead(&victims);
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    for (PLIST_ENTRY e = ext->Timers.Flink; e != &ext->Timers;) {
        PLIST_ENTRY next = e->Flink;
        TimerRecord* record = CONTAINING_RECORD(e, TimerRecord, Link);
        if (record->FileObject == file && KeCancelTimer(&record->Timer)) {
            if (IoSetCancelRoutine(record->Irp, NULL)) {
                RemoveEntryList(e);
                InsertTailList(&victims, e);
            } else {
                record->TimerDone = TRUE;  // a cancel routine is waiting for the lock
            }
        }
        e = next;
    }
    KeReleaseSpinLock(&ext->QueueLock, irql);
    while (!IsListEmpty(&victims)) {
        TimerRecord* record = CONTAINING_RECORD(RemoveHeadList(&victims), TimerRecord, Link);
        PIRP Irp = record->Irp;
        FreeTimerRecord(record);
        ++g_state.timer_cleanup_cancels;
        (void)CompleteNow(Irp, STATUS_CANCELLED, 0);
    }
}

// ---- Dispatch routines ----

NTSTATUS NTAPI DispatchCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    if (file->FsContext) ++g_state.fs_context_not_null;  // NT fact K3
    auto* context = static_cast<FileContext*>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(FileContext), kTag));
    if (!context) return CompleteNow(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    IoInitializeRemoveLock(&context->RemoveLock, kTag, 0, 0);
    context->Requests = 0;
    file->FsContext = context;
    ++g_state.live_contexts;
    return CompleteNow(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS NTAPI DispatchClose(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    if (file->FsContext) {
        ExFreePoolWithTag(file->FsContext, kTag);
        file->FsContext = NULL;
        --g_state.live_contexts;
    }
    return CompleteNow(Irp, STATUS_SUCCESS, 0);
}

// NT facts S11, M5, C6, S20: wait until no dispatch holds the file's remove lock, then finish what
// the file object left queued.
NTSTATUS NTAPI DispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    DeviceExtension* ext = ext_of(DeviceObject);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    auto* context = static_cast<FileContext*>(file->FsContext);
    ++g_state.dispatches;
    NTSTATUS status = IoAcquireRemoveLock(&context->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) return CompleteNow(Irp, status, 0);
    ++g_state.cleanup_waiting;
    IoReleaseRemoveLockAndWait(&context->RemoveLock, Irp);
    if (g_state.holding.load() != 0) ++g_state.cleanup_saw_holders;
    --g_state.cleanup_waiting;
    LIST_ENTRY victims;
    InitializeListHead(&victims);
    TakeParked(ext, file, &victims, FALSE);
    (void)CompleteList(&victims, STATUS_CANCELLED, 0);
    CancelFileTimers(ext, file);
    return CompleteNow(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS Read(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    if (g_state.reads_by_work_item) {
        PIO_WORKITEM item = IoAllocateWorkItem(DeviceObject);
        if (!item) return CompleteNow(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        IoMarkIrpPending(Irp);
        Irp->Tail.Overlay.DriverContext[0] = item;
        ++g_state.work_items;
        IoQueueWorkItem(item, CompleteReadWork, DelayedWorkQueue, Irp);
        return STATUS_PENDING;
    }
    if (g_state.park_reads) return Park(DeviceObject, Irp);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    const LONGLONG offset = sp->Parameters.Read.ByteOffset.QuadPart;
    if (offset < 0 || offset >= kFileSize) return CompleteNow(Irp, STATUS_END_OF_FILE, 0);
    ULONG n = kFileSize - static_cast<ULONG>(offset);
    if (n > sp->Parameters.Read.Length) n = sp->Parameters.Read.Length;
    RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, kFileData + offset, n);
    return CompleteNow(Irp, STATUS_SUCCESS, n);
}

NTSTATUS Write(PIRP Irp) {
    return CompleteNow(Irp, STATUS_SUCCESS, IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length);
}

NTSTATUS DeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp, FileContext* context) {
    DeviceExtension* ext = ext_of(DeviceObject);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    const ULONG in = sp->Parameters.DeviceIoControl.InputBufferLength;
    const ULONG out = sp->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case kIoctlMatrix: {
        if (in < sizeof(MatrixRequest)) return CompleteNow(Irp, STATUS_INVALID_PARAMETER, 0);
        const MatrixRequest request = *static_cast<MatrixRequest*>(buffer);
        Irp->IoStatus.Status = request.iosb_status;
        Irp->IoStatus.Information = 3;
        if (request.pend) IoMarkIrpPending(Irp);
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return request.ret_status;
    }
    case kIoctlPark:
        return Park(DeviceObject, Irp);
    case kIoctlCompleteOne: {
        if (in < sizeof(CompleteRequest) || out < sizeof(ULONG)) return CompleteNow(Irp, STATUS_INVALID_PARAMETER, 0);
        const CompleteRequest request = *static_cast<CompleteRequest*>(buffer);
        LIST_ENTRY one;
        InitializeListHead(&one);
        TakeParked(ext, NULL, &one, TRUE);
        const ULONG n = CompleteList(&one, request.status, request.information);
        *static_cast<ULONG*>(buffer) = n;
        return CompleteNow(Irp, STATUS_SUCCESS, sizeof(ULONG));
    }
    case kIoctlSurpriseRemove: {
        ext->Removed = TRUE;
        LIST_ENTRY all;
        InitializeListHead(&all);
        TakeParked(ext, NULL, &all, FALSE);
        (void)CompleteList(&all, STATUS_DELETE_PENDING, 0);
        return CompleteNow(Irp, STATUS_SUCCESS, 0);
    }
    case kIoctlFileRequests:
        if (out < sizeof(ULONG)) return CompleteNow(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        *static_cast<ULONG*>(buffer) = static_cast<ULONG>(context->Requests);
        return CompleteNow(Irp, STATUS_SUCCESS, sizeof(ULONG));
    case kIoctlHold:
        ++g_state.holding;
        (void)KeWaitForSingleObject(&g_release_held, Executive, KernelMode, FALSE, NULL);
        --g_state.holding;
        return CompleteNow(Irp, STATUS_SUCCESS, 0);
    case kIoctlTimer:
        return StartTimer(DeviceObject, Irp);
    default:
        return CompleteNow(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

// Every request but CREATE, CLOSE and CLEANUP runs under its file object's remove lock (NT fact S11).
NTSTATUS NTAPI DispatchRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    ++g_state.dispatches;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    auto* context = static_cast<FileContext*>(sp->FileObject->FsContext);
    NTSTATUS status = IoAcquireRemoveLock(&context->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) return CompleteNow(Irp, status, 0);
    InterlockedIncrement(&context->Requests);
    if (ext_of(DeviceObject)->Removed) {
        status = CompleteNow(Irp, STATUS_DELETE_PENDING, 0);
    } else {
        switch (sp->MajorFunction) {
        case IRP_MJ_READ: status = Read(DeviceObject, Irp); break;
        case IRP_MJ_WRITE: status = Write(Irp); break;
        case IRP_MJ_DEVICE_CONTROL: status = DeviceControl(DeviceObject, Irp, context); break;
        case IRP_MJ_FILE_SYSTEM_CONTROL:
            status = sp->Parameters.FileSystemControl.FsControlCode == kFsctlListen
                         ? Park(DeviceObject, Irp)
                         : CompleteNow(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
            break;
        default: status = CompleteNow(Irp, STATUS_INVALID_DEVICE_REQUEST, 0); break;
        }
    }
    // The tag is only compared; the IRP may be gone by now.
    IoReleaseRemoveLock(&context->RemoveLock, Irp);
    return status;
}

// NT fact S20: CLEANUP ran for every file object before this, so nothing may still be queued.
VOID NTAPI IoSignalUnload(PDRIVER_OBJECT DriverObject) {
    UNREFERENCED_PARAMETER(DriverObject);
    DeviceExtension* ext = ext_of(g_device);
    if (!IsListEmpty(&ext->Timers) || !IsListEmpty(&ext->Parked)) ++g_state.unload_found_queued;
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\??\\IoSignal");
    (void)IoDeleteSymbolicLink(&link);
    IoDeleteDevice(g_device);
    g_device = NULL;
    ++g_state.unloaded;
}

}  // namespace

void release_held() { (void)KeSetEvent(&g_release_held, IO_NO_INCREMENT, FALSE); }

NTSTATUS NTAPI io_signal_driver_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\IoSignal");
    NTSTATUS status =
        IoCreateDevice(DriverObject, sizeof(DeviceExtension), &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_device);
    if (!NT_SUCCESS(status)) return status;
    DeviceExtension* ext = ext_of(g_device);
    KeInitializeSpinLock(&ext->QueueLock);
    InitializeListHead(&ext->Parked);
    InitializeListHead(&ext->Timers);
    ext->Removed = FALSE;
    KeInitializeEvent(&g_release_held, NotificationEvent, FALSE);
    g_device->Flags |= DO_BUFFERED_IO;
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\??\\IoSignal");
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(g_device);
        g_device = NULL;
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DispatchCreate;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = DispatchClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = DispatchCleanup;
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchRequest;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = DispatchRequest;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchRequest;
    DriverObject->MajorFunction[IRP_MJ_FILE_SYSTEM_CONTROL] = DispatchRequest;
    DriverObject->DriverUnload = IoSignalUnload;
    g_device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

// ---- Fixture ----

void IoSignalTest::SetUp() {
    SystemTest::SetUp();
    g_state.reset();
    UNICODE_STRING service;
    RtlInitUnicodeString(&service, L"IoSignal");
    ASSERT_EQ(NtioCreateDriver(&service, io_signal_driver_entry, &m_driver), STATUS_SUCCESS);
}

void IoSignalTest::TearDown() {
    EXPECT_TRUE(wait_until(g_state.work_items, 0)) << "work items still queued";
    if (m_driver) {
        EXPECT_EQ(unload(), STATUS_SUCCESS);
    }
    EXPECT_EQ(g_state.parked.load(), 0) << "requests left parked by the test";
    EXPECT_EQ(g_state.timers_pending.load(), 0) << "timer requests left queued";
    EXPECT_EQ(g_state.unload_found_queued.load(), 0) << "DriverUnload ran with requests queued (NT fact S20)";
    EXPECT_EQ(g_state.live_contexts.load(), 0) << "a file context outlived IRP_MJ_CLOSE (NT fact S11)";
    SystemTest::TearDown();
}

NTSTATUS IoSignalTest::unload() {
    const NTSTATUS status = NtioUnloadDriver(m_driver);
    ObDereferenceObject(m_driver);
    m_driver = nullptr;
    // The last IRP_MJ_CLOSE may still be on its way from a completing thread (a DPC or work item
    // dropping the IRP's file reference), and DriverUnload waits for it.
    EXPECT_TRUE(wait_until(g_state.unloaded, 1)) << "DriverUnload never ran";
    return status;
}

HANDLE IoSignalTest::open_device(ULONG sync_option) {
    UNICODE_STRING text;
    RtlInitUnicodeString(&text, L"\\??\\IoSignal");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &text, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    HANDLE handle = nullptr;
    EXPECT_EQ(NtCreateFile(&handle, FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                           FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, sync_option, nullptr, 0),
              STATUS_SUCCESS);
    return handle;
}

bool IoSignalTest::wait_until(const std::atomic<LONG>& value, LONG expected) {
    LARGE_INTEGER step;
    step.QuadPart = -10 * 1000;  // 1 ms
    for (int i = 0; i < 20000; ++i) {
        if (value.load() == expected) return true;
        (void)NtDelayExecution(FALSE, &step);
    }
    return value.load() == expected;
}

bool IoSignalTest::wait_parked(LONG count) { return wait_until(g_state.parked, count); }

bool IoSignalTest::complete_one(NTSTATUS status, ULONG information) {
    HANDLE control = open_device(FILE_SYNCHRONOUS_IO_NONALERT);
    CompleteRequest request{status, information};
    ULONG done = 0;
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS result = NtDeviceIoControlFile(control, nullptr, nullptr, nullptr, &iosb, kIoctlCompleteOne,
                                                  &request, sizeof(request), &done, sizeof(done));
    (void)NtClose(control);
    return result == STATUS_SUCCESS && done == 1;
}

}  // namespace ntio::test::io_signalling
