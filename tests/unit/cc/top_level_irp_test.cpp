// The thread's top-level IRP as a file system sees it in the paging I/O it gets: the lazy writer's
// writes come with FSRTL_CACHE_TOP_LEVEL_IRP, a fast I/O read's paging read with
// FSRTL_FAST_IO_TOP_LEVEL_IRP, the writes of an unmapped view with FSRTL_MOD_WRITE_TOP_LEVEL_IRP;
// and the field belongs to the thread that set it.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iogettoplevelirp
#include "cc_test_support.hpp"

#include <thread>

namespace ntio::cc::test {
namespace {

using TopLevelIrpTest = CcFsTest;

TEST_F(TopLevelIrpTest, the_field_is_the_threads_own)
{
    EXPECT_EQ(IoGetTopLevelIrp(), nullptr);
    IoSetTopLevelIrp(reinterpret_cast<PIRP>(FSRTL_FSP_TOP_LEVEL_IRP));
    PIRP seen = reinterpret_cast<PIRP>(0x1234);
    std::thread([&] { seen = IoGetTopLevelIrp(); }).join();
    EXPECT_EQ(seen, nullptr);
    EXPECT_EQ(IoGetTopLevelIrp(), reinterpret_cast<PIRP>(FSRTL_FSP_TOP_LEVEL_IRP));
    IoSetTopLevelIrp(nullptr);
}

TEST_F(TopLevelIrpTest, the_lazy_writer_and_fast_io_say_where_paging_io_comes_from)
{
    HANDLE h = open(L'a');
    const auto data = pattern(3 * PAGE_SIZE, 9);
    ASSERT_EQ(write(h, 0, static_cast<ULONG>(data.size()), data.data()), STATUS_SUCCESS);
    ASSERT_EQ(CcWaitForCurrentLazyWriterActivity(), STATUS_SUCCESS);
    CcTestFsCounters c = counters(L'a');
    ASSERT_GT(c.paging_writes, 0);
    EXPECT_EQ(c.paging_write_top_level, static_cast<ULONG_PTR>(FSRTL_CACHE_TOP_LEVEL_IRP));
    // A read that needs the disk, served by FsRtlCopyRead (the handle's caching is set up).
    put_on_disk(L'b', 0, pattern(8 * PAGE_SIZE, 10));
    HANDLE b = open(L'b');
    UCHAR byte;
    ASSERT_EQ(read(b, 0, 1, &byte), STATUS_SUCCESS);  // sets caching up, on the IRP path
    const LONG irp_reads = counters(L'b').irp_reads;
    std::vector<UCHAR> buffer(PAGE_SIZE);
    ASSERT_EQ(read(b, 5 * PAGE_SIZE, PAGE_SIZE, buffer.data()), STATUS_SUCCESS);
    c = counters(L'b');
    EXPECT_EQ(c.irp_reads, irp_reads) << "served by fast I/O";
    EXPECT_EQ(c.paging_read_top_level, static_cast<ULONG_PTR>(FSRTL_FAST_IO_TOP_LEVEL_IRP));
    // Nothing is left behind on the calling thread.
    EXPECT_EQ(IoGetTopLevelIrp(), nullptr);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(TopLevelIrpTest, an_unmapped_views_writes_come_from_the_modified_page_writer)
{
    HANDLE h = open(L'c');
    ASSERT_EQ(write(h, 0, 2 * PAGE_SIZE, pattern(2 * PAGE_SIZE, 11).data()), STATUS_SUCCESS);
    ASSERT_EQ(flush(h), STATUS_SUCCESS);
    HANDLE section = nullptr;
    ASSERT_EQ(NtCreateSection(&section, SECTION_ALL_ACCESS, nullptr, nullptr, PAGE_READWRITE, SEC_COMMIT, h),
              STATUS_SUCCESS);
    void* base = nullptr;
    SIZE_T size = 0;
    ASSERT_EQ(NtMapViewOfSection(section, NtCurrentProcess(), &base, 0, 0, nullptr, &size, ViewShare, 0, PAGE_READWRITE),
              STATUS_SUCCESS);
    static_cast<UCHAR*>(base)[PAGE_SIZE] ^= 0xFF;
    const LONG writes = counters(L'c').paging_writes;
    ASSERT_EQ(NtUnmapViewOfSection(NtCurrentProcess(), base), STATUS_SUCCESS);
    const CcTestFsCounters c = counters(L'c');
    EXPECT_GT(c.paging_writes, writes);
    EXPECT_EQ(c.paging_write_top_level, static_cast<ULONG_PTR>(FSRTL_MOD_WRITE_TOP_LEVEL_IRP));
    EXPECT_EQ(IoGetTopLevelIrp(), nullptr);
    EXPECT_EQ(NtClose(section), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::cc::test
