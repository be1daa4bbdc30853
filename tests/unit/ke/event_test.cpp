// Events: notification vs synchronization semantics, previous-state return values, pulse.
#include "ke_fixture.hpp"

namespace ntio::test {
namespace {

using EventTest = KeTest;

TEST_F(EventTest, initialize_sets_type_size_and_state) {
    KEVENT e;
    KeInitializeEvent(&e, SynchronizationEvent, TRUE);
    EXPECT_EQ(e.Header.Type, EventSynchronizationObject);
    EXPECT_EQ(e.Header.Size, sizeof(KEVENT) / sizeof(LONG));
    EXPECT_EQ(KeReadStateEvent(&e), 1);
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    EXPECT_EQ(e.Header.Type, EventNotificationObject);
    EXPECT_EQ(KeReadStateEvent(&e), 0);
    EXPECT_EQ(e.Header.WaitListHead.Flink, &e.Header.WaitListHead);
}

TEST_F(EventTest, set_and_reset_return_the_previous_state) {
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    EXPECT_EQ(KeSetEvent(&e, 0, FALSE), 0);
    EXPECT_EQ(KeSetEvent(&e, 0, FALSE), 1);
    EXPECT_EQ(KeResetEvent(&e), 1);
    EXPECT_EQ(KeResetEvent(&e), 0);
    KeSetEvent(&e, 0, FALSE);
    KeClearEvent(&e);
    EXPECT_EQ(KeReadStateEvent(&e), 0);
}

TEST_F(EventTest, notification_event_stays_signalled_for_every_waiter) {
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, TRUE);
    LARGE_INTEGER zero{};
    EXPECT_EQ(wait(&e, zero), STATUS_SUCCESS);
    EXPECT_EQ(wait(&e, zero), STATUS_SUCCESS);
    EXPECT_EQ(KeReadStateEvent(&e), 1);
}

TEST_F(EventTest, synchronization_event_releases_one_wait_and_resets) {
    KEVENT e;
    KeInitializeEvent(&e, SynchronizationEvent, TRUE);
    LARGE_INTEGER zero{};
    EXPECT_EQ(wait(&e, zero), STATUS_SUCCESS);
    EXPECT_EQ(KeReadStateEvent(&e), 0);
    EXPECT_EQ(wait(&e, zero), STATUS_TIMEOUT);
}

TEST_F(EventTest, notification_set_wakes_all_blocked_waiters) {
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    std::atomic<int> woken{0};
    _KTHREAD* a = start_thread([&] { if (wait(&e) == STATUS_SUCCESS) ++woken; });
    _KTHREAD* b = start_thread([&] { if (wait(&e) == STATUS_SUCCESS) ++woken; });
    ASSERT_TRUE(eventually([&] { return waiter_count(&e) == 2; }));
    KeSetEvent(&e, 0, FALSE);
    ASSERT_EQ(wait(a), STATUS_SUCCESS);
    ASSERT_EQ(wait(b), STATUS_SUCCESS);
    EXPECT_EQ(woken.load(), 2);
    EXPECT_EQ(KeReadStateEvent(&e), 1);
}

TEST_F(EventTest, synchronization_set_wakes_exactly_one_blocked_waiter) {
    KEVENT e, stop;
    KeInitializeEvent(&e, SynchronizationEvent, FALSE);
    KeInitializeEvent(&stop, NotificationEvent, FALSE);
    std::atomic<int> woken{0};
    auto body = [&] {
        PVOID objects[2] = {&e, &stop};
        LARGE_INTEGER guard = hang_guard();
        if (KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode, FALSE, &guard, nullptr) ==
            STATUS_WAIT_0)
            ++woken;
    };
    _KTHREAD* a = start_thread(body);
    _KTHREAD* b = start_thread(body);
    ASSERT_TRUE(eventually([&] { return waiter_count(&e) == 2; }));
    KeSetEvent(&e, 0, FALSE);
    ASSERT_TRUE(eventually([&] { return waiter_count(&e) == 1; }));
    EXPECT_EQ(KeReadStateEvent(&e), 0);
    KeSetEvent(&stop, 0, FALSE);
    ASSERT_EQ(wait(a), STATUS_SUCCESS);
    ASSERT_EQ(wait(b), STATUS_SUCCESS);
    EXPECT_EQ(woken.load(), 1);
}

TEST_F(EventTest, pulse_releases_current_waiter_and_leaves_event_clear) {
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    NTSTATUS seen = STATUS_PENDING;
    _KTHREAD* a = start_thread([&] { seen = wait(&e); });
    ASSERT_TRUE(eventually([&] { return waiter_count(&e) == 1; }));
    EXPECT_EQ(KePulseEvent(&e, 0, FALSE), 0);
    ASSERT_EQ(wait(a), STATUS_SUCCESS);
    EXPECT_EQ(seen, STATUS_SUCCESS);
    EXPECT_EQ(KeReadStateEvent(&e), 0);
    // Without waiters the pulse leaves nothing behind either.
    KePulseEvent(&e, 0, FALSE);
    EXPECT_EQ(KeReadStateEvent(&e), 0);
}

TEST_F(EventTest, waiter_may_free_the_event_as_soon_as_it_is_woken) {
    // The classic synchronous-IRP pattern: the event lives in the waiter's storage.
    for (int i = 0; i < 200; ++i) {
        auto* e = new KEVENT;
        KeInitializeEvent(e, NotificationEvent, FALSE);
        _KTHREAD* setter = start_thread([e] { KeSetEvent(e, 0, FALSE); });
        ASSERT_EQ(wait(e), STATUS_SUCCESS);
        delete e;
        ASSERT_EQ(wait(setter), STATUS_SUCCESS);
    }
}

}  // namespace
}  // namespace ntio::test
