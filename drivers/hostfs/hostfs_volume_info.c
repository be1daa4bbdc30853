/* IRP_MJ_QUERY_VOLUME_INFORMATION (volume, size, full size, device, attribute), answered from
 * statvfs of the host root. The file system is named "HostFS" and claims only what it does: names
 * keep their case (FILE_CASE_PRESERVED_NAMES) and are Unicode (FILE_UNICODE_ON_DISK); searches ignore
 * case, so no FILE_CASE_SENSITIVE_SEARCH; no ACLs, streams, object ids or reparse points.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-query-volume-information
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_file_fs_attribute_information */
#include "hostfs.h"
#include "fs_answers.h"

#ifndef FILE_CASE_PRESERVED_NAMES
#define FILE_CASE_PRESERVED_NAMES 0x00000002
#define FILE_UNICODE_ON_DISK 0x00000004
#endif


/* The host's fragment size as one 512-byte-sector-based allocation unit (a 4096-byte block is 8
 * sectors of 512 bytes; a block size that is not a multiple of 512 is one "sector"). */
static VOID HostfsUnits(_In_ const HOSTFS_VOLUME_STAT *Volume, _Out_ PULONG SectorsPerUnit, _Out_ PULONG BytesPerSector)
{
    if (Volume->BlockSize >= 512 && Volume->BlockSize % 512 == 0) {
        *BytesPerSector = 512;
        *SectorsPerUnit = (ULONG)(Volume->BlockSize / 512);
    } else {
        *BytesPerSector = (ULONG)Volume->BlockSize;
        *SectorsPerUnit = 1;
    }
}

static NTSTATUS HostfsQueryVolume(_In_ PDEVICE_OBJECT Device, _In_ FS_INFORMATION_CLASS Class, _Out_ PVOID Buffer,
                                  _In_ ULONG Length, _Out_ PULONG Used)
{
    PHOSTFS_DEVICE_EXTENSION extension = (PHOSTFS_DEVICE_EXTENSION)Device->DeviceExtension;
    HOSTFS_VOLUME_STAT volume;
    ULONG sectorsPerUnit, bytesPerSector;
    int error;

    *Used = 0;
    switch (Class) {
    case FileFsVolumeInformation: {
        FILE_FS_VOLUME_INFORMATION info;
        RtlZeroMemory(&info, sizeof(info));
        info.VolumeSerialNumber = extension->SerialNumber;
        info.VolumeLabelLength = 0;
        info.SupportsObjects = FALSE;
        return DrvCopyOut(Buffer, Length, &info, FIELD_OFFSET(FILE_FS_VOLUME_INFORMATION, VolumeLabel), NULL, 0,
                             Used);
    }
    case FileFsSizeInformation:
    case FileFsFullSizeInformation:
        error = HostfsStatVolume(extension->RootLength ? extension->Root : "/", &volume);
        if (error != 0) {
            return (NTSTATUS)HostfsStatus(error);
        }
        HostfsUnits(&volume, &sectorsPerUnit, &bytesPerSector);
        if (Class == FileFsSizeInformation) {
            FILE_FS_SIZE_INFORMATION info;
            info.TotalAllocationUnits.QuadPart = (LONGLONG)volume.TotalBlocks;
            info.AvailableAllocationUnits.QuadPart = (LONGLONG)volume.AvailableBlocks;
            info.SectorsPerAllocationUnit = sectorsPerUnit;
            info.BytesPerSector = bytesPerSector;
            return DrvCopyOut(Buffer, Length, &info, sizeof(info), NULL, 0, Used);
        } else {
            FILE_FS_FULL_SIZE_INFORMATION info;
            info.TotalAllocationUnits.QuadPart = (LONGLONG)volume.TotalBlocks;
            info.CallerAvailableAllocationUnits.QuadPart = (LONGLONG)volume.AvailableBlocks;
            info.ActualAvailableAllocationUnits.QuadPart = (LONGLONG)volume.FreeBlocks;
            info.SectorsPerAllocationUnit = sectorsPerUnit;
            info.BytesPerSector = bytesPerSector;
            return DrvCopyOut(Buffer, Length, &info, sizeof(info), NULL, 0, Used);
        }
    case FileFsDeviceInformation: {
        /* A disk file system's volume: GetDriveType says DRIVE_FIXED. */
        FILE_FS_DEVICE_INFORMATION info;
        info.DeviceType = FILE_DEVICE_DISK;
        info.Characteristics = Device->Characteristics;
        return DrvCopyOut(Buffer, Length, &info, sizeof(info), NULL, 0, Used);
    }
    case FileFsAttributeInformation: {
        static const WCHAR name[] = L"HostFS";
        FILE_FS_ATTRIBUTE_INFORMATION info;
        info.FileSystemAttributes = FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK;
        info.MaximumComponentNameLength = 255;
        info.FileSystemNameLength = sizeof(name) - sizeof(WCHAR);
        return DrvCopyOut(Buffer, Length, &info, FIELD_OFFSET(FILE_FS_ATTRIBUTE_INFORMATION, FileSystemName), name,
                             info.FileSystemNameLength, Used);
    }
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

NTSTATUS HostfsQueryVolumeInformation(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG used = 0;
    NTSTATUS status = HostfsQueryVolume(DeviceObject, stack->Parameters.QueryVolume.FsInformationClass,
                                        Irp->AssociatedIrp.SystemBuffer, stack->Parameters.QueryVolume.Length, &used);
    return HostfsComplete(Irp, status, NT_ERROR(status) ? 0 : used);
}
