#include "host/pages.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include <wdm.h>

namespace ntio::host {

namespace {

int protection_of(unsigned access) noexcept {
    int prot = PROT_NONE;
    if (access & kPageRead) prot |= PROT_READ;
    if (access & kPageWrite) prot |= PROT_WRITE;
    if (access & kPageExecute) prot |= PROT_EXEC;
    return prot;
}

}  // namespace

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
    return mprotect(address, bytes, protection_of(access)) == 0;
}


void* reserve_pages(std::size_t bytes) noexcept {
    void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
}

std::size_t page_size() noexcept { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

std::uint64_t physical_memory_bytes() noexcept {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size) : 0;
}

int memory_file_create(std::uint64_t bytes) noexcept {
    const int file = memfd_create("ntio-section", MFD_CLOEXEC);
    if (file < 0) return -1;
    if (!memory_file_resize(file, bytes)) {
        close(file);
        return -1;
    }
    return file;
}

bool memory_file_resize(int file, std::uint64_t bytes) noexcept {
    return ftruncate(file, static_cast<off_t>(bytes)) == 0;
}

void memory_file_close(int file) noexcept {
    if (file >= 0) close(file);
}

void* map_memory_file(int file, std::uint64_t offset, std::size_t length, unsigned access, bool copy_on_write,
                      void* hint, bool fixed, NTSTATUS& status) noexcept {
    const int flags = (copy_on_write ? MAP_PRIVATE : MAP_SHARED) | (fixed ? MAP_FIXED_NOREPLACE : 0);
    void* mapped = mmap(hint, length, protection_of(access), flags, file, static_cast<off_t>(offset));
    if (mapped == MAP_FAILED) {
        const int error = errno;
        status = fixed && (error == EEXIST || error == EINVAL || error == ENOMEM) ? STATUS_CONFLICTING_ADDRESSES
                                                                                 : STATUS_NO_MEMORY;
        return nullptr;
    }
    if (fixed && mapped != hint) {  // a kernel that does not know MAP_FIXED_NOREPLACE took it as a hint
        munmap(mapped, length);
        status = STATUS_CONFLICTING_ADDRESSES;
        return nullptr;
    }
    status = STATUS_SUCCESS;
    return mapped;
}

void* remap_pages(void* address, std::size_t old_bytes, std::size_t new_bytes) noexcept {
    void* p = mremap(address, old_bytes, new_bytes, MREMAP_MAYMOVE);
    return p == MAP_FAILED ? nullptr : p;
}

}  // namespace ntio::host
