// Cached I/O through the NT services on the cache test file system: what the cache serves, what
// reaches the backing store and when (flush, lazy writer), truncation, non-cached handles, and the
// file-end rules of NtReadFile (NT fact I1) on the IRP and the fast I/O paths alike.
#include "cc_test_support.hpp"

namespace ntio::cc::test {
namespace {

using CachedIoTest = CcFsTest;

// The first cached read faults the pages in with paging reads; the same read again is served by
// the cache (fast I/O through FsRtlCopyRead) without a paging read or an IRP.
TEST_F(CachedIoTest, second_read_is_served_from_the_cache)
{
    const auto data = pattern(3 * PAGE_SIZE, 1);
    put_on_disk(L'a', 0, data);
    HANDLE h = open(L'a');
    std::vector<UCHAR> buffer(data.size());
    ULONG_PTR got = 0;
    ASSERT_EQ(read(h, 0, static_cast<ULONG>(buffer.size()), buffer.data(), &got), STATUS_SUCCESS);
    EXPECT_EQ(got, data.size());
    EXPECT_EQ(buffer, data);
    const CcTestFsCounters first = counters(L'a');
    EXPECT_GE(first.paging_reads, 1);
    EXPECT_EQ(first.irp_reads, 1) << "the first read sets caching up on the IRP path";

    std::fill(buffer.begin(), buffer.end(), 0);
    ASSERT_EQ(read(h, 0, static_cast<ULONG>(buffer.size()), buffer.data(), &got), STATUS_SUCCESS);
    EXPECT_EQ(buffer, data);
    const CcTestFsCounters second = counters(L'a');
    EXPECT_EQ(second.paging_reads, first.paging_reads);
    EXPECT_EQ(second.irp_reads, first.irp_reads) << "served by fast I/O";
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// Cached writes reach the backing store by NtFlushBuffersFile (CcFlushCache), only up to the file's
// end, and a non-cached handle sees them afterwards.
TEST_F(CachedIoTest, flush_writes_cached_data_to_the_disk)
{
    HANDLE h = open(L'a');
    const auto data = pattern(10000, 2);
    ASSERT_EQ(write(h, 100, static_cast<ULONG>(data.size()), data.data()), STATUS_SUCCESS);
    ASSERT_EQ(flush(h), STATUS_SUCCESS);
    const CcTestFsCounters c = counters(L'a');
    EXPECT_GE(c.paging_writes, 1);
    EXPECT_EQ(c.file_size, 10100);
    EXPECT_EQ(c.disk_size, 10100) << "paging writes stop at the end of the file";
    const auto on_disk = disk(L'a', 0, 10100);
    ASSERT_EQ(on_disk.size(), 10100u);
    EXPECT_EQ(std::vector<UCHAR>(on_disk.begin(), on_disk.begin() + 100), std::vector<UCHAR>(100, 0));
    EXPECT_EQ(std::vector<UCHAR>(on_disk.begin() + 100, on_disk.end()), data);

    HANDLE raw = open_noncached(L'a');
    std::vector<UCHAR> buffer(3 * PAGE_SIZE);
    ULONG_PTR got = 0;
    ASSERT_EQ(read(raw, 0, static_cast<ULONG>(buffer.size()), buffer.data(), &got), STATUS_SUCCESS);
    ASSERT_EQ(got, 10100u);
    EXPECT_EQ(std::vector<UCHAR>(buffer.begin() + 100, buffer.begin() + 10100), data);
    EXPECT_EQ(NtClose(raw), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// Without a flush the lazy writer writes the dirty data, under the file system's
// AcquireForLazyWrite / ReleaseFromLazyWrite.
TEST_F(CachedIoTest, lazy_writer_writes_dirty_data)
{
    HANDLE h = open(L'b');
    const auto data = pattern(2 * PAGE_SIZE + 17, 3);
    ASSERT_EQ(write(h, 0, static_cast<ULONG>(data.size()), data.data()), STATUS_SUCCESS);
    // The data is written at the latest by a lazy-writer pass that starts after it became dirty.
    ASSERT_EQ(CcWaitForCurrentLazyWriterActivity(), STATUS_SUCCESS);
    const CcTestFsCounters c = counters(L'b');
    EXPECT_GE(c.paging_writes, 1);
    EXPECT_GE(c.lazy_acquires, 1);
    EXPECT_EQ(c.lazy_releases, c.lazy_acquires);
    EXPECT_EQ(disk(L'b', 0, static_cast<ULONG>(data.size())), data);
    // Nothing is left to write: a flush sends no paging write.
    ASSERT_EQ(flush(h), STATUS_SUCCESS);
    EXPECT_EQ(counters(L'b').paging_writes, c.paging_writes);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// A stream closed while dirty is written by the lazy writer after its last handle went.
TEST_F(CachedIoTest, closing_a_dirty_stream_leaves_the_write_to_the_lazy_writer)
{
    HANDLE h = open(L'c');
    const auto data = pattern(5000, 4);
    ASSERT_EQ(write(h, 0, static_cast<ULONG>(data.size()), data.data()), STATUS_SUCCESS);
    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    ASSERT_EQ(CcWaitForCurrentLazyWriterActivity(), STATUS_SUCCESS);
    EXPECT_EQ(disk(L'c', 0, static_cast<ULONG>(data.size())), data);
}

// Truncation (FileEndOfFileInformation -> CcSetFileSizes) purges the cache past the new end, dirty
// data included; growing the file again reads zeroes there, not the old cached bytes.
TEST_F(CachedIoTest, truncation_purges_the_cache)
{
    HANDLE h = open(L'a');
    const auto data = pattern(3 * PAGE_SIZE, 5);
    ASSERT_EQ(write(h, 0, static_cast<ULONG>(data.size()), data.data()), STATUS_SUCCESS);
    ASSERT_EQ(flush(h), STATUS_SUCCESS);
    const auto late = pattern(100, 6);
    ASSERT_EQ(write(h, 2 * PAGE_SIZE + 50, 100, late.data()), STATUS_SUCCESS);  // dirty, then cut off

    ASSERT_EQ(set_end_of_file(h, 5000), STATUS_SUCCESS);
    std::vector<UCHAR> buffer(PAGE_SIZE);
    ULONG_PTR got = 0;
    ASSERT_EQ(read(h, PAGE_SIZE, PAGE_SIZE, buffer.data(), &got), STATUS_SUCCESS);
    ASSERT_EQ(got, 5000u - PAGE_SIZE);
    EXPECT_EQ(std::vector<UCHAR>(buffer.begin(), buffer.begin() + got),
              std::vector<UCHAR>(data.begin() + PAGE_SIZE, data.begin() + 5000));
    EXPECT_EQ(read(h, 5000, 10, buffer.data(), &got), STATUS_END_OF_FILE);

    ASSERT_EQ(set_end_of_file(h, 3 * PAGE_SIZE), STATUS_SUCCESS);
    std::vector<UCHAR> tail(3 * PAGE_SIZE - 5000);
    ASSERT_EQ(read(h, 5000, static_cast<ULONG>(tail.size()), tail.data(), &got), STATUS_SUCCESS);
    EXPECT_EQ(got, tail.size());
    EXPECT_EQ(tail, std::vector<UCHAR>(tail.size(), 0)) << "old bytes past the cut must not come back";
    ASSERT_EQ(flush(h), STATUS_SUCCESS);
    const auto on_disk = disk(L'a', 5000, PAGE_SIZE);
    EXPECT_EQ(on_disk, std::vector<UCHAR>(on_disk.size(), 0)) << "the purged dirty bytes never reached the disk";
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// NT fact I1 on a cached file, on the IRP path (first read) and on the fast path (later ones):
// at the end STATUS_END_OF_FILE with nothing transferred, zero length at the end succeeds, a read
// across the end is cut at it.
TEST_F(CachedIoTest, reads_at_and_past_the_end_of_the_file)
{
    HANDLE h = open(L'a');
    const auto data = pattern(5000, 7);
    ASSERT_EQ(write(h, 0, 5000, data.data()), STATUS_SUCCESS);
    for (int pass = 0; pass < 2; ++pass) {
        std::vector<UCHAR> buffer(PAGE_SIZE, 0xCC);
        ULONG_PTR got = 99;
        EXPECT_EQ(read(h, 5000, 10, buffer.data(), &got), STATUS_END_OF_FILE);
        EXPECT_EQ(got, 0u);
        EXPECT_EQ(read(h, 9000, 10, buffer.data(), &got), STATUS_END_OF_FILE);
        EXPECT_EQ(read(h, 5000, 0, buffer.data(), &got), STATUS_SUCCESS);
        EXPECT_EQ(got, 0u);
        ASSERT_EQ(read(h, 4000, PAGE_SIZE, buffer.data(), &got), STATUS_SUCCESS);
        EXPECT_EQ(got, 1000u);
        EXPECT_EQ(std::vector<UCHAR>(buffer.begin(), buffer.begin() + 1000),
                  std::vector<UCHAR>(data.begin() + 4000, data.end()));
        EXPECT_EQ(buffer[1000], 0xCC) << "nothing written past what was read";
    }
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// Reads with the file pointer through fast I/O move it as the IRP path would (NT fact I3).
TEST_F(CachedIoTest, fast_reads_advance_the_file_pointer)
{
    HANDLE h = open(L'a');
    const auto data = pattern(3000, 8);
    ASSERT_EQ(write(h, 0, 3000, data.data()), STATUS_SUCCESS);
    LARGE_INTEGER start{};
    IO_STATUS_BLOCK iosb{};
    FILE_POSITION_INFORMATION position{start};
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &position, sizeof(position), FilePositionInformation), STATUS_SUCCESS);
    std::vector<UCHAR> got(3000);
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, got.data() + i * 1000, 1000, nullptr, nullptr),
                  STATUS_SUCCESS);
    EXPECT_EQ(got, data);
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &position, sizeof(position), FilePositionInformation), STATUS_SUCCESS);
    EXPECT_EQ(position.CurrentByteOffset.QuadPart, 3000);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// IsFastIoPossible in the FCB header steers FsRtlCopyRead: Questionable asks the driver's
// FastIoCheckIfPossible first, NotPossible sends every request as an IRP.
TEST_F(CachedIoTest, fast_io_follows_the_fcb_header)
{
    HANDLE h = open(L'd');
    const auto data = pattern(PAGE_SIZE, 9);
    ASSERT_EQ(write(h, 0, PAGE_SIZE, data.data()), STATUS_SUCCESS);
    std::vector<UCHAR> buffer(PAGE_SIZE);
    ASSERT_EQ(read(h, 0, PAGE_SIZE, buffer.data()), STATUS_SUCCESS);
    const CcTestFsCounters before = counters(L'd');
    set_fast_io(L'd', FastIoIsQuestionable);
    ASSERT_EQ(read(h, 0, PAGE_SIZE, buffer.data()), STATUS_SUCCESS);
    CcTestFsCounters now = counters(L'd');
    EXPECT_EQ(now.fast_checks, before.fast_checks + 1);
    EXPECT_EQ(now.irp_reads, before.irp_reads);
    set_fast_io(L'd', FastIoIsNotPossible);
    ASSERT_EQ(read(h, 0, PAGE_SIZE, buffer.data()), STATUS_SUCCESS);
    EXPECT_EQ(buffer, data);
    EXPECT_EQ(counters(L'd').irp_reads, now.irp_reads + 1);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// A failed paging read is raised by CcCopyRead; the file system's __try turns it into the
// request's status.
TEST_F(CachedIoTest, paging_read_errors_reach_the_caller)
{
    put_on_disk(L'a', 0, pattern(2 * PAGE_SIZE, 10));
    HANDLE h = open(L'a');
    fail_paging(L'a', false, STATUS_DEVICE_DATA_ERROR);
    std::vector<UCHAR> buffer(PAGE_SIZE);
    EXPECT_EQ(read(h, 0, PAGE_SIZE, buffer.data()), STATUS_DEVICE_DATA_ERROR);
    fail_paging(L'a', false, STATUS_SUCCESS);
    EXPECT_EQ(read(h, 0, PAGE_SIZE, buffer.data()), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// A failed flush reports the paging write's status and keeps the data dirty: the next flush
// writes it.
TEST_F(CachedIoTest, failed_flush_keeps_the_data_dirty)
{
    HANDLE h = open(L'a');
    const auto data = pattern(PAGE_SIZE, 11);
    ASSERT_EQ(write(h, 0, PAGE_SIZE, data.data()), STATUS_SUCCESS);
    // Write-behind off: only flushes write this stream while it is open, so the failure is the flush's.
    PFILE_OBJECT file = file_object(h);
    CcSetAdditionalCacheAttributes(file, FALSE, TRUE);
    ObDereferenceObject(file);
    fail_paging(L'a', true, STATUS_DISK_FULL);
    EXPECT_EQ(flush(h), STATUS_DISK_FULL);
    fail_paging(L'a', true, STATUS_SUCCESS);
    ASSERT_EQ(flush(h), STATUS_SUCCESS);
    EXPECT_EQ(disk(L'a', 0, PAGE_SIZE), data);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::cc::test
