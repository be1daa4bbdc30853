// Whole pages of host memory the runtime owns: allocated zero-filled and read/write, protected, freed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ntio::host {

enum PageAccess : unsigned { kPageNone = 0, kPageRead = 1, kPageWrite = 2, kPageExecute = 4 };

// `bytes` rounded up to pages, zero-filled, read/write; nullptr when the host has none.
void* allocate_pages(std::size_t bytes) noexcept;
void free_pages(void* address, std::size_t bytes) noexcept;

// As allocate_pages, but every byte lies at or below `highest` (an inclusive address limit); nullptr
// when the host cannot place the block that low.
void* allocate_pages_below(std::size_t bytes, std::uint64_t highest) noexcept;

// Sets the access of the whole pages in [address, address + bytes); false if the host refused.
bool protect_pages(void* address, std::size_t bytes, unsigned access) noexcept;

}  // namespace ntio::host
