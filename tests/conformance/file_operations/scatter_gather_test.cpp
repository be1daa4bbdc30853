// NtReadFileScatter / NtWriteFileGather through the test driver's disk device (DO_DIRECT_IO,
// 512-byte sectors): the IRP, the data moved between the caller's pages and the MDL, and the
// parameter checks (non-cached file, page-aligned elements, sector-multiple length).
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfilescatter

#include "conformance/file_operations/file_operations_test_driver.hpp"
#include "conformance/file_operations/segment_pages.hpp"
#include "support/io_status.hpp"

namespace ntio::file_operations_test {
namespace {
using ntio::test::kUntouched;
using ntio::test::untouched;

TEST_F(FileOperationsTest, write_file_gather_sends_the_pages_in_order_as_one_noncached_write)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoDisk\\file", &h, FILE_WRITE_DATA | SYNCHRONIZE, FILE_NO_INTERMEDIATE_BUFFERING),
              STATUS_SUCCESS);
    SegmentPages pages(2);
    std::memset(pages.page(0), '1', PAGE_SIZE);
    std::memset(pages.page(1), '2', PAGE_SIZE);
    const ULONG length = PAGE_SIZE + 512;
    g_state.information = length;
    LARGE_INTEGER offset;
    offset.QuadPart = 4096;
    ULONG key = 9;
    HANDLE event = create_event();
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtWriteFileGather(h, event, nullptr, nullptr, &iosb, pages.segments(), length, &offset, &key),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, length);
    EXPECT_TRUE(signalled(event));
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_WRITE);
    EXPECT_EQ(records[0].length, length);
    EXPECT_EQ(records[0].offset, 4096);
    EXPECT_EQ(records[0].key, 9u);
    EXPECT_TRUE(records[0].irp_flags & IRP_NOCACHE);
    ASSERT_NE(records[0].mdl, nullptr);
    EXPECT_EQ(records[0].mdl_data, std::string(PAGE_SIZE, '1') + std::string(512, '2'));
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// A pended scatter read: the caller's pages receive exactly the bytes read, in order, when the
// driver completes it; the IOSB is written then (NT facts B1, E5).
TEST_F(FileOperationsTest, read_file_scatter_fills_the_pages_when_the_read_completes)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoDisk\\file", &h, FILE_READ_DATA | SYNCHRONIZE, FILE_NO_INTERMEDIATE_BUFFERING),
              STATUS_SUCCESS);
    SegmentPages pages(3);
    for (ULONG i = 0; i < 3; ++i) std::memset(pages.page(i), 'a', PAGE_SIZE);
    g_state.pend = true;
    g_state.information = 2 * PAGE_SIZE + 512;
    g_state.fill = 'r';
    LARGE_INTEGER offset{};
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtReadFileScatter(h, nullptr, nullptr, nullptr, &iosb, pages.segments(), 3 * PAGE_SIZE, &offset, nullptr),
              STATUS_PENDING);
    EXPECT_EQ(pages.page(0)[0], 'a');  // nothing lands before completion
    g_state.complete_parked(STATUS_SUCCESS, 2 * PAGE_SIZE + 512);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 2 * PAGE_SIZE + 512);
    EXPECT_EQ(std::string(pages.page(0), PAGE_SIZE), std::string(PAGE_SIZE, 'r'));
    EXPECT_EQ(std::string(pages.page(1), PAGE_SIZE), std::string(PAGE_SIZE, 'r'));
    EXPECT_EQ(std::string(pages.page(2), 512), std::string(512, 'r'));
    EXPECT_EQ(pages.page(2)[512], 'a');
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_READ);
    EXPECT_EQ(records[0].length, 3 * PAGE_SIZE);
    EXPECT_NE(records[0].mdl, nullptr);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// Cached files, unaligned elements, lengths that are not whole sectors and a missing offset on an
// asynchronous handle are STATUS_INVALID_PARAMETER; a read-only handle cannot gather
// (STATUS_ACCESS_DENIED). No IRP, IOSB untouched.
TEST_F(FileOperationsTest, scatter_gather_checks_cache_alignment_length_offset_and_access)
{
    SegmentPages pages(1);
    LARGE_INTEGER offset{};
    IO_STATUS_BLOCK iosb = kUntouched;
    HANDLE cached = nullptr;
    ASSERT_EQ(open(L"\\??\\FoDisk\\file", &cached, FILE_READ_DATA | SYNCHRONIZE, 0), STATUS_SUCCESS);
    EXPECT_EQ(NtReadFileScatter(cached, nullptr, nullptr, nullptr, &iosb, pages.segments(), 512, &offset, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtClose(cached), STATUS_SUCCESS);

    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoDisk\\file", &h, FILE_READ_DATA | SYNCHRONIZE, FILE_NO_INTERMEDIATE_BUFFERING),
              STATUS_SUCCESS);
    EXPECT_EQ(NtReadFileScatter(h, nullptr, nullptr, nullptr, &iosb, pages.segments(), 100, &offset, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtReadFileScatter(h, nullptr, nullptr, nullptr, &iosb, pages.segments(), 512, nullptr, nullptr),
              STATUS_INVALID_PARAMETER);
    FILE_SEGMENT_ELEMENT unaligned[2];
    unaligned[0].Buffer = pages.page(0) + 16;
    unaligned[1].Alignment = 0;
    EXPECT_EQ(NtReadFileScatter(h, nullptr, nullptr, nullptr, &iosb, unaligned, 512, &offset, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtWriteFileGather(h, nullptr, nullptr, nullptr, &iosb, pages.segments(), 512, &offset, nullptr),
              STATUS_ACCESS_DENIED);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_TRUE(g_state.take().empty());
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::file_operations_test
