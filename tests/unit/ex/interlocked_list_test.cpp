// The ExInterlocked list and add routines: return values (previous first entry or NULL, value
// before the add) and that the spin lock is free again afterwards.
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

TEST(InterlockedListTest, insert_and_remove_return_previous_first_entry) {
    LIST_ENTRY head{&head, &head};
    LIST_ENTRY a, b, c;
    KSPIN_LOCK lock = 0;
    EXPECT_EQ(ExInterlockedInsertTailList(&head, &a, &lock), nullptr);
    EXPECT_EQ(ExInterlockedInsertTailList(&head, &b, &lock), &a);
    EXPECT_EQ(ExInterlockedInsertHeadList(&head, &c, &lock), &a);
    EXPECT_EQ(lock, 0u);
    // Order now c, a, b.
    EXPECT_EQ(ExInterlockedRemoveHeadList(&head, &lock), &c);
    EXPECT_EQ(ExInterlockedRemoveHeadList(&head, &lock), &a);
    EXPECT_EQ(ExInterlockedRemoveHeadList(&head, &lock), &b);
    EXPECT_EQ(ExInterlockedRemoveHeadList(&head, &lock), nullptr);
    EXPECT_EQ(head.Flink, &head);
    EXPECT_EQ(head.Blink, &head);
}

TEST(InterlockedListTest, single_list_push_pop) {
    SINGLE_LIST_ENTRY head{nullptr};
    SINGLE_LIST_ENTRY a, b;
    KSPIN_LOCK lock = 0;
    EXPECT_EQ(ExInterlockedPushEntryList(&head, &a, &lock), nullptr);
    EXPECT_EQ(ExInterlockedPushEntryList(&head, &b, &lock), &a);
    EXPECT_EQ(ExInterlockedPopEntryList(&head, &lock), &b);
    EXPECT_EQ(ExInterlockedPopEntryList(&head, &lock), &a);
    EXPECT_EQ(ExInterlockedPopEntryList(&head, &lock), nullptr);
}

TEST(InterlockedListTest, additions_return_the_value_before) {
    KSPIN_LOCK lock = 0;
    ULONG u = 0xfffffffeu;
    EXPECT_EQ(ExInterlockedAddUlong(&u, 3, &lock), 0xfffffffeu);
    EXPECT_EQ(u, 1u);  // wraps like the 32-bit add it is
    LARGE_INTEGER big, inc;
    big.QuadPart = 10;
    inc.QuadPart = -25;
    EXPECT_EQ(ExInterlockedAddLargeInteger(&big, inc, &lock).QuadPart, 10);
    EXPECT_EQ(big.QuadPart, -15);
    ExInterlockedAddLargeStatistic(&big, 20);
    EXPECT_EQ(big.QuadPart, 5);
    EXPECT_EQ(lock, 0u);
}

}  // namespace
