// RTL_BITMAP through the DDK surface: each routine against a plain model of the bits, on random
// maps whose size is not a multiple of 32 (so the last word's spare bits matter), plus the edge
// cases Learn names (0xFFFFFFFF when no range fits, the search wrapping round from the hint).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_rtl_bitmap
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include <wdm.h>

namespace bitmap_test {

constexpr ULONG kNotFound = 0xFFFFFFFF;

// A bitmap in a buffer whose spare bits (past the size) are set, to catch a routine reading them.
struct Map {
    explicit Map(ULONG bits) : words((bits + 31) / 32 + 1, 0xFFFFFFFFu) {
        RtlInitializeBitMap(&header, words.data(), bits);
        RtlClearAllBits(&header);
    }
    std::vector<ULONG> words;
    RTL_BITMAP header;
    bool bit(ULONG i) const { return (words[i / 32] >> (i % 32)) & 1; }
};

ULONG model_count(const Map& map, ULONG start, ULONG length, bool set) {
    ULONG n = 0;
    for (ULONG i = start; i < start + length && i < map.header.SizeOfBitMap; ++i) n += map.bit(i) == set;
    return n;
}

// The longest clear run in the model, first on ties.
std::pair<ULONG, ULONG> model_longest(const Map& map) {
    ULONG best_start = map.header.SizeOfBitMap, best = 0;
    for (ULONG i = 0; i < map.header.SizeOfBitMap;) {
        if (map.bit(i)) { ++i; continue; }
        ULONG j = i;
        while (j < map.header.SizeOfBitMap && !map.bit(j)) ++j;
        if (j - i > best) best = j - i, best_start = i;
        i = j;
    }
    return {best_start, best};
}

TEST(RtlBitmapTest, set_clear_and_test_touch_only_the_named_bits) {
    Map map(100);
    RtlSetBits(&map.header, 30, 5);  // crosses a word boundary
    for (ULONG i = 0; i < 100; ++i) EXPECT_EQ(RtlTestBit(&map.header, i), i >= 30 && i < 35) << i;
    RtlClearBit(&map.header, 32);
    EXPECT_FALSE(RtlCheckBit(&map.header, 32));
    RtlSetBit(&map.header, 99);
    EXPECT_TRUE(RtlTestBit(&map.header, 99));
    EXPECT_EQ(RtlNumberOfSetBits(&map.header), 5u);
    EXPECT_EQ(RtlNumberOfClearBits(&map.header), 95u);
    // The spare bits of the last word keep their value (set), and the word past the map is untouched.
    EXPECT_EQ(map.words[3] >> 4, 0x0FFFFFFFu);
    EXPECT_EQ(map.words[4], 0xFFFFFFFFu);
    RtlSetAllBits(&map.header);
    EXPECT_EQ(RtlNumberOfSetBits(&map.header), 100u);
    ULONG none = 0;
    EXPECT_EQ(RtlFindFirstRunClear(&map.header, &none), 0u);
}

TEST(RtlBitmapTest, a_range_past_the_end_is_clipped_and_never_all_clear) {
    Map map(40);
    RtlSetBits(&map.header, 38, 100);
    EXPECT_EQ(RtlNumberOfSetBits(&map.header), 2u);
    EXPECT_EQ(map.words[2], 0xFFFFFFFFu);
    EXPECT_FALSE(RtlAreBitsClear(&map.header, 30, 20));
    EXPECT_TRUE(RtlAreBitsClear(&map.header, 0, 38));
    EXPECT_FALSE(RtlAreBitsClear(&map.header, 0, 39));
    EXPECT_TRUE(RtlAreBitsSet(&map.header, 38, 2));
    EXPECT_FALSE(RtlAreBitsSet(&map.header, 38, 3));
    EXPECT_FALSE(RtlTestBit(&map.header, 40));
}

TEST(RtlBitmapTest, find_starts_at_the_hint_then_wraps_round) {
    Map map(64);
    RtlSetAllBits(&map.header);
    RtlClearBits(&map.header, 4, 3);
    RtlClearBits(&map.header, 40, 3);
    EXPECT_EQ(RtlFindClearBits(&map.header, 3, 10), 40u);
    EXPECT_EQ(RtlFindClearBits(&map.header, 3, 41), 4u);   // nothing after the hint: from the start
    EXPECT_EQ(RtlFindClearBits(&map.header, 2, 41), 41u);  // the run holding the hint, from the hint
    EXPECT_EQ(RtlFindClearBits(&map.header, 4, 0), kNotFound);
    EXPECT_EQ(RtlFindClearBits(&map.header, 65, 0), kNotFound);
    EXPECT_EQ(RtlFindClearBits(&map.header, 3, 1000), 4u);  // a hint past the end starts at 0
    EXPECT_EQ(RtlFindClearBitsAndSet(&map.header, 3, 0), 4u);
    EXPECT_EQ(RtlFindClearBitsAndSet(&map.header, 3, 0), 40u);
    EXPECT_EQ(RtlFindClearBitsAndSet(&map.header, 1, 0), kNotFound);
    EXPECT_EQ(RtlNumberOfClearBits(&map.header), 0u);
    EXPECT_EQ(RtlFindSetBitsAndClear(&map.header, 64, 7), 0u);
    EXPECT_EQ(RtlNumberOfSetBits(&map.header), 0u);
    EXPECT_EQ(RtlFindSetBits(&map.header, 1, 0), kNotFound);
}

TEST(RtlBitmapTest, runs_forward_backward_longest_and_listed) {
    Map map(70);
    RtlSetAllBits(&map.header);
    RtlClearBits(&map.header, 2, 3);    // 2-4
    RtlClearBits(&map.header, 10, 20);  // 10-29
    RtlClearBits(&map.header, 60, 10);  // 60-69, to the end
    ULONG start = 0;
    EXPECT_EQ(RtlFindFirstRunClear(&map.header, &start), 3u);
    EXPECT_EQ(start, 2u);
    EXPECT_EQ(RtlFindNextForwardRunClear(&map.header, 5, &start), 20u);
    EXPECT_EQ(start, 10u);
    EXPECT_EQ(RtlFindNextForwardRunClear(&map.header, 15, &start), 15u);
    EXPECT_EQ(start, 15u);
    EXPECT_EQ(RtlFindNextForwardRunClear(&map.header, 65, &start), 5u);
    EXPECT_EQ(start, 65u);
    EXPECT_EQ(RtlFindLastBackwardRunClear(&map.header, 50, &start), 20u);
    EXPECT_EQ(start, 10u);
    EXPECT_EQ(RtlFindLastBackwardRunClear(&map.header, 12, &start), 3u);
    EXPECT_EQ(start, 10u);
    EXPECT_EQ(RtlFindLastBackwardRunClear(&map.header, 1, &start), 0u);
    EXPECT_EQ(RtlFindLongestRunClear(&map.header, &start), 20u);
    EXPECT_EQ(start, 10u);

    RTL_BITMAP_RUN runs[2];
    ASSERT_EQ(RtlFindClearRuns(&map.header, runs, 2, FALSE), 2u);
    EXPECT_EQ(runs[0].StartingIndex, 2u);
    EXPECT_EQ(runs[0].NumberOfBits, 3u);
    EXPECT_EQ(runs[1].StartingIndex, 10u);
    ASSERT_EQ(RtlFindClearRuns(&map.header, runs, 2, TRUE), 2u);
    EXPECT_EQ(runs[0].StartingIndex, 10u);
    EXPECT_EQ(runs[0].NumberOfBits, 20u);
    EXPECT_EQ(runs[1].StartingIndex, 60u);
    EXPECT_EQ(runs[1].NumberOfBits, 10u);
    RtlSetAllBits(&map.header);
    EXPECT_EQ(RtlFindClearRuns(&map.header, runs, 2, TRUE), 0u);
    EXPECT_EQ(RtlFindLongestRunClear(&map.header, &start), 0u);
}

TEST(RtlBitmapTest, random_maps_agree_with_a_model) {
    std::mt19937 rng(1234);
    for (int round = 0; round < 200; ++round) {
        const ULONG bits = 1 + rng() % 300;
        Map map(bits);
        for (int op = 0; op < 20; ++op) {
            const ULONG at = rng() % bits, count = rng() % 40;
            if (rng() & 1) RtlSetBits(&map.header, at, count);
            else RtlClearBits(&map.header, at, count);
        }
        const ULONG at = rng() % bits, length = rng() % 64;
        ASSERT_EQ(RtlNumberOfSetBits(&map.header), model_count(map, 0, bits, true));
        ASSERT_EQ(RtlNumberOfClearBitsInRange(&map.header, at, length), model_count(map, at, length, false));
        ASSERT_EQ(RtlNumberOfSetBitsInRange(&map.header, at, length), model_count(map, at, length, true));
        const bool fits = at + length <= bits;
        ASSERT_EQ(RtlAreBitsClear(&map.header, at, length) != FALSE, fits && model_count(map, at, length, false) == length);
        ULONG start = 0;
        const auto [model_start, model_length] = model_longest(map);
        ASSERT_EQ(RtlFindLongestRunClear(&map.header, &start), model_length);
        if (model_length) {
            ASSERT_EQ(start, model_start);
        }
        const ULONG want = 1 + rng() % 8;
        const ULONG found = RtlFindClearBits(&map.header, want, at);
        if (found == kNotFound) {
            ASSERT_LT(model_length, want);
        } else {
            ASSERT_LE(found + want, bits);
            ASSERT_EQ(model_count(map, found, want, false), want);
        }
    }
}

TEST(RtlBitmapTest, bit_scans_of_a_64_bit_value) {
    EXPECT_EQ(RtlFindMostSignificantBit(0), -1);
    EXPECT_EQ(RtlFindLeastSignificantBit(0), -1);
    EXPECT_EQ(RtlFindMostSignificantBit(0x8000000000000001ULL), 63);
    EXPECT_EQ(RtlFindLeastSignificantBit(0x8000000000000001ULL), 0);
    EXPECT_EQ(RtlFindLeastSignificantBit(0x50), 4);
    EXPECT_EQ(RtlNumberOfSetBitsUlongPtr(0xF0F0), 8u);
}

}  // namespace bitmap_test
