// Sector access for the partition table routines: the disk's geometry and synchronous reads and
// writes of whole sectors, each an IRP sent to the disk's device object and waited for, as the
// routines' Learn pages describe (they run at PASSIVE_LEVEL in the caller's thread).
#pragma once

#include "io/ddk.hpp"

namespace ntio::io::partition {

struct DiskGeometry {
    ULONG sector_size = 0;
    ULONGLONG sector_count = 0;
};

// IOCTL_DISK_GET_DRIVE_GEOMETRY_EX, or IOCTL_DISK_GET_DRIVE_GEOMETRY when the disk lacks the first.
NTSTATUS query_geometry(PDEVICE_OBJECT disk, DiskGeometry* geometry);

// `count` sectors of `sector_size` bytes from `lba` into `out` (resized to fit).
NTSTATUS read_sectors(PDEVICE_OBJECT disk, ULONG sector_size, ULONGLONG lba, ULONG count, std::vector<UCHAR>& out);
// `data` (a whole number of sectors) at `lba`.
NTSTATUS write_sectors(PDEVICE_OBJECT disk, ULONG sector_size, ULONGLONG lba, const std::vector<UCHAR>& data);

// Little-endian fields of on-disk structures.
inline ULONG load32(const UCHAR* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<ULONG>(p[3]) << 24); }
inline ULONGLONG load64(const UCHAR* p) { return load32(p) | (static_cast<ULONGLONG>(load32(p + 4)) << 32); }
inline void store32(UCHAR* p, ULONG v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<UCHAR>(v >> (8 * i));
}
inline void store64(UCHAR* p, ULONGLONG v) {
    store32(p, static_cast<ULONG>(v));
    store32(p + 4, static_cast<ULONG>(v >> 32));
}

// Pool for the layouts the Read routines hand to the caller, who frees them with ExFreePool.
inline constexpr ULONG kLayoutTag = 0x74726150;  // "Part"

}  // namespace ntio::io::partition
