// The partition routines that write: IoWritePartitionTable(Ex), IoSetPartitionInformation(Ex) and
// IoCreateDisk. Each reads what it needs of the disk first and encodes every sector before writing
// any, so that bad input leaves the disk as it was.
#include "io/partition_probe.hpp"

using namespace ntio::io::partition;

namespace {

// Upper bound of the MBR tables a layout may describe (sector 0 and 127 EBRs).
constexpr ULONG kMaxMbrEntries = 4 * 128;

// A byte offset and length in whole sectors; false when either is off a sector boundary.
bool to_sectors(LONGLONG offset, LONGLONG length, ULONG ss, ULONGLONG* lba, ULONGLONG* count) {
    if (offset < 0 || length < 0 || offset % ss != 0 || length % ss != 0) return false;
    *lba = static_cast<ULONGLONG>(offset) / ss;
    *count = static_cast<ULONGLONG>(length) / ss;
    return true;
}

struct MbrInput {
    UCHAR type;
    BOOLEAN boot;
    BOOLEAN rewrite;
    LONGLONG offset;
    LONGLONG length;
};

NTSTATUS build_mbr(const std::vector<MbrInput>& input, ULONG signature, ULONG ss, MbrLayout* layout) {
    if (input.empty() || input.size() % 4 != 0 || input.size() > kMaxMbrEntries) return STATUS_INVALID_PARAMETER;
    layout->signature = signature;
    layout->tables.assign(input.size() / 4, MbrTable{});
    for (std::size_t i = 0; i < input.size(); ++i) {
        MbrSlot& slot = layout->tables[i / 4].slots[i % 4];
        slot.rewrite = input[i].rewrite != FALSE;
        slot.type = input[i].type;
        if (slot.type == PARTITION_ENTRY_UNUSED) continue;
        slot.boot = input[i].boot != FALSE;
        if (!to_sectors(input[i].offset, input[i].length, ss, &slot.start_lba, &slot.sector_count))
            return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

// The slot numbered `number` (as the Read routines number them), or null.
MbrSlot* find_slot(MbrLayout& layout, ULONG number, std::size_t* table_index) {
    for (std::size_t t = 0; t < layout.tables.size(); ++t)
        for (MbrSlot& slot : layout.tables[t].slots)
            if (number != 0 && slot.partition_number == number) {
                *table_index = t;
                return &slot;
            }
    return nullptr;
}

// Rewrites the one table sector that holds partition `number` with its type byte set to `type`.
NTSTATUS set_mbr_type(PDEVICE_OBJECT disk, const DiskProbe& probe, ULONG number, UCHAR type) {
    MbrLayout layout;
    NTSTATUS status = read_mbr_layout(disk, probe.geometry.sector_size, probe.sector0, &layout);
    if (!NT_SUCCESS(status)) return status;
    std::size_t t = 0;
    MbrSlot* slot = find_slot(layout, number, &t);
    if (!slot) return STATUS_INVALID_PARAMETER;
    std::vector<UCHAR> sector;
    status = read_sectors(disk, probe.geometry.sector_size, layout.tables[t].lba, 1, sector);
    if (!NT_SUCCESS(status)) return status;
    const auto index = static_cast<ULONG>(slot - layout.tables[t].slots);
    sector[kMbrEntriesOffset + index * kMbrEntrySize + 4] = type;
    return write_sectors(disk, probe.geometry.sector_size, layout.tables[t].lba, sector);
}

NTSTATUS write_gpt_ex(PDEVICE_OBJECT disk, const DiskProbe& probe, const DRIVE_LAYOUT_INFORMATION_EX* in) {
    const ULONG ss = probe.geometry.sector_size;
    GptLayout gpt;
    gpt.disk_id = in->Gpt.DiskId;
    gpt.entry_count = std::max(in->Gpt.MaxPartitionCount, kGptMinEntries);
    if (gpt.entry_count > kGptMaxEntries || in->PartitionCount > gpt.entry_count) return STATUS_INVALID_PARAMETER;
    if (!gpt_bounds(probe.geometry, gpt.entry_count, &gpt.first_usable, &gpt.last_usable))
        return STATUS_INVALID_PARAMETER;
    std::vector<std::pair<ULONGLONG, ULONGLONG>> extents;
    for (ULONG i = 0; i < in->PartitionCount; ++i) {
        const PARTITION_INFORMATION_EX& p = in->PartitionEntry[i];
        if (p.PartitionStyle != PARTITION_STYLE_GPT) return STATUS_INVALID_PARAMETER;
        GptEntry entry;
        entry.type = p.Gpt.PartitionType;
        if (!entry.used()) continue;
        ULONGLONG lba = 0, count = 0;
        if (!to_sectors(p.StartingOffset.QuadPart, p.PartitionLength.QuadPart, ss, &lba, &count) || count == 0 ||
            lba < gpt.first_usable || lba + count - 1 > gpt.last_usable)
            return STATUS_INVALID_PARAMETER;
        entry.id = p.Gpt.PartitionId;
        entry.first_lba = lba;
        entry.last_lba = lba + count - 1;
        entry.attributes = p.Gpt.Attributes;
        std::memcpy(entry.name, p.Gpt.Name, sizeof(entry.name));
        gpt.entries.push_back(entry);
        extents.emplace_back(lba, lba + count);
    }
    std::sort(extents.begin(), extents.end());
    for (std::size_t i = 1; i < extents.size(); ++i)
        if (extents[i].first < extents[i - 1].second) return STATUS_INVALID_PARAMETER;
    return write_gpt_layout(disk, probe.geometry, gpt);
}

// Sector 0 and, when they hold a GPT header, LBA 1 and the last LBA, zeroed: the disk reads as RAW.
NTSTATUS wipe_tables(PDEVICE_OBJECT disk, const DiskProbe& probe) {
    const ULONG ss = probe.geometry.sector_size;
    const std::vector<UCHAR> zero(ss, 0);
    std::vector<UCHAR> sector;
    for (ULONGLONG lba : {ULONGLONG{1}, probe.geometry.sector_count - 1}) {
        if (lba == 0 || lba >= probe.geometry.sector_count) continue;
        if (NT_SUCCESS(read_sectors(disk, ss, lba, 1, sector)) && std::memcmp(sector.data(), "EFI PART", 8) == 0) {
            const NTSTATUS status = write_sectors(disk, ss, lba, zero);
            if (!NT_SUCCESS(status)) return status;
        }
    }
    return write_sectors(disk, ss, 0, zero);
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iowritepartitiontable
// PartitionBuffer as IoReadPartitionTable(FALSE) returns it: four entries per table, sector 0's
// first, each later table in the EBR that the previous table's container entry points at. A table
// is written when one of its entries has RewritePartition; the disk signature goes with sector 0.
// Sector 0 without the boot signature: STATUS_UNSUCCESSFUL; geometry not readable:
// STATUS_DEVICE_NOT_READY; entries off sector boundaries or past the disk, a PartitionCount that
// is not 4 to 512 in fours: STATUS_INVALID_PARAMETER. PASSIVE_LEVEL.
NTKERNELAPI NTSTATUS FASTCALL IoWritePartitionTable(PDEVICE_OBJECT DeviceObject, ULONG SectorSize,
                                                    ULONG SectorsPerTrack, ULONG NumberOfHeads,
                                                    struct _DRIVE_LAYOUT_INFORMATION* PartitionBuffer) {
    if (!DeviceObject || !PartitionBuffer) return STATUS_INVALID_PARAMETER;
    DiskProbe probe;
    NTSTATUS status = probe_disk(DeviceObject, SectorSize, &probe);
    if (status == STATUS_INVALID_DEVICE_REQUEST) return STATUS_DEVICE_NOT_READY;
    if (!NT_SUCCESS(status)) return status;
    if (probe.style == PARTITION_STYLE_RAW) return STATUS_UNSUCCESSFUL;
    if (PartitionBuffer->PartitionCount > kMaxMbrEntries) return STATUS_INVALID_PARAMETER;
    std::vector<MbrInput> input;
    for (ULONG i = 0; i < PartitionBuffer->PartitionCount; ++i) {
        const PARTITION_INFORMATION& p = PartitionBuffer->PartitionEntry[i];
        input.push_back({p.PartitionType, p.BootIndicator, p.RewritePartition, p.StartingOffset.QuadPart,
                         p.PartitionLength.QuadPart});
    }
    MbrLayout layout;
    status = build_mbr(input, PartitionBuffer->Signature, probe.geometry.sector_size, &layout);
    if (!NT_SUCCESS(status)) return status;
    // The signature lives in sector 0: it is rewritten with the primary table only.
    return write_mbr_layout(DeviceObject, probe.geometry.sector_size, probe.geometry.sector_count, SectorsPerTrack,
                            NumberOfHeads, layout, probe.sector0, true);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iowritepartitiontableex
// MBR: as IoWritePartitionTable, every table written, CHS values for 255 heads and 63 sectors per
// track. GPT: the used entries (a PartitionType other than PARTITION_ENTRY_UNUSED_GUID) in the
// array slots in order, both copies and the protective MBR written; MaxPartitionCount below 128
// becomes 128; entries outside the usable area, overlapping, or more than MaxPartitionCount:
// STATUS_INVALID_PARAMETER. PASSIVE_LEVEL.
NTKERNELAPI NTSTATUS NTAPI IoWritePartitionTableEx(PDEVICE_OBJECT DeviceObject,
                                                   struct _DRIVE_LAYOUT_INFORMATION_EX* DriveLayout) {
    if (!DeviceObject || !DriveLayout) return STATUS_INVALID_PARAMETER;
    if (DriveLayout->PartitionStyle != PARTITION_STYLE_MBR && DriveLayout->PartitionStyle != PARTITION_STYLE_GPT)
        return STATUS_INVALID_PARAMETER;
    if (DriveLayout->PartitionCount > std::max(kMaxMbrEntries, kGptMaxEntries)) return STATUS_INVALID_PARAMETER;
    DiskProbe probe;
    NTSTATUS status = probe_disk(DeviceObject, 0, &probe);
    if (!NT_SUCCESS(status)) return status;
    if (DriveLayout->PartitionStyle == PARTITION_STYLE_GPT) return write_gpt_ex(DeviceObject, probe, DriveLayout);
    std::vector<MbrInput> input;
    for (ULONG i = 0; i < DriveLayout->PartitionCount; ++i) {
        const PARTITION_INFORMATION_EX& p = DriveLayout->PartitionEntry[i];
        if (p.PartitionStyle != PARTITION_STYLE_MBR) return STATUS_INVALID_PARAMETER;
        input.push_back({p.Mbr.PartitionType, p.Mbr.BootIndicator, TRUE, p.StartingOffset.QuadPart,
                         p.PartitionLength.QuadPart});
    }
    MbrLayout layout;
    status = build_mbr(input, DriveLayout->Mbr.Signature, probe.geometry.sector_size, &layout);
    if (!NT_SUCCESS(status)) return status;
    // A protective MBR's boot code is not this disk's any more; an MBR keeps its own.
    const std::vector<UCHAR> keep = probe.style == PARTITION_STYLE_MBR ? probe.sector0 : std::vector<UCHAR>{};
    return write_mbr_layout(DeviceObject, probe.geometry.sector_size, probe.geometry.sector_count, 63, 255, layout,
                            keep, false);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iosetpartitioninformation
// The type byte of partition PartitionNumber (numbered as IoReadPartitionTable numbers them: the
// used, non-container entries in table order, from 1), in the one table sector that holds it.
// No such partition, or a type above 0xFF: STATUS_INVALID_PARAMETER. PASSIVE_LEVEL.
NTKERNELAPI NTSTATUS FASTCALL IoSetPartitionInformation(PDEVICE_OBJECT DeviceObject, ULONG SectorSize,
                                                        ULONG PartitionNumber, ULONG PartitionType) {
    if (!DeviceObject || PartitionType > 0xFF || PartitionNumber == 0) return STATUS_INVALID_PARAMETER;
    DiskProbe probe;
    NTSTATUS status = probe_disk(DeviceObject, SectorSize, &probe);
    if (!NT_SUCCESS(status)) return status;
    if (probe.style == PARTITION_STYLE_RAW) return STATUS_INVALID_PARAMETER;
    return set_mbr_type(DeviceObject, probe, PartitionNumber, static_cast<UCHAR>(PartitionType));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iosetpartitioninformationex
// MBR: the type byte, as IoSetPartitionInformation. GPT: the type, id, attributes and name of the
// PartitionNumber-th used entry, both copies rewritten. A style other than the disk's, or no such
// partition: STATUS_INVALID_PARAMETER. PASSIVE_LEVEL.
NTKERNELAPI NTSTATUS NTAPI IoSetPartitionInformationEx(PDEVICE_OBJECT DeviceObject, ULONG PartitionNumber,
                                                       struct _SET_PARTITION_INFORMATION_EX* PartitionInfo) {
    if (!DeviceObject || !PartitionInfo || PartitionNumber == 0) return STATUS_INVALID_PARAMETER;
    DiskProbe probe;
    NTSTATUS status = probe_disk(DeviceObject, 0, &probe);
    if (!NT_SUCCESS(status)) return status;
    if (probe.style == PARTITION_STYLE_RAW || static_cast<int>(probe.style) != PartitionInfo->PartitionStyle)
        return STATUS_INVALID_PARAMETER;
    if (probe.style == PARTITION_STYLE_MBR)
        return set_mbr_type(DeviceObject, probe, PartitionNumber, PartitionInfo->Mbr.PartitionType);
    GptLayout gpt;
    status = read_gpt_layout(DeviceObject, probe.geometry, &gpt);
    if (!NT_SUCCESS(status)) return status;
    ULONG n = 0;
    for (GptEntry& entry : gpt.entries) {
        if (!entry.used() || ++n != PartitionNumber) continue;
        GptEntry updated = entry;
        updated.type = PartitionInfo->Gpt.PartitionType;
        if (!updated.used()) return STATUS_INVALID_PARAMETER;
        updated.id = PartitionInfo->Gpt.PartitionId;
        updated.attributes = PartitionInfo->Gpt.Attributes;
        std::memcpy(updated.name, PartitionInfo->Gpt.Name, sizeof(updated.name));
        entry = updated;
        return write_gpt_layout(DeviceObject, probe.geometry, gpt);
    }
    return STATUS_INVALID_PARAMETER;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iocreatedisk
// MBR: sector 0 with the signature, no partitions and the boot signature. GPT: the protective MBR,
// an empty array of MaxPartitionCount entries (at least 128) after the primary header, and the
// backup array and header at the end of the disk, with DiskId. NULL (or PARTITION_STYLE_RAW):
// the table is deleted, sector 0 and the GPT headers zeroed. A disk too small for the GPT, or
// another style: STATUS_INVALID_PARAMETER. PASSIVE_LEVEL.
NTKERNELAPI NTSTATUS NTAPI IoCreateDisk(PDEVICE_OBJECT DeviceObject, struct _CREATE_DISK* Disk) {
    if (!DeviceObject) return STATUS_INVALID_PARAMETER;
    DiskProbe probe;
    NTSTATUS status = probe_disk(DeviceObject, 0, &probe);
    if (!NT_SUCCESS(status)) return status;
    if (!Disk || Disk->PartitionStyle == PARTITION_STYLE_RAW) return wipe_tables(DeviceObject, probe);
    if (Disk->PartitionStyle == PARTITION_STYLE_MBR) {
        status = wipe_tables(DeviceObject, probe);
        if (!NT_SUCCESS(status)) return status;
        MbrLayout layout;
        layout.signature = Disk->Mbr.Signature;
        layout.tables.resize(1);
        return write_mbr_layout(DeviceObject, probe.geometry.sector_size, probe.geometry.sector_count, 63, 255,
                                layout, {}, false);
    }
    if (Disk->PartitionStyle != PARTITION_STYLE_GPT) return STATUS_INVALID_PARAMETER;
    GptLayout gpt;
    gpt.disk_id = Disk->Gpt.DiskId;
    gpt.entry_count = std::max(Disk->Gpt.MaxPartitionCount, kGptMinEntries);
    if (gpt.entry_count > kGptMaxEntries ||
        !gpt_bounds(probe.geometry, gpt.entry_count, &gpt.first_usable, &gpt.last_usable))
        return STATUS_INVALID_PARAMETER;
    return write_gpt_layout(DeviceObject, probe.geometry, gpt);
}

}  // extern "C"
