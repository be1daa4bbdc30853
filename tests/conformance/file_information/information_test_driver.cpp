// The information suite's test driver, written the way a WDK driver writer writes one: DriverEntry
// fills MajorFunction[] and creates the devices and links; each dispatch routine records the IRP
// and then either completes it or marks it pending and hands it to a work item that completes it.
#include "conformance/file_information/information_test_driver.hpp"

#include "ntio/system.hpp"
#include "ob/object_manager.hpp"

namespace ntio::test::info {

DriverState g_state;

void DriverState::reset() {
    std::lock_guard<std::mutex> guard(lock);
    records.clear();
    status = STATUS_SUCCESS;
    information = 0;
    pend = false;
    pending_work = 0;
    reply.clear();
    user_ea_list = nullptr;
    device = raw = nullptr;
    alignment = FILE_BYTE_ALIGNMENT;
}

std::vector<Record> DriverState::take() {
    std::lock_guard<std::mutex> guard(lock);
    return std::exchange(records, {});
}

namespace {

PVOID output_of(PDEVICE_OBJECT device, PIRP irp) {
    if (irp->MdlAddress) return MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority);
    if (device->Flags & DO_BUFFERED_IO) return irp->AssociatedIrp.SystemBuffer;
    return irp->UserBuffer;
}

ULONG output_length(PIO_STACK_LOCATION sp) {
    switch (sp->MajorFunction) {
    case IRP_MJ_QUERY_INFORMATION: return sp->Parameters.QueryFile.Length;
    case IRP_MJ_QUERY_VOLUME_INFORMATION: return sp->Parameters.QueryVolume.Length;
    case IRP_MJ_QUERY_EA: return sp->Parameters.QueryEa.Length;
    case IRP_MJ_QUERY_QUOTA: return sp->Parameters.QueryQuota.Length;
    default: return 0;
    }
}

void record(PDEVICE_OBJECT device, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    Record r;
    r.major = sp->MajorFunction;
    r.minor = sp->MinorFunction;
    r.stack_flags = sp->Flags;
    r.irp_flags = irp->Flags;
    r.file = sp->FileObject;
    r.system_buffer = irp->AssociatedIrp.SystemBuffer;
    r.user_buffer = irp->UserBuffer;
    r.mdl = irp->MdlAddress;
    r.requestor = irp->RequestorMode;
    r.synchronous_api = (irp->Flags & IRP_SYNCHRONOUS_API) != 0;
    r.parameters = sp->Parameters;
    ULONG in_length = 0;
    if (sp->MajorFunction == IRP_MJ_SET_INFORMATION) in_length = sp->Parameters.SetFile.Length;
    if (sp->MajorFunction == IRP_MJ_SET_VOLUME_INFORMATION) in_length = sp->Parameters.SetVolume.Length;
    if (sp->MajorFunction == IRP_MJ_SET_EA) in_length = sp->Parameters.SetEa.Length;
    if (sp->MajorFunction == IRP_MJ_SET_QUOTA) in_length = sp->Parameters.SetQuota.Length;
    if (sp->MajorFunction == IRP_MJ_QUERY_INFORMATION) in_length = sp->Parameters.QueryFile.Length;
    if (in_length && (device->Flags & DO_BUFFERED_IO || sp->MajorFunction == IRP_MJ_SET_EA ||
                      sp->MajorFunction == IRP_MJ_SET_QUOTA) && irp->AssociatedIrp.SystemBuffer)
        r.input.assign(static_cast<const char*>(irp->AssociatedIrp.SystemBuffer), std::min<ULONG>(in_length, 128));
    if (sp->MajorFunction == IRP_MJ_QUERY_EA && sp->Parameters.QueryEa.EaList) {
        r.ea_list.assign(static_cast<const char*>(sp->Parameters.QueryEa.EaList), sp->Parameters.QueryEa.EaListLength);
        r.ea_list_is_kernel_copy = sp->Parameters.QueryEa.EaList != g_state.user_ea_list;
    }
    if (sp->MajorFunction == IRP_MJ_QUERY_QUOTA && sp->Parameters.QueryQuota.StartSid)
        r.start_sid.assign(static_cast<const char*>(sp->Parameters.QueryQuota.StartSid),
                           RtlLengthSid(sp->Parameters.QueryQuota.StartSid));
    std::lock_guard<std::mutex> guard(g_state.lock);
    g_state.records.push_back(std::move(r));
}

VOID NTAPI finish(PDEVICE_OBJECT, PVOID context) {
    auto* irp = static_cast<PIRP>(context);
    auto* item = static_cast<PIO_WORKITEM>(irp->Tail.Overlay.DriverContext[0]);
    irp->IoStatus.Status = g_state.status.load();
    irp->IoStatus.Information = g_state.information.load();
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    IoFreeWorkItem(item);
    --g_state.pending_work;
}

NTSTATUS NTAPI dispatch_request(PDEVICE_OBJECT device, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    record(device, irp);
    const ULONG length = output_length(sp);
    if (length && !g_state.reply.empty()) {
        if (PVOID out = output_of(device, irp)) {
            __try {
                std::memcpy(out, g_state.reply.data(), std::min<std::size_t>(length, g_state.reply.size()));
            } __except (EXCEPTION_EXECUTE_HANDLER) {
            }
        }
    }
    if (g_state.pend.load()) {
        PIO_WORKITEM item = IoAllocateWorkItem(device);
        if (!item) {
            irp->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
            IoCompleteRequest(irp, IO_NO_INCREMENT);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        irp->Tail.Overlay.DriverContext[0] = item;
        ++g_state.pending_work;
        IoMarkIrpPending(irp);
        IoQueueWorkItem(item, finish, DelayedWorkQueue, irp);
        return STATUS_PENDING;
    }
    const NTSTATUS status = g_state.status.load();
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = g_state.information.load();
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS NTAPI dispatch_create_close(PDEVICE_OBJECT, PIRP irp) {
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = FILE_OPENED;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

const wchar_t* const kLinks[] = {L"\\DosDevices\\InfoDev", L"\\DosDevices\\InfoRaw"};

VOID NTAPI driver_unload(PDRIVER_OBJECT) {
    for (const wchar_t* text : kLinks) {
        UNICODE_STRING link;
        RtlInitUnicodeString(&link, text);
        (void)IoDeleteSymbolicLink(&link);
    }
    for (PDEVICE_OBJECT d : {g_state.device, g_state.raw})
        if (d) IoDeleteDevice(d);
}

NTSTATUS create_device(PDRIVER_OBJECT driver, const wchar_t* name, const wchar_t* link_name, ULONG flags,
                       PDEVICE_OBJECT* out) {
    UNICODE_STRING text;
    RtlInitUnicodeString(&text, name);
    NTSTATUS status = IoCreateDevice(driver, 0, &text, FILE_DEVICE_DISK, FILE_REMOVABLE_MEDIA, FALSE, out);
    if (!NT_SUCCESS(status)) return status;
    (*out)->Flags |= flags;
    (*out)->AlignmentRequirement = g_state.alignment.load();
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, link_name);
    return IoCreateSymbolicLink(&link, &text);
}

}  // namespace

NTSTATUS NTAPI information_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    for (auto& major : driver->MajorFunction) major = dispatch_request;
    driver->MajorFunction[IRP_MJ_CREATE] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_CLEANUP] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = dispatch_create_close;
    driver->DriverUnload = driver_unload;
    NTSTATUS status = create_device(driver, L"\\Device\\InfoDev", kLinks[0], DO_BUFFERED_IO, &g_state.device);
    if (NT_SUCCESS(status)) status = create_device(driver, L"\\Device\\InfoRaw", kLinks[1], 0, &g_state.raw);
    if (!NT_SUCCESS(status)) driver_unload(driver);
    return status;
}

void InformationTest::SetUp() {
    SystemTest::SetUp();
    g_state.reset();
    // The system work queue may add worker threads under the pended requests; those are no leak of
    // the test's, so the check below counts everything but threads.
    m_check_leaks = false;
    m_objects_at_setup = objects_but_threads();
    m_handles_at_setup = system().objects().handle_count();
    ASSERT_EQ(create_driver(L"InfoTest", information_driver_entry), STATUS_SUCCESS);
}

std::size_t InformationTest::objects_but_threads() {
    return system().objects().object_count() - system().objects().object_count(*PsThreadType);
}

void InformationTest::TearDown() {
    drain_work();
    unload_driver();
    // A work item's device reference goes just after its routine returns, on the worker thread.
    LARGE_INTEGER step;
    step.QuadPart = -10 * 1000;
    for (int i = 0; i < 10000 && objects_but_threads() > m_objects_at_setup; ++i)
        KeDelayExecutionThread(KernelMode, FALSE, &step);
    EXPECT_EQ(objects_but_threads(), m_objects_at_setup) << "objects leaked by the test";
    EXPECT_EQ(system().objects().handle_count(), m_handles_at_setup) << "handles leaked by the test";
    EXPECT_EQ(NtioIrpCount(), 0u) << "IRPs leaked by the test";
    EXPECT_EQ(NtioMdlCount(), 0u) << "MDLs leaked by the test";
    DriverTest::TearDown();
}

NTSTATUS InformationTest::open(const wchar_t* name, HANDLE* handle, ACCESS_MASK access, ULONG options) {
    UNICODE_STRING text;
    RtlInitUnicodeString(&text, name);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &text, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    return NtCreateFile(handle, access, &oa, &iosb, nullptr, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                        FILE_OPEN, options, nullptr, 0);
}

HANDLE InformationTest::open_sync(const wchar_t* name, ACCESS_MASK access) {
    HANDLE handle = nullptr;
    EXPECT_EQ(open(name, &handle, access | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT), STATUS_SUCCESS);
    return handle;
}

HANDLE InformationTest::open_async(const wchar_t* name, ACCESS_MASK access) {
    HANDLE handle = nullptr;
    EXPECT_EQ(open(name, &handle, access, 0), STATUS_SUCCESS);
    return handle;
}

void InformationTest::drain_work() {
    LARGE_INTEGER step;
    step.QuadPart = -10 * 1000;
    while (g_state.pending_work.load() != 0) KeDelayExecutionThread(KernelMode, FALSE, &step);
}

std::vector<Record> InformationTest::requests() {
    std::vector<Record> out;
    for (Record& r : g_state.take())
        if (r.major != IRP_MJ_CREATE && r.major != IRP_MJ_CLEANUP && r.major != IRP_MJ_CLOSE) out.push_back(std::move(r));
    return out;
}

}  // namespace ntio::test::info
