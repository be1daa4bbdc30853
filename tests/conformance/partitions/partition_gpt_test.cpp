// GPT disks on the RAM disk: IoCreateDisk with 128 entries, IoWritePartitionTableEx, both headers
// and arrays checked by hand (signature, CRC32s, MyLBA/AlternateLBA); the backup stands in when
// the primary header or array is corrupt, and IoVerifyPartitionTable(TRUE) repairs the primary;
// a hand-built GPT parsed by the routines; 4096-byte sectors; IoSetPartitionInformationEx.
// Byte layout: UEFI specification 2.10, chapter 5: 5.2.3 protective MBR, 5.3.2 GPT header
// (table 5.5), 5.3.3 partition entry (table 5.6).
#include "partition_test_support.hpp"

#include <initguid.h>

namespace ntio::test::partitions {
namespace {

constexpr ULONG kGptDiskSize = 8 * 1024 * 1024;
const GUID kDiskId = {0x12345678, 0x9ABC, 0xDEF0, {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF}};
const GUID kPartId1 = {0x11111111, 0x2222, 0x3333, {0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55}};
const GUID kPartId2 = {0xAAAAAAAA, 0xBBBB, 0xCCCC, {0xDD, 0xDD, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE}};

class GptPartitionTest : public PartitionTest {
protected:
    void create_gpt(ULONG max = 128) {
        CREATE_DISK create{};
        create.PartitionStyle = PARTITION_STYLE_GPT;
        create.Gpt.DiskId = kDiskId;
        create.Gpt.MaxPartitionCount = max;
        ASSERT_EQ(IoCreateDisk(m_device, &create), STATUS_SUCCESS);
    }
    ULONGLONG array_sectors() const { return 128 * 128 / m_sector; }
    ULONGLONG first_usable() const { return 2 + array_sectors(); }
    ULONGLONG last_usable() const { return sectors() - 2 - array_sectors(); }

    // Two basic-data partitions with names, written with IoWritePartitionTableEx.
    void write_two_partitions() {
        std::vector<unsigned char> bytes(FIELD_OFFSET(DRIVE_LAYOUT_INFORMATION_EX, PartitionEntry) +
                                         2 * sizeof(PARTITION_INFORMATION_EX));
        auto* layout = reinterpret_cast<DRIVE_LAYOUT_INFORMATION_EX*>(bytes.data());
        layout->PartitionStyle = PARTITION_STYLE_GPT;
        layout->PartitionCount = 2;
        layout->Gpt.DiskId = kDiskId;
        layout->Gpt.MaxPartitionCount = 128;
        const ULONGLONG first = first_usable();
        const GUID ids[2] = {kPartId1, kPartId2};
        const ULONGLONG starts[2] = {first, first + 1000};
        for (int i = 0; i < 2; ++i) {
            PARTITION_INFORMATION_EX& p = layout->PartitionEntry[i];
            p.PartitionStyle = PARTITION_STYLE_GPT;
            p.StartingOffset.QuadPart = static_cast<LONGLONG>(starts[i] * m_sector);
            p.PartitionLength.QuadPart = static_cast<LONGLONG>(500 * m_sector);
            p.RewritePartition = TRUE;
            p.Gpt.PartitionType = i == 0 ? PARTITION_BASIC_DATA_GUID : PARTITION_MSFT_RESERVED_GUID;
            p.Gpt.PartitionId = ids[i];
            p.Gpt.Attributes = i == 0 ? GPT_BASIC_DATA_ATTRIBUTE_NO_DRIVE_LETTER : 0;
            const char16_t* name = i == 0 ? u"Data" : u"Reserved";
            for (int c = 0; name[c]; ++c) p.Gpt.Name[c] = static_cast<WCHAR>(name[c]);
        }
        ASSERT_EQ(IoWritePartitionTableEx(m_device, layout), STATUS_SUCCESS);
    }

    // Checks the header at `lba` by hand; returns its PartitionEntryLBA.
    ULONGLONG check_header(ULONGLONG lba, ULONGLONG alternate) {
        std::vector<UCHAR> h = read_sector(lba);
        EXPECT_EQ(std::memcmp(h.data(), "EFI PART", 8), 0);
        EXPECT_EQ(get32(h, 8), 0x00010000u);
        EXPECT_EQ(get32(h, 12), 92u);
        const ULONG crc = get32(h, 16);
        put32(h, 16, 0);
        EXPECT_EQ(crc32_of(h.data(), 92), crc);
        EXPECT_EQ(get64(h, 24), lba);
        EXPECT_EQ(get64(h, 32), alternate);
        EXPECT_EQ(get64(h, 40), first_usable());
        EXPECT_EQ(get64(h, 48), last_usable());
        GUID disk_id;
        std::memcpy(&disk_id, h.data() + 56, sizeof(GUID));
        EXPECT_TRUE(same_guid(disk_id, kDiskId));
        EXPECT_EQ(get32(h, 80), 128u);
        EXPECT_EQ(get32(h, 84), 128u);
        const ULONGLONG entries = get64(h, 72);
        const std::vector<UCHAR> array = read_sector(entries, static_cast<ULONG>(array_sectors()));
        EXPECT_EQ(crc32_of(array.data(), 128 * 128), get32(h, 88));
        return entries;
    }

    void expect_two_partitions(const DRIVE_LAYOUT_INFORMATION_EX* out) {
        ASSERT_EQ(out->PartitionStyle, static_cast<ULONG>(PARTITION_STYLE_GPT));
        ASSERT_EQ(out->PartitionCount, 2u);
        EXPECT_TRUE(same_guid(out->Gpt.DiskId, kDiskId));
        EXPECT_EQ(out->Gpt.MaxPartitionCount, 128u);
        EXPECT_EQ(out->Gpt.StartingUsableOffset.QuadPart, static_cast<LONGLONG>(first_usable() * m_sector));
        EXPECT_EQ(out->Gpt.UsableLength.QuadPart,
                  static_cast<LONGLONG>((last_usable() - first_usable() + 1) * m_sector));
        const PARTITION_INFORMATION_EX& a = out->PartitionEntry[0];
        EXPECT_EQ(a.PartitionNumber, 1u);
        EXPECT_EQ(a.StartingOffset.QuadPart, static_cast<LONGLONG>(first_usable() * m_sector));
        EXPECT_EQ(a.PartitionLength.QuadPart, static_cast<LONGLONG>(500 * m_sector));
        EXPECT_TRUE(same_guid(a.Gpt.PartitionType, PARTITION_BASIC_DATA_GUID));
        EXPECT_TRUE(same_guid(a.Gpt.PartitionId, kPartId1));
        EXPECT_EQ(a.Gpt.Attributes, GPT_BASIC_DATA_ATTRIBUTE_NO_DRIVE_LETTER);
        EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(a.Gpt.Name)), u"Data");
        const PARTITION_INFORMATION_EX& b = out->PartitionEntry[1];
        EXPECT_EQ(b.PartitionNumber, 2u);
        EXPECT_TRUE(same_guid(b.Gpt.PartitionType, PARTITION_MSFT_RESERVED_GUID));
        EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(b.Gpt.Name)), u"Reserved");
    }
};

TEST_F(GptPartitionTest, create_disk_writes_protective_mbr_both_headers_and_empty_arrays)
{
    boot_disk(kGptDiskSize);
    create_gpt(16);  // below 128: the array still has 128 entries (UEFI 5.3.2: at least 16,384 bytes)

    const std::vector<UCHAR> pmbr = read_sector(0);
    EXPECT_EQ(pmbr[446 + 4], PARTITION_GPT);
    EXPECT_EQ(get32(pmbr, 446 + 8), 1u);
    EXPECT_EQ(get32(pmbr, 446 + 12), sectors() - 1);
    EXPECT_EQ(pmbr[510], 0x55);
    EXPECT_EQ(pmbr[511], 0xAA);
    EXPECT_EQ(check_header(1, sectors() - 1), 2u);
    EXPECT_EQ(check_header(sectors() - 1, 1), last_usable() + 1);

    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    EXPECT_EQ(out->PartitionStyle, static_cast<ULONG>(PARTITION_STYLE_GPT));
    EXPECT_EQ(out->PartitionCount, 0u);
    EXPECT_EQ(out->Gpt.MaxPartitionCount, 128u);
    EXPECT_TRUE(same_guid(out->Gpt.DiskId, kDiskId));
    ExFreePool(out);

    DISK_SIGNATURE signature{};
    ASSERT_EQ(IoReadDiskSignature(m_device, 512, &signature), STATUS_SUCCESS);
    EXPECT_EQ(signature.PartitionStyle, static_cast<ULONG>(PARTITION_STYLE_GPT));
    EXPECT_TRUE(same_guid(signature.Gpt.DiskId, kDiskId));
    EXPECT_EQ(IoVerifyPartitionTable(m_device, FALSE), STATUS_SUCCESS);
}

TEST_F(GptPartitionTest, written_partitions_read_back_and_sit_in_both_arrays)
{
    boot_disk(kGptDiskSize);
    create_gpt();
    write_two_partitions();
    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    expect_two_partitions(out);
    ExFreePool(out);

    // By hand: entry 0 of both arrays (type GUID, id, first and last LBA inclusive, attributes, name).
    for (ULONGLONG entries : {check_header(1, sectors() - 1), check_header(sectors() - 1, 1)}) {
        const std::vector<UCHAR> e = read_sector(entries);
        GUID type;
        std::memcpy(&type, e.data(), sizeof(GUID));
        EXPECT_TRUE(same_guid(type, PARTITION_BASIC_DATA_GUID));
        EXPECT_EQ(get64(e, 32), first_usable());
        EXPECT_EQ(get64(e, 40), first_usable() + 499);
        EXPECT_EQ(get64(e, 48), GPT_BASIC_DATA_ATTRIBUTE_NO_DRIVE_LETTER);
        EXPECT_EQ(e[56], 'D');
        EXPECT_EQ(e[57], 0);
        EXPECT_EQ(e[62], 'a');
        EXPECT_EQ(get64(e, 128 + 32), first_usable() + 1000);
    }
    // The legacy read sees the protective MBR's one slot, of a type it does not mount.
    PDRIVE_LAYOUT_INFORMATION legacy = nullptr;
    ASSERT_EQ(IoReadPartitionTable(m_device, 512, FALSE, &legacy), STATUS_SUCCESS);
    ASSERT_EQ(legacy->PartitionCount, 4u);
    EXPECT_EQ(legacy->PartitionEntry[0].PartitionType, PARTITION_GPT);
    EXPECT_FALSE(legacy->PartitionEntry[0].RecognizedPartition);
    ExFreePool(legacy);
}

TEST_F(GptPartitionTest, corrupt_primary_header_reads_through_the_backup_and_verify_repairs_it)
{
    boot_disk(kGptDiskSize);
    create_gpt();
    write_two_partitions();
    std::vector<UCHAR> header = read_sector(1);
    header[60] ^= 0xFF;  // inside DiskGUID: HeaderCRC32 no longer matches
    write_sector(1, header);

    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    expect_two_partitions(out);
    ExFreePool(out);

    EXPECT_EQ(IoVerifyPartitionTable(m_device, FALSE), STATUS_DISK_CORRUPT_ERROR);
    ASSERT_EQ(IoVerifyPartitionTable(m_device, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(check_header(1, sectors() - 1), 2u);
    EXPECT_EQ(IoVerifyPartitionTable(m_device, FALSE), STATUS_SUCCESS);
}

TEST_F(GptPartitionTest, corrupt_primary_array_reads_through_the_backup)
{
    boot_disk(kGptDiskSize);
    create_gpt();
    write_two_partitions();
    std::vector<UCHAR> array = read_sector(2);
    array[40] ^= 0x01;  // entry 0's EndingLBA: the array CRC32 no longer matches
    write_sector(2, array);
    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    expect_two_partitions(out);
    ExFreePool(out);
}

TEST_F(GptPartitionTest, both_copies_corrupt_is_disk_corrupt)
{
    boot_disk(kGptDiskSize);
    create_gpt();
    for (ULONGLONG lba : {ULONGLONG{1}, sectors() - 1}) {
        std::vector<UCHAR> header = read_sector(lba);
        header[0] = 'X';
        write_sector(lba, header);
    }
    PDRIVE_LAYOUT_INFORMATION_EX out = reinterpret_cast<PDRIVE_LAYOUT_INFORMATION_EX>(1);
    EXPECT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_DISK_CORRUPT_ERROR);
    EXPECT_EQ(out, nullptr);
    DISK_SIGNATURE signature{};
    EXPECT_EQ(IoReadDiskSignature(m_device, 512, &signature), STATUS_DISK_CORRUPT_ERROR);
    EXPECT_EQ(IoVerifyPartitionTable(m_device, TRUE), STATUS_DISK_CORRUPT_ERROR);
}

// Known answer: a GPT built here byte by byte (one partition in slot 3 of 128), parsed by the routines.
TEST_F(GptPartitionTest, hand_built_gpt_is_parsed)
{
    boot_disk(kGptDiskSize);
    const ULONGLONG last = sectors() - 1;
    std::vector<UCHAR> pmbr(512, 0);
    pmbr[446 + 4] = 0xEE;
    put32(pmbr, 446 + 8, 1);
    put32(pmbr, 446 + 12, static_cast<ULONG>(last));
    pmbr[510] = 0x55;
    pmbr[511] = 0xAA;
    write_sector(0, pmbr);
    std::vector<UCHAR> array(128 * 128, 0);
    std::memcpy(array.data() + 3 * 128, &PARTITION_SYSTEM_GUID, sizeof(GUID));
    std::memcpy(array.data() + 3 * 128 + 16, &kPartId2, sizeof(GUID));
    put64(array, 3 * 128 + 32, 2048);
    put64(array, 3 * 128 + 40, 4095);
    put64(array, 3 * 128 + 48, GPT_ATTRIBUTE_PLATFORM_REQUIRED);
    array[3 * 128 + 56] = 'E';
    array[3 * 128 + 58] = 'S';
    write_sector(2, array);
    std::vector<UCHAR> header(512, 0);
    std::memcpy(header.data(), "EFI PART", 8);
    put32(header, 8, 0x00010000);
    put32(header, 12, 92);
    put64(header, 24, 1);
    put64(header, 32, last);
    put64(header, 40, 34);
    put64(header, 48, last - 33);
    std::memcpy(header.data() + 56, &kDiskId, sizeof(GUID));
    put64(header, 72, 2);
    put32(header, 80, 128);
    put32(header, 84, 128);
    put32(header, 88, crc32_of(array.data(), array.size()));
    put32(header, 16, crc32_of(header.data(), 92));
    write_sector(1, header);

    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    ASSERT_EQ(out->PartitionStyle, static_cast<ULONG>(PARTITION_STYLE_GPT));
    ASSERT_EQ(out->PartitionCount, 1u);
    EXPECT_EQ(out->Gpt.StartingUsableOffset.QuadPart, 34 * 512);
    const PARTITION_INFORMATION_EX& p = out->PartitionEntry[0];
    EXPECT_EQ(p.PartitionNumber, 1u);
    EXPECT_EQ(p.StartingOffset.QuadPart, 2048 * 512);
    EXPECT_EQ(p.PartitionLength.QuadPart, 2048 * 512);
    EXPECT_TRUE(same_guid(p.Gpt.PartitionType, PARTITION_SYSTEM_GUID));
    EXPECT_TRUE(same_guid(p.Gpt.PartitionId, kPartId2));
    EXPECT_EQ(p.Gpt.Attributes, GPT_ATTRIBUTE_PLATFORM_REQUIRED);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(p.Gpt.Name)), u"ES");
    ExFreePool(out);
    // No backup was written: the primary alone reads, but the table does not verify.
    EXPECT_EQ(IoVerifyPartitionTable(m_device, FALSE), STATUS_DISK_CORRUPT_ERROR);
    ASSERT_EQ(IoVerifyPartitionTable(m_device, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(check_header(last, 1), last - 32);
}

TEST_F(GptPartitionTest, sectors_of_4096_bytes_put_the_array_in_four_sectors)
{
    boot_disk(kGptDiskSize, 4096);
    create_gpt();
    EXPECT_EQ(first_usable(), 6u);
    EXPECT_EQ(check_header(1, sectors() - 1), 2u);
    write_two_partitions();
    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    expect_two_partitions(out);
    ExFreePool(out);
    DISK_SIGNATURE signature{};
    ASSERT_EQ(IoReadDiskSignature(m_device, 4096, &signature), STATUS_SUCCESS);
    EXPECT_TRUE(same_guid(signature.Gpt.DiskId, kDiskId));
}

TEST_F(GptPartitionTest, set_partition_information_ex_changes_the_entry_in_both_copies)
{
    boot_disk(kGptDiskSize);
    create_gpt();
    write_two_partitions();
    SET_PARTITION_INFORMATION_EX set{};
    set.PartitionStyle = PARTITION_STYLE_GPT;
    set.Gpt.PartitionType = PARTITION_MSFT_RECOVERY_GUID;
    set.Gpt.PartitionId = kPartId2;
    set.Gpt.Attributes = GPT_ATTRIBUTE_PLATFORM_REQUIRED;
    set.Gpt.Name[0] = L'R';
    ASSERT_EQ(IoSetPartitionInformationEx(m_device, 1, &set), STATUS_SUCCESS);
    const ULONGLONG primary = check_header(1, sectors() - 1);
    const ULONGLONG backup = check_header(sectors() - 1, 1);
    EXPECT_EQ(read_sector(primary), read_sector(backup));
    PDRIVE_LAYOUT_INFORMATION_EX out = nullptr;
    ASSERT_EQ(IoReadPartitionTableEx(m_device, &out), STATUS_SUCCESS);
    ASSERT_EQ(out->PartitionCount, 2u);
    EXPECT_TRUE(same_guid(out->PartitionEntry[0].Gpt.PartitionType, PARTITION_MSFT_RECOVERY_GUID));
    EXPECT_EQ(out->PartitionEntry[0].Gpt.Attributes, GPT_ATTRIBUTE_PLATFORM_REQUIRED);
    EXPECT_EQ(out->PartitionEntry[0].StartingOffset.QuadPart, static_cast<LONGLONG>(first_usable() * m_sector));
    ExFreePool(out);
    EXPECT_EQ(IoSetPartitionInformationEx(m_device, 3, &set), STATUS_INVALID_PARAMETER);
    set.PartitionStyle = PARTITION_STYLE_MBR;
    EXPECT_EQ(IoSetPartitionInformationEx(m_device, 1, &set), STATUS_INVALID_PARAMETER);
}

}  // namespace
}  // namespace ntio::test::partitions
