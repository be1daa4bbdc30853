// Executive spin locks and push locks under contention. Invariants, for each lock:
// - mutual exclusion: an exclusive owner never runs alongside another owner of either kind (each
//   owner counts itself in while it holds the lock);
// - shared owners overlap: two readers get in together (each waits inside for the other);
// - nothing is lost: a plain counter written only under the exclusive lock ends at exactly the
//   number of exclusive acquisitions, and every thread finishes (a lost wake-up would leave a push
//   lock waiter parked for ever).
// No step waits for wall-clock time.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace rw_locks_stress_test {

class RwLocksStressTest : public ntio::test::SystemTest {};

struct Census {
    std::atomic<int> readers{0};
    std::atomic<int> writers{0};
    std::atomic<long> violations{0};
    long counter = 0;  // written under the exclusive lock only

    void enter_exclusive() {
        if (writers.fetch_add(1) != 0 || readers.load() != 0) violations.fetch_add(1);
        ++counter;
    }
    void leave_exclusive() { writers.fetch_sub(1); }
    void enter_shared() {
        readers.fetch_add(1);
        if (writers.load() != 0) violations.fetch_add(1);
    }
    void leave_shared() { readers.fetch_sub(1); }
};

constexpr int kThreads = 4;
constexpr int kWriteEvery = 4;
// Push lock waiters sleep and each hand-off wakes a thread (a host context switch), so the push
// lock runs fewer rounds than the spin lock.
constexpr int kSpinIterations = 20000;
constexpr int kPushIterations = 5000;
constexpr long expected_writes(int iterations) { return static_cast<long>(kThreads) * (iterations / kWriteEvery); }

// Runs body(thread, iteration) on kThreads threads, released together so that they contend.
template <typename Body>
void run_threads(int iterations, Body body) {
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            ready.fetch_add(1);
            while (ready.load() < kThreads) std::this_thread::yield();
            for (int i = 0; i < iterations; ++i) body(t, i);
        });
    for (auto& th : threads) th.join();
}

// Two readers each hold the lock until both are inside.
template <typename Shared, typename Unshared>
bool readers_overlap(Shared acquire, Unshared release) {
    std::atomic<int> inside{0};
    std::atomic<int> seen_both{0};
    auto reader = [&] {
        acquire();
        inside.fetch_add(1);
        while (inside.load() < 2) std::this_thread::yield();
        seen_both.fetch_add(1);
        release();
    };
    std::thread a(reader), b(reader);
    a.join();
    b.join();
    return seen_both.load() == 2;
}

TEST_F(RwLocksStressTest, executive_spin_lock_excludes_writers_and_overlaps_readers) {
    EX_SPIN_LOCK lock = 0;
    Census census;
    EXPECT_TRUE(readers_overlap(
        [&] { (void)ExAcquireSpinLockShared(&lock); },
        [&] { ExReleaseSpinLockShared(&lock, PASSIVE_LEVEL); }));
    run_threads(kSpinIterations, [&](int t, int i) {
        if (i % kWriteEvery == 0) {
            const KIRQL old = ExAcquireSpinLockExclusive(&lock);
            census.enter_exclusive();
            census.leave_exclusive();
            ExReleaseSpinLockExclusive(&lock, old);
        } else if ((i + t) % 3 == 0) {
            // The DPC-level forms, and a conversion when this reader is alone.
            const KIRQL old = KeRaiseIrqlToDpcLevel();
            ExAcquireSpinLockSharedAtDpcLevel(&lock);
            census.enter_shared();
            census.leave_shared();
            if (ExTryConvertSharedSpinLockExclusive(&lock)) {
                if (census.writers.fetch_add(1) != 0 || census.readers.load() != 0) census.violations.fetch_add(1);
                census.writers.fetch_sub(1);
                ExReleaseSpinLockExclusiveFromDpcLevel(&lock);
            } else {
                ExReleaseSpinLockSharedFromDpcLevel(&lock);
            }
            KeLowerIrql(old);
        } else {
            const KIRQL old = ExAcquireSpinLockShared(&lock);
            census.enter_shared();
            census.leave_shared();
            ExReleaseSpinLockShared(&lock, old);
        }
    });
    EXPECT_EQ(census.violations.load(), 0);
    EXPECT_EQ(census.counter, expected_writes(kSpinIterations));
    EXPECT_EQ(lock, 0);
}

TEST_F(RwLocksStressTest, push_lock_excludes_writers_overlaps_readers_and_wakes_every_waiter) {
    EX_PUSH_LOCK lock;
    ExInitializePushLock(&lock);
    Census census;
    EXPECT_TRUE(readers_overlap(
        [&] {
            KeEnterCriticalRegion();
            ExAcquirePushLockShared(&lock);
        },
        [&] {
            ExReleasePushLockShared(&lock);
            KeLeaveCriticalRegion();
        }));
    run_threads(kPushIterations, [&](int, int i) {
        KeEnterCriticalRegion();
        if (i % kWriteEvery == 0) {
            ExAcquirePushLockExclusive(&lock);
            census.enter_exclusive();
            std::this_thread::yield();  // let the others pile up behind the writer
            census.leave_exclusive();
            ExReleasePushLockExclusive(&lock);
        } else {
            ExAcquirePushLockShared(&lock);
            census.enter_shared();
            census.leave_shared();
            ExReleasePushLockShared(&lock);
        }
        KeLeaveCriticalRegion();
    });
    EXPECT_EQ(census.violations.load(), 0);
    EXPECT_EQ(census.counter, expected_writes(kPushIterations));
    EXPECT_EQ(lock, 0u);
}

}  // namespace rw_locks_stress_test
