// Cache-aware run-down protection through <wdm.h>: allocated or in caller storage of the size it
// asks for, references across processors, the wait, completion and reinitialization.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatecacheawarerundownprotection
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace rundown_cache_aware_test {

class RundownCacheAwareTest : public ntio::test::SystemTest {};

TEST_F(RundownCacheAwareTest, references_are_refused_once_run_down_and_granted_again_after_reinitializing) {
    PEX_RUNDOWN_REF_CACHE_AWARE ref = ExAllocateCacheAwareRundownProtection(NonPagedPoolNx, 'rdCA');
    ASSERT_NE(ref, nullptr);
    ASSERT_TRUE(ExAcquireRundownProtectionCacheAware(ref));
    ASSERT_TRUE(ExAcquireRundownProtectionCacheAwareEx(ref, 3));
    ExReleaseRundownProtectionCacheAwareEx(ref, 3);
    ExReleaseRundownProtectionCacheAware(ref);
    ExWaitForRundownProtectionReleaseCacheAware(ref);
    EXPECT_FALSE(ExAcquireRundownProtectionCacheAware(ref));
    EXPECT_FALSE(ExAcquireRundownProtectionCacheAwareEx(ref, 2));
    ExWaitForRundownProtectionReleaseCacheAware(ref);  // a second wait finds it run down
    ExRundownCompletedCacheAware(ref);
    EXPECT_FALSE(ExAcquireRundownProtectionCacheAware(ref));
    ExReInitializeRundownProtectionCacheAware(ref);
    ASSERT_TRUE(ExAcquireRundownProtectionCacheAware(ref));
    ExReleaseRundownProtectionCacheAware(ref);
    ExFreeCacheAwareRundownProtection(ref);
}

TEST_F(RundownCacheAwareTest, caller_storage_of_the_reported_size_works_the_same) {
    const SIZE_T size = ExSizeOfRundownProtectionCacheAware();
    ASSERT_GE(size, sizeof(PVOID));
    std::vector<unsigned char> storage(size + 7);
    // Deliberately misaligned: the structure must place its own lines.
    auto ref = reinterpret_cast<PEX_RUNDOWN_REF_CACHE_AWARE>(storage.data() + 8);
    ExInitializeRundownProtectionCacheAware(ref, size - 1);
    ASSERT_TRUE(ExAcquireRundownProtectionCacheAwareEx(ref, 2));
    ExReleaseRundownProtectionCacheAwareEx(ref, 2);
    ExWaitForRundownProtectionReleaseCacheAware(ref);
    EXPECT_FALSE(ExAcquireRundownProtectionCacheAware(ref));
}

// References acquired on one thread and released on others (so on other processors' counters):
// the wait returns only once the last one is released.
TEST_F(RundownCacheAwareTest, the_wait_returns_when_the_last_reference_is_released_on_any_thread) {
    PEX_RUNDOWN_REF_CACHE_AWARE ref = ExAllocateCacheAwareRundownProtection(NonPagedPoolNx, 'rdCA');
    ASSERT_NE(ref, nullptr);
    ASSERT_TRUE(ExAcquireRundownProtectionCacheAwareEx(ref, 4));
    std::atomic<bool> returned{false};
    std::atomic<int> released{0};
    std::thread waiter([&] {
        ExWaitForRundownProtectionReleaseCacheAware(ref);
        returned.store(true);
    });
    std::vector<std::thread> releasers;
    for (int i = 0; i < 3; ++i) {
        releasers.emplace_back([&] {
            ExReleaseRundownProtectionCacheAware(ref);
            released.fetch_add(1);
        });
    }
    for (auto& t : releasers) t.join();
    EXPECT_EQ(released.load(), 3);
    EXPECT_FALSE(returned.load());  // one reference still out
    ExReleaseRundownProtectionCacheAware(ref);
    waiter.join();
    EXPECT_TRUE(returned.load());
    EXPECT_FALSE(ExAcquireRundownProtectionCacheAware(ref));
    ExFreeCacheAwareRundownProtection(ref);
}

}  // namespace rundown_cache_aware_test
