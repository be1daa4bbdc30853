// SLIST: LIFO order, depth, sequence and the ExInterlocked aliases (single-threaded mechanics; the
// concurrent invariants are in the stress suite).
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

#include "support/system_fixture.hpp"
#include "unit/ex/ex_test_support.hpp"

namespace {

struct Node {
    SLIST_ENTRY link;
    int value;
};

TEST(SListTest, push_pop_is_lifo_and_tracks_depth) {
    SLIST_HEADER head;
    InitializeSListHead(&head);
    Node nodes[3];
    EXPECT_EQ(QueryDepthSList(&head), 0);
    EXPECT_EQ(InterlockedPopEntrySList(&head), nullptr);
    for (int i = 0; i < 3; ++i) {
        nodes[i].value = i;
        PSLIST_ENTRY previous = InterlockedPushEntrySList(&head, &nodes[i].link);
        EXPECT_EQ(previous, i == 0 ? nullptr : &nodes[i - 1].link);
    }
    EXPECT_EQ(QueryDepthSList(&head), 3);
    EXPECT_EQ(ExQueryDepthSList(&head), 3);
    EXPECT_EQ(FirstEntrySList(&head), &nodes[2].link);
    for (int i = 2; i >= 0; --i) {
        PSLIST_ENTRY e = InterlockedPopEntrySList(&head);
        ASSERT_NE(e, nullptr);
        EXPECT_EQ(CONTAINING_RECORD(e, Node, link)->value, i);
    }
    EXPECT_EQ(QueryDepthSList(&head), 0);
    EXPECT_EQ(FirstEntrySList(&head), nullptr);
}

TEST(SListTest, every_change_advances_the_sequence) {
    SLIST_HEADER head;
    InitializeSListHead(&head);
    Node n;
    const ULONGLONG s0 = head.HeaderX64.Sequence;
    InterlockedPushEntrySList(&head, &n.link);
    const ULONGLONG s1 = head.HeaderX64.Sequence;
    InterlockedPopEntrySList(&head);
    const ULONGLONG s2 = head.HeaderX64.Sequence;
    InterlockedPushEntrySList(&head, &n.link);
    InterlockedFlushSList(&head);
    const ULONGLONG s3 = head.HeaderX64.Sequence;
    EXPECT_LT(s0, s1);
    EXPECT_LT(s1, s2);
    EXPECT_LT(s2 + 1, s3);
    EXPECT_EQ(head.HeaderX64.NextEntry, 0u);
}

TEST(SListTest, flush_returns_the_whole_chain_and_empties_the_list) {
    SLIST_HEADER head;
    ExInitializeSListHead(&head);
    KSPIN_LOCK unused = 0;  // ignored on x64, as in the WDK
    (void)unused;
    Node nodes[4];
    for (auto& n : nodes) ExInterlockedPushEntrySList(&head, &n.link, &unused);
    PSLIST_ENTRY chain = ExInterlockedFlushSList(&head);
    EXPECT_EQ(QueryDepthSList(&head), 0);
    int count = 0;
    for (PSLIST_ENTRY e = chain; e; e = e->Next) ++count;
    EXPECT_EQ(count, 4);
    EXPECT_EQ(InterlockedFlushSList(&head), nullptr);
    EXPECT_EQ(ExInterlockedPopEntrySList(&head, &unused), nullptr);
}

}  // namespace
