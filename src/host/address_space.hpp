// Address space the memory manager hands out page by page (NtAllocateVirtualMemory and friends):
// reservations placed at an alignment, below a limit or at a fixed address, their decommit,
// locking and reset, and what else the host has mapped at an address (/proc/self/maps).
#pragma once

#include <cstddef>
#include <cstdint>

#include <wdm.h>

namespace ntio::host {

// `bytes` (a page multiple) of inaccessible address space, with no memory behind it, at `at` when
// it is not null (STATUS_CONFLICTING_ADDRESSES when any of that range is mapped), else anywhere
// aligned to `alignment` whose last byte is at or below `highest`, from the top down when
// `top_down` and a limit lower than the host's is given. nullptr and the status on failure.
void* reserve_range(void* at, std::size_t bytes, std::size_t alignment, std::uint64_t highest, bool top_down,
                    NTSTATUS& status) noexcept;
void release_range(void* at, std::size_t bytes) noexcept;
// Commit gives whole pages their access with protect_pages (host/pages.hpp); their contents stay.
// Throws the pages' contents away (a later commit finds zeroes) and makes them inaccessible.
bool decommit_range(void* at, std::size_t bytes) noexcept;
// Tells the host the pages' contents are not needed soon (MEM_RESET); the contents stay valid.
void cool_range(void* at, std::size_t bytes) noexcept;
// Keeps the pages resident; the errno-derived status on failure (the lock limit: STATUS_WORKING_SET_QUOTA).
NTSTATUS lock_range(void* at, std::size_t bytes) noexcept;
void unlock_range(void* at, std::size_t bytes) noexcept;
// Makes instructions written to [at, at + bytes) visible to instruction fetch.
void flush_instruction_cache(void* at, std::size_t bytes) noexcept;

// One line of the host's map of this process.
struct HostMapping {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::uint64_t offset = 0;  // in the file, for a file mapping
    unsigned access = 0;       // PageAccess bits
    bool file = false;         // backed by a file (an executable or library: NT's MEM_IMAGE)
};
// The host mapping holding `address` (true), else false and *next the start of the first mapping
// above it (0 when none).
bool host_mapping_at(std::uint64_t address, HostMapping& mapping, std::uint64_t* next) noexcept;

}  // namespace ntio::host
