// Cancellation racing completion: threads issue pended IOCTLs while another cancels with
// NtCancelIoFileEx and the driver completes them from yet another thread; every fourth request its
// own issuer cancels with NtCancelIoFile.
// Invariant: every request completes exactly once, with STATUS_SUCCESS or STATUS_CANCELLED, and what
// the requester sees agrees: a pended request's event is set and its IOSB holds the final status
// (already when NtCancelIoFile returns, NT facts D1, D2); a request cancelled before its dispatch
// parked it fails synchronously with IOSB untouched and event not set (NT fact E5). The driver's
// completion counts equal what the requesters saw; nothing stays parked; no IRP, object or handle
// leaks (fixture).
#include "conformance/nt/nt_test_support.hpp"
#include "file_cancel_driver.hpp"

namespace ntio::test::file_cancel {
namespace {

constexpr NTSTATUS kFill = static_cast<NTSTATUS>(0xdeadbeef);
constexpr int kIssuers = 2;

struct Tally {
    std::atomic<long> success{0};
    std::atomic<long> cancelled{0};        // pended, then completed cancelled
    std::atomic<long> cancelled_early{0};  // cancelled before the dispatch parked it
    std::atomic<long> bad{0};              // any broken invariant
};

void issue(HANDLE h, int iterations, Tally& tally, std::atomic<IO_STATUS_BLOCK*>& published) {
    HANDLE event = nullptr;
    if (!NT_SUCCESS(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE))) {
        ++tally.bad;
        return;
    }
    IO_STATUS_BLOCK iosb;
    published = &iosb;  // the canceller names this request by its IOSB now and then
    for (int i = 0; i < iterations; ++i) {
        iosb.Status = kFill;
        iosb.Information = 0x5555;
        NTSTATUS status = NtDeviceIoControlFile(h, event, nullptr, nullptr, &iosb, kIoctlPark, nullptr, 0, nullptr, 0);
        if (status == STATUS_CANCELLED) {
            LONG state = 1;
            EVENT_BASIC_INFORMATION info{};
            if (NT_SUCCESS(NtQueryEvent(event, EventBasicInformation, &info, sizeof(info), nullptr)))
                state = info.EventState;
            if (iosb.Status != kFill || state != 0) ++tally.bad;
            ++tally.cancelled_early;
            continue;
        }
        if (status != STATUS_PENDING) {
            ++tally.bad;
            continue;
        }
        if (i % 4 == 0) {
            IO_STATUS_BLOCK io{};
            if (NtCancelIoFile(h, &io) != STATUS_SUCCESS || iosb.Status == kFill) ++tally.bad;
        }
        if (NtWaitForSingleObject(event, FALSE, nullptr) != STATUS_SUCCESS) ++tally.bad;
        if (iosb.Information != 0) ++tally.bad;
        if (iosb.Status == STATUS_SUCCESS) ++tally.success;
        else if (iosb.Status == STATUS_CANCELLED) ++tally.cancelled;
        else ++tally.bad;
    }
    published = nullptr;
    (void)NtClose(event);
}

void run_race(HANDLE h, int iterations) {
    Tally tally;
    std::atomic<int> running{kIssuers};
    std::atomic<IO_STATUS_BLOCK*> published[kIssuers];
    for (auto& p : published) p = nullptr;
    std::vector<std::thread> threads;
    for (int t = 0; t < kIssuers; ++t)
        threads.emplace_back([&, t] {
            issue(h, iterations, tally, published[t]);
            --running;
        });
    std::thread canceller([&] {
        for (unsigned n = 0; running.load() != 0; ++n) {
            IO_STATUS_BLOCK io{};
            // Compared only, never dereferenced: a stale IOSB pointer merely matches nothing.
            IO_STATUS_BLOCK* target = (n % 3 == 0) ? published[n % kIssuers].load() : nullptr;
            NTSTATUS status = NtCancelIoFileEx(h, target, &io);
            if (status != STATUS_SUCCESS && status != STATUS_NOT_FOUND) ++tally.bad;
            if (io.Status != status) ++tally.bad;
            std::this_thread::yield();
        }
    });
    std::thread completer([&] {
        while (running.load() != 0) {
            ULONG done = 0;
            IO_STATUS_BLOCK io{};
            if (NtDeviceIoControlFile(h, nullptr, nullptr, nullptr, &io, kIoctlCompleteOne, nullptr, 0, &done,
                                      sizeof(done)) != STATUS_SUCCESS)
                ++tally.bad;
            if (!done) std::this_thread::yield();
        }
    });
    for (auto& t : threads) t.join();
    canceller.join();
    completer.join();

    const long issued = static_cast<long>(kIssuers) * iterations;
    EXPECT_EQ(tally.bad.load(), 0);
    EXPECT_EQ(tally.success + tally.cancelled + tally.cancelled_early, issued);
    EXPECT_EQ(g_counters.completed_success.load(), tally.success.load());
    EXPECT_EQ(g_counters.completed_cancelled.load(), tally.cancelled + tally.cancelled_early);
    EXPECT_EQ(g_counters.parked.load(), 0);
    EXPECT_GT(tally.cancelled.load(), 0);
}

TEST_F(FileCancelTest, cancel_io_file_ex_racing_completion_completes_each_request_once) {
    Handle h(open_device(false));
    run_race(h, 5000);
}

// The same with cancel routines that finish the request later on a worker thread, so that
// NtCancelIoFile has to wait for it.
TEST_F(FileCancelTest, cancel_racing_completion_from_work_items_completes_each_request_once) {
    g_counters.cancel_mode = kCancelWorkItem;
    Handle h(open_device(false));
    run_race(h, 2000);
}

}  // namespace
}  // namespace ntio::test::file_cancel
