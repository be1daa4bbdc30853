// What the process's address space holds at an address (NtQueryVirtualMemory's
// MemoryBasicInformation) and the pages locked in memory (NtLockVirtualMemory, NtUnlockVirtualMemory):
// private allocations from the table, views from the view list, and memory ntio did not hand out from
// the host's map of the process.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwqueryvirtualmemory
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtuallock
#include "mm/virtual_memory.hpp"

#include <algorithm>
#include <mutex>
#include <set>

#include "host/address_space.hpp"
#include "mm/private_allocations.hpp"

namespace ntio::mm {
namespace {

// The locked pages by address (mm lock).
std::set<ULONG_PTR>& locked_pages() {
    static auto* pages = new std::set<ULONG_PTR>();
    return *pages;
}

// The first private allocation or view at or above `address` (0: none).
ULONG_PTR next_known_locked(ULONG_PTR address) {
    auto& all = allocations_locked();
    auto it = all.lower_bound(address);
    ULONG_PTR next = it == all.end() ? 0 : it->first;
    const ULONG_PTR view = next_view_locked(address);
    if (view && (!next || view < next)) next = view;
    return next;
}

// The end of the last private allocation below `address` (0: none).
ULONG_PTR previous_known_end_locked(ULONG_PTR address) {
    auto& all = allocations_locked();
    auto it = all.upper_bound(address);
    if (it == all.begin()) return 0;
    --it;
    return it->first + it->second.size;
}

// Whether every page of [start, end) is committed (and the host's pages accessible).
bool committed_locked(ULONG_PTR start, ULONG_PTR end) {
    auto it = find_allocation_locked(start);
    if (it != allocations_locked().end()) {
        if (end > it->first + it->second.size) return false;
        const PageSpan span = page_span(it, start, end);
        return std::find(span.from, span.to, 0u) == span.to;
    }
    ULONG_PTR view_end = 0;
    if (view_holds_locked(start, end, &view_end)) return true;
    host::HostMapping mapping;
    std::uint64_t next = 0;
    return host::host_mapping_at(start, mapping, &next) && end <= mapping.end && mapping.access != host::kPageNone;
}

}  // namespace

NTSTATUS query_virtual(ULONG_PTR address, RegionInfo& region) {
    const ULONG_PTR page = page_down(address);
    const ULONG_PTR top = reinterpret_cast<ULONG_PTR>(MmHighestUserAddress) + 1;
    std::lock_guard guard(lock());
    region = RegionInfo{};
    region.base = page;
    auto it = find_allocation_locked(page);
    if (it != allocations_locked().end()) {
        const Allocation& allocation = it->second;
        std::size_t index = (page - it->first) / kPage;
        const ULONG protection = allocation.pages[index];
        std::size_t end = index + 1;
        while (end < allocation.pages.size() && allocation.pages[end] == protection) ++end;
        region.allocation_base = it->first;
        region.allocation_protect = allocation.protection;
        region.size = (end - index) * kPage;
        region.state = protection ? MEM_COMMIT : MEM_RESERVE;
        region.protect = protection;
        region.type = MEM_PRIVATE;
        return STATUS_SUCCESS;
    }
    if (view_region_locked(page, region)) return STATUS_SUCCESS;
    host::HostMapping mapping;
    std::uint64_t next_host = 0;
    const ULONG_PTR next_known = next_known_locked(page);
    if (host::host_mapping_at(page, mapping, &next_host)) {
        // The host may have merged a mapping with ntio's own neighbours: it ends where they begin.
        ULONG_PTR end = static_cast<ULONG_PTR>(mapping.end);
        if (next_known && next_known < end) end = next_known;
        const ULONG_PTR previous = previous_known_end_locked(page);
        ULONG_PTR start = static_cast<ULONG_PTR>(mapping.start);
        if (previous > start) start = previous;
        if (end > top) end = top;
        const ULONG protection = protection_of_host(mapping.access);
        // NT deviation: memory ntio did not hand out is described from the host's map. A library or the
        // executable is an image, based where its file's first byte would be mapped.
        region.allocation_base = mapping.file && mapping.offset <= start ? start - mapping.offset : start;
        region.allocation_protect = protection;
        region.size = end - page;
        region.state = mapping.access == host::kPageNone ? MEM_RESERVE : MEM_COMMIT;
        region.protect = mapping.access == host::kPageNone ? 0 : protection;
        region.type = mapping.file ? MEM_IMAGE : MEM_PRIVATE;
        return STATUS_SUCCESS;
    }
    ULONG_PTR end = next_host ? static_cast<ULONG_PTR>(next_host) : top;
    if (next_known && next_known < end) end = next_known;
    if (end > top || end <= page) end = top;
    region.size = end - page;
    region.state = MEM_FREE;
    region.protect = PAGE_NOACCESS;
    return STATUS_SUCCESS;
}

void forget_locks_locked(ULONG_PTR base, SIZE_T size) {
    auto& pages = locked_pages();
    pages.erase(pages.lower_bound(base), pages.lower_bound(base + size));
}

NTSTATUS lock_virtual(void** base, SIZE_T* size) {
    const auto start = reinterpret_cast<ULONG_PTR>(*base);
    const ULONG_PTR first = page_down(start);
    const ULONG_PTR end = page_up(start + *size);
    std::lock_guard guard(lock());
    if (!committed_locked(first, end)) return STATUS_NOT_COMMITTED;
    NTSTATUS status = host::lock_range(reinterpret_cast<void*>(first), end - first);
    if (!NT_SUCCESS(status)) return status;
    auto& pages = locked_pages();
    bool was_locked = false;
    for (ULONG_PTR page = first; page < end; page += kPage) was_locked |= !pages.insert(page).second;
    *base = reinterpret_cast<void*>(first);
    *size = end - first;
    return was_locked ? STATUS_WAS_LOCKED : STATUS_SUCCESS;
}

NTSTATUS unlock_virtual(void** base, SIZE_T* size) {
    const auto start = reinterpret_cast<ULONG_PTR>(*base);
    const ULONG_PTR first = page_down(start);
    const ULONG_PTR end = page_up(start + *size);
    std::lock_guard guard(lock());
    if (!committed_locked(first, end)) return STATUS_NOT_COMMITTED;
    auto& pages = locked_pages();
    for (ULONG_PTR page = first; page < end; page += kPage) {
        if (!pages.count(page)) return STATUS_NOT_LOCKED;
    }
    host::unlock_range(reinterpret_cast<void*>(first), end - first);
    forget_locks_locked(first, end - first);
    *base = reinterpret_cast<void*>(first);
    *size = end - first;
    return STATUS_SUCCESS;
}

}  // namespace ntio::mm
