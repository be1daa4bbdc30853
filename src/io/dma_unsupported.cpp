// The DMA_OPERATIONS slots for what ntio's machine does not have: a system DMA controller (custom
// controller functions, cancelling a system transfer) and an IOMMU (DMA domains). Each fails the
// way its page says an unsupported request fails (docs/nt-deviations.md lists them).
#include "io/dma_adapter.hpp"
#include "io/dma_routines.hpp"

namespace ntio::io::dma {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pconfigure_adapter_channel
// A system DMA controller's custom function. NT deviation: there is none, so no function number is
// implemented: STATUS_NOT_IMPLEMENTED, the page's status for an unknown function.
NTSTATUS NTAPI configure_adapter_channel(PDMA_ADAPTER DmaAdapter, ULONG FunctionNumber, PVOID Context) {
    (void)DmaAdapter;
    (void)FunctionNumber;
    (void)Context;
    return STATUS_NOT_IMPLEMENTED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pcancel_mapped_transfer
// Cancels a system DMA transfer MapTransferEx started. NT deviation: bus-master transfers are the
// device's to stop, and ntio has no system DMA: STATUS_NOT_SUPPORTED.
NTSTATUS NTAPI cancel_mapped_transfer(PDMA_ADAPTER DmaAdapter, PVOID DmaTransferContext) {
    (void)DmaAdapter;
    (void)DmaTransferContext;
    return STATUS_NOT_SUPPORTED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pflush_dma_buffer
// Host memory is coherent with the simulated device: nothing to flush. STATUS_INVALID_PARAMETER for
// a NULL adapter or MDL.
NTSTATUS NTAPI flush_dma_buffer(PDMA_ADAPTER DmaAdapter, PMDL Mdl, BOOLEAN ReadOperation) {
    (void)ReadOperation;
    return adapter_of(DmaAdapter) && Mdl ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pget_dma_domain
// NT deviation: no IOMMU, so an adapter has no DMA domain: NULL.
HANDLE NTAPI get_dma_domain(PDMA_ADAPTER DmaAdapter) {
    (void)DmaAdapter;
    return nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pjoin_dma_domain
// NT deviation: no IOMMU, no domain to join: STATUS_NOT_SUPPORTED.
NTSTATUS NTAPI join_dma_domain(PDMA_ADAPTER DmaAdapter, HANDLE DomainHandle) {
    (void)DmaAdapter;
    (void)DomainHandle;
    return STATUS_NOT_SUPPORTED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pleave_dma_domain
// NT deviation: no IOMMU, no domain joined: STATUS_NOT_SUPPORTED.
NTSTATUS NTAPI leave_dma_domain(PDMA_ADAPTER DmaAdapter) {
    (void)DmaAdapter;
    return STATUS_NOT_SUPPORTED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pallocate_domain_common_buffer
// NT deviation: no IOMMU, no domain to allocate in: STATUS_NOT_SUPPORTED, *VirtualAddress NULL.
NTSTATUS NTAPI allocate_domain_common_buffer(PDMA_ADAPTER DmaAdapter, HANDLE DomainHandle,
                                             PPHYSICAL_ADDRESS MaximumAddress, ULONG Length, ULONG Flags,
                                             MEMORY_CACHING_TYPE* CacheType, NODE_REQUIREMENT PreferredNode,
                                             PPHYSICAL_ADDRESS LogicalAddress, PVOID* VirtualAddress) {
    (void)DmaAdapter;
    (void)DomainHandle;
    (void)MaximumAddress;
    (void)Length;
    (void)Flags;
    (void)CacheType;
    (void)PreferredNode;
    (void)LogicalAddress;
    if (VirtualAddress) *VirtualAddress = nullptr;
    return STATUS_NOT_SUPPORTED;
}

}  // namespace ntio::io::dma
