// Waits: WaitAny index, WaitAll atomicity, zero/relative/absolute timeouts, wait-block limits,
// waits on threads, alerts and alertable delays.
#include <climits>

#include "ke_fixture.hpp"

namespace ntio::test {
namespace {

using WaitTest = KeTest;

TEST_F(WaitTest, wait_any_returns_the_index_of_the_signalled_object) {
    KEVENT a, b, c;
    KeInitializeEvent(&a, NotificationEvent, FALSE);
    KeInitializeEvent(&b, NotificationEvent, FALSE);
    KeInitializeEvent(&c, SynchronizationEvent, TRUE);
    PVOID objects[3] = {&a, &b, &c};
    LARGE_INTEGER zero{};
    EXPECT_EQ(KeWaitForMultipleObjects(3, objects, WaitAny, Executive, KernelMode, FALSE, &zero, nullptr), STATUS_WAIT_0 + 2);
    KeSetEvent(&b, 0, FALSE);
    EXPECT_EQ(KeWaitForMultipleObjects(3, objects, WaitAny, Executive, KernelMode, FALSE, &zero, nullptr), STATUS_WAIT_1);
}

TEST_F(WaitTest, wait_all_never_consumes_a_partial_set) {
    KEVENT a, b;
    KeInitializeEvent(&a, SynchronizationEvent, TRUE);
    KeInitializeEvent(&b, SynchronizationEvent, FALSE);
    KSEMAPHORE s;
    KeInitializeSemaphore(&s, 1, 1);
    PVOID objects[3] = {&a, &s, &b};
    LARGE_INTEGER zero{};
    EXPECT_EQ(KeWaitForMultipleObjects(3, objects, WaitAll, Executive, KernelMode, FALSE, &zero, nullptr), STATUS_TIMEOUT);
    EXPECT_EQ(KeReadStateEvent(&a), 1);
    EXPECT_EQ(KeReadStateSemaphore(&s), 1);
    KeSetEvent(&b, 0, FALSE);
    EXPECT_EQ(KeWaitForMultipleObjects(3, objects, WaitAll, Executive, KernelMode, FALSE, &zero, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(KeReadStateEvent(&a), 0);
    EXPECT_EQ(KeReadStateEvent(&b), 0);
    EXPECT_EQ(KeReadStateSemaphore(&s), 0);
}

TEST_F(WaitTest, blocked_wait_all_completes_only_when_the_last_object_is_signalled) {
    KEVENT a, b;
    KeInitializeEvent(&a, SynchronizationEvent, FALSE);
    KeInitializeEvent(&b, SynchronizationEvent, FALSE);
    NTSTATUS seen = STATUS_PENDING;
    _KTHREAD* t = start_thread([&] {
        PVOID objects[2] = {&a, &b};
        LARGE_INTEGER guard = hang_guard();
        seen = KeWaitForMultipleObjects(2, objects, WaitAll, Executive, KernelMode, FALSE, &guard, nullptr);
    });
    ASSERT_TRUE(eventually([&] { return waiter_count(&a) == 1 && waiter_count(&b) == 1; }));
    KeSetEvent(&a, 0, FALSE);
    EXPECT_EQ(KeReadStateEvent(&a), 1);  // not taken while b is clear
    EXPECT_EQ(waiter_count(&a), 1);
    KeSetEvent(&b, 0, FALSE);
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(seen, STATUS_SUCCESS);
    EXPECT_EQ(KeReadStateEvent(&a), 0);
    EXPECT_EQ(KeReadStateEvent(&b), 0);
}

TEST_F(WaitTest, zero_relative_and_absolute_timeouts_return_status_timeout) {
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    LARGE_INTEGER zero{};
    EXPECT_EQ(wait(&e, zero), STATUS_TIMEOUT);
    EXPECT_EQ(wait(&e, relative_ms(5)), STATUS_TIMEOUT);
    LARGE_INTEGER past;
    KeQuerySystemTime(&past);
    past.QuadPart -= 10000000;
    EXPECT_EQ(wait(&e, past), STATUS_TIMEOUT);
    LARGE_INTEGER soon;
    KeQuerySystemTime(&soon);
    ULONGLONG before = KeQueryInterruptTime();
    soon.QuadPart += 20 * 10000;
    EXPECT_EQ(wait(&e, soon), STATUS_TIMEOUT);
    EXPECT_GE(KeQueryInterruptTime() - before, 15ULL * 10000);  // ordering: it did wait for the deadline
    EXPECT_EQ(waiter_count(&e), 0);
}

TEST_F(WaitTest, more_than_thread_wait_objects_without_blocks_bugchecks) {
    KEVENT e[4];
    PVOID objects[4];
    for (int i = 0; i < 4; ++i) {
        KeInitializeEvent(&e[i], NotificationEvent, TRUE);
        objects[i] = &e[i];
    }
    LARGE_INTEGER zero{};
    auto bc = catch_bugcheck([&] {
        KeWaitForMultipleObjects(4, objects, WaitAny, Executive, KernelMode, FALSE, &zero, nullptr);
    });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(MAXIMUM_WAIT_OBJECTS_EXCEEDED));
    // No parameters (Bug Check 0xC on Microsoft Learn).
    EXPECT_EQ(bc->p1, 0u);
    EXPECT_EQ(bc->p2, 0u);
    KWAIT_BLOCK blocks[4];
    EXPECT_EQ(KeWaitForMultipleObjects(4, objects, WaitAll, Executive, KernelMode, FALSE, &zero, blocks), STATUS_SUCCESS);
}

TEST_F(WaitTest, sixty_four_objects_with_caller_wait_blocks) {
    std::vector<KEVENT> events(MAXIMUM_WAIT_OBJECTS + 1);
    std::vector<PVOID> objects;
    for (auto& e : events) {
        KeInitializeEvent(&e, SynchronizationEvent, FALSE);
        objects.push_back(&e);
    }
    std::vector<KWAIT_BLOCK> blocks(MAXIMUM_WAIT_OBJECTS + 1);
    NTSTATUS seen = STATUS_PENDING;
    _KTHREAD* t = start_thread([&] {
        LARGE_INTEGER guard = hang_guard();
        seen = KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, objects.data(), WaitAny, Executive, KernelMode, FALSE,
                                        &guard, blocks.data());
    });
    ASSERT_TRUE(eventually([&] { return waiter_count(&events[63]) == 1; }));
    KeSetEvent(&events[63], 0, FALSE);
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(seen, STATUS_WAIT_0 + 63);
    EXPECT_EQ(waiter_count(&events[0]), 0);
    auto bc = catch_bugcheck([&] {
        LARGE_INTEGER zero{};
        KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, objects.data(), WaitAny, Executive, KernelMode, FALSE, &zero,
                                 blocks.data());
    });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(MAXIMUM_WAIT_OBJECTS_EXCEEDED));
    // No parameters (Bug Check 0xC on Microsoft Learn).
    EXPECT_EQ(bc->p1, 0u);
    EXPECT_EQ(bc->p2, 0u);
}

TEST_F(WaitTest, alert_ends_an_alertable_wait_with_status_alerted) {
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    NTSTATUS seen = STATUS_PENDING;
    _KTHREAD* t = start_thread([&] { seen = wait(&e, hang_guard(), TRUE); });
    ASSERT_TRUE(eventually([&] { return waiter_count(&e) == 1; }));
    EXPECT_FALSE(KeAlertThread(t, KernelMode));
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(seen, STATUS_ALERTED);
}

TEST_F(WaitTest, pending_alert_is_consumed_by_the_next_alertable_wait_or_test) {
    _KTHREAD* self = KeGetCurrentThread();
    EXPECT_FALSE(KeAlertThread(self, KernelMode));
    EXPECT_TRUE(KeAlertThread(self, KernelMode));
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    EXPECT_EQ(wait(&e, relative_ms(1), FALSE), STATUS_TIMEOUT);  // non-alertable: not consumed
    EXPECT_EQ(wait(&e, hang_guard(), TRUE), STATUS_ALERTED);
    KeAlertThread(self, UserMode);
    EXPECT_TRUE(KeTestAlertThread(UserMode));
    EXPECT_FALSE(KeTestAlertThread(UserMode));
}

TEST_F(WaitTest, signalled_object_wins_over_pending_alert) {
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, TRUE);
    KeAlertThread(KeGetCurrentThread(), KernelMode);
    EXPECT_EQ(wait(&e, hang_guard(), TRUE), STATUS_SUCCESS);
    EXPECT_TRUE(KeTestAlertThread(KernelMode));
}

TEST_F(WaitTest, delay_execution_returns_success) {
    LARGE_INTEGER d = relative_ms(2);
    EXPECT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &d), STATUS_SUCCESS);
    LARGE_INTEGER zero{};
    EXPECT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &zero), STATUS_SUCCESS);
}

// SleepEx(INFINITE, TRUE) passes the relative interval 0x8000000000000000: an infinite delay that
// only an alert (or an APC) ends, not an overflowed deadline that expires at once.
TEST_F(WaitTest, most_negative_relative_interval_is_an_infinite_delay) {
    NTSTATUS seen = STATUS_PENDING;
    _KTHREAD* t = start_thread([&] {
        LARGE_INTEGER infinite;
        infinite.QuadPart = LLONG_MIN;
        seen = KeDelayExecutionThread(KernelMode, TRUE, &infinite);
    });
    LARGE_INTEGER settle = relative_ms(30);
    KeDelayExecutionThread(KernelMode, FALSE, &settle);
    EXPECT_EQ(seen, STATUS_PENDING);
    KeAlertThread(t, KernelMode);
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(seen, STATUS_ALERTED);
}

TEST_F(WaitTest, wait_on_a_thread_completes_when_it_terminates) {
    KEVENT go;
    KeInitializeEvent(&go, NotificationEvent, FALSE);
    _KTHREAD* t = start_thread([&] { wait(&go); });
    LARGE_INTEGER zero{};
    EXPECT_EQ(wait(t, zero), STATUS_TIMEOUT);
    KeSetEvent(&go, 0, FALSE);
    EXPECT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_TRUE(ke::is_terminated(t));
    EXPECT_EQ(ke::exit_status(t), STATUS_SUCCESS);
}

TEST_F(WaitTest, process_object_is_signalled_for_good) {
    _KPROCESS process;
    ke::initialize_process(&process);
    EXPECT_EQ(process.Header.Type, ProcessObject);
    LARGE_INTEGER zero{};
    EXPECT_EQ(wait(&process, zero), STATUS_TIMEOUT);
    NTSTATUS seen = STATUS_PENDING;
    _KTHREAD* t = start_thread([&] { seen = wait(&process); });
    ASSERT_TRUE(eventually([&] { return waiter_count(&process) == 1; }));
    ke::signal_object(&process.Header);
    ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(seen, STATUS_SUCCESS);
    EXPECT_EQ(wait(&process, zero), STATUS_SUCCESS);
    EXPECT_EQ(wait(&process, zero), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test
