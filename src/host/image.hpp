// Which loaded image (the executable or a shared object, a driver among them) holds an address.
#pragma once

namespace ntio::host {

// The address the image holding `address` is loaded at (its first byte, the ELF header), or null
// when no loaded image holds it (heap, stack). Any thread.
void* image_base_of(const void* address) noexcept;

}  // namespace ntio::host
