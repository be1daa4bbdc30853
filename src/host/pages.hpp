// Whole pages of host memory the runtime owns: allocated zero-filled and read/write, protected, freed.
#pragma once

#include <cstddef>
#include <cstdint>

#include <wdm.h>

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

// Address space only: `bytes` of inaccessible pages, committed later with protect_pages (no memory
// is reserved for them until then); nullptr when the host has no room.
void* reserve_pages(std::size_t bytes) noexcept;

std::size_t page_size() noexcept;                // the host's page size
std::uint64_t physical_memory_bytes() noexcept;  // the host's RAM, 0 if it cannot tell

// ---- Memory files: shared memory a section's pages live in, mapped as views ----
// A new memory file of `bytes` zeroes; -1 when the host refuses.
int memory_file_create(std::uint64_t bytes) noexcept;
bool memory_file_resize(int file, std::uint64_t bytes) noexcept;
void memory_file_close(int file) noexcept;

// Maps `length` bytes of the file from `offset` with `access` (PageAccess bits), shared or, with
// `copy_on_write`, private. With `fixed` the view goes exactly at `hint`, and fails with
// STATUS_CONFLICTING_ADDRESSES when that range is taken; else `hint` is only a hint. nullptr and
// the status (STATUS_NO_MEMORY) on failure.
void* map_memory_file(int file, std::uint64_t offset, std::size_t length, unsigned access, bool copy_on_write,
                      void* hint, bool fixed, NTSTATUS& status) noexcept;
// Grows a mapping, moving it if it must; nullptr (the old one kept) on failure.
void* remap_pages(void* address, std::size_t old_bytes, std::size_t new_bytes) noexcept;

}  // namespace ntio::host
