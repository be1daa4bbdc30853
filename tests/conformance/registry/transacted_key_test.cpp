// Transacted registry keys through NtCreateKeyTransacted / NtOpenKeyTransacted(Ex): changes made
// through a handle bound to a transaction are seen only through that transaction until it commits,
// vanish when it rolls back (explicitly or when its last handle closes), conflict with another
// transaction's changes to the same key, and give way to a change made outside any transaction (which
// rolls the transaction back: RegOpenKeyTransacted remarks on Learn). Drivers' side and the hive file:
// transacted_key_driver_test.cpp.
#include "conformance/registry/registry_test_support.hpp"
#include "conformance/nt/ktm_support.hpp"
#include "conformance/registry/transacted_key_support.hpp"

namespace ntio::test {
namespace {

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

}  // namespace
}  // namespace ntio::test
