// RegSaveKey(Ex)W/A and RegRestoreKeyW/A through a FAT volume on the RAM disk (drive X:), as a
// backup tool uses them: a key with values and subkeys saved to a file and restored over another
// key, which keeps its name and takes the saved key's values and subkeys. The privileges each needs,
// an existing file, a key open below the target, a file that is not a saved key.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regsavekeyw
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regrestorekeyw
#include "fastfat_registry_file_support.hpp"

namespace ntio::test::drivers {
namespace fastfat_registry_save {

using registry_files::set_privilege;

class RegistrySaveTest : public registry_files::RegistryFileTest {
protected:
    // The source key: values of three types and a subkey with a value of its own.
    HKEY make_source() {
        HKEY source = create(HKEY_CURRENT_USER, L"Software\\ntio-save\\Source");
        set_dword(source, L"One", 1);
        const wchar_t text[] = L"saved text";
        EXPECT_EQ(RegSetValueExW(source, L"Text", 0, REG_SZ, reinterpret_cast<const BYTE*>(text), sizeof(text)),
                  ERROR_SUCCESS);
        const BYTE blob[] = {0, 1, 2, 0xFF};
        EXPECT_EQ(RegSetValueExW(source, nullptr, 0, REG_BINARY, blob, sizeof(blob)), ERROR_SUCCESS);
        HKEY child = create(source, L"Child\\Grandchild");
        set_dword(child, L"Seven", 7);
        return source;
    }
};

TEST_F(RegistrySaveTest, a_saved_key_restores_over_another_key_which_keeps_its_name) {
    HKEY source = make_source();
    set_privilege(SeExports->SeBackupPrivilege, true);
    ASSERT_EQ(RegSaveKeyW(source, L"X:\\source.reg", nullptr), ERROR_SUCCESS);

    // The target's own values and subkeys go; the saved key's come in.
    HKEY target = create(HKEY_CURRENT_USER, L"Software\\ntio-save\\Target");
    set_dword(target, L"Old", 99);
    HKEY stale = nullptr;
    ASSERT_EQ(RegCreateKeyExW(target, L"Stale", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, &stale, nullptr), ERROR_SUCCESS);
    ASSERT_EQ(RegCloseKey(stale), ERROR_SUCCESS);
    set_privilege(SeExports->SeRestorePrivilege, true);
    ASSERT_EQ(RegRestoreKeyW(target, L"X:\\source.reg", 0), ERROR_SUCCESS);

    EXPECT_EQ(dword(target, nullptr, L"One"), 1u);
    EXPECT_EQ(dword(target, L"Child\\Grandchild", L"Seven"), 7u);
    wchar_t text[32] = {};
    DWORD size = sizeof(text);
    EXPECT_EQ(RegGetValueW(target, nullptr, L"Text", RRF_RT_REG_SZ, nullptr, text, &size), ERROR_SUCCESS);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(text)), u"saved text");
    BYTE blob[8] = {};
    DWORD type = 0, blob_size = sizeof(blob);
    EXPECT_EQ(RegQueryValueExW(target, nullptr, nullptr, &type, blob, &blob_size), ERROR_SUCCESS);
    EXPECT_EQ(type, DWORD(REG_BINARY));
    EXPECT_EQ(blob_size, 4u);
    EXPECT_EQ(blob[3], 0xFF);
    DWORD value = 0, value_size = sizeof(value);
    EXPECT_EQ(RegGetValueW(target, nullptr, L"Old", RRF_RT_REG_DWORD, nullptr, &value, &value_size),
              ERROR_FILE_NOT_FOUND);
    HKEY gone = nullptr;
    EXPECT_EQ(RegOpenKeyExW(target, L"Stale", 0, KEY_READ, &gone), ERROR_FILE_NOT_FOUND);
    // The key's name is its own still: no "Source" key appeared below it or beside it.
    EXPECT_EQ(RegOpenKeyExW(target, L"Source", 0, KEY_READ, &gone), ERROR_FILE_NOT_FOUND);

    // The A forms and RegSaveKeyEx do the same.
    ASSERT_EQ(RegSaveKeyExA(source, "X:\\source2.reg", nullptr, REG_LATEST_FORMAT), ERROR_SUCCESS);
    HKEY second = create(HKEY_CURRENT_USER, L"Software\\ntio-save\\Second");
    ASSERT_EQ(RegRestoreKeyA(second, "X:\\source2.reg", 0), ERROR_SUCCESS);
    EXPECT_EQ(dword(second, L"Child\\Grandchild", L"Seven"), 7u);
}

TEST_F(RegistrySaveTest, each_call_needs_its_privilege_and_a_new_file) {
    HKEY source = make_source();
    set_privilege(SeExports->SeBackupPrivilege, false);
    EXPECT_EQ(RegSaveKeyW(source, L"X:\\denied.reg", nullptr), ERROR_PRIVILEGE_NOT_HELD);
    // A failed save leaves no file behind.
    EXPECT_EQ(CreateFileW(L"X:\\denied.reg", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
    set_privilege(SeExports->SeBackupPrivilege, true);
    ASSERT_EQ(RegSaveKeyW(source, L"X:\\once.reg", nullptr), ERROR_SUCCESS);
    EXPECT_EQ(RegSaveKeyW(source, L"X:\\once.reg", nullptr), ERROR_ALREADY_EXISTS);
    EXPECT_EQ(RegSaveKeyExW(source, L"X:\\format.reg", nullptr, 3), ERROR_INVALID_PARAMETER);
    EXPECT_EQ(RegSaveKeyW(source, nullptr, nullptr), ERROR_INVALID_PARAMETER);

    HKEY target = create(HKEY_CURRENT_USER, L"Software\\ntio-save\\Target");
    set_privilege(SeExports->SeRestorePrivilege, false);
    EXPECT_EQ(RegRestoreKeyW(target, L"X:\\once.reg", 0), ERROR_PRIVILEGE_NOT_HELD);
    set_privilege(SeExports->SeRestorePrivilege, true);
    EXPECT_EQ(RegRestoreKeyW(target, L"X:\\missing.reg", 0), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegRestoreKeyW(target, L"X:\\once.reg", 0x100), ERROR_INVALID_PARAMETER);
}

TEST_F(RegistrySaveTest, a_key_open_below_the_target_stops_the_restore_unless_forced) {
    HKEY source = make_source();
    set_privilege(SeExports->SeBackupPrivilege, true);
    set_privilege(SeExports->SeRestorePrivilege, true);
    ASSERT_EQ(RegSaveKeyW(source, L"X:\\source.reg", nullptr), ERROR_SUCCESS);
    HKEY target = create(HKEY_CURRENT_USER, L"Software\\ntio-save\\Target");
    HKEY open_below = create(target, L"Busy");
    EXPECT_EQ(RegRestoreKeyW(target, L"X:\\source.reg", 0),
              static_cast<LSTATUS>(RtlNtStatusToDosError(STATUS_CANNOT_DELETE)));
    EXPECT_EQ(RegOpenKeyExW(target, L"Child", 0, KEY_READ, &open_below), ERROR_FILE_NOT_FOUND);
    EXPECT_EQ(RegRestoreKeyW(target, L"X:\\source.reg", REG_FORCE_RESTORE), ERROR_SUCCESS);
    EXPECT_EQ(dword(target, L"Child\\Grandchild", L"Seven"), 7u);
}

TEST_F(RegistrySaveTest, a_file_that_is_not_a_saved_key_is_refused_and_changes_nothing) {
    HANDLE file = CreateFileW(L"X:\\junk.reg", GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr);
    ASSERT_NE(file, INVALID_HANDLE_VALUE) << GetLastError();
    const char junk[] = "this is not a registry file\r\n";
    DWORD done = 0;
    ASSERT_TRUE(WriteFile(file, junk, sizeof(junk) - 1, &done, nullptr));
    ASSERT_TRUE(CloseHandle(file));
    HKEY target = create(HKEY_CURRENT_USER, L"Software\\ntio-save\\Target");
    set_dword(target, L"Kept", 5);
    set_privilege(SeExports->SeRestorePrivilege, true);
    // STATUS_REGISTRY_CORRUPT, which is ERROR_BADDB to a Win32 caller.
    EXPECT_EQ(RegRestoreKeyW(target, L"X:\\junk.reg", 0), ERROR_BADDB);
    EXPECT_EQ(dword(target, nullptr, L"Kept"), 5u);
}

}  // namespace fastfat_registry_save
}  // namespace ntio::test::drivers
