// Semaphores: count and limit, release returns the previous count, exceeding the limit raises.
#include "ke_fixture.hpp"

extern "C" NTSTATUS ke_test_release_semaphore_guarded(PRKSEMAPHORE Semaphore, LONG Adjustment, LONG* Previous);

namespace ntio::test {
namespace {

using SemaphoreTest = KeTest;

TEST_F(SemaphoreTest, count_is_consumed_by_waits_and_restored_by_releases) {
    KSEMAPHORE s;
    KeInitializeSemaphore(&s, 2, 5);
    EXPECT_EQ(s.Header.Type, SemaphoreObject);
    EXPECT_EQ(s.Limit, 5);
    LARGE_INTEGER zero{};
    EXPECT_EQ(wait(&s, zero), STATUS_SUCCESS);
    EXPECT_EQ(wait(&s, zero), STATUS_SUCCESS);
    EXPECT_EQ(wait(&s, zero), STATUS_TIMEOUT);
    EXPECT_EQ(KeReadStateSemaphore(&s), 0);
    EXPECT_EQ(KeReleaseSemaphore(&s, 0, 3, FALSE), 0);
    EXPECT_EQ(KeReadStateSemaphore(&s), 3);
}

TEST_F(SemaphoreTest, release_past_the_limit_raises_semaphore_limit_exceeded) {
    KSEMAPHORE s;
    KeInitializeSemaphore(&s, 4, 5);
    LONG previous = -1;
    EXPECT_EQ(ke_test_release_semaphore_guarded(&s, 2, &previous), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    EXPECT_EQ(KeReadStateSemaphore(&s), 4);
    EXPECT_EQ(ke_test_release_semaphore_guarded(&s, 1, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 4);
    EXPECT_EQ(KeReadStateSemaphore(&s), 5);
}

TEST_F(SemaphoreTest, release_wakes_as_many_waiters_as_units_released) {
    KSEMAPHORE s;
    KeInitializeSemaphore(&s, 0, 10);
    std::atomic<int> done{0};
    std::vector<_KTHREAD*> threads;
    for (int i = 0; i < 3; ++i)
        threads.push_back(start_thread([&] { if (wait(&s) == STATUS_SUCCESS) ++done; }));
    ASSERT_TRUE(eventually([&] { return waiter_count(&s) == 3; }));
    KeReleaseSemaphore(&s, 0, 2, FALSE);
    ASSERT_TRUE(eventually([&] { return done.load() == 2; }));
    EXPECT_EQ(waiter_count(&s), 1);
    EXPECT_EQ(KeReadStateSemaphore(&s), 0);
    KeReleaseSemaphore(&s, 0, 1, FALSE);
    for (_KTHREAD* t : threads) ASSERT_EQ(wait(t), STATUS_SUCCESS);
    EXPECT_EQ(done.load(), 3);
}

}  // namespace
}  // namespace ntio::test
