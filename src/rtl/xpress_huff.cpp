// LZ77+Huffman (XPRESS_HUFF) compression and decompression (see xpress_huff.hpp).
#include "rtl/xpress_huff.hpp"

#include <algorithm>
#include <cstring>

#include "rtl/compression_common.hpp"

namespace ntio::rtl::xpress_huff {
namespace {

constexpr ULONG kMinMatch = 3;
constexpr ULONG kMaxDisplacement = 65535;  // 15 bits of count in a symbol, the top bit implied
constexpr unsigned kMaxCodeLength = 15;
constexpr std::uint16_t kNoSymbol = 0xFFFF;
constexpr std::uint16_t kEndSymbol = 256;
constexpr ULONG kTableBytes = kSymbols / 2;

unsigned high_bit(ULONG v) noexcept { return 31u - static_cast<unsigned>(__builtin_clz(v)); }

std::uint16_t reference_symbol(const Token& t) noexcept {
    return static_cast<std::uint16_t>(256 + (high_bit(t.value) << 4) + std::min<ULONG>(t.length - kMinMatch, 15));
}

// ---- Compression ----

// The bit stream of one block as the decoder of [MS-XCA] 2.2.4 reads it: 16-bit words, each taken
// from the input as soon as the bits before it are used up, plus one word ahead. Bytes written
// between codes go after every word the decoder has read by then, so this writer reserves the words
// as the decoder would read them and puts such bytes after the reserved ones.
class BitWriter {
public:
    BitWriter(UCHAR* out, ULONG size, ULONG at) : out_(out), size_(size), at_(at) {}

    bool begin() { return reserve(2); }
    bool bits(std::uint32_t value, unsigned count) {
        while (count != 0) {
            const ULONG index = bits_ / 16;
            const unsigned space = 16 - bits_ % 16;
            const unsigned take = std::min(space, count);
            const std::uint32_t chunk = (value >> (count - take)) & ((1u << take) - 1);
            value_[index % 4] = static_cast<std::uint16_t>(value_[index % 4] | (chunk << (space - take)));
            bits_ += take;
            count -= take;
            if (bits_ % 16 == 0) store(index);
            if (!reserve(std::max<ULONG>(2, (bits_ + 15) / 16 + 1))) return false;
        }
        return true;
    }
    bool byte(UCHAR b) {
        if (at_ == size_) return false;
        out_[at_++] = b;
        return true;
    }
    // The words not yet stored: the one being filled and those reserved ahead.
    ULONG finish() {
        for (ULONG index = bits_ / 16; index < reserved_; ++index) store(index);
        return at_;
    }

private:
    bool reserve(ULONG words) {
        for (; reserved_ < words; ++reserved_) {
            if (size_ - at_ < 2) return false;
            position_[reserved_ % 4] = at_;
            value_[reserved_ % 4] = 0;
            at_ += 2;
        }
        return true;
    }
    void store(ULONG index) {
        out_[position_[index % 4]] = static_cast<UCHAR>(value_[index % 4]);
        out_[position_[index % 4] + 1] = static_cast<UCHAR>(value_[index % 4] >> 8);
    }

    UCHAR* out_;
    ULONG size_;
    ULONG at_;
    ULONG bits_ = 0;
    ULONG reserved_ = 0;
    ULONG position_[4] = {};
    std::uint16_t value_[4] = {};
};

// A binary min-heap of node indices ordered by weight, then index.
class NodeHeap {
public:
    NodeHeap(std::uint16_t* items, const std::uint32_t* weight) : items_(items), weight_(weight) {}
    bool empty() const { return size_ == 0; }
    ULONG size() const { return size_; }
    void push(std::uint16_t node) {
        ULONG i = size_++;
        items_[i] = node;
        while (i != 0 && less(items_[i], items_[(i - 1) / 2])) {
            std::swap(items_[i], items_[(i - 1) / 2]);
            i = (i - 1) / 2;
        }
    }
    std::uint16_t pop() {
        const std::uint16_t top = items_[0];
        items_[0] = items_[--size_];
        for (ULONG i = 0;;) {
            ULONG least = i;
            for (ULONG child = 2 * i + 1; child <= 2 * i + 2 && child < size_; ++child) {
                if (less(items_[child], items_[least])) least = child;
            }
            if (least == i) break;
            std::swap(items_[i], items_[least]);
            i = least;
        }
        return top;
    }

private:
    bool less(std::uint16_t a, std::uint16_t b) const {
        return weight_[a] != weight_[b] ? weight_[a] < weight_[b] : a < b;
    }
    std::uint16_t* items_;
    const std::uint32_t* weight_;
    ULONG size_ = 0;
};

// Huffman code lengths of at most 15 bits for the block's frequencies (halved until the tree is
// shallow enough), then the canonical codes of [MS-XCA] 2.1.4.1: by length, then by symbol.
void build_code(CompressWorkSpace* ws) {
    ULONG used = 0;
    for (ULONG s = 0; s < kSymbols; ++s) used += ws->frequency[s] != 0;
    if (used < 2) ws->frequency[ws->frequency[0] != 0 ? 1 : 0] = 1;  // a code needs two symbols
    for (;;) {
        NodeHeap heap(ws->heap, ws->weight);
        for (std::uint16_t s = 0; s < kSymbols; ++s) {
            ws->weight[s] = ws->frequency[s];
            if (ws->frequency[s] != 0) heap.push(s);
        }
        std::uint16_t next = kSymbols;
        while (heap.size() > 1) {
            const std::uint16_t a = heap.pop();
            const std::uint16_t b = heap.pop();
            ws->weight[next] = ws->weight[a] + ws->weight[b];
            ws->parent[a] = ws->parent[b] = next;
            heap.push(next++);
        }
        const std::uint16_t root = static_cast<std::uint16_t>(next - 1);
        unsigned deepest = 0;
        for (ULONG s = 0; s < kSymbols; ++s) {
            unsigned depth = 0;
            if (ws->frequency[s] != 0) {
                for (std::uint16_t n = static_cast<std::uint16_t>(s); n != root; n = ws->parent[n]) ++depth;
            }
            ws->length[s] = static_cast<std::uint8_t>(std::min(depth, 255u));
            deepest = std::max(deepest, depth);
        }
        if (deepest <= kMaxCodeLength) break;
        for (ULONG s = 0; s < kSymbols; ++s) {
            if (ws->frequency[s] != 0) ws->frequency[s] = (ws->frequency[s] >> 1) | 1;
        }
    }
    std::uint32_t code = 0;
    for (unsigned length = 1; length <= kMaxCodeLength; ++length, code <<= 1) {
        for (ULONG s = 0; s < kSymbols; ++s) {
            if (ws->length[s] == length) ws->code[s] = static_cast<std::uint16_t>(code++);
        }
    }
}

// The tokens of in[start, end), references reaching back into earlier blocks but not past end.
ULONG tokenize(const UCHAR* in, ULONG in_size, ULONG start, ULONG end, unsigned depth, CompressWorkSpace* ws) {
    auto insert = [&](ULONG p) {
        if (in_size - p < kMinMatch) return;
        const unsigned h = hash3(in + p, 15);
        ws->prev[p % kBlockSize] = ws->head[h];
        ws->head[h] = p + 1;
    };
    auto next = [ws](ULONG q, std::uint32_t link) {
        const std::uint32_t before = ws->prev[q % kBlockSize];
        return before < link ? before : 0u;  // a slot reused by a later position ends the chain
    };
    ULONG count = 0;
    for (ULONG pos = start; pos < end;) {
        Match best;
        if (end - pos >= kMinMatch) {
            best = longest_match(in, pos, end - pos, kMaxDisplacement, ws->head[hash3(in + pos, 15)], depth, next);
        }
        if (best.length >= kMinMatch) {
            ws->tokens[count++] = {best.length, best.displacement};
            for (ULONG i = 0; i < best.length; ++i) insert(pos + i);
            pos += best.length;
        } else {
            ws->tokens[count++] = {0, in[pos]};
            insert(pos);
            ++pos;
        }
    }
    return count;
}

// One block: its table of code lengths, then its codes; the end symbol after the last block's tokens.
bool put_block(ULONG count, bool last, UCHAR* out, ULONG out_size, ULONG* at, CompressWorkSpace* ws) {
    std::memset(ws->frequency, 0, sizeof(ws->frequency));
    for (ULONG i = 0; i < count; ++i) {
        const Token& t = ws->tokens[i];
        ++ws->frequency[t.length == 0 ? t.value : reference_symbol(t)];
    }
    if (last) ++ws->frequency[kEndSymbol];
    build_code(ws);
    if (out_size - *at < kTableBytes) return false;
    for (ULONG i = 0; i < kTableBytes; ++i) {
        out[*at + i] = static_cast<UCHAR>(ws->length[2 * i] | (ws->length[2 * i + 1] << 4));
    }
    BitWriter w(out, out_size, *at + kTableBytes);
    if (!w.begin()) return false;
    for (ULONG i = 0; i < count; ++i) {
        const Token& t = ws->tokens[i];
        if (t.length == 0) {
            if (!w.bits(ws->code[t.value], ws->length[t.value])) return false;
            continue;
        }
        const std::uint16_t symbol = reference_symbol(t);
        if (!w.bits(ws->code[symbol], ws->length[symbol])) return false;
        const ULONG rest = t.length - kMinMatch;
        if (rest >= 15) {
            if (rest - 15 < 255) {
                if (!w.byte(static_cast<UCHAR>(rest - 15))) return false;
            } else if (!w.byte(255) || !w.byte(static_cast<UCHAR>(rest)) || !w.byte(static_cast<UCHAR>(rest >> 8))) {
                return false;
            }
        }
        const unsigned offset_bits = high_bit(t.value);
        if (!w.bits(t.value - (1u << offset_bits), offset_bits)) return false;
    }
    if (last && !w.bits(ws->code[kEndSymbol], ws->length[kEndSymbol])) return false;
    *at = w.finish();
    return true;
}

// ---- Decompression ----

// The decoding table of [MS-XCA] 2.2.3: each code fills the 15-bit prefixes that start with it, by
// length and then by symbol. False when the lengths overfill the table.
bool build_table(const UCHAR* lengths, DecompressWorkSpace* ws) {
    for (ULONG i = 0; i < kTableBytes; ++i) {
        ws->length[2 * i] = lengths[i] & 0xF;
        ws->length[2 * i + 1] = lengths[i] >> 4;
    }
    ULONG entry = 0;
    for (unsigned length = 1; length <= kMaxCodeLength; ++length) {
        for (ULONG s = 0; s < kSymbols; ++s) {
            if (ws->length[s] != length) continue;
            const ULONG span = 1u << (kMaxCodeLength - length);
            if (entry + span > (1u << kMaxCodeLength)) return false;
            std::fill(ws->table + entry, ws->table + entry + span, static_cast<std::uint16_t>(s));
            entry += span;
        }
    }
    std::fill(ws->table + entry, ws->table + (1u << kMaxCodeLength), kNoSymbol);
    return true;
}

// The input of one block after its table: 32 bits ahead, refilled a 16-bit word at a time.
class BitReader {
public:
    BitReader(const UCHAR* in, ULONG size, ULONG at) : in_(in), size_(size), at_(at) {}

    bool begin() {
        std::uint32_t first;
        std::uint32_t second;
        if (!word(&first) || !word(&second)) return false;
        next_ = (first << 16) | second;
        extra_ = 16;
        return true;
    }
    std::uint32_t peek(unsigned count) const { return count == 0 ? 0 : next_ >> (32 - count); }
    bool skip(unsigned count) {
        next_ = count == 32 ? 0 : next_ << count;
        extra_ -= static_cast<int>(count);
        if (extra_ >= 0) return true;
        std::uint32_t more;
        if (!word(&more)) return false;
        next_ |= more << -extra_;
        extra_ += 16;
        return true;
    }
    bool byte(std::uint32_t* value) {
        if (at_ == size_) return false;
        *value = in_[at_++];
        return true;
    }
    bool word(std::uint32_t* value) {
        if (size_ - at_ < 2) return false;
        *value = in_[at_] | (in_[at_ + 1] << 8);
        at_ += 2;
        return true;
    }
    bool dword(std::uint32_t* value) {
        std::uint32_t low;
        std::uint32_t high;
        if (!word(&low) || !word(&high)) return false;
        *value = low | (high << 16);
        return true;
    }
    ULONG position() const { return at_; }

private:
    const UCHAR* in_;
    ULONG size_;
    ULONG at_;
    std::uint32_t next_ = 0;
    int extra_ = 0;
};

enum class Decoded { More, End, Corrupt };

// Decodes one block (65536 bytes of output, or up to the end symbol). *at moves past its input.
Decoded decode_block(const UCHAR* in, ULONG in_size, ULONG* at, UCHAR* out, ULONG out_size, ULONG* o,
                     DecompressWorkSpace* ws) {
    if (!build_table(in + *at, ws)) return Decoded::Corrupt;
    BitReader r(in, in_size, *at + kTableBytes);
    if (!r.begin()) return Decoded::Corrupt;
    const std::uint64_t block_end = std::uint64_t{*o} + kBlockSize;
    while (*o < block_end) {
        const std::uint16_t symbol = ws->table[r.peek(kMaxCodeLength)];
        if (symbol == kNoSymbol || !r.skip(ws->length[symbol])) return Decoded::Corrupt;
        if (symbol < 256) {
            if (*o == out_size) return Decoded::Corrupt;
            out[(*o)++] = static_cast<UCHAR>(symbol);
            continue;
        }
        // [MS-XCA] 2.2.4: symbol 256 is the end where the input is used up and the output complete;
        // elsewhere it is the reference of displacement 1 and length 3.
        if (symbol == kEndSymbol && r.position() == in_size && *o == out_size) {
            *at = in_size;
            return Decoded::End;
        }
        std::uint32_t length = (symbol - 256u) & 0xF;
        const unsigned offset_bits = (symbol - 256u) >> 4;
        if (length == 15) {
            if (!r.byte(&length)) return Decoded::Corrupt;
            if (length == 255) {
                if (!r.word(&length)) return Decoded::Corrupt;
                if (length == 0 && !r.dword(&length)) return Decoded::Corrupt;
                if (length < 15) return Decoded::Corrupt;
                length -= 15;
            }
            length += 15;
        }
        const std::uint64_t total = std::uint64_t{length} + kMinMatch;
        const ULONG displacement = r.peek(offset_bits) + (1u << offset_bits);
        if (!r.skip(offset_bits)) return Decoded::Corrupt;
        if (displacement > *o || total > out_size - *o) return Decoded::Corrupt;
        for (std::uint64_t n = 0; n < total; ++n, ++*o) out[*o] = out[*o - displacement];  // may overlap
    }
    *at = r.position();
    return Decoded::More;
}

}  // namespace

NTSTATUS compress(const UCHAR* in, ULONG in_size, UCHAR* out, ULONG out_size, bool maximum, void* workspace,
                  ULONG* final_size) noexcept {
    auto* ws = aligned<CompressWorkSpace>(workspace);
    std::memset(ws->head, 0, sizeof(ws->head));
    const unsigned depth = maximum ? 256 : 8;
    ULONG at = 0;
    // The end symbol goes in the block of the last bytes, or a block of its own when they fill theirs.
    for (ULONG start = 0;; start += kBlockSize) {
        const ULONG end = in_size - start > kBlockSize ? start + kBlockSize : in_size;
        const bool last = end - start < kBlockSize;
        const ULONG count = tokenize(in, in_size, start, end, depth, ws);
        if (!put_block(count, last, out, out_size, &at, ws)) return STATUS_BUFFER_TOO_SMALL;
        if (last) break;
    }
    *final_size = at;
    return all_zeros_status(in, in_size);
}

NTSTATUS decompress(const UCHAR* in, ULONG in_size, UCHAR* out, ULONG out_size, void* workspace,
                    ULONG* final_size) noexcept {
    auto* ws = aligned<DecompressWorkSpace>(workspace);
    ULONG at = 0;
    ULONG o = 0;
    for (;;) {
        // [MS-XCA] 2.2.4: no room for another table ends the data when the output is complete. The
        // format has no other end, so UncompressedBufferSize must be the data's exact size.
        if (in_size - at < kTableBytes) {
            if (o != out_size) return STATUS_BAD_COMPRESSION_BUFFER;
            break;
        }
        const Decoded d = decode_block(in, in_size, &at, out, out_size, &o, ws);
        if (d == Decoded::Corrupt) return STATUS_BAD_COMPRESSION_BUFFER;
        if (d == Decoded::End) break;
    }
    *final_size = o;
    return STATUS_SUCCESS;
}

}  // namespace ntio::rtl::xpress_huff
