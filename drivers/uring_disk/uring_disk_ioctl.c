/* uring_disk's IRP_MJ_DEVICE_CONTROL: the disk IOCTLs a RAM disk answers (geometry, length,
 * writability, storage properties), each completed at once from the device extension.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntdddisk/
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddstor/ni-ntddstor-ioctl_storage_query_property */
#include "uring_disk.h"

/* A made-up but consistent CHS geometry: 32 sectors per track, 2 tracks per cylinder. */
#define URING_DISK_SECTORS_PER_TRACK 32
#define URING_DISK_TRACKS_PER_CYLINDER 2

static const char UringDiskVendor[] = "ntio";
static const char UringDiskProduct[] = "uring_disk";
static const char UringDiskRevision[] = "1";

static VOID UringDiskGeometry(_In_ PURING_DISK_EXTENSION Ext, _Out_ PDISK_GEOMETRY Geometry)
{
    ULONGLONG cylinderBytes = (ULONGLONG)Ext->SectorSize * URING_DISK_SECTORS_PER_TRACK * URING_DISK_TRACKS_PER_CYLINDER;
    RtlZeroMemory(Geometry, sizeof(*Geometry));
    Geometry->Cylinders.QuadPart = (LONGLONG)(Ext->DiskSize / cylinderBytes);
    Geometry->MediaType = FixedMedia;
    Geometry->TracksPerCylinder = URING_DISK_TRACKS_PER_CYLINDER;
    Geometry->SectorsPerTrack = URING_DISK_SECTORS_PER_TRACK;
    Geometry->BytesPerSector = Ext->SectorSize;
}

/* IOCTL_STORAGE_QUERY_PROPERTY for the device and access-alignment descriptors. A buffer that holds
 * only the header learns the full size from it; a short buffer gets the part that fits. */
static NTSTATUS UringDiskQueryProperty(_In_ PURING_DISK_EXTENSION Ext, _Inout_ PIRP Irp, _In_ ULONG InLength,
                                       _In_ ULONG OutLength, _Out_ PULONG_PTR Information)
{
    PSTORAGE_PROPERTY_QUERY query = (PSTORAGE_PROPERTY_QUERY)Irp->AssociatedIrp.SystemBuffer;
    UCHAR descriptor[sizeof(STORAGE_DEVICE_DESCRIPTOR) + sizeof(UringDiskVendor) + sizeof(UringDiskProduct) +
                     sizeof(UringDiskRevision)];
    ULONG size;

    *Information = 0;
    if (InLength < FIELD_OFFSET(STORAGE_PROPERTY_QUERY, AdditionalParameters)) {
        return STATUS_INVALID_PARAMETER;
    }
    if (query->PropertyId != StorageDeviceProperty && query->PropertyId != StorageAccessAlignmentProperty) {
        return STATUS_NOT_SUPPORTED;
    }
    if (query->QueryType == PropertyExistsQuery) {
        return STATUS_SUCCESS;
    }
    if (query->QueryType != PropertyStandardQuery) {
        return STATUS_INVALID_PARAMETER;
    }
    RtlZeroMemory(descriptor, sizeof(descriptor));
    if (query->PropertyId == StorageDeviceProperty) {
        PSTORAGE_DEVICE_DESCRIPTOR device = (PSTORAGE_DEVICE_DESCRIPTOR)descriptor;
        ULONG at = sizeof(STORAGE_DEVICE_DESCRIPTOR);
        size = sizeof(descriptor);
        device->Version = sizeof(STORAGE_DEVICE_DESCRIPTOR);
        device->Size = size;
        device->DeviceType = 0; /* direct-access block device */
        device->CommandQueueing = TRUE;
        device->BusType = BusTypeVirtual;
        device->VendorIdOffset = at;
        RtlCopyMemory(descriptor + at, UringDiskVendor, sizeof(UringDiskVendor));
        at += sizeof(UringDiskVendor);
        device->ProductIdOffset = at;
        RtlCopyMemory(descriptor + at, UringDiskProduct, sizeof(UringDiskProduct));
        at += sizeof(UringDiskProduct);
        device->ProductRevisionOffset = at;
        RtlCopyMemory(descriptor + at, UringDiskRevision, sizeof(UringDiskRevision));
    } else {
        PSTORAGE_ACCESS_ALIGNMENT_DESCRIPTOR alignment = (PSTORAGE_ACCESS_ALIGNMENT_DESCRIPTOR)descriptor;
        size = sizeof(STORAGE_ACCESS_ALIGNMENT_DESCRIPTOR);
        alignment->Version = size;
        alignment->Size = size;
        alignment->BytesPerCacheLine = 64;
        alignment->BytesPerLogicalSector = Ext->SectorSize;
        alignment->BytesPerPhysicalSector = Ext->SectorSize;
    }
    if (OutLength < sizeof(STORAGE_DESCRIPTOR_HEADER)) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (OutLength < size) {
        size = OutLength;
    }
    RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, descriptor, size);
    *Information = size;
    return STATUS_SUCCESS;
}

NTSTATUS UringDiskDeviceControl(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PURING_DISK_EXTENSION ext = (PURING_DISK_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG inLength = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG outLength = stack->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    ULONG_PTR information = 0;
    NTSTATUS status;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_DISK_GET_DRIVE_GEOMETRY:
        if (outLength < sizeof(DISK_GEOMETRY)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        UringDiskGeometry(ext, (PDISK_GEOMETRY)buffer);
        information = sizeof(DISK_GEOMETRY);
        status = STATUS_SUCCESS;
        break;
    case IOCTL_DISK_GET_DRIVE_GEOMETRY_EX: {
        PDISK_GEOMETRY_EX geometry = (PDISK_GEOMETRY_EX)buffer;
        if (outLength < FIELD_OFFSET(DISK_GEOMETRY_EX, Data)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        UringDiskGeometry(ext, &geometry->Geometry);
        geometry->DiskSize.QuadPart = (LONGLONG)ext->DiskSize;
        information = FIELD_OFFSET(DISK_GEOMETRY_EX, Data);
        status = STATUS_SUCCESS;
        break;
    }
    case IOCTL_DISK_GET_LENGTH_INFO:
        if (outLength < sizeof(GET_LENGTH_INFORMATION)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        ((PGET_LENGTH_INFORMATION)buffer)->Length.QuadPart = (LONGLONG)ext->DiskSize;
        information = sizeof(GET_LENGTH_INFORMATION);
        status = STATUS_SUCCESS;
        break;
    case IOCTL_DISK_IS_WRITABLE:
        status = ext->ReadOnly ? STATUS_MEDIA_WRITE_PROTECTED : STATUS_SUCCESS;
        break;
    case IOCTL_STORAGE_QUERY_PROPERTY:
        status = UringDiskQueryProperty(ext, Irp, inLength, outLength, &information);
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    return UringDiskCompleteRequest(Irp, status, information);
}
