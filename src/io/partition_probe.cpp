// Probing a disk for the partition routines: geometry, then sector 0 and its style.
#include "io/partition_probe.hpp"

namespace ntio::io::partition {

NTSTATUS probe_disk(PDEVICE_OBJECT disk, ULONG sector_size, DiskProbe* probe) {
    NTSTATUS status = query_geometry(disk, &probe->geometry);
    if (!NT_SUCCESS(status)) return status;
    if (sector_size != 0) {
        // The legacy routines address the disk in the caller's sector size, at least 512 bytes.
        const ULONGLONG bytes = probe->geometry.sector_count * probe->geometry.sector_size;
        probe->geometry.sector_size = std::max<ULONG>(sector_size, 512);
        probe->geometry.sector_count = bytes / probe->geometry.sector_size;
    }
    if (probe->geometry.sector_count == 0) return STATUS_INVALID_PARAMETER;
    status = read_sectors(disk, probe->geometry.sector_size, 0, 1, probe->sector0);
    if (!NT_SUCCESS(status)) return status;
    if (is_protective_mbr(probe->sector0))
        probe->style = PARTITION_STYLE_GPT;
    else if (has_boot_signature(probe->sector0))
        probe->style = PARTITION_STYLE_MBR;
    else
        probe->style = PARTITION_STYLE_RAW;
    return STATUS_SUCCESS;
}

}  // namespace ntio::io::partition
