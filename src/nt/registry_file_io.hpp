// Whole-file transfers of the registry's file services (NtSaveKey, NtRestoreKey, NtLoadKey and the
// write-back of loaded hives): synchronous whatever the handle's mode. Kernel-mode callers (the
// caller's handle already checked as the caller's own). PASSIVE_LEVEL.
#pragma once

#include <string>

#include <wdm.h>

namespace ntio::nt {

// A saved key larger than this is refused when read back (STATUS_INSUFFICIENT_RESOURCES).
inline constexpr LONGLONG kMaxSavedKeyBytes = LONGLONG{256} << 20;

// `text` from offset 0, then the end of file set after it (a longer file keeps nothing of what it
// held); STATUS_REGISTRY_IO_FAILED for a short write.
NTSTATUS write_whole_file(HANDLE file, const std::string& text);
// The whole file (at most kMaxSavedKeyBytes).
NTSTATUS read_whole_file(HANDLE file, std::string& text);

}  // namespace ntio::nt
