// Helpers for the registry conformance tests: key handles by name (as the application, NtCreateKey /
// NtOpenKey, or as a driver, ZwCreateKey), values set and read back, the interactive user's own key
// (\REGISTRY\USER\<sid>, where an application may write) and a scratch key under HKLM\SOFTWARE.
#pragma once

#include "conformance/nt/nt_test_support.hpp"

namespace ntio::test {

// WCHAR is 16 bits here (-fshort-wchar), so std::wstring and wcslen do not apply: dynamic names are
// std::u16string, passed on as WCHAR strings.
inline const wchar_t* wide(const std::u16string& text) { return reinterpret_cast<const wchar_t*>(text.c_str()); }

inline NTSTATUS create_key(HANDLE* key, const wchar_t* name, HANDLE root = nullptr, ULONG options = 0,
                           ULONG* disposition = nullptr, ACCESS_MASK access = KEY_ALL_ACCESS, PVOID security = nullptr) {
    ObjectName oa(name, OBJ_CASE_INSENSITIVE, root, security);
    return NtCreateKey(key, access, oa.get(), 0, nullptr, options, disposition);
}

inline NTSTATUS zw_create_key(HANDLE* key, const wchar_t* name, HANDLE root = nullptr, ULONG options = 0,
                              ULONG* disposition = nullptr, PVOID security = nullptr) {
    ObjectName oa(name, OBJ_CASE_INSENSITIVE, root, security);
    return ZwCreateKey(key, KEY_ALL_ACCESS, oa.get(), 0, nullptr, options, disposition);
}

inline NTSTATUS open_key(HANDLE* key, const wchar_t* name, ACCESS_MASK access = KEY_READ, HANDLE root = nullptr,
                         ULONG attributes = OBJ_CASE_INSENSITIVE) {
    ObjectName oa(name, attributes, root);
    return NtOpenKey(key, access, oa.get());
}

inline NTSTATUS set_value(HANDLE key, const wchar_t* name, ULONG type, const void* data, ULONG size) {
    UNICODE_STRING value_name;
    RtlInitUnicodeString(&value_name, name);
    return NtSetValueKey(key, &value_name, 0, type, const_cast<void*>(data), size);
}

inline NTSTATUS set_dword(HANDLE key, const wchar_t* name, ULONG value) {
    return set_value(key, name, REG_DWORD, &value, sizeof(value));
}

// The value's type and data through KeyValuePartialInformation; status of the query.
inline NTSTATUS read_value(HANDLE key, const wchar_t* name, ULONG& type, std::vector<unsigned char>& data) {
    UNICODE_STRING value_name;
    RtlInitUnicodeString(&value_name, name);
    alignas(8) unsigned char buffer[4096];
    ULONG result = 0;
    NTSTATUS status = NtQueryValueKey(key, &value_name, KeyValuePartialInformation, buffer, sizeof(buffer), &result);
    if (!NT_SUCCESS(status)) return status;
    auto* info = reinterpret_cast<KEY_VALUE_PARTIAL_INFORMATION*>(buffer);
    type = info->Type;
    data.assign(info->Data, info->Data + info->DataLength);
    return status;
}

inline ULONG read_dword(HANDLE key, const wchar_t* name) {
    ULONG type = 0;
    std::vector<unsigned char> data;
    EXPECT_EQ(read_value(key, name, type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, REG_DWORD);
    ULONG value = 0;
    if (data.size() == sizeof(value)) std::memcpy(&value, data.data(), sizeof(value));
    return value;
}

// The full path of the key a handle names (KeyNameInformation).
inline std::u16string key_path(HANDLE key) {
    alignas(8) unsigned char buffer[1024];
    ULONG result = 0;
    EXPECT_EQ(NtQueryKey(key, KeyNameInformation, buffer, sizeof(buffer), &result), STATUS_SUCCESS);
    auto* info = reinterpret_cast<KEY_NAME_INFORMATION*>(buffer);
    return std::u16string(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / sizeof(WCHAR));
}

// Name of subkey `index` (KeyBasicInformation), or empty once there are no more.
inline std::u16string subkey_name(HANDLE key, ULONG index, NTSTATUS* status_out = nullptr) {
    alignas(8) unsigned char buffer[1024];
    ULONG result = 0;
    NTSTATUS status = NtEnumerateKey(key, index, KeyBasicInformation, buffer, sizeof(buffer), &result);
    if (status_out) *status_out = status;
    if (!NT_SUCCESS(status)) return {};
    auto* info = reinterpret_cast<KEY_BASIC_INFORMATION*>(buffer);
    return std::u16string(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / sizeof(WCHAR));
}

// \REGISTRY\USER\S-1-5-21-...: the interactive user's key, which the application may write.
inline std::u16string user_key_path() {
    Handle users;
    EXPECT_EQ(open_key(users.out(), L"\\REGISTRY\\USER"), STATUS_SUCCESS);
    for (ULONG i = 0;; ++i) {
        NTSTATUS status;
        std::u16string name = subkey_name(users, i, &status);
        if (!NT_SUCCESS(status)) break;
        if (name.rfind(u"S-1-5-21-", 0) == 0) return u"\\REGISTRY\\USER\\" + name;
    }
    ADD_FAILURE() << "no user key under \\REGISTRY\\USER";
    return u"\\REGISTRY\\USER\\.DEFAULT";
}

class RegistryTest : public SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        // A scratch key the application owns: under its own user key.
        std::u16string path = user_key_path() + u"\\NtioTest";
        ASSERT_EQ(create_key(m_scratch.out(), wide(path)), STATUS_SUCCESS);
    }
    void TearDown() override {
        delete_tree(m_scratch);
        m_scratch.reset();
        SystemTest::TearDown();
    }
    // Deletes every subkey below `key`, then `key` itself.
    static void delete_tree(HANDLE key) {
        for (;;) {
            NTSTATUS status;
            std::u16string name = subkey_name(key, 0, &status);
            if (!NT_SUCCESS(status)) break;
            Handle child;
            ASSERT_EQ(open_key(child.out(), wide(name), KEY_ALL_ACCESS, key, OBJ_CASE_INSENSITIVE | OBJ_OPENLINK),
                      STATUS_SUCCESS);
            delete_tree(child);
        }
        (void)NtDeleteKey(key);
    }
    HANDLE scratch() const { return m_scratch; }

private:
    Handle m_scratch;
};

}  // namespace ntio::test
