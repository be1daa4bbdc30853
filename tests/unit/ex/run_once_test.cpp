// One-time initialization through <ntddk.h>: the synchronous and asynchronous protocols, the
// CHECK_ONLY query, failed attempts, the reserved context bits and RtlRunOnceExecuteOnce.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunoncebegininitialize
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <ntddk.h>

#include "support/system_fixture.hpp"

namespace run_once_test {

class RunOnceTest : public ntio::test::SystemTest {};

int g_data_a = 0;
int g_data_b = 0;

TEST_F(RunOnceTest, the_first_synchronous_caller_initializes_and_later_ones_get_its_context) {
    RTL_RUN_ONCE once = RTL_RUN_ONCE_INIT;
    PVOID context = reinterpret_cast<PVOID>(0x55);
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, RTL_RUN_ONCE_CHECK_ONLY, &context), STATUS_UNSUCCESSFUL);
    ASSERT_EQ(RtlRunOnceBeginInitialize(&once, 0, &context), STATUS_PENDING);
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, RTL_RUN_ONCE_CHECK_ONLY, &context), STATUS_UNSUCCESSFUL);
    ASSERT_EQ(RtlRunOnceComplete(&once, 0, &g_data_a), STATUS_SUCCESS);
    context = nullptr;
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, 0, &context), STATUS_SUCCESS);
    EXPECT_EQ(context, &g_data_a);
    context = nullptr;
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, RTL_RUN_ONCE_CHECK_ONLY, &context), STATUS_SUCCESS);
    EXPECT_EQ(context, &g_data_a);
    // Completing again: nothing is being initialized.
    EXPECT_EQ(RtlRunOnceComplete(&once, 0, &g_data_b), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, 0, &context), STATUS_SUCCESS);
    EXPECT_EQ(context, &g_data_a);
}

TEST_F(RunOnceTest, a_failed_synchronous_attempt_lets_the_next_caller_begin_again) {
    RTL_RUN_ONCE once;
    RtlRunOnceInitialize(&once);
    PVOID context = nullptr;
    ASSERT_EQ(RtlRunOnceBeginInitialize(&once, 0, &context), STATUS_PENDING);
    ASSERT_EQ(RtlRunOnceComplete(&once, RTL_RUN_ONCE_INIT_FAILED, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, RTL_RUN_ONCE_CHECK_ONLY, &context), STATUS_UNSUCCESSFUL);
    ASSERT_EQ(RtlRunOnceBeginInitialize(&once, 0, &context), STATUS_PENDING);
    ASSERT_EQ(RtlRunOnceComplete(&once, 0, &g_data_b), STATUS_SUCCESS);
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, 0, &context), STATUS_SUCCESS);
    EXPECT_EQ(context, &g_data_b);
}

TEST_F(RunOnceTest, asynchronous_attempts_run_in_parallel_and_the_first_completion_wins) {
    RTL_RUN_ONCE once = RTL_RUN_ONCE_INIT;
    PVOID context = nullptr;
    ASSERT_EQ(RtlRunOnceBeginInitialize(&once, RTL_RUN_ONCE_ASYNC, &context), STATUS_PENDING);
    ASSERT_EQ(RtlRunOnceBeginInitialize(&once, RTL_RUN_ONCE_ASYNC, &context), STATUS_PENDING);
    // A synchronous caller may not join an asynchronous initialization.
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, 0, &context), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlRunOnceComplete(&once, 0, &g_data_a), STATUS_INVALID_PARAMETER);
    ASSERT_EQ(RtlRunOnceComplete(&once, RTL_RUN_ONCE_ASYNC, &g_data_b), STATUS_SUCCESS);
    EXPECT_EQ(RtlRunOnceComplete(&once, RTL_RUN_ONCE_ASYNC, &g_data_a), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, RTL_RUN_ONCE_ASYNC, &context), STATUS_SUCCESS);
    EXPECT_EQ(context, &g_data_b);
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, 0, &context), STATUS_SUCCESS);
    EXPECT_EQ(context, &g_data_b);
}

TEST_F(RunOnceTest, an_asynchronous_caller_may_not_join_a_synchronous_initialization) {
    RTL_RUN_ONCE once = RTL_RUN_ONCE_INIT;
    PVOID context = nullptr;
    ASSERT_EQ(RtlRunOnceBeginInitialize(&once, 0, &context), STATUS_PENDING);
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, RTL_RUN_ONCE_ASYNC, &context), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlRunOnceComplete(&once, RTL_RUN_ONCE_ASYNC, &g_data_a), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlRunOnceComplete(&once, 0, &g_data_a), STATUS_SUCCESS);
}

TEST_F(RunOnceTest, unknown_flags_and_contexts_with_reserved_bits_are_invalid) {
    RTL_RUN_ONCE once = RTL_RUN_ONCE_INIT;
    PVOID context = nullptr;
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, RTL_RUN_ONCE_INIT_FAILED, &context), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlRunOnceBeginInitialize(&once, 0x100, &context), STATUS_INVALID_PARAMETER);
    ASSERT_EQ(RtlRunOnceBeginInitialize(&once, 0, &context), STATUS_PENDING);
    EXPECT_EQ(RtlRunOnceComplete(&once, RTL_RUN_ONCE_CHECK_ONLY, &g_data_a), STATUS_INVALID_PARAMETER);
    auto odd = reinterpret_cast<PVOID>(reinterpret_cast<ULONG_PTR>(&g_data_a) | 1);
    EXPECT_EQ(RtlRunOnceComplete(&once, 0, odd), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlRunOnceComplete(&once, 0, &g_data_a), STATUS_SUCCESS);
}

ULONG NTAPI count_and_succeed(PRTL_RUN_ONCE, PVOID Parameter, PVOID* Context) {
    ++*static_cast<int*>(Parameter);
    *Context = &g_data_a;
    return TRUE;
}

ULONG NTAPI count_and_fail(PRTL_RUN_ONCE, PVOID Parameter, PVOID*) {
    ++*static_cast<int*>(Parameter);
    return FALSE;
}

TEST_F(RunOnceTest, execute_once_calls_the_routine_once_and_retries_after_a_failure) {
    RTL_RUN_ONCE once = RTL_RUN_ONCE_INIT;
    int calls = 0;
    PVOID context = nullptr;
    EXPECT_EQ(RtlRunOnceExecuteOnce(&once, count_and_fail, &calls, &context), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(RtlRunOnceExecuteOnce(&once, count_and_succeed, &calls, &context), STATUS_SUCCESS);
    EXPECT_EQ(context, &g_data_a);
    EXPECT_EQ(RtlRunOnceExecuteOnce(&once, count_and_succeed, &calls, &context), STATUS_SUCCESS);
    EXPECT_EQ(RtlRunOnceExecuteOnce(&once, count_and_fail, &calls, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(calls, 2);
}

// A synchronous caller that finds another thread initializing waits for its completion.
TEST_F(RunOnceTest, a_synchronous_caller_waits_for_the_initializing_thread) {
    RTL_RUN_ONCE once = RTL_RUN_ONCE_INIT;
    PVOID context = nullptr;
    ASSERT_EQ(RtlRunOnceBeginInitialize(&once, 0, &context), STATUS_PENDING);
    std::atomic<int> stage{0};
    PVOID seen = nullptr;
    NTSTATUS status = STATUS_PENDING;
    std::thread waiter([&] {
        stage.store(1);
        status = RtlRunOnceBeginInitialize(&once, 0, &seen);
        stage.store(2);
    });
    while (stage.load() < 1) std::this_thread::yield();
    EXPECT_EQ(stage.load(), 1);  // cannot have returned: nothing completed yet
    ASSERT_EQ(RtlRunOnceComplete(&once, 0, &g_data_b), STATUS_SUCCESS);
    waiter.join();
    EXPECT_EQ(status, STATUS_SUCCESS);
    EXPECT_EQ(seen, &g_data_b);
}

}  // namespace run_once_test
