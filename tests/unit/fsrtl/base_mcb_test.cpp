// Base MCBs through the FsRtl*BaseMcb* routines, as Microsoft Learn documents them: the mapping a
// large MCB holds, without its guarded mutex. Runs merge, holes count as runs, the Ex routines
// answer with a BOOLEAN or an NTSTATUS, remove answers TRUE, split opens a hole, reset keeps the
// pair array's size; the large routines work on the same base MCB and honour SelfSynchronized.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlinitializebasemcbex
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtladdbasemcbentryex
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlremovebasemcbentry
#include <gtest/gtest.h>

#include <cstddef>
#include <limits>
#include <tuple>
#include <vector>

#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace base_mcb_test {

using Runs = std::vector<std::tuple<LONGLONG, LONGLONG, LONGLONG>>;

// Windows x64 layouts (ntifs.h).
static_assert(sizeof(BASE_MCB) == 24);
static_assert(offsetof(BASE_MCB, PoolType) == 8);
static_assert(offsetof(BASE_MCB, Flags) == 10);
static_assert(offsetof(BASE_MCB, Mapping) == 16);
static_assert(sizeof(LARGE_MCB) == 32);
static_assert(offsetof(LARGE_MCB, BaseMcb) == 8);

class BaseMcbTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        FsRtlInitializeBaseMcb(&m_mcb, PagedPool);
    }
    void TearDown() override {
        FsRtlUninitializeBaseMcb(&m_mcb);
        SystemTest::TearDown();
    }

    Runs runs() {
        Runs out;
        LONGLONG vbn, lbn, count;
        for (ULONG i = 0; FsRtlGetNextBaseMcbEntry(&m_mcb, i, &vbn, &lbn, &count); ++i) out.emplace_back(vbn, lbn, count);
        EXPECT_EQ(out.size(), FsRtlNumberOfRunsInBaseMcb(&m_mcb));
        return out;
    }

    BASE_MCB m_mcb;
};

TEST_F(BaseMcbTest, initialize_records_pool_type_and_flags) {
    EXPECT_EQ(m_mcb.PoolType, PagedPool);
    EXPECT_EQ(m_mcb.Flags, MCB_FLAG_RAISE_ON_ALLOCATION_FAILURE);  // the plain form raises
    EXPECT_EQ(m_mcb.PairCount, 0u);
    BASE_MCB ex;
    ASSERT_TRUE(FsRtlInitializeBaseMcbEx(&ex, NonPagedPool, 0));
    EXPECT_EQ(ex.PoolType, NonPagedPool);
    EXPECT_EQ(ex.Flags, 0);
    EXPECT_EQ(FsRtlNumberOfRunsInBaseMcb(&ex), 0u);
    FsRtlUninitializeBaseMcb(&ex);
}

TEST_F(BaseMcbTest, runs_merge_holes_count_and_conflicts_are_refused) {
    LONGLONG vbn = 0, lbn = 0;
    ULONG index = 0;
    EXPECT_FALSE(FsRtlLookupLastBaseMcbEntry(&m_mcb, &vbn, &lbn));
    EXPECT_FALSE(FsRtlLookupLastBaseMcbEntryAndIndex(&m_mcb, &vbn, &lbn, &index));
    ASSERT_TRUE(FsRtlAddBaseMcbEntry(&m_mcb, 10, 100, 5));
    ASSERT_EQ(FsRtlAddBaseMcbEntryEx(&m_mcb, 15, 105, 5), STATUS_SUCCESS);  // continues the first
    ASSERT_TRUE(FsRtlAddBaseMcbEntry(&m_mcb, 30, 500, 2));
    EXPECT_EQ(runs(), Runs({{0, -1, 10}, {10, 100, 10}, {20, -1, 10}, {30, 500, 2}}));
    EXPECT_EQ(m_mcb.PairCount, 4u);
    // Mapped as asked already: fine; mapped elsewhere: refused, nothing changes.
    EXPECT_EQ(FsRtlAddBaseMcbEntryEx(&m_mcb, 12, 102, 3), STATUS_SUCCESS);
    EXPECT_EQ(FsRtlAddBaseMcbEntryEx(&m_mcb, 18, 700, 4), STATUS_UNSUCCESSFUL);
    EXPECT_FALSE(FsRtlAddBaseMcbEntry(&m_mcb, 29, 498, 3));  // 30 is at 500, not at 499
    EXPECT_EQ(runs(), Runs({{0, -1, 10}, {10, 100, 10}, {20, -1, 10}, {30, 500, 2}}));
    ASSERT_TRUE(FsRtlLookupLastBaseMcbEntryAndIndex(&m_mcb, &vbn, &lbn, &index));
    EXPECT_EQ(vbn, 31);
    EXPECT_EQ(lbn, 501);
    EXPECT_EQ(index, 3u);
    ASSERT_TRUE(FsRtlLookupLastBaseMcbEntry(&m_mcb, &vbn, &lbn));
    EXPECT_EQ(vbn, 31);
    EXPECT_EQ(lbn, 501);
}

TEST_F(BaseMcbTest, bad_ranges_are_refused) {
    EXPECT_EQ(FsRtlAddBaseMcbEntryEx(&m_mcb, 0, 10, 0), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(FsRtlAddBaseMcbEntryEx(&m_mcb, 0, 10, -4), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(FsRtlAddBaseMcbEntryEx(&m_mcb, -1, 10, 4), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(FsRtlAddBaseMcbEntryEx(&m_mcb, 4, -10, 4), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(FsRtlAddBaseMcbEntryEx(&m_mcb, std::numeric_limits<LONGLONG>::max() - 1, 10, 4), STATUS_UNSUCCESSFUL);
    EXPECT_FALSE(FsRtlAddBaseMcbEntry(&m_mcb, 0, 10, 0));
    EXPECT_EQ(FsRtlNumberOfRunsInBaseMcb(&m_mcb), 0u);
    // Nothing to look up in an empty MCB.
    LONGLONG lbn = 7, start = 7;
    EXPECT_FALSE(FsRtlLookupBaseMcbEntry(&m_mcb, 0, &lbn, nullptr, &start, nullptr, nullptr));
    EXPECT_EQ(lbn, -1);
    EXPECT_EQ(start, -1);
    EXPECT_FALSE(FsRtlGetNextBaseMcbEntry(&m_mcb, 0, &lbn, &lbn, &lbn));
}

TEST_F(BaseMcbTest, lookups_find_runs_holes_and_nothing_past_the_end) {
    ASSERT_TRUE(FsRtlAddBaseMcbEntry(&m_mcb, 4, 40, 4));
    ASSERT_TRUE(FsRtlAddBaseMcbEntry(&m_mcb, 12, 80, 2));
    LONGLONG lbn = 0, from_lbn = 0, start = 0, run = 0;
    ULONG index = 0;
    ASSERT_TRUE(FsRtlLookupBaseMcbEntry(&m_mcb, 6, &lbn, &from_lbn, &start, &run, &index));
    EXPECT_EQ(lbn, 42);
    EXPECT_EQ(from_lbn, 2);
    EXPECT_EQ(start, 40);
    EXPECT_EQ(run, 4);
    EXPECT_EQ(index, 1u);
    ASSERT_TRUE(FsRtlLookupBaseMcbEntry(&m_mcb, 9, &lbn, &from_lbn, &start, &run, &index));  // a hole
    EXPECT_EQ(lbn, -1);
    EXPECT_EQ(start, -1);
    EXPECT_EQ(from_lbn, 3);
    EXPECT_EQ(run, 4);
    EXPECT_EQ(index, 2u);
    EXPECT_FALSE(FsRtlLookupBaseMcbEntry(&m_mcb, 14, &lbn, nullptr, nullptr, nullptr, nullptr));
    EXPECT_EQ(lbn, -1);
}

TEST_F(BaseMcbTest, remove_split_truncate_and_reset) {
    ASSERT_TRUE(FsRtlAddBaseMcbEntry(&m_mcb, 0, 1000, 20));
    EXPECT_TRUE(FsRtlRemoveBaseMcbEntry(&m_mcb, 5, 5));
    EXPECT_EQ(runs(), Runs({{0, 1000, 5}, {5, -1, 5}, {10, 1010, 10}}));
    EXPECT_TRUE(FsRtlRemoveBaseMcbEntry(&m_mcb, 7, 0));  // nothing to remove
    EXPECT_TRUE(FsRtlRemoveBaseMcbEntry(&m_mcb, 40, 10));  // nothing mapped there
    EXPECT_EQ(runs(), Runs({{0, 1000, 5}, {5, -1, 5}, {10, 1010, 10}}));
    ASSERT_TRUE(FsRtlSplitBaseMcb(&m_mcb, 12, 3));
    EXPECT_EQ(runs(), Runs({{0, 1000, 5}, {5, -1, 5}, {10, 1010, 2}, {12, -1, 3}, {15, 1012, 8}}));
    EXPECT_FALSE(FsRtlSplitBaseMcb(&m_mcb, 12, -3));
    EXPECT_FALSE(FsRtlSplitBaseMcb(&m_mcb, 0, std::numeric_limits<LONGLONG>::max()));  // would pass the largest VBN
    EXPECT_TRUE(FsRtlSplitBaseMcb(&m_mcb, 0, 0));
    EXPECT_EQ(runs(), Runs({{0, 1000, 5}, {5, -1, 5}, {10, 1010, 2}, {12, -1, 3}, {15, 1012, 8}}));
    FsRtlTruncateBaseMcb(&m_mcb, 16);
    EXPECT_EQ(runs(), Runs({{0, 1000, 5}, {5, -1, 5}, {10, 1010, 2}, {12, -1, 3}, {15, 1012, 1}}));
    EXPECT_EQ(m_mcb.MaximumPairCount, 5u);
    FsRtlResetBaseMcb(&m_mcb);
    EXPECT_EQ(FsRtlNumberOfRunsInBaseMcb(&m_mcb), 0u);
    EXPECT_EQ(m_mcb.PairCount, 0u);
    EXPECT_EQ(m_mcb.MaximumPairCount, 5u);  // the pair array does not shrink
    ASSERT_TRUE(FsRtlAddBaseMcbEntry(&m_mcb, 0, 1, 1));  // still usable
    FsRtlTruncateBaseMcb(&m_mcb, -5);
    EXPECT_EQ(FsRtlNumberOfRunsInBaseMcb(&m_mcb), 0u);
}

// A large MCB is a base MCB and a guarded mutex: what the base routines map the large ones see.
TEST_F(BaseMcbTest, a_large_mcb_is_a_base_mcb_and_a_guarded_mutex) {
    LARGE_MCB large;
    FsRtlInitializeLargeMcb(&large, PagedPool);
    ASSERT_NE(large.GuardedMutex, nullptr);
    ASSERT_TRUE(FsRtlAddBaseMcbEntry(&large.BaseMcb, 2, 20, 2));
    LONGLONG lbn = 0;
    ASSERT_TRUE(FsRtlLookupLargeMcbEntry(&large, 3, &lbn, nullptr, nullptr, nullptr, nullptr));
    EXPECT_EQ(lbn, 21);
    EXPECT_EQ(FsRtlNumberOfRunsInLargeMcb(&large), 2u);
    // SelfSynchronized: the caller holds the MCB's mutex, so reset must not take it again.
    KeAcquireGuardedMutex(large.GuardedMutex);
    FsRtlResetLargeMcb(&large, TRUE);
    KeReleaseGuardedMutex(large.GuardedMutex);
    EXPECT_EQ(FsRtlNumberOfRunsInBaseMcb(&large.BaseMcb), 0u);
    // Not self-synchronized: reset takes the mutex, and leaves it free.
    ASSERT_TRUE(FsRtlAddLargeMcbEntry(&large, 0, 5, 1));
    FsRtlResetLargeMcb(&large, FALSE);
    EXPECT_EQ(FsRtlNumberOfRunsInLargeMcb(&large), 0u);
    EXPECT_TRUE(KeTryToAcquireGuardedMutex(large.GuardedMutex));
    KeReleaseGuardedMutex(large.GuardedMutex);
    FsRtlUninitializeLargeMcb(&large);
}

}  // namespace base_mcb_test
