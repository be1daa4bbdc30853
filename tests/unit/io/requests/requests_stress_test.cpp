// Stress: synchronous requests from several threads on one synchronous handle, pended by the
// driver and finished from a work item, or completed at once.
#include <thread>
#include <vector>

#include "unit/io/requests/requests_test_driver.hpp"

namespace ntio::io::requests_test {
namespace {

class RequestsStressTest : public RequestsTest {
protected:
    // `threads` threads each send `iterations` buffered IOCTLs on one synchronous handle to a
    // driver behaving as `behaviour`; returns how many did not end with STATUS_SUCCESS and 0 bytes
    // (NT fact L10), and checks the driver never had two in flight and saw every one.
    int sync_handle_requests(Behaviour behaviour, int threads, int iterations);
};

int RequestsStressTest::sync_handle_requests(Behaviour behaviour, int threads, int iterations)
{
    load();
    HANDLE h = nullptr;
    {
        PreviousModeScope user(UserMode);
        h = open_sync(L"\\??\\ReqBuffered");
    }
    g_state.take();
    g_state.behaviour = behaviour;
    std::atomic<int> failures{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            PreviousModeScope user(UserMode);
            for (int i = 0; i < iterations; ++i) {
                IO_STATUS_BLOCK iosb{};
                iosb.Information = 99;
                NTSTATUS status = NtDeviceIoControlFile(h, nullptr, nullptr, nullptr, &iosb, kIoctlBuffered, nullptr,
                                                        0, nullptr, 0);
                if (status != STATUS_SUCCESS || iosb.Status != STATUS_SUCCESS || iosb.Information != 0) ++failures;
            }
        });
    }
    for (std::thread& worker : workers) worker.join();
    drain_work();
    EXPECT_EQ(g_state.max_in_flight.load(), 1);
    EXPECT_EQ(g_state.take().size(), static_cast<std::size_t>(threads * iterations));
    PreviousModeScope user(UserMode);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    return failures.load();
}

// Invariant: the file object lock serialises requests on a synchronous file object, so the driver
// never has two of them in flight; every caller blocks until its own request finished and gets
// STATUS_SUCCESS with 0 bytes, and nothing leaks or hangs.
TEST_F(RequestsStressTest, sync_handle_serialises_concurrent_requests)
{
    EXPECT_EQ(sync_handle_requests(Behaviour::work_item, 4, 500), 0);
}

// Invariant: requests that complete at once hand the file object lock from thread to thread many
// times a millisecond; a waiter that counts itself just as the holder releases the lock is woken
// or finds the lock free (no lost wake-up, so no thread sleeps forever), and the driver still
// never sees two requests at once.
TEST_F(RequestsStressTest, sync_handle_lock_hand_off_with_inline_completion)
{
    EXPECT_EQ(sync_handle_requests(Behaviour::counted, 3, 20000), 0);
}

}  // namespace
}  // namespace ntio::io::requests_test
