// ntio::mm: the process's private memory (NtAllocateVirtualMemory and friends) beside its views of
// sections. ntio is one Linux process, so the address space is the host's: each allocation is a host
// reservation the memory manager keeps in a table with the protection of each of its pages (0: only
// reserved), under the mm lock (section.hpp). The services ask the table first, then the views, then
// the host's own map for memory ntio did not hand out (the executable, the C heap, thread stacks).
#pragma once

#include <cstdint>

#include <ntifs.h>

namespace ntio::mm {

// One run of pages with the same state, as MEMORY_BASIC_INFORMATION describes it.
struct RegionInfo {
    ULONG_PTR base = 0;
    ULONG_PTR allocation_base = 0;
    ULONG allocation_protect = 0;
    SIZE_T size = 0;
    ULONG state = MEM_FREE;
    ULONG protect = 0;
    ULONG type = 0;
};

inline constexpr ULONG_PTR kLowestUserAddress = 0x10000;  // MM_LOWEST_USER_ADDRESS

// The protection private pages may have (NtAllocateVirtualMemory, NtProtectVirtualMemory): one of
// the base PAGE_* values but the copy-on-write ones, with at most one of PAGE_GUARD, PAGE_NOCACHE
// and PAGE_WRITECOMBINE, none of them with PAGE_NOACCESS.
bool valid_private_protection(ULONG protection) noexcept;

// The services' work, their parameters checked and captured by nt/. Each takes and returns the
// caller's base and size, rounded as Learn describes. `highest` is the last address the allocation
// may use (ZeroBits).
NTSTATUS allocate_virtual(void** base, SIZE_T* size, ULONG type, ULONG protection, std::uint64_t highest);
NTSTATUS free_virtual(void** base, SIZE_T* size, ULONG type);
NTSTATUS protect_virtual(void** base, SIZE_T* size, ULONG protection, ULONG* old);
NTSTATUS query_virtual(ULONG_PTR address, RegionInfo& region);
NTSTATUS lock_virtual(void** base, SIZE_T* size);
NTSTATUS unlock_virtual(void** base, SIZE_T* size);

// Makes instructions written to [base, base + size) visible to instruction fetch.
void flush_instruction_cache(void* base, SIZE_T size) noexcept;

// Locked pages in [base, base + size) are forgotten (their mapping went). mm lock held.
void forget_locks_locked(ULONG_PTR base, SIZE_T size);

// views.cpp, mm lock held: the run of view pages holding `address` (false: no view there); whether
// a view holds [start, end) (and where the view holding start ends); a protection change of view
// pages; the base of the first view above `address` (0: none).
bool view_region_locked(ULONG_PTR address, RegionInfo& region);
bool view_holds_locked(ULONG_PTR start, ULONG_PTR end, ULONG_PTR* view_end);
NTSTATUS protect_view_locked(ULONG_PTR start, ULONG_PTR end, ULONG protection, ULONG* old);
ULONG_PTR next_view_locked(ULONG_PTR address);

}  // namespace ntio::mm
