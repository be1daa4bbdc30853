// advapi32's transacted keys: RegCreateKeyTransacted, RegOpenKeyTransacted and RegDeleteKeyTransacted
// (W and A). Changes through a transacted HKEY are invisible to other handles until the transaction
// commits, gone after a rollback; another transaction's change to the same key is
// ERROR_TRANSACTIONAL_CONFLICT; a handle whose transaction is over is ERROR_TRANSACTION_NOT_ACTIVE.
#include "registry_test_support.hpp"

namespace ntio::test {
namespace {

class Transaction {
public:
    explicit Transaction(ACCESS_MASK access = TRANSACTION_ALL_ACCESS) {
        EXPECT_EQ(NtCreateTransaction(&m_handle, access, nullptr, nullptr, nullptr, 0, 0, 0, nullptr, nullptr),
                  STATUS_SUCCESS);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction() {
        if (m_handle) CloseHandle(m_handle);
    }
    HANDLE get() const { return m_handle; }
    NTSTATUS commit() { return NtCommitTransaction(m_handle, TRUE); }
    NTSTATUS rollback() { return NtRollbackTransaction(m_handle, TRUE); }

private:
    HANDLE m_handle = nullptr;
};

LSTATUS query_dword(HKEY key, const wchar_t* name, DWORD& value) {
    DWORD size = sizeof(value);
    DWORD type = 0;
    return RegQueryValueExW(key, name, nullptr, &type, reinterpret_cast<BYTE*>(&value), &size);
}

LSTATUS set_dword(HKEY key, const wchar_t* name, DWORD value) {
    return RegSetValueExW(key, name, 0, REG_DWORD, reinterpret_cast<const BYTE*>(&value), sizeof(value));
}

using TransactedRegistry = RegistryTest;

TEST_F(TransactedRegistry, CreatedKeyAndValueAppearAtCommit) {
    Transaction tx;
    Key key;
    DWORD disposition = 0;
    ASSERT_EQ(RegCreateKeyTransactedW(scratch(), L"Tx\\Deep", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, key.out(),
                                      &disposition, tx.get(), nullptr),
              ERROR_SUCCESS);
    EXPECT_EQ(disposition, static_cast<DWORD>(REG_CREATED_NEW_KEY));
    ASSERT_EQ(set_dword(key, L"V", 5), ERROR_SUCCESS);
    Key outside;
    EXPECT_EQ(RegOpenKeyExW(scratch(), L"Tx\\Deep", 0, KEY_READ, outside.out()), ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(tx.commit(), STATUS_SUCCESS);
    ASSERT_EQ(RegOpenKeyExW(scratch(), L"Tx\\Deep", 0, KEY_READ, outside.out()), ERROR_SUCCESS);
    DWORD value = 0;
    EXPECT_EQ(query_dword(outside, L"V", value), ERROR_SUCCESS);
    EXPECT_EQ(value, 5u);
    EXPECT_EQ(query_dword(key, L"V", value), ERROR_TRANSACTION_NOT_ACTIVE);
    outside.reset();
    EXPECT_EQ(RegDeleteTreeW(scratch(), L"Tx"), ERROR_SUCCESS);
}

TEST_F(TransactedRegistry, OpenedKeyChangesAreIsolatedAndRolledBack) {
    set_string(scratch(), L"S", REG_SZ, std::u16string_view(u"old", 4));
    Transaction tx;
    Key key;
    ASSERT_EQ(RegOpenKeyTransactedW(scratch(), L"", 0, KEY_ALL_ACCESS, key.out(), tx.get(), nullptr), ERROR_SUCCESS);
    ASSERT_EQ(set_dword(key, L"V", 1), ERROR_SUCCESS);
    ASSERT_EQ(RegDeleteValueW(key, L"S"), ERROR_SUCCESS);
    DWORD value = 0;
    EXPECT_EQ(query_dword(scratch(), L"V", value), ERROR_FILE_NOT_FOUND);
    DWORD size = 0;
    EXPECT_EQ(RegQueryValueExW(scratch(), L"S", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(RegQueryValueExW(key, L"S", nullptr, nullptr, nullptr, &size), ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(tx.rollback(), STATUS_SUCCESS);
    EXPECT_EQ(query_dword(scratch(), L"V", value), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegQueryValueExW(scratch(), L"S", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(set_dword(key, L"V", 2), ERROR_TRANSACTION_NOT_ACTIVE);
}

TEST_F(TransactedRegistry, DeleteKeyTransactedTakesEffectAtCommit) {
    Key doomed;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"Doomed", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, doomed.out(), nullptr),
              ERROR_SUCCESS);
    doomed.reset();
    Transaction tx;
    ASSERT_EQ(RegDeleteKeyTransactedW(scratch(), L"Doomed", 0, 0, tx.get(), nullptr), ERROR_SUCCESS);
    Key outside;
    EXPECT_EQ(RegOpenKeyExW(scratch(), L"Doomed", 0, KEY_READ, outside.out()), ERROR_SUCCESS);
    outside.reset();
    Key inside;
    EXPECT_EQ(RegOpenKeyTransactedW(scratch(), L"Doomed", 0, KEY_READ, inside.out(), tx.get(), nullptr),
              ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(tx.commit(), STATUS_SUCCESS);
    EXPECT_EQ(RegOpenKeyExW(scratch(), L"Doomed", 0, KEY_READ, outside.out()), ERROR_FILE_NOT_FOUND);
}

TEST_F(TransactedRegistry, TwoTransactionsConflictOnOneKey) {
    Transaction first, second;
    Key a, b;
    ASSERT_EQ(RegOpenKeyTransactedW(scratch(), nullptr, 0, KEY_ALL_ACCESS, a.out(), first.get(), nullptr),
              ERROR_SUCCESS);
    ASSERT_EQ(RegOpenKeyTransactedW(scratch(), nullptr, 0, KEY_ALL_ACCESS, b.out(), second.get(), nullptr),
              ERROR_SUCCESS);
    ASSERT_EQ(set_dword(a, L"V", 1), ERROR_SUCCESS);
    EXPECT_EQ(set_dword(b, L"V", 2), ERROR_TRANSACTIONAL_CONFLICT);
    ASSERT_EQ(first.commit(), STATUS_SUCCESS);
    EXPECT_EQ(set_dword(b, L"V", 2), ERROR_SUCCESS);
    ASSERT_EQ(second.commit(), STATUS_SUCCESS);
    DWORD value = 0;
    EXPECT_EQ(query_dword(scratch(), L"V", value), ERROR_SUCCESS);
    EXPECT_EQ(value, 2u);
}

TEST_F(TransactedRegistry, AnsiForms) {
    Transaction tx;
    Key key;
    ASSERT_EQ(RegCreateKeyTransactedA(scratch(), "Ansi", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, key.out(), nullptr,
                                      tx.get(), nullptr),
              ERROR_SUCCESS);
    Key again;
    EXPECT_EQ(RegOpenKeyTransactedA(scratch(), "Ansi", 0, KEY_READ, again.out(), tx.get(), nullptr), ERROR_SUCCESS);
    again.reset();
    key.reset();
    EXPECT_EQ(RegDeleteKeyTransactedA(scratch(), "Ansi", 0, 0, tx.get(), nullptr), ERROR_SUCCESS);
    ASSERT_EQ(tx.commit(), STATUS_SUCCESS);
    EXPECT_EQ(RegOpenKeyExA(scratch(), "Ansi", 0, KEY_READ, again.out()), ERROR_FILE_NOT_FOUND);
}

TEST_F(TransactedRegistry, PredefinedKeyWithoutSubkeyComesBackAsIs) {
    Transaction tx;
    HKEY key = nullptr;
    ASSERT_EQ(RegOpenKeyTransactedW(HKEY_CURRENT_USER, L"", 0, KEY_READ, &key, tx.get(), nullptr), ERROR_SUCCESS);
    EXPECT_EQ(key, HKEY_CURRENT_USER);
}

TEST_F(TransactedRegistry, BadParameters) {
    Transaction tx;
    Key key;
    int reserved = 0;
    EXPECT_EQ(RegOpenKeyTransactedW(scratch(), L"", 0, KEY_READ, key.out(), tx.get(), &reserved),
              ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegCreateKeyTransactedW(scratch(), L"X", 0, nullptr, 0, KEY_READ, nullptr, key.out(), nullptr, tx.get(),
                                      &reserved),
              ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegDeleteKeyTransactedW(scratch(), L"X", 0, 0, tx.get(), &reserved), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegCreateKeyTransactedW(scratch(), nullptr, 0, nullptr, 0, KEY_READ, nullptr, key.out(), nullptr,
                                      tx.get(), nullptr),
              ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegOpenKeyTransactedW(scratch(), L"", 0, KEY_READ, key.out(), nullptr, nullptr), ERROR_INVALID_HANDLE);
    // A key handle where the transaction belongs.
    EXPECT_EQ(RegOpenKeyTransactedW(scratch(), L"", 0, KEY_READ, key.out(), scratch(), nullptr),
              ERROR_INVALID_HANDLE);
    Transaction no_enlist(TRANSACTION_COMMIT);
    EXPECT_EQ(RegOpenKeyTransactedW(scratch(), L"", 0, KEY_READ, key.out(), no_enlist.get(), nullptr),
              ERROR_ACCESS_DENIED);
    EXPECT_EQ(key.get(), nullptr);
}

}  // namespace
}  // namespace ntio::test
