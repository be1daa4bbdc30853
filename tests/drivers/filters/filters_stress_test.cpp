// Stress: two threads drive ramdisk.sys under trace.sys and fault_inject.sys (half of the reads and
// writes pended to a work item, some delayed) on disjoint regions of one disk, through asynchronous
// handles and events.
// Invariant: every request completes exactly once with its full length, every read returns what its
// own thread last wrote there, the trace records exactly the IRPs sent, and nothing leaks.
#include <thread>
#include <vector>

#include "driver_test_support.hpp"

#include "ntio_fault_inject.h"
#include "ntio_trace.h"

namespace ntio::test::drivers {
namespace {

constexpr ULONG kDiskSize = 1024 * 1024;
constexpr int kThreads = 2;
constexpr int kIterations = 1500;
constexpr ULONG kBlock = 512;

using FiltersStressTest = SystemTest;

TEST_F(FiltersStressTest, concurrent_pended_and_direct_requests_each_complete_once_with_their_data)
{
    const Value attach{"AttachTo", std::string("\\Device\\Ramdisk0")};
    Driver disk, trace, fault;
    ASSERT_EQ(disk.load(LoadPath::direct, "Ramdisk", "ramdisk.sys", {{"DiskSize", ULONG{kDiskSize}}}), STATUS_SUCCESS);
    ASSERT_EQ(trace.load(LoadPath::direct, "Trace", "trace.sys", {attach, {"RingSize", ULONG{1 << 16}}}),
              STATUS_SUCCESS);
    ASSERT_EQ(fault.load(LoadPath::direct, "FaultInject", "fault_inject.sys",
                         {attach, {"Seed", ULONG{7}}, {"PendRate", ULONG{500000}}, {"DelayRate", ULONG{10000}},
                          {"DelayMicroseconds", ULONG{1}}}),
              STATUS_SUCCESS);
    HANDLE control = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\NtioTrace", &control), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(ioctl(control, IOCTL_NTIO_TRACE_CLEAR, nullptr, 0, nullptr, 0, &iosb), STATUS_SUCCESS);

    std::vector<std::thread> threads;
    std::vector<int> failures(kThreads, 0);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([t, &failures] {
            HANDLE h = nullptr;
            HANDLE event = nullptr;
            if (open_device(u"\\Device\\Ramdisk0", &h, true) != STATUS_SUCCESS ||
                NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE) != STATUS_SUCCESS) {
                ++failures[t];
                return;
            }
            std::vector<unsigned char> out(kBlock), in(kBlock);
            auto run = [&](bool write, LONGLONG offset, void* buffer) {
                IO_STATUS_BLOCK io{{static_cast<NTSTATUS>(0xdeadbeef)}, 0};
                LARGE_INTEGER where;
                where.QuadPart = offset;
                NtClearEvent(event);
                NTSTATUS status = write ? NtWriteFile(h, event, nullptr, nullptr, &io, buffer, kBlock, &where, nullptr)
                                        : NtReadFile(h, event, nullptr, nullptr, &io, buffer, kBlock, &where, nullptr);
                if (status == STATUS_PENDING) {
                    NtWaitForSingleObject(event, FALSE, nullptr);
                    status = io.Status;
                }
                return status == STATUS_SUCCESS && io.Information == kBlock;
            };
            for (int i = 0; i < kIterations; ++i) {
                // Each thread owns every other 512-byte sector of the first half of the disk.
                const LONGLONG offset = (static_cast<LONGLONG>(i % 256) * kThreads + t) * kBlock;
                for (ULONG b = 0; b < kBlock; ++b) out[b] = static_cast<unsigned char>(i * 31 + t * 7 + b);
                if (!run(true, offset, out.data()) || !run(false, offset, in.data()) || in != out) ++failures[t];
            }
            NtClose(event);
            NtClose(h);
        });
    }
    for (std::thread& thread : threads) thread.join();
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;

    // Every read and write passed the trace exactly once (plus each thread's create, cleanup, close).
    std::vector<unsigned char> buffer(NTIO_TRACE_BUFFER_HEADER_SIZE + sizeof(NTIO_TRACE_RECORD));
    ASSERT_EQ(ioctl(control, IOCTL_NTIO_TRACE_READ, nullptr, 0, buffer.data(), static_cast<ULONG>(buffer.size()), &iosb),
              STATUS_SUCCESS);
    const auto* header = reinterpret_cast<const NTIO_TRACE_BUFFER*>(buffer.data());
    EXPECT_EQ(header->Recorded, static_cast<ULONGLONG>(kThreads) * (2 * kIterations + 3));
    EXPECT_EQ(header->Lost, 0u);
    EXPECT_EQ(NtClose(control), STATUS_SUCCESS);
    EXPECT_EQ(fault.unload(), STATUS_SUCCESS);
    EXPECT_EQ(trace.unload(), STATUS_SUCCESS);
    EXPECT_EQ(disk.unload(), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::drivers
