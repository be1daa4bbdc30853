// IoGetDmaAdapter and the adapter's own routines: its operations table by version, PutDmaAdapter,
// alignment, counter, adapter information and transfer contexts (see dma_adapter.hpp for the model).
#include "io/dma_adapter.hpp"

#include "host/pages.hpp"
#include "io/dma_routines.hpp"
#include "io/dma_verifier.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io::dma {
namespace {

// Every user address of the host lies at or below this: a device reaching it never bounces.
constexpr ULONGLONG kHostTop = 0x00007FFFFFFFFFFFull;

// Map registers per adapter: a bouncing adapter's are pages of low memory, so fewer of them.
// NT deviation: NT's limits come from the HAL's map register pool; these are ntio's own.
constexpr ULONG kMaxBounceRegisters = 256;
constexpr ULONG kMaxRegisters = 4096;

// Table sizes by version: version 1 ends before CalculateScatterGatherList, version 2 before
// GetDmaAdapterInfo, version 3 is the whole table.
ULONG operations_size(ULONG version) {
    if (version <= DEVICE_DESCRIPTION_VERSION1) return offsetof(DMA_OPERATIONS, CalculateScatterGatherList);
    if (version == DEVICE_DESCRIPTION_VERSION2) return offsetof(DMA_OPERATIONS, GetDmaAdapterInfo);
    return sizeof(DMA_OPERATIONS);
}

void fill_operations(DMA_OPERATIONS& o, ULONG version) {
    o.Size = operations_size(version);
    o.PutDmaAdapter = put_dma_adapter;
    o.AllocateCommonBuffer = allocate_common_buffer;
    o.FreeCommonBuffer = free_common_buffer;
    o.AllocateAdapterChannel = allocate_adapter_channel;
    o.FlushAdapterBuffers = flush_adapter_buffers;
    o.FreeAdapterChannel = free_adapter_channel;
    o.FreeMapRegisters = free_map_registers;
    o.MapTransfer = map_transfer;
    o.GetDmaAlignment = get_dma_alignment;
    o.ReadDmaCounter = read_dma_counter;
    o.GetScatterGatherList = get_scatter_gather_list;
    o.PutScatterGatherList = put_scatter_gather_list;
    o.CalculateScatterGatherList = calculate_scatter_gather_list;
    o.BuildScatterGatherList = build_scatter_gather_list;
    o.BuildMdlFromScatterGatherList = build_mdl_from_scatter_gather_list;
    o.GetDmaAdapterInfo = get_dma_adapter_info;
    o.GetDmaTransferInfo = get_dma_transfer_info;
    o.InitializeDmaTransferContext = initialize_dma_transfer_context;
    o.AllocateCommonBufferEx = allocate_common_buffer_ex;
    o.AllocateAdapterChannelEx = allocate_adapter_channel_ex;
    o.ConfigureAdapterChannel = configure_adapter_channel;
    o.CancelAdapterChannel = cancel_adapter_channel;
    o.MapTransferEx = map_transfer_ex;
    o.GetScatterGatherListEx = get_scatter_gather_list_ex;
    o.BuildScatterGatherListEx = build_scatter_gather_list_ex;
    o.FlushAdapterBuffersEx = flush_adapter_buffers_ex;
    o.FreeAdapterObject = free_adapter_object;
    o.CancelMappedTransfer = cancel_mapped_transfer;
    o.AllocateDomainCommonBuffer = allocate_domain_common_buffer;
    o.FlushDmaBuffer = flush_dma_buffer;
    o.JoinDmaDomain = join_dma_domain;
    o.LeaveDmaDomain = leave_dma_domain;
    o.GetDmaDomain = get_dma_domain;
    o.AllocateCommonBufferWithBounds = allocate_common_buffer_with_bounds;
}

// The address bits of the device: version 3 says so; before it, 64-bit, else 32-bit (a PCI
// scatter/gather bus master is assumed 32-bit capable), else the 24 bits of ISA. 0: invalid.
ULONG address_width(const DEVICE_DESCRIPTION& d) {
    if (d.Version == DEVICE_DESCRIPTION_VERSION3) return d.DmaAddressWidth <= 64 ? d.DmaAddressWidth : 0;
    if (d.Dma64BitAddresses) return 64;
    if (d.Dma32BitAddresses || (d.ScatterGather && d.InterfaceType == PCIBus)) return 32;
    return 24;
}

}  // namespace

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pput_dma_adapter
// Frees the adapter: its bounce pages, its reference on the PDO, the adapter itself.
VOID NTAPI put_dma_adapter(PDMA_ADAPTER DmaAdapter) {
    Adapter* a = adapter_of(DmaAdapter);
    if (!a) return;
    if (a->verification) verify_put_adapter(*a);
    a->magic = 0;
    if (a->bounce) ntio::host::free_pages(a->bounce, static_cast<SIZE_T>(a->map_registers) * PAGE_SIZE);
    if (a->pdo) ObDereferenceObject(a->pdo);
    ExFreePoolWithTag(a, kAdapterTag);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pget_dma_alignment
// Bus masters here need no alignment of their buffers: 1.
ULONG NTAPI get_dma_alignment(PDMA_ADAPTER DmaAdapter) {
    (void)DmaAdapter;
    return 1;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pread_dma_counter
// The transfer counter is a system DMA controller's; a bus-master adapter has none: 0.
// NT deviation: ntio has no system DMA controller, so no adapter has a counter.
ULONG NTAPI read_dma_counter(PDMA_ADAPTER DmaAdapter) {
    (void)DmaAdapter;
    return 0;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pget_dma_adapter_info
// Version 1 only (STATUS_NOT_SUPPORTED otherwise): no counter, the map registers as the list limit,
// the device's address width, synchronous allocation available.
NTSTATUS NTAPI get_dma_adapter_info(PDMA_ADAPTER DmaAdapter, PDMA_ADAPTER_INFO AdapterInfo) {
    Adapter* a = adapter_of(DmaAdapter);
    if (!a || !AdapterInfo) return STATUS_INVALID_PARAMETER;
    if (AdapterInfo->Version != DMA_ADAPTER_INFO_VERSION1) return STATUS_NOT_SUPPORTED;
    AdapterInfo->V1.ReadDmaCounterAvailable = FALSE;
    AdapterInfo->V1.ScatterGatherLimit = a->scatter_gather ? a->map_registers : 1;
    AdapterInfo->V1.DmaAddressWidth = a->address_width;
    AdapterInfo->V1.Flags = ADAPTER_INFO_SYNCHRONOUS_CALLBACK;
    AdapterInfo->V1.MinimumTransferUnit = 1;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pinitialize_dma_transfer_context
// Makes DmaTransferContext (DMA_TRANSFER_CONTEXT_SIZE_V1 bytes) a fresh context of this adapter.
NTSTATUS NTAPI initialize_dma_transfer_context(PDMA_ADAPTER DmaAdapter, PVOID DmaTransferContext) {
    Adapter* a = adapter_of(DmaAdapter);
    if (!a || !DmaTransferContext) return STATUS_INVALID_PARAMETER;
    std::memset(DmaTransferContext, 0, DMA_TRANSFER_CONTEXT_SIZE_V1);
    auto* c = static_cast<TransferContext*>(DmaTransferContext);
    c->magic = kContextMagic;
    c->adapter = a;
    return STATUS_SUCCESS;
}

}  // namespace ntio::io::dma

using namespace ntio::io::dma;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdmaadapter
// A new adapter for a bus-master device as DeviceDescription describes it. Its table is version 1
// for DEVICE_DESCRIPTION_VERSION and 1, 2 and 3 for those versions (DmaOperations->Size says
// which); DMA_ADAPTER.Version is 1 whatever the request. *NumberOfMapRegisters gets the registers
// one transfer may use: enough for MaximumLength at any page offset, within the adapter's limit.
// NULL for a NULL argument, a version above 3, Reserved1 set, a version 3 DmaAddressWidth of 0 or
// above 64, or no memory.
// NT deviation: ntio has no system DMA controller; a subordinate (Master FALSE) device gets NULL.
NTKERNELAPI PDMA_ADAPTER NTAPI IoGetDmaAdapter(PDEVICE_OBJECT PhysicalDeviceObject, PDEVICE_DESCRIPTION DeviceDescription,
                                               PULONG NumberOfMapRegisters) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    if (!DeviceDescription || !NumberOfMapRegisters) return nullptr;
    const DEVICE_DESCRIPTION& d = *DeviceDescription;
    if (d.Version > DEVICE_DESCRIPTION_VERSION3 || d.Reserved1 || !d.Master) return nullptr;
    const ULONG width = address_width(d);
    if (width == 0) return nullptr;
    const ULONGLONG limit = width >= 64 ? ~0ull : (1ull << width) - 1;
    const bool bounces = limit < kHostTop;
    const ULONG cap = bounces ? kMaxBounceRegisters : kMaxRegisters;
    const ULONG registers = std::min<ULONG>(cap, BYTES_TO_PAGES(d.MaximumLength) + 1);

    SIZE_T size = sizeof(Adapter);
    const SIZE_T bitmap_words = (registers + 31) / 32;
    if (bounces) size += registers * sizeof(MapRegister) + bitmap_words * sizeof(ULONG);
    Verification* verification = verification_for_new_adapter();
    auto* a = static_cast<Adapter*>(ExAllocatePoolWithTag(NonPagedPoolNx, size, kAdapterTag));
    if (!a) {
        delete verification;
        return nullptr;
    }
    std::memset(a, 0, size);
    if (bounces) {
        a->bounce = static_cast<UCHAR*>(ntio::host::allocate_pages_below(static_cast<SIZE_T>(registers) * PAGE_SIZE, limit));
        if (!a->bounce) {
            delete verification;
            ExFreePoolWithTag(a, kAdapterTag);
            return nullptr;
        }
        a->registers = reinterpret_cast<MapRegister*>(a + 1);
        RtlInitializeBitMap(&a->in_use, reinterpret_cast<PULONG>(a->registers + registers), registers);
        RtlClearAllBits(&a->in_use);
    }
    a->adapter.Version = 1;
    a->adapter.Size = sizeof(DMA_ADAPTER);
    a->adapter.DmaOperations = &a->operations;
    fill_operations(a->operations, d.Version);
    a->magic = kAdapterMagic;
    a->version = d.Version;
    a->limit = limit;
    a->address_width = width;
    a->map_registers = registers;
    a->bounces = bounces;
    a->scatter_gather = d.ScatterGather != FALSE;
    KeInitializeSpinLock(&a->lock);
    InitializeListHead(&a->channel_waiters);
    InitializeListHead(&a->register_waiters);
    if (PhysicalDeviceObject) {
        ObReferenceObject(PhysicalDeviceObject);
        a->pdo = PhysicalDeviceObject;
    }
    if (verification) {
        if (bounces) std::memset(a->bounce, kDmaFill, static_cast<SIZE_T>(registers) * PAGE_SIZE);
        a->verification = verification;
        register_adapter(*a);
    }
    *NumberOfMapRegisters = registers;
    return &a->adapter;
}

}  // extern "C"
