// What the partition routines learn first about a disk: its geometry, sector 0 and from it the
// partition style (MBR, GPT behind a protective MBR, or RAW without the 0x55AA boot signature).
#pragma once

#include "io/partition_gpt.hpp"
#include "io/partition_mbr.hpp"

namespace ntio::io::partition {

struct DiskProbe {
    DiskGeometry geometry;
    std::vector<UCHAR> sector0;
    PARTITION_STYLE style = PARTITION_STYLE_RAW;
};

// `sector_size` 0: the geometry's; else the caller's (the legacy routines take it as a parameter).
NTSTATUS probe_disk(PDEVICE_OBJECT disk, ULONG sector_size, DiskProbe* probe);

}  // namespace ntio::io::partition
