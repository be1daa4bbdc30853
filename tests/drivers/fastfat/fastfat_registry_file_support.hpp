// What the registry file tests share (RegSaveKey, RegRestoreKey, RegLoadKey): a FAT volume on the
// RAM disk as drive X:, an administrator process whose privileges a test turns on, and keys made
// for the test and closed after it.
#pragma once

#include "fastfat_driver_support.hpp"

#include "support/administrator_process.hpp"

#include <windows.h>
#include <ntio/ntapi.h>

namespace ntio::test::drivers::registry_files {

constexpr DWORD kDriveX = 1u << ('X' - 'A');

struct PrivilegeSet {
    ULONG PrivilegeCount = 1;
    LUID_AND_ATTRIBUTES Privileges[1];
};

// Enables (or disables) one privilege of the current process's token.
inline void set_privilege(LUID privilege, bool enabled) {
    HANDLE token = nullptr;
    ASSERT_EQ(NtOpenProcessToken(NtCurrentProcess(), TOKEN_ADJUST_PRIVILEGES, &token), STATUS_SUCCESS);
    PrivilegeSet set;
    set.Privileges[0].Luid = privilege;
    set.Privileges[0].Attributes = enabled ? SE_PRIVILEGE_ENABLED : 0;
    EXPECT_EQ(NtAdjustPrivilegesToken(token, FALSE, reinterpret_cast<PTOKEN_PRIVILEGES>(&set), 0, nullptr, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

class RegistryFileTest : public FastFatTest {
protected:
    void SetUp() override {
        FastFatTest::SetUp();
        if (IsSkipped()) return;
        format({16, 16384, 4, 512, "REGFILES"});
        ASSERT_EQ(GetLogicalDrives() & kDriveX, 0u);
        ASSERT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"X:", L"\\Device\\Ramdisk0")) << GetLastError();
        m_admin.emplace(system(), u"regback.exe");
    }
    void TearDown() override {
        for (HKEY& key : m_keys)
            if (key) RegCloseKey(key);
        m_admin.reset();
        if (!IsSkipped()) {
            EXPECT_TRUE(DefineDosDeviceW(DDD_RAW_TARGET_PATH | DDD_REMOVE_DEFINITION | DDD_EXACT_MATCH_ON_REMOVE, L"X:",
                                         L"\\Device\\Ramdisk0"));
        }
        FastFatTest::TearDown();
    }
    HKEY create(HKEY parent, const wchar_t* name) {
        HKEY key = nullptr;
        EXPECT_EQ(RegCreateKeyExW(parent, name, 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, &key, nullptr), ERROR_SUCCESS);
        m_keys.push_back(key);
        return key;
    }
    static void set_dword(HKEY key, const wchar_t* name, DWORD value) {
        ASSERT_EQ(RegSetValueExW(key, name, 0, REG_DWORD, reinterpret_cast<const BYTE*>(&value), sizeof(value)),
                  ERROR_SUCCESS);
    }
    static DWORD dword(HKEY key, const wchar_t* sub_key, const wchar_t* name) {
        DWORD value = 0, size = sizeof(value);
        EXPECT_EQ(RegGetValueW(key, sub_key, name, RRF_RT_REG_DWORD, nullptr, &value, &size), ERROR_SUCCESS);
        return value;
    }
    std::optional<AdministratorProcess> m_admin;
    std::vector<HKEY> m_keys;
};

}  // namespace ntio::test::drivers::registry_files
