// Mounting on open through the Nt surface: the first open of a volume mounts the file system that
// recognizes it (and later opens do not mount again), the open continues to the file system's
// volume device with the remaining name, unrecognized volumes (mounted raw), the order file systems are tried
// in (DO_LOW_PRIORITY_FILESYSTEM, device classes), direct device opens (NT fact K11), VPB
// reference counts, VPB_LOCKED, dismount and remount, unregistering and unloading a file system in use.
#include <atomic>
#include <thread>

#include "mount_test_support.hpp"

namespace ntio::test::drivers {
namespace {

TEST_F(MountTest, the_first_open_mounts_and_the_create_reaches_the_volume_with_the_remaining_name)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    PDEVICE_OBJECT disk = disk_device();
    ASSERT_NE(disk, nullptr);
    ASSERT_NE(disk->Vpb, nullptr);
    EXPECT_EQ(disk->Vpb->Flags & VPB_MOUNTED, 0);
    EXPECT_EQ(stats('A').MountRequests, 0);

    HANDLE h = nullptr;
    ULONG_PTR information = 0;
    ASSERT_EQ(open("\\hello.txt", &h, FILE_CREATE, GENERIC_READ | GENERIC_WRITE, &information), STATUS_SUCCESS);
    EXPECT_EQ(information, FILE_CREATED);
    TESTFS_STATS s = stats('A');
    EXPECT_EQ(s.MountRequests, 1);
    EXPECT_EQ(s.Mounts, 1);
    EXPECT_EQ(s.Creates, 1);
    EXPECT_EQ(last_create_name(s), u"\\hello.txt");
    // IRP_MN_MOUNT_VOLUME carried the disk's VPB and the top of its stack; the create went to the
    // volume device the file system made.
    PVPB vpb = disk->Vpb;
    EXPECT_EQ(s.LastMountVpb, reinterpret_cast<ULONGLONG>(vpb));
    EXPECT_EQ(s.LastMountDevice, reinterpret_cast<ULONGLONG>(IoGetAttachedDevice(disk)));
    EXPECT_EQ(s.LastCreateDevice, s.LastVolumeDevice);
    EXPECT_NE(vpb->Flags & VPB_MOUNTED, 0);
    EXPECT_EQ(reinterpret_cast<ULONGLONG>(vpb->DeviceObject), s.LastVolumeDevice);
    EXPECT_EQ(vpb->RealDevice, disk);

    PFILE_OBJECT file = file_of(h);
    EXPECT_EQ(file->Vpb, vpb);
    EXPECT_EQ(file->DeviceObject, disk);
    EXPECT_EQ(reinterpret_cast<ULONGLONG>(IoGetRelatedDeviceObject(file)), s.LastVolumeDevice);

    // Reads and writes on the file go to the file system.
    const char data[] = "through the volume";
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(h, data, sizeof data, 0, &iosb), STATUS_SUCCESS);
    char back[64] = {};
    ASSERT_EQ(read_at(h, back, sizeof back, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof data);
    EXPECT_STREQ(back, data);

    // A second open finds the volume mounted.
    HANDLE again = nullptr;
    ASSERT_EQ(open("\\hello.txt", &again, FILE_OPEN, GENERIC_READ, &information), STATUS_SUCCESS);
    EXPECT_EQ(information, FILE_OPENED);
    s = stats('A');
    EXPECT_EQ(s.MountRequests, 1);
    EXPECT_EQ(s.Creates, 2);
    EXPECT_EQ(s.Reads, 1);
    EXPECT_EQ(s.Writes, 1);
    EXPECT_EQ(NtClose(again), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    s = stats('A');
    EXPECT_EQ(s.Cleanups, 2);
    EXPECT_EQ(s.Closes, 2);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_vpb: the volume label the file
// system put in the VPB is what the volume query returns through the volume.
TEST_F(MountTest, volume_queries_on_a_file_reach_the_file_system)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open("", &h, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[128] = {};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtQueryVolumeInformationFile(h, &iosb, buffer, sizeof buffer, FileFsVolumeInformation), STATUS_SUCCESS);
    auto* info = reinterpret_cast<PFILE_FS_VOLUME_INFORMATION>(buffer);
    EXPECT_EQ(info->VolumeSerialNumber, 0x7e57f500u);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(info->VolumeLabel), info->VolumeLabelLength / 2),
              u"TESTFS_A");
    EXPECT_EQ(stats('A').VolumeQueries, 1);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// A volume every file system declines is mounted raw, as Windows mounts RAW on it: the whole volume
// opens on the disk's own stack holding a VPB marked VPB_MOUNTED | VPB_RAW_MOUNT with no volume
// device, and a named open fails as RAW's create fails it (more in mount_raw_test.cpp).
TEST_F(MountTest, an_unrecognized_volume_mounts_raw_for_the_whole_volume_and_refuses_names)
{
    load_disk("OTHERFS!");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    EXPECT_EQ(open("\\name", &h), STATUS_INVALID_PARAMETER);
    TESTFS_STATS s = stats('A');
    EXPECT_EQ(s.MountRequests, 1);
    EXPECT_EQ(s.Mounts, 0);
    EXPECT_EQ(s.VolumesLive, 0);

    ASSERT_EQ(open("", &h), STATUS_SUCCESS);
    char sector[512] = {};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(read_at(h, sector, sizeof sector, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::string(sector, 8), "OTHERFS!");
    PFILE_OBJECT file = file_of(h);
    PVPB vpb = file->DeviceObject->Vpb;
    EXPECT_EQ(file->Vpb, vpb);
    EXPECT_EQ(IoGetRelatedDeviceObject(file), IoGetAttachedDevice(file->DeviceObject));
    EXPECT_EQ(vpb->Flags & (VPB_MOUNTED | VPB_RAW_MOUNT), VPB_MOUNTED | VPB_RAW_MOUNT);
    EXPECT_EQ(vpb->DeviceObject, nullptr);
    // The failed named open left the volume unmounted (RAW goes when its first open fails), so the
    // whole-volume open offered it again.
    EXPECT_EQ(stats('A').MountRequests, 2);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    // RAW goes with the last file: nothing half-mounted remains.
    EXPECT_EQ(vpb->Flags & (VPB_MOUNTED | VPB_RAW_MOUNT), 0);
    EXPECT_EQ(vpb->DeviceObject, nullptr);
    EXPECT_EQ(vpb_references(vpb), 0u);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioregisterfilesystem: a
// file system registered later goes to the head of the queue and is tried first.
TEST_F(MountTest, the_file_system_registered_last_is_offered_the_volume_first)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    ASSERT_EQ(load_fs('B', "TESTFS_A"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\x", &h, FILE_CREATE), STATUS_SUCCESS);
    EXPECT_EQ(stats('B').Mounts, 1);
    EXPECT_EQ(stats('A').MountRequests, 0);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// Same page: DO_LOW_PRIORITY_FILESYSTEM puts the file system at the end (next to RAW), so the one
// registered before it is still tried first; STATUS_UNRECOGNIZED_VOLUME moves on to the next.
TEST_F(MountTest, a_low_priority_file_system_is_tried_after_the_others)
{
    load_disk("TESTFS_B");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    ASSERT_EQ(load_fs('B', "TESTFS_B", /*low_priority=*/true), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\x", &h, FILE_CREATE), STATUS_SUCCESS);
    TESTFS_STATS a = stats('A');
    TESTFS_STATS b = stats('B');
    EXPECT_EQ(a.MountRequests, 1);
    EXPECT_EQ(a.Mounts, 0);
    EXPECT_EQ(b.MountRequests, 1);
    EXPECT_EQ(b.Mounts, 1);
    EXPECT_EQ(b.Creates, 1);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(MountTest, a_low_priority_file_system_loses_to_one_registered_before_it)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    ASSERT_EQ(load_fs('B', "TESTFS_A", /*low_priority=*/true), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\x", &h, FILE_CREATE), STATUS_SUCCESS);
    EXPECT_EQ(stats('A').Mounts, 1);
    EXPECT_EQ(stats('B').MountRequests, 0);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// A CD-ROM file system is offered CD-ROM volumes only, never a disk.
TEST_F(MountTest, a_cd_rom_file_system_is_not_offered_a_disk)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A", false, /*cd_rom=*/true), STATUS_SUCCESS);
    ASSERT_EQ(load_fs('B', "TESTFS_B"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    EXPECT_EQ(open("\\x", &h, FILE_CREATE), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(stats('A').MountRequests, 0);
    EXPECT_EQ(stats('B').MountRequests, 1);
}

// NT fact K11: a direct device open neither mounts nor reaches the file system, even once the
// volume is mounted; its IRPs go to the disk's own stack.
TEST_F(MountTest, a_direct_device_open_bypasses_mounting_and_the_file_system)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    HANDLE direct = nullptr;
    ASSERT_EQ(open("", &direct, FILE_OPEN, FILE_READ_ATTRIBUTES), STATUS_SUCCESS);
    EXPECT_EQ(stats('A').MountRequests, 0);
    PFILE_OBJECT file = file_of(direct);
    EXPECT_NE(file->Flags & FO_DIRECT_DEVICE_OPEN, 0u);
    EXPECT_EQ(file->DeviceObject->Vpb->Flags & VPB_MOUNTED, 0);

    HANDLE named = nullptr;
    ASSERT_EQ(open("\\x", &named, FILE_CREATE), STATUS_SUCCESS);
    HANDLE direct2 = nullptr;
    ASSERT_EQ(open("", &direct2, FILE_OPEN, FILE_READ_ATTRIBUTES), STATUS_SUCCESS);
    PFILE_OBJECT file2 = file_of(direct2);
    EXPECT_EQ(file2->Vpb, nullptr);
    EXPECT_EQ(IoGetRelatedDeviceObject(file2), IoGetAttachedDevice(file2->DeviceObject));
    EXPECT_EQ(stats('A').Creates, 1);
    EXPECT_EQ(NtClose(direct2), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(named), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(direct), STATUS_SUCCESS);
}

// Vpb->ReferenceCount counts the file objects opened through the volume: taken before the create
// reaches the file system, given back when the file object closes.
TEST_F(MountTest, the_vpb_reference_count_follows_opens_and_closes)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    HANDLE first = nullptr;
    HANDLE second = nullptr;
    ASSERT_EQ(open("\\one", &first, FILE_CREATE), STATUS_SUCCESS);
    PVPB vpb = file_of(first)->Vpb;
    ASSERT_NE(vpb, nullptr);
    EXPECT_EQ(vpb_references(vpb), 1u);
    EXPECT_EQ(stats('A').LastCreateVpbReferences, 1u);
    ASSERT_EQ(open("", &second, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    EXPECT_EQ(vpb_references(vpb), 2u);
    EXPECT_EQ(stats('A').LastCreateVpbReferences, 2u);

    // A failed create gives its reference back at once.
    HANDLE failed = nullptr;
    EXPECT_EQ(open("\\missing", &failed, FILE_OPEN), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(vpb_references(vpb), 2u);

    // A duplicate handle is the same file object: no new reference.
    HANDLE duplicate = nullptr;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), first, NtCurrentProcess(), &duplicate, 0, 0,
                                DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    EXPECT_EQ(vpb_references(vpb), 2u);
    EXPECT_EQ(NtClose(first), STATUS_SUCCESS);
    EXPECT_EQ(vpb_references(vpb), 2u);
    EXPECT_EQ(NtClose(duplicate), STATUS_SUCCESS);
    EXPECT_EQ(vpb_references(vpb), 1u);
    EXPECT_EQ(NtClose(second), STATUS_SUCCESS);
    EXPECT_EQ(vpb_references(vpb), 0u);
    EXPECT_NE(vpb->Flags & VPB_MOUNTED, 0);  // a volume stays mounted without files
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_vpb: while the file system keeps
// VPB_LOCKED set, the I/O manager fails every create on the volume; the files already open go on.
TEST_F(MountTest, a_locked_vpb_fails_new_opens_on_the_volume)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\locked", &h, FILE_CREATE), STATUS_SUCCESS);
    PVPB vpb = file_of(h)->Vpb;
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    vpb->Flags |= VPB_LOCKED;  // what a file system does for FSCTL_LOCK_VOLUME
    IoReleaseVpbSpinLock(irql);

    HANDLE other = nullptr;
    EXPECT_EQ(open("\\locked", &other, FILE_OPEN), STATUS_ACCESS_DENIED);
    EXPECT_EQ(open("", &other, FILE_OPEN, GENERIC_READ), STATUS_ACCESS_DENIED);
    EXPECT_EQ(stats('A').Creates, 1);
    EXPECT_EQ(vpb_references(vpb), 1u);
    const char data[] = "still open";
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(write_at(h, data, sizeof data, 0, &iosb), STATUS_SUCCESS);
    // A direct device open does not go through the volume at all (NT fact K11).
    EXPECT_EQ(open("", &other, FILE_OPEN, FILE_READ_ATTRIBUTES), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(other), STATUS_SUCCESS);

    IoAcquireVpbSpinLock(&irql);
    vpb->Flags &= ~VPB_LOCKED;
    IoReleaseVpbSpinLock(irql);
    ASSERT_EQ(open("\\locked", &other, FILE_OPEN), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(other), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_dismount_volume: after a
// dismount the next access mounts the volume again. Files still open on the old volume keep
// reaching its volume device, which the file system deletes with the last of them.
TEST_F(MountTest, a_dismounted_volume_mounts_again_on_the_next_open)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    HANDLE volume = nullptr;
    HANDLE file = nullptr;
    ASSERT_EQ(open("\\kept", &file, FILE_CREATE), STATUS_SUCCESS);
    ASSERT_EQ(open("", &volume, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    PVPB old_vpb = file_of(file)->Vpb;
    PDEVICE_OBJECT old_volume = old_vpb->DeviceObject;
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtFsControlFile(volume, nullptr, nullptr, nullptr, &iosb, FSCTL_DISMOUNT_VOLUME, nullptr, 0, nullptr, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(stats('A').Dismounts, 1);

    HANDLE fresh = nullptr;
    EXPECT_EQ(open("\\kept", &fresh, FILE_OPEN), STATUS_OBJECT_NAME_NOT_FOUND);  // a new, empty volume
    TESTFS_STATS s = stats('A');
    EXPECT_EQ(s.Mounts, 2);
    EXPECT_EQ(s.VolumesLive, 2);
    EXPECT_NE(reinterpret_cast<PDEVICE_OBJECT>(s.LastVolumeDevice), old_volume);

    // The old file still reaches the old volume device, which refuses it now.
    EXPECT_EQ(IoGetRelatedDeviceObject(file_of(file)), old_volume);
    char byte = 0;
    EXPECT_EQ(read_at(file, &byte, 1, 0, &iosb), STATUS_VOLUME_DISMOUNTED);
    EXPECT_EQ(NtClose(file), STATUS_SUCCESS);
    EXPECT_EQ(stats('A').VolumesLive, 2);
    EXPECT_EQ(NtClose(volume), STATUS_SUCCESS);
    EXPECT_EQ(stats('A').VolumesLive, 1);

    ASSERT_EQ(open("\\new", &fresh, FILE_CREATE), STATUS_SUCCESS);
    EXPECT_EQ(stats('A').Mounts, 2);
    EXPECT_EQ(NtClose(fresh), STATUS_SUCCESS);
}

// IoUnregisterFileSystem: the file system is not offered volumes any more.
TEST_F(MountTest, an_unregistered_file_system_is_not_offered_volumes)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    ASSERT_EQ(load_fs('B', "TESTFS_B"), STATUS_SUCCESS);
    ASSERT_EQ(unregister_fs('A'), STATUS_SUCCESS);
    HANDLE h = nullptr;
    EXPECT_EQ(open("\\x", &h, FILE_CREATE), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(stats('A').MountRequests, 0);
    EXPECT_EQ(stats('B').MountRequests, 1);
}

// NT deviation (docs/nt-deviations.md): with no disk file system registered at all, a named open goes
// to the disk itself, which ramdisk.sys accepts whatever the name.
TEST_F(MountTest, without_any_disk_file_system_a_named_open_reaches_the_disk)
{
    load_disk("TESTFS_A");
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\anything", &h), STATUS_SUCCESS);
    PFILE_OBJECT file = file_of(h);
    EXPECT_EQ(file->Vpb, nullptr);
    EXPECT_EQ(IoGetRelatedDeviceObject(file), IoGetAttachedDevice(file->DeviceObject));
    EXPECT_EQ(file->DeviceObject->Vpb->Flags & VPB_MOUNTED, 0);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// An unload of the file system while a file is open on its volume waits for that file (its volume
// device is in use); the file keeps working meanwhile. Once it closes the unload completes, and the
// volume, no longer mounted, opens whole on the disk again.
TEST_F(MountTest, unloading_a_file_system_in_use_waits_for_its_files)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\busy", &h, FILE_CREATE), STATUS_SUCCESS);
    Driver fs = std::move(m_file_systems.back());
    m_file_systems.pop_back();
    EXPECT_EQ(fs.unload(), STATUS_SUCCESS);

    // Still there, but taking no new opens (the unload is pending), while the open file still
    // reaches the volume.
    HANDLE control = nullptr;
    EXPECT_EQ(open_device(u"\\Device\\MountFsA", &control), STATUS_NO_SUCH_DEVICE);
    const char data[] = "x";
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(write_at(h, data, 1, 0, &iosb), STATUS_SUCCESS);
    PVPB vpb = file_of(h)->Vpb;
    // No new volume or file goes to a file system being unloaded.
    HANDLE other = nullptr;
    EXPECT_EQ(open("\\busy", &other, FILE_OPEN), STATUS_NO_SUCH_DEVICE);

    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(open_device(u"\\Device\\MountFsA", &control), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(vpb->Flags & VPB_MOUNTED, 0);
    HANDLE whole = nullptr;
    ASSERT_EQ(open("", &whole), STATUS_SUCCESS);
    EXPECT_EQ(file_of(whole)->Vpb, nullptr);
    EXPECT_EQ(NtClose(whole), STATUS_SUCCESS);
}

// A disk whose driver goes while a volume is mounted on it (no file open): the disk unloads, and the
// file system, which keeps the disk's device object referenced, tears the volume down later.
TEST_F(MountTest, the_disk_may_go_before_the_file_system_mounted_on_it)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open("\\gone", &h, FILE_CREATE), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(m_disk.unload(), STATUS_SUCCESS);
    EXPECT_EQ(open("\\gone", &h), STATUS_OBJECT_PATH_NOT_FOUND);  // the disk is gone
    EXPECT_EQ(stats('A').VolumesLive, 1);
}

// Race: threads opening an unmounted volume at once. Invariant: the mount is serialized per volume,
// so exactly one IRP_MN_MOUNT_VOLUME is sent and one volume device made per round, every open
// succeeds through that volume, and the VPB reference count returns to zero once all have closed.
// Each round dismounts the volume so the next one races a fresh mount.
TEST_F(MountTest, concurrent_first_opens_mount_the_volume_once)
{
    load_disk("TESTFS_A");
    ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    constexpr int kThreads = 4;
    constexpr int kRounds = 25;
    for (int round = 0; round < kRounds; ++round) {
        std::atomic<int> ready{0};
        std::atomic<int> failures{0};
        std::vector<HANDLE> handles(kThreads, nullptr);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                ready.fetch_add(1);
                while (ready.load() < kThreads) std::this_thread::yield();
                std::string name = "\\f" + std::to_string(t);
                if (open(name.c_str(), &handles[t], FILE_OPEN_IF) != STATUS_SUCCESS) failures.fetch_add(1);
            });
        }
        for (std::thread& thread : threads) thread.join();
        EXPECT_EQ(failures.load(), 0);
        TESTFS_STATS s = stats('A');
        EXPECT_EQ(s.MountRequests, round + 1);
        EXPECT_EQ(s.Mounts, round + 1);
        PVPB vpb = handles[0] ? file_of(handles[0])->Vpb : nullptr;
        ASSERT_NE(vpb, nullptr);
        EXPECT_EQ(vpb_references(vpb), static_cast<ULONG>(kThreads));
        for (HANDLE h : handles) EXPECT_NE(h, nullptr);
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(NtFsControlFile(handles[0], nullptr, nullptr, nullptr, &iosb, FSCTL_DISMOUNT_VOLUME, nullptr, 0,
                                  nullptr, 0),
                  STATUS_SUCCESS);
        for (HANDLE h : handles) {
            if (h) {
                EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
            }
        }
        // The last close let the file system delete the dismounted volume (and free its VPB if it
        // was one of its own); the disk now has a fresh, unmounted VPB nobody references.
        EXPECT_EQ(stats('A').VolumesLive, 0);
        PVPB current = disk_device()->Vpb;
        EXPECT_EQ(current->Flags & VPB_MOUNTED, 0);
        EXPECT_EQ(vpb_references(current), 0u);
        if (HasFailure()) break;
    }
}

}  // namespace
}  // namespace ntio::test::drivers
