/* The boot and system disk of <wdm.h>: IoGetBootDiskInformation(Lite). ntio starts from no disk
 * (docs/nt-deviations.md, "io: partition tables").
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetbootdiskinformation */
#ifndef NTIO_DDK_IO_BOOT_DISK_H
#define NTIO_DDK_IO_BOOT_DISK_H

#include "basetypes.h"
#include "sal.h"

NTIO_BEGIN_DECLS

typedef struct _BOOTDISK_INFORMATION {
    LONGLONG BootPartitionOffset;
    LONGLONG SystemPartitionOffset;
    ULONG BootDeviceSignature;
    ULONG SystemDeviceSignature;
} BOOTDISK_INFORMATION, *PBOOTDISK_INFORMATION;

typedef struct _BOOTDISK_INFORMATION_EX {
    LONGLONG BootPartitionOffset;
    LONGLONG SystemPartitionOffset;
    ULONG BootDeviceSignature;
    ULONG SystemDeviceSignature;
    GUID BootDeviceGuid;
    GUID SystemDeviceGuid;
    BOOLEAN BootDeviceIsGpt;
    BOOLEAN SystemDeviceIsGpt;
} BOOTDISK_INFORMATION_EX, *PBOOTDISK_INFORMATION_EX;

typedef struct _LOADER_PARTITION_INFORMATION_EX {
    ULONG PartitionStyle;
    ULONG PartitionNumber;
    union {
        ULONG Signature;
        GUID DeviceId;
    };
    ULONG Flags;
} LOADER_PARTITION_INFORMATION_EX, *PLOADER_PARTITION_INFORMATION_EX;

typedef struct _BOOTDISK_INFORMATION_LITE {
    ULONG NumberEntries;
    LOADER_PARTITION_INFORMATION_EX Entries[1];
} BOOTDISK_INFORMATION_LITE, *PBOOTDISK_INFORMATION_LITE;

/* PASSIVE_LEVEL. STATUS_INVALID_PARAMETER for a Size below sizeof(BOOTDISK_INFORMATION); otherwise
 * the boot loader's record is gone, as after boot-driver reinitialization: STATUS_TOO_LATE. */
NTKERNELAPI NTSTATUS NTAPI IoGetBootDiskInformation(_Inout_ PBOOTDISK_INFORMATION BootDiskInformation,
                                                    _In_ ULONG Size);
/* PASSIVE_LEVEL. STATUS_TOO_LATE as above; *BootDiskInformation is left alone. */
NTKERNELAPI NTSTATUS NTAPI IoGetBootDiskInformationLite(_Out_ PBOOTDISK_INFORMATION_LITE *BootDiskInformation);

NTIO_END_DECLS

#endif /* NTIO_DDK_IO_BOOT_DISK_H */
