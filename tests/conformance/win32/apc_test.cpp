// User APCs through kernel32 (NT fact G5): QueueUserAPC to self runs at SleepEx(x, TRUE), which then
// returns WAIT_IO_COMPLETION; alertable waits return WAIT_IO_COMPLETION too; a terminated thread
// refuses the APC with ERROR_GEN_FAILURE.
#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

struct ApcLog {
    std::vector<ULONG_PTR> values;
    std::vector<DWORD> threads;
};
ApcLog* g_log = nullptr;

VOID NTAPI record(ULONG_PTR data) {
    g_log->values.push_back(data);
    g_log->threads.push_back(GetCurrentThreadId());
}

DWORD WINAPI quick(LPVOID) { return 5; }

TEST_F(Win32Test, queue_user_apc_to_self_runs_in_alertable_sleep_ex) {
    // NT fact G5
    ApcLog log;
    g_log = &log;
    ASSERT_NE(QueueUserAPC(record, GetCurrentThread(), 11), 0u);
    ASSERT_NE(QueueUserAPC(record, GetCurrentThread(), 12), 0u);
    EXPECT_TRUE(log.values.empty()) << "nothing runs before an alertable wait";
    EXPECT_EQ(SleepEx(0, FALSE), 0u);
    EXPECT_TRUE(log.values.empty()) << "a non-alertable sleep runs no APC";
    EXPECT_EQ(SleepEx(100, TRUE), WAIT_IO_COMPLETION);
    EXPECT_EQ(log.values, (std::vector<ULONG_PTR>{11, 12}));
    EXPECT_EQ(log.threads[0], GetCurrentThreadId());
    EXPECT_EQ(SleepEx(10, TRUE), 0u) << "no APC left: the sleep times out";
}

TEST_F(Win32Test, alertable_waits_return_wait_io_completion_after_an_apc) {
    ApcLog log;
    g_log = &log;
    Win32Handle never(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    ASSERT_NE(QueueUserAPC(record, GetCurrentThread(), 1), 0u);
    EXPECT_EQ(WaitForSingleObject(never, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_EQ(WaitForSingleObjectEx(never, INFINITE, TRUE), WAIT_IO_COMPLETION);
    ASSERT_NE(QueueUserAPC(record, GetCurrentThread(), 2), 0u);
    HANDLE one[] = {never.get()};
    EXPECT_EQ(WaitForMultipleObjectsEx(1, one, FALSE, INFINITE, TRUE), WAIT_IO_COMPLETION);
    EXPECT_EQ(log.values, (std::vector<ULONG_PTR>{1, 2}));
}

TEST_F(Win32Test, queue_user_apc_to_a_terminated_thread_fails_with_gen_failure) {
    // NT fact G5: FALSE, ERROR_GEN_FAILURE (NtQueueApcThread -> STATUS_UNSUCCESSFUL).
    Win32Handle thread(CreateThread(nullptr, 0, quick, nullptr, 0, nullptr));
    ASSERT_NE(thread.get(), nullptr);
    ASSERT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    ApcLog log;
    g_log = &log;
    SetLastError(0);
    EXPECT_EQ(QueueUserAPC(record, thread, 1), 0u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_GEN_FAILURE));
    EXPECT_TRUE(log.values.empty());
    EXPECT_EQ(QueueUserAPC(record, nullptr, 1), 0u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

struct Sleeper {
    HANDLE ready = nullptr;
    DWORD result = 0;
};

DWORD WINAPI sleeper(LPVOID parameter) {
    auto* s = static_cast<Sleeper*>(parameter);
    SetEvent(s->ready);
    s->result = SleepEx(INFINITE, TRUE);
    return 0;
}

TEST_F(Win32Test, apc_queued_to_another_thread_ends_its_infinite_alertable_sleep) {
    ApcLog log;
    g_log = &log;
    Sleeper s;
    Win32Handle ready(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    s.ready = ready;
    DWORD id = 0;
    Win32Handle thread(CreateThread(nullptr, 0, sleeper, &s, 0, &id));
    ASSERT_NE(thread.get(), nullptr);
    ASSERT_EQ(WaitForSingleObject(ready, INFINITE), WAIT_OBJECT_0);
    ASSERT_NE(QueueUserAPC(record, thread, 9), 0u);
    ASSERT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    EXPECT_EQ(s.result, WAIT_IO_COMPLETION);
    ASSERT_EQ(log.values.size(), 1u);
    EXPECT_EQ(log.threads[0], id);
}

}  // namespace
}  // namespace ntio::test
