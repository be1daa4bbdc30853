// The filter-side open routines, used the way a legacy file system filter uses them: a create sent
// below the filters with a device object hint (IoCreateFileSpecifyDeviceObjectHint, IoCreateFileEx),
// a create a filter vetoes after the driver below accepted it (IoCancelFileOpen), the driver's
// device list (IoEnumerateDeviceObjectList), and the small device queries.
#include "unit/io/files/files_test_driver.hpp"

#include <algorithm>

namespace ntio::io::files_test::create_hint {

class CreateHintTest : public FilesTest {
protected:
    // A kernel-mode open of \Device\FilesTest as a filter driver makes it: a kernel handle and no
    // parameter checking.
    NTSTATUS open_with_hint(PVOID hint, HANDLE* handle)
    {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"\\Device\\FilesTest");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        return IoCreateFileSpecifyDeviceObjectHint(handle, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                                                   FILE_SHARE_READ, FILE_OPEN, 0, nullptr, 0, CreateFileTypeNone,
                                                   nullptr, IO_NO_PARAMETER_CHECKING, hint);
    }

    NTSTATUS open_ex(PIO_DRIVER_CREATE_CONTEXT context, HANDLE* handle)
    {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"\\Device\\FilesTest");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        return IoCreateFileEx(handle, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0, FILE_SHARE_READ, FILE_OPEN,
                              0, nullptr, 0, CreateFileTypeNone, nullptr, IO_NO_PARAMETER_CHECKING, context);
    }

    PFILE_OBJECT kernel_file_of(HANDLE handle)
    {
        PVOID object = nullptr;
        EXPECT_EQ(ObReferenceObjectByHandle(handle, 0, *IoFileObjectType, KernelMode, &object, nullptr),
                  STATUS_SUCCESS);
        if (object) ObDereferenceObject(object);
        return static_cast<PFILE_OBJECT>(object);
    }

    static std::vector<PDEVICE_OBJECT> devices_of(const std::vector<Record>& records, UCHAR major)
    {
        std::vector<PDEVICE_OBJECT> out;
        for (const Record& r : records)
            if (r.major == major) out.push_back(r.device);
        return out;
    }
};

TEST(FileGenericMapping, is_the_file_rights_mapping)
{
    PGENERIC_MAPPING mapping = IoGetFileObjectGenericMapping();
    ASSERT_NE(mapping, nullptr);
    EXPECT_EQ(mapping->GenericRead, static_cast<ACCESS_MASK>(FILE_GENERIC_READ));
    EXPECT_EQ(mapping->GenericWrite, static_cast<ACCESS_MASK>(FILE_GENERIC_WRITE));
    EXPECT_EQ(mapping->GenericExecute, static_cast<ACCESS_MASK>(FILE_GENERIC_EXECUTE));
    EXPECT_EQ(mapping->GenericAll, static_cast<ACCESS_MASK>(FILE_ALL_ACCESS));
    ACCESS_MASK mask = GENERIC_READ | GENERIC_WRITE;
    RtlMapGenericMask(&mask, mapping);
    EXPECT_EQ(mask, static_cast<ACCESS_MASK>(FILE_GENERIC_READ | FILE_GENERIC_WRITE));
    EXPECT_EQ(IoGetFileObjectGenericMapping(), mapping);
}

// Without a hint the create starts at the filter; with the lower device as hint the filter never
// sees the create nor any later IRP on that file.
TEST_F(CreateHintTest, hint_sends_the_create_and_later_irps_below_the_filter)
{
    g_state.filter = true;
    load();
    HANDLE plain = nullptr;
    ASSERT_EQ(open_with_hint(nullptr, &plain), STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    EXPECT_EQ(devices_of(records, IRP_MJ_CREATE),
              (std::vector<PDEVICE_OBJECT>{g_state.filter_device, g_state.device}));
    EXPECT_EQ(IoGetRelatedDeviceObject(kernel_file_of(plain)), g_state.filter_device);
    EXPECT_EQ(ZwClose(plain), STATUS_SUCCESS);
    g_state.take();

    HANDLE hinted = nullptr;
    ASSERT_EQ(open_with_hint(g_state.device, &hinted), STATUS_SUCCESS);
    records = g_state.take();
    EXPECT_EQ(devices_of(records, IRP_MJ_CREATE), std::vector<PDEVICE_OBJECT>{g_state.device});
    PFILE_OBJECT file = kernel_file_of(hinted);
    EXPECT_EQ(IoGetRelatedDeviceObject(file), g_state.device);
    EXPECT_EQ(ZwClose(hinted), STATUS_SUCCESS);
    records = g_state.take();
    EXPECT_EQ(devices_of(records, IRP_MJ_CLEANUP), std::vector<PDEVICE_OBJECT>{g_state.device});
    EXPECT_EQ(devices_of(records, IRP_MJ_CLOSE), std::vector<PDEVICE_OBJECT>{g_state.device});
}

// The top of the stack as hint is an ordinary open.
TEST_F(CreateHintTest, hint_at_the_top_is_an_ordinary_open)
{
    g_state.filter = true;
    load();
    HANDLE handle = nullptr;
    ASSERT_EQ(open_with_hint(g_state.filter_device, &handle), STATUS_SUCCESS);
    EXPECT_EQ(devices_of(g_state.take(), IRP_MJ_CREATE),
              (std::vector<PDEVICE_OBJECT>{g_state.filter_device, g_state.device}));
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
}

// A device outside the stack the name leads to is refused before any driver sees the create.
TEST_F(CreateHintTest, hint_outside_the_stack_is_invalid_device_object_parameter)
{
    load();
    PDEVICE_OBJECT stranger = nullptr;
    ASSERT_EQ(IoCreateDevice(g_state.device->DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &stranger),
              STATUS_SUCCESS);
    HANDLE handle = nullptr;
    EXPECT_EQ(open_with_hint(stranger, &handle), STATUS_INVALID_DEVICE_OBJECT_PARAMETER);
    EXPECT_EQ(handle, nullptr);
    EXPECT_EQ(g_state.count(IRP_MJ_CREATE), 0u);
    IoDeleteDevice(stranger);
}

TEST_F(CreateHintTest, create_file_ex_takes_the_hint_from_its_driver_context)
{
    g_state.filter = true;
    load();
    IO_DRIVER_CREATE_CONTEXT context;
    IoInitializeDriverCreateContext(&context);
    EXPECT_EQ(context.Size, static_cast<CSHORT>(sizeof(IO_DRIVER_CREATE_CONTEXT)));
    context.DeviceObjectHint = g_state.device;
    HANDLE handle = nullptr;
    ASSERT_EQ(open_ex(&context, &handle), STATUS_SUCCESS);
    EXPECT_EQ(devices_of(g_state.take(), IRP_MJ_CREATE), std::vector<PDEVICE_OBJECT>{g_state.device});
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    g_state.take();

    // No context: IoCreateFile.
    ASSERT_EQ(open_ex(nullptr, &handle), STATUS_SUCCESS);
    EXPECT_EQ(devices_of(g_state.take(), IRP_MJ_CREATE),
              (std::vector<PDEVICE_OBJECT>{g_state.filter_device, g_state.device}));
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
}

TEST_F(CreateHintTest, create_file_ex_refuses_a_bad_context)
{
    load();
    IO_DRIVER_CREATE_CONTEXT context;
    IoInitializeDriverCreateContext(&context);
    context.Size = 2;
    HANDLE handle = nullptr;
    EXPECT_EQ(open_ex(&context, &handle), STATUS_INVALID_PARAMETER);
    IoInitializeDriverCreateContext(&context);
    context.ExtraCreateParameter = reinterpret_cast<struct _ECP_LIST*>(&context);
    EXPECT_EQ(open_ex(&context, &handle), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(g_state.count(IRP_MJ_CREATE), 0u);
}

// IoCancelFileOpen: the driver below sees CREATE, CLEANUP, CLOSE; the open fails with the filter's
// status; the file object gets nothing more (TearDown checks every context was closed once).
TEST_F(CreateHintTest, cancelled_open_is_cleaned_up_and_closed_below_the_filter_once)
{
    g_state.filter = true;
    g_state.filter_cancels_create = true;
    load();
    HANDLE handle = nullptr;
    EXPECT_EQ(open_with_hint(nullptr, &handle), STATUS_ACCESS_DENIED);
    EXPECT_EQ(handle, nullptr);
    std::vector<Record> records = g_state.take();
    std::vector<UCHAR> below;
    PFILE_OBJECT file = nullptr;
    for (const Record& r : records) {
        if (r.device != g_state.device) continue;
        below.push_back(r.major);
        if (!file) file = r.file;
        EXPECT_EQ(r.file, file);
    }
    EXPECT_EQ(below, (std::vector<UCHAR>{IRP_MJ_CREATE, IRP_MJ_CLEANUP, IRP_MJ_CLOSE}));
    EXPECT_EQ(devices_of(records, IRP_MJ_CLEANUP), std::vector<PDEVICE_OBJECT>{g_state.device});
    EXPECT_EQ(g_state.live_contexts.load(), 0);
    EXPECT_EQ(__atomic_load_n(&g_state.device->ReferenceCount, __ATOMIC_ACQUIRE), 0);
}

TEST_F(CreateHintTest, enumerate_device_object_list_counts_and_references)
{
    g_state.filter = true;
    load();
    PDRIVER_OBJECT driver = g_state.device->DriverObject;
    ULONG count = 0;
    EXPECT_EQ(IoEnumerateDeviceObjectList(driver, nullptr, 0, &count), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(count, 2u);

    PDEVICE_OBJECT one[1] = {};
    count = 0;
    EXPECT_EQ(IoEnumerateDeviceObjectList(driver, one, sizeof one, &count), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(count, 2u);
    ASSERT_NE(one[0], nullptr);
    ObDereferenceObject(one[0]);

    PDEVICE_OBJECT list[4] = {};
    count = 0;
    ASSERT_EQ(IoEnumerateDeviceObjectList(driver, list, sizeof list, &count), STATUS_SUCCESS);
    ASSERT_EQ(count, 2u);
    std::vector<PDEVICE_OBJECT> found{list[0], list[1]};
    std::sort(found.begin(), found.end());
    std::vector<PDEVICE_OBJECT> expected{g_state.device, g_state.filter_device};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(found, expected);
    EXPECT_EQ(list[2], nullptr);
    // Each listed device holds a reference of the caller's; the driver unloads once they are dropped.
    for (ULONG i = 0; i < count; ++i) ObDereferenceObject(list[i]);

    EXPECT_EQ(IoEnumerateDeviceObjectList(nullptr, list, sizeof list, &count), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoEnumerateDeviceObjectList(driver, list, sizeof list, nullptr), STATUS_INVALID_PARAMETER);
}

TEST_F(CreateHintTest, numa_node_and_related_target_device)
{
    load();
    USHORT node = 0xffff;
    EXPECT_EQ(IoGetDeviceNumaNode(g_state.device, &node), STATUS_SUCCESS);
    EXPECT_EQ(node, 0);
    EXPECT_EQ(IoGetDeviceNumaNode(nullptr, &node), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoGetDeviceNumaNode(g_state.device, nullptr), STATUS_INVALID_PARAMETER);

    HANDLE handle = nullptr;
    ASSERT_EQ(open_with_hint(nullptr, &handle), STATUS_SUCCESS);
    PDEVICE_OBJECT target = reinterpret_cast<PDEVICE_OBJECT>(1);
    // A device outside PnP has no target device (its stack fails TargetDeviceRelation).
    EXPECT_EQ(IoGetRelatedTargetDevice(kernel_file_of(handle), &target), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(target, nullptr);
    EXPECT_EQ(IoGetRelatedTargetDevice(nullptr, &target), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
}

}  // namespace ntio::io::files_test::create_hint

namespace ntio::io::files_test::primary_token {

// PsReferencePrimaryToken: the process's token, the one SeCaptureSubjectContext captures for a
// thread of that process, kept alive until PsDereferencePrimaryToken.
TEST_F(FilesTest, primary_token_is_the_process_token)
{
    PEPROCESS process = PsGetCurrentProcess();
    ASSERT_NE(process, nullptr);
    PACCESS_TOKEN token = PsReferencePrimaryToken(process);
    ASSERT_NE(token, nullptr);
    SECURITY_SUBJECT_CONTEXT context;
    SeCaptureSubjectContext(&context);
    EXPECT_EQ(context.PrimaryToken, token);
    EXPECT_EQ(SeTokenIsAdmin(token), SeTokenIsAdmin(SeQuerySubjectContextToken(&context)));
    SeReleaseSubjectContext(&context);
    EXPECT_EQ(PsReferencePrimaryToken(process), token);
    PsDereferencePrimaryToken(token);
    PsDereferencePrimaryToken(token);
    EXPECT_EQ(PsReferencePrimaryToken(nullptr), nullptr);
    PsDereferencePrimaryToken(nullptr);
}

}  // namespace ntio::io::files_test::primary_token
