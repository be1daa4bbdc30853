// System work items: routines run at PASSIVE_LEVEL on system worker threads of the caller's
// System, items may be re-queued from their routine, extra workers appear when all are busy,
// shutdown drains the queue, and the bugchecks for bad returns and double queuing.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include "ex/executive.hpp"
#include "ke/thread.hpp"
#include "ntio/ntio.h"
#include "support/system_fixture.hpp"
#include "unit/ex/ex_test_support.hpp"

using ntio::test::ex::stop_of;

namespace {

class WorkQueueTest : public ntio::test::SystemTest {};

struct Observed {
    KEVENT done;
    KIRQL irql = HIGH_LEVEL;
    PKTHREAD thread = nullptr;
    bool system_thread = false;
    int runs = 0;
    WORK_QUEUE_ITEM item;
};

VOID NTAPI observe(PVOID context) {
    auto* o = static_cast<Observed*>(context);
    o->irql = KeGetCurrentIrql();
    o->thread = KeGetCurrentThread();
    o->system_thread = o->thread->m_is_system_thread;
    ++o->runs;
    KeSetEvent(&o->done, 0, FALSE);
}

NTSTATUS wait_briefly(PKEVENT event) {
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10LL * 1000 * 1000 * 30;  // hang guard: 30 s
    return KeWaitForSingleObject(event, Executive, KernelMode, FALSE, &timeout);
}

TEST_F(WorkQueueTest, routine_runs_at_passive_level_on_a_system_worker_thread) {
    Observed o;
    KeInitializeEvent(&o.done, NotificationEvent, FALSE);
    ExInitializeWorkItem(&o.item, observe, &o);
    EXPECT_EQ(o.item.List.Flink, nullptr);
    ExQueueWorkItem(&o.item, DelayedWorkQueue);
    ASSERT_EQ(wait_briefly(&o.done), STATUS_SUCCESS);
    EXPECT_EQ(o.irql, PASSIVE_LEVEL);
    EXPECT_NE(o.thread, KeGetCurrentThread());
    EXPECT_TRUE(o.system_thread);
    EXPECT_EQ(o.runs, 1);
}

// An item below 4 GiB (a heap at a low address, as under valgrind) is an item, not a status:
// the worker once took any result of KeRemoveQueue below 2^32 for one and dropped the item.
TEST_F(WorkQueueTest, an_item_at_a_low_address_runs) {
#ifdef MAP_32BIT
    void* low = mmap(nullptr, sizeof(Observed), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    ASSERT_NE(low, MAP_FAILED);
    ASSERT_LT(reinterpret_cast<std::uintptr_t>(low), std::uintptr_t{1} << 32);
    auto* o = new (low) Observed;
    KeInitializeEvent(&o->done, NotificationEvent, FALSE);
    ExInitializeWorkItem(&o->item, observe, o);
    ExQueueWorkItem(&o->item, DelayedWorkQueue);
    EXPECT_EQ(wait_briefly(&o->done), STATUS_SUCCESS);
    EXPECT_EQ(o->runs, 1);
    o->~Observed();
    munmap(low, sizeof(Observed));
#else
    GTEST_SKIP() << "no MAP_32BIT on this architecture";
#endif
}

TEST_F(WorkQueueTest, queue_at_dispatch_level_runs_later_at_passive) {
    Observed o;
    KeInitializeEvent(&o.done, NotificationEvent, FALSE);
    ExInitializeWorkItem(&o.item, observe, &o);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ExQueueWorkItem(&o.item, CriticalWorkQueue);
    KeLowerIrql(old);
    ASSERT_EQ(wait_briefly(&o.done), STATUS_SUCCESS);
    EXPECT_EQ(o.irql, PASSIVE_LEVEL);
}

struct Requeue {
    WORK_QUEUE_ITEM item;
    KEVENT done;
    std::atomic<int> runs{0};
};

VOID NTAPI requeue_three_times(PVOID context) {
    auto* r = static_cast<Requeue*>(context);
    if (r->runs.fetch_add(1) + 1 < 3) {
        ExQueueWorkItem(&r->item, DelayedWorkQueue);  // legal: the item left the queue
    } else {
        KeSetEvent(&r->done, 0, FALSE);
    }
}

TEST_F(WorkQueueTest, routine_may_requeue_its_own_item) {
    Requeue r;
    KeInitializeEvent(&r.done, NotificationEvent, FALSE);
    ExInitializeWorkItem(&r.item, requeue_three_times, &r);
    ExQueueWorkItem(&r.item, DelayedWorkQueue);
    ASSERT_EQ(wait_briefly(&r.done), STATUS_SUCCESS);
    EXPECT_EQ(r.runs.load(), 3);
}

struct Pair {
    KEVENT second_ran;
    NTSTATUS first_status = STATUS_PENDING;
    KEVENT first_done;
    WORK_QUEUE_ITEM first, second;
};

VOID NTAPI wait_for_second(PVOID context) {
    auto* p = static_cast<Pair*>(context);
    p->first_status = wait_briefly(&p->second_ran);
    KeSetEvent(&p->first_done, 0, FALSE);
}
VOID NTAPI signal_first(PVOID context) { KeSetEvent(&static_cast<Pair*>(context)->second_ran, 0, FALSE); }

TEST_F(WorkQueueTest, a_blocked_worker_does_not_starve_the_next_item) {
    m_check_leaks = false;  // the extra worker thread (an object) lives until the System stops
    Pair p;
    KeInitializeEvent(&p.second_ran, NotificationEvent, FALSE);
    KeInitializeEvent(&p.first_done, NotificationEvent, FALSE);
    ExInitializeWorkItem(&p.first, wait_for_second, &p);
    ExInitializeWorkItem(&p.second, signal_first, &p);
    ExQueueWorkItem(&p.first, DelayedWorkQueue);
    ExQueueWorkItem(&p.second, DelayedWorkQueue);
    ASSERT_EQ(wait_briefly(&p.first_done), STATUS_SUCCESS);
    EXPECT_EQ(p.first_status, STATUS_SUCCESS);
    EXPECT_GE(system().executive().worker_count(), 1u);
}

// Bug check 0xE4 parameter 1, "an active worker item was queued" (work item, queue number, 0):
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xe4--worker-invalid
TEST_F(WorkQueueTest, queuing_an_item_that_is_still_queued_bugchecks_worker_invalid) {
    WORK_QUEUE_ITEM item;
    ExInitializeWorkItem(&item, signal_first, nullptr);
    item.List.Flink = &item.List;  // what a queued item looks like
    auto stop = stop_of([&] { ExQueueWorkItem(&item, DelayedWorkQueue); });
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code, WORKER_INVALID);
    EXPECT_EQ(stop->p[0], 1u);
    EXPECT_EQ(stop->p[1], reinterpret_cast<ULONG_PTR>(&item));
    EXPECT_EQ(stop->p[2], static_cast<ULONG_PTR>(DelayedWorkQueue));
    EXPECT_EQ(stop->p[3], 0u);
}

std::atomic<int> g_drained{0};
VOID NTAPI count_drained(PVOID) { g_drained.fetch_add(1); }

TEST(WorkQueueShutdownTest, stopping_the_system_runs_every_queued_item) {
    g_drained = 0;
    constexpr int kItems = 64;
    auto items = std::make_unique<WORK_QUEUE_ITEM[]>(kItems);
    {
        ntio::System system;
        for (int i = 0; i < kItems; ++i) {
            ExInitializeWorkItem(&items[i], count_drained, nullptr);
            ExQueueWorkItem(&items[i], DelayedWorkQueue);
        }
    }
    EXPECT_EQ(g_drained.load(), kItems);
}

// Bug check 0xE4 parameter 5, "an attempt was made to queue a work item before Worker Queued was
// initialized" (work item, queue number, NUMA node or -1 when all were searched):
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xe4--worker-invalid
// No System is booted here (each SystemTest shuts its own down): there is no worker queue.
TEST(WorkQueueWithoutSystemTest, queuing_with_no_system_booted_bugchecks_worker_invalid) {
    ASSERT_EQ(ntio::System::current(), nullptr);
    WORK_QUEUE_ITEM item;
    ExInitializeWorkItem(&item, count_drained, nullptr);
    auto stop = stop_of([&] { ExQueueWorkItem(&item, CriticalWorkQueue); });
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code, WORKER_INVALID);
    EXPECT_EQ(stop->p[0], 5u);
    EXPECT_EQ(stop->p[1], reinterpret_cast<ULONG_PTR>(&item));
    EXPECT_EQ(stop->p[2], static_cast<ULONG_PTR>(CriticalWorkQueue));
    EXPECT_EQ(stop->p[3], static_cast<ULONG_PTR>(-1));  // no node was asked for
    EXPECT_EQ(item.List.Flink, nullptr);  // not queued anywhere
}

// The checks below fire on the worker thread, where no catcher can unwind; each runs in a child
// process whose hook reports the stop code and parameters and exits.
void report_and_exit(ULONG code, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3, ULONG_PTR p4, PVOID) {
    std::fprintf(stderr, "stop %lx %lx %lx %lx %lx\n", static_cast<unsigned long>(code),
                 static_cast<unsigned long>(p1 != 0), static_cast<unsigned long>(p2),
                 static_cast<unsigned long>(p3 != 0), static_cast<unsigned long>(p4));
    _exit(3);
}

VOID NTAPI return_at_dispatch(PVOID) {
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
}
VOID NTAPI return_in_critical_region(PVOID) { KeEnterCriticalRegion(); }

void queue_and_wait(PWORKER_THREAD_ROUTINE routine) {
    NtioSetBugCheckHook(report_and_exit, nullptr);
    ntio::System system;
    static WORK_QUEUE_ITEM item;
    static int marker;
    ExInitializeWorkItem(&item, routine, &marker);
    ExQueueWorkItem(&item, DelayedWorkQueue);
    for (;;) pause();
}

TEST(WorkQueueDeathTest, routine_returning_above_passive_bugchecks_0xe1) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // WORKER_THREAD_RETURNED_AT_BAD_IRQL (routine, IRQL, parameter, item)
    EXPECT_EXIT(queue_and_wait(return_at_dispatch), testing::ExitedWithCode(3), "stop e1 1 2 1 ");
}

TEST(WorkQueueDeathTest, routine_returning_with_apcs_disabled_bugchecks_apc_index_mismatch) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // APC_INDEX_MISMATCH (routine, ApcStateIndex, CombinedApcDisable, 1 = worker routine)
    EXPECT_EXIT(queue_and_wait(return_in_critical_region), testing::ExitedWithCode(3), "stop 1 1 0 1 1");
}

}  // namespace
