// A thread that waits in ke while its ring has requests in flight sleeps in that ring and wakes at
// once for whichever comes first: one of its completions, or what ke wakes it for (an object
// signalled, a user APC, an alert, the timeout). The requests are reads of a FIFO image, which
// cannot complete until the test writes to the FIFO, so every wait below starts with reads in
// flight and the tests see which of the two ended it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "ke/thread.hpp"
#include "uring_disk_test_support.hpp"

namespace ntio::test::drivers::uring {
namespace {

using UringWakeTest = SystemTest;

// Completions of one ring: how many, with which status, on which thread, and an event set when
// `target` have arrived.
struct Tally {
    std::atomic<int> done{0};
    std::atomic<int> succeeded{0};
    std::atomic<int> cancelled{0};
    std::atomic<int> on_other_thread{0};
    std::atomic<std::thread::id> waiter{};
    int target = 0;
    KEVENT all{};
};

VOID tally_completion(PVOID, NTSTATUS status, ULONG_PTR information, PVOID ring_context) {
    auto* t = static_cast<Tally*>(ring_context);
    if (status == STATUS_SUCCESS && information == kLength) t->succeeded.fetch_add(1);
    if (status == STATUS_CANCELLED) t->cancelled.fetch_add(1);
    if (std::this_thread::get_id() != t->waiter.load()) t->on_other_thread.fetch_add(1);
    if (t->done.fetch_add(1) + 1 == t->target) KeSetEvent(&t->all, IO_NO_INCREMENT, FALSE);
}

// A ring over a FIFO: its reads wait for feed().
class FifoRing {
public:
    explicit FifoRing(Tally* tally) {
        m_path = drivers_dir_path("uring_wake_fifo_" + std::to_string(getpid()) + "_" +
                                  std::to_string(s_serial.fetch_add(1)));
        unlink(m_path.c_str());
        EXPECT_EQ(mkfifo(m_path.c_str(), 0600), 0);
        std::u16string path = u16(m_path);
        UNICODE_STRING name = unicode(path);
        NTIO_URING_PARAMETERS p{};
        p.HostPath = &name;
        p.Size = 1024 * 1024;
        p.QueueDepth = 16;
        p.CompletionRoutine = tally_completion;
        p.RingContext = tally;
        EXPECT_EQ(NtioUringOpen(&p, &m_ring, nullptr), STATUS_SUCCESS);
        // The ring holds the FIFO open for reading: this open does not block.
        m_writer = open(m_path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        EXPECT_GE(m_writer, 0);
    }
    ~FifoRing() {
        if (m_ring != nullptr) NtioUringClose(m_ring);
        if (m_writer >= 0) close(m_writer);
        unlink(m_path.c_str());
    }
    PNTIO_URING ring() const { return m_ring; }
    // Completes `reads` of the pending reads.
    void feed(int reads) {
        std::vector<char> data(static_cast<std::size_t>(reads) * kLength, 'x');
        EXPECT_EQ(write(m_writer, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    }
    ULONGLONG enter_calls() const {
        NTIO_URING_STATISTICS s{};
        NtioUringQueryStatistics(m_ring, &s);
        return s.EnterCalls;
    }

private:
    static inline std::atomic<int> s_serial{0};
    std::string m_path;
    PNTIO_URING m_ring = nullptr;
    int m_writer = -1;
};

// Until `thread` sleeps in its wait (the futex word ke wakes), whether in its ring or the futex.
void wait_until_asleep(std::atomic<PKTHREAD>& thread) {
    while (thread.load() == nullptr) std::this_thread::yield();
    while (thread.load()->m_wait_word.load() != ke::kWaitSleeping) std::this_thread::yield();
}

// Queues two reads of the FIFO from the calling thread (its ring); they stay in flight.
void queue_two_reads(FifoRing& fifo, unsigned char* buffer) {
    ASSERT_EQ(NtioUringRead(fifo.ring(), buffer, kLength, 0, reinterpret_cast<PVOID>(1)), STATUS_PENDING);
    ASSERT_EQ(NtioUringRead(fifo.ring(), buffer + kLength, kLength, kLength, reinterpret_cast<PVOID>(2)),
              STATUS_PENDING);
}

VOID NTAPI note_apc(PVOID context, PVOID, PVOID) { static_cast<std::atomic<int>*>(context)->fetch_add(1); }

// NT fact G5: a user APC queued to a thread in an alertable user-mode wait ends the wait with
// STATUS_USER_APC and runs in it, here while the thread's reads are still in flight (they could
// not complete: the FIFO has no data yet).
TEST_F(UringWakeTest, UserApcEndsAnAlertableWaitWhileTheWaitersReadsAreInFlight)
{
    SKIP_WITHOUT_IO_URING();
    Tally tally;
    tally.target = 2;
    KeInitializeEvent(&tally.all, NotificationEvent, FALSE);
    FifoRing fifo(&tally);
    HANDLE never = nullptr;
    ASSERT_EQ(NtCreateEvent(&never, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    std::atomic<PKTHREAD> waiter{nullptr};
    std::atomic<HANDLE> waiter_handle{nullptr};
    std::atomic<bool> returned{false};
    std::atomic<int> apcs{0};
    NTSTATUS wait_status = STATUS_PENDING;
    int done_at_return = -1;
    NTSTATUS drain_status = STATUS_PENDING;
    AlignedBuffer buffer(2 * kLength);
    std::thread thread([&] {
        tally.waiter = std::this_thread::get_id();
        HANDLE self = nullptr;
        ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), NtCurrentThread(), NtCurrentProcess(), &self, 0, 0,
                                    DUPLICATE_SAME_ACCESS),
                  STATUS_SUCCESS);
        waiter_handle = self;
        queue_two_reads(fifo, buffer.data);
        waiter = KeGetCurrentThread();
        wait_status = NtWaitForSingleObject(never, TRUE, nullptr);
        done_at_return = tally.done.load();
        returned = true;
        drain_status = KeWaitForSingleObject(&tally.all, Executive, KernelMode, FALSE, nullptr);
    });
    wait_until_asleep(waiter);
    ASSERT_EQ(NtQueueApcThread(waiter_handle.load(), note_apc, &apcs, nullptr, nullptr), STATUS_SUCCESS);
    while (!returned.load()) std::this_thread::yield();
    fifo.feed(2);
    thread.join();
    EXPECT_EQ(wait_status, STATUS_USER_APC);
    EXPECT_EQ(apcs.load(), 1);
    EXPECT_EQ(done_at_return, 0) << "the APC waited for the reads";
    EXPECT_EQ(drain_status, STATUS_SUCCESS);
    EXPECT_EQ(tally.succeeded.load(), 2);
    EXPECT_EQ(tally.on_other_thread.load(), 0);
    EXPECT_EQ(NtClose(waiter_handle.load()), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(never), STATUS_SUCCESS);
}

// KeAlertThread ends an alertable kernel-mode wait with STATUS_ALERTED, reads in flight; the
// reads, cancelled afterwards, complete STATUS_CANCELLED once each.
TEST_F(UringWakeTest, KeAlertThreadEndsAnAlertableWaitWhileTheWaitersReadsAreInFlight)
{
    SKIP_WITHOUT_IO_URING();
    Tally tally;
    tally.target = 2;
    KeInitializeEvent(&tally.all, NotificationEvent, FALSE);
    FifoRing fifo(&tally);
    KEVENT never;
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    std::atomic<PKTHREAD> waiter{nullptr};
    std::atomic<bool> returned{false};
    NTSTATUS wait_status = STATUS_PENDING;
    int done_at_return = -1;
    NTSTATUS drain_status = STATUS_PENDING;
    AlignedBuffer buffer(2 * kLength);
    std::thread thread([&] {
        tally.waiter = std::this_thread::get_id();
        queue_two_reads(fifo, buffer.data);
        waiter = KeGetCurrentThread();
        wait_status = KeWaitForSingleObject(&never, Executive, KernelMode, TRUE, nullptr);
        done_at_return = tally.done.load();
        returned = true;
        drain_status = KeWaitForSingleObject(&tally.all, Executive, KernelMode, FALSE, nullptr);
    });
    wait_until_asleep(waiter);
    EXPECT_FALSE(KeAlertThread(waiter.load(), KernelMode));
    while (!returned.load()) std::this_thread::yield();
    EXPECT_TRUE(NtioUringCancel(fifo.ring(), reinterpret_cast<PVOID>(1)));
    EXPECT_TRUE(NtioUringCancel(fifo.ring(), reinterpret_cast<PVOID>(2)));
    thread.join();
    EXPECT_EQ(wait_status, STATUS_ALERTED);
    EXPECT_EQ(done_at_return, 0);
    EXPECT_EQ(drain_status, STATUS_SUCCESS);
    EXPECT_EQ(tally.cancelled.load(), 2);
    EXPECT_EQ(tally.done.load(), 2);
}

// An event set by another thread ends an infinite wait at once: the waiter sleeps in one
// io_uring_enter for the whole wait (it does not poll its ring, which would take an enter per
// slice of the pause below), and the reads are still in flight when it returns.
void event_ends_the_wait(bool ring_has_futex_wait)
{
    Tally tally;
    tally.target = 2;
    KeInitializeEvent(&tally.all, NotificationEvent, FALSE);
    FifoRing fifo(&tally);
    KEVENT go;
    KeInitializeEvent(&go, SynchronizationEvent, FALSE);
    std::atomic<PKTHREAD> waiter{nullptr};
    std::atomic<bool> returned{false};
    NTSTATUS wait_status = STATUS_PENDING;
    int done_at_return = -1;
    NTSTATUS drain_status = STATUS_PENDING;
    ULONGLONG enters_at_return = 0;
    AlignedBuffer buffer(2 * kLength);
    std::thread thread([&] {
        tally.waiter = std::this_thread::get_id();
        queue_two_reads(fifo, buffer.data);
        waiter = KeGetCurrentThread();
        wait_status = KeWaitForSingleObject(&go, Executive, KernelMode, FALSE, nullptr);
        enters_at_return = fifo.enter_calls();
        done_at_return = tally.done.load();
        returned = true;
        drain_status = KeWaitForSingleObject(&tally.all, Executive, KernelMode, FALSE, nullptr);
    });
    if (ring_has_futex_wait) {
        wait_until_asleep(waiter);
        // Not a time gate: a pause long enough for a polling waiter to show itself in the count.
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
    } else {
        // The polling waiter never reaches the futex: it is waiting once it polls again and again.
        while (fifo.enter_calls() < 3) std::this_thread::yield();
    }
    const ULONGLONG enters_asleep = fifo.enter_calls();
    KeSetEvent(&go, IO_NO_INCREMENT, FALSE);
    while (!returned.load()) std::this_thread::yield();
    fifo.feed(2);
    thread.join();
    EXPECT_EQ(wait_status, STATUS_SUCCESS);
    EXPECT_EQ(done_at_return, 0);
    if (ring_has_futex_wait) {
        EXPECT_LE(enters_asleep, 2u) << "the waiter polled its ring (" << enters_asleep << " enters)";
        EXPECT_LE(enters_at_return, 2u);
    }
    EXPECT_EQ(drain_status, STATUS_SUCCESS);
    EXPECT_EQ(tally.succeeded.load(), 2);
}

TEST_F(UringWakeTest, EventSetByAnotherThreadEndsTheWaitOfAThreadSleepingInItsRing)
{
    SKIP_WITHOUT_IO_URING();
    event_ends_the_wait(true);
}

// Kernels without IORING_OP_FUTEX_WAIT (simulated): the bounded polling fallback still ends the wait.
TEST_F(UringWakeTest, WithoutFutexWaitTheWaiterPollsItsRingAndTheEventStillEndsTheWait)
{
    SKIP_WITHOUT_IO_URING();
    setenv("NTIO_URING_NO_FUTEX_WAIT", "1", 1);
    event_ends_the_wait(false);
    unsetenv("NTIO_URING_NO_FUTEX_WAIT");
}

// A completion ends the wait of the thread sleeping in its ring: the waiter itself runs the
// completion routines (no other thread reaped them).
TEST_F(UringWakeTest, CompletionWakesTheThreadSleepingInItsRingWhichCompletesItsOwnReads)
{
    SKIP_WITHOUT_IO_URING();
    Tally tally;
    tally.target = 2;
    KeInitializeEvent(&tally.all, NotificationEvent, FALSE);
    FifoRing fifo(&tally);
    std::atomic<PKTHREAD> waiter{nullptr};
    // Nothing the test does after watching the waiter's KTHREAD reaches the waiter through ntio (a
    // FIFO write wakes it, through the kernel): the waiter leaves, freeing its KTHREAD, only once
    // the test says it stopped looking at it, so that the race detector sees the order too.
    std::atomic<bool> stopped_watching{false};
    NTSTATUS wait_status = STATUS_PENDING;
    AlignedBuffer buffer(2 * kLength);
    std::thread thread([&] {
        tally.waiter = std::this_thread::get_id();
        queue_two_reads(fifo, buffer.data);
        waiter = KeGetCurrentThread();
        wait_status = KeWaitForSingleObject(&tally.all, Executive, KernelMode, FALSE, nullptr);
        while (!stopped_watching.load()) std::this_thread::yield();
    });
    wait_until_asleep(waiter);
    stopped_watching = true;
    fifo.feed(2);
    thread.join();
    EXPECT_EQ(wait_status, STATUS_SUCCESS);
    EXPECT_EQ(tally.succeeded.load(), 2);
    EXPECT_EQ(tally.on_other_thread.load(), 0);
}

// A thread with reads in flight in two rings (two disks) sleeps in one: a completion in the other
// still ends its wait (it looks at the other ring between slices), and so does an alert, at once.
TEST_F(UringWakeTest, ThreadWithReadsInTwoRingsWakesForEitherRingAndForAnAlert)
{
    SKIP_WITHOUT_IO_URING();
    Tally first;
    first.target = 2;
    KeInitializeEvent(&first.all, NotificationEvent, FALSE);
    Tally second;
    second.target = 2;
    KeInitializeEvent(&second.all, NotificationEvent, FALSE);
    FifoRing a(&first);
    FifoRing b(&second);
    KEVENT never;
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    std::atomic<PKTHREAD> waiter{nullptr};
    std::atomic<bool> alerted{false};
    std::atomic<bool> second_returned{false};
    NTSTATUS second_status = STATUS_PENDING;
    NTSTATUS alert_status = STATUS_PENDING;
    NTSTATUS drain_status = STATUS_PENDING;
    int first_done_at_alert = -1;
    AlignedBuffer buffers(4 * kLength);
    std::thread thread([&] {
        first.waiter = std::this_thread::get_id();
        second.waiter = std::this_thread::get_id();
        queue_two_reads(a, buffers.data);
        queue_two_reads(b, buffers.data + 2 * kLength);
        waiter = KeGetCurrentThread();
        second_status = KeWaitForSingleObject(&second.all, Executive, KernelMode, FALSE, nullptr);
        second_returned = true;
        alert_status = KeWaitForSingleObject(&never, Executive, KernelMode, TRUE, nullptr);
        first_done_at_alert = first.done.load();
        alerted = true;
        drain_status = KeWaitForSingleObject(&first.all, Executive, KernelMode, FALSE, nullptr);
    });
    wait_until_asleep(waiter);
    b.feed(2);
    // The second wait, once the thread sleeps in it (the first ended), is alerted.
    while (!second_returned.load()) std::this_thread::yield();
    wait_until_asleep(waiter);
    EXPECT_FALSE(KeAlertThread(waiter.load(), KernelMode));
    while (!alerted.load()) std::this_thread::yield();
    a.feed(2);
    thread.join();
    EXPECT_EQ(second_status, STATUS_SUCCESS);
    EXPECT_EQ(alert_status, STATUS_ALERTED);
    EXPECT_EQ(first_done_at_alert, 0);
    EXPECT_EQ(drain_status, STATUS_SUCCESS);
    EXPECT_EQ(first.succeeded.load(), 2);
    EXPECT_EQ(second.succeeded.load(), 2);
    EXPECT_EQ(first.on_other_thread.load() + second.on_other_thread.load(), 0);
}

// Timeouts still end waits with reads in flight: KeWaitForSingleObject returns STATUS_TIMEOUT and
// KeDelayExecutionThread STATUS_SUCCESS, the reads untouched.
TEST_F(UringWakeTest, TimeoutEndsAWaitWhileTheWaitersReadsAreInFlight)
{
    SKIP_WITHOUT_IO_URING();
    Tally tally;
    tally.target = 2;
    KeInitializeEvent(&tally.all, NotificationEvent, FALSE);
    tally.waiter = std::this_thread::get_id();
    FifoRing fifo(&tally);
    KEVENT never;
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    AlignedBuffer buffer(2 * kLength);
    queue_two_reads(fifo, buffer.data);
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10 * 1000 * 20;  // 20 ms
    EXPECT_EQ(KeWaitForSingleObject(&never, Executive, KernelMode, FALSE, &timeout), STATUS_TIMEOUT);
    EXPECT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &timeout), STATUS_SUCCESS);
    LARGE_INTEGER zero{};
    EXPECT_EQ(KeWaitForSingleObject(&never, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    EXPECT_EQ(tally.done.load(), 0);
    // One read gets the data (whichever the pipe serves first), the other is cancelled.
    fifo.feed(1);
    (void)NtioUringCancel(fifo.ring(), reinterpret_cast<PVOID>(1));
    (void)NtioUringCancel(fifo.ring(), reinterpret_cast<PVOID>(2));
    EXPECT_EQ(KeWaitForSingleObject(&tally.all, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(tally.succeeded.load() + tally.cancelled.load(), 2);
    EXPECT_EQ(tally.on_other_thread.load(), 0);
}

}  // namespace
}  // namespace ntio::test::drivers::uring
