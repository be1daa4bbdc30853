// The routines behind the HAL dispatch table's entries that have no exported name of their own
// (drivers reach them through HalDispatchTable's macros), by the file that holds each.
#pragma once

#include "io/ddk.hpp"

namespace ntio::io::hal {

// hal_dma.cpp
PDMA_ADAPTER NTAPI get_dma_adapter(PVOID Context, PDEVICE_DESCRIPTION DeviceDescriptor, PULONG NumberOfMapRegisters);

// hal_bus.cpp
PBUS_HANDLER FASTCALL reference_handler_for_bus(INTERFACE_TYPE InterfaceType, ULONG BusNumber);
VOID FASTCALL reference_bus_handler(PBUS_HANDLER BusHandler);
NTSTATUS NTAPI query_bus_slots(PBUS_HANDLER BusHandler, ULONG BufferSize, PULONG SlotNumbers, PULONG ReturnedLength);

// hal_partition.cpp
VOID FASTCALL examine_mbr(PDEVICE_OBJECT DeviceObject, ULONG SectorSize, ULONG MBRTypeIdentifier, PVOID* Buffer);
VOID FASTCALL assign_drive_letters(struct _LOADER_PARAMETER_BLOCK* LoaderBlock, PSTRING NtDeviceName,
                                   PUCHAR NtSystemPath, PSTRING NtSystemPathString);
NTSTATUS FASTCALL read_partition_table(PDEVICE_OBJECT DeviceObject, ULONG SectorSize,
                                       BOOLEAN ReturnRecognizedPartitions, PDRIVE_LAYOUT_INFORMATION* PartitionBuffer);
NTSTATUS FASTCALL set_partition_information(PDEVICE_OBJECT DeviceObject, ULONG SectorSize, ULONG PartitionNumber,
                                            ULONG PartitionType);
NTSTATUS FASTCALL write_partition_table(PDEVICE_OBJECT DeviceObject, ULONG SectorSize, ULONG SectorsPerTrack,
                                        ULONG NumberOfHeads, PDRIVE_LAYOUT_INFORMATION PartitionBuffer);

}  // namespace ntio::io::hal
