// KTM services and bad input: options, handles, types, access, lengths and pointers; the information
// classes; opening KTM objects by GUID and enumerating them.
#include "ktm_support.hpp"

namespace ntio::test::ktm_conformance {
namespace {

TEST_F(NtTest, ktm_transaction_manager_must_be_volatile_without_a_log) {
    HANDLE tm = nullptr;
    EXPECT_EQ(NtCreateTransactionManager(&tm, TRANSACTIONMANAGER_ALL_ACCESS, nullptr, nullptr, 0, 0),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtCreateTransactionManager(&tm, TRANSACTIONMANAGER_ALL_ACCESS, nullptr, nullptr, 0x40, 0),
              STATUS_INVALID_PARAMETER);
    UNICODE_STRING log;
    RtlInitUnicodeString(&log, L"\\??\\C:\\ktm.log");
    EXPECT_EQ(NtCreateTransactionManager(&tm, TRANSACTIONMANAGER_ALL_ACCESS, nullptr, &log,
                                         TRANSACTION_MANAGER_VOLATILE, 0),
              STATUS_NOT_SUPPORTED);
    BadMemory bad;
    EXPECT_EQ(NtCreateTransactionManager(bad.read_only<HANDLE>(), TRANSACTIONMANAGER_ALL_ACCESS, nullptr, nullptr,
                                         TRANSACTION_MANAGER_VOLATILE, 0),
              STATUS_ACCESS_VIOLATION);
    Handle ok(make_tm());
    EXPECT_EQ(NtRecoverTransactionManager(ok), STATUS_SUCCESS);
    TRANSACTIONMANAGER_LOG_INFORMATION log_info{};
    EXPECT_EQ(NtQueryInformationTransactionManager(ok, TransactionManagerLogInformation, &log_info, sizeof log_info,
                                                   nullptr),
              STATUS_TM_VOLATILE);
}

TEST_F(NtTest, ktm_handles_types_and_access_are_checked) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 30));
    Handle event(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(NtCommitTransaction(reinterpret_cast<HANDLE>(0x7ff0), FALSE), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtCommitTransaction(event, FALSE), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtRollbackTransaction(rm, FALSE), STATUS_OBJECT_TYPE_MISMATCH);

    Handle query_only(make_transaction(tm, TRANSACTION_QUERY_INFORMATION));
    EXPECT_EQ(NtCommitTransaction(query_only, FALSE), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtRollbackTransaction(query_only, FALSE), STATUS_ACCESS_DENIED);
    HANDLE en = nullptr;
    EXPECT_EQ(NtCreateEnlistment(&en, ENLISTMENT_ALL_ACCESS, rm, query_only, nullptr, 0, kTwoPhase, nullptr),
              STATUS_ACCESS_DENIED);

    HANDLE tm_query = nullptr;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), tm, NtCurrentProcess(), &tm_query,
                                TRANSACTIONMANAGER_QUERY_INFORMATION, 0, 0),
              STATUS_SUCCESS);
    Handle tm_query_owner(tm_query);
    HANDLE rm2 = nullptr;
    GUID id = guid_of(31);
    EXPECT_EQ(NtCreateResourceManager(&rm2, RESOURCEMANAGER_ALL_ACCESS, tm_query, &id, nullptr, 0, nullptr),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtCreateResourceManager(&rm2, RESOURCEMANAGER_ALL_ACCESS, tm, nullptr, nullptr, 0, nullptr),
              STATUS_INVALID_PARAMETER);
    GUID taken = guid_of(30);
    EXPECT_EQ(NtCreateResourceManager(&rm2, RESOURCEMANAGER_ALL_ACCESS, tm, &taken, nullptr, 0, nullptr),
              STATUS_OBJECT_NAME_COLLISION);

    // An enlistment handle without subordinate rights cannot answer for it.
    Handle tx(make_transaction(tm));
    HANDLE weak = nullptr;
    ASSERT_EQ(NtCreateEnlistment(&weak, ENLISTMENT_QUERY_INFORMATION, rm, tx, nullptr, 0, kTwoPhase, nullptr),
              STATUS_SUCCESS);
    Handle weak_owner(weak);
    EXPECT_EQ(NtReadOnlyEnlistment(weak, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtRollbackEnlistment(weak, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtPrePrepareEnlistment(weak, nullptr), STATUS_ACCESS_DENIED);
}

TEST_F(NtTest, ktm_enlistment_options_and_masks_are_validated) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 32));
    Handle tx(make_transaction(tm));
    HANDLE en = nullptr;
    EXPECT_EQ(NtCreateEnlistment(&en, ENLISTMENT_ALL_ACCESS, rm, tx, nullptr, 0, 0, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtCreateEnlistment(&en, ENLISTMENT_ALL_ACCESS, rm, tx, nullptr, 2, kTwoPhase, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtCreateEnlistment(&en, ENLISTMENT_ALL_ACCESS, rm, tx, nullptr, 0, 0x80000000u | kTwoPhase, nullptr),
              STATUS_INVALID_PARAMETER);
    // Learn's rules: rollback always; PREPARE only with COMMIT.
    EXPECT_EQ(NtCreateEnlistment(&en, ENLISTMENT_ALL_ACCESS, rm, tx, nullptr, 0,
                                 TRANSACTION_NOTIFY_PREPARE | TRANSACTION_NOTIFY_COMMIT, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtCreateEnlistment(&en, ENLISTMENT_ALL_ACCESS, rm, tx, nullptr, 0,
                                 TRANSACTION_NOTIFY_PREPARE | TRANSACTION_NOTIFY_ROLLBACK, nullptr),
              STATUS_INVALID_PARAMETER);
    Handle good(enlist(rm, tx, kTwoPhase, nullptr));
    EXPECT_EQ(NtPrepareComplete(good, nullptr), STATUS_TRANSACTION_NOT_REQUESTED);
    EXPECT_EQ(NtSinglePhaseReject(good, nullptr), STATUS_TRANSACTION_NOT_REQUESTED);
    EXPECT_EQ(NtRollbackComplete(good, nullptr), STATUS_TRANSACTION_NOT_REQUESTED);
    BadMemory bad;
    EXPECT_EQ(NtPrepareComplete(good, bad.no_access<LARGE_INTEGER>()), STATUS_ACCESS_VIOLATION);
}

TEST_F(NtTest, ktm_notification_buffer_and_timeout_rules) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 33));
    LARGE_INTEGER zero = zero_timeout();
    TRANSACTION_NOTIFICATION n{};
    ULONG length = 0;
    EXPECT_EQ(NtGetNotificationResourceManager(rm, &n, sizeof n, &zero, &length, 0, 0), STATUS_TIMEOUT);
    Handle tx(make_transaction(tm));
    Handle en(enlist(rm, tx, kTwoPhase, nullptr));
    EXPECT_EQ(NtRollbackTransaction(tx, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(NtGetNotificationResourceManager(rm, &n, sizeof n - 1, &zero, &length, 0, 0), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(length, sizeof(TRANSACTION_NOTIFICATION));
    BadMemory bad;
    EXPECT_EQ(NtGetNotificationResourceManager(rm, bad.read_only<TRANSACTION_NOTIFICATION>(), sizeof n, &zero,
                                               nullptr, 0, 0),
              STATUS_ACCESS_VIOLATION);
    // The notification was kept for a caller with room for it.
    EXPECT_EQ(next_note(rm).what, ULONG{TRANSACTION_NOTIFY_ROLLBACK});
    HANDLE query_only = nullptr;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), rm, NtCurrentProcess(), &query_only,
                                RESOURCEMANAGER_QUERY_INFORMATION, 0, 0),
              STATUS_SUCCESS);
    Handle owner(query_only);
    EXPECT_EQ(NtGetNotificationResourceManager(query_only, &n, sizeof n, &zero, nullptr, 0, 0), STATUS_ACCESS_DENIED);
}

TEST_F(NtTest, ktm_transaction_information_classes) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 34));
    UNICODE_STRING description;
    RtlInitUnicodeString(&description, L"ktm test");
    LARGE_INTEGER timeout = relative_ms(60000);
    HANDLE raw = nullptr;
    ASSERT_EQ(NtCreateTransaction(&raw, TRANSACTION_ALL_ACCESS, nullptr, nullptr, tm, 0, 0, 0, &timeout, &description),
              STATUS_SUCCESS);
    Handle tx(raw);
    Handle a(enlist(rm, tx, kTwoPhase, nullptr));
    Handle b(enlist(rm, tx, kTwoPhase, nullptr));

    TRANSACTION_BASIC_INFORMATION basic{};
    ULONG length = 0;
    EXPECT_EQ(NtQueryInformationTransaction(tx, TransactionBasicInformation, &basic, sizeof basic - 1, &length),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryInformationTransaction(tx, static_cast<TRANSACTION_INFORMATION_CLASS>(9), &basic, sizeof basic,
                                            nullptr),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(query_basic(tx).State, ULONG{TransactionStateNormal});

    alignas(8) unsigned char buffer[256];
    const ULONG fixed = offsetof(TRANSACTION_PROPERTIES_INFORMATION, Description);
    EXPECT_EQ(NtQueryInformationTransaction(tx, TransactionPropertiesInformation, buffer, fixed, &length),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(length, fixed + 8 * sizeof(WCHAR));
    ASSERT_EQ(NtQueryInformationTransaction(tx, TransactionPropertiesInformation, buffer, sizeof buffer, &length),
              STATUS_SUCCESS);
    auto* props = reinterpret_cast<TRANSACTION_PROPERTIES_INFORMATION*>(buffer);
    EXPECT_EQ(props->Timeout.QuadPart, timeout.QuadPart);
    EXPECT_EQ(props->DescriptionLength, 8 * sizeof(WCHAR));
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(props->Description), 8), u"ktm test");

    ASSERT_EQ(NtQueryInformationTransaction(tx, TransactionEnlistmentInformation, buffer, sizeof buffer, &length),
              STATUS_SUCCESS);
    auto* list = reinterpret_cast<TRANSACTION_ENLISTMENTS_INFORMATION*>(buffer);
    EXPECT_EQ(list->NumberOfEnlistments, 2u);
    ENLISTMENT_BASIC_INFORMATION en_info{};
    ASSERT_EQ(NtQueryInformationEnlistment(b, EnlistmentBasicInformation, &en_info, sizeof en_info, nullptr),
              STATUS_SUCCESS);
    EXPECT_TRUE(IsEqualGUID(list->EnlistmentPair[1].EnlistmentId, en_info.EnlistmentId));
    const GUID tx_id = query_basic(tx).TransactionId;
    EXPECT_TRUE(IsEqualGUID(en_info.TransactionId, tx_id));
    EXPECT_EQ(NtQueryInformationTransaction(tx, TransactionEnlistmentInformation, buffer, 8, &length),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(length, offsetof(TRANSACTION_ENLISTMENTS_INFORMATION, EnlistmentPair) +
                          2 * sizeof(TRANSACTION_ENLISTMENT_PAIR));

    // Setting the properties changes the timeout and description.
    auto* set = reinterpret_cast<TRANSACTION_PROPERTIES_INFORMATION*>(buffer);
    set->Timeout.QuadPart = -1;
    set->DescriptionLength = 2 * sizeof(WCHAR);
    set->Description[0] = L'o';
    set->Description[1] = L'k';
    ASSERT_EQ(NtSetInformationTransaction(tx, TransactionPropertiesInformation, buffer, fixed + 4), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationTransaction(tx, TransactionPropertiesInformation, buffer, sizeof buffer, &length),
              STATUS_SUCCESS);
    EXPECT_EQ(props->Timeout.QuadPart, -1);
    EXPECT_EQ(props->DescriptionLength, 2 * sizeof(WCHAR));
    EXPECT_EQ(NtSetInformationTransaction(tx, TransactionBasicInformation, buffer, sizeof basic),
              STATUS_INVALID_INFO_CLASS);
}

TEST_F(NtTest, ktm_objects_open_by_guid_and_enumerate) {
    Handle tm(make_tm());
    Handle rm(make_rm(tm, 35));
    Handle tx(make_transaction(tm));
    Handle en(enlist(rm, tx, kTwoPhase, nullptr));

    TRANSACTIONMANAGER_BASIC_INFORMATION tm_info{};
    ASSERT_EQ(NtQueryInformationTransactionManager(tm, TransactionManagerBasicInformation, &tm_info, sizeof tm_info,
                                                   nullptr),
              STATUS_SUCCESS);
    HANDLE opened = nullptr;
    ASSERT_EQ(NtOpenTransactionManager(&opened, TRANSACTIONMANAGER_QUERY_INFORMATION, nullptr, nullptr,
                                       &tm_info.TmIdentity, 0),
              STATUS_SUCCESS);
    Handle tm2(opened);
    GUID unknown = guid_of(99);
    EXPECT_EQ(NtOpenTransactionManager(&opened, TRANSACTIONMANAGER_QUERY_INFORMATION, nullptr, nullptr, &unknown, 0),
              STATUS_TRANSACTIONMANAGER_NOT_FOUND);

    GUID rm_id = guid_of(35);
    ASSERT_EQ(NtOpenResourceManager(&opened, RESOURCEMANAGER_QUERY_INFORMATION, tm2, &rm_id, nullptr), STATUS_SUCCESS);
    Handle rm2(opened);
    alignas(8) unsigned char buffer[128];
    ASSERT_EQ(NtQueryInformationResourceManager(rm2, ResourceManagerBasicInformation, buffer, sizeof buffer, nullptr),
              STATUS_SUCCESS);
    EXPECT_TRUE(IsEqualGUID(reinterpret_cast<RESOURCEMANAGER_BASIC_INFORMATION*>(buffer)->ResourceManagerId, rm_id));
    EXPECT_EQ(NtOpenResourceManager(&opened, RESOURCEMANAGER_QUERY_INFORMATION, tm2, &unknown, nullptr),
              STATUS_RESOURCEMANAGER_NOT_FOUND);

    const GUID uow = query_basic(tx).TransactionId;
    ASSERT_EQ(NtOpenTransaction(&opened, TRANSACTION_QUERY_INFORMATION, nullptr, const_cast<GUID*>(&uow), tm),
              STATUS_SUCCESS);
    Handle tx2(opened);
    const GUID reopened = query_basic(tx2).TransactionId;
    EXPECT_TRUE(IsEqualGUID(reopened, uow));
    EXPECT_EQ(NtOpenTransaction(&opened, TRANSACTION_QUERY_INFORMATION, nullptr, &unknown, tm),
              STATUS_TRANSACTION_NOT_FOUND);

    ENLISTMENT_BASIC_INFORMATION en_info{};
    ASSERT_EQ(NtQueryInformationEnlistment(en, EnlistmentBasicInformation, &en_info, sizeof en_info, nullptr),
              STATUS_SUCCESS);
    ASSERT_EQ(NtOpenEnlistment(&opened, ENLISTMENT_QUERY_INFORMATION, rm, &en_info.EnlistmentId, nullptr),
              STATUS_SUCCESS);
    Handle en2(opened);
    EXPECT_EQ(NtOpenEnlistment(&opened, ENLISTMENT_QUERY_INFORMATION, rm, &unknown, nullptr),
              STATUS_ENLISTMENT_NOT_FOUND);

    // The TM's transactions: this one, then no more.
    struct {
        KTMOBJECT_CURSOR cursor;
        GUID more[3];
    } cursor{};
    ULONG length = 0;
    ASSERT_EQ(NtEnumerateTransactionObject(tm, KTMOBJECT_TRANSACTION, &cursor.cursor, sizeof cursor, &length),
              STATUS_SUCCESS);
    EXPECT_EQ(cursor.cursor.ObjectIdCount, 1u);
    EXPECT_TRUE(IsEqualGUID(cursor.cursor.ObjectIds[0], uow));
    EXPECT_EQ(NtEnumerateTransactionObject(tm, KTMOBJECT_TRANSACTION, &cursor.cursor, sizeof cursor, &length),
              STATUS_NO_MORE_ENTRIES);
    KTMOBJECT_CURSOR small{};
    EXPECT_EQ(NtEnumerateTransactionObject(tm, KTMOBJECT_TRANSACTION, &small, offsetof(KTMOBJECT_CURSOR, ObjectIds),
                                           &length),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(NtEnumerateTransactionObject(tm, KTMOBJECT_INVALID, &cursor.cursor, sizeof cursor, &length),
              STATUS_INVALID_PARAMETER);
}

}  // namespace
}  // namespace ntio::test::ktm_conformance
