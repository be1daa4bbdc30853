// Per-tag pool counters (see pool_tags.hpp) and the snapshot readers declared in pool.hpp. The
// counters are process-wide: pool is one allocator shared by every System in the process, as the
// host heap is.
#include <atomic>
#include <vector>

#include "ex/pool_tags.hpp"

#include "ex/pool.hpp"

namespace ntio::ex {
namespace pool_tags {
namespace {

constexpr std::uint64_t kUsedBit = 1ULL << 40;
constexpr std::uint64_t kPagedBit = 1ULL << 32;

struct alignas(64) Slot {
    std::atomic<std::uint64_t> key{0};  // kUsedBit | paged bit | tag; 0 = free
    std::atomic<std::uint64_t> allocations{0};
    std::atomic<std::uint64_t> frees{0};
    std::atomic<std::int64_t> bytes{0};
};

Slot g_slots[kSlotCount];

std::uint64_t key_of(std::uint32_t tag, bool paged) noexcept {
    return kUsedBit | (paged ? kPagedBit : 0) | tag;
}

}  // namespace

std::uint16_t slot_for(std::uint32_t tag, bool paged) noexcept {
    const std::uint64_t key = key_of(tag, paged);
    std::uint32_t index = static_cast<std::uint32_t>((key * 0x9E3779B97F4A7C15ULL) >> 52) % kSlotCount;
    for (std::uint32_t probes = 0; probes < kSlotCount; ++probes, index = (index + 1) % kSlotCount) {
        if (index == kOverflowSlot) continue;
        std::uint64_t seen = g_slots[index].key.load(std::memory_order_acquire);
        if (seen == key) return static_cast<std::uint16_t>(index);
        if (seen == 0) {
            if (g_slots[index].key.compare_exchange_strong(seen, key, std::memory_order_acq_rel)) {
                return static_cast<std::uint16_t>(index);
            }
            if (seen == key) return static_cast<std::uint16_t>(index);
        }
    }
    return kOverflowSlot;
}

void on_allocate(std::uint16_t slot, std::size_t bytes) noexcept {
    g_slots[slot].allocations.fetch_add(1, std::memory_order_relaxed);
    g_slots[slot].bytes.fetch_add(static_cast<std::int64_t>(bytes), std::memory_order_relaxed);
}

void on_free(std::uint16_t slot, std::size_t bytes) noexcept {
    g_slots[slot].frees.fetch_add(1, std::memory_order_relaxed);
    g_slots[slot].bytes.fetch_sub(static_cast<std::int64_t>(bytes), std::memory_order_relaxed);
}

}  // namespace pool_tags

std::vector<PoolTagUsage> pool_snapshot() {
    std::vector<PoolTagUsage> rows;
    for (const auto& slot : pool_tags::g_slots) {
        const std::uint64_t key = slot.key.load(std::memory_order_acquire);
        const std::uint64_t allocations = slot.allocations.load(std::memory_order_relaxed);
        if (key == 0 && allocations == 0) continue;
        PoolTagUsage row;
        row.tag = static_cast<std::uint32_t>(key);
        row.paged = (key & pool_tags::kPagedBit) != 0;
        row.allocations = allocations;
        row.frees = slot.frees.load(std::memory_order_relaxed);
        row.bytes_outstanding = slot.bytes.load(std::memory_order_relaxed);
        rows.push_back(row);
    }
    return rows;
}

PoolTagUsage pool_usage(std::uint32_t tag) {
    PoolTagUsage sum;
    sum.tag = tag;
    for (const PoolTagUsage& row : pool_snapshot()) {
        if (row.tag != tag) continue;
        sum.allocations += row.allocations;
        sum.frees += row.frees;
        sum.bytes_outstanding += row.bytes_outstanding;
    }
    return sum;
}

std::uint64_t pool_blocks_outstanding() {
    std::uint64_t blocks = 0;
    for (const PoolTagUsage& row : pool_snapshot()) blocks += row.blocks_outstanding();
    return blocks;
}

std::int64_t pool_bytes_outstanding() {
    std::int64_t bytes = 0;
    for (const PoolTagUsage& row : pool_snapshot()) bytes += row.bytes_outstanding;
    return bytes;
}

}  // namespace ntio::ex
