// ke races. Each test states its invariant; all must hold under ThreadSanitizer.
#include <thread>

#include "ke_fixture.hpp"

namespace ntio::test {
namespace {

using KeStress = KeTest;

constexpr int kThreads = 4;
constexpr int kRounds = 2000;

// Invariant: a synchronization event hands each set to exactly one waiter. The setter sets only
// after the previous wake-up was acknowledged, so every set must wake exactly one waiter (no lost
// wake-up: nobody hangs; no double wake: `woken` never exceeds `sets`), and in the end
// woken == sets == kThreads * kRounds.
TEST_F(KeStress, synchronization_event_every_set_wakes_exactly_one_waiter) {
    KEVENT work, ack;
    KeInitializeEvent(&work, SynchronizationEvent, FALSE);
    KeInitializeEvent(&ack, SynchronizationEvent, FALSE);
    std::atomic<int> woken{0}, sets{0}, over{0};
    std::vector<_KTHREAD*> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.push_back(start_thread([&] {
            for (int r = 0; r < kRounds; ++r) {
                ASSERT_EQ(wait(&work), STATUS_SUCCESS);
                if (woken.fetch_add(1) + 1 > sets.load()) over.fetch_add(1);
                KeSetEvent(&ack, 0, FALSE);
            }
        }));
    for (int i = 0; i < kThreads * kRounds; ++i) {
        sets.fetch_add(1);
        KeSetEvent(&work, 0, FALSE);
        ASSERT_EQ(wait(&ack), STATUS_SUCCESS);
    }
    for (_KTHREAD* t : threads) ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(woken.load(), kThreads * kRounds);
    EXPECT_EQ(over.load(), 0);
    EXPECT_EQ(KeReadStateEvent(&work), 0);
}

// Invariant: semaphore units are conserved. Producers release P units in total, consumers take
// exactly P; at the end the count is back to its initial 0 and no consumer hung.
TEST_F(KeStress, semaphore_count_is_conserved) {
    KSEMAPHORE s;
    KeInitializeSemaphore(&s, 0, MAXLONG);
    std::atomic<int> taken{0};
    std::vector<_KTHREAD*> threads;
    for (int i = 0; i < kThreads / 2; ++i)
        threads.push_back(start_thread([&] {
            for (int r = 0; r < kRounds * 2; ++r) KeReleaseSemaphore(&s, 0, 1, FALSE);
        }));
    for (int i = 0; i < kThreads / 2; ++i)
        threads.push_back(start_thread([&] {
            for (int r = 0; r < kRounds * 2; ++r) {
                ASSERT_EQ(wait(&s), STATUS_SUCCESS);
                taken.fetch_add(1);
            }
        }));
    for (_KTHREAD* t : threads) ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(taken.load(), (kThreads / 2) * kRounds * 2);
    EXPECT_EQ(KeReadStateSemaphore(&s), 0);
}

struct StormApc {
    KAPC apc;
    int producer;
    int sequence;
};

struct StormLog {
    _KTHREAD* target = nullptr;
    std::vector<int> last;  // per producer: last sequence seen
    int runs = 0;
    int wrong_thread = 0;
    int out_of_order = 0;
};

void storm_kernel_routine(PKAPC, PKNORMAL_ROUTINE*, PVOID*, PVOID*, PVOID*) {}
void storm_normal_routine(PVOID context, PVOID arg1, PVOID) {
    auto* log = static_cast<StormLog*>(context);
    auto* item = static_cast<StormApc*>(arg1);
    if (KeGetCurrentThread() != log->target) ++log->wrong_thread;
    if (item->sequence != log->last[item->producer] + 1) ++log->out_of_order;
    log->last[item->producer] = item->sequence;
    ++log->runs;
}

// Invariant: every user APC queued to an alertable waiter runs exactly once, on the target thread,
// in the order each producer queued it (FIFO).
TEST_F(KeStress, apc_storm_runs_every_apc_once_in_fifo_order_on_the_target) {
    constexpr int kProducers = 3;
    constexpr int kPerProducer = 2000;
    StormLog log;
    log.last.assign(kProducers, -1);
    std::vector<StormApc> items(kProducers * kPerProducer);
    KEVENT never;
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    _KTHREAD* target = start_thread([&] {
        while (log.runs < kProducers * kPerProducer) {
            NTSTATUS s = wait(&never, hang_guard(), TRUE, UserMode);
            ASSERT_EQ(s, STATUS_USER_APC);
        }
    });
    log.target = target;
    std::vector<_KTHREAD*> producers;
    for (int p = 0; p < kProducers; ++p)
        producers.push_back(start_thread([&, p] {
            for (int i = 0; i < kPerProducer; ++i) {
                StormApc& item = items[p * kPerProducer + i];
                item.producer = p;
                item.sequence = i;
                KeInitializeApc(&item.apc, target, OriginalApcEnvironment, &storm_kernel_routine, nullptr,
                                &storm_normal_routine, UserMode, &log);
                ASSERT_TRUE(KeInsertQueueApc(&item.apc, &item, nullptr, 0));
            }
        }));
    for (_KTHREAD* t : producers) ASSERT_EQ(wait(t), STATUS_SUCCESS);
    ASSERT_EQ(wait(target), STATUS_SUCCESS);
    EXPECT_EQ(log.runs, kProducers * kPerProducer);
    EXPECT_EQ(log.wrong_thread, 0);
    EXPECT_EQ(log.out_of_order, 0);
    for (int p = 0; p < kProducers; ++p) EXPECT_EQ(log.last[p], kPerProducer - 1);
}

struct QueueItem {
    LIST_ENTRY link;
    int id;
};

// Invariant: every item inserted into a KQUEUE is removed exactly once (no loss, no duplicate),
// whatever the interleaving of producers and consumers and the concurrency limit.
TEST_F(KeStress, kqueue_items_are_removed_exactly_once) {
    constexpr int kProducers = 2, kConsumers = 3, kPerProducer = 5000;
    constexpr int kTotal = kProducers * kPerProducer;
    KQUEUE q;
    KeInitializeQueue(&q, 2);
    std::vector<QueueItem> items(kTotal + kConsumers);
    std::vector<std::atomic<int>> seen(kTotal);
    std::atomic<int> removed{0}, exited{0};
    std::vector<_KTHREAD*> threads;
    for (int c = 0; c < kConsumers; ++c)
        threads.push_back(start_thread([&] {
            for (;;) {
                PLIST_ENTRY out[4];
                ULONG n = 0;
                LARGE_INTEGER g = hang_guard();
                ASSERT_EQ(ke::remove_queue_entries(&q, KernelMode, false, &g, out, 4, &n), STATUS_SUCCESS);
                bool stop = false;
                for (ULONG i = 0; i < n; ++i) {
                    int id = CONTAINING_RECORD(out[i], QueueItem, link)->id;
                    if (id < 0) stop = true;
                    else {
                        seen[id].fetch_add(1);
                        removed.fetch_add(1);
                    }
                }
                if (stop) {
                    exited.fetch_add(1);
                    return;
                }
            }
        }));
    std::vector<_KTHREAD*> producers;
    for (int p = 0; p < kProducers; ++p)
        producers.push_back(start_thread([&, p] {
            for (int i = 0; i < kPerProducer; ++i) {
                QueueItem& item = items[p * kPerProducer + i];
                item.id = p * kPerProducer + i;
                KeInsertQueue(&q, &item.link);
            }
        }));
    for (_KTHREAD* t : producers) ASSERT_EQ(wait(t), STATUS_SUCCESS);
    ASSERT_TRUE(eventually([&] { return removed.load() == kTotal; }));
    for (int c = 0; c < kConsumers; ++c) {  // one sentinel at a time: each stops one consumer
        items[kTotal + c].id = -1;
        KeInsertQueue(&q, &items[kTotal + c].link);
        ASSERT_TRUE(eventually([&] { return exited.load() == c + 1; }));
    }
    for (_KTHREAD* t : threads) ASSERT_EQ(wait(t), STATUS_SUCCESS);
    for (int i = 0; i < kTotal; ++i) ASSERT_EQ(seen[i].load(), 1) << "item " << i;
    KeRundownQueue(&q);
}

// Invariant: with one consumer, the entries of each producer leave the KQUEUE in the order that
// producer inserted them, none is lost or duplicated, and a consumer that blocks on an empty queue
// is always woken by the next insert (producers pause now and then so that the consumer keeps
// blocking while inserts race with its wait). KeReadStateQueue never reads negative.
TEST_F(KeStress, kqueue_keeps_each_producers_order_and_never_loses_a_wake) {
    constexpr int kProducers = 2, kPerProducer = 20000;
    KQUEUE q;
    KeInitializeQueue(&q, 1);
    std::vector<QueueItem> items(kProducers * kPerProducer + 1);
    std::vector<int> last(kProducers, -1);
    std::atomic<int> out_of_order{0}, negative{0};
    _KTHREAD* consumer = start_thread([&] {
        for (;;) {
            PLIST_ENTRY out[16];
            ULONG n = 0;
            LARGE_INTEGER g = hang_guard();
            ASSERT_EQ(ke::remove_queue_entries(&q, KernelMode, false, &g, out, 16, &n), STATUS_SUCCESS);
            for (ULONG i = 0; i < n; ++i) {
                const int id = CONTAINING_RECORD(out[i], QueueItem, link)->id;
                if (id < 0) return;
                const int producer = id / kPerProducer, seq = id % kPerProducer;
                if (seq != last[producer] + 1) out_of_order.fetch_add(1);
                last[producer] = seq;
            }
            if (KeReadStateQueue(&q) < 0) negative.fetch_add(1);
        }
    });
    std::vector<_KTHREAD*> producers;
    for (int p = 0; p < kProducers; ++p)
        producers.push_back(start_thread([&, p] {
            for (int i = 0; i < kPerProducer; ++i) {
                QueueItem& item = items[p * kPerProducer + i];
                item.id = p * kPerProducer + i;
                KeInsertQueue(&q, &item.link);
                if (i % 64 == 0) std::this_thread::yield();
                if (KeReadStateQueue(&q) < 0) negative.fetch_add(1);
            }
        }));
    for (_KTHREAD* t : producers) ASSERT_EQ(wait(t), STATUS_SUCCESS);
    items.back().id = -1;
    KeInsertQueue(&q, &items.back().link);
    ASSERT_EQ(wait(consumer), STATUS_SUCCESS);
    EXPECT_EQ(out_of_order.load(), 0);
    EXPECT_EQ(negative.load(), 0);
    for (int p = 0; p < kProducers; ++p) EXPECT_EQ(last[p], kPerProducer - 1);
    EXPECT_EQ(KeRundownQueue(&q), nullptr);
}

// Invariant: a KQUEUE handoff to a sleeping single-entry remover (KeRemoveQueue, whose wake path
// returns without the lock) delivers each entry exactly once, even when the same thread's next
// wait is a batch removal and a third thread inserts into the same queues at any moment. Two
// threads bounce a token between two queues; every token and extra item is received exactly once
// by the queue's owner, and the number of bounces is exact.
TEST_F(KeStress, kqueue_handoff_to_a_sleeping_remover_delivers_each_entry_once) {
    constexpr int kBounces = 4000, kExtras = 3000;
    KQUEUE queues[2];
    KeInitializeQueue(&queues[0], 0);
    KeInitializeQueue(&queues[1], 0);
    std::vector<QueueItem> extras(2 * kExtras);
    std::vector<std::atomic<int>> seen(extras.size());
    QueueItem token{};
    token.id = -1;
    QueueItem stops[2]{};
    stops[0].id = stops[1].id = -2;
    std::atomic<int> bounces{0}, token_dups{0};
    auto owner = [&](int side) {
        return [&, side] {
            bool holding = false;
            for (int round = 0;; ++round) {
                PLIST_ENTRY out[3];
                ULONG n = 0;
                if (round % 3 == 2) {
                    LARGE_INTEGER g = hang_guard();
                    ASSERT_EQ(ke::remove_queue_entries(&queues[side], KernelMode, false, &g, out, 3, &n), STATUS_SUCCESS);
                } else {
                    LARGE_INTEGER g = hang_guard();
                    PLIST_ENTRY e = KeRemoveQueue(&queues[side], KernelMode, &g);
                    ASSERT_FALSE(reinterpret_cast<ULONG_PTR>(e) == static_cast<ULONG_PTR>(STATUS_TIMEOUT));
                    out[0] = e;
                    n = 1;
                }
                bool stop = false;
                for (ULONG i = 0; i < n; ++i) {
                    const int id = CONTAINING_RECORD(out[i], QueueItem, link)->id;
                    if (id == -2) stop = true;
                    else if (id == -1) {
                        if (holding) token_dups.fetch_add(1);
                        holding = true;
                    } else seen[id].fetch_add(1);
                }
                if (holding) {
                    holding = false;
                    if (bounces.fetch_add(1) + 1 < kBounces) KeInsertQueue(&queues[1 - side], &token.link);
                }
                if (stop) return;
            }
        };
    };
    _KTHREAD* a = start_thread(owner(0));
    _KTHREAD* b = start_thread(owner(1));
    _KTHREAD* extra = start_thread([&] {
        for (int i = 0; i < kExtras; ++i) {
            for (int side = 0; side < 2; ++side) {
                QueueItem& item = extras[2 * i + side];
                item.id = 2 * i + side;
                KeInsertQueue(&queues[side], &item.link);
            }
            if (i % 16 == 0) std::this_thread::yield();
        }
    });
    KeInsertQueue(&queues[0], &token.link);
    ASSERT_EQ(wait(extra), STATUS_SUCCESS);
    ASSERT_TRUE(eventually([&] { return bounces.load() >= kBounces; }));
    KeInsertQueue(&queues[0], &stops[0].link);
    KeInsertQueue(&queues[1], &stops[1].link);
    ASSERT_EQ(wait(a), STATUS_SUCCESS);
    ASSERT_EQ(wait(b), STATUS_SUCCESS);
    EXPECT_EQ(bounces.load(), kBounces);
    EXPECT_EQ(token_dups.load(), 0);
    for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i].load(), 1) << "item " << i;
    EXPECT_EQ(KeRundownQueue(&queues[0]), nullptr);
    EXPECT_EQ(KeRundownQueue(&queues[1]), nullptr);
}

}  // namespace
}  // namespace ntio::test
