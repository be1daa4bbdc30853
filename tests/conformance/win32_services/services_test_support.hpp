// Helpers for the service control manager conformance tests: the per-test System fixture run as an
// elevated administrator (creating services needs one on Windows), SC_HANDLE and HANDLE owners, and
// the DOS path of the scmtest.sys image next to the test binary.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ntio_test_config.h"  // NTIO_SCMTEST_DRIVER
#include "ob/object_manager.hpp"
#include "ob/process.hpp"
#include "se/token.hpp"
#include "support/administrator_process.hpp"
#include "support/system_fixture.hpp"

#include <windows.h>
#include <winsvc.h>
#include <ntio/ntapi.h>

namespace ntio::test {

#define IOCTL_SCMTEST_HELLO CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
constexpr ULONG kScmTestMagic = 0x5C3D7E57UL;

// WCHAR text as std::u16string and back.
inline std::u16string text(const wchar_t* s) { return s ? std::u16string(reinterpret_cast<const char16_t*>(s)) : u""; }
inline const wchar_t* wide(const std::u16string& s) { return reinterpret_cast<const wchar_t*>(s.c_str()); }

class ScHandle {
public:
    ScHandle() = default;
    explicit ScHandle(SC_HANDLE handle) : m_handle(handle) {}
    ScHandle(const ScHandle&) = delete;
    ScHandle& operator=(const ScHandle&) = delete;
    ~ScHandle() { reset(); }
    void reset() {
        if (m_handle) CloseServiceHandle(m_handle);
        m_handle = nullptr;
    }
    ScHandle& operator=(SC_HANDLE handle) {
        reset();
        m_handle = handle;
        return *this;
    }
    SC_HANDLE get() const { return m_handle; }
    operator SC_HANDLE() const { return m_handle; }
    SC_HANDLE release() {
        SC_HANDLE h = m_handle;
        m_handle = nullptr;
        return h;
    }

private:
    SC_HANDLE m_handle = nullptr;
};

class FileHandle {
public:
    explicit FileHandle(HANDLE handle) : m_handle(handle) {}
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    ~FileHandle() { reset(); }
    void reset() {
        if (m_handle != INVALID_HANDLE_VALUE && m_handle) CloseHandle(m_handle);
        m_handle = INVALID_HANDLE_VALUE;
    }
    HANDLE get() const { return m_handle; }

private:
    HANDLE m_handle;
};

// Runs the scope in the standard user's initial process (a non-elevated token).
class StandardUser {
public:
    explicit StandardUser(System& system) : m_attach(system.objects().initial_process()) {}

private:
    ob::ProcessAttach m_attach;
};

// Each test boots a System and acts as an administrator unless it says otherwise.
class ServiceTest : public SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        m_admin = std::make_unique<AdministratorProcess>(system(), u"scmtest.exe");
    }
    void TearDown() override {
        m_admin.reset();
        SystemTest::TearDown();
    }

    // C:\...\scmtest.sys: the image next to the test binary as a Windows application names it.
    // (UTF-16 text is kept in std::u16string: libstdc++'s wchar_t traits call the C library's
    // 4-byte wide-character routines, wrong under -fshort-wchar.)
    static std::u16string driver_dos_path() {
        std::string host = NTIO_SCMTEST_DRIVER;
        std::u16string dos = u"C:";
        for (char c : host) dos.push_back(c == '/' ? u'\\' : static_cast<char16_t>(c));
        return dos;
    }

    SC_HANDLE open_manager(DWORD access = SC_MANAGER_ALL_ACCESS) { return OpenSCManagerW(nullptr, nullptr, access); }

    // Creates a demand-start kernel driver service for scmtest.sys.
    SC_HANDLE create(SC_HANDLE scm, const wchar_t* name, DWORD access = SERVICE_ALL_ACCESS,
                     DWORD start = SERVICE_DEMAND_START, DWORD type = SERVICE_KERNEL_DRIVER) {
        const std::u16string path = driver_dos_path();
        return CreateServiceW(scm, name, name, access, type, start, SERVICE_ERROR_NORMAL, wide(path), nullptr,
                              nullptr, nullptr, nullptr, nullptr);
    }

    // Parameters\Mode of the service: 0 normal, 1 failing DriverEntry, 2 no DriverUnload.
    void set_mode(const wchar_t* name, DWORD mode) {
        std::u16string path = u"SYSTEM\\CurrentControlSet\\Services\\" + text(name) + u"\\Parameters";
        HKEY key = nullptr;
        ASSERT_EQ(RegCreateKeyExW(HKEY_LOCAL_MACHINE, wide(path), 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, &key,
                                  nullptr),
                  ERROR_SUCCESS);
        EXPECT_EQ(RegSetValueExW(key, L"Mode", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&mode), sizeof(mode)),
                  ERROR_SUCCESS);
        RegCloseKey(key);
    }

    bool service_key_exists(const wchar_t* name) {
        std::u16string path = u"SYSTEM\\CurrentControlSet\\Services\\" + text(name);
        HKEY key = nullptr;
        LSTATUS error = RegOpenKeyExW(HKEY_LOCAL_MACHINE, wide(path), 0, KEY_READ, &key);
        if (error == ERROR_SUCCESS) RegCloseKey(key);
        return error == ERROR_SUCCESS;
    }

    DWORD state(SC_HANDLE service) {
        SERVICE_STATUS status{};
        EXPECT_TRUE(QueryServiceStatus(service, &status)) << GetLastError();
        return status.dwCurrentState;
    }

    // Stops it if it runs, so the System shuts down with nothing loaded by the test.
    void stop_quietly(SC_HANDLE service) {
        SERVICE_STATUS status{};
        (void)ControlService(service, SERVICE_CONTROL_STOP, &status);
    }

    std::unique_ptr<AdministratorProcess> m_admin;
};

}  // namespace ntio::test
