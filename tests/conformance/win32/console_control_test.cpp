// Console control handlers through the Win32 surface: the newest handler first until one returns
// TRUE, on a thread of their own; argument checks; the default handler's end of the process.
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <vector>

#include "console_test_support.hpp"

namespace ntio::test {
namespace {

// What the handlers saw, in order, and the event the last one sets.
struct CtrlRecord {
    std::mutex lock;
    std::vector<std::pair<int, DWORD>> calls;  // (handler, signal)
    std::vector<DWORD> threads;
    HANDLE done = nullptr;
};
CtrlRecord* g_ctrl_record = nullptr;

void record_ctrl_call(int handler, DWORD signal) {
    std::lock_guard guard(g_ctrl_record->lock);
    g_ctrl_record->calls.emplace_back(handler, signal);
    g_ctrl_record->threads.push_back(GetCurrentThreadId());
}

BOOL WINAPI ctrl_handler_handles(DWORD signal) {
    record_ctrl_call(1, signal);
    SetEvent(g_ctrl_record->done);
    return TRUE;
}

BOOL WINAPI ctrl_handler_passes(DWORD signal) {
    record_ctrl_call(2, signal);
    return FALSE;
}

BOOL WINAPI ctrl_handler_never_called(DWORD signal) {
    record_ctrl_call(3, signal);
    return FALSE;
}

TEST_F(Win32Test, ctrl_handlers_run_newest_first_until_one_handles_the_signal) {
    CtrlRecord record;
    record.done = CreateEventW(nullptr, FALSE, FALSE, nullptr);
    g_ctrl_record = &record;
    ASSERT_TRUE(SetConsoleCtrlHandler(ctrl_handler_never_called, TRUE));
    ASSERT_TRUE(SetConsoleCtrlHandler(ctrl_handler_handles, TRUE));
    ASSERT_TRUE(SetConsoleCtrlHandler(ctrl_handler_passes, TRUE));
    ASSERT_TRUE(GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0));
    ASSERT_EQ(WaitForSingleObject(record.done, INFINITE), WAIT_OBJECT_0);
    {
        std::lock_guard guard(record.lock);
        ASSERT_EQ(record.calls.size(), 2u);
        EXPECT_EQ(record.calls[0], std::make_pair(2, DWORD(CTRL_C_EVENT)));
        EXPECT_EQ(record.calls[1], std::make_pair(1, DWORD(CTRL_C_EVENT)));
        // On a new thread, the same one for every handler of the signal.
        EXPECT_NE(record.threads[0], GetCurrentThreadId());
        EXPECT_EQ(record.threads[0], record.threads[1]);
        record.calls.clear();
    }
    // Removed, the passing handler is not called; CTRL+BREAK reaches a process that ignores CTRL+C,
    // and the process's own id is a group it may name.
    ASSERT_TRUE(SetConsoleCtrlHandler(ctrl_handler_passes, FALSE));
    ASSERT_TRUE(SetConsoleCtrlHandler(nullptr, TRUE));
    ASSERT_TRUE(GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, GetCurrentProcessId()));
    ASSERT_EQ(WaitForSingleObject(record.done, INFINITE), WAIT_OBJECT_0);
    {
        std::lock_guard guard(record.lock);
        ASSERT_EQ(record.calls.size(), 1u);
        EXPECT_EQ(record.calls[0], std::make_pair(1, DWORD(CTRL_BREAK_EVENT)));
    }
    ASSERT_TRUE(SetConsoleCtrlHandler(nullptr, FALSE));
    ASSERT_TRUE(SetConsoleCtrlHandler(ctrl_handler_handles, FALSE));
    ASSERT_TRUE(SetConsoleCtrlHandler(ctrl_handler_never_called, FALSE));
    g_ctrl_record = nullptr;
    CloseHandle(record.done);
}

TEST_F(Win32Test, ctrl_handler_calls_check_their_arguments) {
    EXPECT_FALSE(SetConsoleCtrlHandler(ctrl_handler_never_called, FALSE));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(GenerateConsoleCtrlEvent(CTRL_CLOSE_EVENT, 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(GenerateConsoleCtrlEvent(7, 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, GetCurrentProcessId() + 4));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    // CTRL+C cannot be limited to a group: the call succeeds and nobody is signalled (the default
    // handler would end this test's process).
    EXPECT_TRUE(GenerateConsoleCtrlEvent(CTRL_C_EVENT, GetCurrentProcessId()));
}

void raise_unhandled_ctrl_c() {
    GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0);
    HANDLE never = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    WaitForSingleObject(never, INFINITE);
}

TEST_F(Win32Test, an_unhandled_ctrl_c_ends_the_process_with_status_control_c_exit) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // STATUS_CONTROL_C_EXIT (0xC000013A); the host keeps its low byte.
    EXPECT_EXIT(raise_unhandled_ctrl_c(), testing::ExitedWithCode(0x3A), "");
}

HANDLE g_interrupt_seen = nullptr;

BOOL WINAPI ctrl_handler_takes_interrupt(DWORD signal) {
    if (signal == CTRL_C_EVENT) SetEvent(g_interrupt_seen);
    return TRUE;
}

void interrupt_handled_then_exit() {
    g_interrupt_seen = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    SetConsoleCtrlHandler(ctrl_handler_takes_interrupt, TRUE);
    ::raise(SIGINT);
    if (WaitForSingleObject(g_interrupt_seen, INFINITE) == WAIT_OBJECT_0) std::_Exit(7);
    std::_Exit(1);
}

BOOL WINAPI ctrl_handler_declines(DWORD) { return FALSE; }

void interrupt_unhandled() {
    SetConsoleCtrlHandler(ctrl_handler_declines, TRUE);
    ::raise(SIGINT);
    HANDLE never = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    WaitForSingleObject(never, INFINITE);
}

TEST_F(Win32Test, a_host_sigint_is_ctrl_c_for_the_handlers) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // Handled: the process goes on (and leaves with its own status).
    EXPECT_EXIT(interrupt_handled_then_exit(), testing::ExitedWithCode(7), "");
    // Unhandled: the default handler ends the process.
    EXPECT_EXIT(interrupt_unhandled(), testing::ExitedWithCode(0x3A), "");
}

}  // namespace
}  // namespace ntio::test
