// Starting, stopping and querying driver services: StartService loads the driver with ZwLoadDriver,
// ControlService(SERVICE_CONTROL_STOP) unloads it with ZwUnloadDriver (services.exe holds
// SeLoadDriverPrivilege; here the SCM's own SERVICE_START / SERVICE_STOP check stands in for it), and
// QueryServiceStatus(Ex) reports what the object namespace shows (NT fact L7).
// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-startservicew
// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-controlservice
#include <cstring>
#include <string>

#include "win32/service_database.hpp"

namespace ntio::win32::scm {
namespace {

// The service handle's record; ERROR_SERVICE_DOES_NOT_EXIST when its key went away underneath.
DWORD load_record(const ScObject& service, ServiceRecord& record) {
    Key key;
    if (!NT_SUCCESS(open_service_key(service.service, KEY_READ, key)) ||
        !NT_SUCCESS(read_record(key.get(), service.service, record)))
        return ERROR_SERVICE_DOES_NOT_EXIST;
    return ERROR_SUCCESS;
}

DWORD last_exit_code_locked(const ScObject& service) {
    auto it = service.database->exit_codes.find(fold(service.service));
    return it == service.database->exit_codes.end() ? static_cast<DWORD>(ERROR_SERVICE_NEVER_STARTED) : it->second;
}

// The driver's status, START_PENDING while a StartService is in ZwLoadDriver for it.
void status_locked(const ScObject& service, const ServiceRecord& record, SERVICE_STATUS_PROCESS& status) {
    driver_status(record, last_exit_code_locked(service), status);
    auto starting = service.database->starting.find(fold(record.name));
    if (status.dwCurrentState == SERVICE_STOPPED && starting != service.database->starting.end() && starting->second) {
        status.dwCurrentState = SERVICE_START_PENDING;
        status.dwWin32ExitCode = ERROR_SUCCESS;
    }
}

bool is_driver(DWORD type) noexcept { return type == SERVICE_KERNEL_DRIVER || type == SERVICE_FILE_SYSTEM_DRIVER; }

void to_status(const SERVICE_STATUS_PROCESS& process, SERVICE_STATUS& status) {
    status.dwServiceType = process.dwServiceType;
    status.dwCurrentState = process.dwCurrentState;
    status.dwControlsAccepted = process.dwControlsAccepted;
    status.dwWin32ExitCode = process.dwWin32ExitCode;
    status.dwServiceSpecificExitCode = process.dwServiceSpecificExitCode;
    status.dwCheckPoint = process.dwCheckPoint;
    status.dwWaitHint = process.dwWaitHint;
}

std::u16string driver_service_path(std::u16string_view service) {
    std::u16string path(kServicesPath);
    path += u'\\';
    path += service;
    return path;
}

template <typename Char>
BOOL start_service(SC_HANDLE handle, DWORD argument_count, const Char** arguments) {
    ensure_system();
    std::unique_lock guard(scm_lock());
    ScObject* service = lookup_handle_locked(handle, ObjectKind::Service);
    if (!service) return FALSE;
    if (!(service->granted & SERVICE_START)) return fail(ERROR_ACCESS_DENIED);
    if (argument_count != 0 && !arguments) return fail(ERROR_INVALID_PARAMETER);
    ServiceRecord record;
    if (DWORD error = load_record(*service, record); error != ERROR_SUCCESS) return fail(error);
    if (record.delete_flag) return fail(ERROR_SERVICE_MARKED_FOR_DELETE);
    if (record.start == SERVICE_DISABLED) return fail(ERROR_SERVICE_DISABLED);
    // NT deviation: only driver services can run; a Win32 service record (made through the registry)
    // cannot be started, there being no service processes.
    if (!is_driver(record.type)) return fail(ERROR_NOT_SUPPORTED);
    const std::u16string folded = fold(record.name);
    if (service->database->starting[folded] || driver_loaded(record.name))
        return fail(ERROR_SERVICE_ALREADY_RUNNING);
    std::shared_ptr<Database> database = service->database;
    database->starting[folded] = true;
    guard.unlock();

    // Drivers get no arguments: "Driver services do not receive these arguments."
    std::u16string path = driver_service_path(record.name);
    UNICODE_STRING name;
    name.Buffer = reinterpret_cast<PWCH>(path.data());
    name.Length = name.MaximumLength = static_cast<USHORT>(path.size() * sizeof(WCHAR));
    NTSTATUS status = ZwLoadDriver(&name);

    guard.lock();
    database->starting.erase(folded);
    if (NT_SUCCESS(status)) {
        database->exit_codes[folded] = ERROR_SUCCESS;
        return TRUE;
    }
    // STATUS_IMAGE_ALREADY_LOADED becomes ERROR_SERVICE_ALREADY_RUNNING through the table; a failing
    // DriverEntry's status gives its own error (NT fact L8).
    DWORD error = set_last_nt_error(status);
    if (status != STATUS_IMAGE_ALREADY_LOADED) database->exit_codes[folded] = error;
    return FALSE;
}

// The right each control needs (ControlService, "dwControl" table); zero for codes an application
// cannot send.
ACCESS_MASK control_access(DWORD control) noexcept {
    switch (control) {
    case SERVICE_CONTROL_STOP: return SERVICE_STOP;
    case SERVICE_CONTROL_PAUSE:
    case SERVICE_CONTROL_CONTINUE:
    case SERVICE_CONTROL_PARAMCHANGE:
    case SERVICE_CONTROL_NETBINDADD:
    case SERVICE_CONTROL_NETBINDREMOVE:
    case SERVICE_CONTROL_NETBINDENABLE:
    case SERVICE_CONTROL_NETBINDDISABLE: return SERVICE_PAUSE_CONTINUE;
    case SERVICE_CONTROL_INTERROGATE: return SERVICE_INTERROGATE;
    default: return control >= 128 && control <= 255 ? SERVICE_USER_DEFINED_CONTROL : 0;
    }
}

}  // namespace
}  // namespace ntio::win32::scm

using namespace ntio::win32;
using namespace ntio::win32::scm;

extern "C" {

BOOL WINAPI StartServiceA(SC_HANDLE hService, DWORD dwNumServiceArgs, LPCSTR* lpServiceArgVectors) {
    return start_service(hService, dwNumServiceArgs, lpServiceArgVectors);
}

BOOL WINAPI StartServiceW(SC_HANDLE hService, DWORD dwNumServiceArgs, LPCWSTR* lpServiceArgVectors) {
    return start_service(hService, dwNumServiceArgs, lpServiceArgVectors);
}

// Drivers accept STOP (and INTERROGATE, which every service does); other controls are
// ERROR_INVALID_SERVICE_CONTROL, and a driver that cannot unload (no DriverUnload, NT fact L7) is
// too. lpServiceStatus receives the latest status whenever the handle and control were valid.
BOOL WINAPI ControlService(SC_HANDLE hService, DWORD dwControl, LPSERVICE_STATUS lpServiceStatus) {
    ensure_system();
    std::unique_lock guard(scm_lock());
    ScObject* service = lookup_handle_locked(hService, ObjectKind::Service);
    if (!service) return FALSE;
    if (!lpServiceStatus) return fail(ERROR_INVALID_ADDRESS);
    const ACCESS_MASK needed = control_access(dwControl);
    if (!needed) return fail(ERROR_INVALID_PARAMETER);
    if (!(service->granted & needed)) return fail(ERROR_ACCESS_DENIED);
    ServiceRecord record;
    if (DWORD error = load_record(*service, record); error != ERROR_SUCCESS) return fail(error);
    SERVICE_STATUS_PROCESS current;
    status_locked(*service, record, current);
    to_status(current, *lpServiceStatus);
    if (dwControl != SERVICE_CONTROL_STOP && dwControl != SERVICE_CONTROL_INTERROGATE)
        return fail(ERROR_INVALID_SERVICE_CONTROL);
    // "ERROR_SERVICE_CANNOT_ACCEPT_CTRL: ... the state of the service is SERVICE_STOPPED,
    // SERVICE_START_PENDING, or SERVICE_STOP_PENDING"; a stopped one is ERROR_SERVICE_NOT_ACTIVE first.
    if (current.dwCurrentState == SERVICE_STOPPED) return fail(ERROR_SERVICE_NOT_ACTIVE);
    if (current.dwCurrentState != SERVICE_RUNNING) return fail(ERROR_SERVICE_CANNOT_ACCEPT_CTRL);
    if (dwControl == SERVICE_CONTROL_INTERROGATE) return TRUE;

    std::shared_ptr<Database> database = service->database;
    const std::u16string name = record.name;
    guard.unlock();
    std::u16string path = driver_service_path(name);
    UNICODE_STRING service_path;
    service_path.Buffer = reinterpret_cast<PWCH>(path.data());
    service_path.Length = service_path.MaximumLength = static_cast<USHORT>(path.size() * sizeof(WCHAR));
    NTSTATUS status = ZwUnloadDriver(&service_path);
    guard.lock();

    if (status == STATUS_INVALID_DEVICE_REQUEST) return fail(ERROR_INVALID_SERVICE_CONTROL);
    if (!NT_SUCCESS(status)) {
        set_last_nt_error(status);
        return FALSE;
    }
    database->exit_codes[fold(name)] = ERROR_SUCCESS;
    // STOPPED at once, or STOP_PENDING while open handles hold the unload back.
    driver_status(record, ERROR_SUCCESS, current);
    to_status(current, *lpServiceStatus);
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-queryservicestatus
BOOL WINAPI QueryServiceStatus(SC_HANDLE hService, LPSERVICE_STATUS lpServiceStatus) {
    ensure_system();
    std::lock_guard guard(scm_lock());
    ScObject* service = lookup_handle_locked(hService, ObjectKind::Service);
    if (!service) return FALSE;
    if (!lpServiceStatus) return fail(ERROR_INVALID_ADDRESS);
    if (!(service->granted & SERVICE_QUERY_STATUS)) return fail(ERROR_ACCESS_DENIED);
    ServiceRecord record;
    if (DWORD error = load_record(*service, record); error != ERROR_SUCCESS) return fail(error);
    SERVICE_STATUS_PROCESS current;
    status_locked(*service, record, current);
    to_status(current, *lpServiceStatus);
    return TRUE;
}

// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-queryservicestatusex
BOOL WINAPI QueryServiceStatusEx(SC_HANDLE hService, SC_STATUS_TYPE InfoLevel, LPBYTE lpBuffer, DWORD cbBufSize,
                                 LPDWORD pcbBytesNeeded) {
    ensure_system();
    // Windows checks the arguments before the handle and the handle before its rights: the level
    // (ERROR_INVALID_LEVEL even for a NULL handle), then the size (ERROR_INSUFFICIENT_BUFFER with the
    // size needed, even for a handle without SERVICE_QUERY_STATUS).
    if (InfoLevel != SC_STATUS_PROCESS_INFO) return fail(ERROR_INVALID_LEVEL);
    if (!pcbBytesNeeded) return fail(ERROR_INVALID_ADDRESS);
    *pcbBytesNeeded = sizeof(SERVICE_STATUS_PROCESS);
    if (cbBufSize < sizeof(SERVICE_STATUS_PROCESS)) return fail(ERROR_INSUFFICIENT_BUFFER);
    if (!lpBuffer) return fail(ERROR_INVALID_ADDRESS);
    std::lock_guard guard(scm_lock());
    ScObject* service = lookup_handle_locked(hService, ObjectKind::Service);
    if (!service) return FALSE;
    if (!(service->granted & SERVICE_QUERY_STATUS)) return fail(ERROR_ACCESS_DENIED);
    ServiceRecord record;
    if (DWORD error = load_record(*service, record); error != ERROR_SUCCESS) return fail(error);
    SERVICE_STATUS_PROCESS current;
    status_locked(*service, record, current);
    // Drivers run in no process of their own: dwProcessId 0, no SERVICE_RUNS_IN_SYSTEM_PROCESS.
    std::memcpy(lpBuffer, &current, sizeof(current));
    return TRUE;
}

}  // extern "C"
