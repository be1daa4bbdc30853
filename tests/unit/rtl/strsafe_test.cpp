// <ntstrsafe.h>: size validation, truncation with termination, lengths, printf formats, and the
// UNICODE_STRING forms.
#include <gtest/gtest.h>

#include <ntstrsafe.h>

#include "string_helpers.hpp"

using ntio::test::us;
using ntio::test::wz;

namespace {

TEST(StrSafe, CopyValidatesAndTruncates) {
    wchar_t w[4];
    EXPECT_EQ(RtlStringCchCopyW(w, 4, L"abc"), STATUS_SUCCESS);
    EXPECT_EQ(wz(w), u"abc");
    EXPECT_EQ(RtlStringCchCopyW(w, 4, L"abcdef"), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(wz(w), u"abc");
    EXPECT_EQ(RtlStringCchCopyW(w, 0, L"a"), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlStringCchCopyW(w, NTSTRSAFE_MAX_CCH + 1ull, L"a"), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlStringCbCopyW(w, sizeof w, L"xyz"), STATUS_SUCCESS);
    EXPECT_EQ(RtlStringCbCopyW(w, 1, L"xyz"), STATUS_INVALID_PARAMETER);  // less than one WCHAR
    char a[3];
    EXPECT_EQ(RtlStringCbCopyA(a, sizeof a, "hello"), STATUS_BUFFER_OVERFLOW);
    EXPECT_STREQ(a, "he");
    EXPECT_EQ(RtlStringCchCopyA(a, sizeof a, "hi"), STATUS_SUCCESS);
    EXPECT_STREQ(a, "hi");
}

TEST(StrSafe, CopyN) {
    wchar_t w[8];
    EXPECT_EQ(RtlStringCbCopyNW(w, sizeof w, L"abcdef", 3 * sizeof(wchar_t)), STATUS_SUCCESS);
    EXPECT_EQ(wz(w), u"abc");
    EXPECT_EQ(RtlStringCbCopyNW(w, 3 * sizeof(wchar_t), L"abcdef", 5 * sizeof(wchar_t)), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(wz(w), u"ab");
    EXPECT_EQ(RtlStringCbCopyNW(w, sizeof w, L"abc", (size_t)NTSTRSAFE_MAX_CCH * sizeof(wchar_t)),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(w[0], 0);
}

TEST(StrSafe, Cat) {
    wchar_t w[6] = L"ab";
    EXPECT_EQ(RtlStringCchCatW(w, 6, L"cd"), STATUS_SUCCESS);
    EXPECT_EQ(wz(w), u"abcd");
    EXPECT_EQ(RtlStringCchCatW(w, 6, L"efg"), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(wz(w), u"abcde");
    wchar_t unterminated[2] = {L'x', L'y'};
    EXPECT_EQ(RtlStringCchCatW(unterminated, 2, L"z"), STATUS_INVALID_PARAMETER);
    char a[8] = "foo";
    EXPECT_EQ(RtlStringCbCatA(a, sizeof a, "bar"), STATUS_SUCCESS);
    EXPECT_STREQ(a, "foobar");
    EXPECT_EQ(RtlStringCbCatW(w, sizeof w, L""), STATUS_SUCCESS);
}

TEST(StrSafe, Length) {
    size_t n = 99;
    EXPECT_EQ(RtlStringCchLengthW(L"abcd", 10, &n), STATUS_SUCCESS);
    EXPECT_EQ(n, 4u);
    EXPECT_EQ(RtlStringCchLengthW(L"abcd", 4, &n), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(n, 0u);
    EXPECT_EQ(RtlStringCbLengthW(L"abcd", 100, &n), STATUS_SUCCESS);
    EXPECT_EQ(n, 8u);
    EXPECT_EQ(RtlStringCchLengthA(nullptr, 5, &n), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlStringCbLengthA("xyz", 4, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(RtlStringCchLengthA("xyz", NTSTRSAFE_MAX_CCH + 1ull, &n), STATUS_INVALID_PARAMETER);
}

TEST(StrSafe, PrintfNarrowFormats) {
    char b[128];
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"\\Device\\Null");
    ANSI_STRING an = RTL_CONSTANT_STRING("ansi");
    ASSERT_EQ(RtlStringCbPrintfA(b, sizeof b, "%d %i %u %x %X %08x|%-6s|%6s|%c", -5, 7, 3000000000u, 0xab, 0xab,
                                 0x1f, "ab", "cd", 'z'),
              STATUS_SUCCESS);
    EXPECT_STREQ(b, "-5 7 3000000000 ab AB 0000001f|ab    |    cd|z");
    ASSERT_EQ(RtlStringCbPrintfA(b, sizeof b, "%ws %S %ls %wZ %Z %C", L"w1", L"w2", L"w3", &u, &an, L'Q'),
              STATUS_SUCCESS);
    EXPECT_STREQ(b, "w1 w2 w3 \\Device\\Null ansi Q");
    ASSERT_EQ(RtlStringCbPrintfA(b, sizeof b, "%ld %lu %lx %I64x %llx %I64d %.3s %5.1f %%", (LONG)-1,
                                 (ULONG)4000000000u, (ULONG)0xdead, 0x123456789ull, 0xabcdef012ull, -9ll,
                                 "abcdef", 2.25),
              STATUS_SUCCESS);
    EXPECT_STREQ(b, "-1 4000000000 dead 123456789 abcdef012 -9 abc   2.2 %");
    ASSERT_EQ(RtlStringCbPrintfA(b, sizeof b, "%p|%s|%wZ", (void*)0x1234, (char*)nullptr, (PUNICODE_STRING) nullptr),
              STATUS_SUCCESS);
    EXPECT_STREQ(b, "0000000000001234|(null)|(null)");
    ASSERT_EQ(RtlStringCbPrintfA(b, sizeof b, "0X%08X %#x %+d % d %*d", 0xC0000022u, 0x10, 3, 4, 4, 7),
              STATUS_SUCCESS);
    EXPECT_STREQ(b, "0XC0000022 0x10 +3  4    7");
}

TEST(StrSafe, PrintfTruncates) {
    char b[6];
    EXPECT_EQ(RtlStringCchPrintfA(b, sizeof b, "%s", "123456789"), STATUS_BUFFER_OVERFLOW);
    EXPECT_STREQ(b, "12345");
    EXPECT_EQ(RtlStringCchPrintfA(b, sizeof b, "%s", "12345"), STATUS_SUCCESS);
    EXPECT_EQ(RtlStringCchPrintfA(b, 0, "%s", "x"), STATUS_INVALID_PARAMETER);
}

TEST(StrSafe, PrintfWideUsesMicrosoftStringRules) {
    wchar_t w[64];
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"uni");
    ASSERT_EQ(RtlStringCchPrintfW(w, 64, L"%s|%S|%hs|%ws|%wZ|%c|%C|%d|%04X", L"wide", "narrow", "h", L"ws", &u,
                                  L'W', 'n', 42, 0xbeef),
              STATUS_SUCCESS);
    EXPECT_EQ(wz(w), u"wide|narrow|h|ws|uni|W|n|42|BEEF");
    wchar_t small[4];
    EXPECT_EQ(RtlStringCbPrintfW(small, sizeof small, L"%d", 123456), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(wz(small), u"123");
}

TEST(StrSafe, UnicodeStringForms) {
    WCHAR buf[5];
    UNICODE_STRING dst{0, sizeof buf, buf};
    UNICODE_STRING src = RTL_CONSTANT_STRING(L"abc");
    EXPECT_EQ(RtlUnicodeStringCopy(&dst, &src), STATUS_SUCCESS);
    EXPECT_EQ(us(&dst), u"abc");
    EXPECT_EQ(RtlUnicodeStringCat(&dst, &src), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(us(&dst), u"abcab");
    EXPECT_EQ(RtlUnicodeStringCopyString(&dst, L"xy"), STATUS_SUCCESS);
    EXPECT_EQ(RtlUnicodeStringCatString(&dst, L"z"), STATUS_SUCCESS);
    EXPECT_EQ(us(&dst), u"xyz");
    EXPECT_EQ(RtlUnicodeStringPrintf(&dst, L"%d-%d", 12, 345), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(us(&dst), u"12-34");
    EXPECT_EQ(RtlUnicodeStringPrintf(&dst, L"%s", L"ok"), STATUS_SUCCESS);
    EXPECT_EQ(us(&dst), u"ok");
    UNICODE_STRING odd{1, sizeof buf, buf};
    EXPECT_EQ(RtlUnicodeStringCopy(&odd, &src), STATUS_INVALID_PARAMETER);
    UNICODE_STRING over{8, 4, buf};
    EXPECT_EQ(RtlUnicodeStringCatString(&over, L"a"), STATUS_INVALID_PARAMETER);
    UNICODE_STRING nobuf{0, 4, nullptr};
    EXPECT_EQ(RtlUnicodeStringValidate(&nobuf), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlUnicodeStringCopy(nullptr, &src), STATUS_INVALID_PARAMETER);
}

}  // namespace
