// Completion ports under concurrent posts and removals: producers post with NtSetIoCompletion while
// consumers take packets with batched (NtRemoveIoCompletionEx) and single (NtRemoveIoCompletion)
// removals that block when the port is empty.
// Invariants: every packet is removed exactly once; each consumer sees each producer's packets in
// the order they were posted (the port is FIFO); no wake is lost (every consumer's blocking removal
// returns, so the test ends); and once all are removed, the port's depth is 0. The second test
// posts one packet at a time to a consumer that has just emptied the port and is going to block, so
// that each post races with the consumer's wait: a lost wake hangs it.
#include <atomic>
#include <thread>
#include <vector>

#include "support/system_fixture.hpp"

#undef __try  // the SEH emulation in <wdm.h> takes the name over
#include <ntio/ntapi.h>

namespace ntio::test {
namespace {

using PortStress = SystemTest;

TEST_F(PortStress, every_packet_is_removed_once_in_each_producers_order_and_no_wake_is_lost) {
    constexpr int kProducers = 2;
    constexpr int kConsumers = 2;
    constexpr ULONG_PTR kPerProducer = 20000;
    PVOID const stop_key = reinterpret_cast<PVOID>(ULONG_PTR{0xdead});
    HANDLE port = nullptr;
    ASSERT_EQ(NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, kConsumers), STATUS_SUCCESS);
    std::vector<std::atomic<unsigned char>> seen(kProducers * kPerProducer);
    std::atomic<int> failures{0};
    std::vector<std::thread> consumers;
    for (int c = 0; c < kConsumers; ++c) {
        consumers.emplace_back([&, c] {
            ULONG_PTR last[kProducers];
            for (auto& l : last) l = ~ULONG_PTR{0};
            int bad = 0;
            auto take = [&](PVOID key, ULONG_PTR information) {
                const auto producer = reinterpret_cast<ULONG_PTR>(key) - 1;
                if (producer >= kProducers || information >= kPerProducer) return ++bad, void();
                if (last[producer] != ~ULONG_PTR{0} && information <= last[producer]) ++bad;  // out of order
                last[producer] = information;
                if (seen[producer * kPerProducer + information].fetch_add(1) != 0) ++bad;  // twice
            };
            for (unsigned round = 0;; ++round) {
                if (round % 3 == 0) {
                    PVOID key = nullptr, value = nullptr;
                    IO_STATUS_BLOCK iosb{};
                    if (NtRemoveIoCompletion(port, &key, &value, &iosb, nullptr) != STATUS_SUCCESS) {
                        ++bad;
                        break;
                    }
                    if (key == stop_key) break;
                    take(key, iosb.Information);
                    continue;
                }
                FILE_IO_COMPLETION_INFORMATION entries[16];
                ULONG removed = 0;
                if (NtRemoveIoCompletionEx(port, entries, 16, &removed, nullptr, FALSE) != STATUS_SUCCESS || removed == 0) {
                    ++bad;
                    break;
                }
                bool stop = false;
                for (ULONG i = 0; i < removed; ++i) {
                    if (entries[i].KeyContext == stop_key) {
                        // A stop is posted after every producer has finished, so nothing follows it
                        // but the other consumer's stop: hand that one back.
                        if (stop && NtSetIoCompletion(port, stop_key, nullptr, STATUS_SUCCESS, 0) != STATUS_SUCCESS) ++bad;
                        stop = true;
                        continue;
                    }
                    if (stop) ++bad;
                    take(entries[i].KeyContext, entries[i].IoStatusBlock.Information);
                }
                if (stop) break;
            }
            (void)c;
            failures += bad;
        });
    }
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
        producers.emplace_back([&, p] {
            int bad = 0;
            PVOID const key = reinterpret_cast<PVOID>(static_cast<ULONG_PTR>(p + 1));
            for (ULONG_PTR i = 0; i < kPerProducer; ++i) {
                if (NtSetIoCompletion(port, key, nullptr, STATUS_SUCCESS, i) != STATUS_SUCCESS) ++bad;
                // Now and then let the consumers run dry, so that they block and must be woken.
                if (i % 4096 == 0) std::this_thread::yield();
            }
            failures += bad;
        });
    }
    for (auto& t : producers) t.join();
    for (int c = 0; c < kConsumers; ++c)
        ASSERT_EQ(NtSetIoCompletion(port, stop_key, nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    for (auto& t : consumers) t.join();
    EXPECT_EQ(failures.load(), 0);
    ULONG_PTR missing = 0;
    for (auto& s : seen) missing += s.load() == 0;
    EXPECT_EQ(missing, 0u);
    IO_COMPLETION_BASIC_INFORMATION info{-1};
    ULONG returned = 0;
    EXPECT_EQ(NtQueryIoCompletion(port, IoCompletionBasicInformation, &info, sizeof(info), &returned), STATUS_SUCCESS);
    EXPECT_EQ(info.Depth, 0);
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

TEST_F(PortStress, a_post_always_wakes_a_consumer_that_is_about_to_block) {
    constexpr ULONG_PTR kRounds = 20000;
    HANDLE port = nullptr;
    ASSERT_EQ(NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 1), STATUS_SUCCESS);
    std::atomic<ULONG_PTR> consumed{0};
    std::atomic<int> failures{0};
    std::thread consumer([&] {
        int bad = 0;
        for (ULONG_PTR i = 0; i < kRounds; ++i) {
            ULONG_PTR information = ~ULONG_PTR{0};
            if (i % 2) {
                PVOID key = nullptr, value = nullptr;
                IO_STATUS_BLOCK iosb{};
                if (NtRemoveIoCompletion(port, &key, &value, &iosb, nullptr) != STATUS_SUCCESS) ++bad;
                information = iosb.Information;
            } else {
                FILE_IO_COMPLETION_INFORMATION entries[4];
                ULONG removed = 0;
                if (NtRemoveIoCompletionEx(port, entries, 4, &removed, nullptr, FALSE) != STATUS_SUCCESS || removed != 1)
                    ++bad;
                information = entries[0].IoStatusBlock.Information;
            }
            if (information != i) ++bad;
            consumed.store(i + 1, std::memory_order_release);
        }
        failures += bad;
    });
    int bad = 0;
    unsigned random = 12345;
    for (ULONG_PTR i = 0; i < kRounds; ++i) {
        // A varying pause, so that posts land at every point of the consumer's way into its wait.
        random ^= random << 13;
        random ^= random >> 17;
        random ^= random << 5;
        for (unsigned spin = random % 2048; spin; --spin) asm volatile("");
        if (NtSetIoCompletion(port, nullptr, nullptr, STATUS_SUCCESS, i) != STATUS_SUCCESS) ++bad;
        while (consumed.load(std::memory_order_acquire) != i + 1) std::this_thread::yield();
    }
    consumer.join();
    EXPECT_EQ(bad + failures.load(), 0);
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test
