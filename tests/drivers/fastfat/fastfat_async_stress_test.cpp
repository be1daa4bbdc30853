// Stress: fastfat.sys's posted requests. Several files on a FAT volume, each with many overlapped
// reads and writes in flight at once on asynchronous handles (half the files non-cached, so every
// request of theirs is posted to a worker), told through one completion port and then through APCs,
// while the workers complete them and set the file objects' flags.
// Invariant: every request completes exactly once, with its full length and the data written; the
// volume checks clean afterwards.
#include "fastfat_async_support.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace ntio::test::drivers {
namespace fastfat_async {

class FastFatAsyncStressTest : public FastFatAsyncTest {};

TEST_F(FastFatAsyncStressTest, posted_requests_in_flight_on_several_files_complete_once) {
    for (int round = 0; round < 3; ++round) {
        many_requests_in_flight(4, 48, Told::port);
        many_requests_in_flight(4, 48, Told::apc);
    }
    unmount();
    expect_fsck_clean();
}

// Stress: cancels racing the workers. Overlapped non-cached reads and writes (every one posted) on
// several files through one completion port, while another thread cancels everything on the
// handles (CancelIoEx) at random moments: requests still in the volume's queue are cancelled, those
// a worker took run to the end.
// Invariant: every request completes exactly once, either successfully with its full length or with
// ERROR_OPERATION_ABORTED and no bytes; a completed read has the file's data; each write's range
// holds the new data if it completed and the old data if it was cancelled; the volume checks clean
// and the driver unloads (no request or worker left behind).
TEST_F(FastFatAsyncStressTest, cancels_racing_the_workers_complete_each_request_once_either_way) {
    constexpr int kFiles = 3;
    constexpr int kPerFile = 32;
    constexpr ULONG kChunk = 4096;
    constexpr ULONG kHalf = kChunk * kPerFile;
    int cancelled_total = 0;
    for (int round = 0; round < 4; ++round) {
        std::vector<std::vector<uint8_t>> contents;
        std::vector<HANDLE> handles;
        for (int f = 0; f < kFiles; ++f) {
            const std::string name = "\\cancel" + std::to_string(f) + ".bin";
            contents.push_back(fat::pattern(2 * kHalf, 300 + round * kFiles + f));
            put_file(name, contents.back());
            std::u16string path = u"Y:" + u16(name);
            HANDLE h = CreateFileW(reinterpret_cast<LPCWSTR>(path.c_str()), GENERIC_READ | GENERIC_WRITE,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING,
                                   FILE_FLAG_OVERLAPPED | FILE_FLAG_NO_BUFFERING, nullptr);
            ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
            handles.push_back(h);
        }
        HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
        ASSERT_NE(port, nullptr);
        for (int f = 0; f < kFiles; ++f) ASSERT_EQ(CreateIoCompletionPort(handles[f], port, ULONG_PTR(f + 1), 0), port);

        std::atomic<bool> issuing{true};
        std::thread canceller([&, round] {
            uint32_t seed = 12345u + uint32_t(round);
            do {
                seed = seed * 1103515245u + 12345u;
                std::this_thread::sleep_for(std::chrono::microseconds(seed % 400));
                (void)CancelIoEx(handles[(seed >> 8) % kFiles], nullptr);
            } while (issuing.load());
        });
        std::vector<std::unique_ptr<Op>> ops;
        std::map<LPOVERLAPPED, Op*> by_overlapped;
        for (int i = 0; i < kPerFile; ++i) {
            for (int f = 0; f < kFiles; ++f) {
                for (bool write : {true, false}) {
                    auto op = std::make_unique<Op>();
                    op->file = f;
                    op->write = write;
                    op->offset = (write ? 0 : kHalf) + ULONG(i) * kChunk;
                    op->buffer = aligned(kChunk);
                    if (write) {
                        std::vector<uint8_t> data = fat::pattern(kChunk, 5000 + round * 1000 + f * kPerFile + i);
                        std::memcpy(op->buffer.get(), data.data(), kChunk);
                    } else {
                        std::memset(op->buffer.get(), 0xEE, kChunk);
                    }
                    op->overlapped.Offset = op->offset;
                    by_overlapped[&op->overlapped] = op.get();
                    BOOL done = write ? WriteFile(handles[f], op->buffer.get(), kChunk, nullptr, &op->overlapped)
                                      : ReadFile(handles[f], op->buffer.get(), kChunk, nullptr, &op->overlapped);
                    // Non-cached: always posted, so it is told through the port whatever happens.
                    EXPECT_FALSE(done);
                    EXPECT_EQ(GetLastError(), DWORD(ERROR_IO_PENDING));
                    ops.push_back(std::move(op));
                }
            }
        }
        issuing = false;
        canceller.join();
        for (size_t n = 0; n < ops.size(); ++n) {
            DWORD bytes = 0;
            ULONG_PTR key = 0;
            LPOVERLAPPED overlapped = nullptr;
            BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &overlapped, 30000);
            ASSERT_NE(overlapped, nullptr) << GetLastError();
            auto it = by_overlapped.find(overlapped);
            ASSERT_NE(it, by_overlapped.end());
            EXPECT_EQ(key, ULONG_PTR(it->second->file + 1));
            op_done(ok ? ERROR_SUCCESS : GetLastError(), bytes, overlapped);
        }
        // Nothing completes twice.
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        LPOVERLAPPED overlapped = nullptr;
        EXPECT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &overlapped, 0));
        for (auto& op : ops) {
            EXPECT_EQ(op->completions, 1);
            if (op->error == ERROR_OPERATION_ABORTED) {
                ++cancelled_total;
                EXPECT_EQ(op->bytes, 0u);
                continue;
            }
            EXPECT_EQ(op->error, DWORD(ERROR_SUCCESS));
            EXPECT_EQ(op->bytes, kChunk);
            if (op->write) {
                std::memcpy(contents[op->file].data() + op->offset, op->buffer.get(), kChunk);
            } else {
                EXPECT_EQ(std::memcmp(op->buffer.get(), contents[op->file].data() + op->offset, kChunk), 0)
                    << "file " << op->file << " offset " << op->offset;
            }
        }
        for (HANDLE h : handles) EXPECT_TRUE(CloseHandle(h));
        EXPECT_TRUE(CloseHandle(port));
        for (int f = 0; f < kFiles; ++f) {
            EXPECT_EQ(get_file("\\cancel" + std::to_string(f) + ".bin"), contents[f]) << f;
        }
    }
    // Not an invariant (timing decides), but the test means little if nothing was ever cancelled.
    std::printf("cancelled %d of %d requests\n", cancelled_total, 4 * kFiles * kPerFile * 2);
    unlink();
    unmount();
    expect_fsck_clean();
}

}  // namespace fastfat_async
}  // namespace ntio::test::drivers
