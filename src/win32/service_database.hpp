// The service control manager's state inside advapi32: service records (the Services keys, read and
// written through the Zw registry routines as services.exe does), SC handles with the rights the SCM's
// own access check granted, and per-System bookkeeping (open handles per service, last exit codes).
// Windows keeps this in services.exe behind RPC; here it lives in-process, one database per System.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "win32/win32.hpp"

namespace ntio::win32::scm {

// \Registry\Machine\System\CurrentControlSet\Services, where every service record lives.
inline constexpr std::u16string_view kServicesPath = u"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services";
// Longest service or display name (SC_MAX_NAME_LENGTH of MS-SCMR).
inline constexpr std::size_t kMaxNameLength = 256;

// A registry key handle opened in kernel mode (OBJ_KERNEL_HANDLE), closed by the destructor.
class Key {
public:
    Key() = default;
    Key(const Key&) = delete;
    Key& operator=(const Key&) = delete;
    ~Key() { reset(); }
    HANDLE get() const noexcept { return m_handle; }
    HANDLE* out() noexcept { reset(); return &m_handle; }
    void reset() noexcept;

private:
    HANDLE m_handle = nullptr;
};

// Opens (or creates) `path` relative to `root` (null: an absolute path) in kernel mode.
NTSTATUS open_key(HANDLE root, std::u16string_view path, ACCESS_MASK access, Key& key);
NTSTATUS create_key(HANDLE root, std::u16string_view path, ACCESS_MASK access, ULONG options, Key& key,
                    ULONG* disposition = nullptr);
// Opens the service's key under kServicesPath.
NTSTATUS open_service_key(std::u16string_view service, ACCESS_MASK access, Key& key);

// Raw value access: STATUS_OBJECT_NAME_NOT_FOUND when the value is missing.
NTSTATUS read_value(HANDLE key, std::u16string_view name, ULONG& type, std::vector<unsigned char>& data);
NTSTATUS read_dword(HANDLE key, std::u16string_view name, DWORD& value);
// REG_SZ / REG_EXPAND_SZ / REG_MULTI_SZ data as text (trailing NULs of a single string dropped; a
// multi-string keeps its inner NULs and loses only the final terminator pair).
NTSTATUS read_string(HANDLE key, std::u16string_view name, std::u16string& value);
NTSTATUS write_value(HANDLE key, std::u16string_view name, ULONG type, const void* data, ULONG size);
NTSTATUS write_dword(HANDLE key, std::u16string_view name, DWORD value);
// REG_SZ / REG_EXPAND_SZ with the terminating NUL; REG_MULTI_SZ from a list whose strings are
// separated by NULs (the final double NUL is added).
NTSTATUS write_string(HANDLE key, std::u16string_view name, ULONG type, std::u16string_view value);
NTSTATUS delete_value(HANDLE key, std::u16string_view name);
// Deletes the key and every subkey below it (the SCM removes a service as a whole tree).
NTSTATUS delete_tree(HANDLE key);
// Names of the subkeys of `key`, in the registry's order.
std::vector<std::u16string> subkey_names(HANDLE key);

// A service record as the SCM reads it from its key.
struct ServiceRecord {
    std::u16string name;  // the key's name, case as stored
    DWORD type = 0;
    DWORD start = SERVICE_DEMAND_START;
    DWORD error_control = SERVICE_ERROR_NORMAL;
    std::u16string image_path;
    std::u16string group;
    DWORD tag = 0;
    std::u16string depend_on_service;  // NUL-separated
    std::u16string depend_on_group;    // NUL-separated
    std::u16string object_name;
    std::u16string display_name;  // empty when the key has none
    bool delete_flag = false;
};
// Reads the record from the service's key; STATUS_OBJECT_NAME_NOT_FOUND without a Type value (a key
// that is not a service).
NTSTATUS read_record(HANDLE key, std::u16string_view name, ServiceRecord& record);

// What the SCM reports for a driver: running while \Driver\<name> or \FileSystem\<name> exists,
// stop pending once its unload started. Fills every SERVICE_STATUS field.
void driver_status(const ServiceRecord& record, DWORD last_exit_code, SERVICE_STATUS_PROCESS& status);
bool driver_loaded(std::u16string_view service);

// Service names are compared case-insensitively (uppercased key).
std::u16string fold(std::u16string_view name);

struct Database;

enum class ObjectKind { Manager, Service };

// What an SC_HANDLE points at. Handles are validated by lookup in the handle table, never by
// dereferencing the caller's value.
struct ScObject {
    ObjectKind kind;
    System* system;
    std::shared_ptr<Database> database;
    ACCESS_MASK granted;
    std::u16string service;  // Service: the key's name as stored
};

// Per-System state. Guarded by the SCM lock (scm_lock()).
struct Database {
    std::uint64_t instance = 0;               // matches the volatile registry marker of its System
    std::map<std::u16string, unsigned> opens;  // folded name -> open service handles
    std::map<std::u16string, DWORD> exit_codes;  // folded name -> dwWin32ExitCode of the last start/stop
    std::map<std::u16string, bool> starting;     // folded name -> a StartService is loading it
};

std::mutex& scm_lock();

// The database of the calling thread's System (created at first use, or when the System is a new
// one at the address of a previous one). Caller holds scm_lock().
std::shared_ptr<Database> database_locked(System& system);

// Handle table. insert returns the new SC_HANDLE; lookup sets ERROR_INVALID_HANDLE itself and
// returns null for anything that is not a live handle of `kind` in the caller's System.
SC_HANDLE insert_handle_locked(std::unique_ptr<ScObject> object);
ScObject* lookup_handle_locked(SC_HANDLE handle, ObjectKind kind);

// Access checks of the SCM (the caller's token against the SCM's or the service's descriptor).
// Returns ERROR_SUCCESS and the granted rights, or ERROR_ACCESS_DENIED.
DWORD check_manager_access(ACCESS_MASK desired, ACCESS_MASK& granted);
DWORD check_service_access(HANDLE service_key, ACCESS_MASK desired, ACCESS_MASK& granted);
// The default security descriptor of a new service, self-relative, for its Security value.
std::vector<unsigned char> default_service_security();

// Deletes every service marked for delete that has no open handle and is not running. Caller holds
// scm_lock().
void sweep_deleted_locked(Database& database);
// A service handle closed: one open fewer, and the record goes if it is marked for delete, has no
// handle left and is not running. Caller holds scm_lock().
void release_service_locked(Database& database, std::u16string_view service);

// Service-name rules shared by CreateService and OpenService (ERROR_INVALID_NAME otherwise).
bool valid_service_name(std::u16string_view name) noexcept;

// Sets the thread's last error and returns FALSE / null, the failure shape of every SCM function.
inline BOOL fail(DWORD error) noexcept {
    SetLastError(error);
    return FALSE;
}
inline SC_HANDLE fail_handle(DWORD error) noexcept {
    SetLastError(error);
    return nullptr;
}

// Text from A and W callers (null stays null).
std::unique_ptr<std::u16string> text_arg(LPCWSTR text);
std::unique_ptr<std::u16string> text_arg(LPCSTR text);
// A double-NUL-terminated list (lpDependencies) as NUL-separated text without the final terminator.
std::unique_ptr<std::u16string> multi_text_arg(LPCWSTR text);
std::unique_ptr<std::u16string> multi_text_arg(LPCSTR text);

}  // namespace ntio::win32::scm
