// The DDK headers for io's C++ code, after the C++ library on purpose: the SAL emulation defines
// __in/__out away, which libstdc++ headers use as identifiers. Every io header includes this first.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ntifs.h>

namespace ntio::io {

// FileObject->Flags as the I/O manager reads them: a file system sets FO_FILE_MODIFIED and the like
// from its own threads (a worker completing a posted request) while a new request reads the flags
// the open set. A relaxed load: a plain read on x86, and no data race for the sanitizers.
inline ULONG file_flags(PFILE_OBJECT f) noexcept { return __atomic_load_n(&f->Flags, __ATOMIC_RELAXED); }

}  // namespace ntio::io
