// The LZNT1 format of [MS-XCA] 2.5: chunks of up to 4096 uncompressed bytes, each a 16-bit header
// (bit 15 set when the chunk is compressed, bits 14..12 the signature 3, bits 11..0 the chunk's byte
// count after the header minus one) followed by either the raw bytes or groups of one flag byte and
// eight literals or 16-bit back references. Every routine keeps to its buffers' bounds, whatever the
// input holds.
#pragma once

#include <cstdint>

#include <wdm.h>

namespace ntio::rtl::lznt1 {

constexpr ULONG kChunkSize = 4096;

// The hash heads and chains RtlCompressBuffer's WorkSpace holds while compressing one chunk.
struct CompressWorkSpace {
    std::uint16_t head[kChunkSize];  // per 3-byte hash: the last position with it, plus one (0: none)
    std::uint16_t prev[kChunkSize];  // per position: the position before it with the same hash, plus one
};
constexpr ULONG kCompressWorkSpaceSize = sizeof(CompressWorkSpace) + alignof(CompressWorkSpace) - 1;
// RtlDecompressFragment's WorkSpace holds one decompressed chunk.
constexpr ULONG kFragmentWorkSpaceSize = kChunkSize;

// STATUS_SUCCESS, STATUS_BUFFER_ALL_ZEROS or STATUS_BUFFER_TOO_SMALL.
NTSTATUS compress(const UCHAR* in, ULONG in_size, UCHAR* out, ULONG out_size, bool maximum, void* workspace,
                  ULONG* final_size) noexcept;
// STATUS_SUCCESS or STATUS_BAD_COMPRESSION_BUFFER (corrupt, or more than out_size bytes).
NTSTATUS decompress(const UCHAR* in, ULONG in_size, UCHAR* out, ULONG out_size, ULONG* final_size) noexcept;
// The uncompressed bytes from offset on, at most out_size of them.
NTSTATUS decompress_fragment(const UCHAR* in, ULONG in_size, ULONG offset, UCHAR* out, ULONG out_size,
                             void* workspace, ULONG* final_size) noexcept;

}  // namespace ntio::rtl::lznt1
