// Changing what is on the volume through the engine: deleting files and directories, renaming and
// moving, truncating and extending, filling the disk to STATUS_DISK_FULL, attributes and times, the
// label and serial number. Every test ends with fsck.fat -n and the mtools reading the result.
#include <algorithm>

#include "fat_image.hpp"

namespace ntio::fastfat::test {
namespace {

class FatModifyTest : public FatTest, public ::testing::WithParamInterface<ImageSpec> {
protected:
    ULONG free_clusters() {
        ULONG free, total, bpc;
        FatQueryFreeSpace(&m_volume, &free, &total, &bpc);
        return free;
    }
    NTSTATUS rename(FAT_DIRENT* d, ULONG target, const std::string& name) {
        std::u16string n = u16(name);
        UNICODE_STRING u = ustr(n);
        return FatRenameEntry(&m_volume, d, target, &u);
    }
    ULONG clusters_for(size_t bytes) {
        return static_cast<ULONG>((bytes + m_volume.BytesPerCluster - 1) / m_volume.BytesPerCluster);
    }
};

TEST_P(FatModifyTest, DeleteFreesClustersAndRefusesNonEmptyDirectories) {
    format_and_mount(GetParam());
    ULONG start = free_clusters();
    auto data = pattern(m_volume.BytesPerCluster * 5 + 1, 1);
    FAT_DIRENT file = create_file(root(), "A long name to delete.bin", data);
    FAT_DIRENT dir = create_directory(root(), "folder");
    FAT_DIRENT inner = create_file(dir.FirstCluster, "inner.txt", pattern(10, 2));
    EXPECT_EQ(start - free_clusters(), clusters_for(data.size()) + 1 + 1);

    EXPECT_EQ(FatDeleteEntry(&m_volume, &dir), STATUS_DIRECTORY_NOT_EMPTY);
    ASSERT_EQ(FatDeleteEntry(&m_volume, &file), STATUS_SUCCESS);
    ASSERT_EQ(FatDeleteEntry(&m_volume, &inner), STATUS_SUCCESS);
    // Only "." and ".." are left now.
    ASSERT_EQ(lookup_path(&m_volume, "folder", &dir), STATUS_SUCCESS);
    ASSERT_EQ(FatDeleteEntry(&m_volume, &dir), STATUS_SUCCESS);
    EXPECT_EQ(free_clusters(), start);
    FAT_DIRENT gone;
    EXPECT_EQ(lookup_path(&m_volume, "A long name to delete.bin", &gone), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(lookup_path(&m_volume, "folder", &gone), STATUS_OBJECT_NAME_NOT_FOUND);

    // Deleted slots are reused by the next create.
    FAT_DIRENT reuse = create_file(root(), "reuse.txt", pattern(4, 3));
    EXPECT_EQ(reuse.DirentIndex, file.LfnIndex);
    expect_clean();
    EXPECT_EQ(mdir_tree(m_image->path()), (std::vector<std::string>{"reuse.txt"}));
}

TEST_P(FatModifyTest, RenameAndMoveKeepDataAndFixDotDot) {
    format_and_mount(GetParam());
    auto data = pattern(m_volume.BytesPerCluster * 3 + 11, 4);
    FAT_DIRENT file = create_file(root(), "short.txt", data);
    FAT_DIRENT a = create_directory(root(), "Dir A");
    FAT_DIRENT b = create_directory(root(), "Dir B");
    FAT_DIRENT child = create_directory(a.FirstCluster, "child");
    create_file(child.FirstCluster, "leaf", pattern(7, 5));
    create_file(root(), "taken.txt", pattern(1, 6));
    ULONG free_before = free_clusters();

    // Short to long, in place.
    ASSERT_EQ(rename(&file, root(), "Now a Long Name.txt"), STATUS_SUCCESS);
    EXPECT_EQ(narrow(file.LongName, file.LongNameLength), "Now a Long Name.txt");
    EXPECT_EQ(narrow(file.ShortName, file.ShortNameLength), "NOWALO~1.TXT");
    // Only the case changes: the entry itself holds the name.
    ASSERT_EQ(rename(&file, root(), "NOW A LONG NAME.TXT"), STATUS_SUCCESS);
    // Collisions and a directory moved under itself.
    EXPECT_EQ(rename(&file, root(), "TAKEN.TXT"), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(rename(&a, child.FirstCluster, "loop"), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(rename(&a, a.FirstCluster, "loop"), STATUS_INVALID_PARAMETER);
    // Move the file into Dir B with a short lower-case name.
    ASSERT_EQ(rename(&file, b.FirstCluster, "moved.dat"), STATUS_SUCCESS);
    EXPECT_EQ(file.DirectoryCluster, b.FirstCluster);
    EXPECT_EQ(file.LongNameLength, 0);
    // Move a directory with content from Dir A to Dir B.
    ASSERT_EQ(lookup_path(&m_volume, "Dir A/child", &child), STATUS_SUCCESS);
    ASSERT_EQ(rename(&child, b.FirstCluster, "Child Moved"), STATUS_SUCCESS);
    // ... and Dir B itself under Dir A: its ".." becomes Dir A's cluster.
    ASSERT_EQ(rename(&b, a.FirstCluster, "B"), STATUS_SUCCESS);
    ULONG resume = 1;
    FAT_DIRENT dotdot;
    ASSERT_EQ(FatEnumerateDirectory(&m_volume, b.FirstCluster, &resume, &dotdot), STATUS_SUCCESS);
    EXPECT_EQ(narrow(dotdot.ShortName, dotdot.ShortNameLength), "..");
    EXPECT_EQ(dotdot.FirstCluster, a.FirstCluster);
    EXPECT_EQ(free_clusters(), free_before);

    remount();
    FAT_DIRENT check;
    ASSERT_EQ(lookup_path(&m_volume, "Dir A/B/moved.dat", &check), STATUS_SUCCESS);
    EXPECT_EQ(read_all(&m_volume, check), data);
    expect_clean();
    EXPECT_EQ(mtype(m_image->path(), "Dir A/B/moved.dat"), data);
    EXPECT_EQ(mtype(m_image->path(), "Dir A/B/Child Moved/leaf"), pattern(7, 5));
    EXPECT_EQ(mdir_tree(m_image->path()),
              (std::vector<std::string>{"Dir A/", "Dir A/B/", "Dir A/B/Child Moved/", "Dir A/B/Child Moved/leaf",
                                        "Dir A/B/moved.dat", "taken.txt"}));
}

TEST_P(FatModifyTest, TruncateFreesAndExtendZeroFills) {
    format_and_mount(GetParam());
    const ULONG cluster = m_volume.BytesPerCluster;
    auto data = pattern(cluster * 10 + 100, 7);
    FAT_DIRENT file = create_file(root(), "size.bin", data);
    ULONG after_write = free_clusters();

    ASSERT_EQ(FatSetFileSize(&m_volume, &file, cluster * 4 + 1), STATUS_SUCCESS);
    EXPECT_EQ(free_clusters() - after_write, clusters_for(data.size()) - 5);
    data.resize(cluster * 4 + 1);
    ASSERT_EQ(FatSetFileSize(&m_volume, &file, cluster * 7 + 3), STATUS_SUCCESS);
    data.resize(cluster * 7 + 3, 0);  // the new bytes read as zero, also in the old last cluster
    EXPECT_EQ(read_all(&m_volume, file), data);
    EXPECT_EQ(free_clusters() - after_write, clusters_for(cluster * 10 + 100) - clusters_for(data.size()));

    FAT_DIRENT empty = create_file(root(), "empty.bin", pattern(cluster * 2, 8));
    ASSERT_EQ(FatSetFileSize(&m_volume, &empty, 0), STATUS_SUCCESS);
    EXPECT_EQ(empty.FirstCluster, 0u);
    EXPECT_EQ(empty.FileSize, 0u);
    // Growing an empty file gives it a first cluster.
    ASSERT_EQ(FatSetFileSize(&m_volume, &empty, 5), STATUS_SUCCESS);
    EXPECT_NE(empty.FirstCluster, 0u);

    FAT_DIRENT dir = create_directory(root(), "d");
    EXPECT_EQ(FatSetFileSize(&m_volume, &dir, 10), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(FatSetFileSize(&m_volume, &empty, 0x100000000ull), STATUS_DISK_FULL);
    EXPECT_EQ(FatWriteFile(&m_volume, &empty, 0xFFFFFFFFull, 1, data.data()), STATUS_DISK_FULL);
    expect_clean();
    EXPECT_EQ(mtype(m_image->path(), "size.bin"), data);
    EXPECT_EQ(mtype(m_image->path(), "empty.bin"), std::vector<uint8_t>(5, 0));
}

TEST_P(FatModifyTest, WritingUntilTheDiskIsFull) {
    format_and_mount(GetParam());
    FAT_DIRENT file = create_file(root(), "fill.bin", {});
    // About 40 writes whatever the volume size, none a whole number of clusters.
    const ULONG chunk_size = std::max<ULONG>(m_volume.BytesPerCluster * 7,
                                             m_volume.ClusterCount / 40 * m_volume.BytesPerCluster) + 123;
    std::vector<uint8_t> written;
    NTSTATUS status = STATUS_SUCCESS;
    for (uint32_t i = 0; NT_SUCCESS(status); ++i) {
        auto chunk = pattern(chunk_size, i);
        status = FatWriteFile(&m_volume, &file, written.size(), chunk_size, chunk.data());
        if (NT_SUCCESS(status)) written.insert(written.end(), chunk.begin(), chunk.end());
        ASSERT_LT(i, 1000000u);
    }
    EXPECT_EQ(status, STATUS_DISK_FULL);
    // A failed write leaves the file as it was: size and chain.
    EXPECT_EQ(file.FileSize, written.size());
    ULONG count;
    ASSERT_EQ(FatChainLength(&m_volume, file.FirstCluster, &count, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(count, clusters_for(written.size()));
    // What is left is less than the chunk needed.
    ULONG slack = count * m_volume.BytesPerCluster - static_cast<ULONG>(written.size());
    EXPECT_LT(static_cast<ULONGLONG>(free_clusters()) * m_volume.BytesPerCluster + slack, chunk_size);
    // Extending by size fails the same way; the rest still fits byte by byte.
    EXPECT_EQ(FatSetFileSize(&m_volume, &file, written.size() + chunk_size), STATUS_DISK_FULL);
    EXPECT_EQ(file.FileSize, written.size());
    ULONG rest = free_clusters() * m_volume.BytesPerCluster + slack;
    if (rest > 0) {
        auto last = pattern(rest, 999);
        ASSERT_EQ(FatWriteFile(&m_volume, &file, written.size(), rest, last.data()), STATUS_SUCCESS);
        written.insert(written.end(), last.begin(), last.end());
    }
    EXPECT_EQ(free_clusters(), 0u);
    std::u16string name = u16("nofit");
    UNICODE_STRING u = ustr(name);
    FAT_DIRENT d;
    EXPECT_EQ(FatCreateEntry(&m_volume, root(), &u, FAT_ATTR_DIRECTORY, &d), STATUS_DISK_FULL);
    EXPECT_EQ(FatWriteFile(&m_volume, &file, written.size(), 1, written.data()), STATUS_DISK_FULL);

    remount();
    EXPECT_EQ(free_clusters(), 0u);
    expect_clean();
    EXPECT_EQ(mtype(m_image->path(), "fill.bin"), written);
}

TEST_P(FatModifyTest, AttributesAndTimes) {
    format_and_mount(GetParam());
    FAT_DIRENT file = create_file(root(), "times.txt", pattern(10, 9));
    // 2021-06-15 10:20:31.57 UTC, as NT time: seconds since 1601 times 10^7.
    const LONGLONG kUnixToNt = 11644473600LL;
    LARGE_INTEGER creation, write, access;
    creation.QuadPart = (1623752431LL + kUnixToNt) * 10000000LL + 5700000;
    write.QuadPart = (1623752431LL + kUnixToNt) * 10000000LL;
    access.QuadPart = (1623752431LL + kUnixToNt) * 10000000LL;
    ASSERT_EQ(FatSetEntryInformation(&m_volume, &file, FAT_ATTR_READ_ONLY | FAT_ATTR_HIDDEN, &creation, &write,
                                     &access),
              STATUS_SUCCESS);
    // The directory bit cannot be given to a file.
    ASSERT_EQ(FatSetEntryInformation(&m_volume, &file, FAT_ATTR_READ_ONLY | FAT_ATTR_HIDDEN | FAT_ATTR_DIRECTORY,
                                     nullptr, nullptr, nullptr),
              STATUS_SUCCESS);
    remount();
    FAT_DIRENT check;
    ASSERT_EQ(lookup_path(&m_volume, "times.txt", &check), STATUS_SUCCESS);
    EXPECT_EQ(check.Attributes, FAT_ATTR_READ_ONLY | FAT_ATTR_HIDDEN);
    // Creation keeps 10 ms; write time has 2-second steps; access time is a date.
    EXPECT_EQ(check.CreationTime.QuadPart, creation.QuadPart);
    EXPECT_EQ(check.LastWriteTime.QuadPart, write.QuadPart - 10000000LL);
    EXPECT_EQ(check.LastAccessTime.QuadPart, (1623715200LL + kUnixToNt) * 10000000LL);
    // A zero time leaves the stored one alone.
    LARGE_INTEGER zero{};
    ASSERT_EQ(FatSetEntryInformation(&m_volume, &check, 0xFF, &zero, &zero, &zero), STATUS_SUCCESS);
    EXPECT_EQ(check.CreationTime.QuadPart, creation.QuadPart);
    expect_clean();
    CommandResult r = run(quote(find_tool("mdir")) + " -a -i " + quote(m_image->path()) + " ::/times.txt");
    EXPECT_NE(r.output.find("2021-06-15  10:20"), std::string::npos) << r.output;
}

TEST_P(FatModifyTest, LabelAndSerialNumber) {
    format_and_mount(GetParam());
    std::u16string label = u16("new label");
    UNICODE_STRING u = ustr(label);
    ASSERT_EQ(FatSetVolumeLabel(&m_volume, &u), STATUS_SUCCESS);
    ASSERT_EQ(FatSetVolumeSerialNumber(&m_volume, 0xCAFEF00D), STATUS_SUCCESS);
    std::u16string bad = u16("bad.label");
    UNICODE_STRING ub = ustr(bad);
    EXPECT_EQ(FatSetVolumeLabel(&m_volume, &ub), STATUS_INVALID_VOLUME_LABEL);
    std::u16string longer = u16("twelve chars");
    UNICODE_STRING ul = ustr(longer);
    EXPECT_EQ(FatSetVolumeLabel(&m_volume, &ul), STATUS_INVALID_VOLUME_LABEL);
    create_file(root(), "after label.txt", pattern(3, 1));

    remount();
    WCHAR text[11];
    USHORT length;
    ASSERT_EQ(FatQueryVolumeLabel(&m_volume, text, &length), STATUS_SUCCESS);
    EXPECT_EQ(narrow(text, length), "NEW LABEL");
    EXPECT_EQ(m_volume.SerialNumber, 0xCAFEF00Du);
    // The label is not a file.
    EXPECT_EQ(list_names(&m_volume, root()), (std::vector<std::string>{"after label.txt"}));
    expect_clean();
    CommandResult r = run(quote(find_tool("mdir")) + " -i " + quote(m_image->path()) + " ::/");
    EXPECT_NE(r.output.find("Volume in drive : is NEW LABEL"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Serial Number is CAFE-F00D"), std::string::npos) << r.output;

    UNICODE_STRING none{};
    ASSERT_EQ(FatSetVolumeLabel(&m_volume, &none), STATUS_SUCCESS);
    ASSERT_EQ(FatQueryVolumeLabel(&m_volume, text, &length), STATUS_SUCCESS);
    EXPECT_EQ(length, 0);
    expect_clean();
    r = run(quote(find_tool("mdir")) + " -i " + quote(m_image->path()) + " ::/");
    EXPECT_NE(r.output.find("has no label"), std::string::npos) << r.output;
}

const ImageSpec kModifyImages[] = {
    {12, 1440, 1, 512, "FLOPPY"},
    {12, 4096, 4, 512, ""},
    {16, 16384, 4, 512, "SIXTEEN"},
    {32, 40960, 1, 512, "THIRTYTWO"},
};

INSTANTIATE_TEST_SUITE_P(Images, FatModifyTest, ::testing::ValuesIn(kModifyImages), [](const auto& info) {
    const ImageSpec& s = info.param;
    return "Fat" + std::to_string(s.fat_bits) + "_" + std::to_string(s.size_kib) + "K_" +
           std::to_string(s.sectors_per_cluster) + "x" + std::to_string(s.sector_size);
});

}  // namespace
}  // namespace ntio::fastfat::test
