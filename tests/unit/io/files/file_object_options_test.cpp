// What a driver marks on a file object and reads from a create, as a file system or filter does:
// the remote-origin flag (IoSetFileOrigin / IoIsFileOriginRemote), the ignore-sharing option and
// its effect on the share access routines, and the create IRP's ECP list through
// IoGet/Set/ClearIrpExtraCreateParameter; no open is transacted (IoGetTransactionParameterBlock).
#include <gtest/gtest.h>

#include "support/driver_fixture.hpp"

#include <ntifs.h>

namespace io_file_object_options_test {

// {0B4D2C6E-3A51-4F7D-8E29-6C1A5B3D9F11}: the test's ECP type.
const GUID kEcpType = {0x0b4d2c6e, 0x3a51, 0x4f7d, {0x8e, 0x29, 0x6c, 0x1a, 0x5b, 0x3d, 0x9f, 0x11}};

// What the driver's create dispatch saw and did.
struct CreateSeen {
    NTSTATUS get_status = STATUS_UNSUCCESSFUL;
    PECP_LIST list = nullptr;
    PVOID ecp = nullptr;              // the test ECP found in that list
    NTSTATUS second_set = STATUS_UNSUCCESSFUL;
    PECP_LIST after_clear = reinterpret_cast<PECP_LIST>(1);
    NTSTATUS set_after_clear = STATUS_UNSUCCESSFUL;
    PECP_LIST after_set = nullptr;
    NTSTATUS ignore_status = STATUS_UNSUCCESSFUL;
    BOOLEAN ignoring = FALSE;
    NTSTATUS share_status = STATUS_UNSUCCESSFUL;
    NTSTATUS forced_share_status = STATUS_UNSUCCESSFUL;
    SHARE_ACCESS share_after{};
};

struct DriverState {
    PDEVICE_OBJECT device = nullptr;
    PECP_LIST replacement = nullptr;  // set by the create after it clears the caller's list
    bool mark_ignore_sharing = false;
    bool check_sharing = false;       // check share access without marking the file object
    SHARE_ACCESS exclusive_open{};    // an existing open that shares nothing
    CreateSeen seen;
};
DriverState g_state;

NTSTATUS NTAPI dispatch_create(PDEVICE_OBJECT, PIRP irp) {
    CreateSeen& seen = g_state.seen;
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    seen.get_status = IoGetIrpExtraCreateParameter(irp, &seen.list);
    if (seen.list) (void)FsRtlFindExtraCreateParameter(seen.list, &kEcpType, &seen.ecp, nullptr);
    if (g_state.replacement) {
        seen.second_set = IoSetIrpExtraCreateParameter(irp, g_state.replacement);
        IoClearIrpExtraCreateParameter(irp);
        (void)IoGetIrpExtraCreateParameter(irp, &seen.after_clear);
        seen.set_after_clear = IoSetIrpExtraCreateParameter(irp, g_state.replacement);
        (void)IoGetIrpExtraCreateParameter(irp, &seen.after_set);
    }
    if (g_state.mark_ignore_sharing) {
        seen.ignore_status = IoSetFileObjectIgnoreSharing(file);
        seen.ignoring = IoIsFileObjectIgnoringSharing(file);
        // An exclusive open exists: a checked read would conflict, an ignored one does not count.
        SHARE_ACCESS share = g_state.exclusive_open;
        seen.share_status = IoCheckShareAccess(FILE_READ_DATA, FILE_SHARE_READ, file, &share, TRUE);
        seen.share_after = share;
        seen.forced_share_status = IoCheckLinkShareAccess(FILE_READ_DATA, FILE_SHARE_READ, file, &share, nullptr,
                                                          IO_CHECK_SHARE_ACCESS_FORCE_CHECK);
    }
    if (g_state.check_sharing) {
        seen.ignoring = IoIsFileObjectIgnoringSharing(file);
        SHARE_ACCESS share = g_state.exclusive_open;
        seen.share_status = IoCheckShareAccess(FILE_READ_DATA, FILE_SHARE_READ, file, &share, TRUE);
        seen.share_after = share;
    }
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = FILE_OPENED;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI dispatch_complete(PDEVICE_OBJECT, PIRP irp) {
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI driver_unload(PDRIVER_OBJECT) {
    if (g_state.device) IoDeleteDevice(g_state.device);
    g_state.device = nullptr;
}

NTSTATUS NTAPI driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->MajorFunction[IRP_MJ_CREATE] = dispatch_create;
    driver->MajorFunction[IRP_MJ_CLEANUP] = dispatch_complete;
    driver->MajorFunction[IRP_MJ_CLOSE] = dispatch_complete;
    driver->DriverUnload = driver_unload;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\IoFileOptionsTest");
    return IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_state.device);
}

class FileObjectOptionsTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        DriverTest::SetUp();
        g_state = DriverState{};
        ASSERT_EQ(create_driver(L"IoFileOptionsTest", driver_entry), STATUS_SUCCESS);
    }

    // A kernel-mode open of the device through IoCreateFileEx, with `list` as its ECP list.
    NTSTATUS open(PECP_LIST list, HANDLE* handle, ULONG options = 0) {
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\IoFileOptionsTest");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        IO_DRIVER_CREATE_CONTEXT context;
        IoInitializeDriverCreateContext(&context);
        context.ExtraCreateParameter = list;
        return IoCreateFileEx(handle, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0, FILE_SHARE_READ, FILE_OPEN,
                              0, nullptr, 0, CreateFileTypeNone, nullptr, IO_NO_PARAMETER_CHECKING | options, &context);
    }

    PFILE_OBJECT file_of(HANDLE handle) {
        PVOID object = nullptr;
        EXPECT_EQ(ObReferenceObjectByHandle(handle, 0, *IoFileObjectType, KernelMode, &object, nullptr),
                  STATUS_SUCCESS);
        if (object) ObDereferenceObject(object);
        return static_cast<PFILE_OBJECT>(object);
    }

    static PECP_LIST make_list(PVOID* ecp) {
        PECP_LIST list = nullptr;
        EXPECT_EQ(FsRtlAllocateExtraCreateParameterList(0, &list), STATUS_SUCCESS);
        EXPECT_EQ(FsRtlAllocateExtraCreateParameter(&kEcpType, 16, 0, nullptr, 'tpcE', ecp), STATUS_SUCCESS);
        EXPECT_EQ(FsRtlInsertExtraCreateParameter(list, *ecp), STATUS_SUCCESS);
        return list;
    }
};

TEST_F(FileObjectOptionsTest, the_create_irp_carries_the_callers_ecp_list) {
    PVOID ecp = nullptr;
    PECP_LIST list = make_list(&ecp);
    HANDLE handle = nullptr;
    ASSERT_EQ(open(list, &handle), STATUS_SUCCESS);
    EXPECT_EQ(g_state.seen.get_status, STATUS_SUCCESS);
    EXPECT_EQ(g_state.seen.list, list);
    EXPECT_EQ(g_state.seen.ecp, ecp);
    EXPECT_EQ(IoGetTransactionParameterBlock(file_of(handle)), nullptr);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    FsRtlFreeExtraCreateParameterList(list);
}

TEST_F(FileObjectOptionsTest, a_create_without_a_list_reads_null) {
    HANDLE handle = nullptr;
    g_state.seen.list = reinterpret_cast<PECP_LIST>(1);
    ASSERT_EQ(open(nullptr, &handle), STATUS_SUCCESS);
    EXPECT_EQ(g_state.seen.get_status, STATUS_SUCCESS);
    EXPECT_EQ(g_state.seen.list, nullptr);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
}

// A filter replacing the list: the create already has one (refused), clearing it leaves none, and
// then its own goes in.
TEST_F(FileObjectOptionsTest, clear_then_set_replaces_the_list) {
    PVOID ecp = nullptr;
    PVOID other_ecp = nullptr;
    PECP_LIST list = make_list(&ecp);
    g_state.replacement = make_list(&other_ecp);
    HANDLE handle = nullptr;
    ASSERT_EQ(open(list, &handle), STATUS_SUCCESS);
    EXPECT_EQ(g_state.seen.second_set, STATUS_INVALID_PARAMETER_3);
    EXPECT_EQ(g_state.seen.after_clear, nullptr);
    EXPECT_EQ(g_state.seen.set_after_clear, STATUS_SUCCESS);
    EXPECT_EQ(g_state.seen.after_set, g_state.replacement);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    FsRtlFreeExtraCreateParameterList(list);
    FsRtlFreeExtraCreateParameterList(g_state.replacement);
}

TEST_F(FileObjectOptionsTest, extra_create_parameter_routines_refuse_other_irps) {
    PVOID ecp = nullptr;
    PECP_LIST list = make_list(&ecp);
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    PECP_LIST out = list;
    EXPECT_EQ(IoGetIrpExtraCreateParameter(irp, &out), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoGetIrpExtraCreateParameter(nullptr, &out), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoSetIrpExtraCreateParameter(irp, list), STATUS_INVALID_PARAMETER_2);
    EXPECT_EQ(IoSetIrpExtraCreateParameter(irp, nullptr), STATUS_INVALID_PARAMETER);
    IoClearIrpExtraCreateParameter(irp);  // nothing to clear, no harm
    IoClearIrpExtraCreateParameter(nullptr);
    IoFreeIrp(irp);
    FsRtlFreeExtraCreateParameterList(list);
}

TEST_F(FileObjectOptionsTest, file_origin_flag_set_and_cleared_once_each) {
    HANDLE handle = nullptr;
    ASSERT_EQ(open(nullptr, &handle), STATUS_SUCCESS);
    PFILE_OBJECT file = file_of(handle);
    const ULONG others = file->Flags;
    EXPECT_FALSE(IoIsFileOriginRemote(file));
    EXPECT_EQ(IoSetFileOrigin(file, FALSE), STATUS_INVALID_PARAMETER_MIX);
    EXPECT_EQ(IoSetFileOrigin(file, TRUE), STATUS_SUCCESS);
    EXPECT_TRUE(IoIsFileOriginRemote(file));
    EXPECT_EQ(file->Flags, others | FO_REMOTE_ORIGIN);
    EXPECT_EQ(IoSetFileOrigin(file, TRUE), STATUS_INVALID_PARAMETER_MIX);
    EXPECT_EQ(IoSetFileOrigin(file, FALSE), STATUS_SUCCESS);
    EXPECT_FALSE(IoIsFileOriginRemote(file));
    EXPECT_EQ(file->Flags, others);
    EXPECT_EQ(IoSetFileOrigin(nullptr, TRUE), STATUS_INVALID_PARAMETER);
    EXPECT_FALSE(IoIsFileOriginRemote(nullptr));
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
}

TEST_F(FileObjectOptionsTest, an_open_ignoring_sharing_is_neither_checked_nor_counted_unless_forced) {
    g_state.mark_ignore_sharing = true;
    g_state.exclusive_open.OpenCount = 1;
    g_state.exclusive_open.Readers = 1;  // reads, shares nothing
    HANDLE handle = nullptr;
    ASSERT_EQ(open(nullptr, &handle), STATUS_SUCCESS);
    const CreateSeen& seen = g_state.seen;
    EXPECT_EQ(seen.ignore_status, STATUS_SUCCESS);
    EXPECT_TRUE(seen.ignoring);
    EXPECT_EQ(seen.share_status, STATUS_SUCCESS);
    EXPECT_EQ(seen.share_after.OpenCount, 1u);  // not counted
    EXPECT_EQ(seen.share_after.Readers, 1u);
    EXPECT_EQ(seen.forced_share_status, STATUS_SHARING_VIOLATION);
    EXPECT_TRUE(IoIsFileObjectIgnoringSharing(file_of(handle)));
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
}

// IoCreateFileEx's IO_IGNORE_SHARE_ACCESS_CHECK (Learn, Options): no share access check for the file
// object once created; the file system's own IoCheckShareAccess sees it ignoring sharing.
TEST_F(FileObjectOptionsTest, io_ignore_share_access_check_marks_the_new_file_object) {
    g_state.check_sharing = true;
    g_state.exclusive_open.OpenCount = 1;
    g_state.exclusive_open.Readers = 1;
    HANDLE handle = nullptr;
    ASSERT_EQ(open(nullptr, &handle, IO_IGNORE_SHARE_ACCESS_CHECK), STATUS_SUCCESS);
    EXPECT_TRUE(g_state.seen.ignoring);
    EXPECT_EQ(g_state.seen.share_status, STATUS_SUCCESS);
    EXPECT_EQ(g_state.seen.share_after.OpenCount, 1u);
    EXPECT_TRUE(IoIsFileObjectIgnoringSharing(file_of(handle)));
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);

    // Without the option the same open is checked and conflicts.
    g_state.seen = CreateSeen{};
    ASSERT_EQ(open(nullptr, &handle), STATUS_SUCCESS);
    EXPECT_FALSE(g_state.seen.ignoring);
    EXPECT_EQ(g_state.seen.share_status, STATUS_SHARING_VIOLATION);
    EXPECT_FALSE(IoIsFileObjectIgnoringSharing(file_of(handle)));
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
}

TEST_F(FileObjectOptionsTest, a_file_object_not_made_by_the_io_manager_has_no_options) {
    FILE_OBJECT own{};
    own.Type = IO_TYPE_FILE;
    own.Size = sizeof(FILE_OBJECT);
    EXPECT_EQ(IoSetFileObjectIgnoreSharing(&own), STATUS_NOT_FOUND);
    EXPECT_FALSE(IoIsFileObjectIgnoringSharing(&own));
    EXPECT_EQ(IoSetFileObjectIgnoreSharing(nullptr), STATUS_NOT_FOUND);
    EXPECT_FALSE(IoIsFileObjectIgnoringSharing(nullptr));

    // An ordinary open is checked: it conflicts with an exclusive reader.
    HANDLE handle = nullptr;
    ASSERT_EQ(open(nullptr, &handle), STATUS_SUCCESS);
    PFILE_OBJECT file = file_of(handle);
    EXPECT_FALSE(IoIsFileObjectIgnoringSharing(file));
    SHARE_ACCESS share{};
    share.OpenCount = 1;
    share.Readers = 1;
    EXPECT_EQ(IoCheckShareAccess(FILE_READ_DATA, FILE_SHARE_READ, file, &share, FALSE), STATUS_SHARING_VIOLATION);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
}

}  // namespace io_file_object_options_test
