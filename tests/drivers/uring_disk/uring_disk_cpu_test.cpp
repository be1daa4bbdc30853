// What the CPU-per-I/O work on the rings (gate C4.cpu) must not break: the backing file registered
// in each ring (no file reference per request) is given back when the disk closes even while the
// issuing thread keeps its ring, and the reaper, whose tick lengthens while every thread serves its
// own ring, still finishes the request of a thread that stops waiting.
#include <dirent.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "uring_disk_test_support.hpp"

namespace ntio::test::drivers::uring {
namespace {


using UringCpuTest = SystemTest;

// How many of this process's io_uring instances list `path` among their registered files
// (/proc/self/fdinfo of a ring: "UserFiles:" then one "<index>: <path>" line per file).
int rings_holding(const std::string& path) {
    int holders = 0;
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr) return -1;
    while (dirent* e = readdir(dir)) {
        if (e->d_name[0] == '.') continue;
        char target[256] = {};
        const std::string link = std::string("/proc/self/fd/") + e->d_name;
        if (readlink(link.c_str(), target, sizeof(target) - 1) <= 0) continue;
        if (std::string(target) != "anon_inode:[io_uring]") continue;
        std::ifstream info(std::string("/proc/self/fdinfo/") + e->d_name);
        std::string line;
        bool in_files = false;
        while (std::getline(info, line)) {
            if (line.rfind("UserFiles:", 0) == 0) {
                in_files = true;
                continue;
            }
            if (in_files && line.find(':') != std::string::npos && line.find(path) != std::string::npos) {
                ++holders;
                break;
            }
            if (in_files && line.find(':') != std::string::npos && line[0] != ' ') in_files = false;
        }
    }
    closedir(dir);
    return holders;
}

VOID count_completion(PVOID, NTSTATUS status, ULONG_PTR information, PVOID ring_context) {
    if (status == STATUS_SUCCESS && information == kLength) static_cast<std::atomic<int>*>(ring_context)->fetch_add(1);
}

// The thread that issued (and waited for) a read keeps its ring after the disk closes, until its
// next wait; the file registered in that ring is given back at the close, not then.
TEST_F(UringCpuTest, RegisteredBackingFileIsGivenBackAtCloseWhileTheThreadKeepsItsRing)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    file.write_host(0, pattern(kDiskSize, 11));
    std::u16string path = u16(file.path());
    UNICODE_STRING name = unicode(path);
    std::atomic<int> done{0};
    NTIO_URING_PARAMETERS p{};
    p.HostPath = &name;
    p.QueueDepth = 4;
    p.CompletionRoutine = count_completion;
    p.RingContext = &done;
    PNTIO_URING ring = nullptr;
    ASSERT_EQ(NtioUringOpen(&p, &ring, nullptr), STATUS_SUCCESS);
    AlignedBuffer buffer(kLength);
    ASSERT_EQ(NtioUringRead(ring, buffer.data, kLength, 0, reinterpret_cast<PVOID>(1)), STATUS_PENDING);
    LARGE_INTEGER interval;
    interval.QuadPart = -10 * 1000;  // 1 ms: the wait's poller submits and reaps the read
    while (done.load() == 0) ASSERT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &interval), STATUS_SUCCESS);
    const int before = rings_holding(file.path());
    if (before == 0) GTEST_SKIP() << "this kernel refused registered files (requests name the descriptor)";
    EXPECT_GE(before, 1);
    NtioUringShutdown(ring);
    NtioUringClose(ring);
    // No wait since the close: this thread's ring is still allocated, but holds the file no more.
    EXPECT_EQ(rings_holding(file.path()), 0);
    // The next wait frees the ring.
    interval.QuadPart = -1;
    EXPECT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &interval), STATUS_SUCCESS);
    EXPECT_EQ(rings_holding(file.path()), 0);
}

// A thread serves its own ring for a while (the reaper, seeing it make progress, lengthens its
// tick), then queues one more read and spins without any ke wait: the driver's reaper still
// submits and completes it (the IOSB is written on the completing thread).
TEST_F(UringCpuTest, ReaperFinishesTheReadOfAThreadThatStopsWaitingAfterServingItsRing)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    file.write_host(0, pattern(kDiskSize, 12));
    Driver driver;
    // O_DIRECT: reads stay in the kernel for a while, so the ring is busy whenever the reaper looks.
    ASSERT_EQ(driver.load(LoadPath::direct, kService, kImage, disk_parameters(file, kDiskSize, true, 8)),
              STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(kDeviceName, &h, true), STATUS_SUCCESS);
    HANDLE events[2] = {};
    for (HANDLE& event : events)
        ASSERT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    AlignedBuffer buffer(2 * kLength);
    IO_STATUS_BLOCK iosbs[2] = {};
    auto issue = [&](int slot, int i) {
        LARGE_INTEGER where;
        where.QuadPart = static_cast<LONGLONG>(((i * 7) % (kDiskSize / kLength)) * kLength);
        return NtReadFile(h, events[slot], nullptr, nullptr, &iosbs[slot], buffer.data + slot * kLength, kLength,
                          &where, nullptr);
    };
    // Two reads always in flight, each waited for in turn, long enough for the reaper to pass
    // several ticks while this thread keeps its ring served.
    ASSERT_EQ(issue(0, 0), STATUS_PENDING);
    for (int i = 1; i < 2000; ++i) {
        const int slot = i % 2;
        ASSERT_EQ(issue(slot, i), STATUS_PENDING);
        ASSERT_EQ(NtWaitForSingleObject(events[1 - slot], FALSE, nullptr), STATUS_SUCCESS);
        ASSERT_EQ(iosbs[1 - slot].Status, STATUS_SUCCESS);
    }
    ASSERT_EQ(NtWaitForSingleObject(events[1], FALSE, nullptr), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    auto* status_word = reinterpret_cast<volatile NTSTATUS*>(&iosb.Status);
    *status_word = STATUS_ALERTED;  // no completion writes it
    LARGE_INTEGER last;
    last.QuadPart = 8 * kLength;
    ASSERT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer.data, kLength, &last, nullptr), STATUS_PENDING);
    // No ke wait from here: only the reaper can submit the read and run its completion.
    while (__atomic_load_n(&iosb.Status, __ATOMIC_ACQUIRE) == STATUS_ALERTED) std::this_thread::yield();
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, kLength);
    EXPECT_EQ(0, std::memcmp(buffer.data, pattern(kDiskSize, 12).data() + 8 * kLength, kLength));
    for (HANDLE event : events) NtClose(event);
    NtClose(h);
}

}  // namespace
}  // namespace ntio::test::drivers::uring
