// Whole pages of host memory the runtime owns: allocated zero-filled and read/write, protected, freed.
#pragma once

#include <cstddef>

namespace ntio::host {

enum PageAccess : unsigned { kPageNone = 0, kPageRead = 1, kPageWrite = 2, kPageExecute = 4 };

// `bytes` rounded up to pages, zero-filled, read/write; nullptr when the host has none.
void* allocate_pages(std::size_t bytes) noexcept;
void free_pages(void* address, std::size_t bytes) noexcept;

// Sets the access of the whole pages in [address, address + bytes); false if the host refused.
bool protect_pages(void* address, std::size_t bytes, unsigned access) noexcept;

}  // namespace ntio::host
