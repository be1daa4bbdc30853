// Waits through kernel32: WAIT_OBJECT_0 + n, WAIT_ABANDONED_0 + n, WAIT_TIMEOUT (a return value, while
// the last error for STATUS_TIMEOUT would be ERROR_TIMEOUT), bWaitAll, SignalObjectAndWait, failures.
#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

TEST_F(Win32Test, wait_any_returns_the_index_of_the_signalled_object) {
    Win32Handle a(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    Win32Handle b(CreateEventW(nullptr, TRUE, TRUE, nullptr));
    HANDLE both[] = {a.get(), b.get()};
    EXPECT_EQ(WaitForMultipleObjects(2, both, FALSE, 0), WAIT_OBJECT_0 + 1);
    SetLastError(0);
    EXPECT_EQ(WaitForMultipleObjects(2, both, TRUE, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_EQ(GetLastError(), 0u) << "a timeout is a result, not an error";
    EXPECT_TRUE(SetEvent(a));
    EXPECT_EQ(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_OBJECT_0);
}

TEST_F(Win32Test, wait_all_takes_every_auto_reset_object_at_once_or_none) {
    Win32Handle a(CreateEventW(nullptr, FALSE, TRUE, nullptr));
    Win32Handle b(CreateEventW(nullptr, FALSE, FALSE, nullptr));
    HANDLE both[] = {a.get(), b.get()};
    EXPECT_EQ(WaitForMultipleObjects(2, both, TRUE, 10), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_EQ(WaitForSingleObject(a, 0), WAIT_OBJECT_0) << "a failed wait-all consumes nothing";
    EXPECT_TRUE(SetEvent(a));
    EXPECT_TRUE(SetEvent(b));
    EXPECT_EQ(WaitForMultipleObjects(2, both, TRUE, INFINITE), WAIT_OBJECT_0);
    EXPECT_EQ(WaitForSingleObject(a, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_EQ(WaitForSingleObject(b, 0), static_cast<DWORD>(WAIT_TIMEOUT));
}

TEST_F(Win32Test, wait_all_blocks_until_another_thread_signals_the_last_object) {
    Win32Handle a(CreateEventW(nullptr, TRUE, TRUE, nullptr));
    Win32Handle b(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    HANDLE both[] = {a.get(), b.get()};
    std::thread signaller([&] { SetEvent(b); });
    EXPECT_EQ(WaitForMultipleObjects(2, both, TRUE, INFINITE), WAIT_OBJECT_0);
    signaller.join();
}

TEST_F(Win32Test, abandoned_mutex_is_acquired_with_wait_abandoned) {
    Win32Handle mutex(CreateMutexW(nullptr, FALSE, nullptr));
    Win32Handle other(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    std::thread owner([&] { EXPECT_EQ(WaitForSingleObject(mutex, INFINITE), WAIT_OBJECT_0); });
    owner.join();  // exits holding the mutex
    HANDLE pair[] = {other.get(), mutex.get()};
    EXPECT_EQ(WaitForMultipleObjects(2, pair, FALSE, INFINITE), WAIT_ABANDONED_0 + 1);
    EXPECT_TRUE(ReleaseMutex(mutex));
    EXPECT_EQ(WaitForSingleObject(mutex, 0), WAIT_OBJECT_0) << "abandonment is reported once";
    EXPECT_TRUE(ReleaseMutex(mutex));
}

TEST_F(Win32Test, abandoned_mutex_single_wait_returns_wait_abandoned) {
    Win32Handle mutex(CreateMutexW(nullptr, FALSE, nullptr));
    std::thread owner([&] { WaitForSingleObject(mutex, INFINITE); });
    owner.join();
    EXPECT_EQ(WaitForSingleObject(mutex, 0), WAIT_ABANDONED);
    EXPECT_TRUE(ReleaseMutex(mutex));
}

TEST_F(Win32Test, recursive_mutex_acquisition_needs_as_many_releases) {
    Win32Handle mutex(CreateMutexW(nullptr, TRUE, nullptr));
    EXPECT_EQ(WaitForSingleObject(mutex, 0), WAIT_OBJECT_0);
    EXPECT_TRUE(ReleaseMutex(mutex));
    DWORD from_other = 0;
    std::thread([&] { from_other = WaitForSingleObject(mutex, 0); }).join();
    EXPECT_EQ(from_other, static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_TRUE(ReleaseMutex(mutex));
}

TEST_F(Win32Test, bad_wait_arguments_fail_with_the_mapped_error) {
    Win32Handle ev(CreateEventW(nullptr, TRUE, TRUE, nullptr));
    HANDLE many[MAXIMUM_WAIT_OBJECTS + 1];
    for (HANDLE& h : many) h = ev.get();
    EXPECT_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, many, FALSE, 0), WAIT_FAILED);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(WaitForMultipleObjects(0, many, FALSE, 0), WAIT_FAILED);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    HANDLE with_bad[] = {ev.get(), reinterpret_cast<HANDLE>(static_cast<ULONG_PTR>(0x7ff0))};
    EXPECT_EQ(WaitForMultipleObjects(2, with_bad, FALSE, 0), WAIT_FAILED);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

TEST_F(Win32Test, signal_object_and_wait_signals_then_waits) {
    Win32Handle to_signal(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    Win32Handle to_wait(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    EXPECT_EQ(SignalObjectAndWait(to_signal, to_wait, 10, FALSE), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_EQ(WaitForSingleObject(to_signal, 0), WAIT_OBJECT_0);
    EXPECT_TRUE(SetEvent(to_wait));
    EXPECT_EQ(SignalObjectAndWait(to_signal, to_wait, INFINITE, FALSE), WAIT_OBJECT_0);
    Win32Handle mutex(CreateMutexW(nullptr, FALSE, nullptr));
    EXPECT_EQ(SignalObjectAndWait(mutex, to_wait, 0, FALSE), WAIT_FAILED) << "releasing an unowned mutex";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_OWNER));
}

TEST_F(Win32Test, sleep_without_apcs_returns_zero_and_tick_counts_advance) {
    ULONGLONG before = GetTickCount64();
    Sleep(20);
    EXPECT_EQ(SleepEx(1, TRUE), 0u);
    EXPECT_GE(GetTickCount64(), before + 20);
    const DWORD low = GetTickCount();
    const ULONGLONG full = GetTickCount64();
    EXPECT_LT(static_cast<DWORD>(full) - low, 1000u) << "GetTickCount is the low 32 bits of GetTickCount64";
}

}  // namespace
}  // namespace ntio::test
