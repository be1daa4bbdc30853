// Loaded images (the executable and shared objects, drivers among them): which one holds an
// address, what libntio exports by name, and the return addresses on the current stack.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ntio::host {

// The address the image holding `address` is loaded at (its first byte, the ELF header), or null
// when no loaded image holds it (heap, stack). Any thread.
void* image_base_of(const void* address) noexcept;

// The mapped extent of the loaded image holding `address`, from the start of its lowest loadable
// segment to the end of its highest (bss included). False when no loaded image holds it.
bool image_extent_of(const void* address, std::uintptr_t& low, std::uintptr_t& high) noexcept;

// What the dynamic linker can say of a code or data address: the file of the image holding it, the
// image's base, and the exported symbol at or below it (null when none covers it). The strings
// live as long as the image stays loaded. False when no loaded image holds the address.
struct AddressSymbol {
    const char* image_path = nullptr;
    void* image_base = nullptr;
    const char* symbol = nullptr;
    void* symbol_address = nullptr;
};
bool symbol_of(const void* address, AddressSymbol& out) noexcept;

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
