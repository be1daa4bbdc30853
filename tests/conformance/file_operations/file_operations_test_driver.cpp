// The file-operation suite's test driver, written as a WDK driver: DriverEntry fills
// MajorFunction[] and creates the devices and links; every dispatch records the IRP and then either
// completes it or marks it pending and parks it (never both).
#include "conformance/file_operations/file_operations_test_driver.hpp"

#include "ke/thread.hpp"

namespace ntio::file_operations_test {

DriverState g_state;

void DriverState::reset() {
    std::lock_guard<std::mutex> guard(lock);
    records.clear();
    creates.clear();
    cleanup_close = 0;
    parked.clear();
    status = STATUS_SUCCESS;
    information = 0;
    pend = false;
    fill = 'D';
    neither = buffered = disk = nullptr;
}

std::vector<Record> DriverState::take() {
    std::lock_guard<std::mutex> guard(lock);
    return std::exchange(records, {});
}

void DriverState::complete_parked(NTSTATUS final_status, ULONG_PTR final_information) {
    std::vector<PIRP> irps;
    {
        std::lock_guard<std::mutex> guard(lock);
        irps = std::exchange(parked, {});
    }
    for (PIRP irp : irps) {
        irp->IoStatus.Status = final_status;
        irp->IoStatus.Information = final_information;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

namespace {

const wchar_t* const kLinks[] = {L"\\DosDevices\\FoNeither", L"\\DosDevices\\FoBuffered", L"\\DosDevices\\FoDisk"};

void record(PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    Record r;
    r.major = sp->MajorFunction;
    r.minor = sp->MinorFunction;
    r.flags = sp->Flags;
    r.control = sp->Control;
    r.irp_flags = irp->Flags;
    r.requestor = irp->RequestorMode;
    r.file = sp->FileObject;
    r.lock_operation = sp->FileObject ? sp->FileObject->LockOperation : FALSE;
    r.user_buffer = irp->UserBuffer;
    r.system_buffer = irp->AssociatedIrp.SystemBuffer;
    r.mdl = irp->MdlAddress;
    switch (sp->MajorFunction) {
    case IRP_MJ_LOCK_CONTROL:
        r.lock_length = sp->Parameters.LockControl.Length->QuadPart;
        r.key = sp->Parameters.LockControl.Key;
        r.offset = sp->Parameters.LockControl.ByteOffset.QuadPart;
        break;
    case IRP_MJ_DIRECTORY_CONTROL:
        if (sp->MinorFunction == IRP_MN_QUERY_DIRECTORY) {
            r.length = sp->Parameters.QueryDirectory.Length;
            r.information_class = sp->Parameters.QueryDirectory.FileInformationClass;
            if (PUNICODE_STRING name = sp->Parameters.QueryDirectory.FileName) {
                r.has_file_name = true;
                r.file_name.assign(reinterpret_cast<const char16_t*>(name->Buffer), name->Length / sizeof(WCHAR));
            }
        } else {
            r.length = sp->Parameters.NotifyDirectory.Length;
            r.completion_filter = sp->Parameters.NotifyDirectory.CompletionFilter;
        }
        break;
    case IRP_MJ_READ:
    case IRP_MJ_WRITE:
        r.length = sp->Parameters.Read.Length;
        r.key = sp->Parameters.Read.Key;
        r.offset = sp->Parameters.Read.ByteOffset.QuadPart;
        if (irp->MdlAddress && sp->MajorFunction == IRP_MJ_WRITE) {
            auto* data = static_cast<const char*>(MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority));
            if (data) r.mdl_data.assign(data, std::min<ULONG>(MmGetMdlByteCount(irp->MdlAddress), 8192));
        }
        break;
    case IRP_MJ_QUERY_INFORMATION:
        r.length = sp->Parameters.QueryFile.Length;
        r.information_class = sp->Parameters.QueryFile.FileInformationClass;
        break;
    case IRP_MJ_CREATE:
        r.desired_access = sp->Parameters.Create.SecurityContext->DesiredAccess;
        r.create_options = sp->Parameters.Create.Options;
        r.share_access = sp->Parameters.Create.ShareAccess;
        break;
    case IRP_MJ_CREATE_NAMED_PIPE:
        r.desired_access = sp->Parameters.CreatePipe.SecurityContext->DesiredAccess;
        r.create_options = sp->Parameters.CreatePipe.Options;
        r.share_access = sp->Parameters.CreatePipe.ShareAccess;
        r.pipe = *sp->Parameters.CreatePipe.Parameters;
        break;
    case IRP_MJ_CREATE_MAILSLOT:
        r.desired_access = sp->Parameters.CreateMailslot.SecurityContext->DesiredAccess;
        r.create_options = sp->Parameters.CreateMailslot.Options;
        r.mailslot = *sp->Parameters.CreateMailslot.Parameters;
        break;
    default: break;
    }
    std::lock_guard<std::mutex> guard(g_state.lock);
    const bool create = r.major == IRP_MJ_CREATE || r.major == IRP_MJ_CREATE_NAMED_PIPE || r.major == IRP_MJ_CREATE_MAILSLOT;
    if (create) {
        g_state.creates.push_back(std::move(r));
    } else if (r.major != IRP_MJ_CLEANUP && r.major != IRP_MJ_CLOSE) {
        g_state.records.push_back(std::move(r));
    } else {
        ++g_state.cleanup_close;
    }
}

// Where a read or directory query puts its data for this device's buffering (information queries
// are always buffered).
PVOID output_of(PDEVICE_OBJECT device, PIRP irp) {
    if (IoGetCurrentIrpStackLocation(irp)->MajorFunction == IRP_MJ_QUERY_INFORMATION) return irp->AssociatedIrp.SystemBuffer;
    if (irp->MdlAddress) return MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority);
    if (device->Flags & DO_BUFFERED_IO) return irp->AssociatedIrp.SystemBuffer;
    return irp->UserBuffer;
}

NTSTATUS NTAPI dispatch_create_close(PDEVICE_OBJECT, PIRP irp) {
    record(irp);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = FILE_OPENED;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI dispatch_request(PDEVICE_OBJECT device, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    record(irp);
    const ULONG information = g_state.information.load();
    if (information && (sp->MajorFunction == IRP_MJ_READ || sp->MajorFunction == IRP_MJ_DIRECTORY_CONTROL ||
                        sp->MajorFunction == IRP_MJ_QUERY_INFORMATION)) {
        if (PVOID out = output_of(device, irp)) std::memset(out, g_state.fill.load(), information);
    }
    if (g_state.pend.load()) {
        IoMarkIrpPending(irp);
        std::lock_guard<std::mutex> guard(g_state.lock);
        g_state.parked.push_back(irp);
        return STATUS_PENDING;
    }
    const NTSTATUS status = g_state.status.load();
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = NT_ERROR(status) ? 0 : information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

VOID NTAPI driver_unload(PDRIVER_OBJECT) {
    for (const wchar_t* text : kLinks) {
        UNICODE_STRING link;
        RtlInitUnicodeString(&link, text);
        (void)IoDeleteSymbolicLink(&link);
    }
    for (PDEVICE_OBJECT d : {g_state.neither, g_state.buffered, g_state.disk})
        if (d) IoDeleteDevice(d);
}

NTSTATUS create_device(PDRIVER_OBJECT driver, const wchar_t* name, const wchar_t* link_name, ULONG flags,
                       PDEVICE_OBJECT* out) {
    UNICODE_STRING text;
    RtlInitUnicodeString(&text, name);
    NTSTATUS status = IoCreateDevice(driver, 0, &text, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, out);
    if (!NT_SUCCESS(status)) return status;
    (*out)->Flags |= flags;
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, link_name);
    return IoCreateSymbolicLink(&link, &text);
}

}  // namespace

NTSTATUS NTAPI file_operations_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    for (auto& major : driver->MajorFunction) major = dispatch_request;
    driver->MajorFunction[IRP_MJ_CREATE] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_CREATE_NAMED_PIPE] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_CREATE_MAILSLOT] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_CLEANUP] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = dispatch_create_close;
    driver->DriverUnload = driver_unload;
    NTSTATUS status = create_device(driver, L"\\Device\\FoNeither", kLinks[0], 0, &g_state.neither);
    if (NT_SUCCESS(status)) status = create_device(driver, L"\\Device\\FoBuffered", kLinks[1], DO_BUFFERED_IO, &g_state.buffered);
    if (NT_SUCCESS(status)) status = create_device(driver, L"\\Device\\FoDisk", kLinks[2], DO_DIRECT_IO, &g_state.disk);
    if (NT_SUCCESS(status)) g_state.disk->SectorSize = 512;
    if (!NT_SUCCESS(status)) driver_unload(driver);
    return status;
}

void FileOperationsTest::SetUp() {
    SystemTest::SetUp();
    g_state.reset();
    ASSERT_EQ(create_driver(L"FoTest", file_operations_driver_entry), STATUS_SUCCESS);
    // Every service call below comes from "user mode", as an application's would.
    m_saved_mode = ke::set_previous_mode(UserMode);
}

void FileOperationsTest::TearDown() {
    ke::set_previous_mode(m_saved_mode);
    g_state.complete_parked(STATUS_CANCELLED, 0);
    unload_driver();
    EXPECT_EQ(NtioIrpCount(), 0u) << "IRPs leaked by the test";
    EXPECT_EQ(NtioMdlCount(), 0u) << "MDLs leaked by the test";
    DriverTest::TearDown();
}

NTSTATUS FileOperationsTest::open(const wchar_t* name, HANDLE* handle, ACCESS_MASK access, ULONG options) {
    UNICODE_STRING text;
    RtlInitUnicodeString(&text, name);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &text, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    return NtCreateFile(handle, access, &oa, &iosb, nullptr, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, options,
                        nullptr, 0);
}

HANDLE FileOperationsTest::create_event() {
    HANDLE event = nullptr;
    EXPECT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, TRUE), STATUS_SUCCESS);
    return event;
}

bool FileOperationsTest::signalled(HANDLE event) {
    EVENT_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryEvent(event, EventBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
    return info.EventState != 0;
}

}  // namespace ntio::file_operations_test
