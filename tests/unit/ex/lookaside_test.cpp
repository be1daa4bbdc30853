// Lookaside lists: statistics as the WDK's inline routines keep them, Depth limits, custom
// Allocate/Free routines, delete/flush returning entries, and the LOOKASIDE_LIST_EX flag checks.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ex/pool.hpp"
#include "support/system_fixture.hpp"
#include "unit/ex/ex_test_support.hpp"

using ntio::ex::pool_usage;

namespace {

class LookasideTest : public ntio::test::SystemTest {};

int g_allocs = 0;
int g_frees = 0;
POOL_TYPE g_type;
SIZE_T g_size = 0;
PLOOKASIDE_LIST_EX g_list = nullptr;

PVOID NTAPI counting_allocate(POOL_TYPE type, SIZE_T size, ULONG tag) {
    ++g_allocs;
    g_type = type;
    g_size = size;
    return ExAllocatePoolWithTag(type, size, tag);
}
VOID NTAPI counting_free(PVOID p) {
    ++g_frees;
    ExFreePool(p);
}
PVOID NTAPI counting_allocate_ex(POOL_TYPE type, SIZE_T size, ULONG tag, PLOOKASIDE_LIST_EX list) {
    g_list = list;
    return counting_allocate(type, size, tag);
}
VOID NTAPI counting_free_ex(PVOID p, PLOOKASIDE_LIST_EX list) {
    g_list = list;
    counting_free(p);
}

TEST_F(LookasideTest, npaged_statistics_follow_hits_and_misses) {
    g_allocs = g_frees = 0;
    NPAGED_LOOKASIDE_LIST list;
    ExInitializeNPagedLookasideList(&list, counting_allocate, counting_free, POOL_NX_ALLOCATION, 40, 'aLxE', 0);
    EXPECT_EQ(list.L.Size, 40u);
    EXPECT_EQ(list.L.Tag, static_cast<ULONG>('aLxE'));
    EXPECT_EQ(list.L.Type, static_cast<POOL_TYPE>(NonPagedPool | POOL_NX_ALLOCATION));
    const USHORT depth = list.L.Depth;
    EXPECT_GE(depth, 1);
    EXPECT_EQ(list.L.MaximumDepth, 256);

    PVOID entries[16];
    for (auto& e : entries) e = ExAllocateFromNPagedLookasideList(&list);
    EXPECT_EQ(list.L.TotalAllocates, 16u);
    EXPECT_EQ(list.L.AllocateMisses, 16u);
    EXPECT_EQ(g_allocs, 16);
    EXPECT_EQ(g_type, static_cast<POOL_TYPE>(NonPagedPool | POOL_NX_ALLOCATION));
    EXPECT_EQ(g_size, 40u);

    for (auto e : entries) ExFreeToNPagedLookasideList(&list, e);
    EXPECT_EQ(list.L.TotalFrees, 16u);
    EXPECT_EQ(list.L.FreeMisses, 16u - depth);  // beyond Depth they go straight to Free
    EXPECT_EQ(g_frees, 16 - depth);
    EXPECT_EQ(ExQueryDepthSList(&list.L.ListHead), depth);

    PVOID again = ExAllocateFromNPagedLookasideList(&list);  // a hit: no Allocate call
    EXPECT_EQ(list.L.TotalAllocates, 17u);
    EXPECT_EQ(list.L.AllocateMisses, 16u);
    EXPECT_EQ(g_allocs, 16);
    ExFreeToNPagedLookasideList(&list, again);

    ExDeleteNPagedLookasideList(&list);
    EXPECT_EQ(g_frees, 16);
    EXPECT_EQ(pool_usage('aLxE').blocks_outstanding(), 0u);
}

TEST_F(LookasideTest, depth_grows_while_the_list_keeps_missing) {
    PAGED_LOOKASIDE_LIST list;
    ExInitializePagedLookasideList(&list, nullptr, nullptr, 0, 24, 'dLxE', 0);
    const USHORT initial = list.L.Depth;
    std::vector<PVOID> live;
    for (int i = 0; i < 300; ++i) live.push_back(ExAllocateFromPagedLookasideList(&list));
    EXPECT_GT(list.L.Depth, initial);
    EXPECT_LE(list.L.Depth, list.L.MaximumDepth);
    for (PVOID p : live) ExFreeToPagedLookasideList(&list, p);
    EXPECT_EQ(ExQueryDepthSList(&list.L.ListHead), list.L.Depth);
    ExDeletePagedLookasideList(&list);
    EXPECT_EQ(pool_usage('dLxE').blocks_outstanding(), 0u);
}

TEST_F(LookasideTest, lookaside_ex_passes_the_list_to_its_routines_and_flushes) {
    g_allocs = g_frees = 0;
    g_list = nullptr;
    LOOKASIDE_LIST_EX list;
    ASSERT_EQ(ExInitializeLookasideListEx(&list, counting_allocate_ex, counting_free_ex, NonPagedPoolNx, 0, 64,
                                          'xLxE', 0),
              STATUS_SUCCESS);
    PVOID a = ExAllocateFromLookasideListEx(&list);
    PVOID b = ExAllocateFromLookasideListEx(&list);
    EXPECT_EQ(g_list, &list);
    ExFreeToLookasideListEx(&list, a);
    ExFreeToLookasideListEx(&list, b);
    EXPECT_EQ(ExQueryDepthSList(&list.L.ListHead), 2);
    ExFlushLookasideListEx(&list);
    EXPECT_EQ(ExQueryDepthSList(&list.L.ListHead), 0);
    EXPECT_EQ(g_frees, 2);
    ExDeleteLookasideListEx(&list);
    EXPECT_EQ(pool_usage('xLxE').blocks_outstanding(), 0u);
}

TEST_F(LookasideTest, lookaside_ex_rejects_unknown_or_conflicting_flags) {
    LOOKASIDE_LIST_EX list;
    EXPECT_EQ(ExInitializeLookasideListEx(&list, nullptr, nullptr, PagedPool, 0x100, 32, 'fLxE', 0),
              STATUS_INVALID_PARAMETER_5);
    EXPECT_EQ(ExInitializeLookasideListEx(&list, nullptr, nullptr, PagedPool,
                                          EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL |
                                              EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE,
                                          32, 'fLxE', 0),
              STATUS_INVALID_PARAMETER_5);
    ASSERT_EQ(ExInitializeLookasideListEx(&list, nullptr, nullptr, PagedPool, EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL,
                                          32, 'fLxE', 0),
              STATUS_SUCCESS);
    EXPECT_EQ(list.L.Type, static_cast<POOL_TYPE>(PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE));
    ExDeleteLookasideListEx(&list);
}

}  // namespace
