// Concurrent cached writers on one file, with a thread flushing and the lazy writer running, some
// writers through fast I/O and one through the IRP path (a handle whose reads and writes take IRPs).
// Invariant: after the final flush the backing store holds, for every byte, the last value written
// to it, and every byte nobody wrote still has its initial value.
#include "cc_test_support.hpp"

#include <atomic>
#include <random>
#include <thread>

namespace ntio::cc::test {
namespace {

constexpr int kWriters = 4;
constexpr ULONG kFileSize = 96 * 1024 + 333;  // not a page multiple: the last page is partial
constexpr ULONG kStripe = 1000;               // byte stripes: writers share pages, never bytes
constexpr int kWritesPerWriter = 1500;

using CcWriterStressTest = CcFsTest;

TEST_F(CcWriterStressTest, every_written_byte_reaches_the_disk_and_nothing_else_changes)
{
    // Initial contents on the disk: the value of every byte nobody writes.
    std::vector<UCHAR> expected = pattern(kFileSize, 31);
    {
        std::vector<UCHAR> padded(ROUND_TO_PAGES(kFileSize), 0);
        std::copy(expected.begin(), expected.end(), padded.begin());
        put_on_disk(L'a', 0, padded);
        HANDLE h = open(L'a');
        ASSERT_EQ(set_end_of_file(h, kFileSize), STATUS_SUCCESS);
        ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    }
    // Each writer owns the stripes i with i % kWriters == its index, and half of each stripe:
    // the other half is never written.
    std::vector<std::vector<UCHAR>> shadows(kWriters, expected);
    std::atomic<bool> writers_done{false};
    std::atomic<int> failures{0};
    auto writer = [&](int index) {
        // Writer 0's handle is asynchronous: fast I/O is for synchronous ones, so its writes are IRPs.
        HANDLE h = index == 0 ? open(L'a', 0) : open(L'a');
        std::mt19937 random(1234 + index);
        std::vector<UCHAR> buffer(kStripe);
        const ULONG stripes = kFileSize / kStripe;
        for (int i = 0; i < kWritesPerWriter; ++i) {
            ULONG stripe = static_cast<ULONG>(random() % stripes);
            stripe -= stripe % kWriters;
            stripe += index;
            if (stripe >= stripes) stripe = index;
            const ULONG start = static_cast<ULONG>(random() % (kStripe / 2));
            const ULONG length = 1 + static_cast<ULONG>(random() % (kStripe / 2 - start));
            const ULONG offset = stripe * kStripe + start;
            for (ULONG b = 0; b < length; ++b) buffer[b] = static_cast<UCHAR>(random());
            if (write(h, offset, length, buffer.data()) != STATUS_SUCCESS) failures.fetch_add(1);
            std::copy(buffer.begin(), buffer.begin() + length, shadows[index].begin() + offset);
        }
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    };
    auto flusher = [&] {
        HANDLE h = open(L'a');
        while (!writers_done.load()) {
            if (flush(h) != STATUS_SUCCESS) failures.fetch_add(1);
            if (CcWaitForCurrentLazyWriterActivity() != STATUS_SUCCESS) failures.fetch_add(1);
        }
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    };
    std::thread flush_thread(flusher);
    std::vector<std::thread> threads;
    for (int i = 0; i < kWriters; ++i) threads.emplace_back(writer, i);
    for (auto& t : threads) t.join();
    writers_done.store(true);
    flush_thread.join();
    EXPECT_EQ(failures.load(), 0);

    for (ULONG offset = 0; offset < kFileSize; ++offset) {
        const int owner = static_cast<int>((offset / kStripe) % kWriters);
        if (offset / kStripe < kFileSize / kStripe) expected[offset] = shadows[owner][offset];
    }
    HANDLE h = open(L'a');
    ASSERT_EQ(flush(h), STATUS_SUCCESS);
    const CcTestFsCounters c = counters(L'a');
    EXPECT_EQ(c.file_size, kFileSize);
    EXPECT_EQ(c.disk_size, kFileSize) << "no paging write went past the end of the file";
    EXPECT_GT(c.irp_writes, 0) << "writer 0 went through the IRP path";
    const auto on_disk = disk(L'a', 0, kFileSize);
    ASSERT_EQ(on_disk.size(), expected.size());
    std::size_t first_difference = on_disk.size();
    for (std::size_t i = 0; i < on_disk.size(); ++i)
        if (on_disk[i] != expected[i]) {
            first_difference = i;
            break;
        }
    EXPECT_EQ(first_difference, on_disk.size()) << "first wrong byte on the disk";
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::cc::test
