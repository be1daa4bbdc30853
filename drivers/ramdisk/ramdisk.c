/* ramdisk.sys entry, unload and the data path: DriverEntry reads the Parameters key, allocates the
 * disk (loading the backing image if there is one) and creates \Device\Ramdisk<N> with DO_DIRECT_IO;
 * reads and writes are checked against the disk's bounds and sector size and complete inline with a
 * copy through the MDL (no queue, no pending, no thread hop), and synchronous opens are marked for
 * the fast I/O routines (ramdisk_fastio.c) that do the same transfers without an IRP; flush writes
 * dirty regions back to the image and syncs it; DriverUnload persists and frees everything. */
#include "ramdisk.h"
#include "backing_image.h"

/* {4E54494F-0002-5261-6D64-000000000001}: the class of ntio's RAM disks. */
static const GUID RamdiskClassGuid = {0x4E54494F, 0x0002, 0x5261, {0x6D, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}};

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD RamdiskUnload;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) _Dispatch_type_(IRP_MJ_CLEANUP)
DRIVER_DISPATCH RamdiskCreateClose;
_Dispatch_type_(IRP_MJ_READ) _Dispatch_type_(IRP_MJ_WRITE) DRIVER_DISPATCH RamdiskReadWrite;
_Dispatch_type_(IRP_MJ_FLUSH_BUFFERS) _Dispatch_type_(IRP_MJ_SHUTDOWN) DRIVER_DISPATCH RamdiskFlushBuffers;

NTSTATUS RamdiskCompleteRequest(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/* A synchronous open gets a non-NULL PrivateCacheMap, so that the I/O manager tries this driver's
 * FastIoRead / FastIoWrite before it builds an IRP (it tries them only for synchronous file objects
 * whose PrivateCacheMap is set, NT facts E10, E12). (PVOID)1 is how drivers that are not
 * cache-manager file systems ask for their fast I/O routines, as Windows' Null device driver and
 * the named-pipe file system do; nothing ever dereferences it. */
NTSTATUS RamdiskCreateClose(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    UNREFERENCED_PARAMETER(DeviceObject);
    if (stack->MajorFunction != IRP_MJ_CREATE) {
        return RamdiskCompleteRequest(Irp, STATUS_SUCCESS, 0);
    }
    if (stack->FileObject && (stack->FileObject->Flags & FO_SYNCHRONOUS_IO)) {
        stack->FileObject->PrivateCacheMap = (PVOID)1;
    }
    return RamdiskCompleteRequest(Irp, STATUS_SUCCESS, FILE_OPENED);
}

static VOID RamdiskMarkDirty(_In_ PRAMDISK_EXTENSION Extension, _In_ ULONGLONG Offset, _In_ ULONG Length)
{
    ULONGLONG region = Offset >> RAMDISK_REGION_SHIFT;
    const ULONGLONG last = (Offset + Length - 1) >> RAMDISK_REGION_SHIFT;
    for (; region <= last; ++region) {
        InterlockedExchange(&Extension->Dirty[region], 1);
    }
}

/* The copy of a checked transfer, for both paths. With a backing image a write holds ImageLock
 * shared while it copies and marks its regions dirty, so a flush never takes a half-written region
 * (and marks them even when the copy faulted part way: some bytes may have changed). Guarded: the
 * buffer is the caller's own (fast I/O), so a fault ends the copy and returns FALSE instead of
 * raising; the IRP path's MDL mapping cannot fault. */
BOOLEAN RamdiskCopy(_In_ PRAMDISK_EXTENSION Extension, _In_ BOOLEAN Write, _In_ ULONGLONG Offset, _In_ ULONG Length,
                    _Inout_ PVOID Buffer, _In_ BOOLEAN Guarded)
{
    const BOOLEAN image = Write && Extension->Dirty != NULL;
    PUCHAR to = Write ? Extension->Data + Offset : (PUCHAR)Buffer;
    const UCHAR *from = Write ? (const UCHAR *)Buffer : Extension->Data + Offset;
    volatile BOOLEAN copied = TRUE;

    if (image) {
        KeEnterCriticalRegion();
        ExAcquireResourceSharedLite(&Extension->ImageLock, TRUE);
    }
    if (!Write) {
        RamdiskPrefetchRead(Extension, from, Length);
    }
    if (Guarded) {
        __try {
            RtlCopyMemory(to, from, Length);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            copied = FALSE;
        }
    } else {
        RtlCopyMemory(to, from, Length);
    }
    if (image) {
        RamdiskMarkDirty(Extension, Offset, Length);
        ExReleaseResourceLite(&Extension->ImageLock);
        KeLeaveCriticalRegion();
    }
    return copied;
}

NTSTATUS RamdiskReadWrite(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PRAMDISK_EXTENSION extension = (PRAMDISK_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    const ULONG length = stack->Parameters.Read.Length;
    const LONGLONG offset = stack->Parameters.Read.ByteOffset.QuadPart;
    const BOOLEAN write = stack->MajorFunction == IRP_MJ_WRITE;
    NTSTATUS status = RamdiskCheckTransfer(extension, write, offset, length);
    PUCHAR buffer;

    if (!NT_SUCCESS(status)) {
        return RamdiskCompleteRequest(Irp, status, 0);
    }
    if (length == 0) {
        return RamdiskCompleteRequest(Irp, STATUS_SUCCESS, 0);
    }
    if (!write) {
        /* As in RamdiskFastIoRead: the disk's first line is fetched while the MDL is mapped. */
        PreFetchCacheLine(PF_TEMPORAL_LEVEL_1, extension->Data + offset);
    }
    if (!Irp->MdlAddress || MmGetMdlByteCount(Irp->MdlAddress) < length) {
        /* A kernel-mode sender that did not describe its buffer as this DO_DIRECT_IO device needs. */
        return RamdiskCompleteRequest(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    buffer = (PUCHAR)MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute);
    if (!buffer) {
        return RamdiskCompleteRequest(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    (VOID)RamdiskCopy(extension, write, (ULONGLONG)offset, length, buffer, FALSE);
    return RamdiskCompleteRequest(Irp, STATUS_SUCCESS, length);
}

/* Writes every region dirtied since the last flush back to the image and syncs it. A region whose
 * write-back fails stays dirty for the next flush. PASSIVE_LEVEL. */
NTSTATUS RamdiskFlush(_In_ PRAMDISK_EXTENSION Extension)
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG region;
    int error;

    if (Extension->ImageFd < 0 || Extension->ReadOnly) {
        return STATUS_SUCCESS;
    }
    ExAcquireFastMutex(&Extension->FlushLock);
    for (region = 0; region < Extension->RegionCount; ++region) {
        const ULONGLONG start = (ULONGLONG)region << RAMDISK_REGION_SHIFT;
        ULONGLONG size = Extension->DiskSize - start;
        BOOLEAN dirty;
        if (size > (1ULL << RAMDISK_REGION_SHIFT)) {
            size = 1ULL << RAMDISK_REGION_SHIFT;
        }
        KeEnterCriticalRegion();
        ExAcquireResourceExclusiveLite(&Extension->ImageLock, TRUE);
        dirty = InterlockedExchange(&Extension->Dirty[region], 0) != 0;
        if (dirty) {
            RtlCopyMemory(Extension->Bounce, Extension->Data + start, (SIZE_T)size);
        }
        ExReleaseResourceLite(&Extension->ImageLock);
        KeLeaveCriticalRegion();
        if (!dirty) {
            continue;
        }
        error = RamdiskImageWrite(Extension->ImageFd, Extension->Bounce, size, start);
        if (error) {
            InterlockedExchange(&Extension->Dirty[region], 1);
            status = (NTSTATUS)RamdiskImageStatus(error);
            break;
        }
    }
    if (NT_SUCCESS(status)) {
        error = RamdiskImageSync(Extension->ImageFd);
        if (error) {
            status = (NTSTATUS)RamdiskImageStatus(error);
        }
    }
    ExReleaseFastMutex(&Extension->FlushLock);
    return status;
}

NTSTATUS RamdiskFlushBuffers(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PRAMDISK_EXTENSION extension = (PRAMDISK_EXTENSION)DeviceObject->DeviceExtension;
    return RamdiskCompleteRequest(Irp, RamdiskFlush(extension), 0);
}

static VOID RamdiskRelease(_In_ PRAMDISK_EXTENSION Extension)
{
    if (Extension->ImageFd >= 0) {
        RamdiskImageClose(Extension->ImageFd);
        Extension->ImageFd = -1;
    }
    if (Extension->Dirty) {
        ExFreePoolWithTag((PVOID)Extension->Dirty, RAMDISK_TAG);
        Extension->Dirty = NULL;
    }
    if (Extension->Bounce) {
        ExFreePoolWithTag(Extension->Bounce, RAMDISK_TAG);
        Extension->Bounce = NULL;
    }
    if (Extension->ImageLockReady) {
        ExDeleteResourceLite(&Extension->ImageLock);
        Extension->ImageLockReady = FALSE;
    }
    if (Extension->DataAllocation) {
        ExFreePoolWithTag(Extension->DataAllocation, RAMDISK_TAG);
        Extension->DataAllocation = NULL;
        Extension->Data = NULL;
    }
}

VOID RamdiskUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT device = DriverObject->DeviceObject;
    PRAMDISK_EXTENSION extension = (PRAMDISK_EXTENSION)device->DeviceExtension;
    NTSTATUS status = RamdiskFlush(extension);
    if (!NT_SUCCESS(status)) {
        DbgPrint("ramdisk: writing back the image at unload failed with 0x%08X\n", (ULONG)status);
    }
    IoDeleteSymbolicLink(&extension->LinkName);
    RamdiskRelease(extension);
    IoDeleteDevice(device);
}

/* Allocates the disk and fills it from the image (a shorter image leaves the rest zero; without a
 * DiskSize the image's size is the disk's, and without either the disk has RAMDISK_DEFAULT_SIZE). */
static NTSTATUS RamdiskAllocate(_Inout_ PRAMDISK_EXTENSION Extension, _In_ PRAMDISK_CONFIG Config)
{
    ULONGLONG size = Config->DiskSize;
    int error;

    if (Config->BackingImage[0]) {
        long long imageSize;
        Extension->ImageFd = RamdiskImageOpen(Config->BackingImage, Config->ReadOnly);
        if (Extension->ImageFd < 0) {
            return (NTSTATUS)RamdiskImageStatus(Extension->ImageFd);
        }
        imageSize = RamdiskImageSize(Extension->ImageFd);
        if (imageSize < 0) {
            return (NTSTATUS)RamdiskImageStatus((int)imageSize);
        }
        if (size == 0) {
            size = (ULONGLONG)imageSize;
        }
    }
    if (size == 0) {
        size = RAMDISK_DEFAULT_SIZE;
    }
    if (size == 0 || (size & (Config->SectorSize - 1)) || size > (1ULL << 40)) {
        return STATUS_INVALID_PARAMETER;
    }
    Extension->DiskSize = size;
    Extension->ReadPrefetch = Config->ReadPrefetch != RAMDISK_PREFETCH_AUTO ? Config->ReadPrefetch
                              : size >= RAMDISK_PREFETCH_MIN_DISK           ? RAMDISK_PREFETCH_BYTES
                                                                            : 0;
    /* ExAllocatePool2 zeroes the memory, which also makes every page of the disk resident. The
     * disk starts on a page boundary, so that a sector-aligned transfer touches as few pages and
     * cache lines as the caller's buffer allows. */
    Extension->DataAllocation = ExAllocatePool2(POOL_FLAG_NON_PAGED, (SIZE_T)size + PAGE_SIZE, RAMDISK_TAG);
    if (!Extension->DataAllocation) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Extension->Data = (PUCHAR)(((ULONG_PTR)Extension->DataAllocation + PAGE_SIZE - 1) & ~(ULONG_PTR)(PAGE_SIZE - 1));
    if (Extension->ImageFd >= 0) {
        Extension->RegionCount = (ULONG)((size + (1ULL << RAMDISK_REGION_SHIFT) - 1) >> RAMDISK_REGION_SHIFT);
        Extension->Dirty = (LONG volatile *)ExAllocatePool2(POOL_FLAG_NON_PAGED, Extension->RegionCount * sizeof(LONG),
                                                            RAMDISK_TAG);
        Extension->Bounce = (PUCHAR)ExAllocatePool2(POOL_FLAG_NON_PAGED, 1ULL << RAMDISK_REGION_SHIFT, RAMDISK_TAG);
        if (!Extension->Dirty || !Extension->Bounce) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        ExInitializeResourceLite(&Extension->ImageLock);
        Extension->ImageLockReady = TRUE;
        error = RamdiskImageRead(Extension->ImageFd, Extension->Data, size, 0);
        if (error) {
            return (NTSTATUS)RamdiskImageStatus(error);
        }
    }
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    RAMDISK_CONFIG *config;
    WCHAR nameBuffer[32];
    UNICODE_STRING name;
    PDEVICE_OBJECT device = NULL;
    PRAMDISK_EXTENSION extension;
    NTSTATUS status;

    config = (RAMDISK_CONFIG *)ExAllocatePool2(POOL_FLAG_PAGED, sizeof(RAMDISK_CONFIG), RAMDISK_TAG);
    if (!config) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = RamdiskReadConfig(RegistryPath, config);
    if (!NT_SUCCESS(status)) {
        DbgPrint("ramdisk: bad Parameters (0x%08X)\n", (ULONG)status);
        ExFreePoolWithTag(config, RAMDISK_TAG);
        return status;
    }
    status = RtlStringCchPrintfW(nameBuffer, RTL_NUMBER_OF(nameBuffer), L"\\Device\\Ramdisk%u", config->DiskNumber);
    if (NT_SUCCESS(status)) {
        RtlInitUnicodeString(&name, nameBuffer);
        /* Everyone may read and write the disk, whoever loaded the driver. */
        UNICODE_STRING sddl = RTL_CONSTANT_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R);
        status = IoCreateDeviceSecure(DriverObject, sizeof(RAMDISK_EXTENSION), &name, FILE_DEVICE_DISK,
                                      FILE_DEVICE_SECURE_OPEN, FALSE, &sddl, &RamdiskClassGuid, &device);
    }
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(config, RAMDISK_TAG);
        return status;
    }
    extension = (PRAMDISK_EXTENSION)device->DeviceExtension;
    RtlZeroMemory(extension, sizeof(*extension));
    extension->ImageFd = -1;
    extension->SectorSize = config->SectorSize;
    extension->DiskNumber = config->DiskNumber;
    extension->ReadOnly = config->ReadOnly;
    ExInitializeFastMutex(&extension->FlushLock);
    status = RamdiskAllocate(extension, config);
    if (!NT_SUCCESS(status)) {
        DbgPrint("ramdisk: cannot set up the disk (0x%08X)\n", (ULONG)status);
    }
    ExFreePoolWithTag(config, RAMDISK_TAG);
    if (NT_SUCCESS(status)) {
        status = RtlStringCchPrintfW(extension->LinkBuffer, RTL_NUMBER_OF(extension->LinkBuffer),
                                     L"\\DosDevices\\Ramdisk%u", extension->DiskNumber);
    }
    if (NT_SUCCESS(status)) {
        RtlInitUnicodeString(&extension->LinkName, extension->LinkBuffer);
        status = IoCreateSymbolicLink(&extension->LinkName, &name);
    }
    if (!NT_SUCCESS(status)) {
        RamdiskRelease(extension);
        IoDeleteDevice(device);
        return status;
    }

    device->Flags |= DO_DIRECT_IO;
    device->SectorSize = (USHORT)extension->SectorSize;
    device->AlignmentRequirement = FILE_WORD_ALIGNMENT;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = RamdiskCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = RamdiskCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = RamdiskCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = RamdiskReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = RamdiskReadWrite;
    DriverObject->MajorFunction[IRP_MJ_FLUSH_BUFFERS] = RamdiskFlushBuffers;
    DriverObject->MajorFunction[IRP_MJ_SHUTDOWN] = RamdiskFlushBuffers;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = RamdiskDeviceControl;
    DriverObject->FastIoDispatch = &RamdiskFastIoDispatch;
    DriverObject->DriverUnload = RamdiskUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
