// The executive's old spellings: the resource names the WDK maps to the Lite routines and the
// obsolete interlocked routines that report the sign of the result (INTERLOCKED_RESULT).
#include <gtest/gtest.h>

#include <ntifs.h>

#include "support/system_fixture.hpp"

namespace ex_old_names_test {

class ExOldNamesTest : public ntio::test::SystemTest {};

TEST_F(ExOldNamesTest, resource_old_names_act_as_the_lite_routines) {
    ERESOURCE resource;
    ASSERT_EQ(ExInitializeResource(&resource), STATUS_SUCCESS);
    KeEnterCriticalRegion();
    EXPECT_EQ(ExIsResourceAcquired(&resource), 0u);
    ASSERT_TRUE(ExAcquireResourceExclusiveLite(&resource, TRUE));
    EXPECT_EQ(ExIsResourceAcquired(&resource), 1u);
    ExConvertExclusiveToShared(&resource);
    EXPECT_FALSE(ExIsResourceAcquiredExclusiveLite(&resource));
    EXPECT_EQ(ExIsResourceAcquiredSharedLite(&resource), 1u);
    ExDisableResourceBoost(&resource);
    EXPECT_NE(resource.Flag & ResourceDisableBoost, 0);
    ExReleaseResourceLite(&resource);
    KeLeaveCriticalRegion();
    EXPECT_EQ(ExDeleteResource(&resource), STATUS_SUCCESS);
}

TEST_F(ExOldNamesTest, interlocked_increment_and_decrement_report_the_sign_of_the_result) {
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    LONG value = -2;
    EXPECT_EQ(ExInterlockedIncrementLong(&value, &lock), ResultNegative);
    EXPECT_EQ(value, -1);
    EXPECT_EQ(ExInterlockedIncrementLong(&value, &lock), ResultZero);
    EXPECT_EQ(ExInterlockedIncrementLong(&value, &lock), ResultPositive);
    EXPECT_EQ(value, 1);
    EXPECT_EQ(ExInterlockedDecrementLong(&value, &lock), ResultZero);
    EXPECT_EQ(ExInterlockedDecrementLong(&value, &lock), ResultNegative);
    EXPECT_EQ(value, -1);
    value = 5;
    EXPECT_EQ(ExInterlockedDecrementLong(&value, &lock), ResultPositive);
    EXPECT_EQ(lock, 0u);  // x64: the lock is not used
    EXPECT_EQ(RESULT_ZERO, 0);
    EXPECT_EQ(RESULT_NEGATIVE, 1);
    EXPECT_EQ(RESULT_POSITIVE, 2);
}

TEST_F(ExOldNamesTest, interlocked_exchange_ulong_returns_the_old_value) {
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    ULONG target = 0xfffffff0u;
    EXPECT_EQ(ExInterlockedExchangeUlong(&target, 7u, &lock), 0xfffffff0u);
    EXPECT_EQ(target, 7u);
}

}  // namespace ex_old_names_test
