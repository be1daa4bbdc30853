// Images by address and libntio's exports by name, through the dynamic linker's records of what it
// loaded; stack return addresses through the C library's unwinder.
#include "host/image.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <execinfo.h>
#include <link.h>

namespace ntio::host {

void* image_base_of(const void* address) noexcept {
    Dl_info info{};
    if (!address || dladdr(address, &info) == 0) return nullptr;
    return info.dli_fbase;
}

namespace {

struct ExtentSearch {
    std::uintptr_t address = 0;
    std::uintptr_t low = 0;
    std::uintptr_t high = 0;
};

int find_extent(dl_phdr_info* info, size_t, void* data) {
    auto* search = static_cast<ExtentSearch*>(data);
    std::uintptr_t low = UINTPTR_MAX;
    std::uintptr_t high = 0;
    bool holds = false;
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_LOAD) continue;
        const std::uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
        const std::uintptr_t end = begin + ph.p_memsz;
        low = begin < low ? begin : low;
        high = end > high ? end : high;
        if (search->address >= begin && search->address < end) holds = true;
    }
    if (!holds) return 0;
    search->low = low;
    search->high = high;
    return 1;
}

}  // namespace

bool image_extent_of(const void* address, std::uintptr_t& low, std::uintptr_t& high) noexcept {
    ExtentSearch search{reinterpret_cast<std::uintptr_t>(address)};
    if (!address || !dl_iterate_phdr(find_extent, &search)) return false;
    low = search.low;
    high = search.high;
    return true;
}

bool symbol_of(const void* address, AddressSymbol& out) noexcept {
    Dl_info info{};
    if (!address || dladdr(address, &info) == 0 || !info.dli_fname) return false;
    out = {info.dli_fname, info.dli_fbase, info.dli_sname, info.dli_saddr};
    return true;
}

namespace {

struct OwnImage {
    void* handle = nullptr;
    void* base = nullptr;
};

// libntio's handle and load address, found through one of its own functions.
const OwnImage& own_image() noexcept {
    static const OwnImage image = [] {
        OwnImage img;
        Dl_info info{};
        if (dladdr(reinterpret_cast<void*>(&image_base_of), &info) && info.dli_fname) {
            img.base = info.dli_fbase;
            img.handle = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
        }
        return img;
    }();
    return image;
}

}  // namespace

void* libntio_export(const char* name) noexcept {
    const OwnImage& self = own_image();
    if (!self.handle) return nullptr;
    void* address = dlsym(self.handle, name);
    if (!address) return nullptr;
    Dl_info info{};
    void* entry = nullptr;
    if (!dladdr1(address, &info, &entry, RTLD_DL_SYMENT)) return nullptr;
    const auto* symbol = static_cast<const ElfW(Sym)*>(entry);
    if (info.dli_fbase != self.base || !symbol) return nullptr;  // found in a library libntio uses
    if (ELF64_ST_TYPE(symbol->st_info) == STT_OBJECT) {
        void* canonical = dlsym(RTLD_DEFAULT, name);
        return canonical ? canonical : address;
    }
    return address;
}

[[gnu::noinline]] std::size_t stack_return_addresses(void** out, std::size_t count, std::size_t skip) noexcept {
    constexpr std::size_t kMaxFrames = 256;
    void* frames[kMaxFrames + 2];
    if (count == 0 || skip >= kMaxFrames) return 0;
    const int got = backtrace(frames, static_cast<int>(kMaxFrames + 2));
    // The frame that returns into the caller is found by its return address rather than assumed to be
    // frames[1]: a sanitizer's interception of backtrace() may add or drop the innermost frames.
    std::size_t into_caller = 1;
    void* const mine = __builtin_return_address(0);
    for (std::size_t i = 0; i < static_cast<std::size_t>(got); ++i) {
        if (frames[i] == mine) {
            into_caller = i;
            break;
        }
    }
    std::size_t stored = 0;
    for (std::size_t i = into_caller + 1 + skip; i < static_cast<std::size_t>(got) && stored < count; ++i)
        out[stored++] = frames[i];
    asm volatile("" ::: "memory");  // not a tail call: the frames skipped must be as counted
    return stored;
}

}  // namespace ntio::host
