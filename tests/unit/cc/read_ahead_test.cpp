// Read-ahead: a file object read sequentially gets the data after its reads brought into the cache
// in the background, under the file system's AcquireForReadAhead; random reads and a stream with
// read-ahead disabled get none. Read-aheads run in order on one worker, so a read-ahead asked for
// later that has finished shows that none was asked for earlier.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetreadaheadgranularity
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetadditionalcacheattributes
#include "cc_test_support.hpp"

namespace ntio::cc::test {
namespace {

constexpr ULONG kGranularity = 4 * PAGE_SIZE;

class CcReadAheadTest : public CcFsTest {
protected:
    void TearDown() override {
        for (auto& [h, file] : m_files) {
            ObDereferenceObject(file);
            EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        }
        CcFsTest::TearDown();
    }
    // File `letter` with 64 pages on disk, cached through a new handle (a one-byte read at the end
    // sets caching up without a sequential pattern), its read-ahead granularity set.
    PFILE_OBJECT cached(WCHAR letter) {
        auto [h, file] = cached_file(letter, pattern(64 * PAGE_SIZE, letter), 63 * PAGE_SIZE);
        CcSetReadAheadGranularity(file, kGranularity);
        m_files.emplace_back(h, file);
        return file;
    }
    static bool read_cached(PFILE_OBJECT file, LONGLONG offset, ULONG length, BOOLEAN wait) {
        std::vector<UCHAR> buffer(length);
        LARGE_INTEGER at;
        at.QuadPart = offset;
        IO_STATUS_BLOCK iosb{};
        return CcCopyRead(file, &at, length, wait, buffer.data(), &iosb) != FALSE;
    }
    // A read that may not wait, of data the read-ahead brought in. It returns FALSE while the read-ahead
    // worker holds the stream: until the read-ahead that the test waits for is done, and again while
    // one that an earlier such read set going (it is sequential too) runs. Those are retried (a hang
    // guard, not a timing condition); data that is not resident is never read by such a read, so it
    // fails every time.
    static bool read_without_waiting(PFILE_OBJECT file, LONGLONG offset, ULONG length) {
        for (int attempt = 0; attempt < 1000; ++attempt) {
            if (read_cached(file, offset, length, FALSE)) return true;
            LARGE_INTEGER delay;
            delay.QuadPart = -10 * 1000;
            KeDelayExecutionThread(KernelMode, FALSE, &delay);
        }
        return false;
    }
    // Waits (a hang guard, not a timing condition) until file `letter`'s read-ahead acquisitions
    // reach `count`, then for the worker to release the file.
    void wait_for_read_ahead(WCHAR letter, LONG count) {
        for (int i = 0; i < 2000 && counters(letter).read_ahead_acquires < count; ++i) {
            LARGE_INTEGER delay;
            delay.QuadPart = -10 * 1000;
            KeDelayExecutionThread(KernelMode, FALSE, &delay);
        }
        ASSERT_GE(counters(letter).read_ahead_acquires, count);
    }

    std::vector<std::pair<HANDLE, PFILE_OBJECT>> m_files;
};

TEST_F(CcReadAheadTest, sequential_reads_bring_the_next_granularities_in)
{
    PFILE_OBJECT file = cached(L'a');
    ASSERT_TRUE(read_cached(file, 0, PAGE_SIZE, TRUE));
    ASSERT_TRUE(read_cached(file, PAGE_SIZE, PAGE_SIZE, TRUE));  // sequential
    wait_for_read_ahead(L'a', 1);
    // The data after the reads is in the cache: a read that may not wait finds it.
    EXPECT_TRUE(read_without_waiting(file, 2 * PAGE_SIZE, kGranularity));
    EXPECT_TRUE(read_without_waiting(file, 2 * PAGE_SIZE + kGranularity, kGranularity - 2 * PAGE_SIZE));
}

TEST_F(CcReadAheadTest, sequential_mdl_reads_read_ahead_too)
{
    PFILE_OBJECT file = cached(L'a');
    for (LONGLONG offset = 0; offset < 2 * PAGE_SIZE; offset += PAGE_SIZE) {
        LARGE_INTEGER at;
        at.QuadPart = offset;
        PMDL chain = nullptr;
        IO_STATUS_BLOCK iosb{};
        CcMdlRead(file, &at, PAGE_SIZE, &chain, &iosb);
        ASSERT_EQ(iosb.Status, STATUS_SUCCESS);
        CcMdlReadComplete(file, chain);
    }
    wait_for_read_ahead(L'a', 1);
}

TEST_F(CcReadAheadTest, random_reads_and_a_disabled_stream_get_none)
{
    PFILE_OBJECT random = cached(L'a');
    PFILE_OBJECT disabled = cached(L'b');
    PFILE_OBJECT witness = cached(L'c');
    ASSERT_TRUE(read_cached(random, 20 * PAGE_SIZE, PAGE_SIZE, TRUE));
    ASSERT_TRUE(read_cached(random, 5 * PAGE_SIZE, PAGE_SIZE, TRUE));
    ASSERT_TRUE(read_cached(random, 40 * PAGE_SIZE, PAGE_SIZE, TRUE));
    CcSetAdditionalCacheAttributes(disabled, TRUE, FALSE);
    ASSERT_TRUE(read_cached(disabled, 0, PAGE_SIZE, TRUE));
    ASSERT_TRUE(read_cached(disabled, PAGE_SIZE, PAGE_SIZE, TRUE));
    // A read-ahead asked for now runs after any the reads above asked for.
    ASSERT_TRUE(read_cached(witness, 0, PAGE_SIZE, TRUE));
    ASSERT_TRUE(read_cached(witness, PAGE_SIZE, PAGE_SIZE, TRUE));
    wait_for_read_ahead(L'c', 1);
    EXPECT_EQ(counters(L'a').read_ahead_acquires, 0);
    EXPECT_EQ(counters(L'b').read_ahead_acquires, 0);
    EXPECT_FALSE(read_cached(random, 6 * PAGE_SIZE, PAGE_SIZE, FALSE));
    EXPECT_FALSE(read_cached(disabled, 2 * PAGE_SIZE, PAGE_SIZE, FALSE));
}

}  // namespace
}  // namespace ntio::cc::test
