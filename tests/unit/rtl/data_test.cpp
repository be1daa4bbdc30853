// Checksums, GUID strings, string hashes, byte order and stack back traces through the DDK surface.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlcomputecrc32
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlguidfromstring
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlhashunicodestring
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlcapturestackbacktrace
#include <gtest/gtest.h>

#include <cstring>

#include <wdm.h>

#include "string_helpers.hpp"

namespace data_test {

TEST(RtlComputeCrc32Test, is_the_ieee_crc_and_continues_from_a_partial_value) {
    const char text[] = "123456789";
    EXPECT_EQ(RtlComputeCrc32(0, text, 9), 0xCBF43926u);  // the standard check value
    EXPECT_EQ(RtlComputeCrc32(RtlComputeCrc32(0, text, 4), text + 4, 5), 0xCBF43926u);
    EXPECT_EQ(RtlComputeCrc32(0, text, 0), 0u);
}

TEST(RtlGuidStringTest, round_trips_in_upper_case_braces) {
    // {6B29FC40-CA47-1067-B31D-00DD010662DA}
    const GUID guid = {0x6B29FC40, 0xCA47, 0x1067, {0xB3, 0x1D, 0x00, 0xDD, 0x01, 0x06, 0x62, 0xDA}};
    UNICODE_STRING text{};
    ASSERT_EQ(RtlStringFromGUID(guid, &text), STATUS_SUCCESS);
    EXPECT_EQ(ntio::test::us(&text), ntio::test::wz(L"{6B29FC40-CA47-1067-B31D-00DD010662DA}"));
    EXPECT_EQ(text.MaximumLength, text.Length + sizeof(WCHAR));
    EXPECT_EQ(text.Buffer[text.Length / sizeof(WCHAR)], L'\0');
    GUID back{};
    ASSERT_EQ(RtlGUIDFromString(&text, &back), STATUS_SUCCESS);
    EXPECT_TRUE(IsEqualGUID(back, guid));
    RtlFreeUnicodeString(&text);
    EXPECT_EQ(text.Buffer, nullptr);

    UNICODE_STRING lower = RTL_CONSTANT_STRING(L"{6b29fc40-ca47-1067-b31d-00dd010662da}");
    ASSERT_EQ(RtlGUIDFromString(&lower, &back), STATUS_SUCCESS);
    EXPECT_TRUE(IsEqualGUID(back, guid));
}

TEST(RtlGuidStringTest, malformed_strings_are_invalid_parameters) {
    GUID guid{};
    const wchar_t* bad[] = {L"6B29FC40-CA47-1067-B31D-00DD010662DA",    // no braces
                            L"{6B29FC40-CA47-1067-B31D-00DD010662DA",   // one brace
                            L"{6B29FC40-CA47-1067-B31D-00DD010662DG}",  // not hex
                            L"{6B29FC40+CA47-1067-B31D-00DD010662DA}",  // not a dash
                            L"{6B29FC40-CA47-1067-B31D-00DD010662DA} "};
    for (const wchar_t* text : bad) {
        UNICODE_STRING string;
        RtlInitUnicodeString(&string, text);
        EXPECT_EQ(RtlGUIDFromString(&string, &guid), STATUS_INVALID_PARAMETER);
    }
    EXPECT_EQ(RtlGUIDFromString(nullptr, &guid), STATUS_INVALID_PARAMETER);
}

TEST(RtlHashUnicodeStringTest, is_x65599_and_folds_case_on_request) {
    UNICODE_STRING upper = RTL_CONSTANT_STRING(L"AB");
    UNICODE_STRING lower = RTL_CONSTANT_STRING(L"ab");
    ULONG hash = 0, other = 0;
    ASSERT_EQ(RtlHashUnicodeString(&upper, FALSE, HASH_STRING_ALGORITHM_X65599, &hash), STATUS_SUCCESS);
    EXPECT_EQ(hash, ULONG{'A'} * 65599u + 'B');
    ASSERT_EQ(RtlHashUnicodeString(&lower, FALSE, HASH_STRING_ALGORITHM_DEFAULT, &other), STATUS_SUCCESS);
    EXPECT_NE(other, hash);
    ASSERT_EQ(RtlHashUnicodeString(&lower, TRUE, HASH_STRING_ALGORITHM_DEFAULT, &other), STATUS_SUCCESS);
    EXPECT_EQ(other, hash);
    EXPECT_EQ(RtlHashUnicodeString(&lower, TRUE, 7, &other), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlHashUnicodeString(&lower, TRUE, HASH_STRING_ALGORITHM_INVALID, &other), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlHashUnicodeString(nullptr, TRUE, 0, &other), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlHashUnicodeString(&lower, TRUE, 0, nullptr), STATUS_INVALID_PARAMETER);
}

TEST(RtlByteSwapTest, reverses_the_bytes) {
    EXPECT_EQ(RtlUshortByteSwap(0x1234), 0x3412);
    EXPECT_EQ(RtlUlongByteSwap(0x12345678u), 0x78563412u);
    EXPECT_EQ(RtlUlonglongByteSwap(0x0102030405060708ULL), 0x0807060504030201ULL);
}

// Three nested frames that each capture, so the traces can be compared level by level.
[[gnu::noinline]] USHORT capture_here(ULONG skip, PVOID* frames, ULONG count, PULONG hash) {
    const USHORT n = RtlCaptureStackBackTrace(skip, count, frames, hash);
    asm volatile("" ::: "memory");
    return n;
}
[[gnu::noinline]] USHORT one_level_up(ULONG skip, PVOID* frames, ULONG count, PULONG hash) {
    const USHORT n = capture_here(skip, frames, count, hash);
    asm volatile("" ::: "memory");
    return n;
}
PVOID g_callers[2];
PVOID g_after;  // an address in calls_the_asker after its call to ask_for_callers
[[gnu::noinline]] void ask_for_callers() {
    RtlGetCallersAddress(&g_callers[0], &g_callers[1]);
    asm volatile("" ::: "memory");
}
[[gnu::noinline]] void calls_the_asker() {
    ask_for_callers();
    asm volatile("" ::: "memory");
    RtlCaptureStackBackTrace(0, 1, &g_after, nullptr);
    asm volatile("" ::: "memory");
}

TEST(RtlCaptureStackBackTraceTest, skips_the_frames_asked_and_hashes_what_it_returns) {
    PVOID all[8] = {};
    ULONG hash = 0;
    const USHORT n = one_level_up(0, all, 8, &hash);
    ASSERT_GE(n, 3);
    // all[0] lies in capture_here, all[1] in one_level_up.
    PVOID skipped[8] = {};
    ASSERT_GE(one_level_up(1, skipped, 8, nullptr), 2);
    EXPECT_EQ(skipped[0], all[1]);
    ULONG sum = 0;
    for (USHORT i = 0; i < n; ++i) sum += static_cast<ULONG>(reinterpret_cast<ULONG_PTR>(all[i]));
    EXPECT_EQ(hash, sum);
    PVOID two[2] = {};
    EXPECT_EQ(one_level_up(0, two, 2, nullptr), 2);
    EXPECT_EQ(two[1], all[1]);
    EXPECT_EQ(RtlCaptureStackBackTrace(0, 0, two, nullptr), 0);
    EXPECT_EQ(RtlWalkFrameChain(two, 2, 1), 0u);  // no user-mode stack to walk
}

TEST(RtlGetCallersAddressTest, names_the_callers_caller) {
    calls_the_asker();
    // g_callers[0] lies in calls_the_asker, after its start and before the later call's return address.
    const auto start = reinterpret_cast<ULONG_PTR>(&calls_the_asker);
    const auto address = reinterpret_cast<ULONG_PTR>(g_callers[0]);
    EXPECT_GT(address, start);
    EXPECT_LT(address, reinterpret_cast<ULONG_PTR>(g_after));
    EXPECT_NE(g_callers[1], nullptr);
}

}  // namespace data_test
