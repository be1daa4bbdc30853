// Completion ports under concurrent posting and removal: NtSetIoCompletion from several threads,
// completions of IOCTLs on a bound file, and removers taking batches with NtRemoveIoCompletionEx.
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "port_test_support.hpp"

namespace ntio::test::ports {
namespace {

constexpr int kPosters = 3;
constexpr ULONG_PTR kPerPoster = 3000;
constexpr ULONG_PTR kIoctls = 1000;
constexpr int kRemovers = 3;
constexpr ULONG_PTR kQuitKey = 0xdead;
constexpr ULONG_PTR kTotal = kPosters * kPerPoster + kIoctls;

PVOID ptr_key() { return reinterpret_cast<PVOID>(0x4b); }

// Invariant: every packet posted (by NtSetIoCompletion or by an IOCTL's completion) is removed
// exactly once, none is lost or duplicated, and packets left at close go with the port.
TEST_F(PortTest, every_posted_packet_is_removed_exactly_once) {
    Handle port(make_port(2));
    Handle file(open_device(true));
    ASSERT_EQ(bind(file, port, ptr_key()), STATUS_SUCCESS);
    std::vector<std::atomic<int>> seen(kTotal);
    std::atomic<int> failures{0};

    std::vector<std::thread> threads;
    for (int r = 0; r < kRemovers; ++r) {
        threads.emplace_back([&] {
            FILE_IO_COMPLETION_INFORMATION entries[8];
            for (;;) {
                ULONG count = 0;
                LARGE_INTEGER timeout = relative_ms(10000);
                if (NtRemoveIoCompletionEx(port, entries, 8, &count, &timeout, FALSE) != STATUS_SUCCESS) {
                    ++failures;
                    return;
                }
                int quits = 0;
                for (ULONG i = 0; i < count; ++i) {
                    const auto key = reinterpret_cast<ULONG_PTR>(entries[i].KeyContext);
                    if (key == kQuitKey) {
                        ++quits;
                        continue;
                    }
                    const auto id = reinterpret_cast<ULONG_PTR>(entries[i].ApcContext) - 1;
                    if (id >= kTotal || entries[i].IoStatusBlock.Information != id) ++failures;
                    else ++seen[id];
                }
                // One quit per remover: a batch that took another's hands it back.
                for (int q = 1; q < quits; ++q)
                    if (NtSetIoCompletion(port, reinterpret_cast<PVOID>(kQuitKey), nullptr, STATUS_SUCCESS, 0) !=
                        STATUS_SUCCESS)
                        ++failures;
                if (quits) return;
            }
        });
    }
    std::vector<std::thread> posters;
    for (int p = 0; p < kPosters; ++p) {
        posters.emplace_back([&, p] {
            for (ULONG_PTR i = 0; i < kPerPoster; ++i) {
                const ULONG_PTR id = p * kPerPoster + i;
                if (NtSetIoCompletion(port, ptr_key(), reinterpret_cast<PVOID>(id + 1), STATUS_SUCCESS, id) !=
                    STATUS_SUCCESS)
                    ++failures;
            }
        });
    }
    posters.emplace_back([&] {
        for (ULONG_PTR i = 0; i < kIoctls; ++i) {
            const ULONG_PTR id = kPosters * kPerPoster + i;
            IO_STATUS_BLOCK iosb{};
            if (ioctl(file, STATUS_SUCCESS, static_cast<ULONG>(id), i % 2 ? kPendAndComplete : kAtOnce,
                      reinterpret_cast<PVOID>(id + 1), &iosb) == STATUS_INVALID_PARAMETER)
                ++failures;
        }
    });
    for (auto& t : posters) t.join();
    for (int r = 0; r < kRemovers; ++r)
        ASSERT_EQ(NtSetIoCompletion(port, reinterpret_cast<PVOID>(kQuitKey), nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    int missing = 0, duplicated = 0;
    for (auto& s : seen) {
        if (s.load() == 0) ++missing;
        if (s.load() > 1) ++duplicated;
    }
    EXPECT_EQ(missing, 0);
    EXPECT_EQ(duplicated, 0);
    EXPECT_EQ(depth(port), 0);

    // Packets still queued at close are freed with the port (the fixture checks nothing is left).
    for (ULONG_PTR i = 0; i < 500; ++i)
        ASSERT_EQ(NtSetIoCompletion(port, ptr_key(), nullptr, STATUS_SUCCESS, i), STATUS_SUCCESS);
    EXPECT_EQ(depth(port), 500);
}

}  // namespace
}  // namespace ntio::test::ports
