// Closing a file while its I/O is in flight. Each round opens the CleanupQueue device (sometimes
// with a duplicate handle), parks requests on it, then three threads race: one closes the handles
// (the last close sends CLEANUP, which drains the file's parked IRPs with STATUS_CANCELLED), one
// is the driver's "hardware" finishing parked IRPs with STATUS_SUCCESS, and one keeps issuing
// requests on the handle while it is being closed (and exits with them pending, so thread exit
// cancels what is still parked: a fourth party to the race).
//
// Invariant: every request either fails at once (STATUS_INVALID_HANDLE once the handle is gone,
// or STATUS_CANCELLED when the driver refuses it after CLEANUP) or completes exactly once, with
// STATUS_SUCCESS or STATUS_CANCELLED, in its IOSB and event: never both (a second completion would
// bugcheck 0x44), never neither (every event is signalled). Each file gets one CLEANUP and one
// CLOSE, and CLOSE comes only after the last of its IRPs completed. Nothing leaks.
#include <chrono>
#include <thread>
#include <vector>

#include "unit/io/cancel/cleanup_queue_driver.hpp"

namespace ntio::io::test {
namespace {

constexpr int kRounds = 3000;
constexpr int kParked = 6;   // requests parked before the race
constexpr int kLate = 4;     // requests issued during the race

struct Request {
    HANDLE event = nullptr;
    IO_STATUS_BLOCK iosb{};
    NTSTATUS returned = STATUS_SUCCESS;
};

using CloseDuringIoStress = CleanupQueueTest;

TEST_F(CloseDuringIoStress, every_request_completes_once_when_the_handle_closes_under_it)
{
    std::vector<Request> requests(kParked + kLate);
    for (Request& r : requests) r.event = event();
    int bad_returns = 0, unsignalled = 0, bad_statuses = 0;
    int outcomes[4] = {};  // refused at once, completed with success, completed cancelled

    for (int round = 0; round < kRounds && !HasFailure(); ++round) {
        HANDLE h = open();
        HANDLE dup = nullptr;
        if (round % 2) {
            ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), h, NtCurrentProcess(), &dup, 0, 0, DUPLICATE_SAME_ACCESS),
                      STATUS_SUCCESS);
        }
        for (Request& r : requests) {
            NtClearEvent(r.event);
            r.iosb.Status = 0x1234;
            r.returned = STATUS_SUCCESS;
        }
        for (int i = 0; i < kParked; ++i) {
            requests[i].returned = park(h, requests[i].event, &requests[i].iosb);
            ASSERT_EQ(requests[i].returned, STATUS_PENDING);
        }

        std::atomic<int> ready{0};
        auto start = [&] {
            ready.fetch_add(1);
            while (ready.load() < 3) std::this_thread::yield();
        };
        std::thread closer([&] {
            start();
            if (dup) {
                EXPECT_EQ(NtClose(dup), STATUS_SUCCESS);
            }
            EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        });
        std::thread hardware([&] {
            start();
            for (int i = 0; i < kParked + kLate; ++i) {
                if (!cleanup_queue_complete_next()) std::this_thread::yield();
            }
        });
        std::thread issuer([&] {
            start();
            for (int i = kParked; i < kParked + kLate; ++i)
                requests[i].returned = park(h, requests[i].event, &requests[i].iosb);
        });
        closer.join();
        hardware.join();
        issuer.join();
        // What the hardware did not get to stays parked only if its file is still open; it is not.
        while (cleanup_queue_complete_next()) {
        }

        for (const Request& r : requests) {
            if (r.returned == STATUS_INVALID_HANDLE || r.returned == STATUS_CANCELLED) {
                ++outcomes[0];
                continue;
            }
            if (r.returned != STATUS_PENDING) {
                ++bad_returns;
                continue;
            }
            // A hang would show here as an unsignalled event; the bound only turns a hang into a failure.
            if (!signalled(r.event, 10 * 1000 * 1000 * 10LL)) ++unsignalled;
            if (r.iosb.Status == STATUS_SUCCESS) ++outcomes[1];
            else if (r.iosb.Status == STATUS_CANCELLED) ++outcomes[2];
            else ++bad_statuses;
        }
        const int rounds_done = round + 1;
        EXPECT_EQ(g_cleanup_queue.cleanups.load(), rounds_done);
        // The file object's last reference may go with a completion on the driver's thread; its
        // deletion, and so IRP_MJ_CLOSE, then runs on a worker a moment later (bounded wait).
        for (int i = 0; i < 5000 && g_cleanup_queue.closes.load() < rounds_done; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        EXPECT_EQ(g_cleanup_queue.closes.load(), rounds_done);
    }
    // How the races fell (in the test's XML output): a typical run has all three in the thousands.
    RecordProperty("refused", outcomes[0]);
    RecordProperty("completed_success", outcomes[1]);
    RecordProperty("completed_cancelled", outcomes[2]);
    EXPECT_EQ(bad_returns, 0);
    EXPECT_EQ(unsignalled, 0);
    EXPECT_EQ(bad_statuses, 0);
    EXPECT_EQ(g_cleanup_queue.closes_with_irps_left.load(), 0);
    for (Request& r : requests) EXPECT_EQ(NtClose(r.event), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::io::test
