// lstrcmp(i), CompareString(A/W/Ex) and CompareStringOrdinal: only results that hold on Windows too
// (case-insensitive equality, the ignore flags, Learn's hyphen and digits-as-numbers examples, ordinal
// order), and the errors of bad flags, counts and pointers; lstrcpy, lstrcpyn and lstrcat.
// https://learn.microsoft.com/windows/win32/api/stringapiset/nf-stringapiset-comparestringex
// https://learn.microsoft.com/windows/win32/intl/handling-sorting-in-your-applications
#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

std::u16string compare_test_text(const WCHAR* text) { return reinterpret_cast<const char16_t*>(text); }

int compare_en_us(DWORD flags, const WCHAR* a, const WCHAR* b) {
    return CompareStringW(MAKELCID(MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), SORT_DEFAULT), flags, a, -1, b, -1);
}

TEST_F(Win32Test, lstrcmp_compares_linguistically_and_lstrcmpi_ignores_case) {
    EXPECT_EQ(lstrcmpiW(L"hello", L"HELLO"), 0);
    EXPECT_EQ(lstrcmpiA("Hello World", "hELLO wORLD"), 0);
    EXPECT_LT(lstrcmpW(L"abc", L"abd"), 0);
    EXPECT_GT(lstrcmpA("abd", "abc"), 0);
    EXPECT_EQ(lstrcmpW(L"same", L"same"), 0);
    EXPECT_NE(lstrcmpW(L"hello", L"HELLO"), 0);
    // Linguistic, not code-unit order: "apple" comes before "Banana" although 'a' > 'B'.
    EXPECT_LT(lstrcmpW(L"apple", L"Banana"), 0);
    EXPECT_LT(lstrcmpiA("apple", "Banana"), 0);
    EXPECT_LT(lstrcmpW(L"abc", L"abcd"), 0);
}

TEST_F(Win32Test, compare_string_flags_ignore_what_they_name) {
    EXPECT_EQ(compare_en_us(NORM_IGNORECASE, L"HELLO", L"hello"), CSTR_EQUAL);
    EXPECT_EQ(compare_en_us(LINGUISTIC_IGNORECASE, L"HELLO", L"hello"), CSTR_EQUAL);
    EXPECT_NE(compare_en_us(0, L"HELLO", L"hello"), CSTR_EQUAL);
    // Accents.
    EXPECT_EQ(compare_en_us(NORM_IGNORENONSPACE, L"r\u00E9sum\u00E9", L"resume"), CSTR_EQUAL);
    EXPECT_EQ(compare_en_us(LINGUISTIC_IGNOREDIACRITIC, L"na\u00EFve", L"naive"), CSTR_EQUAL);
    EXPECT_NE(compare_en_us(0, L"r\u00E9sum\u00E9", L"resume"), CSTR_EQUAL);
    EXPECT_EQ(compare_en_us(NORM_IGNORENONSPACE | NORM_IGNORECASE, L"R\u00C9SUM\u00C9", L"resume"), CSTR_EQUAL);
    // Symbols and punctuation.
    EXPECT_EQ(compare_en_us(NORM_IGNORESYMBOLS, L"a.b,c!", L"abc"), CSTR_EQUAL);
    EXPECT_NE(compare_en_us(0, L"a.b,c!", L"abc"), CSTR_EQUAL);
    // Full-width forms and kana type.
    EXPECT_EQ(compare_en_us(NORM_IGNOREWIDTH, L"\uFF21\uFF22\uFF23", L"ABC"), CSTR_EQUAL);
    EXPECT_NE(compare_en_us(0, L"\uFF21\uFF22\uFF23", L"ABC"), CSTR_EQUAL);
    EXPECT_EQ(compare_en_us(NORM_IGNOREKANATYPE, L"\u30AB\u30CA", L"\u304B\u306A"), CSTR_EQUAL);
    EXPECT_NE(compare_en_us(0, L"\u30AB\u30CA", L"\u304B\u306A"), CSTR_EQUAL);
}

TEST_F(Win32Test, compare_string_word_sort_skips_hyphens_and_string_sort_does_not) {
    // A word sort ignores the hyphen, so "co-op" sorts as "coop", after "coat"; a string sort
    // weighs it as a symbol, before every letter.
    EXPECT_EQ(compare_en_us(0, L"co-op", L"coat"), CSTR_GREATER_THAN);
    EXPECT_EQ(compare_en_us(SORT_STRINGSORT, L"co-op", L"coat"), CSTR_LESS_THAN);
    EXPECT_EQ(compare_en_us(0, L"can't", L"cane"), CSTR_GREATER_THAN);
    EXPECT_EQ(compare_en_us(SORT_STRINGSORT, L"can't", L"cane"), CSTR_LESS_THAN);
    // Learn's SORT_DIGITSASNUMBERS example: "2" before "10".
    EXPECT_EQ(compare_en_us(SORT_DIGITSASNUMBERS, L"2", L"10"), CSTR_LESS_THAN);
    EXPECT_EQ(compare_en_us(SORT_DIGITSASNUMBERS, L"file9.txt", L"file10.txt"), CSTR_LESS_THAN);
    EXPECT_EQ(compare_en_us(0, L"2", L"10"), CSTR_GREATER_THAN);
}

TEST_F(Win32Test, compare_string_counts_locales_and_forms) {
    // A count limits the string; a negative count means NUL-terminated.
    EXPECT_EQ(CompareStringW(LOCALE_USER_DEFAULT, 0, L"abcdef", 3, L"abc", -1), CSTR_EQUAL);
    EXPECT_EQ(CompareStringW(LOCALE_SYSTEM_DEFAULT, 0, L"abcdef", 4, L"abc", 3), CSTR_GREATER_THAN);
    EXPECT_EQ(CompareStringW(LOCALE_INVARIANT, NORM_IGNORECASE, L"Invariant", -1, L"INVARIANT", -1), CSTR_EQUAL);
    EXPECT_EQ(CompareStringW(LOCALE_USER_DEFAULT, 0, L"", 0, L"", -1), CSTR_EQUAL);
    EXPECT_EQ(CompareStringW(LOCALE_USER_DEFAULT, 0, L"", 0, L"a", -1), CSTR_LESS_THAN);
    EXPECT_EQ(CompareStringA(LOCALE_USER_DEFAULT, NORM_IGNORECASE, "apple", -1, "APPLE", -1), CSTR_EQUAL);
    EXPECT_EQ(CompareStringA(LOCALE_USER_DEFAULT, 0, "apple pie", 5, "apple", 5), CSTR_EQUAL);
    EXPECT_EQ(CompareStringEx(LOCALE_NAME_USER_DEFAULT, NORM_IGNORECASE, L"x", -1, L"X", -1, nullptr, nullptr, 0),
              CSTR_EQUAL);
    EXPECT_EQ(CompareStringEx(L"en-US", 0, L"a", -1, L"b", -1, nullptr, nullptr, 0), CSTR_LESS_THAN);
    EXPECT_EQ(CompareStringEx(LOCALE_NAME_INVARIANT, 0, L"b", -1, L"a", -1, nullptr, nullptr, 0), CSTR_GREATER_THAN);
    EXPECT_EQ(CompareStringEx(LOCALE_NAME_SYSTEM_DEFAULT, 0, L"b", -1, L"b", -1, nullptr, nullptr, 0), CSTR_EQUAL);
}

TEST_F(Win32Test, compare_string_refuses_bad_flags_strings_and_locales) {
    SetLastError(0);
    EXPECT_EQ(CompareStringW(LOCALE_USER_DEFAULT, 0x40000000, L"a", -1, L"a", -1), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
    EXPECT_EQ(CompareStringEx(L"en-US", 0x40000000, L"a", -1, L"a", -1, nullptr, nullptr, 0), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
    EXPECT_EQ(CompareStringA(LOCALE_USER_DEFAULT, 0x40000000, "a", -1, "a", -1), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_FLAGS));
    EXPECT_EQ(CompareStringW(LOCALE_USER_DEFAULT, 0, nullptr, -1, L"a", -1), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(CompareStringW(LOCALE_USER_DEFAULT, 0, L"a", -1, nullptr, 1), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(CompareStringA(LOCALE_USER_DEFAULT, 0, nullptr, -1, "a", -1), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(CompareStringW(0x12345678, 0, L"a", -1, L"a", -1), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(CompareStringEx(L"not a locale!", 0, L"a", -1, L"a", -1, nullptr, nullptr, 0), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32Test, compare_string_ordinal_compares_code_units_and_upcases) {
    // Code-unit order: 'a' (0x61) after 'B' (0x42), unlike the linguistic order.
    EXPECT_EQ(CompareStringOrdinal(L"apple", -1, L"Banana", -1, FALSE), CSTR_GREATER_THAN);
    EXPECT_EQ(compare_en_us(0, L"apple", L"Banana"), CSTR_LESS_THAN);
    EXPECT_EQ(CompareStringOrdinal(L"abc", -1, L"ABC", -1, FALSE), CSTR_GREATER_THAN);
    EXPECT_EQ(CompareStringOrdinal(L"abc", -1, L"ABC", -1, TRUE), CSTR_EQUAL);
    EXPECT_EQ(CompareStringOrdinal(L"\u00E9t\u00E9", -1, L"\u00C9T\u00C9", -1, TRUE), CSTR_EQUAL);
    EXPECT_EQ(CompareStringOrdinal(L"\u0434\u0430", -1, L"\u0414\u0410", -1, TRUE), CSTR_EQUAL);
    EXPECT_EQ(CompareStringOrdinal(L"abc", 2, L"ab", -1, FALSE), CSTR_EQUAL);
    EXPECT_EQ(CompareStringOrdinal(L"ab", -1, L"abc", -1, TRUE), CSTR_LESS_THAN);
    // Ordinal comparison does not skip hyphens.
    EXPECT_EQ(CompareStringOrdinal(L"co-op", -1, L"coat", -1, FALSE), CSTR_LESS_THAN);

    EXPECT_EQ(CompareStringOrdinal(L"a", -2, L"a", -1, FALSE), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(CompareStringOrdinal(nullptr, -1, L"a", -1, FALSE), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    // "1 is the only numeric value that can be used to specify a true value".
    EXPECT_EQ(CompareStringOrdinal(L"a", -1, L"A", -1, 2), 0);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32Test, lstrcpy_lstrcpyn_and_lstrcat_copy_to_the_terminator) {
    WCHAR wide[16] = {};
    EXPECT_EQ(lstrcpyW(wide, L"hello"), wide);
    EXPECT_EQ(compare_test_text(wide), u"hello");
    EXPECT_EQ(lstrcatW(wide, L", you"), wide);
    EXPECT_EQ(compare_test_text(wide), u"hello, you");
    EXPECT_EQ(lstrlenW(wide), 10);
    // lstrcpyn copies at most iMaxLength - 1 characters and always terminates.
    EXPECT_EQ(lstrcpynW(wide, L"truncated", 6), wide);
    EXPECT_EQ(compare_test_text(wide), u"trunc");
    EXPECT_EQ(lstrcpynW(wide, L"ab", 16), wide);
    EXPECT_EQ(compare_test_text(wide), u"ab");
    char narrow[16] = {};
    EXPECT_EQ(lstrcpyA(narrow, "one"), narrow);
    EXPECT_EQ(lstrcatA(narrow, "two"), narrow);
    EXPECT_STREQ(narrow, "onetwo");
    EXPECT_EQ(lstrcpynA(narrow, "abcdef", 4), narrow);
    EXPECT_STREQ(narrow, "abc");
    EXPECT_EQ(lstrcpynA(narrow, "x", 1), narrow);
    EXPECT_STREQ(narrow, "");
    // NULL pointers fail with a NULL result instead of faulting.
    EXPECT_EQ(lstrcpyW(nullptr, L"x"), nullptr);
    EXPECT_EQ(lstrcpyA(narrow, nullptr), nullptr);
    EXPECT_EQ(lstrcatW(wide, nullptr), nullptr);
    EXPECT_EQ(lstrcpynA(nullptr, "x", 4), nullptr);
}

}  // namespace
}  // namespace ntio::test
