// The LZNT1 chunk interface of a compressing file system: a compression unit kept as independent
// chunks, each described by its compressed size in a COMPRESSED_DATA_INFO. Learn lists the four
// routines as reserved for system use
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcompresschunks,
// .../nf-ntifs-rtldecompresschunks, .../nf-ntifs-rtldescribechunk, .../nf-ntifs-rtlreservechunk);
// the chunk format is [MS-XCA] 2.5 (LZNT1: a 2-byte header, bits 11..0 the bytes after it minus one,
// bits 14..12 the signature 3, bit 15 set when compressed; 4096 uncompressed bytes per chunk). The
// size conventions (0: a chunk of zeros, the chunk size: the bytes stored raw without a header) are
// ntio's reading of the prototypes, listed in docs/nt-deviations.md.
#include <ntifs.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <memory>

#include "rtl/lznt1.hpp"

namespace {

namespace lznt1 = ntio::rtl::lznt1;

constexpr ULONG kChunk = lznt1::kChunkSize;
constexpr UCHAR kLznt1ChunkShift = 12;  // 4096 == 1 << 12
constexpr USHORT kStoredHeader = 0x3000 | (kChunk - 1);

// LZNT1 only: FORMAT_NONE and _DEFAULT are STATUS_INVALID_PARAMETER (as for RtlCompressBuffer),
// anything else STATUS_UNSUPPORTED_COMPRESSION.
NTSTATUS check_lznt1(USHORT format_bits) {
    switch (format_bits & 0x00FF) {
    case COMPRESSION_FORMAT_NONE:
    case COMPRESSION_FORMAT_DEFAULT: return STATUS_INVALID_PARAMETER;
    case COMPRESSION_FORMAT_LZNT1: return STATUS_SUCCESS;
    default: return STATUS_UNSUPPORTED_COMPRESSION;
    }
}

USHORT load16(const UCHAR* p) { return static_cast<USHORT>(p[0] | (p[1] << 8)); }

bool all_zero(const UCHAR* p, ULONG n) {
    return std::all_of(p, p + n, [](UCHAR b) { return b == 0; });
}

// The LZNT1 chunk that expands to 4096 zeros, made once by the compressor itself.
struct ZeroChunk {
    std::array<UCHAR, kChunk + 2> bytes{};
    ULONG size = 0;
};
const ZeroChunk& zero_chunk() {
    static const ZeroChunk chunk = [] {
        ZeroChunk z;
        std::array<UCHAR, kChunk> zeros{};
        auto workspace = std::make_unique<std::byte[]>(lznt1::kCompressWorkSpaceSize);
        (void)lznt1::compress(zeros.data(), kChunk, z.bytes.data(), static_cast<ULONG>(z.bytes.size()), true,
                              workspace.get(), &z.size);
        return z;
    }();
    return chunk;
}

// The bytes of the chunk stream CompressedBuffer followed by CompressedTail, read in order.
class ChunkSource {
public:
    ChunkSource(const UCHAR* head, ULONG head_size, const UCHAR* tail, ULONG tail_size)
        : m_head(head), m_head_size(head_size), m_tail(tail), m_tail_size(tail_size) {}

    // Copies the next n bytes to out; false when the two buffers together hold fewer.
    bool take(UCHAR* out, ULONG n) {
        if (static_cast<ULONGLONG>(m_at) + n > static_cast<ULONGLONG>(m_head_size) + m_tail_size) return false;
        for (ULONG i = 0; i < n; ++i, ++m_at) out[i] = m_at < m_head_size ? m_head[m_at] : m_tail[m_at - m_head_size];
        return true;
    }

private:
    const UCHAR* m_head;
    ULONG m_head_size;
    const UCHAR* m_tail;
    ULONG m_tail_size;
    ULONG m_at = 0;
};

}  // namespace

extern "C" {

// One chunk of the stream at *CompressedBuffer: *ChunkBuffer is its header, *ChunkSize its length
// with the header. The stream ends (STATUS_NO_MORE_ENTRIES, *ChunkSize 0) at a zero header or when
// fewer than two bytes are left, as RtlDecompressBuffer reads it.
NTSYSAPI NTSTATUS NTAPI RtlDescribeChunk(USHORT CompressionFormat, PUCHAR* CompressedBuffer,
                                         PUCHAR EndOfCompressedBufferPlus1, PUCHAR* ChunkBuffer, PULONG ChunkSize) {
    const NTSTATUS status = check_lznt1(CompressionFormat);
    if (!NT_SUCCESS(status)) return status;
    if (!CompressedBuffer || !*CompressedBuffer || !EndOfCompressedBufferPlus1 || !ChunkBuffer || !ChunkSize ||
        *CompressedBuffer > EndOfCompressedBufferPlus1) {
        return STATUS_INVALID_PARAMETER;
    }
    UCHAR* at = *CompressedBuffer;
    const auto left = static_cast<std::size_t>(EndOfCompressedBufferPlus1 - at);
    *ChunkBuffer = at;
    *ChunkSize = 0;
    if (left < 2 || load16(at) == 0) return STATUS_NO_MORE_ENTRIES;
    const USHORT header = load16(at);
    if ((header & 0x7000) != 0x3000) return STATUS_BAD_COMPRESSION_BUFFER;
    const ULONG size = (header & 0x0FFF) + 3u;
    if (size > left) return STATUS_BAD_COMPRESSION_BUFFER;
    *ChunkSize = size;
    *CompressedBuffer = at + size;
    return STATUS_SUCCESS;
}

// Room for one chunk at *CompressedBuffer, which moves past it. ChunkSize 0 writes the compressed
// chunk of 4096 zeros; 4096 writes the header of a stored chunk (the caller copies the bytes to
// *ChunkBuffer + 2); any other size (3..4098, header included) is reserved for the caller to fill.
NTSYSAPI NTSTATUS NTAPI RtlReserveChunk(USHORT CompressionFormat, PUCHAR* CompressedBuffer,
                                        PUCHAR EndOfCompressedBufferPlus1, PUCHAR* ChunkBuffer, ULONG ChunkSize) {
    const NTSTATUS status = check_lznt1(CompressionFormat);
    if (!NT_SUCCESS(status)) return status;
    if (!CompressedBuffer || !*CompressedBuffer || !EndOfCompressedBufferPlus1 || !ChunkBuffer ||
        *CompressedBuffer > EndOfCompressedBufferPlus1 || (ChunkSize != 0 && ChunkSize < 3) || ChunkSize > kChunk + 2) {
        return STATUS_INVALID_PARAMETER;
    }
    UCHAR* at = *CompressedBuffer;
    const auto left = static_cast<std::size_t>(EndOfCompressedBufferPlus1 - at);
    ULONG take = ChunkSize;
    if (ChunkSize == 0) take = zero_chunk().size;
    if (ChunkSize == kChunk) take = kChunk + 2;
    if (take > left) return STATUS_BUFFER_TOO_SMALL;
    if (ChunkSize == 0) std::memcpy(at, zero_chunk().bytes.data(), take);
    if (ChunkSize == kChunk) {
        at[0] = static_cast<UCHAR>(kStoredHeader & 0xFF);
        at[1] = static_cast<UCHAR>(kStoredHeader >> 8);
    }
    *ChunkBuffer = at;
    *CompressedBuffer = at + take;
    return STATUS_SUCCESS;
}

// Chunk i of CompressedDataInfo fills UncompressedBuffer from i * 4096 (the last chunk's share may be
// shorter): size 0 with zeros, size 4096 with the next 4096 bytes as they are, any other size by
// expanding that LZNT1 chunk (one that expands to less than 4096 bytes is followed by zeros). The
// chunks lie back to back in CompressedBuffer and go on in CompressedTail. STATUS_BAD_COMPRESSION_BUFFER for a corrupt chunk,
// missing bytes, or more chunks than UncompressedBuffer has room for.
NTSYSAPI NTSTATUS NTAPI RtlDecompressChunks(PUCHAR UncompressedBuffer, ULONG UncompressedBufferSize,
                                            PUCHAR CompressedBuffer, ULONG CompressedBufferSize,
                                            PUCHAR CompressedTail, ULONG CompressedTailSize,
                                            PCOMPRESSED_DATA_INFO CompressedDataInfo) {
    if (!CompressedDataInfo) return STATUS_INVALID_PARAMETER;
    const NTSTATUS status = check_lznt1(CompressedDataInfo->CompressionFormatAndEngine);
    if (!NT_SUCCESS(status)) return status;
    if (CompressedDataInfo->ChunkShift != kLznt1ChunkShift || (!UncompressedBuffer && UncompressedBufferSize != 0) ||
        (!CompressedBuffer && CompressedBufferSize != 0) || (!CompressedTail && CompressedTailSize != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    ChunkSource source(CompressedBuffer, CompressedBufferSize, CompressedTail, CompressedTailSize);
    std::array<UCHAR, kChunk + 2> chunk{};
    std::array<UCHAR, kChunk> whole{};
    for (ULONG i = 0; i < CompressedDataInfo->NumberOfChunks; ++i) {
        const ULONGLONG start = static_cast<ULONGLONG>(i) * kChunk;
        if (start >= UncompressedBufferSize) return STATUS_BAD_COMPRESSION_BUFFER;
        UCHAR* out = UncompressedBuffer + start;
        const ULONG share = static_cast<ULONG>(std::min<ULONGLONG>(kChunk, UncompressedBufferSize - start));
        const ULONG size = CompressedDataInfo->CompressedChunkSizes[i];
        if (size == 0) {
            std::memset(out, 0, share);
            continue;
        }
        if (size == kChunk) {
            if (!source.take(chunk.data(), kChunk)) return STATUS_BAD_COMPRESSION_BUFFER;
            std::memcpy(out, chunk.data(), share);
            continue;
        }
        if (size < 3 || size > kChunk + 2 || !source.take(chunk.data(), size)) return STATUS_BAD_COMPRESSION_BUFFER;
        // The chunk's header must say exactly its recorded size.
        if ((load16(chunk.data()) & 0x0FFF) + 3u != size) return STATUS_BAD_COMPRESSION_BUFFER;
        ULONG produced = 0;
        const NTSTATUS expanded = lznt1::decompress(chunk.data(), size, whole.data(), kChunk, &produced);
        if (!NT_SUCCESS(expanded)) return expanded;
        std::memset(whole.data() + produced, 0, kChunk - produced);
        std::memcpy(out, whole.data(), share);
    }
    return STATUS_SUCCESS;
}

// Compresses UncompressedBuffer in 4096-byte chunks into CompressedBuffer, back to back, recording
// each chunk's size: 0 for a chunk of zeros (no bytes), 4096 for a full chunk that does not shrink
// (its bytes stored raw), else the LZNT1 chunk's size with its header. STATUS_BUFFER_TOO_SMALL when
// CompressedDataInfoLength has no room for every size, when the chunks do not fit CompressedBuffer,
// or when they do not save at least one cluster (1 << ClusterShift bytes), as a file system would
// then store the unit uncompressed. STATUS_BUFFER_ALL_ZEROS (a success) when every byte is zero.
NTSYSAPI NTSTATUS NTAPI RtlCompressChunks(PUCHAR UncompressedBuffer, ULONG UncompressedBufferSize,
                                          PUCHAR CompressedBuffer, ULONG CompressedBufferSize,
                                          PCOMPRESSED_DATA_INFO CompressedDataInfo, ULONG CompressedDataInfoLength,
                                          PVOID WorkSpace) {
    if (!CompressedDataInfo) return STATUS_INVALID_PARAMETER;
    const USHORT format_and_engine = CompressedDataInfo->CompressionFormatAndEngine;
    NTSTATUS status = check_lznt1(format_and_engine);
    if (!NT_SUCCESS(status)) return status;
    const USHORT engine = format_and_engine & 0xFF00;
    if (engine != COMPRESSION_ENGINE_STANDARD && engine != COMPRESSION_ENGINE_MAXIMUM) return STATUS_NOT_SUPPORTED;
    if (CompressedDataInfo->ChunkShift != kLznt1ChunkShift || CompressedDataInfo->ClusterShift >= 32 ||
        (!UncompressedBuffer && UncompressedBufferSize != 0) || (!CompressedBuffer && CompressedBufferSize != 0) ||
        !WorkSpace) {
        return STATUS_INVALID_PARAMETER;
    }
    const ULONG chunks = (UncompressedBufferSize + kChunk - 1) / kChunk;
    if (chunks > 0xFFFF) return STATUS_INVALID_PARAMETER;  // NumberOfChunks is a USHORT
    const ULONGLONG needed =
        offsetof(COMPRESSED_DATA_INFO, CompressedChunkSizes) + static_cast<ULONGLONG>(chunks) * sizeof(ULONG);
    if (CompressedDataInfoLength < needed) return STATUS_BUFFER_TOO_SMALL;
    const bool maximum = engine == COMPRESSION_ENGINE_MAXIMUM;
    std::array<UCHAR, kChunk> padded{};
    std::array<UCHAR, kChunk + 2> packed{};
    ULONG total = 0;
    for (ULONG i = 0; i < chunks; ++i) {
        const ULONG n = std::min(kChunk, UncompressedBufferSize - i * kChunk);
        // Every chunk is compressed as a full 4096 bytes (the last one padded with zeros), so that a
        // size of 4096 always means raw bytes and every chunk expands to exactly its share.
        std::memcpy(padded.data(), UncompressedBuffer + static_cast<ULONGLONG>(i) * kChunk, n);
        std::memset(padded.data() + n, 0, kChunk - n);
        ULONG size = 0;
        const UCHAR* bytes = padded.data();
        if (!all_zero(padded.data(), kChunk)) {
            ULONG packed_size = 0;
            status = lznt1::compress(padded.data(), kChunk, packed.data(), static_cast<ULONG>(packed.size()), maximum,
                                     WorkSpace, &packed_size);
            if (!NT_SUCCESS(status)) return status;
            if ((load16(packed.data()) & 0x8000) != 0) {  // it shrank: keep the LZNT1 chunk
                size = packed_size;
                bytes = packed.data();
            } else {
                size = kChunk;
            }
        }
        if (size > CompressedBufferSize - total) return STATUS_BUFFER_TOO_SMALL;
        if (size != 0) std::memcpy(CompressedBuffer + total, bytes, size);
        total += size;
        CompressedDataInfo->CompressedChunkSizes[i] = size;
    }
    const ULONGLONG cluster = 1ULL << CompressedDataInfo->ClusterShift;
    if (total != 0 && static_cast<ULONGLONG>(total) + cluster > UncompressedBufferSize) return STATUS_BUFFER_TOO_SMALL;
    CompressedDataInfo->NumberOfChunks = static_cast<USHORT>(chunks);
    return total == 0 ? STATUS_BUFFER_ALL_ZEROS : STATUS_SUCCESS;
}

}  // extern "C"
