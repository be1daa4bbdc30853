// Driver services running: StartService loads scmtest.sys through its service key, the device it
// creates answers, QueryServiceStatus(Ex) follows the driver object, ControlService(STOP) unloads it
// (deferred while a handle is open), and the errors of each step (NT facts L7, L8).
#include <string>
#include <vector>

#include "services_test_support.hpp"

namespace ntio::test {
namespace {

using ServiceControlTest = ServiceTest;

ULONG hello(HANDLE device) {
    ULONG magic = 0;
    DWORD returned = 0;
    if (!DeviceIoControl(device, IOCTL_SCMTEST_HELLO, nullptr, 0, &magic, sizeof(magic), &returned, nullptr))
        return 0;
    return returned == sizeof(magic) ? magic : 0;
}

// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-startservicew
TEST_F(ServiceControlTest, start_query_stop_a_driver) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ASSERT_NE(service.get(), nullptr) << GetLastError();

    SERVICE_STATUS status{};
    ASSERT_TRUE(QueryServiceStatus(service, &status));
    EXPECT_EQ(status.dwServiceType, static_cast<DWORD>(SERVICE_KERNEL_DRIVER));
    EXPECT_EQ(status.dwCurrentState, static_cast<DWORD>(SERVICE_STOPPED));
    EXPECT_EQ(status.dwControlsAccepted, 0u);
    EXPECT_EQ(status.dwWin32ExitCode, static_cast<DWORD>(ERROR_SERVICE_NEVER_STARTED));

    ASSERT_TRUE(StartServiceW(service, 0, nullptr)) << GetLastError();
    ASSERT_TRUE(QueryServiceStatus(service, &status));
    EXPECT_EQ(status.dwCurrentState, static_cast<DWORD>(SERVICE_RUNNING));
    EXPECT_EQ(status.dwControlsAccepted, static_cast<DWORD>(SERVICE_ACCEPT_STOP));
    EXPECT_EQ(status.dwWin32ExitCode, 0u);
    {
        FileHandle device(CreateFileW(L"\\\\.\\ScmTest", GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                                      FILE_ATTRIBUTE_NORMAL, nullptr));
        ASSERT_NE(device.get(), INVALID_HANDLE_VALUE) << GetLastError();
        EXPECT_EQ(hello(device.get()), kScmTestMagic);
    }

    {
        std::vector<unsigned char> buffer(8192);
        DWORD bytes = 0, count = 0;
        ASSERT_TRUE(EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_DRIVER, SERVICE_ACTIVE, buffer.data(),
                                          static_cast<DWORD>(buffer.size()), &bytes, &count, nullptr, nullptr));
        auto* entries = reinterpret_cast<ENUM_SERVICE_STATUS_PROCESSW*>(buffer.data());
        bool listed = false;
        for (DWORD i = 0; i < count; ++i)
            if (text(entries[i].lpServiceName) == u"scmtest")
                listed = entries[i].ServiceStatusProcess.dwCurrentState == SERVICE_RUNNING;
        EXPECT_TRUE(listed) << "a running driver is an active service";
    }

    SERVICE_STATUS_PROCESS process{};
    DWORD needed = 0;
    ASSERT_TRUE(QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(&process),
                                     sizeof(process), &needed));
    EXPECT_EQ(needed, sizeof(SERVICE_STATUS_PROCESS));
    EXPECT_EQ(process.dwCurrentState, static_cast<DWORD>(SERVICE_RUNNING));
    EXPECT_EQ(process.dwProcessId, 0u);

    EXPECT_FALSE(StartServiceW(service, 0, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_ALREADY_RUNNING));

    ASSERT_TRUE(ControlService(service, SERVICE_CONTROL_STOP, &status)) << GetLastError();
    EXPECT_EQ(status.dwCurrentState, static_cast<DWORD>(SERVICE_STOPPED));
    ASSERT_TRUE(QueryServiceStatus(service, &status));
    EXPECT_EQ(status.dwCurrentState, static_cast<DWORD>(SERVICE_STOPPED));
    EXPECT_EQ(status.dwWin32ExitCode, 0u);
    EXPECT_EQ(CreateFileW(L"\\\\.\\ScmTest", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr),
              INVALID_HANDLE_VALUE)
        << "the device went with the driver";

    EXPECT_FALSE(ControlService(service, SERVICE_CONTROL_STOP, &status));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_NOT_ACTIVE));
    EXPECT_EQ(status.dwCurrentState, static_cast<DWORD>(SERVICE_STOPPED));

    // Started again after a stop: the image loads anew.
    ASSERT_TRUE(StartServiceA(service, 0, nullptr)) << GetLastError();
    EXPECT_EQ(state(service), static_cast<DWORD>(SERVICE_RUNNING));
    ASSERT_TRUE(ControlService(service, SERVICE_CONTROL_STOP, &status));
    EXPECT_TRUE(DeleteService(service));
}

TEST_F(ServiceControlTest, stop_with_open_handle_is_pending_until_close) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ASSERT_NE(service.get(), nullptr);
    ASSERT_TRUE(StartServiceW(service, 0, nullptr)) << GetLastError();
    HANDLE device = CreateFileW(L"\\\\.\\ScmTest", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(device, INVALID_HANDLE_VALUE);
    SERVICE_STATUS status{};
    ASSERT_TRUE(ControlService(service, SERVICE_CONTROL_STOP, &status)) << GetLastError();
    EXPECT_EQ(status.dwCurrentState, static_cast<DWORD>(SERVICE_STOP_PENDING));
    EXPECT_EQ(state(service), static_cast<DWORD>(SERVICE_STOP_PENDING));
    EXPECT_FALSE(ControlService(service, SERVICE_CONTROL_STOP, &status));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_CANNOT_ACCEPT_CTRL));
    EXPECT_TRUE(CloseHandle(device));
    EXPECT_EQ(state(service), static_cast<DWORD>(SERVICE_STOPPED)) << "DriverUnload ran at the last close";
    EXPECT_TRUE(DeleteService(service));
}

// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-controlservice
TEST_F(ServiceControlTest, control_codes_and_rights) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ASSERT_NE(service.get(), nullptr);
    SERVICE_STATUS status{};
    EXPECT_FALSE(ControlService(service, SERVICE_CONTROL_INTERROGATE, &status));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_NOT_ACTIVE));
    ASSERT_TRUE(StartServiceW(service, 0, nullptr)) << GetLastError();
    EXPECT_TRUE(ControlService(service, SERVICE_CONTROL_INTERROGATE, &status));
    EXPECT_EQ(status.dwCurrentState, static_cast<DWORD>(SERVICE_RUNNING));
    EXPECT_FALSE(ControlService(service, SERVICE_CONTROL_PAUSE, &status));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_SERVICE_CONTROL));
    EXPECT_FALSE(ControlService(service, 200, &status));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_SERVICE_CONTROL)) << "user-defined codes: drivers take none";
    EXPECT_FALSE(ControlService(service, 0x50, &status));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(ControlService(service, SERVICE_CONTROL_SHUTDOWN, &status));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(ControlService(service, SERVICE_CONTROL_STOP, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
    EXPECT_FALSE(ControlService(nullptr, SERVICE_CONTROL_STOP, &status));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    ScHandle no_stop(OpenServiceW(scm, L"scmtest", SERVICE_QUERY_STATUS | SERVICE_START));
    EXPECT_FALSE(ControlService(no_stop, SERVICE_CONTROL_STOP, &status));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_EQ(state(service), static_cast<DWORD>(SERVICE_RUNNING));
    EXPECT_TRUE(ControlService(service, SERVICE_CONTROL_STOP, &status));
    EXPECT_TRUE(DeleteService(service));
}

TEST_F(ServiceControlTest, start_and_query_need_their_rights) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest", SERVICE_QUERY_CONFIG | DELETE));
    ASSERT_NE(service.get(), nullptr);
    EXPECT_FALSE(StartServiceW(service, 0, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    SERVICE_STATUS status{};
    EXPECT_FALSE(QueryServiceStatus(service, &status));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    DWORD needed = 0;
    SERVICE_STATUS_PROCESS process{};
    EXPECT_FALSE(QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(&process),
                                      sizeof(process), &needed));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_FALSE(StartServiceW(nullptr, 0, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_TRUE(DeleteService(service));
}

// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-queryservicestatusex
TEST_F(ServiceControlTest, query_status_ex_checks_level_and_size) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ASSERT_NE(service.get(), nullptr);
    SERVICE_STATUS_PROCESS process{};
    DWORD needed = 0;
    EXPECT_FALSE(QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(&process),
                                      sizeof(process) - 1, &needed));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
    EXPECT_EQ(needed, sizeof(SERVICE_STATUS_PROCESS));
    EXPECT_FALSE(QueryServiceStatusEx(service, static_cast<SC_STATUS_TYPE>(7), reinterpret_cast<LPBYTE>(&process),
                                      sizeof(process), &needed));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_LEVEL));
    EXPECT_FALSE(QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(&process),
                                      sizeof(process), nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
    EXPECT_FALSE(QueryServiceStatus(service, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
    ASSERT_TRUE(QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(&process),
                                     sizeof(process), &needed));
    EXPECT_EQ(process.dwCurrentState, static_cast<DWORD>(SERVICE_STOPPED));
    EXPECT_TRUE(DeleteService(service));
}

// Windows checks QueryServiceStatusEx's level first (even before the handle), then the size (the
// size needed is reported to a handle without SERVICE_QUERY_STATUS too), then the handle's rights.
TEST_F(ServiceControlTest, query_status_ex_checks_arguments_before_the_handle_and_its_rights) {
    SetLastError(0);
    EXPECT_FALSE(QueryServiceStatusEx(nullptr, static_cast<SC_STATUS_TYPE>(1), nullptr, 0, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_LEVEL));
    DWORD needed = 0;
    EXPECT_FALSE(QueryServiceStatusEx(nullptr, SC_STATUS_PROCESS_INFO, nullptr, 0, &needed));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
    EXPECT_EQ(needed, sizeof(SERVICE_STATUS_PROCESS));
    SERVICE_STATUS_PROCESS process{};
    EXPECT_FALSE(QueryServiceStatusEx(nullptr, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(&process),
                                      sizeof(process), &needed));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));

    ScHandle scm(open_manager());
    ScHandle created(create(scm, L"scmtest"));
    ASSERT_NE(created.get(), nullptr);
    ScHandle reader(OpenServiceW(scm, L"scmtest", STANDARD_RIGHTS_READ));
    ASSERT_NE(reader.get(), nullptr);
    needed = 0;
    EXPECT_FALSE(QueryServiceStatusEx(reader, SC_STATUS_PROCESS_INFO, nullptr, 0, &needed));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
    EXPECT_EQ(needed, sizeof(SERVICE_STATUS_PROCESS));
    EXPECT_FALSE(QueryServiceStatusEx(reader, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(&process),
                                      sizeof(process), &needed));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_TRUE(DeleteService(created));
}

TEST_F(ServiceControlTest, disabled_service_does_not_start) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest", SERVICE_ALL_ACCESS, SERVICE_DISABLED));
    ASSERT_NE(service.get(), nullptr);
    EXPECT_FALSE(StartServiceW(service, 0, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_DISABLED));
    EXPECT_EQ(state(service), static_cast<DWORD>(SERVICE_STOPPED));
    EXPECT_TRUE(DeleteService(service));
}

TEST_F(ServiceControlTest, missing_image_fails_to_start) {
    ScHandle scm(open_manager());
    ScHandle service(CreateServiceW(scm, L"ghost", nullptr, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                    SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, L"C:\\no\\such\\ghost.sys", nullptr,
                                    nullptr, nullptr, nullptr, nullptr));
    ASSERT_NE(service.get(), nullptr);
    EXPECT_FALSE(StartServiceW(service, 0, nullptr));
    const DWORD error = GetLastError();
    EXPECT_TRUE(error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) << error;
    SERVICE_STATUS status{};
    ASSERT_TRUE(QueryServiceStatus(service, &status));
    EXPECT_EQ(status.dwCurrentState, static_cast<DWORD>(SERVICE_STOPPED));
    EXPECT_EQ(status.dwWin32ExitCode, error) << "the failed start's error is the exit code";
    EXPECT_TRUE(DeleteService(service));
}

// NT fact L8: DriverEntry returning STATUS_NOT_IMPLEMENTED makes StartService fail.
TEST_F(ServiceControlTest, failing_driver_entry_fails_start) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ASSERT_NE(service.get(), nullptr);
    set_mode(L"scmtest", 1);
    EXPECT_FALSE(StartServiceW(service, 0, nullptr));
    const DWORD error = GetLastError();
    EXPECT_TRUE(error == ERROR_CALL_NOT_IMPLEMENTED || error == ERROR_INVALID_FUNCTION || error == ERROR_PROC_NOT_FOUND ||
                error == ERROR_FILE_NOT_FOUND)
        << error;
    EXPECT_EQ(state(service), static_cast<DWORD>(SERVICE_STOPPED));
    EXPECT_TRUE(DeleteService(service));
}

// NT fact L7: a driver without DriverUnload cannot be stopped; one loaded with ZwLoadDriver shows as
// running in the SCM and as stopped once ZwUnloadDriver unloaded it.
TEST_F(ServiceControlTest, driver_without_unload_cannot_stop) {
    // The driver stays loaded until the System shuts down: its objects are still there at the check.
    m_check_leaks = false;
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ASSERT_NE(service.get(), nullptr);
    set_mode(L"scmtest", 2);
    ASSERT_TRUE(StartServiceW(service, 0, nullptr)) << GetLastError();
    SERVICE_STATUS status{};
    EXPECT_FALSE(ControlService(service, SERVICE_CONTROL_STOP, &status));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_SERVICE_CONTROL));
    EXPECT_EQ(state(service), static_cast<DWORD>(SERVICE_RUNNING));
    // The record goes once the System shuts the driver down; here only the mark is set.
    EXPECT_TRUE(DeleteService(service));
}

TEST_F(ServiceControlTest, scm_shows_drivers_loaded_through_nt_load_driver) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ASSERT_NE(service.get(), nullptr);
    UNICODE_STRING path;
    RtlInitUnicodeString(&path, L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\scmtest");
    ASSERT_EQ(ZwLoadDriver(&path), STATUS_SUCCESS);
    EXPECT_EQ(state(service), static_cast<DWORD>(SERVICE_RUNNING));
    EXPECT_FALSE(StartServiceW(service, 0, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_ALREADY_RUNNING));
    ASSERT_EQ(ZwUnloadDriver(&path), STATUS_SUCCESS);
    EXPECT_EQ(state(service), static_cast<DWORD>(SERVICE_STOPPED));
    EXPECT_TRUE(DeleteService(service));
}

TEST_F(ServiceControlTest, delete_of_running_driver_waits_for_stop) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ASSERT_NE(service.get(), nullptr);
    ASSERT_TRUE(StartServiceW(service, 0, nullptr));
    ASSERT_TRUE(DeleteService(service));
    ScHandle stopper(OpenServiceW(scm, L"scmtest", SERVICE_STOP | SERVICE_QUERY_STATUS));
    ASSERT_NE(stopper.get(), nullptr);
    service.reset();
    EXPECT_TRUE(service_key_exists(L"scmtest")) << "still running: the record stays";
    SERVICE_STATUS status{};
    ASSERT_TRUE(ControlService(stopper, SERVICE_CONTROL_STOP, &status)) << GetLastError();
    EXPECT_TRUE(service_key_exists(L"scmtest")) << "a handle is still open";
    stopper.reset();
    EXPECT_FALSE(service_key_exists(L"scmtest"));
}

}  // namespace
}  // namespace ntio::test
