// fastfat.sys mounting FAT12/16/32 images on ramdisk.sys: the volume information the VPB and the
// driver report, a disk that is not FAT, the volume FSCTLs (lock, unlock, dismount, is-mounted) and
// unknown FSCTLs (NT fact J7), and that a data-carrying volume unmounts clean for fsck.fat.
#include "fastfat_driver_support.hpp"

namespace ntio::test::drivers {
namespace {

class FastFatMountTest : public FastFatTest, public ::testing::WithParamInterface<fat::ImageSpec> {};

TEST_P(FastFatMountTest, mounts_and_reports_the_volume) {
    fat::ImageSpec spec = GetParam();
    format(spec);
    HANDLE root = nullptr;
    ASSERT_EQ(create("\\", &root, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);

    alignas(8) UCHAR buffer[512];
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtQueryVolumeInformationFile(root, &iosb, buffer, sizeof(buffer), FileFsVolumeInformation), STATUS_SUCCESS);
    auto* volume = reinterpret_cast<PFILE_FS_VOLUME_INFORMATION>(buffer);
    EXPECT_EQ(volume->VolumeSerialNumber, 0x1234ABCDu);  // mkfs.fat -i 1234ABCD
    EXPECT_EQ(fat::narrow(volume->VolumeLabel, volume->VolumeLabelLength / 2), spec.label);
    EXPECT_EQ(iosb.Information, FIELD_OFFSET(FILE_FS_VOLUME_INFORMATION, VolumeLabel) + volume->VolumeLabelLength);

    ASSERT_EQ(NtQueryVolumeInformationFile(root, &iosb, buffer, sizeof(buffer), FileFsAttributeInformation),
              STATUS_SUCCESS);
    auto* attribute = reinterpret_cast<PFILE_FS_ATTRIBUTE_INFORMATION>(buffer);
    EXPECT_EQ(fat::narrow(attribute->FileSystemName, attribute->FileSystemNameLength / 2),
              spec.fat_bits == 32 ? "FAT32" : "FAT");
    EXPECT_EQ(attribute->MaximumComponentNameLength, 255u);

    FILE_FS_SIZE_INFORMATION size{};
    ASSERT_EQ(NtQueryVolumeInformationFile(root, &iosb, &size, sizeof(size), FileFsSizeInformation), STATUS_SUCCESS);
    EXPECT_EQ(size.SectorsPerAllocationUnit, ULONG(spec.sectors_per_cluster));
    EXPECT_EQ(size.BytesPerSector, ULONG(spec.sector_size));
    EXPECT_GT(size.TotalAllocationUnits.QuadPart, 0);
    EXPECT_LE(size.AvailableAllocationUnits.QuadPart, size.TotalAllocationUnits.QuadPart);
    const LONGLONG free_before = size.AvailableAllocationUnits.QuadPart;
    FILE_FS_FULL_SIZE_INFORMATION full{};
    ASSERT_EQ(NtQueryVolumeInformationFile(root, &iosb, &full, sizeof(full), FileFsFullSizeInformation), STATUS_SUCCESS);
    EXPECT_EQ(full.TotalAllocationUnits.QuadPart, size.TotalAllocationUnits.QuadPart);
    EXPECT_EQ(full.CallerAvailableAllocationUnits.QuadPart, free_before);
    EXPECT_EQ(full.ActualAvailableAllocationUnits.QuadPart, free_before);
    EXPECT_EQ(full.SectorsPerAllocationUnit, size.SectorsPerAllocationUnit);
    // A buffer too small for the label: the fixed part and STATUS_BUFFER_OVERFLOW.
    if (!spec.label.empty()) {
        EXPECT_EQ(NtQueryVolumeInformationFile(root, &iosb, buffer, sizeof(FILE_FS_VOLUME_INFORMATION),
                                               FileFsVolumeInformation),
                  STATUS_BUFFER_OVERFLOW);
        EXPECT_EQ(iosb.Information, sizeof(FILE_FS_VOLUME_INFORMATION));
    }

    FILE_FS_DEVICE_INFORMATION device{};
    ASSERT_EQ(NtQueryVolumeInformationFile(root, &iosb, &device, sizeof(device), FileFsDeviceInformation), STATUS_SUCCESS);
    EXPECT_EQ(device.DeviceType, ULONG(FILE_DEVICE_DISK));
    EXPECT_EQ(NtClose(root), STATUS_SUCCESS);

    // A file of three clusters takes three clusters.
    const ULONG cluster = ULONG(spec.sectors_per_cluster) * ULONG(spec.sector_size);
    std::vector<uint8_t> data = fat::pattern(3 * cluster, 7);
    put_file("\\three.bin", data);
    ASSERT_EQ(create("\\", &root, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryVolumeInformationFile(root, &iosb, &size, sizeof(size), FileFsSizeInformation), STATUS_SUCCESS);
    EXPECT_EQ(size.AvailableAllocationUnits.QuadPart, free_before - 3);
    EXPECT_EQ(NtClose(root), STATUS_SUCCESS);

    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mtype(m_image, "three.bin"), data);
}

INSTANTIATE_TEST_SUITE_P(Types, FastFatMountTest,
                         ::testing::Values(fat::ImageSpec{12, 1024, 1, 512, "SMALL"},
                                           fat::ImageSpec{16, 16384, 4, 512, "MEDIUM"},
                                           fat::ImageSpec{32, 40000, 1, 512, "LARGE32"},
                                           fat::ImageSpec{16, 16384, 1, 2048, ""}),
                         [](const ::testing::TestParamInfo<fat::ImageSpec>& info) {
                             return "FAT" + std::to_string(info.param.fat_bits) + "_" +
                                    std::to_string(info.param.sector_size);
                         });

// No file system recognizes the disk: ntio has no RAW file system, and a named open fails as RAW's
// create would (see the NT deviation in the I/O manager's mount code).
TEST_F(FastFatTest, a_disk_that_is_not_fat_is_not_mounted) {
    m_image = m_dir.file("zero.img");
    fat::write_host_file(m_image, std::vector<uint8_t>(1024 * 1024, 0));
    load_disk();
    load_fs();
    HANDLE h = nullptr;
    EXPECT_EQ(create("\\a.txt", &h, FILE_OPEN_IF), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(h, nullptr);
}

TEST_F(FastFatTest, volume_label_set_through_the_volume_shows_in_the_vpb_and_on_disk) {
    format({16, 16384, 4, 512, "OLD"});
    HANDLE volume = nullptr;
    ASSERT_EQ(create("", &volume, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    alignas(8) UCHAR buffer[64]{};
    auto* label = reinterpret_cast<PFILE_FS_LABEL_INFORMATION>(buffer);
    label->VolumeLabelLength = 8 * sizeof(WCHAR);
    std::memcpy(label->VolumeLabel, u"NEWLABEL", 16);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtSetVolumeInformationFile(volume, &iosb, label, sizeof(buffer), FileFsLabelInformation), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryVolumeInformationFile(volume, &iosb, buffer, sizeof(buffer), FileFsVolumeInformation),
              STATUS_SUCCESS);
    auto* info = reinterpret_cast<PFILE_FS_VOLUME_INFORMATION>(buffer);
    EXPECT_EQ(fat::narrow(info->VolumeLabel, info->VolumeLabelLength / 2), "NEWLABEL");
    // A label FAT cannot hold.
    label->VolumeLabelLength = 12 * sizeof(WCHAR);
    std::memcpy(label->VolumeLabel, u"TWELVECHARSX", 24);
    EXPECT_EQ(NtSetVolumeInformationFile(volume, &iosb, label, sizeof(buffer), FileFsLabelInformation),
              STATUS_INVALID_VOLUME_LABEL);
    EXPECT_EQ(NtClose(volume), STATUS_SUCCESS);
    unmount();
    expect_fsck_clean();
    fat::CommandResult r = fat::run("mlabel -s -i " + fat::quote(m_image) + " ::");
    EXPECT_NE(r.output.find("NEWLABEL"), std::string::npos) << r.output;
}

// NT fact J7: an unknown FSCTL on a disk file is STATUS_INVALID_DEVICE_REQUEST, and so is
// FSCTL_PIPE_PEEK on something that is not a pipe, with the IOSB untouched.
TEST_F(FastFatTest, J7_unknown_fsctl_on_a_disk_file_is_invalid_device_request) {
    format({12, 1024, 1, 512, ""});
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\file.txt", &h, FILE_CREATE), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    iosb.Status = 0x12345678;
    iosb.Information = 0xABCD;
    EXPECT_EQ(fsctl(h, CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x7FF, METHOD_BUFFERED, FILE_ANY_ACCESS), &iosb),
              STATUS_INVALID_DEVICE_REQUEST);
    UCHAR peek[64];
    EXPECT_EQ(fsctl(h, FSCTL_PIPE_PEEK, &iosb, peek, sizeof(peek)), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(iosb.Status, NTSTATUS(0x12345678));
    EXPECT_EQ(iosb.Information, 0xABCDu);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(FastFatTest, lock_refuses_open_files_and_blocks_new_opens_until_unlock) {
    format({16, 16384, 4, 512, ""});
    HANDLE file = nullptr;
    ASSERT_EQ(create("\\open.txt", &file, FILE_CREATE), STATUS_SUCCESS);
    HANDLE volume = nullptr;
    ASSERT_EQ(create("", &volume, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(fsctl(volume, FSCTL_IS_VOLUME_MOUNTED, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(fsctl(volume, FSCTL_LOCK_VOLUME, &iosb), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtClose(file), STATUS_SUCCESS);
    EXPECT_EQ(fsctl(volume, FSCTL_LOCK_VOLUME, &iosb), STATUS_SUCCESS);
    HANDLE other = nullptr;
    EXPECT_EQ(create("\\open.txt", &other, FILE_OPEN), STATUS_ACCESS_DENIED);
    EXPECT_EQ(fsctl(volume, FSCTL_UNLOCK_VOLUME, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(fsctl(volume, FSCTL_UNLOCK_VOLUME, &iosb), STATUS_NOT_LOCKED);
    ASSERT_EQ(create("\\open.txt", &other, FILE_OPEN), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(other), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(volume), STATUS_SUCCESS);
}

TEST_F(FastFatTest, dismount_ends_the_old_handles_and_the_next_open_mounts_again) {
    format({32, 40000, 1, 512, ""});
    std::vector<uint8_t> data = fat::pattern(5000, 3);
    HANDLE file = nullptr;
    ASSERT_EQ(create("\\kept.bin", &file, FILE_CREATE), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(file, data.data(), ULONG(data.size()), 0, &iosb), STATUS_SUCCESS);
    HANDLE volume = nullptr;
    ASSERT_EQ(create("", &volume, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    EXPECT_EQ(fsctl(volume, FSCTL_DISMOUNT_VOLUME, &iosb), STATUS_SUCCESS);
    UCHAR byte = 0;
    EXPECT_EQ(read_at(file, &byte, 1, 0, &iosb), STATUS_VOLUME_DISMOUNTED);
    // The written data was flushed by the dismount: a fresh mount reads it.
    EXPECT_EQ(get_file("\\kept.bin"), data);
    EXPECT_EQ(NtClose(file), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(volume), STATUS_SUCCESS);
    unmount();
    expect_fsck_clean();
}

}  // namespace
}  // namespace ntio::test::drivers
