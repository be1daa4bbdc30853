// Win32 registry keys through <windows.h>: RegCreateKeyEx dispositions and missing-path creation,
// RegOpenKeyEx, the predefined roots and the NT keys they stand for, RegCloseKey, RegDeleteKey(Ex),
// RegEnumKeyEx, RegQueryInfoKey, RegFlushKey, and the returned (not stored) Win32 errors.
#include "registry_test_support.hpp"

namespace ntio::test {
namespace {

TEST_F(RegistryTest, create_key_reports_created_then_opened_existing) {
    DWORD disposition = 0;
    Key first;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"fresh", 0, nullptr, 0, KEY_READ, nullptr, first.out(), &disposition),
              ERROR_SUCCESS);
    EXPECT_EQ(disposition, static_cast<DWORD>(REG_CREATED_NEW_KEY));
    Key second;
    ASSERT_EQ(RegCreateKeyExA(scratch(), "FRESH", 0, nullptr, 0, KEY_READ, nullptr, second.out(), &disposition),
              ERROR_SUCCESS);
    EXPECT_EQ(disposition, static_cast<DWORD>(REG_OPENED_EXISTING_KEY)) << "names are case-insensitive";
}

TEST_F(RegistryTest, create_key_creates_every_missing_key_of_the_path) {
    DWORD disposition = 0;
    Key deep;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"a\\b\\c", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, deep.out(), &disposition),
              ERROR_SUCCESS);
    EXPECT_EQ(disposition, static_cast<DWORD>(REG_CREATED_NEW_KEY));
    for (const wchar_t* path : {L"a", L"a\\b", L"a\\b\\c"}) {
        Key opened;
        EXPECT_EQ(RegOpenKeyExW(scratch(), path, 0, KEY_READ, opened.out()), ERROR_SUCCESS) << "missing: " << narrow(path);
    }
}

TEST_F(RegistryTest, open_of_a_missing_key_returns_file_not_found_and_a_null_key) {
    HKEY key = reinterpret_cast<HKEY>(static_cast<ULONG_PTR>(0x1234));
    EXPECT_EQ(RegOpenKeyExW(scratch(), L"missing", 0, KEY_READ, &key), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(key, nullptr);
    EXPECT_EQ(RegOpenKeyExA(scratch(), "missing\\deeper", 0, KEY_READ, &key), ERROR_FILE_NOT_FOUND);
}

TEST_F(RegistryTest, reg_functions_return_the_error_and_leave_the_last_error_alone) {
    SetLastError(1234);
    Key key;
    EXPECT_EQ(RegOpenKeyExW(scratch(), L"missing", 0, KEY_READ, key.out()), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegQueryValueExW(scratch(), L"missing", nullptr, nullptr, nullptr, nullptr), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(GetLastError(), 1234u);
}

// HKEY_LOCAL_MACHINE is \Registry\Machine and HKEY_USERS is \Registry\User: what the roots reach is
// what the Nt services reach by absolute name.
TEST_F(RegistryTest, predefined_roots_reach_their_nt_keys) {
    struct Row {
        HKEY root;
        const wchar_t* win32_path;
        const wchar_t* nt_path;
    };
    const Row rows[] = {
        {HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
         L"\\Registry\\Machine\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"},
        {HKEY_LOCAL_MACHINE, L"HARDWARE\\DESCRIPTION\\System", L"\\Registry\\Machine\\HARDWARE\\DESCRIPTION\\System"},
        {HKEY_USERS, L".DEFAULT", L"\\Registry\\User\\.DEFAULT"},
    };
    for (const Row& row : rows) {
        Key key;
        ASSERT_EQ(RegOpenKeyExW(row.root, row.win32_path, 0, KEY_READ, key.out()), ERROR_SUCCESS) << narrow(row.win32_path);
        // The same key: a value written through NT appears through Win32.
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, row.nt_path);
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        HANDLE nt_key = nullptr;
        ASSERT_EQ(NtOpenKey(&nt_key, KEY_READ, &attributes), STATUS_SUCCESS) << narrow(row.nt_path);
        DWORD win32_subkeys = 0, win32_values = 0;
        EXPECT_EQ(RegQueryInfoKeyW(key, nullptr, nullptr, nullptr, &win32_subkeys, nullptr, nullptr, &win32_values,
                                   nullptr, nullptr, nullptr, nullptr),
                  ERROR_SUCCESS);
        KEY_FULL_INFORMATION info{};
        ULONG length = 0;
        EXPECT_TRUE(NT_SUCCESS(NtQueryKey(nt_key, KeyFullInformation, &info, sizeof(info), &length)));
        EXPECT_EQ(win32_subkeys, info.SubKeys) << narrow(row.win32_path);
        EXPECT_EQ(win32_values, info.Values) << narrow(row.win32_path);
        NtClose(nt_key);
    }
    wchar_t product[16] = {};
    DWORD size = sizeof(product);
    EXPECT_EQ(RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", L"ProductName",
                           RRF_RT_REG_SZ, nullptr, product, &size),
              ERROR_SUCCESS);
    EXPECT_EQ(narrow(product), "ntio");
}

// HKEY_CURRENT_USER is the calling user's key under \Registry\User (named by the user's SID; the
// configuration manager loads it for the user), not .DEFAULT.
TEST_F(RegistryTest, current_user_is_the_callers_key_under_users) {
    DWORD value = 7;
    set(scratch(), L"marker", REG_DWORD, &value, sizeof(value));
    std::vector<std::string> users;
    for (DWORD index = 0;; ++index) {
        wchar_t name[128];
        DWORD chars = 128;
        if (RegEnumKeyExW(HKEY_USERS, index, name, &chars, nullptr, nullptr, nullptr, nullptr) != ERROR_SUCCESS) break;
        users.push_back(narrow(name));
    }
    int found = 0;
    for (const std::string& user : users) {
        DWORD read = 0;
        DWORD size = sizeof(read);
        const std::string path = user + "\\Software\\ntio-regapi";
        if (RegGetValueA(HKEY_USERS, path.c_str(), "marker", RRF_RT_REG_DWORD, nullptr, &read, &size) == ERROR_SUCCESS) {
            EXPECT_EQ(read, 7u);
            EXPECT_EQ(user.rfind("S-1-5-21-", 0), 0u) << user << ": a user SID, not .DEFAULT";
            ++found;
        }
    }
    EXPECT_EQ(found, 1);
}

TEST_F(RegistryTest, open_with_no_subkey_gives_a_new_handle_to_the_same_key) {
    Key again;
    ASSERT_EQ(RegOpenKeyExW(scratch(), nullptr, 0, KEY_READ, again.out()), ERROR_SUCCESS);
    EXPECT_NE(again.get(), scratch());
    DWORD value = 3;
    set(scratch(), L"v", REG_DWORD, &value, sizeof(value));
    DWORD size = 0;
    EXPECT_EQ(RegQueryValueExW(again, L"v", nullptr, nullptr, nullptr, &size), ERROR_SUCCESS);
    EXPECT_EQ(size, sizeof(DWORD));
    // A predefined key with no subkey comes back as itself, as Windows returns it.
    HKEY root = nullptr;
    ASSERT_EQ(RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"", 0, KEY_READ, &root), ERROR_SUCCESS);
    EXPECT_EQ(root, HKEY_LOCAL_MACHINE);
    HKEY root_again = nullptr;
    ASSERT_EQ(RegOpenKeyExW(HKEY_LOCAL_MACHINE, nullptr, 0, KEY_READ, &root_again), ERROR_SUCCESS);
    EXPECT_EQ(root_again, HKEY_LOCAL_MACHINE);
    Key system;
    EXPECT_EQ(RegOpenKeyExW(root, L"System", 0, KEY_READ, system.out()), ERROR_SUCCESS) << "and it stays usable";
}

TEST_F(RegistryTest, close_key_closes_once_and_predefined_keys_stay_usable) {
    HKEY key = nullptr;
    ASSERT_EQ(RegOpenKeyExW(scratch(), nullptr, 0, KEY_READ, &key), ERROR_SUCCESS);
    EXPECT_EQ(RegCloseKey(key), ERROR_SUCCESS);
    EXPECT_EQ(RegCloseKey(key), ERROR_INVALID_HANDLE);
    EXPECT_EQ(RegCloseKey(nullptr), ERROR_INVALID_HANDLE);
    EXPECT_EQ(RegCloseKey(HKEY_LOCAL_MACHINE), ERROR_SUCCESS);
    Key still;
    EXPECT_EQ(RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE", 0, KEY_READ, still.out()), ERROR_SUCCESS);
}

TEST_F(RegistryTest, handles_that_are_not_keys_give_invalid_handle) {
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    ASSERT_NE(event, nullptr);
    struct Row {
        const char* what;
        HKEY key;
    };
    const Row rows[] = {
        {"event handle", static_cast<HKEY>(event)},
        {"null", nullptr},
        {"never opened", reinterpret_cast<HKEY>(static_cast<ULONG_PTR>(0x7ffc))},
        // NT deviation: the performance keys have no registry behind them here.
        {"HKEY_PERFORMANCE_DATA", HKEY_PERFORMANCE_DATA},
    };
    for (const Row& row : rows) {
        Key key;
        EXPECT_EQ(RegOpenKeyExW(row.key, L"x", 0, KEY_READ, key.out()), ERROR_INVALID_HANDLE) << row.what;
        DWORD size = 0;
        EXPECT_EQ(RegQueryValueExW(row.key, L"x", nullptr, nullptr, nullptr, &size), ERROR_INVALID_HANDLE) << row.what;
        EXPECT_EQ(RegSetValueExW(row.key, L"x", 0, REG_NONE, nullptr, 0), ERROR_INVALID_HANDLE) << row.what;
    }
    CloseHandle(event);
}

TEST_F(RegistryTest, operations_beyond_the_granted_rights_give_access_denied) {
    Key read_only;
    ASSERT_EQ(RegOpenKeyExW(HKEY_CURRENT_USER, L"Software\\ntio-regapi", 0, KEY_QUERY_VALUE, read_only.out()),
              ERROR_SUCCESS);
    DWORD value = 1;
    EXPECT_EQ(RegSetValueExW(read_only, L"v", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&value), sizeof(value)),
              ERROR_ACCESS_DENIED);
    EXPECT_EQ(RegDeleteValueW(read_only, L"v"), ERROR_ACCESS_DENIED);
    DWORD name_chars = 8;
    wchar_t name[8];
    EXPECT_EQ(RegEnumKeyExW(read_only, 0, name, &name_chars, nullptr, nullptr, nullptr, nullptr), ERROR_ACCESS_DENIED);
}

TEST_F(RegistryTest, delete_key_refuses_keys_with_subkeys_and_invalidates_open_handles) {
    Key parent;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"p\\child", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, parent.out(), nullptr),
              ERROR_SUCCESS);
    parent.reset();
    EXPECT_EQ(RegDeleteKeyW(scratch(), L"p"), ERROR_ACCESS_DENIED) << "a key with subkeys cannot be deleted";
    Key child;
    ASSERT_EQ(RegOpenKeyExW(scratch(), L"p\\child", 0, KEY_ALL_ACCESS, child.out()), ERROR_SUCCESS);
    EXPECT_EQ(RegDeleteKeyExW(scratch(), L"p\\child", KEY_WOW64_64KEY, 0), ERROR_SUCCESS);
    DWORD value = 1;
    EXPECT_EQ(RegSetValueExW(child, L"v", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&value), sizeof(value)),
              ERROR_KEY_DELETED);
    EXPECT_EQ(RegDeleteKeyA(scratch(), "p"), ERROR_SUCCESS);
    Key gone;
    EXPECT_EQ(RegOpenKeyExW(scratch(), L"p", 0, KEY_READ, gone.out()), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegDeleteKeyW(scratch(), L"p"), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegDeleteKeyW(scratch(), nullptr), ERROR_INVALID_PARAMETER);
}

TEST_F(RegistryTest, enum_key_lists_subkeys_with_classes_and_reports_short_buffers) {
    for (const wchar_t* name : {L"beta", L"alpha", L"gamma"}) {
        Key sub;
        wchar_t key_class[] = L"cls";
        ASSERT_EQ(RegCreateKeyExW(scratch(), name, 0, key_class, 0, KEY_READ, nullptr, sub.out(), nullptr),
                  ERROR_SUCCESS);
    }
    std::vector<std::string> names;
    for (DWORD index = 0;; ++index) {
        wchar_t name[32];
        DWORD name_chars = 32;
        wchar_t key_class[8];
        DWORD class_chars = 8;
        FILETIME written{};
        LSTATUS error = RegEnumKeyExW(scratch(), index, name, &name_chars, nullptr, key_class, &class_chars, &written);
        if (error == ERROR_NO_MORE_ITEMS) break;
        ASSERT_EQ(error, ERROR_SUCCESS);
        EXPECT_EQ(name_chars, narrow(name).size()) << "length without the NUL";
        EXPECT_EQ(narrow(key_class), "cls");
        EXPECT_EQ(class_chars, 3u);
        EXPECT_NE(written.dwLowDateTime | written.dwHighDateTime, 0u);
        names.push_back(narrow(name));
    }
    EXPECT_EQ(names, (std::vector<std::string>{"alpha", "beta", "gamma"}));

    char exact[6];
    DWORD exact_chars = 6;  // "alpha" + NUL
    EXPECT_EQ(RegEnumKeyExA(scratch(), 0, exact, &exact_chars, nullptr, nullptr, nullptr, nullptr), ERROR_SUCCESS);
    EXPECT_STREQ(exact, "alpha");
    EXPECT_EQ(exact_chars, 5u);
    char short_buffer[5];
    DWORD short_chars = 5;  // no room for the NUL
    EXPECT_EQ(RegEnumKeyExA(scratch(), 0, short_buffer, &short_chars, nullptr, nullptr, nullptr, nullptr),
              ERROR_MORE_DATA);
}

TEST_F(RegistryTest, query_info_key_counts_subkeys_values_and_longest_names_and_data) {
    Key sub;
    wchar_t key_class[] = L"ClassName";
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"info", 0, key_class, 0, KEY_ALL_ACCESS, nullptr, sub.out(), nullptr),
              ERROR_SUCCESS);
    for (const wchar_t* name : {L"k1", L"longer-key"}) {
        Key child;
        ASSERT_EQ(RegCreateKeyExW(sub, name, 0, nullptr, 0, KEY_READ, nullptr, child.out(), nullptr), ERROR_SUCCESS);
    }
    unsigned char blob[40] = {};
    set(sub, L"v", REG_BINARY, blob, sizeof(blob));
    set(sub, L"value-name", REG_BINARY, blob, 4);

    wchar_t got_class[16];
    DWORD class_chars = 16;
    DWORD sub_keys = 0, max_sub_key = 0, max_class = 0, values = 0, max_value_name = 0, max_value = 0, sd = 0;
    FILETIME written{};
    ASSERT_EQ(RegQueryInfoKeyW(sub, got_class, &class_chars, nullptr, &sub_keys, &max_sub_key, &max_class, &values,
                               &max_value_name, &max_value, &sd, &written),
              ERROR_SUCCESS);
    EXPECT_EQ(narrow(got_class), "ClassName");
    EXPECT_EQ(class_chars, 9u);
    EXPECT_EQ(sub_keys, 2u);
    EXPECT_EQ(max_sub_key, 10u) << "longer-key, in characters";
    EXPECT_EQ(values, 2u);
    EXPECT_EQ(max_value_name, 10u) << "value-name, in characters";
    EXPECT_EQ(max_value, 40u) << "in bytes";
    EXPECT_GT(sd, 0u) << "keys carry a security descriptor";

    // A short class buffer: the A form cuts the class to it (NUL-terminated) and reports that length.
    char small_class[4];
    DWORD small_chars = 4;
    EXPECT_EQ(RegQueryInfoKeyA(sub, small_class, &small_chars, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                               nullptr, nullptr, nullptr),
              ERROR_MORE_DATA);
    EXPECT_EQ(small_chars, 3u);
    EXPECT_STREQ(small_class, "Cla");
}

TEST_F(RegistryTest, flush_key_succeeds_on_keys_and_predefined_roots) {
    EXPECT_EQ(RegFlushKey(scratch()), ERROR_SUCCESS);
    EXPECT_EQ(RegFlushKey(HKEY_LOCAL_MACHINE), ERROR_SUCCESS);
    EXPECT_EQ(RegFlushKey(nullptr), ERROR_INVALID_HANDLE);
}

TEST_F(RegistryTest, volatile_parent_refuses_a_non_volatile_child) {
    Key volatile_key;
    ASSERT_EQ(RegCreateKeyExW(scratch(), L"vol", 0, nullptr, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, nullptr,
                              volatile_key.out(), nullptr),
              ERROR_SUCCESS);
    Key child;
    EXPECT_EQ(RegCreateKeyExW(volatile_key, L"child", 0, nullptr, REG_OPTION_NON_VOLATILE, KEY_ALL_ACCESS, nullptr,
                              child.out(), nullptr),
              ERROR_CHILD_MUST_BE_VOLATILE);
    EXPECT_EQ(RegCreateKeyExW(volatile_key, L"child", 0, nullptr, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, nullptr,
                              child.out(), nullptr),
              ERROR_SUCCESS);
}

}  // namespace
}  // namespace ntio::test
