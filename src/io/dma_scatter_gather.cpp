// Scatter/gather lists: GetScatterGatherList(Ex), BuildScatterGatherList(Ex), PutScatterGatherList,
// their sizes (CalculateScatterGatherList, GetDmaTransferInfo) and BuildMdlFromScatterGatherList.
// A list's buffer holds the SCATTER_GATHER_LIST, then ntio's ListState (found through Reserved).
#include "io/dma_adapter.hpp"
#include "io/dma_routines.hpp"
#include "io/dma_verifier.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io::dma {
namespace {

// The DRIVER_CONTROL a list request waits with: fills the list from the registers it got and calls
// the driver's AdapterListControl (if any); the registers stay with the list.
IO_ALLOCATION_ACTION NTAPI grant_list(PDEVICE_OBJECT device, PIRP irp, PVOID map_register_base, PVOID context) {
    auto* s = static_cast<ListState*>(context);
    s->base = static_cast<MapRegister*>(map_register_base);
    ULONG elements = 0;
    describe(*s->adapter, s->mdl, s->offset, s->length, s->write, s->base, 0, true, s->list->Elements, s->capacity, &elements);
    s->list->NumberOfElements = elements;
    if (s->adapter->verification) verify_list_granted(*s->adapter, s->list);
    if (s->routine) s->routine(device, irp, s->list, s->context);
    return DeallocateObjectKeepRegisters;
}

struct ListRequest {
    PDEVICE_OBJECT device;
    PMDL mdl;
    ULONGLONG offset;
    ULONG length;
    PDRIVER_LIST_CONTROL routine;
    PVOID context;
    bool write;
    PVOID buffer;          // caller's buffer (Build*), or NULL: allocate one (Get*)
    ULONG buffer_length;
    bool sync;             // DMA_SYNCHRONOUS_CALLBACK
    TransferContext* transfer;
    PSCATTER_GATHER_LIST* out;
};

// The common body of the four list routines.
NTSTATUS start_list(Adapter& a, const ListRequest& r) {
    const TransferShape shape = shape_of(a, r.mdl, r.offset, r.length);
    if (!r.device || !shape.valid) return STATUS_INVALID_PARAMETER;
    const ULONG registers = shape.bounce ? shape.pieces : 0;
    if (registers > a.map_registers) return STATUS_INSUFFICIENT_RESOURCES;
    const ULONG size = list_buffer_size(shape.elements);
    const bool pool = r.buffer == nullptr;
    void* buffer = r.buffer;
    if (pool) {
        buffer = ExAllocatePoolWithTag(NonPagedPoolNx, size, kListTag);
        if (!buffer) return STATUS_INSUFFICIENT_RESOURCES;
    } else if (r.buffer_length < size) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    auto* list = static_cast<PSCATTER_GATHER_LIST>(buffer);
    auto* s = reinterpret_cast<ListState*>(static_cast<UCHAR*>(buffer) + size - sizeof(ListState));
    std::memset(s, 0, sizeof(*s));
    s->magic = kListMagic;
    s->pool = pool;
    s->write = r.write;
    s->adapter = &a;
    s->mdl = r.mdl;
    s->offset = r.offset;
    s->length = r.length;
    s->registers = registers;
    s->routine = r.routine;
    s->context = r.context;
    s->list = list;
    s->capacity = shape.elements;
    list->NumberOfElements = 0;
    list->Reserved = reinterpret_cast<ULONG_PTR>(s);
    PWAIT_CONTEXT_BLOCK wcb = &s->wcb;
    prepare_wait(wcb, false, r.device, grant_list, s, registers);
    if (r.transfer) {
        r.transfer->queued = wcb;
        r.transfer->list = s;
    }
    AtDispatch dispatch;
    MapRegister* base = nullptr;
    bool now = registers == 0;
    if (!now && r.sync) {
        KeAcquireSpinLockAtDpcLevel(&a.lock);
        now = available_now(a, false) && reserve_registers(a, registers, &base);
        KeReleaseSpinLockFromDpcLevel(&a.lock);
        if (!now) {
            if (pool) ExFreePoolWithTag(buffer, kListTag);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    if (!now) {
        queue_request(a, wcb);
        return STATUS_SUCCESS;
    }
    (void)grant_list(r.device, r.device->CurrentIrp, base, s);
    if (r.out) *r.out = list;
    return STATUS_SUCCESS;
}

// The Ex routines' extra rules: an initialized context of this adapter, known flags, and an
// AdapterListControl unless the call is synchronous.
bool ex_request_valid(Adapter& a, PVOID transfer_context, ULONG flags, PDRIVER_LIST_CONTROL routine) {
    if (!transfer_context_of(a, transfer_context)) return false;
    if (flags & ~static_cast<ULONG>(DMA_SYNCHRONOUS_CALLBACK)) return false;
    return routine || (flags & DMA_SYNCHRONOUS_CALLBACK);
}

}  // namespace

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pget_scatter_gather_list
// Builds a pool-allocated list describing Length bytes of the MDL chain from CurrentVa (in the first
// MDL) and calls ExecutionRoutine with it at DISPATCH_LEVEL: at once when no map registers are
// needed, else when they are free. The registers stay with the list until PutScatterGatherList;
// the adapter channel is not involved (no queueing limit per device).
// STATUS_INSUFFICIENT_RESOURCES: no memory, or more registers than IoGetDmaAdapter gave.
// NT deviation: a NULL argument, a zero length or a range the chain does not hold gets
// STATUS_INVALID_PARAMETER rather than a fault.
NTSTATUS NTAPI get_scatter_gather_list(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject, PMDL Mdl, PVOID CurrentVa,
                                       ULONG Length, PDRIVER_LIST_CONTROL ExecutionRoutine, PVOID Context,
                                       BOOLEAN WriteToDevice) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::DispatchOnly);
    Adapter* a = adapter_of(DmaAdapter);
    ULONGLONG offset = 0;
    if (!a || !Mdl || !ExecutionRoutine || !offset_in(Mdl, CurrentVa, &offset)) return STATUS_INVALID_PARAMETER;
    return start_list(*a, {DeviceObject, Mdl, offset, Length, ExecutionRoutine, Context, WriteToDevice != FALSE,
                           nullptr, 0, false, nullptr, nullptr});
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pbuild_scatter_gather_list
// GetScatterGatherList in the caller's buffer of ScatterGatherLength bytes (CalculateScatterGatherList
// gives the size): STATUS_BUFFER_TOO_SMALL when it is shorter. The buffer stays the caller's.
NTSTATUS NTAPI build_scatter_gather_list(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject, PMDL Mdl,
                                         PVOID CurrentVa, ULONG Length, PDRIVER_LIST_CONTROL ExecutionRoutine,
                                         PVOID Context, BOOLEAN WriteToDevice, PVOID ScatterGatherBuffer,
                                         ULONG ScatterGatherLength) {
    Adapter* a = adapter_of(DmaAdapter);
    ULONGLONG offset = 0;
    if (!a || !Mdl || !ExecutionRoutine || !ScatterGatherBuffer || !offset_in(Mdl, CurrentVa, &offset))
        return STATUS_INVALID_PARAMETER;
    return start_list(*a, {DeviceObject, Mdl, offset, Length, ExecutionRoutine, Context, WriteToDevice != FALSE,
                           ScatterGatherBuffer, ScatterGatherLength, false, nullptr, nullptr});
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pget_scatter_gather_list_ex
// GetScatterGatherList at Offset of the chain, with a transfer context (CancelAdapterChannel can take
// a waiting request back). DMA_SYNCHRONOUS_CALLBACK: registers now or STATUS_INSUFFICIENT_RESOURCES;
// the routine (optional then) runs before the return and *ScatterGatherList gets the list.
// STATUS_INVALID_PARAMETER for a context not of this adapter, unknown flags, or no routine without
// the flag. NT deviation: the completion routine is system DMA's, which ntio does not have; it is
// never called.
NTSTATUS NTAPI get_scatter_gather_list_ex(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject,
                                          PVOID DmaTransferContext, PMDL Mdl, ULONGLONG Offset, ULONG Length,
                                          ULONG Flags, PDRIVER_LIST_CONTROL ExecutionRoutine, PVOID Context,
                                          BOOLEAN WriteToDevice, PDMA_COMPLETION_ROUTINE DmaCompletionRoutine,
                                          PVOID CompletionContext, PSCATTER_GATHER_LIST* ScatterGatherList) {
    (void)DmaCompletionRoutine;
    (void)CompletionContext;
    Adapter* a = adapter_of(DmaAdapter);
    if (!a || !Mdl || !ex_request_valid(*a, DmaTransferContext, Flags, ExecutionRoutine)) return STATUS_INVALID_PARAMETER;
    const bool sync = (Flags & DMA_SYNCHRONOUS_CALLBACK) != 0;
    return start_list(*a, {DeviceObject, Mdl, Offset, Length, ExecutionRoutine, Context, WriteToDevice != FALSE,
                           nullptr, 0, sync, transfer_context_of(*a, DmaTransferContext),
                           sync ? ScatterGatherList : nullptr});
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pbuild_scatter_gather_list_ex
// GetScatterGatherListEx in the caller's buffer (GetDmaTransferInfo gives its size):
// STATUS_BUFFER_TOO_SMALL when it is shorter. ScatterGatherList, when not NULL, is a
// PSCATTER_GATHER_LIST variable that gets the list of a synchronous call.
NTSTATUS NTAPI build_scatter_gather_list_ex(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject,
                                            PVOID DmaTransferContext, PMDL Mdl, ULONGLONG Offset, ULONG Length,
                                            ULONG Flags, PDRIVER_LIST_CONTROL ExecutionRoutine, PVOID Context,
                                            BOOLEAN WriteToDevice, PVOID ScatterGatherBuffer,
                                            ULONG ScatterGatherLength, PDMA_COMPLETION_ROUTINE DmaCompletionRoutine,
                                            PVOID CompletionContext, PVOID ScatterGatherList) {
    (void)DmaCompletionRoutine;
    (void)CompletionContext;
    Adapter* a = adapter_of(DmaAdapter);
    if (!a || !Mdl || !ScatterGatherBuffer || !ex_request_valid(*a, DmaTransferContext, Flags, ExecutionRoutine))
        return STATUS_INVALID_PARAMETER;
    const bool sync = (Flags & DMA_SYNCHRONOUS_CALLBACK) != 0;
    return start_list(*a, {DeviceObject, Mdl, Offset, Length, ExecutionRoutine, Context, WriteToDevice != FALSE,
                           ScatterGatherBuffer, ScatterGatherLength, sync, transfer_context_of(*a, DmaTransferContext),
                           sync ? static_cast<PSCATTER_GATHER_LIST*>(ScatterGatherList) : nullptr});
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pput_scatter_gather_list
// Ends the list's transfer: data the device wrote into bounce registers goes to the driver's buffer
// (reads), the registers are freed (serving requests waiting for them), an MDL
// BuildMdlFromScatterGatherList made is freed, and so is the list if GetScatterGatherList(Ex)
// allocated it. A list ntio did not build is ignored. DISPATCH_LEVEL.
VOID NTAPI put_scatter_gather_list(PDMA_ADAPTER DmaAdapter, PSCATTER_GATHER_LIST ScatterGather, BOOLEAN WriteToDevice) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::DispatchOnly);
    Adapter* a = adapter_of(DmaAdapter);
    if (a && a->verification && !verify_list_put(*a, ScatterGather)) return;
    ListState* s = list_state_of(ScatterGather);
    if (!a || !s || s->adapter != a) return;
    flush_registers(*a, s->base, WriteToDevice != FALSE);
    KIRQL irql;
    KeAcquireSpinLock(&a->lock, &irql);
    release_registers(*a, s->base);
    KeReleaseSpinLock(&a->lock, irql);
    if (s->built_mdl) IoFreeMdl(s->built_mdl);
    s->magic = 0;
    if (s->pool) ExFreePoolWithTag(ScatterGather, kListTag);
    pump(*a);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pcalculate_scatter_gather_list_size
// The buffer BuildScatterGatherList needs for Length bytes from CurrentVa (in Mdl, or with no MDL a
// nonpaged buffer at CurrentVa), and the map registers the transfer takes (one per page).
// STATUS_INVALID_PARAMETER for a NULL adapter or size pointer, a zero length, or a range outside Mdl.
NTSTATUS NTAPI calculate_scatter_gather_list(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID CurrentVa, ULONG Length,
                                             PULONG ScatterGatherListSize, PULONG pNumberOfMapRegisters) {
    Adapter* a = adapter_of(DmaAdapter);
    if (!a || !ScatterGatherListSize || Length == 0) return STATUS_INVALID_PARAMETER;
    ULONG pieces = 0;
    ULONG elements = 0;
    if (Mdl) {
        ULONGLONG offset = 0;
        if (!offset_in(Mdl, CurrentVa, &offset)) return STATUS_INVALID_PARAMETER;
        const TransferShape shape = shape_of(*a, Mdl, offset, Length);
        if (!shape.valid) return STATUS_INVALID_PARAMETER;
        pieces = shape.pieces;
        elements = shape.elements;
    } else {
        pieces = elements = static_cast<ULONG>(ADDRESS_AND_SIZE_TO_SPAN_PAGES(CurrentVa, Length));
    }
    *ScatterGatherListSize = list_buffer_size(elements);
    if (pNumberOfMapRegisters) *pNumberOfMapRegisters = pieces;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pget_dma_transfer_info
// The map registers, list elements and list buffer size a transfer of [Offset, Offset + Length) of
// the chain needs (version 2 adds the logical pages). STATUS_NOT_SUPPORTED for another version;
// STATUS_INVALID_PARAMETER for a NULL argument, a zero length or a range the chain does not hold.
NTSTATUS NTAPI get_dma_transfer_info(PDMA_ADAPTER DmaAdapter, PMDL Mdl, ULONGLONG Offset, ULONG Length, BOOLEAN WriteOnly,
                                     PDMA_TRANSFER_INFO TransferInfo) {
    (void)WriteOnly;
    Adapter* a = adapter_of(DmaAdapter);
    if (!a || !Mdl || !TransferInfo) return STATUS_INVALID_PARAMETER;
    const ULONG version = TransferInfo->Version;
    if (version != DMA_TRANSFER_INFO_VERSION1 && version != DMA_TRANSFER_INFO_VERSION2) return STATUS_NOT_SUPPORTED;
    const TransferShape shape = shape_of(*a, Mdl, Offset, Length);
    if (!shape.valid) return STATUS_INVALID_PARAMETER;
    TransferInfo->V1.MapRegisterCount = shape.pieces;
    TransferInfo->V1.ScatterGatherElementCount = shape.elements;
    TransferInfo->V1.ScatterGatherListSize = list_buffer_size(shape.elements);
    if (version == DMA_TRANSFER_INFO_VERSION2) TransferInfo->V2.LogicalPageCount = shape.pieces;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pbuild_mdl_from_scatter_gather_list
// An MDL for the memory the list describes: OriginalMdl itself when the device reaches the buffer,
// else a new MDL over the bounce registers (freed with the list). STATUS_INVALID_PARAMETER for a
// NULL OriginalMdl or TargetMdl or a list ntio did not build; STATUS_NONE_MAPPED the second time
// for one list; STATUS_INSUFFICIENT_RESOURCES without memory for the MDL.
NTSTATUS NTAPI build_mdl_from_scatter_gather_list(PDMA_ADAPTER DmaAdapter, PSCATTER_GATHER_LIST ScatterGather,
                                                  PMDL OriginalMdl, PMDL* TargetMdl) {
    Adapter* a = adapter_of(DmaAdapter);
    ListState* s = list_state_of(ScatterGather);
    if (!a || !OriginalMdl || !TargetMdl || !s || s->adapter != a) return STATUS_INVALID_PARAMETER;
    if (s->mdl_built) return STATUS_NONE_MAPPED;
    if (!s->base) {
        s->mdl_built = true;
        *TargetMdl = OriginalMdl;
        return STATUS_SUCCESS;
    }
    // The bounced transfer lies contiguously in its registers from the first piece's page offset.
    ULONG_PTR first_va = 0;
    for_each_piece(s->mdl, s->offset, s->length, [&](const Piece& p, ULONG) {
        first_va = p.va;
        return false;
    });
    PVOID start = bounce_page(*a, s->base) + BYTE_OFFSET(first_va);
    PMDL mdl = IoAllocateMdl(start, s->length, FALSE, FALSE, nullptr);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(mdl);
    s->built_mdl = mdl;
    s->mdl_built = true;
    *TargetMdl = mdl;
    return STATUS_SUCCESS;
}

}  // namespace ntio::io::dma
