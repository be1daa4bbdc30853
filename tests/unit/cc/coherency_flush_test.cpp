// CcCoherencyFlushAndPurgeCache called the way a file system calls it before a non-cached write or
// a read that must see the disk: with the file held exclusively, on the cache test file system's
// file 'a'. The cache's dirty data reaches the disk, the range leaves the cache (a later read comes
// from the disk) unless CC_FLUSH_AND_PURGE_NO_PURGE, a pinned or user-mapped range reports
// STATUS_CACHE_PAGE_LOCKED, and a failed write leaves the cache as it was.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-cccoherencyflushandpurgecache
#include "cc_test_support.hpp"

namespace ntio::cc::test {
namespace {

class CcCoherencyTest : public CcCachedFileTest {
protected:
    void SetUp() override {
        CcCachedFileTest::SetUp();
        prepare(8 * PAGE_SIZE, 41, false);
    }
    // The call as a file system makes it: the file held exclusively around it.
    IO_STATUS_BLOCK coherency_flush(LONGLONG* offset, ULONG length, ULONG flags) {
        LARGE_INTEGER at;
        if (offset) at.QuadPart = *offset;
        IO_STATUS_BLOCK iosb;
        iosb.Status = STATUS_PENDING;
        iosb.Information = 12345;
        FsRtlAcquireFileExclusive(m_file);
        CcCoherencyFlushAndPurgeCache(m_file->SectionObjectPointer, offset ? &at : nullptr, length, &iosb, flags);
        FsRtlReleaseFile(m_file);
        return iosb;
    }
    // Changes [offset, offset + length) through the cache and in the bytes the file should end with.
    void change(LONGLONG offset, ULONG length, unsigned seed) {
        const auto bytes = pattern(length, seed);
        ASSERT_EQ(write(m_handle, offset, length, bytes.data()), STATUS_SUCCESS);
        std::copy(bytes.begin(), bytes.end(), m_data.begin() + offset);
    }
    // Whether reading [offset, offset + PAGE_SIZE) back took a paging read, checking the bytes.
    bool read_went_to_disk(LONGLONG offset) {
        const LONG reads = counters(L'a').paging_reads;
        std::vector<UCHAR> buffer(PAGE_SIZE);
        EXPECT_EQ(read(m_handle, offset, PAGE_SIZE, buffer.data()), STATUS_SUCCESS);
        EXPECT_EQ(buffer, std::vector<UCHAR>(m_data.begin() + offset, m_data.begin() + offset + PAGE_SIZE));
        return counters(L'a').paging_reads != reads;
    }
    std::vector<UCHAR> on_disk() { return disk(L'a', 0, static_cast<ULONG>(m_data.size())); }
};

// The whole stream (FileOffset NULL): written, then gone from the cache.
TEST_F(CcCoherencyTest, flushes_then_purges_the_whole_stream)
{
    change(PAGE_SIZE + 10, 100, 1);
    change(6 * PAGE_SIZE, PAGE_SIZE, 2);
    const IO_STATUS_BLOCK iosb = coherency_flush(nullptr, 0, 0);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 2u * PAGE_SIZE) << "the bytes the flush wrote";
    EXPECT_EQ(on_disk(), m_data);
    EXPECT_FALSE(CcIsThereDirtyData(m_file->Vpb));
    EXPECT_TRUE(read_went_to_disk(PAGE_SIZE));
    EXPECT_TRUE(read_went_to_disk(6 * PAGE_SIZE));
}

// CC_FLUSH_AND_PURGE_NO_PURGE writes the data and keeps it cached.
TEST_F(CcCoherencyTest, no_purge_flushes_and_keeps_the_cache)
{
    change(3 * PAGE_SIZE, 64, 3);
    const IO_STATUS_BLOCK iosb = coherency_flush(nullptr, 0, CC_FLUSH_AND_PURGE_NO_PURGE);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(on_disk(), m_data);
    EXPECT_FALSE(CcIsThereDirtyData(m_file->Vpb));
    EXPECT_FALSE(read_went_to_disk(3 * PAGE_SIZE));
}

// A range: only its pages are written and purged; the rest stays dirty and cached.
TEST_F(CcCoherencyTest, a_range_touches_only_its_pages)
{
    change(2 * PAGE_SIZE, 10, 4);
    change(5 * PAGE_SIZE, 10, 5);
    LONGLONG offset = 2 * PAGE_SIZE;
    const IO_STATUS_BLOCK iosb = coherency_flush(&offset, PAGE_SIZE, 0);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, ULONG_PTR{PAGE_SIZE});
    ULONG pages = 0;
    EXPECT_TRUE(CcIsThereDirtyDataEx(m_file->Vpb, &pages));
    EXPECT_EQ(pages, 1u) << "page 5 is still dirty";
    EXPECT_EQ(disk(L'a', 2 * PAGE_SIZE, PAGE_SIZE),
              std::vector<UCHAR>(m_data.begin() + 2 * PAGE_SIZE, m_data.begin() + 3 * PAGE_SIZE));
    EXPECT_TRUE(read_went_to_disk(2 * PAGE_SIZE));
    EXPECT_FALSE(read_went_to_disk(5 * PAGE_SIZE));
    // A zero Length at an offset is an empty range: page 5 stays dirty.
    offset = 5 * PAGE_SIZE;
    EXPECT_EQ(coherency_flush(&offset, 0, 0).Status, STATUS_SUCCESS);
    EXPECT_TRUE(CcIsThereDirtyData(m_file->Vpb));
}

// A pinned range cannot be purged: STATUS_CACHE_PAGE_LOCKED, a success status; the data is written.
TEST_F(CcCoherencyTest, a_pinned_range_reports_cache_page_locked)
{
    change(PAGE_SIZE, 20, 6);
    LARGE_INTEGER at;
    at.QuadPart = PAGE_SIZE;
    PVOID bcb = nullptr, buffer = nullptr;
    ASSERT_TRUE(CcPinRead(m_file, &at, 20, PIN_WAIT, &bcb, &buffer));
    const IO_STATUS_BLOCK iosb = coherency_flush(nullptr, 0, 0);
    EXPECT_EQ(iosb.Status, STATUS_CACHE_PAGE_LOCKED);
    EXPECT_TRUE(NT_SUCCESS(iosb.Status));
    EXPECT_EQ(on_disk(), m_data);
    CcUnpinData(bcb);
    EXPECT_EQ(coherency_flush(nullptr, 0, 0).Status, STATUS_SUCCESS);
}

// A failed write ends the call with its status: the pages stay dirty and cached.
TEST_F(CcCoherencyTest, a_failed_write_purges_nothing)
{
    change(4 * PAGE_SIZE, 30, 7);
    fail_paging(L'a', true, STATUS_UNEXPECTED_IO_ERROR);
    const IO_STATUS_BLOCK iosb = coherency_flush(nullptr, 0, 0);
    fail_paging(L'a', true, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_UNEXPECTED_IO_ERROR);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_TRUE(CcIsThereDirtyData(m_file->Vpb));
    EXPECT_FALSE(read_went_to_disk(4 * PAGE_SIZE));
    EXPECT_EQ(coherency_flush(nullptr, 0, 0).Status, STATUS_SUCCESS);
    EXPECT_EQ(on_disk(), m_data);
}

// A user-mapped view's changes are written too. ntio cannot take the pages from the view, so a
// purge of a mapped range reports STATUS_CACHE_PAGE_LOCKED (NT would trim the view); without the
// purge, or once the view is gone, the call succeeds.
TEST_F(CcCoherencyTest, user_mapped_views_are_written)
{
    HANDLE section = nullptr;
    ASSERT_EQ(NtCreateSection(&section, SECTION_ALL_ACCESS, nullptr, nullptr, PAGE_READWRITE, SEC_COMMIT, m_handle),
              STATUS_SUCCESS);
    void* base = nullptr;
    SIZE_T size = 0;
    ASSERT_EQ(NtMapViewOfSection(section, NtCurrentProcess(), &base, 0, 0, nullptr, &size, ViewShare, 0, PAGE_READWRITE),
              STATUS_SUCCESS);
    auto* view = static_cast<UCHAR*>(base);
    for (ULONG i = 0; i < 50; ++i) view[3 * PAGE_SIZE + i] = m_data[3 * PAGE_SIZE + i] = static_cast<UCHAR>(0xA0 + i);
    EXPECT_EQ(coherency_flush(nullptr, 0, CC_FLUSH_AND_PURGE_NO_PURGE).Status, STATUS_SUCCESS);
    EXPECT_EQ(on_disk(), m_data) << "the view's change is on disk";
    view[7 * PAGE_SIZE] = m_data[7 * PAGE_SIZE] = 0x5C;
    LONGLONG offset = 7 * PAGE_SIZE;
    EXPECT_EQ(coherency_flush(&offset, 1, 0).Status, STATUS_CACHE_PAGE_LOCKED);
    EXPECT_EQ(on_disk(), m_data);
    EXPECT_TRUE(read_went_to_disk(7 * PAGE_SIZE)) << "the cache's copy of the page was dropped";
    EXPECT_EQ(NtUnmapViewOfSection(NtCurrentProcess(), base), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(section), STATUS_SUCCESS);
    EXPECT_EQ(coherency_flush(nullptr, 0, 0).Status, STATUS_SUCCESS);
}

// Bad input is a status, never a crash: no section object pointers, a negative offset.
TEST_F(CcCoherencyTest, bad_input_gets_invalid_parameter)
{
    IO_STATUS_BLOCK iosb{};
    CcCoherencyFlushAndPurgeCache(nullptr, nullptr, 0, &iosb, 0);
    EXPECT_EQ(iosb.Status, STATUS_INVALID_PARAMETER);
    LONGLONG offset = -PAGE_SIZE;
    EXPECT_EQ(coherency_flush(&offset, PAGE_SIZE, 0).Status, STATUS_INVALID_PARAMETER);
}

}  // namespace
}  // namespace ntio::cc::test
