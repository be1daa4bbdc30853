// The counted-string routines beyond the basic set, through the DDK surface: empty initializers,
// RtlInitAnsiStringEx limits, RtlCompareUnicodeStrings ordering, RtlValidateUnicodeString and
// RtlDuplicateUnicodeString with each flag and bad input.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlduplicateunicodestring
#include <gtest/gtest.h>

#include <string>

#include <ntifs.h>

#include "string_helpers.hpp"

namespace string_ex_test {
using ntio::test::us;
}  // namespace string_ex_test

using namespace string_ex_test;

TEST(RtlStringEx, InitEmptyStringsDescribeTheCallersBuffer) {
    WCHAR wide[8];
    UNICODE_STRING u{5, 5, nullptr};
    RtlInitEmptyUnicodeString(&u, wide, sizeof(wide));
    EXPECT_EQ(u.Length, 0);
    EXPECT_EQ(u.MaximumLength, sizeof(wide));
    EXPECT_EQ(u.Buffer, wide);
    CHAR narrow[5];
    ANSI_STRING a{3, 3, nullptr};
    RtlInitEmptyAnsiString(&a, narrow, sizeof(narrow));
    EXPECT_EQ(a.Length, 0);
    EXPECT_EQ(a.MaximumLength, 5);
    EXPECT_EQ(a.Buffer, narrow);
    RtlInitEmptyAnsiString(&a, nullptr, 0);  // a NULL buffer of size 0 is allowed
    EXPECT_EQ(a.Buffer, nullptr);
}

TEST(RtlStringEx, InitAnsiStringExCountsAndRefusesTooLong) {
    ANSI_STRING s;
    ASSERT_EQ(RtlInitAnsiStringEx(&s, "abc"), STATUS_SUCCESS);
    EXPECT_EQ(s.Length, 3);
    EXPECT_EQ(s.MaximumLength, 4);
    ASSERT_EQ(RtlInitAnsiStringEx(&s, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(s.Length, 0);
    EXPECT_EQ(s.Buffer, nullptr);
    std::string longest(MAXUSHORT - 1, 'x');
    ASSERT_EQ(RtlInitAnsiStringEx(&s, longest.c_str()), STATUS_SUCCESS);
    EXPECT_EQ(s.MaximumLength, MAXUSHORT);
    std::string too_long(MAXUSHORT, 'x');
    EXPECT_EQ(RtlInitAnsiStringEx(&s, too_long.c_str()), STATUS_NAME_TOO_LONG);
    EXPECT_EQ(s.Length, 0);
    EXPECT_EQ(RtlInitAnsiStringEx(nullptr, "a"), STATUS_INVALID_PARAMETER);
}

TEST(RtlStringEx, CompareUnicodeStringsOrdersByCharacterThenLength) {
    const WCHAR* abc = L"abc";
    const WCHAR* ABD = L"ABD";
    EXPECT_EQ(RtlCompareUnicodeStrings(abc, 3, abc, 3, FALSE), 0);
    EXPECT_GT(RtlCompareUnicodeStrings(abc, 3, ABD, 3, FALSE), 0);  // 'a' > 'A'
    EXPECT_LT(RtlCompareUnicodeStrings(abc, 3, ABD, 3, TRUE), 0);   // 'C' < 'D'
    EXPECT_LT(RtlCompareUnicodeStrings(abc, 2, abc, 3, FALSE), 0);
    EXPECT_GT(RtlCompareUnicodeStrings(abc, 3, ABD, 2, TRUE), 0);
    EXPECT_EQ(RtlCompareUnicodeStrings(nullptr, 0, nullptr, 0, TRUE), 0);  // nothing to read
}

TEST(RtlStringEx, ValidateUnicodeStringChecksTheCounts) {
    WCHAR buffer[4] = {'a', 'b', 0, 0};
    UNICODE_STRING good{4, 8, buffer};
    EXPECT_EQ(RtlValidateUnicodeString(0, &good), STATUS_SUCCESS);
    EXPECT_EQ(RtlValidateUnicodeString(1, &good), STATUS_INVALID_PARAMETER);
    UNICODE_STRING odd{3, 8, buffer}, over{10, 8, buffer}, no_buffer{0, 8, nullptr}, empty{0, 0, nullptr};
    EXPECT_EQ(RtlValidateUnicodeString(0, &odd), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlValidateUnicodeString(0, &over), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlValidateUnicodeString(0, &no_buffer), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlValidateUnicodeString(0, &empty), STATUS_SUCCESS);
    EXPECT_EQ(RtlValidateUnicodeString(0, nullptr), STATUS_SUCCESS);
}

TEST(RtlStringEx, DuplicateUnicodeStringCopiesWithAndWithoutTerminator) {
    UNICODE_STRING source = RTL_CONSTANT_STRING(L"\\Device\\X");
    UNICODE_STRING copy;
    ASSERT_EQ(RtlDuplicateUnicodeString(0, &source, &copy), STATUS_SUCCESS);
    EXPECT_NE(copy.Buffer, source.Buffer);
    EXPECT_EQ(us(&copy), us(&source));
    EXPECT_EQ(copy.MaximumLength, source.Length);
    RtlFreeUnicodeString(&copy);
    ASSERT_EQ(RtlDuplicateUnicodeString(RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE, &source, &copy), STATUS_SUCCESS);
    EXPECT_EQ(copy.MaximumLength, source.Length + sizeof(WCHAR));
    EXPECT_EQ(copy.Buffer[copy.Length / sizeof(WCHAR)], UNICODE_NULL);
    RtlFreeUnicodeString(&copy);
}

TEST(RtlStringEx, DuplicateOfAnEmptyStringAllocatesOnlyWhenAsked) {
    UNICODE_STRING empty{0, 0, nullptr};
    UNICODE_STRING copy{1, 1, reinterpret_cast<PWCH>(&copy)};
    ASSERT_EQ(RtlDuplicateUnicodeString(RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE, &empty, &copy), STATUS_SUCCESS);
    EXPECT_EQ(copy.Length, 0);
    EXPECT_EQ(copy.MaximumLength, 0);
    EXPECT_EQ(copy.Buffer, nullptr);
    ASSERT_EQ(RtlDuplicateUnicodeString(RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE |
                                            RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING,
                                        &empty, &copy),
              STATUS_SUCCESS);
    EXPECT_EQ(copy.Length, 0);
    EXPECT_EQ(copy.MaximumLength, sizeof(WCHAR));
    ASSERT_NE(copy.Buffer, nullptr);
    EXPECT_EQ(copy.Buffer[0], UNICODE_NULL);
    RtlFreeUnicodeString(&copy);
}

TEST(RtlStringEx, DuplicateRefusesBadInput) {
    UNICODE_STRING source = RTL_CONSTANT_STRING(L"abc");
    UNICODE_STRING copy{};
    EXPECT_EQ(RtlDuplicateUnicodeString(4, &source, &copy), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlDuplicateUnicodeString(RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING, &source, &copy),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlDuplicateUnicodeString(0, nullptr, &copy), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlDuplicateUnicodeString(0, &source, nullptr), STATUS_INVALID_PARAMETER);
    UNICODE_STRING odd{3, 8, source.Buffer};
    EXPECT_EQ(RtlDuplicateUnicodeString(0, &odd, &copy), STATUS_INVALID_PARAMETER);
    std::u16string big(0x7fff, u'x');
    UNICODE_STRING full{0xfffe, 0xfffe, reinterpret_cast<PWCH>(big.data())};
    EXPECT_EQ(RtlDuplicateUnicodeString(RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE, &full, &copy),
              STATUS_NAME_TOO_LONG);
    EXPECT_EQ(copy.Buffer, nullptr);
}
