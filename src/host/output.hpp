// Writing to the host's file descriptors from any context, bug check paths included: no
// allocation, no locks.
#pragma once

#include <cstddef>

namespace ntio::host {

inline constexpr int kStandardOutput = 1;
inline constexpr int kStandardError = 2;

// Writes all `length` bytes to `fd`, retrying short writes; false when the host stops taking them.
bool write_all(int fd, const void* data, std::size_t length) noexcept;

// Creates (or truncates) the file at `path` with mode 0644 and writes `length` bytes to it; false
// when it cannot be created or written whole.
bool write_new_file(const char* path, const void* data, std::size_t length) noexcept;

}  // namespace ntio::host
