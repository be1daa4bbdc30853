// Large MCBs through the FsRtl routines, as Microsoft Learn documents them: runs merge when they
// continue each other, holes count as runs (LBN -1), a lookup inside the mapped range finds a run
// or a hole and one past it finds nothing, an overlapping add with other LBNs is refused, and
// remove, truncate and split reshape the mapping.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtllookuplargemcbentry
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtladdlargemcbentry
#include <gtest/gtest.h>

#include <ntifs.h>

#include <tuple>
#include <vector>

#include "support/system_fixture.hpp"

namespace {

// The large MCB routines take the MCB's guarded mutex, so they run on a thread of a System.
class LargeMcbTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        FsRtlInitializeLargeMcb(&m_mcb, PagedPool);
    }
    void TearDown() override {
        FsRtlUninitializeLargeMcb(&m_mcb);
        SystemTest::TearDown();
    }

    // Every run as (VBN, LBN, sectors), holes included.
    std::vector<std::tuple<LONGLONG, LONGLONG, LONGLONG>> runs() {
        std::vector<std::tuple<LONGLONG, LONGLONG, LONGLONG>> out;
        LONGLONG vbn, lbn, count;
        for (ULONG i = 0; FsRtlGetNextLargeMcbEntry(&m_mcb, i, &vbn, &lbn, &count); ++i) out.emplace_back(vbn, lbn, count);
        EXPECT_EQ(out.size(), FsRtlNumberOfRunsInLargeMcb(&m_mcb));
        return out;
    }

    LARGE_MCB m_mcb;
};

using Runs = std::vector<std::tuple<LONGLONG, LONGLONG, LONGLONG>>;

TEST_F(LargeMcbTest, runs_merge_and_holes_count)
{
    EXPECT_EQ(FsRtlNumberOfRunsInLargeMcb(&m_mcb), 0u);
    LONGLONG vbn = 0, lbn = 0;
    EXPECT_FALSE(FsRtlLookupLastLargeMcbEntry(&m_mcb, &vbn, &lbn));
    ASSERT_TRUE(FsRtlAddLargeMcbEntry(&m_mcb, 10, 100, 5));
    ASSERT_TRUE(FsRtlAddLargeMcbEntry(&m_mcb, 15, 105, 5));  // continues the first: one run
    ASSERT_TRUE(FsRtlAddLargeMcbEntry(&m_mcb, 30, 500, 2));
    EXPECT_EQ(runs(), Runs({{0, -1, 10}, {10, 100, 10}, {20, -1, 10}, {30, 500, 2}}));
    EXPECT_TRUE(FsRtlLookupLastLargeMcbEntry(&m_mcb, &vbn, &lbn));
    EXPECT_EQ(vbn, 31);
    EXPECT_EQ(lbn, 501);
    ULONG index = 99;
    EXPECT_TRUE(FsRtlLookupLastLargeMcbEntryAndIndex(&m_mcb, &vbn, &lbn, &index));
    EXPECT_EQ(index, 3u);
    // Adding what is already mapped is fine; mapping it elsewhere is refused and changes nothing.
    EXPECT_TRUE(FsRtlAddLargeMcbEntry(&m_mcb, 12, 102, 3));
    EXPECT_FALSE(FsRtlAddLargeMcbEntry(&m_mcb, 18, 700, 4));
    EXPECT_EQ(runs(), Runs({{0, -1, 10}, {10, 100, 10}, {20, -1, 10}, {30, 500, 2}}));
}

TEST_F(LargeMcbTest, lookups_find_runs_holes_and_nothing_past_the_end)
{
    ASSERT_TRUE(FsRtlAddLargeMcbEntry(&m_mcb, 4, 40, 4));
    ASSERT_TRUE(FsRtlAddLargeMcbEntry(&m_mcb, 12, 80, 2));
    LONGLONG lbn = 0, from_lbn = 0, start = 0, run = 0;
    ULONG index = 0;
    ASSERT_TRUE(FsRtlLookupLargeMcbEntry(&m_mcb, 6, &lbn, &from_lbn, &start, &run, &index));
    EXPECT_EQ(lbn, 42);
    EXPECT_EQ(from_lbn, 2);
    EXPECT_EQ(start, 40);
    EXPECT_EQ(run, 4);
    EXPECT_EQ(index, 1u);
    // A hole below the highest mapped VBN: TRUE, LBN -1.
    ASSERT_TRUE(FsRtlLookupLargeMcbEntry(&m_mcb, 9, &lbn, &from_lbn, nullptr, &run, &index));
    EXPECT_EQ(lbn, -1);
    EXPECT_EQ(from_lbn, 3);
    EXPECT_EQ(run, 4);
    EXPECT_EQ(index, 2u);
    ASSERT_TRUE(FsRtlLookupLargeMcbEntry(&m_mcb, 0, &lbn, nullptr, nullptr, nullptr, &index));
    EXPECT_EQ(lbn, -1);
    EXPECT_EQ(index, 0u);
    // Past the highest mapped VBN: FALSE.
    EXPECT_FALSE(FsRtlLookupLargeMcbEntry(&m_mcb, 14, &lbn, nullptr, nullptr, nullptr, nullptr));
    EXPECT_EQ(lbn, -1);
}

TEST_F(LargeMcbTest, remove_truncate_and_split_reshape_the_mapping)
{
    ASSERT_TRUE(FsRtlAddLargeMcbEntry(&m_mcb, 0, 1000, 20));
    FsRtlRemoveLargeMcbEntry(&m_mcb, 5, 5);
    EXPECT_EQ(runs(), Runs({{0, 1000, 5}, {5, -1, 5}, {10, 1010, 10}}));
    ASSERT_TRUE(FsRtlSplitLargeMcb(&m_mcb, 12, 3));
    EXPECT_EQ(runs(), Runs({{0, 1000, 5}, {5, -1, 5}, {10, 1010, 2}, {12, -1, 3}, {15, 1012, 8}}));
    FsRtlTruncateLargeMcb(&m_mcb, 16);
    EXPECT_EQ(runs(), Runs({{0, 1000, 5}, {5, -1, 5}, {10, 1010, 2}, {12, -1, 3}, {15, 1012, 1}}));
    // Filling the holes with the LBNs that continue their neighbours joins the runs again.
    ASSERT_TRUE(FsRtlAddLargeMcbEntry(&m_mcb, 5, 1005, 5));
    EXPECT_EQ(runs(), Runs({{0, 1000, 12}, {12, -1, 3}, {15, 1012, 1}}));
    FsRtlTruncateLargeMcb(&m_mcb, 0);
    EXPECT_EQ(FsRtlNumberOfRunsInLargeMcb(&m_mcb), 0u);
    FsRtlResetLargeMcb(&m_mcb, FALSE);
    EXPECT_EQ(FsRtlNumberOfRunsInLargeMcb(&m_mcb), 0u);
}

// The small MCB maps the same way with 32-bit numbers; a hole's LBN is (LBN)-1.
using SmallMcbTest = ntio::test::SystemTest;

TEST_F(SmallMcbTest, maps_with_32_bit_block_numbers)
{
    MCB mcb;
    FsRtlInitializeMcb(&mcb, PagedPool);
    ASSERT_TRUE(FsRtlAddMcbEntry(&mcb, 8, 800, 8));
    ASSERT_TRUE(FsRtlAddMcbEntry(&mcb, 16, 808, 8));
    EXPECT_EQ(FsRtlNumberOfRunsInMcb(&mcb), 2u);
    LBN lbn = 0;
    ULONG count = 0, index = 0;
    ASSERT_TRUE(FsRtlLookupMcbEntry(&mcb, 10, &lbn, &count, &index));
    EXPECT_EQ(lbn, 802u);
    EXPECT_EQ(count, 14u);
    EXPECT_EQ(index, 1u);
    ASSERT_TRUE(FsRtlLookupMcbEntry(&mcb, 3, &lbn, &count, &index));
    EXPECT_EQ(lbn, static_cast<LBN>(-1));
    EXPECT_FALSE(FsRtlLookupMcbEntry(&mcb, 24, &lbn, &count, &index));
    VBN vbn = 0;
    ASSERT_TRUE(FsRtlLookupLastMcbEntry(&mcb, &vbn, &lbn));
    EXPECT_EQ(vbn, 23u);
    EXPECT_EQ(lbn, 815u);
    FsRtlRemoveMcbEntry(&mcb, 8, 4);
    ASSERT_TRUE(FsRtlGetNextMcbEntry(&mcb, 1, &vbn, &lbn, &count));
    EXPECT_EQ(vbn, 12u);
    EXPECT_EQ(lbn, 804u);
    EXPECT_EQ(count, 12u);
    FsRtlTruncateMcb(&mcb, 0);
    EXPECT_EQ(FsRtlNumberOfRunsInMcb(&mcb), 0u);
    FsRtlUninitializeMcb(&mcb);
}

}  // namespace
