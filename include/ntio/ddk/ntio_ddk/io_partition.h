/* The I/O manager's partition table routines (ntddk.h), which disk drivers call to read and write a
 * disk's MBR or GPT through IRPs to the disk's device object, and DISK_SIGNATURE.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioreadpartitiontableex */
#ifndef NTIO_DDK_IO_PARTITION_H
#define NTIO_DDK_IO_PARTITION_H

#include "io_types.h"
#include "../ntdddisk.h"

NTIO_BEGIN_DECLS

typedef struct _DISK_SIGNATURE {
    ULONG PartitionStyle;
    union {
        struct {
            ULONG Signature;
            ULONG CheckSum;
        } Mbr;
        struct {
            GUID DiskId;
        } Gpt;
    };
} DISK_SIGNATURE, *PDISK_SIGNATURE;

/* All PASSIVE_LEVEL; the buffers the Read routines return come from nonpaged pool and the caller
 * frees them with ExFreePool. */
NTKERNELAPI NTSTATUS FASTCALL IoReadPartitionTable(_In_ PDEVICE_OBJECT DeviceObject, _In_ ULONG SectorSize,
                                                   _In_ BOOLEAN ReturnRecognizedPartitions,
                                                   _Out_ struct _DRIVE_LAYOUT_INFORMATION** PartitionBuffer);
NTKERNELAPI NTSTATUS FASTCALL IoSetPartitionInformation(_In_ PDEVICE_OBJECT DeviceObject, _In_ ULONG SectorSize,
                                                        _In_ ULONG PartitionNumber, _In_ ULONG PartitionType);
NTKERNELAPI NTSTATUS FASTCALL IoWritePartitionTable(_In_ PDEVICE_OBJECT DeviceObject, _In_ ULONG SectorSize,
                                                    _In_ ULONG SectorsPerTrack, _In_ ULONG NumberOfHeads,
                                                    _In_ struct _DRIVE_LAYOUT_INFORMATION* PartitionBuffer);
NTKERNELAPI NTSTATUS NTAPI IoCreateDisk(_In_ PDEVICE_OBJECT DeviceObject, _In_opt_ struct _CREATE_DISK* Disk);
NTKERNELAPI NTSTATUS NTAPI IoReadPartitionTableEx(_In_ PDEVICE_OBJECT DeviceObject,
                                                  _Out_ struct _DRIVE_LAYOUT_INFORMATION_EX** DriveLayout);
NTKERNELAPI NTSTATUS NTAPI IoWritePartitionTableEx(_In_ PDEVICE_OBJECT DeviceObject,
                                                   _In_ struct _DRIVE_LAYOUT_INFORMATION_EX* DriveLayout);
NTKERNELAPI NTSTATUS NTAPI IoSetPartitionInformationEx(_In_ PDEVICE_OBJECT DeviceObject, _In_ ULONG PartitionNumber,
                                                       _In_ struct _SET_PARTITION_INFORMATION_EX* PartitionInfo);
NTKERNELAPI NTSTATUS NTAPI IoReadDiskSignature(_In_ PDEVICE_OBJECT DeviceObject, _In_ ULONG BytesPerSector,
                                               _Out_ PDISK_SIGNATURE Signature);
NTKERNELAPI NTSTATUS NTAPI IoVerifyPartitionTable(_In_ PDEVICE_OBJECT DeviceObject, _In_ BOOLEAN FixErrors);

NTIO_END_DECLS

#endif /* NTIO_DDK_IO_PARTITION_H */
