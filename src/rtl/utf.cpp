// UTF-16 <-> UTF-8 transcoding (see utf.hpp).
#include "rtl/utf.hpp"

#include "rtl/case_map.hpp"

namespace ntio::rtl {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes one code point from UTF-16; returns units used. An unpaired surrogate becomes U+FFFD and
// sets *replaced.
// Each unit goes through `map` first (the identity, or the upcase table).
template <typename Map>
std::size_t decode16(const char16_t* u, std::size_t count, char32_t* cp, bool* replaced, Map map) {
    const char16_t c = map(u[0]);
    if (c >= 0xD800 && c <= 0xDBFF && count >= 2) {
        const char16_t low = map(u[1]);
        if (low >= 0xDC00 && low <= 0xDFFF) {
            *cp = 0x10000 + ((static_cast<char32_t>(c) - 0xD800) << 10) + (low - 0xDC00);
            return 2;
        }
    }
    *cp = c;
    if (c >= 0xD800 && c <= 0xDFFF) {
        *cp = kReplacement;
        if (replaced) *replaced = true;
    }
    return 1;
}

std::size_t encoded8(char32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

// Decodes one code point from UTF-8 as it stands: kInvalid for an ill-formed sequence.
std::size_t decode8_checked(const unsigned char* b, std::size_t count, char32_t* cp) {
    const unsigned char c = b[0];
    std::size_t need;
    char32_t value;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        need = 2;
        value = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        need = 3;
        value = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        need = 4;
        value = c & 0x07;
    } else {
        *cp = kInvalid;
        return 1;
    }
    if (count < need) {
        *cp = kInvalid;
        return 1;
    }
    for (std::size_t i = 1; i < need; ++i) {
        if ((b[i] & 0xC0) != 0x80) {
            *cp = kInvalid;
            return 1;
        }
        value = (value << 6) | (b[i] & 0x3F);
    }
    if (encoded8(value) != need || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        *cp = kInvalid;
        return need;
    }
    *cp = value;
    return need;
}

// Decodes one code point from UTF-8; returns bytes used (at least 1). An ill-formed sequence becomes
// U+FFFD and sets *replaced.
std::size_t decode8(const unsigned char* b, std::size_t count, char32_t* cp, bool* replaced) {
    const std::size_t used = decode8_checked(b, count, cp);
    if (*cp == kInvalid) {
        *cp = kReplacement;
        if (replaced) *replaced = true;
    }
    return used;
}

}  // namespace

namespace {

constexpr auto kSameUnit = [](char16_t c) { return c; };
constexpr auto kUpcaseUnit = [](char16_t c) { return upcase(c); };

template <typename Map>
std::size_t size8_of(const char16_t* units, std::size_t count, bool* replaced, Map map) {
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < count;) {
        char32_t cp;
        i += decode16(units + i, count - i, &cp, replaced, map);
        bytes += encoded8(cp);
    }
    return bytes;
}

template <typename Map>
std::size_t encode8(const char16_t* units, std::size_t count, char* out, std::size_t capacity, std::size_t* consumed,
                    bool* replaced, Map map) {
    std::size_t written = 0;
    std::size_t i = 0;
    while (i < count) {
        char32_t cp;
        const std::size_t used = decode16(units + i, count - i, &cp, replaced, map);
        const std::size_t n = encoded8(cp);
        if (written + n > capacity) break;
        auto* o = reinterpret_cast<unsigned char*>(out + written);
        if (n == 1) {
            o[0] = static_cast<unsigned char>(cp);
        } else if (n == 2) {
            o[0] = static_cast<unsigned char>(0xC0 | (cp >> 6));
            o[1] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
        } else if (n == 3) {
            o[0] = static_cast<unsigned char>(0xE0 | (cp >> 12));
            o[1] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F));
            o[2] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
        } else {
            o[0] = static_cast<unsigned char>(0xF0 | (cp >> 18));
            o[1] = static_cast<unsigned char>(0x80 | ((cp >> 12) & 0x3F));
            o[2] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F));
            o[3] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
        }
        written += n;
        i += used;
    }
    if (consumed) *consumed = i;
    return written;
}

}  // namespace

std::size_t utf8_size(const char16_t* units, std::size_t count, bool* replaced) noexcept {
    return size8_of(units, count, replaced, kSameUnit);
}

std::size_t utf16_to_utf8(const char16_t* units, std::size_t count, char* out, std::size_t capacity,
                          std::size_t* consumed, bool* replaced) noexcept {
    return encode8(units, count, out, capacity, consumed, replaced, kSameUnit);
}

std::size_t upcase_utf8_size(const char16_t* units, std::size_t count) noexcept {
    return size8_of(units, count, nullptr, kUpcaseUnit);
}

std::size_t upcase_utf16_to_utf8(const char16_t* units, std::size_t count, char* out, std::size_t capacity) noexcept {
    return encode8(units, count, out, capacity, nullptr, nullptr, kUpcaseUnit);
}

std::size_t utf16_size(const char* bytes, std::size_t count, bool* replaced) noexcept {
    std::size_t units = 0;
    const auto* b = reinterpret_cast<const unsigned char*>(bytes);
    for (std::size_t i = 0; i < count;) {
        char32_t cp;
        i += decode8(b + i, count - i, &cp, replaced);
        units += cp >= 0x10000 ? 2 : 1;
    }
    return units;
}

std::size_t utf8_to_utf16(const char* bytes, std::size_t count, char16_t* out, std::size_t capacity,
                          std::size_t* consumed, bool* replaced) noexcept {
    std::size_t written = 0;
    const auto* b = reinterpret_cast<const unsigned char*>(bytes);
    std::size_t i = 0;
    while (i < count) {
        char32_t cp;
        const std::size_t used = decode8(b + i, count - i, &cp, replaced);
        const std::size_t n = cp >= 0x10000 ? 2 : 1;
        if (written + n > capacity) break;
        if (n == 1) {
            out[written] = static_cast<char16_t>(cp);
        } else {
            cp -= 0x10000;
            out[written] = static_cast<char16_t>(0xD800 + (cp >> 10));
            out[written + 1] = static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
        }
        written += n;
        i += used;
    }
    if (consumed) *consumed = i;
    return written;
}

}  // namespace ntio::rtl
