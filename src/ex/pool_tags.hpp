// Per-tag pool counters: a fixed open-addressed table keyed by (tag, paged), one cache line per
// slot so that allocators using different tags never share a line. Slots are claimed once and never
// released, so a block's header can keep its slot index and free without hashing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ntio::ex::pool_tags {

inline constexpr std::uint16_t kSlotCount = 4096;
// Slot used when the table is full; its tag reads as zero.
inline constexpr std::uint16_t kOverflowSlot = 0;

std::uint16_t slot_for(std::uint32_t tag, bool paged) noexcept;
void on_allocate(std::uint16_t slot, std::size_t bytes) noexcept;
void on_free(std::uint16_t slot, std::size_t bytes) noexcept;

}  // namespace ntio::ex::pool_tags
