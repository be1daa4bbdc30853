// Writing through the engine, then checking the image with fsck.fat -n and reading it back with
// mtype and mdir: files across many clusters, short names with the NT case bits, long names and
// their generated short names, subdirectories and directory growth, and a FAT12/16 root that fills up.
#include <algorithm>

#include "fat_image.hpp"

namespace ntio::fastfat::test {
namespace {

class FatWriteTest : public FatTest, public ::testing::WithParamInterface<ImageSpec> {};

TEST_P(FatWriteTest, FilesAndDirectoriesTheToolsReadBack) {
    format_and_mount(GetParam());
    const ULONG cluster = m_volume.BytesPerCluster;
    ULONG free_before, total, bpc;
    FatQueryFreeSpace(&m_volume, &free_before, &total, &bpc);

    auto readme = pattern(300, 10);
    FAT_DIRENT d = create_file(root(), "readme.txt", readme);
    // An all-lower-case 8.3 name is one short entry with both NT lower-case bits.
    EXPECT_EQ(d.LongNameLength, 0);
    EXPECT_EQ(d.NtCaseBits, FAT_NT_LOWER_BASE | FAT_NT_LOWER_EXTENSION);
    EXPECT_EQ(narrow(d.ShortName, d.ShortNameLength), "readme.txt");
    EXPECT_EQ(d.LfnIndex, d.DirentIndex);

    FAT_DIRENT upper_ext = create_file(root(), "notes.TXT", pattern(10, 11));
    EXPECT_EQ(upper_ext.LongNameLength, 0);
    EXPECT_EQ(upper_ext.NtCaseBits, FAT_NT_LOWER_BASE);

    // The same name in another case is the same name.
    std::u16string again = u16("README.TXT");
    UNICODE_STRING u = ustr(again);
    FAT_DIRENT other;
    EXPECT_EQ(FatCreateEntry(&m_volume, root(), &u, 0, &other), STATUS_OBJECT_NAME_COLLISION);

    // Mixed case needs a long name; its short name has no tail when it is the 8.3 form.
    FAT_DIRENT mixed = create_file(root(), "Readme.md", pattern(5, 12));
    EXPECT_EQ(narrow(mixed.LongName, mixed.LongNameLength), "Readme.md");
    EXPECT_EQ(narrow(mixed.ShortName, mixed.ShortNameLength), "README.MD");

    auto big = pattern(cluster * 37 + 5, 13);
    FAT_DIRENT long1 = create_file(root(), "Mixed Case Long Name.data", big);
    EXPECT_EQ(narrow(long1.ShortName, long1.ShortNameLength), "MIXEDC~1.DAT");
    FAT_DIRENT long2 = create_file(root(), "Mixed Case Long Name 2.data", pattern(cluster + 1, 14));
    EXPECT_EQ(narrow(long2.ShortName, long2.ShortNameLength), "MIXEDC~2.DAT");
    FAT_DIRENT plus = create_file(root(), "a+b=c.text", pattern(1, 15));
    EXPECT_EQ(narrow(plus.ShortName, plus.ShortNameLength), "A_B_C~1.TEX");

    // Piecewise writes: unaligned, across clusters, and one past the end that leaves a zero gap.
    FAT_DIRENT sub = create_directory(root(), "Sub Dir");
    ASSERT_TRUE(sub.Attributes & FAT_ATTR_DIRECTORY);
    FAT_DIRENT deep = create_directory(sub.FirstCluster, "deep");
    FAT_DIRENT nested = create_file(sub.FirstCluster, "nested.bin", {});
    std::vector<uint8_t> expected;
    for (int piece = 0; piece < 9; ++piece) {
        auto chunk = pattern(cluster / 3 + 17 * piece, 20 + piece);
        ASSERT_EQ(FatWriteFile(&m_volume, &nested, expected.size(), static_cast<ULONG>(chunk.size()), chunk.data()),
                  STATUS_SUCCESS);
        expected.insert(expected.end(), chunk.begin(), chunk.end());
    }
    auto tail = pattern(77, 30);
    ULONGLONG gap_at = expected.size() + cluster * 2 + 3;
    ASSERT_EQ(FatWriteFile(&m_volume, &nested, gap_at, static_cast<ULONG>(tail.size()), tail.data()), STATUS_SUCCESS);
    expected.resize(gap_at, 0);
    expected.insert(expected.end(), tail.begin(), tail.end());
    // Overwrite in the middle.
    auto patch = pattern(cluster + 9, 31);
    ASSERT_EQ(FatWriteFile(&m_volume, &nested, 100, static_cast<ULONG>(patch.size()), patch.data()), STATUS_SUCCESS);
    std::copy(patch.begin(), patch.end(), expected.begin() + 100);
    EXPECT_EQ(nested.FileSize, expected.size());
    FAT_DIRENT in_deep = create_file(deep.FirstCluster, "x", pattern(3, 32));

    // The engine's own view after a fresh mount.
    remount();
    FAT_DIRENT check;
    ASSERT_EQ(lookup_path(&m_volume, "Sub Dir/nested.bin", &check), STATUS_SUCCESS);
    EXPECT_EQ(read_all(&m_volume, check), expected);
    ASSERT_EQ(lookup_path(&m_volume, "mixedc~1.dat", &check), STATUS_SUCCESS);
    EXPECT_EQ(read_all(&m_volume, check), big);
    ULONG free_after;
    FatQueryFreeSpace(&m_volume, &free_after, &total, &bpc);
    ULONG used = 0;
    const std::vector<size_t> sizes = {readme.size(), 10, 5, big.size(), cluster + 1, 1, expected.size(), 3};
    for (size_t size : sizes) {
        used += static_cast<ULONG>((size + cluster - 1) / cluster);
    }
    used += 2;  // the two new directories
    // The FAT12/16 root never grows; a FAT32 root may have needed more clusters.
    ULONG root_growth = 0;
    if (m_volume.FatType == FatType32) {
        ULONG count;
        ASSERT_EQ(FatChainLength(&m_volume, m_volume.RootCluster, &count, nullptr), STATUS_SUCCESS);
        root_growth = count - 1;
    }
    EXPECT_EQ(free_before - free_after, used + root_growth);

    // The tools' view.
    expect_clean();
    EXPECT_EQ(mtype(m_image->path(), "readme.txt"), readme);
    EXPECT_EQ(mtype(m_image->path(), "Mixed Case Long Name.data"), big);
    EXPECT_EQ(mtype(m_image->path(), "Sub Dir/nested.bin"), expected);
    EXPECT_EQ(mtype(m_image->path(), "Sub Dir/deep/x"), pattern(3, 32));
    EXPECT_EQ(mdir_tree(m_image->path()),
              (std::vector<std::string>{"Mixed Case Long Name 2.data", "Mixed Case Long Name.data", "Readme.md",
                                        "Sub Dir/", "Sub Dir/deep/", "Sub Dir/deep/x", "Sub Dir/nested.bin",
                                        "a+b=c.text", "notes.TXT", "readme.txt"}));
    (void)in_deep;
}

TEST_P(FatWriteTest, DirectoriesGrowClusterByCluster) {
    format_and_mount(GetParam());
    FAT_DIRENT sub = create_directory(root(), "many");
    std::vector<std::string> names;
    // Each name takes three entries (two long, one short), so a few clusters fill up.
    ULONG per_cluster = m_volume.BytesPerCluster / 32;
    int count = static_cast<int>(per_cluster / 3 * 3 + 5);
    for (int i = 0; i < count; ++i) {
        names.push_back("a long file name number " + std::to_string(i));
        create_file(sub.FirstCluster, names.back(), pattern(static_cast<size_t>(i), static_cast<uint32_t>(i)));
    }
    ULONG clusters;
    ASSERT_EQ(FatChainLength(&m_volume, sub.FirstCluster, &clusters, nullptr), STATUS_SUCCESS);
    EXPECT_GE(clusters, 3u);
    auto listed = list_names(&m_volume, sub.FirstCluster);
    std::sort(listed.begin(), listed.end());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(listed, names);
    expect_clean();
    EXPECT_EQ(mtype(m_image->path(), "many/a long file name number 7"), pattern(7, 7));
}

const ImageSpec kWriteImages[] = {
    {12, 1440, 1, 512, "FLOPPY"},
    {16, 16384, 4, 512, ""},
    {32, 40960, 1, 512, "VOL32"},
    {32, 81920, 2, 512, ""},
};

INSTANTIATE_TEST_SUITE_P(Images, FatWriteTest, ::testing::ValuesIn(kWriteImages), [](const auto& info) {
    const ImageSpec& s = info.param;
    return "Fat" + std::to_string(s.fat_bits) + "_" + std::to_string(s.size_kib) + "K_" +
           std::to_string(s.sectors_per_cluster) + "x" + std::to_string(s.sector_size);
});

// FastFat raises STATUS_CANNOT_MAKE for a full fixed root (its directory support code, where it
// refuses to extend a FAT12/16 root or a directory past 65,536 entries).
TEST_F(FatTest, FixedRootFillsUpWithCannotMake) {
    format_and_mount({12, 1440, 1, 512, ""});
    ASSERT_EQ(m_volume.RootEntryCount, 224u);
    int created = 0;
    NTSTATUS status = STATUS_SUCCESS;
    for (int i = 0; i < 300 && NT_SUCCESS(status); ++i) {
        std::u16string name = u16("F" + std::to_string(i));
        UNICODE_STRING u = ustr(name);
        FAT_DIRENT d;
        status = FatCreateEntry(&m_volume, root(), &u, 0, &d);
        if (NT_SUCCESS(status)) ++created;
    }
    EXPECT_EQ(status, STATUS_CANNOT_MAKE);
    EXPECT_EQ(created, 224);
    expect_clean();
    EXPECT_EQ(mdir_tree(m_image->path()).size(), 224u);
}

}  // namespace
}  // namespace ntio::fastfat::test
