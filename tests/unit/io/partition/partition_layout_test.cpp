// The partition structures have the Windows x64 sizes and field offsets of the WDK (checked
// against the mingw-w64 <winioctl.h> where it has them; DRIVE_LAYOUT_INFORMATION_MBR gained
// CheckSum in Windows 10 and is 8 bytes), and the partition type macros classify as documented.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntdddisk/ns-ntdddisk-_partition_information_ex
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>

#include <ntddk.h>

namespace ntio::test::partition_layout {
namespace {

static_assert(sizeof(PARTITION_INFORMATION) == 32);
static_assert(offsetof(PARTITION_INFORMATION, HiddenSectors) == 16);
static_assert(offsetof(PARTITION_INFORMATION, PartitionType) == 24);
static_assert(offsetof(PARTITION_INFORMATION, RewritePartition) == 27);
static_assert(sizeof(DRIVE_LAYOUT_INFORMATION) == 40);
static_assert(offsetof(DRIVE_LAYOUT_INFORMATION, PartitionEntry) == 8);

static_assert(sizeof(PARTITION_INFORMATION_MBR) == 24);
static_assert(offsetof(PARTITION_INFORMATION_MBR, HiddenSectors) == 4);
static_assert(offsetof(PARTITION_INFORMATION_MBR, PartitionId) == 8);
static_assert(sizeof(PARTITION_INFORMATION_GPT) == 112);
static_assert(offsetof(PARTITION_INFORMATION_GPT, Attributes) == 32);
static_assert(offsetof(PARTITION_INFORMATION_GPT, Name) == 40);
static_assert(sizeof(PARTITION_INFORMATION_EX) == 144);
static_assert(offsetof(PARTITION_INFORMATION_EX, StartingOffset) == 8);
static_assert(offsetof(PARTITION_INFORMATION_EX, PartitionNumber) == 24);
static_assert(offsetof(PARTITION_INFORMATION_EX, RewritePartition) == 28);
static_assert(offsetof(PARTITION_INFORMATION_EX, IsServicePartition) == 29);
static_assert(offsetof(PARTITION_INFORMATION_EX, Mbr) == 32);
static_assert(offsetof(PARTITION_INFORMATION_EX, Gpt) == 32);

static_assert(sizeof(DRIVE_LAYOUT_INFORMATION_MBR) == 8);
static_assert(sizeof(DRIVE_LAYOUT_INFORMATION_GPT) == 40);
static_assert(offsetof(DRIVE_LAYOUT_INFORMATION_GPT, StartingUsableOffset) == 16);
static_assert(offsetof(DRIVE_LAYOUT_INFORMATION_GPT, MaxPartitionCount) == 32);
static_assert(sizeof(DRIVE_LAYOUT_INFORMATION_EX) == 192);
static_assert(offsetof(DRIVE_LAYOUT_INFORMATION_EX, Mbr) == 8);
static_assert(offsetof(DRIVE_LAYOUT_INFORMATION_EX, PartitionEntry) == 48);

static_assert(sizeof(CREATE_DISK_MBR) == 4);
static_assert(sizeof(CREATE_DISK_GPT) == 20);
static_assert(sizeof(CREATE_DISK) == 24);
static_assert(offsetof(CREATE_DISK, Gpt) == 4);
static_assert(sizeof(SET_PARTITION_INFORMATION) == 1);
static_assert(sizeof(SET_PARTITION_INFORMATION_EX) == 120);
static_assert(offsetof(SET_PARTITION_INFORMATION_EX, Gpt) == 8);
static_assert(sizeof(DISK_SIGNATURE) == 20);
static_assert(offsetof(DISK_SIGNATURE, Mbr.CheckSum) == 8);
static_assert(offsetof(DISK_SIGNATURE, Gpt.DiskId) == 4);
static_assert(PARTITION_STYLE_MBR == 0 && PARTITION_STYLE_GPT == 1 && PARTITION_STYLE_RAW == 2);

TEST(PartitionTypes, containers_are_the_two_extended_types)
{
    for (int type = 0; type < 256; ++type) {
        const bool expected = type == 0x05 || type == 0x0F;
        EXPECT_EQ(static_cast<bool>(IsContainerPartition(type)), expected) << type;
    }
}

TEST(PartitionTypes, recognized_types_are_the_ones_windows_mounts)
{
    for (int type : {PARTITION_FAT_12, PARTITION_FAT_16, PARTITION_HUGE, PARTITION_IFS, PARTITION_FAT32,
                     PARTITION_FAT32_XINT13, PARTITION_XINT13, PARTITION_IFS | PARTITION_NTFT, PARTITION_SYSTEM})
        EXPECT_TRUE(IsRecognizedPartition(type)) << type;
    for (int type : {PARTITION_ENTRY_UNUSED, PARTITION_EXTENDED, PARTITION_XINT13_EXTENDED, PARTITION_GPT,
                     PARTITION_UNIX, PARTITION_LDM, PARTITION_XENIX_1})
        EXPECT_FALSE(IsRecognizedPartition(type)) << type;
}

// The GUIDs in their registry form's byte order (Data1-3 little-endian on disk).
TEST(PartitionTypes, gpt_type_guids_have_their_published_values)
{
    EXPECT_EQ(PARTITION_BASIC_DATA_GUID.Data1, 0xEBD0A0A2u);
    EXPECT_EQ(PARTITION_BASIC_DATA_GUID.Data4[7], 0xC7);
    EXPECT_EQ(PARTITION_SYSTEM_GUID.Data1, 0xC12A7328u);
    EXPECT_EQ(PARTITION_MSFT_RESERVED_GUID.Data2, 0x0B5C);
    const GUID zero{};
    EXPECT_EQ(std::memcmp(&PARTITION_ENTRY_UNUSED_GUID, &zero, sizeof(GUID)), 0);
}

}  // namespace
}  // namespace ntio::test::partition_layout
