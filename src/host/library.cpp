// Shared objects loaded on purpose, through the dynamic linker (dlopen and its link map), and image
// files mapped as plain data.
#include "host/library.hpp"

#include <dlfcn.h>
#include <link.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "host/errno_status.hpp"

namespace ntio::host {

NTSTATUS library_check_file(const char* path, const char*& problem) noexcept {
    struct stat st{};
    if (::stat(path, &st) != 0) {
        const int error = errno;
        problem = "not found";
        return (error == ENOENT || error == ENOTDIR) ? STATUS_OBJECT_NAME_NOT_FOUND : status_from_errno(error);
    }
    if (!S_ISREG(st.st_mode)) {
        problem = "is not a file";
        return STATUS_INVALID_IMAGE_FORMAT;
    }
    if (::access(path, R_OK) != 0) {
        problem = "is not readable";
        return STATUS_ACCESS_DENIED;
    }
    problem = "";
    return STATUS_SUCCESS;
}

void* library_open(const char* path, std::string& message, LibraryFailure& failure) noexcept {
    void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle) return handle;
    const char* error = dlerror();
    message = error ? error : "dlopen failed";
    failure = message.find("undefined symbol") != std::string::npos           ? LibraryFailure::kUndefinedSymbol
              : message.find("cannot open shared object") != std::string::npos ? LibraryFailure::kMissingDependency
                                                                                : LibraryFailure::kNotLoadable;
    return nullptr;
}

void* library_reference_loaded(const char* name) noexcept {
    return dlopen(name, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
}

void library_close(void* handle) noexcept {
    if (handle) dlclose(handle);
}

void* library_own_symbol(void* handle, const char* name) noexcept {
    void* symbol = dlsym(handle, name);
    if (!symbol) return nullptr;
    link_map* map = nullptr;
    Dl_info info{};
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map || !dladdr(symbol, &info)) return nullptr;
    return info.dli_fname && map->l_name && std::strcmp(info.dli_fname, map->l_name) == 0 ? symbol : nullptr;
}

const void* library_inside_address(void* handle) noexcept {
    link_map* map = nullptr;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map) return nullptr;
    return map->l_ld;
}

std::vector<std::string> library_needed(void* handle) {
    std::vector<std::string> out;
    link_map* map = nullptr;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map || !map->l_ld) return out;
    const char* strings = nullptr;
    for (const ElfW(Dyn)* d = map->l_ld; d->d_tag != DT_NULL; ++d)
        if (d->d_tag == DT_STRTAB) strings = reinterpret_cast<const char*>(d->d_un.d_ptr);
    if (!strings) return out;
    // glibc relocates the dynamic section in place where it is writable (x86-64), else not.
    if (reinterpret_cast<ElfW(Addr)>(strings) < map->l_addr) strings += map->l_addr;
    for (const ElfW(Dyn)* d = map->l_ld; d->d_tag != DT_NULL; ++d)
        if (d->d_tag == DT_NEEDED) out.emplace_back(strings + d->d_un.d_val);
    return out;
}

void* map_file_as_data(const char* path, std::size_t& bytes) noexcept {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    struct stat st {};
    void* address = nullptr;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        bytes = static_cast<std::size_t>(st.st_size);
        address = ::mmap(nullptr, bytes, PROT_READ, MAP_PRIVATE, fd, 0);
        if (address == MAP_FAILED) address = nullptr;
    }
    ::close(fd);
    return address;
}

void unmap_file_data(void* address, std::size_t bytes) noexcept { (void)::munmap(address, bytes); }

}  // namespace ntio::host
