// The remaining LARGE_INTEGER helpers (RtlLargeIntegerDivide, RtlLargeIntegerAnd, the comparisons),
// the interlocked bit macros, the unaligned store and retrieve macros, RtlIntPtrToUnicodeString, the
// <ntifs.h> flag and offset macros and RtlCompareAltitudes, through the DDK surface.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtllargeintegerdivide
#include <gtest/gtest.h>

#include <cstring>

#include <ntifs.h>

namespace rtl_ntifs_macros_test {

LARGE_INTEGER large(LONGLONG v) {
    LARGE_INTEGER r;
    r.QuadPart = v;
    return r;
}

}  // namespace rtl_ntifs_macros_test

using namespace rtl_ntifs_macros_test;

TEST(RtlLargeIntegerDivide, SignedQuotientTruncatesAndRemainderTakesTheDividendsSign) {
    LARGE_INTEGER remainder = large(99);
    EXPECT_EQ(RtlLargeIntegerDivide(large(10000000007ll), large(10), &remainder).QuadPart, 1000000000ll);
    EXPECT_EQ(remainder.QuadPart, 7);
    EXPECT_EQ(RtlLargeIntegerDivide(large(-7), large(2), &remainder).QuadPart, -3);
    EXPECT_EQ(remainder.QuadPart, -1);
    EXPECT_EQ(RtlLargeIntegerDivide(large(7), large(-2), &remainder).QuadPart, -3);
    EXPECT_EQ(remainder.QuadPart, 1);
    EXPECT_EQ(RtlLargeIntegerDivide(large(1ll << 62), large(1ll << 31), nullptr).QuadPart, 1ll << 31);
}

TEST(RtlLargeIntegerMacros, AndAndComparisonsAreSigned64Bit) {
    LARGE_INTEGER result = large(0);
    RtlLargeIntegerAnd(result, large(0x1234567890ABCDEFll), large(0x0000FFFF0000FFFFll));
    EXPECT_EQ(result.QuadPart, 0x000056780000CDEFll);

    const LARGE_INTEGER minus = large(-1), big = large(1ll << 40), big_too = large(1ll << 40), zero = large(0);
    // The high parts differ only in sign for these two: a comparison of LowPart alone would be wrong.
    EXPECT_TRUE(RtlLargeIntegerEqualTo(big, big_too));
    EXPECT_FALSE(RtlLargeIntegerEqualTo(big, minus));
    EXPECT_TRUE(RtlLargeIntegerNotEqualTo(big, minus));
    EXPECT_TRUE(RtlLargeIntegerGreaterThan(big, minus));
    EXPECT_FALSE(RtlLargeIntegerGreaterThan(big, big_too));
    EXPECT_TRUE(RtlLargeIntegerGreaterThanOrEqualTo(big, big_too));
    EXPECT_TRUE(RtlLargeIntegerLessThan(minus, zero));
    EXPECT_TRUE(RtlLargeIntegerLessThanOrEqualTo(zero, zero));
    EXPECT_FALSE(RtlLargeIntegerLessThanOrEqualTo(big, zero));
    EXPECT_TRUE(RtlLargeIntegerEqualToZero(zero));
    EXPECT_FALSE(RtlLargeIntegerEqualToZero(large(1ll << 32)));  // only the high part set
    EXPECT_TRUE(RtlLargeIntegerNotEqualToZero(large(1ll << 32)));
    EXPECT_TRUE(RtlLargeIntegerGreaterThanZero(big));
    EXPECT_FALSE(RtlLargeIntegerGreaterThanZero(zero));
    EXPECT_TRUE(RtlLargeIntegerGreaterOrEqualToZero(zero));
    EXPECT_FALSE(RtlLargeIntegerGreaterOrEqualToZero(minus));
    EXPECT_TRUE(RtlLargeIntegerLessThanZero(minus));
    EXPECT_TRUE(RtlLargeIntegerLessOrEqualToZero(zero));
    EXPECT_FALSE(RtlLargeIntegerLessOrEqualToZero(big));
}

TEST(RtlInterlockedBits, SetClearXorReturnTheOldValue) {
    volatile LONG flags = 0x0F0;
    EXPECT_EQ(RtlInterlockedSetBits(&flags, 0x00F), 0x0F0);
    EXPECT_EQ(flags, 0x0FF);
    EXPECT_EQ(RtlInterlockedClearBits(&flags, 0x0F0), 0x0FF);
    EXPECT_EQ(flags, 0x00F);
    EXPECT_EQ(RtlInterlockedXorBits(&flags, 0x105), 0x00F);
    EXPECT_EQ(flags, 0x10A);
    RtlInterlockedSetBitsDiscardReturn(&flags, 0x1000);
    RtlInterlockedClearBitsDiscardReturn(&flags, 0x100);
    EXPECT_EQ(flags, 0x100A);
}

TEST(RtlStoreRetrieve, UnalignedStoresAndRetrievesKeepTheBytesAround) {
    unsigned char bytes[24];
    std::memset(bytes, 0xEE, sizeof bytes);
    RtlStoreUshort(bytes + 1, 0xA1B2);
    RtlStoreUlonglong(bytes + 5, 0x0102030405060708ull);
    RtlStoreUlongPtr(bytes + 13, static_cast<ULONG_PTR>(0x1122334455667788ull));
    EXPECT_EQ(bytes[0], 0xEE);
    EXPECT_EQ(bytes[21], 0xEE);
    USHORT us = 0;
    std::memcpy(&us, bytes + 1, sizeof us);
    EXPECT_EQ(us, 0xA1B2);
    ULONGLONG ull = 0;
    std::memcpy(&ull, bytes + 5, sizeof ull);
    EXPECT_EQ(ull, 0x0102030405060708ull);
    std::memcpy(&ull, bytes + 13, sizeof ull);
    EXPECT_EQ(ull, 0x1122334455667788ull);

    ULONG ul = 0;
    RtlRetrieveUlong(&ul, bytes + 5);  // odd source address
    EXPECT_EQ(ul, 0x05060708u);
    us = 0;
    RtlRetrieveUshort(&us, bytes + 1);
    EXPECT_EQ(us, 0xA1B2);
}

TEST(RtlIntPtrToUnicodeString, ConvertsTheWholePointerWidth) {
    WCHAR buffer[40];
    UNICODE_STRING text = {0, sizeof buffer, buffer};
    ASSERT_EQ(RtlIntPtrToUnicodeString(static_cast<ULONG_PTR>(0x123456789Aull), 16, &text), STATUS_SUCCESS);
    UNICODE_STRING expected = RTL_CONSTANT_STRING(L"123456789A");
    EXPECT_TRUE(RtlEqualUnicodeString(&text, &expected, FALSE));
    WCHAR small[2];
    UNICODE_STRING short_text = {0, sizeof small, small};
    EXPECT_EQ(RtlIntPtrToUnicodeString(static_cast<ULONG_PTR>(123456), 10, &short_text), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(RtlIntPtrToUnicodeString(static_cast<ULONG_PTR>(5), 7, &text), STATUS_INVALID_PARAMETER);
}

TEST(RtlNtifsMacros, FlagsAndOffsets) {
    ULONG flags = 0x10;
    EXPECT_EQ(FlagOn(flags, 0x30u), 0x10u);
    EXPECT_EQ(BooleanFlagOn(flags, 0x100u), FALSE);
    EXPECT_EQ(BooleanFlagOn(0x100000000ull, 0x100000000ull), TRUE);  // not truncated to a byte
    SetFlag(flags, 0x3u);
    EXPECT_EQ(flags, 0x13u);
    ClearFlag(flags, 0x11u);
    EXPECT_EQ(flags, 0x2u);

    char block[64];
    EXPECT_EQ(RtlOffsetToPointer(block, 40), block + 40);
    EXPECT_EQ(RtlPointerToOffset(block, block + 17), 17u);
}

TEST(RtlCompareAltitudes, OrdersDecimalAltitudesIgnoringLeadingAndTrailingZeros) {
    UNICODE_STRING low = RTL_CONSTANT_STRING(L"100.123456");
    UNICODE_STRING high = RTL_CONSTANT_STRING(L"03333");
    UNICODE_STRING high_too = RTL_CONSTANT_STRING(L"3333.000");
    UNICODE_STRING fraction = RTL_CONSTANT_STRING(L"3333.5");
    EXPECT_LT(RtlCompareAltitudes(&low, &high), 0);
    EXPECT_GT(RtlCompareAltitudes(&high, &low), 0);
    EXPECT_EQ(RtlCompareAltitudes(&high, &high_too), 0);
    EXPECT_LT(RtlCompareAltitudes(&high_too, &fraction), 0);
    // Counted strings: the characters past Length do not take part.
    WCHAR longer[] = L"33339";
    UNICODE_STRING counted = {4 * sizeof(WCHAR), sizeof longer, longer};
    EXPECT_EQ(RtlCompareAltitudes(&counted, &high), 0);
}
