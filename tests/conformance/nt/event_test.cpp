// Events through the Nt* services: notification vs synchronization, previous states of
// set/reset/pulse, names, type and access errors.
#include <atomic>
#include <thread>

#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

TEST_F(NtTest, set_and_reset_return_the_previous_state) {
    Handle ev(make_event(NotificationEvent, FALSE));
    LONG previous = -1;
    EXPECT_EQ(NtSetEvent(ev, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 0);
    EXPECT_EQ(NtSetEvent(ev, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 1);
    EXPECT_EQ(NtResetEvent(ev, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 1);
    EXPECT_EQ(NtResetEvent(ev, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 0);
    EXPECT_EQ(NtSetEvent(ev, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtClearEvent(ev), STATUS_SUCCESS);
    EXPECT_EQ(event_state(ev), 0);
}

TEST_F(NtTest, query_event_reports_type_and_state) {
    Handle notification(make_event(NotificationEvent, TRUE));
    Handle synchronization(make_event(SynchronizationEvent, FALSE));
    EVENT_BASIC_INFORMATION info{};
    ULONG length = 0;
    EXPECT_EQ(NtQueryEvent(notification, EventBasicInformation, &info, sizeof(info), &length), STATUS_SUCCESS);
    EXPECT_EQ(info.EventType, NotificationEvent);
    EXPECT_EQ(info.EventState, 1);
    EXPECT_EQ(length, sizeof(info));
    EXPECT_EQ(NtQueryEvent(synchronization, EventBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
    EXPECT_EQ(info.EventType, SynchronizationEvent);
    EXPECT_EQ(info.EventState, 0);
    EXPECT_EQ(NtQueryEvent(notification, EventBasicInformation, &info, sizeof(info) - 1, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryEvent(notification, static_cast<EVENT_INFORMATION_CLASS>(1), &info, sizeof(info), nullptr),
              STATUS_INVALID_INFO_CLASS);
}

TEST_F(NtTest, notification_event_stays_signalled_synchronization_event_is_consumed) {
    Handle notification(make_event(NotificationEvent, TRUE));
    Handle synchronization(make_event(SynchronizationEvent, TRUE));
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForSingleObject(notification, FALSE, &zero), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForSingleObject(notification, FALSE, &zero), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForSingleObject(synchronization, FALSE, &zero), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForSingleObject(synchronization, FALSE, &zero), STATUS_TIMEOUT);
    EXPECT_EQ(event_state(synchronization), 0);
}

TEST_F(NtTest, pulse_returns_previous_state_and_leaves_the_event_reset) {
    Handle ev(make_event(NotificationEvent, TRUE));
    LONG previous = -1;
    EXPECT_EQ(NtPulseEvent(ev, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 1);
    EXPECT_EQ(event_state(ev), 0);
    EXPECT_EQ(NtPulseEvent(ev, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 0);
    EXPECT_EQ(event_state(ev), 0);
}

TEST_F(NtTest, pulse_releases_a_waiting_thread) {
    Handle ev(make_event(NotificationEvent, FALSE));
    std::atomic<NTSTATUS> result{STATUS_PENDING};
    std::thread waiter([&] { result = NtWaitForSingleObject(ev, FALSE, nullptr); });
    // Each pulse either finds the waiter blocked and releases it, or finds nobody and does nothing.
    while (result.load() == STATUS_PENDING) {
        EXPECT_EQ(NtPulseEvent(ev, nullptr), STATUS_SUCCESS);
        LARGE_INTEGER pause = relative_ms(1);
        NtDelayExecution(FALSE, &pause);
    }
    waiter.join();
    EXPECT_EQ(result.load(), STATUS_SUCCESS);
    EXPECT_EQ(event_state(ev), 0);
}

TEST_F(NtTest, set_releases_a_waiting_thread) {
    Handle ev(make_event(SynchronizationEvent, FALSE));
    std::atomic<NTSTATUS> result{STATUS_PENDING};
    std::thread waiter([&] { result = NtWaitForSingleObject(ev, FALSE, nullptr); });
    EXPECT_EQ(NtSetEvent(ev, nullptr), STATUS_SUCCESS);
    waiter.join();
    EXPECT_EQ(result.load(), STATUS_SUCCESS);
    EXPECT_EQ(event_state(ev), 0);
}

TEST_F(NtTest, invalid_event_type_is_invalid_parameter) {
    HANDLE h = nullptr;
    EXPECT_EQ(NtCreateEvent(&h, EVENT_ALL_ACCESS, nullptr, static_cast<EVENT_TYPE>(2), FALSE),
              STATUS_INVALID_PARAMETER);
}

TEST_F(NtTest, named_event_is_shared_by_open_and_name_rules_apply) {
    ObjectName name(L"\\BaseNamedObjects\\ntio-nt-event");
    Handle created;
    ASSERT_EQ(NtCreateEvent(created.out(), EVENT_ALL_ACCESS, name.get(), NotificationEvent, FALSE), STATUS_SUCCESS);
    Handle opened;
    ASSERT_EQ(NtOpenEvent(opened.out(), EVENT_ALL_ACCESS, name.get()), STATUS_SUCCESS);
    EXPECT_NE(created.get(), opened.get());
    EXPECT_EQ(NtSetEvent(opened, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(event_state(created), 1);

    HANDLE h = nullptr;
    EXPECT_EQ(NtCreateEvent(&h, EVENT_ALL_ACCESS, name.get(), NotificationEvent, FALSE),
              STATUS_OBJECT_NAME_COLLISION);
    ObjectName openif(L"\\BaseNamedObjects\\ntio-nt-event", OBJ_CASE_INSENSITIVE | OBJ_OPENIF);
    Handle existing;
    EXPECT_EQ(NtCreateEvent(existing.out(), EVENT_ALL_ACCESS, openif.get(), NotificationEvent, FALSE),
              STATUS_OBJECT_NAME_EXISTS);
    EXPECT_EQ(event_state(existing), 1);

    // Another type under the same name.
    ObjectName same(L"\\BaseNamedObjects\\ntio-nt-event");
    EXPECT_EQ(NtOpenSemaphore(&h, SEMAPHORE_ALL_ACCESS, same.get()), STATUS_OBJECT_TYPE_MISMATCH);

    // Temporary object: the name goes with the last handle.
    created.reset();
    opened.reset();
    existing.reset();
    EXPECT_EQ(NtOpenEvent(&h, EVENT_ALL_ACCESS, name.get()), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(NtTest, event_services_check_handle_type_and_access) {
    Handle ev(make_event(NotificationEvent, FALSE, EVENT_QUERY_STATE));
    EXPECT_EQ(NtSetEvent(ev, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtResetEvent(ev, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtPulseEvent(ev, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtClearEvent(ev), STATUS_ACCESS_DENIED);
    EXPECT_EQ(event_state(ev), 0);

    Handle modify_only(make_event(NotificationEvent, FALSE, EVENT_MODIFY_STATE));
    EVENT_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryEvent(modify_only, EventBasicInformation, &info, sizeof(info), nullptr), STATUS_ACCESS_DENIED);

    Handle semaphore;
    ASSERT_EQ(NtCreateSemaphore(semaphore.out(), SEMAPHORE_ALL_ACCESS, nullptr, 0, 1), STATUS_SUCCESS);
    EXPECT_EQ(NtSetEvent(semaphore, nullptr), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtSetEvent(nullptr, nullptr), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtSetEvent(reinterpret_cast<HANDLE>(0x7ffc), nullptr), STATUS_INVALID_HANDLE);
}

}  // namespace
}  // namespace ntio::test
