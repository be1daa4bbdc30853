// What the cache manager says about a volume's and a stream's unwritten data: CcIsThereDirtyDataEx
// (temporary files and a page count, where CcIsThereDirtyData ignores temporary files) and
// CcGetFlushedValidData (how much of a stream is on disk). Data is written with NtWriteFile through
// the cache test file system; write-behind is off so only the test's flushes clean the pages.
#include "cc_test_support.hpp"

namespace ntio::cc::test {
namespace {

class CcDirtyDataTest : public CcCachedFileTest {
protected:
    void prepare(ULONG size) { CcCachedFileTest::prepare(size, 33, false); }
    void TearDown() override {
        if (m_file) m_file->Flags &= ~FO_TEMPORARY_FILE;
        CcCachedFileTest::TearDown();
    }
    void dirty(LONGLONG offset, ULONG length) {
        const auto bytes = pattern(length, 34);
        ASSERT_EQ(write(m_handle, offset, length, bytes.data()), STATUS_SUCCESS);
    }
    LONGLONG flushed_valid_data() { return CcGetFlushedValidData(m_file->SectionObjectPointer, FALSE).QuadPart; }
};

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccistheredirtydataex:
// TRUE while a cached file of the volume has dirty pages, with their number; FALSE and 0 once they
// are written, and for another volume.
TEST_F(CcDirtyDataTest, dirty_data_ex_counts_the_volumes_dirty_pages)
{
    prepare(16 * PAGE_SIZE);
    ULONG pages = 77;
    EXPECT_FALSE(CcIsThereDirtyDataEx(m_file->Vpb, &pages));
    EXPECT_EQ(pages, 0u);
    dirty(0, 1);                          // page 0
    dirty(2 * PAGE_SIZE + 5, 10);         // page 2
    dirty(5 * PAGE_SIZE + 10, PAGE_SIZE); // pages 5 and 6
    EXPECT_TRUE(CcIsThereDirtyDataEx(m_file->Vpb, &pages));
    EXPECT_EQ(pages, 4u);
    EXPECT_TRUE(CcIsThereDirtyDataEx(m_file->Vpb, nullptr)) << "the count is optional";
    EXPECT_TRUE(CcIsThereDirtyData(m_file->Vpb));
    VPB other{};
    pages = 77;
    EXPECT_FALSE(CcIsThereDirtyDataEx(&other, &pages));
    EXPECT_EQ(pages, 0u);
    ASSERT_EQ(flush(m_handle), STATUS_SUCCESS);
    EXPECT_FALSE(CcIsThereDirtyDataEx(m_file->Vpb, &pages));
    EXPECT_EQ(pages, 0u);
}

// A temporary file's dirty data (its file system set FO_TEMPORARY_FILE at create, as FAT does for
// FILE_ATTRIBUTE_TEMPORARY) counts for CcIsThereDirtyDataEx; CcIsThereDirtyData ignores it.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccistheredirtydata
TEST_F(CcDirtyDataTest, temporary_files_count_only_for_the_ex_form)
{
    prepare(4 * PAGE_SIZE);
    m_file->Flags |= FO_TEMPORARY_FILE;
    dirty(PAGE_SIZE, 100);
    ULONG pages = 0;
    EXPECT_FALSE(CcIsThereDirtyData(m_file->Vpb));
    EXPECT_TRUE(CcIsThereDirtyDataEx(m_file->Vpb, &pages));
    EXPECT_EQ(pages, 1u);
    m_file->Flags &= ~FO_TEMPORARY_FILE;
    EXPECT_TRUE(CcIsThereDirtyData(m_file->Vpb));
    ASSERT_EQ(flush(m_handle), STATUS_SUCCESS);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccgetflushedvaliddata:
// the valid data length when nothing is dirty, else the start of the lowest dirty page.
TEST_F(CcDirtyDataTest, flushed_valid_data_stops_at_the_lowest_dirty_page)
{
    prepare(16 * PAGE_SIZE);
    const LONGLONG valid = counters(L'a').valid_data_length;
    ASSERT_GT(valid, 0);
    EXPECT_EQ(flushed_valid_data(), valid);
    dirty(9 * PAGE_SIZE, 8);
    EXPECT_EQ(flushed_valid_data(), 9 * PAGE_SIZE);
    dirty(5 * PAGE_SIZE + 100, 8);
    EXPECT_EQ(flushed_valid_data(), 5 * PAGE_SIZE);
    ASSERT_EQ(flush(m_handle), STATUS_SUCCESS);
    EXPECT_EQ(flushed_valid_data(), valid);
}

// Data appended through the cache is valid once written: the end of the write, not the old length.
TEST_F(CcDirtyDataTest, flushed_valid_data_follows_appended_data)
{
    prepare(4 * PAGE_SIZE);
    const LONGLONG end = static_cast<LONGLONG>(m_data.size());
    dirty(end, 300);
    EXPECT_EQ(flushed_valid_data(), end) << "the appended page is dirty";
    ASSERT_EQ(flush(m_handle), STATUS_SUCCESS);
    EXPECT_EQ(flushed_valid_data(), end + 300);
    EXPECT_EQ(counters(L'a').file_size, end + 300);
}

// A stream that is not cached, or no stream at all: MAXLONGLONG.
TEST_F(CcDirtyDataTest, flushed_valid_data_of_an_uncached_stream_is_maxlonglong)
{
    HANDLE raw = open_noncached(L'b');
    PFILE_OBJECT uncached = file_object(raw);
    ASSERT_FALSE(CcIsFileCached(uncached));
    EXPECT_EQ(CcGetFlushedValidData(uncached->SectionObjectPointer, FALSE).QuadPart, MAXLONGLONG);
    EXPECT_EQ(CcGetFlushedValidData(nullptr, FALSE).QuadPart, MAXLONGLONG);
    ObDereferenceObject(uncached);
    EXPECT_EQ(NtClose(raw), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::cc::test
