// A transaction's commit races its rollback, with a resource manager whose callback (TmEnableCallbacks)
// answers every notification at once. Invariant: each transaction gets exactly one outcome, and the
// resource manager and both callers agree on it: committed <=> the RM was sent COMMIT and never
// ROLLBACK, the commit succeeded and the rollback found it committed; aborted <=> the RM was sent
// ROLLBACK exactly once and never COMMIT, and the rollback succeeded.
#include <atomic>
#include <thread>

#include "support/system_fixture.hpp"

#undef __try  // the SEH emulation in <wdm.h> takes the name over
#include <ntio/ntapi.h>

namespace ntio::test::ktm_stress {
namespace {

using KtmStress = SystemTest;

struct Seen {
    std::atomic<int> commit{0};
    std::atomic<int> rollback{0};
};

NTSTATUS NTAPI answer_at_once(PKENLISTMENT Enlistment, PVOID, PVOID TransactionContext, ULONG Notification,
                              PLARGE_INTEGER Clock, ULONG, PVOID) {
    auto* seen = static_cast<Seen*>(TransactionContext);
    switch (Notification) {
    case TRANSACTION_NOTIFY_PREPARE: return TmPrepareComplete(Enlistment, Clock);
    case TRANSACTION_NOTIFY_COMMIT:
        seen->commit.fetch_add(1);
        return TmCommitComplete(Enlistment, Clock);
    case TRANSACTION_NOTIFY_ROLLBACK:
        seen->rollback.fetch_add(1);
        return TmRollbackComplete(Enlistment, Clock);
    default: return STATUS_SUCCESS;
    }
}

TEST_F(KtmStress, commit_racing_rollback_has_one_outcome_everyone_agrees_on) {
    HANDLE tm = nullptr, rm = nullptr;
    ASSERT_EQ(NtCreateTransactionManager(&tm, TRANSACTIONMANAGER_ALL_ACCESS, nullptr, nullptr,
                                         TRANSACTION_MANAGER_VOLATILE, 0),
              STATUS_SUCCESS);
    GUID id{0x6b746d53, 1, 2, {3, 4, 5, 6, 7, 8, 9, 10}};
    ASSERT_EQ(NtCreateResourceManager(&rm, RESOURCEMANAGER_ALL_ACCESS, tm, &id, nullptr, 0, nullptr), STATUS_SUCCESS);
    PVOID rm_object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(rm, 0, *TmResourceManagerObjectType, KernelMode, &rm_object, nullptr),
              STATUS_SUCCESS);
    ASSERT_EQ(TmEnableCallbacks(static_cast<PKRESOURCEMANAGER>(rm_object), answer_at_once, nullptr), STATUS_SUCCESS);
    ObDereferenceObject(rm_object);

    int committed = 0, aborted = 0;
    for (int i = 0; i < 2000; ++i) {
        Seen seen;
        HANDLE tx = nullptr, en = nullptr;
        ASSERT_EQ(NtCreateTransaction(&tx, TRANSACTION_ALL_ACCESS, nullptr, nullptr, tm, 0, 0, 0, nullptr, nullptr),
                  STATUS_SUCCESS);
        ASSERT_EQ(NtCreateEnlistment(&en, ENLISTMENT_ALL_ACCESS, rm, tx, nullptr, 0,
                                     TRANSACTION_NOTIFY_PREPARE | TRANSACTION_NOTIFY_COMMIT |
                                         TRANSACTION_NOTIFY_ROLLBACK,
                                     &seen),
                  STATUS_SUCCESS);
        std::atomic<bool> go{false};
        NTSTATUS commit_status = 0, rollback_status = 0;
        std::thread committer([&] {
            while (!go.load()) {}
            commit_status = NtCommitTransaction(tx, FALSE);
        });
        std::thread roller([&] {
            while (!go.load()) {}
            rollback_status = NtRollbackTransaction(tx, FALSE);
        });
        go.store(true);
        committer.join();
        roller.join();
        TRANSACTION_BASIC_INFORMATION info{};
        ASSERT_EQ(NtQueryInformationTransaction(tx, TransactionBasicInformation, &info, sizeof info, nullptr),
                  STATUS_SUCCESS);
        if (info.Outcome == TransactionOutcomeCommitted) {
            ++committed;
            EXPECT_EQ(seen.commit.load(), 1);
            EXPECT_EQ(seen.rollback.load(), 0);
            EXPECT_EQ(commit_status, STATUS_SUCCESS);
            EXPECT_EQ(rollback_status, STATUS_TRANSACTION_ALREADY_COMMITTED);
        } else {
            ++aborted;
            ASSERT_EQ(info.Outcome, ULONG{TransactionOutcomeAborted});
            EXPECT_EQ(seen.commit.load(), 0);
            EXPECT_EQ(seen.rollback.load(), 1);
            EXPECT_EQ(rollback_status, STATUS_SUCCESS);
            EXPECT_TRUE(commit_status == STATUS_TRANSACTION_ALREADY_ABORTED ||
                        commit_status == STATUS_TRANSACTION_ABORTED)
                << std::hex << commit_status;
        }
        ASSERT_EQ(NtClose(en), STATUS_SUCCESS);
        ASSERT_EQ(NtClose(tx), STATUS_SUCCESS);
    }
    EXPECT_EQ(committed + aborted, 2000);
    EXPECT_EQ(NtClose(rm), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(tm), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::ktm_stress
