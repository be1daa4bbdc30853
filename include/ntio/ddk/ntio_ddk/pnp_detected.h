/* <ntddk.h> piece: what a legacy (non-PnP) driver reports to the PnP manager: a device it detected
 * (IoReportDetectedDevice), the resources it probed (IoReportResourceForDetection), and the system's
 * device counters drivers read and update themselves (IoGetConfigurationInformation).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioreportdetecteddevice */
#ifndef NTIO_DDK_PNP_DETECTED_H
#define NTIO_DDK_PNP_DETECTED_H

#include "cm_resources.h"
#include "io_types.h"

NTIO_BEGIN_DECLS

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/ns-ntddk-configuration_information
 * Version is sizeof(CONFIGURATION_INFORMATION). */
typedef struct _CONFIGURATION_INFORMATION {
    ULONG DiskCount;
    ULONG FloppyCount;
    ULONG CdRomCount;
    ULONG TapeCount;
    ULONG ScsiPortCount;
    ULONG SerialCount;
    ULONG ParallelCount;
    BOOLEAN AtDiskPrimaryAddressClaimed;
    BOOLEAN AtDiskSecondaryAddressClaimed;
    ULONG Version;
    ULONG MediumChangerCount;
} CONFIGURATION_INFORMATION, *PCONFIGURATION_INFORMATION;
C_ASSERT(FIELD_OFFSET(CONFIGURATION_INFORMATION, AtDiskPrimaryAddressClaimed) == 0x1C);
C_ASSERT(FIELD_OFFSET(CONFIGURATION_INFORMATION, Version) == 0x20);
C_ASSERT(sizeof(CONFIGURATION_INFORMATION) == 0x28);

/* The System's counters: drivers read them and update the ones for the devices they find (nothing
 * else changes them). Any IRQL; the caller synchronizes its updates. */
NTKERNELAPI PCONFIGURATION_INFORMATION NTAPI IoGetConfigurationInformation(VOID);

/* Reports a device the driver found: the PnP manager records it as a root-enumerated device
 * (Enum\Root\<service>\<n>, compatible IDs DETECTED<bus>\<service> and DETECTED\<service>), creates its
 * PDO and returns it in *DeviceObject; the caller attaches its FDO. The device counts as started: no
 * AddDevice and no IRP_MN_START_DEVICE this time; later enumerations configure it like any root device.
 * PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoReportDetectedDevice(PDRIVER_OBJECT DriverObject, INTERFACE_TYPE LegacyBusType,
                                                  ULONG BusNumber, ULONG SlotNumber, PCM_RESOURCE_LIST ResourceList,
                                                  PIO_RESOURCE_REQUIREMENTS_LIST ResourceRequirements,
                                                  BOOLEAN ResourceAssigned, PDEVICE_OBJECT *DeviceObject);
/* Claims the resources a driver probes while detecting (DriverList) or those of a detected device
 * (DeviceObject and DeviceList). *ConflictDetected says whether another claim overlaps. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoReportResourceForDetection(PDRIVER_OBJECT DriverObject, PCM_RESOURCE_LIST DriverList,
                                                        ULONG DriverListSize, PDEVICE_OBJECT DeviceObject,
                                                        PCM_RESOURCE_LIST DeviceList, ULONG DeviceListSize,
                                                        PBOOLEAN ConflictDetected);

NTIO_END_DECLS

#endif /* NTIO_DDK_PNP_DETECTED_H */
