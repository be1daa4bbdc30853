// The recording test driver, written the way a WDK driver writer writes one: DriverEntry fills
// MajorFunction[] and creates the device and its DOS link; each dispatch routine records the IRP
// and completes it (or, for a pending create, marks it pending and completes it from a thread).
#include "unit/io/files/files_test_driver.hpp"


namespace ntio::io::files_test {

DriverState g_state;

void DriverState::reset()
{
    std::lock_guard<std::mutex> guard(lock);
    records.clear();
    create_status = STATUS_SUCCESS;
    create_information = FILE_OPENED;
    pend_creates = false;
    exclusive = false;
    characteristics = 0;
    device_type = FILE_DEVICE_UNKNOWN;
    sddl = nullptr;
    filter = false;
    filter_cancels_create = false;
    live_contexts = 0;
    device = nullptr;
    filter_device = nullptr;
}

std::vector<Record> DriverState::take()
{
    std::lock_guard<std::mutex> guard(lock);
    return std::exchange(records, {});
}

std::size_t DriverState::count(UCHAR major)
{
    std::lock_guard<std::mutex> guard(lock);
    std::size_t n = 0;
    for (const Record& r : records) n += r.major == major;
    return n;
}

namespace {

// The per-open context a driver keeps in FsContext.
struct OpenContext {
    ULONG magic = 0x4f504e43;
};

void record(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    Record r;
    r.major = sp->MajorFunction;
    r.device = device;
    r.file = sp->FileObject;
    r.process = PsGetCurrentProcess();
    r.requestor = irp->RequestorMode;
    r.thread = irp->Tail.Overlay.Thread;
    r.sl_flags = sp->Flags;
    if (PFILE_OBJECT f = sp->FileObject) {
        r.fs_context = f->FsContext;
        r.fo_flags = f->Flags;
        r.type = f->Type;
        r.size = f->Size;
        r.name_buffer_null = f->FileName.Buffer == nullptr;
        if (f->FileName.Buffer)
            r.name.assign(reinterpret_cast<const char16_t*>(f->FileName.Buffer), f->FileName.Length / sizeof(WCHAR));
    }
    if (sp->MajorFunction == IRP_MJ_CREATE) {
        r.options = sp->Parameters.Create.Options;
        r.share = sp->Parameters.Create.ShareAccess;
        r.attributes = sp->Parameters.Create.FileAttributes;
        if (PIO_SECURITY_CONTEXT sc = sp->Parameters.Create.SecurityContext) {
            r.desired = sc->DesiredAccess;
            r.access_state = sc->AccessState != nullptr;
        }
    }
    std::lock_guard<std::mutex> guard(g_state.lock);
    g_state.records.push_back(std::move(r));
}

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

struct LaterCompletion {
    WORK_QUEUE_ITEM item;
    PIRP irp;
    NTSTATUS status;
    ULONG_PTR information;
};

VOID NTAPI complete_later(PVOID context)
{
    auto* later = static_cast<LaterCompletion*>(context);
    complete(later->irp, later->status, later->information);
    delete later;
}

NTSTATUS NTAPI dispatch_create(PDEVICE_OBJECT device, PIRP irp)
{
    record(device, irp);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    NTSTATUS status = g_state.create_status.load();
    if (NT_SUCCESS(status)) {
        file->FsContext = new OpenContext;
        ++g_state.live_contexts;
    }
    ULONG_PTR information = g_state.create_information.load();
    if (g_state.pend_creates.load()) {
        IoMarkIrpPending(irp);
        auto* later = new LaterCompletion{{}, irp, status, information};
        ExInitializeWorkItem(&later->item, complete_later, later);
        ExQueueWorkItem(&later->item, DelayedWorkQueue);
        return STATUS_PENDING;
    }
    return complete(irp, status, information);
}

NTSTATUS NTAPI dispatch_cleanup(PDEVICE_OBJECT device, PIRP irp)
{
    record(device, irp);
    return complete(irp, STATUS_SUCCESS, 0);
}

NTSTATUS NTAPI dispatch_close(PDEVICE_OBJECT device, PIRP irp)
{
    record(device, irp);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    delete static_cast<OpenContext*>(file->FsContext);
    file->FsContext = nullptr;
    --g_state.live_contexts;
    return complete(irp, STATUS_SUCCESS, 0);
}

// FileNameInformation answers by the name opened (the NT fact K6 cases of the Wine driver).
NTSTATUS NTAPI dispatch_query_information(PDEVICE_OBJECT device, PIRP irp)
{
    record(device, irp);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (sp->Parameters.QueryFile.FileInformationClass != FileNameInformation)
        return complete(irp, STATUS_NOT_IMPLEMENTED, 0);
    const UNICODE_STRING& name = sp->FileObject->FileName;
    std::u16string text(reinterpret_cast<const char16_t*>(name.Buffer), name.Length / sizeof(WCHAR));
    if (text == u"\\notimpl") return complete(irp, STATUS_NOT_IMPLEMENTED, 0);
    if (text == u"\\badparam") return complete(irp, STATUS_INVALID_PARAMETER, 0);
    if (text == u"\\genfail") return complete(irp, STATUS_UNSUCCESSFUL, 0);
    if (text == u"\\badtype") return complete(irp, STATUS_OBJECT_TYPE_MISMATCH, 0);
    if (name.Length == 0) return complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    auto* info = static_cast<PFILE_NAME_INFORMATION>(irp->AssociatedIrp.SystemBuffer);
    const ULONG header = offsetof(FILE_NAME_INFORMATION, FileName);
    ULONG length = sp->Parameters.QueryFile.Length;
    if (length < header) return complete(irp, STATUS_INFO_LENGTH_MISMATCH, 0);
    info->FileNameLength = name.Length;
    ULONG copy = std::min<ULONG>(name.Length, length - header);
    std::memcpy(info->FileName, name.Buffer, copy);
    return complete(irp, copy < name.Length ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS, header + copy);
}

NTSTATUS NTAPI create_done(PDEVICE_OBJECT, PIRP, PVOID context)
{
    KeSetEvent(static_cast<PKEVENT>(context), IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

NTSTATUS NTAPI filter_pass_down(PDEVICE_OBJECT device, PIRP irp)
{
    record(device, irp);
    PDEVICE_OBJECT lower = static_cast<PDEVICE_OBJECT*>(device->DeviceExtension)[0];
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (sp->MajorFunction == IRP_MJ_CREATE && g_state.filter_cancels_create.load()) {
        // A filter that vetoes an open after the driver below accepted it: wait for the create to
        // come back, then cancel the open below and fail it.
        KEVENT done;
        KeInitializeEvent(&done, NotificationEvent, FALSE);
        IoCopyCurrentIrpStackLocationToNext(irp);
        IoSetCompletionRoutine(irp, create_done, &done, TRUE, TRUE, TRUE);
        if (IoCallDriver(lower, irp) == STATUS_PENDING)
            (void)KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, nullptr);
        if (NT_SUCCESS(irp->IoStatus.Status) && irp->IoStatus.Status != STATUS_REPARSE) {
            IoCancelFileOpen(lower, sp->FileObject);
            return complete(irp, STATUS_ACCESS_DENIED, 0);
        }
        NTSTATUS status = irp->IoStatus.Status;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    }
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(lower, irp);
}

VOID NTAPI driver_unload(PDRIVER_OBJECT driver)
{
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\FilesTest");
    (void)IoDeleteSymbolicLink(&link);
    if (g_state.filter_device) {
        IoDetachDevice(g_state.device);
        IoDeleteDevice(g_state.filter_device);
    }
    if (g_state.device) IoDeleteDevice(g_state.device);
}

NTSTATUS common_entry(PDRIVER_OBJECT driver, bool full)
{
    driver->MajorFunction[IRP_MJ_CREATE] = dispatch_create;
    driver->MajorFunction[IRP_MJ_CLOSE] = dispatch_close;
    if (full) {
        driver->MajorFunction[IRP_MJ_CLEANUP] = dispatch_cleanup;
        driver->MajorFunction[IRP_MJ_QUERY_INFORMATION] = dispatch_query_information;
    }
    driver->DriverUnload = driver_unload;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\FilesTest");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status;
    if (g_state.sddl) {
        // A WDK driver that restricts its device: wdmsec's IoCreateDeviceSecure with an SDDL string.
        static const GUID kClass = {0x6e0f5a51, 0x2b7c, 0x4d1e, {0x9a, 0x31, 0x5c, 0x0d, 0x7e, 0x42, 0x18, 0x9b}};
        UNICODE_STRING sddl;
        RtlInitUnicodeString(&sddl, g_state.sddl);
        status = IoCreateDeviceSecure(driver, 0, &name, g_state.device_type.load(), g_state.characteristics.load(),
                                      g_state.exclusive.load() ? TRUE : FALSE, &sddl, &kClass, &device);
    } else {
        status = IoCreateDevice(driver, 0, &name, g_state.device_type.load(), g_state.characteristics.load(),
                                g_state.exclusive.load() ? TRUE : FALSE, &device);
    }
    if (!NT_SUCCESS(status)) return status;
    g_state.device = device;
    if (g_state.filter.load()) {
        PDEVICE_OBJECT filter = nullptr;
        status = IoCreateDevice(driver, sizeof(PDEVICE_OBJECT), nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &filter);
        if (!NT_SUCCESS(status)) {
            IoDeleteDevice(device);
            return status;
        }
        PDEVICE_OBJECT lower = IoAttachDeviceToDeviceStack(filter, device);
        static_cast<PDEVICE_OBJECT*>(filter->DeviceExtension)[0] = lower;
        g_state.filter_device = filter;
        // The filter's own routines are the driver's: it recognises its device and passes down.
    }
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\FilesTest");
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        driver_unload(driver);
        return status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI route(PDEVICE_OBJECT device, PIRP irp);

}  // namespace

NTSTATUS NTAPI full_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    NTSTATUS status = common_entry(driver, true);
    if (NT_SUCCESS(status) && g_state.filter_device) {
        for (UCHAR major : {IRP_MJ_CREATE, IRP_MJ_CLEANUP, IRP_MJ_CLOSE, IRP_MJ_QUERY_INFORMATION})
            driver->MajorFunction[major] = route;
    }
    return status;
}

NTSTATUS NTAPI minimal_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    return common_entry(driver, false);
}

namespace {

// With a filter attached, one driver owns both devices: IRPs for the filter device pass down.
NTSTATUS NTAPI route(PDEVICE_OBJECT device, PIRP irp)
{
    if (device == g_state.filter_device) return filter_pass_down(device, irp);
    switch (IoGetCurrentIrpStackLocation(irp)->MajorFunction) {
    case IRP_MJ_CREATE: return dispatch_create(device, irp);
    case IRP_MJ_CLEANUP: return dispatch_cleanup(device, irp);
    case IRP_MJ_CLOSE: return dispatch_close(device, irp);
    default: return dispatch_query_information(device, irp);
    }
}

}  // namespace

void FilesTest::SetUp()
{
    SystemTest::SetUp();
    g_state.reset();
}

void FilesTest::TearDown()
{
    unload_driver();
    EXPECT_EQ(g_state.live_contexts.load(), 0) << "a file object never got IRP_MJ_CLOSE";
    DriverTest::TearDown();
}

void FilesTest::load(PDRIVER_INITIALIZE entry)
{
    ASSERT_EQ(create_driver(L"FilesTest", entry), STATUS_SUCCESS);
}

NTSTATUS FilesTest::open(const wchar_t* name, HANDLE* handle, ACCESS_MASK access, ULONG disposition, ULONG options,
                         ULONG share, IO_STATUS_BLOCK* iosb, ULONG attributes)
{
    UNICODE_STRING text;
    RtlInitUnicodeString(&text, name);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &text, attributes, nullptr, nullptr);
    IO_STATUS_BLOCK local{};
    return NtCreateFile(handle, access, &oa, iosb ? iosb : &local, nullptr, 0, share, disposition, options, nullptr, 0);
}

PFILE_OBJECT FilesTest::file_of(HANDLE handle)
{
    PVOID object = nullptr;
    EXPECT_EQ(ObReferenceObjectByHandle(handle, 0, *IoFileObjectType, KernelMode, &object, nullptr), STATUS_SUCCESS);
    if (object) ObDereferenceObject(object);
    return static_cast<PFILE_OBJECT>(object);
}

}  // namespace ntio::io::files_test
