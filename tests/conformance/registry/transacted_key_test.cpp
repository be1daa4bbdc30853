// Transacted registry keys through NtCreateKeyTransacted / NtOpenKeyTransacted(Ex) and their Zw forms:
// changes made through a handle bound to a transaction are seen only through that transaction until it
// commits, vanish when it rolls back (explicitly or when its last handle closes), conflict with another
// transaction's changes to the same key, and give way to a change made outside any transaction (which
// rolls the transaction back: RegOpenKeyTransacted remarks on Learn). A committed change is in the hive
// file.
#include "conformance/registry/registry_test_support.hpp"
#include "conformance/nt/ktm_support.hpp"

#include <unistd.h>

namespace ntio::test {
namespace {

HANDLE new_transaction(ACCESS_MASK access = TRANSACTION_ALL_ACCESS) {
    HANDLE tx = nullptr;
    EXPECT_EQ(NtCreateTransaction(&tx, access, nullptr, nullptr, nullptr, 0, 0, 0, nullptr, nullptr), STATUS_SUCCESS);
    return tx;
}

NTSTATUS open_transacted(HANDLE* key, const wchar_t* name, HANDLE tx, HANDLE root = nullptr,
                         ACCESS_MASK access = KEY_ALL_ACCESS) {
    ObjectName oa(name, OBJ_CASE_INSENSITIVE, root);
    return NtOpenKeyTransacted(key, access, oa.get(), tx);
}

NTSTATUS create_transacted(HANDLE* key, const wchar_t* name, HANDLE tx, HANDLE root = nullptr, ULONG options = 0,
                           ULONG* disposition = nullptr) {
    ObjectName oa(name, OBJ_CASE_INSENSITIVE, root);
    return NtCreateKeyTransacted(key, KEY_ALL_ACCESS, oa.get(), 0, nullptr, options, tx, disposition);
}

NTSTATUS query_dword(HANDLE key, const wchar_t* name, ULONG& value) {
    ULONG type = 0;
    std::vector<unsigned char> data;
    NTSTATUS status = read_value(key, name, type, data);
    if (NT_SUCCESS(status) && data.size() == sizeof(value)) std::memcpy(&value, data.data(), sizeof(value));
    return status;
}

class TransactedKey : public RegistryTest {
protected:
    // The scratch key opened again, bound to `tx`.
    HANDLE scratch_in(HANDLE tx) {
        HANDLE key = nullptr;
        EXPECT_EQ(open_transacted(&key, L"", tx, scratch()), STATUS_SUCCESS);
        return key;
    }
};

TEST_F(TransactedKey, ValueIsSeenOnlyInTheTransactionUntilItCommits) {
    Handle tx(new_transaction());
    Handle key(scratch_in(tx));
    ASSERT_EQ(set_dword(key, L"V", 7), STATUS_SUCCESS);
    ULONG value = 0;
    EXPECT_EQ(query_dword(key, L"V", value), STATUS_SUCCESS);
    EXPECT_EQ(value, 7u);
    EXPECT_EQ(query_dword(scratch(), L"V", value), STATUS_OBJECT_NAME_NOT_FOUND);
    // A second handle bound to the same transaction sees it too.
    Handle again(scratch_in(tx));
    EXPECT_EQ(read_dword(again, L"V"), 7u);

    ASSERT_EQ(NtCommitTransaction(tx, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(read_dword(scratch(), L"V"), 7u);
    // The handle's transaction is over: it must be opened again (RegOpenKeyTransacted remarks).
    EXPECT_EQ(query_dword(key, L"V", value), STATUS_TRANSACTION_NOT_ACTIVE);
    EXPECT_EQ(set_dword(key, L"W", 1), STATUS_TRANSACTION_NOT_ACTIVE);
}

TEST_F(TransactedKey, RollbackDiscardsTheChanges) {
    ASSERT_EQ(set_dword(scratch(), L"Kept", 1), STATUS_SUCCESS);
    Handle tx(new_transaction());
    Handle key(scratch_in(tx));
    ASSERT_EQ(set_dword(key, L"V", 7), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(key, L"Kept", 2), STATUS_SUCCESS);
    UNICODE_STRING kept;
    RtlInitUnicodeString(&kept, L"Kept");
    ASSERT_EQ(NtDeleteValueKey(key, &kept), STATUS_SUCCESS);
    ULONG value = 0;
    EXPECT_EQ(query_dword(key, L"Kept", value), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(read_dword(scratch(), L"Kept"), 1u);

    ASSERT_EQ(NtRollbackTransaction(tx, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(query_dword(scratch(), L"V", value), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(read_dword(scratch(), L"Kept"), 1u);
    EXPECT_EQ(set_dword(key, L"V", 8), STATUS_TRANSACTION_NOT_ACTIVE);
    // A commit after the rollback is refused by the KTM.
    EXPECT_EQ(NtCommitTransaction(tx, TRUE), STATUS_TRANSACTION_ALREADY_ABORTED);
}

TEST_F(TransactedKey, ClosingTheTransactionsLastHandleRollsBack) {
    HANDLE tx = new_transaction();
    Handle key(scratch_in(tx));
    ASSERT_EQ(set_dword(key, L"V", 7), STATUS_SUCCESS);
    ASSERT_EQ(NtClose(tx), STATUS_SUCCESS);
    ULONG value = 0;
    EXPECT_EQ(query_dword(scratch(), L"V", value), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(query_dword(key, L"V", value), STATUS_TRANSACTION_NOT_ACTIVE);
    // The key is free again for anyone.
    EXPECT_EQ(set_dword(scratch(), L"V", 9), STATUS_SUCCESS);
}

TEST_F(TransactedKey, SubkeyCreatedInTheTransactionAppearsAtCommit) {
    Handle tx(new_transaction());
    Handle sub;
    ULONG disposition = 0;
    ASSERT_EQ(create_transacted(sub.out(), L"Sub", tx, scratch(), 0, &disposition), STATUS_SUCCESS);
    EXPECT_EQ(disposition, static_cast<ULONG>(REG_CREATED_NEW_KEY));
    ASSERT_EQ(set_dword(sub, L"V", 3), STATUS_SUCCESS);

    Handle outside;
    EXPECT_EQ(open_key(outside.out(), L"Sub", KEY_READ, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
    NTSTATUS status;
    EXPECT_TRUE(subkey_name(scratch(), 0, &status).empty());
    EXPECT_EQ(status, STATUS_NO_MORE_ENTRIES);
    // Inside: enumerated, opened again, created again as an existing key.
    Handle parent(scratch_in(tx));
    EXPECT_EQ(subkey_name(parent, 0), u"Sub");
    Handle reopened, recreated;
    ASSERT_EQ(open_transacted(reopened.out(), L"Sub", tx, scratch()), STATUS_SUCCESS);
    EXPECT_EQ(read_dword(reopened, L"V"), 3u);
    ASSERT_EQ(create_transacted(recreated.out(), L"Sub", tx, scratch(), 0, &disposition), STATUS_SUCCESS);
    EXPECT_EQ(disposition, static_cast<ULONG>(REG_OPENED_EXISTING_KEY));

    ASSERT_EQ(NtCommitTransaction(tx, TRUE), STATUS_SUCCESS);
    ASSERT_EQ(open_key(outside.out(), L"Sub", KEY_READ, scratch()), STATUS_SUCCESS);
    EXPECT_EQ(read_dword(outside, L"V"), 3u);
    EXPECT_EQ(subkey_name(scratch(), 0), u"Sub");
}

TEST_F(TransactedKey, SubkeyCreatedInARolledBackTransactionNeverExists) {
    Handle tx(new_transaction());
    Handle sub;
    ASSERT_EQ(create_transacted(sub.out(), L"Sub\\Deeper", tx, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(create_transacted(sub.out(), L"Sub", tx, scratch()), STATUS_SUCCESS);
    ASSERT_EQ(NtRollbackTransaction(tx, TRUE), STATUS_SUCCESS);
    Handle outside;
    EXPECT_EQ(open_key(outside.out(), L"Sub", KEY_READ, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(set_dword(sub, L"V", 1), STATUS_TRANSACTION_NOT_ACTIVE);
    // The name is free for a key created outside any transaction.
    Handle plain;
    EXPECT_EQ(create_key(plain.out(), L"Sub", scratch()), STATUS_SUCCESS);
}

TEST_F(TransactedKey, KeyDeletedInTheTransactionGoesAtCommit) {
    Handle doomed;
    ASSERT_EQ(create_key(doomed.out(), L"Doomed", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(doomed, L"V", 4), STATUS_SUCCESS);
    Handle tx(new_transaction());
    Handle bound;
    ASSERT_EQ(open_transacted(bound.out(), L"Doomed", tx, scratch()), STATUS_SUCCESS);
    ASSERT_EQ(NtDeleteKey(bound), STATUS_SUCCESS);
    // Gone for the transaction, still there for everyone else.
    ULONG value = 0;
    EXPECT_EQ(query_dword(bound, L"V", value), STATUS_KEY_DELETED);
    Handle again;
    EXPECT_EQ(open_transacted(again.out(), L"Doomed", tx, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(read_dword(doomed, L"V"), 4u);

    ASSERT_EQ(NtCommitTransaction(tx, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(query_dword(doomed, L"V", value), STATUS_KEY_DELETED);
    Handle outside;
    EXPECT_EQ(open_key(outside.out(), L"Doomed", KEY_READ, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(TransactedKey, KeyWithSubkeysCannotBeDeletedInTheTransaction) {
    Handle parent, child;
    ASSERT_EQ(create_key(parent.out(), L"Parent", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(create_key(child.out(), L"Child", parent), STATUS_SUCCESS);
    Handle tx(new_transaction());
    Handle bound_parent, bound_child;
    ASSERT_EQ(open_transacted(bound_parent.out(), L"Parent", tx, scratch()), STATUS_SUCCESS);
    EXPECT_EQ(NtDeleteKey(bound_parent), STATUS_CANNOT_DELETE);
    // Once its subkey is deleted in the same transaction, it can go too.
    ASSERT_EQ(open_transacted(bound_child.out(), L"Child", tx, bound_parent), STATUS_SUCCESS);
    ASSERT_EQ(NtDeleteKey(bound_child), STATUS_SUCCESS);
    EXPECT_EQ(NtDeleteKey(bound_parent), STATUS_SUCCESS);
    ASSERT_EQ(NtCommitTransaction(tx, TRUE), STATUS_SUCCESS);
    Handle outside;
    EXPECT_EQ(open_key(outside.out(), L"Parent", KEY_READ, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(TransactedKey, SecondTransactionConflictsOnAKeyTheFirstChanged) {
    Handle other;
    ASSERT_EQ(create_key(other.out(), L"Other", scratch()), STATUS_SUCCESS);
    Handle tx1(new_transaction()), tx2(new_transaction());
    Handle key1(scratch_in(tx1)), key2(scratch_in(tx2));
    ASSERT_EQ(set_dword(key1, L"V", 1), STATUS_SUCCESS);
    EXPECT_EQ(set_dword(key2, L"V", 2), STATUS_TRANSACTIONAL_CONFLICT);
    EXPECT_EQ(set_dword(key2, L"W", 2), STATUS_TRANSACTIONAL_CONFLICT);  // the whole key is held
    // Subkey names are held one by one: the same new name conflicts, another does not.
    Handle shared1, shared2, fresh;
    ASSERT_EQ(create_transacted(shared1.out(), L"Shared", tx1, key1), STATUS_SUCCESS);
    EXPECT_EQ(create_transacted(shared2.out(), L"Shared", tx2, key2), STATUS_TRANSACTIONAL_CONFLICT);
    EXPECT_EQ(create_transacted(fresh.out(), L"Fresh", tx2, key2), STATUS_SUCCESS);
    // Reading is not a conflict: tx2 reads what is committed.
    ULONG value = 0;
    EXPECT_EQ(query_dword(key2, L"V", value), STATUS_OBJECT_NAME_NOT_FOUND);
    // Another key is free.
    Handle other2;
    ASSERT_EQ(open_transacted(other2.out(), L"Other", tx2, scratch()), STATUS_SUCCESS);
    EXPECT_EQ(set_dword(other2, L"X", 5), STATUS_SUCCESS);

    ASSERT_EQ(NtCommitTransaction(tx1, TRUE), STATUS_SUCCESS);
    // Read committed: tx2 now sees tx1's value and may change the key.
    EXPECT_EQ(read_dword(key2, L"V"), 1u);
    EXPECT_EQ(set_dword(key2, L"V", 2), STATUS_SUCCESS);
    ASSERT_EQ(NtCommitTransaction(tx2, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(read_dword(scratch(), L"V"), 2u);
    EXPECT_EQ(read_dword(other, L"X"), 5u);
}

TEST_F(TransactedKey, ChangeOutsideTheTransactionRollsItBack) {
    Handle tx(new_transaction());
    Handle key(scratch_in(tx));
    ASSERT_EQ(set_dword(key, L"V", 1), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(key, L"OnlyInTx", 1), STATUS_SUCCESS);
    // "If a non-transacted operation is performed on the key before the transaction is committed, the
    // transaction is rolled back" (RegOpenKeyTransacted): the plain writer wins.
    ASSERT_EQ(set_dword(scratch(), L"V", 2), STATUS_SUCCESS);
    EXPECT_EQ(read_dword(scratch(), L"V"), 2u);
    ULONG value = 0;
    EXPECT_EQ(query_dword(scratch(), L"OnlyInTx", value), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(query_dword(key, L"V", value), STATUS_TRANSACTION_NOT_ACTIVE);
    EXPECT_EQ(ktm_conformance::query_basic(tx).Outcome, TransactionOutcomeAborted);
    EXPECT_EQ(NtCommitTransaction(tx, TRUE), STATUS_TRANSACTION_ALREADY_ABORTED);
}

TEST_F(TransactedKey, SubkeyCreatedOutsideUnderTheSameNameRollsTheTransactionBack) {
    Handle tx(new_transaction());
    Handle key(scratch_in(tx));
    ASSERT_EQ(set_dword(key, L"V", 1), STATUS_SUCCESS);
    Handle mine;
    ASSERT_EQ(create_transacted(mine.out(), L"Sub", tx, scratch()), STATUS_SUCCESS);
    // Another subkey name below the key is no change to what the transaction holds.
    Handle other;
    ASSERT_EQ(create_key(other.out(), L"Other", scratch()), STATUS_SUCCESS);
    EXPECT_EQ(ktm_conformance::query_basic(tx).Outcome, TransactionOutcomeUndetermined);
    // The name the transaction creates: the transaction is rolled back and the plain create wins.
    Handle plain;
    ULONG disposition = 0;
    ASSERT_EQ(create_key(plain.out(), L"Sub", scratch(), 0, &disposition), STATUS_SUCCESS);
    EXPECT_EQ(disposition, static_cast<ULONG>(REG_CREATED_NEW_KEY));
    EXPECT_EQ(ktm_conformance::query_basic(tx).Outcome, TransactionOutcomeAborted);
    ULONG value = 0;
    EXPECT_EQ(query_dword(scratch(), L"V", value), STATUS_OBJECT_NAME_NOT_FOUND);
}

// A plain handle reaches a key the transaction created only by a name relative to a bound handle; a
// subkey created through it is a change to that key, which rolls the transaction back (so the key
// is gone).
TEST_F(TransactedKey, PlainCreateBelowAKeyOnlyTheTransactionSeesRollsItBack) {
    Handle tx(new_transaction());
    Handle sub, plain, child;
    ASSERT_EQ(create_transacted(sub.out(), L"Sub", tx, scratch()), STATUS_SUCCESS);
    ASSERT_EQ(open_key(plain.out(), L"", KEY_ALL_ACCESS, sub), STATUS_SUCCESS);
    EXPECT_EQ(create_key(child.out(), L"Child", plain), STATUS_KEY_DELETED);
    EXPECT_EQ(ktm_conformance::query_basic(tx).Outcome, TransactionOutcomeAborted);
    Handle outside;
    EXPECT_EQ(open_key(outside.out(), L"Sub", KEY_READ, scratch()), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(TransactedKey, PlainDeleteOfAKeyTheTransactionDeletesRollsItBack) {
    Handle doomed;
    ASSERT_EQ(create_key(doomed.out(), L"Doomed", scratch()), STATUS_SUCCESS);
    Handle tx(new_transaction());
    Handle bound;
    ASSERT_EQ(open_transacted(bound.out(), L"Doomed", tx, scratch()), STATUS_SUCCESS);
    ASSERT_EQ(NtDeleteKey(bound), STATUS_SUCCESS);
    EXPECT_EQ(NtDeleteKey(doomed), STATUS_SUCCESS);
    EXPECT_EQ(ktm_conformance::query_basic(tx).Outcome, TransactionOutcomeAborted);
    EXPECT_EQ(NtCommitTransaction(tx, TRUE), STATUS_TRANSACTION_ALREADY_ABORTED);
}

TEST_F(TransactedKey, QueryAndEnumerationSeeTheTransaction) {
    ASSERT_EQ(set_dword(scratch(), L"A", 1), STATUS_SUCCESS);
    Handle tx(new_transaction());
    Handle key(scratch_in(tx));
    ASSERT_EQ(set_dword(key, L"B", 2), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[512];
    ULONG result = 0;
    ASSERT_EQ(NtQueryKey(key, KeyFullInformation, buffer, sizeof buffer, &result), STATUS_SUCCESS);
    EXPECT_EQ(reinterpret_cast<KEY_FULL_INFORMATION*>(buffer)->Values, 2u);
    ASSERT_EQ(NtQueryKey(scratch(), KeyFullInformation, buffer, sizeof buffer, &result), STATUS_SUCCESS);
    EXPECT_EQ(reinterpret_cast<KEY_FULL_INFORMATION*>(buffer)->Values, 1u);
    ASSERT_EQ(NtEnumerateValueKey(key, 1, KeyValueBasicInformation, buffer, sizeof buffer, &result), STATUS_SUCCESS);
    auto* basic = reinterpret_cast<KEY_VALUE_BASIC_INFORMATION*>(buffer);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(basic->Name), basic->NameLength / sizeof(WCHAR)), u"B");
    EXPECT_EQ(NtEnumerateValueKey(scratch(), 1, KeyValueBasicInformation, buffer, sizeof buffer, &result),
              STATUS_NO_MORE_ENTRIES);
    ASSERT_EQ(NtRollbackTransaction(tx, TRUE), STATUS_SUCCESS);
}

TEST_F(TransactedKey, BadTransactionHandles) {
    Handle key;
    EXPECT_EQ(open_transacted(key.out(), L"", nullptr, scratch()), STATUS_INVALID_HANDLE);
    EXPECT_EQ(key.get(), nullptr);
    // A key handle is not a transaction.
    EXPECT_EQ(open_transacted(key.out(), L"", scratch(), scratch()), STATUS_OBJECT_TYPE_MISMATCH);
    // Without TRANSACTION_ENLIST.
    Handle commit_only(new_transaction(TRANSACTION_COMMIT | TRANSACTION_QUERY_INFORMATION));
    EXPECT_EQ(open_transacted(key.out(), L"", commit_only, scratch()), STATUS_ACCESS_DENIED);
    // A transaction already committed or rolled back.
    Handle done(new_transaction());
    ASSERT_EQ(NtCommitTransaction(done, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(open_transacted(key.out(), L"", done, scratch()), STATUS_TRANSACTION_NOT_ACTIVE);
    EXPECT_EQ(create_transacted(key.out(), L"New", done, scratch()), STATUS_TRANSACTION_NOT_ACTIVE);
    Handle aborted(new_transaction());
    ASSERT_EQ(NtRollbackTransaction(aborted, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(open_transacted(key.out(), L"", aborted, scratch()), STATUS_TRANSACTION_NOT_ACTIVE);
    // Bad output pointer and bad options, as NtOpenKeyEx / NtCreateKey answer.
    ObjectName oa(L"", OBJ_CASE_INSENSITIVE, scratch());
    Handle tx(new_transaction());
    EXPECT_EQ(NtOpenKeyTransacted(nullptr, KEY_READ, oa.get(), tx), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtOpenKeyTransactedEx(key.out(), KEY_READ, oa.get(), 0x80000000u, tx), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtCreateKeyTransacted(key.out(), KEY_READ, nullptr, 0, nullptr, 0, tx, nullptr), STATUS_ACCESS_VIOLATION);
}

TEST_F(TransactedKey, RenameAndWriteTimeAreNotTransacted) {
    Handle tx(new_transaction());
    Handle sub;
    ASSERT_EQ(create_key(sub.out(), L"Sub", scratch()), STATUS_SUCCESS);
    Handle bound;
    ASSERT_EQ(open_transacted(bound.out(), L"Sub", tx, scratch()), STATUS_SUCCESS);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"Renamed");
    EXPECT_EQ(NtRenameKey(bound, &name), STATUS_NOT_SUPPORTED);
    KEY_WRITE_TIME_INFORMATION time{};
    EXPECT_EQ(NtSetInformationKey(bound, KeyWriteTimeInformation, &time, sizeof time), STATUS_NOT_SUPPORTED);
}

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

TEST_F(TransactedKey, RegistryCallbacksSeeTheBoundTransaction) {
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
TEST_F(TransactedKey, ZwFormsWorkForKernelCallers) {
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
