// The KTM's two-phase commit through the Nt* services: notifications in phase order to the resource
// managers that asked for them, rollback by an RM, by the client and by closing the last handle.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-commit-operations
#include "ktm_support.hpp"

namespace ntio::test::ktm_conformance {
namespace {

int g_key_a, g_key_b;

TEST_F(NtTest, ktm_commit_sends_preprepare_prepare_commit_in_order) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 1));
    Handle tx(make_transaction(tm));
    Handle en(enlist(rm, tx, kThreePhase, &g_key_a));
    EXPECT_EQ(next_note(rm).what, 0u);  // nothing before the commit
    EXPECT_EQ(query_basic(tx).Outcome, ULONG{TransactionOutcomeUndetermined});

    EXPECT_EQ(NtCommitTransaction(tx, FALSE), STATUS_PENDING);
    Note n = next_note(rm);
    EXPECT_EQ(n.what, ULONG{TRANSACTION_NOTIFY_PREPREPARE});
    EXPECT_EQ(n.key, &g_key_a);
    EXPECT_EQ(next_note(rm).what, 0u);  // PREPARE waits for PrePrepareComplete
    EXPECT_EQ(NtCommitTransaction(tx, FALSE), STATUS_TRANSACTION_REQUEST_NOT_VALID);
    EXPECT_EQ(NtPrePrepareComplete(en, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(rm).what, ULONG{TRANSACTION_NOTIFY_PREPARE});
    EXPECT_EQ(NtPrepareComplete(en, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(rm).what, ULONG{TRANSACTION_NOTIFY_COMMIT});
    EXPECT_EQ(query_basic(tx).Outcome, ULONG{TransactionOutcomeCommitted});
    EXPECT_EQ(NtCommitComplete(en, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(rm).what, 0u);

    EXPECT_EQ(query_basic(tx).Outcome, ULONG{TransactionOutcomeCommitted});
    EXPECT_EQ(NtCommitTransaction(tx, TRUE), STATUS_TRANSACTION_ALREADY_COMMITTED);
    EXPECT_EQ(NtRollbackTransaction(tx, TRUE), STATUS_TRANSACTION_ALREADY_COMMITTED);
    EXPECT_EQ(NtCommitComplete(en, nullptr), STATUS_TRANSACTION_NOT_REQUESTED);
}

TEST_F(NtTest, ktm_every_enlistment_answers_a_phase_before_the_next_starts) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 2));
    Handle tx(make_transaction(tm));
    Handle a(enlist(rm, tx, kTwoPhase, &g_key_a));
    Handle b(enlist(rm, tx, kTwoPhase, &g_key_b));
    EXPECT_EQ(NtCommitTransaction(tx, FALSE), STATUS_PENDING);
    // Neither asked for PREPREPARE: both are sent PREPARE.
    Note first = next_note(rm), second = next_note(rm);
    EXPECT_EQ(first.what, ULONG{TRANSACTION_NOTIFY_PREPARE});
    EXPECT_EQ(second.what, ULONG{TRANSACTION_NOTIFY_PREPARE});
    EXPECT_NE(first.key, second.key);
    EXPECT_EQ(NtPrepareComplete(a, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(rm).what, 0u);  // b has not answered
    EXPECT_EQ(NtCommitComplete(a, nullptr), STATUS_TRANSACTION_NOT_REQUESTED);
    EXPECT_EQ(NtPrepareComplete(b, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(rm).what, ULONG{TRANSACTION_NOTIFY_COMMIT});
    EXPECT_EQ(next_note(rm).what, ULONG{TRANSACTION_NOTIFY_COMMIT});
    EXPECT_EQ(NtCommitComplete(a, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtCommitComplete(b, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(query_basic(tx).Outcome, ULONG{TransactionOutcomeCommitted});
}

TEST_F(NtTest, ktm_read_only_enlistment_leaves_the_commit) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 3));
    Handle tx(make_transaction(tm));
    Handle a(enlist(rm, tx, kTwoPhase, &g_key_a));
    Handle b(enlist(rm, tx, kTwoPhase, &g_key_b));
    EXPECT_EQ(NtReadOnlyEnlistment(b, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtCommitTransaction(tx, FALSE), STATUS_PENDING);
    Note n = next_note(rm);
    EXPECT_EQ(n.what, ULONG{TRANSACTION_NOTIFY_PREPARE});
    EXPECT_EQ(n.key, &g_key_a);
    EXPECT_EQ(next_note(rm).what, 0u);
    EXPECT_EQ(NtPrepareComplete(a, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(rm).key, &g_key_a);
    EXPECT_EQ(NtCommitComplete(a, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(rm).what, 0u);
    EXPECT_EQ(query_basic(tx).Outcome, ULONG{TransactionOutcomeCommitted});
}

TEST_F(NtTest, ktm_commit_without_enlistments_completes_at_once) {
    Handle tm(make_tm());
    Handle tx(make_transaction(tm));
    EXPECT_EQ(NtCommitTransaction(tx, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(query_basic(tx).Outcome, ULONG{TransactionOutcomeCommitted});
    Handle free_tx(make_transaction(nullptr));  // no TM handle: still a transaction
    EXPECT_EQ(NtCommitTransaction(free_tx, TRUE), STATUS_SUCCESS);
}

TEST_F(NtTest, ktm_rm_rollback_during_prepare_aborts_and_tells_the_others) {
    Handle tm(make_tm());
    Handle rm_a(make_rm(tm, 4));
    Handle rm_b(make_rm(tm, 5));
    Handle tx(make_transaction(tm));
    Handle a(enlist(rm_a, tx, kTwoPhase, &g_key_a));
    Handle b(enlist(rm_b, tx, kTwoPhase, &g_key_b));
    EXPECT_EQ(NtCommitTransaction(tx, FALSE), STATUS_PENDING);
    EXPECT_EQ(next_note(rm_a).what, ULONG{TRANSACTION_NOTIFY_PREPARE});
    EXPECT_EQ(next_note(rm_b).what, ULONG{TRANSACTION_NOTIFY_PREPARE});
    EXPECT_EQ(NtPrepareComplete(a, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtRollbackEnlistment(b, nullptr), STATUS_SUCCESS);
    Note n = next_note(rm_a);
    EXPECT_EQ(n.what, ULONG{TRANSACTION_NOTIFY_ROLLBACK});
    EXPECT_EQ(n.key, &g_key_a);
    EXPECT_EQ(next_note(rm_b).what, 0u);  // the one that rolled back is not told
    EXPECT_EQ(query_basic(tx).Outcome, ULONG{TransactionOutcomeAborted});
    EXPECT_EQ(NtRollbackComplete(a, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtRollbackComplete(a, nullptr), STATUS_TRANSACTION_NOT_REQUESTED);
    EXPECT_EQ(NtCommitTransaction(tx, TRUE), STATUS_TRANSACTION_ALREADY_ABORTED);
    EXPECT_EQ(NtRollbackTransaction(tx, TRUE), STATUS_TRANSACTION_ALREADY_ABORTED);
}

TEST_F(NtTest, ktm_client_rollback_notifies_every_enlistment) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 6));
    Handle tx(make_transaction(tm));
    Handle a(enlist(rm, tx, kThreePhase, &g_key_a));
    EXPECT_EQ(NtRollbackTransaction(tx, TRUE), STATUS_SUCCESS);
    Note n = next_note(rm);
    EXPECT_EQ(n.what, ULONG{TRANSACTION_NOTIFY_ROLLBACK});
    EXPECT_EQ(n.key, &g_key_a);
    EXPECT_EQ(NtRollbackComplete(a, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(query_basic(tx).Outcome, ULONG{TransactionOutcomeAborted});
    // A finished transaction takes no new enlistments.
    HANDLE late = nullptr;
    EXPECT_EQ(NtCreateEnlistment(&late, ENLISTMENT_ALL_ACCESS, rm, tx, nullptr, 0, kTwoPhase, nullptr),
              STATUS_TRANSACTION_NOT_ACTIVE);
}

TEST_F(NtTest, ktm_closing_the_last_transaction_handle_before_commit_rolls_back) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 7));
    Handle tx(make_transaction(tm));
    Handle en(enlist(rm, tx, kTwoPhase, &g_key_a));
    HANDLE second = nullptr;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), tx, NtCurrentProcess(), &second, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    tx.reset();
    EXPECT_EQ(next_note(rm).what, 0u);  // one handle is left
    EXPECT_EQ(NtClose(second), STATUS_SUCCESS);
    EXPECT_EQ(next_note(rm).what, ULONG{TRANSACTION_NOTIFY_ROLLBACK});
    EXPECT_EQ(NtRollbackComplete(en, nullptr), STATUS_SUCCESS);
}

TEST_F(NtTest, ktm_enlisting_once_the_commit_began_is_refused) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 8));
    Handle tx(make_transaction(tm));
    Handle en(enlist(rm, tx, kTwoPhase, &g_key_a));
    EXPECT_EQ(NtCommitTransaction(tx, FALSE), STATUS_PENDING);
    HANDLE late = nullptr;
    EXPECT_EQ(NtCreateEnlistment(&late, ENLISTMENT_ALL_ACCESS, rm, tx, nullptr, 0, kTwoPhase, nullptr),
              STATUS_TRANSACTION_NOT_ACTIVE);
    EXPECT_EQ(next_note(rm).what, ULONG{TRANSACTION_NOTIFY_PREPARE});
    EXPECT_EQ(NtPrepareComplete(en, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(NtRollbackEnlistment(en, nullptr), STATUS_TRANSACTION_ALREADY_COMMITTED);
    EXPECT_EQ(next_note(rm).what, ULONG{TRANSACTION_NOTIFY_COMMIT});
    EXPECT_EQ(NtCommitComplete(en, nullptr), STATUS_SUCCESS);
}

TEST_F(NtTest, ktm_closing_the_rm_rolls_back_what_it_had_not_prepared) {
    Handle tm(make_tm());
    Handle rm_a(make_rm(tm, 9));
    Handle rm_b(make_rm(tm, 10));
    Handle tx(make_transaction(tm));
    Handle a(enlist(rm_a, tx, kTwoPhase, &g_key_a));
    Handle b(enlist(rm_b, tx, kTwoPhase, &g_key_b));
    rm_b.reset();
    EXPECT_EQ(next_note(rm_a).what, ULONG{TRANSACTION_NOTIFY_ROLLBACK});
    EXPECT_EQ(query_basic(tx).Outcome, ULONG{TransactionOutcomeAborted});
    EXPECT_EQ(NtRollbackComplete(a, nullptr), STATUS_SUCCESS);
}

// A waiting commit returns once a resource manager answering on another thread has committed.
TEST_F(NtTest, ktm_waiting_commit_returns_after_the_rm_thread_answers) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 11));
    Handle tx(make_transaction(tm));
    Handle en(enlist(rm, tx, kThreePhase, &g_key_a));
    std::vector<ULONG> seen;
    std::thread rm_thread([&] {
        for (;;) {
            TRANSACTION_NOTIFICATION n{};
            ASSERT_EQ(NtGetNotificationResourceManager(rm, &n, sizeof n, nullptr, nullptr, 0, 0), STATUS_SUCCESS);
            seen.push_back(n.TransactionNotification);
            if (n.TransactionNotification == TRANSACTION_NOTIFY_PREPREPARE) {
                ASSERT_EQ(NtPrePrepareComplete(en, nullptr), STATUS_SUCCESS);
            } else if (n.TransactionNotification == TRANSACTION_NOTIFY_PREPARE) {
                ASSERT_EQ(NtPrepareComplete(en, nullptr), STATUS_SUCCESS);
            } else {
                ASSERT_EQ(NtCommitComplete(en, nullptr), STATUS_SUCCESS);
                return;
            }
        }
    });
    EXPECT_EQ(NtCommitTransaction(tx, TRUE), STATUS_SUCCESS);
    rm_thread.join();
    EXPECT_EQ(seen, (std::vector<ULONG>{TRANSACTION_NOTIFY_PREPREPARE, TRANSACTION_NOTIFY_PREPARE,
                                        TRANSACTION_NOTIFY_COMMIT}));
}

// A reader waiting without a timeout is not left waiting when the RM's last handle closes: it gets
// STATUS_RM_DISCONNECTED, or STATUS_INVALID_HANDLE if the close came before its call looked the handle up.
TEST_F(NtTest, ktm_closing_the_rm_releases_a_waiting_reader) {
    Handle tm(make_tm());
    HANDLE rm = make_rm(tm, 12);
    std::atomic<bool> started{false};
    NTSTATUS result = STATUS_SUCCESS;
    std::thread reader([&] {
        TRANSACTION_NOTIFICATION n{};
        started.store(true);
        result = NtGetNotificationResourceManager(rm, &n, sizeof n, nullptr, nullptr, 0, 0);
    });
    while (!started.load()) std::this_thread::yield();
    EXPECT_EQ(NtClose(rm), STATUS_SUCCESS);
    reader.join();
    EXPECT_TRUE(result == STATUS_RM_DISCONNECTED || result == STATUS_INVALID_HANDLE) << std::hex << result;
}

}  // namespace
}  // namespace ntio::test::ktm_conformance
