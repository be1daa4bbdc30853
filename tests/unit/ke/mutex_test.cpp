// Mutexes and mutants: recursion, ownership rules (bugcheck for KeReleaseMutex, status for user
// mutants), abandonment when the owner terminates, kernel mutexes disabling kernel APCs.
#include "ke_fixture.hpp"

extern "C" NTSTATUS ke_test_release_mutant_guarded(PRKMUTANT Mutant, LONG* Previous);

namespace ntio::test {
namespace {

using MutexTest = KeTest;

TEST_F(MutexTest, recursive_acquisition_counts_down_and_release_counts_up) {
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    EXPECT_EQ(KeReadStateMutex(&m), 1);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(wait(&m), STATUS_SUCCESS);
    EXPECT_EQ(KeReadStateMutex(&m), -2);
    EXPECT_EQ(m.OwnerThread, KeGetCurrentThread());
    EXPECT_EQ(KeReleaseMutex(&m, FALSE), -2);
    EXPECT_EQ(KeReleaseMutex(&m, FALSE), -1);
    EXPECT_EQ(KeReleaseMutex(&m, FALSE), 0);
    EXPECT_EQ(KeReadStateMutex(&m), 1);
    EXPECT_EQ(m.OwnerThread, nullptr);
}

TEST_F(MutexTest, kernel_mutex_disables_normal_kernel_apcs_while_owned) {
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    ASSERT_EQ(wait(&m), STATUS_SUCCESS);
    EXPECT_TRUE(KeAreApcsDisabled());
    EXPECT_EQ(ke::kernel_apc_disable(KeGetCurrentThread()), -1);
    KeReleaseMutex(&m, FALSE);
    EXPECT_FALSE(KeAreApcsDisabled());
}

TEST_F(MutexTest, release_by_non_owner_bugchecks_thread_not_mutex_owner) {
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    auto bc = catch_bugcheck([&] { KeReleaseMutex(&m, FALSE); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(THREAD_NOT_MUTEX_OWNER));
}

TEST_F(MutexTest, user_mutant_release_by_non_owner_returns_mutant_not_owned) {
    KMUTANT m;
    KeInitializeMutant(&m, FALSE);
    LONG previous = 7;
    EXPECT_EQ(ke::release_mutant(&m, false, &previous), STATUS_MUTANT_NOT_OWNED);
    EXPECT_EQ(previous, 1);
    EXPECT_EQ(ke_test_release_mutant_guarded(&m, &previous), STATUS_MUTANT_NOT_OWNED);
    KeInitializeMutant(&m, TRUE);
    EXPECT_EQ(m.OwnerThread, KeGetCurrentThread());
    EXPECT_EQ(ke::release_mutant(&m, false, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 0);
    EXPECT_EQ(KeReadStateMutant(&m), 1);
}

TEST_F(MutexTest, owner_termination_abandons_the_mutant) {
    KMUTANT m;
    KeInitializeMutant(&m, FALSE);
    _KTHREAD* owner = start_thread([&] { ASSERT_EQ(wait(&m), STATUS_SUCCESS); });
    ASSERT_EQ(wait(owner), STATUS_SUCCESS);
    EXPECT_EQ(KeReadStateMutant(&m), 1);
    EXPECT_EQ(wait(&m), STATUS_ABANDONED_WAIT_0);
    EXPECT_EQ(m.OwnerThread, KeGetCurrentThread());
    LONG previous;
    EXPECT_EQ(ke::release_mutant(&m, false, &previous), STATUS_SUCCESS);
    EXPECT_EQ(wait(&m), STATUS_SUCCESS);  // abandonment is reported once
    ke::release_mutant(&m, false, &previous);
}

TEST_F(MutexTest, blocked_waiter_gets_the_mutex_when_the_owner_releases) {
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    ASSERT_EQ(wait(&m), STATUS_SUCCESS);
    _KTHREAD* self = KeGetCurrentThread();
    _KTHREAD* other = nullptr;
    _KTHREAD* waiter = start_thread([&] {
        EXPECT_EQ(wait(&m), STATUS_SUCCESS);
        other = m.OwnerThread;
        KeReleaseMutex(&m, FALSE);
    });
    ASSERT_TRUE(eventually([&] { return waiter_count(&m) == 1; }));
    KeReleaseMutex(&m, FALSE);
    ASSERT_EQ(wait(waiter), STATUS_SUCCESS);
    EXPECT_EQ(other, waiter);
    EXPECT_NE(other, self);
}

}  // namespace
}  // namespace ntio::test
