// Reading, checking and writing both copies of a GPT. A header is valid when its signature,
// HeaderSize, HeaderCRC32, MyLBA, entry size and usable range are right and the array it names
// matches PartitionEntryArrayCRC32 (UEFI specification 2.10, section 5.3.2, "GPT Header" validity
// rules); either copy stands in for the other.
#include "io/partition_gpt.hpp"

#include "io/partition_mbr.hpp"

namespace ntio::io::partition {
namespace {

constexpr UCHAR kGptSignature[8] = {'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T'};
constexpr ULONG kGptRevision = 0x00010000;
constexpr ULONG kGptHeaderSize = 92;

ULONG crc32(const UCHAR* data, std::size_t length) { return RtlComputeCrc32(0, data, static_cast<ULONG>(length)); }

void load_guid(GUID* guid, const UCHAR* p) { std::memcpy(guid, p, sizeof(GUID)); }

ULONGLONG array_sectors(ULONG entry_count, ULONG sector_size) {
    return (static_cast<ULONGLONG>(entry_count) * kGptEntrySize + sector_size - 1) / sector_size;
}

struct Header {
    ULONGLONG alternate_lba = 0;
    ULONGLONG first_usable = 0;
    ULONGLONG last_usable = 0;
    GUID disk_id{};
    ULONGLONG entries_lba = 0;
    ULONG entry_count = 0;
    ULONG entry_size = 0;
    ULONG array_crc = 0;
};

// Checks the header in `sector` read from `lba`; fills `header` when it is valid.
bool parse_header(const std::vector<UCHAR>& sector, ULONGLONG lba, const DiskGeometry& geometry, Header* header) {
    const UCHAR* p = sector.data();
    if (std::memcmp(p, kGptSignature, 8) != 0) return false;
    const ULONG size = load32(p + 12);
    if (size < kGptHeaderSize || size > geometry.sector_size) return false;
    std::vector<UCHAR> copy(p, p + size);
    store32(copy.data() + 16, 0);
    if (crc32(copy.data(), size) != load32(p + 16)) return false;
    if (load64(p + 24) != lba) return false;
    header->alternate_lba = load64(p + 32);
    header->first_usable = load64(p + 40);
    header->last_usable = load64(p + 48);
    load_guid(&header->disk_id, p + 56);
    header->entries_lba = load64(p + 72);
    header->entry_count = load32(p + 80);
    header->entry_size = load32(p + 84);
    header->array_crc = load32(p + 88);
    // Entry size: 128 x 2^n (UEFI 5.3.2); the usable range inside the disk.
    if (header->entry_size < kGptEntrySize || (header->entry_size & (header->entry_size - 1)) != 0) return false;
    if (header->entry_count == 0 || header->entry_count > kGptMaxEntries) return false;
    if (header->first_usable > header->last_usable || header->last_usable >= geometry.sector_count) return false;
    if (header->entries_lba >= geometry.sector_count) return false;
    return true;
}

bool read_copy(PDEVICE_OBJECT disk, const DiskGeometry& geometry, ULONGLONG lba, Header* header,
               std::vector<UCHAR>* array) {
    std::vector<UCHAR> sector;
    if (lba == 0 || lba >= geometry.sector_count) return false;
    if (!NT_SUCCESS(read_sectors(disk, geometry.sector_size, lba, 1, sector))) return false;
    if (!parse_header(sector, lba, geometry, header)) return false;
    const ULONGLONG bytes = static_cast<ULONGLONG>(header->entry_count) * header->entry_size;
    const ULONGLONG count = (bytes + geometry.sector_size - 1) / geometry.sector_size;
    if (header->entries_lba + count > geometry.sector_count) return false;
    if (!NT_SUCCESS(read_sectors(disk, geometry.sector_size, header->entries_lba, static_cast<ULONG>(count), *array)))
        return false;
    return crc32(array->data(), static_cast<std::size_t>(bytes)) == header->array_crc;
}

void fill_layout(const Header& header, const std::vector<UCHAR>& array, GptLayout* layout) {
    layout->disk_id = header.disk_id;
    layout->first_usable = header.first_usable;
    layout->last_usable = header.last_usable;
    layout->entry_count = header.entry_count;
    layout->entries.assign(header.entry_count, GptEntry{});
    for (ULONG i = 0; i < header.entry_count; ++i) {
        const UCHAR* e = array.data() + static_cast<std::size_t>(i) * header.entry_size;
        GptEntry& entry = layout->entries[i];
        load_guid(&entry.type, e);
        load_guid(&entry.id, e + 16);
        entry.first_lba = load64(e + 32);
        entry.last_lba = load64(e + 40);
        entry.attributes = load64(e + 48);
        for (int c = 0; c < 36; ++c) entry.name[c] = static_cast<WCHAR>(e[56 + 2 * c] | (e[57 + 2 * c] << 8));
    }
}

std::vector<UCHAR> encode_header(const GptLayout& layout, const DiskGeometry& geometry, ULONGLONG my_lba,
                                 ULONGLONG alternate_lba, ULONGLONG entries_lba, ULONG array_crc) {
    std::vector<UCHAR> sector(geometry.sector_size, 0);
    UCHAR* p = sector.data();
    std::memcpy(p, kGptSignature, 8);
    store32(p + 8, kGptRevision);
    store32(p + 12, kGptHeaderSize);
    store64(p + 24, my_lba);
    store64(p + 32, alternate_lba);
    store64(p + 40, layout.first_usable);
    store64(p + 48, layout.last_usable);
    std::memcpy(p + 56, &layout.disk_id, sizeof(GUID));
    store64(p + 72, entries_lba);
    store32(p + 80, layout.entry_count);
    store32(p + 84, kGptEntrySize);
    store32(p + 88, array_crc);
    store32(p + 16, crc32(p, kGptHeaderSize));
    return sector;
}

}  // namespace

bool GptEntry::used() const {
    static const GUID kUnused{};
    return std::memcmp(&type, &kUnused, sizeof(GUID)) != 0;
}

NTSTATUS read_gpt_layout(PDEVICE_OBJECT disk, const DiskGeometry& geometry, GptLayout* layout) {
    Header primary, backup;
    std::vector<UCHAR> primary_array, backup_array;
    layout->primary_valid = read_copy(disk, geometry, 1, &primary, &primary_array);
    const ULONGLONG backup_lba = layout->primary_valid ? primary.alternate_lba : geometry.sector_count - 1;
    layout->backup_valid = read_copy(disk, geometry, backup_lba, &backup, &backup_array);
    if (layout->primary_valid) {
        fill_layout(primary, primary_array, layout);
    } else if (layout->backup_valid) {
        fill_layout(backup, backup_array, layout);
    } else {
        return STATUS_DISK_CORRUPT_ERROR;
    }
    return STATUS_SUCCESS;
}

bool gpt_bounds(const DiskGeometry& geometry, ULONG entry_count, ULONGLONG* first_usable, ULONGLONG* last_usable) {
    const ULONGLONG array = array_sectors(entry_count, geometry.sector_size);
    // LBA 0, the primary header and array, one usable sector, the backup array and header.
    if (geometry.sector_count < 2 * array + 4) return false;
    *first_usable = 2 + array;
    *last_usable = geometry.sector_count - 2 - array;
    return true;
}

NTSTATUS write_gpt_layout(PDEVICE_OBJECT disk, const DiskGeometry& geometry, const GptLayout& layout) {
    const ULONG ss = geometry.sector_size;
    const ULONGLONG sectors = array_sectors(layout.entry_count, ss);
    std::vector<UCHAR> array(static_cast<std::size_t>(sectors * ss), 0);
    for (std::size_t i = 0; i < layout.entries.size() && i < layout.entry_count; ++i) {
        const GptEntry& entry = layout.entries[i];
        if (!entry.used()) continue;
        UCHAR* e = array.data() + i * kGptEntrySize;
        std::memcpy(e, &entry.type, sizeof(GUID));
        std::memcpy(e + 16, &entry.id, sizeof(GUID));
        store64(e + 32, entry.first_lba);
        store64(e + 40, entry.last_lba);
        store64(e + 48, entry.attributes);
        for (int c = 0; c < 36; ++c) {
            e[56 + 2 * c] = static_cast<UCHAR>(entry.name[c]);
            e[57 + 2 * c] = static_cast<UCHAR>(entry.name[c] >> 8);
        }
    }
    const ULONG array_crc = crc32(array.data(), static_cast<std::size_t>(layout.entry_count) * kGptEntrySize);
    const ULONGLONG last = geometry.sector_count - 1;
    const ULONGLONG backup_array_lba = layout.last_usable + 1;

    // Protective MBR (UEFI 5.2.3): one slot of type 0xEE from LBA 1 over the rest of the disk,
    // its size clamped to 0xFFFFFFFF.
    std::vector<UCHAR> pmbr(ss, 0);
    UCHAR* e = pmbr.data() + kMbrEntriesOffset;
    e[1] = 0x00;
    e[2] = 0x02;
    e[3] = 0x00;
    e[4] = PARTITION_GPT;
    e[5] = e[6] = e[7] = 0xFF;
    store32(e + 8, 1);
    store32(e + 12, static_cast<ULONG>(std::min<ULONGLONG>(last, MAXULONG)));
    pmbr[510] = 0x55;
    pmbr[511] = 0xAA;

    // Backup first, so that a failure part-way leaves the primary, which readers try first, as it was.
    NTSTATUS status = write_sectors(disk, ss, backup_array_lba, array);
    if (NT_SUCCESS(status))
        status = write_sectors(disk, ss, last, encode_header(layout, geometry, last, 1, backup_array_lba, array_crc));
    if (NT_SUCCESS(status)) status = write_sectors(disk, ss, 2, array);
    if (NT_SUCCESS(status))
        status = write_sectors(disk, ss, 1, encode_header(layout, geometry, 1, last, 2, array_crc));
    if (NT_SUCCESS(status)) status = write_sectors(disk, ss, 0, pmbr);
    return status;
}

}  // namespace ntio::io::partition
