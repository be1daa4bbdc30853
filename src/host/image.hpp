// Loaded images (the executable and shared objects, drivers among them): which one holds an
// address, what libntio exports by name, and the return addresses on the current stack.
#pragma once

#include <cstddef>

namespace ntio::host {

// The address the image holding `address` is loaded at (its first byte, the ELF header), or null
// when no loaded image holds it (heap, stack). Any thread.
void* image_base_of(const void* address) noexcept;

// The address of the symbol `name` that libntio itself defines and exports, or null (unknown, or
// defined only by a library libntio uses). A variable resolves to the copy every image uses (an
// executable's copy relocation moves it out of the library).
void* libntio_export(const char* name) noexcept;

// Up to `count` return addresses of the current thread's stack, innermost first: with `skip` 0 the
// first is where the caller returns to (an address in the caller's caller); each `skip` drops one
// more. Found
// with the unwinder: a frame without unwind information ends the walk. Returns how many were stored.
std::size_t stack_return_addresses(void** out, std::size_t count, std::size_t skip) noexcept;

}  // namespace ntio::host
