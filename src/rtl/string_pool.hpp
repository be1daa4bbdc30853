// Allocation of string buffers handed to callers (freed with RtlFreeUnicodeString/RtlFreeAnsiString).
#pragma once

#include <cstddef>

namespace ntio::rtl {

// Paged pool with the string tag; nullptr on failure. PASSIVE_LEVEL / APC_LEVEL like paged pool.
void* string_alloc(std::size_t bytes) noexcept;
void string_free(void* buffer) noexcept;

}  // namespace ntio::rtl
