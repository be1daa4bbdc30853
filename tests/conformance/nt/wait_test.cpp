// Handle waits: WaitAny/WaitAll, timeouts (relative, absolute, zero), parameter and handle errors,
// and NtSignalAndWaitForSingleObject.
#include <atomic>
#include <thread>
#include <vector>

#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

TEST_F(NtTest, wait_any_returns_the_index_of_the_first_signalled_object) {
    Handle a(make_event(NotificationEvent, FALSE));
    Handle b(make_event(SynchronizationEvent, TRUE));
    Handle c(make_event(NotificationEvent, TRUE));
    HANDLE handles[] = {a, b, c};
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForMultipleObjects(3, handles, WaitAny, FALSE, &zero), STATUS_WAIT_1);
    EXPECT_EQ(NtWaitForMultipleObjects(3, handles, WaitAny, FALSE, &zero), STATUS_WAIT_0 + 2);
    EXPECT_EQ(event_state(b), 0);
}

TEST_F(NtTest, wait_all_takes_every_object_or_none) {
    Handle sync(make_event(SynchronizationEvent, TRUE));
    Handle notification(make_event(NotificationEvent, FALSE));
    HANDLE handles[] = {sync, notification};
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForMultipleObjects(2, handles, WaitAll, FALSE, &zero), STATUS_TIMEOUT);
    EXPECT_EQ(event_state(sync), 1) << "a failed WaitAll must not consume part of the objects";
    EXPECT_EQ(NtSetEvent(notification, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForMultipleObjects(2, handles, WaitAll, FALSE, &zero), STATUS_SUCCESS);
    EXPECT_EQ(event_state(sync), 0);
    EXPECT_EQ(event_state(notification), 1);
}

TEST_F(NtTest, wait_all_completes_when_another_thread_signals_the_last_object) {
    Handle a(make_event(NotificationEvent, TRUE));
    Handle b(make_event(SynchronizationEvent, FALSE));
    HANDLE handles[] = {a, b};
    std::atomic<NTSTATUS> result{STATUS_PENDING};
    std::thread waiter([&] { result = NtWaitForMultipleObjects(2, handles, WaitAll, FALSE, nullptr); });
    EXPECT_EQ(NtSetEvent(b, nullptr), STATUS_SUCCESS);
    waiter.join();
    EXPECT_EQ(result.load(), STATUS_SUCCESS);
    EXPECT_EQ(event_state(b), 0);
}

TEST_F(NtTest, multiple_wait_parameter_errors) {
    Handle ev(make_event(NotificationEvent, TRUE));
    std::vector<HANDLE> many(MAXIMUM_WAIT_OBJECTS + 1, ev.get());
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, many.data(), WaitAny, FALSE, &zero),
              STATUS_INVALID_PARAMETER_1);
    EXPECT_EQ(NtWaitForMultipleObjects(0, many.data(), WaitAny, FALSE, &zero), STATUS_INVALID_PARAMETER_1);
    EXPECT_EQ(NtWaitForMultipleObjects(2, many.data(), static_cast<WAIT_TYPE>(7), FALSE, &zero),
              STATUS_INVALID_PARAMETER_3);
    // 64 handles are allowed, duplicates too for WaitAny.
    EXPECT_EQ(NtWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, many.data(), WaitAny, FALSE, &zero), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForMultipleObjects(2, many.data(), WaitAll, FALSE, &zero), STATUS_INVALID_PARAMETER_MIX);
    // The same object through two different handles is still a duplicate.
    Handle second;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), ev, NtCurrentProcess(), second.out(), 0, 0,
                                DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    HANDLE pair[] = {ev, second};
    EXPECT_EQ(NtWaitForMultipleObjects(2, pair, WaitAll, FALSE, &zero), STATUS_INVALID_PARAMETER_MIX);
}

TEST_F(NtTest, wait_handle_errors) {
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForSingleObject(nullptr, FALSE, &zero), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtWaitForSingleObject(reinterpret_cast<HANDLE>(0x1230), FALSE, &zero), STATUS_INVALID_HANDLE);

    Handle no_sync(make_event(NotificationEvent, TRUE, EVENT_QUERY_STATE | EVENT_MODIFY_STATE));
    EXPECT_EQ(NtWaitForSingleObject(no_sync, FALSE, &zero), STATUS_ACCESS_DENIED);
    HANDLE one[] = {no_sync};
    EXPECT_EQ(NtWaitForMultipleObjects(1, one, WaitAny, FALSE, &zero), STATUS_ACCESS_DENIED);

    // A directory handle cannot even hold SYNCHRONIZE (not a valid right of the type); a kernel
    // caller, whose access is not checked, finds the object is not waitable.
    Handle directory;
    ASSERT_EQ(NtCreateDirectoryObject(directory.out(), DIRECTORY_ALL_ACCESS, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForSingleObject(directory, FALSE, &zero), STATUS_ACCESS_DENIED);
    EXPECT_EQ(ZwWaitForSingleObject(directory, FALSE, &zero), STATUS_OBJECT_TYPE_MISMATCH);
    Handle ev(make_event(NotificationEvent, TRUE));
    HANDLE mixed[] = {ev, directory};
    EXPECT_EQ(ZwWaitForMultipleObjects(2, mixed, WaitAny, FALSE, &zero), STATUS_OBJECT_TYPE_MISMATCH);

    HANDLE closed = make_event(NotificationEvent, TRUE);
    EXPECT_EQ(NtClose(closed), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForSingleObject(closed, FALSE, &zero), STATUS_INVALID_HANDLE);
}

TEST_F(NtTest, timeouts_relative_absolute_and_zero_expire) {
    Handle ev(make_event(NotificationEvent, FALSE));
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForSingleObject(ev, FALSE, &zero), STATUS_TIMEOUT);
    LARGE_INTEGER relative = relative_ms(5);
    EXPECT_EQ(NtWaitForSingleObject(ev, FALSE, &relative), STATUS_TIMEOUT);
    LARGE_INTEGER past;
    past.QuadPart = 1;  // 1601: long gone
    EXPECT_EQ(NtWaitForSingleObject(ev, FALSE, &past), STATUS_TIMEOUT);
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    LARGE_INTEGER soon;
    soon.QuadPart = now.QuadPart + 5 * 10000;
    EXPECT_EQ(NtWaitForSingleObject(ev, FALSE, &soon), STATUS_TIMEOUT);
    HANDLE handles[] = {ev};
    EXPECT_EQ(NtWaitForMultipleObjects(1, handles, WaitAny, FALSE, &relative), STATUS_TIMEOUT);
    LARGE_INTEGER delay = relative_ms(1);
    EXPECT_EQ(NtDelayExecution(FALSE, &delay), STATUS_SUCCESS);
}

TEST_F(NtTest, signal_and_wait_signals_first_then_waits) {
    Handle to_signal(make_event(NotificationEvent, FALSE));
    Handle to_wait(make_event(SynchronizationEvent, TRUE));
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtSignalAndWaitForSingleObject(to_signal, to_wait, FALSE, &zero), STATUS_SUCCESS);
    EXPECT_EQ(event_state(to_signal), 1);
    EXPECT_EQ(event_state(to_wait), 0);
    EXPECT_EQ(NtSignalAndWaitForSingleObject(to_signal, to_wait, FALSE, &zero), STATUS_TIMEOUT);

    Handle sem;
    ASSERT_EQ(NtCreateSemaphore(sem.out(), SEMAPHORE_ALL_ACCESS, nullptr, 1, 1), STATUS_SUCCESS);
    EXPECT_EQ(NtSignalAndWaitForSingleObject(sem, to_signal, FALSE, &zero), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    Handle mutant;
    ASSERT_EQ(NtCreateMutant(mutant.out(), MUTANT_ALL_ACCESS, nullptr, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(NtSignalAndWaitForSingleObject(mutant, to_signal, FALSE, &zero), STATUS_MUTANT_NOT_OWNED);
    Handle directory;
    ASSERT_EQ(NtCreateDirectoryObject(directory.out(), DIRECTORY_ALL_ACCESS, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtSignalAndWaitForSingleObject(directory, to_signal, FALSE, &zero), STATUS_OBJECT_TYPE_MISMATCH);
    Handle query_only(make_event(NotificationEvent, FALSE, EVENT_QUERY_STATE | SYNCHRONIZE));
    EXPECT_EQ(NtSignalAndWaitForSingleObject(query_only, to_signal, FALSE, &zero), STATUS_ACCESS_DENIED);
    EXPECT_EQ(event_state(query_only), 0);
}

TEST_F(NtTest, signal_and_wait_ping_pong_between_threads) {
    Handle ping(make_event(SynchronizationEvent, FALSE));
    Handle pong(make_event(SynchronizationEvent, FALSE));
    constexpr int kRounds = 200;
    std::thread partner([&] {
        EXPECT_EQ(NtWaitForSingleObject(ping, FALSE, nullptr), STATUS_SUCCESS);
        for (int i = 1; i < kRounds; ++i)
            EXPECT_EQ(NtSignalAndWaitForSingleObject(pong, ping, FALSE, nullptr), STATUS_SUCCESS);
        EXPECT_EQ(NtSetEvent(pong, nullptr), STATUS_SUCCESS);
    });
    for (int i = 0; i < kRounds; ++i)
        EXPECT_EQ(NtSignalAndWaitForSingleObject(ping, pong, FALSE, nullptr), STATUS_SUCCESS);
    partner.join();
    EXPECT_EQ(event_state(ping), 0);
    EXPECT_EQ(event_state(pong), 0);
}

}  // namespace
}  // namespace ntio::test
