// The in-test file system of the oplock suites (oplock_test_fs.hpp): its dispatch routine, the
// completion routine that keeps each IRP, and the request builders.
#include "unit/fsrtl/oplock_test_fs.hpp"

namespace ntio::fsrtl::oplock_test {
namespace {

TestFs* g_fs = nullptr;

NTSTATUS complete(PIRP irp, NTSTATUS status) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

// The break the operation waited for is over: the operation "runs" now and completes.
VOID NTAPI break_done(PVOID context, PIRP irp) {
    static_cast<TestFs*>(context)->posted_back.fetch_add(1);
    (void)complete(irp, STATUS_SUCCESS);
}

NTSTATUS NTAPI fs_dispatch(PDEVICE_OBJECT, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    TestFs* fs = g_fs;
    if (sp->MajorFunction == IRP_MJ_FILE_SYSTEM_CONTROL) {
        NTSTATUS status = fs->lower_state == TestFs::kNotLayered
                              ? FsRtlOplockFsctrl(&fs->oplock, irp, fs->open_count)
                              : FsRtlUpperOplockFsctrl(&fs->oplock, irp, fs->open_count, fs->lower_state, 0);
        if (status == STATUS_PENDING) return status;
        return complete(irp, status);
    }
    NTSTATUS status = FsRtlCheckOplock(&fs->oplock, irp, fs, fs->post ? break_done : nullptr, nullptr);
    if (status == STATUS_PENDING) return status;
    return complete(irp, status);
}

NTSTATUS NTAPI keep_irp(PDEVICE_OBJECT, PIRP irp, PVOID context) {
    auto* r = static_cast<Request*>(context);
    r->iosb = irp->IoStatus;
    r->completions.fetch_add(1);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

}  // namespace

void OplockFsTest::SetUp() {
    SystemTest::SetUp();
    for (auto& f : m_driver.MajorFunction) f = fs_dispatch;
    m_device.Type = IO_TYPE_DEVICE;
    m_device.DriverObject = &m_driver;
    m_device.StackSize = 1;
    FsRtlInitializeOplock(&m_fs.oplock);
    g_fs = &m_fs;
}

void OplockFsTest::TearDown() {
    FsRtlUninitializeOplock(&m_fs.oplock);
    for (auto& r : m_requests) {
        EXPECT_EQ(r->completions.load(), 1) << "a request completed other than once";
        if (r->completed()) IoFreeIrp(r->irp);
    }
    g_fs = nullptr;
    SystemTest::TearDown();
}

Request& OplockFsTest::prepare(PFILE_OBJECT file, UCHAR major, ULONG code_or_class, ULONG create_options) {
    std::lock_guard<std::mutex> guard(m_requests_lock);
    m_requests.push_back(std::make_unique<Request>());
    Request& r = *m_requests.back();
    r.irp = IoAllocateIrp(1, FALSE);
    r.irp->AssociatedIrp.SystemBuffer = &r.buffer;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(r.irp);
    sp->MajorFunction = major;
    sp->FileObject = file;
    switch (major) {
    case IRP_MJ_FILE_SYSTEM_CONTROL:
        sp->MinorFunction = IRP_MN_USER_FS_REQUEST;
        sp->Parameters.FileSystemControl.FsControlCode = code_or_class;
        break;
    case IRP_MJ_SET_INFORMATION:
        sp->Parameters.SetFile.FileInformationClass = static_cast<FILE_INFORMATION_CLASS>(code_or_class);
        break;
    case IRP_MJ_CREATE:
        r.security.DesiredAccess = code_or_class;
        sp->Parameters.Create.SecurityContext = &r.security;
        sp->Parameters.Create.Options = create_options;
        sp->Parameters.Create.ShareAccess = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
        break;
    case IRP_MJ_READ:
    case IRP_MJ_WRITE:
        sp->Parameters.Read.Length = 16;
        break;
    default:
        break;
    }
    IoSetCompletionRoutine(r.irp, keep_irp, &r, TRUE, TRUE, TRUE);
    return r;
}

void OplockFsTest::dispatch(Request& r) { r.returned = IoCallDriver(&m_device, r.irp); }

Request& OplockFsTest::send(PFILE_OBJECT file, UCHAR major, ULONG code_or_class, ULONG create_options) {
    Request& r = prepare(file, major, code_or_class, create_options);
    dispatch(r);
    return r;
}

Request& OplockFsTest::win7(PFILE_OBJECT file, ULONG level, ULONG flags, USHORT version, ULONG input_length) {
    Request& r = prepare(file, IRP_MJ_FILE_SYSTEM_CONTROL, FSCTL_REQUEST_OPLOCK);
    r.buffer.input.StructureVersion = version;
    r.buffer.input.StructureLength = sizeof(REQUEST_OPLOCK_INPUT_BUFFER);
    r.buffer.input.RequestedOplockLevel = level;
    r.buffer.input.Flags = flags;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(r.irp);
    sp->Parameters.FileSystemControl.InputBufferLength = input_length;
    sp->Parameters.FileSystemControl.OutputBufferLength = sizeof(REQUEST_OPLOCK_OUTPUT_BUFFER);
    dispatch(r);
    return r;
}

}  // namespace ntio::fsrtl::oplock_test
