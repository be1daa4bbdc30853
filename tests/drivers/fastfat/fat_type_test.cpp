// FAT type determination at the exact boundaries of fatgen103 ("FAT Type Determination": fewer than
// 4085 clusters is FAT12, fewer than 65525 FAT16, else FAT32), on boot sectors built here field by
// field so the cluster count is exact. No host tool is needed.
#include "fat_image.hpp"

namespace ntio::fastfat::test {
namespace {

// A volume of exactly `clusters` one-sector clusters. Only the metadata is in memory (the image
// stops where the data area starts, and the volume length is left unknown).
struct CraftedVolume {
    FatImage image{"(memory)"};
    FAT_VOLUME volume{};
    NTSTATUS status = STATUS_UNSUCCESSFUL;

    CraftedVolume(uint32_t clusters, bool fat32_bpb) {
        const uint32_t reserved = fat32_bpb ? 32 : 1;
        const uint32_t root_entries = fat32_bpb ? 0 : 512;
        const uint32_t root_sectors = root_entries * 32 / 512;
        // FAT sized for 32-bit entries: big enough for every type.
        const uint32_t fat_sectors = ((clusters + 2) * 4 + 511) / 512;
        const uint32_t first_data = reserved + 2 * fat_sectors + root_sectors;
        auto& b = image.bytes();
        b.assign(static_cast<size_t>(first_data) * 512, 0);
        b[0] = 0xEB;
        b[1] = 0x58;
        b[2] = 0x90;
        put16(b, 11, 512);
        b[13] = 1;
        put16(b, 14, reserved);
        b[16] = 2;
        put16(b, 17, root_entries);
        b[21] = 0xF8;
        put32(b, 32, first_data + clusters);
        if (fat32_bpb) {
            put32(b, 36, fat_sectors);
            put32(b, 44, 2);  // root directory cluster
            // The root's chain: cluster 2 ends it.
            put32(b, static_cast<size_t>(reserved) * 512 + 8, 0x0FFFFFFF);
        } else {
            put16(b, 22, fat_sectors);
        }
        FAT_VOLUME_IO io = image.io();
        io.VolumeLength = 0;
        status = FatMountVolume(&io, &volume);
    }
};

TEST(FatType, FromTheClusterCountAtEachBoundary) {
    struct Case {
        uint32_t clusters;
        bool fat32_bpb;
        FAT_TYPE type;
    };
    for (const Case& c : {Case{1, false, FatType12}, Case{4084, false, FatType12}, Case{4085, false, FatType16},
                          Case{65524, false, FatType16}, Case{65525, true, FatType32}, Case{70000, true, FatType32}}) {
        CraftedVolume v(c.clusters, c.fat32_bpb);
        ASSERT_EQ(v.status, STATUS_SUCCESS) << c.clusters;
        EXPECT_EQ(v.volume.FatType, c.type) << c.clusters;
        EXPECT_EQ(v.volume.ClusterCount, c.clusters);
        // All free but the FAT32 root's cluster.
        EXPECT_EQ(v.volume.FreeClusterCount, c.clusters - (c.type == FatType32 ? 1 : 0));
        EXPECT_EQ(v.image.out_of_range(), 0);
    }
}

TEST(FatType, BpbFormMustMatchTheClusterCount) {
    // A FAT12/16-style BPB (fixed root, 16-bit FAT size) with a FAT32 cluster count, and the reverse.
    EXPECT_EQ(CraftedVolume(65525, false).status, STATUS_UNRECOGNIZED_VOLUME);
    EXPECT_EQ(CraftedVolume(65524, true).status, STATUS_UNRECOGNIZED_VOLUME);
}

}  // namespace
}  // namespace ntio::fastfat::test
