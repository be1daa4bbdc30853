// Stress: synchronous requests from several threads on one synchronous handle, each pended by the
// driver and finished from a work item.
#include <thread>
#include <vector>

#include "unit/io/requests/requests_test_driver.hpp"

namespace ntio::io::requests_test {
namespace {

// Invariant: the file object lock serialises requests on a synchronous file object, so the driver
// never has two of them in flight; every caller blocks until its own request finished and gets
// STATUS_SUCCESS with 0 bytes (NT fact L10), and nothing leaks or hangs.
TEST_F(RequestsTest, sync_handle_serialises_concurrent_requests)
{
    load();
    HANDLE h = nullptr;
    {
        PreviousModeScope user(UserMode);
        h = open_sync(L"\\??\\ReqBuffered");
    }
    g_state.take();
    g_state.behaviour = Behaviour::work_item;
    constexpr int kThreads = 4;
    constexpr int kIterations = 500;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            PreviousModeScope user(UserMode);
            for (int i = 0; i < kIterations; ++i) {
                IO_STATUS_BLOCK iosb{};
                iosb.Information = 99;
                NTSTATUS status = NtDeviceIoControlFile(h, nullptr, nullptr, nullptr, &iosb, kIoctlBuffered, nullptr,
                                                        0, nullptr, 0);
                if (status != STATUS_SUCCESS || iosb.Status != STATUS_SUCCESS || iosb.Information != 0) ++failures;
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    drain_work();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(g_state.max_in_flight.load(), 1);
    EXPECT_EQ(g_state.take().size(), static_cast<std::size_t>(kThreads * kIterations));
    PreviousModeScope user(UserMode);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// Invariant: requests that complete at once hand the file object lock from thread to thread many
// times a millisecond; a waiter that counts itself just as the holder releases the lock is woken
// or finds the lock free (no lost wake-up, so no thread sleeps forever), and the driver still
// never sees two requests at once.
TEST_F(RequestsTest, sync_handle_lock_hand_off_with_inline_completion)
{
    load();
    HANDLE h = nullptr;
    {
        PreviousModeScope user(UserMode);
        h = open_sync(L"\\??\\ReqBuffered");
    }
    g_state.take();
    g_state.behaviour = Behaviour::counted;
    constexpr int kThreads = 3;
    constexpr int kIterations = 20000;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            PreviousModeScope user(UserMode);
            for (int i = 0; i < kIterations; ++i) {
                IO_STATUS_BLOCK iosb{};
                NTSTATUS status = NtDeviceIoControlFile(h, nullptr, nullptr, nullptr, &iosb, kIoctlBuffered, nullptr,
                                                        0, nullptr, 0);
                if (status != STATUS_SUCCESS || iosb.Status != STATUS_SUCCESS) ++failures;
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(g_state.max_in_flight.load(), 1);
    EXPECT_EQ(g_state.take().size(), static_cast<std::size_t>(kThreads * kIterations));
    PreviousModeScope user(UserMode);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::io::requests_test
