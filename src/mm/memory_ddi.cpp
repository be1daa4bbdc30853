// Memory drivers ask for by its physical properties: contiguous and non-cached blocks, pages for an
// MDL, physical addresses, protection of an MDL's mapping, and secured user ranges.
//
// ntio has no physical memory of its own. As in the MDL code (src/io/mdl.cpp), a page's frame
// number is its virtual page number, so a "physical address" is the virtual address itself: every
// block is physically contiguous in that model, caching types have nothing to change, and the
// physical ranges a caller names (lowest, highest, skip, boundary) cannot be honoured by any host
// page (see nt-deviations).
#include <ntifs.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

#include "host/pages.hpp"
#include "verifier/verifier.hpp"

namespace {

constexpr ULONG kContiguousTag = 0x74436D4D;  // "MmCt"
constexpr ULONG kNonCachedTag = 0x634E6D4D;   // "MmNc"
constexpr ULONG kMdlTag = 0x6C506D4D;         // "MmPl": MDLs of MmAllocatePagesForMdlEx (freed with ExFreePool)
constexpr ULONG kSecureTag = 0x63536D4D;      // "MmSc"

// An MDL's Size is a CSHORT: the most pages one MDL can describe (with NT's spare slot).
constexpr SIZE_T kMaxMdlPages = (0x10000 - sizeof(MDL)) / sizeof(PFN_NUMBER) - 1;

bool valid_cache_type(MEMORY_CACHING_TYPE type) noexcept {
    return static_cast<int>(type) >= MmNonCached && type < MmMaximumCacheType;
}

SIZE_T round_to_pages(SIZE_T bytes) noexcept { return (bytes + PAGE_SIZE - 1) & ~static_cast<SIZE_T>(PAGE_SIZE - 1); }

// Page-aligned, whole-page pool block: pool aligns blocks of PAGE_SIZE or more to a page.
PVOID allocate_page_block(SIZE_T bytes, ULONG tag) noexcept {
    if (bytes == 0 || bytes > (SIZE_T{1} << 46)) return nullptr;
    return ExAllocatePoolWithTag(NonPagedPoolNx, round_to_pages(bytes), tag);
}

// Pages handed out by MmAllocatePagesForMdlEx: base -> bytes. Only these pages may have their
// protection changed (every other page may be shared with other data).
std::mutex g_pages_lock;
std::map<ULONG_PTR, SIZE_T>& mdl_pages() {
    static std::map<ULONG_PTR, SIZE_T> pages;
    return pages;
}

// The allocation of MmAllocatePagesForMdlEx that holds [va, va + bytes), if any.
bool owned_pages(ULONG_PTR va, SIZE_T bytes) {
    std::lock_guard lock(g_pages_lock);
    auto& pages = mdl_pages();
    auto it = pages.upper_bound(va);
    if (it == pages.begin()) return false;
    --it;
    return va >= it->first && va - it->first <= it->second && bytes <= it->second - (va - it->first);
}

struct SecuredRange {
    ULONG magic;
    PVOID address;
    SIZE_T size;
};
constexpr ULONG kSecuredMagic = 0x53656375;

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmallocatecontiguousmemory
// Page-aligned, nonpaged; NULL for zero bytes or when the host has no memory.
// NT deviation: HighestAcceptableAddress is not honoured (see the file comment).
NTKERNELAPI PVOID NTAPI MmAllocateContiguousMemory(SIZE_T NumberOfBytes, PHYSICAL_ADDRESS HighestAcceptableAddress) {
    (void)HighestAcceptableAddress;
    return allocate_page_block(NumberOfBytes, kContiguousTag);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmallocatecontiguousmemoryspecifycache
// An invalid CacheType, or a boundary that is not a power of two or is smaller than the request,
// gets NULL.
NTKERNELAPI PVOID NTAPI MmAllocateContiguousMemorySpecifyCache(SIZE_T NumberOfBytes,
                                                               PHYSICAL_ADDRESS LowestAcceptableAddress,
                                                               PHYSICAL_ADDRESS HighestAcceptableAddress,
                                                               PHYSICAL_ADDRESS BoundaryAddressMultiple,
                                                               MEMORY_CACHING_TYPE CacheType) {
    (void)LowestAcceptableAddress;
    (void)HighestAcceptableAddress;
    if (!valid_cache_type(CacheType)) return nullptr;
    const auto boundary = static_cast<ULONGLONG>(BoundaryAddressMultiple.QuadPart);
    if (boundary != 0 && ((boundary & (boundary - 1)) != 0 || boundary < NumberOfBytes)) return nullptr;
    return allocate_page_block(NumberOfBytes, kContiguousTag);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmallocatecontiguousnodememory
// Protect must be PAGE_READWRITE or PAGE_EXECUTE_READWRITE, optionally with PAGE_NOCACHE or
// PAGE_WRITECOMBINE; anything else gets NULL. One node: PreferredNode only has to name it (0) or
// be MM_ANY_NODE_OK.
NTKERNELAPI PVOID NTAPI MmAllocateContiguousNodeMemory(SIZE_T NumberOfBytes, PHYSICAL_ADDRESS LowestAcceptableAddress,
                                                       PHYSICAL_ADDRESS HighestAcceptableAddress,
                                                       PHYSICAL_ADDRESS BoundaryAddressMultiple, ULONG Protect,
                                                       NODE_REQUIREMENT PreferredNode) {
    const ULONG access = Protect & ~static_cast<ULONG>(PAGE_NOCACHE | PAGE_WRITECOMBINE);
    if (access != PAGE_READWRITE && access != PAGE_EXECUTE_READWRITE) return nullptr;
    if ((Protect & PAGE_NOCACHE) && (Protect & PAGE_WRITECOMBINE)) return nullptr;
    if (PreferredNode != 0 && PreferredNode != MM_ANY_NODE_OK) return nullptr;
    return MmAllocateContiguousMemorySpecifyCache(NumberOfBytes, LowestAcceptableAddress, HighestAcceptableAddress,
                                                  BoundaryAddressMultiple,
                                                  (Protect & PAGE_NOCACHE) ? MmNonCached : MmCached);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmallocatecontiguousmemoryspecifycachenode
// As MmAllocateContiguousMemorySpecifyCache, on PreferredNode: ntio has one node (0), so MM_ANY_NODE_OK
// and 0 are served and any other node gets NULL, as a node that does not exist would on NT.
NTKERNELAPI PVOID NTAPI MmAllocateContiguousMemorySpecifyCacheNode(SIZE_T NumberOfBytes,
                                                                   PHYSICAL_ADDRESS LowestAcceptableAddress,
                                                                   PHYSICAL_ADDRESS HighestAcceptableAddress,
                                                                   PHYSICAL_ADDRESS BoundaryAddressMultiple,
                                                                   MEMORY_CACHING_TYPE CacheType,
                                                                   NODE_REQUIREMENT PreferredNode) {
    if (PreferredNode != 0 && PreferredNode != MM_ANY_NODE_OK) return nullptr;
    return MmAllocateContiguousMemorySpecifyCache(NumberOfBytes, LowestAcceptableAddress, HighestAcceptableAddress,
                                                  BoundaryAddressMultiple, CacheType);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmfreecontiguousmemory
// A block the contiguous allocators did not return is BAD_POOL_CALLER, as pool's own checks say.
NTKERNELAPI VOID NTAPI MmFreeContiguousMemory(PVOID BaseAddress) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmDispatch);
    ExFreePoolWithTag(BaseAddress, kContiguousTag);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmfreecontiguousmemoryspecifycache
NTKERNELAPI VOID NTAPI MmFreeContiguousMemorySpecifyCache(PVOID BaseAddress, SIZE_T NumberOfBytes,
                                                          MEMORY_CACHING_TYPE CacheType) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmDispatch);
    (void)NumberOfBytes;
    (void)CacheType;
    ExFreePoolWithTag(BaseAddress, kContiguousTag);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmallocatenoncachedmemory
// Page-aligned, nonpaged, whole pages. NT deviation: cached like all host memory.
NTKERNELAPI PVOID NTAPI MmAllocateNonCachedMemory(SIZE_T NumberOfBytes) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    return allocate_page_block(NumberOfBytes, kNonCachedTag);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmfreenoncachedmemory
NTKERNELAPI VOID NTAPI MmFreeNonCachedMemory(PVOID BaseAddress, SIZE_T NumberOfBytes) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    (void)NumberOfBytes;
    ExFreePoolWithTag(BaseAddress, kNonCachedTag);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmgetphysicaladdress
// The "physical" address of a valid virtual address is the address itself (PFN = virtual page
// number, as in MDLs); an address that is not mapped has none: 0.
NTKERNELAPI PHYSICAL_ADDRESS NTAPI MmGetPhysicalAddress(PVOID BaseAddress) {
    PHYSICAL_ADDRESS physical;
    physical.QuadPart = MmIsAddressValid(BaseAddress) ? static_cast<LONGLONG>(reinterpret_cast<ULONG_PTR>(BaseAddress)) : 0;
    return physical;
}

// MmGetVirtualForPhysical (ntddk.h; Learn has no page for it): the inverse of MmGetPhysicalAddress,
// so the address itself when it is mapped and NULL when nothing maps it.
NTKERNELAPI PVOID NTAPI MmGetVirtualForPhysical(PHYSICAL_ADDRESS PhysicalAddress) {
    auto* virtual_address = reinterpret_cast<PVOID>(static_cast<ULONG_PTR>(PhysicalAddress.QuadPart));
    return PhysicalAddress.QuadPart > 0 && MmIsAddressValid(virtual_address) ? virtual_address : nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmallocatepagesformdlex
// Zero-filled (unless MM_DONT_ZERO_ALLOCATION) whole pages described by a new MDL the caller frees
// with ExFreePool after MmFreePagesFromMdl. The MDL's pages are locked, not yet mapped. One MDL
// describes at most kMaxMdlPages pages: a larger request gets that many, or NULL with
// MM_ALLOCATE_FULLY_REQUIRED. Zero bytes or an invalid CacheType get NULL.
// NT deviation: the physical range (LowAddress, HighAddress, SkipBytes) is not honoured.
NTKERNELAPI PMDL NTAPI MmAllocatePagesForMdlEx(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                                               PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes,
                                               MEMORY_CACHING_TYPE CacheType, ULONG Flags) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    (void)LowAddress;
    (void)HighAddress;
    (void)SkipBytes;
    if (TotalBytes == 0 || !valid_cache_type(CacheType)) return nullptr;
    SIZE_T pages = TotalBytes / PAGE_SIZE + (TotalBytes % PAGE_SIZE != 0);
    if (pages > kMaxMdlPages) {
        if (Flags & MM_ALLOCATE_FULLY_REQUIRED) return nullptr;
        pages = kMaxMdlPages;
    }
    const SIZE_T bytes = pages * PAGE_SIZE;
    // Host pages are zero-filled when new, so MM_DONT_ZERO_ALLOCATION needs nothing else.
    void* base = ntio::host::allocate_pages(bytes);
    if (!base) return nullptr;
    const ULONG byte_count = static_cast<ULONG>(std::min<SIZE_T>(TotalBytes, bytes));
    auto mdl = static_cast<PMDL>(ExAllocatePoolWithTag(NonPagedPoolNx, MmSizeOfMdl(base, byte_count), kMdlTag));
    if (!mdl) {
        ntio::host::free_pages(base, bytes);
        return nullptr;
    }
    MmInitializeMdl(mdl, base, byte_count);
    mdl->Process = nullptr;
    mdl->MappedSystemVa = nullptr;
    mdl->MdlFlags = static_cast<CSHORT>(mdl->MdlFlags | MDL_PAGES_LOCKED);
    PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
    const ULONG_PTR first = reinterpret_cast<ULONG_PTR>(base) >> PAGE_SHIFT;
    for (SIZE_T i = 0; i < pages; ++i) pfn[i] = first + i;
    {
        std::lock_guard lock(g_pages_lock);
        mdl_pages().emplace(reinterpret_cast<ULONG_PTR>(base), bytes);
    }
    return mdl;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmallocatepagesformdl
NTKERNELAPI PMDL NTAPI MmAllocatePagesForMdl(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                                             PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    return MmAllocatePagesForMdlEx(LowAddress, HighAddress, SkipBytes, TotalBytes, MmCached, 0);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmfreepagesfrommdl
// Frees the pages (not the MDL, which the caller gives to ExFreePool); the MDL then describes
// nothing. An MDL whose pages did not come from MmAllocatePagesForMdl(Ex) is left alone.
NTKERNELAPI VOID NTAPI MmFreePagesFromMdl(PMDL MemoryDescriptorList) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    PMDL mdl = MemoryDescriptorList;
    if (!mdl) return;
    const auto base = reinterpret_cast<ULONG_PTR>(mdl->StartVa);
    SIZE_T bytes = 0;
    {
        std::lock_guard lock(g_pages_lock);
        auto it = mdl_pages().find(base);
        if (it == mdl_pages().end()) return;
        bytes = it->second;
        mdl_pages().erase(it);
    }
    ntio::host::free_pages(reinterpret_cast<void*>(base), bytes);
    mdl->MdlFlags = static_cast<CSHORT>(mdl->MdlFlags & ~(MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA));
    mdl->MappedSystemVa = nullptr;
    mdl->ByteCount = 0;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmprotectmdlsystemaddress
// STATUS_INVALID_PAGE_PROTECTION for anything but the six documented values, STATUS_NOT_MAPPED_VIEW
// for an MDL not mapped to system space. The host pages of the mapping change protection when they
// came from MmAllocatePagesForMdl(Ex).
// NT deviation: other MDLs' pages may share a host page with unrelated data, so their protection
// is left as it is (STATUS_SUCCESS).
NTKERNELAPI NTSTATUS NTAPI MmProtectMdlSystemAddress(PMDL MemoryDescriptorList, ULONG NewProtect) {
    using namespace ntio::host;
    unsigned access = 0;
    switch (NewProtect) {
        case PAGE_NOACCESS: access = kPageNone; break;
        case PAGE_READONLY: access = kPageRead; break;
        case PAGE_READWRITE: access = kPageRead | kPageWrite; break;
        case PAGE_EXECUTE: access = kPageExecute; break;
        case PAGE_EXECUTE_READ: access = kPageRead | kPageExecute; break;
        case PAGE_EXECUTE_READWRITE: access = kPageRead | kPageWrite | kPageExecute; break;
        default: return STATUS_INVALID_PAGE_PROTECTION;
    }
    PMDL mdl = MemoryDescriptorList;
    if (!mdl) return STATUS_INVALID_PARAMETER;
    if (!(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) || !mdl->MappedSystemVa) return STATUS_NOT_MAPPED_VIEW;
    const auto va = reinterpret_cast<ULONG_PTR>(PAGE_ALIGN(mdl->MappedSystemVa));
    const SIZE_T bytes = static_cast<SIZE_T>(ADDRESS_AND_SIZE_TO_SPAN_PAGES(mdl->MappedSystemVa, mdl->ByteCount)) * PAGE_SIZE;
    if (!owned_pages(va, bytes)) return STATUS_SUCCESS;
    return protect_pages(reinterpret_cast<void*>(va), bytes, access) ? STATUS_SUCCESS : STATUS_INVALID_PAGE_PROTECTION;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmsecurevirtualmemory
// Probes the range for ProbeMode (PAGE_READONLY: every page readable; PAGE_READWRITE: writable too)
// and returns a handle for MmUnsecureVirtualMemory; NULL for another ProbeMode, an empty or
// wrapping range, or a page that fails the probe.
// NT deviation: the range is checked, not pinned; another thread freeing it or making it more
// restrictive is not prevented (ntio has no per-range protection records to consult).
NTKERNELAPI HANDLE NTAPI MmSecureVirtualMemory(PVOID Address, SIZE_T Size, ULONG ProbeMode) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    if (ProbeMode != PAGE_READONLY && ProbeMode != PAGE_READWRITE) return nullptr;
    const auto start = reinterpret_cast<ULONG_PTR>(Address);
    if (Size == 0 || start + Size < start || start < 0x10000) return nullptr;
    const bool write = ProbeMode == PAGE_READWRITE;
    volatile bool ok = true;
    __try {
        for (ULONG_PTR page = start & ~static_cast<ULONG_PTR>(PAGE_SIZE - 1); page < start + Size; page += PAGE_SIZE) {
            auto* p = reinterpret_cast<volatile UCHAR*>(std::max(page, start));
            if (write) {
                // Needs write access without changing the byte another thread may be writing: a
                // locked OR of 0 (in asm, since a compiler may turn an atomic OR of 0 into a load).
                asm volatile("lock orb $0, %0" : "+m"(*const_cast<UCHAR*>(p)) : : "memory");
            } else {
                (void)*p;
            }
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        ok = false;
    }
    if (!ok) return nullptr;
    auto* range = static_cast<SecuredRange*>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(SecuredRange), kSecureTag));
    if (!range) return nullptr;
    *range = {kSecuredMagic, Address, Size};
    return range;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmunsecurevirtualmemory
// NULL or a value MmSecureVirtualMemory did not return is ignored.
NTKERNELAPI VOID NTAPI MmUnsecureVirtualMemory(HANDLE SecureHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmApcLte);
    auto* range = static_cast<SecuredRange*>(SecureHandle);
    if (!range || reinterpret_cast<ULONG_PTR>(range) < 0x10000 || !MmIsAddressValid(range) ||
        range->magic != kSecuredMagic)
        return;
    range->magic = 0;
    ExFreePoolWithTag(range, kSecureTag);
}

}  // extern "C"
