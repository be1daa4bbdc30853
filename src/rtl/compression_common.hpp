// What the compression formats share: the caller's WorkSpace as a structure, and the all-zeros status.
#pragma once

#include <algorithm>
#include <cstdint>

#include <wdm.h>

namespace ntio::rtl {

// The WorkSpace rounded up to T's alignment (its size, from RtlGetCompressionWorkSpaceSize, allows for it).
template <class T>
T* aligned(void* workspace) noexcept {
    auto address = reinterpret_cast<std::uintptr_t>(workspace);
    address = (address + alignof(T) - 1) & ~std::uintptr_t{alignof(T) - 1};
    return reinterpret_cast<T*>(address);
}

// RtlCompressBuffer's success: STATUS_BUFFER_ALL_ZEROS when every input byte is zero (an empty buffer
// holds no zero byte, so it is plain success).
inline NTSTATUS all_zeros_status(const UCHAR* in, ULONG size) noexcept {
    const bool zeros = size != 0 && std::all_of(in, in + size, [](UCHAR b) { return b == 0; });
    return zeros ? STATUS_BUFFER_ALL_ZEROS : STATUS_SUCCESS;
}

}  // namespace ntio::rtl
