// LZNT1 compression and decompression (see lznt1.hpp).
#include "rtl/lznt1.hpp"

#include <algorithm>
#include <cstring>

#include "rtl/compression_common.hpp"

namespace ntio::rtl::lznt1 {
namespace {

constexpr std::uint16_t kSignature = 0x3000;
constexpr std::uint16_t kCompressed = 0x8000;

// The low bits of a back reference that hold its length, at position pos of the chunk (the bytes of
// the chunk already produced). [MS-XCA] 2.5.1.4: the displacement gets as many bits as it takes to
// reach the chunk's start, at least 4 and at most 12; the length the rest of the 16.
unsigned length_bits(ULONG pos) noexcept {
    unsigned displacement_bits = 4;
    while ((ULONG{1} << displacement_bits) < pos) ++displacement_bits;
    return 16 - displacement_bits;
}

std::uint16_t load16(const UCHAR* p) noexcept { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

void store16(UCHAR* p, std::uint16_t v) noexcept {
    p[0] = static_cast<UCHAR>(v);
    p[1] = static_cast<UCHAR>(v >> 8);
}

// One chunk of a compressed stream.
struct Chunk {
    const UCHAR* body;
    ULONG size;  // bytes after the header
    bool compressed;
};

enum class Next { Chunk, End, Corrupt };

// The chunk at *at, moving *at past it. A zero header, or fewer than two bytes left, ends the stream.
Next next_chunk(const UCHAR* in, ULONG in_size, ULONG* at, Chunk* chunk) noexcept {
    if (in_size - *at < 2) return Next::End;
    const std::uint16_t header = load16(in + *at);
    if (header == 0) return Next::End;
    if ((header & 0x7000) != kSignature) return Next::Corrupt;
    const ULONG size = (header & 0x0FFF) + 1u;
    if (in_size - *at - 2 < size) return Next::Corrupt;
    chunk->body = in + *at + 2;
    chunk->size = size;
    chunk->compressed = (header & kCompressed) != 0;
    *at += 2 + size;
    return Next::Chunk;
}

// Expands a chunk into out, which holds capacity bytes (at most a chunk's worth). False when the
// chunk is corrupt or does not fit.
bool expand_chunk(const Chunk& chunk, UCHAR* out, ULONG capacity, ULONG* produced) noexcept {
    if (!chunk.compressed) {
        if (chunk.size > capacity) return false;
        std::memcpy(out, chunk.body, chunk.size);
        *produced = chunk.size;
        return true;
    }
    const UCHAR* src = chunk.body;
    const ULONG n = chunk.size;
    ULONG s = 0;
    ULONG pos = 0;
    while (s < n) {
        unsigned flags = src[s++];
        for (int token = 0; token < 8 && s < n; ++token, flags >>= 1) {
            if ((flags & 1) == 0) {
                if (pos == capacity) return false;
                out[pos++] = src[s++];
                continue;
            }
            if (n - s < 2 || pos == 0) return false;
            const std::uint16_t word = load16(src + s);
            s += 2;
            const unsigned bits = length_bits(pos);
            const ULONG displacement = (word >> bits) + 1u;
            const ULONG length = (word & ((1u << bits) - 1)) + 3u;
            if (displacement > pos || length > capacity - pos) return false;
            for (ULONG i = 0; i < length; ++i, ++pos) out[pos] = out[pos - displacement];  // may overlap
        }
    }
    *produced = pos;
    return true;
}

// Compresses n bytes (one chunk) into a body of at most limit bytes; 0 when it does not fit.
ULONG compress_chunk(const UCHAR* src, ULONG n, UCHAR* dst, ULONG limit, unsigned depth,
                     CompressWorkSpace* ws) noexcept {
    std::memset(ws->head, 0, sizeof(ws->head));
    auto insert = [&](ULONG p) {
        if (p + 3 > n) return;
        const unsigned h = hash3(src + p, 12);
        ws->prev[p] = ws->head[h];
        ws->head[h] = static_cast<std::uint16_t>(p + 1);
    };
    ULONG d = 0;
    ULONG pos = 0;
    while (pos < n) {
        if (d == limit) return 0;
        const ULONG flag_at = d++;
        UCHAR flags = 0;
        for (int token = 0; token < 8 && pos < n; ++token) {
            const unsigned bits = length_bits(pos);
            const ULONG max_length = std::min<ULONG>((1u << bits) + 2, n - pos);
            const ULONG max_displacement = ULONG{1} << (16 - bits);
            Match best;
            if (max_length >= 3) {
                best = longest_match(src, pos, max_length, max_displacement, ws->head[hash3(src + pos, 12)], depth,
                                     [ws](ULONG q, std::uint16_t) { return ws->prev[q]; });
            }
            if (best.length >= 3) {
                if (limit - d < 2) return 0;
                store16(dst + d, static_cast<std::uint16_t>(((best.displacement - 1) << bits) | (best.length - 3)));
                d += 2;
                flags = static_cast<UCHAR>(flags | (1u << token));
                for (ULONG i = 0; i < best.length; ++i) insert(pos + i);
                pos += best.length;
            } else {
                if (d == limit) return 0;
                dst[d++] = src[pos];
                insert(pos);
                ++pos;
            }
        }
        dst[flag_at] = flags;
    }
    return d;
}

}  // namespace

NTSTATUS compress(const UCHAR* in, ULONG in_size, UCHAR* out, ULONG out_size, bool maximum, void* workspace,
                  ULONG* final_size) noexcept {
    auto* ws = aligned<CompressWorkSpace>(workspace);
    // The standard engine follows a few candidates per position, the maximum engine all of them.
    const unsigned depth = maximum ? kChunkSize : 8;
    ULONG o = 0;
    for (ULONG at = 0; at < in_size; at += kChunkSize) {
        const ULONG n = std::min(kChunkSize, in_size - at);
        const UCHAR* src = in + at;
        if (out_size - o < 2) return STATUS_BUFFER_TOO_SMALL;
        const ULONG room = out_size - o - 2;
        // Compressed only when that is smaller than the raw bytes.
        const ULONG body = compress_chunk(src, n, out + o + 2, std::min(n - 1, room), depth, ws);
        if (body != 0) {
            store16(out + o, static_cast<std::uint16_t>(kCompressed | kSignature | (body - 1)));
            o += 2 + body;
            continue;
        }
        if (room < n) return STATUS_BUFFER_TOO_SMALL;
        store16(out + o, static_cast<std::uint16_t>(kSignature | (n - 1)));
        std::memcpy(out + o + 2, src, n);
        o += 2 + n;
    }
    *final_size = o;
    return all_zeros_status(in, in_size);
}

NTSTATUS decompress(const UCHAR* in, ULONG in_size, UCHAR* out, ULONG out_size, ULONG* final_size) noexcept {
    ULONG at = 0;
    ULONG o = 0;
    for (ULONG index = 0;; ++index) {
        Chunk chunk;
        const Next next = next_chunk(in, in_size, &at, &chunk);
        if (next == Next::End) break;
        if (next == Next::Corrupt) return STATUS_BAD_COMPRESSION_BUFFER;
        // Each chunk stands for 4096 bytes of the original: a chunk that expanded to fewer, followed by
        // another, ends in zeros.
        const ULONG start = index * kChunkSize;
        if (index != 0 && o < start) {
            if (out_size < start) return STATUS_BAD_COMPRESSION_BUFFER;
            std::memset(out + o, 0, start - o);
            o = start;
        }
        ULONG produced = 0;
        if (!expand_chunk(chunk, out + o, std::min(kChunkSize, out_size - o), &produced)) {
            return STATUS_BAD_COMPRESSION_BUFFER;
        }
        o += produced;
    }
    *final_size = o;
    return STATUS_SUCCESS;
}

NTSTATUS decompress_fragment(const UCHAR* in, ULONG in_size, ULONG offset, UCHAR* out, ULONG out_size,
                             void* workspace, ULONG* final_size) noexcept {
    auto* chunk_buffer = static_cast<UCHAR*>(workspace);
    ULONG at = 0;
    ULONG o = 0;
    for (std::uint64_t start = 0; o < out_size; start += kChunkSize) {
        Chunk chunk;
        const Next next = next_chunk(in, in_size, &at, &chunk);
        if (next == Next::End) break;
        if (next == Next::Corrupt) return STATUS_BAD_COMPRESSION_BUFFER;
        if (start + kChunkSize <= offset) continue;  // wholly before the fragment: not expanded
        ULONG produced = 0;
        if (!expand_chunk(chunk, chunk_buffer, kChunkSize, &produced)) return STATUS_BAD_COMPRESSION_BUFFER;
        // A short chunk with another after it stands for 4096 bytes, the rest zeros.
        ULONG peek = at;
        Chunk following;
        ULONG length = produced;
        if (next_chunk(in, in_size, &peek, &following) != Next::End) {
            std::memset(chunk_buffer + produced, 0, kChunkSize - produced);
            length = kChunkSize;
        }
        const ULONG from = offset > start ? static_cast<ULONG>(offset - start) : 0;
        if (from >= length) break;  // the data ends before the offset
        const ULONG take = std::min(length - from, out_size - o);
        std::memcpy(out + o, chunk_buffer + from, take);
        o += take;
    }
    *final_size = o;
    return STATUS_SUCCESS;
}

}  // namespace ntio::rtl::lznt1
