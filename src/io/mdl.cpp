// Memory descriptor lists. In this single-address-space runtime "locking" a range means proving it is
// accessible for the operation (touching every page, so a bad range faults inside the driver's
// __try) and recording that in the MDL; "mapping" it to system space yields the same virtual address.
// Page frame numbers are the virtual page numbers, so drivers that read the PFN array still see one
// entry per page spanned. Small MDLs come from a per-thread cache of fixed-size pool blocks (NT's
// MDL lookaside list), so the direct-I/O path of every request makes no pool call (gates A6, C1); the
// I/O manager's own probe-and-lock returns faults instead of raising them, so that path needs no
// exception frame either.
#include "io/io_manager.hpp"
#include "io/locked_pages.hpp"
#include "io/objects.hpp"
#include "ke/thread.hpp"
#include "ob/process.hpp"
#include <ntio/system.hpp>
#include "io/request_common.hpp"  // attach_locked_mdl, release_irp_mdls are defined here
#include "rtl/user_access.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

constexpr ULONG kMdlTag = 0x206C644D;  // "Mdl " in memory, NT's tag for MDLs

// M1: an MDL's Size (MDL header plus PFN array) must stay below 64 KiB, and Windows keeps one spare
// slot; ((0x10000 - sizeof(MDL)) / sizeof(ULONG_PTR)) - 1 pages is the largest MDL IoAllocateMdl gives.
constexpr ULONG kMaxMdlPages = static_cast<ULONG>((0x10000 - sizeof(MDL)) / sizeof(ULONG_PTR)) - 1;

// The fixed block size of cached MDLs: 16 pages spanned (a 64 KiB transfer at any offset needs 17).
// A cached MDL carries MDL_ALLOCATED_FIXED_SIZE, as one from NT's lookaside does.
constexpr ULONG kCachedMdlPages = 17;
constexpr SIZE_T kCachedMdlSize = sizeof(MDL) + sizeof(PFN_NUMBER) * kCachedMdlPages;
constexpr int kMdlCacheDepth = 32;

// Blocks freed on this thread, reused by its next allocations; the rest go back to pool, as do
// the cached ones when the thread exits. Blocks are plain pool blocks: any thread may free any.
struct MdlCache {
    PMDL blocks[kMdlCacheDepth];
    int count;
    bool primed;  // the thread's exit hook exists: blocks may be cached
    bool closed;  // the exit hook ran: no more caching on this thread
};
constinit thread_local MdlCache t_mdl_cache = {};  // trivially destructible: valid all through thread exit

// Returns the cached blocks to pool at thread exit. Made only after this thread has freed pool
// once, so that it is destroyed before the pool's per-thread quarantine it frees into.
struct MdlCacheRundown {
    bool armed = false;
    ~MdlCacheRundown() {
        MdlCache& cache = t_mdl_cache;
        cache.primed = false;
        cache.closed = true;
        while (cache.count != 0) ExFreePoolWithTag(cache.blocks[--cache.count], kMdlTag);
    }
};
thread_local MdlCacheRundown t_mdl_cache_rundown;

ULONG_PTR mdl_va(PMDL mdl) noexcept {
    return reinterpret_cast<ULONG_PTR>(mdl->StartVa) + mdl->ByteOffset;
}

ULONG mdl_pages(PMDL mdl) noexcept { return ADDRESS_AND_SIZE_TO_SPAN_PAGES(mdl_va(mdl), mdl->ByteCount); }

// Writes the page numbers of the `pages` virtual pages the MDL spans (the identity "physical" pages).
inline void fill_pfns(PMDL mdl, ULONG pages) noexcept {
    PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
    const ULONG_PTR first = reinterpret_cast<ULONG_PTR>(mdl->StartVa) >> PAGE_SHIFT;
    for (ULONG i = 0; i < pages; ++i) pfn[i] = first + i;
}
void fill_pfns(PMDL mdl) noexcept { fill_pfns(mdl, mdl_pages(mdl)); }

// Touches every page of [start, start + length) for the operation. A fault becomes
// STATUS_ACCESS_VIOLATION raised to the caller's __try. No C++ object with a destructor is live
// here: a raise longjmps over this frame.
void touch_pages(ULONG_PTR start, ULONG length, bool write) noexcept {
    const ULONG_PTR end = start + length;
    for (ULONG_PTR page = start & ~static_cast<ULONG_PTR>(PAGE_SIZE - 1); page < end; page += PAGE_SIZE) {
        const ULONG_PTR at = page < start ? start : page;
        auto* byte = reinterpret_cast<UCHAR*>(at);
        if (write) {
            // A locked OR of zero needs write access yet never loses a concurrent store to the page.
            // Written as assembly: compilers turn an idempotent atomic read-modify-write into a
            // plain load (clang does), which would not fault on a read-only page.
#if defined(__x86_64__)
            asm volatile("lock orb $0, %0" : "+m"(*byte) : : "memory");
#else
            UCHAR seen = __atomic_load_n(byte, __ATOMIC_RELAXED);
            while (!__atomic_compare_exchange_n(byte, &seen, seen, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            }
#endif
        } else {
            (void)*reinterpret_cast<const volatile UCHAR*>(byte);
        }
    }
}

// The checks and effects of MmProbeAndLockPages once the range is known to be accessible.
inline void record_locked(PMDL mdl, ULONG_PTR start, bool write, ULONG pages) noexcept {
    fill_pfns(mdl, pages);
    mdl->Process = start < MmUserProbeAddress ? ob::current_process() : nullptr;
    mdl->MdlFlags = static_cast<CSHORT>(mdl->MdlFlags | MDL_PAGES_LOCKED | (write ? MDL_WRITE_OPERATION : 0));
    if (mdl->Process && tracks_locked_pages()) [[unlikely]] track_locked_mdl(mdl, pages);
}
void record_locked(PMDL mdl, ULONG_PTR start, bool write) noexcept { record_locked(mdl, start, write, mdl_pages(mdl)); }

// IoAllocateMdl and IoFreeMdl, counted for `io` (the request paths know their system from the
// IRP's thread, cheaper than finding the current one). `pages`: the pages the range spans.
[[gnu::always_inline]] inline PMDL allocate_mdl(IoManager& io, PVOID VirtualAddress, ULONG Length, ULONG pages) noexcept {
    if (pages > kMaxMdlPages) return nullptr;  // NT fact M1 (2 GB and one page past the limit fail)
    PMDL mdl;
    CSHORT fixed = 0;
    if (pages <= kCachedMdlPages) {
        MdlCache& cache = t_mdl_cache;
        mdl = cache.count != 0 ? cache.blocks[--cache.count]
                               : static_cast<PMDL>(ExAllocatePoolWithTag(NonPagedPoolNx, kCachedMdlSize, kMdlTag));
        fixed = MDL_ALLOCATED_FIXED_SIZE;
    } else {
        const SIZE_T size = sizeof(MDL) + sizeof(PFN_NUMBER) * pages;
        mdl = static_cast<PMDL>(ExAllocatePoolWithTag(NonPagedPoolNx, size, kMdlTag));
    }
    if (!mdl) return nullptr;
    // MmInitializeMdl, with the page count already known.
    mdl->Next = nullptr;
    mdl->Size = static_cast<CSHORT>(sizeof(MDL) + sizeof(PFN_NUMBER) * pages);
    mdl->MdlFlags = fixed;
    mdl->StartVa = PAGE_ALIGN(VirtualAddress);
    mdl->ByteOffset = BYTE_OFFSET(VirtualAddress);
    mdl->ByteCount = Length;
    mdl->Process = nullptr;
    mdl->MappedSystemVa = nullptr;
    io.mdl_allocated();
    if (ntio::verifier::hooks_on()) [[unlikely]] ntio::verifier::on_allocate_mdl(mdl);
    return mdl;
}
inline PMDL allocate_mdl(IoManager& io, PVOID VirtualAddress, ULONG Length) noexcept {
    return allocate_mdl(io, VirtualAddress, Length, ADDRESS_AND_SIZE_TO_SPAN_PAGES(VirtualAddress, Length));
}

inline void free_mdl(IoManager& io, PMDL Mdl) noexcept {
    // A mapping made through the MDL goes with it (MmPrepareMdlForReuse's rule, extended to full MDLs).
    if (Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED)) {
        MmUnmapLockedPages(Mdl->MappedSystemVa, Mdl);
    }
    io.mdl_freed();
    if (Mdl->MdlFlags & MDL_PAGES_LOCKED) [[unlikely]] on_mdl_unlocked(Mdl);  // freed still locked
    if (ntio::verifier::hooks_on()) [[unlikely]] ntio::verifier::on_free_mdl(Mdl);
    MdlCache& cache = t_mdl_cache;
    if ((Mdl->MdlFlags & MDL_ALLOCATED_FIXED_SIZE) && cache.primed && cache.count < kMdlCacheDepth) {
        cache.blocks[cache.count++] = Mdl;
        return;
    }
    ExFreePoolWithTag(Mdl, kMdlTag);
    if (!cache.primed && !cache.closed) {
        t_mdl_cache_rundown.armed = true;  // constructed now, after the pool's thread state
        cache.primed = true;
    }
}

// The system a request belongs to: its thread's (the request paths set Tail.Overlay.Thread before
// they describe buffers, and the thread outlives its IRPs), else the current one.
IoManager& request_io(PIRP irp) noexcept {
    if (PETHREAD thread = irp->Tail.Overlay.Thread) {
        if (System* system = reinterpret_cast<_KTHREAD*>(thread)->m_system) return system->io();
    }
    return current_io();
}

// MmProbeAndLockPages for the I/O manager's own MDLs: the fault comes back as the status from the
// fault-fixed touch routines of rtl/user_access instead of being raised, so the request path sets
// up no exception frame.
// NT deviation: the write probe stores each touched byte (one per page) back to itself, as
// ProbeForWrite does, where NT's MmProbeAndLockPages writes nothing: a store another thread makes to
// that very byte meanwhile can be lost. Every such byte lies inside the buffer the request is about
// to fill, so only a caller racing with its own transfer can tell.
[[gnu::always_inline]] inline NTSTATUS probe_and_lock_request_pages(PMDL mdl, ULONG_PTR start, ULONG length, ULONG pages,
                                                                    KPROCESSOR_MODE mode, LOCK_OPERATION operation) noexcept {
    const ULONG_PTR end = start + length;
    if (end < start) return STATUS_ACCESS_VIOLATION;
    if (mode != KernelMode && end > MmUserProbeAddress) return STATUS_ACCESS_VIOLATION;
    const bool write = operation != IoReadAccess;
    if (length != 0) {
        auto* first = reinterpret_cast<void*>(start);
        const NTSTATUS status = write ? ntio_user_touch_write(first, length) : ntio_user_touch_read(first, length);
        if (status != STATUS_SUCCESS) return status;
    }
    record_locked(mdl, start, write, pages);
    return STATUS_SUCCESS;
}

}  // namespace

// The request paths' IoAllocateMdl + MmProbeAndLockPages (request_common.hpp), counted for the
// system of the IRP's thread.
NTSTATUS attach_locked_mdl(PIRP irp, PVOID buffer, ULONG length, LOCK_OPERATION operation) noexcept {
    IoManager& io = request_io(irp);
    // The range's start and page count, worked out once for the MDL's header, the probe and the PFNs.
    const auto start = reinterpret_cast<ULONG_PTR>(buffer);
    const ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(buffer, length);
    PMDL mdl = allocate_mdl(io, buffer, length, pages);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    const NTSTATUS status = probe_and_lock_request_pages(mdl, start, length, pages, irp->RequestorMode, operation);
    if (!NT_SUCCESS(status)) {
        free_mdl(io, mdl);
        return status;
    }
    irp->MdlAddress = mdl;
    return STATUS_SUCCESS;
}

// MmUnlockPages (when locked) + IoFreeMdl for each MDL of the chain: the same state changes
// without the DDI-entry checks, which are for drivers' calls.
void release_irp_mdls(PIRP irp) noexcept {
    PMDL mdl = irp->MdlAddress;
    irp->MdlAddress = nullptr;
    if (!mdl) return;
    IoManager& io = request_io(irp);
    while (mdl) {
        PMDL next = mdl->Next;
        CSHORT flags = mdl->MdlFlags;
        if (flags & MDL_PAGES_LOCKED) {
            if (flags & MDL_MAPPED_TO_SYSTEM_VA) {
                flags = static_cast<CSHORT>(flags & ~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED));
                mdl->MappedSystemVa = nullptr;
            }
            mdl->MdlFlags = static_cast<CSHORT>(flags & ~(MDL_PAGES_LOCKED | MDL_WRITE_OPERATION));
            mdl->Process = nullptr;
            on_mdl_unlocked(mdl);
        }
        free_mdl(io, mdl);
        mdl = next;
    }
}

namespace {

// MmMapLockedPagesSpecifyCache after its DDI check.
[[gnu::always_inline]] inline PVOID map_locked_pages(PMDL mdl, KPROCESSOR_MODE AccessMode, MEMORY_CACHING_TYPE CacheType,
                                                     PVOID RequestedAddress) {
    if (static_cast<int>(CacheType) < MmNonCached || CacheType >= MmMaximumCacheType) return nullptr;
    if (mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL) return mdl->MappedSystemVa;
    if (!(mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_PARTIAL))) return nullptr;  // nothing locked to map
    auto* va = reinterpret_cast<PVOID>(mdl_va(mdl));
    if (AccessMode != KernelMode) {
        // A user mapping of the caller's own pages: the address the caller asked for, when it can be honoured.
        if (RequestedAddress && RequestedAddress != va) ExRaiseStatus(STATUS_CONFLICTING_ADDRESSES);
        return va;
    }
    if (RequestedAddress) return nullptr;  // documented: must be NULL for KernelMode
    if (mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED)) return mdl->MappedSystemVa;
    mdl->MappedSystemVa = va;
    CSHORT flags = static_cast<CSHORT>(mdl->MdlFlags | MDL_MAPPED_TO_SYSTEM_VA);
    if (flags & MDL_PARTIAL) flags = static_cast<CSHORT>(flags | MDL_PARTIAL_HAS_BEEN_MAPPED);
    mdl->MdlFlags = flags;
    return va;
}

[[gnu::cold, gnu::noinline]] PVOID map_locked_pages_verified(PMDL mdl, KPROCESSOR_MODE AccessMode,
                                                             MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress) {
    ntio::verifier::check_ddi_irql(ntio::verifier::DdiRule::MmMapLockedPagesSpecifyCache, reinterpret_cast<ULONG_PTR>(mdl),
                                   AccessMode);
    return map_locked_pages(mdl, AccessMode, CacheType, RequestedAddress);
}

}  // namespace

}  // namespace ntio::io

using namespace ntio;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocatemdl
PMDL NTAPI IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota, PIRP Irp) {
    (void)ChargeQuota;  // "Reserved for system use" on Learn: nothing is charged (docs/nt-deviations.md)
    PMDL mdl = io::allocate_mdl(io::current_io(), VirtualAddress, Length);
    if (mdl && Irp) {
        if (!SecondaryBuffer) {
            Irp->MdlAddress = mdl;
        } else {
            PMDL* link = &Irp->MdlAddress;
            while (*link) link = &(*link)->Next;
            *link = mdl;
        }
    }
    return mdl;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iofreemdl
VOID NTAPI IoFreeMdl(PMDL Mdl) { io::free_mdl(io::current_io(), Mdl); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmprobeandlockpages
VOID NTAPI MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmProbeAndLockPages, reinterpret_cast<ULONG_PTR>(MemoryDescriptorList), AccessMode);
    PMDL mdl = MemoryDescriptorList;
    const ULONG_PTR start = io::mdl_va(mdl);
    const ULONG length = mdl->ByteCount;
    const ULONG_PTR end = start + length;
    if (end < start) ExRaiseStatus(STATUS_ACCESS_VIOLATION);
    // A user-mode request may only describe the caller's part of the address space.
    if (AccessMode != KernelMode && end > MmUserProbeAddress) ExRaiseStatus(STATUS_ACCESS_VIOLATION);
    const bool write = Operation != IoReadAccess;
    if (length != 0) io::touch_pages(start, length, write);
    io::record_locked(mdl, start, write);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmunlockpages
VOID NTAPI MmUnlockPages(PMDL MemoryDescriptorList) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmUnlockPages, reinterpret_cast<ULONG_PTR>(MemoryDescriptorList));
    PMDL mdl = MemoryDescriptorList;
    if (!(mdl->MdlFlags & MDL_PAGES_LOCKED)) {
        // Unlocking pages that were never locked: NT's PFN reference count would underflow, which
        // is PFN_LIST_CORRUPT subcode 7 (page, its share count, 0).
        const ULONG_PTR page = reinterpret_cast<ULONG_PTR>(mdl->StartVa) >> PAGE_SHIFT;
        KeBugCheckEx(PFN_LIST_CORRUPT, 0x07, page, 0, 0);
    }
    if (mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) MmUnmapLockedPages(mdl->MappedSystemVa, mdl);
    mdl->MdlFlags = static_cast<CSHORT>(mdl->MdlFlags & ~(MDL_PAGES_LOCKED | MDL_WRITE_OPERATION));
    mdl->Process = nullptr;
    ntio::io::on_mdl_unlocked(mdl);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmprobeandlockprocesspages
// MmProbeAndLockPages with the thread attached to Process, so the range is Process's and the MDL's
// Process names it. An exception the probe raises is raised again after the thread detached.
VOID NTAPI MmProbeAndLockProcessPages(PMDL MemoryDescriptorList, PEPROCESS Process, KPROCESSOR_MODE AccessMode,
                                      LOCK_OPERATION Operation) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmProbeAndLockPages, reinterpret_cast<ULONG_PTR>(MemoryDescriptorList), AccessMode);
    const bool attach = Process && Process != PsGetCurrentProcess();
    KAPC_STATE state;
    if (attach) KeStackAttachProcess(reinterpret_cast<PRKPROCESS>(Process), &state);
    volatile NTSTATUS status = STATUS_SUCCESS;
    __try {
        MmProbeAndLockPages(MemoryDescriptorList, AccessMode, Operation);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (attach) KeUnstackDetachProcess(&state);
    if (!NT_SUCCESS(status)) ExRaiseStatus(status);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmadvancemdl
// Moves the start of the range forward, keeping its end: the pages passed leave the PFN array (their
// lock goes with them: ntio's locks are the records in the MDL), and a system mapping moves with the
// start. Learn: STATUS_INVALID_PARAMETER_2 when the caller tries to advance the start past the end;
// ntio also refuses to advance it onto the end (an MDL of no bytes), and advancing by 0 changes
// nothing.
NTSTATUS NTAPI MmAdvanceMdl(PMDL Mdl, ULONG NumberOfBytes) {
    if (NumberOfBytes == 0) return STATUS_SUCCESS;
    if (NumberOfBytes >= Mdl->ByteCount) return STATUS_INVALID_PARAMETER_2;
    const ULONG_PTR va = io::mdl_va(Mdl) + NumberOfBytes;
    const ULONG_PTR passed = (reinterpret_cast<ULONG_PTR>(PAGE_ALIGN(va)) - reinterpret_cast<ULONG_PTR>(Mdl->StartVa)) >>
                             PAGE_SHIFT;
    Mdl->StartVa = PAGE_ALIGN(va);
    Mdl->ByteOffset = BYTE_OFFSET(va);
    Mdl->ByteCount -= NumberOfBytes;
    if (passed != 0 && (Mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL))) {
        PPFN_NUMBER pfn = MmGetMdlPfnArray(Mdl);
        const ULONG pages = io::mdl_pages(Mdl);
        for (ULONG i = 0; i < pages; ++i) pfn[i] = pfn[i + passed];
    }
    if (Mdl->MappedSystemVa && (Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL |
                                                 MDL_PARENT_MAPPED_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED))) {
        Mdl->MappedSystemVa = static_cast<PCHAR>(Mdl->MappedSystemVa) + NumberOfBytes;
    }
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmbuildmdlfornonpagedpool
VOID NTAPI MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList) {
    PMDL mdl = MemoryDescriptorList;
    io::fill_pfns(mdl);
    mdl->Process = nullptr;
    mdl->MappedSystemVa = reinterpret_cast<PVOID>(io::mdl_va(mdl));
    mdl->MdlFlags = static_cast<CSHORT>(mdl->MdlFlags | MDL_SOURCE_IS_NONPAGED_POOL);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmaplockedpagesspecifycache
// NT deviation: there is one address space, so the "mapping" is the described address itself; no
// second virtual range is created and writes through either address are the same writes.
PVOID NTAPI MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                         MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                         ULONG BugCheckOnFailure, ULONG Priority) {
    // The verifier's check is a tail call too, so the usual path saves no registers for it.
    if (ntio::verifier::hooks_on()) [[unlikely]]
        return io::map_locked_pages_verified(MemoryDescriptorList, AccessMode, CacheType, RequestedAddress);
    (void)BugCheckOnFailure;
    (void)Priority;  // MdlMappingNoExecute/NoWrite and the priority do not change an identity mapping
    return io::map_locked_pages(MemoryDescriptorList, AccessMode, CacheType, RequestedAddress);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmaplockedpages
PVOID NTAPI MmMapLockedPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::MmMapLockedPages, reinterpret_cast<ULONG_PTR>(MemoryDescriptorList), AccessMode);
    return MmMapLockedPagesSpecifyCache(MemoryDescriptorList, AccessMode, MmCached, nullptr, TRUE, NormalPagePriority);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmunmaplockedpages
VOID NTAPI MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList) {
    PMDL mdl = MemoryDescriptorList;
    // A user mapping (any address other than the system one) needs no undoing here.
    if (!(mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED))) return;
    if (BaseAddress != mdl->MappedSystemVa) return;
    mdl->MdlFlags = static_cast<CSHORT>(mdl->MdlFlags & ~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED));
    mdl->MappedSystemVa = nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iobuildpartialmdl
// A range that is not inside the source's is INVALID_MDL_RANGE (0x12E) with the four arguments
// (https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x12e--invalid-mdl-range).
VOID NTAPI IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length) {
    const ULONG_PTR source_va = io::mdl_va(SourceMdl);
    const auto va = reinterpret_cast<ULONG_PTR>(VirtualAddress);
    const ULONG_PTR source_end = source_va + SourceMdl->ByteCount;
    if (va < source_va || va >= source_end || Length > source_end - va) {
        KeBugCheckEx(INVALID_MDL_RANGE, reinterpret_cast<ULONG_PTR>(SourceMdl), reinterpret_cast<ULONG_PTR>(TargetMdl), va,
                     Length);
    }
    if (Length == 0) Length = static_cast<ULONG>(source_end - va);
    const ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, Length);
    const SIZE_T needed = sizeof(MDL) + sizeof(PFN_NUMBER) * pages;
    if (static_cast<SIZE_T>(static_cast<USHORT>(TargetMdl->Size)) < needed) {
        KeBugCheckEx(TARGET_MDL_TOO_SMALL, reinterpret_cast<ULONG_PTR>(SourceMdl), reinterpret_cast<ULONG_PTR>(TargetMdl),
                     va, Length);
    }
    TargetMdl->Process = SourceMdl->Process;
    TargetMdl->StartVa = PAGE_ALIGN(va);
    TargetMdl->ByteOffset = BYTE_OFFSET(va);
    TargetMdl->ByteCount = Length;
    CSHORT flags = static_cast<CSHORT>(TargetMdl->MdlFlags & (MDL_ALLOCATED_FIXED_SIZE | MDL_ALLOCATED_MUST_SUCCEED));
    flags = static_cast<CSHORT>(flags | MDL_PARTIAL |
                                (SourceMdl->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_IO_PAGE_READ |
                                                        MDL_WRITE_OPERATION | MDL_IO_SPACE)));
    // The partial MDL uses the source's system mapping when there is one.
    if (SourceMdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) {
        TargetMdl->MappedSystemVa = static_cast<PCHAR>(SourceMdl->MappedSystemVa) + (va - source_va);
        if (SourceMdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) flags = static_cast<CSHORT>(flags | MDL_PARENT_MAPPED_SYSTEM_VA);
    } else {
        TargetMdl->MappedSystemVa = nullptr;
    }
    TargetMdl->MdlFlags = flags;
    // Copy the PFNs of the pages the target spans (all inside the source's, checked above).
    const PPFN_NUMBER source_pfn = MmGetMdlPfnArray(SourceMdl);
    PPFN_NUMBER target_pfn = MmGetMdlPfnArray(TargetMdl);
    const ULONG_PTR first = (reinterpret_cast<ULONG_PTR>(PAGE_ALIGN(va)) - reinterpret_cast<ULONG_PTR>(SourceMdl->StartVa)) >>
                            PAGE_SHIFT;
    for (ULONG i = 0; i < pages; ++i) target_pfn[i] = source_pfn[first + i];
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmsizeofmdl
SIZE_T NTAPI MmSizeOfMdl(PVOID Base, SIZE_T Length) {
    return sizeof(MDL) + sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmcreatemdl (obsolete; the
// caller frees the MDL with ExFreePool, so it is not counted as an I/O manager MDL).
PMDL NTAPI MmCreateMdl(PMDL MemoryDescriptorList, PVOID Base, SIZE_T Length) {
    PMDL mdl = MemoryDescriptorList;
    if (!mdl) {
        mdl = static_cast<PMDL>(ExAllocatePoolWithTag(NonPagedPoolNx, MmSizeOfMdl(Base, Length), io::kMdlTag));
        if (!mdl) return nullptr;
    }
    MmInitializeMdl(mdl, Base, Length);
    mdl->Process = nullptr;
    mdl->MappedSystemVa = nullptr;
    return mdl;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmisaddressvalid
// TRUE when a read of the byte would not fault.
BOOLEAN NTAPI MmIsAddressValid(PVOID VirtualAddress) {
    // The first 64 KiB are never mapped, on NT as on Linux (vm.mmap_min_addr); no need to fault.
    if (reinterpret_cast<ULONG_PTR>(VirtualAddress) < 0x10000) return FALSE;
    volatile BOOLEAN valid = FALSE;
    __try {
        (void)*static_cast<const volatile UCHAR*>(VirtualAddress);
        valid = TRUE;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        valid = FALSE;
    }
    return valid;
}

}  // extern "C"
