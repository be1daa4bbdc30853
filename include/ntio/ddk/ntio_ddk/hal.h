/* The hardware abstraction layer's routines of <ntddk.h>: legacy DMA adapters (HalGetAdapter and the
 * calls over an adapter), bus configuration data, bus addresses and interrupt vectors, the HAL
 * dispatch table (HalQuerySystemInformation, the partition routines, bus handlers), the beep, the
 * display, hardware counters and HalBugCheckSystem. ntio has no buses and no firmware: each routine
 * answers as Windows does for a bus or device that is absent (docs/nt-deviations.md, "hal").
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/ */
#ifndef NTIO_DDK_HAL_H
#define NTIO_DDK_HAL_H

#include "io_types.h"
#include "cm_resources.h"
#include "dma.h"
#include "ke.h"
#include "../ntdddisk.h"

NTIO_BEGIN_DECLS

typedef enum _BUS_DATA_TYPE {
    ConfigurationSpaceUndefined = -1,
    Cmos,
    EisaConfiguration,
    Pos,
    CbusConfiguration,
    PCIConfiguration,
    VMEConfiguration,
    NuBusConfiguration,
    PCMCIAConfiguration,
    MPIConfiguration,
    MPSAConfiguration,
    PNPISAConfiguration,
    SgiInternalConfiguration,
    MaximumBusDataType
} BUS_DATA_TYPE, *PBUS_DATA_TYPE;

typedef struct _BUS_HANDLER *PBUS_HANDLER;
struct _LOADER_PARAMETER_BLOCK;
struct _TRANSLATOR_INTERFACE;

typedef BOOLEAN(NTAPI *PHAL_RESET_DISPLAY_PARAMETERS)(ULONG Columns, ULONG Rows);

typedef enum _HAL_QUERY_INFORMATION_CLASS {
    HalInstalledBusInformation,
    HalProfileSourceInformation,
    HalInformationClassUnused1,
    HalPowerInformation,
    HalProcessorSpeedInformation,
    HalCallbackInformation,
    HalMapRegisterInformation,
    HalMcaLogInformation,
    HalFrameBufferCachingInformation,
    HalDisplayBiosInformation,
    HalProcessorFeatureInformation,
    HalNumaTopologyInterface,
    HalErrorInformation,
    HalCmcLogInformation,
    HalCpeLogInformation,
    HalQueryMcaInterface,
    HalQueryAMLIIllegalIOPortAddresses,
    HalQueryMaxHotPlugMemoryAddress,
    HalPartitionIpiInterface,
    HalPlatformInformation,
    HalQueryProfileSourceList,
    HalInitLogInformation,
    HalFrequencyInformation,
    HalProcessorBrandString,
    HalHypervisorInformation,
    HalPlatformTimerInformation,
    HalAcpiAuditInformation
} HAL_QUERY_INFORMATION_CLASS, *PHAL_QUERY_INFORMATION_CLASS;

typedef enum _HAL_SET_INFORMATION_CLASS {
    HalProfileSourceInterval,
    HalProfileSourceInterruptHandler,
    HalMcaRegisterDriver,
    HalKernelErrorHandler,
    HalCmcRegisterDriver,
    HalCpeRegisterDriver,
    HalMcaLog,
    HalCmcLog,
    HalCpeLog,
    HalGenerateCmcInterrupt,
    HalProfileSourceTimerHandler,
    HalEnlightenment,
    HalProfileDpgoSourceInterruptHandler
} HAL_SET_INFORMATION_CLASS, *PHAL_SET_INFORMATION_CLASS;

typedef struct _PM_DISPATCH_TABLE {
    ULONG Signature;
    ULONG Version;
    PVOID Function[1];
} PM_DISPATCH_TABLE, *PPM_DISPATCH_TABLE;

typedef NTSTATUS(NTAPI *pHalQuerySystemInformation)(HAL_QUERY_INFORMATION_CLASS InformationClass, ULONG BufferSize,
                                                     PVOID Buffer, PULONG ReturnedLength);
typedef NTSTATUS(NTAPI *pHalSetSystemInformation)(HAL_SET_INFORMATION_CLASS InformationClass, ULONG BufferSize,
                                                   PVOID Buffer);
typedef NTSTATUS(NTAPI *pHalQueryBusSlots)(PBUS_HANDLER BusHandler, ULONG BufferSize, PULONG SlotNumbers,
                                            PULONG ReturnedLength);
typedef VOID(FASTCALL *pHalExamineMBR)(PDEVICE_OBJECT DeviceObject, ULONG SectorSize, ULONG MBRTypeIdentifier,
                                        PVOID *Buffer);
typedef VOID(FASTCALL *pHalIoAssignDriveLetters)(struct _LOADER_PARAMETER_BLOCK *LoaderBlock, PSTRING NtDeviceName,
                                                  PUCHAR NtSystemPath, PSTRING NtSystemPathString);
typedef NTSTATUS(FASTCALL *pHalIoReadPartitionTable)(PDEVICE_OBJECT DeviceObject, ULONG SectorSize,
                                                      BOOLEAN ReturnRecognizedPartitions,
                                                      struct _DRIVE_LAYOUT_INFORMATION **PartitionBuffer);
typedef NTSTATUS(FASTCALL *pHalIoSetPartitionInformation)(PDEVICE_OBJECT DeviceObject, ULONG SectorSize,
                                                           ULONG PartitionNumber, ULONG PartitionType);
typedef NTSTATUS(FASTCALL *pHalIoWritePartitionTable)(PDEVICE_OBJECT DeviceObject, ULONG SectorSize,
                                                       ULONG SectorsPerTrack, ULONG NumberOfHeads,
                                                       struct _DRIVE_LAYOUT_INFORMATION *PartitionBuffer);
typedef PBUS_HANDLER(FASTCALL *pHalHandlerForBus)(INTERFACE_TYPE InterfaceType, ULONG BusNumber);
typedef VOID(FASTCALL *pHalReferenceBusHandler)(PBUS_HANDLER BusHandler);
typedef NTSTATUS(NTAPI *pHalInitPnpDriver)(VOID);
typedef NTSTATUS(NTAPI *pHalInitPowerManagement)(PPM_DISPATCH_TABLE PmDriverDispatchTable,
                                                  PPM_DISPATCH_TABLE *PmHalDispatchTable);
typedef struct _DMA_ADAPTER *(NTAPI *pHalGetDmaAdapter)(PVOID Context, struct _DEVICE_DESCRIPTION *DeviceDescriptor,
                                                        PULONG NumberOfMapRegisters);
typedef NTSTATUS(NTAPI *pHalGetInterruptTranslator)(INTERFACE_TYPE ParentInterfaceType, ULONG ParentBusNumber,
                                                     INTERFACE_TYPE BridgeInterfaceType, USHORT Size, USHORT Version,
                                                     struct _TRANSLATOR_INTERFACE *Translator,
                                                     PULONG BridgeBusNumber);
typedef NTSTATUS(NTAPI *pHalStartMirroring)(VOID);
typedef NTSTATUS(NTAPI *pHalEndMirroring)(ULONG PassNumber);
typedef NTSTATUS(NTAPI *pHalMirrorPhysicalMemory)(PHYSICAL_ADDRESS PhysicalAddress, LARGE_INTEGER NumberOfBytes);
typedef VOID(NTAPI *pHalEndOfBoot)(VOID);
typedef NTSTATUS(NTAPI *pHalMirrorVerify)(PHYSICAL_ADDRESS PhysicalAddress, LARGE_INTEGER NumberOfBytes);
typedef PVOID(NTAPI *pHalGetAcpiTable)(ULONG Signature, PCSTR OemId, PCSTR OemTableId);
typedef VOID(NTAPI *PCI_ERROR_HANDLER_CALLBACK)(VOID);
typedef VOID(NTAPI *pHalSetPciErrorHandlerCallback)(PCI_ERROR_HANDLER_CALLBACK Callback);

#define HAL_DISPATCH_VERSION 3

typedef struct {
    ULONG Version;
    pHalQuerySystemInformation HalQuerySystemInformation;
    pHalSetSystemInformation HalSetSystemInformation;
    pHalQueryBusSlots HalQueryBusSlots;
    ULONG Spare1;
    pHalExamineMBR HalExamineMBR;
    pHalIoAssignDriveLetters HalIoAssignDriveLetters;
    pHalIoReadPartitionTable HalIoReadPartitionTable;
    pHalIoSetPartitionInformation HalIoSetPartitionInformation;
    pHalIoWritePartitionTable HalIoWritePartitionTable;
    pHalHandlerForBus HalReferenceHandlerForBus;
    pHalReferenceBusHandler HalReferenceBusHandler;
    pHalReferenceBusHandler HalDereferenceBusHandler;
    pHalInitPnpDriver HalInitPnpDriver;
    pHalInitPowerManagement HalInitPowerManagement;
    pHalGetDmaAdapter HalGetDmaAdapter;
    pHalGetInterruptTranslator HalGetInterruptTranslator;
    pHalStartMirroring HalStartMirroring;
    pHalEndMirroring HalEndMirroring;
    pHalMirrorPhysicalMemory HalMirrorPhysicalMemory;
    pHalEndOfBoot HalEndOfBoot;
    pHalMirrorVerify HalMirrorVerify;
    pHalGetAcpiTable HalGetCachedAcpiTable;
    pHalSetPciErrorHandlerCallback HalSetPciErrorHandlerCallback;
} HAL_DISPATCH, *PHAL_DISPATCH;

/* The kernel exports the table; a driver reaches it through a pointer, as the WDK's ntddk.h has it. */
extern NTKERNELAPI PHAL_DISPATCH HalDispatchTable;
#define HALDISPATCH HalDispatchTable
#define HalDispatchTableVersion HALDISPATCH->Version
#define HalQuerySystemInformation HALDISPATCH->HalQuerySystemInformation
#define HalSetSystemInformation HALDISPATCH->HalSetSystemInformation
#define HalQueryBusSlots HALDISPATCH->HalQueryBusSlots
#define HalIoAssignDriveLetters HALDISPATCH->HalIoAssignDriveLetters
#define HalIoReadPartitionTable HALDISPATCH->HalIoReadPartitionTable
#define HalIoSetPartitionInformation HALDISPATCH->HalIoSetPartitionInformation
#define HalIoWritePartitionTable HALDISPATCH->HalIoWritePartitionTable
#define HalReferenceHandlerForBus HALDISPATCH->HalReferenceHandlerForBus
#define HalReferenceBusHandler HALDISPATCH->HalReferenceBusHandler
#define HalDereferenceBusHandler HALDISPATCH->HalDereferenceBusHandler
#define HalInitPnpDriver HALDISPATCH->HalInitPnpDriver
#define HalInitPowerManagement HALDISPATCH->HalInitPowerManagement
#define HalGetDmaAdapter HALDISPATCH->HalGetDmaAdapter
#define HalGetInterruptTranslator HALDISPATCH->HalGetInterruptTranslator
#define HalStartMirroring HALDISPATCH->HalStartMirroring
#define HalEndMirroring HALDISPATCH->HalEndMirroring
#define HalMirrorPhysicalMemory HALDISPATCH->HalMirrorPhysicalMemory
#define HalEndOfBoot HALDISPATCH->HalEndOfBoot
#define HalMirrorVerify HALDISPATCH->HalMirrorVerify
#define HalGetCachedAcpiTable HALDISPATCH->HalGetCachedAcpiTable
#define HalSetPciErrorHandlerCallback HALDISPATCH->HalSetPciErrorHandlerCallback

/* ---- Legacy DMA adapters (IRQL as IoGetDmaAdapter and the DMA_OPERATIONS they call) ---- */
/* PASSIVE_LEVEL. IoGetDmaAdapter without a physical device object; freed with HalPutDmaAdapter. */
NTHALAPI PADAPTER_OBJECT NTAPI HalGetAdapter(_In_ PDEVICE_DESCRIPTION DeviceDescription,
                                             _Out_ PULONG NumberOfMapRegisters);
NTHALAPI VOID NTAPI HalPutDmaAdapter(_In_ PADAPTER_OBJECT DmaAdapter);
/* DISPATCH_LEVEL. AllocateAdapterChannel for Wcb->DeviceObject with Wcb->DeviceContext as context. */
NTHALAPI NTSTATUS NTAPI HalAllocateAdapterChannel(_In_ PADAPTER_OBJECT AdapterObject, _In_ PWAIT_CONTEXT_BLOCK Wcb,
                                                  _In_ ULONG NumberOfMapRegisters,
                                                  _In_ PDRIVER_CONTROL ExecutionRoutine);
NTHALAPI NTSTATUS NTAPI HalGetScatterGatherList(_In_ PADAPTER_OBJECT DmaAdapter, _In_ PDEVICE_OBJECT DeviceObject,
                                                _In_ PMDL Mdl, _In_ PVOID CurrentVa, _In_ ULONG Length,
                                                _In_ PDRIVER_LIST_CONTROL ExecutionRoutine, _In_ PVOID Context,
                                                _In_ BOOLEAN WriteToDevice);
NTHALAPI VOID NTAPI HalPutScatterGatherList(_In_ PADAPTER_OBJECT DmaAdapter,
                                            _In_ PSCATTER_GATHER_LIST ScatterGather, _In_ BOOLEAN WriteToDevice);
/* x64 keeps DMA buffers coherent with the processor caches: no alignment beyond a byte. */
#define HalGetDmaAlignmentRequirement() 1L

/* ---- Buses: ntio has none ---- */
/* PASSIVE_LEVEL. 0 bytes: no bus of any BusDataType exists. */
NTHALAPI ULONG NTAPI HalGetBusData(_In_ BUS_DATA_TYPE BusDataType, _In_ ULONG BusNumber, _In_ ULONG SlotNumber,
                                   _Out_ PVOID Buffer, _In_ ULONG Length);
NTHALAPI ULONG NTAPI HalGetBusDataByOffset(_In_ BUS_DATA_TYPE BusDataType, _In_ ULONG BusNumber,
                                           _In_ ULONG SlotNumber, _Out_ PVOID Buffer, _In_ ULONG Offset,
                                           _In_ ULONG Length);
NTHALAPI ULONG NTAPI HalSetBusData(_In_ BUS_DATA_TYPE BusDataType, _In_ ULONG BusNumber, _In_ ULONG SlotNumber,
                                   _In_ PVOID Buffer, _In_ ULONG Length);
NTHALAPI ULONG NTAPI HalSetBusDataByOffset(_In_ BUS_DATA_TYPE BusDataType, _In_ ULONG BusNumber,
                                           _In_ ULONG SlotNumber, _In_ PVOID Buffer, _In_ ULONG Offset,
                                           _In_ ULONG Length);
/* PASSIVE_LEVEL. STATUS_NO_SUCH_DEVICE: no bus BusType/BusNumber exists to hold SlotNumber. */
NTHALAPI NTSTATUS NTAPI HalAssignSlotResources(_In_ PUNICODE_STRING RegistryPath,
                                               _In_opt_ PUNICODE_STRING DriverClassName,
                                               _In_ PDRIVER_OBJECT DriverObject, _In_ PDEVICE_OBJECT DeviceObject,
                                               _In_ INTERFACE_TYPE BusType, _In_ ULONG BusNumber,
                                               _In_ ULONG SlotNumber,
                                               _Inout_ PCM_RESOURCE_LIST *AllocatedResources);
/* Any IRQL. FALSE: no bus translates BusAddress. */
NTHALAPI BOOLEAN NTAPI HalTranslateBusAddress(_In_ INTERFACE_TYPE InterfaceType, _In_ ULONG BusNumber,
                                              _In_ PHYSICAL_ADDRESS BusAddress, _Inout_ PULONG AddressSpace,
                                              _Out_ PPHYSICAL_ADDRESS TranslatedAddress);
/* PASSIVE_LEVEL. 0: no bus maps BusInterruptLevel/BusInterruptVector to a system vector. */
NTHALAPI ULONG NTAPI HalGetInterruptVector(_In_ INTERFACE_TYPE InterfaceType, _In_ ULONG BusNumber,
                                           _In_ ULONG BusInterruptLevel, _In_ ULONG BusInterruptVector,
                                           _Out_ PKIRQL Irql, _Out_ PKAFFINITY Affinity);

/* ---- Disks: the partition routines the dispatch table holds ---- */
/* PASSIVE_LEVEL. *Buffer gets sector 0 (from nonpaged pool; the caller frees it with ExFreePool) when
 * its boot signature is there and its first partition has type MBRTypeIdentifier, else NULL. */
NTKERNELAPI VOID FASTCALL HalExamineMBR(_In_ PDEVICE_OBJECT DeviceObject, _In_ ULONG SectorSize,
                                        _In_ ULONG MBRTypeIdentifier, _Out_ PVOID *Buffer);

/* ---- The rest ---- */
/* Any IRQL. FALSE: no speaker. */
NTHALAPI BOOLEAN NTAPI HalMakeBeep(_In_ ULONG Frequency);
/* Records the routine the HAL would call to reset the display after a bugcheck; ntio has no display. */
NTHALAPI VOID NTAPI HalAcquireDisplayOwnership(_In_ PHAL_RESET_DISPLAY_PARAMETERS ResetDisplayParameters);

typedef enum _PHYSICAL_COUNTER_RESOURCE_DESCRIPTOR_TYPE {
    ResourceTypeSingle = 0,
    ResourceTypeRange,
    ResourceTypeExtendedCounterConfiguration,
    ResourceTypeOverflow,
    ResourceTypeMax
} PHYSICAL_COUNTER_RESOURCE_DESCRIPTOR_TYPE;

typedef struct _PHYSICAL_COUNTER_RESOURCE_DESCRIPTOR {
    PHYSICAL_COUNTER_RESOURCE_DESCRIPTOR_TYPE Type;
    ULONG Flags;
    union {
        ULONG CounterIndex;
        ULONG ExtendedRegisterAddress;
        struct {
            ULONG Begin;
            ULONG End;
        } Range;
    } u;
} PHYSICAL_COUNTER_RESOURCE_DESCRIPTOR, *PPHYSICAL_COUNTER_RESOURCE_DESCRIPTOR;

typedef struct _PHYSICAL_COUNTER_RESOURCE_LIST {
    ULONG Count;
    PHYSICAL_COUNTER_RESOURCE_DESCRIPTOR Descriptors[ANYSIZE_ARRAY];
} PHYSICAL_COUNTER_RESOURCE_LIST, *PPHYSICAL_COUNTER_RESOURCE_LIST;

/* PASSIVE_LEVEL. STATUS_NOT_IMPLEMENTED: ntio has no performance monitoring unit (as
 * KeSetHardwareCounterConfiguration). */
NTHALAPI NTSTATUS NTAPI HalAllocateHardwareCounters(_In_reads_opt_(GroupCount) PGROUP_AFFINITY GroupAffinty,
                                                    _In_ ULONG GroupCount,
                                                    _In_opt_ PPHYSICAL_COUNTER_RESOURCE_LIST ResourceList,
                                                    _Out_ PHANDLE CounterSetHandle);
NTHALAPI NTSTATUS NTAPI HalFreeHardwareCounters(_In_ HANDLE CounterSetHandle);

typedef struct _WHEA_ERROR_SOURCE_DESCRIPTOR *PWHEA_ERROR_SOURCE_DESCRIPTOR;
typedef struct _WHEA_ERROR_RECORD *PWHEA_ERROR_RECORD;
/* Stops the system with WHEA_UNCORRECTABLE_ERROR for the error ErrorRecord describes. */
NTHALAPI VOID NTAPI HalBugCheckSystem(_In_ PWHEA_ERROR_SOURCE_DESCRIPTOR ErrorSource,
                                      _In_ PWHEA_ERROR_RECORD ErrorRecord);

NTIO_END_DECLS

#endif /* NTIO_DDK_HAL_H */
