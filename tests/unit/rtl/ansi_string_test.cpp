// ANSI_STRING routines, UTF-16 <-> ANSI (UTF-8) conversion statuses, integer conversions.
#include <gtest/gtest.h>

#include <cstring>

#include <wdm.h>

#include "string_helpers.hpp"

using ntio::test::as;
using ntio::test::us;

namespace {

TEST(AnsiString, InitCopyCompare) {
    ANSI_STRING a;
    RtlInitAnsiString(&a, "Hello");
    EXPECT_EQ(a.Length, 5);
    EXPECT_EQ(a.MaximumLength, 6);
    STRING n;
    RtlInitString(&n, nullptr);
    EXPECT_EQ(n.Length, 0);
    char buf[4];
    STRING dst{0, sizeof buf, buf};
    RtlCopyString(&dst, &a);
    EXPECT_EQ(as(&dst), "Hell");
    ANSI_STRING b;
    RtlInitAnsiString(&b, "hello");
    EXPECT_TRUE(RtlEqualString(&a, &b, TRUE));
    EXPECT_FALSE(RtlEqualString(&a, &b, FALSE));
    EXPECT_LT(RtlCompareString(&a, &b, FALSE), 0);
    EXPECT_EQ(RtlUpperChar('q'), 'Q');
}

TEST(AnsiString, UnicodeToAnsiTruncatesWithOverflow) {
    UNICODE_STRING src = RTL_CONSTANT_STRING(L"abcdef");
    char buf[4];
    ANSI_STRING dst{0, sizeof buf, buf};
    EXPECT_EQ(RtlUnicodeStringToAnsiString(&dst, &src, FALSE), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(as(&dst), "abc");
    EXPECT_EQ(buf[3], 0);
    ANSI_STRING none{0, 0, nullptr};
    EXPECT_EQ(RtlUnicodeStringToAnsiString(&none, &src, FALSE), STATUS_BUFFER_OVERFLOW);
    char exact[7];
    ANSI_STRING fit{0, sizeof exact, exact};
    EXPECT_EQ(RtlUnicodeStringToAnsiString(&fit, &src, FALSE), STATUS_SUCCESS);
    EXPECT_STREQ(exact, "abcdef");
    EXPECT_EQ(RtlxUnicodeStringToAnsiSize(&src), 7u);
}

TEST(AnsiString, AnsiToUnicodeDoesNotTruncate) {
    ANSI_STRING src;
    RtlInitAnsiString(&src, "abcdef");
    WCHAR buf[4] = {L'x', L'x', L'x', L'x'};
    UNICODE_STRING dst{0, sizeof buf, buf};
    EXPECT_EQ(RtlAnsiStringToUnicodeString(&dst, &src, FALSE), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(dst.Length, 0);
    EXPECT_EQ(buf[0], L'x');
    UNICODE_STRING alloc{};
    ASSERT_EQ(RtlAnsiStringToUnicodeString(&alloc, &src, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(us(&alloc), u"abcdef");
    EXPECT_EQ(alloc.MaximumLength, 14);
    RtlFreeUnicodeString(&alloc);
}

TEST(AnsiString, Utf8RoundTripAndAllocation) {
    UNICODE_STRING src = RTL_CONSTANT_STRING(L"\x00e9t\x00e9 \x0416");
    ANSI_STRING a{};
    ASSERT_EQ(RtlUnicodeStringToAnsiString(&a, &src, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(as(&a), "\xc3\xa9t\xc3\xa9 \xd0\x96");
    UNICODE_STRING back{};
    ASSERT_EQ(RtlAnsiStringToUnicodeString(&back, &a, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(us(&back), us(&src));
    RtlFreeAnsiString(&a);
    EXPECT_EQ(a.Buffer, nullptr);
    RtlFreeUnicodeString(&back);
}

TEST(AnsiString, UnicodeToAnsiDoesNotSplitCharacters) {
    UNICODE_STRING src = RTL_CONSTANT_STRING(L"a\x0416");  // 'a' + 2-byte sequence
    char buf[3];
    ANSI_STRING dst{0, sizeof buf, buf};
    EXPECT_EQ(RtlUnicodeStringToAnsiString(&dst, &src, FALSE), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(as(&dst), "a");
}

TEST(IntegerString, ToUnicode) {
    WCHAR buf[12];
    UNICODE_STRING s{0, sizeof buf, buf};
    EXPECT_EQ(RtlIntegerToUnicodeString(1234, 10, &s), STATUS_SUCCESS);
    EXPECT_EQ(us(&s), u"1234");
    EXPECT_EQ(RtlIntegerToUnicodeString(0xBEEF, 16, &s), STATUS_SUCCESS);
    EXPECT_EQ(us(&s), u"BEEF");
    EXPECT_EQ(RtlIntegerToUnicodeString(5, 2, &s), STATUS_SUCCESS);
    EXPECT_EQ(us(&s), u"101");
    EXPECT_EQ(RtlIntegerToUnicodeString(8, 0, &s), STATUS_SUCCESS);
    EXPECT_EQ(us(&s), u"8");
    EXPECT_EQ(RtlIntegerToUnicodeString(8, 7, &s), STATUS_INVALID_PARAMETER);
    WCHAR small[4];
    UNICODE_STRING t{0, sizeof small, small};
    EXPECT_EQ(RtlIntegerToUnicodeString(1234, 10, &t), STATUS_BUFFER_OVERFLOW);  // needs room for NUL
    EXPECT_EQ(RtlIntegerToUnicodeString(123, 10, &t), STATUS_SUCCESS);
    char c[3];
    EXPECT_EQ(RtlIntegerToChar(1234, 10, sizeof c, c), STATUS_BUFFER_OVERFLOW);
}

TEST(IntegerString, FromUnicode) {
    ULONG v = 0;
    UNICODE_STRING dec = RTL_CONSTANT_STRING(L"  42xyz");
    EXPECT_EQ(RtlUnicodeStringToInteger(&dec, 0, &v), STATUS_SUCCESS);
    EXPECT_EQ(v, 42u);
    UNICODE_STRING hex = RTL_CONSTANT_STRING(L"0x1F");
    EXPECT_EQ(RtlUnicodeStringToInteger(&hex, 0, &v), STATUS_SUCCESS);
    EXPECT_EQ(v, 31u);
    UNICODE_STRING bin = RTL_CONSTANT_STRING(L"0b101");
    EXPECT_EQ(RtlUnicodeStringToInteger(&bin, 0, &v), STATUS_SUCCESS);
    EXPECT_EQ(v, 5u);
    UNICODE_STRING neg = RTL_CONSTANT_STRING(L"-1");
    EXPECT_EQ(RtlUnicodeStringToInteger(&neg, 10, &v), STATUS_SUCCESS);
    EXPECT_EQ(v, 0xFFFFFFFFu);
    UNICODE_STRING ff = RTL_CONSTANT_STRING(L"ff");
    EXPECT_EQ(RtlUnicodeStringToInteger(&ff, 16, &v), STATUS_SUCCESS);
    EXPECT_EQ(v, 255u);
    EXPECT_EQ(RtlUnicodeStringToInteger(&ff, 3, &v), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlCharToInteger("017", 8, &v), STATUS_SUCCESS);
    EXPECT_EQ(v, 15u);
}

}  // namespace
