// APCs: region counters (NT fact G8), special vs normal kernel APCs, kernel APCs interrupting a
// non-alertable wait on the target thread, user APC delivery in alertable waits (FIFO) and through
// KeTestAlertThread, insertion into a terminated thread (NT fact G5), removal.
#include "ke_fixture.hpp"

namespace ntio::test {
namespace {

using ApcTest = KeTest;

struct Log {
    std::vector<int> order;
    std::vector<_KTHREAD*> threads;
    std::vector<KIRQL> irqls;
};

void log_kernel_routine(PKAPC apc, PKNORMAL_ROUTINE*, PVOID*, PVOID* arg1, PVOID* arg2) {
    auto* log = static_cast<Log*>(*arg1);
    log->order.push_back(static_cast<int>(reinterpret_cast<LONG_PTR>(*arg2)));
    log->threads.push_back(KeGetCurrentThread());
    log->irqls.push_back(KeGetCurrentIrql());
}

void nop_kernel_routine(PKAPC, PKNORMAL_ROUTINE*, PVOID*, PVOID*, PVOID*) {}

void log_normal_routine(PVOID context, PVOID arg1, PVOID arg2) {
    auto* log = static_cast<Log*>(arg1);
    log->order.push_back(static_cast<int>(reinterpret_cast<LONG_PTR>(arg2)));
    log->threads.push_back(KeGetCurrentThread());
    log->irqls.push_back(KeGetCurrentIrql());
}

void init_special(KAPC& apc, _KTHREAD* t) {
    KeInitializeApc(&apc, t, OriginalApcEnvironment, &log_kernel_routine, nullptr, nullptr, KernelMode, nullptr);
}
void init_normal(KAPC& apc, _KTHREAD* t, KPROCESSOR_MODE mode) {
    KeInitializeApc(&apc, t, OriginalApcEnvironment, &nop_kernel_routine, nullptr, &log_normal_routine, mode, nullptr);
}
PVOID tag(int i) { return reinterpret_cast<PVOID>(static_cast<LONG_PTR>(i)); }

TEST_F(ApcTest, region_counters_nest_downwards) {
    // NT fact G8
    _KTHREAD* t = KeGetCurrentThread();
    EXPECT_EQ(ke::kernel_apc_disable(t), 0);
    EXPECT_FALSE(KeAreApcsDisabled());
    KeEnterCriticalRegion();
    EXPECT_EQ(ke::kernel_apc_disable(t), -1);
    KeEnterCriticalRegion();
    EXPECT_EQ(ke::kernel_apc_disable(t), -2);
    EXPECT_TRUE(KeAreApcsDisabled());
    EXPECT_FALSE(KeAreAllApcsDisabled());
    KeLeaveCriticalRegion();
    KeLeaveCriticalRegion();
    EXPECT_EQ(ke::kernel_apc_disable(t), 0);
    KeEnterGuardedRegion();
    EXPECT_EQ(ke::special_apc_disable(t), -1);
    EXPECT_EQ(ke::kernel_apc_disable(t), 0);
    EXPECT_TRUE(KeAreApcsDisabled());
    EXPECT_TRUE(KeAreAllApcsDisabled());
    KeLeaveGuardedRegion();
    EXPECT_EQ(ke::special_apc_disable(t), 0);
    EXPECT_FALSE(KeAreAllApcsDisabled());
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    EXPECT_TRUE(KeAreAllApcsDisabled());
    EXPECT_FALSE(KeAreApcsDisabled());
    KeLowerIrql(old);
}

TEST_F(ApcTest, special_apc_runs_in_critical_region_but_not_in_guarded_region) {
    Log log;
    KAPC a, b;
    _KTHREAD* self = KeGetCurrentThread();
    init_special(a, self);
    KeEnterCriticalRegion();
    ASSERT_TRUE(KeInsertQueueApc(&a, &log, tag(1), 0));
    EXPECT_EQ(log.order, std::vector<int>{1});
    EXPECT_EQ(log.irqls[0], APC_LEVEL);
    KeLeaveCriticalRegion();
    init_special(b, self);
    KeEnterGuardedRegion();
    ASSERT_TRUE(KeInsertQueueApc(&b, &log, tag(2), 0));
    EXPECT_EQ(log.order.size(), 1u);
    KeLeaveGuardedRegion();
    EXPECT_EQ(log.order, (std::vector<int>{1, 2}));
}

TEST_F(ApcTest, normal_kernel_apc_waits_for_the_end_of_the_critical_region) {
    Log log;
    KAPC a;
    init_normal(a, KeGetCurrentThread(), KernelMode);
    KeEnterCriticalRegion();
    ASSERT_TRUE(KeInsertQueueApc(&a, &log, tag(7), 0));
    EXPECT_TRUE(log.order.empty());
    EXPECT_TRUE(KeAreApcsQueued(KeGetCurrentThread()));
    KeLeaveCriticalRegion();
    EXPECT_EQ(log.order, std::vector<int>{7});
    EXPECT_EQ(log.irqls[0], PASSIVE_LEVEL);
}

TEST_F(ApcTest, kernel_apc_runs_on_a_thread_blocked_in_a_non_alertable_wait) {
    Log log;
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    NTSTATUS seen = STATUS_PENDING;
    _KTHREAD* t = start_thread([&] { seen = wait(&e); });
    ASSERT_TRUE(eventually([&] { return waiter_count(&e) == 1; }));
    KAPC a;
    init_special(a, t);
    ASSERT_TRUE(KeInsertQueueApc(&a, &log, tag(3), 0));
    ASSERT_TRUE(eventually([&] {
        ke::DispatcherGuard guard;
        return !a.Inserted;
    }));
    ASSERT_TRUE(eventually([&] { return waiter_count(&e) == 1; }));  // back in its wait
    KeSetEvent(&e, 0, FALSE);
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(seen, STATUS_SUCCESS);
    ASSERT_EQ(log.threads.size(), 1u);
    EXPECT_EQ(log.threads[0], t);
}

TEST_F(ApcTest, user_apcs_run_in_fifo_order_in_an_alertable_user_wait) {
    Log log;
    KEVENT go, e;
    KeInitializeEvent(&go, NotificationEvent, FALSE);
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    NTSTATUS first = STATUS_PENDING, seen = STATUS_PENDING;
    _KTHREAD* t = start_thread([&] {
        first = wait(&go);  // kernel-mode, not alertable: the user APCs stay queued
        seen = wait(&e, hang_guard(), TRUE, UserMode);
    });
    KAPC apcs[3];
    for (int i = 0; i < 3; ++i) init_normal(apcs[i], t, UserMode);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(KeInsertQueueApc(&apcs[i], &log, tag(i), 0));
    KeSetEvent(&go, 0, FALSE);
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(first, STATUS_SUCCESS);
    EXPECT_EQ(seen, STATUS_USER_APC);
    EXPECT_EQ(log.order, (std::vector<int>{0, 1, 2}));
    for (_KTHREAD* ran_on : log.threads) EXPECT_EQ(ran_on, t);
    for (KIRQL irql : log.irqls) EXPECT_EQ(irql, PASSIVE_LEVEL);
}

TEST_F(ApcTest, user_apc_wakes_a_thread_blocked_in_an_alertable_user_wait) {
    Log log;
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    NTSTATUS seen = STATUS_PENDING;
    _KTHREAD* t = start_thread([&] { seen = wait(&e, hang_guard(), TRUE, UserMode); });
    ASSERT_TRUE(eventually([&] { return waiter_count(&e) == 1; }));
    KAPC a;
    init_normal(a, t, UserMode);
    ASSERT_TRUE(KeInsertQueueApc(&a, &log, tag(4), 0));
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(seen, STATUS_USER_APC);
    EXPECT_EQ(log.order, std::vector<int>{4});
}

TEST_F(ApcTest, user_apc_is_not_delivered_by_a_non_alertable_wait) {
    Log log;
    KAPC a;
    init_normal(a, KeGetCurrentThread(), UserMode);
    ASSERT_TRUE(KeInsertQueueApc(&a, &log, tag(5), 0));
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    EXPECT_EQ(wait(&e, relative_ms(1), FALSE, UserMode), STATUS_TIMEOUT);
    EXPECT_TRUE(log.order.empty());
    EXPECT_EQ(wait(&e, relative_ms(1), TRUE, KernelMode), STATUS_TIMEOUT);  // kernel-mode alertable: no
    EXPECT_TRUE(log.order.empty());
    LARGE_INTEGER d = relative_ms(1);
    EXPECT_EQ(KeDelayExecutionThread(UserMode, TRUE, &d), STATUS_USER_APC);
    EXPECT_EQ(log.order, std::vector<int>{5});
}

TEST_F(ApcTest, test_alert_delivers_queued_user_apcs_once) {
    // NT fact G5: NtTestAlert delivers pending user APCs (once).
    Log log;
    KAPC a;
    init_normal(a, KeGetCurrentThread(), UserMode);
    ASSERT_TRUE(KeInsertQueueApc(&a, &log, tag(9), 0));
    EXPECT_FALSE(KeInsertQueueApc(&a, &log, tag(9), 0));  // already queued
    EXPECT_FALSE(KeTestAlertThread(UserMode));
    EXPECT_EQ(log.order, std::vector<int>{9});
    KeTestAlertThread(UserMode);
    EXPECT_EQ(log.order.size(), 1u);
}

TEST_F(ApcTest, insert_into_a_terminated_thread_returns_false) {
    // NT fact G5
    _KTHREAD* t = start_thread([] {});
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    Log log;
    KAPC a;
    init_normal(a, t, UserMode);
    EXPECT_FALSE(KeInsertQueueApc(&a, &log, tag(1), 0));
    EXPECT_FALSE(a.Inserted);
}

void count_rundown(PKAPC apc) { ++*static_cast<int*>(apc->NormalContext); }

TEST_F(ApcTest, termination_runs_the_rundown_routine_of_undelivered_user_apcs) {
    int rundowns = 0;
    KEVENT go;
    KeInitializeEvent(&go, NotificationEvent, FALSE);
    KAPC a;
    _KTHREAD* t = start_thread([&] { wait(&go); });
    KeInitializeApc(&a, t, OriginalApcEnvironment, &nop_kernel_routine, &count_rundown, &log_normal_routine, UserMode,
                    &rundowns);
    ASSERT_TRUE(KeInsertQueueApc(&a, nullptr, nullptr, 0));
    KeSetEvent(&go, 0, FALSE);
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(rundowns, 1);
}

TEST_F(ApcTest, remove_queue_apc_takes_a_queued_apc_back) {
    Log log;
    KAPC a;
    init_normal(a, KeGetCurrentThread(), UserMode);
    EXPECT_FALSE(KeRemoveQueueApc(&a));
    ASSERT_TRUE(KeInsertQueueApc(&a, &log, tag(1), 0));
    EXPECT_TRUE(KeRemoveQueueApc(&a));
    EXPECT_FALSE(KeTestAlertThread(UserMode));
    EXPECT_TRUE(log.order.empty());
}

}  // namespace
}  // namespace ntio::test
