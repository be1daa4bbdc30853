// The HAL's legacy DMA routines (ntddk.h): HalGetAdapter, HalPutDmaAdapter, HalAllocateAdapterChannel
// and the scatter/gather pair, and the dispatch table's HalGetDmaAdapter. Each is the adapter that
// IoGetDmaAdapter returns, or the DMA_OPERATIONS routine of that adapter, as on Windows where the
// I/O manager's routines and these reach the same HAL adapter.
#include "io/hal_routines.hpp"

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halgetadapter
// Obsolete: IoGetDmaAdapter's adapter for DeviceDescription, with no physical device object behind it.
NTHALAPI PADAPTER_OBJECT NTAPI HalGetAdapter(PDEVICE_DESCRIPTION DeviceDescription, PULONG NumberOfMapRegisters) {
    return IoGetDmaAdapter(nullptr, DeviceDescription, NumberOfMapRegisters);
}

// Releases an adapter from HalGetAdapter or IoGetDmaAdapter (its PutDmaAdapter); NULL is ignored.
NTHALAPI VOID NTAPI HalPutDmaAdapter(PADAPTER_OBJECT DmaAdapter) {
    if (!DmaAdapter) return;
    DmaAdapter->DmaOperations->PutDmaAdapter(DmaAdapter);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halallocateadapterchannel
// The wait context block names the device and the context the execution routine gets; the adapter's
// AllocateAdapterChannel queues the request (and checks the IRQL and the register count).
NTHALAPI NTSTATUS NTAPI HalAllocateAdapterChannel(PADAPTER_OBJECT AdapterObject, PWAIT_CONTEXT_BLOCK Wcb,
                                                  ULONG NumberOfMapRegisters, PDRIVER_CONTROL ExecutionRoutine) {
    if (!AdapterObject || !Wcb || !ExecutionRoutine) return STATUS_INVALID_PARAMETER;
    auto* device = static_cast<PDEVICE_OBJECT>(Wcb->DeviceObject);
    return AdapterObject->DmaOperations->AllocateAdapterChannel(AdapterObject, device, NumberOfMapRegisters,
                                                                ExecutionRoutine, Wcb->DeviceContext);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pget_scatter_gather_list
NTHALAPI NTSTATUS NTAPI HalGetScatterGatherList(PADAPTER_OBJECT DmaAdapter, PDEVICE_OBJECT DeviceObject, PMDL Mdl,
                                                PVOID CurrentVa, ULONG Length, PDRIVER_LIST_CONTROL ExecutionRoutine,
                                                PVOID Context, BOOLEAN WriteToDevice) {
    if (!DmaAdapter) return STATUS_INVALID_PARAMETER;
    return DmaAdapter->DmaOperations->GetScatterGatherList(DmaAdapter, DeviceObject, Mdl, CurrentVa, Length,
                                                           ExecutionRoutine, Context, WriteToDevice);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pput_scatter_gather_list
NTHALAPI VOID NTAPI HalPutScatterGatherList(PADAPTER_OBJECT DmaAdapter, PSCATTER_GATHER_LIST ScatterGather,
                                            BOOLEAN WriteToDevice) {
    if (!DmaAdapter) return;
    DmaAdapter->DmaOperations->PutScatterGatherList(DmaAdapter, ScatterGather, WriteToDevice);
}

}  // extern "C"

namespace ntio::io::hal {

// The dispatch table's entry: Context is the physical device object, as IoGetDmaAdapter passes it.
PDMA_ADAPTER NTAPI get_dma_adapter(PVOID Context, PDEVICE_DESCRIPTION DeviceDescriptor, PULONG NumberOfMapRegisters) {
    return IoGetDmaAdapter(static_cast<PDEVICE_OBJECT>(Context), DeviceDescriptor, NumberOfMapRegisters);
}

}  // namespace ntio::io::hal
