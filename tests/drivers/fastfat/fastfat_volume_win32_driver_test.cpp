// kernel32's volume calls on fastfat.sys: a FAT16 volume on the RAM disk given the drive letter X: by
// DefineDosDeviceW, then GetLogicalDrives, QueryDosDeviceW, GetDriveTypeW, GetVolumeInformation(W/A),
// GetDiskFreeSpace(Ex) and the letter's removal. The expected geometry is read from the boot sector
// mkfs.fat wrote and the free space after the volume is gone is mdir's.
#include "fastfat_driver_support.hpp"

#include <windows.h>

#include <sstream>

namespace ntio::test::drivers {
namespace fastfat_volume {

constexpr char kLabel[] = "VOLTEST";
constexpr DWORD kSerial = 0x1234ABCD;  // make_image's -i
constexpr DWORD kDriveX = 1u << ('X' - 'A');

// The cluster geometry of a FAT12/16 boot sector.
struct Geometry {
    uint32_t bytes_per_sector = 0;
    uint32_t sectors_per_cluster = 0;
    uint32_t clusters = 0;
    uint64_t cluster_bytes() const { return uint64_t(bytes_per_sector) * sectors_per_cluster; }
};

Geometry read_geometry(const std::string& image) {
    const std::vector<uint8_t> b = fat::read_host_file(image);
    auto u16at = [&](size_t at) { return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8; };
    auto u32at = [&](size_t at) { return u16at(at) | u16at(at + 2) << 16; };
    Geometry g;
    g.bytes_per_sector = u16at(11);
    g.sectors_per_cluster = b[13];
    const uint32_t reserved = u16at(14);
    const uint32_t fats = b[16];
    const uint32_t root_entries = u16at(17);
    const uint32_t total = u16at(19) ? u16at(19) : u32at(32);
    const uint32_t fat_sectors = u16at(22);
    const uint32_t root_sectors = (root_entries * 32 + g.bytes_per_sector - 1) / g.bytes_per_sector;
    g.clusters = (total - reserved - fats * fat_sectors - root_sectors) / g.sectors_per_cluster;
    return g;
}

// The "N bytes free" mdir prints for the image's root (digits grouped with spaces).
uint64_t mdir_bytes_free(const std::string& image) {
    fat::CommandResult r = fat::run(fat::quote(fat::find_tool("mdir")) + " -i " + fat::quote(image) + " ::/");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::stringstream lines(r.output);
    std::string line;
    while (std::getline(lines, line)) {
        const size_t at = line.find("bytes free");
        if (at == std::string::npos) continue;
        uint64_t value = 0;
        for (size_t i = 0; i < at; ++i)
            if (line[i] >= '0' && line[i] <= '9') value = value * 10 + uint64_t(line[i] - '0');
        return value;
    }
    ADD_FAILURE() << "no free space in: " << r.output;
    return 0;
}

std::string narrow_z(const WCHAR* text) {
    size_t n = 0;
    while (text[n]) ++n;
    return fat::narrow(text, n);
}

class FastFatVolumeWin32Test : public FastFatTest {
protected:
    void SetUp() override {
        FastFatTest::SetUp();
        if (IsSkipped()) return;
        format({16, 16384, 4, 512, kLabel});
        m_geometry = read_geometry(m_image);
        ASSERT_EQ(GetLogicalDrives() & kDriveX, 0u);
        ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"X:", L"\\Device\\Ramdisk0")) << GetLastError();
        m_defined = true;
    }
    void TearDown() override {
        if (m_defined) remove_letter();
        FastFatTest::TearDown();
    }
    void remove_letter() {
        EXPECT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH | DDD_REMOVE_DEFINITION | DDD_EXACT_MATCH_ON_REMOVE, L"X:",
                                     L"\\Device\\Ramdisk0"))
            << GetLastError();
        m_defined = false;
    }
    Geometry m_geometry;
    bool m_defined = false;
};

TEST_F(FastFatVolumeWin32Test, the_letter_names_the_fat_volume_until_it_is_removed) {
    EXPECT_NE(GetLogicalDrives() & kDriveX, 0u);
    WCHAR target[64] = {};
    ASSERT_EQ(QueryDosDeviceW(L"X:", target, 64), DWORD(16 + 2)) << GetLastError();
    EXPECT_EQ(narrow_z(target), kFatDisk);
    EXPECT_EQ(target[17], 0);
    // ramdisk.sys makes a FILE_DEVICE_DISK without FILE_REMOVABLE_MEDIA.
    EXPECT_EQ(GetDriveTypeW(L"X:\\"), UINT(DRIVE_FIXED));

    WCHAR label[MAX_PATH + 1] = {};
    WCHAR file_system[MAX_PATH + 1] = {};
    DWORD serial = 0, max_component = 0, flags = 0;
    ASSERT_TRUE(GetVolumeInformationW(L"X:\\", label, MAX_PATH + 1, &serial, &max_component, &flags, file_system,
                                      MAX_PATH + 1))
        << GetLastError();
    EXPECT_EQ(narrow_z(label), kLabel);
    EXPECT_EQ(serial, kSerial);
    // fastfat.sys: "FAT" for FAT12/16, long names of 255 characters, case-preserved Unicode names.
    EXPECT_EQ(narrow_z(file_system), "FAT");
    EXPECT_EQ(max_component, 255u);
    EXPECT_EQ(flags, DWORD(FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK));
    // One character short of the label and its NUL.
    EXPECT_FALSE(GetVolumeInformationW(L"X:\\", label, DWORD(sizeof(kLabel) - 1), nullptr, nullptr, nullptr, nullptr,
                                       0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_BAD_LENGTH));
    char ansi_label[16] = {};
    char ansi_fs[8] = {};
    ASSERT_TRUE(GetVolumeInformationA("x:\\", ansi_label, sizeof(ansi_label), &serial, nullptr, nullptr, ansi_fs,
                                      sizeof(ansi_fs)));
    EXPECT_EQ(std::string(ansi_label), kLabel);
    EXPECT_EQ(std::string(ansi_fs), "FAT");

    remove_letter();
    EXPECT_EQ(GetLogicalDrives() & kDriveX, 0u);
    EXPECT_EQ(QueryDosDeviceW(L"X:", target, 64), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(GetDriveTypeW(L"X:\\"), UINT(DRIVE_NO_ROOT_DIR));
    EXPECT_FALSE(GetVolumeInformationW(L"X:\\", label, MAX_PATH + 1, nullptr, nullptr, nullptr, nullptr, 0));
    EXPECT_EQ(CreateFileW(L"X:\\a.txt", GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_PATH_NOT_FOUND));
}

TEST_F(FastFatVolumeWin32Test, free_space_matches_the_format_and_drops_as_files_are_written) {
    ASSERT_GT(m_geometry.clusters, 0u);
    DWORD sectors = 0, bytes = 0, free_clusters = 0, total_clusters = 0;
    ASSERT_TRUE(GetDiskFreeSpaceW(L"X:\\", &sectors, &bytes, &free_clusters, &total_clusters)) << GetLastError();
    EXPECT_EQ(sectors, m_geometry.sectors_per_cluster);
    EXPECT_EQ(bytes, m_geometry.bytes_per_sector);
    EXPECT_EQ(total_clusters, m_geometry.clusters);
    // A new FAT16 volume: the root directory has its own region, every cluster is free.
    EXPECT_EQ(free_clusters, m_geometry.clusters);

    ULARGE_INTEGER caller{}, total{}, total_free{};
    ASSERT_TRUE(GetDiskFreeSpaceExW(L"X:\\", &caller, &total, &total_free)) << GetLastError();
    EXPECT_EQ(total.QuadPart, m_geometry.clusters * m_geometry.cluster_bytes());
    EXPECT_EQ(total_free.QuadPart, total.QuadPart);
    EXPECT_EQ(caller.QuadPart, total.QuadPart);

    // 100000 bytes take whole clusters; a directory takes one more.
    const std::vector<uint8_t> data = fat::pattern(100000, 7);
    HANDLE h = CreateFileW(L"X:\\data.bin", GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    DWORD done = 0;
    ASSERT_TRUE(WriteFile(h, data.data(), DWORD(data.size()), &done, nullptr));
    EXPECT_TRUE(CloseHandle(h));
    ASSERT_TRUE(CreateDirectoryW(L"X:\\sub", nullptr)) << GetLastError();
    const uint64_t used = (data.size() + m_geometry.cluster_bytes() - 1) / m_geometry.cluster_bytes() + 1;
    ASSERT_TRUE(GetDiskFreeSpaceW(L"X:\\", nullptr, nullptr, &free_clusters, nullptr));
    EXPECT_EQ(free_clusters, m_geometry.clusters - used);
    // Any directory of the volume answers for it.
    ASSERT_TRUE(GetDiskFreeSpaceExA("X:\\sub", &caller, &total, &total_free)) << GetLastError();
    EXPECT_EQ(total_free.QuadPart, (m_geometry.clusters - used) * m_geometry.cluster_bytes());
    EXPECT_EQ(total.QuadPart, m_geometry.clusters * m_geometry.cluster_bytes());
    EXPECT_EQ(GetDriveTypeA("X:\\"), UINT(DRIVE_FIXED));

    remove_letter();
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(mdir_bytes_free(m_image), total_free.QuadPart);
}

}  // namespace fastfat_volume
}  // namespace ntio::test::drivers
