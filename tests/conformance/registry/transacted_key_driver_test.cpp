// Transacted registry keys as drivers use them: the Zw forms, a registry filter that sees the bound
// transaction (REG_CREATE_KEY_INFORMATION_V1's Transaction, CmGetBoundTransaction), and a committed
// transaction's changes in the hive file after a new System boots on it (a rolled-back one's not).
#include "conformance/registry/transacted_key_support.hpp"

#include <unistd.h>

namespace ntio::test {
namespace {

using TransactedKeyDriver = RegistryTest;

// A registry filter sees the transaction: REG_CREATE_KEY_INFORMATION_V1's Transaction, and
// CmGetBoundTransaction for the key object of a later operation.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-cmgetboundtransaction
struct BoundSeen {
    LARGE_INTEGER cookie{};
    PVOID create_tx = nullptr;
    PVOID set_tx = nullptr;
    int sets = 0;
};

NTSTATUS NTAPI watch_transactions(PVOID context, PVOID argument1, PVOID argument2) {
    auto* seen = static_cast<BoundSeen*>(context);
    switch (static_cast<REG_NOTIFY_CLASS>(reinterpret_cast<ULONG_PTR>(argument1))) {
    case RegNtPreCreateKeyEx:
        seen->create_tx = static_cast<PREG_CREATE_KEY_INFORMATION_V1>(argument2)->Transaction;
        break;
    case RegNtPreSetValueKey:
        seen->set_tx =
            CmGetBoundTransaction(&seen->cookie, static_cast<PREG_SET_VALUE_KEY_INFORMATION>(argument2)->Object);
        ++seen->sets;
        break;
    default:
        break;
    }
    return STATUS_SUCCESS;
}

TEST_F(TransactedKeyDriver, RegistryCallbacksSeeTheBoundTransaction) {
    BoundSeen seen;
    UNICODE_STRING altitude;
    RtlInitUnicodeString(&altitude, L"380000");
    ASSERT_EQ(CmRegisterCallbackEx(watch_transactions, &altitude, nullptr, &seen, &seen.cookie, nullptr),
              STATUS_SUCCESS);
    ASSERT_EQ(set_dword(scratch(), L"Plain", 1), STATUS_SUCCESS);
    EXPECT_EQ(seen.sets, 1);
    EXPECT_EQ(seen.set_tx, nullptr);
    Handle tx(new_transaction());
    PVOID tx_object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(tx, 0, *TmTransactionObjectType, KernelMode, &tx_object, nullptr),
              STATUS_SUCCESS);
    Handle sub;
    ASSERT_EQ(create_transacted(sub.out(), L"Sub", tx, scratch()), STATUS_SUCCESS);
    EXPECT_EQ(seen.create_tx, tx_object);
    ASSERT_EQ(set_dword(sub, L"V", 1), STATUS_SUCCESS);
    EXPECT_EQ(seen.sets, 2);
    EXPECT_EQ(seen.set_tx, tx_object);
    EXPECT_EQ(CmGetBoundTransaction(&seen.cookie, nullptr), nullptr);
    ObDereferenceObject(tx_object);
    EXPECT_EQ(CmUnRegisterCallback(seen.cookie), STATUS_SUCCESS);
}

// Drivers: the Zw forms, in a transaction the driver commits with ZwCommitTransaction.
TEST_F(TransactedKeyDriver, ZwFormsWorkForKernelCallers) {
    HANDLE tx = nullptr;
    ASSERT_EQ(ZwCreateTransaction(&tx, TRANSACTION_ALL_ACCESS, nullptr, nullptr, nullptr, 0, 0, 0, nullptr, nullptr),
              STATUS_SUCCESS);
    ObjectName name(L"\\REGISTRY\\MACHINE\\SOFTWARE\\NtioTransacted", OBJ_CASE_INSENSITIVE);
    HANDLE key = nullptr, opened = nullptr, opened_ex = nullptr;
    ULONG disposition = 0;
    ASSERT_EQ(ZwCreateKeyTransacted(&key, KEY_ALL_ACCESS, name.get(), 0, nullptr, 0, tx, &disposition),
              STATUS_SUCCESS);
    EXPECT_EQ(disposition, static_cast<ULONG>(REG_CREATED_NEW_KEY));
    ASSERT_EQ(ZwOpenKeyTransacted(&opened, KEY_ALL_ACCESS, name.get(), tx), STATUS_SUCCESS);
    ASSERT_EQ(ZwOpenKeyTransactedEx(&opened_ex, KEY_READ, name.get(), 0, tx), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(opened, L"V", 11), STATUS_SUCCESS);
    EXPECT_EQ(read_dword(opened_ex, L"V"), 11u);
    HANDLE plain = nullptr;
    EXPECT_EQ(ZwOpenKey(&plain, KEY_READ, name.get()), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(ZwCommitTransaction(tx, TRUE), STATUS_SUCCESS);
    ASSERT_EQ(ZwOpenKey(&plain, KEY_ALL_ACCESS, name.get()), STATUS_SUCCESS);
    EXPECT_EQ(read_dword(plain, L"V"), 11u);
    EXPECT_EQ(ZwDeleteKey(plain), STATUS_SUCCESS);
    for (HANDLE h : {key, opened, opened_ex, plain, tx}) EXPECT_EQ(ZwClose(h), STATUS_SUCCESS);
}

// ---- Persistence -----------------------------------------------------------------------------------

std::string temp_hive() {
    char pattern[] = "/tmp/ntio-txhive-XXXXXX";
    const char* dir = mkdtemp(pattern);
    EXPECT_NE(dir, nullptr);
    return dir ? std::string(dir) + "/system.hive" : std::string();
}

void remove_hive(const std::string& file) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((file + suffix).c_str());
    ::rmdir(file.substr(0, file.rfind('/')).c_str());
}

TEST(TransactedKeyPersistence, CommittedChangesAreInTheHiveFileAndRolledBackOnesAreNot) {
    const std::string hive = temp_hive();
    BootOptions options;
    options.hive_path = hive;
    {
        System system(options);
        HANDLE tx = nullptr, rolled = nullptr;
        ASSERT_EQ(ZwCreateTransaction(&tx, TRANSACTION_ALL_ACCESS, nullptr, nullptr, nullptr, 0, 0, 0, nullptr, nullptr),
                  STATUS_SUCCESS);
        ASSERT_EQ(ZwCreateTransaction(&rolled, TRANSACTION_ALL_ACCESS, nullptr, nullptr, nullptr, 0, 0, 0, nullptr,
                                      nullptr),
                  STATUS_SUCCESS);
        ObjectName committed(L"\\REGISTRY\\MACHINE\\SOFTWARE\\TxCommitted", OBJ_CASE_INSENSITIVE);
        ObjectName discarded(L"\\REGISTRY\\MACHINE\\SOFTWARE\\TxRolledBack", OBJ_CASE_INSENSITIVE);
        HANDLE key = nullptr, child = nullptr, other = nullptr;
        ASSERT_EQ(ZwCreateKeyTransacted(&key, KEY_ALL_ACCESS, committed.get(), 0, nullptr, 0, tx, nullptr),
                  STATUS_SUCCESS);
        ASSERT_EQ(set_dword(key, L"V", 21), STATUS_SUCCESS);
        ObjectName child_name(L"Child", OBJ_CASE_INSENSITIVE, key);
        ASSERT_EQ(ZwCreateKeyTransacted(&child, KEY_ALL_ACCESS, child_name.get(), 0, nullptr, 0, tx, nullptr),
                  STATUS_SUCCESS);
        ASSERT_EQ(set_dword(child, L"W", 22), STATUS_SUCCESS);
        ASSERT_EQ(ZwCreateKeyTransacted(&other, KEY_ALL_ACCESS, discarded.get(), 0, nullptr, 0, rolled, nullptr),
                  STATUS_SUCCESS);
        ASSERT_EQ(set_dword(other, L"V", 1), STATUS_SUCCESS);
        ASSERT_EQ(ZwCommitTransaction(tx, TRUE), STATUS_SUCCESS);
        ASSERT_EQ(ZwRollbackTransaction(rolled, TRUE), STATUS_SUCCESS);
        for (HANDLE h : {key, child, other, tx, rolled}) ASSERT_EQ(ZwClose(h), STATUS_SUCCESS);
    }
    {
        System system(options);
        HANDLE key = nullptr, child = nullptr, other = nullptr;
        ObjectName committed(L"\\REGISTRY\\MACHINE\\SOFTWARE\\TxCommitted\\Child", OBJ_CASE_INSENSITIVE);
        ObjectName parent(L"\\REGISTRY\\MACHINE\\SOFTWARE\\TxCommitted", OBJ_CASE_INSENSITIVE);
        ObjectName discarded(L"\\REGISTRY\\MACHINE\\SOFTWARE\\TxRolledBack", OBJ_CASE_INSENSITIVE);
        ASSERT_EQ(ZwOpenKey(&key, KEY_READ, parent.get()), STATUS_SUCCESS);
        ASSERT_EQ(ZwOpenKey(&child, KEY_READ, committed.get()), STATUS_SUCCESS);
        EXPECT_EQ(read_dword(key, L"V"), 21u);
        EXPECT_EQ(read_dword(child, L"W"), 22u);
        EXPECT_EQ(ZwOpenKey(&other, KEY_READ, discarded.get()), STATUS_OBJECT_NAME_NOT_FOUND);
        for (HANDLE h : {key, child}) ASSERT_EQ(ZwClose(h), STATUS_SUCCESS);
    }
    remove_hive(hive);
}

}  // namespace
}  // namespace ntio::test
