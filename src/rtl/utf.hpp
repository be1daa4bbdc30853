// UTF-16 <-> UTF-8 transcoding used for the ANSI code page (ntio's ANSI code page is UTF-8) and by
// the formatter. Invalid input becomes U+FFFD; output never splits a character.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ntio::rtl {

// Each routine sets *replaced (when given) if it turned invalid input into U+FFFD.
// Bytes needed for the UTF-8 form of units[0..count).
std::size_t utf8_size(const char16_t* units, std::size_t count, bool* replaced = nullptr) noexcept;
// Writes at most capacity bytes; returns bytes written. *consumed gets the units used.
std::size_t utf16_to_utf8(const char16_t* units, std::size_t count, char* out, std::size_t capacity,
                          std::size_t* consumed = nullptr, bool* replaced = nullptr) noexcept;
// The same for the upper-case form of units[0..count) (each unit through the upcase table first, as
// the RtlUpcaseUnicodeTo* routines do), without an intermediate copy.
std::size_t upcase_utf8_size(const char16_t* units, std::size_t count) noexcept;
std::size_t upcase_utf16_to_utf8(const char16_t* units, std::size_t count, char* out, std::size_t capacity) noexcept;
// UTF-16 units needed for bytes[0..count).
std::size_t utf16_size(const char* bytes, std::size_t count, bool* replaced = nullptr) noexcept;
// Writes at most capacity units; returns units written. *consumed gets the bytes used.
std::size_t utf8_to_utf16(const char* bytes, std::size_t count, char16_t* out, std::size_t capacity,
                          std::size_t* consumed = nullptr, bool* replaced = nullptr) noexcept;

}  // namespace ntio::rtl
