// Images by address, through the dynamic linker's records of what it loaded.
#include "host/image.hpp"

#include <dlfcn.h>

namespace ntio::host {

void* image_base_of(const void* address) noexcept {
    Dl_info info{};
    if (!address || dladdr(address, &info) == 0) return nullptr;
    return info.dli_fbase;
}

}  // namespace ntio::host
