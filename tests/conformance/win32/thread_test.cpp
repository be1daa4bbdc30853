// CreateThread: an NT thread of the calling process whose handle (THREAD_ALL_ACCESS) is signalled
// when it ends and gives its exit code (the start routine's return value or ExitThread's argument).
#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

struct ThreadData {
    HANDLE go = nullptr;
    DWORD seen_id = 0;
    DWORD exit_with = 0;
    bool use_exit_thread = false;
};

DWORD WINAPI worker(LPVOID parameter) {
    auto* data = static_cast<ThreadData*>(parameter);
    data->seen_id = GetCurrentThreadId();
    if (data->go) WaitForSingleObject(data->go, INFINITE);
    if (data->use_exit_thread) ExitThread(data->exit_with);
    return data->exit_with;
}

TEST_F(Win32Test, thread_exit_code_is_still_active_then_the_return_value) {
    ThreadData data;
    Win32Handle go(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    data.go = go;
    data.exit_with = 1234;
    DWORD id = 0;
    Win32Handle thread(CreateThread(nullptr, 0, worker, &data, 0, &id));
    ASSERT_NE(thread.get(), nullptr);
    EXPECT_NE(id, 0u);
    EXPECT_NE(id, GetCurrentThreadId());
    EXPECT_EQ(GetThreadId(thread), id);
    DWORD code = 0;
    ASSERT_TRUE(GetExitCodeThread(thread, &code));
    EXPECT_EQ(code, STILL_ACTIVE);
    EXPECT_EQ(WaitForSingleObject(thread, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_TRUE(SetEvent(go));
    EXPECT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    ASSERT_TRUE(GetExitCodeThread(thread, &code));
    EXPECT_EQ(code, 1234u);
    EXPECT_EQ(data.seen_id, id);
}

TEST_F(Win32Test, exit_thread_sets_the_exit_code) {
    ThreadData data;
    data.exit_with = 0xC0DE;
    data.use_exit_thread = true;
    Win32Handle thread(CreateThread(nullptr, 0, worker, &data, 0, nullptr));
    ASSERT_NE(thread.get(), nullptr);
    EXPECT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    DWORD code = 0;
    ASSERT_TRUE(GetExitCodeThread(thread, &code));
    EXPECT_EQ(code, 0xC0DEu);
}

TEST_F(Win32Test, many_threads_can_be_waited_for_together) {
    constexpr int kThreads = 8;
    ThreadData data[kThreads];
    HANDLE handles[kThreads];
    for (int i = 0; i < kThreads; ++i) {
        data[i].exit_with = static_cast<DWORD>(i + 1);
        handles[i] = CreateThread(nullptr, 0, worker, &data[i], 0, nullptr);
        ASSERT_NE(handles[i], nullptr);
    }
    EXPECT_EQ(WaitForMultipleObjects(kThreads, handles, TRUE, INFINITE), WAIT_OBJECT_0);
    for (int i = 0; i < kThreads; ++i) {
        DWORD code = 0;
        EXPECT_TRUE(GetExitCodeThread(handles[i], &code));
        EXPECT_EQ(code, static_cast<DWORD>(i + 1));
        EXPECT_TRUE(CloseHandle(handles[i]));
    }
}

TEST_F(Win32Test, thread_functions_reject_bad_handles_and_arguments) {
    DWORD code = 0;
    Win32Handle ev(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    EXPECT_FALSE(GetExitCodeThread(ev, &code));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE)) << "not a thread";
    EXPECT_FALSE(GetExitCodeThread(nullptr, &code));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(CreateThread(nullptr, 0, nullptr, nullptr, 0, nullptr), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    ASSERT_TRUE(GetExitCodeThread(GetCurrentThread(), &code));
    EXPECT_EQ(code, STILL_ACTIVE);
}

TEST_F(Win32Test, current_ids_are_stable_and_pseudo_handles_are_constants) {
    EXPECT_EQ(GetCurrentProcess(), reinterpret_cast<HANDLE>(static_cast<LONG_PTR>(-1)));
    EXPECT_EQ(GetCurrentThread(), reinterpret_cast<HANDLE>(static_cast<LONG_PTR>(-2)));
    EXPECT_NE(GetCurrentProcessId(), 0u);
    EXPECT_EQ(GetCurrentThreadId(), GetCurrentThreadId());
    EXPECT_EQ(GetThreadId(GetCurrentThread()), GetCurrentThreadId());
    DWORD other = 0;
    DWORD other_process = 0;
    std::thread([&] {
        other = GetCurrentThreadId();
        other_process = GetCurrentProcessId();
    }).join();
    EXPECT_NE(other, GetCurrentThreadId());
    EXPECT_EQ(other_process, GetCurrentProcessId());
}

}  // namespace
}  // namespace ntio::test
