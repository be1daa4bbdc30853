// RegRenameKey, RegQueryMultipleValuesW and RegDeleteTreeW through <windows.h>: renaming a subkey or hKey's own key, a
// name that exists, a predefined root; the VALENT array filled with pointers into the caller's buffer
// and ERROR_MORE_DATA with the size needed.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regrenamekey
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regquerymultiplevaluesw
#include "registry_test_support.hpp"

namespace ntio::test {
namespace {

TEST_F(RegistryTest, rename_key_renames_a_subkey_or_the_key_itself) {
    Key a;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"a", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, a.out(), nullptr), ERROR_SUCCESS);
    ASSERT_EQ(RegRenameKey(scratch(), L"a", L"b"), ERROR_SUCCESS);
    Key opened;
    EXPECT_EQ(RegOpenKeyExW(scratch(), L"a", 0, KEY_READ, opened.out()), ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(RegOpenKeyExW(scratch(), L"b", 0, KEY_READ, opened.out()), ERROR_SUCCESS);
    ASSERT_EQ(RegRenameKey(a.get(), nullptr, L"c"), ERROR_SUCCESS);
    Key c;
    EXPECT_EQ(RegOpenKeyExW(scratch(), L"c", 0, KEY_READ, c.out()), ERROR_SUCCESS);
}

TEST_F(RegistryTest, rename_key_errors) {
    Key a, b;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"a", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, a.out(), nullptr), ERROR_SUCCESS);
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"b", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, b.out(), nullptr), ERROR_SUCCESS);
    EXPECT_EQ(RegRenameKey(scratch(), L"a", L"B"), ERROR_ACCESS_DENIED) << "the new name must not exist";
    EXPECT_EQ(RegRenameKey(scratch(), L"missing", L"x"), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegRenameKey(scratch(), L"a", nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegRenameKey(HKEY_CURRENT_USER, nullptr, L"x"), ERROR_ACCESS_DENIED);
    EXPECT_EQ(RegRenameKey(nullptr, L"a", L"x"), ERROR_INVALID_HANDLE);
}

TEST_F(RegistryTest, query_multiple_values_points_into_the_buffer) {
    const DWORD dword = 0x01020304;
    ASSERT_EQ(RegSetValueExW(scratch(), L"d", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&dword), 4), ERROR_SUCCESS);
    ASSERT_EQ(RegSetValueExW(scratch(), L"s", 0, REG_SZ, reinterpret_cast<const BYTE*>(L"hi"), 6), ERROR_SUCCESS);
    VALENTW list[2] = {};
    list[0].ve_valuename = const_cast<LPWSTR>(L"s");
    list[1].ve_valuename = const_cast<LPWSTR>(L"D");
    DWORD size = 0;
    EXPECT_EQ(RegQueryMultipleValuesW(scratch(), list, 2, nullptr, &size), ERROR_MORE_DATA);
    EXPECT_EQ(size, 12u);  // 6 bytes, padded to 8, then 4
    std::vector<WCHAR> buffer(size / sizeof(WCHAR));
    size = 4;
    EXPECT_EQ(RegQueryMultipleValuesW(scratch(), list, 2, buffer.data(), &size), ERROR_MORE_DATA);
    EXPECT_EQ(size, 12u);
    ASSERT_EQ(RegQueryMultipleValuesW(scratch(), list, 2, buffer.data(), &size), ERROR_SUCCESS);
    EXPECT_EQ(size, 12u);
    EXPECT_EQ(list[0].ve_type, static_cast<DWORD>(REG_SZ));
    EXPECT_EQ(list[0].ve_valuelen, 6u);
    EXPECT_EQ(list[0].ve_valueptr, reinterpret_cast<DWORD_PTR>(buffer.data()));
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void*>(list[0].ve_valueptr), L"hi", 6), 0);
    EXPECT_EQ(list[1].ve_type, static_cast<DWORD>(REG_DWORD));
    EXPECT_EQ(list[1].ve_valuelen, 4u);
    DWORD read = 0;
    std::memcpy(&read, reinterpret_cast<const void*>(list[1].ve_valueptr), 4);
    EXPECT_EQ(read, dword);
}

TEST_F(RegistryTest, query_multiple_values_errors) {
    VALENTW list[1] = {};
    list[0].ve_valuename = const_cast<LPWSTR>(L"none");
    DWORD size = 64;
    std::vector<WCHAR> buffer(32);
    EXPECT_EQ(RegQueryMultipleValuesW(scratch(), list, 1, buffer.data(), &size), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegQueryMultipleValuesW(scratch(), list, 1, buffer.data(), nullptr), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegQueryMultipleValuesW(scratch(), list, 1, nullptr, &size), ERROR_INVALID_PARAMETER);
}

TEST_F(RegistryTest, delete_tree_removes_the_subtree_or_only_the_contents) {
    Key deep;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"t\\x\\y", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, deep.out(), nullptr),
              ERROR_SUCCESS);
    const DWORD one = 1;
    ASSERT_EQ(RegSetValueExW(deep.get(), L"v", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&one), 4), ERROR_SUCCESS);
    Key t;
    ASSERT_EQ(RegOpenKeyExW(scratch(), L"t", 0, KEY_ALL_ACCESS, t.out()), ERROR_SUCCESS);
    ASSERT_EQ(RegSetValueExW(t.get(), L"w", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&one), 4), ERROR_SUCCESS);
    ASSERT_EQ(RegDeleteTreeW(t.get(), nullptr), ERROR_SUCCESS);
    DWORD sub_keys = 9, values = 9;
    ASSERT_EQ(RegQueryInfoKeyW(t.get(), nullptr, nullptr, nullptr, &sub_keys, nullptr, nullptr, &values, nullptr,
                               nullptr, nullptr, nullptr),
              ERROR_SUCCESS);
    EXPECT_EQ(sub_keys, 0u);
    EXPECT_EQ(values, 0u);
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"t\\z", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, deep.out(), nullptr),
              ERROR_SUCCESS);
    ASSERT_EQ(RegDeleteTreeW(scratch(), L"t"), ERROR_SUCCESS);
    Key gone;
    EXPECT_EQ(RegOpenKeyExW(scratch(), L"t", 0, KEY_READ, gone.out()), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegDeleteTreeW(scratch(), L"t"), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegDeleteTreeW(nullptr, L"t"), ERROR_INVALID_HANDLE);
}

}  // namespace
}  // namespace ntio::test
