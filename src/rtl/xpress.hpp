// The Plain LZ77 format of [MS-XCA] 2.3 and 2.4 (COMPRESSION_FORMAT_XPRESS): 32-bit flag words read
// from their high bit down (0 a literal byte, 1 a 16-bit reference of a 13-bit displacement and a
// 3-bit length, longer lengths continuing in a shared half byte, a byte, 16 or 32 bits). A stream ends
// where its input does, its last flag word padded with ones. Every routine keeps to its buffers'
// bounds, whatever the input holds.
#pragma once

#include <cstdint>

#include <wdm.h>

namespace ntio::rtl::xpress {

constexpr ULONG kWindow = 8192;
constexpr ULONG kHashSize = 1u << 14;

// The hash heads and chains RtlCompressBuffer's WorkSpace holds.
struct CompressWorkSpace {
    std::uint32_t head[kHashSize];  // per 3-byte hash: the last position with it, plus one (0: none)
    std::uint32_t prev[kWindow];    // per position modulo the window: the one before it with its hash, plus one
};
constexpr ULONG kCompressWorkSpaceSize = sizeof(CompressWorkSpace) + alignof(CompressWorkSpace) - 1;

// STATUS_SUCCESS, STATUS_BUFFER_ALL_ZEROS or STATUS_BUFFER_TOO_SMALL.
NTSTATUS compress(const UCHAR* in, ULONG in_size, UCHAR* out, ULONG out_size, bool maximum, void* workspace,
                  ULONG* final_size) noexcept;
// STATUS_SUCCESS or STATUS_BAD_COMPRESSION_BUFFER (corrupt, or more than out_size bytes).
NTSTATUS decompress(const UCHAR* in, ULONG in_size, UCHAR* out, ULONG out_size, ULONG* final_size) noexcept;

}  // namespace ntio::rtl::xpress
