// The devices and names around a mounted volume: IoGetDiskDeviceObject and
// IoGetBaseFileSystemDeviceObject, IoVerifyVolume (IRP_MN_VERIFY_VOLUME to the mounted file system;
// a changed medium is offered to the file systems again), and the MS-DOS names of a volume
// (IoVolumeDeviceToDosName through the drive-letter links) and of a file (IoQueryFileDosDeviceName).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iogetdiskdeviceobject
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioverifyvolume
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iovolumedevicetodosname
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioqueryfiledosdevicename
#include "mount_test_support.hpp"

namespace ntio::test::drivers {
namespace mount_volume_routines {

class MountVolumeRoutinesTest : public MountTest {
protected:
    // Writes `signature` to sector 0 straight to the disk's stack, under any file system, as a medium
    // change would.
    static NTSTATUS change_medium(PDEVICE_OBJECT disk, const char* signature) {
        std::vector<char> sector(512, 0);
        std::memcpy(sector.data(), signature, TESTFS_SIGNATURE_LENGTH);
        KEVENT event;
        KeInitializeEvent(&event, NotificationEvent, FALSE);
        IO_STATUS_BLOCK iosb{};
        LARGE_INTEGER offset{};
        PDEVICE_OBJECT top = IoGetAttachedDevice(disk);
        PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_WRITE, top, sector.data(), 512, &offset, &event, &iosb);
        if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
        NTSTATUS status = IoCallDriver(top, irp);
        if (status == STATUS_PENDING) {
            (void)KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, nullptr);
            status = iosb.Status;
        }
        return status;
    }

    // The disk with `signature` and file system A recognizing TESTFS_A; the disk's device object.
    PDEVICE_OBJECT disk_with_fs_a(const char* signature) {
        load_disk(signature);
        EXPECT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
        return disk_device();
    }

    static NTSTATUS link(const char16_t* name, const char16_t* target) {
        std::u16string n(name), t(target);
        UNICODE_STRING link_name = unicode(n), target_name = unicode(t);
        return IoCreateSymbolicLink(&link_name, &target_name);
    }
    static NTSTATUS unlink(const char16_t* name) {
        std::u16string n(name);
        UNICODE_STRING link_name = unicode(n);
        return IoDeleteSymbolicLink(&link_name);
    }

    static std::u16string text(const UNICODE_STRING& s) {
        return std::u16string(reinterpret_cast<const char16_t*>(s.Buffer), s.Length / sizeof(WCHAR));
    }

    // IoQueryFileDosDeviceName of the file behind `h`, freed; the status in *status.
    static std::u16string dos_name_of(HANDLE h, NTSTATUS* status) {
        POBJECT_NAME_INFORMATION info = nullptr;
        *status = IoQueryFileDosDeviceName(file_of(h), &info);
        if (!NT_SUCCESS(*status)) return {};
        std::u16string out = text(info->Name);
        EXPECT_EQ(info->Name.MaximumLength, info->Name.Length + sizeof(WCHAR));
        EXPECT_EQ(info->Name.Buffer[info->Name.Length / sizeof(WCHAR)], 0);
        ExFreePool(info);
        return out;
    }
};

TEST_F(MountVolumeRoutinesTest, disk_device_of_a_mounted_volume_device)
{
    PDEVICE_OBJECT disk = disk_with_fs_a("TESTFS_A");
    ASSERT_NE(disk, nullptr);
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\f", &h, FILE_CREATE), STATUS_SUCCESS);
    auto volume = reinterpret_cast<PDEVICE_OBJECT>(stats('A').LastVolumeDevice);

    PDEVICE_OBJECT found = nullptr;
    ASSERT_EQ(IoGetDiskDeviceObject(volume, &found), STATUS_SUCCESS);
    EXPECT_EQ(found, disk);
    ObDereferenceObject(found);  // referenced for the caller
    EXPECT_EQ(IoGetBaseFileSystemDeviceObject(file_of(h)), volume);

    // Not a volume device: the disk itself, nothing at all, no output pointer.
    found = volume;
    EXPECT_EQ(IoGetDiskDeviceObject(disk, &found), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(found, nullptr);
    EXPECT_EQ(IoGetDiskDeviceObject(nullptr, &found), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoGetDiskDeviceObject(volume, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoGetBaseFileSystemDeviceObject(nullptr), nullptr);

    // A direct device open holds no VPB; its disk's mounted VPB still names the volume.
    HANDLE direct = nullptr;
    ASSERT_EQ(open("", &direct, FILE_OPEN, FILE_READ_ATTRIBUTES), STATUS_SUCCESS);
    EXPECT_EQ(IoGetBaseFileSystemDeviceObject(file_of(direct)), volume);  // the disk's VPB is mounted
    EXPECT_EQ(NtClose(direct), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(MountVolumeRoutinesTest, verify_of_an_unchanged_volume_keeps_it)
{
    PDEVICE_OBJECT disk = disk_with_fs_a("TESTFS_A");
    ASSERT_NE(disk, nullptr);
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\f", &h, FILE_CREATE), STATUS_SUCCESS);
    PVPB vpb = disk->Vpb;

    EXPECT_EQ(IoVerifyVolume(disk, FALSE), STATUS_SUCCESS);
    TESTFS_STATS s = stats('A');
    EXPECT_EQ(s.VerifyRequests, 1);
    EXPECT_EQ(s.WrongVolumes, 0);
    EXPECT_EQ(s.Mounts, 1);
    EXPECT_EQ(s.LastVerifyVpb, reinterpret_cast<ULONGLONG>(vpb));
    EXPECT_EQ(s.LastVerifyDevice, s.LastVolumeDevice);
    EXPECT_EQ(disk->Vpb, vpb);
    EXPECT_NE(vpb->Flags & VPB_MOUNTED, 0);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(MountVolumeRoutinesTest, verify_of_a_changed_volume_dismounts_it_and_mounts_the_new_one)
{
    PDEVICE_OBJECT disk = disk_with_fs_a("TESTFS_A");
    ASSERT_NE(disk, nullptr);
    ASSERT_EQ(load_fs('B', "TESTFS_B"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\f", &h, FILE_CREATE), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    auto volume_a = reinterpret_cast<PDEVICE_OBJECT>(stats('A').LastVolumeDevice);
    PDEVICE_OBJECT found = nullptr;
    ASSERT_EQ(IoGetDiskDeviceObject(volume_a, &found), STATUS_SUCCESS);  // mounted, no file holds it
    ObDereferenceObject(found);

    ASSERT_EQ(change_medium(disk, "TESTFS_B"), STATUS_SUCCESS);
    EXPECT_EQ(IoVerifyVolume(disk, FALSE), STATUS_WRONG_VOLUME);
    TESTFS_STATS a = stats('A');
    EXPECT_EQ(a.VerifyRequests, 1);
    EXPECT_EQ(a.WrongVolumes, 1);
    TESTFS_STATS b = stats('B');
    EXPECT_EQ(b.Mounts, 1);
    EXPECT_NE(disk->Vpb->Flags & VPB_MOUNTED, 0);
    EXPECT_EQ(reinterpret_cast<ULONGLONG>(disk->Vpb->DeviceObject), b.LastVolumeDevice);

    // The old volume device: dismounted, and no file holds its VPB.
    found = disk;
    EXPECT_EQ(IoGetDiskDeviceObject(volume_a, &found), STATUS_VOLUME_DISMOUNTED);
    EXPECT_EQ(found, nullptr);
    auto volume_b = reinterpret_cast<PDEVICE_OBJECT>(b.LastVolumeDevice);
    ASSERT_EQ(IoGetDiskDeviceObject(volume_b, &found), STATUS_SUCCESS);
    EXPECT_EQ(found, disk);
    ObDereferenceObject(found);

    // Opens now reach the new file system; verifying again asks it.
    ASSERT_EQ(open("\\g", &h, FILE_CREATE), STATUS_SUCCESS);
    EXPECT_EQ(stats('B').Creates, 1);
    EXPECT_EQ(IoVerifyVolume(disk, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(stats('B').VerifyRequests, 1);
    EXPECT_EQ(stats('A').VerifyRequests, 1);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(MountVolumeRoutinesTest, verify_of_a_changed_volume_a_file_still_holds)
{
    PDEVICE_OBJECT disk = disk_with_fs_a("TESTFS_A");
    ASSERT_NE(disk, nullptr);
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\f", &h, FILE_CREATE), STATUS_SUCCESS);
    PVPB old_vpb = disk->Vpb;
    auto volume_a = reinterpret_cast<PDEVICE_OBJECT>(stats('A').LastVolumeDevice);

    ASSERT_EQ(change_medium(disk, "UNKNOWN!"), STATUS_SUCCESS);
    EXPECT_EQ(IoVerifyVolume(disk, TRUE), STATUS_WRONG_VOLUME);
    // No file system knows the new medium: nothing is mounted on the fresh VPB.
    EXPECT_NE(disk->Vpb, old_vpb);
    EXPECT_EQ(disk->Vpb->Flags & VPB_MOUNTED, 0);
    EXPECT_EQ(stats('A').MountRequests, 2);
    // The open file keeps the old VPB, so the old volume still has its disk.
    PDEVICE_OBJECT found = nullptr;
    ASSERT_EQ(IoGetDiskDeviceObject(volume_a, &found), STATUS_SUCCESS);
    EXPECT_EQ(found, disk);
    ObDereferenceObject(found);
    EXPECT_EQ(file_of(h)->Vpb, old_vpb);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(MountVolumeRoutinesTest, verify_of_a_volume_not_mounted_mounts_it)
{
    PDEVICE_OBJECT disk = disk_with_fs_a("TESTFS_A");
    ASSERT_NE(disk, nullptr);
    EXPECT_EQ(disk->Vpb->Flags & VPB_MOUNTED, 0);
    EXPECT_EQ(IoVerifyVolume(disk, FALSE), STATUS_SUCCESS);
    TESTFS_STATS s = stats('A');
    EXPECT_EQ(s.Mounts, 1);
    EXPECT_EQ(s.VerifyRequests, 0);
    EXPECT_NE(disk->Vpb->Flags & VPB_MOUNTED, 0);
    EXPECT_EQ(reinterpret_cast<ULONGLONG>(disk->Vpb->DeviceObject), s.LastVolumeDevice);

    // Bad devices: none, and a device with no VPB (the file system's volume device).
    EXPECT_EQ(IoVerifyVolume(nullptr, FALSE), STATUS_INVALID_PARAMETER);
    auto volume = reinterpret_cast<PDEVICE_OBJECT>(s.LastVolumeDevice);
    EXPECT_EQ(IoVerifyVolume(volume, FALSE), STATUS_INVALID_PARAMETER);
}

TEST_F(MountVolumeRoutinesTest, verify_of_an_unrecognized_volume_mounts_nothing)
{
    PDEVICE_OBJECT disk = disk_with_fs_a("NOTHING!");
    ASSERT_NE(disk, nullptr);
    EXPECT_EQ(IoVerifyVolume(disk, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(stats('A').MountRequests, 1);
    EXPECT_EQ(stats('A').Mounts, 0);
    EXPECT_EQ(disk->Vpb->Flags & VPB_MOUNTED, 0);
}

TEST_F(MountVolumeRoutinesTest, dos_name_of_a_volume_is_its_drive_letter)
{
    load_disk(nullptr);
    PDEVICE_OBJECT disk = disk_device();
    ASSERT_NE(disk, nullptr);
    UNICODE_STRING name{};
    EXPECT_EQ(IoVolumeDeviceToDosName(disk, &name), STATUS_INVALID_PARAMETER);  // no drive letter yet
    EXPECT_EQ(name.Buffer, nullptr);

    ASSERT_EQ(link(u"\\DosDevices\\R:", u"\\Device\\Ramdisk0"), STATUS_SUCCESS);
    ASSERT_EQ(IoVolumeDeviceToDosName(disk, &name), STATUS_SUCCESS);
    EXPECT_EQ(text(name), u"R:");
    EXPECT_EQ(name.MaximumLength, 6);
    EXPECT_EQ(name.Buffer[2], 0);
    ExFreePool(name.Buffer);
    UNICODE_STRING old_name{};
    ASSERT_EQ(RtlVolumeDeviceToDosName(disk, &old_name), STATUS_SUCCESS);
    EXPECT_EQ(text(old_name), u"R:");
    ExFreePool(old_name.Buffer);
    EXPECT_EQ(unlink(u"\\DosDevices\\R:"), STATUS_SUCCESS);

    // A letter in \GLOBAL?? through a chain of links (the disk driver's own \DosDevices name).
    ASSERT_EQ(link(u"\\GLOBAL??\\S:", u"\\DosDevices\\Ramdisk0"), STATUS_SUCCESS);
    ASSERT_EQ(IoVolumeDeviceToDosName(disk, &name), STATUS_SUCCESS);
    EXPECT_EQ(text(name), u"S:");
    ExFreePool(name.Buffer);
    EXPECT_EQ(unlink(u"\\GLOBAL??\\S:"), STATUS_SUCCESS);

    EXPECT_EQ(IoVolumeDeviceToDosName(nullptr, &name), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoVolumeDeviceToDosName(disk, nullptr), STATUS_INVALID_PARAMETER);
}

TEST_F(MountVolumeRoutinesTest, dos_name_of_a_file_on_a_volume)
{
    ASSERT_NE(disk_with_fs_a("TESTFS_A"), nullptr);
    HANDLE file = nullptr, volume = nullptr;
    ASSERT_EQ(open("\\report.txt", &file, FILE_CREATE), STATUS_SUCCESS);
    ASSERT_EQ(open("", &volume, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);

    // Without a drive letter the device's own name stands for it.
    NTSTATUS status = STATUS_UNSUCCESSFUL;
    EXPECT_EQ(dos_name_of(file, &status), u"\\Device\\Ramdisk0\\report.txt");
    EXPECT_EQ(status, STATUS_SUCCESS);

    ASSERT_EQ(link(u"\\DosDevices\\T:", u"\\Device\\Ramdisk0"), STATUS_SUCCESS);
    EXPECT_EQ(dos_name_of(file, &status), u"T:\\report.txt");
    EXPECT_EQ(status, STATUS_SUCCESS);
    EXPECT_EQ(dos_name_of(volume, &status), u"T:");
    EXPECT_EQ(status, STATUS_SUCCESS);
    EXPECT_EQ(unlink(u"\\DosDevices\\T:"), STATUS_SUCCESS);

    POBJECT_NAME_INFORMATION info = reinterpret_cast<POBJECT_NAME_INFORMATION>(1);
    EXPECT_EQ(IoQueryFileDosDeviceName(nullptr, &info), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(info, nullptr);
    EXPECT_EQ(IoQueryFileDosDeviceName(file_of(file), nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtClose(volume), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(file), STATUS_SUCCESS);
}

}  // namespace mount_volume_routines
}  // namespace ntio::test::drivers
