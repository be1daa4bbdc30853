// DMA adapters behind the DMA_ADAPTER a driver gets from IoGetDmaAdapter. There is no IOMMU: the
// logical address of memory is its physical address, which in ntio is its virtual address (PFN =
// virtual page number, as in MDLs). A device that cannot reach an address (its description limits
// it to 24, 32 or DmaAddressWidth bits) goes through map registers, which are bounce pages below
// its limit: a write to the device copies the data in when the transfer is mapped, a read copies
// it out when the buffers are flushed. A device that reaches every address needs no map
// registers, and its MapRegisterBase is NULL, as NT's is for such a bus master.
//
// The adapter channel is one resource, held by one AllocateAdapterChannel caller at a time;
// callers wait in FIFO order for it and then, like scatter/gather requests, for map registers.
#pragma once

#include "io/ddk.hpp"

namespace ntio::io::dma {

inline constexpr ULONG kAdapterTag = 0x61616D44;  // "Dmaa"
inline constexpr ULONG kListTag = 0x67734D44;     // "DMsg"
inline constexpr ULONG kAdapterMagic = 0x4144414D;
inline constexpr ULONG kListMagic = 0x4C47534D;
inline constexpr ULONG kContextMagic = 0x5854434D;

// One map register: a bounce page. The first register of an allocation records its size; each
// records the driver's bytes it carries until the buffers are flushed.
struct MapRegister {
    ULONG run;        // registers in the allocation this one starts (0: not the start of one)
    ULONG length;     // bytes mapped through this register (0: none)
    ULONG_PTR va;     // where those bytes live in the driver's buffer
    ULONG maps;       // DMA checking only, first register: MapTransfer calls since the last flush
};

// Driver Verifier's DMA checking for one adapter (dma_verifier.hpp); the adapter has one only when
// the driver that asked for it is verified with NTIO_VERIFIER_DMA_CHECKING.
struct Verification;

struct Adapter {
    DMA_ADAPTER adapter;  // what the driver sees: first, so a PDMA_ADAPTER is an Adapter*
    DMA_OPERATIONS operations;
    ULONG magic;
    ULONG version;             // DEVICE_DESCRIPTION version (0-3)
    PDEVICE_OBJECT pdo;        // referenced while the adapter lives (may be NULL)
    ULONGLONG limit;           // highest logical address the device reaches
    ULONG address_width;       // bits
    ULONG map_registers;       // most per transfer (IoGetDmaAdapter's NumberOfMapRegisters)
    bool bounces;              // the host has memory above `limit`: map registers are bounce pages
    bool scatter_gather;
    KSPIN_LOCK lock;
    LIST_ENTRY channel_waiters;   // WAIT_CONTEXT_BLOCKs (DmaWaitEntry) waiting for the channel
    LIST_ENTRY register_waiters;  // ... holding the channel or needing none, waiting for registers
    bool channel_busy;
    bool pumping;                 // a thread is granting requests (others leave it to that one)
    MapRegister* channel_base;    // registers the channel owner still holds (FreeAdapterChannel frees)
    ULONG channel_count;
    UCHAR* bounce;                // map_registers pages below `limit` (bounces only)
    RTL_BITMAP in_use;            // registers allocated (bounces only)
    MapRegister* registers;       // map_registers entries (bounces only)
    Verification* verification;   // DMA checking, decided at IoGetDmaAdapter (nullptr: none)
};

inline Adapter* adapter_of(PDMA_ADAPTER adapter) noexcept {
    auto* a = reinterpret_cast<Adapter*>(adapter);
    return a && a->magic == kAdapterMagic ? a : nullptr;
}

// The logical address a register's bounce page starts at.
inline UCHAR* bounce_page(Adapter& a, const MapRegister* r) noexcept {
    return a.bounce + static_cast<SIZE_T>(r - a.registers) * PAGE_SIZE;
}

// The byte offset of CurrentVa in an MDL (the start of its chain); false outside the MDL.
inline bool offset_in(PMDL mdl, PVOID current_va, ULONGLONG* offset) noexcept {
    const auto start = reinterpret_cast<ULONG_PTR>(MmGetMdlVirtualAddress(mdl));
    const auto va = reinterpret_cast<ULONG_PTR>(current_va);
    if (va < start || va - start >= mdl->ByteCount) return false;
    *offset = va - start;
    return true;
}

// Bytes of [offset, offset + length) of an MDL chain: pieces of at most a page, with the identity
// logical address of each. Walks into the following MDLs; false when the chain is shorter.
struct Piece {
    ULONG_PTR va;
    ULONGLONG logical;
    ULONG length;
};
template <typename Fn>
bool for_each_piece(PMDL mdl, ULONGLONG offset, ULONG length, Fn&& fn) {
    while (mdl && offset >= mdl->ByteCount) {
        offset -= mdl->ByteCount;
        mdl = mdl->Next;
    }
    ULONG index = 0;
    while (length != 0) {
        if (!mdl) return false;
        const ULONG_PTR start = reinterpret_cast<ULONG_PTR>(MmGetMdlVirtualAddress(mdl));
        const ULONG_PTR va = start + static_cast<ULONG_PTR>(offset);
        const ULONG in_page = static_cast<ULONG>(PAGE_SIZE - BYTE_OFFSET(va));
        const ULONG in_mdl = static_cast<ULONG>(mdl->ByteCount - offset);
        const ULONG take = std::min({length, in_page, in_mdl});
        const ULONG_PTR page = (va >> PAGE_SHIFT) - (reinterpret_cast<ULONG_PTR>(mdl->StartVa) >> PAGE_SHIFT);
        const ULONGLONG logical = (static_cast<ULONGLONG>(MmGetMdlPfnArray(mdl)[page]) << PAGE_SHIFT) | BYTE_OFFSET(va);
        if (!fn(Piece{va, logical, take}, index++)) return true;
        length -= take;
        offset += take;
        if (offset == mdl->ByteCount) {
            mdl = mdl->Next;
            offset = 0;
        }
    }
    return true;
}

// What a transfer needs: map registers (one per page piece), elements of a list describing it at
// its identity addresses, and whether any piece lies beyond the device's reach.
struct TransferShape {
    bool valid;       // the chain holds [offset, offset + length) and length > 0
    ULONG pieces;
    ULONG elements;
    bool bounce;
};
TransferShape shape_of(const Adapter& a, PMDL mdl, ULONGLONG offset, ULONG length);

// The size of a list of `elements` entries with ntio's bookkeeping behind it.
ULONG list_buffer_size(ULONG elements);

// Describes [offset, offset + length) of the chain in `out` (at most `capacity` elements). Pieces
// the device cannot reach (every piece with `bounce_all`) go through the registers at `base` from
// `first` on (one per piece, data copied in when writing to the device); stops early at the
// registers' or the list's end. Returns the bytes described; *elements gets the count written.
ULONG describe(Adapter& a, PMDL mdl, ULONGLONG offset, ULONG length, bool write, MapRegister* base, ULONG first,
               bool bounce_all, PSCATTER_GATHER_ELEMENT out, ULONG capacity, ULONG* elements);

// Copies what the device wrote into the bounce pages of an allocation back to the driver's buffer
// (reads only) and forgets what the registers carried.
void flush_registers(Adapter& a, MapRegister* base, bool write);

// Raises to DISPATCH_LEVEL for the scope when the caller is below it.
class AtDispatch {
public:
    AtDispatch() {
        m_raised = KeGetCurrentIrql() < DISPATCH_LEVEL;
        if (m_raised) KeRaiseIrql(DISPATCH_LEVEL, &m_old);
    }
    ~AtDispatch() {
        if (m_raised) KeLowerIrql(m_old);
    }
    AtDispatch(const AtDispatch&) = delete;
    AtDispatch& operator=(const AtDispatch&) = delete;

private:
    bool m_raised = false;
    KIRQL m_old = PASSIVE_LEVEL;
};

// Under the lock: whether a new request could be served now without passing a waiting one (for the
// channel too when `channel`).
bool available_now(Adapter& a, bool channel);

// Fills a wait block: a request for the channel (and registers) or for registers only.
void prepare_wait(PWAIT_CONTEXT_BLOCK wcb, bool channel, PDEVICE_OBJECT device, PDRIVER_CONTROL routine, PVOID context,
                  ULONG registers);

// Queues a prepared request (for the channel or, without one, for registers) and pumps.
void queue_request(Adapter& a, PWAIT_CONTEXT_BLOCK wcb);

// Gives the channel and map registers to waiting requests in order, calling their routines at
// DISPATCH_LEVEL without the adapter lock. Any IRQL <= DISPATCH_LEVEL.
void pump(Adapter& a);

// Under the lock: takes `count` registers (nullptr base when none are needed); false if they are
// not free now.
bool reserve_registers(Adapter& a, ULONG count, MapRegister** base);
// Returns an allocation's registers (no pump).
void release_registers(Adapter& a, MapRegister* base);

// Settles what the channel owner's routine asked for (lock not held; pumps).
void settle_channel(Adapter& a, IO_ALLOCATION_ACTION action);

// The body of a DMA transfer context (InitializeDmaTransferContext); DMA_TRANSFER_CONTEXT_SIZE_V1.
struct TransferContext {
    ULONG magic;
    Adapter* adapter;
    PWAIT_CONTEXT_BLOCK queued;     // the request it made last (CancelAdapterChannel looks for it)
    struct ListState* list;         // that request's scatter/gather state, if it was one
    WAIT_CONTEXT_BLOCK wcb;         // AllocateAdapterChannelEx's wait block
};
static_assert(sizeof(TransferContext) <= DMA_TRANSFER_CONTEXT_SIZE_V1);

inline TransferContext* transfer_context_of(Adapter& a, PVOID context) noexcept {
    auto* c = static_cast<TransferContext*>(context);
    return c && c->magic == kContextMagic && c->adapter == &a ? c : nullptr;
}

// Removes a queued wait block (CancelAdapterChannel); true if it was still waiting.
bool cancel_wait(Adapter& a, PWAIT_CONTEXT_BLOCK wcb);

// Scatter/gather state behind a list's Reserved field.
struct ListState {
    ULONG magic;
    bool pool;              // GetScatterGatherList allocated the buffer: PutScatterGatherList frees it
    bool write;
    Adapter* adapter;
    PMDL mdl;
    ULONGLONG offset;
    ULONG length;
    ULONG registers;        // map registers it needs (0: none)
    MapRegister* base;
    PMDL built_mdl;         // BuildMdlFromScatterGatherList's MDL, freed with the list
    bool mdl_built;
    PDRIVER_LIST_CONTROL routine;
    PVOID context;
    PSCATTER_GATHER_LIST list;
    ULONG capacity;
    WAIT_CONTEXT_BLOCK wcb;
};

inline ListState* list_state_of(PSCATTER_GATHER_LIST list) noexcept {
    auto* s = list ? reinterpret_cast<ListState*>(list->Reserved) : nullptr;
    return s && s->magic == kListMagic && s->list == list ? s : nullptr;
}

}  // namespace ntio::io::dma
