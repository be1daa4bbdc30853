/* The legacy (pre-Plug and Play) configuration routines of <ntddk.h>: IoQueryDeviceDescription over
 * the registry's hardware description, IoReportResourceUsage and IoAssignResources, bus address
 * translation and the system partition. ntio has no legacy buses (docs/nt-deviations.md, "io").
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioquerydevicedescription */
#ifndef NTIO_DDK_IO_LEGACY_CONFIG_H
#define NTIO_DDK_IO_LEGACY_CONFIG_H

#include "io_types.h"
#include "cm_resources.h"
#include "registry.h"

NTIO_BEGIN_DECLS

#ifndef _ARC_DDK_
#define _ARC_DDK_
typedef enum _CONFIGURATION_TYPE {
    ArcSystem,
    CentralProcessor,
    FloatingPointProcessor,
    PrimaryIcache,
    PrimaryDcache,
    SecondaryIcache,
    SecondaryDcache,
    SecondaryCache,
    EisaAdapter,
    TcAdapter,
    ScsiAdapter,
    DtiAdapter,
    MultiFunctionAdapter,
    DiskController,
    TapeController,
    CdromController,
    WormController,
    SerialController,
    NetworkController,
    DisplayController,
    ParallelController,
    PointerController,
    KeyboardController,
    AudioController,
    OtherController,
    DiskPeripheral,
    FloppyDiskPeripheral,
    TapePeripheral,
    ModemPeripheral,
    MonitorPeripheral,
    PrinterPeripheral,
    PointerPeripheral,
    KeyboardPeripheral,
    TerminalPeripheral,
    OtherPeripheral,
    LinePeripheral,
    NetworkPeripheral,
    SystemMemory,
    DockingInformation,
    RealModeIrqRoutingTable,
    RealModePCIEnumeration,
    MaximumType
} CONFIGURATION_TYPE, *PCONFIGURATION_TYPE;
#endif

typedef NTSTATUS(NTAPI *PIO_QUERY_DEVICE_ROUTINE)(
    _In_ PVOID Context, _In_ PUNICODE_STRING PathName, _In_ INTERFACE_TYPE BusType, _In_ ULONG BusNumber,
    _In_ PKEY_VALUE_FULL_INFORMATION *BusInformation, _In_ CONFIGURATION_TYPE ControllerType,
    _In_ ULONG ControllerNumber, _In_ PKEY_VALUE_FULL_INFORMATION *ControllerInformation,
    _In_ CONFIGURATION_TYPE PeripheralType, _In_ ULONG PeripheralNumber,
    _In_ PKEY_VALUE_FULL_INFORMATION *PeripheralInformation);

typedef enum _IO_QUERY_DEVICE_DATA_FORMAT {
    IoQueryDeviceIdentifier = 0,
    IoQueryDeviceConfigurationData,
    IoQueryDeviceComponentInformation,
    IoQueryDeviceMaxData
} IO_QUERY_DEVICE_DATA_FORMAT, *PIO_QUERY_DEVICE_DATA_FORMAT;

/* PASSIVE_LEVEL. Calls CalloutRoutine for each bus (controller, peripheral) that matches; ntio's
 * hardware description holds none: STATUS_OBJECT_NAME_NOT_FOUND without a call. STATUS_INVALID_PARAMETER
 * without a CalloutRoutine or a BusType. */
NTKERNELAPI NTSTATUS NTAPI IoQueryDeviceDescription(_In_opt_ PINTERFACE_TYPE BusType, _In_opt_ PULONG BusNumber,
                                                    _In_opt_ PCONFIGURATION_TYPE ControllerType,
                                                    _In_opt_ PULONG ControllerNumber,
                                                    _In_opt_ PCONFIGURATION_TYPE PeripheralType,
                                                    _In_opt_ PULONG PeripheralNumber,
                                                    _In_ PIO_QUERY_DEVICE_ROUTINE CalloutRoutine,
                                                    _Inout_opt_ PVOID Context);
/* PASSIVE_LEVEL. Claims DriverList for the driver or DeviceList for DeviceObject, as
 * IoReportResourceForDetection does (the same claims conflict); an empty list releases them. */
NTKERNELAPI NTSTATUS NTAPI IoReportResourceUsage(_In_opt_ PUNICODE_STRING DriverClassName,
                                                 _In_ PDRIVER_OBJECT DriverObject,
                                                 _In_opt_ PCM_RESOURCE_LIST DriverList,
                                                 _In_opt_ ULONG DriverListSize, _In_opt_ PDEVICE_OBJECT DeviceObject,
                                                 _In_opt_ PCM_RESOURCE_LIST DeviceList,
                                                 _In_opt_ ULONG DeviceListSize, _In_ BOOLEAN OverrideConflict,
                                                 _Out_ PBOOLEAN ConflictDetected);
/* PASSIVE_LEVEL. Obsolete; no legacy bus arbitrates resources in ntio: STATUS_NOT_SUPPORTED. */
NTKERNELAPI NTSTATUS NTAPI IoAssignResources(_In_ PUNICODE_STRING RegistryPath,
                                             _In_opt_ PUNICODE_STRING DriverClassName,
                                             _In_ PDRIVER_OBJECT DriverObject, _In_opt_ PDEVICE_OBJECT DeviceObject,
                                             _In_opt_ PIO_RESOURCE_REQUIREMENTS_LIST RequestedResources,
                                             _Inout_ PCM_RESOURCE_LIST *AllocatedResources);
/* As HalTranslateBusAddress: FALSE, no bus translates BusAddress. */
NTKERNELAPI BOOLEAN NTAPI IoTranslateBusAddress(_In_ INTERFACE_TYPE InterfaceType, _In_ ULONG BusNumber,
                                                _In_ PHYSICAL_ADDRESS BusAddress, _Inout_ PULONG AddressSpace,
                                                _Out_ PPHYSICAL_ADDRESS TranslatedAddress);
/* PASSIVE_LEVEL. Records VolumeNameString (a volume device object's name) as the system partition:
 * STATUS_OBJECT_NAME_NOT_FOUND when no such object exists. */
NTKERNELAPI NTSTATUS NTAPI IoSetSystemPartition(_In_ PUNICODE_STRING VolumeNameString);

NTIO_END_DECLS

#endif /* NTIO_DDK_IO_LEGACY_CONFIG_H */
