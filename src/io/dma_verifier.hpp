// Driver Verifier's DMA checking on an adapter a verified driver got from IoGetDmaAdapter (the
// driver whose code asked for it has NTIO_VERIFIER_DMA_CHECKING): bug check 0xE6
// DRIVER_VERIFIER_DMA_VIOLATION with the subcodes and parameters of "Bug Check 0xE6:
// DRIVER_VERIFIER_DMA_VIOLATION" on Learn. Every hook here is called only when the adapter has a
// Verification; an adapter without one runs the DMA routines exactly as before.
//
// What is counted: common buffers (each one, with guard bytes around it), the adapter channel, map
// registers kept with DeallocateObjectKeepRegisters, scatter/gather lists given out and put back,
// and transfers mapped but not flushed. Reports are made with no lock held.
#pragma once

#include <vector>

#include "io/dma_adapter.hpp"

namespace ntio::io::dma {

// What the verifier writes over padding and over free map registers' bounce pages (Learn: 0x0F).
inline constexpr UCHAR kDmaFill = 0x0F;

struct CommonBufferRecord {
    UCHAR* buffer;       // what the driver got
    ULONG length;        // the Length it asked for
    UCHAR* block;        // the pages behind it: a guard page, the buffer's pages, a guard page
    SIZE_T block_bytes;
};

struct Verification {
    PDRIVER_OBJECT driver;  // nullptr once the driver is gone (its adapter was left behind)
    // Under the adapter lock.
    ULONG kept_registers = 0;  // kept with DeallocateObjectKeepRegisters, not yet freed
    ULONG lists_allocated = 0;
    ULONG lists_freed = 0;
    std::vector<PSCATTER_GATHER_LIST> lists;      // given to the driver, not yet put back
    std::vector<CommonBufferRecord> buffers;      // allocated, not yet freed
};

// IoGetDmaAdapter: a Verification when the calling driver is verified with DMA checking.
Verification* verification_for_new_adapter() noexcept;
// Once the adapter is set up: the unload check can find it.
void register_adapter(Adapter& a) noexcept;
// PutDmaAdapter: 0x07-0x0A while resources are outstanding; then forgets the adapter's checks.
void verify_put_adapter(Adapter& a) noexcept;

// Common buffers with guards; nullptr as allocate_shared for the same reasons.
PVOID verified_allocate_common(Adapter& a, ULONG length, ULONGLONG lowest, ULONGLONG highest,
                               PPHYSICAL_ADDRESS logical) noexcept;
void verified_free_common(Adapter& a, PVOID va) noexcept;

// AllocateAdapterChannel(Ex) before queueing: 0x0C (more registers than the adapter has), 0x0B
// (the channel is already held).
void verify_channel_request(Adapter& a, ULONG registers) noexcept;
// FreeAdapterChannel: 0x04 when the channel is not held; 0x10 when its registers still map data.
void verify_free_channel(Adapter& a) noexcept;
// FreeMapRegisters: 0x05 for registers not kept; 0x10 when they still map data. Then counts them.
void verify_free_map_registers(Adapter& a, MapRegister* base, ULONG count) noexcept;
// MapTransfer: 0x1B for an address outside the MDL, 0x1D for a range already mapped, 0x0D for
// registers still mapping an earlier transfer. Then counts the map.
void verify_map_transfer(Adapter& a, PMDL mdl, MapRegister* base, PVOID va, ULONG length) noexcept;
// FlushAdapterBuffers: 0x1B, 0x00 (more bytes than the MDL has left), 0x20 (nothing was mapped).
// The count of maps starts again once the flush got past its padding checks (flush_registers).
void verify_flush(Adapter& a, PMDL mdl, MapRegister* base, PVOID va, ULONG length) noexcept;
// Bounce map registers: free ones hold the fill, and so does the rest of a mapped register's page.
// At flush (before the data is copied out, no lock held): 0x0F codes 4 and 5 when the device wrote
// around what was mapped. At PutDmaAdapter: code 3 when a free register was written.
void verify_bounce_padding(Adapter& a, const MapRegister* base) noexcept;
void verify_free_registers_untouched(Adapter& a) noexcept;

// Scatter/gather lists: counted when given to the driver; PutScatterGatherList of a list that is not
// out is 0x06 (false: the caller must not touch the list).
void verify_list_granted(Adapter& a, PSCATTER_GATHER_LIST list) noexcept;
bool verify_list_put(Adapter& a, PSCATTER_GATHER_LIST list) noexcept;

// What the checked adapters of a driver hold now (the !verifier view).
struct DmaCounts {
    ULONG adapters = 0;
    ULONG common_buffers = 0;
    ULONG channels = 0;
    ULONG map_registers = 0;
    ULONG lists = 0;
};
DmaCounts dma_counts(PDRIVER_OBJECT driver) noexcept;

// The driver unloads: its adapters forget it. True with the report to make (the verifier makes it
// when the driver is verified with DMA checking) for the first adapter it never put back.
struct AdapterLeft {
    ULONG_PTR p1, p2, p3, p4;
    const char* message;
};
bool adapter_left_at_unload(PDRIVER_OBJECT driver, AdapterLeft* left) noexcept;

}  // namespace ntio::io::dma
