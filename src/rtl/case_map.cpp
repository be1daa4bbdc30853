// UTF-16 case tables covering Basic Latin, Latin-1, Latin Extended-A, Greek and Cyrillic, built at
// compile time from the Unicode simple case mappings of those blocks. Code units outside map to
// themselves, like characters without case in NT's upcase table.
#include "rtl/case_map.hpp"

#include <array>

namespace ntio::rtl {
namespace {

constexpr char16_t upper_of(char16_t c) {
    if (c >= u'a' && c <= u'z') return static_cast<char16_t>(c - 0x20);
    if (c < 0x80) return c;
    if (c == 0xB5) return 0x39C;                                        // micro sign -> capital mu
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return static_cast<char16_t>(c - 0x20);
    if (c == 0xFF) return 0x178;
    if (c >= 0x100 && c <= 0x12F) return static_cast<char16_t>(c & ~1u);  // pairs, lower odd
    if (c == 0x131) return u'I';                                        // dotless i
    if (c >= 0x132 && c <= 0x137) return static_cast<char16_t>(c & ~1u);
    if (c >= 0x139 && c <= 0x148) return (c & 1u) ? c : static_cast<char16_t>(c - 1);  // lower even
    if (c >= 0x14A && c <= 0x177) return static_cast<char16_t>(c & ~1u);
    if (c >= 0x179 && c <= 0x17E) return (c & 1u) ? c : static_cast<char16_t>(c - 1);
    if (c == 0x17F) return u'S';                                        // long s
    // Greek.
    if (c == 0x3AC) return 0x386;
    if (c >= 0x3AD && c <= 0x3AF) return static_cast<char16_t>(c - 0x25);
    if (c >= 0x3B1 && c <= 0x3C1) return static_cast<char16_t>(c - 0x20);
    if (c == 0x3C2) return 0x3A3;                                       // final sigma
    if (c >= 0x3C3 && c <= 0x3CB) return static_cast<char16_t>(c - 0x20);
    if (c == 0x3CC) return 0x38C;
    if (c == 0x3CD || c == 0x3CE) return static_cast<char16_t>(c - 0x3F);
    // Cyrillic.
    if (c >= 0x430 && c <= 0x44F) return static_cast<char16_t>(c - 0x20);
    if (c >= 0x450 && c <= 0x45F) return static_cast<char16_t>(c - 0x50);
    if (c >= 0x460 && c <= 0x481) return static_cast<char16_t>(c & ~1u);
    if (c >= 0x48A && c <= 0x4BF) return static_cast<char16_t>(c & ~1u);
    if (c >= 0x4C1 && c <= 0x4CE) return (c & 1u) ? c : static_cast<char16_t>(c - 1);
    if (c == 0x4CF) return 0x4C0;
    if (c >= 0x4D0 && c <= 0x52F) return static_cast<char16_t>(c & ~1u);
    return c;
}

// Lower-case letters that share their capital with a more common letter; the capital maps back to
// the common one (I -> i, not dotless i).
constexpr bool is_secondary_lower(char16_t c) { return c == 0xB5 || c == 0x131 || c == 0x17F || c == 0x3C2; }

struct Tables {
    std::array<char16_t, 0x530> upper{};
    std::array<char16_t, 0x530> lower{};
};

constexpr Tables make_tables() {
    Tables t{};
    for (unsigned i = 0; i < t.upper.size(); ++i) {
        t.upper[i] = static_cast<char16_t>(i);
        t.lower[i] = static_cast<char16_t>(i);
    }
    for (unsigned i = 0; i < t.upper.size(); ++i) {
        const auto c = static_cast<char16_t>(i);
        const char16_t u = upper_of(c);
        t.upper[i] = u;
        if (u != c && !is_secondary_lower(c)) t.lower[u] = c;
    }
    return t;
}

constexpr Tables kTables = make_tables();
static_assert(kTables.upper[u'a'] == u'A' && kTables.lower[u'A'] == u'a');
static_assert(kTables.lower[u'I'] == u'i' && kTables.lower[0x3A3] == 0x3C3 && kTables.lower[0x178] == 0xFF);

}  // namespace

char16_t upcase(char16_t c) noexcept { return c < kTables.upper.size() ? kTables.upper[c] : c; }
char16_t downcase(char16_t c) noexcept { return c < kTables.lower.size() ? kTables.lower[c] : c; }

}  // namespace ntio::rtl
