// Which objects a handle wait may wait on: those whose body is (or starts with) a dispatcher object,
// and files (through FILE_OBJECT.Event).
// Directories, symbolic links and types are not waitable (STATUS_OBJECT_TYPE_MISMATCH).
#pragma once

#include <wdm.h>

namespace ntio::nt {

// The dispatcher object to wait on for `body`, or null when its type is not waitable.
[[nodiscard]] PVOID waitable_object(PVOID body) noexcept;

}  // namespace ntio::nt
