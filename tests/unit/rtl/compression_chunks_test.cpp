// The LZNT1 chunk routines through <ntifs.h>: RtlCompressChunks / RtlDecompressChunks round trips
// (chunks of zeros, raw chunks, compressed chunks, a short last chunk, data split between the
// buffer and its tail), RtlDescribeChunk walking a stream RtlCompressBuffer made, RtlReserveChunk
// building one that RtlDecompressBuffer reads, and the statuses for what does not fit or is corrupt.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <random>
#include <vector>

#include <ntifs.h>

namespace rtlse_compression_chunks {
namespace {

using Bytes = std::vector<UCHAR>;

Bytes workspace() {
    ULONG buffer = 0;
    ULONG fragment = 0;
    EXPECT_EQ(RtlGetCompressionWorkSpaceSize(COMPRESSION_FORMAT_LZNT1, &buffer, &fragment), STATUS_SUCCESS);
    return Bytes(buffer);
}

// Room for a COMPRESSED_DATA_INFO with n chunk sizes.
struct Info {
    explicit Info(ULONG n) : bytes(offsetof(COMPRESSED_DATA_INFO, CompressedChunkSizes) + n * sizeof(ULONG)) {
        get()->CompressionFormatAndEngine = COMPRESSION_FORMAT_LZNT1;
        get()->ChunkShift = 12;
        get()->ClusterShift = 9;
        get()->CompressionUnitShift = 16;
    }
    COMPRESSED_DATA_INFO* get() { return reinterpret_cast<COMPRESSED_DATA_INFO*>(bytes.data()); }
    // The sizes through a pointer: the declared array has ANYSIZE_ARRAY (1) element.
    ULONG* sizes() { return get()->CompressedChunkSizes; }
    ULONG size() const { return static_cast<ULONG>(bytes.size()); }
    std::vector<UCHAR> bytes;
};

void append_text(Bytes& out, size_t n) {
    static const char kText[] = "The quick brown fox jumps over the lazy dog. ";
    for (size_t i = 0; i < n; ++i) out.push_back(static_cast<UCHAR>(kText[i % (sizeof kText - 1)]));
}

void append_random(Bytes& out, size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    for (size_t i = 0; i < n; ++i) out.push_back(static_cast<UCHAR>(rng()));
}

// Text, zeros, noise, then a short chunk of text.
Bytes mixed_unit() {
    Bytes data;
    append_text(data, 4096);
    data.resize(data.size() + 4096, 0);
    append_random(data, 4096, 7);
    append_text(data, 1000);
    return data;
}

TEST(RtlseCompressionChunks, chunks_round_trip_with_each_kind_of_chunk) {
    Bytes data = mixed_unit();
    Bytes ws = workspace();
    Info info(4);
    Bytes packed(data.size());
    ASSERT_EQ(RtlCompressChunks(data.data(), static_cast<ULONG>(data.size()), packed.data(),
                                static_cast<ULONG>(packed.size()), info.get(), info.size(), ws.data()),
              STATUS_SUCCESS);
    COMPRESSED_DATA_INFO* i = info.get();
    ASSERT_EQ(i->NumberOfChunks, 4);
    EXPECT_GT(info.sizes()[0], 2u);
    EXPECT_LT(info.sizes()[0], 1000u);
    EXPECT_EQ(info.sizes()[1], 0u);     // zeros take no room
    EXPECT_EQ(info.sizes()[2], 4096u);  // noise is kept raw
    EXPECT_GT(info.sizes()[3], 2u);
    EXPECT_LT(info.sizes()[3], 1000u);
    const ULONG total =
        info.sizes()[0] + info.sizes()[1] + info.sizes()[2] + info.sizes()[3];

    Bytes out(data.size(), 0xEE);
    ASSERT_EQ(RtlDecompressChunks(out.data(), static_cast<ULONG>(out.size()), packed.data(), total, nullptr, 0, i),
              STATUS_SUCCESS);
    EXPECT_EQ(out, data);

    // The same bytes split between the buffer and a tail, at every kind of place.
    for (ULONG split : {0u, 1u, info.sizes()[0] - 1, info.sizes()[0] + 100, total - 1, total}) {
        Bytes head(packed.begin(), packed.begin() + split);
        Bytes tail(packed.begin() + split, packed.begin() + total);
        Bytes again(data.size(), 0xEE);
        ASSERT_EQ(RtlDecompressChunks(again.data(), static_cast<ULONG>(again.size()), head.data(),
                                      static_cast<ULONG>(head.size()), tail.data(), static_cast<ULONG>(tail.size()),
                                      i),
                  STATUS_SUCCESS)
            << split;
        EXPECT_EQ(again, data) << split;
    }
}

TEST(RtlseCompressionChunks, compress_reports_what_does_not_fit) {
    Bytes data = mixed_unit();
    Bytes ws = workspace();
    Bytes packed(data.size());
    Info short_info(3);
    EXPECT_EQ(RtlCompressChunks(data.data(), static_cast<ULONG>(data.size()), packed.data(),
                                static_cast<ULONG>(packed.size()), short_info.get(), short_info.size(), ws.data()),
              STATUS_BUFFER_TOO_SMALL);
    Info info(4);
    EXPECT_EQ(RtlCompressChunks(data.data(), static_cast<ULONG>(data.size()), packed.data(), 100, info.get(),
                                info.size(), ws.data()),
              STATUS_BUFFER_TOO_SMALL);
    // Noise does not save a cluster: the caller stores the unit uncompressed.
    Bytes noise;
    append_random(noise, 8192, 11);
    Info noise_info(2);
    Bytes room(3 * 8192);
    EXPECT_EQ(RtlCompressChunks(noise.data(), 8192, room.data(), static_cast<ULONG>(room.size()), noise_info.get(),
                                noise_info.size(), ws.data()),
              STATUS_BUFFER_TOO_SMALL);
    // All zeros: a success that says so, every size 0.
    Bytes zeros(8192, 0);
    Info zero_info(2);
    EXPECT_EQ(RtlCompressChunks(zeros.data(), 8192, room.data(), static_cast<ULONG>(room.size()), zero_info.get(),
                                zero_info.size(), ws.data()),
              STATUS_BUFFER_ALL_ZEROS);
    EXPECT_EQ(zero_info.get()->NumberOfChunks, 2);
    EXPECT_EQ(zero_info.sizes()[0], 0u);
    EXPECT_EQ(zero_info.sizes()[1], 0u);
    Bytes back(8192, 0xEE);
    EXPECT_EQ(RtlDecompressChunks(back.data(), 8192, nullptr, 0, nullptr, 0, zero_info.get()), STATUS_SUCCESS);
    EXPECT_EQ(back, zeros);
    // Formats other than LZNT1.
    info.get()->CompressionFormatAndEngine = COMPRESSION_FORMAT_XPRESS;
    EXPECT_EQ(RtlCompressChunks(data.data(), static_cast<ULONG>(data.size()), packed.data(),
                                static_cast<ULONG>(packed.size()), info.get(), info.size(), ws.data()),
              STATUS_UNSUPPORTED_COMPRESSION);
    info.get()->CompressionFormatAndEngine = COMPRESSION_FORMAT_NONE;
    EXPECT_EQ(RtlDecompressChunks(back.data(), 8192, room.data(), 8192, nullptr, 0, info.get()),
              STATUS_INVALID_PARAMETER);
}

TEST(RtlseCompressionChunks, decompress_rejects_corrupt_or_missing_chunks) {
    Bytes data = mixed_unit();
    Bytes ws = workspace();
    Info info(4);
    Bytes packed(data.size());
    ASSERT_EQ(RtlCompressChunks(data.data(), static_cast<ULONG>(data.size()), packed.data(),
                                static_cast<ULONG>(packed.size()), info.get(), info.size(), ws.data()),
              STATUS_SUCCESS);
    COMPRESSED_DATA_INFO* i = info.get();
    Bytes out(data.size());
    // Fewer bytes than the sizes say.
    EXPECT_EQ(RtlDecompressChunks(out.data(), static_cast<ULONG>(out.size()), packed.data(), 10, nullptr, 0, i),
              STATUS_BAD_COMPRESSION_BUFFER);
    // A size that disagrees with the chunk's header.
    const ULONG first = info.sizes()[0];
    info.sizes()[0] = first + 1;
    EXPECT_EQ(RtlDecompressChunks(out.data(), static_cast<ULONG>(out.size()), packed.data(),
                                  static_cast<ULONG>(packed.size()), nullptr, 0, i),
              STATUS_BAD_COMPRESSION_BUFFER);
    info.sizes()[0] = first;
    // More chunks than the output holds.
    EXPECT_EQ(RtlDecompressChunks(out.data(), 4096 * 2, packed.data(), static_cast<ULONG>(packed.size()), nullptr, 0,
                                  i),
              STATUS_BAD_COMPRESSION_BUFFER);
}

TEST(RtlseCompressionChunks, describe_walks_a_compressed_stream) {
    Bytes data = mixed_unit();
    Bytes ws = workspace();
    Bytes stream(data.size() + 1024);
    ULONG final_size = 0;
    ASSERT_EQ(RtlCompressBuffer(COMPRESSION_FORMAT_LZNT1, data.data(), static_cast<ULONG>(data.size()), stream.data(),
                                static_cast<ULONG>(stream.size()), 4096, &final_size, ws.data()),
              STATUS_SUCCESS);
    PUCHAR at = stream.data();
    PUCHAR end = stream.data() + final_size;
    ULONG chunks = 0;
    ULONG bytes = 0;
    for (;;) {
        PUCHAR chunk = nullptr;
        ULONG size = 0xFFFF;
        const NTSTATUS status = RtlDescribeChunk(COMPRESSION_FORMAT_LZNT1, &at, end, &chunk, &size);
        if (status == STATUS_NO_MORE_ENTRIES) {
            EXPECT_EQ(size, 0u);
            break;
        }
        ASSERT_EQ(status, STATUS_SUCCESS);
        EXPECT_EQ(chunk, at - size);
        bytes += size;
        ++chunks;
        ASSERT_LE(chunks, 4u);
    }
    EXPECT_EQ(chunks, 4u);
    EXPECT_EQ(bytes, final_size);
    // A header claiming more than is there.
    at = stream.data();
    PUCHAR chunk = nullptr;
    ULONG size = 0;
    EXPECT_EQ(RtlDescribeChunk(COMPRESSION_FORMAT_LZNT1, &at, stream.data() + 5, &chunk, &size),
              STATUS_BAD_COMPRESSION_BUFFER);
    EXPECT_EQ(RtlDescribeChunk(COMPRESSION_FORMAT_XPRESS, &at, end, &chunk, &size), STATUS_UNSUPPORTED_COMPRESSION);
}

TEST(RtlseCompressionChunks, reserved_chunks_make_a_stream_decompress_buffer_reads) {
    Bytes stream(4096 * 3);
    PUCHAR at = stream.data();
    PUCHAR end = stream.data() + stream.size();
    PUCHAR chunk = nullptr;
    ASSERT_EQ(RtlReserveChunk(COMPRESSION_FORMAT_LZNT1, &at, end, &chunk, 0), STATUS_SUCCESS);  // zeros
    EXPECT_EQ(chunk, stream.data());
    EXPECT_LT(at - stream.data(), 100);
    ASSERT_EQ(RtlReserveChunk(COMPRESSION_FORMAT_LZNT1, &at, end, &chunk, 4096), STATUS_SUCCESS);  // stored
    Bytes raw;
    append_random(raw, 4096, 3);
    std::memcpy(chunk + 2, raw.data(), raw.size());
    EXPECT_EQ(at, chunk + 4098);
    const auto used = static_cast<ULONG>(at - stream.data());
    Bytes out(8192, 0xEE);
    ULONG produced = 0;
    ASSERT_EQ(RtlDecompressBuffer(COMPRESSION_FORMAT_LZNT1, out.data(), 8192, stream.data(), used, &produced),
              STATUS_SUCCESS);
    EXPECT_EQ(produced, 8192u);
    EXPECT_EQ(Bytes(out.begin(), out.begin() + 4096), Bytes(4096, 0));
    EXPECT_EQ(Bytes(out.begin() + 4096, out.end()), raw);
    // No room left for another stored chunk.
    PUCHAR before = at;
    EXPECT_EQ(RtlReserveChunk(COMPRESSION_FORMAT_LZNT1, &at, at + 100, &chunk, 4096), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(at, before);
    EXPECT_EQ(RtlReserveChunk(COMPRESSION_FORMAT_LZNT1, &at, end, &chunk, 2), STATUS_INVALID_PARAMETER);
}

}  // namespace
}  // namespace rtlse_compression_chunks
