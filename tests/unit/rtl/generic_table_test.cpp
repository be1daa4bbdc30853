// Generic tables and splay links through the DDK surface, the way a driver keeps a table of records:
// random insertions and deletions checked against a model, the tree's shape checked through the
// public links (order, parents, and for AVL the balance of every node), the allocation sizes
// Learn gives, the enumeration routines, and an AllocateRoutine that fails.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinitializegenerictable
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlinitializegenerictableavl
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <set>
#include <vector>

#include <ntddk.h>

namespace generic_table_test {

struct Record {
    int key;
    int payload;
};

// What the routines allocated and freed, and whether the next allocation fails.
struct Pool {
    std::set<void*> live;
    std::vector<CLONG> sizes;
    bool fail_next = false;
    void* allocate(CLONG size) {
        if (fail_next) {
            fail_next = false;
            return nullptr;
        }
        sizes.push_back(size);
        void* block = std::malloc(size);
        live.insert(block);
        return block;
    }
    void free(void* block) {
        EXPECT_EQ(live.erase(block), 1u) << "freed a block it did not allocate";
        std::free(block);
    }
};

RTL_GENERIC_COMPARE_RESULTS compare_keys(int first, int second) {
    return first < second ? GenericLessThan : first > second ? GenericGreaterThan : GenericEqual;
}

RTL_GENERIC_COMPARE_RESULTS NTAPI SplayCompare(PRTL_GENERIC_TABLE, PVOID first, PVOID second) {
    return compare_keys(static_cast<Record*>(first)->key, static_cast<Record*>(second)->key);
}
PVOID NTAPI SplayAllocate(PRTL_GENERIC_TABLE table, CLONG size) { return static_cast<Pool*>(table->TableContext)->allocate(size); }
VOID NTAPI SplayFree(PRTL_GENERIC_TABLE table, PVOID block) { static_cast<Pool*>(table->TableContext)->free(block); }

RTL_GENERIC_COMPARE_RESULTS NTAPI AvlCompare(PRTL_AVL_TABLE, PVOID first, PVOID second) {
    return compare_keys(static_cast<Record*>(first)->key, static_cast<Record*>(second)->key);
}
// Equal when the keys share their tens: several elements match one probe.
RTL_GENERIC_COMPARE_RESULTS NTAPI AvlCompareTens(PRTL_AVL_TABLE, PVOID first, PVOID second) {
    return compare_keys(static_cast<Record*>(first)->key / 10, static_cast<Record*>(second)->key / 10);
}
PVOID NTAPI AvlAllocate(PRTL_AVL_TABLE table, CLONG size) { return static_cast<Pool*>(table->TableContext)->allocate(size); }
VOID NTAPI AvlFree(PRTL_AVL_TABLE table, PVOID block) { static_cast<Pool*>(table->TableContext)->free(block); }

// Checks a subtree's order and parent links; returns its height (AVL: and its balance fields).
template <typename L>
int check_subtree(L* node, L* parent, const int* low, const int* high, size_t links_size, bool avl, int* count) {
    if (!node) return 0;
    EXPECT_EQ(node->Parent, parent);
    const int key = reinterpret_cast<Record*>(reinterpret_cast<char*>(node) + links_size)->key;
    if (low) {
        EXPECT_GT(key, *low);
    }
    if (high) {
        EXPECT_LT(key, *high);
    }
    ++*count;
    const int left = check_subtree<L>(node->LeftChild, node, low, &key, links_size, avl, count);
    const int right = check_subtree<L>(node->RightChild, node, &key, high, links_size, avl, count);
    if constexpr (requires { node->Balance; }) {
        if (avl) {
            EXPECT_EQ(node->Balance, right - left) << "key " << key;
        }
    }
    return 1 + std::max(left, right);
}

std::vector<int> keys_in_order(std::set<int> const& model) { return {model.begin(), model.end()}; }

TEST(RtlSplayLinksTest, splay_delete_and_the_walks_keep_the_order) {
    // Seven linked nodes, built by hand the way a driver uses the splay links directly.
    RTL_SPLAY_LINKS nodes[7];
    for (auto& node : nodes) RtlInitializeSplayLinks(&node);
    EXPECT_TRUE(RtlIsRoot(&nodes[0]));
    PRTL_SPLAY_LINKS root = &nodes[3];
    RtlInsertAsLeftChild(&nodes[3], &nodes[1]);
    RtlInsertAsRightChild(&nodes[3], &nodes[5]);
    RtlInsertAsLeftChild(&nodes[1], &nodes[0]);
    RtlInsertAsRightChild(&nodes[1], &nodes[2]);
    RtlInsertAsLeftChild(&nodes[5], &nodes[4]);
    RtlInsertAsRightChild(&nodes[5], &nodes[6]);
    EXPECT_TRUE(RtlIsLeftChild(&nodes[1]));
    EXPECT_TRUE(RtlIsRightChild(&nodes[6]));
    EXPECT_EQ(RtlSubtreeSuccessor(&nodes[3]), &nodes[4]);
    EXPECT_EQ(RtlSubtreePredecessor(&nodes[3]), &nodes[2]);
    EXPECT_EQ(RtlSubtreeSuccessor(&nodes[2]), nullptr);
    EXPECT_EQ(RtlRealSuccessor(&nodes[2]), &nodes[3]);
    EXPECT_EQ(RtlRealPredecessor(&nodes[4]), &nodes[3]);
    EXPECT_EQ(RtlRealSuccessor(&nodes[6]), nullptr);
    EXPECT_EQ(RtlRealPredecessor(&nodes[0]), nullptr);

    auto sequence = [&nodes](PRTL_SPLAY_LINKS top) {
        std::vector<long> order;
        PRTL_SPLAY_LINKS node = top;
        while (node->LeftChild) node = node->LeftChild;
        for (; node; node = RtlRealSuccessor(node)) order.push_back(node - nodes);
        return order;
    };
    root = RtlSplay(&nodes[6]);
    EXPECT_EQ(root, &nodes[6]);
    EXPECT_TRUE(RtlIsRoot(&nodes[6]));
    EXPECT_EQ(sequence(root), (std::vector<long>{0, 1, 2, 3, 4, 5, 6}));
    root = RtlDelete(&nodes[3]);
    EXPECT_EQ(sequence(root), (std::vector<long>{0, 1, 2, 4, 5, 6}));
    EXPECT_TRUE(RtlIsRoot(root));
    PRTL_SPLAY_LINKS before = root;
    RtlDeleteNoSplay(&nodes[5], &root);
    EXPECT_EQ(sequence(root), (std::vector<long>{0, 1, 2, 4, 6}));
    RtlDeleteNoSplay(root, &root);  // the root itself, with two children
    EXPECT_NE(root, before);
    EXPECT_TRUE(RtlIsRoot(root));
    EXPECT_EQ(sequence(root).size(), 4u);
}

TEST(RtlGenericTableTest, random_operations_agree_with_a_model) {
    Pool pool;
    RTL_GENERIC_TABLE table;
    RtlInitializeGenericTable(&table, SplayCompare, SplayAllocate, SplayFree, &pool);
    EXPECT_TRUE(RtlIsGenericTableEmpty(&table));
    std::set<int> model;
    std::vector<int> inserted;  // insertion order of the keys still present
    std::mt19937 rng(42);
    for (int step = 0; step < 3000; ++step) {
        Record probe{static_cast<int>(rng() % 200), step};
        if (rng() % 3) {
            BOOLEAN fresh = FALSE;
            auto* stored = static_cast<Record*>(RtlInsertElementGenericTable(&table, &probe, sizeof(probe), &fresh));
            ASSERT_NE(stored, nullptr);
            const bool expected = model.insert(probe.key).second;
            ASSERT_EQ(fresh != FALSE, expected);
            ASSERT_EQ(stored->key, probe.key);
            if (expected) {
                ASSERT_EQ(stored->payload, step);
                inserted.push_back(probe.key);
            }
        } else {
            const bool expected = model.erase(probe.key) == 1;
            ASSERT_EQ(RtlDeleteElementGenericTable(&table, &probe) != FALSE, expected);
            if (expected) inserted.erase(std::find(inserted.begin(), inserted.end(), probe.key));
        }
        if (step % 100 == 0) {
            int count = 0;
            ASSERT_TRUE(table.TableRoot == nullptr || RtlIsRoot(table.TableRoot));
            if (table.TableRoot)
                check_subtree<RTL_SPLAY_LINKS>(table.TableRoot->LeftChild, table.TableRoot, nullptr, nullptr,
                                               sizeof(RTL_SPLAY_LINKS) + sizeof(LIST_ENTRY), false, &count);
        }
        ASSERT_EQ(RtlNumberGenericTableElements(&table), model.size());
    }
    // Lookups find what is there (and splay it to the root) and nothing else.
    for (int key = 0; key < 200; ++key) {
        Record probe{key, 0};
        auto* found = static_cast<Record*>(RtlLookupElementGenericTable(&table, &probe));
        ASSERT_EQ(found != nullptr, model.count(key) == 1);
        if (found) {
            ASSERT_EQ(found->key, key);
        }
    }
    // Both enumerations return the collation order; RtlGetElementGenericTable the insertion order.
    std::vector<int> seen;
    for (auto* r = static_cast<Record*>(RtlEnumerateGenericTable(&table, TRUE)); r;
         r = static_cast<Record*>(RtlEnumerateGenericTable(&table, FALSE)))
        seen.push_back(r->key);
    EXPECT_EQ(seen, keys_in_order(model));
    seen.clear();
    PVOID restart = nullptr;
    for (auto* r = static_cast<Record*>(RtlEnumerateGenericTableWithoutSplaying(&table, &restart)); r;
         r = static_cast<Record*>(RtlEnumerateGenericTableWithoutSplaying(&table, &restart)))
        seen.push_back(r->key);
    EXPECT_EQ(seen, keys_in_order(model));
    ASSERT_EQ(inserted.size(), model.size());
    for (ULONG i : {0u, static_cast<ULONG>(inserted.size() - 1), static_cast<ULONG>(inserted.size() / 2), 3u, 2u})
        EXPECT_EQ(static_cast<Record*>(RtlGetElementGenericTable(&table, i))->key, inserted[i]) << i;
    EXPECT_EQ(RtlGetElementGenericTable(&table, static_cast<ULONG>(inserted.size())), nullptr);

    // Every allocation was the data plus the splay links and the insertion-order entry.
    for (CLONG size : pool.sizes) EXPECT_EQ(size, sizeof(Record) + sizeof(RTL_SPLAY_LINKS) + sizeof(LIST_ENTRY));
    // Deleting everything gives every block back.
    for (int key : keys_in_order(model)) {
        Record probe{key, 0};
        ASSERT_TRUE(RtlDeleteElementGenericTable(&table, &probe));
    }
    EXPECT_TRUE(RtlIsGenericTableEmpty(&table));
    EXPECT_TRUE(pool.live.empty());
}

TEST(RtlGenericTableTest, a_failed_allocation_inserts_nothing_and_full_lookup_guides_insertion) {
    Pool pool;
    RTL_GENERIC_TABLE table;
    RtlInitializeGenericTable(&table, SplayCompare, SplayAllocate, SplayFree, &pool);
    Record one{1, 10};
    BOOLEAN fresh = TRUE;
    pool.fail_next = true;
    EXPECT_EQ(RtlInsertElementGenericTable(&table, &one, sizeof(one), &fresh), nullptr);
    EXPECT_FALSE(fresh);
    EXPECT_TRUE(RtlIsGenericTableEmpty(&table));

    PVOID where = nullptr;
    TABLE_SEARCH_RESULT result;
    EXPECT_EQ(RtlLookupElementGenericTableFull(&table, &one, &where, &result), nullptr);
    EXPECT_EQ(result, TableEmptyTree);
    ASSERT_NE(RtlInsertElementGenericTableFull(&table, &one, sizeof(one), &fresh, where, result), nullptr);
    Record two{2, 20};
    EXPECT_EQ(RtlLookupElementGenericTableFull(&table, &two, &where, &result), nullptr);
    EXPECT_EQ(result, TableInsertAsRight);
    ASSERT_NE(RtlInsertElementGenericTableFull(&table, &two, sizeof(two), &fresh, where, result), nullptr);
    EXPECT_TRUE(fresh);
    auto* found = static_cast<Record*>(RtlLookupElementGenericTableFull(&table, &two, &where, &result));
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(result, TableFoundNode);
    EXPECT_EQ(found->payload, 20);
    EXPECT_TRUE(RtlDeleteElementGenericTable(&table, &one));
    EXPECT_TRUE(RtlDeleteElementGenericTable(&table, &two));
    EXPECT_TRUE(pool.live.empty());
}

TEST(RtlAvlTableTest, random_operations_keep_it_balanced_and_agree_with_a_model) {
    Pool pool;
    RTL_AVL_TABLE table;
    RtlInitializeGenericTableAvl(&table, AvlCompare, AvlAllocate, AvlFree, &pool);
    EXPECT_TRUE(RtlIsGenericTableEmptyAvl(&table));
    std::set<int> model;
    std::mt19937 rng(7);
    for (int step = 0; step < 4000; ++step) {
        Record probe{static_cast<int>(rng() % 300), step};
        if (rng() % 3) {
            BOOLEAN fresh = FALSE;
            auto* stored = static_cast<Record*>(RtlInsertElementGenericTableAvl(&table, &probe, sizeof(probe), &fresh));
            ASSERT_NE(stored, nullptr);
            ASSERT_EQ(fresh != FALSE, model.insert(probe.key).second);
        } else {
            ASSERT_EQ(RtlDeleteElementGenericTableAvl(&table, &probe) != FALSE, model.erase(probe.key) == 1);
        }
        int count = 0;
        const int height = check_subtree<RTL_BALANCED_LINKS>(table.BalancedRoot.RightChild, &table.BalancedRoot, nullptr,
                                                             nullptr, sizeof(RTL_BALANCED_LINKS), true, &count);
        ASSERT_FALSE(HasFailure()) << "step " << step;
        ASSERT_EQ(static_cast<size_t>(count), model.size());
        ASSERT_LE(height, 2 * 9);  // an AVL tree of <= 300 nodes is at most 1.44 log2(n) high
        ASSERT_EQ(RtlNumberGenericTableElementsAvl(&table), model.size());
    }
    const std::vector<int> keys = keys_in_order(model);
    std::vector<int> seen;
    for (auto* r = static_cast<Record*>(RtlEnumerateGenericTableAvl(&table, TRUE)); r;
         r = static_cast<Record*>(RtlEnumerateGenericTableAvl(&table, FALSE)))
        seen.push_back(r->key);
    EXPECT_EQ(seen, keys);
    for (ULONG i : {0u, 5u, 4u, static_cast<ULONG>(keys.size() - 1), 1u})
        EXPECT_EQ(static_cast<Record*>(RtlGetElementGenericTableAvl(&table, i))->key, keys[i]) << i;
    EXPECT_EQ(RtlGetElementGenericTableAvl(&table, static_cast<ULONG>(keys.size())), nullptr);
    for (CLONG size : pool.sizes) EXPECT_EQ(size, sizeof(Record) + sizeof(RTL_BALANCED_LINKS));

    // Deleting the element an enumeration stands on lets it carry on with the next one.
    Record probe{keys[0], 0};
    EXPECT_EQ(static_cast<Record*>(RtlEnumerateGenericTableAvl(&table, TRUE))->key, keys[0]);
    EXPECT_TRUE(RtlDeleteElementGenericTableAvl(&table, &probe));
    EXPECT_EQ(static_cast<Record*>(RtlEnumerateGenericTableAvl(&table, FALSE))->key, keys[1]);

    for (size_t i = 1; i < keys.size(); ++i) {
        probe.key = keys[i];
        PVOID node = nullptr;
        TABLE_SEARCH_RESULT result;
        ASSERT_NE(RtlLookupElementGenericTableFullAvl(&table, &probe, &node, &result), nullptr);
        ASSERT_EQ(result, TableFoundNode);
        RtlDeleteElementGenericTableAvlEx(&table, node);
    }
    EXPECT_TRUE(RtlIsGenericTableEmptyAvl(&table));
    EXPECT_TRUE(pool.live.empty());
}

TEST(RtlAvlTableTest, first_matching_element_and_a_failed_allocation) {
    Pool pool;
    RTL_AVL_TABLE table;
    RtlInitializeGenericTableAvl(&table, AvlCompare, AvlAllocate, AvlFree, &pool);
    for (int key : {35, 12, 31, 17, 33, 40, 38}) {
        Record record{key, 0};
        ASSERT_NE(RtlInsertElementGenericTableAvl(&table, &record, sizeof(record), nullptr), nullptr);
    }
    Record record{50, 0};
    pool.fail_next = true;
    EXPECT_EQ(RtlInsertElementGenericTableAvl(&table, &record, sizeof(record), nullptr), nullptr);
    EXPECT_EQ(RtlNumberGenericTableElementsAvl(&table), 7u);
    // Compared by tens, 31, 33 and 35 all equal 30: the first in order is 31, then the rest follow.
    table.CompareRoutine = AvlCompareTens;
    Record probe{30, 0};
    PVOID restart = nullptr;
    auto* first = static_cast<Record*>(RtlLookupFirstMatchingElementGenericTableAvl(&table, &probe, &restart));
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(first->key, 31);
    EXPECT_EQ(static_cast<Record*>(RtlEnumerateGenericTableWithoutSplayingAvl(&table, &restart))->key, 33);
    probe.key = 20;
    EXPECT_EQ(RtlLookupFirstMatchingElementGenericTableAvl(&table, &probe, &restart), nullptr);
    EXPECT_EQ(restart, nullptr);
    table.CompareRoutine = AvlCompare;
    for (int key : {35, 12, 31, 17, 33, 40, 38}) {
        Record gone{key, 0};
        ASSERT_TRUE(RtlDeleteElementGenericTableAvl(&table, &gone));
    }
    EXPECT_TRUE(pool.live.empty());
}

// Keys below 40 only, and odd ones skipped.
NTSTATUS NTAPI OddBelowForty(PRTL_AVL_TABLE, PVOID data, PVOID) {
    const int key = static_cast<Record*>(data)->key;
    if (key >= 40) return STATUS_NO_MORE_MATCHES;
    return key % 2 ? STATUS_NO_MATCH : STATUS_SUCCESS;
}

TEST(RtlAvlTableTest, enumerates_like_a_directory_across_deletions) {
    Pool pool;
    RTL_AVL_TABLE table;
    RtlInitializeGenericTableAvl(&table, AvlCompare, AvlAllocate, AvlFree, &pool);
    for (int key = 10; key < 50; key += 3) {  // 10 13 16 ... 49
        Record record{key, 0};
        RtlInsertElementGenericTableAvl(&table, &record, sizeof(record), nullptr);
    }
    // From 15 (absent: the next greater, 16) with the match function: 16 22 28 34, then stop at 40.
    Record from{15, 0};
    PVOID restart = nullptr;
    ULONG deletes = 0;
    std::vector<int> seen;
    for (auto* r = static_cast<Record*>(
             RtlEnumerateGenericTableLikeADirectory(&table, OddBelowForty, nullptr, FALSE, &restart, &deletes, &from));
         r; r = static_cast<Record*>(RtlEnumerateGenericTableLikeADirectory(&table, OddBelowForty, nullptr, TRUE,
                                                                               &restart, &deletes, &from)))
        seen.push_back(r->key);
    EXPECT_EQ(seen, (std::vector<int>{16, 22, 28, 34}));

    // Without a match function, from 22 itself and then after it; a deletion between calls makes
    // the next call start again from Buffer (the last key returned), not from the stale key.
    Record at{22, 0};
    restart = nullptr;
    auto* r = static_cast<Record*>(RtlEnumerateGenericTableLikeADirectory(&table, nullptr, nullptr, FALSE, &restart, &deletes, &at));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->key, 22);
    r = static_cast<Record*>(RtlEnumerateGenericTableLikeADirectory(&table, nullptr, nullptr, TRUE, &restart, &deletes, &at));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->key, 25);
    at.key = 25;
    Record gone{25, 0};
    ASSERT_TRUE(RtlDeleteElementGenericTableAvl(&table, &gone));
    r = static_cast<Record*>(RtlEnumerateGenericTableLikeADirectory(&table, nullptr, nullptr, TRUE, &restart, &deletes, &at));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->key, 28);
    for (auto* left = static_cast<Record*>(RtlEnumerateGenericTableAvl(&table, TRUE)); left;
         left = static_cast<Record*>(RtlEnumerateGenericTableAvl(&table, TRUE)))
        RtlDeleteElementGenericTableAvl(&table, left);
    EXPECT_TRUE(pool.live.empty());
}

}  // namespace generic_table_test
