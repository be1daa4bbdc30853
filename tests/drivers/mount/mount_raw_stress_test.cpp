// Stress: the RAW stand-in's mount, references and unmount under concurrent opens. Two threads open
// the whole volume of a disk no file system recognizes, read its first sector through the handle and
// close it, while a third opens names on it and a fourth locks and unlocks the volume whenever its
// handle is the only one.
// Invariant: a whole-volume open succeeds, or fails with STATUS_ACCESS_DENIED only while the volume is
// locked; a named open always fails with STATUS_INVALID_PARAMETER; every read through a raw handle
// returns the disk's sector; a handle open on the raw volume sees it mounted; once every handle is
// closed the VPB holds no reference, is not mounted, and no file system mounted anything.
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "mount_test_support.hpp"

namespace ntio::test::drivers {
namespace raw_mount_stress {

constexpr int kIterations = 2000;
constexpr char kSignature[] = "OTHERFS!";

class RawMountStressTest : public MountTest {
protected:
    void SetUp() override {
        MountTest::SetUp();
        load_disk(kSignature);
        ASSERT_EQ(load_fs('A', "TESTFS_A"), STATUS_SUCCESS);
    }
};

bool mounted_through(HANDLE h) {
    FILE_FS_DEVICE_INFORMATION info{};
    IO_STATUS_BLOCK iosb{};
    return NT_SUCCESS(NtQueryVolumeInformationFile(h, &iosb, &info, sizeof info, FileFsDeviceInformation)) &&
           (info.Characteristics & FILE_DEVICE_IS_MOUNTED) != 0;
}

NTSTATUS fsctl(HANDLE h, ULONG code) {
    IO_STATUS_BLOCK iosb{};
    return NtFsControlFile(h, nullptr, nullptr, nullptr, &iosb, code, nullptr, 0, nullptr, 0);
}

TEST_F(RawMountStressTest, concurrent_raw_opens_names_and_locks_keep_the_volume_consistent) {
    std::atomic<bool> stop{false};
    std::atomic<int> bad_status{0}, bad_data{0}, not_mounted{0}, denied{0}, locks{0}, named_wrong{0};

    auto opener = [&] {
        std::vector<char> sector(512);
        for (int i = 0; i < kIterations; ++i) {
            HANDLE h = nullptr;
            const NTSTATUS status = open("", &h);
            if (status == STATUS_ACCESS_DENIED) {
                ++denied;  // the locker holds the volume
                continue;
            }
            if (!NT_SUCCESS(status)) {
                ++bad_status;
                continue;
            }
            if (!mounted_through(h)) ++not_mounted;
            IO_STATUS_BLOCK iosb{};
            if (read_at(h, sector.data(), 512, 0, &iosb) != STATUS_SUCCESS ||
                std::memcmp(sector.data(), kSignature, sizeof(kSignature) - 1) != 0)
                ++bad_data;
            if (NtClose(h) != STATUS_SUCCESS) ++bad_status;
        }
    };
    auto namer = [&] {
        while (!stop.load()) {
            HANDLE h = nullptr;
            const NTSTATUS status = open("\\name", &h);
            if (status != STATUS_INVALID_PARAMETER && status != STATUS_ACCESS_DENIED) ++named_wrong;
            if (NT_SUCCESS(status)) NtClose(h);
        }
    };
    auto locker = [&] {
        while (!stop.load()) {
            HANDLE h = nullptr;
            const NTSTATUS status = open("", &h);
            if (!NT_SUCCESS(status)) continue;
            if (fsctl(h, FSCTL_LOCK_VOLUME) == STATUS_SUCCESS) {
                ++locks;
                if (fsctl(h, FSCTL_UNLOCK_VOLUME) != STATUS_SUCCESS) ++bad_status;
            }
            if (NtClose(h) != STATUS_SUCCESS) ++bad_status;
        }
    };

    std::thread name_thread(namer), lock_thread(locker);
    std::thread a(opener), b(opener);
    a.join();
    b.join();
    stop = true;
    name_thread.join();
    lock_thread.join();

    EXPECT_EQ(bad_status.load(), 0);
    EXPECT_EQ(bad_data.load(), 0);
    EXPECT_EQ(not_mounted.load(), 0);
    EXPECT_EQ(named_wrong.load(), 0);
    // STATUS_ACCESS_DENIED came only from the locker's volume locks.
    if (locks.load() == 0) {
        EXPECT_EQ(denied.load(), 0);
    }

    PDEVICE_OBJECT disk = disk_device();
    ASSERT_NE(disk, nullptr);
    EXPECT_EQ(vpb_references(disk->Vpb), 0u);
    KIRQL irql;
    IoAcquireVpbSpinLock(&irql);
    const USHORT flags = disk->Vpb->Flags;
    IoReleaseVpbSpinLock(irql);
    EXPECT_EQ(flags & (VPB_MOUNTED | VPB_RAW_MOUNT | VPB_LOCKED), 0);
    const TESTFS_STATS s = stats('A');
    EXPECT_GE(s.MountRequests, 1);
    EXPECT_EQ(s.Mounts, 0);
}

}  // namespace raw_mount_stress
}  // namespace ntio::test::drivers
