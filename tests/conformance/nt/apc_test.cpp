// User APC delivery rules (NT fact G5) and alerts: APCs run only in alertable waits or at
// NtTestAlert, on the target thread, in FIFO order, exactly once.
#include <atomic>
#include <thread>
#include <vector>

#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

struct ApcLog {
    std::vector<ULONG_PTR> order;
    std::vector<std::thread::id> threads;
    PVOID second = nullptr;
    PVOID third = nullptr;
};

VOID NTAPI record_apc(PVOID context, PVOID argument2, PVOID argument3) {
    auto* log = static_cast<ApcLog*>(argument2);
    log->order.push_back(reinterpret_cast<ULONG_PTR>(context));
    log->threads.push_back(std::this_thread::get_id());
    log->second = argument2;
    log->third = argument3;
}

// A real handle to the calling thread (the pseudo handle duplicated, as DuplicateHandle does).
HANDLE own_thread_handle(ACCESS_MASK access = 0, ULONG options = DUPLICATE_SAME_ACCESS) {
    HANDLE h = nullptr;
    EXPECT_EQ(NtDuplicateObject(NtCurrentProcess(), NtCurrentThread(), NtCurrentProcess(), &h, access, 0, options),
              STATUS_SUCCESS);
    return h;
}

TEST_F(NtTest, user_apc_runs_in_an_alertable_wait_with_its_arguments) {
    // NT fact G5: queued to self, the APC runs in the alertable wait, which returns STATUS_USER_APC.
    ApcLog log;
    Handle ev(make_event(NotificationEvent, FALSE));
    ASSERT_EQ(NtQueueApcThread(NtCurrentThread(), record_apc, reinterpret_cast<PVOID>(7), &log,
                               reinterpret_cast<PVOID>(9)),
              STATUS_SUCCESS);
    EXPECT_TRUE(log.order.empty());
    EXPECT_EQ(NtWaitForSingleObject(ev, TRUE, nullptr), STATUS_USER_APC);
    ASSERT_EQ(log.order.size(), 1u);
    EXPECT_EQ(log.order[0], 7u);
    EXPECT_EQ(log.second, &log);
    EXPECT_EQ(log.third, reinterpret_cast<PVOID>(9));
    EXPECT_EQ(log.threads[0], std::this_thread::get_id());
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForSingleObject(ev, TRUE, &zero), STATUS_TIMEOUT);
    EXPECT_EQ(log.order.size(), 1u);
}

TEST_F(NtTest, user_apcs_wait_for_an_alertable_point_and_run_in_fifo_order) {
    ApcLog log;
    for (ULONG_PTR i = 1; i <= 3; ++i)
        ASSERT_EQ(NtQueueApcThread(NtCurrentThread(), record_apc, reinterpret_cast<PVOID>(i), &log, nullptr),
                  STATUS_SUCCESS);
    Handle ev(make_event(NotificationEvent, FALSE));
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForSingleObject(ev, FALSE, &zero), STATUS_TIMEOUT);
    LARGE_INTEGER delay = relative_ms(1);
    EXPECT_EQ(NtDelayExecution(FALSE, &delay), STATUS_SUCCESS);
    EXPECT_TRUE(log.order.empty()) << "non-alertable waits never run user APCs";
    // NT fact G5: NtTestAlert delivers the pending user APCs, once.
    EXPECT_EQ(NtTestAlert(), STATUS_SUCCESS);
    EXPECT_EQ(log.order, (std::vector<ULONG_PTR>{1, 2, 3}));
    EXPECT_EQ(NtTestAlert(), STATUS_SUCCESS);
    EXPECT_EQ(log.order.size(), 3u);
}

TEST_F(NtTest, alertable_delay_returns_user_apc) {
    ApcLog log;
    ASSERT_EQ(NtQueueApcThread(NtCurrentThread(), record_apc, nullptr, &log, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER delay = relative_ms(10000);
    EXPECT_EQ(NtDelayExecution(TRUE, &delay), STATUS_USER_APC);
    EXPECT_EQ(log.order.size(), 1u);
}

TEST_F(NtTest, null_apc_routine_is_accepted_and_delivers_nothing) {
    // NT fact G5: success, but the alertable wait then simply times out.
    ASSERT_EQ(NtQueueApcThread(NtCurrentThread(), nullptr, nullptr, nullptr, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER delay = relative_ms(5);
    EXPECT_EQ(NtDelayExecution(TRUE, &delay), STATUS_SUCCESS);
}

TEST_F(NtTest, apc_to_a_terminated_thread_is_unsuccessful) {
    // NT fact G5: QueueUserAPC to a terminated thread fails (NtQueueApcThread -> STATUS_UNSUCCESSFUL).
    HANDLE thread_handle = nullptr;
    std::thread worker([&] { thread_handle = own_thread_handle(); });
    worker.join();
    Handle thread(thread_handle);
    ASSERT_NE(thread.get(), nullptr);
    EXPECT_EQ(NtWaitForSingleObject(thread, FALSE, nullptr), STATUS_SUCCESS) << "thread objects signal at exit";
    ApcLog log;
    EXPECT_EQ(NtQueueApcThread(thread, record_apc, nullptr, &log, nullptr), STATUS_UNSUCCESSFUL);
    EXPECT_TRUE(log.order.empty());
}

TEST_F(NtTest, apc_queued_to_another_thread_runs_on_that_thread) {
    ApcLog log;
    Handle never(make_event(NotificationEvent, FALSE));
    Handle ready(make_event(NotificationEvent, FALSE));
    HANDLE target = nullptr;
    std::thread::id target_id;
    std::atomic<NTSTATUS> result{STATUS_PENDING};
    std::thread worker([&] {
        target = own_thread_handle();
        target_id = std::this_thread::get_id();
        NtSetEvent(ready, nullptr);
        result = NtWaitForSingleObject(never, TRUE, nullptr);
    });
    ASSERT_EQ(NtWaitForSingleObject(ready, FALSE, nullptr), STATUS_SUCCESS);
    Handle thread(target);
    EXPECT_EQ(NtQueueApcThread(thread, record_apc, reinterpret_cast<PVOID>(5), &log, nullptr), STATUS_SUCCESS);
    worker.join();
    EXPECT_EQ(result.load(), STATUS_USER_APC);
    ASSERT_EQ(log.order.size(), 1u);
    EXPECT_EQ(log.threads[0], target_id);
}

// A delay waits on no object; an APC or an alert from another thread must still end it (a
// thread asleep in SleepEx(INFINITE, TRUE) is woken by QueueUserAPC). The target is given time to
// fall asleep first so the wake path, not the wait-entry check, is what runs; either order must
// deliver.
TEST_F(NtTest, apc_and_alert_end_an_alertable_delay_on_another_thread) {
    for (int round = 0; round < 2; ++round) {
        const bool alert = round == 1;
        Handle ready(make_event(NotificationEvent, FALSE));
        ApcLog log;
        HANDLE target = nullptr;
        std::atomic<NTSTATUS> result{STATUS_PENDING};
        std::thread worker([&] {
            target = own_thread_handle();
            NtSetEvent(ready, nullptr);
            LARGE_INTEGER forever;
            forever.QuadPart = -(10LL * 1000 * 1000 * 3600);
            result = NtDelayExecution(TRUE, &forever);
        });
        ASSERT_EQ(NtWaitForSingleObject(ready, FALSE, nullptr), STATUS_SUCCESS);
        Handle thread(target);
        LARGE_INTEGER settle;
        settle.QuadPart = -(10LL * 1000 * 20);
        NtDelayExecution(FALSE, &settle);
        if (alert)
            EXPECT_EQ(NtAlertThread(thread), STATUS_SUCCESS);
        else
            EXPECT_EQ(NtQueueApcThread(thread, record_apc, reinterpret_cast<PVOID>(3), &log, nullptr), STATUS_SUCCESS);
        worker.join();
        EXPECT_EQ(result.load(), alert ? STATUS_ALERTED : STATUS_USER_APC);
        EXPECT_EQ(log.order.size(), alert ? 0u : 1u);
    }
}

TEST_F(NtTest, queue_apc_needs_set_context_access) {
    Handle limited(own_thread_handle(SYNCHRONIZE, 0));
    ASSERT_NE(limited.get(), nullptr);
    ApcLog log;
    EXPECT_EQ(NtQueueApcThread(limited, record_apc, nullptr, &log, nullptr), STATUS_ACCESS_DENIED);
    Handle ev(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(NtQueueApcThread(ev, record_apc, nullptr, &log, nullptr), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtQueueApcThread(nullptr, record_apc, nullptr, &log, nullptr), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtTestAlert(), STATUS_SUCCESS);
    EXPECT_TRUE(log.order.empty());
}

TEST_F(NtTest, alert_thread_is_seen_by_test_alert_and_alertable_waits) {
    EXPECT_EQ(NtAlertThread(NtCurrentThread()), STATUS_SUCCESS);
    EXPECT_EQ(NtTestAlert(), STATUS_ALERTED);
    EXPECT_EQ(NtTestAlert(), STATUS_SUCCESS);
    EXPECT_EQ(NtAlertThread(NtCurrentThread()), STATUS_SUCCESS);
    Handle ev(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(NtWaitForSingleObject(ev, TRUE, nullptr), STATUS_ALERTED);
}

}  // namespace
}  // namespace ntio::test
