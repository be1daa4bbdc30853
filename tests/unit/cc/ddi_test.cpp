// The cache manager's DDIs called directly on a file object of the cache test file system: Wait
// FALSE never blocks on a miss, CcZeroData, the mapping and pinning interface, purges around pinned
// data, and raised statuses. Caching is set up by a first read through NtReadFile.
#include "cc_test_support.hpp"

namespace ntio::cc::test {
namespace {

class CcDdiTest : public CcCachedFileTest {
protected:
    // File 'a' with `size` bytes of pattern on disk, a cached handle and its file object.
    void prepare(ULONG size) { CcCachedFileTest::prepare(size, 21); }
};

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-cccopyread: with Wait
// FALSE a read that needs data not yet in the cache returns FALSE; once resident it succeeds.
TEST_F(CcDdiTest, wait_false_returns_false_on_a_miss)
{
    prepare(16 * PAGE_SIZE);
    LARGE_INTEGER offset;
    offset.QuadPart = 9 * PAGE_SIZE + 10;
    std::vector<UCHAR> buffer(100);
    IO_STATUS_BLOCK iosb{};
    const LONG reads = counters(L'a').paging_reads;
    EXPECT_FALSE(CcCopyRead(m_file, &offset, 100, FALSE, buffer.data(), &iosb));
    EXPECT_EQ(counters(L'a').paging_reads, reads) << "Wait FALSE sends no paging read";
    // A partial write of a page that is not resident needs its old contents: FALSE too.
    EXPECT_FALSE(CcCopyWrite(m_file, &offset, 10, FALSE, buffer.data()));
    ASSERT_TRUE(CcCopyRead(m_file, &offset, 100, TRUE, buffer.data(), &iosb));
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 100u);
    EXPECT_EQ(buffer, std::vector<UCHAR>(m_data.begin() + offset.QuadPart, m_data.begin() + offset.QuadPart + 100));
    std::fill(buffer.begin(), buffer.end(), 0);
    EXPECT_TRUE(CcCopyRead(m_file, &offset, 100, FALSE, buffer.data(), &iosb));
    EXPECT_EQ(buffer, std::vector<UCHAR>(m_data.begin() + offset.QuadPart, m_data.begin() + offset.QuadPart + 100));
    EXPECT_TRUE(CcCopyWrite(m_file, &offset, 10, FALSE, buffer.data()));
}

// A failed paging read raises its status out of CcCopyRead, for the file system's __try.
TEST_F(CcDdiTest, paging_read_failure_is_raised)
{
    prepare(4 * PAGE_SIZE);
    fail_paging(L'a', false, STATUS_UNEXPECTED_IO_ERROR);
    LARGE_INTEGER offset;
    offset.QuadPart = 2 * PAGE_SIZE;
    UCHAR buffer[16];
    IO_STATUS_BLOCK iosb{};
    volatile NTSTATUS raised = STATUS_SUCCESS;
    __try {
        (void)CcCopyRead(m_file, &offset, sizeof(buffer), TRUE, buffer, &iosb);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        raised = GetExceptionCode();
    }
    EXPECT_EQ(raised, STATUS_UNEXPECTED_IO_ERROR);
    fail_paging(L'a', false, STATUS_SUCCESS);
}

// CcZeroData zeroes the range in the cache; the rest keeps its data; a flush writes the zeroes.
TEST_F(CcDdiTest, zero_data_zeroes_the_range)
{
    prepare(4 * PAGE_SIZE);
    // Write-behind off, so the dirty state below is not the lazy writer's to change.
    CcSetAdditionalCacheAttributes(m_file, FALSE, TRUE);
    EXPECT_FALSE(CcIsThereDirtyData(m_file->Vpb));
    LARGE_INTEGER start, end;
    start.QuadPart = 100;
    end.QuadPart = PAGE_SIZE + 900;
    ASSERT_TRUE(CcZeroData(m_file, &start, &end, TRUE));
    EXPECT_TRUE(CcIsThereDirtyData(m_file->Vpb));
    std::vector<UCHAR> expected = m_data;
    std::fill(expected.begin() + 100, expected.begin() + PAGE_SIZE + 900, 0);
    std::vector<UCHAR> buffer(m_data.size());
    ASSERT_EQ(read(m_handle, 0, static_cast<ULONG>(buffer.size()), buffer.data()), STATUS_SUCCESS);
    EXPECT_EQ(buffer, expected);
    ASSERT_EQ(flush(m_handle), STATUS_SUCCESS);
    EXPECT_FALSE(CcIsThereDirtyData(m_file->Vpb));
    EXPECT_EQ(disk(L'a', 0, static_cast<ULONG>(expected.size())), expected);
}

// CcPinRead maps the data; changes made through the buffer and CcSetDirtyPinnedData reach the disk
// by a flush. A pinned range cannot be purged; once unpinned it can.
TEST_F(CcDdiTest, pinned_data_is_written_and_blocks_purges)
{
    prepare(4 * PAGE_SIZE);
    LARGE_INTEGER offset;
    offset.QuadPart = PAGE_SIZE + 512;
    PVOID bcb = nullptr;
    PVOID buffer = nullptr;
    ASSERT_TRUE(CcPinRead(m_file, &offset, 512, PIN_WAIT, &bcb, &buffer));
    auto* bytes = static_cast<UCHAR*>(buffer);
    EXPECT_EQ(std::vector<UCHAR>(bytes, bytes + 512),
              std::vector<UCHAR>(m_data.begin() + PAGE_SIZE + 512, m_data.begin() + PAGE_SIZE + 1024));
    auto* public_bcb = static_cast<PPUBLIC_BCB>(bcb);
    EXPECT_EQ(public_bcb->MappedLength, 512u);
    EXPECT_EQ(public_bcb->MappedFileOffset.QuadPart, offset.QuadPart);
    EXPECT_EQ(CcGetFileObjectFromBcb(bcb), CcGetFileObjectFromSectionPtrs(m_file->SectionObjectPointer));
    std::memset(bytes, 0x5A, 512);
    CcSetDirtyPinnedData(bcb, nullptr);
    EXPECT_FALSE(CcPurgeCacheSection(m_file->SectionObjectPointer, nullptr, 0, 0)) << "a view is pinned";
    CcUnpinData(bcb);
    ASSERT_EQ(flush(m_handle), STATUS_SUCCESS);
    std::vector<UCHAR> expected = m_data;
    std::fill(expected.begin() + PAGE_SIZE + 512, expected.begin() + PAGE_SIZE + 1024, 0x5A);
    EXPECT_EQ(disk(L'a', 0, static_cast<ULONG>(expected.size())), expected);
    EXPECT_TRUE(CcPurgeCacheSection(m_file->SectionObjectPointer, nullptr, 0, 0));
    // After the purge the data comes back from the disk with a paging read.
    const LONG reads = counters(L'a').paging_reads;
    std::vector<UCHAR> again(expected.size());
    ASSERT_EQ(read(m_handle, 0, static_cast<ULONG>(again.size()), again.data()), STATUS_SUCCESS);
    EXPECT_EQ(again, expected);
    EXPECT_GT(counters(L'a').paging_reads, reads);
}

// CcMapData gives read access; CcPreparePinWrite with Zero hands out a zeroed, dirty range;
// CcRepinBcb + CcUnpinRepinnedBcb(WriteThrough) writes it before returning.
TEST_F(CcDdiTest, map_prepare_and_repin)
{
    prepare(4 * PAGE_SIZE);
    LARGE_INTEGER offset;
    offset.QuadPart = 3 * PAGE_SIZE;
    PVOID bcb = nullptr, buffer = nullptr;
    ASSERT_TRUE(CcMapData(m_file, &offset, 100, MAP_WAIT, &bcb, &buffer));
    EXPECT_EQ(std::memcmp(buffer, m_data.data() + 3 * PAGE_SIZE, 100), 0);
    ASSERT_TRUE(CcPinMappedData(m_file, &offset, 100, PIN_WAIT, &bcb));
    CcUnpinData(bcb);

    offset.QuadPart = 2 * PAGE_SIZE;
    ASSERT_TRUE(CcPreparePinWrite(m_file, &offset, PAGE_SIZE, TRUE, PIN_WAIT, &bcb, &buffer));
    EXPECT_EQ(std::vector<UCHAR>(static_cast<UCHAR*>(buffer), static_cast<UCHAR*>(buffer) + PAGE_SIZE),
              std::vector<UCHAR>(PAGE_SIZE, 0));
    std::memset(buffer, 0x77, 16);
    CcRepinBcb(bcb);
    CcUnpinData(bcb);
    const LONG writes = counters(L'a').paging_writes;
    IO_STATUS_BLOCK iosb{};
    iosb.Status = STATUS_PENDING;
    CcUnpinRepinnedBcb(bcb, TRUE, &iosb);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_GT(counters(L'a').paging_writes, writes);
    std::vector<UCHAR> expected(PAGE_SIZE, 0);
    std::fill(expected.begin(), expected.begin() + 16, 0x77);
    EXPECT_EQ(disk(L'a', 2 * PAGE_SIZE, PAGE_SIZE), expected);
}

// Ranges the interface cannot serve are raised, never a crash: a pin across two views, a copy of
// a file object that is not cached.
TEST_F(CcDdiTest, bad_requests_are_raised)
{
    prepare(PAGE_SIZE);
    LARGE_INTEGER offset;
    offset.QuadPart = VACB_MAPPING_GRANULARITY - 8;
    PVOID bcb = nullptr, buffer = nullptr;
    volatile NTSTATUS raised = STATUS_SUCCESS;
    __try {
        (void)CcPinRead(m_file, &offset, 16, PIN_WAIT, &bcb, &buffer);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        raised = GetExceptionCode();
    }
    EXPECT_EQ(raised, STATUS_INVALID_PARAMETER);

    HANDLE raw = open_noncached(L'b');
    PFILE_OBJECT uncached = file_object(raw);
    raised = STATUS_SUCCESS;
    IO_STATUS_BLOCK iosb{};
    UCHAR byte;
    offset.QuadPart = 0;
    __try {
        (void)CcCopyRead(uncached, &offset, 1, TRUE, &byte, &iosb);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        raised = GetExceptionCode();
    }
    EXPECT_EQ(raised, STATUS_INVALID_PARAMETER);
    ObDereferenceObject(uncached);
    EXPECT_EQ(NtClose(raw), STATUS_SUCCESS);
}

// CcUninitializeCacheMap's event is set once the shared cache map is gone: at once for a file
// object that never was cached.
TEST_F(CcDdiTest, uninitialize_event_of_an_uncached_file_is_set_at_once)
{
    HANDLE raw = open_noncached(L'c');
    PFILE_OBJECT file = file_object(raw);
    CACHE_UNINITIALIZE_EVENT event;
    KeInitializeEvent(&event.Event, NotificationEvent, FALSE);
    EXPECT_FALSE(CcUninitializeCacheMap(file, nullptr, &event));
    EXPECT_EQ(KeReadStateEvent(&event.Event), 1);
    ObDereferenceObject(file);
    EXPECT_EQ(NtClose(raw), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::cc::test

namespace ntio::cc::test {
namespace {

// The last CcUninitializeCacheMap of a dirty stream leaves its teardown to the lazy writer, which
// writes the data first; the UninitializeCompleteEvent is set when the shared cache map is gone.
TEST_F(CcDdiTest, uninitialize_event_is_set_after_the_lazy_writer_tore_the_stream_down)
{
    prepare(2 * PAGE_SIZE);
    const auto data = pattern(1000, 22);
    ASSERT_EQ(write(m_handle, 10, 1000, data.data()), STATUS_SUCCESS);
    CACHE_UNINITIALIZE_EVENT event;
    KeInitializeEvent(&event.Event, NotificationEvent, FALSE);
    EXPECT_TRUE(CcUninitializeCacheMap(m_file, nullptr, &event));
    EXPECT_EQ(m_file->PrivateCacheMap, nullptr);
    ASSERT_EQ(CcWaitForCurrentLazyWriterActivity(), STATUS_SUCCESS);
    EXPECT_EQ(KeReadStateEvent(&event.Event), 1);
    EXPECT_FALSE(CcIsFileCached(m_file));
    std::vector<UCHAR> expected = m_data;
    std::copy(data.begin(), data.end(), expected.begin() + 10);
    EXPECT_EQ(disk(L'a', 0, static_cast<ULONG>(expected.size())), expected);
}

}  // namespace
}  // namespace ntio::cc::test

namespace ntio::cc::test {
namespace {

// The MDL interface through the file system's fast I/O (FsRtlMdlRead -> FsRtlMdlReadDev ->
// CcMdlRead): the chain maps the cached data and keeps it resident until FsRtlMdlReadComplete; a
// prepared write across two views gets one MDL per view, extends the file, zeroes the gap past the
// valid data and is dirty once FsRtlMdlWriteComplete returns.
TEST_F(CcDdiTest, mdl_read_and_prepared_write)
{
    prepare(3 * PAGE_SIZE);
    LARGE_INTEGER offset;
    offset.QuadPart = 100;
    PMDL chain = nullptr;
    IO_STATUS_BLOCK iosb{};
    ASSERT_TRUE(FsRtlMdlRead(m_file, &offset, 5000, 0, &chain, &iosb));
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 5000u);
    ASSERT_NE(chain, nullptr);
    EXPECT_EQ(chain->Next, nullptr);
    ASSERT_EQ(MmGetMdlByteCount(chain), 5000u);
    auto* mapped = static_cast<UCHAR*>(MmGetSystemAddressForMdlSafe(chain, NormalPagePriority));
    EXPECT_EQ(std::vector<UCHAR>(mapped, mapped + 5000), std::vector<UCHAR>(m_data.begin() + 100, m_data.begin() + 5100));
    EXPECT_FALSE(CcPurgeCacheSection(m_file->SectionObjectPointer, nullptr, 0, 0)) << "the chain holds the view";
    ASSERT_TRUE(FsRtlMdlReadComplete(m_file, chain));
    EXPECT_TRUE(CcPurgeCacheSection(m_file->SectionObjectPointer, nullptr, 0, 0));

    offset.QuadPart = VACB_MAPPING_GRANULARITY - 100;
    chain = nullptr;
    ASSERT_TRUE(FsRtlPrepareMdlWrite(m_file, &offset, 300, 0, &chain, &iosb));
    EXPECT_EQ(iosb.Information, 300u);
    ASSERT_NE(chain, nullptr);
    ASSERT_NE(chain->Next, nullptr);
    EXPECT_EQ(MmGetMdlByteCount(chain), 100u);
    EXPECT_EQ(MmGetMdlByteCount(chain->Next), 200u);
    for (PMDL mdl = chain; mdl; mdl = mdl->Next)
        std::memset(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), 0x42, MmGetMdlByteCount(mdl));
    ASSERT_TRUE(FsRtlMdlWriteComplete(m_file, &offset, chain));
    const LONGLONG end = VACB_MAPPING_GRANULARITY + 200;
    EXPECT_EQ(counters(L'a').file_size, end);
    ASSERT_EQ(flush(m_handle), STATUS_SUCCESS);
    std::vector<UCHAR> expected(static_cast<std::size_t>(end), 0);
    std::copy(m_data.begin(), m_data.end(), expected.begin());
    std::fill(expected.end() - 300, expected.end(), 0x42);
    EXPECT_EQ(disk(L'a', 0, static_cast<ULONG>(end)), expected);
}

}  // namespace
}  // namespace ntio::cc::test
