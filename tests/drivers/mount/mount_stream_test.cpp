// What file systems and their filters use around mounting: stream file objects (cleanup or not,
// the VPB and device they take), a file system filter attached to a file system's control device
// through the registration-change notification (it sees IRP_MN_MOUNT_VOLUME), a control device of
// the wrong type (not registered), and a Win32 drive letter linked to a mounted volume.
#include "mount_test_support.hpp"

#include <windows.h>

namespace ntio::test::drivers {
namespace {

// ---- Stream file objects ----

// Learn, IoCreateStreamFileObject / ...Lite / ...Ex: FO_STREAM_FILE set; made from a file object, the
// stream is on that file's device and VPB, so its IRPs reach the same volume.
TEST_F(MountTest, a_stream_file_object_shares_the_volume_of_its_file_and_sends_cleanup_at_once)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\meta", &h, FILE_CREATE), STATUS_SUCCESS);
    PFILE_OBJECT file = file_of(h);
    PVPB vpb = file->Vpb;
    ASSERT_EQ(vpb_references(vpb), 1u);

    PFILE_OBJECT stream = IoCreateStreamFileObject(file, nullptr);
    ASSERT_NE(stream, nullptr);
    EXPECT_NE(stream->Flags & FO_STREAM_FILE, 0u);
    EXPECT_EQ(stream->DeviceObject, file->DeviceObject);
    EXPECT_EQ(stream->Vpb, vpb);
    EXPECT_EQ(IoGetRelatedDeviceObject(stream), IoGetRelatedDeviceObject(file));
    EXPECT_EQ(vpb_references(vpb), 2u);
    // Its handle was created and closed inside the call: the cleanup has been sent already.
    EXPECT_EQ(stats('A').StreamCleanups, 1);
    EXPECT_EQ(stats('A').StreamCloses, 0);
    ObDereferenceObject(stream);
    EXPECT_EQ(stats('A').StreamCloses, 1);
    EXPECT_EQ(stats('A').StreamCleanups, 1);
    EXPECT_EQ(vpb_references(vpb), 1u);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// IoCreateStreamFileObjectLite "does not cause an IRP_MJ_CLEANUP request to be sent": only the close
// at the last reference.
TEST_F(MountTest, a_lite_stream_file_object_gets_a_close_but_never_a_cleanup)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open("", &h, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    PDEVICE_OBJECT disk = file_of(h)->DeviceObject;

    // Made from the device: the device's VPB.
    PFILE_OBJECT stream = IoCreateStreamFileObjectLite(nullptr, disk);
    ASSERT_NE(stream, nullptr);
    EXPECT_NE(stream->Flags & FO_STREAM_FILE, 0u);
    EXPECT_EQ(stream->DeviceObject, disk);
    EXPECT_EQ(stream->Vpb, disk->Vpb);
    EXPECT_EQ(IoGetRelatedDeviceObject(stream), IoGetAttachedDevice(disk->Vpb->DeviceObject));
    EXPECT_EQ(stats('A').StreamCleanups, 0);
    ObDereferenceObject(stream);
    TESTFS_STATS s = stats('A');
    EXPECT_EQ(s.StreamCleanups, 0);
    EXPECT_EQ(s.StreamCloses, 1);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// IoCreateStreamFileObjectEx with FileHandle: the handle is the caller's; closing it sends the
// cleanup, the last reference the close.
TEST_F(MountTest, an_ex_stream_file_object_with_a_handle_cleans_up_when_the_handle_closes)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\ex", &h, FILE_CREATE), STATUS_SUCCESS);
    HANDLE stream_handle = nullptr;
    PFILE_OBJECT stream = IoCreateStreamFileObjectEx(file_of(h), nullptr, &stream_handle);
    ASSERT_NE(stream, nullptr);
    ASSERT_NE(stream_handle, nullptr);
    EXPECT_EQ(stats('A').StreamCleanups, 0);
    EXPECT_EQ(ZwClose(stream_handle), STATUS_SUCCESS);
    EXPECT_EQ(stats('A').StreamCleanups, 1);
    EXPECT_EQ(stats('A').StreamCloses, 0);
    ObDereferenceObject(stream);
    EXPECT_EQ(stats('A').StreamCloses, 1);

    // Without a handle it behaves as IoCreateStreamFileObject.
    stream = IoCreateStreamFileObjectEx(file_of(h), nullptr, nullptr);
    ASSERT_NE(stream, nullptr);
    EXPECT_EQ(stats('A').StreamCleanups, 2);
    ObDereferenceObject(stream);
    EXPECT_EQ(stats('A').StreamCloses, 2);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// ---- A file system filter on the control device ----

struct FilterState {
    PDRIVER_OBJECT driver = nullptr;
    PDEVICE_OBJECT device = nullptr;
    PDEVICE_OBJECT lower = nullptr;
    int mounts_seen = 0;
    PVPB mount_vpb = nullptr;
    int activations = 0;
    int deactivations = 0;
};
FilterState g_filter;

NTSTATUS NTAPI filter_dispatch(PDEVICE_OBJECT, PIRP irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (sp->MajorFunction == IRP_MJ_FILE_SYSTEM_CONTROL && sp->MinorFunction == IRP_MN_MOUNT_VOLUME) {
        ++g_filter.mounts_seen;
        g_filter.mount_vpb = sp->Parameters.MountVolume.Vpb;
    }
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(g_filter.lower, irp);
}

// The file system filter's way in: attach to each control device as it registers, detach as it goes.
VOID NTAPI filter_notification(PDEVICE_OBJECT control, BOOLEAN active)
{
    if (active) {
        ++g_filter.activations;
        if (g_filter.device) return;
        PDEVICE_OBJECT device = nullptr;
        if (!NT_SUCCESS(IoCreateDevice(g_filter.driver, 0, nullptr, control->DeviceType, 0, FALSE, &device))) return;
        if (!NT_SUCCESS(IoAttachDeviceToDeviceStackSafe(device, control, &g_filter.lower))) {
            IoDeleteDevice(device);
            return;
        }
        device->Flags &= ~DO_DEVICE_INITIALIZING;
        g_filter.device = device;
    } else {
        ++g_filter.deactivations;
        if (!g_filter.device || g_filter.lower != control) return;
        IoDetachDevice(g_filter.lower);
        IoDeleteDevice(g_filter.device);
        g_filter.device = nullptr;
        g_filter.lower = nullptr;
    }
}

VOID NTAPI filter_unload(PDRIVER_OBJECT driver)
{
    IoUnregisterFsRegistrationChange(driver, filter_notification);
    if (g_filter.device) {
        IoDetachDevice(g_filter.lower);
        IoDeleteDevice(g_filter.device);
        g_filter.device = nullptr;
    }
}

NTSTATUS NTAPI filter_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    g_filter.driver = driver;
    for (auto& major : driver->MajorFunction) major = filter_dispatch;
    driver->DriverUnload = filter_unload;
    NTSTATUS status = IoRegisterFsRegistrationChange(driver, filter_notification);
    if (!NT_SUCCESS(status)) return status;
    // The same routine twice is refused.
    if (IoRegisterFsRegistrationChange(driver, filter_notification) != STATUS_DEVICE_ALREADY_ATTACHED)
        return STATUS_UNSUCCESSFUL;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioregisterfsregistrationchange:
// a filter registering after the file system is told about it at once; the mount request goes to
// the top of the control device's stack, so the filter sees it; unregistering the file system
// tells the filter, which detaches.
TEST_F(MountTest, a_filter_on_the_control_device_sees_the_mount_request)
{
    g_filter = FilterState{};
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    std::u16string service = u"MountFilter";
    UNICODE_STRING name = unicode(service);
    PDRIVER_OBJECT filter = nullptr;
    ASSERT_EQ(NtioCreateDriver(&name, filter_entry, &filter), STATUS_SUCCESS);
    EXPECT_EQ(g_filter.activations, 1);
    ASSERT_NE(g_filter.device, nullptr);

    HANDLE h = nullptr;
    ASSERT_EQ(open("\\seen", &h, FILE_CREATE), STATUS_SUCCESS);
    EXPECT_EQ(g_filter.mounts_seen, 1);
    PVPB vpb = file_of(h)->Vpb;
    EXPECT_EQ(g_filter.mount_vpb, vpb);
    EXPECT_EQ(stats('A').Mounts, 1);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    ASSERT_EQ(unregister_fs('A'), STATUS_SUCCESS);
    EXPECT_EQ(g_filter.deactivations, 1);
    EXPECT_EQ(g_filter.device, nullptr);
    EXPECT_EQ(NtioUnloadDriver(filter), STATUS_SUCCESS);
    ObDereferenceObject(filter);
}

// ---- Bad input ----

int g_wrong_type_mounts = 0;

NTSTATUS NTAPI wrong_type_dispatch(PDEVICE_OBJECT, PIRP irp)
{
    if (IoGetCurrentIrpStackLocation(irp)->MajorFunction == IRP_MJ_FILE_SYSTEM_CONTROL) ++g_wrong_type_mounts;
    irp->IoStatus.Status = STATUS_UNRECOGNIZED_VOLUME;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_UNRECOGNIZED_VOLUME;
}

VOID NTAPI wrong_type_unload(PDRIVER_OBJECT driver)
{
    IoUnregisterFileSystem(driver->DeviceObject);  // never registered: nothing happens
    IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS NTAPI wrong_type_entry(PDRIVER_OBJECT driver, PUNICODE_STRING)
{
    for (auto& major : driver->MajorFunction) major = wrong_type_dispatch;
    driver->DriverUnload = wrong_type_unload;
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    IoRegisterFileSystem(device);
    IoRegisterFileSystem(nullptr);
    IoUnregisterFileSystem(nullptr);
    return STATUS_SUCCESS;
}

// IoRegisterFileSystem: "If the device type is not one of these values, the file system is not
// registered." NULL pointers change nothing either.
TEST_F(MountTest, a_control_device_of_another_type_is_not_registered)
{
    g_wrong_type_mounts = 0;
    load_disk("TESTFS_A");
    std::u16string service = u"NotAFileSystem";
    UNICODE_STRING name = unicode(service);
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&name, wrong_type_entry, &driver), STATUS_SUCCESS);
    ASSERT_EQ(load_fs('B', "TESTFS_B"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    EXPECT_EQ(open("\\x", &h, FILE_CREATE), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(g_wrong_type_mounts, 0);
    EXPECT_EQ(stats('B').MountRequests, 1);
    EXPECT_EQ(IoRegisterFsRegistrationChange(nullptr, filter_notification), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoRegisterFsRegistrationChange(driver, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
}

// ---- Win32 ----

// A drive letter linked to the disk (\??\M: -> \Device\Ramdisk0): CreateFile("M:\name") reaches the
// mounted file system with the remaining name \name.
TEST_F(MountTest, a_drive_letter_reaches_the_file_system_with_the_remaining_name)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    std::u16string link = u"\\??\\M:";
    std::u16string target = u16(kDisk);
    UNICODE_STRING link_name = unicode(link);
    UNICODE_STRING target_name = unicode(target);
    ASSERT_EQ(IoCreateSymbolicLink(&link_name, &target_name), STATUS_SUCCESS);

    HANDLE h = CreateFileW(L"M:\\win32.txt", GENERIC_READ | GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    TESTFS_STATS s = stats('A');
    EXPECT_EQ(s.Mounts, 1);
    EXPECT_EQ(last_create_name(s), u"\\win32.txt");
    DWORD written = 0;
    EXPECT_TRUE(WriteFile(h, "abc", 3, &written, nullptr));
    EXPECT_EQ(written, 3u);
    EXPECT_TRUE(CloseHandle(h));
    // CREATE_NEW on a name the file system has: ERROR_FILE_EXISTS.
    h = CreateFileW(L"M:\\win32.txt", GENERIC_READ, 0, nullptr, CREATE_NEW, 0, nullptr);
    EXPECT_EQ(h, INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_EXISTS));
    EXPECT_EQ(IoDeleteSymbolicLink(&link_name), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::drivers
