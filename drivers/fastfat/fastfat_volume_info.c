/* IRP_MJ_QUERY_VOLUME_INFORMATION (volume, size, full size, device, attribute) and
 * IRP_MJ_SET_VOLUME_INFORMATION (the label), answered from the engine's volume and the VPB.
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-query-volume-information
 * [MS-FSCC] 2.5 (the file system information classes) */
#include "fastfat.h"
#include "fs_answers.h"

/* FastFat's attributes: names keep their case and are Unicode on disk (long names). */
#ifndef FILE_CASE_PRESERVED_NAMES
#define FILE_CASE_PRESERVED_NAMES 0x00000002
#define FILE_UNICODE_ON_DISK 0x00000004
#endif
#define FAT_FILE_SYSTEM_ATTRIBUTES (FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK)


static NTSTATUS FatQueryVolume(PFAT_VCB Vcb, FS_INFORMATION_CLASS Class, PVOID Buffer, ULONG Length, PULONG Used)
{
    ULONG freeClusters, totalClusters, bytesPerCluster;

    FatQueryFreeSpace(&Vcb->Volume, &freeClusters, &totalClusters, &bytesPerCluster);
    switch (Class) {
    case FileFsVolumeInformation: {
        FILE_FS_VOLUME_INFORMATION info;
        RtlZeroMemory(&info, sizeof(info));
        info.VolumeSerialNumber = Vcb->Vpb->SerialNumber;
        info.VolumeLabelLength = Vcb->Vpb->VolumeLabelLength;
        info.SupportsObjects = FALSE;
        return DrvCopyOut(Buffer, Length, &info, FIELD_OFFSET(FILE_FS_VOLUME_INFORMATION, VolumeLabel),
                          Vcb->Vpb->VolumeLabel, Vcb->Vpb->VolumeLabelLength, Used);
    }
    case FileFsSizeInformation: {
        FILE_FS_SIZE_INFORMATION info;
        info.TotalAllocationUnits.QuadPart = totalClusters;
        info.AvailableAllocationUnits.QuadPart = freeClusters;
        info.SectorsPerAllocationUnit = Vcb->Volume.SectorsPerCluster;
        info.BytesPerSector = Vcb->Volume.BytesPerSector;
        return DrvCopyOut(Buffer, Length, &info, sizeof(info), NULL, 0, Used);
    }
    case FileFsFullSizeInformation: {
        FILE_FS_FULL_SIZE_INFORMATION info;
        info.TotalAllocationUnits.QuadPart = totalClusters;
        info.CallerAvailableAllocationUnits.QuadPart = freeClusters;
        info.ActualAvailableAllocationUnits.QuadPart = freeClusters;
        info.SectorsPerAllocationUnit = Vcb->Volume.SectorsPerCluster;
        info.BytesPerSector = Vcb->Volume.BytesPerSector;
        return DrvCopyOut(Buffer, Length, &info, sizeof(info), NULL, 0, Used);
    }
    case FileFsDeviceInformation: {
        FILE_FS_DEVICE_INFORMATION info;
        info.DeviceType = FILE_DEVICE_DISK;
        info.Characteristics = Vcb->Vpb->RealDevice->Characteristics;
        return DrvCopyOut(Buffer, Length, &info, sizeof(info), NULL, 0, Used);
    }
    case FileFsAttributeInformation: {
        FILE_FS_ATTRIBUTE_INFORMATION info;
        const WCHAR *name = Vcb->Volume.FatType == FatType32 ? L"FAT32" : L"FAT";
        ULONG nameLength = (Vcb->Volume.FatType == FatType32 ? 5 : 3) * sizeof(WCHAR);
        info.FileSystemAttributes = FAT_FILE_SYSTEM_ATTRIBUTES;
        info.MaximumComponentNameLength = FAT_MAX_LONG_NAME;
        info.FileSystemNameLength = nameLength;
        return DrvCopyOut(Buffer, Length, &info, FIELD_OFFSET(FILE_FS_ATTRIBUTE_INFORMATION, FileSystemName), name,
                          nameLength, Used);
    }
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

NTSTATUS FatQueryVolumeInformation(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG used = 0;
    NTSTATUS status;

    if (vcb->Flags & VCB_DISMOUNTED) {
        return FatCompleteRequest(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    ExAcquireResourceSharedLite(&vcb->Resource, TRUE);
    status = FatQueryVolume(vcb, stack->Parameters.QueryVolume.FsInformationClass, Irp->AssociatedIrp.SystemBuffer,
                            stack->Parameters.QueryVolume.Length, &used);
    ExReleaseResourceLite(&vcb->Resource);
    return FatCompleteRequest(Irp, status, NT_ERROR(status) ? 0 : used);
}

/* FileFsLabelInformation: the engine writes the root's label entry and the boot sector; the VPB
 * shows the new label. */
NTSTATUS FatSetVolumeInformation(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_FS_LABEL_INFORMATION info = (PFILE_FS_LABEL_INFORMATION)Irp->AssociatedIrp.SystemBuffer;
    UNICODE_STRING label;
    WCHAR stored[11];
    USHORT storedLength = 0;
    NTSTATUS status;

    if (vcb->Flags & VCB_DISMOUNTED) {
        return FatCompleteRequest(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    if (stack->Parameters.SetVolume.FsInformationClass != FileFsLabelInformation) {
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (stack->Parameters.SetVolume.Length < FIELD_OFFSET(FILE_FS_LABEL_INFORMATION, VolumeLabel) ||
        info->VolumeLabelLength > stack->Parameters.SetVolume.Length - FIELD_OFFSET(FILE_FS_LABEL_INFORMATION, VolumeLabel) ||
        (info->VolumeLabelLength & 1)) {
        return FatCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (vcb->Vpb->RealDevice->Characteristics & FILE_READ_ONLY_DEVICE) {
        return FatCompleteRequest(Irp, STATUS_MEDIA_WRITE_PROTECTED, 0);
    }
    label.Buffer = info->VolumeLabel;
    label.Length = label.MaximumLength = (USHORT)info->VolumeLabelLength;
    ExAcquireResourceExclusiveLite(&vcb->Resource, TRUE);
    status = FatSetVolumeLabel(&vcb->Volume, &label);
    if (NT_SUCCESS(status) && NT_SUCCESS(FatQueryVolumeLabel(&vcb->Volume, stored, &storedLength))) {
        KIRQL irql;
        IoAcquireVpbSpinLock(&irql);
        RtlCopyMemory(vcb->Vpb->VolumeLabel, stored, storedLength * sizeof(WCHAR));
        vcb->Vpb->VolumeLabelLength = (USHORT)(storedLength * sizeof(WCHAR));
        IoReleaseVpbSpinLock(irql);
    }
    ExReleaseResourceLite(&vcb->Resource);
    return FatCompleteRequest(Irp, status, 0);
}
