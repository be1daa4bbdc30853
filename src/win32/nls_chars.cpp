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
