// A completion port whose concurrency value is 1, with several threads waiting on it: packets from
// NtSetIoCompletion and from IOCTL completions on a bound file are handed to one waiter at a time, and
// waiters are released last in, first out (the KQUEUE rules behind NtCreateIoCompletion's
// NumberOfConcurrentThreads; issue 4, Tests: "completion port with several waiters and a concurrency
// value of 1").
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "port_test_support.hpp"

namespace ntio::test::ports {
namespace {

constexpr int kWaiters = 4;
constexpr int kPosters = 2;
constexpr ULONG_PTR kPerPoster = 2000;
constexpr ULONG_PTR kIoctls = 1000;
constexpr ULONG_PTR kTotal = kPosters * kPerPoster + kIoctls;
constexpr ULONG_PTR kQuitKey = 0xdead;
constexpr ULONG_PTR kDataKey = 0x4b;

// Invariant: with concurrency 1 and kWaiters threads removing from the port, at no time do two
// waiters run a packet between their removal and their next wait (a thread that removed a packet
// counts as running until it waits again, on the port or elsewhere). Also: every packet is removed
// exactly once. The "running" section only does host work (no NT wait), so it never lets the port
// release another waiter; a quitting waiter blocks on an NT event, which does (an associated thread
// that blocks elsewhere frees its slot).
TEST_F(PortTest, concurrency_one_runs_one_waiter_at_a_time) {
    Handle port(make_port(1));
    Handle file(open_device(true));
    ASSERT_EQ(bind(file, port, reinterpret_cast<PVOID>(kDataKey)), STATUS_SUCCESS);
    Handle all_quit(make_event(NotificationEvent, FALSE));
    std::vector<std::atomic<int>> seen(kTotal);
    std::atomic<int> running{0};
    std::atomic<int> overlaps{0};
    std::atomic<int> failures{0};
    std::atomic<int> quits{0};
    std::vector<int> per_waiter(kWaiters, 0);

    std::vector<std::thread> waiting;
    for (int w = 0; w < kWaiters; ++w) {
        waiting.emplace_back([&, w] {
            for (;;) {
                Packet packet;
                if (remove(port, packet) != STATUS_SUCCESS) {
                    ++failures;
                    return;
                }
                if (running.fetch_add(1, std::memory_order_acq_rel) != 0) ++overlaps;
                const auto key = reinterpret_cast<ULONG_PTR>(packet.key);
                if (key == kQuitKey) {
                    running.fetch_sub(1, std::memory_order_acq_rel);
                    ++quits;
                    // Blocking here frees the port's only slot for the next waiter's quit packet.
                    LARGE_INTEGER timeout = relative_ms(10000);
                    if (NtWaitForSingleObject(all_quit, FALSE, &timeout) != STATUS_SUCCESS) ++failures;
                    return;
                }
                const auto id = reinterpret_cast<ULONG_PTR>(packet.value) - 1;
                if (key != kDataKey || id >= kTotal || packet.iosb.Information != id) ++failures;
                else ++seen[id];
                ++per_waiter[w];
                // Give another waiter every chance to run now if the port wrongly released one.
                if (id % 8 == 0) std::this_thread::yield();
                running.fetch_sub(1, std::memory_order_acq_rel);
            }
        });
    }
    // Let every waiter block in the port first, so that packets find several of them waiting.
    wait_until([&] { return PortTest::waiters(port) == kWaiters; });

    std::vector<std::thread> posters;
    for (int p = 0; p < kPosters; ++p) {
        posters.emplace_back([&, p] {
            for (ULONG_PTR i = 0; i < kPerPoster; ++i) {
                const ULONG_PTR id = p * kPerPoster + i;
                if (NtSetIoCompletion(port, reinterpret_cast<PVOID>(kDataKey), reinterpret_cast<PVOID>(id + 1),
                                      STATUS_SUCCESS, id) != STATUS_SUCCESS)
                    ++failures;
            }
        });
    }
    posters.emplace_back([&] {
        for (ULONG_PTR i = 0; i < kIoctls; ++i) {
            const ULONG_PTR id = kPosters * kPerPoster + i;
            IO_STATUS_BLOCK iosb{};
            const NTSTATUS status = ioctl(file, STATUS_SUCCESS, static_cast<ULONG>(id),
                                          i % 2 ? kPendAndComplete : kAtOnce, reinterpret_cast<PVOID>(id + 1), &iosb);
            if (status != STATUS_SUCCESS && status != STATUS_PENDING) ++failures;
        }
    });
    for (auto& t : posters) t.join();
    for (int w = 0; w < kWaiters; ++w)
        ASSERT_EQ(NtSetIoCompletion(port, reinterpret_cast<PVOID>(kQuitKey), nullptr, STATUS_SUCCESS, 0),
                  STATUS_SUCCESS);
    wait_until([&] { return quits.load() == kWaiters; });
    EXPECT_EQ(NtSetEvent(all_quit, nullptr), STATUS_SUCCESS);
    for (auto& t : waiting) t.join();

    EXPECT_EQ(overlaps.load(), 0) << "two waiters ran packets at the same time on a port of concurrency 1";
    EXPECT_EQ(failures.load(), 0);
    int missing = 0, duplicated = 0;
    for (auto& s : seen) {
        if (s.load() == 0) ++missing;
        if (s.load() > 1) ++duplicated;
    }
    EXPECT_EQ(missing, 0);
    EXPECT_EQ(duplicated, 0);
    EXPECT_EQ(depth(port), 0);
}

// Invariant: waiters blocked in a port are released last in, first out. Three threads wait in a
// known order (each one enters only once the previous one is in the port's wait list); each packet
// then goes to the most recent waiter still waiting. The taker blocks on an NT event afterwards,
// which frees the single slot of the concurrency-1 port for the next packet. Many rounds, so that a
// release order that only happens to look LIFO is caught.
TEST_F(PortTest, concurrency_one_port_releases_waiters_last_in_first_out) {
    constexpr int kRounds = 150;
    constexpr int kThreads = 3;
    int wrong_order = 0;
    for (int round = 0; round < kRounds; ++round) {
        Handle port(make_port(1));
        Handle release(make_event(NotificationEvent, FALSE));
        std::atomic<int> taken{0};
        int order[kThreads] = {-1, -1, -1};
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int w = 0; w < kThreads; ++w) {
            threads.emplace_back([&, w] {
                Packet packet;
                if (remove(port, packet) != STATUS_SUCCESS) {
                    ++failures;
                    return;
                }
                order[reinterpret_cast<ULONG_PTR>(packet.value)] = w;
                taken.fetch_add(1, std::memory_order_release);
                LARGE_INTEGER timeout = relative_ms(10000);
                if (NtWaitForSingleObject(release, FALSE, &timeout) != STATUS_SUCCESS) ++failures;
            });
            wait_until([&] { return PortTest::waiters(port) == w + 1; });
        }
        for (int p = 0; p < kThreads; ++p) {
            ASSERT_EQ(NtSetIoCompletion(port, nullptr, reinterpret_cast<PVOID>(static_cast<ULONG_PTR>(p)),
                                        STATUS_SUCCESS, 0),
                      STATUS_SUCCESS);
            wait_until([&] { return taken.load(std::memory_order_acquire) == p + 1; });
        }
        EXPECT_EQ(NtSetEvent(release, nullptr), STATUS_SUCCESS);
        for (auto& t : threads) t.join();
        ASSERT_EQ(failures.load(), 0);
        // Packet p went to the (p+1)-th most recent waiter.
        if (order[0] != 2 || order[1] != 1 || order[2] != 0) {
            ++wrong_order;
            ADD_FAILURE() << "round " << round << ": packets went to waiters " << order[0] << ", " << order[1] << ", "
                          << order[2] << " (expected 2, 1, 0)";
            if (wrong_order > 3) return;
        }
    }
}

}  // namespace
}  // namespace ntio::test::ports
