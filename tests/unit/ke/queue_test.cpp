// KQUEUE: FIFO entries, timeouts, LIFO waiter wake, the concurrency limit, batched removal and
// rundown.
#include <vector>

#include "ke_fixture.hpp"

namespace ntio::test {
namespace {

using QueueTest = KeTest;

struct Item {
    LIST_ENTRY link;
    int value;
};

int value_of(PLIST_ENTRY e) { return CONTAINING_RECORD(e, Item, link)->value; }

TEST_F(QueueTest, entries_come_out_in_order_and_head_inserts_first) {
    KQUEUE q;
    KeInitializeQueue(&q, 0);
    EXPECT_EQ(q.Header.Type, QueueObject);
    EXPECT_EQ(q.MaximumCount, system().kernel().processor_count());
    Item a{{}, 1}, b{{}, 2}, c{{}, 3};
    EXPECT_EQ(KeInsertQueue(&q, &a.link), 0);
    EXPECT_EQ(KeInsertQueue(&q, &b.link), 1);
    EXPECT_EQ(KeInsertHeadQueue(&q, &c.link), 2);
    EXPECT_EQ(KeReadStateQueue(&q), 3);
    LARGE_INTEGER zero{};
    EXPECT_EQ(value_of(KeRemoveQueue(&q, KernelMode, &zero)), 3);
    EXPECT_EQ(value_of(KeRemoveQueue(&q, KernelMode, &zero)), 1);
    EXPECT_EQ(value_of(KeRemoveQueue(&q, KernelMode, &zero)), 2);
    EXPECT_EQ(KeRemoveQueue(&q, KernelMode, &zero), reinterpret_cast<PLIST_ENTRY>(static_cast<LONG_PTR>(STATUS_TIMEOUT)));
    LARGE_INTEGER shortly = relative_ms(2);
    EXPECT_EQ(KeRemoveQueue(&q, KernelMode, &shortly), reinterpret_cast<PLIST_ENTRY>(static_cast<LONG_PTR>(STATUS_TIMEOUT)));
    EXPECT_EQ(KeRundownQueue(&q), nullptr);
}

TEST_F(QueueTest, the_most_recent_waiter_is_served_first) {
    KQUEUE q;
    KeInitializeQueue(&q, 4);
    std::atomic<int> got_a{0}, got_b{0};
    _KTHREAD* a = start_thread([&] {
        LARGE_INTEGER g = hang_guard();
        got_a = value_of(KeRemoveQueue(&q, KernelMode, &g));
    });
    ASSERT_TRUE(eventually([&] { return waiter_count(&q) == 1; }));
    _KTHREAD* b = start_thread([&] {
        LARGE_INTEGER g = hang_guard();
        got_b = value_of(KeRemoveQueue(&q, KernelMode, &g));
    });
    ASSERT_TRUE(eventually([&] { return waiter_count(&q) == 2; }));
    Item first{{}, 1}, second{{}, 2};
    KeInsertQueue(&q, &first.link);
    ASSERT_EQ(wait(b), STATUS_SUCCESS);
    EXPECT_EQ(got_b.load(), 1);
    EXPECT_EQ(got_a.load(), 0);
    KeInsertQueue(&q, &second.link);
    ASSERT_EQ(wait(a), STATUS_SUCCESS);
    EXPECT_EQ(got_a.load(), 2);
    KeRundownQueue(&q);
}

TEST_F(QueueTest, concurrency_limit_holds_entries_until_an_active_thread_blocks) {
    KQUEUE q;
    KeInitializeQueue(&q, 1);
    KEVENT blocker, a_got;
    KeInitializeEvent(&blocker, NotificationEvent, FALSE);
    KeInitializeEvent(&a_got, NotificationEvent, FALSE);
    Item one{{}, 1}, two{{}, 2};
    KeInsertQueue(&q, &one.link);
    std::atomic<int> got_b{0};
    _KTHREAD* a = start_thread([&] {
        LARGE_INTEGER g = hang_guard();
        EXPECT_EQ(value_of(KeRemoveQueue(&q, KernelMode, &g)), 1);  // now the one active thread
        KeSetEvent(&a_got, 0, FALSE);
        wait(&blocker);  // blocking elsewhere lets another queue thread run
    });
    ASSERT_EQ(wait(&a_got), STATUS_SUCCESS);
    _KTHREAD* b = start_thread([&] {
        LARGE_INTEGER g = hang_guard();
        got_b = value_of(KeRemoveQueue(&q, KernelMode, &g));
    });
    // a is still running (it sets a_got before blocking), so wait until it is blocked.
    ASSERT_TRUE(eventually([&] { return waiter_count(&blocker) == 1 && waiter_count(&q) == 1; }));
    EXPECT_EQ(q.CurrentCount, 0u);
    KeInsertQueue(&q, &two.link);
    ASSERT_EQ(wait(b), STATUS_SUCCESS);
    EXPECT_EQ(got_b.load(), 2);
    KeSetEvent(&blocker, 0, FALSE);
    ASSERT_EQ(wait(a), STATUS_SUCCESS);
    KeRundownQueue(&q);
}

TEST_F(QueueTest, running_thread_at_the_limit_keeps_entries_queued) {
    KQUEUE q;
    KeInitializeQueue(&q, 1);
    Item one{{}, 1}, two{{}, 2};
    KeInsertQueue(&q, &one.link);
    LARGE_INTEGER zero{};
    ASSERT_EQ(value_of(KeRemoveQueue(&q, KernelMode, &zero)), 1);  // main thread is active now
    EXPECT_EQ(q.CurrentCount, 1u);
    std::atomic<int> got{0};
    _KTHREAD* b = start_thread([&] {
        LARGE_INTEGER g = hang_guard();
        got = value_of(KeRemoveQueue(&q, KernelMode, &g));
    });
    ASSERT_TRUE(eventually([&] { return waiter_count(&q) == 1; }));
    KeInsertQueue(&q, &two.link);
    EXPECT_EQ(KeReadStateQueue(&q), 1);  // held back: the limit is reached
    EXPECT_EQ(got.load(), 0);
    // The active (main) thread blocking on something else hands its slot to the waiter.
    KEVENT never;
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    EXPECT_EQ(wait(&never, relative_ms(5)), STATUS_TIMEOUT);
    ASSERT_EQ(wait(b), STATUS_SUCCESS);
    EXPECT_EQ(got.load(), 2);
    KeRundownQueue(&q);
}

TEST_F(QueueTest, batched_remove_takes_what_is_queued_up_to_the_maximum) {
    KQUEUE q;
    KeInitializeQueue(&q, 2);
    Item items[5];
    for (int i = 0; i < 5; ++i) {
        items[i].value = i;
        KeInsertQueue(&q, &items[i].link);
    }
    PLIST_ENTRY out[3];
    ULONG n = 0;
    LARGE_INTEGER zero{};
    ASSERT_EQ(ke::remove_queue_entries(&q, KernelMode, false, &zero, out, 3, &n), STATUS_SUCCESS);
    ASSERT_EQ(n, 3u);
    for (ULONG i = 0; i < n; ++i) EXPECT_EQ(value_of(out[i]), static_cast<int>(i));
    ASSERT_EQ(ke::remove_queue_entries(&q, KernelMode, false, &zero, out, 3, &n), STATUS_SUCCESS);
    EXPECT_EQ(n, 2u);
    EXPECT_EQ(ke::remove_queue_entries(&q, KernelMode, false, &zero, out, 3, &n), STATUS_TIMEOUT);
    EXPECT_EQ(n, 0u);
    KeRundownQueue(&q);
}

// KeRemoveQueueEx: the batched removal as the DDI returns it, the count of filled slots, one slot
// holding the status when the wait ends without an entry.
TEST_F(QueueTest, remove_queue_ex_fills_the_array_or_one_status_slot) {
    KQUEUE q;
    KeInitializeQueue(&q, 2);
    Item items[4];
    for (int i = 0; i < 4; ++i) {
        items[i].value = i;
        KeInsertQueue(&q, &items[i].link);
    }
    PLIST_ENTRY out[3] = {};
    LARGE_INTEGER zero{};
    ASSERT_EQ(KeRemoveQueueEx(&q, KernelMode, FALSE, &zero, out, 3), 3u);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(value_of(out[i]), i);
    ASSERT_EQ(KeRemoveQueueEx(&q, KernelMode, FALSE, &zero, out, 3), 1u);
    EXPECT_EQ(value_of(out[0]), 3);
    ASSERT_EQ(KeRemoveQueueEx(&q, KernelMode, FALSE, &zero, out, 3), 1u);
    EXPECT_EQ(out[0], reinterpret_cast<PLIST_ENTRY>(static_cast<LONG_PTR>(STATUS_TIMEOUT)));
    EXPECT_EQ(KeRemoveQueueEx(&q, KernelMode, FALSE, &zero, out, 0), 0u);
    // A waiter gets the entry inserted after it began to wait.
    std::atomic<ULONG> got{0};
    std::atomic<int> first{-1};
    _KTHREAD* t = start_thread([&] {
        PLIST_ENTRY mine[2] = {};
        LARGE_INTEGER g = hang_guard();
        got = KeRemoveQueueEx(&q, KernelMode, FALSE, &g, mine, 2);
        first = value_of(mine[0]);
    });
    ASSERT_TRUE(eventually([&] { return waiter_count(&q) == 1; }));
    KeInsertQueue(&q, &items[0].link);
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(got.load(), 1u);
    EXPECT_EQ(first.load(), 0);
    KeRundownQueue(&q);
}

TEST_F(QueueTest, alertable_remove_queue_ex_reports_user_apc_in_the_slot) {
    KQUEUE q;
    KeInitializeQueue(&q, 1);
    static int runs;
    runs = 0;
    KAPC apc;
    KeInitializeApc(&apc, KeGetCurrentThread(), OriginalApcEnvironment,
                    [](PKAPC, PKNORMAL_ROUTINE*, PVOID*, PVOID*, PVOID*) {}, nullptr,
                    [](PVOID, PVOID, PVOID) { ++runs; }, UserMode, nullptr);
    ASSERT_TRUE(KeInsertQueueApc(&apc, nullptr, nullptr, 0));
    PLIST_ENTRY out = nullptr;
    LARGE_INTEGER g = hang_guard();
    EXPECT_EQ(KeRemoveQueueEx(&q, UserMode, TRUE, &g, &out, 1), 1u);
    EXPECT_EQ(out, reinterpret_cast<PLIST_ENTRY>(static_cast<LONG_PTR>(STATUS_USER_APC)));
    EXPECT_EQ(runs, 1);
    KeRundownQueue(&q);
}

TEST_F(QueueTest, alertable_remove_returns_user_apc_after_running_it) {
    KQUEUE q;
    KeInitializeQueue(&q, 1);
    static int runs;
    runs = 0;
    KAPC apc;
    KeInitializeApc(&apc, KeGetCurrentThread(), OriginalApcEnvironment,
                    [](PKAPC, PKNORMAL_ROUTINE*, PVOID*, PVOID*, PVOID*) {}, nullptr,
                    [](PVOID, PVOID, PVOID) { ++runs; }, UserMode, nullptr);
    ASSERT_TRUE(KeInsertQueueApc(&apc, nullptr, nullptr, 0));
    PLIST_ENTRY out;
    ULONG n;
    LARGE_INTEGER g = hang_guard();
    EXPECT_EQ(ke::remove_queue_entries(&q, UserMode, true, &g, &out, 1, &n), STATUS_USER_APC);
    EXPECT_EQ(runs, 1);
    KeRundownQueue(&q);
}

// Entries inserted while earlier ones wait to be removed, and head inserts among them, still leave
// in FIFO order (head inserts first), whatever part of the queue each insert landed in.
TEST_F(QueueTest, order_holds_across_inserts_made_between_removals) {
    KQUEUE q;
    KeInitializeQueue(&q, 1);
    Item items[7];
    for (int i = 0; i < 7; ++i) items[i].value = i;
    LARGE_INTEGER zero{};
    KeInsertQueue(&q, &items[1].link);
    KeInsertQueue(&q, &items[2].link);
    EXPECT_EQ(value_of(KeRemoveQueue(&q, KernelMode, &zero)), 1);
    KeInsertQueue(&q, &items[3].link);
    KeInsertQueue(&q, &items[4].link);
    KeInsertHeadQueue(&q, &items[0].link);
    EXPECT_EQ(KeReadStateQueue(&q), 4);
    EXPECT_EQ(value_of(KeRemoveQueue(&q, KernelMode, &zero)), 0);
    EXPECT_EQ(value_of(KeRemoveQueue(&q, KernelMode, &zero)), 2);
    KeInsertQueue(&q, &items[5].link);
    EXPECT_EQ(value_of(KeRemoveQueue(&q, KernelMode, &zero)), 3);
    KeInsertQueue(&q, &items[6].link);
    PLIST_ENTRY first = KeRundownQueue(&q);
    ASSERT_NE(first, nullptr);
    std::vector<int> rest;
    PLIST_ENTRY e = first;
    do {
        rest.push_back(value_of(e));
        EXPECT_EQ(e->Flink->Blink, e);
        e = e->Flink;
    } while (e != first);
    EXPECT_EQ(rest, (std::vector<int>{4, 5, 6}));
    EXPECT_EQ(KeReadStateQueue(&q), 0);
}

TEST_F(QueueTest, rundown_returns_the_remaining_entries_as_a_headless_list) {
    KQUEUE q;
    KeInitializeQueue(&q, 1);
    Item a{{}, 1}, b{{}, 2};
    KeInsertQueue(&q, &a.link);
    KeInsertQueue(&q, &b.link);
    PLIST_ENTRY first = KeRundownQueue(&q);
    ASSERT_EQ(first, &a.link);
    EXPECT_EQ(first->Flink, &b.link);
    EXPECT_EQ(b.link.Flink, &a.link);
    EXPECT_EQ(KeReadStateQueue(&q), 0);
}

}  // namespace
}  // namespace ntio::test
