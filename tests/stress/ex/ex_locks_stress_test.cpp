// Races on the ex synchronisation primitives, each with its invariant:
// - SLIST: nodes circulate between threads through one list; a node is never owned by two
//   threads at once and, at the end, every node is in the list exactly once (none lost, none twice).
// - ERESOURCE: never two exclusive owners, never an exclusive owner alongside shared owners, and
//   every acquisition is eventually granted (the loop finishes).
// - FAST_MUTEX / guarded mutex: at most one owner at a time; a plain counter updated under the
//   mutex ends at exactly threads x iterations.

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

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace {

constexpr int kThreads = 4;

class ExStressTest : public ntio::test::SystemTest {};

struct Node {
    SLIST_ENTRY link;
    std::atomic<int> owners{0};
};

TEST_F(ExStressTest, slist_nodes_are_never_lost_or_shared) {
    constexpr int kNodes = 64;
    constexpr int kRounds = 100000;
    SLIST_HEADER head;
    InitializeSListHead(&head);
    std::vector<Node> nodes(kNodes);
    for (auto& n : nodes) InterlockedPushEntrySList(&head, &n.link);
    std::atomic<bool> shared{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kRounds; ++i) {
                PSLIST_ENTRY e = InterlockedPopEntrySList(&head);
                if (!e) continue;
                auto* n = CONTAINING_RECORD(e, Node, link);
                if (n->owners.fetch_add(1) != 0) shared = true;
                n->owners.fetch_sub(1);
                InterlockedPushEntrySList(&head, e);
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_FALSE(shared);
    EXPECT_EQ(QueryDepthSList(&head), kNodes);
    std::set<PSLIST_ENTRY> seen;
    for (PSLIST_ENTRY e = InterlockedFlushSList(&head); e; e = e->Next) EXPECT_TRUE(seen.insert(e).second);
    EXPECT_EQ(seen.size(), static_cast<size_t>(kNodes));
}

TEST_F(ExStressTest, eresource_never_mixes_exclusive_with_other_owners) {
    constexpr int kRounds = 20000;
    ERESOURCE resource;
    ASSERT_EQ(ExInitializeResourceLite(&resource), STATUS_SUCCESS);
    std::atomic<int> readers{0}, writers{0};
    std::atomic<bool> violated{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            KeEnterCriticalRegion();
            unsigned x = 12345u + t;
            for (int i = 0; i < kRounds; ++i) {
                x = x * 1103515245u + 12345u;
                const unsigned kind = (x >> 16) % 8;
                if (kind == 0) {
                    ExAcquireResourceExclusiveLite(&resource, TRUE);
                    if (writers.fetch_add(1) != 0 || readers.load() != 0) violated = true;
                    writers.fetch_sub(1);
                } else {
                    if (kind == 1) ExAcquireSharedStarveExclusive(&resource, TRUE);
                    else if (kind == 2) ExAcquireSharedWaitForExclusive(&resource, TRUE);
                    else ExAcquireResourceSharedLite(&resource, TRUE);
                    readers.fetch_add(1);
                    if (writers.load() != 0) violated = true;
                    readers.fetch_sub(1);
                }
                ExReleaseResourceLite(&resource);
            }
            KeLeaveCriticalRegion();
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_FALSE(violated);
    EXPECT_EQ(resource.ActiveEntries, 0u);
    EXPECT_EQ(ExGetExclusiveWaiterCount(&resource), 0u);
    EXPECT_EQ(ExGetSharedWaiterCount(&resource), 0u);
    EXPECT_EQ(ExDeleteResourceLite(&resource), STATUS_SUCCESS);
}

TEST_F(ExStressTest, fast_and_guarded_mutexes_exclude_and_conserve_the_count) {
    constexpr int kRounds = 50000;
    FAST_MUTEX fast;
    KGUARDED_MUTEX guarded;
    ExInitializeFastMutex(&fast);
    KeInitializeGuardedMutex(&guarded);
    long fast_count = 0, guarded_count = 0;
    std::atomic<int> inside{0};
    std::atomic<bool> violated{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kRounds; ++i) {
                ExAcquireFastMutex(&fast);
                if (inside.fetch_add(1) != 0) violated = true;
                ++fast_count;
                inside.fetch_sub(1);
                ExReleaseFastMutex(&fast);
                KeAcquireGuardedMutex(&guarded);
                ++guarded_count;
                KeReleaseGuardedMutex(&guarded);
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_FALSE(violated);
    EXPECT_EQ(fast_count, static_cast<long>(kThreads) * kRounds);
    EXPECT_EQ(guarded_count, static_cast<long>(kThreads) * kRounds);
    EXPECT_EQ(fast.Count, FM_LOCK_BIT);
    EXPECT_EQ(guarded.Count, FM_LOCK_BIT);
}

}  // namespace
