// MBR disks on the RAM disk: IoCreateDisk, IoWritePartitionTable(Ex) with primaries and an
// extended partition's logical drives, read back by IoReadPartitionTable(Ex) and by hand from the
// sectors; a hand-built MBR and EBR chain parsed by the routines; IoSetPartitionInformation(Ex);
// IoReadDiskSignature; a disk without the boot signature reads as RAW.
// Byte layout: UEFI specification 2.10, section 5.2.1 (legacy MBR, tables 5.1 and 5.2).
#include "partition_test_support.hpp"

namespace ntio::test::partitions {
namespace {

constexpr ULONG kMbrDiskSize = 16 * 1024 * 1024;  // 32768 sectors of 512 bytes

PARTITION_INFORMATION_EX mbr_entry(UCHAR type, ULONGLONG lba, ULONGLONG count, bool boot = false) {
    PARTITION_INFORMATION_EX p{};
    p.PartitionStyle = PARTITION_STYLE_MBR;
    p.StartingOffset.QuadPart = static_cast<LONGLONG>(lba * 512);
    p.PartitionLength.QuadPart = static_cast<LONGLONG>(count * 512);
    p.RewritePartition = TRUE;
    p.Mbr.PartitionType = type;
    p.Mbr.BootIndicator = boot;
    return p;
}

// A DRIVE_LAYOUT_INFORMATION_EX of `entries` in pool of the right size.
struct LayoutBuffer {
    explicit LayoutBuffer(const std::vector<PARTITION_INFORMATION_EX>& entries) {
        bytes.resize(FIELD_OFFSET(DRIVE_LAYOUT_INFORMATION_EX, PartitionEntry) +
                     std::max<std::size_t>(entries.size(), 1) * sizeof(PARTITION_INFORMATION_EX));
        layout()->PartitionCount = static_cast<ULONG>(entries.size());
        for (std::size_t i = 0; i < entries.size(); ++i) layout()->PartitionEntry[i] = entries[i];
    }
    DRIVE_LAYOUT_INFORMATION_EX* layout() { return reinterpret_cast<DRIVE_LAYOUT_INFORMATION_EX*>(bytes.data()); }
    std::vector<unsigned char> bytes;
};

class MbrPartitionTest : public PartitionTest {};

// The primaries and the chain: sector 0 holds three primaries and the extended partition
// (sectors 20480..32767); the first EBR at 20480 holds a logical drive at +2048 and a link to
// the second EBR at extended+6144; the second holds a logical drive at +2048 from it.
std::vector<PARTITION_INFORMATION_EX> extended_layout() {
    return {
        mbr_entry(PARTITION_IFS, 2048, 4096, true),
        mbr_entry(PARTITION_FAT32, 6144, 4096),
        mbr_entry(PARTITION_LDM, 10240, 8192),
        mbr_entry(PARTITION_EXTENDED, 20480, 12288),
        mbr_entry(PARTITION_IFS, 20480 + 2048, 4096),
        mbr_entry(PARTITION_EXTENDED, 20480 + 6144, 6144),
        PARTITION_INFORMATION_EX{},
        PARTITION_INFORMATION_EX{},
        mbr_entry(PARTITION_HUGE, 26624 + 2048, 4096),
        PARTITION_INFORMATION_EX{},
        PARTITION_INFORMATION_EX{},
        PARTITION_INFORMATION_EX{},
    };
}

TEST_F(MbrPartitionTest, create_disk_writes_an_empty_mbr_with_the_signature)
{
    boot_disk(kMbrDiskSize);
    CREATE_DISK create{};
    create.PartitionStyle = PARTITION_STYLE_MBR;
    create.Mbr.Signature = 0xC0FFEE42;
    ASSERT_EQ(IoCreateDisk(m_device, &create), STATUS_SUCCESS);

    const std::vector<UCHAR> mbr = read_sector(0);
    EXPECT_EQ(get32(mbr, 440), 0xC0FFEE42u);
    EXPECT_EQ(mbr[510], 0x55);
    EXPECT_EQ(mbr[511], 0xAA);
    EXPECT_EQ(std::vector<UCHAR>(mbr.begin() + 446, mbr.begin() + 510), std::vector<UCHAR>(64, 0));

    PDRIVE_LAYOUT_INFORMATION_EX layout = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &layout), STATUS_SUCCESS);
    ASSERT_NE(layout, nullptr);
    EXPECT_EQ(layout->PartitionStyle, static_cast<ULONG>(PARTITION_STYLE_MBR));
    EXPECT_EQ(layout->PartitionCount, 4u);
    EXPECT_EQ(layout->Mbr.Signature, 0xC0FFEE42u);
    for (ULONG i = 0; i < 4; ++i) EXPECT_EQ(layout->PartitionEntry[i].Mbr.PartitionType, PARTITION_ENTRY_UNUSED);
    ExFreePool(layout);
}

TEST_F(MbrPartitionTest, four_primaries_round_trip_and_read_by_hand)
{
    boot_disk(kMbrDiskSize);
    CREATE_DISK create{};
    create.PartitionStyle = PARTITION_STYLE_MBR;
    create.Mbr.Signature = 0x11223344;
    ASSERT_EQ(IoCreateDisk(m_device, &create), STATUS_SUCCESS);

    LayoutBuffer in({mbr_entry(PARTITION_IFS, 2048, 2048, true), mbr_entry(PARTITION_FAT_16, 4096, 2048),
                     mbr_entry(PARTITION_FAT32_XINT13, 8192, 8192), mbr_entry(PARTITION_UNIX, 16384, 16384)});
    in.layout()->PartitionStyle = PARTITION_STYLE_MBR;
    in.layout()->Mbr.Signature = 0x55667788;
    ASSERT_EQ(IoWritePartitionTableEx(m_device, in.layout()), STATUS_SUCCESS);

    // By hand: each 16-byte slot at 446 (boot flag, CHS, type, CHS, LBA start, sector count).
    const std::vector<UCHAR> mbr = read_sector(0);
    EXPECT_EQ(get32(mbr, 440), 0x55667788u);
    const UCHAR types[4] = {PARTITION_IFS, PARTITION_FAT_16, PARTITION_FAT32_XINT13, PARTITION_UNIX};
    const ULONG starts[4] = {2048, 4096, 8192, 16384};
    const ULONG counts[4] = {2048, 2048, 8192, 16384};
    for (int i = 0; i < 4; ++i) {
        const std::size_t e = 446 + 16 * i;
        EXPECT_EQ(mbr[e], i == 0 ? 0x80 : 0x00) << i;
        EXPECT_EQ(mbr[e + 4], types[i]) << i;
        EXPECT_EQ(get32(mbr, e + 8), starts[i]) << i;
        EXPECT_EQ(get32(mbr, e + 12), counts[i]) << i;
    }

    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    ASSERT_EQ(out->PartitionCount, 4u);
    EXPECT_EQ(out->Mbr.Signature, 0x55667788u);
    for (ULONG i = 0; i < 4; ++i) {
        const PARTITION_INFORMATION_EX& p = out->PartitionEntry[i];
        EXPECT_EQ(p.PartitionStyle, PARTITION_STYLE_MBR);
        EXPECT_EQ(p.StartingOffset.QuadPart, LONGLONG{starts[i]} * 512);
        EXPECT_EQ(p.PartitionLength.QuadPart, LONGLONG{counts[i]} * 512);
        EXPECT_EQ(p.PartitionNumber, i + 1);
        EXPECT_EQ(p.Mbr.PartitionType, types[i]);
        EXPECT_EQ(p.Mbr.HiddenSectors, starts[i]);
        EXPECT_EQ(p.Mbr.BootIndicator, i == 0);
        // PARTITION_UNIX is not a type Windows mounts.
        EXPECT_EQ(p.Mbr.RecognizedPartition, i != 3) << i;
    }
    ExFreePool(out);

    // The legacy read: all four, or only the three recognized ones.
    PDRIVE_LAYOUT_INFORMATION legacy = nullptr;
    ASSERT_EQ(IoReadPartitionTable(m_device, 512, FALSE, &legacy), STATUS_SUCCESS);
    EXPECT_EQ(legacy->PartitionCount, 4u);
    EXPECT_EQ(legacy->Signature, 0x55667788u);
    ExFreePool(legacy);
    ASSERT_EQ(IoReadPartitionTable(m_device, 512, TRUE, &legacy), STATUS_SUCCESS);
    ASSERT_EQ(legacy->PartitionCount, 3u);
    EXPECT_EQ(legacy->PartitionEntry[2].PartitionType, PARTITION_FAT32_XINT13);
    EXPECT_EQ(legacy->PartitionEntry[2].PartitionNumber, 3u);
    ExFreePool(legacy);
}

TEST_F(MbrPartitionTest, extended_partition_chain_round_trips_and_is_relative_on_disk)
{
    boot_disk(kMbrDiskSize);
    CREATE_DISK create{};
    create.PartitionStyle = PARTITION_STYLE_MBR;
    create.Mbr.Signature = 0xABCD0123;
    ASSERT_EQ(IoCreateDisk(m_device, &create), STATUS_SUCCESS);
    LayoutBuffer in(extended_layout());
    in.layout()->PartitionStyle = PARTITION_STYLE_MBR;
    in.layout()->Mbr.Signature = 0xABCD0123;
    ASSERT_EQ(IoWritePartitionTableEx(m_device, in.layout()), STATUS_SUCCESS);

    // First EBR: logical drive relative to the EBR, link relative to the extended partition.
    const std::vector<UCHAR> ebr1 = read_sector(20480);
    EXPECT_EQ(ebr1[510], 0x55);
    EXPECT_EQ(ebr1[511], 0xAA);
    EXPECT_EQ(ebr1[446 + 4], PARTITION_IFS);
    EXPECT_EQ(get32(ebr1, 446 + 8), 2048u);
    EXPECT_EQ(get32(ebr1, 446 + 12), 4096u);
    EXPECT_EQ(ebr1[462 + 4], PARTITION_EXTENDED);
    EXPECT_EQ(get32(ebr1, 462 + 8), 6144u);
    EXPECT_EQ(get32(ebr1, 462 + 12), 6144u);
    const std::vector<UCHAR> ebr2 = read_sector(26624);
    EXPECT_EQ(ebr2[446 + 4], PARTITION_HUGE);
    EXPECT_EQ(get32(ebr2, 446 + 8), 2048u);
    EXPECT_EQ(ebr2[462 + 4], PARTITION_ENTRY_UNUSED);

    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    ASSERT_EQ(out->PartitionCount, 12u);
    const std::vector<PARTITION_INFORMATION_EX> expected = extended_layout();
    for (ULONG i = 0; i < 12; ++i) {
        const PARTITION_INFORMATION_EX& p = out->PartitionEntry[i];
        EXPECT_EQ(p.Mbr.PartitionType, expected[i].Mbr.PartitionType) << i;
        if (expected[i].Mbr.PartitionType == PARTITION_ENTRY_UNUSED) continue;
        EXPECT_EQ(p.StartingOffset.QuadPart, expected[i].StartingOffset.QuadPart) << i;
        EXPECT_EQ(p.PartitionLength.QuadPart, expected[i].PartitionLength.QuadPart) << i;
    }
    // Numbers go to the volumes in table order; the containers get none.
    EXPECT_EQ(out->PartitionEntry[3].PartitionNumber, 0u);
    EXPECT_EQ(out->PartitionEntry[4].PartitionNumber, 4u);
    EXPECT_EQ(out->PartitionEntry[4].Mbr.HiddenSectors, 2048u);
    EXPECT_EQ(out->PartitionEntry[8].PartitionNumber, 5u);
    ExFreePool(out);

    // The legacy read with ReturnRecognizedPartitions: the volumes of recognized types only (the
    // LDM one and the containers are left out).
    PDRIVE_LAYOUT_INFORMATION legacy = nullptr;
    ASSERT_EQ(IoReadPartitionTable(m_device, 512, TRUE, &legacy), STATUS_SUCCESS);
    ASSERT_EQ(legacy->PartitionCount, 4u);
    EXPECT_EQ(legacy->PartitionEntry[2].StartingOffset.QuadPart, LONGLONG{22528} * 512);
    EXPECT_EQ(legacy->PartitionEntry[3].PartitionType, PARTITION_HUGE);
    EXPECT_EQ(legacy->PartitionEntry[3].PartitionNumber, 5u);
    ExFreePool(legacy);
    EXPECT_EQ(IoVerifyPartitionTable(m_device, FALSE), STATUS_SUCCESS);
}

TEST_F(MbrPartitionTest, legacy_write_rewrites_the_tables_marked_and_reads_back)
{
    boot_disk(kMbrDiskSize);
    CREATE_DISK create{};
    create.PartitionStyle = PARTITION_STYLE_MBR;
    create.Mbr.Signature = 0x01020304;
    ASSERT_EQ(IoCreateDisk(m_device, &create), STATUS_SUCCESS);
    PDRIVE_LAYOUT_INFORMATION legacy = nullptr;
    ASSERT_EQ(IoReadPartitionTable(m_device, 512, FALSE, &legacy), STATUS_SUCCESS);
    ASSERT_EQ(legacy->PartitionCount, 4u);
    legacy->PartitionEntry[0].StartingOffset.QuadPart = 2048 * 512;
    legacy->PartitionEntry[0].PartitionLength.QuadPart = 4096 * 512;
    legacy->PartitionEntry[0].PartitionType = PARTITION_IFS;
    legacy->PartitionEntry[0].RewritePartition = TRUE;
    legacy->Signature = 0x0A0B0C0D;
    ASSERT_EQ(IoWritePartitionTable(m_device, 512, 63, 255, legacy), STATUS_SUCCESS);
    ExFreePool(legacy);

    ASSERT_EQ(IoReadPartitionTable(m_device, 512, TRUE, &legacy), STATUS_SUCCESS);
    ASSERT_EQ(legacy->PartitionCount, 1u);
    EXPECT_EQ(legacy->Signature, 0x0A0B0C0Du);
    EXPECT_EQ(legacy->PartitionEntry[0].StartingOffset.QuadPart, 2048 * 512);
    EXPECT_EQ(legacy->PartitionEntry[0].PartitionLength.QuadPart, 4096 * 512);
    EXPECT_EQ(legacy->PartitionEntry[0].HiddenSectors, 2048u);
    EXPECT_EQ(legacy->PartitionEntry[0].PartitionNumber, 1u);
    EXPECT_TRUE(legacy->PartitionEntry[0].RecognizedPartition);
    ExFreePool(legacy);

    // CHS for 255 heads, 63 sectors a track: LBA 2048 is cylinder 0, head 32, sector 33.
    const std::vector<UCHAR> mbr = read_sector(0);
    EXPECT_EQ(mbr[446 + 1], 32);
    EXPECT_EQ(mbr[446 + 2], 33);
    EXPECT_EQ(mbr[446 + 3], 0);
}

// Known answer: an MBR and one EBR built here byte by byte, parsed by the routines.
TEST_F(MbrPartitionTest, hand_built_mbr_and_ebr_are_parsed)
{
    boot_disk(kMbrDiskSize);
    std::vector<UCHAR> mbr(512, 0);
    put32(mbr, 440, 0xFEEDFACE);
    mbr[446] = 0x80;
    mbr[446 + 4] = PARTITION_FAT_12;
    put32(mbr, 446 + 8, 63);
    put32(mbr, 446 + 12, 1000);
    mbr[462 + 4] = PARTITION_XINT13_EXTENDED;
    put32(mbr, 462 + 8, 4000);
    put32(mbr, 462 + 12, 8000);
    mbr[510] = 0x55;
    mbr[511] = 0xAA;
    write_sector(0, mbr);
    std::vector<UCHAR> ebr(512, 0);
    ebr[446 + 4] = PARTITION_IFS;
    put32(ebr, 446 + 8, 63);
    put32(ebr, 446 + 12, 2000);
    ebr[510] = 0x55;
    ebr[511] = 0xAA;
    write_sector(4000, ebr);

    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    ASSERT_EQ(out->PartitionStyle, static_cast<ULONG>(PARTITION_STYLE_MBR));
    ASSERT_EQ(out->PartitionCount, 8u);
    EXPECT_EQ(out->Mbr.Signature, 0xFEEDFACEu);
    EXPECT_EQ(out->PartitionEntry[0].StartingOffset.QuadPart, 63 * 512);
    EXPECT_EQ(out->PartitionEntry[0].PartitionLength.QuadPart, 1000 * 512);
    EXPECT_TRUE(out->PartitionEntry[0].Mbr.BootIndicator);
    EXPECT_TRUE(out->PartitionEntry[0].Mbr.RecognizedPartition);
    EXPECT_EQ(out->PartitionEntry[1].Mbr.PartitionType, PARTITION_XINT13_EXTENDED);
    EXPECT_FALSE(out->PartitionEntry[1].Mbr.RecognizedPartition);
    EXPECT_EQ(out->PartitionEntry[4].StartingOffset.QuadPart, (4000 + 63) * 512);
    EXPECT_EQ(out->PartitionEntry[4].PartitionLength.QuadPart, 2000 * 512);
    EXPECT_EQ(out->PartitionEntry[4].PartitionNumber, 2u);
    ExFreePool(out);

    // The checksum makes the first 128 ULONGs of sector 0 sum to zero.
    DISK_SIGNATURE signature{};
    ASSERT_EQ(IoReadDiskSignature(m_device, 512, &signature), STATUS_SUCCESS);
    EXPECT_EQ(signature.PartitionStyle, static_cast<ULONG>(PARTITION_STYLE_MBR));
    EXPECT_EQ(signature.Mbr.Signature, 0xFEEDFACEu);
    ULONG sum = signature.Mbr.CheckSum;
    for (std::size_t i = 0; i < 512; i += 4) sum += get32(mbr, i);
    EXPECT_EQ(sum, 0u);
}

TEST_F(MbrPartitionTest, set_partition_information_changes_one_type_byte)
{
    boot_disk(kMbrDiskSize);
    CREATE_DISK create{};
    create.PartitionStyle = PARTITION_STYLE_MBR;
    ASSERT_EQ(IoCreateDisk(m_device, &create), STATUS_SUCCESS);
    LayoutBuffer in(extended_layout());
    in.layout()->PartitionStyle = PARTITION_STYLE_MBR;
    ASSERT_EQ(IoWritePartitionTableEx(m_device, in.layout()), STATUS_SUCCESS);

    // Partition 4 is the first logical drive: its type lives in the first EBR.
    ASSERT_EQ(IoSetPartitionInformation(m_device, 512, 4, PARTITION_FAT32), STATUS_SUCCESS);
    EXPECT_EQ(read_sector(20480)[446 + 4], PARTITION_FAT32);
    SET_PARTITION_INFORMATION_EX set{};
    set.PartitionStyle = PARTITION_STYLE_MBR;
    set.Mbr.PartitionType = PARTITION_HUGE;
    ASSERT_EQ(IoSetPartitionInformationEx(m_device, 2, &set), STATUS_SUCCESS);
    EXPECT_EQ(read_sector(0)[462 + 4], PARTITION_HUGE);

    EXPECT_EQ(IoSetPartitionInformation(m_device, 512, 6, PARTITION_FAT32), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoSetPartitionInformation(m_device, 512, 0, PARTITION_FAT32), STATUS_INVALID_PARAMETER);
    set.PartitionStyle = PARTITION_STYLE_GPT;
    EXPECT_EQ(IoSetPartitionInformationEx(m_device, 1, &set), STATUS_INVALID_PARAMETER);
}

// A disk never partitioned (all zero) and a foreign one (data, no 0x55AA): RAW, no entries.
TEST_F(MbrPartitionTest, disk_without_boot_signature_reads_as_raw)
{
    boot_disk(kMbrDiskSize);
    for (int pass = 0; pass < 2; ++pass) {
        if (pass == 1) {
            std::vector<UCHAR> foreign(512);
            for (std::size_t i = 0; i < foreign.size(); ++i) foreign[i] = static_cast<UCHAR>(i * 13 + 1);
            foreign[510] = 0x55;
            foreign[511] = 0x00;
            write_sector(0, foreign);
        }
        PDRIVE_LAYOUT_INFORMATION_EX out = reinterpret_cast<PDRIVE_LAYOUT_INFORMATION_EX>(1);
        ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
        ASSERT_NE(out, nullptr);
        EXPECT_EQ(out->PartitionStyle, static_cast<ULONG>(PARTITION_STYLE_RAW));
        EXPECT_EQ(out->PartitionCount, 0u);
        ExFreePool(out);
        PDRIVE_LAYOUT_INFORMATION legacy = nullptr;
        ASSERT_EQ(IoReadPartitionTable(m_device, 512, FALSE, &legacy), STATUS_SUCCESS);
        EXPECT_EQ(legacy->PartitionCount, 0u);
        ExFreePool(legacy);
        DISK_SIGNATURE signature{};
        EXPECT_EQ(IoReadDiskSignature(m_device, 512, &signature), STATUS_DISK_CORRUPT_ERROR);
    }
}

// IoCreateDisk(NULL) deletes the table.
TEST_F(MbrPartitionTest, create_disk_without_a_description_deletes_the_table)
{
    boot_disk(kMbrDiskSize);
    CREATE_DISK create{};
    create.PartitionStyle = PARTITION_STYLE_MBR;
    create.Mbr.Signature = 7;
    ASSERT_EQ(IoCreateDisk(m_device, &create), STATUS_SUCCESS);
    ASSERT_EQ(IoCreateDisk(m_device, nullptr), STATUS_SUCCESS);
    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    EXPECT_EQ(out->PartitionStyle, static_cast<ULONG>(PARTITION_STYLE_RAW));
    ExFreePool(out);
}

}  // namespace
}  // namespace ntio::test::partitions
