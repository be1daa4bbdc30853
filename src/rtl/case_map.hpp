// Per-code-unit case mapping for UTF-16, as NT does it (no locale, no multi-unit expansions).
#pragma once

#include <cstdint>

namespace ntio::rtl {

char16_t upcase(char16_t c) noexcept;
char16_t downcase(char16_t c) noexcept;

}  // namespace ntio::rtl
