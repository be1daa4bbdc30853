// The image modules loaded in a System (loaded_modules.hpp), the kernel first (the ntio runtime
// itself, under the kernel's name, where drivers look for it), and AuxKlibQueryModuleInformation,
// which lists them for drivers as the Auxiliary Kernel-Mode Library does.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/aux_klib/nf-aux_klib-auxklibquerymoduleinformation
#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <aux_klib.h>

#include "host/image.hpp"
#include "io/driver_loader.hpp"
#include "io/driver_loader_registry.hpp"
#include "io/loaded_modules.hpp"
#include "ntio/system.hpp"

namespace ntio::io {
namespace {

// The kernel's name on Windows; drivers find the kernel's base by it.
constexpr char kKernelPath[] = "\\SystemRoot\\system32\\ntoskrnl.exe";

bool module_at(const void* inside, std::string path, LoadedModule& out) {
    std::uintptr_t low = 0, high = 0;
    if (!inside || !host::image_extent_of(inside, low, high)) return false;
    out = {reinterpret_cast<void*>(low), high - low, std::move(path)};
    return true;
}

// A host path as a DOS path under C:\, the host's root (as GetModuleFileName names host images).
std::string dos_path_of(std::string_view host_path) {
    std::string path = std::string("\\??\\C:").append(host_path);
    std::replace(path.begin(), path.end(), '/', '\\');
    return path;
}

// NT deviation: an export driver has no service path; it is named by its host file. An ImagePath
// that is a host path is named as a DOS path too.
std::string module_path(const void* inside, const std::u16string& image_path) {
    if (image_path.empty()) {
        host::AddressSymbol symbol;
        return host::symbol_of(inside, symbol) && symbol.image_path ? dos_path_of(symbol.image_path) : std::string();
    }
    const std::string path = loader::to_utf8(image_path);
    return path.starts_with('/') ? dos_path_of(path) : path;
}

void fill_extended(const LoadedModule& module, AUX_MODULE_EXTENDED_INFO& out) {
    std::memset(&out, 0, sizeof out);
    out.BasicInfo.ImageBase = module.base;
    constexpr ULONG kLargest = ~ULONG{0};
    out.ImageSize = module.size > kLargest ? kLargest : static_cast<ULONG>(module.size);
    out.FileNameOffset = copy_module_path(module, out.FullPathName, sizeof out.FullPathName);
}

}  // namespace

unsigned short copy_module_path(const LoadedModule& module, unsigned char* out, std::size_t size) {
    std::memset(out, 0, size);
    // Truncated to the array, NUL-terminated; the file name follows the last backslash.
    const std::size_t length = std::min(module.path.size(), size - 1);
    std::memcpy(out, module.path.data(), length);
    const std::size_t slash = module.path.substr(0, length).rfind('\\');
    return static_cast<unsigned short>(slash == std::string::npos ? 0 : slash + 1);
}

std::vector<LoadedModule> loaded_modules(System& system, bool try_only) {
    // The images and their names first, under the image table's lock; their extents after it, from
    // the host's loader (an image unloaded in between is left out).
    struct Found {
        const void* inside;
        std::u16string image_path;
    };
    std::vector<Found> found;
    auto visit = [](const void* inside, std::u16string_view image_path, void* context) {
        static_cast<std::vector<Found>*>(context)->push_back({inside, std::u16string(image_path)});
    };
    (void)for_each_loaded_image(system, visit, &found, try_only);
    std::vector<LoadedModule> modules;
    LoadedModule module;
    if (module_at(reinterpret_cast<const void*>(&AuxKlibQueryModuleInformation), kKernelPath, module))
        modules.push_back(std::move(module));
    for (const Found& image : found) {
        if (module_at(image.inside, module_path(image.inside, image.image_path), module)) modules.push_back(std::move(module));
    }
    return modules;
}

}  // namespace ntio::io

extern "C" {

NTSTATUS NTAPI AuxKlibInitialize(VOID) { return STATUS_SUCCESS; }

// NT deviation (guesses; Learn names no status): a bad ElementSize is STATUS_INVALID_PARAMETER_2, a
// NULL BufferSize STATUS_INVALID_PARAMETER_1.
NTSTATUS NTAPI AuxKlibQueryModuleInformation(PULONG BufferSize, ULONG ElementSize, PVOID QueryInfo) {
    if (!BufferSize) return STATUS_INVALID_PARAMETER_1;
    if (ElementSize != sizeof(AUX_MODULE_BASIC_INFO) && ElementSize != sizeof(AUX_MODULE_EXTENDED_INFO))
        return STATUS_INVALID_PARAMETER_2;
    ntio::System* system = ntio::System::current();
    if (!system) return STATUS_UNSUCCESSFUL;
    const std::vector<ntio::io::LoadedModule> modules = ntio::io::loaded_modules(*system);
    const ULONG needed = static_cast<ULONG>(modules.size() * ElementSize);
    if (!QueryInfo) {
        *BufferSize = needed;
        return STATUS_SUCCESS;
    }
    if (*BufferSize < needed) {
        *BufferSize = needed;
        return STATUS_BUFFER_TOO_SMALL;
    }
    for (std::size_t i = 0; i < modules.size(); ++i) {
        if (ElementSize == sizeof(AUX_MODULE_EXTENDED_INFO)) {
            ntio::io::fill_extended(modules[i], static_cast<PAUX_MODULE_EXTENDED_INFO>(QueryInfo)[i]);
        } else {
            static_cast<PAUX_MODULE_BASIC_INFO>(QueryInfo)[i].ImageBase = modules[i].base;
        }
    }
    *BufferSize = needed;
    return STATUS_SUCCESS;
}

}  // extern "C"
