// Fast and guarded mutexes: IRQL and APC effects, try-acquire, mutual exclusion between threads,
// and the verifier-style bugchecks for recursion, foreign release and unsafe use.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ke/thread.hpp"
#include "support/system_fixture.hpp"
#include "unit/ex/ex_test_support.hpp"

using ntio::test::ex::on_other_thread;
using ntio::test::ex::stop_of;

namespace {

class FastMutexTest : public ntio::test::SystemTest {};

TEST_F(FastMutexTest, acquire_raises_to_apc_level_and_release_restores) {
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    EXPECT_EQ(m.Count, FM_LOCK_BIT);
    ExAcquireFastMutex(&m);
    EXPECT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    EXPECT_EQ(m.Owner, static_cast<PVOID>(KeGetCurrentThread()));
    EXPECT_EQ(m.OldIrql, static_cast<ULONG>(PASSIVE_LEVEL));
    ExReleaseFastMutex(&m);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    EXPECT_EQ(m.Count, FM_LOCK_BIT);
    EXPECT_EQ(m.Owner, nullptr);
}

TEST_F(FastMutexTest, try_acquire_fails_while_another_thread_owns_it) {
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    ExAcquireFastMutex(&m);
    BOOLEAN other = TRUE;
    on_other_thread([&] {
        other = ExTryToAcquireFastMutex(&m);
        EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);  // a failed try leaves IRQL alone
    });
    EXPECT_FALSE(other);
    ExReleaseFastMutex(&m);
    ASSERT_TRUE(ExTryToAcquireFastMutex(&m));
    EXPECT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    ExReleaseFastMutex(&m);
}

TEST_F(FastMutexTest, contended_acquires_are_mutually_exclusive) {
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    long counter = 0;
    std::atomic<int> inside{0};
    bool overlap = false;
    auto work = [&] {
        for (int i = 0; i < 20000; ++i) {
            ExAcquireFastMutex(&m);
            if (inside.fetch_add(1) != 0) overlap = true;
            ++counter;
            inside.fetch_sub(1);
            ExReleaseFastMutex(&m);
        }
    };
    std::thread a(work), b(work);
    a.join();
    b.join();
    EXPECT_FALSE(overlap);
    EXPECT_EQ(counter, 40000);
    EXPECT_EQ(m.Count, FM_LOCK_BIT);
}

TEST_F(FastMutexTest, recursive_acquire_bugchecks_self_deadlock) {
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    ExAcquireFastMutex(&m);
    auto stop = stop_of([&] { ExAcquireFastMutex(&m); });
    ExReleaseFastMutex(&m);
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code, DRIVER_VERIFIER_DETECTED_VIOLATION);
    EXPECT_EQ(stop->p[0], 0x1000u);
    EXPECT_EQ(stop->p[1], reinterpret_cast<ULONG_PTR>(&m));
}

TEST_F(FastMutexTest, releasing_an_unowned_or_foreign_mutex_bugchecks) {
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    auto unowned = stop_of([&] { ExReleaseFastMutex(&m); });
    ASSERT_TRUE(unowned);
    EXPECT_EQ(unowned->code, DRIVER_VERIFIER_DETECTED_VIOLATION);
    EXPECT_EQ(unowned->p[0], 0x1007u);

    ExAcquireFastMutex(&m);
    PVOID owner = KeGetCurrentThread();
    std::optional<ntio::test::ex::Stop> foreign;
    PVOID other = nullptr;
    on_other_thread([&] {
        other = KeGetCurrentThread();
        foreign = stop_of([&] { ExReleaseFastMutex(&m); });
    });
    ExReleaseFastMutex(&m);
    ASSERT_TRUE(foreign);
    EXPECT_EQ(foreign->p[0], 0x1004u);
    EXPECT_EQ(foreign->p[2], reinterpret_cast<ULONG_PTR>(owner));
    EXPECT_EQ(foreign->p[3], reinterpret_cast<ULONG_PTR>(other));
}

// 0xC4 0x39 and 0x3A are Driver Verifier's: a caller no verifier checks is not stopped
// (tests/verifier/verifier_ddi_test.cpp trips them for a verified driver).
TEST_F(FastMutexTest, unsafe_variants_with_apcs_enabled_are_not_stopped_without_the_verifier) {
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    auto stop = stop_of([&] {
        ExAcquireFastMutexUnsafe(&m);
        EXPECT_EQ(m.Owner, static_cast<PVOID>(KeGetCurrentThread()));
        ExReleaseFastMutexUnsafe(&m);
    });
    EXPECT_FALSE(stop);
    EXPECT_EQ(m.Count, FM_LOCK_BIT);

    KeEnterCriticalRegion();
    ExAcquireFastMutexUnsafe(&m);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    ExReleaseFastMutexUnsafe(&m);
    KeLeaveCriticalRegion();
}

// Bug check 0xC4 parameters 0x33 and 0x34 are Driver Verifier's, for verified drivers only
// (tests/verifier: the DDI test driver trips both). An unverified caller gets what NT does without
// the verifier: the acquire raises to APC_LEVEL, a lowering from DISPATCH_LEVEL, which KeRaiseIrql
// stops with IRQL_NOT_GREATER_OR_EQUAL
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keraiseirql).
TEST_F(FastMutexTest, unverified_acquire_above_apc_level_is_a_raise_to_a_lower_irql) {
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    auto acquire = stop_of([&] { ExAcquireFastMutex(&m); });
    auto try_acquire = stop_of([&] { (void)ExTryToAcquireFastMutex(&m); });
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);  // neither raised nor lowered it
    KeLowerIrql(old);
    for (const auto& stop : {acquire, try_acquire}) {
        ASSERT_TRUE(stop);
        EXPECT_EQ(stop->code, IRQL_NOT_GREATER_OR_EQUAL);
        EXPECT_EQ(stop->p[0], static_cast<ULONG_PTR>(DISPATCH_LEVEL));
        EXPECT_EQ(stop->p[1], static_cast<ULONG_PTR>(APC_LEVEL));
    }
    // The refused acquires left the mutex free.
    EXPECT_EQ(m.Count, FM_LOCK_BIT);
    EXPECT_EQ(m.Owner, nullptr);
}

// Unverified, a release at another IRQL than APC_LEVEL goes through and restores the IRQL the
// acquire saved, as NT's does.
TEST_F(FastMutexTest, unverified_release_at_another_irql_goes_through) {
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    ExAcquireFastMutex(&m);
    KIRQL apc;
    KeRaiseIrql(DISPATCH_LEVEL, &apc);
    EXPECT_EQ(apc, APC_LEVEL);
    auto stop = stop_of([&] { ExReleaseFastMutex(&m); });
    EXPECT_FALSE(stop);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    EXPECT_EQ(m.Owner, nullptr);
    EXPECT_EQ(m.Count, FM_LOCK_BIT);
    EXPECT_TRUE(ExTryToAcquireFastMutex(&m));
    ExReleaseFastMutex(&m);
}

TEST_F(FastMutexTest, guarded_mutex_disables_all_apcs_without_raising_irql) {
    KGUARDED_MUTEX m;
    KeInitializeGuardedMutex(&m);
    KeAcquireGuardedMutex(&m);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    EXPECT_TRUE(KeAreAllApcsDisabled());
    BOOLEAN other = TRUE;
    on_other_thread([&] { other = KeTryToAcquireGuardedMutex(&m); });
    EXPECT_FALSE(other);
    KeReleaseGuardedMutex(&m);
    EXPECT_FALSE(KeAreAllApcsDisabled());
    ASSERT_TRUE(KeTryToAcquireGuardedMutex(&m));
    KeReleaseGuardedMutex(&m);
}

}  // namespace
