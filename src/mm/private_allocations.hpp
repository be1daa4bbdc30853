// The table of the process's private allocations, shared by the files of the virtual memory
// services (mm lock held for every access): each NtAllocateVirtualMemory reservation by its base,
// with the protection of each page (0: reserved, not committed).
#pragma once

#include <map>
#include <vector>

#include "host/pages.hpp"
#include "mm/section.hpp"

namespace ntio::mm {

struct Allocation {
    SIZE_T size;               // a page multiple
    ULONG protection;          // given at allocation (MEMORY_BASIC_INFORMATION's AllocationProtect)
    std::vector<ULONG> pages;  // each page's protection now; 0 while the page is only reserved
};

using AllocationTable = std::map<ULONG_PTR, Allocation>;
AllocationTable& allocations_locked();

// The allocation holding `address`, or end().
inline AllocationTable::iterator find_allocation_locked(ULONG_PTR address) {
    auto& all = allocations_locked();
    auto it = all.upper_bound(address);
    if (it == all.begin()) return all.end();
    --it;
    return address < it->first + it->second.size ? it : all.end();
}

// The protections of the allocation's pages in [first, end) (page-aligned, inside the allocation).
struct PageSpan {
    std::vector<ULONG>::iterator from;
    std::vector<ULONG>::iterator to;
};
inline PageSpan page_span(AllocationTable::iterator it, ULONG_PTR first, ULONG_PTR end) {
    auto begin = it->second.pages.begin();
    return {begin + static_cast<std::ptrdiff_t>((first - it->first) / kPage),
            begin + static_cast<std::ptrdiff_t>((end - it->first) / kPage)};
}

// The host access of a committed page of this protection. NT deviation: a guard page is
// inaccessible, as ntio has no one-shot guard fault.
inline unsigned host_access_of(ULONG protection) noexcept {
    if (protection & PAGE_GUARD) return host::kPageNone;
    switch (protection & 0xFF) {
    case PAGE_READONLY: return host::kPageRead;
    case PAGE_READWRITE: return host::kPageRead | host::kPageWrite;
    case PAGE_EXECUTE: return host::kPageExecute;
    case PAGE_EXECUTE_READ: return host::kPageRead | host::kPageExecute;
    case PAGE_EXECUTE_READWRITE: return host::kPageRead | host::kPageWrite | host::kPageExecute;
    default: return host::kPageNone;
    }
}

// The PAGE_* value of a host mapping's access, for memory ntio did not allocate.
inline ULONG protection_of_host(unsigned access) noexcept {
    const bool read = access & host::kPageRead;
    const bool write = access & host::kPageWrite;
    if (access & host::kPageExecute) return write ? PAGE_EXECUTE_READWRITE : read ? PAGE_EXECUTE_READ : PAGE_EXECUTE;
    if (write) return PAGE_READWRITE;
    return read ? PAGE_READONLY : PAGE_NOACCESS;
}

inline ULONG_PTR page_down(ULONG_PTR address) noexcept { return address & ~static_cast<ULONG_PTR>(kPage - 1); }
inline ULONG_PTR page_up(ULONG_PTR address) noexcept { return page_down(address + kPage - 1); }

}  // namespace ntio::mm
