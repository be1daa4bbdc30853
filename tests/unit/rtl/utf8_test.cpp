// RtlUnicodeToUTF8N and RtlUTF8ToUnicodeN: byte counts, the size query with a NULL destination,
// parameter statuses, U+FFFD with STATUS_SOME_NOT_MAPPED for invalid input, and a destination too
// small receiving only whole characters.
#include <gtest/gtest.h>

#include <string>

#include <wdm.h>

namespace {

// "h" U+00E9 "llo " U+20AC " " U+1F600: 1 + 2 + 3 + 1 + 3 + 1 + 4 bytes of UTF-8, 8 + 2 UTF-16 units.
const WCHAR kWide[] = {L'h', 0x00E9, L'l', L'l', L'o', L' ', 0x20AC, L' ', 0xD83D, 0xDE00};
const char kUtf8[] = "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80";

TEST(Utf8, UnicodeToUtf8ConvertsAndReportsTheSize) {
    ULONG size = 0;
    ASSERT_EQ(RtlUnicodeToUTF8N(nullptr, 0, &size, kWide, sizeof(kWide)), STATUS_SUCCESS);
    EXPECT_EQ(size, sizeof(kUtf8) - 1);
    char out[32] = {};
    ULONG written = 0;
    ASSERT_EQ(RtlUnicodeToUTF8N(out, sizeof(out), &written, kWide, sizeof(kWide)), STATUS_SUCCESS);
    EXPECT_EQ(written, sizeof(kUtf8) - 1);
    EXPECT_EQ(std::string(out, written), std::string(kUtf8));
    // The count is optional when there is a destination.
    char again[32] = {};
    EXPECT_EQ(RtlUnicodeToUTF8N(again, sizeof(again), nullptr, kWide, sizeof(kWide)), STATUS_SUCCESS);
    EXPECT_EQ(std::string(again), std::string(kUtf8));
}

TEST(Utf8, Utf8ToUnicodeConvertsAndReportsTheSize) {
    ULONG size = 0;
    ASSERT_EQ(RtlUTF8ToUnicodeN(nullptr, 0, &size, kUtf8, sizeof(kUtf8) - 1), STATUS_SUCCESS);
    EXPECT_EQ(size, sizeof(kWide));
    WCHAR out[16] = {};
    ULONG written = 0;
    ASSERT_EQ(RtlUTF8ToUnicodeN(out, sizeof(out), &written, kUtf8, sizeof(kUtf8) - 1), STATUS_SUCCESS);
    ASSERT_EQ(written, sizeof(kWide));
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(out), written / sizeof(WCHAR)),
              std::u16string(reinterpret_cast<const char16_t*>(kWide), sizeof(kWide) / sizeof(WCHAR)));
}

TEST(Utf8, NullCharactersConvertLikeAnyOther) {
    const WCHAR wide[] = {L'a', 0, L'b'};
    char out[4] = {'x', 'x', 'x', 'x'};
    ULONG written = 0;
    ASSERT_EQ(RtlUnicodeToUTF8N(out, sizeof(out), &written, wide, sizeof(wide)), STATUS_SUCCESS);
    EXPECT_EQ(written, 3u);
    EXPECT_EQ(std::string(out, 3), std::string("a\0b", 3));
    WCHAR back[4] = {};
    ASSERT_EQ(RtlUTF8ToUnicodeN(back, sizeof(back), &written, out, 3), STATUS_SUCCESS);
    EXPECT_EQ(written, 6u);
    EXPECT_EQ(back[1], 0);
    EXPECT_EQ(back[2], L'b');
}

TEST(Utf8, ParameterStatuses) {
    ULONG size = 0;
    char out[8];
    WCHAR wout[8];
    EXPECT_EQ(RtlUnicodeToUTF8N(nullptr, 0, nullptr, kWide, sizeof(kWide)), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlUnicodeToUTF8N(out, sizeof(out), &size, nullptr, 2), STATUS_INVALID_PARAMETER_4);
    EXPECT_EQ(RtlUnicodeToUTF8N(out, sizeof(out), &size, kWide, 3), STATUS_INVALID_PARAMETER_5);
    EXPECT_EQ(RtlUTF8ToUnicodeN(nullptr, 0, nullptr, kUtf8, 3), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlUTF8ToUnicodeN(wout, sizeof(wout), &size, nullptr, 3), STATUS_INVALID_PARAMETER_4);
}

TEST(Utf8, UnpairedSurrogatesBecomeReplacementCharacters) {
    const struct {
        std::u16string wide;
        std::string utf8;
    } cases[] = {
        {std::u16string{u'a', char16_t{0xD800}}, "a\xEF\xBF\xBD"},     // lead at the end
        {std::u16string{char16_t{0xDC00}, u'b'}, "\xEF\xBF\xBD" "b"},  // lone trail
        {std::u16string{char16_t{0xD800}, u'c'}, "\xEF\xBF\xBD" "c"},  // lead, no trail
    };
    for (const auto& c : cases) {
        const auto bytes = static_cast<ULONG>(c.wide.size() * sizeof(WCHAR));
        ULONG size = 0;
        EXPECT_EQ(RtlUnicodeToUTF8N(nullptr, 0, &size, reinterpret_cast<PCWCH>(c.wide.data()), bytes), STATUS_SOME_NOT_MAPPED);
        EXPECT_EQ(size, c.utf8.size());
        char out[16];
        ASSERT_EQ(RtlUnicodeToUTF8N(out, sizeof(out), &size, reinterpret_cast<PCWCH>(c.wide.data()), bytes), STATUS_SOME_NOT_MAPPED);
        EXPECT_EQ(std::string(out, size), c.utf8);
    }
    // A genuine U+FFFD is mapped, not replaced.
    const WCHAR genuine[] = {0xFFFD};
    char out[4];
    ULONG size = 0;
    EXPECT_EQ(RtlUnicodeToUTF8N(out, sizeof(out), &size, genuine, sizeof(genuine)), STATUS_SUCCESS);
}

TEST(Utf8, IllFormedUtf8BecomesReplacementCharacters) {
    const std::string cases[] = {
        "a\xFF" "b",          // never a UTF-8 byte
        "a\xC0\xAF" "b",      // overlong '/'
        "a\xED\xA0\x80" "b",  // an encoded surrogate
        "a\xE2\x82",          // cut short
        "a\x80" "b",          // a lone continuation byte
        "a\xF4\x90\x80\x80",  // above U+10FFFF
    };
    for (const std::string& c : cases) {
        SCOPED_TRACE(c);
        WCHAR out[16] = {};
        ULONG size = 0;
        ASSERT_EQ(RtlUTF8ToUnicodeN(out, sizeof(out), &size, c.data(), static_cast<ULONG>(c.size())),
                  STATUS_SOME_NOT_MAPPED);
        ASSERT_GE(size, 4u);
        EXPECT_EQ(out[0], L'a');
        EXPECT_EQ(out[1], 0xFFFD);
        ULONG needed = 0;
        EXPECT_EQ(RtlUTF8ToUnicodeN(nullptr, 0, &needed, c.data(), static_cast<ULONG>(c.size())),
                  STATUS_SOME_NOT_MAPPED);
        EXPECT_EQ(needed, size);
    }
    WCHAR out[2];
    ULONG size = 0;
    EXPECT_EQ(RtlUTF8ToUnicodeN(out, sizeof(out), &size, "\xEF\xBF\xBD", 3), STATUS_SUCCESS);
    EXPECT_EQ(out[0], 0xFFFD);
}

// Too small a destination receives the whole characters that fit and the bytes written.
TEST(Utf8, TooSmallADestinationGetsTheWholeCharactersThatFit) {
    char out[8];
    ULONG size = 0;
    // "h" and U+00E9 fit in 3 bytes; "l" would be the fourth byte but 3 is the limit.
    EXPECT_EQ(RtlUnicodeToUTF8N(out, 3, &size, kWide, sizeof(kWide)), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(size, 3u);
    // 2 bytes hold "h" but not the two bytes of U+00E9.
    EXPECT_EQ(RtlUnicodeToUTF8N(out, 2, &size, kWide, sizeof(kWide)), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(size, 1u);
    EXPECT_EQ(out[0], 'h');
    // The euro sign's three bytes do not split: 8 bytes end before it.
    EXPECT_EQ(RtlUnicodeToUTF8N(out, 8, &size, kWide, sizeof(kWide)), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(size, 7u);

    WCHAR wide[16];
    // 18 bytes hold the 8 BMP characters; the surrogate pair needs 4 more and does not split.
    EXPECT_EQ(RtlUTF8ToUnicodeN(wide, 18, &size, kUtf8, sizeof(kUtf8) - 1), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(size, 16u);
    // An odd byte count holds only whole code units.
    EXPECT_EQ(RtlUTF8ToUnicodeN(wide, 3, &size, "ab", 2), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(size, 2u);
    EXPECT_EQ(wide[0], L'a');
}

}  // namespace
