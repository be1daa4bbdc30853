// kernel32 thread information: priorities (the THREAD_PRIORITY_* values, kept per thread), priority
// boost, descriptions, thread times, and the errors for bad values, handles and rights.
#include <cstring>
#include <vector>

#include "win32_test_support.hpp"

#include <ntio/ntapi.h>

namespace ntio::test {
namespace {

DWORD WINAPI wait_for_the_event(LPVOID parameter) {
    return WaitForSingleObject(static_cast<HANDLE>(parameter), INFINITE);
}

TEST_F(Win32Test, thread_priority_values_are_kept_per_thread) {
    HANDLE self = GetCurrentThread();
    EXPECT_EQ(GetThreadPriority(self), THREAD_PRIORITY_NORMAL);
    const int priorities[] = {THREAD_PRIORITY_LOWEST,  THREAD_PRIORITY_BELOW_NORMAL, THREAD_PRIORITY_ABOVE_NORMAL,
                              THREAD_PRIORITY_HIGHEST, THREAD_PRIORITY_IDLE,         THREAD_PRIORITY_TIME_CRITICAL,
                              THREAD_PRIORITY_NORMAL};
    for (int p : priorities) {
        ASSERT_TRUE(SetThreadPriority(self, p)) << p;
        EXPECT_EQ(GetThreadPriority(self), p);
    }
    for (int bad : {3, -3, 14, -14, 16, THREAD_PRIORITY_ERROR_RETURN}) {
        EXPECT_FALSE(SetThreadPriority(self, bad)) << bad;
        EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    }
    EXPECT_EQ(GetThreadPriority(self), THREAD_PRIORITY_NORMAL);

    // Another thread's priority is its own.
    Win32Handle go(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    Win32Handle other(CreateThread(nullptr, 0, wait_for_the_event, go.get(), 0, nullptr));
    ASSERT_NE(other.get(), nullptr);
    ASSERT_TRUE(SetThreadPriority(other, THREAD_PRIORITY_HIGHEST));
    EXPECT_EQ(GetThreadPriority(other), THREAD_PRIORITY_HIGHEST);
    EXPECT_EQ(GetThreadPriority(self), THREAD_PRIORITY_NORMAL);
    EXPECT_EQ(GetProcessIdOfThread(other), GetCurrentProcessId());
    // Background mode only for the calling thread.
    EXPECT_FALSE(SetThreadPriority(other, THREAD_MODE_BACKGROUND_BEGIN));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    ASSERT_TRUE(SetEvent(go));
    EXPECT_EQ(WaitForSingleObject(other, INFINITE), WAIT_OBJECT_0);
}

TEST_F(Win32Test, thread_background_mode_begins_and_ends_once) {
    HANDLE self = GetCurrentThread();
    EXPECT_FALSE(SetThreadPriority(self, THREAD_MODE_BACKGROUND_END));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_THREAD_MODE_NOT_BACKGROUND));
    EXPECT_TRUE(SetThreadPriority(self, THREAD_MODE_BACKGROUND_BEGIN));
    EXPECT_FALSE(SetThreadPriority(self, THREAD_MODE_BACKGROUND_BEGIN));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_THREAD_MODE_ALREADY_BACKGROUND));
    EXPECT_TRUE(SetThreadPriority(self, THREAD_MODE_BACKGROUND_END));
}

TEST_F(Win32Test, thread_priority_calls_check_the_handle_and_its_rights) {
    EXPECT_EQ(GetThreadPriority(nullptr), THREAD_PRIORITY_ERROR_RETURN);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_EQ(GetThreadPriority(GetCurrentProcess()), THREAD_PRIORITY_ERROR_RETURN);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    HANDLE query_only = nullptr;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &query_only,
                                THREAD_QUERY_LIMITED_INFORMATION, FALSE, 0));
    Win32Handle closer(query_only);
    EXPECT_FALSE(SetThreadPriority(query_only, THREAD_PRIORITY_LOWEST));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    EXPECT_EQ(GetThreadPriority(query_only), THREAD_PRIORITY_NORMAL);
    EXPECT_FALSE(SetThreadPriorityBoost(query_only, TRUE));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
}

TEST_F(Win32Test, thread_priority_boost_is_enabled_until_disabled) {
    HANDLE self = GetCurrentThread();
    BOOL disabled = TRUE;
    ASSERT_TRUE(GetThreadPriorityBoost(self, &disabled));
    EXPECT_FALSE(disabled);
    ASSERT_TRUE(SetThreadPriorityBoost(self, TRUE));
    ASSERT_TRUE(GetThreadPriorityBoost(self, &disabled));
    EXPECT_TRUE(disabled);
    ASSERT_TRUE(SetThreadPriorityBoost(self, FALSE));
    ASSERT_TRUE(GetThreadPriorityBoost(self, &disabled));
    EXPECT_FALSE(disabled);
    // The same flag as NtSetInformationThread's ThreadPriorityBoost.
    ULONG disable = 1;
    ASSERT_EQ(NtSetInformationThread(self, ThreadPriorityBoost, &disable, sizeof disable), STATUS_SUCCESS);
    ASSERT_TRUE(GetThreadPriorityBoost(self, &disabled));
    EXPECT_TRUE(disabled);
    ASSERT_TRUE(SetThreadPriorityBoost(self, FALSE));
    EXPECT_FALSE(GetThreadPriorityBoost(self, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NOACCESS));
    EXPECT_FALSE(GetThreadPriorityBoost(nullptr, &disabled));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
}

TEST_F(Win32Test, thread_description_round_trips_through_local_alloc) {
    Win32Handle go(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    Win32Handle other(CreateThread(nullptr, 0, wait_for_the_event, go.get(), 0, nullptr));
    ASSERT_NE(other.get(), nullptr);
    PWSTR text = nullptr;
    ASSERT_EQ(GetThreadDescription(other, &text), S_OK);
    ASSERT_NE(text, nullptr);
    EXPECT_EQ(text[0], 0);
    LocalFree(text);
    ASSERT_EQ(SetThreadDescription(other, L"worker \u00e9"), S_OK);
    ASSERT_EQ(GetThreadDescription(other, &text), S_OK);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(text)), u"worker \u00e9");
    LocalFree(text);
    // The calling thread's description names its host thread too.
    ASSERT_EQ(SetThreadDescription(GetCurrentThread(), L"a rather long thread name"), S_OK);
    ASSERT_EQ(GetThreadDescription(GetCurrentThread(), &text), S_OK);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(text)), u"a rather long thread name");
    LocalFree(text);
    EXPECT_TRUE(FAILED(SetThreadDescription(nullptr, L"x")));
    EXPECT_TRUE(FAILED(GetThreadDescription(GetCurrentProcess(), &text)));
    EXPECT_EQ(text, nullptr);
    ASSERT_TRUE(SetEvent(go));
    EXPECT_EQ(WaitForSingleObject(other, INFINITE), WAIT_OBJECT_0);
}

ULONGLONG thread_test_filetime(const FILETIME& ft) { return (ULONGLONG{ft.dwHighDateTime} << 32) | ft.dwLowDateTime; }

TEST_F(Win32Test, thread_times_give_creation_and_exit) {
    Win32Handle go(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    Win32Handle other(CreateThread(nullptr, 0, wait_for_the_event, go.get(), 0, nullptr));
    ASSERT_NE(other.get(), nullptr);
    FILETIME created{}, exited{}, kernel{}, user{};
    ASSERT_TRUE(GetThreadTimes(other, &created, &exited, &kernel, &user));
    EXPECT_GT(thread_test_filetime(created), 0u);
    EXPECT_EQ(thread_test_filetime(exited), 0u);
    ASSERT_TRUE(SetEvent(go));
    EXPECT_EQ(WaitForSingleObject(other, INFINITE), WAIT_OBJECT_0);
    ASSERT_TRUE(GetThreadTimes(other, &created, &exited, &kernel, &user));
    EXPECT_GE(thread_test_filetime(exited), thread_test_filetime(created));
    EXPECT_FALSE(GetThreadTimes(other, nullptr, &exited, &kernel, &user));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NOACCESS));
    EXPECT_FALSE(GetThreadTimes(GetCurrentProcess(), &created, &exited, &kernel, &user));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
}

// NtQueryInformationThread on a CreateThread thread: the start address CreateThread was given, the
// description SetThreadDescription stored, the exit status once it ended; and whether the calling
// thread is its process's last.
TEST_F(Win32Test, nt_thread_queries_see_what_kernel32_set) {
    Win32Handle go(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    Win32Handle other(CreateThread(nullptr, 0, wait_for_the_event, go.get(), 0, nullptr));
    ASSERT_NE(other.get(), nullptr);
    PVOID start = nullptr;
    ASSERT_EQ(NtQueryInformationThread(other, ThreadQuerySetWin32StartAddress, &start, sizeof start, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(start, reinterpret_cast<PVOID>(&wait_for_the_event));
    ULONG last = TRUE;
    ASSERT_EQ(NtQueryInformationThread(GetCurrentThread(), ThreadAmILastThread, &last, sizeof last, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(last, ULONG(FALSE)) << "the other thread runs";

    ASSERT_EQ(SetThreadDescription(other, L"named"), S_OK);
    ULONG needed = 0;
    THREAD_NAME_INFORMATION header{};
    EXPECT_EQ(NtQueryInformationThread(other, ThreadNameInformation, &header, sizeof header, &needed),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(needed, sizeof header + 5 * sizeof(WCHAR));
    EXPECT_EQ(NtQueryInformationThread(other, ThreadNameInformation, &header, sizeof header - 1, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    std::vector<ULONG_PTR> buffer((needed + sizeof(ULONG_PTR) - 1) / sizeof(ULONG_PTR));
    ULONG written = 0;
    ASSERT_EQ(NtQueryInformationThread(other, ThreadNameInformation, buffer.data(), needed, &written), STATUS_SUCCESS);
    EXPECT_EQ(written, needed);
    const auto* name = reinterpret_cast<const THREAD_NAME_INFORMATION*>(buffer.data());
    ASSERT_EQ(name->ThreadName.Length, 5 * sizeof(WCHAR));
    EXPECT_EQ(std::memcmp(name->ThreadName.Buffer, L"named", 5 * sizeof(WCHAR)), 0);

    ASSERT_TRUE(SetEvent(go));
    EXPECT_EQ(WaitForSingleObject(other, INFINITE), WAIT_OBJECT_0);
    THREAD_BASIC_INFORMATION basic{};
    ASSERT_EQ(NtQueryInformationThread(other, ThreadBasicInformation, &basic, sizeof basic, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(basic.ExitStatus, NTSTATUS(WAIT_OBJECT_0));
    EXPECT_EQ(reinterpret_cast<ULONG_PTR>(basic.ClientId.UniqueThread), ULONG_PTR(GetThreadId(other)));
    DWORD code = 0;
    ASSERT_TRUE(GetExitCodeThread(other, &code));
    EXPECT_EQ(code, DWORD(WAIT_OBJECT_0));
}

}  // namespace
}  // namespace ntio::test
