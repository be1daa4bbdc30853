// Reserved mappings: MmAllocateMappingAddress(Ex) sets a range of system addresses aside under a pool
// tag; MmMapLockedPagesWithReservedMapping maps a locked MDL through it and MmUnmapReservedMapping
// ends that mapping; MmFreeMappingAddress gives the range back. Misuse is SYSTEM_PTE_MISUSE, as the
// bug check reference lists it:
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xda--system-pte-misuse
#include <ntifs.h>

#include <map>
#include <mutex>

#include "host/pages.hpp"

namespace {

struct Reservation {
    ULONG tag = 0;
    ULONG pages = 0;
    PMDL mapped = nullptr;     // the MDL mapped through the range, null when none is
    ULONG mapped_pages = 0;
};

// Reserved ranges by base address; a reservation is rare and short, one lock is enough.
std::mutex g_lock;
std::map<ULONG_PTR, Reservation>& reservations() {
    static std::map<ULONG_PTR, Reservation> table;
    return table;
}

ULONG mdl_pages(PMDL mdl) { return ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount); }

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmallocatemappingaddressex
// MM_MAPPING_ADDRESS_DIVISIBLE (sub-ranges mapped separately) is accepted; other flags fail.
PVOID NTAPI MmAllocateMappingAddressEx(SIZE_T NumberOfBytes, ULONG PoolTag, ULONG Flags) {
    if (NumberOfBytes == 0) KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x100, 0, PoolTag, 0);
    if (Flags & ~static_cast<ULONG>(MM_MAPPING_ADDRESS_DIVISIBLE)) return nullptr;
    const SIZE_T pages = BYTES_TO_PAGES(NumberOfBytes);
    if (pages > MAXULONG) return nullptr;
    void* base = ntio::host::reserve_pages(pages * PAGE_SIZE);
    if (!base) return nullptr;
    std::lock_guard guard(g_lock);
    reservations()[reinterpret_cast<ULONG_PTR>(base)] = {PoolTag, static_cast<ULONG>(pages), nullptr, 0};
    return base;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmallocatemappingaddress
PVOID NTAPI MmAllocateMappingAddress(SIZE_T NumberOfBytes, ULONG PoolTag) {
    return MmAllocateMappingAddressEx(NumberOfBytes, PoolTag, 0);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmfreemappingaddress
VOID NTAPI MmFreeMappingAddress(PVOID BaseAddress, ULONG PoolTag) {
    const auto base = reinterpret_cast<ULONG_PTR>(BaseAddress);
    ULONG pages = 0;
    {
        std::unique_lock guard(g_lock);
        auto it = reservations().find(base);
        if (it == reservations().end()) {
            guard.unlock();
            KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x102, base, PoolTag, 0);  // no reservation there
        }
        const Reservation r = it->second;
        if (r.tag != PoolTag) {
            guard.unlock();
            KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x101, base, PoolTag, r.tag);
        }
        if (r.mapped) {
            guard.unlock();
            KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x103, base, PoolTag, r.pages);  // unmap first
        }
        pages = r.pages;
        reservations().erase(it);
    }
    ntio::host::free_pages(BaseAddress, static_cast<std::size_t>(pages) * PAGE_SIZE);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmaplockedpageswithreservedmapping
// NULL only for bad parameters: an MDL spanning more pages than the range, or one whose pages are
// not locked (nor nonpaged pool).
// NT deviation: there is one address space, so the mapping is the MDL's own address (as with
// MmMapLockedPagesSpecifyCache), not an address inside the reserved range; writes through either
// are the same writes. The range stays reserved (and owned) all the same.
PVOID NTAPI MmMapLockedPagesWithReservedMapping(PVOID MappingAddress, ULONG PoolTag, PMDL MemoryDescriptorList,
                                                MEMORY_CACHING_TYPE CacheType) {
    const auto base = reinterpret_cast<ULONG_PTR>(MappingAddress);
    PMDL mdl = MemoryDescriptorList;
    if (!mdl || static_cast<int>(CacheType) < MmNonCached || CacheType >= MmMaximumCacheType) return nullptr;
    if (!(mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL))) return nullptr;
    std::unique_lock guard(g_lock);
    auto it = reservations().find(base);
    if (it == reservations().end()) {
        guard.unlock();
        KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x105, base, PoolTag, 0);
    }
    Reservation& r = it->second;
    if (r.tag != PoolTag) {
        const ULONG owner = r.tag;
        guard.unlock();
        KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x104, base, PoolTag, owner);
    }
    if (r.mapped) {
        const ULONG last = r.pages;
        guard.unlock();
        KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x107, base, base, base + (static_cast<ULONG_PTR>(last) - 1) * PAGE_SIZE);
    }
    const ULONG pages = mdl_pages(mdl);
    if (pages > r.pages) return nullptr;
    r.mapped = mdl;
    r.mapped_pages = pages;
    // The MDL's MappedSystemVa is the page start; the returned address includes the byte offset.
    mdl->MappedSystemVa = mdl->StartVa;
    return MmGetMdlVirtualAddress(mdl);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmunmapreservedmapping
VOID NTAPI MmUnmapReservedMapping(PVOID BaseAddress, ULONG PoolTag, PMDL MemoryDescriptorList) {
    const auto base = reinterpret_cast<ULONG_PTR>(BaseAddress);
    std::unique_lock guard(g_lock);
    auto it = reservations().find(base);
    if (it == reservations().end()) {
        guard.unlock();
        KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x109, base, PoolTag, 0);
    }
    Reservation& r = it->second;
    if (r.tag != PoolTag) {
        const ULONG owner = r.tag;
        guard.unlock();
        KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x108, base, PoolTag, owner);
    }
    if (!r.mapped) {
        guard.unlock();
        KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x109, base, PoolTag, 0);  // nothing mapped
    }
    const ULONG pages = MemoryDescriptorList ? mdl_pages(MemoryDescriptorList) : 0;
    if (pages != r.mapped_pages) {
        const ULONG mapped = r.mapped_pages;
        guard.unlock();
        if (pages > mapped) KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x10A, base, mapped, pages);
        KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x10C, base, PoolTag, pages);
    }
    r.mapped = nullptr;
    r.mapped_pages = 0;
}

}  // extern "C"
