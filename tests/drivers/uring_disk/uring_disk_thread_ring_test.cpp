// The per-thread rings and the before-block poller: a thread that queues a batch and then waits
// submits it in one io_uring_enter and completes its own requests; rings of threads that exit or
// never wait are finished by the rundown or the reaper. Stress: several threads issue overlapped
// reads, wait, cancel or exit without waiting, all at once.
// Invariant (stress): every IRP completes exactly once (one completion packet per read, a status
// written to each IOSB), and none is left pending after its issuing thread has exited.
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "uring_disk_test_support.hpp"

namespace ntio::test::drivers::uring {
namespace {


using UringThreadRingTest = SystemTest;

// Counts completions per request context, and which thread ran them.
struct Completions {
    static constexpr int kMax = 64;
    std::atomic<int> count[kMax] = {};
    std::atomic<int> on_other_thread{0};
    std::thread::id issuer;
};

VOID count_completion(PVOID request, NTSTATUS status, ULONG_PTR information, PVOID ring_context) {
    auto* c = static_cast<Completions*>(ring_context);
    const auto index = reinterpret_cast<ULONG_PTR>(request) - 1;
    if (index < Completions::kMax && status == STATUS_SUCCESS && information == kLength) c->count[index].fetch_add(1);
    if (std::this_thread::get_id() != c->issuer) c->on_other_thread.fetch_add(1);
}

// The batch of a thread that queues and then waits goes to the kernel in one io_uring_enter, and
// the waiting thread itself completes every request (no thread hop).
TEST_F(UringThreadRingTest, QueuedBatchIsSubmittedOnceAndReapedByTheWaitingThread)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    file.write_host(0, pattern(kDiskSize, 3));
    std::u16string path = u16(file.path());
    UNICODE_STRING name = unicode(path);
    Completions completions;
    completions.issuer = std::this_thread::get_id();
    NTIO_URING_PARAMETERS p{};
    p.HostPath = &name;
    p.QueueDepth = 32;
    p.CompletionRoutine = count_completion;
    p.RingContext = &completions;
    PNTIO_URING ring = nullptr;
    ASSERT_EQ(NtioUringOpen(&p, &ring, nullptr), STATUS_SUCCESS);
    AlignedBuffer buffers(32 * kLength);
    for (ULONG_PTR i = 0; i < 32; ++i)
        ASSERT_EQ(NtioUringRead(ring, buffers.data + i * kLength, kLength, i * 8 * kLength, reinterpret_cast<PVOID>(i + 1)),
                  STATUS_PENDING);
    // A wait with nothing else to wake it: the poller finishes the ring before the thread sleeps.
    LARGE_INTEGER interval;
    interval.QuadPart = -10 * 1000;  // 1 ms
    for (int spin = 0; spin < 1000; ++spin) {
        NTIO_URING_STATISTICS s{};
        NtioUringQueryStatistics(ring, &s);
        if (s.Completions == 32) break;
        ASSERT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &interval), STATUS_SUCCESS);
    }
    NTIO_URING_STATISTICS s{};
    NtioUringQueryStatistics(ring, &s);
    EXPECT_EQ(s.Completions, 32u);
    EXPECT_EQ(s.InlineCompletions, 32u);
    EXPECT_LE(s.EnterCalls, 4u) << "32 queued reads took " << s.EnterCalls << " io_uring_enter calls";
    EXPECT_EQ(completions.on_other_thread.load(), 0);
    for (int i = 0; i < 32; ++i) EXPECT_EQ(completions.count[i].load(), 1) << i;
    NtioUringShutdown(ring);
    NtioUringClose(ring);
}

// A thread that queues and exits without ever waiting: its requests still complete exactly once
// (the shutdown, standing in for the reaper, serves the orphaned ring).
TEST_F(UringThreadRingTest, RequestsOfAThreadThatExitsWithoutWaitingCompleteOnce)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    file.write_host(0, pattern(kDiskSize, 4));
    std::u16string path = u16(file.path());
    UNICODE_STRING name = unicode(path);
    Completions completions;
    NTIO_URING_PARAMETERS p{};
    p.HostPath = &name;
    p.QueueDepth = 16;
    p.SubmitBatch = 64;  // never reached: nothing is submitted before the thread is gone
    p.CompletionRoutine = count_completion;
    p.RingContext = &completions;
    PNTIO_URING ring = nullptr;
    ASSERT_EQ(NtioUringOpen(&p, &ring, nullptr), STATUS_SUCCESS);
    AlignedBuffer buffers(8 * kLength);
    std::thread issuer([&] {
        for (ULONG_PTR i = 0; i < 8; ++i)
            (void)NtioUringRead(ring, buffers.data + i * kLength, kLength, i * kLength, reinterpret_cast<PVOID>(i + 1));
    });
    issuer.join();
    NtioUringShutdown(ring);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(completions.count[i].load(), 1) << i;
    NtioUringClose(ring);
}

// The fallback reaper serves a ring whose thread queued and then blocks outside any ke wait.
TEST_F(UringThreadRingTest, ReaperFinishesTheRingOfAThreadThatDoesNotWait)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    file.write_host(0, pattern(kDiskSize, 5));
    std::u16string path = u16(file.path());
    UNICODE_STRING name = unicode(path);
    Completions completions;
    completions.issuer = std::this_thread::get_id();
    NTIO_URING_PARAMETERS p{};
    p.HostPath = &name;
    p.QueueDepth = 8;
    p.CompletionRoutine = count_completion;
    p.RingContext = &completions;
    PNTIO_URING ring = nullptr;
    ASSERT_EQ(NtioUringOpen(&p, &ring, nullptr), STATUS_SUCCESS);
    std::atomic<bool> stop{false};
    std::thread reaper([&] {
        while (!stop.load() && NtioUringReap(ring, FALSE) == STATUS_SUCCESS) std::this_thread::yield();
    });
    AlignedBuffer buffer(kLength);
    ASSERT_EQ(NtioUringRead(ring, buffer.data, kLength, 0, reinterpret_cast<PVOID>(1)), STATUS_PENDING);
    // Spin without a ke wait: only the reaper can submit and complete the read.
    while (completions.count[0].load() == 0) std::this_thread::yield();
    stop = true;
    reaper.join();
    EXPECT_EQ(completions.count[0].load(), 1);
    EXPECT_EQ(completions.on_other_thread.load(), 1);
    NtioUringShutdown(ring);
    NtioUringClose(ring);
}

// A before-block poller registered through the Ntio API runs when the thread is about to wait,
// and the wait ends as soon as the poller signals the object.
struct PollState {
    KEVENT* event;
    int calls = 0;
};

BOOLEAN signal_on_third_call(PVOID context, BOOLEAN) {
    auto* s = static_cast<PollState*>(context);
    if (++s->calls == 3) KeSetEvent(s->event, IO_NO_INCREMENT, FALSE);
    return TRUE;
}

TEST_F(UringThreadRingTest, WaitRunsTheThreadsPollerUntilTheObjectIsSignalled)
{
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PollState state{&event};
    ASSERT_TRUE(NtioRegisterWaitPoller(signal_on_third_call, &state));
    EXPECT_EQ(KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(state.calls, 3);
    NtioUnregisterWaitPoller(signal_on_third_call, &state);
    KeClearEvent(&event);
    LARGE_INTEGER zero{};
    EXPECT_EQ(KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    EXPECT_EQ(state.calls, 3);
}

// Stress through the driver: each round, threads issue overlapped reads on one handle bound to a
// completion port; some wait for theirs, some cancel them, some exit at once. One packet per
// request. Buffered (completions at submission) and O_DIRECT (completions later, so waiters sleep
// in their rings and exited threads leave requests in flight).
void stress_every_irp_completes_exactly_once(bool direct)
{
    constexpr int kThreads = 4;
    // O_DIRECT rounds wait for the device and, for exited threads, for the reaper's tick.
    const int kRounds = direct ? 150 : 400;
    constexpr int kPerThread = 8;
    ScratchFile file;
    file.write_host(0, pattern(kDiskSize, 7));
    Driver driver;
    std::vector<Value> parameters = disk_parameters(file, kDiskSize, direct, 16);
    parameters.push_back({"SubmitBatch", ULONG{4}});
    ASSERT_EQ(driver.load(LoadPath::direct, kService, kImage, parameters), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(kDeviceName, &h, true), STATUS_SUCCESS);
    HANDLE port = nullptr;
    ASSERT_EQ(NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 0), STATUS_SUCCESS);
    FILE_COMPLETION_INFORMATION info{port, nullptr};
    IO_STATUS_BLOCK bind{};
    ASSERT_EQ(NtSetInformationFile(h, &bind, &info, sizeof(info), FileCompletionInformation), STATUS_SUCCESS);

    AlignedBuffer buffers(kThreads * kPerThread * kLength);
    std::vector<IO_STATUS_BLOCK> iosbs(kThreads * kPerThread);
    std::atomic<long> issued{0};
    std::atomic<int> failures{0};
    long packets = 0;
    std::vector<int> seen(kThreads * kPerThread, 0);
    for (int round = 0; round < kRounds; ++round) {
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t, round] {
                const int mode = (t + round) % 3;  // 0: wait, 1: cancel then wait, 2: exit at once
                HANDLE event = nullptr;
                if (NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE) != STATUS_SUCCESS) {
                    ++failures;
                    return;
                }
                for (int i = 0; i < kPerThread; ++i) {
                    const int slot = t * kPerThread + i;
                    iosbs[slot].Status = STATUS_ALERTED;  // no completion writes it
                    LARGE_INTEGER where;
                    where.QuadPart = static_cast<LONGLONG>(((slot * 13 + round * 5) % (kDiskSize / kLength)) * kLength);
                    // The packet's ApcContext names the slot; the event is the last request's.
                    const NTSTATUS status = NtReadFile(h, i == kPerThread - 1 ? event : nullptr, nullptr,
                                                       reinterpret_cast<PVOID>(static_cast<ULONG_PTR>(slot + 1)),
                                                       &iosbs[slot], buffers.data + slot * kLength, kLength, &where,
                                                       nullptr);
                    if (status != STATUS_PENDING && status != STATUS_SUCCESS) ++failures;
                    ++issued;
                }
                if (mode == 1) {
                    IO_STATUS_BLOCK cancel{};
                    if (NtCancelIoFile(h, &cancel) != STATUS_SUCCESS) ++failures;
                }
                if (mode != 2 && NtWaitForSingleObject(event, FALSE, nullptr) != STATUS_SUCCESS) ++failures;
                NtClose(event);
            });
        }
        for (std::thread& thread : threads) thread.join();
        // Every issuing thread has exited: each of its reads has completed, or completes now
        // without any thread waiting for it; one packet each.
        const long target = issued.load();
        while (packets < target) {
            FILE_IO_COMPLETION_INFORMATION entries[64];
            ULONG n = 0;
            LARGE_INTEGER timeout;
            timeout.QuadPart = -10LL * 1000 * 1000 * 5;  // 5 s: far beyond any read
            ASSERT_EQ(NtRemoveIoCompletionEx(port, entries, 64, &n, &timeout, FALSE), STATUS_SUCCESS)
                << "round " << round << ": " << target - packets << " reads never completed";
            for (ULONG i = 0; i < n; ++i) {
                const auto slot = reinterpret_cast<ULONG_PTR>(entries[i].ApcContext) - 1;
                ASSERT_LT(slot, seen.size());
                ++seen[slot];
                const NTSTATUS status = entries[i].IoStatusBlock.Status;
                if (status != STATUS_SUCCESS && status != STATUS_CANCELLED) ++failures;
            }
            packets += n;
        }
        for (std::size_t slot = 0; slot < seen.size(); ++slot) {
            ASSERT_EQ(seen[slot], 1) << "round " << round << " slot " << slot;
            ASSERT_NE(iosbs[slot].Status, STATUS_ALERTED) << "round " << round << " slot " << slot;
            seen[slot] = 0;
        }
        // Nothing more arrives: exactly once.
        LARGE_INTEGER zero{};
        FILE_IO_COMPLETION_INFORMATION extra[1];
        ULONG n = 0;
        ASSERT_EQ(NtRemoveIoCompletionEx(port, extra, 1, &n, &zero, FALSE), STATUS_TIMEOUT);
    }
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

TEST_F(UringThreadRingTest, StressEveryIrpCompletesExactlyOnceWhateverItsThreadDoesBuffered)
{
    SKIP_WITHOUT_IO_URING();
    stress_every_irp_completes_exactly_once(false);
}

TEST_F(UringThreadRingTest, StressEveryIrpCompletesExactlyOnceWhateverItsThreadDoesDirect)
{
    SKIP_WITHOUT_IO_URING();
    stress_every_irp_completes_exactly_once(true);
}

}  // namespace
}  // namespace ntio::test::drivers::uring
