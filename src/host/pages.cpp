#include "host/pages.hpp"

#include <sys/mman.h>

namespace ntio::host {

void* allocate_pages(std::size_t bytes) noexcept {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
}

void free_pages(void* address, std::size_t bytes) noexcept { munmap(address, bytes); }

bool protect_pages(void* address, std::size_t bytes, unsigned access) noexcept {
    int prot = PROT_NONE;
    if (access & kPageRead) prot |= PROT_READ;
    if (access & kPageWrite) prot |= PROT_WRITE;
    if (access & kPageExecute) prot |= PROT_EXEC;
    return mprotect(address, bytes, prot) == 0;
}

}  // namespace ntio::host
