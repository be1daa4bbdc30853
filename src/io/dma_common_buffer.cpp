// Common buffers: memory the driver and its device share for the adapter's life, placed where the
// device reaches it (below its address limit); the logical address is the virtual one.
#include "io/dma_adapter.hpp"
#include "io/dma_routines.hpp"
#include "io/dma_verifier.hpp"

#include "host/pages.hpp"

namespace ntio::io::dma {
namespace {

// Whole pages in [lowest, highest] for the device, zero-filled; NULL when the host cannot place them.
PVOID allocate_shared(Adapter& a, ULONG length, ULONGLONG lowest, ULONGLONG highest, PPHYSICAL_ADDRESS logical) {
    if (a.verification) return verified_allocate_common(a, length, lowest, highest, logical);
    if (length == 0 || !logical) return nullptr;
    highest = std::min(highest, a.limit);
    void* memory = ntio::host::allocate_pages_below(length, highest);
    if (!memory) return nullptr;
    if (reinterpret_cast<ULONG_PTR>(memory) < lowest) {
        ntio::host::free_pages(memory, length);
        return nullptr;
    }
    logical->QuadPart = static_cast<LONGLONG>(reinterpret_cast<ULONG_PTR>(memory));
    return memory;
}

}  // namespace

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pallocate_common_buffer
// Length bytes (whole pages, zero-filled) the device reaches; *LogicalAddress gets the address the
// device uses. NULL for a zero length, a NULL LogicalAddress or no memory below the device's limit.
// PASSIVE_LEVEL. NT deviation: CacheEnabled FALSE is not honoured (host memory is cached and
// coherent with the simulated device).
PVOID NTAPI allocate_common_buffer(PDMA_ADAPTER DmaAdapter, ULONG Length, PPHYSICAL_ADDRESS LogicalAddress,
                                   BOOLEAN CacheEnabled) {
    (void)CacheEnabled;
    Adapter* a = adapter_of(DmaAdapter);
    return a ? allocate_shared(*a, Length, 0, ~0ull, LogicalAddress) : nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pfree_common_buffer
// Frees a common buffer with the Length and VirtualAddress it was allocated with. PASSIVE_LEVEL.
VOID NTAPI free_common_buffer(PDMA_ADAPTER DmaAdapter, ULONG Length, PHYSICAL_ADDRESS LogicalAddress,
                              PVOID VirtualAddress, BOOLEAN CacheEnabled) {
    (void)LogicalAddress;
    (void)CacheEnabled;
    Adapter* a = adapter_of(DmaAdapter);
    if (!a || !VirtualAddress || Length == 0) return;
    if (a->verification) {
        verified_free_common(*a, VirtualAddress);
        return;
    }
    ntio::host::free_pages(VirtualAddress, Length);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pallocate_common_buffer_ex
// AllocateCommonBuffer with an optional highest address (*MaximumAddress) the buffer must lie below.
// Freed with FreeCommonBuffer. PreferredNode is accepted (one node).
PVOID NTAPI allocate_common_buffer_ex(PDMA_ADAPTER DmaAdapter, PPHYSICAL_ADDRESS MaximumAddress, ULONG Length,
                                      PPHYSICAL_ADDRESS LogicalAddress, BOOLEAN CacheEnabled,
                                      NODE_REQUIREMENT PreferredNode) {
    (void)CacheEnabled;
    (void)PreferredNode;
    Adapter* a = adapter_of(DmaAdapter);
    if (!a) return nullptr;
    const ULONGLONG highest = MaximumAddress ? static_cast<ULONGLONG>(MaximumAddress->QuadPart) : ~0ull;
    return allocate_shared(*a, Length, 0, highest, LogicalAddress);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pallocate_common_buffer_with_bounds
// A common buffer between the optional *MinimumAddress and *MaximumAddress. NULL for flags other
// than DOMAIN_COMMON_BUFFER_LARGE_PAGE, a CacheType other than MmCached / MmNonCached, or no memory
// in the range. Freed with FreeCommonBuffer.
PVOID NTAPI allocate_common_buffer_with_bounds(PDMA_ADAPTER DmaAdapter, PPHYSICAL_ADDRESS MinimumAddress,
                                               PPHYSICAL_ADDRESS MaximumAddress, ULONG Length, ULONG Flags,
                                               MEMORY_CACHING_TYPE* CacheType, NODE_REQUIREMENT PreferredNode,
                                               PPHYSICAL_ADDRESS LogicalAddress) {
    (void)PreferredNode;
    Adapter* a = adapter_of(DmaAdapter);
    if (!a || (Flags & ~static_cast<ULONG>(DOMAIN_COMMON_BUFFER_LARGE_PAGE))) return nullptr;
    if (CacheType && *CacheType != MmCached && *CacheType != MmNonCached) return nullptr;
    const ULONGLONG lowest = MinimumAddress ? static_cast<ULONGLONG>(MinimumAddress->QuadPart) : 0;
    const ULONGLONG highest = MaximumAddress ? static_cast<ULONGLONG>(MaximumAddress->QuadPart) : ~0ull;
    return allocate_shared(*a, Length, lowest, highest, LogicalAddress);
}

}  // namespace ntio::io::dma
