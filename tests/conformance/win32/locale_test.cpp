// Locale identity (en-US as every default, and the invariant locale), GetLocaleInfo's values, sizes
// and errors, LCMapString's case mappings and flag checks, the user32 character routines and
// GetStringType's CT_CTYPE1 classes, with the values Windows gives for en-US.
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-getlocaleinfoex
// https://learn.microsoft.com/windows/win32/api/winnls/nf-winnls-lcmapstringex
#include <cstring>

#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

constexpr LCID kLocaleTestEnUs = MAKELCID(MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), SORT_DEFAULT);

std::u16string locale_test_text(const WCHAR* text) { return reinterpret_cast<const char16_t*>(text); }

std::u16string locale_info(const WCHAR* name, LCTYPE type) {
    WCHAR buffer[LOCALE_NAME_MAX_LENGTH * 2] = {};
    const int n = GetLocaleInfoEx(name, type, buffer, LOCALE_NAME_MAX_LENGTH * 2);
    EXPECT_GT(n, 0) << std::hex << type;
    EXPECT_EQ(size_t(n), locale_test_text(buffer).size() + 1) << std::hex << type;
    return locale_test_text(buffer);
}

TEST_F(Win32Test, locale_defaults_are_en_us) {
    EXPECT_EQ(GetUserDefaultLCID(), kLocaleTestEnUs);
    EXPECT_EQ(GetSystemDefaultLCID(), kLocaleTestEnUs);
    EXPECT_EQ(GetUserDefaultLangID(), MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US));
    EXPECT_EQ(GetSystemDefaultLangID(), LANGIDFROMLCID(GetSystemDefaultLCID()));
    EXPECT_EQ(GetUserDefaultUILanguage(), MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US));
    EXPECT_EQ(GetSystemDefaultUILanguage(), MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US));
    EXPECT_EQ(GetThreadLocale(), kLocaleTestEnUs);
    WCHAR name[LOCALE_NAME_MAX_LENGTH] = {};
    EXPECT_EQ(GetUserDefaultLocaleName(name, LOCALE_NAME_MAX_LENGTH), 6);
    EXPECT_EQ(locale_test_text(name), u"en-US");
    EXPECT_EQ(GetSystemDefaultLocaleName(name, LOCALE_NAME_MAX_LENGTH), 6);
    EXPECT_EQ(locale_test_text(name), u"en-US");
    EXPECT_EQ(GetUserDefaultLocaleName(name, 3), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
}

TEST_F(Win32Test, set_thread_locale_changes_the_calling_thread_only) {
    ASSERT_TRUE(SetThreadLocale(LOCALE_INVARIANT));
    EXPECT_EQ(GetThreadLocale(), LCID(LOCALE_INVARIANT));
    LCID other = 0;
    std::thread([&] { other = GetThreadLocale(); }).join();
    EXPECT_EQ(other, kLocaleTestEnUs);
    EXPECT_TRUE(SetThreadLocale(kLocaleTestEnUs));
    EXPECT_EQ(GetThreadLocale(), kLocaleTestEnUs);
    EXPECT_FALSE(SetThreadLocale(0x12345678));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(GetThreadLocale(), kLocaleTestEnUs);
}

TEST_F(Win32Test, locale_names_and_lcids_map_both_ways) {
    WCHAR name[LOCALE_NAME_MAX_LENGTH] = {};
    EXPECT_EQ(LCIDToLocaleName(kLocaleTestEnUs, name, LOCALE_NAME_MAX_LENGTH, 0), 6);
    EXPECT_EQ(locale_test_text(name), u"en-US");
    EXPECT_EQ(LCIDToLocaleName(LOCALE_USER_DEFAULT, name, LOCALE_NAME_MAX_LENGTH, 0), 6);
    EXPECT_EQ(locale_test_text(name), u"en-US");
    EXPECT_EQ(LCIDToLocaleName(LOCALE_INVARIANT, name, LOCALE_NAME_MAX_LENGTH, 0), 1);
    EXPECT_EQ(locale_test_text(name), u"");
    EXPECT_EQ(LCIDToLocaleName(kLocaleTestEnUs, nullptr, 0, 0), 6);
    EXPECT_EQ(LCIDToLocaleName(kLocaleTestEnUs, name, 5, 0), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    EXPECT_EQ(LCIDToLocaleName(kLocaleTestEnUs, name, LOCALE_NAME_MAX_LENGTH, 0x1), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
    EXPECT_EQ(LCIDToLocaleName(0x12345678, name, LOCALE_NAME_MAX_LENGTH, 0), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));

    EXPECT_EQ(LocaleNameToLCID(L"en-US", 0), kLocaleTestEnUs);
    EXPECT_EQ(LocaleNameToLCID(L"EN-us", 0), kLocaleTestEnUs);
    EXPECT_EQ(LocaleNameToLCID(LOCALE_NAME_INVARIANT, 0), LCID(LOCALE_INVARIANT));
    EXPECT_EQ(LocaleNameToLCID(LOCALE_NAME_USER_DEFAULT, 0), GetUserDefaultLCID());
    EXPECT_EQ(LocaleNameToLCID(LOCALE_NAME_SYSTEM_DEFAULT, 0), GetSystemDefaultLCID());
    EXPECT_EQ(LocaleNameToLCID(L"not a locale!", 0), LCID(0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));

    EXPECT_TRUE(IsValidLocale(kLocaleTestEnUs, LCID_INSTALLED));
    EXPECT_TRUE(IsValidLocale(kLocaleTestEnUs, LCID_SUPPORTED));
    EXPECT_TRUE(IsValidLocale(LOCALE_INVARIANT, LCID_SUPPORTED));
    EXPECT_FALSE(IsValidLocale(0x12345678, LCID_SUPPORTED));
    EXPECT_TRUE(IsValidLocaleName(L"en-US"));
    EXPECT_FALSE(IsValidLocaleName(L"not a locale!"));
}

TEST_F(Win32Test, get_locale_info_gives_en_us_and_invariant_values) {
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SNAME), u"en-US");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SENGLISHLANGUAGENAME), u"English");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SENGLISHCOUNTRYNAME), u"United States");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SISO639LANGNAME), u"en");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SISO3166CTRYNAME), u"US");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SDECIMAL), u".");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_STHOUSAND), u",");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SLIST), u",");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SSHORTDATE), u"M/d/yyyy");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SLONGDATE), u"dddd, MMMM d, yyyy");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_STIMEFORMAT), u"h:mm:ss tt");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SDAYNAME1), u"Monday");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SDAYNAME7), u"Sunday");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SABBREVDAYNAME3), u"Wed");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SMONTHNAME1), u"January");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SMONTHNAME12), u"December");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_SABBREVMONTHNAME9), u"Sep");
    EXPECT_EQ(locale_info(L"en-US", LOCALE_IDEFAULTCODEPAGE), u"437");
    EXPECT_EQ(locale_info(nullptr, LOCALE_SNAME), u"en-US");
    EXPECT_EQ(locale_info(LOCALE_NAME_INVARIANT, LOCALE_SNAME), u"");
    EXPECT_EQ(locale_info(LOCALE_NAME_INVARIANT, LOCALE_SENGLISHLANGUAGENAME), u"Invariant Language");
    EXPECT_EQ(locale_info(LOCALE_NAME_INVARIANT, LOCALE_SENGLISHCOUNTRYNAME), u"Invariant Country");
    EXPECT_EQ(locale_info(LOCALE_NAME_INVARIANT, LOCALE_SISO639LANGNAME), u"iv");
    EXPECT_EQ(locale_info(LOCALE_NAME_INVARIANT, LOCALE_SSHORTDATE), u"MM/dd/yyyy");

    // The ANSI code page the locale names is the one GetACP gives.
    DWORD acp = 0;
    EXPECT_EQ(GetLocaleInfoW(LOCALE_USER_DEFAULT, LOCALE_IDEFAULTANSICODEPAGE | LOCALE_RETURN_NUMBER,
                             reinterpret_cast<LPWSTR>(&acp), sizeof acp / sizeof(WCHAR)),
              2);
    EXPECT_EQ(acp, GetACP());
    // LOCALE_RETURN_NUMBER: a DWORD, counted as 2 WCHARs or 4 bytes. 6 is Sunday.
    DWORD first_day = 0;
    EXPECT_EQ(GetLocaleInfoEx(L"en-US", LOCALE_IFIRSTDAYOFWEEK | LOCALE_RETURN_NUMBER,
                              reinterpret_cast<LPWSTR>(&first_day), sizeof first_day / sizeof(WCHAR)),
              2);
    EXPECT_EQ(first_day, 6u);
    DWORD language = 0;
    EXPECT_EQ(GetLocaleInfoA(kLocaleTestEnUs, LOCALE_ILANGUAGE | LOCALE_RETURN_NUMBER, reinterpret_cast<LPSTR>(&language),
                             sizeof language),
              4);
    EXPECT_EQ(language, 0x409u);

    char narrow[32] = {};
    EXPECT_EQ(GetLocaleInfoA(LOCALE_USER_DEFAULT, LOCALE_SMONTHNAME1, narrow, sizeof narrow), 8);
    EXPECT_STREQ(narrow, "January");
    WCHAR wide[32] = {};
    EXPECT_EQ(GetLocaleInfoW(LOCALE_INVARIANT, LOCALE_SISO3166CTRYNAME, wide, 32), 3);
    EXPECT_EQ(locale_test_text(wide), u"IV");
}

TEST_F(Win32Test, get_locale_info_sizes_and_errors) {
    EXPECT_EQ(GetLocaleInfoW(kLocaleTestEnUs, LOCALE_SNAME, nullptr, 0), 6);
    EXPECT_EQ(GetLocaleInfoA(kLocaleTestEnUs, LOCALE_SENGLISHCOUNTRYNAME, nullptr, 0), 14);
    EXPECT_EQ(GetLocaleInfoEx(L"en-US", LOCALE_IFIRSTDAYOFWEEK | LOCALE_RETURN_NUMBER, nullptr, 0), 2);
    WCHAR wide[8] = {};
    EXPECT_EQ(GetLocaleInfoW(kLocaleTestEnUs, LOCALE_SNAME, wide, 5), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    char narrow[4] = {};
    EXPECT_EQ(GetLocaleInfoA(kLocaleTestEnUs, LOCALE_SMONTHNAME2, narrow, 4), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    // An LCTYPE that does not exist, and LOCALE_RETURN_NUMBER on a string.
    EXPECT_EQ(GetLocaleInfoW(kLocaleTestEnUs, 0x7777, wide, 8), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
    EXPECT_EQ(GetLocaleInfoEx(L"en-US", LOCALE_SNAME | LOCALE_RETURN_NUMBER, wide, 8), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
    // Bad buffers and locales.
    EXPECT_EQ(GetLocaleInfoW(kLocaleTestEnUs, LOCALE_SNAME, wide, -1), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(GetLocaleInfoW(kLocaleTestEnUs, LOCALE_SNAME, nullptr, 8), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(GetLocaleInfoW(0x12345678, LOCALE_SNAME, wide, 8), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(GetLocaleInfoEx(L"not a locale!", LOCALE_SNAME, wide, 8), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32Test, lc_map_string_maps_case) {
    WCHAR out[16] = {};
    EXPECT_EQ(LCMapStringW(LOCALE_USER_DEFAULT, LCMAP_UPPERCASE, L"hello", -1, nullptr, 0), 6);
    EXPECT_EQ(LCMapStringW(LOCALE_USER_DEFAULT, LCMAP_UPPERCASE, L"hello", -1, out, 16), 6);
    EXPECT_EQ(locale_test_text(out), u"HELLO");
    EXPECT_EQ(LCMapStringEx(L"en-US", LCMAP_LOWERCASE | LCMAP_LINGUISTIC_CASING, L"\u00C0B\u0414", 3, out, 16, nullptr,
                            nullptr, 0),
              3);
    EXPECT_EQ(out[0], WCHAR(0xE0));
    EXPECT_EQ(out[1], WCHAR(u'b'));
    EXPECT_EQ(out[2], WCHAR(0x434));
    // In place.
    WCHAR text[] = L"Mixed Case";
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_LOWERCASE, text, -1, text, 11), 11);
    EXPECT_EQ(locale_test_text(text), u"mixed case");
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_BYTEREV, L"\x0102", 1, out, 16), 1);
    EXPECT_EQ(out[0], WCHAR(0x0201));
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_KATAKANA, L"\u304B", 1, out, 16), 1);
    EXPECT_EQ(out[0], WCHAR(0x30AB));
    char narrow[16] = {};
    EXPECT_EQ(LCMapStringA(kLocaleTestEnUs, LCMAP_UPPERCASE, "abc", -1, narrow, 16), 4);
    EXPECT_STREQ(narrow, "ABC");
}

TEST_F(Win32Test, lc_map_string_refuses_bad_flags_and_buffers) {
    WCHAR out[4] = {};
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_UPPERCASE, L"hello", -1, out, 4), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    const DWORD bad_flags[] = {0, LCMAP_LINGUISTIC_CASING, LCMAP_HIRAGANA | LCMAP_KATAKANA,
                               LCMAP_HALFWIDTH | LCMAP_FULLWIDTH, LCMAP_UPPERCASE | NORM_IGNORECASE,
                               LCMAP_LOWERCASE | SORT_STRINGSORT, 0x80000000};
    for (DWORD flags : bad_flags) {
        SetLastError(0);
        EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, flags, L"a", 1, out, 4), 0) << std::hex << flags;
        EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS)) << std::hex << flags;
    }
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_UPPERCASE, L"a", 1, out, -1), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_UPPERCASE, nullptr, 1, out, 4), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_UPPERCASE, L"a", 0, out, 4), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_UPPERCASE, L"a", 1, nullptr, 4), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(LCMapStringW(0x12345678, LCMAP_UPPERCASE, L"a", 1, out, 4), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    char narrow[2] = {};
    EXPECT_EQ(LCMapStringA(kLocaleTestEnUs, LCMAP_UPPERCASE, "abc", 3, narrow, 2), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    EXPECT_EQ(LCMapStringA(kLocaleTestEnUs, 0, "abc", 3, narrow, 2), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
}

std::vector<BYTE> locale_test_sort_key(const WCHAR* text, DWORD flags) {
    const int size = LCMapStringW(kLocaleTestEnUs, LCMAP_SORTKEY | flags, text, -1, nullptr, 0);
    EXPECT_GT(size, 0);
    std::vector<BYTE> key(size_t(size > 0 ? size : 1));
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_SORTKEY | flags, text, -1, reinterpret_cast<LPWSTR>(key.data()), size),
              size);
    return key;
}

TEST_F(Win32Test, lc_map_string_sort_keys_order_as_compare_string) {
    // Sort keys compare byte by byte in the order CompareString gives, and end with a 0 byte.
    const std::vector<BYTE> apple = locale_test_sort_key(L"apple", 0);
    const std::vector<BYTE> banana = locale_test_sort_key(L"Banana", 0);
    EXPECT_EQ(apple.back(), 0);
    EXPECT_LT(apple, banana);
    EXPECT_EQ(CompareStringW(kLocaleTestEnUs, 0, L"apple", -1, L"Banana", -1), CSTR_LESS_THAN);
    EXPECT_EQ(locale_test_sort_key(L"HELLO", NORM_IGNORECASE), locale_test_sort_key(L"hello", NORM_IGNORECASE));
    EXPECT_NE(locale_test_sort_key(L"HELLO", 0), locale_test_sort_key(L"hello", 0));
    EXPECT_GT(locale_test_sort_key(L"co-op", 0), locale_test_sort_key(L"coat", 0));
    EXPECT_LT(locale_test_sort_key(L"co-op", SORT_STRINGSORT), locale_test_sort_key(L"coat", SORT_STRINGSORT));
    char narrow[64] = {};
    const int n = LCMapStringA(kLocaleTestEnUs, LCMAP_SORTKEY | NORM_IGNORECASE, "HeLLo", -1, narrow, sizeof narrow);
    const std::vector<BYTE> hello = locale_test_sort_key(L"hello", NORM_IGNORECASE);
    ASSERT_EQ(size_t(n), hello.size());
    EXPECT_EQ(std::memcmp(narrow, hello.data(), hello.size()), 0);

    // A sort key takes only the compare flags, never in place, and needs room for all of it.
    WCHAR buffer[4] = L"abc";
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_SORTKEY | LCMAP_UPPERCASE, buffer, -1, nullptr, 0), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_SORTKEY, buffer, -1, buffer, 8), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_SORTKEY, L"abc", -1, reinterpret_cast<LPWSTR>(narrow), 2), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
}

TEST_F(Win32Test, lc_map_string_strips_symbols_and_nonspacing_marks) {
    WCHAR out[16] = {};
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, NORM_IGNORESYMBOLS, L"a-b.c!", 6, out, 16), 3);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(out), 3), u"abc");
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, NORM_IGNORENONSPACE, L"éà", 4, out, 16), 2);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(out), 2), u"ea");
    // Only case mapping works in place.
    WCHAR text[] = L"ab";
    EXPECT_EQ(LCMapStringW(kLocaleTestEnUs, LCMAP_BYTEREV, text, -1, text, 3), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32Test, char_upper_and_lower_map_strings_and_single_characters) {
    WCHAR wide[] = L"Hello \u00E9\u0434!";
    EXPECT_EQ(CharUpperW(wide), wide);
    EXPECT_EQ(locale_test_text(wide), u"HELLO \u00C9\u0414!");
    EXPECT_EQ(CharLowerW(wide), wide);
    EXPECT_EQ(locale_test_text(wide), u"hello \u00E9\u0434!");
    // The high word zero: the low word is one character, and the result is its mapping.
    EXPECT_EQ(reinterpret_cast<ULONG_PTR>(CharUpperW(reinterpret_cast<LPWSTR>(ULONG_PTR(u'q')))), ULONG_PTR(u'Q'));
    EXPECT_EQ(reinterpret_cast<ULONG_PTR>(CharLowerW(reinterpret_cast<LPWSTR>(ULONG_PTR(0xC9)))), ULONG_PTR(0xE9));
    EXPECT_EQ(reinterpret_cast<ULONG_PTR>(CharUpperA(reinterpret_cast<LPSTR>(ULONG_PTR('z')))), ULONG_PTR('Z'));
    EXPECT_EQ(reinterpret_cast<ULONG_PTR>(CharLowerA(reinterpret_cast<LPSTR>(ULONG_PTR('7')))), ULONG_PTR('7'));
    char narrow[] = "MiXeD 42";
    EXPECT_EQ(CharLowerA(narrow), narrow);
    EXPECT_STREQ(narrow, "mixed 42");
    EXPECT_EQ(CharUpperA(narrow), narrow);
    EXPECT_STREQ(narrow, "MIXED 42");
    // The counted forms stop at the count, not at a terminator.
    WCHAR counted[] = L"abcdef";
    EXPECT_EQ(CharUpperBuffW(counted, 3), 3u);
    EXPECT_EQ(locale_test_text(counted), u"ABCdef");
    EXPECT_EQ(CharLowerBuffW(counted, 2), 2u);
    EXPECT_EQ(locale_test_text(counted), u"abCdef");
    char counted_narrow[] = "abcdef";
    EXPECT_EQ(CharUpperBuffA(counted_narrow, 4), 4u);
    EXPECT_STREQ(counted_narrow, "ABCDef");
    EXPECT_EQ(CharLowerBuffA(counted_narrow, 1), 1u);
    EXPECT_STREQ(counted_narrow, "aBCDef");
}

TEST_F(Win32Test, is_char_routines_classify) {
    EXPECT_TRUE(IsCharAlphaW(u'a'));
    EXPECT_TRUE(IsCharAlphaW(0xE9));
    EXPECT_TRUE(IsCharAlphaW(0x416));
    EXPECT_FALSE(IsCharAlphaW(u'1'));
    EXPECT_FALSE(IsCharAlphaW(u' '));
    EXPECT_TRUE(IsCharAlphaNumericW(u'1'));
    EXPECT_TRUE(IsCharAlphaNumericW(u'Z'));
    EXPECT_FALSE(IsCharAlphaNumericW(u'-'));
    EXPECT_TRUE(IsCharUpperW(u'A'));
    EXPECT_TRUE(IsCharUpperW(0xC9));
    EXPECT_FALSE(IsCharUpperW(u'a'));
    EXPECT_TRUE(IsCharLowerW(u'a'));
    EXPECT_FALSE(IsCharLowerW(u'1'));
    EXPECT_TRUE(IsCharAlphaA('q'));
    EXPECT_FALSE(IsCharAlphaA('%'));
    EXPECT_TRUE(IsCharAlphaNumericA('5'));
    EXPECT_TRUE(IsCharUpperA('Q'));
    EXPECT_FALSE(IsCharUpperA('q'));
    EXPECT_TRUE(IsCharLowerA('q'));
}

TEST_F(Win32Test, get_string_type_gives_ctype1_classes) {
    const WCHAR text[] = L"Aa0 \t!\u00E9";
    WORD types[8] = {};
    ASSERT_TRUE(GetStringTypeW(CT_CTYPE1, text, -1, types));
    EXPECT_EQ(types[0], WORD(C1_UPPER | C1_XDIGIT | C1_ALPHA | C1_DEFINED));
    EXPECT_EQ(types[1], WORD(C1_LOWER | C1_XDIGIT | C1_ALPHA | C1_DEFINED));
    EXPECT_EQ(types[2], WORD(C1_DIGIT | C1_XDIGIT | C1_DEFINED));
    EXPECT_EQ(types[3], WORD(C1_SPACE | C1_BLANK | C1_DEFINED));
    EXPECT_EQ(types[4], WORD(C1_SPACE | C1_CNTRL | C1_BLANK | C1_DEFINED));
    EXPECT_EQ(types[5], WORD(C1_PUNCT | C1_DEFINED));
    EXPECT_EQ(types[6], WORD(C1_LOWER | C1_ALPHA | C1_DEFINED));
    // A negative count takes the terminator too.
    EXPECT_EQ(types[7], WORD(C1_CNTRL | C1_DEFINED));
    WORD two[2] = {0xFFFF, 0xFFFF};
    ASSERT_TRUE(GetStringTypeExW(LOCALE_USER_DEFAULT, CT_CTYPE1, L"\n", 1, two));
    EXPECT_EQ(two[0], WORD(C1_SPACE | C1_CNTRL | C1_DEFINED));
    EXPECT_EQ(two[1], 0xFFFF);

    // The ANSI forms: one WORD per byte.
    WORD narrow_types[4] = {};
    ASSERT_TRUE(GetStringTypeExA(LOCALE_USER_DEFAULT, CT_CTYPE1, "a1.", -1, narrow_types));
    EXPECT_EQ(narrow_types[0], WORD(C1_LOWER | C1_XDIGIT | C1_ALPHA | C1_DEFINED));
    EXPECT_EQ(narrow_types[1], WORD(C1_DIGIT | C1_XDIGIT | C1_DEFINED));
    EXPECT_EQ(narrow_types[2], WORD(C1_PUNCT | C1_DEFINED));
    EXPECT_EQ(narrow_types[3], WORD(C1_CNTRL | C1_DEFINED));
    ASSERT_TRUE(GetStringTypeA(kLocaleTestEnUs, CT_CTYPE1, "Z", 1, narrow_types));
    EXPECT_EQ(narrow_types[0], WORD(C1_UPPER | C1_ALPHA | C1_DEFINED));
    EXPECT_FALSE(GetStringTypeExA(LOCALE_USER_DEFAULT, CT_CTYPE1, nullptr, 1, narrow_types));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(GetStringTypeExA(LOCALE_USER_DEFAULT, 0x10, "a", 1, narrow_types));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
    EXPECT_FALSE(GetStringTypeW(CT_CTYPE1, text, -1, reinterpret_cast<LPWORD>(const_cast<WCHAR*>(text))));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));

    EXPECT_FALSE(GetStringTypeW(0, text, -1, types));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
    EXPECT_FALSE(GetStringTypeW(CT_CTYPE1 | CT_CTYPE2, text, -1, types));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
    EXPECT_FALSE(GetStringTypeW(CT_CTYPE1, nullptr, 1, types));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(GetStringTypeW(CT_CTYPE1, text, 1, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(GetStringTypeW(CT_CTYPE1, text, 0, types));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

}  // namespace
}  // namespace ntio::test
