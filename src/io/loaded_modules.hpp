// The image modules loaded in a System, as the module list of the Auxiliary Kernel-Mode Library and
// the inspector's `lm` show them: the kernel (the ntio runtime) first, then the driver images and the
// export drivers they import.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ntio { class System; }

namespace ntio::io {

struct LoadedModule {
    void* base = nullptr;  // the image's first mapped byte
    std::uint64_t size = 0;
    std::string path;  // NT path, ANSI (UTF-8): "\SystemRoot\system32\ntoskrnl.exe" for the kernel
};

// try_only: the image table's lock is only tried (a bugcheck's capture); the images behind it are
// then left out when it stays taken.
std::vector<LoadedModule> loaded_modules(System& system, bool try_only = false);

// A module's path into a fixed array of `size` bytes (AUX_MODULE_EXTENDED_INFO,
// RTL_PROCESS_MODULE_INFORMATION): cut to fit, NUL-terminated, the rest zero. Returns the offset of
// the file name (after the last backslash) within it.
unsigned short copy_module_path(const LoadedModule& module, unsigned char* out, std::size_t size);

}  // namespace ntio::io
