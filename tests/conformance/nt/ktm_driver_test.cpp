// The KTM as a kernel resource manager sees it: a ResourceManagerNotification callback enabled with
// TmEnableCallbacks that answers through the Tm* routines, Zw* services with kernel handles, and a
// superior enlistment driving the phases itself.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-tmenablecallbacks
// https://learn.microsoft.com/windows-hardware/drivers/kernel/creating-a-superior-transaction-manager
#include "ktm_support.hpp"

namespace ntio::test::ktm_conformance {
namespace {

// A driver-style resource manager: records every notification and answers the commit ones at once.
struct CallbackRm {
    std::vector<ULONG> seen;
    PVOID last_context = nullptr;
    bool answer = true;
};

NTSTATUS NTAPI rm_notification(PKENLISTMENT Enlistment, PVOID RMContext, PVOID TransactionContext,
                               ULONG TransactionNotification, PLARGE_INTEGER TmVirtualClock, ULONG ArgumentLength,
                               PVOID Argument) {
    auto* rm = static_cast<CallbackRm*>(RMContext);
    (void)ArgumentLength;
    (void)Argument;
    rm->seen.push_back(TransactionNotification);
    rm->last_context = TransactionContext;
    if (!rm->answer) return STATUS_PENDING;
    switch (TransactionNotification) {
    case TRANSACTION_NOTIFY_PREPREPARE: return TmPrePrepareComplete(Enlistment, TmVirtualClock);
    case TRANSACTION_NOTIFY_PREPARE: return TmPrepareComplete(Enlistment, TmVirtualClock);
    case TRANSACTION_NOTIFY_COMMIT: return TmCommitComplete(Enlistment, TmVirtualClock);
    case TRANSACTION_NOTIFY_ROLLBACK: return TmRollbackComplete(Enlistment, TmVirtualClock);
    default: return STATUS_SUCCESS;
    }
}

template <class T>
T* reference(HANDLE h, POBJECT_TYPE type) {
    PVOID object = nullptr;
    EXPECT_EQ(ObReferenceObjectByHandle(h, 0, type, KernelMode, &object, nullptr), STATUS_SUCCESS);
    return static_cast<T*>(object);
}

int g_tx_context;

TEST_F(NtTest, ktm_callback_rm_answers_inline_and_a_waiting_commit_succeeds) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 20));
    Handle tx(make_transaction(tm));
    CallbackRm driver;
    auto* rm_object = reference<KRESOURCEMANAGER>(rm, *TmResourceManagerObjectType);
    EXPECT_EQ(TmEnableCallbacks(rm_object, nullptr, &driver), STATUS_UNSUCCESSFUL);
    ASSERT_EQ(TmEnableCallbacks(rm_object, rm_notification, &driver), STATUS_SUCCESS);
    Handle en(enlist(rm, tx, kThreePhase, &g_tx_context));

    auto* tx_object = reference<KTRANSACTION>(tx, *TmTransactionObjectType);
    EXPECT_TRUE(TmIsTransactionActive(tx_object));
    UOW id{};
    TmGetTransactionId(tx_object, &id);
    const GUID queried = query_basic(tx).TransactionId;
    EXPECT_TRUE(IsEqualGUID(id, queried));
    EXPECT_EQ(TmCommitTransaction(tx_object, TRUE), STATUS_SUCCESS);
    EXPECT_FALSE(TmIsTransactionActive(tx_object));
    EXPECT_EQ(driver.seen, (std::vector<ULONG>{TRANSACTION_NOTIFY_PREPREPARE, TRANSACTION_NOTIFY_PREPARE,
                                               TRANSACTION_NOTIFY_COMMIT}));
    EXPECT_EQ(driver.last_context, &g_tx_context);
    EXPECT_EQ(next_note(rm).what, 0u);  // callbacks replace the queue
    EXPECT_EQ(TmCommitTransaction(tx_object, TRUE), STATUS_TRANSACTION_ALREADY_COMMITTED);
    ObDereferenceObject(tx_object);
    ObDereferenceObject(rm_object);
}

TEST_F(NtTest, ktm_callback_rm_that_defers_answers_later) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 21));
    Handle tx(make_transaction(tm));
    CallbackRm driver;
    driver.answer = false;
    auto* rm_object = reference<KRESOURCEMANAGER>(rm, *TmResourceManagerObjectType);
    ASSERT_EQ(TmEnableCallbacks(rm_object, rm_notification, &driver), STATUS_SUCCESS);
    Handle en(enlist(rm, tx, kTwoPhase, &g_tx_context));
    auto* en_object = reference<KENLISTMENT>(en, *TmEnlistmentObjectType);
    auto* tx_object = reference<KTRANSACTION>(tx, *TmTransactionObjectType);
    EXPECT_EQ(TmCommitTransaction(tx_object, FALSE), STATUS_PENDING);
    EXPECT_EQ(driver.seen, (std::vector<ULONG>{TRANSACTION_NOTIFY_PREPARE}));
    EXPECT_EQ(TmCommitComplete(en_object, nullptr), STATUS_TRANSACTION_NOT_REQUESTED);
    EXPECT_EQ(TmPrepareComplete(en_object, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(driver.seen.back(), ULONG{TRANSACTION_NOTIFY_COMMIT});
    EXPECT_EQ(TmCommitComplete(en_object, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(TmCommitTransaction(tx_object, TRUE), STATUS_TRANSACTION_ALREADY_COMMITTED);

    PVOID key = nullptr;
    EXPECT_EQ(TmReferenceEnlistmentKey(en_object, &key), STATUS_SUCCESS);
    EXPECT_EQ(key, &g_tx_context);
    BOOLEAN last = TRUE;
    EXPECT_EQ(TmDereferenceEnlistmentKey(en_object, &last), STATUS_SUCCESS);
    EXPECT_FALSE(last);
    EXPECT_EQ(TmDereferenceEnlistmentKey(en_object, &last), STATUS_SUCCESS);
    EXPECT_TRUE(last);
    ObDereferenceObject(tx_object);
    ObDereferenceObject(en_object);
    ObDereferenceObject(rm_object);
}

TEST_F(NtTest, ktm_zw_services_with_kernel_handles) {
    OBJECT_ATTRIBUTES kernel;
    InitializeObjectAttributes(&kernel, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE tm = nullptr, rm = nullptr, tx = nullptr, en = nullptr;
    ASSERT_EQ(ZwCreateTransactionManager(&tm, TRANSACTIONMANAGER_ALL_ACCESS, &kernel, nullptr,
                                         TRANSACTION_MANAGER_VOLATILE, 0),
              STATUS_SUCCESS);
    Handle tm_owner(tm, true);
    GUID id = guid_of(22);
    ASSERT_EQ(ZwCreateResourceManager(&rm, RESOURCEMANAGER_ALL_ACCESS, tm, &id, &kernel, 0, nullptr), STATUS_SUCCESS);
    Handle rm_owner(rm, true);
    ASSERT_EQ(ZwCreateTransaction(&tx, TRANSACTION_ALL_ACCESS, &kernel, nullptr, tm, 0, 0, 0, nullptr, nullptr),
              STATUS_SUCCESS);
    Handle tx_owner(tx, true);
    ASSERT_EQ(ZwCreateEnlistment(&en, ENLISTMENT_ALL_ACCESS, rm, tx, &kernel, 0, kTwoPhase, &g_tx_context),
              STATUS_SUCCESS);
    Handle en_owner(en, true);
    EXPECT_EQ(NtCommitTransaction(tx, FALSE), STATUS_INVALID_HANDLE);  // a kernel handle, from user mode
    EXPECT_EQ(ZwCommitTransaction(tx, FALSE), STATUS_PENDING);
    TRANSACTION_NOTIFICATION n{};
    LARGE_INTEGER zero = zero_timeout();
    ASSERT_EQ(ZwGetNotificationResourceManager(rm, &n, sizeof n, &zero, nullptr, 0, 0), STATUS_SUCCESS);
    EXPECT_EQ(n.TransactionNotification, ULONG{TRANSACTION_NOTIFY_PREPARE});
    EXPECT_EQ(n.TransactionKey, &g_tx_context);
    EXPECT_EQ(ZwPrepareComplete(en, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(ZwGetNotificationResourceManager(rm, &n, sizeof n, &zero, nullptr, 0, 0), STATUS_SUCCESS);
    EXPECT_EQ(n.TransactionNotification, ULONG{TRANSACTION_NOTIFY_COMMIT});
    EXPECT_EQ(ZwCommitComplete(en, nullptr), STATUS_SUCCESS);
    TRANSACTION_BASIC_INFORMATION info{};
    EXPECT_EQ(ZwQueryInformationTransaction(tx, TransactionBasicInformation, &info, sizeof info, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(info.Outcome, ULONG{TransactionOutcomeCommitted});
}

TEST_F(NtTest, ktm_superior_enlistment_drives_the_phases) {
    Handle tm(make_tm());
    Handle superior_rm(make_rm(tm, 23));
    Handle rm(make_rm(tm, 24));
    Handle tx(make_transaction(tm));
    constexpr NOTIFICATION_MASK kSuperiorMask = TRANSACTION_NOTIFY_PREPREPARE_COMPLETE |
                                                TRANSACTION_NOTIFY_PREPARE_COMPLETE |
                                                TRANSACTION_NOTIFY_COMMIT_COMPLETE | TRANSACTION_NOTIFY_ROLLBACK;
    Handle superior(enlist(superior_rm, tx, kSuperiorMask, nullptr, ENLISTMENT_SUPERIOR));
    HANDLE second = nullptr;
    EXPECT_EQ(NtCreateEnlistment(&second, ENLISTMENT_ALL_ACCESS, superior_rm, tx, nullptr, ENLISTMENT_SUPERIOR,
                                 kSuperiorMask, nullptr),
              STATUS_TRANSACTION_SUPERIOR_EXISTS);
    Handle sub(enlist(rm, tx, kThreePhase, &g_tx_context));

    EXPECT_EQ(NtCommitTransaction(tx, FALSE), STATUS_TRANSACTION_SUPERIOR_EXISTS);
    EXPECT_EQ(NtPrePrepareEnlistment(sub, nullptr), STATUS_ENLISTMENT_NOT_SUPERIOR);
    EXPECT_EQ(NtPrepareEnlistment(superior, nullptr), STATUS_TRANSACTION_REQUEST_NOT_VALID);  // out of order
    EXPECT_EQ(NtPrePrepareEnlistment(superior, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(rm).what, ULONG{TRANSACTION_NOTIFY_PREPREPARE});
    EXPECT_EQ(next_note(superior_rm).what, 0u);
    EXPECT_EQ(NtPrePrepareComplete(sub, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(superior_rm).what, ULONG{TRANSACTION_NOTIFY_PREPREPARE_COMPLETE});
    EXPECT_EQ(NtPrepareEnlistment(superior, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(rm).what, ULONG{TRANSACTION_NOTIFY_PREPARE});
    EXPECT_EQ(NtPrepareComplete(sub, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(superior_rm).what, ULONG{TRANSACTION_NOTIFY_PREPARE_COMPLETE});
    EXPECT_EQ(query_basic(tx).State, ULONG{TransactionStateIndoubt});
    EXPECT_EQ(NtCommitEnlistment(superior, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(rm).what, ULONG{TRANSACTION_NOTIFY_COMMIT});
    EXPECT_EQ(NtCommitComplete(sub, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(superior_rm).what, ULONG{TRANSACTION_NOTIFY_COMMIT_COMPLETE});
    EXPECT_EQ(query_basic(tx).Outcome, ULONG{TransactionOutcomeCommitted});
}

TEST_F(NtTest, ktm_superior_rollback_tells_the_subordinates) {
    Handle tm(make_tm());
    Handle superior_rm(make_rm(tm, 25));
    Handle rm(make_rm(tm, 26));
    Handle tx(make_transaction(tm));
    Handle superior(enlist(superior_rm, tx, TRANSACTION_NOTIFY_ROLLBACK, nullptr, ENLISTMENT_SUPERIOR));
    Handle sub(enlist(rm, tx, kTwoPhase, &g_tx_context));
    TRANSACTION_SUPERIOR_ENLISTMENT_INFORMATION info{};
    ASSERT_EQ(NtQueryInformationTransaction(tx, TransactionSuperiorEnlistmentInformation, &info, sizeof info, nullptr),
              STATUS_SUCCESS);
    ENLISTMENT_BASIC_INFORMATION basic{};
    ASSERT_EQ(NtQueryInformationEnlistment(superior, EnlistmentBasicInformation, &basic, sizeof basic, nullptr),
              STATUS_SUCCESS);
    EXPECT_TRUE(IsEqualGUID(info.SuperiorEnlistmentPair.EnlistmentId, basic.EnlistmentId));
    GUID superior_rm_id = guid_of(25);
    EXPECT_TRUE(IsEqualGUID(info.SuperiorEnlistmentPair.ResourceManagerId, superior_rm_id));
    EXPECT_EQ(NtRollbackEnlistment(superior, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(next_note(rm).what, ULONG{TRANSACTION_NOTIFY_ROLLBACK});
    EXPECT_EQ(next_note(superior_rm).what, 0u);
    EXPECT_EQ(NtRollbackComplete(sub, nullptr), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::ktm_conformance
