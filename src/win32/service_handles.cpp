// SC handles and the SCM database per System: OpenSCManager, OpenService and CloseServiceHandle, the
// SCM's access checks against the caller's token, the removal of services marked for delete once
// their last handle closes, and a driver service's status as the object namespace shows it.
// https://learn.microsoft.com/windows/win32/services/service-security-and-access-rights
#include <atomic>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>


#include "io/driver_object.hpp"
#include "ntio/system.hpp"
#include "se/access_check.hpp"
#include "se/security_descriptor.hpp"
#include "win32/service_database.hpp"

namespace ntio::win32::scm {
namespace {

// Default descriptors of services.exe: the SCM lets authenticated users connect, interactive and
// service logons also enumerate, SYSTEM also lock, administrators everything; a new service lets
// SYSTEM query, start and stop it, administrators do everything, interactive and service logons
// query it. (`sc sdshow scmanager` and `sc sdshow <service>` on Windows 10, DACL part.)
constexpr std::string_view kManagerSddl =
    "O:SYG:SYD:(A;;CC;;;AU)(A;;CCLCRPRC;;;IU)(A;;CCLCRPRC;;;SU)(A;;CCLCRPWPRC;;;SY)(A;;KA;;;BA)";
constexpr std::string_view kServiceSddl =
    "O:SYG:SYD:(A;;CCLCSWRPWPDTLOCRRC;;;SY)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)(A;;CCLCSWLOCRRC;;;IU)"
    "(A;;CCLCSWLOCRRC;;;SU)";

// Generic rights of SCM and service objects (service-security-and-access-rights, "generic access
// rights" tables).
constexpr GENERIC_MAPPING kManagerMapping = {
    STANDARD_RIGHTS_READ | SC_MANAGER_ENUMERATE_SERVICE | SC_MANAGER_QUERY_LOCK_STATUS,
    STANDARD_RIGHTS_WRITE | SC_MANAGER_CREATE_SERVICE | SC_MANAGER_MODIFY_BOOT_CONFIG,
    STANDARD_RIGHTS_EXECUTE | SC_MANAGER_CONNECT | SC_MANAGER_LOCK,
    SC_MANAGER_ALL_ACCESS,
};
constexpr GENERIC_MAPPING kServiceMapping = {
    STANDARD_RIGHTS_READ | SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS | SERVICE_INTERROGATE |
        SERVICE_ENUMERATE_DEPENDENTS,
    STANDARD_RIGHTS_WRITE | SERVICE_CHANGE_CONFIG,
    STANDARD_RIGHTS_EXECUTE | SERVICE_START | SERVICE_STOP | SERVICE_PAUSE_CONTINUE | SERVICE_USER_DEFINED_CONTROL,
    SERVICE_ALL_ACCESS,
};

// A volatile registry value that tells one boot of a System from the next one at the same address:
// volatile keys do not survive the System, so a database whose marker is gone is stale.
constexpr std::u16string_view kMarkerKey = u"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ServiceCurrent";
constexpr std::u16string_view kMarkerValue = u"ntioScmInstance";
std::atomic<std::uint64_t> g_next_instance{1};

struct Tables {
    std::map<System*, std::shared_ptr<Database>> databases;
    std::map<std::uintptr_t, std::unique_ptr<ScObject>> handles;
};

Tables& tables() {
    static Tables* instance = new Tables();  // lives to process exit: handles may be closed from atexit code
    return *instance;
}

std::uint64_t read_marker() {
    Key key;
    if (!NT_SUCCESS(open_key(nullptr, kMarkerKey, KEY_QUERY_VALUE, key))) return 0;
    ULONG type = 0;
    std::vector<unsigned char> data;
    if (!NT_SUCCESS(read_value(key.get(), kMarkerValue, type, data)) || type != REG_QWORD ||
        data.size() != sizeof(std::uint64_t))
        return 0;
    std::uint64_t value = 0;
    std::memcpy(&value, data.data(), sizeof(value));
    return value;
}

void write_marker(std::uint64_t instance) {
    Key key;
    if (!NT_SUCCESS(create_key(nullptr, kMarkerKey, KEY_SET_VALUE, REG_OPTION_VOLATILE, key))) return;
    (void)write_value(key.get(), kMarkerValue, REG_QWORD, &instance, sizeof(instance));
}

DWORD check(PSECURITY_DESCRIPTOR descriptor, ACCESS_MASK desired, const GENERIC_MAPPING& mapping,
            ACCESS_MASK& granted) {
    granted = 0;
    std::shared_ptr<se::Token> token = se::current_subject_token();
    NTSTATUS status = se::access_check(descriptor, *token, desired, mapping, &granted);
    if (!NT_SUCCESS(status)) {
        granted = 0;
        return ERROR_ACCESS_DENIED;
    }
    return ERROR_SUCCESS;
}

PDRIVER_OBJECT reference_driver(std::u16string_view service) {
    for (std::u16string_view directory : {u"\\Driver\\", u"\\FileSystem\\"}) {
        std::u16string path(directory);
        path += service;
        UNICODE_STRING name;
        name.Buffer = reinterpret_cast<PWCH>(path.data());
        name.Length = name.MaximumLength = static_cast<USHORT>(path.size() * sizeof(WCHAR));
        PVOID object = nullptr;
        if (NT_SUCCESS(ObReferenceObjectByName(&name, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDriverObjectType, KernelMode,
                                               nullptr, &object)))
            return static_cast<PDRIVER_OBJECT>(object);
    }
    return nullptr;
}

bool remove_if_deletable_locked(Database& database, std::u16string_view service) {
    Key key;
    if (!NT_SUCCESS(open_service_key(service, KEY_ALL_ACCESS, key))) return false;
    DWORD flag = 0;
    if (!NT_SUCCESS(read_dword(key.get(), u"DeleteFlag", flag)) || flag == 0) return false;
    auto opens = database.opens.find(fold(service));
    if (opens != database.opens.end() && opens->second != 0) return false;
    if (driver_loaded(service)) return false;
    if (!NT_SUCCESS(delete_tree(key.get()))) return false;
    database.exit_codes.erase(fold(service));
    return true;
}

// The host's own name, as OpenSCManager's lpMachineName may give it: "NAME" or "\\\\NAME", in any case.
bool names_local_machine(std::u16string_view name) {
    if (name.size() >= 2 && name[0] == u'\\' && name[1] == u'\\') name.remove_prefix(2);
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) != 0 || !host[0]) return false;
    const std::string_view local(host);
    if (name.size() != local.size()) return false;
    std::u16string wide(local.begin(), local.end());
    return fold(std::u16string(name)) == fold(wide);
}

template <typename Char>
SC_HANDLE open_manager(const Char* machine, const Char* database_name, DWORD desired) {
    System& system = ensure_system();
    // Only the local machine: there is no RPC transport to another one. The local machine may be
    // named (its host name, with or without the leading "\\\\"), as Windows accepts its own name.
    // NT deviation: a remote machine name fails with RPC_S_SERVER_UNAVAILABLE without trying.
    auto machine_text = text_arg(machine);
    if (machine_text && !machine_text->empty() && !names_local_machine(*machine_text))
        return fail_handle(RPC_S_SERVER_UNAVAILABLE);
    // "If it is NULL, the SERVICES_ACTIVE_DATABASE database is opened by default"; the failed
    // database exists in name only (ERROR_DATABASE_DOES_NOT_EXIST), anything else is not a name.
    // https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-openscmanagerw
    auto database_text = text_arg(database_name);
    if (database_text) {
        const std::u16string folded = fold(*database_text);
        if (folded == u"SERVICESFAILED") return fail_handle(ERROR_DATABASE_DOES_NOT_EXIST);
        if (folded != u"SERVICESACTIVE") return fail_handle(ERROR_INVALID_NAME);
    }
    // "The SC_MANAGER_CONNECT access right is implicitly specified by calling this function."
    ACCESS_MASK granted = 0;
    DWORD error = check_manager_access(desired | SC_MANAGER_CONNECT, granted);
    if (error != ERROR_SUCCESS) return fail_handle(error);
    std::lock_guard guard(scm_lock());
    auto database = database_locked(system);
    sweep_deleted_locked(*database);
    auto object = std::make_unique<ScObject>(ScObject{ObjectKind::Manager, &system, database, granted, {}});
    return insert_handle_locked(std::move(object));
}

template <typename Char>
SC_HANDLE open_service(SC_HANDLE manager, const Char* service_name, DWORD desired) {
    ensure_system();
    std::unique_lock guard(scm_lock());
    ScObject* scm = lookup_handle_locked(manager, ObjectKind::Manager);
    if (!scm) return nullptr;
    if (!service_name) return fail_handle(ERROR_INVALID_ADDRESS);
    auto name = text_arg(service_name);
    if (!valid_service_name(*name)) return fail_handle(ERROR_INVALID_NAME);
    Key key;
    ServiceRecord record;
    if (!NT_SUCCESS(open_service_key(*name, KEY_READ, key)) || !NT_SUCCESS(read_record(key.get(), *name, record)))
        return fail_handle(ERROR_SERVICE_DOES_NOT_EXIST);
    // The key's own spelling is the service's name from now on.
    std::vector<unsigned char> buffer(512);
    ULONG needed = 0;
    if (NT_SUCCESS(ZwQueryKey(key.get(), KeyBasicInformation, buffer.data(), static_cast<ULONG>(buffer.size()),
                              &needed))) {
        const auto* info = reinterpret_cast<const KEY_BASIC_INFORMATION*>(buffer.data());
        std::u16string_view full(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / sizeof(WCHAR));
        const auto slash = full.rfind(u'\\');
        record.name = std::u16string(slash == std::u16string_view::npos ? full : full.substr(slash + 1));
    }
    ACCESS_MASK granted = 0;
    DWORD error = check_service_access(key.get(), desired, granted);
    if (error != ERROR_SUCCESS) return fail_handle(error);
    ++scm->database->opens[fold(record.name)];
    auto object = std::make_unique<ScObject>(
        ScObject{ObjectKind::Service, scm->system, scm->database, granted, record.name});
    return insert_handle_locked(std::move(object));
}

}  // namespace

std::mutex& scm_lock() {
    static std::mutex* lock = new std::mutex();
    return *lock;
}

std::shared_ptr<Database> database_locked(System& system) {
    Tables& t = tables();
    auto it = t.databases.find(&system);
    if (it != t.databases.end() && it->second->instance == read_marker()) return it->second;
    auto database = std::make_shared<Database>();
    database->instance = g_next_instance.fetch_add(1, std::memory_order_relaxed);
    write_marker(database->instance);
    t.databases[&system] = database;
    return database;
}

SC_HANDLE insert_handle_locked(std::unique_ptr<ScObject> object) {
    ScObject* raw = object.get();
    tables().handles.emplace(reinterpret_cast<std::uintptr_t>(raw), std::move(object));
    return reinterpret_cast<SC_HANDLE>(raw);
}

ScObject* lookup_handle_locked(SC_HANDLE handle, ObjectKind kind) {
    Tables& t = tables();
    auto it = t.handles.find(reinterpret_cast<std::uintptr_t>(handle));
    if (it == t.handles.end() || it->second->kind != kind) {
        SetLastError(ERROR_INVALID_HANDLE);
        return nullptr;
    }
    ScObject* object = it->second.get();
    System* current = System::current();
    if (object->system != current || database_locked(*current) != object->database) {
        SetLastError(ERROR_INVALID_HANDLE);
        return nullptr;
    }
    return object;
}

DWORD check_manager_access(ACCESS_MASK desired, ACCESS_MASK& granted) {
    static const se::SecurityDescriptor descriptor = se::SecurityDescriptor::from_sddl(kManagerSddl);
    return check(descriptor.get(), desired, kManagerMapping, granted);
}

DWORD check_service_access(HANDLE service_key, ACCESS_MASK desired, ACCESS_MASK& granted) {
    static const se::SecurityDescriptor fallback = se::SecurityDescriptor::from_sddl(kServiceSddl);
    // The service's own descriptor is its Security\Security value, as the SCM stores it.
    Key security;
    std::vector<unsigned char> data;
    ULONG type = 0;
    se::SecurityDescriptor stored;
    if (NT_SUCCESS(open_key(service_key, u"Security", KEY_QUERY_VALUE, security)) &&
        NT_SUCCESS(read_value(security.get(), u"Security", type, data)) && type == REG_BINARY &&
        NT_SUCCESS(se::SecurityDescriptor::capture_relative(data.data(), data.size(), stored)))
        return check(stored.get(), desired, kServiceMapping, granted);
    return check(fallback.get(), desired, kServiceMapping, granted);
}

std::vector<unsigned char> default_service_security() {
    se::SecurityDescriptor descriptor = se::SecurityDescriptor::from_sddl(kServiceSddl);
    const auto* bytes = static_cast<const unsigned char*>(descriptor.get());
    return std::vector<unsigned char>(bytes, bytes + descriptor.length());
}

// Windows removes such records at boot; a driver whose deferred unload finished after its last
// handle closed is removed here, at the next OpenSCManager.
// NT deviation: not only at boot but at every OpenSCManager.
void sweep_deleted_locked(Database& database) {
    Key services;
    if (!NT_SUCCESS(open_key(nullptr, kServicesPath, KEY_READ, services))) return;
    for (const std::u16string& name : subkey_names(services.get())) (void)remove_if_deletable_locked(database, name);
}

bool driver_loaded(std::u16string_view service) {
    PDRIVER_OBJECT driver = reference_driver(service);
    if (!driver) return false;
    ObDereferenceObject(driver);
    return true;
}

// A driver service runs while its driver object exists; once NtUnloadDriver started an unload that
// waits for open handles, it is stop pending. Drivers accept only STOP.
// https://learn.microsoft.com/windows/win32/api/winsvc/ns-winsvc-service_status_process
void driver_status(const ServiceRecord& record, DWORD last_exit_code, SERVICE_STATUS_PROCESS& status) {
    status = SERVICE_STATUS_PROCESS{};
    status.dwServiceType = record.type;
    PDRIVER_OBJECT driver = reference_driver(record.name);
    if (!driver) {
        status.dwCurrentState = SERVICE_STOPPED;
        status.dwWin32ExitCode = last_exit_code;
        return;
    }
    if (io::driver_unloading(driver)) {
        status.dwCurrentState = SERVICE_STOP_PENDING;
    } else {
        status.dwCurrentState = SERVICE_RUNNING;
        status.dwControlsAccepted = SERVICE_ACCEPT_STOP;
    }
    ObDereferenceObject(driver);
}

// Removes the service's record once it is marked for delete, has no handle left and is not running.
void release_service_locked(Database& database, std::u16string_view service) {
    auto it = database.opens.find(fold(service));
    if (it != database.opens.end() && it->second > 0 && --it->second == 0) database.opens.erase(it);
    (void)remove_if_deletable_locked(database, service);
}

}  // namespace ntio::win32::scm

using namespace ntio::win32;

extern "C" {

SC_HANDLE WINAPI OpenSCManagerA(LPCSTR lpMachineName, LPCSTR lpDatabaseName, DWORD dwDesiredAccess) {
    return scm::open_manager(lpMachineName, lpDatabaseName, dwDesiredAccess);
}

SC_HANDLE WINAPI OpenSCManagerW(LPCWSTR lpMachineName, LPCWSTR lpDatabaseName, DWORD dwDesiredAccess) {
    return scm::open_manager(lpMachineName, lpDatabaseName, dwDesiredAccess);
}

SC_HANDLE WINAPI OpenServiceA(SC_HANDLE hSCManager, LPCSTR lpServiceName, DWORD dwDesiredAccess) {
    return scm::open_service(hSCManager, lpServiceName, dwDesiredAccess);
}

SC_HANDLE WINAPI OpenServiceW(SC_HANDLE hSCManager, LPCWSTR lpServiceName, DWORD dwDesiredAccess) {
    return scm::open_service(hSCManager, lpServiceName, dwDesiredAccess);
}

// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-closeservicehandle
BOOL WINAPI CloseServiceHandle(SC_HANDLE hSCObject) {
    ensure_system();
    std::lock_guard guard(scm::scm_lock());
    auto& handles = scm::tables().handles;
    auto it = handles.find(reinterpret_cast<std::uintptr_t>(hSCObject));
    if (it == handles.end()) return scm::fail(ERROR_INVALID_HANDLE);
    std::unique_ptr<scm::ScObject> object = std::move(it->second);
    handles.erase(it);
    // A handle of a System that is gone closes without touching that System's records.
    if (object->kind == scm::ObjectKind::Service && object->system == ntio::System::current() &&
        scm::database_locked(*object->system) == object->database)
        scm::release_service_locked(*object->database, object->service);
    return TRUE;
}

}  // extern "C"
