// The services that take no event or APC block even on overlapped handles (NT fact E13), seen
// through <windows.h>: FlushFileBuffers and GetFileSizeEx on a FILE_FLAG_OVERLAPPED handle whose
// driver pends the IRP and finishes it from a work item return the final result, never
// ERROR_IO_PENDING. Runs against the information suite's InfoDev driver.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <windows.h>

#include "conformance/file_information/information_test_driver.hpp"

namespace ntio::test::info {
namespace {

HANDLE open_win32(DWORD flags) {
    HANDLE h = CreateFileW(L"\\\\.\\InfoDev\\file", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                           nullptr, OPEN_EXISTING, flags, nullptr);
    EXPECT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    return h;
}

// NT fact E13 (Win32 form): a flush that pends and fails with STATUS_DEVICE_NOT_READY ->
// FlushFileBuffers FALSE / ERROR_NOT_READY on both handle kinds; one that pends and succeeds -> TRUE.
TEST_F(InformationTest, flush_file_buffers_waits_for_a_pended_flush_on_overlapped_handles) {
    for (DWORD flags : {0u, static_cast<DWORD>(FILE_FLAG_OVERLAPPED)}) {
        SCOPED_TRACE(flags);
        HANDLE h = open_win32(flags);
        g_state.pend = true;
        g_state.status = STATUS_DEVICE_NOT_READY;
        SetLastError(0);
        EXPECT_FALSE(FlushFileBuffers(h));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_READY));
        g_state.status = STATUS_SUCCESS;
        SetLastError(0x77);
        EXPECT_TRUE(FlushFileBuffers(h));
        EXPECT_EQ(GetLastError(), 0x77u);
        drain_work();
        const auto seen = requests();
        ASSERT_EQ(seen.size(), 2u);
        EXPECT_EQ(seen[0].major, IRP_MJ_FLUSH_BUFFERS);
        EXPECT_TRUE(CloseHandle(h));
    }
}

// NT fact E13 (Win32 form): a FileStandardInformation query that pends -> GetFileSizeEx returns the
// driver's answer after waiting, or FALSE with the mapped error of the pended failure.
TEST_F(InformationTest, get_file_size_ex_waits_for_a_pended_query_on_overlapped_handles) {
    HANDLE h = open_win32(FILE_FLAG_OVERLAPPED);
    g_state.pend = true;
    g_state.status = STATUS_DEVICE_NOT_READY;
    LARGE_INTEGER size;
    size.QuadPart = -5;
    SetLastError(0);
    EXPECT_FALSE(GetFileSizeEx(h, &size));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_READY));
    EXPECT_EQ(size.QuadPart, -5);

    FILE_STANDARD_INFORMATION standard{};
    standard.EndOfFile.QuadPart = 12345;
    standard.AllocationSize.QuadPart = 16384;
    {
        std::lock_guard<std::mutex> guard(g_state.lock);
        g_state.reply.assign(reinterpret_cast<const char*>(&standard), sizeof(standard));
    }
    g_state.status = STATUS_SUCCESS;
    g_state.information = sizeof(standard);
    EXPECT_TRUE(GetFileSizeEx(h, &size));
    EXPECT_EQ(size.QuadPart, 12345);
    drain_work();
    const auto seen = requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[1].major, IRP_MJ_QUERY_INFORMATION);
    EXPECT_TRUE(CloseHandle(h));
}

}  // namespace
}  // namespace ntio::test::info
