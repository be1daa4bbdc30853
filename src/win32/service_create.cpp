// Writing service records: CreateService (a new Services\<name> key with the values the SCM writes
// for a driver and the service's security descriptor), ChangeServiceConfig and DeleteService (marks
// the record; CloseServiceHandle removes it once no handle is left and the driver is not running).
// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-createservicew
// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-changeserviceconfigw
// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-deleteservice
#include <string>
#include <vector>

#include "win32/service_database.hpp"

namespace ntio::win32::scm {
namespace {

bool is_driver(DWORD type) noexcept { return type == SERVICE_KERNEL_DRIVER || type == SERVICE_FILE_SYSTEM_DRIVER; }

bool starts_with_folded(std::u16string_view text, std::u16string_view prefix) {
    return text.size() >= prefix.size() && fold(text.substr(0, prefix.size())) == fold(prefix);
}

// The SCM stores a driver's DOS path in the form the kernel loader reads: under the system root as
// \SystemRoot\..., any other drive path as \??\X:\...; NT paths and relative paths stay as given.
std::u16string driver_image_path(const std::u16string& path) {
    const bool drive_path = path.size() >= 3 && path[1] == u':' && path[2] == u'\\' &&
                            ((path[0] >= u'A' && path[0] <= u'Z') || (path[0] >= u'a' && path[0] <= u'z'));
    if (!drive_path) return path;
    std::u16string root = win32::windows_directory();
    if (!root.empty() && root.back() != u'\\') root += u'\\';
    if (starts_with_folded(path, root)) return u"\\SystemRoot\\" + path.substr(root.size());
    return u"\\??\\" + path;
}

// A display name must differ from every other service's name and display name.
bool display_name_taken(std::u16string_view display, std::u16string_view self) {
    Key services;
    if (!NT_SUCCESS(open_key(nullptr, kServicesPath, KEY_READ, services))) return false;
    const std::u16string wanted = fold(display);
    const std::u16string self_folded = fold(self);
    for (const std::u16string& name : subkey_names(services.get())) {
        const std::u16string folded = fold(name);
        if (folded == self_folded) continue;
        Key key;
        ServiceRecord record;
        if (!NT_SUCCESS(open_key(services.get(), name, KEY_READ, key)) ||
            !NT_SUCCESS(read_record(key.get(), name, record)))
            continue;
        if (folded == wanted) return true;
        if (!record.display_name.empty() && fold(record.display_name) == wanted) return true;
    }
    return false;
}

// The next free tag of a load-order group (one above the highest tag in use there).
DWORD next_tag(std::u16string_view group, std::u16string_view self) {
    Key services;
    DWORD highest = 0;
    if (!NT_SUCCESS(open_key(nullptr, kServicesPath, KEY_READ, services))) return 1;
    for (const std::u16string& name : subkey_names(services.get())) {
        if (fold(name) == fold(self)) continue;
        Key key;
        ServiceRecord record;
        if (!NT_SUCCESS(open_key(services.get(), name, KEY_READ, key)) ||
            !NT_SUCCESS(read_record(key.get(), name, record)))
            continue;
        if (fold(record.group) == fold(group) && record.tag > highest) highest = record.tag;
    }
    return highest + 1;
}

// lpDependencies: services by name, load-order groups prefixed with SC_GROUP_IDENTIFIER.
NTSTATUS write_dependencies(HANDLE key, const std::u16string& list) {
    std::u16string services, groups;
    std::size_t start = 0;
    while (start < list.size()) {
        std::size_t end = list.find(u'\0', start);
        if (end == std::u16string::npos) end = list.size();
        std::u16string_view item(list.data() + start, end - start);
        std::u16string& target = !item.empty() && item[0] == u'+' ? groups : services;
        if (!item.empty() && item[0] == u'+') item.remove_prefix(1);
        if (!item.empty()) {
            if (!target.empty()) target.push_back(u'\0');
            target.append(item);
        }
        start = end + 1;
    }
    NTSTATUS status = services.empty() ? delete_value(key, u"DependOnService")
                                       : write_string(key, u"DependOnService", REG_MULTI_SZ, services);
    if (NT_SUCCESS(status))
        status = groups.empty() ? delete_value(key, u"DependOnGroup")
                                : write_string(key, u"DependOnGroup", REG_MULTI_SZ, groups);
    return status;
}

bool valid_start(DWORD start) noexcept { return start <= SERVICE_DISABLED; }
bool valid_error_control(DWORD error_control) noexcept { return error_control <= SERVICE_ERROR_CRITICAL; }

template <typename Char>
SC_HANDLE create_service(SC_HANDLE manager, const Char* service_name, const Char* display_name, DWORD desired,
                         DWORD service_type, DWORD start_type, DWORD error_control, const Char* binary_path,
                         const Char* load_order_group, LPDWORD tag_id, const Char* dependencies,
                         const Char* start_name) {
    ensure_system();
    std::lock_guard guard(scm_lock());
    ScObject* scm = lookup_handle_locked(manager, ObjectKind::Manager);
    if (!scm) return nullptr;
    // A missing name or binary path is ERROR_INVALID_ADDRESS before the manager's rights are looked
    // at; empty ones only after (ERROR_INVALID_NAME / ERROR_INVALID_PARAMETER), as Windows checks.
    if (!service_name || !binary_path) return fail_handle(ERROR_INVALID_ADDRESS);
    if (!(scm->granted & SC_MANAGER_CREATE_SERVICE)) return fail_handle(ERROR_ACCESS_DENIED);
    auto name = text_arg(service_name);
    if (!valid_service_name(*name)) return fail_handle(ERROR_INVALID_NAME);
    auto display = text_arg(display_name);
    if (display && display->size() > kMaxNameLength) return fail_handle(ERROR_INVALID_NAME);
    // NT deviation: only driver services (SERVICE_KERNEL_DRIVER, SERVICE_FILE_SYSTEM_DRIVER) can be
    // created; Win32 service types, which need service processes, are ERROR_INVALID_PARAMETER.
    if (!is_driver(service_type)) return fail_handle(ERROR_INVALID_PARAMETER);
    if (!valid_start(start_type) || !valid_error_control(error_control)) return fail_handle(ERROR_INVALID_PARAMETER);
    auto binary = text_arg(binary_path);
    if (!binary || binary->empty()) return fail_handle(ERROR_INVALID_PARAMETER);
    auto group = text_arg(load_order_group);
    const bool has_group = group && !group->empty();
    // "If you do not specify a value for the lpLoadOrderGroup parameter, lpdwTagId must be NULL."
    if (tag_id && !has_group) return fail_handle(ERROR_INVALID_PARAMETER);
    auto depends = multi_text_arg(dependencies);
    auto object_name = text_arg(start_name);

    Key existing;
    ServiceRecord record;
    if (NT_SUCCESS(open_service_key(*name, KEY_READ, existing)) &&
        NT_SUCCESS(read_record(existing.get(), *name, record)))
        return fail_handle(record.delete_flag ? ERROR_SERVICE_MARKED_FOR_DELETE : ERROR_SERVICE_EXISTS);
    existing.reset();
    const std::u16string& shown = display && !display->empty() ? *display : *name;
    if (display_name_taken(shown, *name)) return fail_handle(ERROR_DUPLICATE_SERVICE_NAME);

    Key services;
    NTSTATUS status = open_key(nullptr, kServicesPath, KEY_CREATE_SUB_KEY, services);
    Key key;
    if (NT_SUCCESS(status)) status = create_key(services.get(), *name, KEY_ALL_ACCESS, REG_OPTION_NON_VOLATILE, key);
    if (NT_SUCCESS(status)) status = write_dword(key.get(), u"Type", service_type);
    if (NT_SUCCESS(status)) status = write_dword(key.get(), u"Start", start_type);
    if (NT_SUCCESS(status)) status = write_dword(key.get(), u"ErrorControl", error_control);
    if (NT_SUCCESS(status))
        status = write_string(key.get(), u"ImagePath", REG_EXPAND_SZ, driver_image_path(*binary));
    if (NT_SUCCESS(status)) status = write_string(key.get(), u"DisplayName", REG_SZ, shown);
    DWORD tag = 0;
    if (NT_SUCCESS(status) && has_group) status = write_string(key.get(), u"Group", REG_SZ, *group);
    if (NT_SUCCESS(status) && has_group && tag_id) {
        tag = next_tag(*group, *name);
        status = write_dword(key.get(), u"Tag", tag);
    }
    if (NT_SUCCESS(status) && depends) status = write_dependencies(key.get(), *depends);
    if (NT_SUCCESS(status) && object_name && !object_name->empty())
        status = write_string(key.get(), u"ObjectName", REG_SZ, *object_name);
    Key security;
    if (NT_SUCCESS(status)) status = create_key(key.get(), u"Security", KEY_ALL_ACCESS, REG_OPTION_NON_VOLATILE, security);
    if (NT_SUCCESS(status)) {
        std::vector<unsigned char> descriptor = default_service_security();
        status = write_value(security.get(), u"Security", REG_BINARY, descriptor.data(),
                             static_cast<ULONG>(descriptor.size()));
    }
    if (!NT_SUCCESS(status)) {
        if (key.get()) (void)delete_tree(key.get());
        set_last_nt_error(status);
        return nullptr;
    }
    if (tag_id) *tag_id = tag;

    ACCESS_MASK granted = 0;
    if (DWORD error = check_service_access(key.get(), desired, granted); error != ERROR_SUCCESS)
        return fail_handle(error);
    ++scm->database->opens[fold(*name)];
    auto object = std::make_unique<ScObject>(ScObject{ObjectKind::Service, scm->system, scm->database, granted, *name});
    return insert_handle_locked(std::move(object));
}

template <typename Char>
BOOL change_config(SC_HANDLE handle, DWORD service_type, DWORD start_type, DWORD error_control,
                   const Char* binary_path, const Char* load_order_group, LPDWORD tag_id, const Char* dependencies,
                   const Char* start_name, const Char* display_name) {
    ensure_system();
    std::lock_guard guard(scm_lock());
    ScObject* service = lookup_handle_locked(handle, ObjectKind::Service);
    if (!service) return FALSE;
    if (!(service->granted & SERVICE_CHANGE_CONFIG)) return fail(ERROR_ACCESS_DENIED);
    Key key;
    ServiceRecord record;
    if (!NT_SUCCESS(open_service_key(service->service, KEY_ALL_ACCESS, key)) ||
        !NT_SUCCESS(read_record(key.get(), service->service, record)))
        return fail(ERROR_SERVICE_DOES_NOT_EXIST);
    if (record.delete_flag) return fail(ERROR_SERVICE_MARKED_FOR_DELETE);
    if (service_type != SERVICE_NO_CHANGE && !is_driver(service_type)) return fail(ERROR_INVALID_PARAMETER);
    if (start_type != SERVICE_NO_CHANGE && !valid_start(start_type)) return fail(ERROR_INVALID_PARAMETER);
    if (error_control != SERVICE_NO_CHANGE && !valid_error_control(error_control))
        return fail(ERROR_INVALID_PARAMETER);
    auto binary = text_arg(binary_path);
    if (binary && binary->empty()) return fail(ERROR_INVALID_PARAMETER);
    auto group = text_arg(load_order_group);
    const std::u16string new_group = group ? *group : record.group;
    if (tag_id && new_group.empty()) return fail(ERROR_INVALID_PARAMETER);
    auto display = text_arg(display_name);
    if (display && display->size() > kMaxNameLength) return fail(ERROR_INVALID_NAME);
    if (display && !display->empty() && display_name_taken(*display, record.name))
        return fail(ERROR_DUPLICATE_SERVICE_NAME);
    auto depends = multi_text_arg(dependencies);
    auto object_name = text_arg(start_name);

    NTSTATUS status = STATUS_SUCCESS;
    if (service_type != SERVICE_NO_CHANGE) status = write_dword(key.get(), u"Type", service_type);
    if (NT_SUCCESS(status) && start_type != SERVICE_NO_CHANGE) status = write_dword(key.get(), u"Start", start_type);
    if (NT_SUCCESS(status) && error_control != SERVICE_NO_CHANGE)
        status = write_dword(key.get(), u"ErrorControl", error_control);
    if (NT_SUCCESS(status) && binary)
        status = write_string(key.get(), u"ImagePath", REG_EXPAND_SZ, driver_image_path(*binary));
    if (NT_SUCCESS(status) && group)
        status = group->empty() ? delete_value(key.get(), u"Group") : write_string(key.get(), u"Group", REG_SZ, *group);
    DWORD tag = record.tag;
    if (NT_SUCCESS(status) && tag_id && (tag == 0 || (group && fold(*group) != fold(record.group)))) {
        tag = next_tag(new_group, record.name);
        status = write_dword(key.get(), u"Tag", tag);
    }
    if (NT_SUCCESS(status) && depends) status = write_dependencies(key.get(), *depends);
    if (NT_SUCCESS(status) && object_name)
        status = object_name->empty() ? delete_value(key.get(), u"ObjectName")
                                      : write_string(key.get(), u"ObjectName", REG_SZ, *object_name);
    // An empty display name leaves the service showing its own name.
    if (NT_SUCCESS(status) && display)
        status = write_string(key.get(), u"DisplayName", REG_SZ, display->empty() ? record.name : *display);
    if (!NT_SUCCESS(status)) {
        set_last_nt_error(status);
        return FALSE;
    }
    if (tag_id) *tag_id = tag;
    return TRUE;
}

}  // namespace
}  // namespace ntio::win32::scm

using namespace ntio::win32;
using namespace ntio::win32::scm;

extern "C" {

SC_HANDLE WINAPI CreateServiceA(SC_HANDLE hSCManager, LPCSTR lpServiceName, LPCSTR lpDisplayName,
                                DWORD dwDesiredAccess, DWORD dwServiceType, DWORD dwStartType, DWORD dwErrorControl,
                                LPCSTR lpBinaryPathName, LPCSTR lpLoadOrderGroup, LPDWORD lpdwTagId,
                                LPCSTR lpDependencies, LPCSTR lpServiceStartName, LPCSTR lpPassword) {
    (void)lpPassword;  // drivers have no logon account
    return create_service(hSCManager, lpServiceName, lpDisplayName, dwDesiredAccess, dwServiceType, dwStartType,
                          dwErrorControl, lpBinaryPathName, lpLoadOrderGroup, lpdwTagId, lpDependencies,
                          lpServiceStartName);
}

SC_HANDLE WINAPI CreateServiceW(SC_HANDLE hSCManager, LPCWSTR lpServiceName, LPCWSTR lpDisplayName,
                                DWORD dwDesiredAccess, DWORD dwServiceType, DWORD dwStartType, DWORD dwErrorControl,
                                LPCWSTR lpBinaryPathName, LPCWSTR lpLoadOrderGroup, LPDWORD lpdwTagId,
                                LPCWSTR lpDependencies, LPCWSTR lpServiceStartName, LPCWSTR lpPassword) {
    (void)lpPassword;
    return create_service(hSCManager, lpServiceName, lpDisplayName, dwDesiredAccess, dwServiceType, dwStartType,
                          dwErrorControl, lpBinaryPathName, lpLoadOrderGroup, lpdwTagId, lpDependencies,
                          lpServiceStartName);
}

BOOL WINAPI ChangeServiceConfigA(SC_HANDLE hService, DWORD dwServiceType, DWORD dwStartType, DWORD dwErrorControl,
                                 LPCSTR lpBinaryPathName, LPCSTR lpLoadOrderGroup, LPDWORD lpdwTagId,
                                 LPCSTR lpDependencies, LPCSTR lpServiceStartName, LPCSTR lpPassword,
                                 LPCSTR lpDisplayName) {
    (void)lpPassword;
    return change_config(hService, dwServiceType, dwStartType, dwErrorControl, lpBinaryPathName, lpLoadOrderGroup,
                         lpdwTagId, lpDependencies, lpServiceStartName, lpDisplayName);
}

BOOL WINAPI ChangeServiceConfigW(SC_HANDLE hService, DWORD dwServiceType, DWORD dwStartType, DWORD dwErrorControl,
                                 LPCWSTR lpBinaryPathName, LPCWSTR lpLoadOrderGroup, LPDWORD lpdwTagId,
                                 LPCWSTR lpDependencies, LPCWSTR lpServiceStartName, LPCWSTR lpPassword,
                                 LPCWSTR lpDisplayName) {
    (void)lpPassword;
    return change_config(hService, dwServiceType, dwStartType, dwErrorControl, lpBinaryPathName, lpLoadOrderGroup,
                         lpdwTagId, lpDependencies, lpServiceStartName, lpDisplayName);
}

// Marks the record (DeleteFlag, Start = SERVICE_DISABLED, as MS-SCMR RDeleteService requires); the
// key tree goes when the last handle closes and the driver is not running.
// https://learn.microsoft.com/openspecs/windows_protocols/ms-scmr/6744cdb8-f162-4be0-bb31-98996b6495be
BOOL WINAPI DeleteService(SC_HANDLE hService) {
    ensure_system();
    std::lock_guard guard(scm_lock());
    ScObject* service = lookup_handle_locked(hService, ObjectKind::Service);
    if (!service) return FALSE;
    if (!(service->granted & DELETE)) return fail(ERROR_ACCESS_DENIED);
    Key key;
    ServiceRecord record;
    if (!NT_SUCCESS(open_service_key(service->service, KEY_ALL_ACCESS, key)) ||
        !NT_SUCCESS(read_record(key.get(), service->service, record)))
        return fail(ERROR_SERVICE_DOES_NOT_EXIST);
    if (record.delete_flag) return fail(ERROR_SERVICE_MARKED_FOR_DELETE);
    NTSTATUS status = write_dword(key.get(), u"DeleteFlag", 1);
    if (NT_SUCCESS(status)) status = write_dword(key.get(), u"Start", SERVICE_DISABLED);
    return succeeded(status);
}

}  // extern "C"
