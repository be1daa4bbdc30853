// Helpers for 16-bit WCHAR strings: libc's wide functions assume a 32-bit wchar_t, so never use them.
#pragma once

#include <wdm.h>

#include <cstddef>

namespace ntio::rtl {

inline std::size_t wide_length(PCWSTR s) noexcept {
    std::size_t n = 0;
    while (s[n] != 0) ++n;
    return n;
}

// Length bounded by max characters; returns max when no terminator is found within it.
inline std::size_t wide_length_bounded(PCWSTR s, std::size_t max) noexcept {
    std::size_t n = 0;
    while (n < max && s[n] != 0) ++n;
    return n;
}

}  // namespace ntio::rtl
