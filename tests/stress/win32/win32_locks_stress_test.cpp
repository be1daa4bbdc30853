// kernel32's user-mode locks under contention (run under the tsan preset too).
// Critical section invariant: every addition made inside the section by any thread is counted, and
// no two threads are inside at once (checked by an occupancy counter), recursion included.
// SRW invariant: writers' paired additions all land, and no reader ever sees a pair half made.
// Condition variable invariant: a consumer that sleeps until an item is there takes each of the
// producers' items exactly once, whatever the interleaving of wakes.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/system_fixture.hpp"

#include <windows.h>

namespace win32_locks_stress_test {

class Win32LocksStressTest : public ntio::test::SystemTest {};

constexpr int kThreads = 4;
constexpr int kRounds = 20000;

TEST_F(Win32LocksStressTest, a_critical_section_admits_one_thread_at_a_time) {
    CRITICAL_SECTION cs;
    ASSERT_TRUE(InitializeCriticalSectionAndSpinCount(&cs, 200));
    long total = 0;
    std::atomic<int> inside{0};
    std::atomic<bool> overlapped{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kRounds; ++i) {
                if ((i + t) % 3 == 0) {
                    while (!TryEnterCriticalSection(&cs)) std::this_thread::yield();
                } else {
                    EnterCriticalSection(&cs);
                }
                EnterCriticalSection(&cs);  // recursion
                if (inside.fetch_add(1) != 0) overlapped = true;
                total = total + 1;
                inside.fetch_sub(1);
                LeaveCriticalSection(&cs);
                LeaveCriticalSection(&cs);
            }
        });
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(total, long{kThreads} * kRounds);
    EXPECT_FALSE(overlapped.load());
    DeleteCriticalSection(&cs);
}

TEST_F(Win32LocksStressTest, an_srw_lock_never_shows_a_reader_half_a_write) {
    SRWLOCK lock = SRWLOCK_INIT;
    long a = 0, b = 0;
    std::atomic<bool> torn{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kRounds; ++i) {
                if (t % 2 == 0) {
                    AcquireSRWLockExclusive(&lock);
                    a = a + 1;
                    b = b + 1;
                    ReleaseSRWLockExclusive(&lock);
                } else {
                    AcquireSRWLockShared(&lock);
                    if (a != b) torn = true;
                    ReleaseSRWLockShared(&lock);
                }
            }
        });
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(a, long{kThreads / 2} * kRounds);
    EXPECT_EQ(b, a);
    EXPECT_FALSE(torn.load());
}

TEST_F(Win32LocksStressTest, condition_variable_consumers_take_each_item_once) {
    SRWLOCK lock = SRWLOCK_INIT;
    CONDITION_VARIABLE cv = CONDITION_VARIABLE_INIT;
    constexpr int kItems = 5000;
    int queued = 0, taken = 0, producers_done = 0;
    std::vector<std::thread> threads;
    for (int p = 0; p < 2; ++p)
        threads.emplace_back([&] {
            for (int i = 0; i < kItems; ++i) {
                AcquireSRWLockExclusive(&lock);
                ++queued;
                ReleaseSRWLockExclusive(&lock);
                WakeConditionVariable(&cv);
            }
            AcquireSRWLockExclusive(&lock);
            ++producers_done;
            ReleaseSRWLockExclusive(&lock);
            WakeAllConditionVariable(&cv);
        });
    std::atomic<int> took{0};
    for (int c = 0; c < 2; ++c)
        threads.emplace_back([&] {
            AcquireSRWLockExclusive(&lock);
            for (;;) {
                while (queued == 0 && producers_done < 2) SleepConditionVariableSRW(&cv, &lock, INFINITE, 0);
                if (queued == 0) break;
                --queued;
                ++taken;
                took.fetch_add(1);
            }
            ReleaseSRWLockExclusive(&lock);
        });
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(taken, 2 * kItems);
    EXPECT_EQ(took.load(), 2 * kItems);
    EXPECT_EQ(queued, 0);
}

}  // namespace win32_locks_stress_test
