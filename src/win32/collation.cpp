// ntio's approximation of Windows' linguistic string order, used by CompareString and lstrcmp. Windows
// sorts by weights compared level by level; this keeps that shape with simple weights:
//  1. primary: symbols (by code point) < digits (by value) < letters and everything else (by code point
//     after upper-casing, removing accents from Latin letters, folding full-width forms to ASCII and
//     katakana to hiragana); NUL and combining marks have none;
//  2. secondary: accents (the accented letter, or the combining mark);
//  3. tertiary: lower case before upper case, then width, then kana type;
//  4. last, in a word sort (no SORT_STRINGSORT), the hyphens and apostrophes the first levels skipped.
// The weights, level after level, are also the sort key LCMapString's LCMAP_SORTKEY gives.
// https://learn.microsoft.com/windows/win32/intl/handling-sorting-in-your-applications
#include <algorithm>

#include "win32/nls.hpp"

namespace ntio::win32::nls {
namespace {

// Base letters of U+00C0..U+017F, from their canonical decompositions ('?' where a letter has none,
// such as AE, O with stroke or L with stroke, which sort as letters of their own).
constexpr std::u16string_view kLatinBase =
    u"AAAAAA?CEEEEIIII?NOOOOO??UUUUY??aaaaaa?ceeeeiiii?nooooo??uuuuy?y"
    u"AaAaAaCcCcCcCcDd??EeEeEeEeEeGgGgGgGgHh??IiIiIiIiI???JjKk?LlLlLl?"
    u"???NnNnNn???OoOoOo??RrRrRrSsSsSsSsTtTt??UuUuUuUuUuUuWwYyYZzZzZz?";

constexpr char32_t kLatinFirst = 0xC0;

bool combining_mark(char32_t c) {
    return (c >= 0x300 && c <= 0x36F) || (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
           (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE20 && c <= 0xFE2F);
}

// The Latin letter without its accent, or c.
char32_t latin_base(char32_t c) {
    if (c < kLatinFirst || c >= kLatinFirst + kLatinBase.size() || kLatinBase[c - kLatinFirst] == u'?') return c;
    return kLatinBase[c - kLatinFirst];
}

// Symbols, punctuation, spaces and controls: what NORM_IGNORESYMBOLS ignores.
bool is_symbol(char32_t c) {
    const WORD type = ctype1(c);
    return !(type & (C1_ALPHA | C1_DIGIT)) && (type & (C1_PUNCT | C1_SPACE | C1_CNTRL | C1_BLANK));
}

// The characters a word sort skips at first: "The hyphen and the apostrophe are treated differently
// from the other nonalphanumeric symbols, in order to ensure that words such as "coop" and "co-op"
// stay together within a sorted list."
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-lstrcmpw
bool word_sort_special(char32_t c) { return c == u'-' || c == u'\'' || c == 0x2010 || c == 0x2011 || c == 0x2019; }

enum : std::uint32_t { kSymbol = 1, kDigit = 2, kLetter = 3 };

struct Weights {
    std::vector<std::uint32_t> primary, secondary, tertiary, special;
};

std::uint32_t primary(std::uint32_t group, std::uint32_t value) { return (group << 24) | value; }

Weights weigh(std::u16string_view text, DWORD flags) {
    const bool ignore_case = flags & (NORM_IGNORECASE | LINGUISTIC_IGNORECASE);
    const bool ignore_accents = flags & (NORM_IGNORENONSPACE | LINGUISTIC_IGNOREDIACRITIC);
    const bool ignore_symbols = flags & NORM_IGNORESYMBOLS;
    const bool string_sort = flags & SORT_STRINGSORT;
    const bool numbers = flags & SORT_DIGITSASNUMBERS;
    Weights w;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char32_t c = text[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.size() && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
            ++i;
        }
        if (c == 0) continue;
        if (combining_mark(c)) {
            if (!ignore_accents) w.secondary.push_back(c);
            continue;
        }
        std::uint32_t third = 0;
        if (c >= 0xFF01 && c <= 0xFF5E) {
            c -= 0xFEE0;
            third |= 2;
        } else if (c == 0x3000) {
            c = u' ';
            third |= 2;
        }
        if (c >= 0x30A1 && c <= 0x30F6) {
            c -= 0x60;
            third |= 4;
        }
        std::uint32_t accent = 0;
        if (const char32_t base = latin_base(c); base != c) {
            accent = c;
            c = base;
        }
        if (!string_sort && word_sort_special(c)) {
            if (!ignore_symbols) {
                w.special.push_back(static_cast<std::uint32_t>(w.primary.size()));
                w.special.push_back(c);
            }
            continue;
        }
        if (c >= u'0' && c <= u'9') {
            if (!numbers) {
                w.primary.push_back(primary(kDigit, c - u'0'));
            } else {
                // A run of digits weighs as its number: its count of significant digits, then the
                // digits. Leading zeros only break ties, at the last level.
                std::size_t end = i;
                while (end + 1 < text.size() && text[end + 1] >= u'0' && text[end + 1] <= u'9') ++end;
                std::size_t first = i;
                while (first < end && text[first] == u'0') ++first;
                w.primary.push_back(primary(kDigit, static_cast<std::uint32_t>(end - first + 1)));
                for (std::size_t d = first; d <= end; ++d) w.primary.push_back(primary(kDigit, text[d] - u'0'));
                if (first > i) {
                    w.special.push_back(static_cast<std::uint32_t>(w.primary.size()));
                    w.special.push_back(static_cast<std::uint32_t>(first - i));
                }
                for (std::size_t d = i; d <= end; ++d) w.secondary.push_back(0);
                for (std::size_t d = i; d <= end; ++d) w.tertiary.push_back(third);
                i = end;
                continue;
            }
        } else {
            const bool symbol = is_symbol(c);
            if (symbol && ignore_symbols) continue;
            std::uint32_t value = c;
            if (c <= 0xFFFF) {
                const char16_t upper = to_upper(static_cast<char16_t>(c));
                // Lower case sorts first: an upper-case letter (one with a lower-case form) weighs more.
                if (upper == c && to_lower(upper) != upper) third |= 1;
                value = upper;
            }
            w.primary.push_back(primary(symbol ? kSymbol : kLetter, value));
        }
        w.secondary.push_back(ignore_accents ? 0 : accent);
        if (ignore_case) third &= ~1u;
        if (flags & NORM_IGNOREWIDTH) third &= ~2u;
        if (flags & NORM_IGNOREKANATYPE) third &= ~4u;
        w.tertiary.push_back(third);
    }
    return w;
}

// Each weight as four big-endian bytes, offset so that its first byte is at least 2: a level that is
// a prefix of another ends at the separator (1) and so sorts first, as in the level-by-level order.
void put_level(std::vector<BYTE>& key, const std::vector<std::uint32_t>& level, BYTE end) {
    for (std::uint32_t weight : level) {
        weight += 0x02000000;
        for (int shift = 24; shift >= 0; shift -= 8) key.push_back(static_cast<BYTE>(weight >> shift));
    }
    key.push_back(end);
}

}  // namespace

// Code units, so a surrogate (no symbol, no mark) is kept.
std::u16string strip(std::u16string_view text, DWORD flags) {
    std::u16string out;
    for (char16_t c : text) {
        if ((flags & NORM_IGNORENONSPACE) && combining_mark(c)) continue;
        if ((flags & NORM_IGNORESYMBOLS) && c && is_symbol(c)) continue;
        out.push_back((flags & NORM_IGNORENONSPACE) ? static_cast<char16_t>(latin_base(c)) : c);
    }
    return out;
}

std::vector<BYTE> sort_key(std::u16string_view text, DWORD flags) {
    const Weights w = weigh(text, flags);
    std::vector<BYTE> key;
    put_level(key, w.primary, 1);
    put_level(key, w.secondary, 1);
    put_level(key, w.tertiary, 1);
    put_level(key, w.special, 0);
    return key;
}

// Comparing the sort keys keeps CompareString and LCMAP_SORTKEY in the same order.
int collate(std::u16string_view a, std::u16string_view b, DWORD flags) {
    const std::vector<BYTE> x = sort_key(a, flags);
    const std::vector<BYTE> y = sort_key(b, flags);
    const auto order = std::lexicographical_compare_three_way(x.begin(), x.end(), y.begin(), y.end());
    return order < 0 ? CSTR_LESS_THAN : order > 0 ? CSTR_GREATER_THAN : CSTR_EQUAL;
}

}  // namespace ntio::win32::nls
