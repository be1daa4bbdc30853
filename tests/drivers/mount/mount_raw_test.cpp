// The I/O manager's stand-in for NT's RAW file system, through the Nt surface: a volume every
// registered file system declines is mounted raw while whole-volume opens hold it
// (FILE_DEVICE_IS_MOUNTED), is offered to the file systems again once they have all closed, refuses
// names without mounting again, answers FSCTL_LOCK_VOLUME / FSCTL_UNLOCK_VOLUME /
// FSCTL_DISMOUNT_VOLUME / FSCTL_IS_VOLUME_MOUNTED itself (ramdisk.sys fails every FSCTL with
// STATUS_INVALID_DEVICE_REQUEST, so a success here was not the disk's), and leaves reads and writes
// to the disk. With no file system of the class registered nothing mounts raw.
#include "mount_test_support.hpp"

namespace ntio::test::drivers {
namespace raw_mount_tests {

// The volume under test: a disk no test file system recognizes, and file system A registered.
class RawMountTest : public MountTest {
protected:
    void SetUp() override {
        MountTest::SetUp();
        load_disk("OTHERFS!");
        ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    }

    // FileFsDeviceInformation's FILE_DEVICE_IS_MOUNTED through `h`.
    static bool reports_mounted(HANDLE h) {
        FILE_FS_DEVICE_INFORMATION info{};
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(NtQueryVolumeInformationFile(h, &iosb, &info, sizeof info, FileFsDeviceInformation), STATUS_SUCCESS);
        return (info.Characteristics & FILE_DEVICE_IS_MOUNTED) != 0;
    }

    // The same through a direct device open (NT fact K11: it neither mounts nor holds the volume).
    bool disk_reports_mounted() {
        HANDLE h = nullptr;
        EXPECT_EQ(open("", &h, FILE_OPEN, FILE_READ_ATTRIBUTES), STATUS_SUCCESS);
        if (!h) return false;
        const bool mounted = reports_mounted(h);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        return mounted;
    }

    static NTSTATUS fsctl(HANDLE h, ULONG code) {
        IO_STATUS_BLOCK iosb{};
        return NtFsControlFile(h, nullptr, nullptr, nullptr, &iosb, code, nullptr, 0, nullptr, 0);
    }
};

// NT's RAW mounts a volume no other file system recognizes; the I/O manager reports the device
// mounted while it is (FILE_DEVICE_IS_MOUNTED,
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/ns-ntddk-_file_fs_device_information),
// and RAW goes when its last open closes.
TEST_F(RawMountTest, a_declined_volume_is_mounted_raw_while_a_whole_volume_handle_is_open)
{
    EXPECT_FALSE(disk_reports_mounted());
    HANDLE h = nullptr;
    ASSERT_EQ(open("", &h), STATUS_SUCCESS);
    TESTFS_STATS s = stats('A');
    EXPECT_EQ(s.MountRequests, 1);
    EXPECT_EQ(s.Mounts, 0);
    EXPECT_TRUE(reports_mounted(h));
    EXPECT_TRUE(disk_reports_mounted());
    PFILE_OBJECT file = file_of(h);
    ASSERT_NE(file->Vpb, nullptr);
    EXPECT_EQ(file->Vpb, file->DeviceObject->Vpb);
    EXPECT_EQ(file->Vpb->Flags & (VPB_MOUNTED | VPB_RAW_MOUNT), VPB_MOUNTED | VPB_RAW_MOUNT);
    EXPECT_EQ(file->Vpb->DeviceObject, nullptr);  // no volume device: the disk serves the file
    EXPECT_EQ(vpb_references(file->Vpb), 1u);
    EXPECT_EQ(IoGetRelatedDeviceObject(file), IoGetAttachedDevice(file->DeviceObject));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_FALSE(disk_reports_mounted());
    EXPECT_EQ(vpb_references(disk_device()->Vpb), 0u);
}

TEST_F(RawMountTest, a_second_whole_volume_open_finds_the_raw_mount_and_the_last_close_ends_it)
{
    HANDLE first = nullptr;
    HANDLE second = nullptr;
    ASSERT_EQ(open("", &first), STATUS_SUCCESS);
    ASSERT_EQ(open("", &second, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    EXPECT_EQ(stats('A').MountRequests, 1);  // not offered again while mounted raw
    EXPECT_EQ(vpb_references(file_of(first)->Vpb), 2u);
    EXPECT_EQ(NtClose(first), STATUS_SUCCESS);
    EXPECT_TRUE(disk_reports_mounted());  // the second handle still holds it
    EXPECT_EQ(NtClose(second), STATUS_SUCCESS);
    EXPECT_FALSE(disk_reports_mounted());

    HANDLE third = nullptr;
    ASSERT_EQ(open("", &third), STATUS_SUCCESS);
    EXPECT_EQ(stats('A').MountRequests, 2);  // every handle closed: offered to the file systems again
    EXPECT_EQ(NtClose(third), STATUS_SUCCESS);
}

// RAW's create accepts only the whole volume; the failed named open mounts nothing new.
TEST_F(RawMountTest, a_named_open_on_a_raw_volume_fails_without_a_mount)
{
    HANDLE whole = nullptr;
    ASSERT_EQ(open("", &whole), STATUS_SUCCESS);
    HANDLE named = nullptr;
    EXPECT_EQ(open("\\name", &named), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(named, nullptr);
    EXPECT_EQ(stats('A').MountRequests, 1);
    EXPECT_EQ(vpb_references(file_of(whole)->Vpb), 1u);
    EXPECT_TRUE(reports_mounted(whole));
    EXPECT_EQ(NtClose(whole), STATUS_SUCCESS);
}

// https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_lock_volume: the lock fails
// while another file is open on the volume and, once taken, other opens fail until
// FSCTL_UNLOCK_VOLUME (https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_unlock_volume).
TEST_F(RawMountTest, lock_volume_needs_the_only_open_and_keeps_others_out_until_the_unlock)
{
    HANDLE locker = nullptr;
    HANDLE other = nullptr;
    ASSERT_EQ(open("", &locker), STATUS_SUCCESS);
    ASSERT_EQ(open("", &other, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    EXPECT_EQ(fsctl(locker, FSCTL_UNLOCK_VOLUME), STATUS_NOT_LOCKED);
    EXPECT_EQ(fsctl(locker, FSCTL_LOCK_VOLUME), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtClose(other), STATUS_SUCCESS);

    IO_STATUS_BLOCK iosb{};
    iosb.Status = STATUS_PENDING;
    ASSERT_EQ(NtFsControlFile(locker, nullptr, nullptr, nullptr, &iosb, FSCTL_LOCK_VOLUME, nullptr, 0, nullptr, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);  // told through the IOSB as any completed request
    EXPECT_NE(file_of(locker)->Vpb->Flags & VPB_LOCKED, 0);
    EXPECT_EQ(fsctl(locker, FSCTL_LOCK_VOLUME), STATUS_ACCESS_DENIED);  // already locked
    EXPECT_EQ(open("", &other, FILE_OPEN, GENERIC_READ), STATUS_ACCESS_DENIED);
    EXPECT_EQ(open("\\name", &other), STATUS_ACCESS_DENIED);
    EXPECT_EQ(stats('A').MountRequests, 1);
    // The locker itself goes on: a read reaches the disk, the volume is still mounted.
    char sector[512] = {};
    ASSERT_EQ(read_at(locker, sector, sizeof sector, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::string(sector, 8), "OTHERFS!");
    EXPECT_EQ(fsctl(locker, FSCTL_IS_VOLUME_MOUNTED), STATUS_SUCCESS);

    EXPECT_EQ(fsctl(locker, FSCTL_UNLOCK_VOLUME), STATUS_SUCCESS);
    EXPECT_EQ(fsctl(locker, FSCTL_UNLOCK_VOLUME), STATUS_NOT_LOCKED);
    ASSERT_EQ(open("", &other, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(other), STATUS_SUCCESS);
    ASSERT_EQ(fsctl(locker, FSCTL_LOCK_VOLUME), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(locker), STATUS_SUCCESS);
    EXPECT_EQ(stats('A').MountRequests, 1);
}

TEST_F(RawMountTest, only_the_locking_file_unlocks_the_volume)
{
    HANDLE locker = nullptr;
    ASSERT_EQ(open("", &locker), STATUS_SUCCESS);
    ASSERT_EQ(fsctl(locker, FSCTL_LOCK_VOLUME), STATUS_SUCCESS);
    // A duplicate handle is the same file object: the locker.
    HANDLE duplicate = nullptr;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), locker, NtCurrentProcess(), &duplicate, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    EXPECT_EQ(fsctl(duplicate, FSCTL_UNLOCK_VOLUME), STATUS_SUCCESS);
    ASSERT_EQ(fsctl(locker, FSCTL_LOCK_VOLUME), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(duplicate), STATUS_SUCCESS);
    ASSERT_EQ(fsctl(locker, FSCTL_UNLOCK_VOLUME), STATUS_SUCCESS);
    // Another file object does not hold the lock another one took.
    HANDLE other = nullptr;
    ASSERT_EQ(open("", &other, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    EXPECT_EQ(fsctl(other, FSCTL_LOCK_VOLUME), STATUS_ACCESS_DENIED);  // two files open
    EXPECT_EQ(fsctl(other, FSCTL_UNLOCK_VOLUME), STATUS_NOT_LOCKED);
    EXPECT_EQ(NtClose(other), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(locker), STATUS_SUCCESS);
}

// Same page: the lock goes with the cleanup of the locking handle. A kernel reference keeps the file
// object (and so the raw mount) past the handle's close: the volume is mounted and unlocked.
TEST_F(RawMountTest, closing_the_locking_handle_unlocks_the_volume)
{
    HANDLE locker = nullptr;
    ASSERT_EQ(open("", &locker), STATUS_SUCCESS);
    ASSERT_EQ(fsctl(locker, FSCTL_LOCK_VOLUME), STATUS_SUCCESS);
    PFILE_OBJECT file = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(locker, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&file),
                                        nullptr),
              STATUS_SUCCESS);
    PVPB vpb = file->Vpb;
    EXPECT_EQ(NtClose(locker), STATUS_SUCCESS);
    EXPECT_EQ(vpb->Flags & VPB_LOCKED, 0);
    HANDLE other = nullptr;
    ASSERT_EQ(open("", &other, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    EXPECT_EQ(file_of(other)->Vpb, vpb);
    EXPECT_EQ(vpb_references(vpb), 2u);
    EXPECT_EQ(stats('A').MountRequests, 1);  // still mounted raw: the kernel reference holds it
    ObDereferenceObject(file);
    EXPECT_EQ(vpb_references(vpb), 1u);
    EXPECT_EQ(NtClose(other), STATUS_SUCCESS);
    EXPECT_EQ(vpb->Flags & (VPB_MOUNTED | VPB_RAW_MOUNT | VPB_LOCKED), 0);
}

// https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_dismount_volume: the next
// open mounts again, whatever is still open. Here the raw handles write a signature file system A
// recognizes, so the next open mounts A; the raw handles stay raw handles to the disk, and the
// VPB they keep goes with the last of them.
TEST_F(RawMountTest, a_dismount_offers_the_volume_to_the_file_systems_on_the_next_open)
{
    HANDLE raw = nullptr;
    HANDLE kept = nullptr;
    ASSERT_EQ(open("", &raw), STATUS_SUCCESS);
    ASSERT_EQ(open("", &kept, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    std::vector<char> sector(512, 0);
    std::memcpy(sector.data(), "TESTFS_A", TESTFS_SIGNATURE_LENGTH);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(raw, sector.data(), 512, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(fsctl(raw, FSCTL_IS_VOLUME_MOUNTED), STATUS_SUCCESS);
    PVPB old_vpb = file_of(raw)->Vpb;

    ASSERT_EQ(fsctl(raw, FSCTL_DISMOUNT_VOLUME), STATUS_SUCCESS);
    EXPECT_EQ(fsctl(raw, FSCTL_IS_VOLUME_MOUNTED), STATUS_VOLUME_DISMOUNTED);
    EXPECT_EQ(fsctl(kept, FSCTL_IS_VOLUME_MOUNTED), STATUS_VOLUME_DISMOUNTED);
    EXPECT_EQ(fsctl(raw, FSCTL_LOCK_VOLUME), STATUS_VOLUME_DISMOUNTED);
    EXPECT_FALSE(reports_mounted(raw));
    EXPECT_EQ(stats('A').MountRequests, 1);

    HANDLE named = nullptr;
    ASSERT_EQ(open("\\after", &named, FILE_CREATE), STATUS_SUCCESS);
    TESTFS_STATS s = stats('A');
    EXPECT_EQ(s.MountRequests, 2);
    EXPECT_EQ(s.Mounts, 1);
    EXPECT_EQ(s.Creates, 1);
    PVPB new_vpb = file_of(named)->Vpb;
    EXPECT_NE(new_vpb, old_vpb);
    EXPECT_TRUE(reports_mounted(raw));  // the device is mounted again, by A
    EXPECT_EQ(vpb_references(old_vpb), 2u);
    EXPECT_EQ(vpb_references(new_vpb), 1u);

    // The raw handles still reach the disk, not the file system now mounted on it.
    const int reads = s.Reads;
    char back[512] = {};
    ASSERT_EQ(read_at(kept, back, sizeof back, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::string(back, 8), "TESTFS_A");
    EXPECT_EQ(IoGetRelatedDeviceObject(file_of(kept)), IoGetAttachedDevice(file_of(kept)->DeviceObject));
    EXPECT_EQ(stats('A').Reads, reads);

    EXPECT_EQ(NtClose(raw), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(kept), STATUS_SUCCESS);
    EXPECT_EQ(vpb_references(new_vpb), 1u);
    s = stats('A');
    EXPECT_EQ(s.Cleanups, 0);  // the raw handles' cleanup and close went to the disk
    EXPECT_EQ(s.Closes, 0);
    EXPECT_EQ(NtClose(named), STATUS_SUCCESS);
    EXPECT_EQ(vpb_references(new_vpb), 0u);
}

// RAW passes reads and writes to the disk; the file system that declined the volume sees none.
TEST_F(RawMountTest, reads_and_writes_through_a_raw_handle_reach_the_disk)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open("", &h), STATUS_SUCCESS);
    EXPECT_TRUE(reports_mounted(h));
    std::vector<char> data(1024, 'r');
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(h, data.data(), static_cast<ULONG>(data.size()), 4096, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, data.size());
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    // Read back through the next raw mount.
    HANDLE again = nullptr;
    ASSERT_EQ(open("", &again, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    std::vector<char> back(1024, 0);
    ASSERT_EQ(read_at(again, back.data(), static_cast<ULONG>(back.size()), 4096, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(back, data);
    EXPECT_EQ(NtClose(again), STATUS_SUCCESS);
    TESTFS_STATS s = stats('A');
    EXPECT_EQ(s.MountRequests, 2);
    EXPECT_EQ(s.Reads, 0);
    EXPECT_EQ(s.Writes, 0);
    EXPECT_EQ(s.Creates, 0);
}

// NT deviation (docs/nt-deviations.md): with no file system of the disk's class registered nothing is
// offered, so nothing mounts raw: the whole volume opens on the disk with no VPB reference.
TEST_F(MountTest, without_a_file_system_nothing_mounts_raw)
{
    load_disk("OTHERFS!");
    HANDLE h = nullptr;
    ASSERT_EQ(open("", &h), STATUS_SUCCESS);
    PFILE_OBJECT file = file_of(h);
    EXPECT_EQ(file->Vpb, nullptr);
    FILE_FS_DEVICE_INFORMATION info{};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtQueryVolumeInformationFile(h, &iosb, &info, sizeof info, FileFsDeviceInformation), STATUS_SUCCESS);
    EXPECT_EQ(info.Characteristics & FILE_DEVICE_IS_MOUNTED, 0u);
    EXPECT_EQ(file->DeviceObject->Vpb->Flags, 0);
    // The FSCTLs go to the disk, which fails them.
    EXPECT_EQ(NtFsControlFile(h, nullptr, nullptr, nullptr, &iosb, FSCTL_LOCK_VOLUME, nullptr, 0, nullptr, 0),
              STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace raw_mount_tests
}  // namespace ntio::test::drivers
