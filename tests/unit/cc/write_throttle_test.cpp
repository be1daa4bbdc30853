// Write throttling: CcCanIWrite refuses (or waits) once a file's dirty pages would pass the limit
// CcSetDirtyPageThreshold set, the lazy writer's pass lets the writer go again, and CcDeferWrite
// runs its post routine at once when the write may go and from the lazy writer once it may.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-cccaniwrite
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccdeferwrite
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetdirtypagethreshold
#include "cc_test_support.hpp"

#include <atomic>

namespace ntio::cc::test {
namespace {

class CcThrottleTest : public CcCachedFileTest {
protected:
    // File 'a' with 16 pages on disk, cached through a handle whose file object the test holds.
    void SetUp() override {
        CcCachedFileTest::SetUp();
        prepare(16 * PAGE_SIZE, 3);
    }
    // Dirties pages [first, first + count) through the cache.
    void dirty(ULONG first, ULONG count, UCHAR fill) {
        std::vector<UCHAR> bytes(count * PAGE_SIZE, fill);
        LARGE_INTEGER offset;
        offset.QuadPart = LONGLONG{first} * PAGE_SIZE;
        ASSERT_TRUE(CcCopyWrite(m_file, &offset, static_cast<ULONG>(bytes.size()), TRUE, bytes.data()));
    }
};

struct PostRecord {
    KEVENT done;
    std::atomic<PKTHREAD> thread{nullptr};
    std::atomic<LONG> calls{0};
    PVOID second = nullptr;
};

VOID NTAPI record_post(PVOID context1, PVOID context2) {
    auto* record = static_cast<PostRecord*>(context1);
    record->second = context2;
    record->thread.store(KeGetCurrentThread());
    ++record->calls;
    KeSetEvent(&record->done, IO_NO_INCREMENT, FALSE);
}

TEST_F(CcThrottleTest, a_file_threshold_refuses_writes_past_it_until_a_flush)
{
    CcSetDirtyPageThreshold(m_file, 4);
    EXPECT_TRUE(CcCanIWrite(m_file, 4 * PAGE_SIZE, FALSE, FALSE)) << "nothing dirty: any write may go";
    dirty(0, 4, 0x5A);
    EXPECT_FALSE(CcCanIWrite(m_file, PAGE_SIZE, FALSE, FALSE));
    IO_STATUS_BLOCK iosb{};
    CcFlushCache(m_file->SectionObjectPointer, nullptr, 0, &iosb);
    ASSERT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_TRUE(CcCanIWrite(m_file, PAGE_SIZE, FALSE, FALSE));
    // A threshold of 0 removes the limit.
    dirty(0, 4, 0x5B);
    EXPECT_FALSE(CcCanIWrite(m_file, PAGE_SIZE, FALSE, FALSE));
    CcSetDirtyPageThreshold(m_file, 0);
    EXPECT_TRUE(CcCanIWrite(m_file, PAGE_SIZE, FALSE, FALSE));
}

TEST_F(CcThrottleTest, a_waiting_writer_goes_once_the_lazy_writer_wrote)
{
    CcSetDirtyPageThreshold(m_file, 4);
    dirty(2, 4, 0x6C);
    const LONG writes = counters(L'a').paging_writes;
    EXPECT_TRUE(CcCanIWrite(m_file, PAGE_SIZE, TRUE, FALSE));
    EXPECT_GT(counters(L'a').paging_writes, writes);
    EXPECT_EQ(disk(L'a', 2 * PAGE_SIZE, 4 * PAGE_SIZE), std::vector<UCHAR>(4 * PAGE_SIZE, 0x6C));
    EXPECT_TRUE(CcCanIWrite(m_file, PAGE_SIZE, FALSE, FALSE));
}

TEST_F(CcThrottleTest, a_deferred_write_is_posted_by_the_lazy_writer)
{
    CcSetDirtyPageThreshold(m_file, 4);
    dirty(8, 4, 0x7D);
    PostRecord record;
    KeInitializeEvent(&record.done, NotificationEvent, FALSE);
    int second = 0;
    const LONG writes = counters(L'a').paging_writes;
    CcDeferWrite(m_file, record_post, &record, &second, PAGE_SIZE, FALSE);
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10LL * 10'000'000;  // a hang guard, not a timing condition
    ASSERT_EQ(KeWaitForSingleObject(&record.done, Executive, KernelMode, FALSE, &timeout), STATUS_SUCCESS);
    EXPECT_EQ(record.calls.load(), 1);
    EXPECT_EQ(record.second, &second);
    EXPECT_NE(record.thread.load(), KeGetCurrentThread()) << "posted by the lazy writer, not the caller";
    // It ran once the pages holding it back were written.
    EXPECT_GT(counters(L'a').paging_writes, writes);
    EXPECT_EQ(disk(L'a', 8 * PAGE_SIZE, PAGE_SIZE), std::vector<UCHAR>(PAGE_SIZE, 0x7D));
}

TEST_F(CcThrottleTest, a_write_that_may_go_is_posted_at_once)
{
    PostRecord record;
    KeInitializeEvent(&record.done, NotificationEvent, FALSE);
    CcDeferWrite(m_file, record_post, &record, nullptr, PAGE_SIZE, FALSE);
    EXPECT_EQ(record.calls.load(), 1);
    EXPECT_EQ(record.thread.load(), KeGetCurrentThread());
}

}  // namespace
}  // namespace ntio::cc::test
