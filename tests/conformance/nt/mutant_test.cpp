// Mutants through the Nt* services: ownership, recursion, release by a non-owner and abandonment
// when the owning thread exits.
#include <thread>

#include "nt_test_support.hpp"

namespace ntio::test {
namespace {

MUTANT_BASIC_INFORMATION query_mutant(HANDLE h) {
    MUTANT_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryMutant(h, MutantBasicInformation, &info, sizeof(info), nullptr), STATUS_SUCCESS);
    return info;
}

TEST_F(NtTest, mutant_created_owned_is_released_by_its_owner) {
    Handle mutant;
    ASSERT_EQ(NtCreateMutant(mutant.out(), MUTANT_ALL_ACCESS, nullptr, TRUE), STATUS_SUCCESS);
    MUTANT_BASIC_INFORMATION info = query_mutant(mutant);
    EXPECT_EQ(info.CurrentCount, 0);
    EXPECT_TRUE(info.OwnedByCaller);
    EXPECT_FALSE(info.AbandonedState);
    LONG previous = 5;
    EXPECT_EQ(NtReleaseMutant(mutant, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 0);
    info = query_mutant(mutant);
    EXPECT_EQ(info.CurrentCount, 1);
    EXPECT_FALSE(info.OwnedByCaller);
    EXPECT_EQ(NtReleaseMutant(mutant, nullptr), STATUS_MUTANT_NOT_OWNED);
}

TEST_F(NtTest, mutant_is_recursive_for_its_owner) {
    Handle mutant;
    ASSERT_EQ(NtCreateMutant(mutant.out(), MUTANT_ALL_ACCESS, nullptr, FALSE), STATUS_SUCCESS);
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtWaitForSingleObject(mutant, FALSE, &zero), STATUS_SUCCESS);
    EXPECT_EQ(NtWaitForSingleObject(mutant, FALSE, &zero), STATUS_SUCCESS);
    EXPECT_EQ(query_mutant(mutant).CurrentCount, -1);
    LONG previous = 0;
    EXPECT_EQ(NtReleaseMutant(mutant, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, -1);
    EXPECT_EQ(NtReleaseMutant(mutant, &previous), STATUS_SUCCESS);
    EXPECT_EQ(previous, 0);
    EXPECT_EQ(query_mutant(mutant).CurrentCount, 1);
}

TEST_F(NtTest, mutant_owned_by_another_thread_cannot_be_released_or_taken) {
    Handle mutant;
    ASSERT_EQ(NtCreateMutant(mutant.out(), MUTANT_ALL_ACCESS, nullptr, TRUE), STATUS_SUCCESS);
    NTSTATUS release = 0, wait = 0;
    MUTANT_BASIC_INFORMATION seen{};
    std::thread other([&] {
        release = NtReleaseMutant(mutant, nullptr);
        LARGE_INTEGER zero = zero_timeout();
        wait = NtWaitForSingleObject(mutant, FALSE, &zero);
        seen = query_mutant(mutant);
    });
    other.join();
    EXPECT_EQ(release, STATUS_MUTANT_NOT_OWNED);
    EXPECT_EQ(wait, STATUS_TIMEOUT);
    EXPECT_FALSE(seen.OwnedByCaller);
    EXPECT_EQ(seen.CurrentCount, 0);
    EXPECT_EQ(NtReleaseMutant(mutant, nullptr), STATUS_SUCCESS);
}

TEST_F(NtTest, mutant_of_an_exited_thread_is_abandoned) {
    Handle mutant;
    ASSERT_EQ(NtCreateMutant(mutant.out(), MUTANT_ALL_ACCESS, nullptr, FALSE), STATUS_SUCCESS);
    NTSTATUS taken = STATUS_PENDING;
    std::thread owner([&] { taken = NtWaitForSingleObject(mutant, FALSE, nullptr); });
    owner.join();
    ASSERT_EQ(taken, STATUS_SUCCESS);
    MUTANT_BASIC_INFORMATION info = query_mutant(mutant);
    EXPECT_TRUE(info.AbandonedState);
    EXPECT_EQ(info.CurrentCount, 1);
    EXPECT_FALSE(info.OwnedByCaller);
    // The next owner learns about the abandonment once; the mutant is then an ordinary owned one.
    EXPECT_EQ(NtWaitForSingleObject(mutant, FALSE, nullptr), STATUS_ABANDONED_WAIT_0);
    info = query_mutant(mutant);
    EXPECT_TRUE(info.OwnedByCaller);
    EXPECT_FALSE(info.AbandonedState);
    EXPECT_EQ(info.CurrentCount, 0);
    EXPECT_EQ(NtReleaseMutant(mutant, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(query_mutant(mutant).CurrentCount, 1);
}

TEST_F(NtTest, mutant_release_checks_type) {
    Handle ev(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(NtReleaseMutant(ev, nullptr), STATUS_OBJECT_TYPE_MISMATCH);
    Handle mutant;
    ASSERT_EQ(NtCreateMutant(mutant.out(), MUTANT_ALL_ACCESS, nullptr, FALSE), STATUS_SUCCESS);
    MUTANT_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryMutant(mutant, MutantBasicInformation, &info, 4, nullptr), STATUS_INFO_LENGTH_MISMATCH);
}

// MutantOwnerInformation (<ntifs.h>'s MUTANT_OWNER_INFORMATION): the owning thread's CLIENT_ID,
// zeroes once no thread owns the mutant; MUTANT_QUERY_STATE is needed and the length must match.
TEST_F(NtTest, mutant_owner_information_names_the_owning_thread) {
    Handle mutant;
    ASSERT_EQ(NtCreateMutant(mutant.out(), MUTANT_ALL_ACCESS, nullptr, TRUE), STATUS_SUCCESS);
    MUTANT_OWNER_INFORMATION owner{};
    ULONG length = 0;
    ASSERT_EQ(NtQueryMutant(mutant, MutantOwnerInformation, &owner, sizeof(owner), &length), STATUS_SUCCESS);
    EXPECT_EQ(length, sizeof(owner));
    EXPECT_EQ(owner.ClientId.UniqueThread, PsGetCurrentThreadId());
    EXPECT_EQ(owner.ClientId.UniqueProcess, PsGetCurrentProcessId());
    ASSERT_EQ(NtReleaseMutant(mutant, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryMutant(mutant, MutantOwnerInformation, &owner, sizeof(owner), nullptr), STATUS_SUCCESS);
    EXPECT_EQ(owner.ClientId.UniqueThread, nullptr);
    EXPECT_EQ(owner.ClientId.UniqueProcess, nullptr);
    EXPECT_EQ(NtQueryMutant(mutant, MutantOwnerInformation, &owner, sizeof(owner) - 1, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryMutant(mutant, static_cast<MUTANT_INFORMATION_CLASS>(2), &owner, sizeof(owner), nullptr),
              STATUS_INVALID_INFO_CLASS);
    Handle synchronize_only;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), mutant, NtCurrentProcess(), synchronize_only.out(), SYNCHRONIZE,
                                0, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(NtQueryMutant(synchronize_only, MutantOwnerInformation, &owner, sizeof(owner), nullptr),
              STATUS_ACCESS_DENIED);
}

}  // namespace
}  // namespace ntio::test
