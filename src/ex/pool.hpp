// Pool accounting visible to C++ callers (inspector, leak checks): per-tag counts of allocations,
// frees and outstanding bytes, split by paged and nonpaged pool, for every System in the process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ntio::ex {

struct PoolTagUsage {
    std::uint32_t tag = 0;        // as passed by the allocator ('kdtN' reads "Ntdk" in memory)
    bool paged = false;           // paged pool (else nonpaged)
    std::uint64_t allocations = 0;
    std::uint64_t frees = 0;
    std::int64_t bytes_outstanding = 0;  // requested bytes of blocks not yet freed

    std::uint64_t blocks_outstanding() const noexcept { return allocations - frees; }
};

// One row per (tag, paged) that was ever used, in no particular order. Cheap enough for tests;
// counters are read without stopping allocators, so a row may be mid-update.
std::vector<PoolTagUsage> pool_snapshot();

// The row for one tag summed over paged and nonpaged pool (zeros when never used).
PoolTagUsage pool_usage(std::uint32_t tag);

// Blocks and bytes outstanding over all tags.
std::uint64_t pool_blocks_outstanding();
std::int64_t pool_bytes_outstanding();

// Returns blocks parked in the calling thread's double-free quarantine to the host allocator
// (tests call it to compare host-level memory; pool accounting does not depend on it).
void pool_flush_thread_quarantine();

}  // namespace ntio::ex
