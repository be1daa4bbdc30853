// Mapping transfers: the logical addresses of an MDL chain's pages as the device sees them, through
// bounce map registers where it cannot reach them; MapTransfer(Ex) and FlushAdapterBuffers(Ex).
#include "io/dma_adapter.hpp"
#include "io/dma_routines.hpp"
#include "io/dma_verifier.hpp"

namespace ntio::io::dma {
namespace {

bool beyond_reach(const Adapter& a, ULONGLONG logical, ULONG length) {
    return a.bounces && logical + length - 1 > a.limit;
}

// The register a transfer starting at chain offset `offset` begins with: its page's index from the
// chain start, within the allocation (so successive pieces of one buffer use successive registers).
ULONG first_register(PMDL mdl, ULONGLONG offset, const MapRegister* base) {
    if (!base || base->run == 0) return 0;
    const ULONGLONG page = (BYTE_OFFSET(MmGetMdlVirtualAddress(mdl)) + offset) >> PAGE_SHIFT;
    return static_cast<ULONG>(page % base->run);
}

}  // namespace

TransferShape shape_of(const Adapter& a, PMDL mdl, ULONGLONG offset, ULONG length) {
    TransferShape shape{};
    if (!mdl || length == 0) return shape;
    ULONGLONG next = ~0ull;
    shape.valid = for_each_piece(mdl, offset, length, [&](const Piece& p, ULONG) {
        ++shape.pieces;
        if (p.logical != next) ++shape.elements;
        next = p.logical + p.length;
        if (beyond_reach(a, p.logical, p.length)) shape.bounce = true;
        return true;
    });
    // Bounced pieces are described through the registers, one element per piece at most.
    if (shape.bounce) shape.elements = shape.pieces;
    return shape;
}

ULONG list_buffer_size(ULONG elements) {
    const SIZE_T list = offsetof(SCATTER_GATHER_LIST, Elements) + static_cast<SIZE_T>(elements) * sizeof(SCATTER_GATHER_ELEMENT);
    const SIZE_T aligned = (list + alignof(ListState) - 1) & ~(alignof(ListState) - 1);
    return static_cast<ULONG>(aligned + sizeof(ListState));
}

ULONG describe(Adapter& a, PMDL mdl, ULONGLONG offset, ULONG length, bool write, MapRegister* base, ULONG first,
               bool bounce_all, PSCATTER_GATHER_ELEMENT out, ULONG capacity, ULONG* elements) {
    ULONG count = 0;
    ULONG mapped = 0;
    const ULONG registers = base ? base->run : 0;
    for_each_piece(mdl, offset, length, [&](const Piece& p, ULONG index) {
        ULONGLONG logical = p.logical;
        MapRegister* r = nullptr;
        if ((bounce_all && base) || beyond_reach(a, p.logical, p.length)) {
            if (first + index >= registers) return false;  // out of map registers
            r = base + first + index;
            logical = reinterpret_cast<ULONG_PTR>(bounce_page(a, r)) + BYTE_OFFSET(p.va);
        }
        const bool joins = count != 0 &&
                           static_cast<ULONGLONG>(out[count - 1].Address.QuadPart) + out[count - 1].Length == logical;
        if (!joins && count == capacity) return false;  // out of list entries
        if (r) {
            r->va = p.va;
            r->length = p.length;
            if (write) std::memcpy(reinterpret_cast<void*>(logical), reinterpret_cast<const void*>(p.va), p.length);
        }
        if (joins) {
            out[count - 1].Length += p.length;
        } else {
            out[count].Address.QuadPart = static_cast<LONGLONG>(logical);
            out[count].Length = p.length;
            out[count].Reserved = 0;
            ++count;
        }
        mapped += p.length;
        return true;
    });
    *elements = count;
    return mapped;
}

void flush_registers(Adapter& a, MapRegister* base, bool write) {
    if (!a.bounces || !base || base->run == 0) return;
    if (a.verification) {
        verify_bounce_padding(a, base);
        base->maps = 0;  // flushed (the padding was intact)
    }
    for (ULONG i = 0; i < base->run; ++i) {
        MapRegister& r = base[i];
        if (r.length == 0) continue;
        if (!write) {
            const UCHAR* from = bounce_page(a, &r) + BYTE_OFFSET(r.va);
            std::memcpy(reinterpret_cast<void*>(r.va), from, r.length);
        }
        if (a.verification) std::memset(bounce_page(a, &r), kDmaFill, PAGE_SIZE);
        r.va = 0;
        r.length = 0;
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pmap_transfer
// The logical address the device uses for CurrentVa in Mdl, and in *Length the bytes mapped from
// there (at most *Length): one logically contiguous run. Memory the device reaches is its own
// address; memory beyond its reach goes through the map registers at MapRegisterBase (the data is
// copied in now when WriteToDevice). An address outside the MDL, or no registers where they are
// needed, maps nothing (*Length 0, address 0).
PHYSICAL_ADDRESS NTAPI map_transfer(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase, PVOID CurrentVa,
                                    PULONG Length, BOOLEAN WriteToDevice) {
    PHYSICAL_ADDRESS address{};
    Adapter* a = adapter_of(DmaAdapter);
    ULONGLONG offset = 0;
    if (!Length) return address;
    if (a && a->verification && Mdl)
        verify_map_transfer(*a, Mdl, static_cast<MapRegister*>(MapRegisterBase), CurrentVa, *Length);
    if (!a || !Mdl || !offset_in(Mdl, CurrentVa, &offset)) {
        *Length = 0;
        return address;
    }
    auto* base = static_cast<MapRegister*>(MapRegisterBase);
    SCATTER_GATHER_ELEMENT element{};
    ULONG elements = 0;
    // One MDL, not its chain: MapTransfer maps within the MDL it is given.
    const ULONG length = std::min<ULONG>(*Length, static_cast<ULONG>(Mdl->ByteCount - offset));
    PMDL next = Mdl->Next;
    Mdl->Next = nullptr;
    *Length = describe(*a, Mdl, offset, length, WriteToDevice != FALSE, base, first_register(Mdl, offset, base), false,
                       &element, 1, &elements);
    Mdl->Next = next;
    if (elements != 0) address = element.Address;
    return address;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pmap_transfer_ex
// Maps [Offset, Offset + *Length) of the MDL chain into the caller's scatter/gather list (a bus
// master's transfer needs one); *Length gets the bytes mapped, fewer when the list's room or the
// map registers run out. STATUS_INVALID_PARAMETER for a NULL adapter, MDL, Length or list, a zero
// length or a range the chain does not hold; STATUS_BUFFER_TOO_SMALL when the list holds no entry.
// NT deviation: DeviceOffset and the completion routine belong to system DMA, which ntio does not
// have; they are ignored and the routine is never called.
NTSTATUS NTAPI map_transfer_ex(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase, ULONGLONG Offset,
                               ULONG DeviceOffset, PULONG Length, BOOLEAN WriteToDevice,
                               PSCATTER_GATHER_LIST ScatterGatherBuffer, ULONG ScatterGatherBufferLength,
                               PDMA_COMPLETION_ROUTINE DmaCompletionRoutine, PVOID CompletionContext) {
    (void)DeviceOffset;
    (void)DmaCompletionRoutine;
    (void)CompletionContext;
    Adapter* a = adapter_of(DmaAdapter);
    if (!a || !Mdl || !Length || !ScatterGatherBuffer || *Length == 0) return STATUS_INVALID_PARAMETER;
    if (!shape_of(*a, Mdl, Offset, *Length).valid) return STATUS_INVALID_PARAMETER;
    const SIZE_T header = offsetof(SCATTER_GATHER_LIST, Elements);
    if (ScatterGatherBufferLength < header + sizeof(SCATTER_GATHER_ELEMENT)) return STATUS_BUFFER_TOO_SMALL;
    const auto capacity = static_cast<ULONG>((ScatterGatherBufferLength - header) / sizeof(SCATTER_GATHER_ELEMENT));
    auto* base = static_cast<MapRegister*>(MapRegisterBase);
    ULONG elements = 0;
    *Length = describe(*a, Mdl, Offset, *Length, WriteToDevice != FALSE, base, first_register(Mdl, Offset, base), false,
                       ScatterGatherBuffer->Elements, capacity, &elements);
    ScatterGatherBuffer->NumberOfElements = elements;
    ScatterGatherBuffer->Reserved = 0;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pflush_adapter_buffers
// Ends a mapped transfer: what the device wrote into bounce registers is copied to the driver's
// buffer (reads), and the registers carry nothing any more. TRUE; FALSE for a NULL adapter or MDL.
BOOLEAN NTAPI flush_adapter_buffers(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase, PVOID CurrentVa,
                                    ULONG Length, BOOLEAN WriteToDevice) {
    Adapter* a = adapter_of(DmaAdapter);
    if (!a || !Mdl) return FALSE;
    if (a->verification) verify_flush(*a, Mdl, static_cast<MapRegister*>(MapRegisterBase), CurrentVa, Length);
    flush_registers(*a, static_cast<MapRegister*>(MapRegisterBase), WriteToDevice != FALSE);
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pflush_adapter_buffers_ex
// FlushAdapterBuffers for a transfer MapTransferEx mapped. STATUS_INVALID_PARAMETER for a NULL
// adapter or MDL, a zero length, or a range the chain does not hold.
NTSTATUS NTAPI flush_adapter_buffers_ex(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase, ULONGLONG Offset,
                                        ULONG Length, BOOLEAN WriteToDevice) {
    Adapter* a = adapter_of(DmaAdapter);
    if (!a || !Mdl || !shape_of(*a, Mdl, Offset, Length).valid) return STATUS_INVALID_PARAMETER;
    flush_registers(*a, static_cast<MapRegister*>(MapRegisterBase), WriteToDevice != FALSE);
    return STATUS_SUCCESS;
}

}  // namespace ntio::io::dma
