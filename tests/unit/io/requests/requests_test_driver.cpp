// The request suite's test driver, written the way a WDK driver writer writes one: DriverEntry
// fills MajorFunction[] (and FastIoDispatch when asked), creates the devices and a DOS link; each
// dispatch routine records the IRP, then completes it, passes it down (the filter) or marks it
// pending and hands it to a work item.
#include "unit/io/requests/requests_test_driver.hpp"

#include "ke/thread.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"

namespace ntio::io::requests_test {

DriverState g_state;

void DriverState::reset()
{
    std::lock_guard<std::mutex> guard(lock);
    records.clear();
    behaviour = Behaviour::echo;
    reply_length = 0;
    ret_status = STATUS_SUCCESS;
    iosb_status = STATUS_SUCCESS;
    pend = false;
    sector_size = 0;
    rw_status = STATUS_SUCCESS;
    rw_information = 0;
    rw_pend = false;
    fast_io = false;
    cached = false;
    fast_result = FALSE;
    fast_status = STATUS_SUCCESS;
    fast_information = 0;
    fast_calls = 0;
    fast_buffer = nullptr;
    fast_offset = nullptr;
    fast_iosb = nullptr;
    fast_key = 0;
    filter = false;
    buffered = direct = neither = filter_device = nullptr;
    pending_work = 0;
    in_flight = 0;
    max_in_flight = 0;
}

std::vector<Record> DriverState::take()
{
    std::lock_guard<std::mutex> guard(lock);
    return std::exchange(records, {});
}

namespace {

// Stands in for a cache map: only its address matters (the I/O manager tests it for non-NULL).
int g_private_cache_map;

void record(PDEVICE_OBJECT device, PIRP irp, std::string input = {})
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    Record r;
    r.major = sp->MajorFunction;
    r.minor = sp->MinorFunction;
    r.device = device;
    r.stack_device = sp->DeviceObject;
    r.file = sp->FileObject;
    r.file_device = sp->FileObject ? sp->FileObject->DeviceObject : nullptr;
    r.user_event = irp->UserEvent;
    r.thread = irp->Tail.Overlay.Thread;
    r.on_calling_thread = irp->Tail.Overlay.Thread == PsGetCurrentThread();
    r.requestor_is_current = IoGetRequestorProcess(irp) == IoGetCurrentProcess();
    r.requestor = irp->RequestorMode;
    r.flags = irp->Flags;
    r.system_buffer = irp->AssociatedIrp.SystemBuffer;
    r.user_buffer = irp->UserBuffer;
    r.mdl = irp->MdlAddress;
    r.mdl_byte_count = irp->MdlAddress ? MmGetMdlByteCount(irp->MdlAddress) : 0;
    if (sp->MajorFunction == IRP_MJ_DEVICE_CONTROL || sp->MajorFunction == IRP_MJ_FILE_SYSTEM_CONTROL) {
        r.type3 = sp->Parameters.DeviceIoControl.Type3InputBuffer;
        r.code = sp->Parameters.DeviceIoControl.IoControlCode;
        r.input_length = sp->Parameters.DeviceIoControl.InputBufferLength;
        r.output_length = sp->Parameters.DeviceIoControl.OutputBufferLength;
    } else if (sp->MajorFunction == IRP_MJ_READ || sp->MajorFunction == IRP_MJ_WRITE) {
        r.length = sp->Parameters.Read.Length;
        r.key = sp->Parameters.Read.Key;
        r.offset = sp->Parameters.Read.ByteOffset.QuadPart;
    }
    r.input = std::move(input);
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

// Where the reply goes for each method: the system buffer, the output MDL or the raw pointer.
PVOID output_of(PIRP irp, ULONG method)
{
    switch (method) {
    case METHOD_BUFFERED: return irp->AssociatedIrp.SystemBuffer;
    case METHOD_NEITHER: return irp->UserBuffer;
    default:
        return irp->MdlAddress ? MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute)
                               : nullptr;
    }
}

// Series E: the dispatch writes "ghijkl", reports 3 bytes and iosb_status, optionally marks the IRP
// pending, completes it and returns ret_status.
NTSTATUS matrix_reply(PIRP irp, ULONG method, ULONG output_length)
{
    if (PVOID out = output_of(irp, method); out && output_length >= 6) std::memcpy(out, "ghijkl", 6);
    irp->IoStatus.Status = g_state.iosb_status.load();
    irp->IoStatus.Information = 3;
    if (g_state.pend.load()) IoMarkIrpPending(irp);
    const NTSTATUS ret = g_state.ret_status.load();
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return ret;
}

// METHOD_NEITHER the way S9 drivers do it: probe the raw input, lock the raw output in an MDL of
// our own, map it, write, unlock.
NTSTATUS neither_reply(PIRP irp, PIO_STACK_LOCATION sp, std::string& input)
{
    const ULONG in_length = sp->Parameters.DeviceIoControl.InputBufferLength;
    const ULONG out_length = sp->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID in = sp->Parameters.DeviceIoControl.Type3InputBuffer;
    volatile NTSTATUS status = STATUS_SUCCESS;
    __try {
        if (in_length) {
            if (irp->RequestorMode != KernelMode) ProbeForRead(in, in_length, 1);
            input.assign(static_cast<const char*>(in), std::min<ULONG>(in_length, 16));
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (status != STATUS_SUCCESS || !out_length) return status;
    PMDL mdl = IoAllocateMdl(irp->UserBuffer, out_length, FALSE, FALSE, nullptr);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, irp->RequestorMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (status != STATUS_SUCCESS) {
        IoFreeMdl(mdl);
        return status;
    }
    if (PVOID out = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute))
        std::memset(out, 'R', std::min(out_length, g_state.reply_length.load()));
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}

// One more request between dispatch and completion; keeps the highest count seen.
void note_in_flight()
{
    const int now = ++g_state.in_flight;
    int seen = g_state.max_in_flight.load();
    while (now > seen && !g_state.max_in_flight.compare_exchange_weak(seen, now)) {
    }
}

VOID NTAPI finish_from_work_item(PDEVICE_OBJECT, PVOID context)
{
    auto* irp = static_cast<PIRP>(context);
    auto* item = static_cast<PIO_WORKITEM>(irp->Tail.Overlay.DriverContext[0]);
    --g_state.in_flight;
    complete(irp, STATUS_SUCCESS, 0);
    IoFreeWorkItem(item);
    --g_state.pending_work;
}

NTSTATUS NTAPI dispatch_control(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    const ULONG code = sp->Parameters.DeviceIoControl.IoControlCode;
    const ULONG method = code & 3;
    const ULONG in_length = sp->Parameters.DeviceIoControl.InputBufferLength;
    const ULONG out_length = sp->Parameters.DeviceIoControl.OutputBufferLength;
    const Behaviour behaviour = g_state.behaviour.load();
    std::string input;
    if (method != METHOD_NEITHER && in_length && irp->AssociatedIrp.SystemBuffer)
        input.assign(static_cast<const char*>(irp->AssociatedIrp.SystemBuffer), std::min<ULONG>(in_length, 16));
    if (method == METHOD_IN_DIRECT && irp->MdlAddress) {
        // IN_DIRECT: the driver reads the caller's "output" buffer through the MDL (NT fact S8).
        auto* out = static_cast<const char*>(MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority));
        if (out) input.assign(out, std::min<ULONG>(out_length, 16));
    }

    if (behaviour == Behaviour::matrix) {
        record(device, irp, input);
        return matrix_reply(irp, method, out_length);
    }
    if (behaviour == Behaviour::counted) {
        record(device, irp, input);
        note_in_flight();
        --g_state.in_flight;
        return complete(irp, STATUS_SUCCESS, 0);
    }
    if (behaviour == Behaviour::work_item) {
        record(device, irp, input);
        PIO_WORKITEM item = IoAllocateWorkItem(device);
        if (!item) return complete(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        irp->Tail.Overlay.DriverContext[0] = item;
        ++g_state.pending_work;
        note_in_flight();
        IoMarkIrpPending(irp);
        IoQueueWorkItem(item, finish_from_work_item, DelayedWorkQueue, irp);
        return STATUS_PENDING;
    }
    const ULONG reply = g_state.reply_length.load();
    switch (method) {
    case METHOD_BUFFERED:
        // Writes the whole output length but reports only `reply` bytes (NT fact S6).
        if (out_length) std::memset(irp->AssociatedIrp.SystemBuffer, 'R', out_length);
        record(device, irp, input);
        return complete(irp, STATUS_SUCCESS, std::min(reply, out_length));
    case METHOD_OUT_DIRECT:
        // Writes every byte of the MDL, reports `reply` (NT fact S7).
        if (PVOID out = output_of(irp, method)) std::memset(out, 'R', out_length);
        if (irp->AssociatedIrp.SystemBuffer && in_length) std::memset(irp->AssociatedIrp.SystemBuffer, 'X', in_length);
        record(device, irp, input);
        return complete(irp, STATUS_SUCCESS, reply);
    case METHOD_IN_DIRECT:
        // Reports the full MDL length (NT fact S8); scribbles on the system buffer, which must
        // not reach the caller.
        if (irp->AssociatedIrp.SystemBuffer && in_length) std::memset(irp->AssociatedIrp.SystemBuffer, 'X', in_length);
        record(device, irp, input);
        return complete(irp, STATUS_SUCCESS, irp->MdlAddress ? MmGetMdlByteCount(irp->MdlAddress) : 0);
    default: {
        NTSTATUS status = neither_reply(irp, sp, input);
        record(device, irp, input);
        return complete(irp, status, NT_SUCCESS(status) ? std::min(reply, out_length) : 0);
    }
    }
}

// Reads a caller's bytes one at a time, as a file system's copy would; a bad pointer (NULL
// included, which is what the neither-write test hands over) faults into the caller's __try. Not
// instrumented by the sanitizers: the fault is the point.
__attribute__((no_sanitize("address", "undefined"))) void read_caller_bytes(std::string& out, const volatile char* p,
                                                                          ULONG n) {
    for (ULONG i = 0; i < n; ++i) out.push_back(p[i]);
}

NTSTATUS NTAPI dispatch_read_write(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    const ULONG length = sp->Parameters.Read.Length;
    std::string input;
    PVOID buffer = (device->Flags & DO_BUFFERED_IO) ? irp->AssociatedIrp.SystemBuffer : irp->UserBuffer;
    if (irp->MdlAddress) buffer = MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority);
    if (sp->MajorFunction == IRP_MJ_WRITE && length && !(device->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO))) {
        // Neither: the caller's own pointer, read the way a file system reads it, inside __try with
        // a fault reported as STATUS_INVALID_USER_BUFFER (FsRtlNormalizeNtstatus's answer for an
        // unexpected exception).
        volatile bool faulted = false;
        __try {
            if (irp->RequestorMode != KernelMode) ProbeForRead(buffer, length, 1);
            read_caller_bytes(input, static_cast<const volatile char*>(buffer), std::min<ULONG>(length, 16));
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            faulted = true;
        }
        if (faulted) {
            record(device, irp, input);
            return complete(irp, STATUS_INVALID_USER_BUFFER, 0);
        }
    } else if (sp->MajorFunction == IRP_MJ_WRITE && buffer && length) {
        input.assign(static_cast<const char*>(buffer), std::min<ULONG>(length, 16));
    } else if (sp->MajorFunction == IRP_MJ_READ && buffer && length && (device->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO))) {
        std::memset(buffer, 'd', std::min<ULONG>(length, g_state.rw_information.load()));
    }
    record(device, irp, input);
    irp->IoStatus.Status = g_state.rw_status.load();
    irp->IoStatus.Information = g_state.rw_information.load();
    if (g_state.rw_pend.load()) {
        IoMarkIrpPending(irp);
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return STATUS_PENDING;
    }
    const NTSTATUS status = irp->IoStatus.Status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS NTAPI dispatch_file_system_control(PDEVICE_OBJECT device, PIRP irp)
{
    record(device, irp);
    return matrix_reply(irp, IoGetCurrentIrpStackLocation(irp)->Parameters.FileSystemControl.FsControlCode & 3,
                        IoGetCurrentIrpStackLocation(irp)->Parameters.FileSystemControl.OutputBufferLength);
}

NTSTATUS NTAPI dispatch_create_close(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (sp->MajorFunction == IRP_MJ_CREATE && g_state.cached.load()) sp->FileObject->PrivateCacheMap = &g_private_cache_map;
    if (sp->MajorFunction == IRP_MJ_CLEANUP) sp->FileObject->PrivateCacheMap = nullptr;
    (void)device;
    return complete(irp, STATUS_SUCCESS, 0);
}

NTSTATUS NTAPI route(PDEVICE_OBJECT device, PIRP irp)
{
    if (device == g_state.filter_device) {
        record(device, irp);
        IoSkipCurrentIrpStackLocation(irp);
        return IoCallDriver(static_cast<PDEVICE_OBJECT*>(device->DeviceExtension)[0], irp);
    }
    switch (IoGetCurrentIrpStackLocation(irp)->MajorFunction) {
    case IRP_MJ_DEVICE_CONTROL: return dispatch_control(device, irp);
    case IRP_MJ_READ:
    case IRP_MJ_WRITE: return dispatch_read_write(device, irp);
    case IRP_MJ_FILE_SYSTEM_CONTROL: return dispatch_file_system_control(device, irp);
    default: return dispatch_create_close(device, irp);
    }
}

BOOLEAN NTAPI fast_read_write(PFILE_OBJECT, PLARGE_INTEGER offset, ULONG, BOOLEAN, ULONG key, PVOID buffer,
                              PIO_STATUS_BLOCK iosb, PDEVICE_OBJECT)
{
    ++g_state.fast_calls;
    g_state.fast_buffer = buffer;
    g_state.fast_offset = offset;
    g_state.fast_iosb = iosb;
    g_state.fast_key = key;
    iosb->Status = g_state.fast_status.load();
    iosb->Information = g_state.fast_information.load();
    return g_state.fast_result.load();
}

BOOLEAN NTAPI fast_device_control(PFILE_OBJECT, BOOLEAN, PVOID, ULONG, PVOID output, ULONG, ULONG,
                                  PIO_STATUS_BLOCK iosb, PDEVICE_OBJECT)
{
    ++g_state.fast_calls;
    g_state.fast_buffer = output;
    g_state.fast_iosb = iosb;
    iosb->Status = g_state.fast_status.load();
    iosb->Information = g_state.fast_information.load();
    return g_state.fast_result.load();
}

FAST_IO_DISPATCH g_fast_io;

const wchar_t* const kLinks[] = {L"\\DosDevices\\ReqBuffered", L"\\DosDevices\\ReqDirect", L"\\DosDevices\\ReqNeither"};

VOID NTAPI driver_unload(PDRIVER_OBJECT)
{
    for (const wchar_t* text : kLinks) {
        UNICODE_STRING link;
        RtlInitUnicodeString(&link, text);
        (void)IoDeleteSymbolicLink(&link);
    }
    if (g_state.filter_device) {
        IoDetachDevice(g_state.buffered);
        IoDeleteDevice(g_state.filter_device);
    }
    for (PDEVICE_OBJECT d : {g_state.buffered, g_state.direct, g_state.neither})
        if (d) IoDeleteDevice(d);
}

NTSTATUS create_device(PDRIVER_OBJECT driver, const wchar_t* name, const wchar_t* link_name, ULONG flags,
                       PDEVICE_OBJECT* out)
{
    UNICODE_STRING text;
    RtlInitUnicodeString(&text, name);
    NTSTATUS status = IoCreateDevice(driver, 0, &text, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE, out);
    if (!NT_SUCCESS(status)) return status;
    (*out)->Flags |= flags;
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, link_name);
    return IoCreateSymbolicLink(&link, &text);
}

}  // namespace

NTSTATUS NTAPI requests_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    for (auto& major : driver->MajorFunction) major = route;
    driver->DriverUnload = driver_unload;
    if (g_state.fast_io.load()) {
        std::memset(&g_fast_io, 0, sizeof(g_fast_io));
        g_fast_io.SizeOfFastIoDispatch = sizeof(g_fast_io);
        g_fast_io.FastIoRead = fast_read_write;
        g_fast_io.FastIoWrite = fast_read_write;
        g_fast_io.FastIoDeviceControl = fast_device_control;
        driver->FastIoDispatch = &g_fast_io;
    }
    NTSTATUS status = create_device(driver, L"\\Device\\ReqBuffered", kLinks[0], DO_BUFFERED_IO, &g_state.buffered);
    if (NT_SUCCESS(status)) status = create_device(driver, L"\\Device\\ReqDirect", kLinks[1], DO_DIRECT_IO, &g_state.direct);
    if (NT_SUCCESS(status) && g_state.sector_size.load()) {
        // What a disk driver sets: the sector size and the buffer alignment its hardware needs.
        g_state.direct->SectorSize = static_cast<USHORT>(g_state.sector_size.load());
        g_state.direct->AlignmentRequirement = FILE_WORD_ALIGNMENT;
    }
    if (NT_SUCCESS(status)) status = create_device(driver, L"\\Device\\ReqNeither", kLinks[2], 0, &g_state.neither);
    if (NT_SUCCESS(status) && g_state.filter.load()) {
        PDEVICE_OBJECT filter = nullptr;
        status = IoCreateDevice(driver, sizeof(PDEVICE_OBJECT), nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &filter);
        if (NT_SUCCESS(status)) {
            static_cast<PDEVICE_OBJECT*>(filter->DeviceExtension)[0] = IoAttachDeviceToDeviceStack(filter, g_state.buffered);
            filter->Flags |= DO_BUFFERED_IO;
            g_state.filter_device = filter;
        }
    }
    if (!NT_SUCCESS(status)) driver_unload(driver);
    return status;
}

PreviousModeScope::PreviousModeScope(KPROCESSOR_MODE mode) : m_saved(ke::set_previous_mode(mode)) {}
PreviousModeScope::~PreviousModeScope() { ke::set_previous_mode(m_saved); }

void RequestsTest::SetUp()
{
    SystemTest::SetUp();
    g_state.reset();
    // The fixture's leak check counts threads too; this suite checks everything else itself.
    m_check_leaks = false;
    m_objects_at_setup = objects_but_threads();
    m_handles_at_setup = system().objects().handle_count();
}

std::size_t RequestsTest::objects_but_threads()
{
    return system().objects().object_count() - system().objects().object_count(*PsThreadType);
}

void RequestsTest::TearDown()
{
    drain_work();
    unload_driver();
    // IoQueueWorkItem keeps the device referenced until just after the driver's routine returns,
    // on the worker thread: give the last of those references a moment to go. A real leak still
    // fails below once the bound runs out.
    LARGE_INTEGER step;
    step.QuadPart = -10 * 1000;  // 1 ms
    for (int i = 0; i < 10000 && objects_but_threads() > m_objects_at_setup; ++i)
        KeDelayExecutionThread(KernelMode, FALSE, &step);
    EXPECT_EQ(objects_but_threads(), m_objects_at_setup) << "objects leaked by the test";
    EXPECT_EQ(system().objects().handle_count(), m_handles_at_setup) << "handles leaked by the test";
    EXPECT_EQ(NtioIrpCount(), 0u) << "IRPs leaked by the test";
    EXPECT_EQ(NtioMdlCount(), 0u) << "MDLs leaked by the test";
    DriverTest::TearDown();
}

void RequestsTest::load()
{
    ASSERT_EQ(create_driver(L"ReqTest", requests_driver_entry), STATUS_SUCCESS);
}

NTSTATUS RequestsTest::open(const wchar_t* name, HANDLE* handle, ACCESS_MASK access, ULONG options)
{
    UNICODE_STRING text;
    RtlInitUnicodeString(&text, name);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &text, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    return NtCreateFile(handle, access, &oa, &iosb, nullptr, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, options,
                        nullptr, 0);
}

HANDLE RequestsTest::open_sync(const wchar_t* name, ACCESS_MASK access)
{
    HANDLE handle = nullptr;
    EXPECT_EQ(open(name, &handle, access, FILE_SYNCHRONOUS_IO_NONALERT), STATUS_SUCCESS);
    return handle;
}

HANDLE RequestsTest::open_async(const wchar_t* name, ACCESS_MASK access)
{
    HANDLE handle = nullptr;
    EXPECT_EQ(open(name, &handle, access, 0), STATUS_SUCCESS);
    return handle;
}

HANDLE RequestsTest::create_event(BOOLEAN signalled)
{
    HANDLE event = nullptr;
    EXPECT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, signalled), STATUS_SUCCESS);
    return event;
}

bool RequestsTest::event_signalled(HANDLE event)
{
    PVOID object = nullptr;
    EXPECT_EQ(ObReferenceObjectByHandle(event, 0, *ExEventObjectType, KernelMode, &object, nullptr), STATUS_SUCCESS);
    if (!object) return false;
    const bool state = KeReadStateEvent(static_cast<PKEVENT>(object)) != 0;
    ObDereferenceObject(object);
    return state;
}

PFILE_OBJECT RequestsTest::file_of(HANDLE handle)
{
    PVOID object = nullptr;
    EXPECT_EQ(ObReferenceObjectByHandle(handle, 0, *IoFileObjectType, KernelMode, &object, nullptr), STATUS_SUCCESS);
    if (object) ObDereferenceObject(object);
    return static_cast<PFILE_OBJECT>(object);
}

void RequestsTest::drain_work()
{
    LARGE_INTEGER step;
    step.QuadPart = -10 * 1000;  // 1 ms
    while (g_state.pending_work.load() != 0) KeDelayExecutionThread(KernelMode, FALSE, &step);
}

}  // namespace ntio::io::requests_test
