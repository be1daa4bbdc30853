// Mounting images mkfs.fat made (FAT12, FAT16, FAT32, several cluster and sector sizes) and reading
// what the mtools put on them: FAT type, geometry, serial number, label and free space must agree with
// what mkfs.fat was asked for and what mdir reports; file data and names with what was copied in.
#include <algorithm>
#include <cstring>

#include "fat_image.hpp"

namespace ntio::fastfat::test {
namespace {

// The "N bytes free" figure of mdir (mtools groups digits with spaces).
uint64_t mdir_bytes_free(const std::string& image) {
    CommandResult r = run(quote(find_tool("mdir")) + " -i " + quote(image) + " ::/");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    size_t at = r.output.find("bytes free");
    if (at == std::string::npos) {
        ADD_FAILURE() << "no free-space line in mdir output:\n" << r.output;
        return 0;
    }
    size_t start = r.output.rfind('\n', at);
    start = start == std::string::npos ? 0 : start + 1;
    uint64_t value = 0;
    for (size_t i = start; i < at; ++i) {
        if (r.output[i] >= '0' && r.output[i] <= '9') value = value * 10 + static_cast<uint64_t>(r.output[i] - '0');
    }
    return value;
}

class FatMountTest : public FatTest, public ::testing::WithParamInterface<ImageSpec> {};

TEST_P(FatMountTest, GeometryLabelSerialAndFreeSpaceMatchTheTools) {
    const ImageSpec& spec = GetParam();
    FatImage image(m_dir.file("volume.img"));
    make_image(image.path(), spec);
    image.load();

    FAT_VOLUME volume;
    FAT_VOLUME_IO io = image.io();
    ASSERT_EQ(FatMountVolume(&io, &volume), STATUS_SUCCESS) << spec.describe();
    EXPECT_EQ(static_cast<int>(volume.FatType), spec.fat_bits);
    EXPECT_EQ(volume.BytesPerSector, static_cast<ULONG>(spec.sector_size));
    EXPECT_EQ(volume.BytesPerCluster, static_cast<ULONG>(spec.sectors_per_cluster * spec.sector_size));
    EXPECT_EQ(volume.SerialNumber, 0x1234ABCDu);
    // Every data cluster lies inside the image.
    EXPECT_LE(FatClusterOffset(&volume, volume.ClusterCount + 1) + volume.BytesPerCluster, image.bytes().size());

    WCHAR label[11];
    USHORT label_length = 0;
    ASSERT_EQ(FatQueryVolumeLabel(&volume, label, &label_length), STATUS_SUCCESS);
    EXPECT_EQ(narrow(label, label_length), spec.label);

    ULONG free_clusters, total, bpc;
    FatQueryFreeSpace(&volume, &free_clusters, &total, &bpc);
    EXPECT_EQ(total, volume.ClusterCount);
    EXPECT_EQ(static_cast<uint64_t>(free_clusters) * bpc, mdir_bytes_free(image.path()));
    if (spec.fat_bits == 32) {
        // mkfs.fat records the free count in FSInfo; the engine counted the FAT itself.
        EXPECT_EQ(volume.FsInfoFreeCount, free_clusters);
    }
    EXPECT_EQ(image.out_of_range(), 0);
}

TEST_P(FatMountTest, ReadsFilesAndNamesTheMtoolsWrote) {
    const ImageSpec& spec = GetParam();
    FatImage image(m_dir.file("volume.img"));
    make_image(image.path(), spec);
    const ULONG cluster = static_cast<ULONG>(spec.sectors_per_cluster * spec.sector_size);

    struct HostFile {
        std::string path;
        std::vector<uint8_t> data;
    };
    std::vector<HostFile> files = {
        {"small.txt", pattern(100, 1)},
        {"Long File Name With Spaces.dat", pattern(cluster * 3 + cluster / 2, 2)},
        {"Dir One/inner file.bin", pattern(cluster * 10 + 7, 3)},
        {"Dir One/Sub/empty", {}},
        {"Dir One/Sub/EXACT.BIN", pattern(cluster, 4)},
    };
    std::string img = quote(image.path());
    ASSERT_EQ(run(quote(find_tool("mmd")) + " -i " + img + " '::/Dir One' '::/Dir One/Sub'").exit_code, 0);
    for (size_t i = 0; i < files.size(); ++i) {
        std::string host = m_dir.file("host" + std::to_string(i));
        write_host_file(host, files[i].data);
        CommandResult r = run(quote(find_tool("mcopy")) + " -i " + img + " " + quote(host) + " " + quote("::/" + files[i].path));
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    image.load();

    FAT_VOLUME volume;
    FAT_VOLUME_IO io = image.io();
    ASSERT_EQ(FatMountVolume(&io, &volume), STATUS_SUCCESS);
    for (const auto& f : files) {
        FAT_DIRENT d;
        ASSERT_EQ(lookup_path(&volume, f.path, &d), STATUS_SUCCESS) << f.path;
        EXPECT_EQ(d.FileSize, f.data.size()) << f.path;
        EXPECT_EQ(read_all(&volume, d), f.data) << f.path;
    }
    // Case-insensitive, by long name and by the generated short name.
    FAT_DIRENT d;
    EXPECT_EQ(lookup_path(&volume, "LONG FILE NAME WITH SPACES.DAT", &d), STATUS_SUCCESS);
    EXPECT_EQ(narrow(d.ShortName, d.ShortNameLength), "LONGFI~1.DAT");
    EXPECT_EQ(lookup_path(&volume, "longfi~1.dat", &d), STATUS_SUCCESS);
    EXPECT_EQ(d.FileSize, files[1].data.size());
    EXPECT_EQ(lookup_path(&volume, "dir one/SUB/exact.bin", &d), STATUS_SUCCESS);
    EXPECT_EQ(lookup_path(&volume, "nothere", &d), STATUS_OBJECT_NAME_NOT_FOUND);

    auto root = list_names(&volume, FatRootDirectory(&volume));
    std::sort(root.begin(), root.end());
    EXPECT_EQ(root, (std::vector<std::string>{"Dir One", "Long File Name With Spaces.dat", "small.txt"}));

    // A subdirectory enumerates "." and ".." first, then its entries.
    ASSERT_EQ(lookup_path(&volume, "Dir One", &d), STATUS_SUCCESS);
    ASSERT_TRUE(d.Attributes & FAT_ATTR_DIRECTORY);
    ULONG sub = d.FirstCluster;
    ULONG resume = 0;
    ASSERT_EQ(FatEnumerateDirectory(&volume, sub, &resume, &d), STATUS_SUCCESS);
    EXPECT_EQ(narrow(d.ShortName, d.ShortNameLength), ".");
    EXPECT_EQ(d.FirstCluster, sub);
    ASSERT_EQ(FatEnumerateDirectory(&volume, sub, &resume, &d), STATUS_SUCCESS);
    EXPECT_EQ(narrow(d.ShortName, d.ShortNameLength), "..");
    EXPECT_EQ(d.FirstCluster, 0u);  // the parent is the root
    auto inner = list_names(&volume, sub);
    std::sort(inner.begin(), inner.end());
    EXPECT_EQ(inner, (std::vector<std::string>{"Sub", "inner file.bin"}));

    // Reading at an offset inside the file, across a cluster boundary.
    ASSERT_EQ(lookup_path(&volume, "Dir One/inner file.bin", &d), STATUS_SUCCESS);
    std::vector<uint8_t> part(cluster + 10);
    ULONG got = 0;
    ASSERT_EQ(FatReadFile(&volume, &d, cluster - 5, static_cast<ULONG>(part.size()), part.data(), &got), STATUS_SUCCESS);
    ASSERT_EQ(got, part.size());
    EXPECT_TRUE(std::equal(part.begin(), part.end(), files[2].data.begin() + (cluster - 5)));
    EXPECT_EQ(FatReadFile(&volume, &d, d.FileSize, 1, part.data(), &got), STATUS_END_OF_FILE);
    EXPECT_EQ(image.out_of_range(), 0);
}

const ImageSpec kImages[] = {
    {12, 1440, 1, 512, "FLOPPY"},
    {12, 4096, 4, 512, ""},
    {16, 16384, 4, 512, "SIXTEEN"},
    {16, 32768, 1, 4096, "BIGSECTORS"},
    {16, 65536, 16, 512, "BIGCLUSTER"},
    {32, 40960, 1, 512, "THIRTYTWO"},
    {32, 81920, 2, 512, ""},
};

INSTANTIATE_TEST_SUITE_P(Images, FatMountTest, ::testing::ValuesIn(kImages), [](const auto& info) {
    const ImageSpec& s = info.param;
    return "Fat" + std::to_string(s.fat_bits) + "_" + std::to_string(s.size_kib) + "K_" +
           std::to_string(s.sectors_per_cluster) + "x" + std::to_string(s.sector_size);
});

}  // namespace
}  // namespace ntio::fastfat::test
