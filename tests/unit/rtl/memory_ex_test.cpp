// Pattern fill and compare, prefetch, RtlCopyLuid, the RtlStoreUlong and RtlInterlockedAndBits macros,
// and the LARGE_INTEGER inline helpers, through the DDK surface.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlfillmemoryulong
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <ntifs.h>

namespace memory_ex_test {

LARGE_INTEGER li(LONGLONG v) {
    LARGE_INTEGER r;
    r.QuadPart = v;
    return r;
}

}  // namespace memory_ex_test

using namespace memory_ex_test;

TEST(RtlMemoryEx, FillMemoryUlongRepeatsThePatternAndStaysInside) {
    std::vector<ULONG> buffer(6, 0);
    RtlFillMemoryUlong(buffer.data(), 4 * sizeof(ULONG), 0xA1B2C3D4u);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(buffer[i], 0xA1B2C3D4u);
    EXPECT_EQ(buffer[4], 0u);
    unsigned char odd[7] = {};
    RtlFillMemoryUlong(odd, 7, 0x01010101u);  // the 3-byte tail is not written
    EXPECT_EQ(odd[3], 1);
    EXPECT_EQ(odd[4], 0);
    RtlFillMemoryUlong(nullptr, 16, 1);
}

TEST(RtlMemoryEx, FillMemoryUlonglongRepeatsThePattern) {
    std::vector<ULONGLONG> buffer(3, 0);
    RtlFillMemoryUlonglong(buffer.data(), 2 * sizeof(ULONGLONG), 0x1122334455667788ull);
    EXPECT_EQ(buffer[0], 0x1122334455667788ull);
    EXPECT_EQ(buffer[1], 0x1122334455667788ull);
    EXPECT_EQ(buffer[2], 0u);
    RtlFillMemoryUlonglong(nullptr, 16, 1);
}

TEST(RtlMemoryEx, CompareMemoryUlongCountsMatchingBytes) {
    ULONG data[5] = {7, 7, 7, 8, 7};
    EXPECT_EQ(RtlCompareMemoryUlong(data, sizeof(data), 7), 3 * sizeof(ULONG));
    EXPECT_EQ(RtlCompareMemoryUlong(data, 2 * sizeof(ULONG), 7), 2 * sizeof(ULONG));
    EXPECT_EQ(RtlCompareMemoryUlong(data, sizeof(data), 9), 0u);
    EXPECT_EQ(RtlCompareMemoryUlong(data, 6, 7), sizeof(ULONG));  // a partial ULONG is not compared
    EXPECT_EQ(RtlCompareMemoryUlong(nullptr, 8, 7), 0u);
}

TEST(RtlMemoryEx, PrefetchIsOnlyAHint) {
    std::vector<char> buffer(4096, 'a');
    RtlPrefetchMemoryNonTemporal(buffer.data(), buffer.size());
    RtlPrefetchMemoryNonTemporal(nullptr, 1 << 20);  // never faults
    RtlPrefetchMemoryNonTemporal(buffer.data(), ~SIZE_T{0});  // does not spin over the address space
    EXPECT_EQ(buffer[100], 'a');
}

TEST(RtlMemoryEx, CopyLuid) {
    LUID source{0x89abcdefu, 0x1234}, dest{0, 0};
    RtlCopyLuid(&dest, &source);
    EXPECT_EQ(dest.LowPart, 0x89abcdefu);
    EXPECT_EQ(dest.HighPart, 0x1234);
    RtlCopyLuid(nullptr, &source);
    RtlCopyLuid(&dest, nullptr);
    EXPECT_EQ(dest.HighPart, 0x1234);
}

TEST(RtlMemoryEx, StoreUlongWritesUnaligned) {
    unsigned char bytes[8] = {};
    RtlStoreUlong(bytes + 1, 0x04030201u);
    EXPECT_EQ(bytes[0], 0);
    EXPECT_EQ(bytes[1], 1);
    EXPECT_EQ(bytes[4], 4);
    EXPECT_EQ(bytes[5], 0);
}

TEST(RtlMemoryEx, InterlockedAndBitsClearsAndReturnsTheOldValue) {
    volatile ULONG flags = 0xF0F0;
    EXPECT_EQ(static_cast<ULONG>(RtlInterlockedAndBits(&flags, 0x00FF)), 0xF0F0u);
    EXPECT_EQ(flags, 0x00F0u);
    RtlInterlockedAndBitsDiscardReturn(&flags, 0x0030);
    EXPECT_EQ(flags, 0x0030u);
}

TEST(RtlLargeInteger, ConversionsAndMultiplies) {
    EXPECT_EQ(RtlConvertLongToLargeInteger(-5).QuadPart, -5);
    EXPECT_EQ(RtlConvertUlongToLargeInteger(0xFFFFFFFFu).QuadPart, 0xFFFFFFFFll);
    EXPECT_EQ(RtlEnlargedIntegerMultiply(-70000, 70000).QuadPart, -4900000000ll);
    EXPECT_EQ(RtlEnlargedUnsignedMultiply(0xFFFFFFFFu, 2).QuadPart, 0x1FFFFFFFEll);
    EXPECT_EQ(RtlExtendedIntegerMultiply(li(1ll << 40), -3).QuadPart, -(3ll << 40));
}

TEST(RtlLargeInteger, DividesWithAndWithoutRemainder) {
    ULARGE_INTEGER dividend;
    dividend.QuadPart = 100;
    ULONG remainder = 0;
    EXPECT_EQ(RtlEnlargedUnsignedDivide(dividend, 7, &remainder), 14u);
    EXPECT_EQ(remainder, 2u);
    EXPECT_EQ(RtlEnlargedUnsignedDivide(dividend, 7, nullptr), 14u);
    EXPECT_EQ(RtlExtendedLargeIntegerDivide(li(10000000001ll), 10, &remainder).QuadPart, 1000000000ll);
    EXPECT_EQ(remainder, 1u);
    // Divide by 10 with the magic reciprocal ceil(2^67 / 10), shift 3.
    const LARGE_INTEGER magic = li(static_cast<LONGLONG>(0xCCCCCCCCCCCCCCCDull));
    EXPECT_EQ(RtlExtendedMagicDivide(li(1234567890123ll), magic, 3).QuadPart, 123456789012ll);
    EXPECT_EQ(RtlExtendedMagicDivide(li(-1234567890123ll), magic, 3).QuadPart, -123456789012ll);
}

TEST(RtlLargeInteger, AddSubtractNegateShift) {
    EXPECT_EQ(RtlLargeIntegerAdd(li(1ll << 40), li(5)).QuadPart, (1ll << 40) + 5);
    EXPECT_EQ(RtlLargeIntegerSubtract(li(5), li(7)).QuadPart, -2);
    EXPECT_EQ(RtlLargeIntegerNegate(li(42)).QuadPart, -42);
    EXPECT_EQ(RtlLargeIntegerShiftLeft(li(3), 40).QuadPart, 3ll << 40);
    EXPECT_EQ(RtlLargeIntegerShiftRight(li(-1), 60).QuadPart, 0xF);
    EXPECT_EQ(RtlLargeIntegerArithmeticShift(li(-256), 4).QuadPart, -16);
    // Overflow wraps as 64-bit two's complement arithmetic does, never traps.
    EXPECT_EQ(RtlLargeIntegerAdd(li(MAXLONGLONG), li(1)).QuadPart, (-MAXLONGLONG - 1));
    EXPECT_EQ(RtlLargeIntegerNegate(li((-MAXLONGLONG - 1))).QuadPart, (-MAXLONGLONG - 1));
}
