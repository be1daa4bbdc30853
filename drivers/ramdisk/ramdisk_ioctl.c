/* ramdisk.sys device control: the disk and storage IOCTLs a disk answers (geometry, length,
 * writability, storage properties, device number, verify). All METHOD_BUFFERED: the reply goes into
 * the system buffer and Information says how much of it the caller gets. A buffer smaller than the
 * fixed structure fails with STATUS_BUFFER_TOO_SMALL and nothing copied (NT fact J6). */
#include "ramdisk.h"

static const CHAR RamdiskVendorId[] = "ntio";
static const CHAR RamdiskProductId[] = "RAM disk";
static const CHAR RamdiskRevision[] = "1.0";

/* One track per cylinder and one sector per track: Cylinders x BytesPerSector is exactly the size. */
static VOID RamdiskGeometry(_In_ PRAMDISK_EXTENSION Extension, _Out_ PDISK_GEOMETRY Geometry)
{
    Geometry->Cylinders.QuadPart = (LONGLONG)(Extension->DiskSize / Extension->SectorSize);
    Geometry->MediaType = FixedMedia;
    Geometry->TracksPerCylinder = 1;
    Geometry->SectorsPerTrack = 1;
    Geometry->BytesPerSector = Extension->SectorSize;
}

/* StorageDeviceProperty: the descriptor followed by the vendor, product and revision strings. The
 * caller may ask for just the header to learn Size; it gets as much as fits. */
static NTSTATUS RamdiskDeviceDescriptor(_In_ PVOID Buffer, _In_ ULONG OutputLength, _Out_ PULONG_PTR Information)
{
    UCHAR full[sizeof(STORAGE_DEVICE_DESCRIPTOR) + sizeof(RamdiskVendorId) + sizeof(RamdiskProductId) +
               sizeof(RamdiskRevision)];
    PSTORAGE_DEVICE_DESCRIPTOR descriptor = (PSTORAGE_DEVICE_DESCRIPTOR)full;
    ULONG offset = FIELD_OFFSET(STORAGE_DEVICE_DESCRIPTOR, RawDeviceProperties);

    RtlZeroMemory(full, sizeof(full));
    descriptor->Version = sizeof(STORAGE_DEVICE_DESCRIPTOR);
    descriptor->DeviceType = 0; /* direct-access block device (SCSI peripheral type 0) */
    descriptor->RemovableMedia = FALSE;
    descriptor->CommandQueueing = FALSE;
    descriptor->BusType = BusTypeVirtual;
    descriptor->RawPropertiesLength = 0;
    descriptor->VendorIdOffset = offset;
    RtlCopyMemory(full + offset, RamdiskVendorId, sizeof(RamdiskVendorId));
    offset += sizeof(RamdiskVendorId);
    descriptor->ProductIdOffset = offset;
    RtlCopyMemory(full + offset, RamdiskProductId, sizeof(RamdiskProductId));
    offset += sizeof(RamdiskProductId);
    descriptor->ProductRevisionOffset = offset;
    RtlCopyMemory(full + offset, RamdiskRevision, sizeof(RamdiskRevision));
    offset += sizeof(RamdiskRevision);
    descriptor->SerialNumberOffset = 0;
    descriptor->Size = offset;

    *Information = OutputLength < offset ? OutputLength : offset;
    RtlCopyMemory(Buffer, full, *Information);
    return STATUS_SUCCESS;
}

static NTSTATUS RamdiskAlignmentDescriptor(_In_ PRAMDISK_EXTENSION Extension, _In_ PVOID Buffer,
                                           _In_ ULONG OutputLength, _Out_ PULONG_PTR Information)
{
    STORAGE_ACCESS_ALIGNMENT_DESCRIPTOR descriptor;
    RtlZeroMemory(&descriptor, sizeof(descriptor));
    descriptor.Version = sizeof(descriptor);
    descriptor.Size = sizeof(descriptor);
    descriptor.BytesPerCacheLine = 64;
    descriptor.BytesOffsetForCacheAlignment = 0;
    descriptor.BytesPerLogicalSector = Extension->SectorSize;
    descriptor.BytesPerPhysicalSector = Extension->SectorSize;
    descriptor.BytesOffsetForSectorAlignment = 0;
    *Information = OutputLength < sizeof(descriptor) ? OutputLength : sizeof(descriptor);
    RtlCopyMemory(Buffer, &descriptor, *Information);
    return STATUS_SUCCESS;
}

/* IOCTL_STORAGE_QUERY_PROPERTY: PropertyExistsQuery answers success for the properties this disk
 * has and STATUS_NOT_SUPPORTED for the rest; PropertyStandardQuery returns the descriptor
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddstor/ni-ntddstor-ioctl_storage_query_property). */
static NTSTATUS RamdiskQueryProperty(_In_ PRAMDISK_EXTENSION Extension, _Inout_ PIRP Irp, _In_ PIO_STACK_LOCATION Stack,
                                     _Out_ PULONG_PTR Information)
{
    PSTORAGE_PROPERTY_QUERY query = (PSTORAGE_PROPERTY_QUERY)Irp->AssociatedIrp.SystemBuffer;
    const ULONG outputLength = Stack->Parameters.DeviceIoControl.OutputBufferLength;
    STORAGE_PROPERTY_ID property;
    STORAGE_QUERY_TYPE type;
    BOOLEAN supported;

    *Information = 0;
    if (Stack->Parameters.DeviceIoControl.InputBufferLength <
        FIELD_OFFSET(STORAGE_PROPERTY_QUERY, AdditionalParameters)) {
        return STATUS_INVALID_PARAMETER;
    }
    property = query->PropertyId;
    type = query->QueryType;
    supported = property == StorageDeviceProperty || property == StorageAccessAlignmentProperty;
    if (type == PropertyExistsQuery) {
        return supported ? STATUS_SUCCESS : STATUS_NOT_SUPPORTED;
    }
    if (type != PropertyStandardQuery) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!supported) {
        return STATUS_NOT_SUPPORTED;
    }
    if (outputLength < sizeof(STORAGE_DESCRIPTOR_HEADER)) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    /* The query and the reply share the system buffer: the query was read above. */
    if (property == StorageDeviceProperty) {
        return RamdiskDeviceDescriptor(query, outputLength, Information);
    }
    return RamdiskAlignmentDescriptor(Extension, query, outputLength, Information);
}

NTSTATUS RamdiskDeviceControl(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PRAMDISK_EXTENSION extension = (PRAMDISK_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    const ULONG outputLength = stack->Parameters.DeviceIoControl.OutputBufferLength;
    const ULONG inputLength = stack->Parameters.DeviceIoControl.InputBufferLength;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    ULONG_PTR information = 0;
    NTSTATUS status;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_DISK_GET_DRIVE_GEOMETRY:
        if (outputLength < sizeof(DISK_GEOMETRY)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        RamdiskGeometry(extension, (PDISK_GEOMETRY)buffer);
        information = sizeof(DISK_GEOMETRY);
        status = STATUS_SUCCESS;
        break;

    case IOCTL_DISK_GET_DRIVE_GEOMETRY_EX: {
        /* NT deviation: geometry and size only; a Windows disk appends DISK_PARTITION_INFO and
         * DISK_DETECTION_INFO in Data, which this disk (no partition table, no BIOS) does not have. */
        PDISK_GEOMETRY_EX geometry = (PDISK_GEOMETRY_EX)buffer;
        if (outputLength < FIELD_OFFSET(DISK_GEOMETRY_EX, Data)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        RamdiskGeometry(extension, &geometry->Geometry);
        geometry->DiskSize.QuadPart = (LONGLONG)extension->DiskSize;
        information = FIELD_OFFSET(DISK_GEOMETRY_EX, Data);
        status = STATUS_SUCCESS;
        break;
    }

    case IOCTL_DISK_GET_LENGTH_INFO:
        if (outputLength < sizeof(GET_LENGTH_INFORMATION)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        ((PGET_LENGTH_INFORMATION)buffer)->Length.QuadPart = (LONGLONG)extension->DiskSize;
        information = sizeof(GET_LENGTH_INFORMATION);
        status = STATUS_SUCCESS;
        break;

    case IOCTL_DISK_IS_WRITABLE:
        status = extension->ReadOnly ? STATUS_MEDIA_WRITE_PROTECTED : STATUS_SUCCESS;
        break;

    case IOCTL_DISK_CHECK_VERIFY:
    case IOCTL_STORAGE_CHECK_VERIFY:
    case IOCTL_STORAGE_CHECK_VERIFY2:
        /* Fixed media never changes; a ULONG change count is returned when there is room for it. */
        if (outputLength >= sizeof(ULONG)) {
            *(PULONG)buffer = 0;
            information = sizeof(ULONG);
        }
        status = STATUS_SUCCESS;
        break;

    case IOCTL_DISK_VERIFY: {
        PVERIFY_INFORMATION verify = (PVERIFY_INFORMATION)buffer;
        if (inputLength < sizeof(VERIFY_INFORMATION)) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        status = verify->StartingOffset.QuadPart >= 0 &&
                         (ULONGLONG)verify->StartingOffset.QuadPart <= extension->DiskSize &&
                         verify->Length <= extension->DiskSize - (ULONGLONG)verify->StartingOffset.QuadPart
                     ? STATUS_SUCCESS
                     : STATUS_INVALID_PARAMETER;
        break;
    }

    case IOCTL_STORAGE_GET_DEVICE_NUMBER:
        if (outputLength < sizeof(STORAGE_DEVICE_NUMBER)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        ((PSTORAGE_DEVICE_NUMBER)buffer)->DeviceType = FILE_DEVICE_DISK;
        ((PSTORAGE_DEVICE_NUMBER)buffer)->DeviceNumber = extension->DiskNumber;
        ((PSTORAGE_DEVICE_NUMBER)buffer)->PartitionNumber = (ULONG)-1; /* not partitionable */
        information = sizeof(STORAGE_DEVICE_NUMBER);
        status = STATUS_SUCCESS;
        break;

    case IOCTL_STORAGE_QUERY_PROPERTY:
        status = RamdiskQueryProperty(extension, Irp, stack, &information);
        break;

    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    return RamdiskCompleteRequest(Irp, status, information);
}
