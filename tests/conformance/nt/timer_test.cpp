// Timer objects through the Nt* services: notification and synchronization timers, periods, the
// previous and current states, NtQueryTimer, the timer APC (a user APC to the thread that set the
// timer), cancellation by NtCancelTimer, by the next set, by the setting thread's end and by the last
// handle's close, access and type checks, and bad parameters.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwsettimer
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatetimer
#include "nt_test_support.hpp"

namespace ntio::test {
namespace nt_timer_test {

HANDLE make_timer(TIMER_TYPE type, ACCESS_MASK access = TIMER_ALL_ACCESS, POBJECT_ATTRIBUTES attributes = nullptr) {
    HANDLE h = nullptr;
    EXPECT_EQ(NtCreateTimer(&h, access, attributes, type), STATUS_SUCCESS);
    return h;
}

TIMER_BASIC_INFORMATION query_timer(HANDLE h) {
    TIMER_BASIC_INFORMATION info{};
    ULONG length = 0;
    EXPECT_EQ(NtQueryTimer(h, TimerBasicInformation, &info, sizeof(info), &length), STATUS_SUCCESS);
    EXPECT_EQ(length, sizeof(info));
    return info;
}

// Hang guard for waits that must succeed.
LARGE_INTEGER guard() { return relative_ms(20000); }

struct TimerApcLog {
    std::atomic<int> calls{0};
    std::atomic<PVOID> context{nullptr};
    std::atomic<LONGLONG> fired_at{0};
    std::atomic<bool> on_setting_thread{true};
    std::thread::id setter;
};

VOID NTAPI log_timer_apc(PVOID context, ULONG low, LONG high) {
    auto* log = static_cast<TimerApcLog*>(context);
    LARGE_INTEGER at;
    at.LowPart = low;
    at.HighPart = high;
    log->fired_at.store(at.QuadPart);
    log->context.store(context);
    if (std::this_thread::get_id() != log->setter) log->on_setting_thread.store(false);
    log->calls.fetch_add(1);
}

// Runs the calling thread's queued user APCs (NtTestAlert) and returns how many calls the log has.
int run_apcs(TimerApcLog& log) {
    EXPECT_EQ(NtTestAlert(), STATUS_SUCCESS);
    return log.calls.load();
}

TEST_F(NtTest, notification_timer_signals_at_its_due_time_and_stays_signalled) {
    Handle timer(make_timer(NotificationTimer));
    EXPECT_FALSE(query_timer(timer).TimerState);
    LARGE_INTEGER due = relative_ms(20);
    BOOLEAN previous = 0x55;
    ASSERT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, 0, &previous), STATUS_SUCCESS);
    EXPECT_FALSE(previous);
    LARGE_INTEGER timeout = guard();
    EXPECT_EQ(NtWaitForSingleObject(timer, FALSE, &timeout), STATUS_SUCCESS);
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForSingleObject(timer, FALSE, &zero), STATUS_SUCCESS);  // still signalled
    EXPECT_TRUE(query_timer(timer).TimerState);
    // Setting it again resets it and reports the state it had.
    due = relative_ms(60000);
    ASSERT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, 0, &previous), STATUS_SUCCESS);
    EXPECT_TRUE(previous);
    EXPECT_FALSE(query_timer(timer).TimerState);
    EXPECT_EQ(NtWaitForSingleObject(timer, FALSE, &zero), STATUS_TIMEOUT);
}

TEST_F(NtTest, synchronization_timer_releases_one_wait_and_resets) {
    Handle timer(make_timer(SynchronizationTimer));
    LARGE_INTEGER due = relative_ms(10);
    ASSERT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER timeout = guard();
    EXPECT_EQ(NtWaitForSingleObject(timer, FALSE, &timeout), STATUS_SUCCESS);
    LARGE_INTEGER short_wait = relative_ms(50);
    EXPECT_EQ(NtWaitForSingleObject(timer, FALSE, &short_wait), STATUS_TIMEOUT);
    EXPECT_FALSE(query_timer(timer).TimerState);
}

TEST_F(NtTest, periodic_timer_signals_every_period) {
    Handle timer(make_timer(SynchronizationTimer));
    LARGE_INTEGER due = relative_ms(5);
    ASSERT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, 5, nullptr), STATUS_SUCCESS);
    for (int i = 0; i < 4; ++i) {
        LARGE_INTEGER timeout = guard();
        ASSERT_EQ(NtWaitForSingleObject(timer, FALSE, &timeout), STATUS_SUCCESS) << i;
    }
    BOOLEAN current = 0x55;
    EXPECT_EQ(NtCancelTimer(timer, &current), STATUS_SUCCESS);
    EXPECT_NE(current, 0x55);
    LARGE_INTEGER zero = zero_timeout();
    (void)NtWaitForSingleObject(timer, FALSE, &zero);  // an expiry just before the cancel
    LARGE_INTEGER later = relative_ms(40);
    EXPECT_EQ(NtWaitForSingleObject(timer, FALSE, &later), STATUS_TIMEOUT);
}

TEST_F(NtTest, cancel_disarms_the_timer_and_keeps_its_state) {
    Handle timer(make_timer(NotificationTimer));
    LARGE_INTEGER due = relative_ms(30);
    ASSERT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);
    BOOLEAN current = TRUE;
    EXPECT_EQ(NtCancelTimer(timer, &current), STATUS_SUCCESS);
    EXPECT_FALSE(current);
    LARGE_INTEGER wait = relative_ms(100);
    EXPECT_EQ(NtWaitForSingleObject(timer, FALSE, &wait), STATUS_TIMEOUT);
    // A signalled timer stays signalled through a cancel.
    due = relative_ms(1);
    ASSERT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER timeout = guard();
    ASSERT_EQ(NtWaitForSingleObject(timer, FALSE, &timeout), STATUS_SUCCESS);
    EXPECT_EQ(NtCancelTimer(timer, &current), STATUS_SUCCESS);
    EXPECT_TRUE(current);
    EXPECT_EQ(NtCancelTimer(timer, nullptr), STATUS_SUCCESS);  // cancelling an idle timer is fine
}

TEST_F(NtTest, absolute_due_time_in_the_past_signals_at_once) {
    Handle timer(make_timer(NotificationTimer));
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    LARGE_INTEGER due;
    due.QuadPart = now.QuadPart - 10000000;  // a second ago, absolute
    ASSERT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER timeout = guard();
    EXPECT_EQ(NtWaitForSingleObject(timer, FALSE, &timeout), STATUS_SUCCESS);
}

TEST_F(NtTest, query_reports_the_remaining_time) {
    Handle timer(make_timer(NotificationTimer));
    LARGE_INTEGER due = relative_ms(60000);
    ASSERT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);
    const TIMER_BASIC_INFORMATION info = query_timer(timer);
    EXPECT_FALSE(info.TimerState);
    EXPECT_GT(info.RemainingTime.QuadPart, 0);
    EXPECT_LE(info.RemainingTime.QuadPart, 60000LL * 10000);
    EXPECT_GT(info.RemainingTime.QuadPart, 50000LL * 10000);
    // Expired: the due time is behind, RemainingTime negative.
    due = relative_ms(1);
    ASSERT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER timeout = guard();
    ASSERT_EQ(NtWaitForSingleObject(timer, FALSE, &timeout), STATUS_SUCCESS);
    EXPECT_LT(query_timer(timer).RemainingTime.QuadPart, 0);
}

TEST_F(NtTest, query_checks_class_and_length) {
    Handle timer(make_timer(NotificationTimer));
    TIMER_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryTimer(timer, static_cast<TIMER_INFORMATION_CLASS>(1), &info, sizeof(info), nullptr),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtQueryTimer(timer, TimerBasicInformation, &info, sizeof(info) - 1, nullptr), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryTimer(timer, TimerBasicInformation, &info, sizeof(info) + 8, nullptr), STATUS_INFO_LENGTH_MISMATCH);
}

TEST_F(NtTest, timer_bad_parameters) {
    HANDLE h = nullptr;
    EXPECT_EQ(NtCreateTimer(&h, TIMER_ALL_ACCESS, nullptr, static_cast<TIMER_TYPE>(2)), STATUS_INVALID_PARAMETER_4);
    EXPECT_EQ(NtCreateTimer(&h, TIMER_ALL_ACCESS, nullptr, static_cast<TIMER_TYPE>(-1)), STATUS_INVALID_PARAMETER_4);
    EXPECT_EQ(h, nullptr);
    Handle timer(make_timer(NotificationTimer));
    LARGE_INTEGER due = relative_ms(10);
    EXPECT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, -1, nullptr), STATUS_INVALID_PARAMETER_6);
    BadMemory bad;
    EXPECT_EQ(NtSetTimer(timer, bad.no_access<LARGE_INTEGER>(), nullptr, nullptr, FALSE, 0, nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtSetTimer(timer, nullptr, nullptr, nullptr, FALSE, 0, nullptr), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, 0, bad.read_only<BOOLEAN>()), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtCancelTimer(timer, bad.read_only<BOOLEAN>()), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryTimer(timer, TimerBasicInformation, bad.read_only<TIMER_BASIC_INFORMATION>(),
                           sizeof(TIMER_BASIC_INFORMATION), nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtCreateTimer(bad.read_only<HANDLE>(), TIMER_ALL_ACCESS, nullptr, NotificationTimer),
              STATUS_ACCESS_VIOLATION);
    // None of the refused calls armed the timer.
    LARGE_INTEGER wait = relative_ms(40);
    EXPECT_EQ(NtWaitForSingleObject(timer, FALSE, &wait), STATUS_TIMEOUT);
}

TEST_F(NtTest, timer_services_check_access_and_type) {
    Handle query_only(make_timer(NotificationTimer, TIMER_QUERY_STATE));
    LARGE_INTEGER due = relative_ms(10);
    EXPECT_EQ(NtSetTimer(query_only, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtCancelTimer(query_only, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_FALSE(query_timer(query_only).TimerState);
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForSingleObject(query_only, FALSE, &zero), STATUS_ACCESS_DENIED);  // no SYNCHRONIZE

    Handle modify_only(make_timer(NotificationTimer, TIMER_MODIFY_STATE));
    EXPECT_EQ(NtSetTimer(modify_only, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);
    TIMER_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryTimer(modify_only, TimerBasicInformation, &info, sizeof(info), nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtCancelTimer(modify_only, nullptr), STATUS_SUCCESS);

    // Generic rights map through the Timer type's mapping.
    Handle generic_read(make_timer(NotificationTimer, GENERIC_READ));
    EXPECT_FALSE(query_timer(generic_read).TimerState);
    EXPECT_EQ(NtSetTimer(generic_read, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_ACCESS_DENIED);
    Handle generic_write(make_timer(NotificationTimer, GENERIC_WRITE));
    EXPECT_EQ(NtSetTimer(generic_write, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);

    Handle event(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(NtSetTimer(event, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtCancelTimer(event, nullptr), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtQueryTimer(event, TimerBasicInformation, &info, sizeof(info), nullptr), STATUS_OBJECT_TYPE_MISMATCH);
    Handle timer(make_timer(NotificationTimer));
    EXPECT_EQ(NtSetEvent(timer, nullptr), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtSetTimer(nullptr, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_INVALID_HANDLE);
}

TEST_F(NtTest, named_timer_opens_the_same_object) {
    ObjectName name(L"\\BaseNamedObjects\\ntio-nt-timer");
    Handle created(make_timer(SynchronizationTimer, TIMER_ALL_ACCESS, name.get()));
    Handle opened;
    ASSERT_EQ(NtOpenTimer(opened.out(), TIMER_ALL_ACCESS, name.get()), STATUS_SUCCESS);
    LARGE_INTEGER due = relative_ms(5);
    ASSERT_EQ(NtSetTimer(opened, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER timeout = guard();
    EXPECT_EQ(NtWaitForSingleObject(created, FALSE, &timeout), STATUS_SUCCESS);
    // OBJ_OPENIF on the existing name: that timer, with STATUS_OBJECT_NAME_EXISTS.
    ObjectName openif(L"\\BaseNamedObjects\\ntio-nt-timer", OBJ_CASE_INSENSITIVE | OBJ_OPENIF);
    Handle again;
    EXPECT_EQ(NtCreateTimer(again.out(), TIMER_ALL_ACCESS, openif.get(), NotificationTimer), STATUS_OBJECT_NAME_EXISTS);
    // Another type's open of the name is a type mismatch.
    Handle wrong;
    EXPECT_EQ(NtOpenEvent(wrong.out(), EVENT_ALL_ACCESS, name.get()), STATUS_OBJECT_TYPE_MISMATCH);
    ObjectName missing(L"\\BaseNamedObjects\\ntio-nt-timer-missing");
    EXPECT_EQ(NtOpenTimer(wrong.out(), TIMER_ALL_ACCESS, missing.get()), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(NtTest, timers_take_part_in_multiple_waits) {
    Handle first(make_timer(NotificationTimer));
    Handle second(make_timer(NotificationTimer));
    LARGE_INTEGER due = relative_ms(5);
    ASSERT_EQ(NtSetTimer(first, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);
    due = relative_ms(15);
    ASSERT_EQ(NtSetTimer(second, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);
    HANDLE both[] = {first.get(), second.get()};
    LARGE_INTEGER timeout = guard();
    EXPECT_EQ(NtWaitForMultipleObjects(2, both, WaitAll, FALSE, &timeout), STATUS_SUCCESS);
    EXPECT_TRUE(query_timer(first).TimerState);
    EXPECT_TRUE(query_timer(second).TimerState);
}

TEST_F(NtTest, timer_apc_runs_in_the_setting_threads_alertable_wait) {
    TimerApcLog log;
    log.setter = std::this_thread::get_id();
    Handle timer(make_timer(NotificationTimer));
    Handle event(make_event(NotificationEvent, FALSE));
    LARGE_INTEGER before;
    KeQuerySystemTime(&before);
    LARGE_INTEGER due = relative_ms(10);
    ASSERT_EQ(NtSetTimer(timer, &due, log_timer_apc, &log, FALSE, 0, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER timeout = guard();
    EXPECT_EQ(NtWaitForSingleObject(event, TRUE, &timeout), STATUS_USER_APC);
    EXPECT_EQ(log.calls.load(), 1);
    EXPECT_EQ(log.context.load(), &log);
    EXPECT_TRUE(log.on_setting_thread.load());
    LARGE_INTEGER after;
    KeQuerySystemTime(&after);
    // The APC's two values are the system time of the expiry.
    EXPECT_GE(log.fired_at.load(), before.QuadPart);
    EXPECT_LE(log.fired_at.load(), after.QuadPart);
    EXPECT_TRUE(query_timer(timer).TimerState);
    // A one-shot timer's APC runs once.
    LARGE_INTEGER short_wait = relative_ms(30);
    EXPECT_EQ(NtWaitForSingleObject(event, TRUE, &short_wait), STATUS_TIMEOUT);
    EXPECT_EQ(log.calls.load(), 1);
}

TEST_F(NtTest, timer_apc_waits_for_an_alertable_point) {
    TimerApcLog log;
    log.setter = std::this_thread::get_id();
    Handle timer(make_timer(SynchronizationTimer));
    LARGE_INTEGER due = relative_ms(1);
    ASSERT_EQ(NtSetTimer(timer, &due, log_timer_apc, &log, FALSE, 0, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER timeout = guard();
    ASSERT_EQ(NtWaitForSingleObject(timer, FALSE, &timeout), STATUS_SUCCESS);  // not alertable
    KeFlushQueuedDpcs();  // the expiry DPC has queued the APC
    LARGE_INTEGER pause = relative_ms(10);
    EXPECT_EQ(NtDelayExecution(FALSE, &pause), STATUS_SUCCESS);
    EXPECT_EQ(log.calls.load(), 0);
    EXPECT_EQ(run_apcs(log), 1);
    EXPECT_EQ(run_apcs(log), 1);
}

TEST_F(NtTest, periodic_timer_apc_runs_each_period_until_cancelled) {
    TimerApcLog log;
    log.setter = std::this_thread::get_id();
    Handle timer(make_timer(NotificationTimer));
    LARGE_INTEGER due = relative_ms(5);
    ASSERT_EQ(NtSetTimer(timer, &due, log_timer_apc, &log, FALSE, 5, nullptr), STATUS_SUCCESS);
    for (int i = 0; i < 200 && log.calls.load() < 3; ++i) {
        LARGE_INTEGER pause = relative_ms(10);
        (void)NtDelayExecution(TRUE, &pause);
    }
    EXPECT_GE(log.calls.load(), 3);
    ASSERT_EQ(NtCancelTimer(timer, nullptr), STATUS_SUCCESS);
    const int after_cancel = run_apcs(log);  // nothing queued survives the cancel
    LARGE_INTEGER pause = relative_ms(40);
    EXPECT_EQ(NtDelayExecution(TRUE, &pause), STATUS_SUCCESS);
    EXPECT_EQ(log.calls.load(), after_cancel);
}

TEST_F(NtTest, cancel_removes_the_queued_timer_apc) {
    TimerApcLog log;
    log.setter = std::this_thread::get_id();
    Handle timer(make_timer(SynchronizationTimer));
    LARGE_INTEGER due = relative_ms(1);
    ASSERT_EQ(NtSetTimer(timer, &due, log_timer_apc, &log, FALSE, 0, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER timeout = guard();
    ASSERT_EQ(NtWaitForSingleObject(timer, FALSE, &timeout), STATUS_SUCCESS);
    KeFlushQueuedDpcs();  // the expiry DPC has queued the APC
    ASSERT_EQ(NtCancelTimer(timer, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(run_apcs(log), 0);
}

TEST_F(NtTest, setting_again_replaces_the_apc) {
    TimerApcLog first;
    first.setter = std::this_thread::get_id();
    TimerApcLog second;
    second.setter = std::this_thread::get_id();
    Handle timer(make_timer(NotificationTimer));
    LARGE_INTEGER due = relative_ms(60000);
    ASSERT_EQ(NtSetTimer(timer, &due, log_timer_apc, &first, FALSE, 0, nullptr), STATUS_SUCCESS);
    due = relative_ms(5);
    ASSERT_EQ(NtSetTimer(timer, &due, log_timer_apc, &second, FALSE, 0, nullptr), STATUS_SUCCESS);
    Handle event(make_event(NotificationEvent, FALSE));
    LARGE_INTEGER timeout = guard();
    EXPECT_EQ(NtWaitForSingleObject(event, TRUE, &timeout), STATUS_USER_APC);
    EXPECT_EQ(first.calls.load(), 0);
    EXPECT_EQ(second.calls.load(), 1);
    // Set without an APC: the old one is gone too.
    due = relative_ms(5);
    ASSERT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(NtWaitForSingleObject(timer, FALSE, &timeout), STATUS_SUCCESS);
    LARGE_INTEGER pause = relative_ms(20);
    EXPECT_EQ(NtDelayExecution(TRUE, &pause), STATUS_SUCCESS);
    EXPECT_EQ(second.calls.load(), 1);
}

TEST_F(NtTest, closing_the_last_handle_cancels_the_timer_and_its_apc) {
    TimerApcLog log;
    log.setter = std::this_thread::get_id();
    HANDLE timer = make_timer(NotificationTimer);
    HANDLE second = nullptr;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), timer, NtCurrentProcess(), &second, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    LARGE_INTEGER due = relative_ms(5);
    ASSERT_EQ(NtSetTimer(timer, &due, log_timer_apc, &log, FALSE, 5, nullptr), STATUS_SUCCESS);
    // Another handle keeps it running.
    ASSERT_EQ(NtClose(timer), STATUS_SUCCESS);
    for (int i = 0; i < 200 && log.calls.load() < 2; ++i) {
        LARGE_INTEGER pause = relative_ms(10);
        (void)NtDelayExecution(TRUE, &pause);
    }
    EXPECT_GE(log.calls.load(), 2);
    // The last one stops it: no APC queued before the close runs, none comes after it. The fixture
    // checks that the timer object itself is gone (its self-reference went with its APC).
    ASSERT_EQ(NtClose(second), STATUS_SUCCESS);
    const int at_close = run_apcs(log);
    LARGE_INTEGER pause = relative_ms(40);
    EXPECT_EQ(NtDelayExecution(TRUE, &pause), STATUS_SUCCESS);
    EXPECT_EQ(log.calls.load(), at_close);
}

TEST_F(NtTest, the_setting_threads_end_cancels_its_timer_apcs) {
    TimerApcLog log;
    Handle timer(make_timer(SynchronizationTimer));
    std::atomic<NTSTATUS> set_status{STATUS_PENDING};
    std::thread setter([&] {
        LARGE_INTEGER due = relative_ms(5);
        set_status.store(NtSetTimer(timer.get(), &due, log_timer_apc, &log, FALSE, 5, nullptr));
    });
    setter.join();
    ASSERT_EQ(set_status.load(), STATUS_SUCCESS);
    // NT: the periodic timer is cancelled with the thread (its APCs never run: the thread never waited
    // alertably). An expiry before the thread's end may have left it signalled: take that one.
    LARGE_INTEGER zero = zero_timeout();
    (void)NtWaitForSingleObject(timer, FALSE, &zero);
    LARGE_INTEGER wait = relative_ms(60);
    EXPECT_EQ(NtWaitForSingleObject(timer, FALSE, &wait), STATUS_TIMEOUT);
    EXPECT_EQ(log.calls.load(), 0);
}

TEST_F(NtTest, a_timer_set_without_an_apc_outlives_the_setting_thread) {
    Handle timer(make_timer(NotificationTimer));
    std::thread setter([&] {
        LARGE_INTEGER due = relative_ms(20);
        EXPECT_EQ(NtSetTimer(timer.get(), &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_SUCCESS);
    });
    setter.join();
    LARGE_INTEGER timeout = guard();
    EXPECT_EQ(NtWaitForSingleObject(timer, FALSE, &timeout), STATUS_SUCCESS);
}

TEST_F(NtTest, resume_timer_is_set_with_an_informational_status) {
    // NT answers STATUS_TIMER_RESUME_IGNORED where the platform cannot wake from a timer; ntio never
    // wakes a sleeping machine. The timer is set all the same.
    Handle timer(make_timer(NotificationTimer));
    LARGE_INTEGER due = relative_ms(5);
    EXPECT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, TRUE, 0, nullptr), STATUS_TIMER_RESUME_IGNORED);
    LARGE_INTEGER timeout = guard();
    EXPECT_EQ(NtWaitForSingleObject(timer, FALSE, &timeout), STATUS_SUCCESS);
}

TEST_F(NtTest, set_timer_ex_sets_a_coalescable_timer) {
    TimerApcLog log;
    log.setter = std::this_thread::get_id();
    Handle timer(make_timer(NotificationTimer));
    BOOLEAN previous = 0x55;
    TIMER_SET_COALESCABLE_TIMER_INFO info{};
    info.DueTime = relative_ms(5);
    info.TimerApcRoutine = log_timer_apc;
    info.TimerContext = &log;
    info.TolerableDelay = 10;
    info.PreviousState = &previous;
    ASSERT_EQ(NtSetTimerEx(timer, TimerSetCoalescableTimer, &info, sizeof(info)), STATUS_SUCCESS);
    EXPECT_FALSE(previous);
    Handle event(make_event(NotificationEvent, FALSE));
    LARGE_INTEGER timeout = guard();
    EXPECT_EQ(NtWaitForSingleObject(event, TRUE, &timeout), STATUS_USER_APC);
    EXPECT_EQ(log.calls.load(), 1);
    EXPECT_TRUE(query_timer(timer).TimerState);

    EXPECT_EQ(NtSetTimerEx(timer, MaxTimerInfoClass, &info, sizeof(info)), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtSetTimerEx(timer, TimerSetCoalescableTimer, &info, sizeof(info) - 8), STATUS_INFO_LENGTH_MISMATCH);
    BadMemory bad;
    info.PreviousState = bad.read_only<BOOLEAN>();
    EXPECT_EQ(NtSetTimerEx(timer, TimerSetCoalescableTimer, &info, sizeof(info)), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtSetTimerEx(timer, TimerSetCoalescableTimer, bad.no_access<TIMER_SET_COALESCABLE_TIMER_INFO>(),
                           sizeof(info)),
              STATUS_ACCESS_VIOLATION);
    info.PreviousState = nullptr;
    info.Period = 0x80000000u;
    EXPECT_EQ(NtSetTimerEx(timer, TimerSetCoalescableTimer, &info, sizeof(info)), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtCancelTimer(timer, nullptr), STATUS_SUCCESS);
}

VOID NTAPI count_kernel_timer_apc(PVOID context, ULONG, LONG) {
    auto* calls = static_cast<std::atomic<int>*>(context);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    calls->fetch_add(1);
}

TEST_F(NtTest, zw_timer_apc_is_a_kernel_apc_that_needs_no_alertable_wait) {
    // The APC takes the setter's PreviousMode: a Zw caller's is a normal kernel APC, delivered in any
    // wait at PASSIVE_LEVEL.
    std::atomic<int> calls{0};
    ObjectName name(L"\\BaseNamedObjects\\ntio-zw-timer", OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE);
    HANDLE h = nullptr;
    ASSERT_EQ(ZwCreateTimer(&h, TIMER_ALL_ACCESS, name.get(), SynchronizationTimer), STATUS_SUCCESS);
    Handle timer(h, true);
    LARGE_INTEGER due = relative_ms(60000);
    EXPECT_EQ(NtSetTimer(timer, &due, nullptr, nullptr, FALSE, 0, nullptr), STATUS_INVALID_HANDLE);  // kernel handle
    HANDLE other = nullptr;
    ASSERT_EQ(ZwOpenTimer(&other, TIMER_ALL_ACCESS, name.get()), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(other), STATUS_SUCCESS);
    due = relative_ms(5);
    BOOLEAN previous = TRUE;
    ASSERT_EQ(ZwSetTimer(timer, &due, count_kernel_timer_apc, &calls, FALSE, 0, &previous), STATUS_SUCCESS);
    EXPECT_FALSE(previous);
    for (int i = 0; i < 200 && calls.load() == 0; ++i) {
        LARGE_INTEGER pause = relative_ms(10);
        EXPECT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &pause), STATUS_SUCCESS);
    }
    EXPECT_EQ(calls.load(), 1);
    TIMER_BASIC_INFORMATION info{};
    ASSERT_EQ(ZwQueryTimer(timer, TimerBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
    EXPECT_TRUE(info.TimerState);
    BOOLEAN current = FALSE;
    EXPECT_EQ(ZwCancelTimer(timer, &current), STATUS_SUCCESS);
    EXPECT_TRUE(current);
    TIMER_SET_COALESCABLE_TIMER_INFO ex{};
    ex.DueTime = relative_ms(60000);
    EXPECT_EQ(ZwSetTimerEx(timer, TimerSetCoalescableTimer, &ex, sizeof(ex)), STATUS_SUCCESS);
    EXPECT_EQ(ZwCancelTimer(timer, nullptr), STATUS_SUCCESS);
}

TEST_F(NtTest, yield_execution_succeeds) {
    EXPECT_EQ(NtYieldExecution(), STATUS_SUCCESS);
    EXPECT_EQ(ZwYieldExecution(), STATUS_SUCCESS);
}

TEST_F(NtTest, timer_object_type_is_named_timer) {
    Handle timer(make_timer(NotificationTimer));
    alignas(8) unsigned char buffer[512];
    ULONG length = 0;
    ASSERT_EQ(NtQueryObject(timer, ObjectTypeInformation, buffer, sizeof(buffer), &length), STATUS_SUCCESS);
    const auto* info = reinterpret_cast<const OBJECT_TYPE_INFORMATION*>(buffer);
    EXPECT_EQ(text(info->TypeName), u"Timer");
    EXPECT_EQ(info->ValidAccessMask, static_cast<ULONG>(TIMER_ALL_ACCESS));
    EXPECT_EQ(info->GenericMapping.GenericRead, static_cast<ACCESS_MASK>(STANDARD_RIGHTS_READ | TIMER_QUERY_STATE));
    EXPECT_EQ(info->GenericMapping.GenericWrite, static_cast<ACCESS_MASK>(STANDARD_RIGHTS_WRITE | TIMER_MODIFY_STATE));
    EXPECT_EQ(info->GenericMapping.GenericExecute, static_cast<ACCESS_MASK>(STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE));
}

}  // namespace nt_timer_test
}  // namespace ntio::test
