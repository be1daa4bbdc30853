// Plain LZ77 (XPRESS) compression and decompression (see xpress.hpp).
#include "rtl/xpress.hpp"

#include <algorithm>
#include <cstring>

#include "rtl/compression_common.hpp"

namespace ntio::rtl::xpress {
namespace {

constexpr ULONG kMinMatch = 3;

std::uint32_t load32(const UCHAR* p) noexcept {
    return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
           (std::uint32_t{p[3]} << 24);
}

// The compressed stream being written: bounds-checked appends, the current flag word's slot and the
// half byte two long references share.
class Writer {
public:
    Writer(UCHAR* out, ULONG size) : out_(out), size_(size) {}

    bool start() { return reserve_flags(); }
    // One token's flag bit; a full flag word is stored and the next one's slot reserved.
    bool flag(bool reference) {
        flags_ = (flags_ << 1) | (reference ? 1u : 0u);
        if (++flag_count_ < 32) return true;
        store32(out_ + flag_at_, flags_);
        return reserve_flags();
    }
    bool byte(UCHAR b) {
        if (at_ == size_) return false;
        out_[at_++] = b;
        return true;
    }
    bool word(std::uint32_t v) { return byte(static_cast<UCHAR>(v)) && byte(static_cast<UCHAR>(v >> 8)); }
    bool dword(std::uint32_t v) { return word(v & 0xFFFF) && word(v >> 16); }
    // The first of two 4-bit lengths takes a new byte's low half, the second its high half.
    bool half(UCHAR v) {
        if (half_at_ == 0) {
            half_at_ = at_;
            return byte(v);
        }
        out_[half_at_] = static_cast<UCHAR>(out_[half_at_] | (v << 4));
        half_at_ = 0;
        return true;
    }
    // Pads the last flag word with ones (read as the end) and stores it.
    ULONG finish() {
        const unsigned unused = 32 - flag_count_;
        const std::uint32_t padded =
            unused == 32 ? 0xFFFFFFFFu : (flags_ << unused) | ((std::uint32_t{1} << unused) - 1);
        store32(out_ + flag_at_, padded);
        return at_;
    }

private:
    bool reserve_flags() {
        if (size_ - at_ < 4) return false;
        flag_at_ = at_;
        at_ += 4;
        flags_ = 0;
        flag_count_ = 0;
        return true;
    }
    static void store32(UCHAR* p, std::uint32_t v) {
        for (int i = 0; i < 4; ++i) p[i] = static_cast<UCHAR>(v >> (8 * i));
    }

    UCHAR* out_;
    ULONG size_;
    ULONG at_ = 0;
    ULONG flag_at_ = 0;
    std::uint32_t flags_ = 0;
    unsigned flag_count_ = 0;
    ULONG half_at_ = 0;  // 0: no half byte waiting (a flag word always comes first)
};

// [MS-XCA] 2.3.4: displacement - 1 in the high 13 bits, length - 3 in the low 3, 7 there meaning the
// length continues in a half byte, 15 there in a byte, 255 there in 16 bits, 0 there in 32.
bool put_reference(Writer* w, ULONG displacement, ULONG length) {
    ULONG rest = length - kMinMatch;
    const std::uint32_t high = (displacement - 1) << 3;
    if (rest < 7) return w->word(high | rest);
    if (!w->word(high | 7)) return false;
    rest -= 7;
    if (rest < 15) return w->half(static_cast<UCHAR>(rest));
    if (!w->half(15)) return false;
    rest -= 15;
    if (rest < 255) return w->byte(static_cast<UCHAR>(rest));
    if (!w->byte(255)) return false;
    const ULONG total = length - kMinMatch;
    if (total <= 0xFFFF) return w->word(total);
    return w->word(0) && w->dword(total);
}

}  // namespace

NTSTATUS compress(const UCHAR* in, ULONG in_size, UCHAR* out, ULONG out_size, bool maximum, void* workspace,
                  ULONG* final_size) noexcept {
    auto* ws = aligned<CompressWorkSpace>(workspace);
    std::memset(ws->head, 0, sizeof(ws->head));
    const unsigned depth = maximum ? 1024 : 8;
    auto insert = [&](ULONG p) {
        if (in_size - p < kMinMatch) return;
        const unsigned h = hash3(in + p, 14);
        ws->prev[p % kWindow] = ws->head[h];
        ws->head[h] = p + 1;
    };
    Writer w(out, out_size);
    if (!w.start()) return STATUS_BUFFER_TOO_SMALL;
    ULONG pos = 0;
    while (pos < in_size) {
        const ULONG max_length = in_size - pos;
        Match best;
        if (max_length >= kMinMatch) {
            // A chain slot reused by a later position ends the chain.
            auto next = [ws](ULONG q, std::uint32_t link) {
                const std::uint32_t before = ws->prev[q % kWindow];
                return before < link ? before : 0u;
            };
            best = longest_match(in, pos, max_length, kWindow, ws->head[hash3(in + pos, 14)], depth, next);
        }
        if (best.length >= kMinMatch) {
            if (!put_reference(&w, best.displacement, best.length) || !w.flag(true)) return STATUS_BUFFER_TOO_SMALL;
            for (ULONG i = 0; i < best.length; ++i) insert(pos + i);
            pos += best.length;
        } else {
            if (!w.byte(in[pos]) || !w.flag(false)) return STATUS_BUFFER_TOO_SMALL;
            insert(pos);
            ++pos;
        }
    }
    *final_size = w.finish();
    return all_zeros_status(in, in_size);
}

NTSTATUS decompress(const UCHAR* in, ULONG in_size, UCHAR* out, ULONG out_size, ULONG* final_size) noexcept {
    ULONG i = 0;
    ULONG o = 0;
    std::uint32_t flags = 0;
    unsigned flag_count = 0;
    ULONG half_at = 0;
    for (;;) {
        if (flag_count == 0) {
            if (in_size - i < 4) break;  // no flag word left: the end
            flags = load32(in + i);
            i += 4;
            flag_count = 32;
        }
        --flag_count;
        if ((flags & (std::uint32_t{1} << flag_count)) == 0) {
            if (i == in_size) break;
            if (o == out_size) return STATUS_BAD_COMPRESSION_BUFFER;
            out[o++] = in[i++];
            continue;
        }
        if (i == in_size) break;  // the padding after the last token
        if (in_size - i < 2) return STATUS_BAD_COMPRESSION_BUFFER;
        const std::uint32_t word = in[i] | (in[i + 1] << 8);
        i += 2;
        const ULONG displacement = (word >> 3) + 1;
        std::uint64_t length = word & 7;
        if (length == 7) {
            if (half_at == 0) {
                if (i == in_size) return STATUS_BAD_COMPRESSION_BUFFER;
                half_at = i;
                length = in[i++] & 0xF;
            } else {
                length = in[half_at] >> 4;
                half_at = 0;
            }
            if (length == 15) {
                if (i == in_size) return STATUS_BAD_COMPRESSION_BUFFER;
                length = in[i++];
                if (length == 255) {
                    if (in_size - i < 2) return STATUS_BAD_COMPRESSION_BUFFER;
                    length = in[i] | (in[i + 1] << 8);
                    i += 2;
                    if (length == 0) {
                        if (in_size - i < 4) return STATUS_BAD_COMPRESSION_BUFFER;
                        length = load32(in + i);
                        i += 4;
                    }
                    if (length < 15 + 7) return STATUS_BAD_COMPRESSION_BUFFER;
                    length -= 15 + 7;
                }
                length += 15;
            }
            length += 7;
        }
        length += kMinMatch;
        if (displacement > o || length > out_size - o) return STATUS_BAD_COMPRESSION_BUFFER;
        for (ULONG n = 0; n < length; ++n, ++o) out[o] = out[o - displacement];  // may overlap
    }
    *final_size = o;
    return STATUS_SUCCESS;
}

}  // namespace ntio::rtl::xpress
