// Waitable timers through kernel32: manual- and auto-reset timers, periods, the completion routine
// in an alertable wait of the setting thread, cancel, named timers, a resume request on a system that
// cannot wake, and bad parameters.
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-setwaitabletimer
#include <atomic>

#include "win32_test_support.hpp"

namespace ntio::test {
namespace win32_waitable_timer_test {

LARGE_INTEGER in_ms(LONGLONG ms) {
    LARGE_INTEGER due;
    due.QuadPart = -ms * 10000;
    return due;
}

struct Completion {
    std::atomic<int> calls{0};
    std::atomic<ULONGLONG> filetime{0};
};

VOID WINAPI completion_routine(LPVOID argument, DWORD low, DWORD high) {
    auto* c = static_cast<Completion*>(argument);
    c->filetime.store((static_cast<ULONGLONG>(high) << 32) | low);
    c->calls.fetch_add(1);
}

TEST_F(Win32Test, manual_reset_timer_stays_signalled_and_auto_reset_releases_one_wait) {
    Win32Handle manual(CreateWaitableTimerW(nullptr, TRUE, nullptr));
    ASSERT_NE(manual.get(), nullptr);
    LARGE_INTEGER due = in_ms(10);
    ASSERT_TRUE(SetWaitableTimer(manual, &due, 0, nullptr, nullptr, FALSE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SUCCESS));
    EXPECT_EQ(WaitForSingleObject(manual, 20000), WAIT_OBJECT_0);
    EXPECT_EQ(WaitForSingleObject(manual, 0), WAIT_OBJECT_0);

    Win32Handle automatic(CreateWaitableTimerExW(nullptr, nullptr, 0, TIMER_ALL_ACCESS));
    ASSERT_NE(automatic.get(), nullptr);
    ASSERT_TRUE(SetWaitableTimer(automatic, &due, 0, nullptr, nullptr, FALSE));
    EXPECT_EQ(WaitForSingleObject(automatic, 20000), WAIT_OBJECT_0);
    EXPECT_EQ(WaitForSingleObject(automatic, 30), static_cast<DWORD>(WAIT_TIMEOUT));
}

TEST_F(Win32Test, periodic_timer_signals_until_cancelled) {
    Win32Handle timer(CreateWaitableTimerA(nullptr, FALSE, nullptr));
    ASSERT_NE(timer.get(), nullptr);
    LARGE_INTEGER due = in_ms(5);
    ASSERT_TRUE(SetWaitableTimer(timer, &due, 5, nullptr, nullptr, FALSE));
    for (int i = 0; i < 3; ++i) ASSERT_EQ(WaitForSingleObject(timer, 20000), WAIT_OBJECT_0) << i;
    ASSERT_TRUE(CancelWaitableTimer(timer));
    (void)WaitForSingleObject(timer, 0);  // an expiry just before the cancel
    EXPECT_EQ(WaitForSingleObject(timer, 40), static_cast<DWORD>(WAIT_TIMEOUT));
}

TEST_F(Win32Test, completion_routine_runs_in_an_alertable_sleep) {
    Completion c;
    Win32Handle timer(CreateWaitableTimerW(nullptr, TRUE, nullptr));
    ASSERT_NE(timer.get(), nullptr);
    LARGE_INTEGER due = in_ms(5);
    ASSERT_TRUE(SetWaitableTimer(timer, &due, 0, completion_routine, &c, FALSE));
    EXPECT_EQ(SleepEx(20000, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    EXPECT_EQ(c.calls.load(), 1);
    EXPECT_GT(c.filetime.load(), 116444736000000000ull);  // a FILETIME after 1970
    EXPECT_EQ(SleepEx(20, TRUE), 0u);  // once only
}

TEST_F(Win32Test, set_waitable_timer_ex_and_a_resume_request) {
    Completion c;
    Win32Handle timer(CreateWaitableTimerW(nullptr, TRUE, L"ntio-w32-timer"));
    ASSERT_NE(timer.get(), nullptr);
    Win32Handle opened(OpenWaitableTimerW(TIMER_ALL_ACCESS, FALSE, L"ntio-w32-timer"));
    ASSERT_NE(opened.get(), nullptr);
    LARGE_INTEGER due = in_ms(5);
    // The timer is set, but ntio cannot wake the machine from it: kernel32's ERROR_NOT_SUPPORTED.
    SetLastError(0);
    ASSERT_TRUE(SetWaitableTimer(opened, &due, 0, nullptr, nullptr, TRUE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_SUPPORTED));
    EXPECT_EQ(WaitForSingleObject(timer, 20000), WAIT_OBJECT_0);
    ASSERT_TRUE(SetWaitableTimerEx(timer, &due, 0, completion_routine, &c, nullptr, 10));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SUCCESS));
    EXPECT_EQ(SleepEx(20000, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    EXPECT_EQ(c.calls.load(), 1);
    Win32Handle again(CreateWaitableTimerA(nullptr, TRUE, "ntio-w32-timer"));
    ASSERT_NE(again.get(), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    EXPECT_EQ(OpenWaitableTimerA(TIMER_ALL_ACCESS, FALSE, nullptr), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32Test, waitable_timer_errors) {
    EXPECT_EQ(CreateWaitableTimerExW(nullptr, nullptr, 0x100, TIMER_ALL_ACCESS), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    Win32Handle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    LARGE_INTEGER due = in_ms(5);
    EXPECT_FALSE(SetWaitableTimer(event, &due, 0, nullptr, nullptr, FALSE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    Win32Handle timer(CreateWaitableTimerW(nullptr, TRUE, nullptr));
    EXPECT_FALSE(SetWaitableTimer(timer, &due, -1, nullptr, nullptr, FALSE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    Win32Handle query_only(CreateWaitableTimerExW(nullptr, nullptr, 0, TIMER_QUERY_STATE));
    ASSERT_NE(query_only.get(), nullptr);
    EXPECT_FALSE(CancelWaitableTimer(query_only));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_FALSE(CancelWaitableTimer(nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

}  // namespace win32_waitable_timer_test
}  // namespace ntio::test
