// Generic dynamic hash tables through the DDK surface, the way a driver keeps records keyed by a hash:
// lookups and duplicates checked against a model while the table grows and shrinks, strong and weak
// enumeration, the statistics helpers, contexts, and bad input.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlcreatehashtable
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include <ntddk.h>

namespace hash_table_test {

struct Record {
    RTL_DYNAMIC_HASH_TABLE_ENTRY entry;
    int id;
};

Record* record_of(PRTL_DYNAMIC_HASH_TABLE_ENTRY entry) {
    return CONTAINING_RECORD(entry, Record, entry);
}

// Every record the table holds for `signature`, through lookup and get-next.
std::multiset<int> ids_for(PRTL_DYNAMIC_HASH_TABLE table, ULONG_PTR signature) {
    std::multiset<int> ids;
    RTL_DYNAMIC_HASH_TABLE_CONTEXT context;
    RtlInitHashTableContext(&context);
    for (auto* e = RtlLookupEntryHashTable(table, signature, &context); e;
         e = RtlGetNextEntryHashTable(table, &context)) {
        EXPECT_EQ(e->Signature, signature);
        ids.insert(record_of(e)->id);
    }
    RtlReleaseHashTableContext(&context);
    return ids;
}

std::multiset<int> enumerate_all(PRTL_DYNAMIC_HASH_TABLE table) {
    std::multiset<int> ids;
    RTL_DYNAMIC_HASH_TABLE_ENUMERATOR enumerator;
    EXPECT_TRUE(RtlInitEnumerationHashTable(table, &enumerator));
    EXPECT_EQ(RtlActiveEnumeratorsHashTable(table), 1u);
    while (auto* e = RtlEnumerateEntryHashTable(table, &enumerator)) ids.insert(record_of(e)->id);
    RtlEndEnumerationHashTable(table, &enumerator);
    EXPECT_EQ(RtlActiveEnumeratorsHashTable(table), 0u);
    return ids;
}

ULONG count_non_empty(PRTL_DYNAMIC_HASH_TABLE table) {
    std::set<ULONG> buckets;
    RTL_DYNAMIC_HASH_TABLE_ENUMERATOR enumerator;
    EXPECT_TRUE(RtlInitWeakEnumerationHashTable(table, &enumerator));
    while (RtlWeaklyEnumerateEntryHashTable(table, &enumerator)) buckets.insert(enumerator.BucketIndex);
    RtlEndWeakEnumerationHashTable(table, &enumerator);
    return static_cast<ULONG>(buckets.size());
}

}  // namespace hash_table_test

using namespace hash_table_test;

TEST(RtlHashTable, LayoutIsTheWdkOne) {
    EXPECT_EQ(offsetof(RTL_DYNAMIC_HASH_TABLE_ENTRY, Signature), 16u);
    EXPECT_EQ(offsetof(RTL_DYNAMIC_HASH_TABLE_CONTEXT, Signature), 16u);
    EXPECT_EQ(offsetof(RTL_DYNAMIC_HASH_TABLE_ENUMERATOR, ChainHead), 24u);
    EXPECT_EQ(offsetof(RTL_DYNAMIC_HASH_TABLE_ENUMERATOR, BucketIndex), 32u);
    EXPECT_EQ(offsetof(RTL_DYNAMIC_HASH_TABLE, NumEnumerators), 28u);
    EXPECT_EQ(offsetof(RTL_DYNAMIC_HASH_TABLE, Directory), 32u);
}

TEST(RtlHashTable, CreateAllocatesTheHeaderWhenGivenNull) {
    PRTL_DYNAMIC_HASH_TABLE table = nullptr;
    ASSERT_TRUE(RtlCreateHashTable(&table, 0, 0));
    ASSERT_NE(table, nullptr);
    EXPECT_TRUE(table->Flags & RTL_HASH_ALLOCATED_HEADER);
    EXPECT_EQ(RtlTotalBucketsHashTable(table), 128u);
    EXPECT_EQ(RtlEmptyBucketsHashTable(table), 128u);
    EXPECT_EQ(RtlNonEmptyBucketsHashTable(table), 0u);
    EXPECT_EQ(RtlTotalEntriesHashTable(table), 0u);
    RtlDeleteHashTable(table);  // frees the header: leak checkers would catch it otherwise
}

TEST(RtlHashTable, CreateUsesTheCallersHeader) {
    RTL_DYNAMIC_HASH_TABLE storage;
    PRTL_DYNAMIC_HASH_TABLE table = &storage;
    ASSERT_TRUE(RtlCreateHashTableEx(&table, 300, 0, 0));
    EXPECT_EQ(table, &storage);
    EXPECT_FALSE(storage.Flags & RTL_HASH_ALLOCATED_HEADER);
    EXPECT_EQ(RtlTotalBucketsHashTable(table), 512u);
    RtlDeleteHashTable(table);
}

TEST(RtlHashTable, CreateRefusesBadArguments) {
    PRTL_DYNAMIC_HASH_TABLE table = nullptr;
    EXPECT_FALSE(RtlCreateHashTable(nullptr, 0, 0));
    EXPECT_FALSE(RtlCreateHashTable(&table, 0, 1));
    EXPECT_FALSE(RtlCreateHashTable(&table, 3, 0));
    EXPECT_FALSE(RtlCreateHashTableEx(&table, 64, 0, 0x80));
    EXPECT_EQ(table, nullptr);
    RtlDeleteHashTable(nullptr);
}

TEST(RtlHashTable, InsertLookupRemoveMatchAModelWhileTheTableGrowsAndShrinks) {
    PRTL_DYNAMIC_HASH_TABLE table = nullptr;
    ASSERT_TRUE(RtlCreateHashTable(&table, 0, 0));
    std::vector<std::unique_ptr<Record>> records;
    std::multimap<ULONG_PTR, int> model;
    std::mt19937 rng(7);
    std::vector<Record*> live;
    for (int step = 0; step < 4000; ++step) {
        const unsigned action = rng() % 10;
        if (action < 6 || live.empty()) {
            auto record = std::make_unique<Record>();
            record->id = step;
            const ULONG_PTR signature = 1 + rng() % 700;  // many duplicates
            ASSERT_TRUE(RtlInsertEntryHashTable(table, &record->entry, signature, nullptr));
            model.emplace(signature, step);
            live.push_back(record.get());
            records.push_back(std::move(record));
        } else if (action < 9) {
            const size_t pick = rng() % live.size();
            Record* victim = live[pick];
            const ULONG_PTR signature = victim->entry.Signature;
            ASSERT_TRUE(RtlRemoveEntryHashTable(table, &victim->entry, nullptr));
            for (auto it = model.lower_bound(signature); it != model.end(); ++it)
                if (it->second == victim->id) {
                    model.erase(it);
                    break;
                }
            live.erase(live.begin() + static_cast<long>(pick));
        } else if (rng() % 2) {
            for (int i = 0; i < 50; ++i) RtlExpandHashTable(table);
        } else {
            for (int i = 0; i < 50; ++i) RtlContractHashTable(table);
        }
        if (step % 97 == 0) {
            ASSERT_EQ(RtlTotalEntriesHashTable(table), model.size());
            ASSERT_EQ(RtlNonEmptyBucketsHashTable(table), count_non_empty(table));
            for (ULONG_PTR s = 1; s <= 700; s += 13) {
                std::multiset<int> expected;
                for (auto [it, end] = model.equal_range(s); it != end; ++it) expected.insert(it->second);
                ASSERT_EQ(ids_for(table, s), expected) << "signature " << s;
            }
            std::multiset<int> all;
            for (auto& [s, id] : model) all.insert(id);
            ASSERT_EQ(enumerate_all(table), all);
        }
    }
    EXPECT_GT(RtlTotalBucketsHashTable(table), 128u);
    while (RtlContractHashTable(table)) {
    }
    EXPECT_EQ(RtlTotalBucketsHashTable(table), 128u);
    EXPECT_EQ(RtlTotalEntriesHashTable(table), model.size());
    for (Record* r : live) ASSERT_TRUE(RtlRemoveEntryHashTable(table, &r->entry, nullptr));
    EXPECT_EQ(RtlTotalEntriesHashTable(table), 0u);
    EXPECT_EQ(RtlNonEmptyBucketsHashTable(table), 0u);
    RtlDeleteHashTable(table);
}

TEST(RtlHashTable, ExpandSplitsOneBucketAtATime) {
    PRTL_DYNAMIC_HASH_TABLE table = nullptr;
    ASSERT_TRUE(RtlCreateHashTable(&table, 0, 0));
    Record a{}, b{};
    ASSERT_TRUE(RtlInsertEntryHashTable(table, &a.entry, 128, nullptr));  // bucket 0, then 128
    ASSERT_TRUE(RtlInsertEntryHashTable(table, &b.entry, 256, nullptr));  // bucket 0 both times
    EXPECT_EQ(RtlNonEmptyBucketsHashTable(table), 1u);
    ASSERT_TRUE(RtlExpandHashTable(table));
    EXPECT_EQ(RtlTotalBucketsHashTable(table), 129u);
    EXPECT_EQ(RtlNonEmptyBucketsHashTable(table), 2u);
    EXPECT_EQ(RtlLookupEntryHashTable(table, 128, nullptr), &a.entry);
    EXPECT_EQ(RtlLookupEntryHashTable(table, 256, nullptr), &b.entry);
    ASSERT_TRUE(RtlContractHashTable(table));
    EXPECT_EQ(RtlNonEmptyBucketsHashTable(table), 1u);
    EXPECT_FALSE(RtlContractHashTable(table));  // never below the initial size
    EXPECT_EQ(RtlLookupEntryHashTable(table, 128, nullptr), &a.entry);
    RtlRemoveEntryHashTable(table, &a.entry, nullptr);
    RtlRemoveEntryHashTable(table, &b.entry, nullptr);
    RtlDeleteHashTable(table);
}

TEST(RtlHashTable, ContextFromLookupPlacesTheInsertion) {
    PRTL_DYNAMIC_HASH_TABLE table = nullptr;
    ASSERT_TRUE(RtlCreateHashTable(&table, 0, 0));
    Record first{{}, 1}, second{{}, 2};
    RTL_DYNAMIC_HASH_TABLE_CONTEXT context;
    RtlInitHashTableContext(&context);
    EXPECT_EQ(RtlLookupEntryHashTable(table, 42, &context), nullptr);
    EXPECT_NE(context.ChainHead, nullptr);
    ASSERT_TRUE(RtlInsertEntryHashTable(table, &first.entry, 42, &context));
    EXPECT_EQ(first.entry.Signature, 42u);
    EXPECT_EQ(HASH_ENTRY_KEY(&first.entry), 42u);
    EXPECT_EQ(RtlLookupEntryHashTable(table, 42, &context), &first.entry);
    ASSERT_TRUE(RtlInsertEntryHashTable(table, &second.entry, 42, &context));
    EXPECT_EQ(ids_for(table, 42), (std::multiset<int>{1, 2}));
    EXPECT_EQ(RtlLookupEntryHashTable(table, 43, nullptr), nullptr);
    ASSERT_TRUE(RtlRemoveEntryHashTable(table, &second.entry, &context));
    EXPECT_EQ(ids_for(table, 42), (std::multiset<int>{1}));
    RtlReleaseHashTableContext(&context);
    RtlRemoveEntryHashTable(table, &first.entry, nullptr);
    RtlDeleteHashTable(table);
}

TEST(RtlHashTable, StrongEnumerationSurvivesRemovingWhatItReturned) {
    PRTL_DYNAMIC_HASH_TABLE table = nullptr;
    ASSERT_TRUE(RtlCreateHashTable(&table, 0, 0));
    std::vector<Record> records(300);
    for (int i = 0; i < 300; ++i) {
        records[i].id = i;
        ASSERT_TRUE(RtlInsertEntryHashTable(table, &records[i].entry, 1 + i % 200, nullptr));
    }
    RTL_DYNAMIC_HASH_TABLE_ENUMERATOR enumerator;
    ASSERT_TRUE(RtlInitEnumerationHashTable(table, &enumerator));
    EXPECT_FALSE(RtlExpandHashTable(table));  // an enumerator holds the shape
    EXPECT_EQ(RtlLookupEntryHashTable(table, RTL_HASH_RESERVED_SIGNATURE, nullptr), nullptr);
    std::set<int> seen;
    while (auto* e = RtlEnumerateEntryHashTable(table, &enumerator)) {
        EXPECT_TRUE(seen.insert(record_of(e)->id).second);
        RTL_DYNAMIC_HASH_TABLE_CONTEXT context;
        RtlInitHashTableContextFromEnumerator(&context, &enumerator);
        EXPECT_EQ(context.PrevLinkage, &e->Linkage);
        ASSERT_TRUE(RtlRemoveEntryHashTable(table, e, nullptr));
    }
    RtlEndEnumerationHashTable(table, &enumerator);
    EXPECT_EQ(seen.size(), 300u);
    EXPECT_EQ(RtlTotalEntriesHashTable(table), 0u);
    EXPECT_EQ(RtlNonEmptyBucketsHashTable(table), 0u);
    EXPECT_TRUE(RtlExpandHashTable(table));
    RtlDeleteHashTable(table);
}

TEST(RtlHashTable, WeakEnumerationVisitsEveryRecordOnce) {
    PRTL_DYNAMIC_HASH_TABLE table = nullptr;
    ASSERT_TRUE(RtlCreateHashTable(&table, 0, 0));
    std::vector<Record> records(50);
    for (int i = 0; i < 50; ++i) {
        records[i].id = i;
        ASSERT_TRUE(RtlInsertEntryHashTable(table, &records[i].entry, 1000 + i * 37, nullptr));
    }
    RTL_DYNAMIC_HASH_TABLE_ENUMERATOR enumerator;
    ASSERT_TRUE(RtlInitWeakEnumerationHashTable(table, &enumerator));
    EXPECT_EQ(RtlActiveEnumeratorsHashTable(table), 0u);
    std::set<int> seen;
    while (auto* e = RtlWeaklyEnumerateEntryHashTable(table, &enumerator))
        EXPECT_TRUE(seen.insert(record_of(e)->id).second);
    EXPECT_EQ(RtlWeaklyEnumerateEntryHashTable(table, &enumerator), nullptr);
    RtlEndWeakEnumerationHashTable(table, &enumerator);
    EXPECT_EQ(seen.size(), 50u);
    for (auto& r : records) RtlRemoveEntryHashTable(table, &r.entry, nullptr);
    RtlDeleteHashTable(table);
}

TEST(RtlHashTable, BadInputIsRefusedNotFollowed) {
    PRTL_DYNAMIC_HASH_TABLE table = nullptr;
    ASSERT_TRUE(RtlCreateHashTable(&table, 0, 0));
    Record r{};
    EXPECT_FALSE(RtlInsertEntryHashTable(nullptr, &r.entry, 5, nullptr));
    EXPECT_FALSE(RtlInsertEntryHashTable(table, nullptr, 5, nullptr));
    EXPECT_FALSE(RtlInsertEntryHashTable(table, &r.entry, RTL_HASH_RESERVED_SIGNATURE, nullptr));
    EXPECT_EQ(RtlTotalEntriesHashTable(table), 0u);
    EXPECT_FALSE(RtlRemoveEntryHashTable(table, nullptr, nullptr));
    EXPECT_FALSE(RtlRemoveEntryHashTable(nullptr, &r.entry, nullptr));
    EXPECT_EQ(RtlLookupEntryHashTable(nullptr, 5, nullptr), nullptr);
    EXPECT_EQ(RtlGetNextEntryHashTable(table, nullptr), nullptr);
    RTL_DYNAMIC_HASH_TABLE_CONTEXT context;
    RtlInitHashTableContext(&context);
    EXPECT_EQ(RtlGetNextEntryHashTable(table, &context), nullptr);  // never looked up
    RTL_DYNAMIC_HASH_TABLE_ENUMERATOR enumerator;
    EXPECT_FALSE(RtlInitEnumerationHashTable(nullptr, &enumerator));
    EXPECT_FALSE(RtlInitEnumerationHashTable(table, nullptr));
    EXPECT_FALSE(RtlInitWeakEnumerationHashTable(nullptr, &enumerator));
    EXPECT_EQ(RtlEnumerateEntryHashTable(table, nullptr), nullptr);
    EXPECT_EQ(RtlWeaklyEnumerateEntryHashTable(nullptr, &enumerator), nullptr);
    RtlEndEnumerationHashTable(table, nullptr);
    RtlEndWeakEnumerationHashTable(nullptr, nullptr);
    EXPECT_EQ(RtlActiveEnumeratorsHashTable(table), 0u);
    EXPECT_FALSE(RtlExpandHashTable(nullptr));
    EXPECT_FALSE(RtlContractHashTable(nullptr));
    EXPECT_FALSE(RtlContractHashTable(table));
    RtlDeleteHashTable(table);
}
