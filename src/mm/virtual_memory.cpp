// Private memory of the process: NtAllocateVirtualMemory's reservations and commits, their decommit
// and release (NtFreeVirtualMemory) and page protection (NtProtectVirtualMemory), over host
// reservations (host/address_space) recorded in the allocation table.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntallocatevirtualmemory
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwfreevirtualmemory
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualprotect
#include "mm/virtual_memory.hpp"

#include <algorithm>
#include <mutex>

#include "host/address_space.hpp"
#include "mm/private_allocations.hpp"

namespace ntio::mm {
namespace {

// Reservations start on the allocation granularity (64 KiB), as NT's do.
NTSTATUS reserve(ULONG_PTR start, SIZE_T length, ULONG type, ULONG protection, std::uint64_t highest, void** base,
                 SIZE_T* size) {
    ULONG_PTR first = 0;
    SIZE_T bytes = 0;
    if (start) {
        first = start / kGranularity * kGranularity;
        bytes = page_up(start + length) - first;
    } else {
        bytes = page_up(length);
    }
    // NT deviation: the table keeps 4 bytes per page, so a reservation is limited to 1 TiB (as if
    // the address space had no larger gap).
    constexpr SIZE_T kMaxPages = SIZE_T{1} << 28;
    if (bytes / kPage > kMaxPages) return STATUS_NO_MEMORY;
    NTSTATUS status = STATUS_SUCCESS;
    void* at = host::reserve_range(reinterpret_cast<void*>(first), bytes, kGranularity, highest,
                                   (type & MEM_TOP_DOWN) != 0, status);
    if (!at) return status;
    const bool commit = (type & MEM_COMMIT) != 0;
    if (commit && !host::protect_pages(at, bytes, host_access_of(protection))) {
        host::release_range(at, bytes);
        return STATUS_NO_MEMORY;
    }
    allocations_locked().emplace(reinterpret_cast<ULONG_PTR>(at),
                                 Allocation{bytes, protection, std::vector<ULONG>(bytes / kPage, commit ? protection : 0)});
    *base = at;
    *size = bytes;
    return STATUS_SUCCESS;
}

// Where [first, end) lies: in one allocation (*found), or in one view (*found end()): else
// STATUS_CONFLICTING_ADDRESSES, as for a commit outside a reservation.
NTSTATUS owner_of(ULONG_PTR first, ULONG_PTR end, AllocationTable::iterator& found) {
    found = find_allocation_locked(first);
    if (found == allocations_locked().end()) {
        ULONG_PTR view_end = 0;
        return view_holds_locked(first, end, &view_end) ? STATUS_SUCCESS : STATUS_CONFLICTING_ADDRESSES;
    }
    return end > found->first + found->second.size ? STATUS_CONFLICTING_ADDRESSES : STATUS_SUCCESS;
}

// Commits pages of a reservation, or changes the protection of pages already committed (VirtualAlloc:
// "an attempt to commit a page that is already committed does not cause the function to fail").
// ntio's views are committed whole (SEC_RESERVE included): nothing to commit there. MEM_RESET and
// MEM_RESET_UNDO are advice on committed pages; NT deviation: ntio keeps their contents either way,
// so MEM_RESET_UNDO always finds the data intact.
NTSTATUS commit_or_reset(ULONG_PTR start, SIZE_T length, ULONG type, ULONG protection, void** base, SIZE_T* size) {
    const ULONG_PTR first = page_down(start);
    const ULONG_PTR end = page_up(start + length);
    AllocationTable::iterator it;
    NTSTATUS status = owner_of(first, end, it);
    if (!NT_SUCCESS(status)) return status;
    if (it != allocations_locked().end()) {
        const PageSpan span = page_span(it, first, end);
        if (type & (MEM_RESET | MEM_RESET_UNDO)) {
            if (std::find(span.from, span.to, 0u) != span.to) return STATUS_CONFLICTING_ADDRESSES;
            if (type & MEM_RESET) host::cool_range(reinterpret_cast<void*>(first), end - first);
        } else {
            if (!host::protect_pages(reinterpret_cast<void*>(first), end - first, host_access_of(protection))) {
                return STATUS_NO_MEMORY;
            }
            std::fill(span.from, span.to, protection);
        }
    }
    *base = reinterpret_cast<void*>(first);
    *size = end - first;
    return STATUS_SUCCESS;
}

}  // namespace

AllocationTable& allocations_locked() {
    static auto* table = new AllocationTable();
    return *table;
}

bool valid_private_protection(ULONG protection) noexcept {
    const ULONG base = protection & 0xFF;
    const ULONG modifiers = protection & ~0xFFu;
    if (base != PAGE_NOACCESS && base != PAGE_READONLY && base != PAGE_READWRITE && base != PAGE_EXECUTE &&
        base != PAGE_EXECUTE_READ && base != PAGE_EXECUTE_READWRITE) {
        return false;
    }
    if (modifiers == 0) return true;
    if (modifiers != PAGE_GUARD && modifiers != PAGE_NOCACHE && modifiers != PAGE_WRITECOMBINE) return false;
    return base != PAGE_NOACCESS;
}

NTSTATUS allocate_virtual(void** base, SIZE_T* size, ULONG type, ULONG protection, std::uint64_t highest) {
    const auto start = reinterpret_cast<ULONG_PTR>(*base);
    std::lock_guard guard(lock());
    // MEM_COMMIT alone with no address reserves too (VirtualAlloc: "to reserve and commit ... or
    // commit with a NULL address").
    if (!(type & (MEM_RESET | MEM_RESET_UNDO)) && ((type & MEM_RESERVE) || !start)) {
        return reserve(start, *size, type, protection, highest, base, size);
    }
    return commit_or_reset(start, *size, type, protection, base, size);
}

NTSTATUS free_virtual(void** base, SIZE_T* size, ULONG type) {
    const auto start = reinterpret_cast<ULONG_PTR>(*base);
    const SIZE_T length = *size;
    std::lock_guard guard(lock());
    auto it = find_allocation_locked(start);
    if (it == allocations_locked().end()) {
        // A view is freed by unmapping it only.
        ULONG_PTR view_end = 0;
        return view_holds_locked(page_down(start), page_down(start) + kPage, &view_end)
                   ? STATUS_UNABLE_TO_DELETE_SECTION
                   : STATUS_MEMORY_NOT_ALLOCATED;
    }
    const ULONG_PTR allocation_end = it->first + it->second.size;
    const ULONG_PTR first = page_down(start);
    if (type & MEM_RELEASE) {
        // Learn: size 0 from the base the reservation returned frees it whole. NT deviation: a size
        // naming the whole allocation frees it too; no allocation is ever split.
        if (length == 0 ? first != it->first : (first != it->first || page_up(start + length) != allocation_end)) {
            return length == 0 ? STATUS_FREE_VM_NOT_AT_BASE : STATUS_UNABLE_TO_FREE_VM;
        }
        forget_locks_locked(it->first, it->second.size);
        host::release_range(reinterpret_cast<void*>(it->first), it->second.size);
        *base = reinterpret_cast<void*>(it->first);
        *size = it->second.size;
        allocations_locked().erase(it);
        return STATUS_SUCCESS;
    }
    // MEM_DECOMMIT: size 0 runs to the end of the reservation.
    const ULONG_PTR end = length == 0 ? allocation_end : page_up(start + length);
    if (end > allocation_end) return STATUS_UNABLE_TO_FREE_VM;
    if (!host::decommit_range(reinterpret_cast<void*>(first), end - first)) return STATUS_NO_MEMORY;
    forget_locks_locked(first, end - first);
    const PageSpan span = page_span(it, first, end);
    std::fill(span.from, span.to, 0u);
    *base = reinterpret_cast<void*>(first);
    *size = end - first;
    return STATUS_SUCCESS;
}

NTSTATUS protect_virtual(void** base, SIZE_T* size, ULONG protection, ULONG* old) {
    const auto start = reinterpret_cast<ULONG_PTR>(*base);
    const ULONG_PTR first = page_down(start);
    const ULONG_PTR end = page_up(start + *size);
    std::lock_guard guard(lock());
    auto it = find_allocation_locked(first);
    if (it != allocations_locked().end()) {
        if (end > it->first + it->second.size) return STATUS_CONFLICTING_ADDRESSES;
        const auto [from, to] = page_span(it, first, end);
        if (std::find(from, to, 0u) != to) return STATUS_NOT_COMMITTED;
        // Private pages are never copied on write.
        if (!valid_private_protection(protection)) return STATUS_INVALID_PAGE_PROTECTION;
        if (!host::protect_pages(reinterpret_cast<void*>(first), end - first, host_access_of(protection))) {
            return STATUS_NO_MEMORY;
        }
        *old = *from;
        std::fill(from, to, protection);
    } else if (NTSTATUS status = protect_view_locked(first, end, protection, old); status != STATUS_NOT_MAPPED_VIEW) {
        if (!NT_SUCCESS(status)) return status;
    } else {
        // Memory ntio did not hand out (the executable's, the C heap, a stack): one host mapping.
        host::HostMapping mapping;
        std::uint64_t next = 0;
        if (!host::host_mapping_at(first, mapping, &next) || end > mapping.end) return STATUS_CONFLICTING_ADDRESSES;
        if (mapping.access == host::kPageNone) return STATUS_NOT_COMMITTED;
        if (!valid_private_protection(protection)) return STATUS_INVALID_PAGE_PROTECTION;
        if (!host::protect_pages(reinterpret_cast<void*>(first), end - first, host_access_of(protection))) {
            return STATUS_NO_MEMORY;
        }
        *old = protection_of_host(mapping.access);
    }
    *base = reinterpret_cast<void*>(first);
    *size = end - first;
    return STATUS_SUCCESS;
}

void flush_instruction_cache(void* base, SIZE_T size) noexcept { host::flush_instruction_cache(base, size); }

}  // namespace ntio::mm
