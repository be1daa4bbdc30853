// I/O space mappings (MmMapIoSpace, MmMapIoSpaceEx, MmUnmapIoSpace, MmIsIoSpaceActive) and the
// obsolete MmIsNonPagedSystemAddressValid. ntio has no device registers and no physical memory of
// its own: as for MmGetPhysicalAddress (memory_ddi.cpp), a physical address is the virtual address,
// so the only physical ranges that exist are mapped host memory, and they map to themselves. The
// mappings are counted so that MmIsIoSpaceActive can answer; nothing on the I/O path comes here.
#include <ntifs.h>

#include <map>
#include <mutex>

#include "verifier/verifier.hpp"

namespace {

// Live MmMapIoSpace mappings: start -> lengths (a range may be mapped more than once).
struct IoSpaceMappings {
    std::mutex lock;
    std::multimap<ULONG_PTR, SIZE_T> ranges;
};

IoSpaceMappings& mappings() {
    static IoSpaceMappings instance;
    return instance;
}

// Every page of [start, start + bytes) readable without a fault.
bool range_mapped(ULONG_PTR start, SIZE_T bytes) noexcept {
    if (bytes == 0 || start + bytes < start) return false;
    const ULONG_PTR first = start & ~static_cast<ULONG_PTR>(PAGE_SIZE - 1);
    for (ULONG_PTR page = first; page < start + bytes; page += PAGE_SIZE)
        if (!MmIsAddressValid(reinterpret_cast<PVOID>(page < start ? start : page))) return false;
    return true;
}

PVOID map(PHYSICAL_ADDRESS physical, SIZE_T bytes) {
    const auto start = static_cast<ULONG_PTR>(physical.QuadPart);
    if (physical.QuadPart <= 0 || !range_mapped(start, bytes)) return nullptr;
    IoSpaceMappings& m = mappings();
    std::lock_guard guard(m.lock);
    m.ranges.emplace(start, bytes);
    return reinterpret_cast<PVOID>(start);
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmapiospace
// IRQL <= DISPATCH_LEVEL. NULL when the range cannot be mapped: here, when any page of it is not
// mapped memory (the address a device's registers would have maps nothing), for zero bytes and for
// an invalid CacheType (guesses: Learn names no case). Caching types change nothing (host memory is
// cached; docs/nt-deviations.md "mm: sections", "No physical memory").
NTKERNELAPI PVOID NTAPI MmMapIoSpace(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes,
                                     MEMORY_CACHING_TYPE CacheType) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    const int type = static_cast<int>(CacheType);
    if (type < MmNonCached || type >= MmMaximumCacheType) return nullptr;
    return map(PhysicalAddress, NumberOfBytes);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmapiospaceex
// Protect: PAGE_READWRITE or PAGE_READONLY, with at most one of PAGE_NOCACHE and PAGE_WRITECOMBINE;
// anything else (PAGE_EXECUTE_* included) gets NULL. The mapping keeps the memory's own protection.
NTKERNELAPI PVOID NTAPI MmMapIoSpaceEx(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes, ULONG Protect) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    const ULONG base = Protect & ~static_cast<ULONG>(PAGE_NOCACHE | PAGE_WRITECOMBINE);
    const ULONG modifiers = Protect & (PAGE_NOCACHE | PAGE_WRITECOMBINE);
    if ((base != PAGE_READWRITE && base != PAGE_READONLY) || modifiers == (PAGE_NOCACHE | PAGE_WRITECOMBINE))
        return nullptr;
    return map(PhysicalAddress, NumberOfBytes);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmunmapiospace
// IRQL <= DISPATCH_LEVEL. Ends one mapping of exactly this range.
// NT deviation: a range that was not mapped is ignored (NT's verifier stops the system).
NTKERNELAPI VOID NTAPI MmUnmapIoSpace(PVOID BaseAddress, SIZE_T NumberOfBytes) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    IoSpaceMappings& m = mappings();
    std::lock_guard guard(m.lock);
    auto [first, last] = m.ranges.equal_range(reinterpret_cast<ULONG_PTR>(BaseAddress));
    for (auto it = first; it != last; ++it) {
        if (it->second == NumberOfBytes) {
            m.ranges.erase(it);
            return;
        }
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmisiospaceactive
// TRUE when any part of the range is mapped through MmMapIoSpace(Ex) now.
NTKERNELAPI LOGICAL NTAPI MmIsIoSpaceActive(PHYSICAL_ADDRESS StartAddress, SIZE_T NumberOfBytes) {
    const auto start = static_cast<ULONG_PTR>(StartAddress.QuadPart);
    const ULONG_PTR end = start + NumberOfBytes < start ? ~ULONG_PTR{0} : start + NumberOfBytes;
    if (NumberOfBytes == 0) return FALSE;
    IoSpaceMappings& m = mappings();
    std::lock_guard guard(m.lock);
    for (auto it = m.ranges.begin(); it != m.ranges.end() && it->first < end; ++it)
        if (it->first + it->second > start) return TRUE;
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmisnonpagedsystemaddressvalid
// Obsolete. Nothing in ntio is paged out, so every mapped address is a valid nonpaged one.
NTKERNELAPI BOOLEAN NTAPI MmIsNonPagedSystemAddressValid(PVOID VirtualAddress) {
    return MmIsAddressValid(VirtualAddress);
}

}  // extern "C"
