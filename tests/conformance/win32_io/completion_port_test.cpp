// Completion ports through <windows.h>: NT facts F1, F2, F10, F13 and the CreateIoCompletionPort rules.
#include <atomic>
#include <vector>

#include "win32_io_driver.hpp"

namespace ntio::test::win32_io {
namespace {

VOID NTAPI count_apc(ULONG_PTR data) { *reinterpret_cast<int*>(data) += 1; }

TEST_F(Win32IoTest, get_queued_completion_status_times_out_and_round_trips_posted_packets) {
    // NT fact F10
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
    ASSERT_NE(port, nullptr);
    DWORD bytes = 1;
    ULONG_PTR key = 1;
    OVERLAPPED ov{};
    LPOVERLAPPED got = &ov;
    EXPECT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    EXPECT_EQ(GetLastError(), 258u);
    EXPECT_EQ(got, nullptr);
    ASSERT_TRUE(PostQueuedCompletionStatus(port, 123, 456, &ov));
    EXPECT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    EXPECT_EQ(bytes, 123u);
    EXPECT_EQ(key, 456u);
    EXPECT_EQ(got, &ov);

    OVERLAPPED_ENTRY entries[2];
    ULONG removed = 9;
    ASSERT_TRUE(PostQueuedCompletionStatus(port, 5, 6, &ov));
    ASSERT_TRUE(GetQueuedCompletionStatusEx(port, entries, 2, &removed, 0, FALSE));
    ASSERT_EQ(removed, 1u);
    EXPECT_EQ(entries[0].Internal, 0u);
    EXPECT_EQ(entries[0].dwNumberOfBytesTransferred, 5u);
    EXPECT_EQ(entries[0].lpCompletionKey, 6u);
    EXPECT_EQ(entries[0].lpOverlapped, &ov);

    // Alertable with only an APC pending: FALSE, WAIT_IO_COMPLETION, the APC ran.
    int apcs = 0;
    ASSERT_NE(QueueUserAPC(count_apc, GetCurrentThread(), reinterpret_cast<ULONG_PTR>(&apcs)), 0u);
    EXPECT_FALSE(GetQueuedCompletionStatusEx(port, entries, 2, &removed, INFINITE, TRUE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(WAIT_IO_COMPLETION));
    EXPECT_EQ(apcs, 1);
    // Alertable with a packet: the packet, the APC does not run.
    ASSERT_NE(QueueUserAPC(count_apc, GetCurrentThread(), reinterpret_cast<ULONG_PTR>(&apcs)), 0u);
    ASSERT_TRUE(PostQueuedCompletionStatus(port, 1, 2, &ov));
    EXPECT_TRUE(GetQueuedCompletionStatusEx(port, entries, 2, &removed, INFINITE, TRUE));
    EXPECT_EQ(removed, 1u);
    EXPECT_EQ(apcs, 1);
    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    EXPECT_EQ(apcs, 2);
    CloseHandle(port);
}

TEST_F(Win32IoTest, failed_request_packet_returns_false_with_its_error_and_overlapped) {
    // NT fact F10: a packet of failed I/O; NT fact D1 cancel gives STATUS_CANCELLED.
    HANDLE h = open_device(true);
    HANDLE port = CreateIoCompletionPort(h, nullptr, 42, 0);
    ASSERT_NE(port, nullptr);
    OVERLAPPED ov{};
    DWORD bytes = 0;
    ASSERT_FALSE(DeviceIoControl(h, kIoctlPark, nullptr, 0, nullptr, 0, &bytes, &ov));
    ASSERT_TRUE(CancelIo(h));
    ULONG_PTR key = 0;
    LPOVERLAPPED got = nullptr;
    bytes = 7;
    EXPECT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &got, INFINITE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    EXPECT_EQ(got, &ov);
    EXPECT_EQ(key, 42u);
    EXPECT_EQ(bytes, 0u);
    CloseHandle(h);
    CloseHandle(port);
}

TEST_F(Win32IoTest, create_io_completion_port_rules) {
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
    ASSERT_NE(port, nullptr);
    SetLastError(0);
    EXPECT_EQ(CreateIoCompletionPort(INVALID_HANDLE_VALUE, port, 0, 0), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    HANDLE h = open_device(true);
    EXPECT_EQ(CreateIoCompletionPort(h, port, 3, 0), port) << "an existing port is returned";
    HANDLE sync = open_device(false);
    // NT fact F3: a synchronous handle cannot be associated.
    EXPECT_EQ(CreateIoCompletionPort(sync, port, 3, 0), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    CloseHandle(sync);
    CloseHandle(h);
    CloseHandle(port);
}

TEST_F(Win32IoTest, skip_completion_port_on_success_suppresses_the_synchronous_packet) {
    // NT facts F1, F2
    HANDLE h = open_device(true);
    HANDLE port = CreateIoCompletionPort(h, nullptr, 5, 0);
    ASSERT_NE(port, nullptr);
    char buffer[4];
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED got = nullptr;
    OVERLAPPED ov{};
    ASSERT_TRUE(WriteFile(h, buffer, sizeof(buffer), &bytes, &ov));
    EXPECT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0)) << "NT fact F1";
    EXPECT_EQ(got, &ov);
    EXPECT_EQ(bytes, 4u);
    ASSERT_TRUE(SetFileCompletionNotificationModes(h, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    ASSERT_TRUE(WriteFile(h, buffer, sizeof(buffer), &bytes, &ov));
    EXPECT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(WAIT_TIMEOUT));
    // NT fact F12: a request that pends still produces a packet.
    OVERLAPPED pending{};
    ASSERT_FALSE(DeviceIoControl(h, kIoctlPark, nullptr, 0, nullptr, 0, &bytes, &pending));
    ASSERT_TRUE(complete_one());
    EXPECT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &got, INFINITE));
    EXPECT_EQ(got, &pending);
    CloseHandle(h);
    CloseHandle(port);
}

struct BindLog {
    std::atomic<int> calls{0};
    std::atomic<DWORD> error{0xffff};
    std::atomic<DWORD> bytes{0};
    std::atomic<LPOVERLAPPED> ov{nullptr};
};
BindLog* g_bind = nullptr;

VOID WINAPI bound_callback(DWORD error, DWORD bytes, LPOVERLAPPED ov) {
    g_bind->error = error;
    g_bind->bytes = bytes;
    g_bind->ov = ov;
    ++g_bind->calls;
}

TEST_F(Win32IoTest, bind_io_completion_callback_calls_back_from_the_pool_and_binds_once) {
    // NT fact F13. The pool keeps its port and worker threads until the System shuts down (Windows'
    // until the process ends), so this test opts out of the leak check.
    m_check_leaks = false;
    BindLog log;
    g_bind = &log;
    HANDLE sync = open_device(false);
    SetLastError(0);
    EXPECT_FALSE(BindIoCompletionCallback(sync, bound_callback, 0));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    CloseHandle(sync);

    HANDLE h = open_device(true);
    ASSERT_TRUE(BindIoCompletionCallback(h, bound_callback, 0));
    EXPECT_FALSE(BindIoCompletionCallback(h, bound_callback, 0));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    char buffer[4];
    DWORD bytes = 0;
    OVERLAPPED ov{};
    ASSERT_TRUE(ReadFile(h, buffer, sizeof(buffer), &bytes, &ov));
    for (int i = 0; i < 20000 && log.calls.load() == 0; ++i) Sleep(1);
    EXPECT_EQ(log.calls.load(), 1);
    EXPECT_EQ(log.error.load(), 0u);
    EXPECT_EQ(log.bytes.load(), 4u);
    EXPECT_EQ(log.ov.load(), &ov);
    CloseHandle(h);
}

// A callback that blocks does not hold up another bound file: the pool starts another worker when a
// packet finds every worker busy. Both files share the pool's one port (one binding each, NT fact
// F13). The System's shutdown at teardown releases the idle workers (a hang fails the test).
std::atomic<int> g_blocking_calls{0};
std::atomic<int> g_other_calls{0};
HANDLE g_release = nullptr;

VOID WINAPI blocking_callback(DWORD, DWORD, LPOVERLAPPED) {
    ++g_blocking_calls;
    WaitForSingleObject(g_release, 20000);
}

VOID WINAPI other_callback(DWORD error, DWORD bytes, LPOVERLAPPED) {
    if (error == ERROR_SUCCESS && bytes == 4) ++g_other_calls;
}

TEST_F(Win32IoTest, bind_io_completion_callback_pool_serves_other_files_while_a_callback_blocks) {
    m_check_leaks = false;  // the pool outlives the test (see above)
    g_release = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    ASSERT_NE(g_release, nullptr);
    HANDLE first = open_device(true);
    HANDLE second = open_device(true);
    ASSERT_TRUE(BindIoCompletionCallback(first, blocking_callback, 0));
    ASSERT_TRUE(BindIoCompletionCallback(second, other_callback, 0));
    char buffer[2][4];
    DWORD bytes = 0;
    OVERLAPPED ov[3] = {};
    ASSERT_TRUE(ReadFile(first, buffer[0], 4, &bytes, &ov[0]));
    for (int i = 0; i < 20000 && g_blocking_calls.load() == 0; ++i) Sleep(1);
    ASSERT_EQ(g_blocking_calls.load(), 1);
    ASSERT_TRUE(ReadFile(second, buffer[1], 4, &bytes, &ov[1]));
    ASSERT_TRUE(ReadFile(second, buffer[1], 4, &bytes, &ov[2]));
    for (int i = 0; i < 20000 && g_other_calls.load() < 2; ++i) Sleep(1);
    EXPECT_EQ(g_other_calls.load(), 2);  // served while the first callback still blocks
    EXPECT_EQ(g_blocking_calls.load(), 1);
    SetEvent(g_release);
    CloseHandle(first);
    CloseHandle(second);
    CloseHandle(g_release);
}

}  // namespace
}  // namespace ntio::test::win32_io
