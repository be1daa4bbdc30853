// Stress for remove locks: IoReleaseRemoveLockAndWait racing threads that acquire and release
// (NT fact M4). Runs under tsan.
#include <atomic>
#include <thread>
#include <vector>

#include "support/system_fixture.hpp"

#include <wdm.h>

namespace {

class RemoveLockStress : public ntio::test::SystemTest {};

constexpr ULONG kTag = 0x6B6C6D52;  // "Rmlk"

// Invariant: once IoReleaseRemoveLockAndWait returns, no acquisition is outstanding and none
// succeeds again; every acquisition that succeeded was released exactly once before that.
TEST_F(RemoveLockStress, ReleaseAndWaitAgainstConcurrentAcquirers) {
    for (int round = 0; round < 1000; ++round) {
        IO_REMOVE_LOCK lock;
        IoInitializeRemoveLock(&lock, kTag, 0, 0);
        std::atomic<int> holders{0};
        std::atomic<bool> removed_returned{false};
        std::atomic<bool> violation{false};
        std::vector<std::thread> threads;
        for (int t = 0; t < 3; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 50; ++i) {
                    if (IoAcquireRemoveLock(&lock, nullptr) != STATUS_SUCCESS) break;
                    holders.fetch_add(1);
                    if (removed_returned.load()) violation = true;
                    holders.fetch_sub(1);
                    IoReleaseRemoveLock(&lock, nullptr);
                }
            });
        }
        ASSERT_EQ(IoAcquireRemoveLock(&lock, nullptr), STATUS_SUCCESS);
        IoReleaseRemoveLockAndWait(&lock, nullptr);
        removed_returned = true;
        EXPECT_EQ(holders.load(), 0);
        EXPECT_EQ(IoAcquireRemoveLock(&lock, nullptr), STATUS_DELETE_PENDING);
        for (auto& th : threads) th.join();
        ASSERT_FALSE(violation.load()) << "round " << round;
        EXPECT_EQ(lock.Common.IoCount, 0);
    }
}

}  // namespace
