// Stress: two threads write, read back and flush their own sectors of one image-backed RAM disk
// through synchronous handles while the other does the same; and the same through the fast I/O
// path under two filters while a third thread flushes.
// Invariant: every transfer completes with its full length, every read returns the thread's last
// write there, and after the final flush the image holds exactly the last data of every sector.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "driver_test_support.hpp"

#include "ntio_trace.h"

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

// A thread's sectors: spread over four 1 MiB regions, interleaved with the other threads'.
LONGLONG sector_offset(int thread, int sector) {
    return (sector % 4) * (1LL << 20) + ((sector / 4) * kThreads + thread) * kBlock;
}

// After the final flush the backing image holds, in every sector, the last data its thread wrote.
void expect_image_holds_last_writes(const std::string& path, const std::vector<std::vector<int>>& last) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<char> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GE(image.size(), 3u * (1 << 20) + kBlock);
    int mismatches = 0;
    for (int t = 0; t < kThreads; ++t) {
        for (int sector = 0; sector < kSectorsPerThread; ++sector) {
            const LONGLONG offset = sector_offset(t, sector);
            for (ULONG b = 0; b < kBlock; ++b) {
                if (static_cast<unsigned char>(image[offset + b]) != byte_of(t, sector, last[t][sector], b)) {
                    ++mismatches;
                    break;
                }
            }
        }
    }
    EXPECT_EQ(mismatches, 0);
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
                const LONGLONG offset = sector_offset(t, sector);
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

    expect_image_holds_last_writes(path, last);
    EXPECT_EQ(disk.unload(), STATUS_SUCCESS);
    std::remove(path.c_str());
}

// Invariant (in addition to the one above): with passthrough.sys and trace.sys over the disk, every
// read and write of the synchronous handles is a fast I/O call that reached the disk (trace records
// exactly 2 x kThreads x kIterations FastIo transfers and no read or write IRP), while a third thread
// flushes the image concurrently (ImageLock exclusive against the fast writes' shared hold).
TEST_F(RamdiskStressTest, concurrent_fast_reads_writes_and_flushes_through_filters_stay_consistent)
{
    const std::string path = "/tmp/ntio_ramdisk_fast_stress_" + std::to_string(getpid()) + ".img";
    std::remove(path.c_str());
    const Value attach{"AttachTo", std::string("\\Device\\Ramdisk0")};
    Driver disk, passthrough, trace;
    ASSERT_EQ(disk.load(LoadPath::direct, "Ramdisk", "ramdisk.sys",
                        {{"DiskSize", ULONG{kDiskSize}}, {"BackingImage", path}}),
              STATUS_SUCCESS);
    ASSERT_EQ(passthrough.load(LoadPath::direct, "Passthrough", "passthrough.sys", {attach}), STATUS_SUCCESS);
    ASSERT_EQ(trace.load(LoadPath::direct, "Trace", "trace.sys", {attach, {"RingSize", ULONG{1 << 17}}}),
              STATUS_SUCCESS);
    HANDLE control = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\NtioTrace", &control), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(ioctl(control, IOCTL_NTIO_TRACE_CLEAR, nullptr, 0, nullptr, 0, &iosb), STATUS_SUCCESS);

    std::vector<int> failures(kThreads + 1, 0);
    std::vector<std::vector<int>> last(kThreads, std::vector<int>(kSectorsPerThread, -1));
    std::atomic<int> running{kThreads};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([t, &failures, &last, &running] {
            HANDLE h = nullptr;
            if (open_device(u"\\Device\\Ramdisk0", &h) != STATUS_SUCCESS) {
                ++failures[t];
                --running;
                return;
            }
            std::vector<unsigned char> out(kBlock), in(kBlock);
            for (int i = 0; i < kIterations; ++i) {
                const int sector = (i * 7) % kSectorsPerThread;
                const LONGLONG offset = sector_offset(t, sector);
                for (ULONG b = 0; b < kBlock; ++b) out[b] = byte_of(t, sector, i, b);
                IO_STATUS_BLOCK io{};
                if (write_at(h, out.data(), kBlock, offset, &io) != STATUS_SUCCESS || io.Information != kBlock)
                    ++failures[t];
                last[t][sector] = i;
                if (read_at(h, in.data(), kBlock, offset, &io) != STATUS_SUCCESS || io.Information != kBlock ||
                    in != out)
                    ++failures[t];
            }
            NtClose(h);
            --running;
        });
    }
    threads.emplace_back([&failures, &running] {
        HANDLE h = nullptr;
        if (open_device(u"\\Device\\Ramdisk0", &h) != STATUS_SUCCESS) {
            ++failures[kThreads];
            return;
        }
        while (running > 0) {
            IO_STATUS_BLOCK io{};
            if (NtFlushBuffersFile(h, &io) != STATUS_SUCCESS) ++failures[kThreads];
            std::this_thread::yield();
        }
        IO_STATUS_BLOCK io{};
        if (NtFlushBuffersFile(h, &io) != STATUS_SUCCESS) ++failures[kThreads];
        NtClose(h);
    });
    for (std::thread& thread : threads) thread.join();
    for (int t = 0; t <= kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;

    int fast = 0;
    int irps = 0;
    std::vector<unsigned char> buffer(NTIO_TRACE_BUFFER_HEADER_SIZE + 1024 * sizeof(NTIO_TRACE_RECORD));
    for (;;) {
        ASSERT_EQ(ioctl(control, IOCTL_NTIO_TRACE_READ, nullptr, 0, buffer.data(), static_cast<ULONG>(buffer.size()),
                        &iosb),
                  STATUS_SUCCESS);
        const auto* out = reinterpret_cast<const NTIO_TRACE_BUFFER*>(buffer.data());
        EXPECT_EQ(out->Lost, 0u);
        if (out->Count == 0) break;
        for (ULONG i = 0; i < out->Count; ++i) {
            const NTIO_TRACE_RECORD& r = out->Records[i];
            if (r.MajorFunction != IRP_MJ_READ && r.MajorFunction != IRP_MJ_WRITE) continue;
            if (r.FastIo && r.Status == STATUS_SUCCESS && r.Information == kBlock) ++fast;
            else ++irps;
        }
    }
    EXPECT_EQ(fast, 2 * kThreads * kIterations);
    EXPECT_EQ(irps, 0);
    EXPECT_EQ(NtClose(control), STATUS_SUCCESS);

    expect_image_holds_last_writes(path, last);
    EXPECT_EQ(trace.unload(), STATUS_SUCCESS);
    EXPECT_EQ(passthrough.unload(), STATUS_SUCCESS);
    EXPECT_EQ(disk.unload(), STATUS_SUCCESS);
    std::remove(path.c_str());
}

}  // namespace
}  // namespace ntio::test::drivers
