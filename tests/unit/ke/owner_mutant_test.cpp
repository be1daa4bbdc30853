// KeQueryOwnerMutant (<ntifs.h>): the client id of the thread that owns a mutant, zeroes when none
// does, whichever thread asks.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <ntifs.h>

#include "support/system_fixture.hpp"

namespace ke_owner_mutant_test {

class OwnerMutantTest : public ntio::test::SystemTest {};

TEST_F(OwnerMutantTest, the_owner_is_reported_by_its_client_id) {
    KMUTANT mutant;
    KeInitializeMutant(&mutant, FALSE);
    CLIENT_ID id;
    id.UniqueProcess = id.UniqueThread = reinterpret_cast<HANDLE>(1);
    KeQueryOwnerMutant(&mutant, &id);
    EXPECT_EQ(id.UniqueProcess, nullptr);
    EXPECT_EQ(id.UniqueThread, nullptr);

    ASSERT_EQ(KeWaitForSingleObject(&mutant, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
    KeQueryOwnerMutant(&mutant, &id);
    EXPECT_EQ(id.UniqueThread, PsGetCurrentThreadId());
    EXPECT_EQ(id.UniqueProcess, PsGetCurrentProcessId());
    EXPECT_NE(id.UniqueThread, nullptr);

    // Asked from another thread, the answer is still the owner's.
    CLIENT_ID seen{};
    HANDLE other_thread = nullptr;
    std::thread([&] {
        KeQueryOwnerMutant(&mutant, &seen);
        other_thread = PsGetCurrentThreadId();
    }).join();
    EXPECT_EQ(seen.UniqueThread, id.UniqueThread);
    EXPECT_NE(other_thread, id.UniqueThread);

    EXPECT_EQ(KeReleaseMutant(&mutant, MUTANT_INCREMENT, FALSE, FALSE), 0);
    KeQueryOwnerMutant(&mutant, &id);
    EXPECT_EQ(id.UniqueThread, nullptr);
}

TEST_F(OwnerMutantTest, ownership_passes_to_the_next_thread) {
    KMUTANT mutant;
    KeInitializeMutant(&mutant, TRUE);  // owned by this thread
    std::atomic<HANDLE> waiter_id{nullptr};
    KEVENT acquired, release;
    KeInitializeEvent(&acquired, NotificationEvent, FALSE);
    KeInitializeEvent(&release, NotificationEvent, FALSE);
    std::thread waiter([&] {
        waiter_id = PsGetCurrentThreadId();
        EXPECT_EQ(KeWaitForSingleObject(&mutant, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
        KeSetEvent(&acquired, IO_NO_INCREMENT, FALSE);
        KeWaitForSingleObject(&release, Executive, KernelMode, FALSE, nullptr);
        KeReleaseMutant(&mutant, MUTANT_INCREMENT, FALSE, FALSE);
    });
    EXPECT_EQ(KeReleaseMutant(&mutant, MUTANT_INCREMENT, FALSE, FALSE), 0);
    ASSERT_EQ(KeWaitForSingleObject(&acquired, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
    CLIENT_ID id{};
    KeQueryOwnerMutant(&mutant, &id);
    EXPECT_EQ(id.UniqueThread, waiter_id.load());
    EXPECT_EQ(id.UniqueProcess, PsGetCurrentProcessId());
    KeSetEvent(&release, IO_NO_INCREMENT, FALSE);
    waiter.join();
}

}  // namespace ke_owner_mutant_test
