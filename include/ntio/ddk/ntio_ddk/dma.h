/* DMA adapters (wdm.h): IoGetDmaAdapter, the DMA_ADAPTER and its DMA_OPERATIONS table (versions 1-3),
 * scatter/gather lists, the device description, and the legacy Io* adapter calls, which wdm.h
 * defines as inline wrappers over the table (DMA_MACROS_DEFINED).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdmaadapter
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_dma_operations */
#ifndef NTIO_DDK_DMA_H
#define NTIO_DDK_DMA_H

#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"
#include "io_types.h"
#include "mm.h"
#include "cm_resources.h"

NTIO_BEGIN_DECLS

/* ---- Bus and DMA controller descriptions ---- */
/* INTERFACE_TYPE: cm_resources.h. */
typedef enum _DMA_WIDTH { Width8Bits, Width16Bits, Width32Bits, Width64Bits, WidthNoWrap, MaximumDmaWidth } DMA_WIDTH,
    *PDMA_WIDTH;

typedef enum _DMA_SPEED { Compatible, TypeA, TypeB, TypeC, TypeF, MaximumDmaSpeed } DMA_SPEED, *PDMA_SPEED;

#define DEVICE_DESCRIPTION_VERSION 0
#define DEVICE_DESCRIPTION_VERSION1 1
#define DEVICE_DESCRIPTION_VERSION2 2
#define DEVICE_DESCRIPTION_VERSION3 3

typedef struct _DEVICE_DESCRIPTION {
    ULONG Version;
    BOOLEAN Master;
    BOOLEAN ScatterGather;
    BOOLEAN DemandMode;
    BOOLEAN AutoInitialize;
    BOOLEAN Dma32BitAddresses;
    BOOLEAN IgnoreCount;
    BOOLEAN Reserved1;
    BOOLEAN Dma64BitAddresses;
    ULONG BusNumber;
    ULONG DmaChannel;
    INTERFACE_TYPE InterfaceType;
    DMA_WIDTH DmaWidth;
    DMA_SPEED DmaSpeed;
    ULONG MaximumLength;
    ULONG DmaPort;
    /* Version 3 */
    ULONG DmaAddressWidth;
    ULONG DmaControllerInstance;
    ULONG DmaRequestLine;
    PHYSICAL_ADDRESS DeviceAddress;
} DEVICE_DESCRIPTION, *PDEVICE_DESCRIPTION;

/* ---- Scatter/gather lists ---- */
typedef struct _SCATTER_GATHER_ELEMENT {
    PHYSICAL_ADDRESS Address;
    ULONG Length;
    ULONG_PTR Reserved;
} SCATTER_GATHER_ELEMENT, *PSCATTER_GATHER_ELEMENT;

typedef struct _SCATTER_GATHER_LIST {
    ULONG NumberOfElements;
    ULONG_PTR Reserved;
    SCATTER_GATHER_ELEMENT Elements[];
} SCATTER_GATHER_LIST, *PSCATTER_GATHER_LIST;

/* ---- Adapter and transfer information (version 3) ---- */
#define ADAPTER_INFO_SYNCHRONOUS_CALLBACK 0x0001
#define ADAPTER_INFO_API_BYPASS 0x0002

typedef struct _DMA_ADAPTER_INFO_V1 {
    ULONG ReadDmaCounterAvailable;
    ULONG ScatterGatherLimit;
    ULONG DmaAddressWidth;
    ULONG Flags;
    ULONG MinimumTransferUnit;
} DMA_ADAPTER_INFO_V1, *PDMA_ADAPTER_INFO_V1;

#define DMA_ADAPTER_INFO_VERSION1 1

typedef struct _DMA_ADAPTER_INFO {
    ULONG Version;
    union {
        DMA_ADAPTER_INFO_V1 V1;
    };
} DMA_ADAPTER_INFO, *PDMA_ADAPTER_INFO;

typedef struct _DMA_TRANSFER_INFO_V1 {
    ULONG MapRegisterCount;
    ULONG ScatterGatherElementCount;
    ULONG ScatterGatherListSize;
} DMA_TRANSFER_INFO_V1, *PDMA_TRANSFER_INFO_V1;

typedef struct _DMA_TRANSFER_INFO_V2 {
    ULONG MapRegisterCount;
    ULONG ScatterGatherElementCount;
    ULONG ScatterGatherListSize;
    ULONG LogicalPageCount;
} DMA_TRANSFER_INFO_V2, *PDMA_TRANSFER_INFO_V2;

#define DMA_TRANSFER_INFO_VERSION1 1
#define DMA_TRANSFER_INFO_VERSION2 2

typedef struct _DMA_TRANSFER_INFO {
    ULONG Version;
    union {
        DMA_TRANSFER_INFO_V1 V1;
        DMA_TRANSFER_INFO_V2 V2;
    };
} DMA_TRANSFER_INFO, *PDMA_TRANSFER_INFO;

/* The opaque context of InitializeDmaTransferContext, in bytes. */
#define DMA_TRANSFER_CONTEXT_VERSION1 1
#define DMA_TRANSFER_CONTEXT_SIZE_V1 128

/* AllocateAdapterChannelEx / GetScatterGatherListEx / BuildScatterGatherListEx flags. */
#define DMA_SYNCHRONOUS_CALLBACK 0x01

/* AllocateDomainCommonBuffer / AllocateCommonBufferWithBounds flags. */
#define DOMAIN_COMMON_BUFFER_LARGE_PAGE 0x00000001

typedef enum { DmaComplete, DmaAborted, DmaError, DmaCancelled } DMA_COMPLETION_STATUS;

/* ---- The adapter and its operations ---- */
struct _DMA_OPERATIONS;

typedef struct _DMA_ADAPTER {
    USHORT Version;
    USHORT Size;
    struct _DMA_OPERATIONS *DmaOperations;
} DMA_ADAPTER, *PDMA_ADAPTER;

/* wdm.h's view of the legacy adapter object: the DMA adapter itself. */
typedef struct _DMA_ADAPTER *PADAPTER_OBJECT;

typedef VOID NTAPI DRIVER_LIST_CONTROL(struct _DEVICE_OBJECT *DeviceObject, struct _IRP *Irp,
                                       struct _SCATTER_GATHER_LIST *ScatterGather, PVOID Context);
typedef DRIVER_LIST_CONTROL *PDRIVER_LIST_CONTROL;

typedef VOID NTAPI DMA_COMPLETION_ROUTINE(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject,
                                          PVOID CompletionContext, DMA_COMPLETION_STATUS Status);
typedef DMA_COMPLETION_ROUTINE *PDMA_COMPLETION_ROUTINE;

typedef VOID NTAPI PUT_DMA_ADAPTER(PDMA_ADAPTER DmaAdapter);
typedef PUT_DMA_ADAPTER *PPUT_DMA_ADAPTER;
typedef PVOID NTAPI ALLOCATE_COMMON_BUFFER(PDMA_ADAPTER DmaAdapter, ULONG Length, PPHYSICAL_ADDRESS LogicalAddress,
                                           BOOLEAN CacheEnabled);
typedef ALLOCATE_COMMON_BUFFER *PALLOCATE_COMMON_BUFFER;
typedef VOID NTAPI FREE_COMMON_BUFFER(PDMA_ADAPTER DmaAdapter, ULONG Length, PHYSICAL_ADDRESS LogicalAddress,
                                      PVOID VirtualAddress, BOOLEAN CacheEnabled);
typedef FREE_COMMON_BUFFER *PFREE_COMMON_BUFFER;
typedef NTSTATUS NTAPI ALLOCATE_ADAPTER_CHANNEL(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject,
                                                ULONG NumberOfMapRegisters, PDRIVER_CONTROL ExecutionRoutine,
                                                PVOID Context);
typedef ALLOCATE_ADAPTER_CHANNEL *PALLOCATE_ADAPTER_CHANNEL;
typedef BOOLEAN NTAPI FLUSH_ADAPTER_BUFFERS(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase, PVOID CurrentVa,
                                            ULONG Length, BOOLEAN WriteToDevice);
typedef FLUSH_ADAPTER_BUFFERS *PFLUSH_ADAPTER_BUFFERS;
typedef VOID NTAPI FREE_ADAPTER_CHANNEL(PDMA_ADAPTER DmaAdapter);
typedef FREE_ADAPTER_CHANNEL *PFREE_ADAPTER_CHANNEL;
typedef VOID NTAPI FREE_MAP_REGISTERS(PDMA_ADAPTER DmaAdapter, PVOID MapRegisterBase, ULONG NumberOfMapRegisters);
typedef FREE_MAP_REGISTERS *PFREE_MAP_REGISTERS;
typedef PHYSICAL_ADDRESS NTAPI MAP_TRANSFER(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase, PVOID CurrentVa,
                                            PULONG Length, BOOLEAN WriteToDevice);
typedef MAP_TRANSFER *PMAP_TRANSFER;
typedef ULONG NTAPI GET_DMA_ALIGNMENT(PDMA_ADAPTER DmaAdapter);
typedef GET_DMA_ALIGNMENT *PGET_DMA_ALIGNMENT;
typedef ULONG NTAPI READ_DMA_COUNTER(PDMA_ADAPTER DmaAdapter);
typedef READ_DMA_COUNTER *PREAD_DMA_COUNTER;
typedef NTSTATUS NTAPI GET_SCATTER_GATHER_LIST(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject, PMDL Mdl,
                                               PVOID CurrentVa, ULONG Length, PDRIVER_LIST_CONTROL ExecutionRoutine,
                                               PVOID Context, BOOLEAN WriteToDevice);
typedef GET_SCATTER_GATHER_LIST *PGET_SCATTER_GATHER_LIST;
typedef VOID NTAPI PUT_SCATTER_GATHER_LIST(PDMA_ADAPTER DmaAdapter, PSCATTER_GATHER_LIST ScatterGather,
                                           BOOLEAN WriteToDevice);
typedef PUT_SCATTER_GATHER_LIST *PPUT_SCATTER_GATHER_LIST;
typedef NTSTATUS NTAPI CALCULATE_SCATTER_GATHER_LIST_SIZE(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID CurrentVa,
                                                          ULONG Length, PULONG ScatterGatherListSize,
                                                          PULONG pNumberOfMapRegisters);
typedef CALCULATE_SCATTER_GATHER_LIST_SIZE *PCALCULATE_SCATTER_GATHER_LIST_SIZE;
typedef NTSTATUS NTAPI BUILD_SCATTER_GATHER_LIST(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject, PMDL Mdl,
                                                 PVOID CurrentVa, ULONG Length, PDRIVER_LIST_CONTROL ExecutionRoutine,
                                                 PVOID Context, BOOLEAN WriteToDevice, PVOID ScatterGatherBuffer,
                                                 ULONG ScatterGatherLength);
typedef BUILD_SCATTER_GATHER_LIST *PBUILD_SCATTER_GATHER_LIST;
typedef NTSTATUS NTAPI BUILD_MDL_FROM_SCATTER_GATHER_LIST(PDMA_ADAPTER DmaAdapter, PSCATTER_GATHER_LIST ScatterGather,
                                                          PMDL OriginalMdl, PMDL *TargetMdl);
typedef BUILD_MDL_FROM_SCATTER_GATHER_LIST *PBUILD_MDL_FROM_SCATTER_GATHER_LIST;
typedef NTSTATUS NTAPI GET_DMA_ADAPTER_INFO(PDMA_ADAPTER DmaAdapter, PDMA_ADAPTER_INFO AdapterInfo);
typedef GET_DMA_ADAPTER_INFO *PGET_DMA_ADAPTER_INFO;
typedef NTSTATUS NTAPI GET_DMA_TRANSFER_INFO(PDMA_ADAPTER DmaAdapter, PMDL Mdl, ULONGLONG Offset, ULONG Length,
                                             BOOLEAN WriteOnly, PDMA_TRANSFER_INFO TransferInfo);
typedef GET_DMA_TRANSFER_INFO *PGET_DMA_TRANSFER_INFO;
typedef NTSTATUS NTAPI INITIALIZE_DMA_TRANSFER_CONTEXT(PDMA_ADAPTER DmaAdapter, PVOID DmaTransferContext);
typedef INITIALIZE_DMA_TRANSFER_CONTEXT *PINITIALIZE_DMA_TRANSFER_CONTEXT;
typedef PVOID NTAPI ALLOCATE_COMMON_BUFFER_EX(PDMA_ADAPTER DmaAdapter, PPHYSICAL_ADDRESS MaximumAddress, ULONG Length,
                                              PPHYSICAL_ADDRESS LogicalAddress, BOOLEAN CacheEnabled,
                                              NODE_REQUIREMENT PreferredNode);
typedef ALLOCATE_COMMON_BUFFER_EX *PALLOCATE_COMMON_BUFFER_EX;
typedef NTSTATUS NTAPI ALLOCATE_ADAPTER_CHANNEL_EX(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject,
                                                   PVOID DmaTransferContext, ULONG NumberOfMapRegisters, ULONG Flags,
                                                   PDRIVER_CONTROL ExecutionRoutine, PVOID ExecutionContext,
                                                   PVOID *MapRegisterBase);
typedef ALLOCATE_ADAPTER_CHANNEL_EX *PALLOCATE_ADAPTER_CHANNEL_EX;
typedef NTSTATUS NTAPI CONFIGURE_ADAPTER_CHANNEL(PDMA_ADAPTER DmaAdapter, ULONG FunctionNumber, PVOID Context);
typedef CONFIGURE_ADAPTER_CHANNEL *PCONFIGURE_ADAPTER_CHANNEL;
typedef BOOLEAN NTAPI CANCEL_ADAPTER_CHANNEL(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject,
                                             PVOID DmaTransferContext);
typedef CANCEL_ADAPTER_CHANNEL *PCANCEL_ADAPTER_CHANNEL;
typedef NTSTATUS NTAPI MAP_TRANSFER_EX(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase, ULONGLONG Offset,
                                       ULONG DeviceOffset, PULONG Length, BOOLEAN WriteToDevice,
                                       PSCATTER_GATHER_LIST ScatterGatherBuffer, ULONG ScatterGatherBufferLength,
                                       PDMA_COMPLETION_ROUTINE DmaCompletionRoutine, PVOID CompletionContext);
typedef MAP_TRANSFER_EX *PMAP_TRANSFER_EX;
typedef NTSTATUS NTAPI GET_SCATTER_GATHER_LIST_EX(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject,
                                                  PVOID DmaTransferContext, PMDL Mdl, ULONGLONG Offset, ULONG Length,
                                                  ULONG Flags, PDRIVER_LIST_CONTROL ExecutionRoutine, PVOID Context,
                                                  BOOLEAN WriteToDevice, PDMA_COMPLETION_ROUTINE DmaCompletionRoutine,
                                                  PVOID CompletionContext, PSCATTER_GATHER_LIST *ScatterGatherList);
typedef GET_SCATTER_GATHER_LIST_EX *PGET_SCATTER_GATHER_LIST_EX;
typedef NTSTATUS NTAPI BUILD_SCATTER_GATHER_LIST_EX(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject,
                                                    PVOID DmaTransferContext, PMDL Mdl, ULONGLONG Offset,
                                                    ULONG Length, ULONG Flags, PDRIVER_LIST_CONTROL ExecutionRoutine,
                                                    PVOID Context, BOOLEAN WriteToDevice, PVOID ScatterGatherBuffer,
                                                    ULONG ScatterGatherLength,
                                                    PDMA_COMPLETION_ROUTINE DmaCompletionRoutine,
                                                    PVOID CompletionContext, PVOID ScatterGatherList);
typedef BUILD_SCATTER_GATHER_LIST_EX *PBUILD_SCATTER_GATHER_LIST_EX;
typedef NTSTATUS NTAPI FLUSH_ADAPTER_BUFFERS_EX(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase,
                                                ULONGLONG Offset, ULONG Length, BOOLEAN WriteToDevice);
typedef FLUSH_ADAPTER_BUFFERS_EX *PFLUSH_ADAPTER_BUFFERS_EX;
typedef VOID NTAPI FREE_ADAPTER_OBJECT(PDMA_ADAPTER DmaAdapter, IO_ALLOCATION_ACTION AllocationAction);
typedef FREE_ADAPTER_OBJECT *PFREE_ADAPTER_OBJECT;
typedef NTSTATUS NTAPI CANCEL_MAPPED_TRANSFER(PDMA_ADAPTER DmaAdapter, PVOID DmaTransferContext);
typedef CANCEL_MAPPED_TRANSFER *PCANCEL_MAPPED_TRANSFER;
typedef NTSTATUS NTAPI ALLOCATE_DOMAIN_COMMON_BUFFER(PDMA_ADAPTER DmaAdapter, HANDLE DomainHandle,
                                                     PPHYSICAL_ADDRESS MaximumAddress, ULONG Length, ULONG Flags,
                                                     MEMORY_CACHING_TYPE *CacheType, NODE_REQUIREMENT PreferredNode,
                                                     PPHYSICAL_ADDRESS LogicalAddress, PVOID *VirtualAddress);
typedef ALLOCATE_DOMAIN_COMMON_BUFFER *PALLOCATE_DOMAIN_COMMON_BUFFER;
typedef NTSTATUS NTAPI FLUSH_DMA_BUFFER(PDMA_ADAPTER DmaAdapter, PMDL Mdl, BOOLEAN ReadOperation);
typedef FLUSH_DMA_BUFFER *PFLUSH_DMA_BUFFER;
typedef NTSTATUS NTAPI JOIN_DMA_DOMAIN(PDMA_ADAPTER DmaAdapter, HANDLE DomainHandle);
typedef JOIN_DMA_DOMAIN *PJOIN_DMA_DOMAIN;
typedef NTSTATUS NTAPI LEAVE_DMA_DOMAIN(PDMA_ADAPTER DmaAdapter);
typedef LEAVE_DMA_DOMAIN *PLEAVE_DMA_DOMAIN;
typedef HANDLE NTAPI GET_DMA_DOMAIN(PDMA_ADAPTER DmaAdapter);
typedef GET_DMA_DOMAIN *PGET_DMA_DOMAIN;
typedef PVOID NTAPI ALLOCATE_COMMON_BUFFER_WITH_BOUNDS(PDMA_ADAPTER DmaAdapter, PPHYSICAL_ADDRESS MinimumAddress,
                                                       PPHYSICAL_ADDRESS MaximumAddress, ULONG Length, ULONG Flags,
                                                       MEMORY_CACHING_TYPE *CacheType, NODE_REQUIREMENT PreferredNode,
                                                       PPHYSICAL_ADDRESS LogicalAddress);
typedef ALLOCATE_COMMON_BUFFER_WITH_BOUNDS *PALLOCATE_COMMON_BUFFER_WITH_BOUNDS;

/* Version 1 ends before CalculateScatterGatherList, version 2 before GetDmaAdapterInfo; Size says
 * which one IoGetDmaAdapter returned. */
typedef struct _DMA_OPERATIONS {
    ULONG Size;
    PPUT_DMA_ADAPTER PutDmaAdapter;
    PALLOCATE_COMMON_BUFFER AllocateCommonBuffer;
    PFREE_COMMON_BUFFER FreeCommonBuffer;
    PALLOCATE_ADAPTER_CHANNEL AllocateAdapterChannel;
    PFLUSH_ADAPTER_BUFFERS FlushAdapterBuffers;
    PFREE_ADAPTER_CHANNEL FreeAdapterChannel;
    PFREE_MAP_REGISTERS FreeMapRegisters;
    PMAP_TRANSFER MapTransfer;
    PGET_DMA_ALIGNMENT GetDmaAlignment;
    PREAD_DMA_COUNTER ReadDmaCounter;
    PGET_SCATTER_GATHER_LIST GetScatterGatherList;
    PPUT_SCATTER_GATHER_LIST PutScatterGatherList;
    /* Version 2 */
    PCALCULATE_SCATTER_GATHER_LIST_SIZE CalculateScatterGatherList;
    PBUILD_SCATTER_GATHER_LIST BuildScatterGatherList;
    PBUILD_MDL_FROM_SCATTER_GATHER_LIST BuildMdlFromScatterGatherList;
    /* Version 3 */
    PGET_DMA_ADAPTER_INFO GetDmaAdapterInfo;
    PGET_DMA_TRANSFER_INFO GetDmaTransferInfo;
    PINITIALIZE_DMA_TRANSFER_CONTEXT InitializeDmaTransferContext;
    PALLOCATE_COMMON_BUFFER_EX AllocateCommonBufferEx;
    PALLOCATE_ADAPTER_CHANNEL_EX AllocateAdapterChannelEx;
    PCONFIGURE_ADAPTER_CHANNEL ConfigureAdapterChannel;
    PCANCEL_ADAPTER_CHANNEL CancelAdapterChannel;
    PMAP_TRANSFER_EX MapTransferEx;
    PGET_SCATTER_GATHER_LIST_EX GetScatterGatherListEx;
    PBUILD_SCATTER_GATHER_LIST_EX BuildScatterGatherListEx;
    PFLUSH_ADAPTER_BUFFERS_EX FlushAdapterBuffersEx;
    PFREE_ADAPTER_OBJECT FreeAdapterObject;
    PCANCEL_MAPPED_TRANSFER CancelMappedTransfer;
    PALLOCATE_DOMAIN_COMMON_BUFFER AllocateDomainCommonBuffer;
    PFLUSH_DMA_BUFFER FlushDmaBuffer;
    PJOIN_DMA_DOMAIN JoinDmaDomain;
    PLEAVE_DMA_DOMAIN LeaveDmaDomain;
    PGET_DMA_DOMAIN GetDmaDomain;
    PALLOCATE_COMMON_BUFFER_WITH_BOUNDS AllocateCommonBufferWithBounds;
} DMA_OPERATIONS, *PDMA_OPERATIONS;

/* PASSIVE_LEVEL. The adapter for PhysicalDeviceObject's DMA as DeviceDescription describes it (NULL
 * for a version or description it cannot serve); *NumberOfMapRegisters gets the most map registers
 * one transfer may use. Freed with DmaOperations->PutDmaAdapter. */
NTKERNELAPI PDMA_ADAPTER NTAPI IoGetDmaAdapter(_In_opt_ PDEVICE_OBJECT PhysicalDeviceObject,
                                               _In_ PDEVICE_DESCRIPTION DeviceDescription,
                                               _Out_ PULONG NumberOfMapRegisters);

/* ---- The legacy adapter calls: wdm.h's inline wrappers over the operations table ---- */
#define DMA_MACROS_DEFINED

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocateadapterchannel */
FORCEINLINE NTSTATUS IoAllocateAdapterChannel(_In_ PADAPTER_OBJECT AdapterObject, _In_ PDEVICE_OBJECT DeviceObject,
                                              _In_ ULONG NumberOfMapRegisters, _In_ PDRIVER_CONTROL ExecutionRoutine,
                                              _In_ PVOID Context) {
    return AdapterObject->DmaOperations->AllocateAdapterChannel(AdapterObject, DeviceObject, NumberOfMapRegisters,
                                                                ExecutionRoutine, Context);
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioflushadapterbuffers */
FORCEINLINE BOOLEAN IoFlushAdapterBuffers(_In_ PADAPTER_OBJECT AdapterObject, _In_ PMDL Mdl,
                                          _In_ PVOID MapRegisterBase, _In_ PVOID CurrentVa, _In_ ULONG Length,
                                          _In_ BOOLEAN WriteToDevice) {
    return AdapterObject->DmaOperations->FlushAdapterBuffers(AdapterObject, Mdl, MapRegisterBase, CurrentVa, Length,
                                                             WriteToDevice);
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iofreeadapterchannel */
FORCEINLINE VOID IoFreeAdapterChannel(_In_ PADAPTER_OBJECT AdapterObject) {
    AdapterObject->DmaOperations->FreeAdapterChannel(AdapterObject);
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iofreemapregisters */
FORCEINLINE VOID IoFreeMapRegisters(_In_ PADAPTER_OBJECT AdapterObject, _In_ PVOID MapRegisterBase,
                                    _In_ ULONG NumberOfMapRegisters) {
    AdapterObject->DmaOperations->FreeMapRegisters(AdapterObject, MapRegisterBase, NumberOfMapRegisters);
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iomaptransfer */
FORCEINLINE PHYSICAL_ADDRESS IoMapTransfer(_In_ PADAPTER_OBJECT AdapterObject, _In_ PMDL Mdl,
                                           _In_ PVOID MapRegisterBase, _In_ PVOID CurrentVa, _Inout_ PULONG Length,
                                           _In_ BOOLEAN WriteToDevice) {
    return AdapterObject->DmaOperations->MapTransfer(AdapterObject, Mdl, MapRegisterBase, CurrentVa, Length,
                                                     WriteToDevice);
}

/* ---- The Hal* DMA calls wdm.h defines over the operations table ----
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-halallocatecommonbuffer (obsolete:
 * AllocateCommonBuffer through the adapter's DMA_OPERATIONS is what each of these calls). */
FORCEINLINE PVOID HalAllocateCommonBuffer(_In_ PDMA_ADAPTER DmaAdapter, _In_ ULONG Length,
                                          _Out_ PPHYSICAL_ADDRESS LogicalAddress, _In_ BOOLEAN CacheEnabled) {
    return DmaAdapter->DmaOperations->AllocateCommonBuffer(DmaAdapter, Length, LogicalAddress, CacheEnabled);
}

FORCEINLINE VOID HalFreeCommonBuffer(_In_ PDMA_ADAPTER DmaAdapter, _In_ ULONG Length,
                                     _In_ PHYSICAL_ADDRESS LogicalAddress, _In_ PVOID VirtualAddress,
                                     _In_ BOOLEAN CacheEnabled) {
    DmaAdapter->DmaOperations->FreeCommonBuffer(DmaAdapter, Length, LogicalAddress, VirtualAddress, CacheEnabled);
}

FORCEINLINE ULONG HalReadDmaCounter(_In_ PDMA_ADAPTER DmaAdapter) {
    return DmaAdapter->DmaOperations->ReadDmaCounter(DmaAdapter);
}

FORCEINLINE ULONG HalGetDmaAlignment(_In_ PDMA_ADAPTER DmaAdapter) {
    return DmaAdapter->DmaOperations->GetDmaAlignment(DmaAdapter);
}

NTIO_END_DECLS

#endif /* NTIO_DDK_DMA_H */
