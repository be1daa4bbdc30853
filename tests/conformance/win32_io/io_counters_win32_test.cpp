// GetProcessIoCounters for a request completed on another thread: an overlapped read the W32Io driver
// parks, completed by a second thread of the process, counts for the process that asked for it.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getprocessiocounters
#include <thread>

#include "win32_io_driver.hpp"

namespace ntio::test::win32_io {
namespace {

IO_COUNTERS io_counters_now() {
    IO_COUNTERS counters{};
    EXPECT_TRUE(GetProcessIoCounters(GetCurrentProcess(), &counters)) << GetLastError();
    return counters;
}

TEST_F(Win32IoTest, a_read_completed_by_another_thread_counts_for_the_process_that_asked) {
    g_state.park_reads = true;
    HANDLE h = open_device(true);
    const IO_COUNTERS before = io_counters_now();
    char buffer[8];
    OVERLAPPED ov{};
    ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    ASSERT_NE(ov.hEvent, nullptr);
    EXPECT_FALSE(ReadFile(h, buffer, sizeof buffer, nullptr, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    ASSERT_TRUE(wait_parked(1));
    g_state.complete_status = STATUS_SUCCESS;
    g_state.complete_information = 7;
    bool completed = false;
    std::thread completer([&] { completed = complete_one(); });
    completer.join();
    ASSERT_TRUE(completed);
    ASSERT_EQ(WaitForSingleObject(ov.hEvent, INFINITE), WAIT_OBJECT_0);
    EXPECT_EQ(ov.InternalHigh, 7u);
    const IO_COUNTERS after = io_counters_now();
    EXPECT_EQ(after.ReadOperationCount - before.ReadOperationCount, 1u);
    EXPECT_EQ(after.ReadTransferCount - before.ReadTransferCount, 7u);
    CloseHandle(ov.hEvent);
    CloseHandle(h);
}

}  // namespace
}  // namespace ntio::test::win32_io
