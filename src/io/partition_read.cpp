// The partition routines that read: IoReadPartitionTable (MBR only, the legacy layout),
// IoReadPartitionTableEx (MBR, GPT or RAW), IoReadDiskSignature and IoVerifyPartitionTable. The
// layouts they return come from nonpaged pool; the caller frees them with ExFreePool.
#include "io/partition_probe.hpp"

using namespace ntio::io::partition;

namespace {

template <typename T>
T* allocate_layout(ULONG count, std::size_t header, std::size_t entry) {
    const std::size_t bytes = header + std::max<ULONG>(count, 1) * entry;
    void* p = ExAllocatePoolWithTag(NonPagedPoolNx, bytes, kLayoutTag);
    if (p) std::memset(p, 0, bytes);
    return static_cast<T*>(p);
}

void fill_mbr_entry(const MbrSlot& slot, ULONG ss, PARTITION_INFORMATION_EX* out) {
    out->PartitionStyle = PARTITION_STYLE_MBR;
    if (slot.type == PARTITION_ENTRY_UNUSED) return;
    out->StartingOffset.QuadPart = static_cast<LONGLONG>(slot.start_lba * ss);
    out->PartitionLength.QuadPart = static_cast<LONGLONG>(slot.sector_count * ss);
    out->PartitionNumber = slot.partition_number;
    out->Mbr.PartitionType = slot.type;
    out->Mbr.BootIndicator = slot.boot;
    out->Mbr.RecognizedPartition = IsRecognizedPartition(slot.type) ? TRUE : FALSE;
    out->Mbr.HiddenSectors = slot.hidden_sectors;
}

NTSTATUS read_ex(PDEVICE_OBJECT disk, PDRIVE_LAYOUT_INFORMATION_EX* result) {
    DiskProbe probe;
    NTSTATUS status = probe_disk(disk, 0, &probe);
    if (!NT_SUCCESS(status)) return status;
    const ULONG ss = probe.geometry.sector_size;
    const std::size_t header = FIELD_OFFSET(DRIVE_LAYOUT_INFORMATION_EX, PartitionEntry);
    if (probe.style == PARTITION_STYLE_GPT) {
        GptLayout gpt;
        status = read_gpt_layout(disk, probe.geometry, &gpt);
        if (!NT_SUCCESS(status)) return status;
        ULONG used = 0;
        for (const GptEntry& e : gpt.entries) used += e.used() ? 1 : 0;
        auto* layout = allocate_layout<DRIVE_LAYOUT_INFORMATION_EX>(used, header, sizeof(PARTITION_INFORMATION_EX));
        if (!layout) return STATUS_INSUFFICIENT_RESOURCES;
        layout->PartitionStyle = PARTITION_STYLE_GPT;
        layout->PartitionCount = used;
        layout->Gpt.DiskId = gpt.disk_id;
        layout->Gpt.StartingUsableOffset.QuadPart = static_cast<LONGLONG>(gpt.first_usable * ss);
        layout->Gpt.UsableLength.QuadPart = static_cast<LONGLONG>((gpt.last_usable - gpt.first_usable + 1) * ss);
        layout->Gpt.MaxPartitionCount = gpt.entry_count;
        ULONG n = 0;
        for (const GptEntry& e : gpt.entries) {
            if (!e.used()) continue;
            PARTITION_INFORMATION_EX& p = layout->PartitionEntry[n];
            p.PartitionStyle = PARTITION_STYLE_GPT;
            p.StartingOffset.QuadPart = static_cast<LONGLONG>(e.first_lba * ss);
            p.PartitionLength.QuadPart =
                e.last_lba >= e.first_lba ? static_cast<LONGLONG>((e.last_lba - e.first_lba + 1) * ss) : 0;
            p.PartitionNumber = ++n;
            p.Gpt.PartitionType = e.type;
            p.Gpt.PartitionId = e.id;
            p.Gpt.Attributes = e.attributes;
            std::memcpy(p.Gpt.Name, e.name, sizeof(p.Gpt.Name));
        }
        *result = layout;
        return STATUS_SUCCESS;
    }
    if (probe.style == PARTITION_STYLE_MBR) {
        MbrLayout mbr;
        status = read_mbr_layout(disk, ss, probe.sector0, &mbr);
        if (!NT_SUCCESS(status)) return status;
        const ULONG count = static_cast<ULONG>(mbr.tables.size() * 4);
        auto* layout = allocate_layout<DRIVE_LAYOUT_INFORMATION_EX>(count, header, sizeof(PARTITION_INFORMATION_EX));
        if (!layout) return STATUS_INSUFFICIENT_RESOURCES;
        layout->PartitionStyle = PARTITION_STYLE_MBR;
        layout->PartitionCount = count;
        layout->Mbr.Signature = mbr.signature;
        layout->Mbr.CheckSum = mbr.checksum;
        ULONG n = 0;
        for (const MbrTable& table : mbr.tables)
            for (const MbrSlot& slot : table.slots) fill_mbr_entry(slot, ss, &layout->PartitionEntry[n++]);
        *result = layout;
        return STATUS_SUCCESS;
    }
    // No boot signature: a disk never partitioned (or foreign), reported as RAW with no entries.
    auto* layout = allocate_layout<DRIVE_LAYOUT_INFORMATION_EX>(0, header, sizeof(PARTITION_INFORMATION_EX));
    if (!layout) return STATUS_INSUFFICIENT_RESOURCES;
    layout->PartitionStyle = PARTITION_STYLE_RAW;
    *result = layout;
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioreadpartitiontable
// Every slot of every table (four per table, sector 0's first, then each EBR of the extended
// chain), or with ReturnRecognizedPartitions only the used, non-container slots of a recognized
// type. A disk without the boot signature has no partitions (PartitionCount 0). PASSIVE_LEVEL.
// NT deviation: removable media without a partition table are not reported as one partition
// covering the medium (the "super floppy" case); the RAM disk is fixed media.
NTKERNELAPI NTSTATUS FASTCALL IoReadPartitionTable(PDEVICE_OBJECT DeviceObject, ULONG SectorSize,
                                                   BOOLEAN ReturnRecognizedPartitions,
                                                   struct _DRIVE_LAYOUT_INFORMATION** PartitionBuffer) {
    if (!PartitionBuffer) return STATUS_INVALID_PARAMETER;
    *PartitionBuffer = nullptr;
    if (!DeviceObject) return STATUS_INVALID_PARAMETER;
    DiskProbe probe;
    NTSTATUS status = probe_disk(DeviceObject, SectorSize, &probe);
    if (!NT_SUCCESS(status)) return status;
    const ULONG ss = probe.geometry.sector_size;
    MbrLayout mbr;
    if (probe.style != PARTITION_STYLE_RAW) {
        status = read_mbr_layout(DeviceObject, ss, probe.sector0, &mbr);
        if (!NT_SUCCESS(status)) return status;
    }
    std::vector<const MbrSlot*> slots;
    for (const MbrTable& table : mbr.tables)
        for (const MbrSlot& slot : table.slots) {
            const bool wanted = !ReturnRecognizedPartitions ||
                                (slot.partition_number != 0 && IsRecognizedPartition(slot.type));
            if (wanted) slots.push_back(&slot);
        }
    const ULONG count = static_cast<ULONG>(slots.size());
    auto* layout = allocate_layout<DRIVE_LAYOUT_INFORMATION>(count, FIELD_OFFSET(DRIVE_LAYOUT_INFORMATION, PartitionEntry),
                                                             sizeof(PARTITION_INFORMATION));
    if (!layout) return STATUS_INSUFFICIENT_RESOURCES;
    layout->PartitionCount = count;
    layout->Signature = mbr.signature;
    for (ULONG i = 0; i < count; ++i) {
        const MbrSlot& slot = *slots[i];
        PARTITION_INFORMATION& p = layout->PartitionEntry[i];
        if (slot.type == PARTITION_ENTRY_UNUSED) continue;
        p.StartingOffset.QuadPart = static_cast<LONGLONG>(slot.start_lba * ss);
        p.PartitionLength.QuadPart = static_cast<LONGLONG>(slot.sector_count * ss);
        p.HiddenSectors = slot.hidden_sectors;
        p.PartitionNumber = slot.partition_number;
        p.PartitionType = slot.type;
        p.BootIndicator = slot.boot;
        p.RecognizedPartition = IsRecognizedPartition(slot.type) ? TRUE : FALSE;
    }
    *PartitionBuffer = layout;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioreadpartitiontableex
// MBR: every slot of every table as above, with the disk signature and MBR checksum. GPT: the used
// entries of the primary array, or of the backup one when the primary header or array fails its
// CRC32; STATUS_DISK_CORRUPT_ERROR when both do. No boot signature: PARTITION_STYLE_RAW, no
// entries, STATUS_SUCCESS. PASSIVE_LEVEL.
NTKERNELAPI NTSTATUS NTAPI IoReadPartitionTableEx(PDEVICE_OBJECT DeviceObject,
                                                  struct _DRIVE_LAYOUT_INFORMATION_EX** DriveLayout) {
    if (!DriveLayout) return STATUS_INVALID_PARAMETER;
    *DriveLayout = nullptr;
    if (!DeviceObject) return STATUS_INVALID_PARAMETER;
    return read_ex(DeviceObject, DriveLayout);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioreaddisksignature
// MBR: the signature at offset 440 and the checksum that makes the 128 ULONGs of the first 512
// bytes sum to zero. GPT: the disk GUID of a valid header. STATUS_DISK_CORRUPT_ERROR without the
// boot signature or without a valid GPT header. PASSIVE_LEVEL.
NTKERNELAPI NTSTATUS NTAPI IoReadDiskSignature(PDEVICE_OBJECT DeviceObject, ULONG BytesPerSector,
                                               PDISK_SIGNATURE Signature) {
    if (!DeviceObject || !Signature) return STATUS_INVALID_PARAMETER;
    DiskProbe probe;
    NTSTATUS status = probe_disk(DeviceObject, BytesPerSector, &probe);
    if (!NT_SUCCESS(status)) return status;
    if (probe.style == PARTITION_STYLE_RAW) return STATUS_DISK_CORRUPT_ERROR;
    if (probe.style == PARTITION_STYLE_GPT) {
        GptLayout gpt;
        status = read_gpt_layout(DeviceObject, probe.geometry, &gpt);
        if (!NT_SUCCESS(status)) return STATUS_DISK_CORRUPT_ERROR;
        Signature->PartitionStyle = PARTITION_STYLE_GPT;
        Signature->Gpt.DiskId = gpt.disk_id;
        return STATUS_SUCCESS;
    }
    Signature->PartitionStyle = PARTITION_STYLE_MBR;
    Signature->Mbr.Signature = load32(probe.sector0.data() + kMbrSignatureOffset);
    Signature->Mbr.CheckSum = mbr_checksum(probe.sector0);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioverifypartitiontable
// GPT: both copies must be valid; with FixErrors the bad copy is rewritten from the good one.
// MBR: no slot past the end of the disk, no overlapping volumes, logical drives inside the
// extended partition (nothing there is fixable). Errors left: STATUS_DISK_CORRUPT_ERROR. A disk
// without a table has nothing to verify: STATUS_SUCCESS. PASSIVE_LEVEL.
NTKERNELAPI NTSTATUS NTAPI IoVerifyPartitionTable(PDEVICE_OBJECT DeviceObject, BOOLEAN FixErrors) {
    if (!DeviceObject) return STATUS_INVALID_PARAMETER;
    DiskProbe probe;
    NTSTATUS status = probe_disk(DeviceObject, 0, &probe);
    if (!NT_SUCCESS(status)) return status;
    if (probe.style == PARTITION_STYLE_RAW) return STATUS_SUCCESS;
    if (probe.style == PARTITION_STYLE_MBR) {
        MbrLayout mbr;
        status = read_mbr_layout(DeviceObject, probe.geometry.sector_size, probe.sector0, &mbr);
        if (!NT_SUCCESS(status)) return status;
        return mbr_layout_consistent(mbr, probe.geometry.sector_count) ? STATUS_SUCCESS : STATUS_DISK_CORRUPT_ERROR;
    }
    GptLayout gpt;
    status = read_gpt_layout(DeviceObject, probe.geometry, &gpt);
    if (!NT_SUCCESS(status)) return STATUS_DISK_CORRUPT_ERROR;
    if (gpt.primary_valid && gpt.backup_valid) return STATUS_SUCCESS;
    if (!FixErrors) return STATUS_DISK_CORRUPT_ERROR;
    // The good copy's table rewritten in both places (the backup where the geometry puts it).
    ULONGLONG first = 0, last = 0;
    if (!gpt_bounds(probe.geometry, gpt.entry_count, &first, &last) || gpt.first_usable < first ||
        gpt.last_usable > last)
        return STATUS_DISK_CORRUPT_ERROR;
    status = write_gpt_layout(DeviceObject, probe.geometry, gpt);
    return NT_SUCCESS(status) ? STATUS_SUCCESS : status;
}

}  // extern "C"
