// Damaged and foreign volumes: boot sectors that are not FAT give STATUS_UNRECOGNIZED_VOLUME, chains
// that loop, leave the data area or stop early give STATUS_FILE_CORRUPT_ERROR, and nothing reads or
// writes outside the image (the callbacks count any attempt) or hangs.
#include <cctype>
#include <functional>

#include "fat_image.hpp"

namespace ntio::fastfat::test {
namespace {

void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
    b[at] = static_cast<uint8_t>(v);
    b[at + 1] = static_cast<uint8_t>(v >> 8);
}
void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

struct BootDamage {
    const char* what;
    int fat_bits;
    std::function<void(std::vector<uint8_t>&)> damage;
};

class FatBadBootTest : public FatTest, public ::testing::WithParamInterface<BootDamage> {};

TEST_P(FatBadBootTest, IsNotAFatVolume) {
    const BootDamage& bad = GetParam();
    ImageSpec spec{bad.fat_bits, bad.fat_bits == 32 ? 40960 : bad.fat_bits == 12 ? 1440 : 8192, 1, 512, ""};
    FatImage image(m_dir.file("bad.img"));
    make_image(image.path(), spec);
    image.load();
    bad.damage(image.bytes());
    FAT_VOLUME volume;
    FAT_VOLUME_IO io = image.io();
    EXPECT_EQ(FatMountVolume(&io, &volume), STATUS_UNRECOGNIZED_VOLUME) << bad.what;
    EXPECT_EQ(image.out_of_range(), 0);
}

const BootDamage kDamage[] = {
    {"zeroed sector", 16, [](auto& b) { std::fill(b.begin(), b.begin() + 512, 0); }},
    {"no 55 AA signature", 16, [](auto& b) { b[510] = 0; }},
    {"no jump instruction", 16, [](auto& b) { b[0] = 0x00; }},
    {"bytes per sector 0", 16, [](auto& b) { put16(b, 11, 0); }},
    {"bytes per sector 3000", 16, [](auto& b) { put16(b, 11, 3000); }},
    {"sectors per cluster 3", 16, [](auto& b) { b[13] = 3; }},
    {"sectors per cluster 0", 16, [](auto& b) { b[13] = 0; }},
    {"no reserved sectors", 16, [](auto& b) { put16(b, 14, 0); }},
    {"no FATs", 16, [](auto& b) { b[16] = 0; }},
    {"no root entries on FAT16", 16, [](auto& b) { put16(b, 17, 0); }},
    {"media byte 0x12", 16, [](auto& b) { b[21] = 0x12; }},
    {"no total sectors", 16, [](auto& b) { put16(b, 19, 0); put32(b, 32, 0); }},
    {"no FAT size", 16, [](auto& b) { put16(b, 22, 0); put32(b, 36, 0); }},
    {"FAT too small for the clusters", 16, [](auto& b) { put16(b, 22, 1); }},
    {"metadata past the end", 12, [](auto& b) { put16(b, 22, 0xFFFF); }},
    {"more sectors than the device", 16, [](auto& b) { put16(b, 19, 0); put32(b, 32, 1u << 30); }},
    {"FAT32 root cluster 0", 32, [](auto& b) { put32(b, 44, 0); }},
    {"FAT32 root cluster past the end", 32, [](auto& b) { put32(b, 44, 0x0FFFFFF0); }},
    {"FAT32 version 1.0", 32, [](auto& b) { put16(b, 42, 0x0100); }},
    {"FAT32 BPB with a FAT16 FAT size", 32, [](auto& b) { put16(b, 22, 100); }},
    {"active FAT past the FAT count", 32, [](auto& b) { put16(b, 40, 0x0085); }},
    {"NTFS boot sector", 16, [](auto& b) {
         std::fill(b.begin(), b.begin() + 512, 0);
         const char oem[] = "NTFS    ";
         b[0] = 0xEB; b[1] = 0x52; b[2] = 0x90;
         std::copy(oem, oem + 8, b.begin() + 3);
         put16(b, 11, 512);
         b[13] = 8;
         b[21] = 0xF8;
         b[510] = 0x55; b[511] = 0xAA;
     }},
};

INSTANTIATE_TEST_SUITE_P(Damage, FatBadBootTest, ::testing::ValuesIn(kDamage), [](const auto& info) {
    std::string name;
    for (const char* p = info.param.what; *p; ++p) name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
    return name;
});

TEST_F(FatTest, RandomBootSectorsNeverCrash) {
    // Valid jump and signature, random fields: the engine may accept a few, must reject the rest,
    // and never touch bytes past the image.
    FatImage image(m_dir.file("random.img"));
    make_image(image.path(), {16, 8192, 1, 512, ""});
    image.load();
    int rejected = 0;
    for (uint32_t seed = 0; seed < 500; ++seed) {
        auto noise = pattern(90, seed);
        std::copy(noise.begin(), noise.end(), image.bytes().begin() + 3);
        FAT_VOLUME volume;
        FAT_VOLUME_IO io = image.io();
        NTSTATUS status = FatMountVolume(&io, &volume);
        if (status == STATUS_UNRECOGNIZED_VOLUME) ++rejected;
    }
    EXPECT_GT(rejected, 400);
    EXPECT_EQ(image.out_of_range(), 0);
}

TEST_F(FatTest, ImageShorterThanABootSector) {
    FatImage image(m_dir.file("short.img"));
    write_host_file(image.path(), pattern(100, 1));
    image.load();
    FAT_VOLUME volume;
    FAT_VOLUME_IO io = image.io();
    EXPECT_FALSE(NT_SUCCESS(FatMountVolume(&io, &volume)));
}

class FatCorruptChainTest : public FatTest, public ::testing::WithParamInterface<ImageSpec> {
protected:
    // A file of six clusters, and the clusters of its chain.
    void make_file() {
        format_and_mount(GetParam());
        m_file = create_file(root(), "chain.bin", pattern(m_volume.BytesPerCluster * 6, 1));
        ULONG cluster = m_file.FirstCluster;
        for (int i = 0; i < 6; ++i) {
            m_chain.push_back(cluster);
            ASSERT_EQ(FatNextCluster(&m_volume, cluster, &cluster), STATUS_SUCCESS);
        }
        ASSERT_EQ(cluster, FAT_CLUSTER_EOC);
    }
    // Reads trust the chain up to FileSize (the driver measures it once at open), so a loop that
    // closes after the last cluster the size covers only shows when the chain is measured or grown.
    void expect_corrupt_everywhere(bool read_crosses_damage = true) {
        ULONG count;
        EXPECT_EQ(FatChainLength(&m_volume, m_file.FirstCluster, &count, nullptr), STATUS_FILE_CORRUPT_ERROR);
        std::vector<uint8_t> data(m_file.FileSize);
        ULONG got;
        NTSTATUS read = FatReadFile(&m_volume, &m_file, 0, m_file.FileSize, data.data(), &got);
        if (read_crosses_damage) {
            EXPECT_EQ(read, STATUS_FILE_CORRUPT_ERROR);
        }
        EXPECT_EQ(FatWriteFile(&m_volume, &m_file, m_file.FileSize, 10, data.data()), STATUS_FILE_CORRUPT_ERROR);
        EXPECT_EQ(FatSetFileSize(&m_volume, &m_file, m_file.FileSize * 2ull), STATUS_FILE_CORRUPT_ERROR);
        EXPECT_EQ(m_image->out_of_range(), 0);
    }
    FAT_DIRENT m_file{};
    std::vector<ULONG> m_chain;
};

TEST_P(FatCorruptChainTest, LoopingChain) {
    make_file();
    ASSERT_EQ(FatSetFatEntry(&m_volume, m_chain[5], m_chain[1]), STATUS_SUCCESS);
    expect_corrupt_everywhere(false);
    // Freeing walks into the loop too, and stops.
    EXPECT_EQ(FatDeleteEntry(&m_volume, &m_file), STATUS_FILE_CORRUPT_ERROR);
}

TEST_P(FatCorruptChainTest, ChainPastTheLastCluster) {
    make_file();
    ASSERT_EQ(FatSetFatEntry(&m_volume, m_chain[3], m_volume.ClusterCount + 2), STATUS_SUCCESS);
    expect_corrupt_everywhere();
}

TEST_P(FatCorruptChainTest, FreeClusterInsideAChain) {
    make_file();
    ASSERT_EQ(FatSetFatEntry(&m_volume, m_chain[2], FAT_CLUSTER_FREE), STATUS_SUCCESS);
    expect_corrupt_everywhere();
}

TEST_P(FatCorruptChainTest, SizeLongerThanTheChain) {
    make_file();
    ASSERT_EQ(FatSetFatEntry(&m_volume, m_chain[1], FAT_CLUSTER_EOC), STATUS_SUCCESS);
    std::vector<uint8_t> data(m_file.FileSize);
    ULONG got;
    EXPECT_EQ(FatReadFile(&m_volume, &m_file, 0, m_file.FileSize, data.data(), &got), STATUS_FILE_CORRUPT_ERROR);
    // The part the chain still covers reads fine.
    EXPECT_EQ(FatReadFile(&m_volume, &m_file, 0, m_volume.BytesPerCluster * 2, data.data(), &got), STATUS_SUCCESS);
}

TEST_P(FatCorruptChainTest, FirstClusterOutOfRange) {
    make_file();
    FAT_DIRENT bad = m_file;
    bad.FirstCluster = m_volume.ClusterCount + 2;
    std::vector<uint8_t> data(16);
    ULONG got;
    EXPECT_EQ(FatReadFile(&m_volume, &bad, 0, 16, data.data(), &got), STATUS_FILE_CORRUPT_ERROR);
    bad.FirstCluster = 1;
    EXPECT_EQ(FatReadFile(&m_volume, &bad, 0, 16, data.data(), &got), STATUS_FILE_CORRUPT_ERROR);
    ULONG resume = 0;
    FAT_DIRENT d;
    EXPECT_EQ(FatEnumerateDirectory(&m_volume, m_volume.ClusterCount + 2, &resume, &d), STATUS_FILE_CORRUPT_ERROR);
    EXPECT_EQ(m_image->out_of_range(), 0);
}

TEST_P(FatCorruptChainTest, DirectoryChainLoopingOnItself) {
    make_file();
    FAT_DIRENT dir = create_directory(root(), "loopdir");
    // Fill the first cluster so no end marker stops a scan, then point it at itself.
    ULONG per_cluster = m_volume.BytesPerCluster / 32;
    for (ULONG i = 0; i < per_cluster - 2; ++i) create_file(dir.FirstCluster, "F" + std::to_string(i), {});
    ASSERT_EQ(FatSetFatEntry(&m_volume, dir.FirstCluster, dir.FirstCluster), STATUS_SUCCESS);
    ULONG resume = 0;
    FAT_DIRENT d;
    EXPECT_EQ(FatEnumerateDirectory(&m_volume, dir.FirstCluster, &resume, &d), STATUS_FILE_CORRUPT_ERROR);
    std::u16string name = u16("nothere");
    UNICODE_STRING u = ustr(name);
    EXPECT_EQ(FatLookupName(&m_volume, dir.FirstCluster, &u, &d), STATUS_FILE_CORRUPT_ERROR);
    EXPECT_EQ(FatCreateEntry(&m_volume, dir.FirstCluster, &u, 0, &d), STATUS_FILE_CORRUPT_ERROR);
    EXPECT_EQ(FatDeleteEntry(&m_volume, &dir), STATUS_FILE_CORRUPT_ERROR);
    EXPECT_EQ(m_image->out_of_range(), 0);
}

const ImageSpec kChainImages[] = {
    {12, 1440, 1, 512, ""},
    {16, 16384, 4, 512, ""},
    {32, 40960, 1, 512, ""},
};

INSTANTIATE_TEST_SUITE_P(Images, FatCorruptChainTest, ::testing::ValuesIn(kChainImages), [](const auto& info) {
    return "Fat" + std::to_string(info.param.fat_bits);
});

TEST_F(FatTest, Fat32RootChainLoopFailsTheMount) {
    format_and_mount({32, 40960, 1, 512, ""});
    ASSERT_EQ(FatSetFatEntry(&m_volume, m_volume.RootCluster, m_volume.RootCluster), STATUS_SUCCESS);
    FAT_VOLUME again;
    FAT_VOLUME_IO io = m_image->io();
    EXPECT_EQ(FatMountVolume(&io, &again), STATUS_FILE_CORRUPT_ERROR);
}

}  // namespace
}  // namespace ntio::fastfat::test

namespace ntio::fastfat::test {
namespace {

// Device errors at every possible point of a mount and of a create-and-write come back as the
// device's status (or the first error they caused), never as success with a half-done result.
TEST_F(FatTest, DeviceErrorsComeBackAsTheyAre) {
    format_and_mount({12, 1440, 1, 512, ""});
    const std::vector<uint8_t> pristine = m_image->bytes();
    int n = 0;
    for (;; ++n) {
        m_image->bytes() = pristine;
        m_image->fail_reads_after(n);
        FAT_VOLUME volume;
        FAT_VOLUME_IO io = m_image->io();
        NTSTATUS status = FatMountVolume(&io, &volume);
        if (status == STATUS_SUCCESS) break;
        ASSERT_EQ(status, STATUS_DEVICE_DATA_ERROR) << "read " << n;
        ASSERT_LT(n, 100000);
    }
    EXPECT_GT(n, 0);
    m_image->fail_reads_after(-1);

    auto data = pattern(m_volume.BytesPerCluster * 5 + 3, 1);
    for (int writes = 0;; ++writes) {
        m_image->bytes() = pristine;
        remount();
        m_image->fail_writes_after(writes);
        std::u16string name = u16("A long file name.bin");
        UNICODE_STRING u = ustr(name);
        FAT_DIRENT d;
        NTSTATUS status = FatCreateEntry(&m_volume, root(), &u, 0, &d);
        if (NT_SUCCESS(status)) status = FatWriteFile(&m_volume, &d, 0, static_cast<ULONG>(data.size()), data.data());
        m_image->fail_writes_after(-1);
        if (status == STATUS_SUCCESS) {
            EXPECT_EQ(read_all(&m_volume, d), data);
            break;
        }
        ASSERT_EQ(status, STATUS_DEVICE_DATA_ERROR) << "write " << writes;
        ASSERT_LT(writes, 100000);
    }
    EXPECT_EQ(m_image->out_of_range(), 0);
}

}  // namespace
}  // namespace ntio::fastfat::test
