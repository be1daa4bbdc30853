// host::FutexMutex (the uring rings' lock) under contention. Each test states its invariant; all
// must hold under ThreadSanitizer, which also checks that the lock orders what it guards.
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "host/futex_mutex.hpp"

namespace ntio::host {
namespace {

constexpr int kThreads = 4;  // twice this machine's CPUs: holders get preempted, waiters sleep
constexpr int kRounds = 20000;

// Invariant: mutual exclusion and no lost wake-up. Inside the lock exactly one thread is ever
// present (`inside` is 1 each time it is checked), a plain counter guarded by the lock reaches
// kThreads * kRounds (no increment lost), and every thread finishes (a sleeper whose wake-up was
// lost would hang the test).
TEST(FutexMutexStress, one_holder_at_a_time_and_every_waiter_gets_the_lock) {
    FutexMutex lock;
    long guarded = 0;
    std::atomic<int> inside{0};
    std::atomic<int> overlaps{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
            for (int r = 0; r < kRounds; ++r) {
                std::lock_guard<FutexMutex> guard(lock);
                if (inside.fetch_add(1, std::memory_order_relaxed) != 0) overlaps.fetch_add(1);
                ++guarded;
                if (r % 64 == 0) std::this_thread::yield();  // a holder that stalls: the others sleep
                inside.fetch_sub(1, std::memory_order_relaxed);
            }
        });
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(overlaps.load(), 0);
    EXPECT_EQ(guarded, static_cast<long>(kThreads) * kRounds);
}

// Invariant: try_lock never takes a held lock and never fails on a free one it alone contends for;
// mixed with blocking lockers, every successful try_lock and every lock is counted exactly once.
TEST(FutexMutexStress, try_lock_succeeds_only_on_a_free_lock) {
    FutexMutex lock;
    ASSERT_TRUE(lock.try_lock());
    EXPECT_FALSE(lock.try_lock());
    lock.unlock();
    ASSERT_TRUE(lock.try_lock());
    lock.unlock();

    long guarded = 0;
    std::atomic<long> taken{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int r = 0; r < kRounds; ++r) {
                if (t % 2 == 0) {
                    if (!lock.try_lock()) continue;
                } else {
                    lock.lock();
                }
                ++guarded;
                taken.fetch_add(1, std::memory_order_relaxed);
                lock.unlock();
            }
        });
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(guarded, taken.load());
    EXPECT_GE(taken.load(), static_cast<long>(kThreads / 2) * kRounds);  // every blocking lock counted
    EXPECT_TRUE(lock.try_lock());  // left free
    lock.unlock();
}

}  // namespace
}  // namespace ntio::host
