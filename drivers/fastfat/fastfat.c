/* fastfat.sys: DriverEntry registers the \Fat control device as a disk file system (it is offered
 * every disk volume's first open, IRP_MN_MOUNT_VOLUME), DriverUnload takes the volumes down, and the
 * small helpers every dispatch file uses live here. The IRPs are in fastfat_*.c; README.md lists them. */
#include "fastfat.h"

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD FatUnload;

FAT_DATA FatData;

NTSTATUS FatCompleteRequest(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_DISK_INCREMENT);
    return Status;
}

PFAT_VCB FatVcbOfDevice(PDEVICE_OBJECT DeviceObject)
{
    if (DeviceObject == FatData.ControlDevice) {
        return NULL;
    }
    return (PFAT_VCB)DeviceObject->DeviceExtension;
}

BOOLEAN FatIsDirectoryFcb(PFAT_FCB Fcb)
{
    return Fcb->Header.NodeTypeCode == FAT_NTC_DCB || Fcb->Header.NodeTypeCode == FAT_NTC_ROOT_DCB;
}

ULONG FatDirectoryOf(PFAT_FCB Fcb)
{
    if (Fcb->Header.NodeTypeCode == FAT_NTC_ROOT_DCB) {
        return FatRootDirectory(&Fcb->Vcb->Volume);
    }
    return Fcb->Dirent.FirstCluster;
}

PVOID FatUserBuffer(PIRP Irp)
{
    if (Irp->MdlAddress) {
        return MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    }
    return Irp->UserBuffer;
}

VOID FatSetFileObjectFlags(PFILE_OBJECT FileObject, ULONG Flags)
{
    if ((ReadULongNoFence(&FileObject->Flags) & Flags) != Flags) {
        InterlockedOr((LONG volatile *)&FileObject->Flags, (LONG)Flags);
    }
}

VOID FatCurrentFatTime(PLARGE_INTEGER Now)
{
    KeQuerySystemTime(Now);
}

/* File systems hold their resources with normal kernel APCs disabled (FsRtlEnterFileSystem); the
 * control device takes only mount requests. */
static NTSTATUS FatShutdown(PIRP Irp);

static NTSTATUS FatDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;

    if (DeviceObject == FatData.ControlDevice) {
        switch (stack->MajorFunction) {
        case IRP_MJ_CREATE:
        case IRP_MJ_CLEANUP:
        case IRP_MJ_CLOSE:
            return FatCompleteRequest(Irp, STATUS_SUCCESS, stack->MajorFunction == IRP_MJ_CREATE ? FILE_OPENED : 0);
        case IRP_MJ_FILE_SYSTEM_CONTROL:
            break;
        case IRP_MJ_SHUTDOWN:
            return FatShutdown(Irp);
        default:
            return FatCompleteRequest(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
        }
    }
    /* Whether this request may block: IoIsOperationSynchronous
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioisoperationsynchronous).
     * A request on a file object opened without FILE_SYNCHRONOUS_IO_* that is not a synchronous API
     * may not; what would block then is posted to a worker (fastfat_post.c). */
    FsRtlEnterFileSystem();
    status = FatCommonDispatch(DeviceObject, Irp, IoIsOperationSynchronous(Irp));
    FsRtlExitFileSystem();
    return status;
}

NTSTATUS FatCommonDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp, BOOLEAN Wait)
{
    switch (IoGetCurrentIrpStackLocation(Irp)->MajorFunction) {
    case IRP_MJ_CREATE: return FatCreate(DeviceObject, Irp);
    case IRP_MJ_CLEANUP: return FatCleanup(DeviceObject, Irp);
    case IRP_MJ_CLOSE: return FatClose(DeviceObject, Irp);
    case IRP_MJ_READ: return FatRead(DeviceObject, Irp, Wait);
    case IRP_MJ_WRITE: return FatWrite(DeviceObject, Irp, Wait);
    case IRP_MJ_FLUSH_BUFFERS: return FatFlushBuffers(DeviceObject, Irp, Wait);
    case IRP_MJ_QUERY_INFORMATION: return FatQueryInformation(DeviceObject, Irp, Wait);
    case IRP_MJ_SET_INFORMATION: return FatSetInformation(DeviceObject, Irp, Wait);
    case IRP_MJ_QUERY_VOLUME_INFORMATION: return FatQueryVolumeInformation(DeviceObject, Irp);
    case IRP_MJ_SET_VOLUME_INFORMATION: return FatSetVolumeInformation(DeviceObject, Irp);
    case IRP_MJ_DIRECTORY_CONTROL: return FatDirectoryControl(DeviceObject, Irp, Wait);
    case IRP_MJ_FILE_SYSTEM_CONTROL: return FatFileSystemControl(DeviceObject, Irp);
    case IRP_MJ_LOCK_CONTROL: return FatLockControl(DeviceObject, Irp);
    default: return FatCompleteRequest(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

/* IRP_MJ_SHUTDOWN, sent to the registered control device when the system flushes its file systems
 * at shutdown (https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mj-shutdown): every
 * mounted volume's cached file data is written to its disk. The volumes stay mounted; the handles
 * still open keep working until the system closes them. */
static NTSTATUS FatShutdown(PIRP Irp)
{
    PLIST_ENTRY entry;

    FsRtlEnterFileSystem();
    ExAcquireResourceSharedLite(&FatData.Resource, TRUE);
    for (entry = FatData.VcbList.Flink; entry != &FatData.VcbList; entry = entry->Flink) {
        FatFlushVolume(CONTAINING_RECORD(entry, FAT_VCB, VcbLinks));
    }
    ExReleaseResourceLite(&FatData.Resource);
    FsRtlExitFileSystem();
    return FatCompleteRequest(Irp, STATUS_SUCCESS, 0);
}

/* Volumes still mounted when the driver goes: nothing holds them (the I/O manager does not unload a
 * driver whose devices are referenced), so their data is written and their devices deleted; the
 * VPB is left unmounted so the next open mounts whatever is there then. Posted requests are waited
 * for first: a posted IRP holds its file object, so none should be left, but no work item of this
 * driver may outlive it (Driver Verifier's bug check 0xCE). */
VOID FatUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    IoUnregisterFileSystem(FatData.ControlDevice);
    FatDrainPostedRequests();
    FsRtlEnterFileSystem();
    for (;;) {
        PFAT_VCB vcb = NULL;
        ExAcquireResourceExclusiveLite(&FatData.Resource, TRUE);
        if (!IsListEmpty(&FatData.VcbList)) {
            vcb = CONTAINING_RECORD(FatData.VcbList.Flink, FAT_VCB, VcbLinks);
        }
        ExReleaseResourceLite(&FatData.Resource);
        if (!vcb) {
            break;
        }
        FatFlushVolume(vcb);
        FatDeleteVcb(vcb);
    }
    FsRtlExitFileSystem();
    IoDeleteDevice(FatData.ControlDevice);
    ExDeleteResourceLite(&FatData.Resource);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(FASTFAT_DEVICE_NAME);
    NTSTATUS status;
    ULONG i;

    UNREFERENCED_PARAMETER(RegistryPath);
    RtlZeroMemory(&FatData, sizeof(FatData));
    FatData.DriverObject = DriverObject;
    InitializeListHead(&FatData.VcbList);
    FatInitializePosting();
    status = ExInitializeResourceLite(&FatData.Resource);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* The control device is named (\Fat, as Windows'), volume devices are not (IoRegisterFileSystem). */
    status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &FatData.ControlDevice);
    if (!NT_SUCCESS(status)) {
        ExDeleteResourceLite(&FatData.Resource);
        return status;
    }
    for (i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) {
        DriverObject->MajorFunction[i] = FatDispatch;
    }
    FatData.FastIoDispatch.SizeOfFastIoDispatch = sizeof(FAST_IO_DISPATCH);
    FatData.FastIoDispatch.FastIoCheckIfPossible = FatFastIoCheckIfPossible;
    FatData.FastIoDispatch.FastIoRead = FsRtlCopyRead;
    FatData.FastIoDispatch.FastIoWrite = FsRtlCopyWrite;
    status = FatInitializeSectionSynchronization(DriverObject, &FatData.FastIoDispatch);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(FatData.ControlDevice);
        ExDeleteResourceLite(&FatData.Resource);
        return status;
    }
    DriverObject->FastIoDispatch = &FatData.FastIoDispatch;
    DriverObject->DriverUnload = FatUnload;
    FatInitializeCacheCallbacks(&FatData.CacheCallbacks);
    FatData.ControlDevice->Flags &= ~DO_DEVICE_INITIALIZING;
    IoRegisterFileSystem(FatData.ControlDevice);
    return STATUS_SUCCESS;
}
