// Reading and writing MBR tables and the EBR chain. In sector 0 a slot's start is absolute; in an
// EBR the logical drive's start is relative to that EBR and the link to the next EBR is relative
// to the start of the primary extended partition (UEFI specification 2.10, section 5.2.1).
#include "io/partition_mbr.hpp"

namespace ntio::io::partition {
namespace {

// More EBRs than this is a loop in a corrupt chain, not a disk.
constexpr std::size_t kMaxTables = 128;

bool is_container(UCHAR type) { return IsContainerPartition(type); }

// CHS of `lba` for a disk of `spt` sectors per track and `heads` heads, clamped to 1023/254/63
// as tools do for disks past the CHS limit.
void encode_chs(UCHAR* out, ULONGLONG lba, ULONG spt, ULONG heads) {
    ULONGLONG c = 1023, h = 254, s = 63;
    if (spt && heads && spt <= 63 && heads <= 255) {
        c = lba / (static_cast<ULONGLONG>(spt) * heads);
        h = (lba / spt) % heads;
        s = lba % spt + 1;
        if (c > 1023) {
            c = 1023;
            h = heads - 1;
            s = spt;
        }
    }
    out[0] = static_cast<UCHAR>(h);
    out[1] = static_cast<UCHAR>((s & 0x3F) | ((c >> 2) & 0xC0));
    out[2] = static_cast<UCHAR>(c & 0xFF);
}

void parse_table(const std::vector<UCHAR>& sector, ULONGLONG table_lba, ULONGLONG extended_base, bool primary,
                 MbrTable* table) {
    table->lba = table_lba;
    for (int i = 0; i < 4; ++i) {
        const UCHAR* e = sector.data() + kMbrEntriesOffset + i * kMbrEntrySize;
        MbrSlot& slot = table->slots[i];
        slot.type = e[4];
        if (slot.type == PARTITION_ENTRY_UNUSED) continue;
        slot.boot = (e[0] & 0x80) != 0;
        slot.hidden_sectors = load32(e + 8);
        slot.sector_count = load32(e + 12);
        const ULONGLONG base = primary ? 0 : (is_container(slot.type) ? extended_base : table_lba);
        slot.start_lba = base + slot.hidden_sectors;
    }
}

}  // namespace

bool has_boot_signature(const std::vector<UCHAR>& sector) {
    return sector.size() >= 512 && sector[510] == 0x55 && sector[511] == 0xAA;
}

bool is_protective_mbr(const std::vector<UCHAR>& sector) {
    if (!has_boot_signature(sector)) return false;
    for (int i = 0; i < 4; ++i)
        if (sector[kMbrEntriesOffset + i * kMbrEntrySize + 4] == PARTITION_GPT) return true;
    return false;
}

ULONG mbr_checksum(const std::vector<UCHAR>& sector) {
    ULONG sum = 0;
    for (ULONG i = 0; i + 4 <= 512 && i + 4 <= sector.size(); i += 4) sum += load32(sector.data() + i);
    return 0u - sum;
}

NTSTATUS read_mbr_layout(PDEVICE_OBJECT disk, ULONG sector_size, const std::vector<UCHAR>& sector0, MbrLayout* layout) {
    layout->signature = load32(sector0.data() + kMbrSignatureOffset);
    layout->checksum = mbr_checksum(sector0);
    layout->tables.clear();
    MbrTable first;
    parse_table(sector0, 0, 0, true, &first);
    layout->tables.push_back(first);

    ULONGLONG extended_base = 0;
    std::vector<UCHAR> sector;
    for (;;) {
        const MbrTable& last = layout->tables.back();
        const MbrSlot* link = nullptr;
        for (const MbrSlot& slot : last.slots)
            if (is_container(slot.type)) {
                link = &slot;
                break;
            }
        if (!link || layout->tables.size() >= kMaxTables) break;
        if (layout->tables.size() == 1) extended_base = link->start_lba;
        const ULONGLONG next = link->start_lba;
        bool seen = false;
        for (const MbrTable& t : layout->tables) seen = seen || t.lba == next;
        if (seen) break;
        if (!NT_SUCCESS(read_sectors(disk, sector_size, next, 1, sector)) || !has_boot_signature(sector)) break;
        MbrTable table;
        parse_table(sector, next, extended_base, false, &table);
        layout->tables.push_back(table);
    }

    ULONG number = 0;
    for (MbrTable& table : layout->tables)
        for (MbrSlot& slot : table.slots)
            if (slot.type != PARTITION_ENTRY_UNUSED && !is_container(slot.type)) slot.partition_number = ++number;
    return STATUS_SUCCESS;
}

NTSTATUS write_mbr_layout(PDEVICE_OBJECT disk, ULONG sector_size, ULONGLONG disk_sectors, ULONG sectors_per_track,
                          ULONG heads, const MbrLayout& layout, const std::vector<UCHAR>& old_sector0,
                          bool only_rewrite) {
    if (layout.tables.empty() || layout.tables.size() > kMaxTables) return STATUS_INVALID_PARAMETER;
    // Encode every table first, so that a bad entry anywhere writes nothing.
    std::vector<std::vector<UCHAR>> sectors;
    std::vector<ULONGLONG> lbas;
    ULONGLONG table_lba = 0;
    ULONGLONG extended_base = 0;
    for (std::size_t t = 0; t < layout.tables.size(); ++t) {
        const MbrTable& table = layout.tables[t];
        std::vector<UCHAR> sector(sector_size, 0);
        if (t == 0) {
            if (old_sector0.size() >= kMbrSignatureOffset)
                std::memcpy(sector.data(), old_sector0.data(), kMbrSignatureOffset);
            store32(sector.data() + kMbrSignatureOffset, layout.signature);
        }
        const MbrSlot* link = nullptr;
        for (int i = 0; i < 4; ++i) {
            const MbrSlot& slot = table.slots[i];
            UCHAR* e = sector.data() + kMbrEntriesOffset + i * kMbrEntrySize;
            if (slot.type == PARTITION_ENTRY_UNUSED) continue;
            const bool container = is_container(slot.type);
            const ULONGLONG end = slot.start_lba + slot.sector_count;
            if (slot.sector_count == 0 || end > disk_sectors || end < slot.start_lba) return STATUS_INVALID_PARAMETER;
            if (container && !link) link = &slot;
            const ULONGLONG base = t == 0 ? 0 : (container ? extended_base : table_lba);
            if (slot.start_lba < base || slot.start_lba - base > MAXULONG || slot.sector_count > MAXULONG)
                return STATUS_INVALID_PARAMETER;
            e[0] = slot.boot ? 0x80 : 0x00;
            encode_chs(e + 1, slot.start_lba, sectors_per_track, heads);
            e[4] = slot.type;
            encode_chs(e + 5, end - 1, sectors_per_track, heads);
            store32(e + 8, static_cast<ULONG>(slot.start_lba - base));
            store32(e + 12, static_cast<ULONG>(slot.sector_count));
        }
        sector[510] = 0x55;
        sector[511] = 0xAA;
        sectors.push_back(std::move(sector));
        lbas.push_back(table_lba);
        if (t + 1 < layout.tables.size()) {
            // The next table lives where this table's container starts.
            if (!link || link->start_lba == 0) return STATUS_INVALID_PARAMETER;
            if (t == 0) extended_base = link->start_lba;
            table_lba = link->start_lba;
        }
    }
    for (std::size_t t = 0; t < sectors.size(); ++t) {
        bool rewrite = !only_rewrite;
        for (const MbrSlot& slot : layout.tables[t].slots) rewrite = rewrite || slot.rewrite;
        if (!rewrite) continue;
        const NTSTATUS status = write_sectors(disk, sector_size, lbas[t], sectors[t]);
        if (!NT_SUCCESS(status)) return status;
    }
    return STATUS_SUCCESS;
}

bool mbr_layout_consistent(const MbrLayout& layout, ULONGLONG disk_sectors) {
    std::vector<std::pair<ULONGLONG, ULONGLONG>> volumes;
    ULONGLONG ext_start = 0, ext_end = 0;
    for (std::size_t t = 0; t < layout.tables.size(); ++t) {
        for (const MbrSlot& slot : layout.tables[t].slots) {
            if (slot.type == PARTITION_ENTRY_UNUSED) continue;
            const ULONGLONG end = slot.start_lba + slot.sector_count;
            if (end > disk_sectors) return false;
            if (t == 0 && is_container(slot.type)) {
                ext_start = slot.start_lba;
                ext_end = end;
            }
            if (t > 0 && (slot.start_lba < ext_start || end > ext_end)) return false;
            if (!is_container(slot.type)) volumes.emplace_back(slot.start_lba, end);
        }
    }
    std::sort(volumes.begin(), volumes.end());
    for (std::size_t i = 1; i < volumes.size(); ++i)
        if (volumes[i].first < volumes[i - 1].second) return false;
    return true;
}

}  // namespace ntio::io::partition
