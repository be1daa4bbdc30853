// The kernel's printf dialect, for DbgPrint and the ntstrsafe printf routines: %d %i %u %x %X %o %p
// %c %C %s %S %Z %wZ %e %f %g, flags "-+ #0", width and precision (also '*'), size prefixes h hh l ll
// w I I32 I64 z j t. LLP64 sizes: %ld and %lx take a 32-bit LONG/ULONG. Wide formats use the
// Microsoft rule that %s and %c take wide arguments and %S and %C narrow ones. Never uses libc's wide
// functions (our WCHAR is 16 bits, glibc's wchar_t 32).
#pragma once

#include <cstdarg>
#include <cstddef>

namespace ntio::rtl {

struct FormatResult {
    std::size_t written;  // units stored in the buffer (no terminator is written)
    bool truncated;       // the full output did not fit
};

// Formats into buf[0..capacity); the caller reserves room for and writes the terminator.
FormatResult vformat(char* buf, std::size_t capacity, const char* format, va_list args) noexcept;
FormatResult vformat(char16_t* buf, std::size_t capacity, const char16_t* format, va_list args) noexcept;

}  // namespace ntio::rtl
