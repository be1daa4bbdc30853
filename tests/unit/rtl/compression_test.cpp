// The Rtl compression routines with COMPRESSION_FORMAT_LZNT1, _XPRESS and _XPRESS_HUFF: format and
// engine statuses,
// round trips of many kinds and sizes, streams built by hand from the [MS-XCA] descriptions, corrupt
// streams (always decoded from buffers of their exact size, so a read past the end shows under ASan),
// and LZNT1 fragments from an offset.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include <ntifs.h>

namespace {

using Bytes = std::vector<UCHAR>;

constexpr USHORT kLznt1 = COMPRESSION_FORMAT_LZNT1;
constexpr USHORT kXpress = COMPRESSION_FORMAT_XPRESS;
constexpr USHORT kXpressHuff = COMPRESSION_FORMAT_XPRESS_HUFF;

Bytes workspace(USHORT format_and_engine) {
    ULONG buffer = 0;
    ULONG fragment = 0;
    EXPECT_EQ(RtlGetCompressionWorkSpaceSize(format_and_engine, &buffer, &fragment), STATUS_SUCCESS);
    return Bytes(std::max(buffer, fragment));
}

// Compresses into a buffer with room for the worst case; *status gets the routine's status.
Bytes compress(const Bytes& in, USHORT engine, NTSTATUS* status, USHORT format = kLznt1) {
    Bytes ws = workspace(format | engine);
    Bytes out(in.size() + in.size() / 4 + 1024 + in.size() / 65536 * 512);
    ULONG final_size = 0xDEAD;
    *status = RtlCompressBuffer(format | engine, const_cast<PUCHAR>(in.data()), static_cast<ULONG>(in.size()),
                                out.data(), static_cast<ULONG>(out.size()), 4096, &final_size, ws.data());
    if (NT_SUCCESS(*status)) out.resize(final_size);
    return out;
}

// Decompresses from a heap copy of exactly the stream's size into a buffer of out_size bytes, with
// RtlDecompressBufferEx and its WorkSpace for XPRESS_HUFF.
NTSTATUS decompress(const Bytes& stream, ULONG out_size, Bytes* out, USHORT format = kLznt1) {
    auto in = std::make_unique<UCHAR[]>(stream.size());
    std::copy(stream.begin(), stream.end(), in.get());
    out->assign(out_size, 0xCC);
    auto exact = std::make_unique<UCHAR[]>(out_size);
    ULONG final_size = 0xDEAD;
    Bytes ws = workspace(format);
    const NTSTATUS status =
        format == kXpressHuff
            ? RtlDecompressBufferEx(format, exact.get(), out_size, in.get(), static_cast<ULONG>(stream.size()),
                                    &final_size, ws.data())
            : RtlDecompressBuffer(format, exact.get(), out_size, in.get(), static_cast<ULONG>(stream.size()),
                                  &final_size);
    if (NT_SUCCESS(status)) {
        EXPECT_LE(final_size, out_size);
        out->assign(exact.get(), exact.get() + final_size);
    }
    return status;
}

Bytes random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    Bytes b(n);
    for (auto& c : b) c = static_cast<UCHAR>(rng());
    return b;
}

// Text-like: words from a small vocabulary, so matches of many lengths and distances occur.
Bytes wordy_bytes(std::size_t n, unsigned seed) {
    static const char* const words[] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog. ",
                                        "NTFS ", "chunk ", "\r\n", "0123456789 "};
    std::mt19937 rng(seed);
    Bytes b;
    while (b.size() < n) {
        const char* w = words[rng() % 12];
        b.insert(b.end(), w, w + std::strlen(w));
    }
    b.resize(n);
    return b;
}

Bytes repetitive_bytes(std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<UCHAR>("abcdefg"[i % 7]);
    return b;
}

TEST(Compression, WorkSpaceSizeChecksFormatThenEngine) {
    ULONG buffer = 0;
    ULONG fragment = 0;
    EXPECT_EQ(RtlGetCompressionWorkSpaceSize(COMPRESSION_FORMAT_NONE, &buffer, &fragment), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlGetCompressionWorkSpaceSize(COMPRESSION_FORMAT_DEFAULT, &buffer, &fragment),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlGetCompressionWorkSpaceSize(0x00FF, &buffer, &fragment), STATUS_UNSUPPORTED_COMPRESSION);
    EXPECT_EQ(RtlGetCompressionWorkSpaceSize(kLznt1 | COMPRESSION_ENGINE_HIBER, &buffer, &fragment),
              STATUS_NOT_SUPPORTED);
    EXPECT_EQ(RtlGetCompressionWorkSpaceSize(kLznt1 | 0x0300, &buffer, &fragment), STATUS_NOT_SUPPORTED);
    for (USHORT engine : {COMPRESSION_ENGINE_STANDARD, COMPRESSION_ENGINE_MAXIMUM}) {
        buffer = fragment = 0;
        EXPECT_EQ(RtlGetCompressionWorkSpaceSize(kLznt1 | engine, &buffer, &fragment), STATUS_SUCCESS);
        EXPECT_GT(buffer, 0u);
        EXPECT_GE(fragment, 4096u);  // one decompressed chunk
    }
}

TEST(Compression, CompressAndDecompressRejectTheFormatsLearnNames) {
    Bytes in(100, 1);
    Bytes out(300);
    Bytes ws = workspace(kLznt1);
    ULONG size = 0;
    EXPECT_EQ(RtlCompressBuffer(COMPRESSION_FORMAT_NONE, in.data(), 100, out.data(), 300, 4096, &size, ws.data()),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlCompressBuffer(COMPRESSION_FORMAT_DEFAULT, in.data(), 100, out.data(), 300, 4096, &size, ws.data()),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlCompressBuffer(0x0042, in.data(), 100, out.data(), 300, 4096, &size, ws.data()),
              STATUS_UNSUPPORTED_COMPRESSION);
    EXPECT_EQ(RtlCompressBuffer(kLznt1 | COMPRESSION_ENGINE_HIBER, in.data(), 100, out.data(), 300, 4096, &size,
                                ws.data()),
              STATUS_NOT_SUPPORTED);
    EXPECT_EQ(RtlDecompressBuffer(COMPRESSION_FORMAT_NONE, out.data(), 300, in.data(), 100, &size),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlDecompressBuffer(COMPRESSION_FORMAT_DEFAULT, out.data(), 300, in.data(), 100, &size),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlDecompressBuffer(0x0042, out.data(), 300, in.data(), 100, &size), STATUS_UNSUPPORTED_COMPRESSION);
    EXPECT_EQ(RtlDecompressBufferEx(COMPRESSION_FORMAT_NONE, out.data(), 300, in.data(), 100, &size, ws.data()),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlDecompressFragment(COMPRESSION_FORMAT_DEFAULT, out.data(), 300, in.data(), 100, 0, &size, ws.data()),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlDecompressFragment(0x0042, out.data(), 300, in.data(), 100, 0, &size, ws.data()),
              STATUS_UNSUPPORTED_COMPRESSION);
    // Learn: fragments are LZNT1's alone.
    EXPECT_EQ(RtlDecompressFragment(kXpress, out.data(), 300, in.data(), 100, 0, &size, ws.data()),
              STATUS_UNSUPPORTED_COMPRESSION);
}

// Every kind of data, at sizes that end on, just before and just after chunk (and flag word)
// boundaries, round-trips in both formats with both engines; zeros report STATUS_BUFFER_ALL_ZEROS,
// the rest STATUS_SUCCESS.
TEST(Compression, RoundTripsEveryKindAndSize) {
    const std::size_t sizes[] = {1, 2, 3, 4, 15, 16, 17, 31, 32, 33, 100, 1000, 4095, 4096, 4097, 8191, 8192,
                                 8193, 12288 + 77, 65536 + 123, 300000};
    unsigned seed = 1;
    for (USHORT format : {kLznt1, kXpress, kXpressHuff})
    for (USHORT engine : {COMPRESSION_ENGINE_STANDARD, COMPRESSION_ENGINE_MAXIMUM}) {
        for (std::size_t n : sizes) {
            const Bytes kinds[] = {random_bytes(n, seed), wordy_bytes(n, seed), repetitive_bytes(n), Bytes(n, 0)};
            ++seed;
            for (std::size_t kind = 0; kind < 4; ++kind) {
                SCOPED_TRACE(testing::Message() << "format " << format << " engine " << engine << " size " << n
                                                << " kind " << kind);
                NTSTATUS status;
                const Bytes packed = compress(kinds[kind], engine, &status, format);
                ASSERT_EQ(status, kind == 3 ? STATUS_BUFFER_ALL_ZEROS : STATUS_SUCCESS);
                // An LZNT1 chunk never grows by more than its header; XPRESS adds a flag word per 32
                // bytes; XPRESS_HUFF a table per 65536 and at most 9 bits a byte here.
                const std::size_t bound = format == kLznt1    ? n + (n + 4095) / 4096 * 2
                                          : format == kXpress ? n + (n / 32 + 1) * 4
                                                              : n * 9 / 8 + (n / 65536 + 2) * 300;
                EXPECT_LE(packed.size(), bound);
                if (kind >= 2 && n >= (format == kXpressHuff ? 4096u : 100u)) {
                    EXPECT_LT(packed.size(), n / 4);
                }
                Bytes back;
                ASSERT_EQ(decompress(packed, static_cast<ULONG>(n), &back, format), STATUS_SUCCESS);
                EXPECT_EQ(back, kinds[kind]);
                // A larger buffer is fine for the formats whose data says where it ends; XPRESS_HUFF
                // ends on the expected size ([MS-XCA] 2.2.4).
                if (format != kXpressHuff) {
                    ASSERT_EQ(decompress(packed, static_cast<ULONG>(n + 5000), &back, format), STATUS_SUCCESS);
                    EXPECT_EQ(back, kinds[kind]);
                }
            }
        }
    }
}

TEST(Compression, TheMaximumEngineCompressesTextAtLeastAsWellOnThisSample) {
    const Bytes text = wordy_bytes(20000, 99);
    NTSTATUS status;
    const Bytes standard = compress(text, COMPRESSION_ENGINE_STANDARD, &status);
    ASSERT_EQ(status, STATUS_SUCCESS);
    const Bytes maximum = compress(text, COMPRESSION_ENGINE_MAXIMUM, &status);
    ASSERT_EQ(status, STATUS_SUCCESS);
    EXPECT_LE(maximum.size(), standard.size());
    Bytes back;
    ASSERT_EQ(decompress(maximum, 20000, &back), STATUS_SUCCESS);
    EXPECT_EQ(back, text);
}

TEST(Compression, TooSmallACompressedBufferFails) {
    const Bytes in = random_bytes(5000, 7);
    NTSTATUS status;
    const Bytes packed = compress(in, COMPRESSION_ENGINE_STANDARD, &status);
    ASSERT_EQ(status, STATUS_SUCCESS);
    Bytes ws = workspace(kLznt1);
    ULONG size = 0;
    Bytes exact(packed.size());
    EXPECT_EQ(RtlCompressBuffer(kLznt1, const_cast<PUCHAR>(in.data()), 5000, exact.data(),
                                static_cast<ULONG>(exact.size()), 4096, &size, ws.data()),
              STATUS_SUCCESS);
    EXPECT_EQ(size, packed.size());
    Bytes short_by_one(packed.size() - 1);
    EXPECT_EQ(RtlCompressBuffer(kLznt1, const_cast<PUCHAR>(in.data()), 5000, short_by_one.data(),
                                static_cast<ULONG>(short_by_one.size()), 4096, &size, ws.data()),
              STATUS_BUFFER_TOO_SMALL);
    Bytes tiny(1);
    EXPECT_EQ(RtlCompressBuffer(kLznt1, const_cast<PUCHAR>(in.data()), 5000, tiny.data(), 1, 4096, &size, ws.data()),
              STATUS_BUFFER_TOO_SMALL);
}

// ---- Streams built by hand from [MS-XCA] 2.5 ----

void put16(Bytes* b, unsigned v) {
    b->push_back(static_cast<UCHAR>(v));
    b->push_back(static_cast<UCHAR>(v >> 8));
}

// A compressed chunk: its header (0xB000 | body size - 1) and body.
Bytes compressed_chunk(const Bytes& body) {
    Bytes b;
    put16(&b, 0xB000u | static_cast<unsigned>(body.size() - 1));
    b.insert(b.end(), body.begin(), body.end());
    return b;
}

TEST(Compression, DecodesALiteralOnlyChunk) {
    // Flag byte 0: three literals.
    Bytes out;
    ASSERT_EQ(decompress(Bytes{0x03, 0xB0, 0x00, 'a', 'b', 'c'}, 100, &out), STATUS_SUCCESS);
    EXPECT_EQ(out, (Bytes{'a', 'b', 'c'}));
}

TEST(Compression, DecodesAnUncompressedChunkWithItsFlagClear) {
    // 0x3004: signature 3, not compressed, five bytes follow as they are.
    Bytes out;
    ASSERT_EQ(decompress(Bytes{0x04, 0x30, 'h', 'e', 'l', 'l', 'o'}, 100, &out), STATUS_SUCCESS);
    EXPECT_EQ(out, (Bytes{'h', 'e', 'l', 'l', 'o'}));
}

TEST(Compression, DecodesAnOverlappingBackReference) {
    // "abc" then, at position 3, displacement 3 and length 6 with a 4/12 split: (2 << 12) | 3.
    Bytes out;
    ASSERT_EQ(decompress(compressed_chunk({0x08, 'a', 'b', 'c', 0x03, 0x20}), 100, &out), STATUS_SUCCESS);
    EXPECT_EQ(out, (Bytes{'a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c'}));
}

// The displacement/length split of a back reference widens the displacement as the position in the
// chunk passes 16, 32, 64, ... 2048. Each case: literals, then one reference word written by hand.
TEST(Compression, TheDisplacementWidensWithThePosition) {
    struct Case {
        ULONG literals;
        unsigned word;  // hand-encoded for that position's split
        ULONG displacement;
        ULONG length;
    };
    const Case cases[] = {
        {16, (15u << 12) | 2u, 16, 5},     // position 16: 4 bits of displacement, 12 of length
        {17, (16u << 11) | 2u, 17, 5},     // position 17: 5/11 (read as 4/12 it would be displacement 9)
        {17, (0u << 11) | 2047u, 1, 2050}, // the longest 5/11 reference
        {32, (31u << 11) | 0u, 32, 3},     // position 32: still 5/11
        {40, (39u << 10) | 1u, 40, 4},     // position 40: 6/10
        {100, (99u << 9) | 0u, 100, 3},    // position 100: 7/9
        {200, (150u << 8) | 7u, 151, 10},  // position 200: 8/8
        {1500, (1000u << 5) | 31u, 1001, 34},  // position 1500: 11/5
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << "literals " << c.literals);
        Bytes body;
        Bytes expected;
        for (ULONG i = 0; i < c.literals; ++i) {
            if (i % 8 == 0) body.push_back(0x00);
            const auto literal = static_cast<UCHAR>((i * 7 + 1) % 251);
            body.push_back(literal);
            expected.push_back(literal);
        }
        if (c.literals % 8 == 0) {
            body.push_back(0x01);
        } else {
            body[c.literals / 8 * 9] = static_cast<UCHAR>(1u << (c.literals % 8));
        }
        put16(&body, c.word);
        for (ULONG i = 0; i < c.length; ++i) expected.push_back(expected[expected.size() - c.displacement]);
        Bytes out;
        ASSERT_EQ(decompress(compressed_chunk(body), 8192, &out), STATUS_SUCCESS);
        EXPECT_EQ(out, expected);
    }
}

// Past position 2048 the split is 12/4: "ABCDEFGH", a reference that repeats it up to position 3999,
// a literal, and at position 4000 a reference back to the chunk's first byte.
TEST(Compression, TheLastSplitReachesTheChunksStart) {
    Bytes body = {0x00, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 0x05};
    put16(&body, (7u << 12) | (3991u - 3));  // position 8: displacement 8, length 3991
    body.push_back('Z');
    put16(&body, (3999u << 4) | 15u);  // position 4000: displacement 4000, length 18
    Bytes expected = {'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'};
    for (ULONG i = 0; i < 3991; ++i) expected.push_back(expected[expected.size() - 8]);
    expected.push_back('Z');
    for (ULONG i = 0; i < 18; ++i) expected.push_back(expected[i]);
    Bytes out;
    ASSERT_EQ(decompress(compressed_chunk(body), 8192, &out), STATUS_SUCCESS);
    ASSERT_EQ(out.size(), 4018u);
    EXPECT_EQ(out, expected);
}

TEST(Compression, AShortChunkFollowedByAnotherStandsForAWholeChunk) {
    Bytes stream = {0x01, 0xB0, 0x00, 'x'};          // compressed: "x"
    stream.insert(stream.end(), {0x01, 0x30, 'y', 'z'});  // raw: "yz"
    Bytes out;
    ASSERT_EQ(decompress(stream, 9000, &out), STATUS_SUCCESS);
    ASSERT_EQ(out.size(), 4096u + 2);
    EXPECT_EQ(out[0], 'x');
    for (std::size_t i = 1; i < 4096; ++i) {
        ASSERT_EQ(out[i], 0) << i;
    }
    EXPECT_EQ(out[4096], 'y');
    EXPECT_EQ(out[4097], 'z');
}

TEST(Compression, AZeroHeaderEndsTheStream) {
    Bytes stream = {0x01, 0xB0, 0x00, 'x', 0x00, 0x00, 0xFF, 0xFF, 0xFF};
    Bytes out;
    ASSERT_EQ(decompress(stream, 100, &out), STATUS_SUCCESS);
    EXPECT_EQ(out, Bytes{'x'});
    ASSERT_EQ(decompress(Bytes{}, 100, &out), STATUS_SUCCESS);
    EXPECT_TRUE(out.empty());
}

// ---- Corrupt streams ----

TEST(Compression, CorruptStreamsAreBadCompressionBuffers) {
    const Bytes corrupt[] = {
        {0x05, 0xB0, 0x00, 'a', 'b', 'c'},              // the header claims more than there is
        {0x03, 0xA0, 0x00, 'a', 'b', 'c'},              // signature 2, not 3
        compressed_chunk({0x04, 'a', 'b', 0x00, 0x20}),  // displacement 3 at position 2
        compressed_chunk({0x01, 0x00, 0x00}),            // a reference at position 0
        compressed_chunk({0x02, 'a', 0x00}),             // the reference word cut short
        compressed_chunk({0x02, 'a', 0xFF, 0x0F}),       // 1 + 4098 bytes: more than a chunk
    };
    for (const Bytes& stream : corrupt) {
        Bytes out;
        EXPECT_EQ(decompress(stream, 9000, &out), STATUS_BAD_COMPRESSION_BUFFER);
    }
}

TEST(Compression, DataLargerThanTheUncompressedBufferIsABadCompressionBuffer) {
    Bytes out;
    const Bytes abc3 = compressed_chunk({0x08, 'a', 'b', 'c', 0x03, 0x20});
    EXPECT_EQ(decompress(abc3, 8, &out), STATUS_BAD_COMPRESSION_BUFFER);
    EXPECT_EQ(decompress(Bytes{0x04, 0x30, 'h', 'e', 'l', 'l', 'o'}, 4, &out), STATUS_BAD_COMPRESSION_BUFFER);
    ASSERT_EQ(decompress(abc3, 9, &out), STATUS_SUCCESS);
    EXPECT_EQ(out.size(), 9u);
}

// Decodes every cut of a valid stream (every `step` bytes) and `rounds` copies of it with a bit flipped:
// each gives success or a bad buffer, never an access past the ends of the (exactly sized) buffers.
// Returns how many flipped copies were bad.
int damage(USHORT format, std::size_t size, std::size_t step, int rounds, unsigned seed) {
    const Bytes text = wordy_bytes(size, seed);
    NTSTATUS status;
    const Bytes packed = compress(text, COMPRESSION_ENGINE_STANDARD, &status, format);
    EXPECT_EQ(status, STATUS_SUCCESS);
    Bytes out;
    for (std::size_t cut = 0; cut < packed.size(); cut += step) {
        const NTSTATUS s = decompress(Bytes(packed.begin(), packed.begin() + cut), static_cast<ULONG>(size), &out,
                                      format);
        EXPECT_TRUE(s == STATUS_SUCCESS || s == STATUS_BAD_COMPRESSION_BUFFER) << cut;
    }
    std::mt19937 rng(seed);
    int bad = 0;
    for (int round = 0; round < rounds; ++round) {
        Bytes damaged = packed;
        damaged[rng() % damaged.size()] ^= static_cast<UCHAR>(1u << (rng() % 8));
        const NTSTATUS s = decompress(damaged, static_cast<ULONG>(rng() % (size + 1000)), &out, format);
        EXPECT_TRUE(s == STATUS_SUCCESS || s == STATUS_BAD_COMPRESSION_BUFFER);
        bad += s == STATUS_BAD_COMPRESSION_BUFFER;
    }
    return bad;
}

TEST(Compression, DamagedStreamsStayInBounds) {
    EXPECT_GT(damage(kLznt1, 9000, 1, 2000, 5), 0);
    EXPECT_GT(damage(kXpress, 9000, 1, 2000, 6), 0);
    EXPECT_GT(damage(kXpressHuff, 70000, 7, 500, 9), 0);
}

// ---- Fragments ----

TEST(Compression, AFragmentIsTheOriginalFromItsOffset) {
    const Bytes text = wordy_bytes(5 * 4096 + 1234, 3);
    NTSTATUS status;
    const Bytes packed = compress(text, COMPRESSION_ENGINE_STANDARD, &status);
    ASSERT_EQ(status, STATUS_SUCCESS);
    Bytes ws = workspace(kLznt1);
    const auto total = static_cast<ULONG>(text.size());
    for (ULONG offset : {0u, 1u, 4095u, 4096u, 5000u, 10000u, 3 * 4096u + 17, total - 1, total, total + 10}) {
        for (ULONG size : {1u, 100u, 4096u, 9000u}) {
            SCOPED_TRACE(testing::Message() << "offset " << offset << " size " << size);
            Bytes fragment(size, 0xCC);
            ULONG final_size = 0xDEAD;
            ASSERT_EQ(RtlDecompressFragment(kLznt1, fragment.data(), size, const_cast<PUCHAR>(packed.data()),
                                            static_cast<ULONG>(packed.size()), offset, &final_size, ws.data()),
                      STATUS_SUCCESS);
            const ULONG expected = offset >= total ? 0 : std::min(size, total - offset);
            ASSERT_EQ(final_size, expected);
            EXPECT_TRUE(std::equal(fragment.begin(), fragment.begin() + expected, text.begin() + offset));
        }
    }
}

TEST(Compression, AFragmentOfACorruptChunkIsABadCompressionBuffer) {
    Bytes ws = workspace(kLznt1);
    Bytes stream = {0x01, 0x30, 'a', 'b'};
    const Bytes bad = compressed_chunk({0x01, 0x00, 0x00});
    stream.insert(stream.end(), bad.begin(), bad.end());
    Bytes fragment(10);
    ULONG final_size = 0;
    EXPECT_EQ(RtlDecompressFragment(kLznt1, fragment.data(), 10, stream.data(), static_cast<ULONG>(stream.size()),
                                    4096, &final_size, ws.data()),
              STATUS_BAD_COMPRESSION_BUFFER);
    // The first chunk alone is fine.
    EXPECT_EQ(RtlDecompressFragment(kLznt1, fragment.data(), 2, stream.data(), static_cast<ULONG>(stream.size()), 0,
                                    &final_size, ws.data()),
              STATUS_SUCCESS);
    EXPECT_EQ(final_size, 2u);
    EXPECT_EQ(fragment[1], 'b');
}

TEST(Compression, DecompressBufferExMatchesDecompressBuffer) {
    const Bytes text = wordy_bytes(7000, 8);
    NTSTATUS status;
    Bytes packed = compress(text, COMPRESSION_ENGINE_MAXIMUM, &status);
    ASSERT_EQ(status, STATUS_SUCCESS);
    Bytes ws = workspace(kLznt1);
    Bytes out(7000);
    ULONG final_size = 0;
    ASSERT_EQ(RtlDecompressBufferEx(kLznt1, out.data(), 7000, packed.data(), static_cast<ULONG>(packed.size()),
                                    &final_size, ws.data()),
              STATUS_SUCCESS);
    EXPECT_EQ(final_size, 7000u);
    EXPECT_EQ(out, text);
}

// ---- XPRESS (Plain LZ77) streams built by hand from [MS-XCA] 2.3 and 2.4 ----

// A flag word whose first `bits` tokens are as given (most significant first) and the rest ones.
Bytes flags(std::initializer_list<int> bits) {
    std::uint32_t word = 0xFFFFFFFFu;
    int at = 31;
    for (int b : bits) {
        if (b == 0) word &= ~(std::uint32_t{1} << at);
        --at;
    }
    Bytes out;
    put16(&out, word & 0xFFFF);
    put16(&out, word >> 16);
    return out;
}

Bytes cat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// "abc" and then `length` bytes copied from 3 back.
Bytes abc_then(ULONG length) {
    Bytes b = {'a', 'b', 'c'};
    for (ULONG i = 0; i < length; ++i) b.push_back(b[b.size() - 3]);
    return b;
}

TEST(Compression, XpressDecodesLiteralsAndShortReferences) {
    Bytes out;
    ASSERT_EQ(decompress(cat(flags({0, 0, 0}), {'a', 'b', 'c'}), 100, &out, kXpress), STATUS_SUCCESS);
    EXPECT_EQ(out, (Bytes{'a', 'b', 'c'}));
    // Displacement 3 (stored 2, high 13 bits), length 6 (stored 3, low 3 bits).
    ASSERT_EQ(decompress(cat(flags({0, 0, 0, 1}), {'a', 'b', 'c', 0x13, 0x00}), 100, &out, kXpress),
              STATUS_SUCCESS);
    EXPECT_EQ(out, abc_then(6));
}

TEST(Compression, XpressLongLengthsContinueInHalfBytesBytesAndWords) {
    Bytes out;
    // Two references share one half-byte: 14 = 3 + 7 + 4 from 3 back (low half), 19 = 3 + 7 + 9 from
    // 1 back (high half).
    const Bytes shared = cat(flags({0, 0, 0, 1, 1}), {'a', 'b', 'c', 0x17, 0x00, 0x94, 0x07, 0x00});
    ASSERT_EQ(decompress(shared, 100, &out, kXpress), STATUS_SUCCESS);
    Bytes expected = abc_then(14);
    for (int i = 0; i < 19; ++i) expected.push_back(expected.back());
    EXPECT_EQ(out, expected);
    // 65 = 3 + 7 + 15 + 40: half byte 15, then a byte.
    ASSERT_EQ(decompress(cat(flags({0, 0, 0, 1}), {'a', 'b', 'c', 0x17, 0x00, 0x0F, 40}), 100, &out, kXpress),
              STATUS_SUCCESS);
    EXPECT_EQ(out, abc_then(65));
    // 1003: byte 255, then the length - 3 in 16 bits.
    ASSERT_EQ(decompress(cat(flags({0, 0, 0, 1}), {'a', 'b', 'c', 0x17, 0x00, 0x0F, 0xFF, 0xE8, 0x03}), 2000, &out,
                         kXpress),
              STATUS_SUCCESS);
    EXPECT_EQ(out, abc_then(1003));
    // 70003: 16 bits of 0, then the length - 3 in 32 bits.
    ASSERT_EQ(decompress(cat(flags({0, 0, 0, 1}),
                             {'a', 'b', 'c', 0x17, 0x00, 0x0F, 0xFF, 0x00, 0x00, 0x70, 0x11, 0x01, 0x00}),
                         80000, &out, kXpress),
              STATUS_SUCCESS);
    EXPECT_EQ(out, abc_then(70003));
}

TEST(Compression, XpressCorruptStreamsAreBadCompressionBuffers) {
    const Bytes corrupt[] = {
        cat(flags({0, 1}), {'a', 0x08, 0x00}),                          // displacement 2 at position 1
        cat(flags({1}), {0x00, 0x00}),                                  // a reference at position 0
        cat(flags({0, 1}), {'a', 0x00}),                                // the reference word cut short
        cat(flags({0, 1}), {'a', 0x07, 0x00}),                          // its half byte missing
        cat(flags({0, 1}), {'a', 0x07, 0x00, 0x0F, 0xFF, 0x05, 0x00}),  // a 16-bit length under 22
        cat(flags({0, 1}), {'a', 0x07, 0x00, 0x0F, 0xFF, 0x00}),        // the 16-bit length cut short
    };
    for (const Bytes& stream : corrupt) {
        Bytes out;
        EXPECT_EQ(decompress(stream, 100000, &out, kXpress), STATUS_BAD_COMPRESSION_BUFFER);
    }
    Bytes out;
    EXPECT_EQ(decompress(cat(flags({0, 0, 0, 1}), {'a', 'b', 'c', 0x13, 0x00}), 8, &out, kXpress),
              STATUS_BAD_COMPRESSION_BUFFER);  // 9 bytes into 8
}

// ---- XPRESS_HUFF (LZ77+Huffman) streams built by hand from [MS-XCA] 2.1 and 2.2 ----

// A block: the 4-bit code lengths of the symbols given (the rest 0), then the stream's bytes.
Bytes huffman_block(std::initializer_list<std::pair<unsigned, unsigned>> lengths, const Bytes& stream) {
    Bytes b(256, 0);
    for (const auto& [symbol, length] : lengths) {
        b[symbol / 2] = static_cast<UCHAR>(b[symbol / 2] | (symbol % 2 ? length << 4 : length));
    }
    b.insert(b.end(), stream.begin(), stream.end());
    return b;
}

TEST(Compression, XpressHuffDecodesCanonicalCodes) {
    Bytes out;
    // 'a' 'b' 'c' and the end (256) at 2 bits: codes 00, 01, 10, 11, the words 0x1B00 and 0.
    ASSERT_EQ(decompress(huffman_block({{'a', 2}, {'b', 2}, {'c', 2}, {256, 2}}, {0x00, 0x1B, 0x00, 0x00}), 3,
                         &out, kXpressHuff),
              STATUS_SUCCESS);
    EXPECT_EQ(out, (Bytes{'a', 'b', 'c'}));
    // Then a reference: symbol 256 + (1 << 4) + 3 (a displacement of 1 + 1 bits, length 3 + 3), its
    // displacement bit 1 (3 = 2 + 1), the end. Codes: a 00, b 01, c 10, 256 110, 275 111.
    ASSERT_EQ(decompress(huffman_block({{'a', 2}, {'b', 2}, {'c', 2}, {256, 3}, {275, 3}}, {0xF0, 0x1B, 0x00, 0x00}),
                         9, &out, kXpressHuff),
              STATUS_SUCCESS);
    EXPECT_EQ(out, abc_then(6));
}

// A length past 15 goes on in a byte that follows the words the decoder has read by then.
TEST(Compression, XpressHuffLongLengthsComeBetweenTheWords) {
    // 'a' (code 0), symbol 271 (displacement 1, length 15 + 3; code 11), byte 5 (length 23 in all),
    // the end (code 10): bits 0 11 10.
    Bytes out;
    ASSERT_EQ(decompress(huffman_block({{'a', 1}, {256, 2}, {271, 2}}, {0x00, 0x70, 0x00, 0x00, 0x05}), 24, &out,
                         kXpressHuff),
              STATUS_SUCCESS);
    EXPECT_EQ(out, Bytes(24, 'a'));
    // Symbol 256 ends the data only with the output complete: in a larger buffer it is a reference of
    // length 3, and then the input runs out.
    EXPECT_EQ(decompress(huffman_block({{'a', 1}, {256, 2}, {271, 2}}, {0x00, 0x70, 0x00, 0x00, 0x05}), 100, &out,
                         kXpressHuff),
              STATUS_BAD_COMPRESSION_BUFFER);
}

TEST(Compression, XpressHuffCorruptStreamsAreBadCompressionBuffers) {
    Bytes overfull(256, 0x11);  // 512 codes of 1 bit
    overfull.insert(overfull.end(), {0, 0, 0, 0});
    const Bytes corrupt[] = {
        overfull,
        huffman_block({{'a', 1}}, {0x00, 0x80, 0x00, 0x00}),               // a code no symbol has
        huffman_block({{'a', 1}, {256, 2}, {271, 2}}, {0x00, 0x70, 0x00}),  // cut inside a word
        huffman_block({{'a', 1}, {256, 2}, {271, 2}}, {0x00, 0x70, 0x00, 0x00}),  // its length byte missing
        huffman_block({{'a', 1}, {256, 2}, {257, 2}}, {0x00, 0xE0, 0x00, 0x00}),  // 257 reaches before the start
        Bytes(100, 0),                                                     // less than a table
    };
    for (const Bytes& stream : corrupt) {
        Bytes out;
        EXPECT_EQ(decompress(stream, 100000, &out, kXpressHuff), STATUS_BAD_COMPRESSION_BUFFER);
    }
    Bytes out;
    EXPECT_EQ(decompress(huffman_block({{'a', 1}, {256, 2}, {271, 2}}, {0x00, 0x70, 0x00, 0x00, 0x05}), 23, &out,
                         kXpressHuff),
              STATUS_BAD_COMPRESSION_BUFFER);  // 24 bytes into 23
}

// Learn: RtlDecompressBuffer takes LZNT1 and XPRESS; XPRESS_HUFF needs RtlDecompressBufferEx and its
// WorkSpace.
TEST(Compression, XpressHuffDecompressesOnlyWithAWorkSpace) {
    const Bytes text = wordy_bytes(5000, 10);
    NTSTATUS status;
    Bytes packed = compress(text, COMPRESSION_ENGINE_STANDARD, &status, kXpressHuff);
    ASSERT_EQ(status, STATUS_SUCCESS);
    Bytes out(5000);
    ULONG size = 0;
    EXPECT_EQ(RtlDecompressBuffer(kXpressHuff, out.data(), 5000, packed.data(), static_cast<ULONG>(packed.size()),
                                  &size),
              STATUS_UNSUPPORTED_COMPRESSION);
    EXPECT_EQ(RtlDecompressBufferEx(kXpressHuff, out.data(), 5000, packed.data(), static_cast<ULONG>(packed.size()),
                                    &size, nullptr),
              STATUS_INVALID_PARAMETER);
    Bytes ws = workspace(kXpressHuff);
    ASSERT_EQ(RtlDecompressBufferEx(kXpressHuff, out.data(), 5000, packed.data(), static_cast<ULONG>(packed.size()),
                                    &size, ws.data()),
              STATUS_SUCCESS);
    EXPECT_EQ(size, 5000u);
    EXPECT_EQ(out, text);
}

}  // namespace
