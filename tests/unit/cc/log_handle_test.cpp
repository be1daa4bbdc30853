// The log-handle interface of journaling file systems, called on a file object of the cache test
// file system: CcSetDirtyPinnedData's LSNs reach CcGetDirtyPages' dirty page table (oldest and newest
// per page, the oldest of all returned), and CcFlushCache calls the log's flush routine with the
// newest LSN of the pages it is about to write, before they reach the disk (write-ahead logging).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetloghandleforfile
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccgetdirtypages
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetdirtypinneddata
#include <functional>

#include "cc_test_support.hpp"

namespace ntio::cc::test {
namespace log_handle_test {

class CcLogHandleTest : public CcCachedFileTest {
protected:
    void SetUp() override {
        CcCachedFileTest::SetUp();
        prepare(4 * PAGE_SIZE, 33, false);
    }
    // Pins [offset, offset + 512), fills it with `fill` and marks it dirty with `lsn` (0: none).
    void change_pinned(LONGLONG offset, UCHAR fill, LONGLONG lsn) {
        LARGE_INTEGER where;
        where.QuadPart = offset;
        PVOID bcb = nullptr;
        PVOID buffer = nullptr;
        ASSERT_TRUE(CcPinRead(m_file, &where, 512, PIN_WAIT, &bcb, &buffer));
        std::memset(buffer, fill, 512);
        LARGE_INTEGER number;
        number.QuadPart = lsn;
        CcSetDirtyPinnedData(bcb, lsn ? &number : nullptr);
        CcUnpinData(bcb);
        std::fill(m_data.begin() + offset, m_data.begin() + offset + 512, fill);
    }
    void change_copied(LONGLONG offset, UCHAR fill) {
        LARGE_INTEGER where;
        where.QuadPart = offset;
        std::vector<UCHAR> bytes(100, fill);
        ASSERT_TRUE(CcCopyWrite(m_file, &where, 100, TRUE, bytes.data()));
        std::fill(m_data.begin() + offset, m_data.begin() + offset + 100, fill);
    }
};

// The log: the LSNs its flush routine was called with, and the file's disk bytes at each call.
struct Log {
    CcLogHandleTest* test;
    std::function<std::vector<UCHAR>()> read_disk;
    std::vector<LONGLONG> flushed_to;
    std::vector<std::vector<UCHAR>> disk_at_flush;
};
VOID flush_to_lsn(PVOID log_handle, LARGE_INTEGER lsn) {
    auto* log = static_cast<Log*>(log_handle);
    log->flushed_to.push_back(lsn.QuadPart);
    log->disk_at_flush.push_back(log->read_disk());
}

struct Seen {
    PFILE_OBJECT file;
    LONGLONG offset;
    ULONG length;
    LONGLONG oldest;
    LONGLONG newest;
};
int g_context2;
VOID record_dirty_page(PFILE_OBJECT file, PLARGE_INTEGER offset, ULONG length, PLARGE_INTEGER oldest,
                       PLARGE_INTEGER newest, PVOID context1, PVOID context2) {
    EXPECT_EQ(context2, &g_context2);
    static_cast<std::vector<Seen>*>(context1)->push_back(
        {file, offset->QuadPart, length, oldest->QuadPart, newest->QuadPart});
}
std::vector<Seen> dirty_pages(PVOID log_handle, LONGLONG* oldest) {
    std::vector<Seen> seen;
    *oldest = CcGetDirtyPages(log_handle, record_dirty_page, &seen, &g_context2).QuadPart;
    return seen;
}

TEST_F(CcLogHandleTest, pinned_changes_carry_their_lsns_to_the_dirty_page_table_and_the_log_flush)
{
    const std::vector<UCHAR> on_disk = m_data;
    Log log{this, [this] { return disk(L'a', 0, 4 * PAGE_SIZE); }, {}, {}};
    CcSetLogHandleForFile(m_file, &log, flush_to_lsn);
    LONGLONG oldest = -1;
    EXPECT_TRUE(dirty_pages(&log, &oldest).empty());
    EXPECT_EQ(oldest, 0) << "no dirty page: 0";

    // Page 1 changed under LSN 150 then 120 (its oldest is the smaller), page 2 under 300, page 0
    // through a copy write (no LSN).
    change_pinned(PAGE_SIZE + 512, 0x51, 150);
    change_pinned(PAGE_SIZE + 1536, 0x52, 120);
    change_pinned(2 * PAGE_SIZE, 0x53, 300);
    change_copied(0, 0x54);
    const std::vector<Seen> seen = dirty_pages(&log, &oldest);
    EXPECT_EQ(oldest, 120);
    ASSERT_EQ(seen.size(), 3u);
    PFILE_OBJECT stream = CcGetFileObjectFromSectionPtrs(m_file->SectionObjectPointer);
    const Seen expected[] = {{stream, 0, PAGE_SIZE, 0, 0},
                             {stream, PAGE_SIZE, PAGE_SIZE, 120, 150},
                             {stream, 2 * PAGE_SIZE, PAGE_SIZE, 300, 300}};
    for (std::size_t i = 0; i < seen.size(); ++i) {
        EXPECT_EQ(seen[i].file, expected[i].file) << i;
        EXPECT_EQ(seen[i].offset, expected[i].offset) << i;
        EXPECT_EQ(seen[i].length, expected[i].length) << i;
        EXPECT_EQ(seen[i].oldest, expected[i].oldest) << i;
        EXPECT_EQ(seen[i].newest, expected[i].newest) << i;
    }
    int other_log = 0;
    EXPECT_TRUE(dirty_pages(&other_log, &oldest).empty()) << "another log handle has no streams";
    EXPECT_EQ(oldest, 0);

    // The flush writes pages 0-2 as one run: the log is flushed to 300 first, while the disk still
    // holds the old bytes.
    IO_STATUS_BLOCK iosb{};
    CcFlushCache(m_file->SectionObjectPointer, nullptr, 0, &iosb);
    ASSERT_EQ(iosb.Status, STATUS_SUCCESS);
    ASSERT_EQ(log.flushed_to, std::vector<LONGLONG>{300});
    EXPECT_EQ(log.disk_at_flush[0], on_disk);
    EXPECT_EQ(disk(L'a', 0, 4 * PAGE_SIZE), m_data);
    EXPECT_TRUE(dirty_pages(&log, &oldest).empty());
    EXPECT_EQ(oldest, 0);

    // Dirty again through a copy write only: the page's old LSNs are gone, and its write needs no
    // log flush.
    change_copied(PAGE_SIZE, 0x55);
    const std::vector<Seen> again = dirty_pages(&log, &oldest);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].offset, PAGE_SIZE);
    EXPECT_EQ(again[0].oldest, 0);
    EXPECT_EQ(again[0].newest, 0);
    EXPECT_EQ(oldest, 0);
    CcFlushCache(m_file->SectionObjectPointer, nullptr, 0, &iosb);
    ASSERT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(log.flushed_to.size(), 1u);
    EXPECT_EQ(disk(L'a', 0, 4 * PAGE_SIZE), m_data);
}

// Without a log handle (or with the routine removed) the LSNs are kept and reported, and nothing
// is called before a write.
TEST_F(CcLogHandleTest, a_stream_without_a_flush_routine_is_written_without_a_call)
{
    Log log{this, [this] { return disk(L'a', 0, 4 * PAGE_SIZE); }, {}, {}};
    CcSetLogHandleForFile(m_file, &log, nullptr);
    change_pinned(3 * PAGE_SIZE, 0x61, 7);
    LONGLONG oldest = 0;
    const std::vector<Seen> seen = dirty_pages(&log, &oldest);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].newest, 7);
    EXPECT_EQ(oldest, 7);
    IO_STATUS_BLOCK iosb{};
    CcFlushCache(m_file->SectionObjectPointer, nullptr, 0, &iosb);
    ASSERT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_TRUE(log.flushed_to.empty());
    EXPECT_EQ(disk(L'a', 0, 4 * PAGE_SIZE), m_data);
}

// CcGetLsnForFileObject: the newest and the oldest LSN of the file's dirty pages (pages without an
// LSN do not count), 0 and 0 once they are written or for a file that is not cached (ntifs.h declares
// it; Learn has no page).
TEST_F(CcLogHandleTest, the_lsns_of_a_file_object_are_its_dirty_pages_newest_and_oldest)
{
    LARGE_INTEGER oldest;
    oldest.QuadPart = -1;
    EXPECT_EQ(CcGetLsnForFileObject(m_file, &oldest).QuadPart, 0);
    EXPECT_EQ(oldest.QuadPart, 0);
    change_copied(0, 0x71);  // dirty without an LSN
    change_pinned(PAGE_SIZE, 0x72, 40);
    change_pinned(2 * PAGE_SIZE, 0x73, 90);
    change_pinned(2 * PAGE_SIZE + 1024, 0x74, 25);
    EXPECT_EQ(CcGetLsnForFileObject(m_file, &oldest).QuadPart, 90);
    EXPECT_EQ(oldest.QuadPart, 25);
    EXPECT_EQ(CcGetLsnForFileObject(m_file, nullptr).QuadPart, 90);  // the oldest is optional

    IO_STATUS_BLOCK iosb{};
    CcFlushCache(m_file->SectionObjectPointer, nullptr, 0, &iosb);
    ASSERT_EQ(iosb.Status, STATUS_SUCCESS);
    oldest.QuadPart = -1;
    EXPECT_EQ(CcGetLsnForFileObject(m_file, &oldest).QuadPart, 0);
    EXPECT_EQ(oldest.QuadPart, 0);
    EXPECT_EQ(CcGetLsnForFileObject(nullptr, &oldest).QuadPart, 0);
}

}  // namespace log_handle_test
}  // namespace ntio::cc::test
