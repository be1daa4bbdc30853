// RegLoadKeyW/A and RegUnLoadKeyW/A (NtLoadKey, NtUnloadKey2) through a FAT volume on the RAM disk
// (drive X:), as a tool that edits another system's hive uses them: a saved key loaded as a hive
// below HKEY_LOCAL_MACHINE, changed, unloaded (written back to its file) and loaded again with the
// change; a missing file loads as an empty hive; the privilege, the places a hive may go, a name
// that exists, a file already loaded, a file that is not a saved key, a key of the hive left open
// (refused, or REG_FORCE_UNLOAD and the open key reads as deleted); RegReplaceKey.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regloadkeyw
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regunloadkeyw
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regreplacekeyw
#include "fastfat_registry_file_support.hpp"

namespace ntio::test::drivers {
namespace fastfat_registry_load {

using registry_files::set_privilege;

class RegistryLoadTest : public registry_files::RegistryFileTest {
protected:
    void SetUp() override {
        RegistryFileTest::SetUp();
        if (IsSkipped()) return;
        set_privilege(SeExports->SeBackupPrivilege, true);
        set_privilege(SeExports->SeRestorePrivilege, true);
    }
    // A saved key with a value and a subkey holding another, in `file`.
    void save_sample(const wchar_t* file) {
        HKEY source = create(HKEY_CURRENT_USER, L"Software\\ntio-load\\Sample");
        set_dword(source, L"One", 1);
        HKEY child = create(source, L"Child");
        set_dword(child, L"Seven", 7);
        ASSERT_EQ(RegSaveKeyW(source, file, nullptr), ERROR_SUCCESS);
    }
    static bool exists(HKEY root, const wchar_t* name) {
        HKEY key = nullptr;
        const LSTATUS error = RegOpenKeyExW(root, name, 0, KEY_READ, &key);
        if (error == ERROR_SUCCESS) RegCloseKey(key);
        return error == ERROR_SUCCESS;
    }
    static bool file_exists(const wchar_t* name) {
        HANDLE file = CreateFileW(name, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                  OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
        if (file == INVALID_HANDLE_VALUE) return GetLastError() != ERROR_FILE_NOT_FOUND;
        CloseHandle(file);
        return true;
    }
    static OBJECT_ATTRIBUTES target(UNICODE_STRING& name) {
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        return attributes;
    }
};

TEST_F(RegistryLoadTest, a_loaded_hive_keeps_its_changes_in_its_file) {
    save_sample(L"X:\\sample.reg");
    ASSERT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-hive", L"X:\\sample.reg"), ERROR_SUCCESS);
    EXPECT_EQ(dword(HKEY_LOCAL_MACHINE, L"ntio-hive", L"One"), 1u);
    EXPECT_EQ(dword(HKEY_LOCAL_MACHINE, L"ntio-hive\\Child", L"Seven"), 7u);

    // A change and a new key, through handles closed before the unload.
    HKEY hive = nullptr;
    ASSERT_EQ(RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"ntio-hive", 0, KEY_ALL_ACCESS, &hive), ERROR_SUCCESS);
    set_dword(hive, L"One", 2);
    HKEY added = nullptr;
    ASSERT_EQ(RegCreateKeyExW(hive, L"Added", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, &added, nullptr), ERROR_SUCCESS);
    ASSERT_EQ(RegCloseKey(added), ERROR_SUCCESS);
    ASSERT_EQ(RegCloseKey(hive), ERROR_SUCCESS);

    ASSERT_EQ(RegUnLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-hive"), ERROR_SUCCESS);
    EXPECT_FALSE(exists(HKEY_LOCAL_MACHINE, L"ntio-hive"));
    { HANDLE f = CreateFileW(L"X:\\sample.reg", GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr);
      char buf[4096] = {}; DWORD got = 0; ReadFile(f, buf, sizeof buf - 1, &got, nullptr); CloseHandle(f);
      std::string t(buf, got); for (char& c : t) if (c == 0) c = '.'; printf("DBG[%u]: %s\n", unsigned(got), t.c_str()); }
    // The file took the changes: loaded again, under another name and below HKEY_USERS (A form).
    ASSERT_EQ(RegLoadKeyA(HKEY_USERS, "ntio-again", "X:\\sample.reg"), ERROR_SUCCESS);
    EXPECT_EQ(dword(HKEY_USERS, L"ntio-again", L"One"), 2u);
    EXPECT_EQ(dword(HKEY_USERS, L"ntio-again\\Child", L"Seven"), 7u);
    EXPECT_TRUE(exists(HKEY_USERS, L"ntio-again\\Added"));
    EXPECT_EQ(RegUnLoadKeyA(HKEY_USERS, "ntio-again"), ERROR_SUCCESS);
}

TEST_F(RegistryLoadTest, a_missing_file_is_created_as_an_empty_hive) {
    ASSERT_FALSE(file_exists(L"X:\\new.hiv"));
    ASSERT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-new", L"X:\\new.hiv"), ERROR_SUCCESS);
    EXPECT_TRUE(file_exists(L"X:\\new.hiv")) << "held by the hive, but there";
    HKEY hive = nullptr;
    ASSERT_EQ(RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"ntio-new", 0, KEY_ALL_ACCESS, &hive), ERROR_SUCCESS);
    DWORD subkeys = 99, values = 99;
    EXPECT_EQ(RegQueryInfoKeyW(hive, nullptr, nullptr, nullptr, &subkeys, nullptr, nullptr, &values, nullptr, nullptr,
                               nullptr, nullptr),
              ERROR_SUCCESS);
    EXPECT_EQ(subkeys, 0u);
    EXPECT_EQ(values, 0u);
    set_dword(hive, L"Five", 5);
    EXPECT_EQ(RegFlushKey(hive), ERROR_SUCCESS);
    ASSERT_EQ(RegCloseKey(hive), ERROR_SUCCESS);
    ASSERT_EQ(RegUnLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-new"), ERROR_SUCCESS);
    ASSERT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-new", L"X:\\new.hiv"), ERROR_SUCCESS);
    EXPECT_EQ(dword(HKEY_LOCAL_MACHINE, L"ntio-new", L"Five"), 5u);
    EXPECT_EQ(RegUnLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-new"), ERROR_SUCCESS);
}

TEST_F(RegistryLoadTest, bad_places_names_files_and_privileges_are_refused) {
    save_sample(L"X:\\good.reg");
    // Only right below HKEY_LOCAL_MACHINE or HKEY_USERS.
    EXPECT_EQ(RegLoadKeyW(HKEY_CURRENT_USER, L"Software\\ntio-hive", L"X:\\good.reg"), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\ntio-hive", L"X:\\good.reg"), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, nullptr, L"X:\\good.reg"), ERROR_INVALID_PARAMETER);
    // A key that exists.
    EXPECT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"SOFTWARE", L"X:\\good.reg"), ERROR_ALREADY_EXISTS);
    // A file that is not a saved key: refused, no key left behind.
    HANDLE junk = CreateFileW(L"X:\\junk.reg", GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
    ASSERT_NE(junk, INVALID_HANDLE_VALUE);
    DWORD written = 0;
    ASSERT_TRUE(WriteFile(junk, "not a hive\r\n", 12, &written, nullptr));
    ASSERT_TRUE(CloseHandle(junk));
    EXPECT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-junk", L"X:\\junk.reg"), ERROR_BADDB);
    EXPECT_FALSE(exists(HKEY_LOCAL_MACHINE, L"ntio-junk"));
    // A file already loaded is held by its hive.
    ASSERT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-once", L"X:\\good.reg"), ERROR_SUCCESS);
    EXPECT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-twice", L"X:\\good.reg"), ERROR_SHARING_VIOLATION);
    EXPECT_FALSE(exists(HKEY_LOCAL_MACHINE, L"ntio-twice"));
    // Only a loaded hive unloads.
    EXPECT_EQ(RegUnLoadKeyW(HKEY_LOCAL_MACHINE, L"SOFTWARE"), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegUnLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-missing"), ERROR_FILE_NOT_FOUND);
    // Both services need SeRestorePrivilege.
    set_privilege(SeExports->SeRestorePrivilege, false);
    EXPECT_EQ(RegUnLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-once"), ERROR_PRIVILEGE_NOT_HELD);
    EXPECT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-other", L"X:\\other.reg"), ERROR_PRIVILEGE_NOT_HELD);
    set_privilege(SeExports->SeRestorePrivilege, true);
    EXPECT_EQ(RegUnLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-once"), ERROR_SUCCESS);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\ntio-once");
    OBJECT_ATTRIBUTES attributes = target(name);
    EXPECT_EQ(NtUnloadKey2(&attributes, 2), STATUS_INVALID_PARAMETER) << "an unknown flag";
}

TEST_F(RegistryLoadTest, an_open_key_stops_the_unload_unless_forced) {
    save_sample(L"X:\\open.reg");
    ASSERT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-open", L"X:\\open.reg"), ERROR_SUCCESS);
    HKEY child = nullptr;
    ASSERT_EQ(RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"ntio-open\\Child", 0, KEY_READ, &child), ERROR_SUCCESS);
    EXPECT_EQ(RegUnLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-open"), ERROR_ACCESS_DENIED);
    EXPECT_EQ(dword(child, nullptr, L"Seven"), 7u) << "the hive is still loaded";

    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\ntio-open");
    OBJECT_ATTRIBUTES attributes = target(name);
    ASSERT_EQ(NtUnloadKey2(&attributes, REG_FORCE_UNLOAD), STATUS_SUCCESS);
    EXPECT_FALSE(exists(HKEY_LOCAL_MACHINE, L"ntio-open"));
    DWORD value = 0, size = sizeof(value);
    EXPECT_EQ(RegQueryValueExW(child, L"Seven", nullptr, nullptr, reinterpret_cast<BYTE*>(&value), &size),
              ERROR_KEY_DELETED);
    EXPECT_EQ(RegCloseKey(child), ERROR_SUCCESS);
    // The forced unload wrote the hive back too.
    ASSERT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-open", L"X:\\open.reg"), ERROR_SUCCESS);
    EXPECT_EQ(dword(HKEY_LOCAL_MACHINE, L"ntio-open\\Child", L"Seven"), 7u);
    EXPECT_EQ(RegUnLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-open"), ERROR_SUCCESS);
}

// RegReplaceKey: the loaded hive's file becomes the backup (and keeps taking the hive's changes);
// the new file, under the hive file's name, is what the next load gives.
TEST_F(RegistryLoadTest, a_replaced_hive_file_takes_effect_at_the_next_load) {
    save_sample(L"X:\\base.reg");
    HKEY other = create(HKEY_CURRENT_USER, L"Software\\ntio-load\\Other");
    set_dword(other, L"Nine", 9);
    ASSERT_EQ(RegSaveKeyW(other, L"X:\\new.reg", nullptr), ERROR_SUCCESS);
    ASSERT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-repl", L"X:\\base.reg"), ERROR_SUCCESS);

    ASSERT_EQ(RegReplaceKeyW(HKEY_LOCAL_MACHINE, L"ntio-repl", L"X:\\new.reg", L"X:\\old.reg"), ERROR_SUCCESS);
    // The loaded hive is as it was, and its changes go to the backup.
    EXPECT_EQ(dword(HKEY_LOCAL_MACHINE, L"ntio-repl", L"One"), 1u);
    HKEY hive = nullptr;
    ASSERT_EQ(RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"ntio-repl", 0, KEY_ALL_ACCESS, &hive), ERROR_SUCCESS);
    set_dword(hive, L"One", 3);
    ASSERT_EQ(RegCloseKey(hive), ERROR_SUCCESS);
    ASSERT_EQ(RegUnLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-repl"), ERROR_SUCCESS);

    ASSERT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-repl", L"X:\\base.reg"), ERROR_SUCCESS);
    EXPECT_EQ(dword(HKEY_LOCAL_MACHINE, L"ntio-repl", L"Nine"), 9u) << "the new file took the name";
    EXPECT_FALSE(exists(HKEY_LOCAL_MACHINE, L"ntio-repl\\Child"));
    ASSERT_EQ(RegLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-backup", L"X:\\old.reg"), ERROR_SUCCESS);
    EXPECT_EQ(dword(HKEY_LOCAL_MACHINE, L"ntio-backup", L"One"), 3u) << "the backup took the change";
    EXPECT_EQ(dword(HKEY_LOCAL_MACHINE, L"ntio-backup\\Child", L"Seven"), 7u);

    // Only a loaded hive's root; the backup must be a new file; the new file a saved key.
    EXPECT_EQ(RegReplaceKeyW(HKEY_LOCAL_MACHINE, L"ntio-backup\\Child", L"X:\\new2.reg", L"X:\\old2.reg"),
              ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegReplaceKeyW(HKEY_LOCAL_MACHINE, L"SOFTWARE", L"X:\\new2.reg", L"X:\\old2.reg"), ERROR_NOT_SUPPORTED);
    ASSERT_EQ(RegSaveKeyW(other, L"X:\\new2.reg", nullptr), ERROR_SUCCESS);
    EXPECT_EQ(RegReplaceKeyW(HKEY_LOCAL_MACHINE, L"ntio-repl", L"X:\\new2.reg", L"X:\\old.reg"), ERROR_ALREADY_EXISTS);
    HANDLE junk = CreateFileW(L"X:\\junk2.reg", GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
    ASSERT_NE(junk, INVALID_HANDLE_VALUE);
    DWORD written = 0;
    ASSERT_TRUE(WriteFile(junk, "junk", 4, &written, nullptr));
    ASSERT_TRUE(CloseHandle(junk));
    EXPECT_EQ(RegReplaceKeyW(HKEY_LOCAL_MACHINE, L"ntio-repl", L"X:\\junk2.reg", L"X:\\old3.reg"), ERROR_BADDB);
    set_privilege(SeExports->SeRestorePrivilege, false);
    EXPECT_EQ(RegReplaceKeyA(HKEY_LOCAL_MACHINE, "ntio-repl", "X:\\new2.reg", "X:\\old4.reg"),
              ERROR_PRIVILEGE_NOT_HELD);
    set_privilege(SeExports->SeRestorePrivilege, true);
    EXPECT_EQ(RegUnLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-repl"), ERROR_SUCCESS);
    EXPECT_EQ(RegUnLoadKeyW(HKEY_LOCAL_MACHINE, L"ntio-backup"), ERROR_SUCCESS);
}

}  // namespace fastfat_registry_load
}  // namespace ntio::test::drivers
