// String buffers come from paged pool under the tag NT uses for Rtl string allocations ('Strg'
// written as the multi-character constant 'grtS').
#include "rtl/string_pool.hpp"

#include <wdm.h>

namespace ntio::rtl {
namespace {
constexpr ULONG kStringTag = ('g' << 24) | ('r' << 16) | ('t' << 8) | 'S';  // 'grtS'
}

void* string_alloc(std::size_t bytes) noexcept { return ExAllocatePoolWithTag(PagedPool, bytes, kStringTag); }

void string_free(void* buffer) noexcept {
    if (buffer) ExFreePoolWithTag(buffer, 0);  // tag 0: callers may free strings they built themselves
}

}  // namespace ntio::rtl
