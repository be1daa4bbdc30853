// The MBR partition table on disk: sector 0's four 16-byte entries and the chain of extended boot
// records (EBRs) behind an extended partition, read into absolute offsets and written back. The
// layout is the legacy MBR of the UEFI specification 2.10, section 5.2.1 (table 5.1 and 5.2).
#pragma once

#include "io/partition_disk.hpp"

namespace ntio::io::partition {

inline constexpr ULONG kMbrEntriesOffset = 446;
inline constexpr ULONG kMbrSignatureOffset = 440;
inline constexpr ULONG kMbrEntrySize = 16;

// One of the four slots of a table, in absolute terms.
struct MbrSlot {
    UCHAR type = 0;
    bool boot = false;
    ULONGLONG start_lba = 0;
    ULONGLONG sector_count = 0;
    ULONG hidden_sectors = 0;   // start relative to the table's base, as stored
    ULONG partition_number = 0; // 1.. for used, non-container slots in table order; else 0
    bool rewrite = false;
};

struct MbrTable {
    ULONGLONG lba = 0;
    MbrSlot slots[4];
};

struct MbrLayout {
    ULONG signature = 0;
    ULONG checksum = 0;
    std::vector<MbrTable> tables;  // sector 0's first, then each EBR in chain order
};

// Does a 512-byte-or-larger sector end with the boot signature 0x55 0xAA?
bool has_boot_signature(const std::vector<UCHAR>& sector);
// Does sector 0 hold the protective MBR of a GPT disk (a slot of type 0xEE)?
bool is_protective_mbr(const std::vector<UCHAR>& sector);
// The two's complement of the sum of the first 512 bytes taken as 128 little-endian ULONGs.
ULONG mbr_checksum(const std::vector<UCHAR>& sector);

// Parses the tables starting from `sector0` (which must carry the boot signature), following the
// extended chain; an EBR that cannot be read or lacks the boot signature ends the chain.
NTSTATUS read_mbr_layout(PDEVICE_OBJECT disk, ULONG sector_size, const std::vector<UCHAR>& sector0, MbrLayout* layout);

// Encodes `layout` into sectors, keeping sector 0's boot code from `old_sector0` (when it has one).
// `only_rewrite`: write a table only when one of its slots has `rewrite`. STATUS_INVALID_PARAMETER
// for offsets off sector boundaries, past 2^32 sectors, past the disk's end, or an EBR chain that
// does not follow the container slots.
NTSTATUS write_mbr_layout(PDEVICE_OBJECT disk, ULONG sector_size, ULONGLONG disk_sectors, ULONG sectors_per_track,
                          ULONG heads, const MbrLayout& layout, const std::vector<UCHAR>& old_sector0,
                          bool only_rewrite);

// The problems IoVerifyPartitionTable reports: slots past the disk's end, overlapping volumes,
// logical drives outside their extended partition. True when none.
bool mbr_layout_consistent(const MbrLayout& layout, ULONGLONG disk_sectors);

}  // namespace ntio::io::partition
