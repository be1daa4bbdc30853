#include "host/pages.hpp"

#include <sys/mman.h>

namespace ntio::host {

void* allocate_pages(std::size_t bytes) noexcept {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
}

void free_pages(void* address, std::size_t bytes) noexcept { munmap(address, bytes); }

void* allocate_pages_below(std::size_t bytes, std::uint64_t highest) noexcept {
    if (bytes == 0) return nullptr;
    constexpr std::uint64_t kPage = 4096;
    const std::uint64_t size = (bytes + kPage - 1) & ~(kPage - 1);
    if (size - 1 > highest) return nullptr;
    // Above the user address space every mapping qualifies.
    if (highest >= 0x00007FFFFFFFFFFFull) return allocate_pages(bytes);
    // MAP_32BIT places the block in the first 2 GiB.
    if (highest >= 0x7FFFFFFFull) {
        void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
        if (p != MAP_FAILED) {
            if (reinterpret_cast<std::uint64_t>(p) + size - 1 <= highest) return p;
            munmap(p, size);
        }
    }
    // Otherwise probe fixed places from 1 MiB up (below it lie the mmap_min_addr guard pages).
    const std::uint64_t step = size < (1ull << 20) ? (1ull << 20) : size;
    int tries = 0;
    for (std::uint64_t at = 1ull << 20; at + size - 1 <= highest && tries < 256; at += step, ++tries) {
        void* p = mmap(reinterpret_cast<void*>(at), size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == MAP_FAILED) continue;
        if (p == reinterpret_cast<void*>(at)) return p;
        munmap(p, size);  // an old kernel took the address as a hint only
    }
    return nullptr;
}

bool protect_pages(void* address, std::size_t bytes, unsigned access) noexcept {
    int prot = PROT_NONE;
    if (access & kPageRead) prot |= PROT_READ;
    if (access & kPageWrite) prot |= PROT_WRITE;
    if (access & kPageExecute) prot |= PROT_EXEC;
    return mprotect(address, bytes, prot) == 0;
}

}  // namespace ntio::host
