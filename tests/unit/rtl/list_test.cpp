// LIST_ENTRY and SINGLE_LIST_ENTRY routines, including the integrity checks that bugcheck
// KERNEL_SECURITY_CHECK_FAILURE (0x139) with parameter 1 = FAST_FAIL_CORRUPT_LIST_ENTRY (3).
#include <gtest/gtest.h>

#include <vector>

#include <wdm.h>

#include "support/bugcheck_catcher.hpp"

namespace {

struct Item {
    int value;
    LIST_ENTRY link;
};

std::vector<int> values(PLIST_ENTRY head) {
    std::vector<int> out;
    for (PLIST_ENTRY e = head->Flink; e != head; e = e->Flink) out.push_back(CONTAINING_RECORD(e, Item, link)->value);
    // The backward walk must agree with the forward one.
    std::vector<int> back;
    for (PLIST_ENTRY e = head->Blink; e != head; e = e->Blink) back.insert(back.begin(), CONTAINING_RECORD(e, Item, link)->value);
    EXPECT_EQ(out, back);
    return out;
}

TEST(List, InsertRemoveOrder) {
    LIST_ENTRY head;
    InitializeListHead(&head);
    EXPECT_TRUE(IsListEmpty(&head));
    Item a{1, {}}, b{2, {}}, c{3, {}};
    InsertTailList(&head, &a.link);
    InsertTailList(&head, &b.link);
    InsertHeadList(&head, &c.link);
    EXPECT_EQ(values(&head), (std::vector<int>{3, 1, 2}));
    EXPECT_EQ(RemoveHeadList(&head), &c.link);
    EXPECT_EQ(RemoveTailList(&head), &b.link);
    EXPECT_EQ(values(&head), (std::vector<int>{1}));
    EXPECT_TRUE(RemoveEntryList(&a.link));  // list empty afterwards
    EXPECT_TRUE(IsListEmpty(&head));
}

TEST(List, RemoveEntryListReportsNonEmpty) {
    LIST_ENTRY head;
    InitializeListHead(&head);
    Item a{1, {}}, b{2, {}};
    InsertTailList(&head, &a.link);
    InsertTailList(&head, &b.link);
    EXPECT_FALSE(RemoveEntryList(&a.link));
    EXPECT_EQ(values(&head), (std::vector<int>{2}));
}

TEST(List, RemoveHeadOfEmptyListReturnsHead) {
    LIST_ENTRY head;
    InitializeListHead(&head);
    EXPECT_EQ(RemoveHeadList(&head), &head);
    EXPECT_EQ(RemoveTailList(&head), &head);
    EXPECT_TRUE(IsListEmpty(&head));
}

TEST(List, AppendTailList) {
    LIST_ENTRY head;
    InitializeListHead(&head);
    Item a{1, {}}, b{2, {}}, c{3, {}};
    InsertTailList(&head, &a.link);
    // A headless circular list b <-> c.
    b.link.Flink = &c.link;
    b.link.Blink = &c.link;
    c.link.Flink = &b.link;
    c.link.Blink = &b.link;
    AppendTailList(&head, &b.link);
    EXPECT_EQ(values(&head), (std::vector<int>{1, 2, 3}));
}

TEST(List, SingleList) {
    SINGLE_LIST_ENTRY head{nullptr};
    SINGLE_LIST_ENTRY x{}, y{};
    EXPECT_EQ(PopEntryList(&head), nullptr);
    PushEntryList(&head, &x);
    PushEntryList(&head, &y);
    EXPECT_EQ(PopEntryList(&head), &y);
    EXPECT_EQ(PopEntryList(&head), &x);
    EXPECT_EQ(PopEntryList(&head), nullptr);
}

void expect_corruption(const std::function<void()>& body) {
    auto bc = ntio::test::catch_bugcheck(body);
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(KERNEL_SECURITY_CHECK_FAILURE));
    EXPECT_EQ(bc->p1, static_cast<ULONG_PTR>(FAST_FAIL_CORRUPT_LIST_ENTRY));
}

TEST(ListCorruption, RemoveEntryWithBrokenBackLink) {
    LIST_ENTRY head;
    InitializeListHead(&head);
    Item a{1, {}}, b{2, {}}, stray{9, {}};
    InsertTailList(&head, &a.link);
    InsertTailList(&head, &b.link);
    b.link.Blink = &stray.link;  // b no longer points back at a
    expect_corruption([&] { RemoveEntryList(&a.link); });
    expect_corruption([&] { RemoveEntryList(&b.link); });
}

TEST(ListCorruption, InsertAndRemoveAtHeadAndTail) {
    LIST_ENTRY head;
    InitializeListHead(&head);
    Item a{1, {}}, n{2, {}}, stray{9, {}};
    InsertTailList(&head, &a.link);
    a.link.Flink = &stray.link;  // tail's forward link broken
    expect_corruption([&] { InsertTailList(&head, &n.link); });
    expect_corruption([&] { RemoveTailList(&head); });
    a.link.Flink = &head;
    a.link.Blink = &stray.link;  // head's first entry points back elsewhere
    expect_corruption([&] { InsertHeadList(&head, &n.link); });
    expect_corruption([&] { RemoveHeadList(&head); });
    a.link.Blink = &head;
    EXPECT_EQ(RemoveHeadList(&head), &a.link);  // repaired list works again
}

TEST(ListCorruption, DoubleRemoveIsCaught) {
    LIST_ENTRY head;
    InitializeListHead(&head);
    Item a{1, {}}, b{2, {}};
    InsertTailList(&head, &a.link);
    InsertTailList(&head, &b.link);
    RemoveEntryList(&a.link);
    // a's stale links still point at head and b, which no longer point back at a.
    expect_corruption([&] { RemoveEntryList(&a.link); });
}

}  // namespace
