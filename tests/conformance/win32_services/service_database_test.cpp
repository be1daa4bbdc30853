// The SCM database through advapi32: OpenSCManager, CreateService, OpenService, QueryServiceConfig,
// ChangeServiceConfig, DeleteService, EnumServicesStatusEx and CloseServiceHandle, with the records
// they leave in the registry and the Win32 errors Windows documents for each.
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <string>
#include <vector>

#include "services_test_support.hpp"

namespace ntio::test {
namespace {

using ServiceDatabaseTest = ServiceTest;

// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-openscmanagerw
TEST_F(ServiceDatabaseTest, open_manager_local_active_database) {
    ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ALL_ACCESS));
    EXPECT_NE(scm.get(), nullptr);
    ScHandle named(OpenSCManagerW(L"", SERVICES_ACTIVE_DATABASEW, SC_MANAGER_CONNECT));
    EXPECT_NE(named.get(), nullptr);
    ScHandle ansi(OpenSCManagerA(nullptr, "servicesactive", GENERIC_READ));
    EXPECT_NE(ansi.get(), nullptr);
}

TEST_F(ServiceDatabaseTest, open_manager_bad_database_and_machine) {
    SetLastError(0);
    EXPECT_EQ(OpenSCManagerW(nullptr, L"NoSuchDatabase", SC_MANAGER_CONNECT), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_NAME));
    EXPECT_EQ(OpenSCManagerW(nullptr, SERVICES_FAILED_DATABASEW, SC_MANAGER_CONNECT), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_DATABASE_DOES_NOT_EXIST));
    EXPECT_EQ(OpenSCManagerA("\\\\elsewhere", nullptr, SC_MANAGER_CONNECT), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(RPC_S_SERVER_UNAVAILABLE));
}

// The local machine may be named, with or without the leading backslashes, in any case.
TEST_F(ServiceDatabaseTest, open_manager_accepts_the_local_machine_name) {
    char host[256] = {};
    ASSERT_EQ(gethostname(host, sizeof(host) - 1), 0);
    std::string upper(host);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const std::string& name : {std::string(host), "\\\\" + std::string(host), upper}) {
        ScHandle scm(OpenSCManagerA(name.c_str(), nullptr, SC_MANAGER_CONNECT));
        EXPECT_NE(scm.get(), nullptr) << name << ": " << GetLastError();
    }
}

// CreateService with no name or no binary path is ERROR_INVALID_ADDRESS before the manager's rights
// are checked; empty ones get past that check to ERROR_ACCESS_DENIED.
TEST_F(ServiceDatabaseTest, create_checks_missing_names_before_rights) {
    ScHandle scm(open_manager(SC_MANAGER_CONNECT));
    ASSERT_NE(scm.get(), nullptr);
    auto attempt = [&](const wchar_t* name, const wchar_t* binary) {
        SetLastError(0);
        SC_HANDLE h = CreateServiceW(scm, name, nullptr, 0, 0, 0, 0, binary, nullptr, nullptr, nullptr, nullptr,
                                     nullptr);
        if (h) CloseServiceHandle(h);
        return h == nullptr ? GetLastError() : ERROR_SUCCESS;
    };
    EXPECT_EQ(attempt(nullptr, nullptr), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
    EXPECT_EQ(attempt(L"name", nullptr), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
    EXPECT_EQ(attempt(nullptr, L"x.sys"), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
    EXPECT_EQ(attempt(L"name", L"x.sys"), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_EQ(attempt(L"", L"x.sys"), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_EQ(attempt(L"name", L""), static_cast<DWORD>(ERROR_ACCESS_DENIED));
}

TEST_F(ServiceDatabaseTest, standard_user_may_connect_but_not_create) {
    StandardUser user(system());
    ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE));
    ASSERT_NE(scm.get(), nullptr);
    EXPECT_EQ(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ALL_ACCESS), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_EQ(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
}

TEST_F(ServiceDatabaseTest, create_needs_create_service_right) {
    ScHandle scm(open_manager(SC_MANAGER_CONNECT));
    ASSERT_NE(scm.get(), nullptr);
    EXPECT_EQ(create(scm, L"scmtest"), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_FALSE(service_key_exists(L"scmtest"));
}

TEST_F(ServiceDatabaseTest, create_writes_the_service_key) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ASSERT_NE(service.get(), nullptr) << GetLastError();
    HKEY key = nullptr;
    ASSERT_EQ(RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SYSTEM\\CurrentControlSet\\Services\\scmtest", 0, KEY_READ, &key),
              ERROR_SUCCESS);
    DWORD value = 0, size = sizeof(value), type = 0;
    EXPECT_EQ(RegQueryValueExW(key, L"Type", nullptr, &type, reinterpret_cast<BYTE*>(&value), &size), ERROR_SUCCESS);
    EXPECT_EQ(value, static_cast<DWORD>(SERVICE_KERNEL_DRIVER));
    size = sizeof(value);
    EXPECT_EQ(RegQueryValueExW(key, L"Start", nullptr, &type, reinterpret_cast<BYTE*>(&value), &size), ERROR_SUCCESS);
    EXPECT_EQ(value, static_cast<DWORD>(SERVICE_DEMAND_START));
    size = sizeof(value);
    EXPECT_EQ(RegQueryValueExW(key, L"ErrorControl", nullptr, &type, reinterpret_cast<BYTE*>(&value), &size),
              ERROR_SUCCESS);
    EXPECT_EQ(value, static_cast<DWORD>(SERVICE_ERROR_NORMAL));
    wchar_t image[1024] = {};
    size = sizeof(image);
    EXPECT_EQ(RegQueryValueExW(key, L"ImagePath", nullptr, &type, reinterpret_cast<BYTE*>(image), &size),
              ERROR_SUCCESS);
    EXPECT_EQ(type, static_cast<DWORD>(REG_EXPAND_SZ));
    // A driver's DOS path is stored as the NT path the kernel loader reads.
    EXPECT_EQ(text(image), u"\\??\\" + driver_dos_path());
    RegCloseKey(key);
    EXPECT_TRUE(DeleteService(service));
}

TEST_F(ServiceDatabaseTest, create_under_system_root_stores_systemroot_path) {
    ScHandle scm(open_manager());
    ScHandle service(CreateServiceW(scm, L"rooted", nullptr, SERVICE_ALL_ACCESS, SERVICE_FILE_SYSTEM_DRIVER,
                                    SERVICE_DISABLED, SERVICE_ERROR_IGNORE,
                                    L"C:\\Windows\\System32\\drivers\\rooted.sys", nullptr, nullptr, nullptr, nullptr,
                                    nullptr));
    ASSERT_NE(service.get(), nullptr) << GetLastError();
    std::vector<unsigned char> buffer(4096);
    auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
    DWORD needed = 0;
    ASSERT_TRUE(QueryServiceConfigW(service, config, static_cast<DWORD>(buffer.size()), &needed));
    EXPECT_EQ(text(config->lpBinaryPathName), u"\\SystemRoot\\System32\\drivers\\rooted.sys");
    EXPECT_EQ(config->dwServiceType, static_cast<DWORD>(SERVICE_FILE_SYSTEM_DRIVER));
    EXPECT_EQ(text(config->lpDisplayName), u"rooted") << "no display name: the service's own";
    EXPECT_TRUE(DeleteService(service));
}

TEST_F(ServiceDatabaseTest, create_existing_service_fails) {
    ScHandle scm(open_manager());
    ScHandle first(create(scm, L"scmtest"));
    ASSERT_NE(first.get(), nullptr);
    EXPECT_EQ(create(scm, L"scmtest"), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_EXISTS));
    // Service names compare case-insensitively.
    EXPECT_EQ(CreateServiceA(scm, "SCMTEST", "other display", SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                             SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, "C:\\x.sys", nullptr, nullptr, nullptr,
                             nullptr, nullptr),
              nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_EXISTS));
    EXPECT_TRUE(DeleteService(first));
}

TEST_F(ServiceDatabaseTest, create_with_taken_display_name_fails) {
    ScHandle scm(open_manager());
    ScHandle first(CreateServiceW(scm, L"one", L"Shown Name", SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                  SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, L"C:\\one.sys", nullptr, nullptr,
                                  nullptr, nullptr, nullptr));
    ASSERT_NE(first.get(), nullptr);
    EXPECT_EQ(CreateServiceW(scm, L"two", L"shown name", SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                             SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, L"C:\\two.sys", nullptr, nullptr, nullptr,
                             nullptr, nullptr),
              nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_DUPLICATE_SERVICE_NAME));
    EXPECT_EQ(CreateServiceW(scm, L"three", L"ONE", SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START,
                             SERVICE_ERROR_NORMAL, L"C:\\three.sys", nullptr, nullptr, nullptr, nullptr, nullptr),
              nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_DUPLICATE_SERVICE_NAME));
    EXPECT_TRUE(DeleteService(first));
}

TEST_F(ServiceDatabaseTest, create_rejects_bad_names) {
    ScHandle scm(open_manager());
    for (const wchar_t* name : {L"", L"with\\backslash", L"with/slash"}) {
        EXPECT_EQ(create(scm, name), nullptr) << "name of " << text(name).size() << " characters";
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_NAME));
    }
    std::u16string long_name(257, u'x');
    EXPECT_EQ(create(scm, wide(long_name)), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_NAME));
    EXPECT_EQ(CreateServiceW(scm, nullptr, nullptr, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START,
                             SERVICE_ERROR_NORMAL, L"C:\\x.sys", nullptr, nullptr, nullptr, nullptr, nullptr),
              nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
}

TEST_F(ServiceDatabaseTest, create_rejects_bad_parameters) {
    ScHandle scm(open_manager());
    const wchar_t* path = L"C:\\bad.sys";
    auto attempt = [&](DWORD type, DWORD start, DWORD error_control, const wchar_t* binary, const wchar_t* group,
                       LPDWORD tag) {
        SetLastError(0);
        SC_HANDLE h = CreateServiceW(scm, L"bad", nullptr, SERVICE_ALL_ACCESS, type, start, error_control, binary,
                                     group, tag, nullptr, nullptr, nullptr);
        if (h) CloseServiceHandle(h);
        return h == nullptr ? GetLastError() : ERROR_SUCCESS;
    };
    DWORD tag = 0;
    EXPECT_EQ(attempt(0x1234, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, path, nullptr, nullptr),
              static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(attempt(SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, path, nullptr, nullptr),
              static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(attempt(SERVICE_KERNEL_DRIVER, 5, SERVICE_ERROR_NORMAL, path, nullptr, nullptr),
              static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(attempt(SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START, 4, path, nullptr, nullptr),
              static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    // A NULL binary path is an address error (an empty one a parameter error), as on Windows.
    EXPECT_EQ(attempt(SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, nullptr, nullptr, nullptr),
              static_cast<DWORD>(ERROR_INVALID_ADDRESS));
    EXPECT_EQ(attempt(SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, L"", nullptr, nullptr),
              static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(attempt(SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, path, nullptr, &tag),
              static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(service_key_exists(L"bad"));
}

TEST_F(ServiceDatabaseTest, create_with_group_assigns_tags) {
    ScHandle scm(open_manager());
    DWORD tag1 = 0, tag2 = 0;
    ScHandle a(CreateServiceW(scm, L"grp_a", nullptr, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START,
                              SERVICE_ERROR_NORMAL, L"C:\\a.sys", L"Extended Base", &tag1, L"dep1\0+Base\0", L"\\Driver\\grp_a",
                              nullptr));
    ASSERT_NE(a.get(), nullptr) << GetLastError();
    ScHandle b(CreateServiceW(scm, L"grp_b", nullptr, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START,
                              SERVICE_ERROR_NORMAL, L"C:\\b.sys", L"Extended Base", &tag2, nullptr, nullptr, nullptr));
    ASSERT_NE(b.get(), nullptr) << GetLastError();
    EXPECT_NE(tag1, 0u);
    EXPECT_NE(tag1, tag2);
    std::vector<unsigned char> buffer(4096);
    auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
    DWORD needed = 0;
    ASSERT_TRUE(QueryServiceConfigW(a, config, static_cast<DWORD>(buffer.size()), &needed));
    EXPECT_EQ(text(config->lpLoadOrderGroup), u"Extended Base");
    EXPECT_EQ(config->dwTagId, tag1);
    EXPECT_EQ(text(config->lpServiceStartName), u"\\Driver\\grp_a");
    const wchar_t* dep = config->lpDependencies;
    EXPECT_EQ(text(dep), u"dep1");
    dep += text(dep).size() + 1;
    EXPECT_EQ(text(dep), u"+Base");
    dep += text(dep).size() + 1;
    EXPECT_EQ(*dep, L'\0');
    EXPECT_TRUE(DeleteService(a));
    EXPECT_TRUE(DeleteService(b));
}

// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-openservicew
TEST_F(ServiceDatabaseTest, open_service_errors) {
    ScHandle scm(open_manager());
    EXPECT_EQ(OpenServiceW(scm, L"nosuchservice", SERVICE_ALL_ACCESS), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_DOES_NOT_EXIST));
    EXPECT_EQ(OpenServiceW(scm, L"a\\b", SERVICE_ALL_ACCESS), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_NAME));
    EXPECT_EQ(OpenServiceW(scm, L"", SERVICE_ALL_ACCESS), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_NAME));
    EXPECT_EQ(OpenServiceW(scm, nullptr, SERVICE_ALL_ACCESS), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
    EXPECT_EQ(OpenServiceW(nullptr, L"x", SERVICE_ALL_ACCESS), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

TEST_F(ServiceDatabaseTest, open_service_by_any_case_keeps_stored_name) {
    ScHandle scm(open_manager());
    ScHandle created(create(scm, L"ScmTest"));
    ASSERT_NE(created.get(), nullptr);
    ScHandle opened(OpenServiceA(scm, "SCMTEST", SERVICE_QUERY_CONFIG));
    ASSERT_NE(opened.get(), nullptr) << GetLastError();
    // A service handle is not an SCM handle, and the other way round.
    EXPECT_EQ(OpenServiceW(opened.get(), L"ScmTest", SERVICE_QUERY_STATUS), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    SERVICE_STATUS status{};
    EXPECT_FALSE(QueryServiceStatus(reinterpret_cast<SC_HANDLE>(scm.get()), &status));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_TRUE(DeleteService(created));
}

TEST_F(ServiceDatabaseTest, standard_user_gets_only_the_default_rights) {
    {
        ScHandle scm(open_manager());
        ScHandle created(create(scm, L"scmtest"));
        ASSERT_NE(created.get(), nullptr);
    }
    {
        StandardUser user(system());
        ScHandle scm(open_manager(SC_MANAGER_CONNECT));
        ASSERT_NE(scm.get(), nullptr);
        ScHandle query(OpenServiceW(scm, L"scmtest", SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG));
        EXPECT_NE(query.get(), nullptr) << GetLastError();
        for (DWORD right : {static_cast<DWORD>(SERVICE_START), static_cast<DWORD>(SERVICE_STOP),
                            static_cast<DWORD>(SERVICE_CHANGE_CONFIG), static_cast<DWORD>(DELETE)}) {
            EXPECT_EQ(OpenServiceW(scm, L"scmtest", right), nullptr) << std::hex << right;
            EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
        }
    }
    ScHandle scm(open_manager());
    ScHandle service(OpenServiceW(scm, L"scmtest", DELETE));
    ASSERT_NE(service.get(), nullptr);
    EXPECT_TRUE(DeleteService(service));
}

TEST_F(ServiceDatabaseTest, close_service_handle_rejects_bad_handles) {
    EXPECT_FALSE(CloseServiceHandle(nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    int not_a_handle = 0;
    EXPECT_FALSE(CloseServiceHandle(reinterpret_cast<SC_HANDLE>(&not_a_handle)));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    SC_HANDLE scm = open_manager();
    ASSERT_NE(scm, nullptr);
    EXPECT_TRUE(CloseServiceHandle(scm));
    EXPECT_FALSE(CloseServiceHandle(scm)) << "closed twice";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-queryserviceconfigw
TEST_F(ServiceDatabaseTest, query_config_sizes_and_rights) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ASSERT_NE(service.get(), nullptr);
    DWORD needed = 0;
    EXPECT_FALSE(QueryServiceConfigW(service, nullptr, 0, &needed));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
    EXPECT_GT(needed, sizeof(QUERY_SERVICE_CONFIGW));
    std::vector<unsigned char> buffer(needed);
    auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
    EXPECT_FALSE(QueryServiceConfigW(service, config, needed - 1, &needed));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
    ASSERT_TRUE(QueryServiceConfigW(service, config, needed, &needed));
    EXPECT_EQ(config->dwServiceType, static_cast<DWORD>(SERVICE_KERNEL_DRIVER));
    EXPECT_EQ(config->dwStartType, static_cast<DWORD>(SERVICE_DEMAND_START));
    EXPECT_EQ(config->dwErrorControl, static_cast<DWORD>(SERVICE_ERROR_NORMAL));
    EXPECT_EQ(text(config->lpBinaryPathName), u"\\??\\" + driver_dos_path());
    EXPECT_EQ(text(config->lpLoadOrderGroup), u"");
    EXPECT_EQ(text(config->lpServiceStartName), u"");
    EXPECT_EQ(text(config->lpDisplayName), u"scmtest");
    EXPECT_EQ(config->dwTagId, 0u);

    // The A form converts every string.
    DWORD needed_a = 0;
    EXPECT_FALSE(QueryServiceConfigA(service, nullptr, 0, &needed_a));
    std::vector<unsigned char> ansi(needed_a);
    auto* config_a = reinterpret_cast<QUERY_SERVICE_CONFIGA*>(ansi.data());
    ASSERT_TRUE(QueryServiceConfigA(service, config_a, needed_a, &needed_a));
    EXPECT_STREQ(config_a->lpDisplayName, "scmtest");
    EXPECT_EQ(std::string(config_a->lpBinaryPathName).substr(0, 6), "\\??\\C:");

    EXPECT_FALSE(QueryServiceConfigW(service, config, needed, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
    ScHandle status_only(OpenServiceW(scm, L"scmtest", SERVICE_QUERY_STATUS));
    EXPECT_FALSE(QueryServiceConfigW(status_only, config, needed, &needed));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_TRUE(DeleteService(service));
}

// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-changeserviceconfigw
TEST_F(ServiceDatabaseTest, change_config_updates_only_what_is_given) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ASSERT_NE(service.get(), nullptr);
    ASSERT_TRUE(ChangeServiceConfigW(service, SERVICE_NO_CHANGE, SERVICE_SYSTEM_START, SERVICE_NO_CHANGE, nullptr,
                                     nullptr, nullptr, nullptr, nullptr, nullptr, L"Friendly"))
        << GetLastError();
    ASSERT_TRUE(ChangeServiceConfigA(service, SERVICE_FILE_SYSTEM_DRIVER, SERVICE_NO_CHANGE, SERVICE_ERROR_SEVERE,
                                     "C:\\Windows\\System32\\drivers\\moved.sys", nullptr, nullptr, nullptr, nullptr,
                                     nullptr, nullptr));
    std::vector<unsigned char> buffer(4096);
    auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
    DWORD needed = 0;
    ASSERT_TRUE(QueryServiceConfigW(service, config, static_cast<DWORD>(buffer.size()), &needed));
    EXPECT_EQ(config->dwServiceType, static_cast<DWORD>(SERVICE_FILE_SYSTEM_DRIVER));
    EXPECT_EQ(config->dwStartType, static_cast<DWORD>(SERVICE_SYSTEM_START));
    EXPECT_EQ(config->dwErrorControl, static_cast<DWORD>(SERVICE_ERROR_SEVERE));
    EXPECT_EQ(text(config->lpBinaryPathName), u"\\SystemRoot\\System32\\drivers\\moved.sys");
    EXPECT_EQ(text(config->lpDisplayName), u"Friendly");
    EXPECT_TRUE(DeleteService(service));
}

TEST_F(ServiceDatabaseTest, change_config_errors) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ScHandle other(CreateServiceW(scm, L"other", L"Other Display", SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                  SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, L"C:\\other.sys", nullptr, nullptr,
                                  nullptr, nullptr, nullptr));
    ASSERT_NE(service.get(), nullptr);
    ASSERT_NE(other.get(), nullptr);
    auto change = [&](SC_HANDLE h, DWORD type, DWORD start, DWORD error_control, const wchar_t* display) {
        SetLastError(0);
        return ChangeServiceConfigW(h, type, start, error_control, nullptr, nullptr, nullptr, nullptr, nullptr,
                                    nullptr, display)
                   ? ERROR_SUCCESS
                   : GetLastError();
    };
    const DWORD same = SERVICE_NO_CHANGE;
    EXPECT_EQ(change(service, SERVICE_WIN32_OWN_PROCESS, same, same, nullptr), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(change(service, same, 9, same, nullptr), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(change(service, same, same, 9, nullptr), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(change(service, same, same, same, L"other display"), static_cast<DWORD>(ERROR_DUPLICATE_SERVICE_NAME));
    EXPECT_EQ(change(scm.get(), same, same, same, nullptr), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    ScHandle read_only(OpenServiceW(scm, L"scmtest", SERVICE_QUERY_CONFIG));
    EXPECT_EQ(change(read_only, same, SERVICE_DISABLED, same, nullptr), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_TRUE(DeleteService(service));
    EXPECT_TRUE(DeleteService(other));
}

// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-deleteservice
TEST_F(ServiceDatabaseTest, delete_marks_until_last_handle_closes) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest"));
    ASSERT_NE(service.get(), nullptr);
    ScHandle second(OpenServiceW(scm, L"scmtest", SERVICE_ALL_ACCESS));
    ASSERT_NE(second.get(), nullptr);
    ASSERT_TRUE(DeleteService(service));
    EXPECT_FALSE(DeleteService(second));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_MARKED_FOR_DELETE));
    EXPECT_EQ(create(scm, L"scmtest"), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_MARKED_FOR_DELETE));
    EXPECT_FALSE(StartServiceW(second, 0, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_MARKED_FOR_DELETE));
    EXPECT_FALSE(ChangeServiceConfigW(second, SERVICE_NO_CHANGE, SERVICE_DEMAND_START, SERVICE_NO_CHANGE, nullptr,
                                      nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_MARKED_FOR_DELETE));
    // Still in the database, disabled, while handles are open (MS-SCMR RDeleteService).
    std::vector<unsigned char> buffer(4096);
    auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
    DWORD needed = 0;
    ASSERT_TRUE(QueryServiceConfigW(second, config, static_cast<DWORD>(buffer.size()), &needed));
    EXPECT_EQ(config->dwStartType, static_cast<DWORD>(SERVICE_DISABLED));
    ScHandle third(OpenServiceW(scm, L"scmtest", SERVICE_QUERY_STATUS));
    EXPECT_NE(third.get(), nullptr) << "a marked service can still be opened";
    EXPECT_TRUE(service_key_exists(L"scmtest"));
    service.reset();
    second.reset();
    EXPECT_TRUE(service_key_exists(L"scmtest"));
    third.reset();
    EXPECT_FALSE(service_key_exists(L"scmtest")) << "removed at the last close";
    EXPECT_EQ(OpenServiceW(scm, L"scmtest", SERVICE_ALL_ACCESS), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_DOES_NOT_EXIST));
    ScHandle again(create(scm, L"scmtest"));
    EXPECT_NE(again.get(), nullptr) << "the name is free again";
    EXPECT_TRUE(DeleteService(again));
}

TEST_F(ServiceDatabaseTest, delete_needs_delete_right) {
    ScHandle scm(open_manager());
    ScHandle service(create(scm, L"scmtest", SERVICE_ALL_ACCESS & ~static_cast<DWORD>(DELETE)));
    ASSERT_NE(service.get(), nullptr);
    EXPECT_FALSE(DeleteService(service));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_FALSE(DeleteService(scm.get()));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    ScHandle deleter(OpenServiceW(scm, L"scmtest", DELETE));
    EXPECT_TRUE(DeleteService(deleter));
}

// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-enumservicesstatusexw
TEST_F(ServiceDatabaseTest, enumerate_drivers_with_resume) {
    ScHandle scm(open_manager());
    std::vector<std::u16string> names = {u"enum_c", u"enum_a", u"enum_b"};
    std::vector<std::unique_ptr<ScHandle>> services;
    for (const auto& name : names) {
        services.push_back(std::make_unique<ScHandle>(CreateServiceW(
            scm, wide(name), nullptr, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START,
            SERVICE_ERROR_NORMAL, L"C:\\enum.sys", L"EnumGroup", nullptr, nullptr, nullptr, nullptr)));
        ASSERT_NE(services.back()->get(), nullptr);
    }
    DWORD needed = 0, count = 0, resume = 0;
    EXPECT_FALSE(EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_DRIVER, SERVICE_STATE_ALL, nullptr, 0,
                                      &needed, &count, &resume, L"EnumGroup"));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_MORE_DATA));
    EXPECT_EQ(count, 0u);
    ASSERT_GT(needed, 0u);
    // Room for exactly one entry: the rest comes through the resume handle.
    std::vector<unsigned char> small(sizeof(ENUM_SERVICE_STATUS_PROCESSW) + 64);
    std::vector<std::u16string> seen;
    for (int round = 0; round < 5; ++round) {
        BOOL ok = EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_DRIVER, SERVICE_INACTIVE, small.data(),
                                        static_cast<DWORD>(small.size()), &needed, &count, &resume, L"EnumGroup");
        auto* entries = reinterpret_cast<ENUM_SERVICE_STATUS_PROCESSW*>(small.data());
        for (DWORD i = 0; i < count; ++i) {
            seen.push_back(text(entries[i].lpServiceName));
            EXPECT_EQ(entries[i].ServiceStatusProcess.dwCurrentState, static_cast<DWORD>(SERVICE_STOPPED));
            EXPECT_EQ(entries[i].ServiceStatusProcess.dwServiceType, static_cast<DWORD>(SERVICE_KERNEL_DRIVER));
        }
        if (ok) break;
        ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_MORE_DATA));
    }
    EXPECT_EQ(seen, (std::vector<std::u16string>{u"enum_a", u"enum_b", u"enum_c"}));
    // Nothing of the group is running.
    std::vector<unsigned char> big(8192);
    resume = 0;
    EXPECT_TRUE(EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_DRIVER, SERVICE_ACTIVE, big.data(),
                                      static_cast<DWORD>(big.size()), &needed, &count, &resume, L"EnumGroup"));
    EXPECT_EQ(count, 0u);
    EXPECT_FALSE(EnumServicesStatusExW(scm, static_cast<SC_ENUM_TYPE>(1), SERVICE_DRIVER, SERVICE_STATE_ALL,
                                       big.data(), static_cast<DWORD>(big.size()), &needed, &count, &resume, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_LEVEL));
    EXPECT_FALSE(EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_DRIVER, 0, big.data(),
                                       static_cast<DWORD>(big.size()), &needed, &count, &resume, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    ScHandle connect_only(open_manager(SC_MANAGER_CONNECT));
    EXPECT_FALSE(EnumServicesStatusExW(connect_only, SC_ENUM_PROCESS_INFO, SERVICE_DRIVER, SERVICE_STATE_ALL,
                                       big.data(), static_cast<DWORD>(big.size()), &needed, &count, &resume, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    for (auto& service : services) EXPECT_TRUE(DeleteService(*service));
}

TEST_F(ServiceDatabaseTest, enumerate_ansi_and_running_state) {
    ScHandle scm(open_manager());
    ScHandle service(CreateServiceA(scm, "enum_ansi", "Enum Ansi", SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                    SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, "C:\\enum_ansi.sys", "AnsiGroup", nullptr,
                                    nullptr, nullptr, nullptr));
    ASSERT_NE(service.get(), nullptr);
    std::vector<unsigned char> buffer(8192);
    DWORD needed = 0, count = 0;
    ASSERT_TRUE(EnumServicesStatusExA(scm, SC_ENUM_PROCESS_INFO, SERVICE_KERNEL_DRIVER, SERVICE_STATE_ALL, buffer.data(),
                                      static_cast<DWORD>(buffer.size()), &needed, &count, nullptr, "AnsiGroup"));
    ASSERT_EQ(count, 1u);
    auto* entry = reinterpret_cast<ENUM_SERVICE_STATUS_PROCESSA*>(buffer.data());
    EXPECT_STREQ(entry->lpServiceName, "enum_ansi");
    EXPECT_STREQ(entry->lpDisplayName, "Enum Ansi");
    // File system drivers only: this kernel driver is not among them.
    ASSERT_TRUE(EnumServicesStatusExA(scm, SC_ENUM_PROCESS_INFO, SERVICE_FILE_SYSTEM_DRIVER, SERVICE_STATE_ALL,
                                      buffer.data(), static_cast<DWORD>(buffer.size()), &needed, &count, nullptr,
                                      "AnsiGroup"));
    EXPECT_EQ(count, 0u);
    EXPECT_FALSE(EnumServicesStatusExA(scm, SC_ENUM_PROCESS_INFO, SERVICE_DRIVER, SERVICE_STATE_ALL, buffer.data(),
                                       static_cast<DWORD>(buffer.size()), nullptr, &count, nullptr, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
    EXPECT_TRUE(DeleteService(service));
}

}  // namespace
}  // namespace ntio::test
