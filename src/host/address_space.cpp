#include "host/address_space.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

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

}  // namespace

void* reserve_range(void* at, std::size_t bytes, std::size_t alignment, std::uint64_t highest, bool top_down,
                    NTSTATUS& status) noexcept {
    if (at) return reserve_fixed(reinterpret_cast<std::uint64_t>(at), bytes, status);
    if (highest >= kHostTop) return reserve_anywhere(bytes, alignment, status);
    status = STATUS_NO_MEMORY;
    if (bytes - 1 > highest) return nullptr;
    // Below a limit: try aligned places from the top of the allowed range down (MEM_TOP_DOWN) or from
    // 1 MiB up, skipping what is mapped; a bounded number of tries, as the host has no such call.
    const std::uint64_t step = bytes < (1ull << 20) ? (1ull << 20) : (bytes + alignment - 1) / alignment * alignment;
    const std::uint64_t low = 1ull << 20;
    const std::uint64_t high = (highest + 1 - bytes) / alignment * alignment;
    if (high < low) return nullptr;
    for (int tries = 0; tries < 4096; ++tries) {
        const std::uint64_t offset = static_cast<std::uint64_t>(tries) * step;
        if (offset > high - low) break;
        const std::uint64_t place = top_down ? high - offset : low + offset;
        NTSTATUS attempt = STATUS_SUCCESS;
        if (void* p = reserve_fixed(place, bytes, attempt)) {
            status = STATUS_SUCCESS;
            return p;
        }
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
