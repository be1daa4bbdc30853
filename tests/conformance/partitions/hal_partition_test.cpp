// The HAL's disk routines on the RAM disk: HalExamineMBR finds sector 0 by the type of its first
// partition, and HalDispatchTable's HalIoReadPartitionTable, HalIoSetPartitionInformation and
// HalIoWritePartitionTable are the I/O manager's legacy partition routines under the HAL's names.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halexaminembr
#include "partition_test_support.hpp"

namespace ntio::test::partitions {
namespace hal_disk {

constexpr ULONG kDiskSize = 8 * 1024 * 1024;  // 16384 sectors of 512 bytes

class HalPartitionTest : public PartitionTest {
protected:
    // Sector 0 by hand: the boot signature and one partition of `type` at LBA 2048.
    void write_mbr(UCHAR type, bool signature = true) {
        std::vector<UCHAR> mbr(512, 0);
        put32(mbr, 440, 0x0BADF00D);
        mbr[446 + 4] = type;
        put32(mbr, 446 + 8, 2048);
        put32(mbr, 446 + 12, 4096);
        if (signature) {
            mbr[510] = 0x55;
            mbr[511] = 0xAA;
        }
        write_sector(0, mbr);
    }
};

TEST_F(HalPartitionTest, examine_mbr_returns_sector_zero_of_the_named_type) {
    boot_disk(kDiskSize);
    write_mbr(0x55);  // the type a disk manager's MBR carries
    PVOID buffer = nullptr;
    HalExamineMBR(m_device, 512, 0x55, &buffer);
    ASSERT_NE(buffer, nullptr);
    const auto* bytes = static_cast<const UCHAR*>(buffer);
    EXPECT_EQ(bytes[446 + 4], 0x55);
    EXPECT_EQ(bytes[510], 0x55);
    EXPECT_EQ(bytes[511], 0xAA);
    ExFreePool(buffer);

    // Another type, or no boot signature: NULL.
    buffer = this;
    HalExamineMBR(m_device, 512, 0x54, &buffer);
    EXPECT_EQ(buffer, nullptr);
    write_mbr(0x55, false);
    buffer = this;
    HalExamineMBR(m_device, 512, 0x55, &buffer);
    EXPECT_EQ(buffer, nullptr);
    buffer = this;
    HalExamineMBR(nullptr, 512, 0x55, &buffer);
    EXPECT_EQ(buffer, nullptr);
}

TEST_F(HalPartitionTest, dispatch_table_partition_routines_are_the_legacy_ones) {
    boot_disk(kDiskSize);
    write_mbr(PARTITION_FAT32);
    PDRIVE_LAYOUT_INFORMATION layout = nullptr;
    ASSERT_EQ(HalIoReadPartitionTable(m_device, 512, FALSE, &layout), STATUS_SUCCESS);
    ASSERT_NE(layout, nullptr);
    ASSERT_EQ(layout->PartitionCount, 4u);
    EXPECT_EQ(layout->Signature, 0x0BADF00Du);
    EXPECT_EQ(layout->PartitionEntry[0].PartitionType, PARTITION_FAT32);
    EXPECT_EQ(layout->PartitionEntry[0].StartingOffset.QuadPart, 2048LL * 512);

    // The type through HalIoSetPartitionInformation, read back by hand.
    ASSERT_EQ(HalIoSetPartitionInformation(m_device, 512, 1, PARTITION_IFS), STATUS_SUCCESS);
    EXPECT_EQ(read_sector(0)[446 + 4], PARTITION_IFS);

    // A second partition through HalIoWritePartitionTable.
    layout->PartitionEntry[0].PartitionType = PARTITION_IFS;
    layout->PartitionEntry[1].PartitionType = PARTITION_FAT_16;
    layout->PartitionEntry[1].StartingOffset.QuadPart = 8192LL * 512;
    layout->PartitionEntry[1].PartitionLength.QuadPart = 2048LL * 512;
    layout->PartitionEntry[1].HiddenSectors = 8192;
    layout->PartitionEntry[1].RewritePartition = TRUE;
    ASSERT_EQ(HalIoWritePartitionTable(m_device, 512, 63, 255, layout), STATUS_SUCCESS);
    ExFreePool(layout);
    const std::vector<UCHAR> mbr = read_sector(0);
    EXPECT_EQ(mbr[446 + 16 + 4], PARTITION_FAT_16);
    EXPECT_EQ(get32(mbr, 446 + 16 + 8), 8192u);
    EXPECT_EQ(get32(mbr, 446 + 16 + 12), 2048u);

    EXPECT_EQ(HalIoReadPartitionTable(m_device, 512, FALSE, nullptr), STATUS_INVALID_PARAMETER);
}

}  // namespace hal_disk
}  // namespace ntio::test::partitions
