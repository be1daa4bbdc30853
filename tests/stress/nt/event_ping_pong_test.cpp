// NtSetEvent / NtWaitForSingleObject ping-pong between two threads through synchronization events.
// Invariant: every set is consumed by exactly one wait — each side's wait returns STATUS_SUCCESS
// once per round, the round counters advance in lock step, and both events end non-signalled.
#include <atomic>
#include <thread>

#include "support/system_fixture.hpp"

#undef __try  // the SEH emulation in <wdm.h> takes the name over
#include <ntio/ntapi.h>

namespace ntio::test {
namespace {

using NtStress = SystemTest;

TEST_F(NtStress, set_wait_ping_pong_consumes_every_set_exactly_once) {
    constexpr int kRounds = 20000;
    HANDLE ping = nullptr, pong = nullptr;
    ASSERT_EQ(NtCreateEvent(&ping, EVENT_ALL_ACCESS, nullptr, SynchronizationEvent, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(NtCreateEvent(&pong, EVENT_ALL_ACCESS, nullptr, SynchronizationEvent, FALSE), STATUS_SUCCESS);
    std::atomic<int> pinged{0}, ponged{0};
    int failures = 0;
    std::thread partner([&] {
        int bad = 0;
        for (int i = 0; i < kRounds; ++i) {
            if (NtWaitForSingleObject(ping, FALSE, nullptr) != STATUS_SUCCESS) ++bad;
            // The main thread set ping exactly once since our last wait.
            if (pinged.load(std::memory_order_acquire) != i + 1) ++bad;
            ponged.store(i + 1, std::memory_order_release);
            if (NtSetEvent(pong, nullptr) != STATUS_SUCCESS) ++bad;
        }
        failures += bad;
    });
    int bad = 0;
    for (int i = 0; i < kRounds; ++i) {
        pinged.store(i + 1, std::memory_order_release);
        if (NtSetEvent(ping, nullptr) != STATUS_SUCCESS) ++bad;
        if (NtWaitForSingleObject(pong, FALSE, nullptr) != STATUS_SUCCESS) ++bad;
        if (ponged.load(std::memory_order_acquire) != i + 1) ++bad;
    }
    partner.join();
    EXPECT_EQ(bad + failures, 0);
    LARGE_INTEGER zero;
    zero.QuadPart = 0;
    EXPECT_EQ(NtWaitForSingleObject(ping, FALSE, &zero), STATUS_TIMEOUT);
    EXPECT_EQ(NtWaitForSingleObject(pong, FALSE, &zero), STATUS_TIMEOUT);
    EXPECT_EQ(NtClose(ping), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(pong), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test
