#include "host/address_space.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "host/errno_status.hpp"
#include "host/pages.hpp"

namespace ntio::host {
namespace {

constexpr std::uint64_t kHostTop = 0x00007FFFFFFFFFFFull;  // the last byte a Linux x86-64 process maps
constexpr int kFlags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

void* reserve_fixed(std::uint64_t at, std::size_t bytes, NTSTATUS& status) noexcept {
    void* p = mmap(reinterpret_cast<void*>(at), bytes, PROT_NONE, kFlags | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED) {
        status = errno == EEXIST ? STATUS_CONFLICTING_ADDRESSES : STATUS_NO_MEMORY;
        return nullptr;
    }
    if (p != reinterpret_cast<void*>(at)) {  // a kernel that took the address as a hint only
        munmap(p, bytes);
        status = STATUS_CONFLICTING_ADDRESSES;
        return nullptr;
    }
    status = STATUS_SUCCESS;
    return p;
}

// Anywhere: an oversized reservation trimmed to the alignment.
void* reserve_anywhere(std::size_t bytes, std::size_t alignment, NTSTATUS& status) noexcept {
    const std::size_t slack = alignment > page_size() ? alignment - page_size() : 0;
    void* p = mmap(nullptr, bytes + slack, PROT_NONE, kFlags, -1, 0);
    if (p == MAP_FAILED) {
        status = STATUS_NO_MEMORY;
        return nullptr;
    }
    const auto start = reinterpret_cast<std::uint64_t>(p);
    const std::uint64_t aligned = (start + alignment - 1) / alignment * alignment;
    if (aligned > start) munmap(p, aligned - start);
    const std::uint64_t tail = start + bytes + slack - (aligned + bytes);
    if (tail) munmap(reinterpret_cast<void*>(aligned + bytes), tail);
    status = STATUS_SUCCESS;
    return reinterpret_cast<void*>(aligned);
}

// The mapped ranges of the process, in address order, from the host's map.
std::vector<std::pair<std::uint64_t, std::uint64_t>> mapped_ranges() {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    FILE* maps = std::fopen("/proc/self/maps", "re");
    if (!maps) return ranges;
    char line[512];
    while (std::fgets(line, sizeof line, maps)) {
        unsigned long long start = 0, end = 0;
        if (std::sscanf(line, "%llx-%llx", &start, &end) == 2) ranges.emplace_back(start, end);
    }
    std::fclose(maps);
    return ranges;
}

// An aligned place for `bytes` in a gap of the host's map, wholly in [low, highest]: the highest
// such place when top_down, else the lowest; 0 when there is none.
std::uint64_t find_gap(std::size_t bytes, std::size_t alignment, std::uint64_t low, std::uint64_t highest,
                       bool top_down) {
    const auto ranges = mapped_ranges();
    std::uint64_t found = 0;
    std::uint64_t gap_start = low;
    for (std::size_t i = 0; i <= ranges.size(); ++i) {
        const std::uint64_t gap_end = i < ranges.size() ? std::min(ranges[i].first, highest + 1) : highest + 1;
        const std::uint64_t first = (gap_start + alignment - 1) / alignment * alignment;
        if (gap_end > first && gap_end - first >= bytes) {
            if (!top_down) return first;
            found = (gap_end - bytes) / alignment * alignment;
        }
        if (i < ranges.size()) gap_start = std::max(gap_start, ranges[i].second);
        if (gap_start > highest) break;
    }
    return found;
}

}  // namespace

void* reserve_range(void* at, std::size_t bytes, std::size_t alignment, std::uint64_t highest, bool top_down,
                    NTSTATUS& status) noexcept {
    if (at) return reserve_fixed(reinterpret_cast<std::uint64_t>(at), bytes, status);
    if (highest >= kHostTop) return reserve_anywhere(bytes, alignment, status);
    status = STATUS_NO_MEMORY;
    if (bytes - 1 > highest) return nullptr;
    // Below a limit: a gap of the host's map that fits; another thread may take it first, so a few
    // tries (the host has no call that places a mapping below an address).
    constexpr std::uint64_t kLow = 0x10000;  // MM_LOWEST_USER_ADDRESS, and Linux's mmap_min_addr
    for (int tries = 0; tries < 8; ++tries) {
        const std::uint64_t place = find_gap(bytes, alignment, kLow, highest, top_down);
        if (!place) return nullptr;
        if (void* p = reserve_fixed(place, bytes, status)) return p;
        if (status != STATUS_CONFLICTING_ADDRESSES) return nullptr;
        status = STATUS_NO_MEMORY;
    }
    return nullptr;
}

void release_range(void* at, std::size_t bytes) noexcept { munmap(at, bytes); }

bool decommit_range(void* at, std::size_t bytes) noexcept {
    // A fresh anonymous mapping over the pages frees their memory and reads as zeroes when committed again.
    void* p = mmap(at, bytes, PROT_NONE, kFlags | MAP_FIXED, -1, 0);
    return p == at;
}

void cool_range(void* at, std::size_t bytes) noexcept {
#ifdef MADV_COLD
    (void)madvise(at, bytes, MADV_COLD);  // advice only: a kernel without it keeps the pages as they are
#else
    (void)at;
    (void)bytes;
#endif
}

NTSTATUS lock_range(void* at, std::size_t bytes) noexcept {
    if (mlock(at, bytes) == 0) return STATUS_SUCCESS;
    // ENOMEM, EAGAIN and EPERM all say the process may not lock that much: NT's working set quota.
    const int error = errno;
    if (error == ENOMEM || error == EAGAIN || error == EPERM) return STATUS_WORKING_SET_QUOTA;
    return status_from_errno(error);
}

void unlock_range(void* at, std::size_t bytes) noexcept { munlock(at, bytes); }

void flush_instruction_cache(void* at, std::size_t bytes) noexcept {
    char* start = static_cast<char*>(at);
    __builtin___clear_cache(start, start + bytes);
}

bool host_mapping_at(std::uint64_t address, HostMapping& mapping, std::uint64_t* next) noexcept {
    *next = 0;
    FILE* maps = std::fopen("/proc/self/maps", "re");
    if (!maps) return false;
    char line[512];
    bool found = false;
    while (std::fgets(line, sizeof line, maps)) {
        unsigned long long start = 0, end = 0, offset = 0;
        char perms[8] = {};
        unsigned long long inode = 0;
        int path_at = 0;
        if (std::sscanf(line, "%llx-%llx %7s %llx %*s %llu %n", &start, &end, perms, &offset, &inode, &path_at) < 5) {
            continue;
        }
        if (address >= end) continue;
        if (address < start) {
            *next = start;
            break;
        }
        mapping.start = start;
        mapping.end = end;
        mapping.offset = offset;
        unsigned access = 0;
        if (perms[0] == 'r') access |= kPageRead;
        if (perms[1] == 'w') access |= kPageWrite;
        if (perms[2] == 'x') access |= kPageExecute;
        mapping.access = access;
        mapping.file = inode != 0 && path_at > 0 && line[path_at] == '/';
        found = true;
        break;
    }
    std::fclose(maps);
    return found;
}

}  // namespace ntio::host
