// UNICODE_STRING routines: initialisation limits, copy truncation, append statuses, comparisons with
// the per-code-unit case table, case mapping with and without allocation.
#include <gtest/gtest.h>

#include <vector>

#include <wdm.h>

#include "string_helpers.hpp"

using ntio::test::us;

namespace {

TEST(UnicodeString, InitAndConstants) {
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, L"abc");
    EXPECT_EQ(s.Length, 6);
    EXPECT_EQ(s.MaximumLength, 8);
    RtlInitUnicodeString(&s, nullptr);
    EXPECT_EQ(s.Length, 0);
    EXPECT_EQ(s.MaximumLength, 0);
    EXPECT_EQ(s.Buffer, nullptr);

    UNICODE_STRING c = RTL_CONSTANT_STRING(L"\\Device\\Null");
    EXPECT_EQ(us(&c), u"\\Device\\Null");
    EXPECT_EQ(c.MaximumLength, c.Length + 2);
    DECLARE_CONST_UNICODE_STRING(d, L"xy");
    EXPECT_EQ(us(&d), u"xy");
    DECLARE_UNICODE_STRING_SIZE(e, 16);
    EXPECT_EQ(e.Length, 0);
    EXPECT_EQ(e.MaximumLength, 32);
    ANSI_STRING a = RTL_CONSTANT_STRING("hello");
    EXPECT_EQ(a.Length, 5);
    EXPECT_EQ(a.MaximumLength, 6);
}

TEST(UnicodeString, InitCapsLongStringsAndExRejectsThem) {
    std::vector<wchar_t> big(40000, L'a');
    big.back() = 0;
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, big.data());
    EXPECT_EQ(s.Length, 0xFFFC);
    EXPECT_EQ(s.MaximumLength, 0xFFFE);
    EXPECT_EQ(RtlInitUnicodeStringEx(&s, big.data()), STATUS_NAME_TOO_LONG);
    EXPECT_EQ(RtlInitUnicodeStringEx(&s, L"ok"), STATUS_SUCCESS);
    EXPECT_EQ(s.Length, 4);
    EXPECT_EQ(RtlInitUnicodeStringEx(&s, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(s.Length, 0);
}

TEST(UnicodeString, CopyTruncatesAndTerminatesWhenRoom) {
    WCHAR buf[4];
    UNICODE_STRING dst{0, sizeof buf, buf};
    UNICODE_STRING src = RTL_CONSTANT_STRING(L"abcdef");
    RtlCopyUnicodeString(&dst, &src);
    EXPECT_EQ(us(&dst), u"abcd");  // cut to MaximumLength, no room for a terminator
    UNICODE_STRING small = RTL_CONSTANT_STRING(L"ab");
    RtlCopyUnicodeString(&dst, &small);
    EXPECT_EQ(us(&dst), u"ab");
    EXPECT_EQ(buf[2], 0);
    RtlCopyUnicodeString(&dst, nullptr);
    EXPECT_EQ(dst.Length, 0);
}

TEST(UnicodeString, AppendStatuses) {
    WCHAR buf[6];
    UNICODE_STRING dst{0, sizeof buf, buf};
    UNICODE_STRING abc = RTL_CONSTANT_STRING(L"abc");
    EXPECT_EQ(RtlAppendUnicodeStringToString(&dst, &abc), STATUS_SUCCESS);
    EXPECT_EQ(buf[3], 0);
    EXPECT_EQ(RtlAppendUnicodeToString(&dst, L"de"), STATUS_SUCCESS);
    EXPECT_EQ(us(&dst), u"abcde");
    EXPECT_EQ(RtlAppendUnicodeToString(&dst, L"fg"), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(us(&dst), u"abcde");  // unchanged on failure
    EXPECT_EQ(RtlAppendUnicodeToString(&dst, L"f"), STATUS_SUCCESS);
    EXPECT_EQ(us(&dst), u"abcdef");
    EXPECT_EQ(RtlAppendUnicodeToString(&dst, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(RtlAppendUnicodeStringToString(&dst, &abc), STATUS_BUFFER_TOO_SMALL);
}

TEST(UnicodeString, CompareEqualPrefix) {
    UNICODE_STRING a = RTL_CONSTANT_STRING(L"Hello");
    UNICODE_STRING b = RTL_CONSTANT_STRING(L"hello");
    UNICODE_STRING c = RTL_CONSTANT_STRING(L"Help");
    UNICODE_STRING d = RTL_CONSTANT_STRING(L"Hel");
    EXPECT_FALSE(RtlEqualUnicodeString(&a, &b, FALSE));
    EXPECT_TRUE(RtlEqualUnicodeString(&a, &b, TRUE));
    EXPECT_LT(RtlCompareUnicodeString(&a, &b, FALSE), 0);  // 'H' < 'h'
    EXPECT_EQ(RtlCompareUnicodeString(&a, &b, TRUE), 0);
    EXPECT_LT(RtlCompareUnicodeString(&a, &c, TRUE), 0);  // 'L' < 'P'
    EXPECT_GT(RtlCompareUnicodeString(&a, &d, FALSE), 0);  // longer
    EXPECT_TRUE(RtlPrefixUnicodeString(&d, &a, FALSE));
    EXPECT_FALSE(RtlPrefixUnicodeString(&a, &d, FALSE));
    UNICODE_STRING lower = RTL_CONSTANT_STRING(L"hel");
    EXPECT_FALSE(RtlPrefixUnicodeString(&lower, &a, FALSE));
    EXPECT_TRUE(RtlPrefixUnicodeString(&lower, &a, TRUE));
}

TEST(UnicodeString, CaseTableCoversLatinGreekCyrillic) {
    EXPECT_EQ(RtlUpcaseUnicodeChar(L'a'), L'A');
    EXPECT_EQ(RtlUpcaseUnicodeChar(L'1'), L'1');
    EXPECT_EQ(RtlUpcaseUnicodeChar(0x00E9), 0x00C9);  // e acute
    EXPECT_EQ(RtlUpcaseUnicodeChar(0x00FF), 0x0178);  // y diaeresis
    EXPECT_EQ(RtlUpcaseUnicodeChar(0x00F7), 0x00F7);  // division sign has no case
    EXPECT_EQ(RtlUpcaseUnicodeChar(0x0101), 0x0100);  // a macron
    EXPECT_EQ(RtlUpcaseUnicodeChar(0x017E), 0x017D);  // z caron
    EXPECT_EQ(RtlUpcaseUnicodeChar(0x03B1), 0x0391);  // alpha
    EXPECT_EQ(RtlUpcaseUnicodeChar(0x03C2), 0x03A3);  // final sigma
    EXPECT_EQ(RtlUpcaseUnicodeChar(0x0430), 0x0410);  // Cyrillic a
    EXPECT_EQ(RtlUpcaseUnicodeChar(0x0451), 0x0401);  // io
    EXPECT_EQ(RtlDowncaseUnicodeChar(0x0410), 0x0430);
    EXPECT_EQ(RtlDowncaseUnicodeChar(0x03A3), 0x03C3);
    EXPECT_EQ(RtlDowncaseUnicodeChar(L'I'), L'i');
    UNICODE_STRING greek1 = RTL_CONSTANT_STRING(L"\x03b1\x03b2\x03b3");
    UNICODE_STRING greek2 = RTL_CONSTANT_STRING(L"\x0391\x0392\x0393");
    EXPECT_TRUE(RtlEqualUnicodeString(&greek1, &greek2, TRUE));
}

TEST(UnicodeString, UpcaseDowncaseIntoCallerBuffer) {
    UNICODE_STRING src = RTL_CONSTANT_STRING(L"MiXeD\x0436");
    WCHAR buf[6];
    UNICODE_STRING dst{0, sizeof buf, buf};
    EXPECT_EQ(RtlUpcaseUnicodeString(&dst, &src, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(us(&dst), u"MIXED\u0416");
    EXPECT_EQ(RtlDowncaseUnicodeString(&dst, &src, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(us(&dst), u"mixed\u0436");
    WCHAR tiny[2];
    UNICODE_STRING small{0, sizeof tiny, tiny};
    EXPECT_EQ(RtlUpcaseUnicodeString(&small, &src, FALSE), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(small.Length, 0);
}

TEST(UnicodeString, AllocatingRoutinesUsePoolAndFree) {
    UNICODE_STRING src = RTL_CONSTANT_STRING(L"abc");
    UNICODE_STRING up{};
    ASSERT_EQ(RtlUpcaseUnicodeString(&up, &src, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(us(&up), u"ABC");
    RtlFreeUnicodeString(&up);
    EXPECT_EQ(up.Buffer, nullptr);
    EXPECT_EQ(up.Length, 0);

    UNICODE_STRING created{};
    ASSERT_TRUE(RtlCreateUnicodeString(&created, L"\\??\\C:"));
    EXPECT_EQ(us(&created), u"\\??\\C:");
    EXPECT_EQ(created.MaximumLength, created.Length + 2);
    EXPECT_EQ(created.Buffer[created.Length / 2], 0);
    RtlFreeUnicodeString(&created);
    RtlFreeUnicodeString(&created);  // freeing an empty string is harmless
}

}  // namespace
