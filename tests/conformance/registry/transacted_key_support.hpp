// Helpers for the transacted-key tests: a transaction (no transaction manager) and keys created or
// opened in it through the Nt services.
#pragma once

#include "conformance/registry/registry_test_support.hpp"

namespace ntio::test {

inline HANDLE new_transaction(ACCESS_MASK access = TRANSACTION_ALL_ACCESS) {
    HANDLE tx = nullptr;
    EXPECT_EQ(NtCreateTransaction(&tx, access, nullptr, nullptr, nullptr, 0, 0, 0, nullptr, nullptr), STATUS_SUCCESS);
    return tx;
}

inline NTSTATUS open_transacted(HANDLE* key, const wchar_t* name, HANDLE tx, HANDLE root = nullptr,
                                ACCESS_MASK access = KEY_ALL_ACCESS) {
    ObjectName oa(name, OBJ_CASE_INSENSITIVE, root);
    return NtOpenKeyTransacted(key, access, oa.get(), tx);
}

inline NTSTATUS create_transacted(HANDLE* key, const wchar_t* name, HANDLE tx, HANDLE root = nullptr,
                                  ULONG options = 0, ULONG* disposition = nullptr) {
    ObjectName oa(name, OBJ_CASE_INSENSITIVE, root);
    return NtCreateKeyTransacted(key, KEY_ALL_ACCESS, oa.get(), 0, nullptr, options, tx, disposition);
}

inline NTSTATUS query_dword(HANDLE key, const wchar_t* name, ULONG& value) {
    ULONG type = 0;
    std::vector<unsigned char> data;
    NTSTATUS status = read_value(key, name, type, data);
    if (NT_SUCCESS(status) && data.size() == sizeof(value)) std::memcpy(&value, data.data(), sizeof(value));
    return status;
}

}  // namespace ntio::test
