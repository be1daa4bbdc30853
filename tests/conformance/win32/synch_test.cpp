// Events, semaphores and mutexes through kernel32: named objects and ERROR_ALREADY_EXISTS, Local\ and
// Global\ prefixes, type mismatches, counts and ownership errors, invalid handles.
#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

TEST_F(Win32Test, create_event_of_an_existing_name_returns_a_handle_and_already_exists) {
    Win32Handle first(CreateEventW(nullptr, TRUE, FALSE, L"ntio-w32-event"));
    ASSERT_NE(first.get(), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SUCCESS));
    SetLastError(0xdead);
    Win32Handle second(CreateEventW(nullptr, FALSE, TRUE, L"ntio-w32-event"));
    ASSERT_NE(second.get(), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    // Same object: the second create did not reset nor re-type it.
    EXPECT_TRUE(SetEvent(second));
    EXPECT_EQ(WaitForSingleObject(first, 0), WAIT_OBJECT_0);
    EXPECT_EQ(WaitForSingleObject(first, 0), WAIT_OBJECT_0) << "still the manual-reset event";
}

TEST_F(Win32Test, local_and_global_prefixes_name_the_same_base_named_object) {
    Win32Handle local(CreateEventA(nullptr, TRUE, FALSE, "Local\\ntio-w32-prefix"));
    ASSERT_NE(local.get(), nullptr);
    Win32Handle global(OpenEventA(EVENT_ALL_ACCESS, FALSE, "Global\\ntio-w32-prefix"));
    ASSERT_NE(global.get(), nullptr);
    Win32Handle plain(OpenEventW(SYNCHRONIZE, FALSE, L"ntio-w32-prefix"));
    ASSERT_NE(plain.get(), nullptr);
    EXPECT_TRUE(SetEvent(global));
    EXPECT_EQ(WaitForSingleObject(plain, 0), WAIT_OBJECT_0);
}

TEST_F(Win32Test, open_of_a_missing_name_fails_with_file_not_found) {
    SetLastError(0);
    EXPECT_EQ(OpenEventW(EVENT_ALL_ACCESS, FALSE, L"ntio-w32-missing"), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(OpenMutexA(SYNCHRONIZE, FALSE, nullptr), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32Test, creating_a_name_held_by_another_type_fails_with_invalid_handle) {
    Win32Handle mutex(CreateMutexW(nullptr, FALSE, L"ntio-w32-typed"));
    ASSERT_NE(mutex.get(), nullptr);
    EXPECT_EQ(CreateEventW(nullptr, TRUE, FALSE, L"ntio-w32-typed"), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(OpenSemaphoreW(SEMAPHORE_ALL_ACCESS, FALSE, L"ntio-w32-typed"), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

TEST_F(Win32Test, auto_reset_event_releases_one_wait_and_pulse_leaves_it_reset) {
    Win32Handle ev(CreateEventW(nullptr, FALSE, TRUE, nullptr));
    ASSERT_NE(ev.get(), nullptr);
    EXPECT_EQ(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    EXPECT_EQ(WaitForSingleObject(ev, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    Win32Handle manual(CreateEventExW(nullptr, nullptr, CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET,
                                      EVENT_ALL_ACCESS));
    ASSERT_NE(manual.get(), nullptr);
    EXPECT_TRUE(ResetEvent(manual));
    EXPECT_EQ(WaitForSingleObject(manual, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_TRUE(PulseEvent(manual));
    EXPECT_EQ(WaitForSingleObject(manual, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_EQ(CreateEventExW(nullptr, nullptr, 0x100, EVENT_ALL_ACCESS), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32Test, event_access_is_checked_through_the_handle) {
    Win32Handle ev(CreateEventExW(nullptr, nullptr, 0, SYNCHRONIZE));
    ASSERT_NE(ev.get(), nullptr);
    EXPECT_FALSE(SetEvent(ev));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
}

TEST_F(Win32Test, semaphore_counts_and_too_many_posts) {
    Win32Handle sem(CreateSemaphoreW(nullptr, 1, 2, nullptr));
    ASSERT_NE(sem.get(), nullptr);
    LONG previous = -1;
    EXPECT_TRUE(ReleaseSemaphore(sem, 1, &previous));
    EXPECT_EQ(previous, 1);
    EXPECT_FALSE(ReleaseSemaphore(sem, 1, &previous));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_TOO_MANY_POSTS));
    EXPECT_EQ(WaitForSingleObject(sem, 0), WAIT_OBJECT_0);
    EXPECT_EQ(WaitForSingleObject(sem, 0), WAIT_OBJECT_0);
    EXPECT_EQ(WaitForSingleObject(sem, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_EQ(CreateSemaphoreA(nullptr, 3, 2, nullptr), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32Test, release_mutex_by_a_non_owner_fails_with_not_owner) {
    Win32Handle mutex(CreateMutexA(nullptr, TRUE, "ntio-w32-mutex"));
    ASSERT_NE(mutex.get(), nullptr);
    BOOL released = TRUE;
    DWORD error = 0;
    std::thread([&] {
        released = ReleaseMutex(mutex);
        error = GetLastError();
    }).join();
    EXPECT_FALSE(released);
    EXPECT_EQ(error, static_cast<DWORD>(ERROR_NOT_OWNER));
    EXPECT_TRUE(ReleaseMutex(mutex));
    EXPECT_FALSE(ReleaseMutex(mutex));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_OWNER));
}

TEST_F(Win32Test, operations_on_closed_handles_fail_with_invalid_handle) {
    HANDLE ev = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    ASSERT_NE(ev, nullptr);
    EXPECT_TRUE(CloseHandle(ev));
    EXPECT_FALSE(CloseHandle(ev));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_FALSE(SetEvent(ev));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(WaitForSingleObject(ev, 0), WAIT_FAILED);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

TEST_F(Win32Test, duplicate_handle_gives_a_second_handle_to_the_same_object) {
    Win32Handle ev(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    HANDLE copy = nullptr;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), ev, GetCurrentProcess(), &copy, 0, FALSE, DUPLICATE_SAME_ACCESS));
    Win32Handle dup(copy);
    EXPECT_NE(dup.get(), ev.get());
    EXPECT_TRUE(SetEvent(dup));
    EXPECT_EQ(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    HANDLE limited = nullptr;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), ev, GetCurrentProcess(), &limited, SYNCHRONIZE, FALSE, 0));
    Win32Handle lim(limited);
    EXPECT_FALSE(ResetEvent(lim));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
}

}  // namespace
}  // namespace ntio::test
