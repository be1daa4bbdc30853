// Stress: two threads write, read back and flush their own sectors of one image-backed RAM disk
// through synchronous handles while the other does the same.
// Invariant: every transfer completes with its full length, every read returns the thread's last
// write there, and after the final flush the image holds exactly the last data of every sector.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "driver_test_support.hpp"

namespace ntio::test::drivers {
namespace {

constexpr ULONG kDiskSize = 4 * 1024 * 1024;  // four dirty-tracking regions
constexpr int kThreads = 2;
constexpr int kIterations = 2000;
constexpr ULONG kBlock = 512;
constexpr int kSectorsPerThread = 64;

using RamdiskStressTest = SystemTest;

unsigned char byte_of(int thread, int sector, int generation, ULONG b) {
    return static_cast<unsigned char>(thread * 131 + sector * 17 + generation * 7 + b);
}

TEST_F(RamdiskStressTest, concurrent_writes_reads_and_flushes_keep_every_sector_consistent)
{
    const std::string path = "/tmp/ntio_ramdisk_stress_" + std::to_string(getpid()) + ".img";
    std::remove(path.c_str());
    Driver disk;
    ASSERT_EQ(disk.load(LoadPath::direct, "Ramdisk", "ramdisk.sys",
                        {{"DiskSize", ULONG{kDiskSize}}, {"BackingImage", path}}),
              STATUS_SUCCESS);
    std::vector<int> failures(kThreads, 0);
    std::vector<std::vector<int>> last(kThreads, std::vector<int>(kSectorsPerThread, -1));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([t, &failures, &last] {
            HANDLE h = nullptr;
            if (open_device(u"\\Device\\Ramdisk0", &h) != STATUS_SUCCESS) {
                ++failures[t];
                return;
            }
            std::vector<unsigned char> out(kBlock), in(kBlock);
            for (int i = 0; i < kIterations; ++i) {
                const int sector = i % kSectorsPerThread;
                // Thread t's sectors are spread over every region: sector s lives in region s % 4.
                const LONGLONG offset = (sector % 4) * (1LL << 20) + ((sector / 4) * kThreads + t) * kBlock;
                for (ULONG b = 0; b < kBlock; ++b) out[b] = byte_of(t, sector, i, b);
                IO_STATUS_BLOCK iosb{};
                if (write_at(h, out.data(), kBlock, offset, &iosb) != STATUS_SUCCESS || iosb.Information != kBlock)
                    ++failures[t];
                last[t][sector] = i;
                if (read_at(h, in.data(), kBlock, offset, &iosb) != STATUS_SUCCESS || in != out) ++failures[t];
                if (i % 97 == 0 && NtFlushBuffersFile(h, &iosb) != STATUS_SUCCESS) ++failures[t];
            }
            IO_STATUS_BLOCK iosb{};
            if (NtFlushBuffersFile(h, &iosb) != STATUS_SUCCESS) ++failures[t];
            NtClose(h);
        });
    }
    for (std::thread& thread : threads) thread.join();
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;

    std::ifstream in(path, std::ios::binary);
    const std::vector<char> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GE(image.size(), 3u * (1 << 20) + kBlock);
    int mismatches = 0;
    for (int t = 0; t < kThreads; ++t) {
        for (int sector = 0; sector < kSectorsPerThread; ++sector) {
            const LONGLONG offset = (sector % 4) * (1LL << 20) + ((sector / 4) * kThreads + t) * kBlock;
            for (ULONG b = 0; b < kBlock; ++b) {
                if (static_cast<unsigned char>(image[offset + b]) != byte_of(t, sector, last[t][sector], b)) {
                    ++mismatches;
                    break;
                }
            }
        }
    }
    EXPECT_EQ(mismatches, 0);
    EXPECT_EQ(disk.unload(), STATUS_SUCCESS);
    std::remove(path.c_str());
}

}  // namespace
}  // namespace ntio::test::drivers
