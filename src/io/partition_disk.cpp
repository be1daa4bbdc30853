// The partition routines' IRPs to the disk: the geometry IOCTLs and synchronous sector reads and
// writes, built with IoBuildDeviceIoControlRequest / IoBuildSynchronousFsdRequest and waited for
// on a stack event when the disk pends them.
#include "io/partition_disk.hpp"

namespace ntio::io::partition {
namespace {

NTSTATUS call_and_wait(PDEVICE_OBJECT disk, PIRP irp, KEVENT* event, IO_STATUS_BLOCK* iosb) {
    NTSTATUS status = IoCallDriver(disk, irp);
    if (status == STATUS_PENDING) {
        (void)KeWaitForSingleObject(event, Executive, KernelMode, FALSE, nullptr);
        status = iosb->Status;
    }
    return status;
}

NTSTATUS ioctl(PDEVICE_OBJECT disk, ULONG code, void* out, ULONG out_length, ULONG_PTR* information) {
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    PIRP irp = IoBuildDeviceIoControlRequest(code, disk, nullptr, 0, out, out_length, FALSE, &event, &iosb);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    const NTSTATUS status = call_and_wait(disk, irp, &event, &iosb);
    *information = iosb.Information;
    return status;
}

NTSTATUS transfer(PDEVICE_OBJECT disk, UCHAR major, ULONG sector_size, ULONGLONG lba, void* buffer, ULONG bytes) {
    if (lba > static_cast<ULONGLONG>(MAXLONGLONG) / sector_size) return STATUS_INVALID_PARAMETER;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER offset;
    offset.QuadPart = static_cast<LONGLONG>(lba * sector_size);
    PIRP irp = IoBuildSynchronousFsdRequest(major, disk, buffer, bytes, &offset, &event, &iosb);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    // The table is read whatever the volume's verify state, as the I/O manager's own reads do.
    IoGetNextIrpStackLocation(irp)->Flags |= SL_OVERRIDE_VERIFY_VOLUME;
    return call_and_wait(disk, irp, &event, &iosb);
}

}  // namespace

NTSTATUS query_geometry(PDEVICE_OBJECT disk, DiskGeometry* geometry) {
    DISK_GEOMETRY_EX ex{};
    ULONG_PTR information = 0;
    NTSTATUS status = ioctl(disk, IOCTL_DISK_GET_DRIVE_GEOMETRY_EX, &ex, sizeof(ex), &information);
    if (NT_SUCCESS(status) && information >= FIELD_OFFSET(DISK_GEOMETRY_EX, Data)) {
        geometry->sector_size = ex.Geometry.BytesPerSector;
        geometry->sector_count = ex.Geometry.BytesPerSector ? ex.DiskSize.QuadPart / ex.Geometry.BytesPerSector : 0;
    } else {
        DISK_GEOMETRY g{};
        status = ioctl(disk, IOCTL_DISK_GET_DRIVE_GEOMETRY, &g, sizeof(g), &information);
        if (!NT_SUCCESS(status)) return status;
        geometry->sector_size = g.BytesPerSector;
        geometry->sector_count =
            static_cast<ULONGLONG>(g.Cylinders.QuadPart) * g.TracksPerCylinder * g.SectorsPerTrack;
    }
    // A sector of fewer than 512 bytes cannot hold an MBR; NT reads at least 512 bytes. Other
    // sizes must be powers of two, as every disk class driver reports.
    if (geometry->sector_size < 512 || (geometry->sector_size & (geometry->sector_size - 1)) != 0)
        return STATUS_DEVICE_NOT_READY;
    return STATUS_SUCCESS;
}

NTSTATUS read_sectors(PDEVICE_OBJECT disk, ULONG sector_size, ULONGLONG lba, ULONG count, std::vector<UCHAR>& out) {
    const ULONGLONG bytes = static_cast<ULONGLONG>(sector_size) * count;
    if (bytes == 0 || bytes > 0x10000000) return STATUS_INVALID_PARAMETER;
    out.assign(static_cast<std::size_t>(bytes), 0);
    return transfer(disk, IRP_MJ_READ, sector_size, lba, out.data(), static_cast<ULONG>(bytes));
}

NTSTATUS write_sectors(PDEVICE_OBJECT disk, ULONG sector_size, ULONGLONG lba, const std::vector<UCHAR>& data) {
    if (data.empty() || data.size() % sector_size != 0) return STATUS_INVALID_PARAMETER;
    std::vector<UCHAR> copy(data);
    return transfer(disk, IRP_MJ_WRITE, sector_size, lba, copy.data(), static_cast<ULONG>(copy.size()));
}

}  // namespace ntio::io::partition
