// Character case and CT_CTYPE1 classes for the NLS routines. Case comes from the Rtl tables (NT's
// upcase table) where they map a unit, else from the C library; classes come from the C library's wide
// classification in its C.UTF-8 locale (plain "C" when that is missing, which classifies ASCII only).
#include <locale.h>
#include <wctype.h>

#include "rtl/case_map.hpp"
#include "win32/nls.hpp"

namespace ntio::win32::nls {
namespace {

locale_t ctype_locale() noexcept {
    static const locale_t locale = [] {
        locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
        return l ? l : newlocale(LC_CTYPE_MASK, "C", static_cast<locale_t>(nullptr));
    }();
    return locale;
}

bool surrogate(wint_t c) noexcept { return c >= 0xD800 && c <= 0xDFFF; }

// The C library's mapping of a BMP unit when it stays one non-surrogate unit.
char16_t library_case(char16_t c, wint_t mapped) noexcept {
    if (mapped > 0xFFFF || surrogate(mapped)) return c;
    return static_cast<char16_t>(mapped);
}

}  // namespace

char16_t to_upper(char16_t c) noexcept {
    const char16_t mapped = rtl::upcase(c);
    if (mapped != c || c < 0x80 || surrogate(c)) return mapped;
    return library_case(c, towupper_l(c, ctype_locale()));
}

char16_t to_lower(char16_t c) noexcept {
    const char16_t mapped = rtl::downcase(c);
    if (mapped != c || c < 0x80 || surrogate(c)) return mapped;
    return library_case(c, towlower_l(c, ctype_locale()));
}

// Well-formed UTF-8 only: no overlong forms, surrogates or code points past U+10FFFF. An ill-formed
// sequence counts one byte, so the caller moves on byte by byte.
Utf8Char next_utf8(const char* text, std::size_t count) noexcept {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text);
    const Utf8Char bad{0xFFFD, 1, false};
    const unsigned lead = bytes[0];
    const std::size_t length = lead < 0x80                    ? 1
                               : (lead >= 0xC2 && lead <= 0xDF) ? 2
                               : (lead >= 0xE0 && lead <= 0xEF) ? 3
                               : (lead >= 0xF0 && lead <= 0xF4) ? 4
                                                                : 0;
    if (!length || length > count) return bad;
    char32_t code = length == 1 ? lead : lead & (0x7Fu >> length);
    for (std::size_t k = 1; k < length; ++k) {
        if ((bytes[k] & 0xC0) != 0x80) return bad;
        code = (code << 6) | (bytes[k] & 0x3F);
    }
    constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return bad;
    return {code, length, true};
}

// https://learn.microsoft.com/windows/win32/api/stringapiset/nf-stringapiset-getstringtypew (CT_CTYPE1).
// A code point the C library neither prints nor calls a control (unassigned, or a lone surrogate) is
// not C1_DEFINED and has no other class.
WORD ctype1(char32_t c) noexcept {
    const locale_t l = ctype_locale();
    const auto w = static_cast<wint_t>(c);
    if (surrogate(w)) return 0;
    WORD type = 0;
    if (iswupper_l(w, l)) type |= C1_UPPER;
    if (iswlower_l(w, l)) type |= C1_LOWER;
    if (iswdigit_l(w, l)) type |= C1_DIGIT;
    if (iswspace_l(w, l)) type |= C1_SPACE;
    if (iswpunct_l(w, l)) type |= C1_PUNCT;
    if (iswcntrl_l(w, l)) type |= C1_CNTRL;
    if (iswblank_l(w, l)) type |= C1_BLANK;
    if (iswxdigit_l(w, l)) type |= C1_XDIGIT;
    if (iswalpha_l(w, l)) type |= C1_ALPHA;
    if (type || iswprint_l(w, l)) type |= C1_DEFINED;
    return type;
}

}  // namespace ntio::win32::nls
