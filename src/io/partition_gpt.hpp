// The GUID partition table on disk: the protective MBR, the primary header at LBA 1 and its entry
// array, and the backup array and header at the end of the disk, each header and array checked by
// its CRC32. Layout per the UEFI specification 2.10, chapter 5 ("GUID Partition Table (GPT) Disk
// Layout"): 5.2.3 protective MBR, 5.3.2 GPT header (table 5.5), 5.3.3 partition entry (table 5.6).
#pragma once

#include "io/partition_disk.hpp"

namespace ntio::io::partition {

inline constexpr ULONG kGptEntrySize = 128;
inline constexpr ULONG kGptMinEntries = 128;  // the array is at least 16,384 bytes (UEFI 5.3.2)
// Beyond this an entry count is a corrupt header or a bad request, not a disk (4 MiB of entries).
inline constexpr ULONG kGptMaxEntries = 32768;

struct GptEntry {
    GUID type{};
    GUID id{};
    ULONGLONG first_lba = 0;
    ULONGLONG last_lba = 0;  // inclusive
    ULONGLONG attributes = 0;
    WCHAR name[36]{};
    bool used() const;
};

struct GptLayout {
    GUID disk_id{};
    ULONGLONG first_usable = 0;
    ULONGLONG last_usable = 0;
    ULONG entry_count = 0;       // NumberOfPartitionEntries
    std::vector<GptEntry> entries;  // every slot of the array
    bool primary_valid = false;
    bool backup_valid = false;
};

// Reads the primary header and array, and the backup ones (at the primary's AlternateLBA, or the
// last LBA when the primary is bad). STATUS_DISK_CORRUPT_ERROR when neither copy is valid; the
// layout is the primary's when valid, else the backup's.
NTSTATUS read_gpt_layout(PDEVICE_OBJECT disk, const DiskGeometry& geometry, GptLayout* layout);

// The usable area and array size for a disk of `geometry` with `entry_count` slots (at least 128):
// false when the disk is too small to hold both copies and one usable sector.
bool gpt_bounds(const DiskGeometry& geometry, ULONG entry_count, ULONGLONG* first_usable, ULONGLONG* last_usable);

// Writes the protective MBR, both arrays and both headers from `layout` (whose first/last usable
// and entry_count are already set).
NTSTATUS write_gpt_layout(PDEVICE_OBJECT disk, const DiskGeometry& geometry, const GptLayout& layout);

}  // namespace ntio::io::partition
