/* IRP_MJ_FILE_SYSTEM_CONTROL: IRP_MN_MOUNT_VOLUME (the engine decides whether the boot sector is
 * FAT; a volume device object and VCB are made for it and the VPB gets its label and serial), and
 * the volume FSCTLs: lock, unlock, dismount, is-mounted. Anything else is
 * STATUS_INVALID_DEVICE_REQUEST, as FastFat answers an FSCTL it does not know (NT fact J7).
 * https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-mount-volume */
#include "fastfat.h"

#include <ntdddisk.h>

static NTSTATUS FatMountVolumeIrp(PIO_STACK_LOCATION Stack)
{
    PVPB vpb = Stack->Parameters.MountVolume.Vpb;
    PDEVICE_OBJECT target = Stack->Parameters.MountVolume.DeviceObject;
    PDEVICE_OBJECT volumeDevice = NULL;
    DISK_GEOMETRY geometry;
    GET_LENGTH_INFORMATION length;
    FAT_VOLUME_IO io;
    FAT_DIRENT root;
    PFAT_VCB vcb;
    WCHAR label[11];
    USHORT labelLength = 0;
    NTSTATUS status;

    status = FatSendDeviceIoctl(target, IOCTL_DISK_GET_DRIVE_GEOMETRY, &geometry, sizeof(geometry));
    if (!NT_SUCCESS(status)) {
        return STATUS_UNRECOGNIZED_VOLUME;
    }
    if (!NT_SUCCESS(FatSendDeviceIoctl(target, IOCTL_DISK_GET_LENGTH_INFO, &length, sizeof(length)))) {
        length.Length.QuadPart = 0;
    }
    status = IoCreateDevice(FatData.DriverObject, sizeof(FAT_VCB), NULL, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE,
                            &volumeDevice);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    vcb = (PFAT_VCB)volumeDevice->DeviceExtension;
    RtlZeroMemory(vcb, sizeof(*vcb));
    vcb->NodeTypeCode = FAT_NTC_VCB;
    vcb->VolumeDevice = volumeDevice;
    vcb->TargetDevice = target;
    vcb->Vpb = vpb;
    vcb->SectorSize = geometry.BytesPerSector ? geometry.BytesPerSector : 512;
    InitializeListHead(&vcb->FcbList);
    InitializeListHead(&vcb->DirNotifyList);
    (void)ExInitializeResourceLite(&vcb->Resource);
    FatInitializeVolumePosting(vcb);

    io.Read = FatVolumeRead;
    io.Write = FatVolumeWrite;
    io.Context = vcb;
    io.VolumeLength = (ULONGLONG)length.Length.QuadPart;
    /* NT deviation: FAT keeps local time; the engine's TimeZoneBias stays 0 (UTC), since no DDI here
     * gives a driver the system's time-zone bias. */
    status = FatMountVolume(&io, &vcb->Volume);
    if (NT_SUCCESS(status)) {
        status = FatQueryVolumeLabel(&vcb->Volume, label, &labelLength);
    }
    if (NT_SUCCESS(status)) {
        RtlZeroMemory(&root, sizeof(root));
        root.Attributes = FAT_ATTR_DIRECTORY;
        root.FirstCluster = FatRootDirectory(&vcb->Volume);
        vcb->RootFcb = FatCreateFcb(vcb, NULL, &root, FAT_NTC_ROOT_DCB);
        RtlZeroMemory(&root, sizeof(root));
        vcb->VolumeFcb = FatCreateFcb(vcb, NULL, &root, FAT_NTC_VOLUME_OPEN);
        if (!vcb->RootFcb || !vcb->VolumeFcb) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    if (!NT_SUCCESS(status)) {
        if (vcb->RootFcb) {
            FatDereferenceFcb(vcb->RootFcb);
        }
        if (vcb->VolumeFcb) {
            FatDereferenceFcb(vcb->VolumeFcb);
        }
        ExDeleteResourceLite(&vcb->Resource);
        IoDeleteDevice(volumeDevice);
        return status;
    }
    FsRtlNotifyInitializeSync(&vcb->NotifySync);
    FsRtlInitializeTunnelCache(&vcb->Tunnel);

    volumeDevice->StackSize = (CCHAR)(target->StackSize + 1);
    volumeDevice->SectorSize = (USHORT)vcb->SectorSize;
    /* Neither buffered nor direct: reads, writes and directory queries take the caller's buffer. */
    vpb->SerialNumber = vcb->Volume.SerialNumber;
    RtlCopyMemory(vpb->VolumeLabel, label, labelLength * sizeof(WCHAR));
    vpb->VolumeLabelLength = (USHORT)(labelLength * sizeof(WCHAR));
    vpb->DeviceObject = volumeDevice;

    ExAcquireResourceExclusiveLite(&FatData.Resource, TRUE);
    InsertTailList(&FatData.VcbList, &vcb->VcbLinks);
    ExReleaseResourceLite(&FatData.Resource);
    volumeDevice->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

/* Writes every cached stream of the volume, FSInfo, and asks the disk to write back. The streams
 * are flushed without the VCB held: their paging writes take FCB resources, which come before the
 * VCB in the lock order. */
VOID FatFlushVolume(PFAT_VCB Vcb)
{
    PLIST_ENTRY entry;
    PFAT_FCB *cached = NULL;
    ULONG count = 0;
    ULONG i;
    IO_STATUS_BLOCK iosb;

    ExAcquireResourceExclusiveLite(&Vcb->Resource, TRUE);
    for (entry = Vcb->FcbList.Flink; entry != &Vcb->FcbList; entry = entry->Flink) {
        count++;
    }
    cached = count ? (PFAT_FCB *)ExAllocatePoolWithTag(PagedPool, count * sizeof(PFAT_FCB), FASTFAT_TAG) : NULL;
    count = 0;
    if (cached) {
        for (entry = Vcb->FcbList.Flink; entry != &Vcb->FcbList; entry = entry->Flink) {
            PFAT_FCB fcb = CONTAINING_RECORD(entry, FAT_FCB, Links);
            if (fcb->SectionObjectPointers.SharedCacheMap) {
                FatReferenceFcb(fcb);
                cached[count++] = fcb;
            }
        }
    }
    ExReleaseResourceLite(&Vcb->Resource);
    for (i = 0; i < count; ++i) {
        ExAcquireResourceExclusiveLite(&cached[i]->MainResource, TRUE);
        __try {
            CcFlushCache(&cached[i]->SectionObjectPointers, NULL, 0, &iosb);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
        }
        ExReleaseResourceLite(&cached[i]->MainResource);
    }
    ExAcquireResourceExclusiveLite(&Vcb->Resource, TRUE);
    for (i = 0; i < count; ++i) {
        FatDereferenceFcb(cached[i]);
    }
    if (!(Vcb->Flags & VCB_DISMOUNTED)) {
        (void)FatFlushFsInfo(&Vcb->Volume);
    }
    ExReleaseResourceLite(&Vcb->Resource);
    if (cached) {
        ExFreePoolWithTag(cached, FASTFAT_TAG);
    }
    (void)FatFlushDevice(Vcb);
}

VOID FatDeleteVcb(PFAT_VCB Vcb)
{
    PVPB vpb = Vcb->Vpb;
    KIRQL irql;
    ULONG i;

    ExAcquireResourceExclusiveLite(&FatData.Resource, TRUE);
    RemoveEntryList(&Vcb->VcbLinks);
    ExReleaseResourceLite(&FatData.Resource);
    /* The VPB is the disk's again (or a spare the disk holds): its volume device is going. */

    FsRtlNotifyCleanupAll(Vcb->NotifySync, &Vcb->DirNotifyList);
    ExAcquireResourceExclusiveLite(&Vcb->Resource, TRUE);
    FatDereferenceFcb(Vcb->RootFcb);
    FatDereferenceFcb(Vcb->VolumeFcb);
    ExReleaseResourceLite(&Vcb->Resource);
    FsRtlNotifyUninitializeSync(&Vcb->NotifySync);
    FsRtlDeleteTunnelCache(&Vcb->Tunnel);
    ExDeleteResourceLite(&Vcb->Resource);

    IoAcquireVpbSpinLock(&irql);
    if (vpb->DeviceObject == Vcb->VolumeDevice) {
        vpb->DeviceObject = NULL;
        vpb->Flags &= ~VPB_MOUNTED;
    }
    IoReleaseVpbSpinLock(irql);
    IoDeleteDevice(Vcb->VolumeDevice);
    ExAcquireResourceExclusiveLite(&FatData.Resource, TRUE);
    for (i = 0; i < FAT_MAX_SPARE_VPBS; ++i) {
        if (FatData.SpareVpbs[i] == vpb && vpb->RealDevice->Vpb != vpb) {
            FatData.SpareVpbs[i] = NULL;
            ExFreePoolWithTag(vpb, FASTFAT_TAG);
        }
    }
    ExReleaseResourceLite(&FatData.Resource);
}

/* FSCTL_DISMOUNT_VOLUME: the data is written, the volume stops serving requests (its handles get
 * STATUS_VOLUME_DISMOUNTED), and the real device gets a fresh VPB so the next open mounts again.
 * The last close of a file of the old volume deletes it.
 * https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_dismount_volume */
static NTSTATUS FatDismount(PFAT_VCB Vcb)
{
    PVPB spare;
    KIRQL irql;
    ULONG i;

    spare = (PVPB)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(VPB), FASTFAT_TAG);
    if (!spare) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlZeroMemory(spare, sizeof(VPB));
    spare->Type = IO_TYPE_VPB;
    spare->Size = sizeof(VPB);
    spare->RealDevice = Vcb->Vpb->RealDevice;
    ExAcquireResourceExclusiveLite(&FatData.Resource, TRUE);
    for (i = 0; i < FAT_MAX_SPARE_VPBS && FatData.SpareVpbs[i]; ++i) {
    }
    if (i < FAT_MAX_SPARE_VPBS) {
        FatData.SpareVpbs[i] = spare;
    }
    ExReleaseResourceLite(&FatData.Resource);
    if (i == FAT_MAX_SPARE_VPBS) {
        ExFreePoolWithTag(spare, FASTFAT_TAG);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    FatFlushVolume(Vcb);
    FsRtlNotifyCleanupAll(Vcb->NotifySync, &Vcb->DirNotifyList);
    ExAcquireResourceExclusiveLite(&Vcb->Resource, TRUE);
    Vcb->Flags |= VCB_DISMOUNTED;
    ExReleaseResourceLite(&Vcb->Resource);
    IoAcquireVpbSpinLock(&irql);
    Vcb->Vpb->Flags &= ~VPB_MOUNTED;
    Vcb->Vpb->RealDevice->Vpb = spare;
    IoReleaseVpbSpinLock(irql);
    return STATUS_SUCCESS;
}

/* FSCTL_LOCK_VOLUME: after the cached data is written and the closed files' cache maps are gone,
 * only the caller's volume handle may be open (else STATUS_ACCESS_DENIED, the status the
 * FSCTL_LOCK_VOLUME page gives for open files); new opens then fail until the unlock.
 * https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_lock_volume */
static NTSTATUS FatLockVolume(PFAT_VCB Vcb, PFILE_OBJECT FileObject)
{
    NTSTATUS status = STATUS_SUCCESS;

    FatFlushVolume(Vcb);
    ExAcquireResourceExclusiveLite(&Vcb->Resource, TRUE);
    if (Vcb->Flags & VCB_LOCKED) {
        status = STATUS_ACCESS_DENIED;
    } else if (Vcb->OpenFileObjects > 1) {
        status = STATUS_ACCESS_DENIED;
    } else {
        Vcb->Flags |= VCB_LOCKED;
        Vcb->LockFileObject = FileObject;
    }
    ExReleaseResourceLite(&Vcb->Resource);
    return status;
}

static NTSTATUS FatUnlockVolume(PFAT_VCB Vcb, PFILE_OBJECT FileObject)
{
    NTSTATUS status = STATUS_NOT_LOCKED;

    ExAcquireResourceExclusiveLite(&Vcb->Resource, TRUE);
    if ((Vcb->Flags & VCB_LOCKED) && Vcb->LockFileObject == FileObject) {
        Vcb->Flags &= ~VCB_LOCKED;
        Vcb->LockFileObject = NULL;
        status = STATUS_SUCCESS;
    }
    ExReleaseResourceLite(&Vcb->Resource);
    return status;
}

static NTSTATUS FatUserFsRequest(PFAT_VCB Vcb, PIRP Irp, PIO_STACK_LOCATION Stack)
{
    PFILE_OBJECT file = Stack->FileObject;
    PFAT_FCB fcb = file ? (PFAT_FCB)file->FsContext : NULL;
    BOOLEAN volumeOpen = fcb && fcb->Header.NodeTypeCode == FAT_NTC_VOLUME_OPEN;
    NTSTATUS status;

    switch (Stack->Parameters.FileSystemControl.FsControlCode) {
    case FSCTL_LOCK_VOLUME:
        status = volumeOpen ? FatLockVolume(Vcb, file) : STATUS_INVALID_PARAMETER;
        break;
    case FSCTL_UNLOCK_VOLUME:
        status = volumeOpen ? FatUnlockVolume(Vcb, file) : STATUS_INVALID_PARAMETER;
        break;
    case FSCTL_DISMOUNT_VOLUME:
        status = volumeOpen ? FatDismount(Vcb) : STATUS_INVALID_PARAMETER;
        break;
    case FSCTL_IS_VOLUME_MOUNTED:
        status = STATUS_SUCCESS;
        break;
    case FSCTL_REQUEST_OPLOCK_LEVEL_1:
    case FSCTL_REQUEST_OPLOCK_LEVEL_2:
    case FSCTL_REQUEST_BATCH_OPLOCK:
    case FSCTL_OPLOCK_BREAK_ACKNOWLEDGE:
    case FSCTL_OPBATCH_ACK_CLOSE_PENDING:
    case FSCTL_OPLOCK_BREAK_NOTIFY:
    case FSCTL_OPLOCK_BREAK_ACK_NO_2:
    case FSCTL_REQUEST_FILTER_OPLOCK:
    case FSCTL_REQUEST_OPLOCK:
        if (!fcb || fcb->Header.NodeTypeCode != FAT_NTC_FCB) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        return FatOplockRequest(fcb, Irp);
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    return FatCompleteRequest(Irp, status, 0);
}

NTSTATUS FatFileSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFAT_VCB vcb = FatVcbOfDevice(DeviceObject);

    if (!vcb) {
        if (stack->MinorFunction == IRP_MN_MOUNT_VOLUME) {
            return FatCompleteRequest(Irp, FatMountVolumeIrp(stack), 0);
        }
        return FatCompleteRequest(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    if (stack->MinorFunction != IRP_MN_USER_FS_REQUEST) {
        return FatCompleteRequest(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    if (vcb->Flags & VCB_DISMOUNTED) {
        return FatCompleteRequest(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    return FatUserFsRequest(vcb, Irp, stack);
}
