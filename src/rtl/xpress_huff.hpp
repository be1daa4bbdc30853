// The LZ77+Huffman format of [MS-XCA] 2.1 and 2.2 (COMPRESSION_FORMAT_XPRESS_HUFF): blocks of 65536
// uncompressed bytes, each a table of 512 4-bit code lengths (literals 0-255, references 256-511,
// a reference symbol holding the length - 3 capped at 15 and the bit count of its displacement) and
// a stream of canonical Huffman codes read from 16-bit little-endian words, most significant bit
// first, longer lengths continuing in bytes between the words. Symbol 256 where the input ends and
// the output buffer is full is the end of the data, so the output buffer must be its exact size. Every routine keeps to its buffers' bounds, whatever the input holds.
#pragma once

#include <cstdint>

#include <wdm.h>

namespace ntio::rtl::xpress_huff {

constexpr ULONG kBlockSize = 65536;
constexpr ULONG kSymbols = 512;
constexpr ULONG kHashSize = 1u << 15;

// One LZ77 token of a block: a literal (length 0) or a reference.
struct Token {
    std::uint32_t length;        // 0: the literal `value`
    std::uint32_t value;         // the literal byte, or the displacement
};

// RtlCompressBuffer's WorkSpace: the match finder's chains and one block's tokens and code.
struct CompressWorkSpace {
    std::uint32_t head[kHashSize];
    std::uint32_t prev[kBlockSize];
    Token tokens[kBlockSize + 1];
    std::uint32_t frequency[kSymbols];
    std::uint8_t length[kSymbols];
    std::uint16_t code[kSymbols];
    // Huffman construction: the nodes' weights and parents, and a heap of node indices.
    std::uint32_t weight[2 * kSymbols];
    std::uint16_t parent[2 * kSymbols];
    std::uint16_t heap[2 * kSymbols];
};
constexpr ULONG kCompressWorkSpaceSize = sizeof(CompressWorkSpace) + alignof(CompressWorkSpace) - 1;

// RtlDecompressBufferEx's WorkSpace: one block's decoding table.
struct DecompressWorkSpace {
    std::uint16_t table[1u << 15];  // the symbol for each 15-bit prefix, kNoSymbol where no code is
    std::uint8_t length[kSymbols];
};
constexpr ULONG kDecompressWorkSpaceSize = sizeof(DecompressWorkSpace) + alignof(DecompressWorkSpace) - 1;

// STATUS_SUCCESS, STATUS_BUFFER_ALL_ZEROS or STATUS_BUFFER_TOO_SMALL.
NTSTATUS compress(const UCHAR* in, ULONG in_size, UCHAR* out, ULONG out_size, bool maximum, void* workspace,
                  ULONG* final_size) noexcept;
// STATUS_SUCCESS or STATUS_BAD_COMPRESSION_BUFFER (corrupt, or not exactly out_size bytes).
NTSTATUS decompress(const UCHAR* in, ULONG in_size, UCHAR* out, ULONG out_size, void* workspace,
                    ULONG* final_size) noexcept;

}  // namespace ntio::rtl::xpress_huff
