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

// A hash of the 3 bytes at p, `bits` wide, for the compressors' match finders.
inline unsigned hash3(const UCHAR* p, unsigned bits) noexcept {
    const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
    return (v * 2654435761u) >> (32 - bits);
}

// A back reference a compressor found.
struct Match {
    ULONG length = 0;
    ULONG displacement = 0;
};

// The longest earlier match for data[pos..pos + max_length), following a hash chain from `link` (a
// position plus one, 0 ending the chain, each link nearer the start than the one before) for at most
// `depth` candidates no more than max_displacement back. next(q, link) is the link after position q.
template <class Link, class Next>
Match longest_match(const UCHAR* data, ULONG pos, ULONG max_length, ULONG max_displacement, Link link,
                    unsigned depth, Next next) noexcept {
    Match best;
    for (; link != 0 && depth != 0; --depth) {
        const ULONG q = link - 1u;
        if (pos - q > max_displacement) break;  // the chain only gets farther
        ULONG length = 0;
        while (length < max_length && data[q + length] == data[pos + length]) ++length;
        if (length > best.length) {
            best = {length, pos - q};
            if (length == max_length) break;
        }
        link = next(q, link);
    }
    return best;
}

}  // namespace ntio::rtl
