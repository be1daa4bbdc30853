// File objects through the device: one IRP_MJ_CREATE per open, CLEANUP with the last handle (in
// the closing process), CLOSE with the last reference, the remaining name, names through the
// driver, direct device opens, exclusive devices and the open refusals.
#include "unit/io/files/files_test_driver.hpp"

#include <algorithm>

#include "io/file_object.hpp"
#include "io/objects.hpp"
#include "ke/thread.hpp"
#include "ob/object_manager.hpp"

namespace ntio::io::files_test {
namespace {

class PreviousModeScope {
public:
    explicit PreviousModeScope(KPROCESSOR_MODE mode) : m_saved(ke::set_previous_mode(mode)) {}
    ~PreviousModeScope() { ke::set_previous_mode(m_saved); }

private:
    KPROCESSOR_MODE m_saved;
};

std::vector<UCHAR> majors(const std::vector<Record>& records, PDEVICE_OBJECT device)
{
    std::vector<UCHAR> out;
    for (const Record& r : records)
        if (r.device == device) out.push_back(r.major);
    return out;
}

// NT fact K1: one CREATE per open with a new file object; duplicating a handle sends nothing; the
// FsContext set at create is the file object's and is seen through the duplicate.
TEST_F(FilesTest, each_open_sends_one_create_and_duplicates_send_nothing)
{
    load();
    HANDLE a = nullptr, b = nullptr, dup = nullptr;
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a), STATUS_SUCCESS);
    ASSERT_EQ(open(L"\\Device\\FilesTest", &b), STATUS_SUCCESS);
    std::vector<Record> creates = g_state.take();
    ASSERT_EQ(creates.size(), 2u);
    EXPECT_EQ(creates[0].major, IRP_MJ_CREATE);
    EXPECT_NE(creates[0].file, creates[1].file);
    EXPECT_EQ(creates[0].file, file_of(a));
    EXPECT_EQ(creates[1].file, file_of(b));

    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), a, NtCurrentProcess(), &dup, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    EXPECT_TRUE(g_state.take().empty());
    EXPECT_EQ(file_of(dup), file_of(a));
    EXPECT_NE(file_of(dup)->FsContext, nullptr);
    EXPECT_EQ(file_of(dup)->FsContext, file_of(a)->FsContext);
    EXPECT_NE(file_of(a)->FsContext, file_of(b)->FsContext);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(dup), STATUS_SUCCESS);
}

// NT facts K2, K3: closing a duplicate sends nothing; the last handle sends CLEANUP, then the last
// reference CLOSE; FsContext is NULL when CREATE arrives.
TEST_F(FilesTest, last_handle_sends_cleanup_then_close_and_fscontext_starts_null)
{
    load();
    HANDLE a = nullptr, dup = nullptr;
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a), STATUS_SUCCESS);
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), a, NtCurrentProcess(), &dup, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    PFILE_OBJECT file = file_of(a);
    ObReferenceObject(file);  // a reference that outlives the handles
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_CREATE);
    EXPECT_EQ(records[0].fs_context, nullptr);

    EXPECT_EQ(NtClose(dup), STATUS_SUCCESS);
    records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_CLEANUP);
    EXPECT_EQ(records[0].file, file);
    EXPECT_NE(records[0].fs_context, nullptr);

    ObDereferenceObject(file);
    records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_CLOSE);
    EXPECT_EQ(records[0].file, file);
}

// The last reference dropped at DISPATCH_LEVEL (a completion path can do that): the CLOSE still
// reaches the driver, at PASSIVE_LEVEL from a worker, and the device loses the open.
TEST_F(FilesTest, last_reference_at_dispatch_level_still_closes)
{
    load();
    HANDLE a = nullptr;
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a), STATUS_SUCCESS);
    PFILE_OBJECT file = file_of(a);
    ObReferenceObject(file);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ObDereferenceObject(file);
    KeLowerIrql(old);
    // Hang guard only: the worker normally finishes at once.
    auto opens = [] { return __atomic_load_n(&g_state.device->ReferenceCount, __ATOMIC_ACQUIRE); };
    for (int i = 0; i < 10000 && (g_state.count(IRP_MJ_CLOSE) == 0 || opens() != 0); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(g_state.count(IRP_MJ_CLOSE), 1u);
    EXPECT_EQ(opens(), 0);
}

// NT facts K2, S3: a driver with only CREATE and CLOSE routines still closes its handles.
TEST_F(FilesTest, driver_without_cleanup_routine_still_closes)
{
    load(minimal_driver_entry);
    HANDLE a = nullptr, b = nullptr;
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a), STATUS_SUCCESS);
    ASSERT_EQ(open(L"\\Device\\FilesTest", &b), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    EXPECT_EQ(majors(records, g_state.device),
              (std::vector<UCHAR>{IRP_MJ_CREATE, IRP_MJ_CREATE, IRP_MJ_CLOSE, IRP_MJ_CLOSE}));
    EXPECT_NE(records[2].file, records[3].file);
}

// NT fact K4: the text after the device name reaches the driver in FileObject->FileName.
TEST_F(FilesTest, remaining_name_is_delivered_in_file_name)
{
    load();
    HANDLE a = nullptr, b = nullptr;
    ASSERT_EQ(open(L"\\??\\FilesTest", &a), STATUS_SUCCESS);
    ASSERT_EQ(open(L"\\??\\FilesTest\\subfile", &b), STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_TRUE(records[0].name.empty());
    EXPECT_EQ(file_of(a)->FileName.Length, 0);
    EXPECT_EQ(records[1].name, u"\\subfile");
    EXPECT_EQ(file_of(b)->FileName.MaximumLength, sizeof(L"\\subfile"));
    NtClose(a);
    NtClose(b);
}

// NT fact K4: `\\.\Dev\` opens the device with the name `\`.
TEST_F(FilesTest, trailing_backslash_is_delivered_as_backslash)
{
    load();
    HANDLE a = nullptr;
    ASSERT_EQ(open(L"\\??\\FilesTest\\", &a), STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].name, u"\\");
    NtClose(a);
}

// NT fact K4: FILE_DEVICE_SECURE_OPEN does not stop sub-path opens (the driver decides).
TEST_F(FilesTest, secure_open_device_accepts_sub_path_opens)
{
    g_state.characteristics = FILE_DEVICE_SECURE_OPEN;
    load();
    HANDLE a = nullptr;
    ASSERT_EQ(open(L"\\Device\\FilesTest\\subfile", &a), STATUS_SUCCESS);
    EXPECT_EQ(g_state.take().at(0).name, u"\\subfile");
    NtClose(a);
}

// NT fact K4 and S4 (FILE_DEVICE_SECURE_OPEN): with the flag, the device's descriptor guards
// sub-path opens too, so a caller the descriptor refuses cannot reach the device through a
// trailing name. Without it, only the device open itself is checked and the driver decides the
// rest. Kernel-mode opens are not checked unless they force it (IO_FORCE_ACCESS_CHECK). A disk (a
// device with a VPB) on which no file system is mounted is guarded the same way: its names are the
// disk driver's, not a file system's.
TEST_F(FilesTest, secure_open_applies_the_device_descriptor_to_sub_path_opens)
{
    for (ULONG characteristics : {ULONG{FILE_DEVICE_SECURE_OPEN}, ULONG{0}, ULONG{FILE_DEVICE_SECURE_OPEN | 0x10000}}) {
        SCOPED_TRACE(characteristics);
        // 0x10000 (not a characteristic): the same on a FILE_DEVICE_DISK device.
        g_state.device_type = (characteristics & 0x10000) ? FILE_DEVICE_DISK : FILE_DEVICE_UNKNOWN;
        characteristics &= ~ULONG{0x10000};
        g_state.characteristics = characteristics;
        g_state.sddl = L"D:P(A;;GA;;;SY)";  // SYSTEM only: the test's user token is refused
        load();
        HANDLE h = nullptr;
        {
            PreviousModeScope user(UserMode);
            EXPECT_EQ(open(L"\\Device\\FilesTest", &h), STATUS_ACCESS_DENIED);
            NTSTATUS sub = open(L"\\Device\\FilesTest\\subfile", &h);
            if (characteristics & FILE_DEVICE_SECURE_OPEN) {
                EXPECT_EQ(sub, STATUS_ACCESS_DENIED);
                EXPECT_EQ(open(L"\\Device\\FilesTest\\", &h), STATUS_ACCESS_DENIED);
            } else {
                ASSERT_EQ(sub, STATUS_SUCCESS);
                EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
            }
        }
        std::vector<Record> records = g_state.take();
        const std::size_t creates = std::count_if(records.begin(), records.end(),
                                                  [](const Record& r) { return r.major == IRP_MJ_CREATE; });
        EXPECT_EQ(creates, (characteristics & FILE_DEVICE_SECURE_OPEN) ? 0u : 1u);  // refusals never reach it
        {
            PreviousModeScope kernel(KernelMode);  // a driver's open: not checked
            ASSERT_EQ(open(L"\\Device\\FilesTest", &h), STATUS_SUCCESS);
            EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        }
        unload_driver();
        g_state.reset();
    }
}

// NT facts S2, K8: the disposition and options reach the driver unchanged; the IOSB carries the
// driver's Information; the create has an access state and the desired access.
TEST_F(FilesTest, create_parameters_reach_the_driver_unchanged)
{
    load();
    g_state.create_information = FILE_CREATED;
    HANDLE a = nullptr;
    IO_STATUS_BLOCK iosb{};
    iosb.Information = 0xdead;
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, FILE_OVERWRITE_IF,
                   FILE_SYNCHRONOUS_IO_ALERT | FILE_WRITE_THROUGH, 0, &iosb),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, static_cast<ULONG_PTR>(FILE_CREATED));
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    const Record& r = records[0];
    EXPECT_EQ(r.options >> 24, static_cast<ULONG>(FILE_OVERWRITE_IF));
    EXPECT_EQ(r.options & FILE_VALID_OPTION_FLAGS, static_cast<ULONG>(FILE_SYNCHRONOUS_IO_ALERT | FILE_WRITE_THROUGH));
    EXPECT_EQ(r.share, 0);
    EXPECT_TRUE(r.access_state);
    EXPECT_EQ(r.desired, static_cast<ACCESS_MASK>(GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE));
    EXPECT_EQ(r.type, IO_TYPE_FILE);
    EXPECT_EQ(r.size, static_cast<CSHORT>(sizeof(FILE_OBJECT)));
    EXPECT_EQ(r.fo_flags & (FO_SYNCHRONOUS_IO | FO_ALERTABLE_IO | FO_WRITE_THROUGH),
              static_cast<ULONG>(FO_SYNCHRONOUS_IO | FO_ALERTABLE_IO | FO_WRITE_THROUGH));
    EXPECT_EQ(r.sl_flags & SL_CASE_SENSITIVE, 0);
    EXPECT_EQ(r.thread, PsGetCurrentThread());
    EXPECT_EQ(r.process, PsGetCurrentProcess());
    PFILE_OBJECT file = file_of(a);
    EXPECT_EQ(file->DeviceObject, g_state.device);
    EXPECT_EQ(KeReadStateEvent(&file->Event), 1);  // NT fact H1: an idle file is signalled
    NtClose(a);
}

TEST_F(FilesTest, case_sensitive_open_sets_the_stack_flag)
{
    load();
    HANDLE a = nullptr;
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a, FILE_READ_DATA, FILE_OPEN, 0, 0, nullptr, 0), STATUS_SUCCESS);
    const Record r = g_state.take().at(0);
    EXPECT_NE(r.sl_flags & SL_CASE_SENSITIVE, 0);
    EXPECT_NE(r.fo_flags & FO_OPENED_CASE_SENSITIVE, 0u);
    NtClose(a);
}

// A create the driver fails: the caller gets its status, the IOSB stays untouched and the file
// object goes without CLEANUP or CLOSE.
TEST_F(FilesTest, failed_create_returns_the_status_and_sends_no_close)
{
    load();
    g_state.create_status = STATUS_ACCESS_DENIED;
    HANDLE a = reinterpret_cast<HANDLE>(0x1234);
    IO_STATUS_BLOCK iosb{};
    iosb.Status = 0x5555;
    EXPECT_EQ(open(L"\\Device\\FilesTest", &a, FILE_READ_DATA, FILE_OPEN, 0, 0, &iosb), STATUS_ACCESS_DENIED);
    EXPECT_EQ(iosb.Status, 0x5555);
    std::vector<Record> records = g_state.take();
    EXPECT_EQ(majors(records, g_state.device), std::vector<UCHAR>{IRP_MJ_CREATE});
}

// A create the driver pends and completes later from a worker: the open waits for it.
TEST_F(FilesTest, pending_create_is_waited_for)
{
    load();
    g_state.pend_creates = true;
    g_state.create_information = FILE_OPENED;
    HANDLE a = nullptr;
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a, FILE_READ_DATA, FILE_OPEN, 0, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, static_cast<ULONG_PTR>(FILE_OPENED));
    NtClose(a);
    g_state.pend_creates = false;
    g_state.create_status = STATUS_NO_SUCH_FILE;
    g_state.pend_creates = true;
    EXPECT_EQ(open(L"\\Device\\FilesTest", &a), STATUS_NO_SUCH_FILE);
}

// NT facts K5, K6: object names of device opens, through the driver for sub-path opens.
TEST_F(FilesTest, query_name_of_device_and_sub_path_opens)
{
    load();
    HANDLE device = nullptr, file = nullptr;
    ASSERT_EQ(open(L"\\??\\FilesTest", &device), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[200];
    auto* info = reinterpret_cast<POBJECT_NAME_INFORMATION>(buffer);
    ULONG size = 0;
    ASSERT_EQ(NtQueryObject(device, ObjectNameInformation, buffer, sizeof(buffer), &size), STATUS_SUCCESS);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(info->Name.Buffer), info->Name.Length / 2),
              u"\\Device\\FilesTest");
    EXPECT_EQ(g_state.count(IRP_MJ_QUERY_INFORMATION), 0u);

    ASSERT_EQ(NtQueryObject(device, ObjectTypeInformation, buffer, sizeof(buffer), nullptr), STATUS_SUCCESS);
    auto* type = reinterpret_cast<POBJECT_TYPE_INFORMATION>(buffer);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(type->TypeName.Buffer), type->TypeName.Length / 2),
              u"File");

    ASSERT_EQ(open(L"\\??\\FilesTest\\subfile", &file, 0), STATUS_SUCCESS);
    const ULONG full = sizeof(OBJECT_NAME_INFORMATION) + sizeof(L"\\Device\\FilesTest\\subfile");
    std::memset(buffer, 0xcc, sizeof(buffer));
    (void)g_state.take();
    ASSERT_EQ(NtQueryObject(file, ObjectNameInformation, buffer, sizeof(buffer), &size), STATUS_SUCCESS);
    EXPECT_EQ(size, full);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(info->Name.Buffer), info->Name.Length / 2),
              u"\\Device\\FilesTest\\subfile");
    EXPECT_EQ(g_state.count(IRP_MJ_QUERY_INFORMATION), 1u);  // one question to the driver per query

    std::memset(buffer, 0xcc, sizeof(buffer));
    EXPECT_EQ(NtQueryObject(file, ObjectNameInformation, buffer, full - 2, &size), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(size, full);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(info->Name.Buffer), info->Name.Length / 2),
              u"\\Device\\FilesTest\\subfil");

    EXPECT_EQ(NtQueryObject(file, ObjectNameInformation, buffer, sizeof(OBJECT_NAME_INFORMATION), &size),
              STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(size, full);
    NtClose(device);
    NtClose(file);
}

TEST_F(FilesTest, query_name_falls_back_or_fails_as_the_driver_answers)
{
    load();
    alignas(8) unsigned char buffer[200];
    auto* info = reinterpret_cast<POBJECT_NAME_INFORMATION>(buffer);
    struct Case {
        const wchar_t* name;
        NTSTATUS expected;
    };
    for (Case c : {Case{L"\\Device\\FilesTest\\notimpl", STATUS_SUCCESS}, Case{L"\\Device\\FilesTest\\badparam", STATUS_SUCCESS},
                   Case{L"\\Device\\FilesTest\\genfail", STATUS_UNSUCCESSFUL},
                   Case{L"\\Device\\FilesTest\\badtype", STATUS_OBJECT_TYPE_MISMATCH}}) {
        HANDLE h = nullptr;
        ASSERT_EQ(open(c.name, &h, 0), STATUS_SUCCESS);
        EXPECT_EQ(NtQueryObject(h, ObjectNameInformation, buffer, sizeof(buffer), nullptr), c.expected);
        if (c.expected == STATUS_SUCCESS) {
            EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(info->Name.Buffer), info->Name.Length / 2),
                      u"\\Device\\FilesTest");
        }
        NtClose(h);
    }
}

// NT fact K9: two handles to one file object give the same FILE_OBJECT, Type 5; opening it by
// pointer as another type is STATUS_OBJECT_TYPE_MISMATCH.
TEST_F(FilesTest, file_objects_are_objects_of_type_file)
{
    load();
    HANDLE a = nullptr, dup = nullptr, other = nullptr;
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a), STATUS_SUCCESS);
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), a, NtCurrentProcess(), &dup, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    PFILE_OBJECT file = file_of(a);
    EXPECT_EQ(file_of(dup), file);
    EXPECT_EQ(file->Type, 5);
    EXPECT_EQ(ObOpenObjectByPointer(file, OBJ_KERNEL_HANDLE, nullptr, 0, *IoDeviceObjectType, KernelMode, &other),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(ObOpenObjectByPointer(file, OBJ_KERNEL_HANDLE, nullptr, 0, *IoFileObjectType, KernelMode, &other),
              STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(other), STATUS_SUCCESS);
    NtClose(a);
    NtClose(dup);
}

// NT fact K10: the device's own name through ObQueryNameString.
TEST_F(FilesTest, device_name_size_rules)
{
    load();
    ULONG size = 0;
    OBJECT_NAME_INFORMATION probe{};
    EXPECT_EQ(ObQueryNameString(g_state.device, &probe, 0, &size), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(size, sizeof(OBJECT_NAME_INFORMATION) + sizeof(L"\\Device\\FilesTest"));
}

// NT fact K11: an open without remaining name asking only the "direct" rights is a direct device
// open; the driver still sees its CREATE.
TEST_F(FilesTest, direct_device_open_flags)
{
    load();
    struct Case {
        const wchar_t* name;
        ACCESS_MASK access;
        bool direct;
    };
    for (Case c : {Case{L"\\Device\\FilesTest", 0, true},
                   Case{L"\\Device\\FilesTest", SYNCHRONIZE | FILE_READ_ATTRIBUTES | READ_CONTROL, true},
                   Case{L"\\Device\\FilesTest", FILE_READ_DATA, false},
                   Case{L"\\Device\\FilesTest\\sub", 0, false}}) {
        HANDLE h = nullptr;
        ASSERT_EQ(open(c.name, &h, c.access), STATUS_SUCCESS);
        EXPECT_EQ((file_of(h)->Flags & FO_DIRECT_DEVICE_OPEN) != 0, c.direct);
        std::vector<Record> records = g_state.take();
        ASSERT_EQ(records.size(), 1u);
        EXPECT_EQ(records[0].major, IRP_MJ_CREATE);
        EXPECT_EQ((records[0].fo_flags & FO_DIRECT_DEVICE_OPEN) != 0, c.direct);
        NtClose(h);
        (void)g_state.take();
    }
}

// NT fact N3: an exclusive device admits one open at a time.
TEST_F(FilesTest, exclusive_device_admits_one_open)
{
    g_state.exclusive = true;
    load();
    HANDLE a = nullptr, b = nullptr;
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a), STATUS_SUCCESS);
    EXPECT_EQ(open(L"\\Device\\FilesTest", &b), STATUS_ACCESS_DENIED);
    EXPECT_EQ(g_state.count(IRP_MJ_CREATE), 1u);
    NtClose(a);
    ASSERT_EQ(open(L"\\Device\\FilesTest", &b), STATUS_SUCCESS);
    NtClose(b);
}

// NT facts N3, S2: share mode 0 does not stop opens from other processes on a plain device.
TEST_F(FilesTest, share_mode_zero_opens_from_two_processes_succeed)
{
    load();
    ob::ObjectManager& om = system().objects();
    PEPROCESS other = nullptr;
    ASSERT_EQ(om.create_process(nullptr, u"other", &other), STATUS_SUCCESS);
    HANDLE a = nullptr, b = nullptr;
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a, GENERIC_READ | GENERIC_WRITE, FILE_OPEN, 0, 0), STATUS_SUCCESS);
    {
        ob::ProcessAttach attach(other);
        ASSERT_EQ(open(L"\\Device\\FilesTest", &b, GENERIC_READ | GENERIC_WRITE, FILE_OPEN, 0, 0), STATUS_SUCCESS);
        EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    }
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    om.terminate_process(other, STATUS_SUCCESS);
    ObDereferenceObject(other);
}

// NT fact K3: a handle duplicated into another process and closed there last gets its CLEANUP
// in that process.
TEST_F(FilesTest, cleanup_runs_in_the_process_closing_the_last_handle)
{
    load();
    ob::ObjectManager& om = system().objects();
    PEPROCESS other = nullptr;
    ASSERT_EQ(om.create_process(nullptr, u"other", &other), STATUS_SUCCESS);
    HANDLE a = nullptr, in_other = nullptr;
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a), STATUS_SUCCESS);
    ASSERT_EQ(om.duplicate_object(PsGetCurrentProcess(), a, other, &in_other, 0, 0, DUPLICATE_SAME_ACCESS, KernelMode),
              STATUS_SUCCESS);
    const PEPROCESS opener = PsGetCurrentProcess();
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(g_state.count(IRP_MJ_CLEANUP), 0u);
    EXPECT_EQ(om.close_handle_in(other, in_other, KernelMode), STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(majors(records, g_state.device),
              (std::vector<UCHAR>{IRP_MJ_CREATE, IRP_MJ_CLEANUP, IRP_MJ_CLOSE}));
    EXPECT_EQ(records[0].process, opener);
    EXPECT_EQ(records[1].process, other);
    om.terminate_process(other, STATUS_SUCCESS);
    ObDereferenceObject(other);
}

// NT fact S1: the DOS link opens the device; a missing link is STATUS_OBJECT_NAME_NOT_FOUND.
TEST_F(FilesTest, dos_link_opens_the_device_and_missing_link_is_not_found)
{
    load();
    HANDLE a = nullptr;
    ASSERT_EQ(open(L"\\??\\FilesTest", &a), STATUS_SUCCESS);
    EXPECT_EQ(file_of(a)->DeviceObject, g_state.device);
    NtClose(a);
    EXPECT_EQ(open(L"\\??\\NoSuchFilesTest", &a), STATUS_OBJECT_NAME_NOT_FOUND);
    unload_driver();
    EXPECT_EQ(open(L"\\??\\FilesTest", &a), STATUS_OBJECT_NAME_NOT_FOUND);
}

// Opens of a device whose driver is unloading are refused (the unload waits for the open handle).
TEST_F(FilesTest, open_is_refused_while_the_driver_unloads)
{
    load();
    HANDLE a = nullptr, b = nullptr;
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a), STATUS_SUCCESS);
    ASSERT_EQ(NtioUnloadDriver(m_driver), STATUS_SUCCESS);
    EXPECT_EQ(open(L"\\Device\\FilesTest", &b), STATUS_NO_SUCH_DEVICE);
    EXPECT_EQ(g_state.count(IRP_MJ_CREATE), 1u);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    ObDereferenceObject(m_driver);
    m_driver = nullptr;
}

// The device's parse procedure refuses a device that IoDeleteDevice already marked (its name is
// gone by then, so only a lookup that raced with the delete reaches it).
TEST_F(FilesTest, parse_refuses_a_delete_pending_device)
{
    load();
    HANDLE a = nullptr;
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a), STATUS_SUCCESS);
    PDEVICE_OBJECT device = g_state.device;
    ObReferenceObject(device);
    IoDeleteDevice(device);
    g_state.device = nullptr;
    OpenPacket packet;
    packet.disposition = FILE_OPEN;
    ob::ParseRequest request;
    request.desired_access = FILE_READ_DATA;
    request.access_mode = KernelMode;
    request.process = PsGetCurrentProcess();
    request.parse_context = &packet;
    void* found = nullptr;
    EXPECT_EQ(device_parse(device, request, &found), STATUS_NO_SUCH_DEVICE);
    EXPECT_EQ(found, nullptr);
    EXPECT_EQ(g_state.count(IRP_MJ_CREATE), 1u);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    ObDereferenceObject(device);
}

// IoCreateFile's parameter rules for user callers, checked before any IRP.
TEST_F(FilesTest, bad_create_parameters_are_invalid)
{
    load();
    PreviousModeScope user(UserMode);
    HANDLE a = nullptr;
    EXPECT_EQ(open(L"\\Device\\FilesTest", &a, FILE_READ_DATA, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(open(L"\\Device\\FilesTest", &a, FILE_READ_DATA | SYNCHRONIZE, FILE_OPEN,
                   FILE_SYNCHRONOUS_IO_NONALERT | FILE_SYNCHRONOUS_IO_ALERT),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(open(L"\\Device\\FilesTest", &a, FILE_READ_DATA, FILE_MAXIMUM_DISPOSITION + 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(open(L"\\Device\\FilesTest", &a, FILE_READ_DATA, FILE_OPEN, 0, 0x80), STATUS_INVALID_PARAMETER);
    // The SYNCHRONIZE and DELETE bits themselves are needed; GENERIC_ALL and MAXIMUM_ALLOWED are not
    // them (NtCreateFile on Microsoft Learn: the flag "must be set in the DesiredAccess parameter").
    EXPECT_EQ(open(L"\\Device\\FilesTest", &a, GENERIC_ALL, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(open(L"\\Device\\FilesTest", &a, MAXIMUM_ALLOWED, FILE_OPEN, FILE_SYNCHRONOUS_IO_ALERT),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(open(L"\\Device\\FilesTest", &a, GENERIC_ALL, FILE_OPEN, FILE_DELETE_ON_CLOSE), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(open(L"\\Device\\FilesTest", &a, MAXIMUM_ALLOWED, FILE_OPEN, FILE_DELETE_ON_CLOSE),
              STATUS_INVALID_PARAMETER);
    // FILE_DIRECTORY_FILE with a disposition other than create/open/open-if, or with an option that
    // means nothing for a directory.
    EXPECT_EQ(open(L"\\Device\\FilesTest", &a, FILE_READ_DATA, FILE_OVERWRITE_IF, FILE_DIRECTORY_FILE),
              STATUS_INVALID_PARAMETER);
    for (ULONG option : {FILE_SEQUENTIAL_ONLY, FILE_RANDOM_ACCESS, FILE_NO_INTERMEDIATE_BUFFERING})
        EXPECT_EQ(open(L"\\Device\\FilesTest", &a, FILE_READ_DATA, FILE_OPEN, FILE_DIRECTORY_FILE | option),
                  STATUS_INVALID_PARAMETER)
            << std::hex << option;
    EXPECT_EQ(g_state.count(IRP_MJ_CREATE), 0u);
    // FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE is ntifs.h's FILE_STORAGE_TYPE_SPECIFIED: the I/O
    // manager lets it through to the driver, which answers for it. So do the options a directory
    // open may carry.
    for (ULONG options : {FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE, FILE_DIRECTORY_FILE | FILE_WRITE_THROUGH,
                          FILE_DIRECTORY_FILE | FILE_OPEN_FOR_BACKUP_INTENT}) {
        ASSERT_EQ(open(L"\\Device\\FilesTest", &a, FILE_READ_DATA, FILE_OPEN, options), STATUS_SUCCESS)
            << std::hex << options;
        EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    }
    EXPECT_EQ(g_state.count(IRP_MJ_CREATE), 3u);
    ASSERT_EQ(open(L"\\Device\\FilesTest", &a, FILE_READ_DATA | SYNCHRONIZE, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
}

// A name that is not a device or file (an event) is not a file open.
TEST_F(FilesTest, opening_a_non_file_object_is_a_type_mismatch)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\BaseNamedObjects\\FilesTestEvent");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE event = nullptr, a = nullptr;
    ASSERT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(open(L"\\BaseNamedObjects\\FilesTestEvent", &a, SYNCHRONIZE), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(a, nullptr);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
}

// IoGetDeviceObjectPointer and IoGetRelatedDeviceObject: the top of the stack; the CREATE goes
// to the top and the filter passes it down.
TEST_F(FilesTest, device_object_pointer_returns_the_top_of_the_stack)
{
    g_state.filter = true;
    load();
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\FilesTest");
    PFILE_OBJECT file = nullptr;
    PDEVICE_OBJECT top = nullptr;
    ASSERT_EQ(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &file, &top), STATUS_SUCCESS);
    EXPECT_EQ(top, g_state.filter_device);
    EXPECT_EQ(file->DeviceObject, g_state.device);
    EXPECT_EQ(IoGetRelatedDeviceObject(file), g_state.filter_device);
    std::vector<Record> records = g_state.take();
    ASSERT_GE(records.size(), 2u);
    EXPECT_EQ(records[0].device, g_state.filter_device);
    EXPECT_EQ(records[0].major, IRP_MJ_CREATE);
    EXPECT_EQ(records[1].device, g_state.device);
    // The handle IoGetDeviceObjectPointer used is closed: CLEANUP went out already.
    EXPECT_EQ(majors(records, g_state.device), (std::vector<UCHAR>{IRP_MJ_CREATE, IRP_MJ_CLEANUP}));
    ObDereferenceObject(file);
    EXPECT_EQ(majors(g_state.take(), g_state.device), std::vector<UCHAR>{IRP_MJ_CLOSE});
}

}  // namespace
}  // namespace ntio::io::files_test
