// RtlNormalizeString, RtlIsNormalizedString, RtlIdnToAscii, RtlIdnToUnicode and
// RtlIdnToNameprepUnicode through <ntifs.h>: the four normalization forms on composed and
// decomposed text, the length protocol (-1 for NUL-terminated input, STATUS_BUFFER_TOO_SMALL with
// the length needed), Punycode both ways, and the statuses for invalid input.
#include <gtest/gtest.h>

#include <string>

#include <ntifs.h>

namespace rtlse_normalization {
namespace {

std::u16string as_u16(const WCHAR* s, LONG n) { return std::u16string(reinterpret_cast<const char16_t*>(s), n); }

// Normalizes s (counted) into a fresh string, asserting success.
std::u16string normalize(ULONG form, const std::u16string& s) {
    LONG length = 0;
    NTSTATUS status = RtlNormalizeString(form, reinterpret_cast<PCWSTR>(s.data()), static_cast<LONG>(s.size()),
                                         nullptr, &length);
    if (s.empty()) {
        EXPECT_EQ(status, STATUS_SUCCESS);
        return {};
    }
    EXPECT_EQ(status, STATUS_BUFFER_TOO_SMALL);
    std::u16string out(static_cast<size_t>(length), u'\0');
    status = RtlNormalizeString(form, reinterpret_cast<PCWSTR>(s.data()), static_cast<LONG>(s.size()),
                                reinterpret_cast<PWSTR>(out.data()), &length);
    EXPECT_EQ(status, STATUS_SUCCESS);
    out.resize(static_cast<size_t>(length));
    return out;
}

TEST(RtlseNormalization, forms_compose_and_decompose) {
    const std::u16string composed = u"caf\u00e9";
    const std::u16string decomposed = u"cafe\u0301";
    EXPECT_EQ(normalize(NormalizationC, decomposed), composed);
    EXPECT_EQ(normalize(NormalizationD, composed), decomposed);
    // The compatibility forms also fold the ligature U+FB01 to "fi".
    EXPECT_EQ(normalize(NormalizationKC, u"\ufb01" + decomposed), u"fi" + composed);
    EXPECT_EQ(normalize(NormalizationKD, u"\ufb01" + composed), u"fi" + decomposed);
    EXPECT_EQ(normalize(NormalizationC, u"\ufb01"), u"\ufb01");
    EXPECT_EQ(normalize(NormalizationC, u""), u"");
}

TEST(RtlseNormalization, terminated_source_gives_a_terminated_result) {
    WCHAR out[16];
    LONG length = 16;
    ASSERT_EQ(RtlNormalizeString(NormalizationC, L"cafe\u0301", -1, out, &length), STATUS_SUCCESS);
    EXPECT_EQ(length, 5);
    EXPECT_EQ(as_u16(out, length), std::u16string(u"caf\u00e9\0", 5));
    length = 4;
    EXPECT_EQ(RtlNormalizeString(NormalizationC, L"cafe\u0301", -1, out, &length), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(length, 5);
}

TEST(RtlseNormalization, is_normalized_tells_the_form) {
    BOOLEAN normalized = 2;
    ASSERT_EQ(RtlIsNormalizedString(NormalizationC, L"caf\u00e9", -1, &normalized), STATUS_SUCCESS);
    EXPECT_TRUE(normalized);
    ASSERT_EQ(RtlIsNormalizedString(NormalizationD, L"caf\u00e9", -1, &normalized), STATUS_SUCCESS);
    EXPECT_FALSE(normalized);
    ASSERT_EQ(RtlIsNormalizedString(NormalizationKC, L"\ufb01", 1, &normalized), STATUS_SUCCESS);
    EXPECT_FALSE(normalized);
    ASSERT_EQ(RtlIsNormalizedString(NormalizationC, L"\ufb01", 1, &normalized), STATUS_SUCCESS);
    EXPECT_TRUE(normalized);
}

TEST(RtlseNormalization, bad_input_gets_nt_statuses) {
    WCHAR out[8];
    LONG length = 8;
    BOOLEAN normalized = FALSE;
    EXPECT_EQ(RtlNormalizeString(NormalizationOther, L"a", 1, out, &length), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlNormalizeString(3, L"a", 1, out, &length), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlNormalizeString(NormalizationC, nullptr, 1, out, &length), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlNormalizeString(NormalizationC, L"a", -2, out, &length), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlNormalizeString(NormalizationC, L"a", 1, out, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlNormalizeString(NormalizationC, L"a", 1, nullptr, &length), STATUS_INVALID_PARAMETER);
    const WCHAR lone_high[] = {L'a', 0xD800, L'b', 0};
    const WCHAR lone_low[] = {0xDC00, 0};
    EXPECT_EQ(RtlNormalizeString(NormalizationC, lone_high, -1, out, &length), STATUS_NO_UNICODE_TRANSLATION);
    EXPECT_EQ(RtlIsNormalizedString(NormalizationC, lone_low, -1, &normalized), STATUS_NO_UNICODE_TRANSLATION);
    EXPECT_EQ(RtlIsNormalizedString(NormalizationC, L"a", 1, nullptr), STATUS_INVALID_PARAMETER);
    // A valid pair passes.
    const WCHAR pair[] = {0xD83D, 0xDE00, 0};
    EXPECT_EQ(RtlIsNormalizedString(NormalizationC, pair, -1, &normalized), STATUS_SUCCESS);
    EXPECT_TRUE(normalized);
}

TEST(RtlseIdn, to_ascii_and_back) {
    WCHAR out[64];
    LONG length = 64;
    ASSERT_EQ(RtlIdnToAscii(0, L"b\u00fccher.example", -1, out, &length), STATUS_SUCCESS);
    EXPECT_EQ(as_u16(out, length), std::u16string(u"xn--bcher-kva.example\0", 22));
    length = 64;
    ASSERT_EQ(RtlIdnToUnicode(0, L"xn--bcher-kva.example", 21, out, &length), STATUS_SUCCESS);
    EXPECT_EQ(as_u16(out, length), u"b\u00fccher.example");
    // Mapping: upper case folds, ASCII stays.
    length = 64;
    ASSERT_EQ(RtlIdnToAscii(0, L"B\u00dcCHER.Example", 14, out, &length), STATUS_SUCCESS);
    EXPECT_EQ(as_u16(out, length), u"xn--bcher-kva.example");
    length = 3;
    EXPECT_EQ(RtlIdnToAscii(0, L"b\u00fccher.example", 14, out, &length), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(length, 21);
}

TEST(RtlseIdn, rejected_names_and_bad_flags) {
    WCHAR out[300];
    LONG length = 300;
    EXPECT_EQ(RtlIdnToAscii(0x80, L"a", 1, out, &length), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlIdnToAscii(0, L"", 0, out, &length), STATUS_INVALID_PARAMETER);
    // STD3 rules refuse '_' in a host name; without them it passes.
    EXPECT_EQ(RtlIdnToAscii(IDN_USE_STD3_ASCII_RULES, L"a_b.example", 11, out, &length),
              STATUS_INVALID_IDN_NORMALIZATION);
    length = 300;
    EXPECT_EQ(RtlIdnToAscii(0, L"a_b.example", 11, out, &length), STATUS_SUCCESS);
    // A label longer than 63 characters.
    std::u16string long_label(64, u'a');
    length = 300;
    EXPECT_EQ(RtlIdnToAscii(0, reinterpret_cast<PCWSTR>(long_label.c_str()), 64, out, &length),
              STATUS_INVALID_IDN_NORMALIZATION);
    const WCHAR lone[] = {L'a', 0xDC00, 0};
    length = 300;
    EXPECT_EQ(RtlIdnToAscii(0, lone, -1, out, &length), STATUS_NO_UNICODE_TRANSLATION);
}

TEST(RtlseIdn, nameprep_folds_without_punycode) {
    WCHAR out[64];
    LONG length = 64;
    ASSERT_EQ(RtlIdnToNameprepUnicode(0, L"B\u00dcCHER.Example", 14, out, &length), STATUS_SUCCESS);
    EXPECT_EQ(as_u16(out, length), u"b\u00fccher.example");
    // U+00AD (soft hyphen) maps to nothing; U+FB01 folds to "fi".
    length = 64;
    ASSERT_EQ(RtlIdnToNameprepUnicode(0, L"a\u00adb\ufb01", -1, out, &length), STATUS_SUCCESS);
    EXPECT_EQ(as_u16(out, length), std::u16string(u"abfi\0", 5));
    length = 64;
    EXPECT_EQ(RtlIdnToNameprepUnicode(IDN_USE_STD3_ASCII_RULES, L"a_b", 3, out, &length),
              STATUS_INVALID_IDN_NORMALIZATION);
    length = 64;
    EXPECT_EQ(RtlIdnToNameprepUnicode(IDN_USE_STD3_ASCII_RULES, L"-ab", 3, out, &length),
              STATUS_INVALID_IDN_NORMALIZATION);
    // U+3000 (ideographic space) maps to a space, which STD3 refuses.
    length = 64;
    EXPECT_EQ(RtlIdnToNameprepUnicode(IDN_USE_STD3_ASCII_RULES, L"a\u3000b", 3, out, &length),
              STATUS_INVALID_IDN_NORMALIZATION);
    EXPECT_EQ(RtlIdnToNameprepUnicode(0x10, L"a", 1, out, &length), STATUS_INVALID_PARAMETER);
}

}  // namespace
}  // namespace rtlse_normalization
