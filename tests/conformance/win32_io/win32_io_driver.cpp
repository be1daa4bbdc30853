// The W32Io WDM test driver: each dispatch routine completes the request or marks it pending and parks
// it with a cancel routine (NT fact C7 pattern); CLEANUP cancels what a closing file object left parked
// (C6). Reads and writes act on a 10-byte file with an end of file.
#include <cstring>
#include <mutex>

#include "win32_io_driver.hpp"

namespace ntio::test::win32_io {

DriverState g_state;

std::string narrow(const WCHAR* text, std::size_t length) {
    std::string out;
    for (std::size_t i = 0; i < length; ++i) out.push_back(static_cast<char>(text[i]));
    return out;
}

void DriverState::reset() {
    ret_status = STATUS_SUCCESS;
    iosb_status = STATUS_SUCCESS;
    pend = false;
    park_reads = false;
    parked = 0;
    cancelled = 0;
    complete_status = STATUS_SUCCESS;
    complete_information = 0;
    last_write_offset = 0;
    last_create_name.clear();
    last_control_major = 0;
    last_control_code = 0;
}

namespace {

KSPIN_LOCK g_queue_lock;
LIST_ENTRY g_queue;

NTSTATUS CompleteNow(PIRP Irp, NTSTATUS Status, ULONG_PTR Information) {
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

VOID NTAPI W32IoCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    KeAcquireSpinLockAtDpcLevel(&g_queue_lock);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLockFromDpcLevel(&g_queue_lock);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    --g_state.parked;
    ++g_state.cancelled;
    CompleteNow(Irp, STATUS_CANCELLED, 0);
}

NTSTATUS Park(PIRP Irp) {
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(irql);
        ++g_state.cancelled;
        return CompleteNow(Irp, STATUS_CANCELLED, 0);
    }
    IoMarkIrpPending(Irp);
    KeAcquireSpinLockAtDpcLevel(&g_queue_lock);
    InsertTailList(&g_queue, &Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLockFromDpcLevel(&g_queue_lock);
    (void)IoSetCancelRoutine(Irp, W32IoCancel);
    ++g_state.parked;
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}

// The oldest parked request of `file` (any when NULL) whose cancel routine this driver wins back.
PIRP TakeOldest(PFILE_OBJECT file) {
    PIRP found = NULL;
    KIRQL irql;
    KeAcquireSpinLock(&g_queue_lock, &irql);
    for (PLIST_ENTRY e = g_queue.Flink; e != &g_queue; e = e->Flink) {
        PIRP Irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (file && IoGetCurrentIrpStackLocation(Irp)->FileObject != file) continue;
        if (IoSetCancelRoutine(Irp, NULL) != NULL) {
            RemoveEntryList(e);
            found = Irp;
            break;
        }
    }
    KeReleaseSpinLock(&g_queue_lock, irql);
    if (found) --g_state.parked;
    return found;
}

NTSTATUS NTAPI DispatchCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    g_state.last_create_name = narrow(file->FileName.Buffer, file->FileName.Length / sizeof(WCHAR));
    return CompleteNow(Irp, STATUS_SUCCESS, FILE_OPENED);
}

NTSTATUS NTAPI DispatchClose(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    return CompleteNow(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS NTAPI DispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    while (PIRP parked = TakeOldest(file)) {
        ++g_state.cancelled;
        CompleteNow(parked, STATUS_CANCELLED, 0);
    }
    return CompleteNow(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS NTAPI DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    if (g_state.park_reads) return Park(Irp);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    const ULONG length = sp->Parameters.Read.Length;
    const LONGLONG offset = sp->Parameters.Read.ByteOffset.QuadPart;
    if (length == 0) return CompleteNow(Irp, STATUS_SUCCESS, 0);
    if (offset < 0 || offset >= kFileSize) return CompleteNow(Irp, STATUS_END_OF_FILE, 0);
    const ULONG available = static_cast<ULONG>(kFileSize - offset);
    const ULONG n = length < available ? length : available;
    RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, kFileData + offset, n);
    return CompleteNow(Irp, STATUS_SUCCESS, n);
}

NTSTATUS NTAPI DispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    g_state.last_write_offset = sp->Parameters.Write.ByteOffset.QuadPart;
    if (g_state.park_reads) return Park(Irp);
    return CompleteNow(Irp, STATUS_SUCCESS, sp->Parameters.Write.Length);
}

// IRP_MJ_FILE_SYSTEM_CONTROL: records the code (IRP_MN_USER_FS_REQUEST carries it where
// DeviceIoControl keeps its own) and completes with success.
NTSTATUS NTAPI DispatchFsControl(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    g_state.last_control_major = sp->MajorFunction;
    g_state.last_control_code = sp->Parameters.FileSystemControl.FsControlCode;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI DispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    g_state.last_control_major = sp->MajorFunction;
    g_state.last_control_code = sp->Parameters.DeviceIoControl.IoControlCode;
    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case kIoctlMatrix: {
        // NT fact E: "ghijkl" into the output, Information 3, the chosen IOSB status, optional pending
        // bit, then the chosen return value.
        if (sp->Parameters.DeviceIoControl.OutputBufferLength >= 6)
            RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, "ghijkl", 6);
        const NTSTATUS ret = g_state.ret_status;
        Irp->IoStatus.Status = g_state.iosb_status;
        Irp->IoStatus.Information = 3;
        if (g_state.pend) IoMarkIrpPending(Irp);
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return ret;
    }
    case kIoctlPark:
        return Park(Irp);
    case kIoctlCompleteOne: {
        PIRP parked = TakeOldest(NULL);
        if (parked) CompleteNow(parked, g_state.complete_status, g_state.complete_information);
        return CompleteNow(Irp, parked ? STATUS_SUCCESS : STATUS_NOT_FOUND, 0);
    }
    case kIoctlCancelCount:
        if (sp->Parameters.DeviceIoControl.OutputBufferLength < sizeof(ULONG))
            return CompleteNow(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        *static_cast<ULONG*>(Irp->AssociatedIrp.SystemBuffer) = static_cast<ULONG>(g_state.cancelled.load());
        return CompleteNow(Irp, STATUS_SUCCESS, sizeof(ULONG));
    default:
        return CompleteNow(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

VOID NTAPI W32IoUnload(PDRIVER_OBJECT DriverObject) {
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\W32Io");
    (void)IoDeleteSymbolicLink(&link);
    if (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

}  // namespace

NTSTATUS NTAPI w32io_driver_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&g_queue_lock);
    InitializeListHead(&g_queue);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\W32Io");
    PDEVICE_OBJECT device = NULL;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    device->Flags |= DO_BUFFERED_IO;
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\W32Io");
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DispatchCreate;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = DispatchClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = DispatchCleanup;
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = DispatchWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_FILE_SYSTEM_CONTROL] = DispatchFsControl;
    DriverObject->DriverUnload = W32IoUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

void Win32IoTest::SetUp() {
    SystemTest::SetUp();
    g_state.reset();
    ASSERT_EQ(create_driver(L"W32Io", w32io_driver_entry), STATUS_SUCCESS);
}

void Win32IoTest::TearDown() {
    unload_driver();
    EXPECT_EQ(g_state.parked.load(), 0) << "requests left parked by the test";
    DriverTest::TearDown();
}

HANDLE Win32IoTest::open_device(bool overlapped) {
    HANDLE h = CreateFileW(L"\\\\.\\W32Io", GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                           overlapped ? FILE_FLAG_OVERLAPPED : 0, nullptr);
    EXPECT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    return h;
}

bool Win32IoTest::wait_parked(LONG count) {
    for (int i = 0; i < 20000; ++i) {
        if (g_state.parked.load() == count) return true;
        Sleep(1);
    }
    return false;
}

bool Win32IoTest::complete_one() {
    HANDLE h = open_device(false);
    DWORD bytes = 0;
    const BOOL ok = DeviceIoControl(h, kIoctlCompleteOne, nullptr, 0, nullptr, 0, &bytes, nullptr);
    CloseHandle(h);
    return ok != FALSE;
}

}  // namespace ntio::test::win32_io
