// The HAL's disk routines (ntddk.h): HalExamineMBR, and the dispatch table's partition entries,
// which Windows' HAL hands to the I/O manager's IoReadPartitionTable, IoSetPartitionInformation and
// IoWritePartitionTable; so does ntio. HalIoAssignDriveLetters works from the boot loader's block,
// which no ntio system has.
#include <algorithm>
#include <cstring>
#include <vector>

#include "io/hal_routines.hpp"
#include "io/partition_disk.hpp"
#include "verifier/verifier.hpp"

namespace {

constexpr ULONG kMinimumSector = 512;
constexpr ULONG kFirstEntryType = 0x1BE + 4;  // the system id byte of the first partition entry
constexpr ULONG kSignatureOffset = 0x1FE;

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halexaminembr
// Reads sector 0 (at least SectorSize bytes, raised to the disk's sector size) and returns it when
// it carries the boot signature and its first partition entry is of type MBRTypeIdentifier; else
// *Buffer is NULL. The buffer is nonpaged pool; the caller frees it with ExFreePool.
NTKERNELAPI VOID FASTCALL HalExamineMBR(PDEVICE_OBJECT DeviceObject, ULONG SectorSize, ULONG MBRTypeIdentifier,
                                        PVOID* Buffer) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!Buffer) return;
    *Buffer = nullptr;
    if (!DeviceObject) return;
    ntio::io::partition::DiskGeometry geometry;
    if (!NT_SUCCESS(ntio::io::partition::query_geometry(DeviceObject, &geometry))) return;
    ULONG size = std::max({SectorSize, geometry.sector_size, kMinimumSector});
    // A size that is not a whole number of the disk's sectors reads the sectors that cover it.
    if (geometry.sector_size && size % geometry.sector_size) size += geometry.sector_size - size % geometry.sector_size;
    std::vector<UCHAR> sector;
    const ULONG unit = geometry.sector_size ? geometry.sector_size : kMinimumSector;
    if (!NT_SUCCESS(ntio::io::partition::read_sectors(DeviceObject, unit, 0, size / unit, sector))) return;
    if (sector.size() < kMinimumSector || sector[kSignatureOffset] != 0x55 || sector[kSignatureOffset + 1] != 0xAA)
        return;
    if (sector[kFirstEntryType] != MBRTypeIdentifier) return;
    void* copy = ExAllocatePoolWithTag(NonPagedPoolNx, sector.size(), ntio::io::partition::kLayoutTag);
    if (!copy) return;
    std::memcpy(copy, sector.data(), sector.size());
    *Buffer = copy;
}

}  // extern "C"

namespace ntio::io::hal {

VOID FASTCALL examine_mbr(PDEVICE_OBJECT DeviceObject, ULONG SectorSize, ULONG MBRTypeIdentifier, PVOID* Buffer) {
    HalExamineMBR(DeviceObject, SectorSize, MBRTypeIdentifier, Buffer);
}

// The boot loader's block names the boot device and the ARC names to turn into drive letters; ntio
// starts without a loader, so no LoaderBlock can be valid and no letter is assigned. The system path
// out parameters are left as they were.
VOID FASTCALL assign_drive_letters(struct _LOADER_PARAMETER_BLOCK* LoaderBlock, PSTRING NtDeviceName,
                                   PUCHAR NtSystemPath, PSTRING NtSystemPathString) {
    (void)LoaderBlock, (void)NtDeviceName, (void)NtSystemPath, (void)NtSystemPathString;
}

NTSTATUS FASTCALL read_partition_table(PDEVICE_OBJECT DeviceObject, ULONG SectorSize,
                                       BOOLEAN ReturnRecognizedPartitions, PDRIVE_LAYOUT_INFORMATION* PartitionBuffer) {
    return IoReadPartitionTable(DeviceObject, SectorSize, ReturnRecognizedPartitions, PartitionBuffer);
}

NTSTATUS FASTCALL set_partition_information(PDEVICE_OBJECT DeviceObject, ULONG SectorSize, ULONG PartitionNumber,
                                            ULONG PartitionType) {
    return IoSetPartitionInformation(DeviceObject, SectorSize, PartitionNumber, PartitionType);
}

NTSTATUS FASTCALL write_partition_table(PDEVICE_OBJECT DeviceObject, ULONG SectorSize, ULONG SectorsPerTrack,
                                        ULONG NumberOfHeads, PDRIVE_LAYOUT_INFORMATION PartitionBuffer) {
    return IoWritePartitionTable(DeviceObject, SectorSize, SectorsPerTrack, NumberOfHeads, PartitionBuffer);
}

}  // namespace ntio::io::hal
