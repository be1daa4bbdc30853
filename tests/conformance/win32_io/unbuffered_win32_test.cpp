// CreateFile's FILE_FLAG_NO_BUFFERING and FILE_FLAG_DELETE_ON_CLOSE, the rules of unbuffered handles,
// and ReadFileScatter / WriteFileGather through <windows.h>, against the file-operation suite's disk
// device (\Device\FoDisk: DO_DIRECT_IO, 512-byte sectors), checking what reaches the driver.
// https://learn.microsoft.com/windows/win32/fileio/file-buffering,
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfilescatter
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <windows.h>

#include "conformance/file_operations/file_operations_test_driver.hpp"
#include "conformance/file_operations/segment_pages.hpp"

namespace ntio::file_operations_test {
namespace {

constexpr ULONG kSector = 512;

HANDLE open_disk(DWORD access, DWORD flags, DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE) {
    return CreateFileW(L"\\\\.\\FoDisk\\file", access, share, nullptr, OPEN_EXISTING, flags, nullptr);
}


// FILE_FLAG_NO_BUFFERING becomes FILE_NO_INTERMEDIATE_BUFFERING in the create options the driver
// sees (with FILE_SYNCHRONOUS_IO_NONALERT and FILE_NON_DIRECTORY_FILE, disposition FILE_OPEN in the
// high byte); transfers on the handle are IRP_NOCACHE and must be whole sectors at sector offsets
// (ERROR_INVALID_PARAMETER otherwise, no IRP).
TEST_F(FileOperationsTest, create_file_no_buffering_asks_for_noncached_io_and_whole_sectors) {
    HANDLE h = open_disk(GENERIC_READ | GENERIC_WRITE, FILE_FLAG_NO_BUFFERING);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    {
        std::lock_guard<std::mutex> guard(g_state.lock);
        ASSERT_EQ(g_state.creates.size(), 1u);
        const ULONG options = g_state.creates[0].create_options;
        EXPECT_EQ(options >> 24, static_cast<ULONG>(FILE_OPEN));
        EXPECT_EQ(options & 0x00ffffff,
                  static_cast<ULONG>(FILE_NO_INTERMEDIATE_BUFFERING | FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE));
        EXPECT_EQ(g_state.creates[0].desired_access & DELETE, 0u);
    }
    std::vector<char> buffer(2 * kSector);
    DWORD bytes = 99;
    SetLastError(0);
    EXPECT_FALSE(ReadFile(h, buffer.data(), 100, &bytes, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(bytes, 0u);
    OVERLAPPED odd{};
    odd.Offset = 100;
    EXPECT_FALSE(WriteFile(h, buffer.data(), kSector, &bytes, &odd));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_TRUE(g_state.take().empty()) << "no IRP for a misaligned transfer";

    g_state.information = kSector;
    ASSERT_TRUE(ReadFile(h, buffer.data(), kSector, &bytes, nullptr));
    EXPECT_EQ(bytes, kSector);
    EXPECT_EQ(buffer[0], 'D');
    OVERLAPPED sector{};
    sector.Offset = 2 * kSector;
    ASSERT_TRUE(WriteFile(h, buffer.data(), kSector, &bytes, &sector));
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].major, IRP_MJ_READ);
    EXPECT_EQ(records[0].length, kSector);
    EXPECT_TRUE(records[0].irp_flags & IRP_NOCACHE);
    EXPECT_EQ(records[1].major, IRP_MJ_WRITE);
    EXPECT_EQ(records[1].offset, 2 * kSector);
    EXPECT_TRUE(records[1].irp_flags & IRP_NOCACHE);
    EXPECT_TRUE(CloseHandle(h));

    // A handle without the flag is cached: the same odd transfer reaches the driver.
    HANDLE cached = open_disk(GENERIC_READ, 0);
    ASSERT_NE(cached, INVALID_HANDLE_VALUE);
    g_state.information = 100;
    EXPECT_TRUE(ReadFile(cached, buffer.data(), 100, &bytes, nullptr));
    records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_FALSE(records[0].irp_flags & IRP_NOCACHE);
    EXPECT_TRUE(CloseHandle(cached));
}

// The device's AlignmentRequirement applies to the buffers of unbuffered transfers
// (https://learn.microsoft.com/windows/win32/fileio/file-buffering#alignment-and-file-access-requirements).
TEST_F(FileOperationsTest, unbuffered_transfers_need_buffers_aligned_to_the_device) {
    g_state.disk->AlignmentRequirement = FILE_QUAD_ALIGNMENT;  // as a driver would set it in DriverEntry
    HANDLE h = open_disk(GENERIC_READ, FILE_FLAG_NO_BUFFERING);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    SegmentPages pages(1);
    DWORD bytes = 0;
    SetLastError(0);
    EXPECT_FALSE(ReadFile(h, pages.page(0) + 4, kSector, &bytes, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_TRUE(g_state.take().empty());
    g_state.information = kSector;
    EXPECT_TRUE(ReadFile(h, pages.page(0) + 8, kSector, &bytes, nullptr));
    EXPECT_EQ(bytes, kSector);
    EXPECT_EQ(g_state.take().size(), 1u);
    EXPECT_TRUE(CloseHandle(h));
}

// FILE_FLAG_DELETE_ON_CLOSE becomes FILE_DELETE_ON_CLOSE, and kernel32 adds DELETE to the access it
// asks for (the I/O manager refuses FILE_DELETE_ON_CLOSE without it).
TEST_F(FileOperationsTest, create_file_delete_on_close_asks_for_delete_access) {
    HANDLE h = open_disk(GENERIC_READ, FILE_FLAG_DELETE_ON_CLOSE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    {
        std::lock_guard<std::mutex> guard(g_state.lock);
        ASSERT_EQ(g_state.creates.size(), 1u);
        EXPECT_TRUE(g_state.creates[0].create_options & FILE_DELETE_ON_CLOSE);
        EXPECT_FALSE(g_state.creates[0].create_options & FILE_NO_INTERMEDIATE_BUFFERING);
        EXPECT_EQ(g_state.creates[0].desired_access & DELETE, static_cast<ACCESS_MASK>(DELETE));
        EXPECT_EQ(g_state.creates[0].share_access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
    }
    EXPECT_TRUE(CloseHandle(h));
}

// WriteFileGather sends the pages in order as one non-cached write at the OVERLAPPED offset; a write
// that completes at once returns TRUE and sets the event.
TEST_F(FileOperationsTest, write_file_gather_sends_the_pages_as_one_noncached_write) {
    HANDLE h = open_disk(GENERIC_WRITE, FILE_FLAG_NO_BUFFERING | FILE_FLAG_OVERLAPPED);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    SegmentPages pages(2);
    std::memset(pages.page(0), '1', PAGE_SIZE);
    std::memset(pages.page(1), '2', PAGE_SIZE);
    const ULONG length = PAGE_SIZE + kSector;
    g_state.information = length;
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED ov{};
    ov.Offset = 4096;
    ov.hEvent = event;
    ASSERT_TRUE(WriteFileGather(h, pages.segments(), length, nullptr, &ov));
    EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);
    EXPECT_EQ(static_cast<NTSTATUS>(ov.Internal), STATUS_SUCCESS);
    EXPECT_EQ(ov.InternalHigh, length);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_WRITE);
    EXPECT_EQ(records[0].length, length);
    EXPECT_EQ(records[0].offset, 4096);
    EXPECT_TRUE(records[0].irp_flags & IRP_NOCACHE);
    EXPECT_EQ(records[0].mdl_data, std::string(PAGE_SIZE, '1') + std::string(kSector, '2'));
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(h));
}

// ReadFileScatter that pends: FALSE / ERROR_IO_PENDING, the pages receive the bytes at completion,
// GetOverlappedResult reports them.
TEST_F(FileOperationsTest, read_file_scatter_fills_the_pages_when_the_read_completes) {
    HANDLE h = open_disk(GENERIC_READ, FILE_FLAG_NO_BUFFERING | FILE_FLAG_OVERLAPPED);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    SegmentPages pages(2);
    std::memset(pages.page(0), 'a', PAGE_SIZE);
    std::memset(pages.page(1), 'a', PAGE_SIZE);
    g_state.pend = true;
    g_state.information = PAGE_SIZE + kSector;
    g_state.fill = 'r';
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED ov{};
    ov.hEvent = event;
    SetLastError(0);
    EXPECT_FALSE(ReadFileScatter(h, pages.segments(), 2 * PAGE_SIZE, nullptr, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    EXPECT_EQ(WaitForSingleObject(event, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    g_state.complete_parked(STATUS_SUCCESS, PAGE_SIZE + kSector);
    DWORD bytes = 0;
    ASSERT_TRUE(GetOverlappedResult(h, &ov, &bytes, TRUE));
    EXPECT_EQ(bytes, PAGE_SIZE + kSector);
    EXPECT_EQ(std::string(pages.page(0), PAGE_SIZE), std::string(PAGE_SIZE, 'r'));
    EXPECT_EQ(std::string(pages.page(1), kSector), std::string(kSector, 'r'));
    EXPECT_EQ(pages.page(1)[kSector], 'a');
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_READ);
    EXPECT_EQ(records[0].length, 2 * PAGE_SIZE);
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(h));
}

// ReadFileScatter / WriteFileGather need an OVERLAPPED and a NULL lpReserved, a handle opened with
// FILE_FLAG_NO_BUFFERING and a whole number of sectors: ERROR_INVALID_PARAMETER otherwise, no IRP.
TEST_F(FileOperationsTest, scatter_gather_parameter_rules) {
    SegmentPages pages(1);
    DWORD reserved = 0;
    OVERLAPPED ov{};
    HANDLE cached = open_disk(GENERIC_READ | GENERIC_WRITE, FILE_FLAG_OVERLAPPED);
    ASSERT_NE(cached, INVALID_HANDLE_VALUE);
    SetLastError(0);
    EXPECT_FALSE(ReadFileScatter(cached, pages.segments(), kSector, nullptr, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_TRUE(CloseHandle(cached));

    HANDLE h = open_disk(GENERIC_READ | GENERIC_WRITE, FILE_FLAG_NO_BUFFERING | FILE_FLAG_OVERLAPPED);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    SetLastError(0);
    EXPECT_FALSE(ReadFileScatter(h, pages.segments(), 100, nullptr, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    SetLastError(0);
    EXPECT_FALSE(WriteFileGather(h, pages.segments(), kSector, &reserved, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    SetLastError(0);
    EXPECT_FALSE(WriteFileGather(h, pages.segments(), kSector, nullptr, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_TRUE(g_state.take().empty());
    EXPECT_TRUE(CloseHandle(h));
}

}  // namespace
}  // namespace ntio::file_operations_test
