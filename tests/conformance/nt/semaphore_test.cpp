// Semaphores through the Nt* services: counts, the limit, waits and bad parameters.
#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

SEMAPHORE_BASIC_INFORMATION query_semaphore(HANDLE h) {
    SEMAPHORE_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQuerySemaphore(h, SemaphoreBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
    return info;
}

TEST_F(NtTest, semaphore_release_returns_previous_count_and_waits_take_one) {
    Handle sem;
    ASSERT_EQ(NtCreateSemaphore(sem.out(), SEMAPHORE_ALL_ACCESS, nullptr, 1, 3), STATUS_SUCCESS);
    EXPECT_EQ(query_semaphore(sem).CurrentCount, 1);
    EXPECT_EQ(query_semaphore(sem).MaximumCount, 3);
    LONG previous = -1;
    EXPECT_EQ(NtReleaseSemaphore(sem, 2, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 1);
    LARGE_INTEGER zero = zero_timeout();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(NtWaitForSingleObject(sem, FALSE, &zero), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForSingleObject(sem, FALSE, &zero), STATUS_TIMEOUT);
    EXPECT_EQ(query_semaphore(sem).CurrentCount, 0);
}

TEST_F(NtTest, semaphore_limit_exceeded_leaves_the_count_unchanged) {
    Handle sem;
    ASSERT_EQ(NtCreateSemaphore(sem.out(), SEMAPHORE_ALL_ACCESS, nullptr, 2, 3), STATUS_SUCCESS);
    LONG previous = 77;
    EXPECT_EQ(NtReleaseSemaphore(sem, 2, &previous), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    EXPECT_EQ(previous, 77);
    EXPECT_EQ(query_semaphore(sem).CurrentCount, 2);
    EXPECT_EQ(NtReleaseSemaphore(sem, 1, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 2);
    EXPECT_EQ(NtReleaseSemaphore(sem, 1, nullptr), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    EXPECT_EQ(query_semaphore(sem).CurrentCount, 3);
}

TEST_F(NtTest, semaphore_bad_counts_are_invalid_parameter) {
    HANDLE h = nullptr;
    EXPECT_EQ(NtCreateSemaphore(&h, SEMAPHORE_ALL_ACCESS, nullptr, 0, 0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtCreateSemaphore(&h, SEMAPHORE_ALL_ACCESS, nullptr, 2, 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtCreateSemaphore(&h, SEMAPHORE_ALL_ACCESS, nullptr, -1, 1), STATUS_INVALID_PARAMETER);
    Handle sem;
    ASSERT_EQ(NtCreateSemaphore(sem.out(), SEMAPHORE_ALL_ACCESS, nullptr, 0, 1), STATUS_SUCCESS);
    EXPECT_EQ(NtReleaseSemaphore(sem, 0, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtReleaseSemaphore(sem, -1, nullptr), STATUS_INVALID_PARAMETER);
    SEMAPHORE_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQuerySemaphore(sem, SemaphoreBasicInformation, &info, sizeof(info) + 4, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
}

TEST_F(NtTest, semaphore_release_needs_modify_state_and_the_right_type) {
    Handle sem;
    ASSERT_EQ(NtCreateSemaphore(sem.out(), SEMAPHORE_QUERY_STATE, nullptr, 0, 1), STATUS_SUCCESS);
    EXPECT_EQ(NtReleaseSemaphore(sem, 1, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(query_semaphore(sem).CurrentCount, 0);
    Handle ev(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(NtReleaseSemaphore(ev, 1, nullptr), STATUS_OBJECT_TYPE_MISMATCH);
}

TEST_F(NtTest, named_semaphore_opens_the_same_object) {
    ObjectName name(L"\\BaseNamedObjects\\ntio-nt-semaphore");
    Handle created;
    ASSERT_EQ(NtCreateSemaphore(created.out(), SEMAPHORE_ALL_ACCESS, name.get(), 0, 5), STATUS_SUCCESS);
    Handle opened;
    ASSERT_EQ(NtOpenSemaphore(opened.out(), SEMAPHORE_ALL_ACCESS, name.get()), STATUS_SUCCESS);
    EXPECT_EQ(NtReleaseSemaphore(opened, 4, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(query_semaphore(created).CurrentCount, 4);
    EXPECT_EQ(query_semaphore(created).MaximumCount, 5);
}

}  // namespace
}  // namespace ntio::test
