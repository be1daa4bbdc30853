// Run-down protection: references are handed out until run-down starts, the wait returns once the
// last one acquired before is released, and ExReInitializeRundownProtection opens the object again.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/run-down-protection
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace rundown_test {

class RundownTest : public ntio::test::SystemTest {};

TEST_F(RundownTest, references_are_refused_once_run_down_and_again_granted_after_reinitializing) {
    EX_RUNDOWN_REF ref;
    ExInitializeRundownProtection(&ref);
    ASSERT_TRUE(ExAcquireRundownProtection(&ref));
    ASSERT_TRUE(ExAcquireRundownProtectionEx(&ref, 3));
    ExReleaseRundownProtectionEx(&ref, 3);
    ExReleaseRundownProtection(&ref);
    ExWaitForRundownProtectionRelease(&ref);  // nothing out: returns at once
    EXPECT_FALSE(ExAcquireRundownProtection(&ref));
    EXPECT_FALSE(ExAcquireRundownProtectionEx(&ref, 2));
    ExWaitForRundownProtectionRelease(&ref);  // a second wait finds it run down
    ExRundownCompleted(&ref);
    EXPECT_FALSE(ExAcquireRundownProtection(&ref));
    ExReInitializeRundownProtection(&ref);
    ASSERT_TRUE(ExAcquireRundownProtection(&ref));
    ExReleaseRundownProtection(&ref);
}

// The wait returns only when the references acquired before it have all been released, however
// they were counted; acquires made while it waits fail.
TEST_F(RundownTest, the_wait_returns_when_the_last_reference_is_released) {
    EX_RUNDOWN_REF ref;
    ExInitializeRundownProtection(&ref);
    ASSERT_TRUE(ExAcquireRundownProtection(&ref));
    ASSERT_TRUE(ExAcquireRundownProtectionEx(&ref, 2));
    std::atomic<bool> returned{false};
    std::thread waiter([&] {
        ExWaitForRundownProtectionRelease(&ref);
        returned = true;
    });
    // The waiter has started once acquires fail.
    while (ExAcquireRundownProtection(&ref)) {
        ExReleaseRundownProtection(&ref);
        std::this_thread::yield();
    }
    ExReleaseRundownProtection(&ref);
    ExReleaseRundownProtection(&ref);
    for (int i = 0; i < 1000; ++i) std::this_thread::yield();
    EXPECT_FALSE(returned) << "one reference is still out";
    ExReleaseRundownProtection(&ref);
    waiter.join();
    EXPECT_TRUE(returned);
    EXPECT_FALSE(ExAcquireRundownProtection(&ref));
}

// Acquire and release work at DISPATCH_LEVEL.
TEST_F(RundownTest, acquire_and_release_at_dispatch_level) {
    EX_RUNDOWN_REF ref;
    ExInitializeRundownProtection(&ref);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    const BOOLEAN acquired = ExAcquireRundownProtection(&ref);
    if (acquired) ExReleaseRundownProtection(&ref);
    KeLowerIrql(old);
    EXPECT_TRUE(acquired);
    ExWaitForRundownProtectionRelease(&ref);
}

}  // namespace rundown_test
