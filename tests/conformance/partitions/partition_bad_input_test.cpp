// Bad input to the partition routines: NULL arguments, layouts off sector boundaries, past the
// disk, overlapping or with too many entries, a disk too small for a GPT, a style that is not
// MBR or GPT; each gets STATUS_INVALID_PARAMETER (or the documented status) and leaves the disk's
// table as it was.
#include "partition_test_support.hpp"

namespace ntio::test::partitions {
namespace {

class PartitionBadInputTest : public PartitionTest {
protected:
    std::vector<unsigned char> layout_bytes(ULONG count) {
        return std::vector<unsigned char>(FIELD_OFFSET(DRIVE_LAYOUT_INFORMATION_EX, PartitionEntry) +
                                          std::max<ULONG>(count, 1) * sizeof(PARTITION_INFORMATION_EX));
    }
};

TEST_F(PartitionBadInputTest, null_arguments_are_invalid_parameters)
{
    boot_disk(1024 * 1024);
    PDRIVE_LAYOUT_INFORMATION_EX ex = reinterpret_cast<PDRIVE_LAYOUT_INFORMATION_EX>(1);
    EXPECT_EQ(IoReadPartitionTableEx(nullptr, &ex), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(ex, nullptr);
    EXPECT_EQ(IoReadPartitionTableEx(m_device, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoReadPartitionTable(m_device, 512, FALSE, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWritePartitionTableEx(m_device, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoWritePartitionTable(m_device, 512, 63, 255, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoSetPartitionInformationEx(m_device, 1, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoReadDiskSignature(m_device, 512, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoCreateDisk(nullptr, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoVerifyPartitionTable(nullptr, FALSE), STATUS_INVALID_PARAMETER);
}

TEST_F(PartitionBadInputTest, mbr_layouts_that_cannot_be_written_change_nothing)
{
    boot_disk(1024 * 1024);  // 2048 sectors
    CREATE_DISK create{};
    create.PartitionStyle = PARTITION_STYLE_MBR;
    create.Mbr.Signature = 0x99;
    ASSERT_EQ(IoCreateDisk(m_device, &create), STATUS_SUCCESS);
    const std::vector<UCHAR> before = read_sector(0);

    std::vector<unsigned char> bytes = layout_bytes(8);
    auto* layout = reinterpret_cast<DRIVE_LAYOUT_INFORMATION_EX*>(bytes.data());
    layout->PartitionStyle = PARTITION_STYLE_MBR;
    for (ULONG i = 0; i < 8; ++i) layout->PartitionEntry[i].PartitionStyle = PARTITION_STYLE_MBR;
    PARTITION_INFORMATION_EX& p = layout->PartitionEntry[0];
    p.Mbr.PartitionType = PARTITION_IFS;
    p.StartingOffset.QuadPart = 1024 * 512;
    p.PartitionLength.QuadPart = 512 * 512;

    layout->PartitionCount = 3;  // not whole tables of four
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    layout->PartitionCount = 0;
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    layout->PartitionCount = 0x7FFFFFFF;
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    layout->PartitionCount = 4;
    p.StartingOffset.QuadPart = 1024 * 512 + 100;  // off a sector boundary
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    p.StartingOffset.QuadPart = 1024 * 512;
    p.PartitionLength.QuadPart = 2048 * 512;  // past the end of the disk
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    p.PartitionLength.QuadPart = 512 * 512;
    layout->PartitionCount = 8;  // a second table but no container to hold it
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    layout->PartitionEntry[5].PartitionStyle = PARTITION_STYLE_GPT;
    layout->PartitionCount = 4;
    layout->PartitionEntry[1].PartitionStyle = PARTITION_STYLE_GPT;  // mixed styles
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    layout->PartitionStyle = PARTITION_STYLE_RAW;
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    layout->PartitionStyle = 7;
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(read_sector(0), before);
    EXPECT_EQ(IoSetPartitionInformation(m_device, 512, 1, 0x100), STATUS_INVALID_PARAMETER);
}

TEST_F(PartitionBadInputTest, legacy_write_on_a_disk_without_an_mbr_is_unsuccessful)
{
    boot_disk(1024 * 1024);
    std::vector<unsigned char> bytes(sizeof(DRIVE_LAYOUT_INFORMATION) + 3 * sizeof(PARTITION_INFORMATION));
    auto* layout = reinterpret_cast<DRIVE_LAYOUT_INFORMATION*>(bytes.data());
    layout->PartitionCount = 4;
    EXPECT_EQ(IoWritePartitionTable(m_device, 512, 63, 255, layout), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(read_sector(0), std::vector<UCHAR>(512, 0));
}

TEST_F(PartitionBadInputTest, gpt_layouts_that_cannot_be_written_change_nothing)
{
    boot_disk(1024 * 1024);
    CREATE_DISK create{};
    create.PartitionStyle = PARTITION_STYLE_GPT;
    create.Gpt.MaxPartitionCount = 128;
    ASSERT_EQ(IoCreateDisk(m_device, &create), STATUS_SUCCESS);
    const std::vector<UCHAR> before = read_sector(0, 34);

    std::vector<unsigned char> bytes = layout_bytes(2);
    auto* layout = reinterpret_cast<DRIVE_LAYOUT_INFORMATION_EX*>(bytes.data());
    layout->PartitionStyle = PARTITION_STYLE_GPT;
    layout->Gpt.MaxPartitionCount = 128;
    layout->PartitionCount = 2;
    for (ULONG i = 0; i < 2; ++i) {
        PARTITION_INFORMATION_EX& p = layout->PartitionEntry[i];
        p.PartitionStyle = PARTITION_STYLE_GPT;
        p.Gpt.PartitionType.Data1 = 0x1234;
        p.StartingOffset.QuadPart = (100 + 50 * i) * 512;
        p.PartitionLength.QuadPart = 100 * 512;  // the two overlap
    }
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    layout->PartitionEntry[1].StartingOffset.QuadPart = 10 * 512;  // inside the primary array
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    layout->PartitionEntry[1].StartingOffset.QuadPart = 2000 * 512;  // into the backup array
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    layout->PartitionEntry[1].StartingOffset.QuadPart = 300 * 512;
    layout->PartitionCount = 200;  // more than MaxPartitionCount
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(read_sector(0, 34), before);
    // The same layout with legal numbers is written.
    layout->PartitionCount = 2;
    EXPECT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_SUCCESS);
}

TEST_F(PartitionBadInputTest, disk_too_small_for_a_gpt_and_unknown_styles)
{
    boot_disk(32 * 1024);  // 64 sectors: less than two arrays of 32 sectors and the headers
    CREATE_DISK create{};
    create.PartitionStyle = PARTITION_STYLE_GPT;
    create.Gpt.MaxPartitionCount = 128;
    EXPECT_EQ(IoCreateDisk(m_device, &create), STATUS_INVALID_PARAMETER);
    create.Gpt.MaxPartitionCount = 0xFFFFFFFF;
    EXPECT_EQ(IoCreateDisk(m_device, &create), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(read_sector(0), std::vector<UCHAR>(512, 0));
    create.PartitionStyle = static_cast<PARTITION_STYLE>(3);
    EXPECT_EQ(IoCreateDisk(m_device, &create), STATUS_INVALID_PARAMETER);
    // An MBR fits.
    create.PartitionStyle = PARTITION_STYLE_MBR;
    EXPECT_EQ(IoCreateDisk(m_device, &create), STATUS_SUCCESS);
}

// A corrupt MBR: a partition past the end of the disk and two overlapping volumes.
TEST_F(PartitionBadInputTest, mbr_that_does_not_fit_the_disk_does_not_verify)
{
    boot_disk(1024 * 1024);
    std::vector<UCHAR> mbr(512, 0);
    mbr[446 + 4] = PARTITION_IFS;
    put32(mbr, 446 + 8, 100);
    put32(mbr, 446 + 12, 5000);
    mbr[510] = 0x55;
    mbr[511] = 0xAA;
    write_sector(0, mbr);
    EXPECT_EQ(IoVerifyPartitionTable(m_device, FALSE), STATUS_DISK_CORRUPT_ERROR);
    EXPECT_EQ(IoVerifyPartitionTable(m_device, TRUE), STATUS_DISK_CORRUPT_ERROR);
    put32(mbr, 446 + 12, 500);
    mbr[462 + 4] = PARTITION_FAT32;
    put32(mbr, 462 + 8, 400);
    put32(mbr, 462 + 12, 500);
    write_sector(0, mbr);
    EXPECT_EQ(IoVerifyPartitionTable(m_device, FALSE), STATUS_DISK_CORRUPT_ERROR);
    put32(mbr, 462 + 8, 600);
    write_sector(0, mbr);
    EXPECT_EQ(IoVerifyPartitionTable(m_device, FALSE), STATUS_SUCCESS);
    // Reading a corrupt MBR still succeeds: the table is what it is.
    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    EXPECT_EQ(out->PartitionCount, 4u);
    ExFreePool(out);
}

// An EBR chain that points back at itself ends instead of looping.
TEST_F(PartitionBadInputTest, ebr_chain_loop_ends)
{
    boot_disk(1024 * 1024);
    std::vector<UCHAR> mbr(512, 0);
    mbr[446 + 4] = PARTITION_EXTENDED;
    put32(mbr, 446 + 8, 100);
    put32(mbr, 446 + 12, 1000);
    mbr[510] = 0x55;
    mbr[511] = 0xAA;
    write_sector(0, mbr);
    std::vector<UCHAR> ebr(512, 0);
    ebr[446 + 4] = PARTITION_IFS;
    put32(ebr, 446 + 8, 1);
    put32(ebr, 446 + 12, 10);
    ebr[462 + 4] = PARTITION_EXTENDED;
    put32(ebr, 462 + 8, 0);  // the next EBR is this one
    put32(ebr, 462 + 12, 1000);
    ebr[510] = 0x55;
    ebr[511] = 0xAA;
    write_sector(100, ebr);
    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    EXPECT_EQ(out->PartitionCount, 8u);
    ExFreePool(out);
}

}  // namespace
}  // namespace ntio::test::partitions
