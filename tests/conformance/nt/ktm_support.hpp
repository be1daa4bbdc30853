// Helpers for the KTM conformance tests: a volatile transaction manager, a resource manager that
// reads its notifications with NtGetNotificationResourceManager, and a transaction.
#pragma once

#include "nt_test_support.hpp"

namespace ntio::test::ktm_conformance {

inline GUID guid_of(unsigned char tag) {
    GUID id{};
    id.Data1 = 0x6b746d00u | tag;
    id.Data4[7] = tag;
    return id;
}

inline HANDLE make_tm() {
    HANDLE tm = nullptr;
    EXPECT_EQ(NtCreateTransactionManager(&tm, TRANSACTIONMANAGER_ALL_ACCESS, nullptr, nullptr,
                                         TRANSACTION_MANAGER_VOLATILE, 0),
              STATUS_SUCCESS);
    return tm;
}

inline HANDLE make_rm(HANDLE tm, unsigned char tag) {
    HANDLE rm = nullptr;
    GUID id = guid_of(tag);
    EXPECT_EQ(NtCreateResourceManager(&rm, RESOURCEMANAGER_ALL_ACCESS, tm, &id, nullptr, RESOURCE_MANAGER_VOLATILE,
                                      nullptr),
              STATUS_SUCCESS);
    return rm;
}

inline HANDLE make_transaction(HANDLE tm, ACCESS_MASK access = TRANSACTION_ALL_ACCESS) {
    HANDLE tx = nullptr;
    EXPECT_EQ(NtCreateTransaction(&tx, access, nullptr, nullptr, tm, 0, 0, 0, nullptr, nullptr), STATUS_SUCCESS);
    return tx;
}

inline HANDLE enlist(HANDLE rm, HANDLE tx, NOTIFICATION_MASK mask, PVOID key, ULONG options = 0) {
    HANDLE en = nullptr;
    EXPECT_EQ(NtCreateEnlistment(&en, ENLISTMENT_ALL_ACCESS, rm, tx, nullptr, options, mask, key), STATUS_SUCCESS);
    return en;
}

// The next notification of `rm`, without waiting: {key, notification}, or {nullptr, 0} if none.
struct Note {
    PVOID key = nullptr;
    ULONG what = 0;
};
inline Note next_note(HANDLE rm) {
    TRANSACTION_NOTIFICATION n{};
    LARGE_INTEGER zero = zero_timeout();
    ULONG length = 0;
    const NTSTATUS status = NtGetNotificationResourceManager(rm, &n, sizeof n, &zero, &length, 0, 0);
    if (status == STATUS_TIMEOUT) return {};
    EXPECT_EQ(status, STATUS_SUCCESS);
    EXPECT_EQ(length, sizeof(TRANSACTION_NOTIFICATION));
    EXPECT_EQ(n.ArgumentLength, 0u);
    return {n.TransactionKey, n.TransactionNotification};
}

inline TRANSACTION_BASIC_INFORMATION query_basic(HANDLE tx) {
    TRANSACTION_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryInformationTransaction(tx, TransactionBasicInformation, &info, sizeof info, nullptr),
              STATUS_SUCCESS);
    return info;
}

constexpr NOTIFICATION_MASK kTwoPhase = TRANSACTION_NOTIFY_PREPARE | TRANSACTION_NOTIFY_COMMIT |
                                        TRANSACTION_NOTIFY_ROLLBACK;
constexpr NOTIFICATION_MASK kThreePhase = kTwoPhase | TRANSACTION_NOTIFY_PREPREPARE;

}  // namespace ntio::test::ktm_conformance
