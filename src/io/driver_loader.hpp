// The driver loader: service keys under \Registry\Machine\System\CurrentControlSet\Services, ELF
// driver images (dlopen, DriverEntry, DllInitialize/DllUnload of export drivers), loading and
// unloading by service, and the boot-time load of boot- and system-start services in group order.
// NtLoadDriver/NtUnloadDriver (src/nt/driver_services.cpp), the service control manager and Plug and
// Play call it; everything here runs at PASSIVE_LEVEL with no locks held.
#pragma once

#include <string>
#include <string_view>

#include "io/ddk.hpp"

namespace ntio { class System; }

namespace ntio::io {

// Service key values (REG_DWORD Type / Start / ErrorControl, as SERVICE_* in <winsvc.h>).
constexpr ULONG kServiceKernelDriver = 1;
constexpr ULONG kServiceFileSystemDriver = 2;
constexpr ULONG kServiceBootStart = 0;
constexpr ULONG kServiceSystemStart = 1;
constexpr ULONG kServiceAutoStart = 2;
constexpr ULONG kServiceDemandStart = 3;
constexpr ULONG kServiceDisabled = 4;
constexpr ULONG kServiceErrorIgnore = 0;
constexpr ULONG kServiceErrorNormal = 1;
constexpr ULONG kServiceErrorSevere = 2;
constexpr ULONG kServiceErrorCritical = 3;

// Where service keys live ("\Registry\Machine\System\CurrentControlSet\Services").
extern const std::u16string_view kServicesKeyPath;

// A service key as the loader reads it. `image_path` is ImagePath as stored (or the default
// \SystemRoot\System32\drivers\<name>.sys); `host_path` is what it resolves to on Linux.
struct ServiceConfig {
    std::u16string name;
    ULONG type = 0;
    ULONG start = kServiceDemandStart;
    ULONG error_control = kServiceErrorNormal;
    std::u16string image_path;
    std::u16string group;
    std::string host_path;
};

// The key path and service name of a DriverServiceName: a path starting with '\' is the key (the
// service is its last component, as NT takes it); a bare name is a key under kServicesKeyPath.
// STATUS_OBJECT_NAME_INVALID for an empty name or a path ending in '\'.
NTSTATUS service_key_of(std::u16string_view driver_service_name, std::u16string& key_path, std::u16string& service);

// Reads and checks the service key (`service` as for service_key_of): STATUS_OBJECT_NAME_NOT_FOUND
// without a key, STATUS_ILL_FORMED_SERVICE_ENTRY for a missing or bad Type / Start (Type must be 1
// or 2, Start 0-4), and resolves ImagePath to a host path.
NTSTATUS read_service_config(std::u16string_view service, ServiceConfig& config);

// Maps an image path to a host path: `\??\C:\x`, `C:\x` and `\DosDevices\C:\x` through the drive
// letter's symbolic link (\??\C: -> \Device\HostRoot... or a host directory), `\SystemRoot\x` through
// the \SystemRoot link, `/x` as is, a relative path under the system root.
NTSTATUS resolve_image_path(std::u16string_view image_path, std::string& host_path);

// Loads the service's driver. `service` is a service name or the full path of a service key
// (NtLoadDriver's DriverServiceName). Reads the key, loads export-driver dependencies, dlopens the image,
// creates \Driver\<service> and calls DriverEntry (NT facts L1, L2, L4, L8, L9).
// STATUS_SUCCESS: `*driver` (optional) gets the new driver object, referenced.
// STATUS_IMAGE_ALREADY_LOADED (NT fact L7) when the service, or another service with the same image,
// is loaded; `*driver` (optional) then gets the loaded driver object of this service, referenced,
// or null when it is another service's image. Other failures leave `*driver` null.
NTSTATUS load_service(std::u16string_view service, PDRIVER_OBJECT* driver = nullptr);

// Unloads the service's driver the NT way (NtioUnloadDriver semantics: deferred while devices have
// handles or attachments; the image goes with the last reference to the driver object).
// STATUS_OBJECT_NAME_NOT_FOUND without a key or when the driver is not loaded, STATUS_INVALID_DEVICE_REQUEST
// for a driver without DriverUnload (NT fact L7). `service` as for load_service.
NTSTATUS unload_service(std::u16string_view service);

// The loaded, not unload-pending driver object of a service, referenced; null when there is none.
PDRIVER_OBJECT reference_service_driver(std::u16string_view service);

// Visits each image loaded for `system`, driver images first, then the export drivers they import:
// an address inside the image and the path its service names it by (empty for an export driver).
// Runs under the image table's lock: `visit` must not load or unload a driver. try_only: the lock is
// only tried, a bounded number of times (false, nothing visited, when it stays taken).
bool for_each_loaded_image(System& system, void (*visit)(const void* inside, std::u16string_view image_path, void* context),
                           void* context, bool try_only = false);

// System boot: links \??\C: and \SystemRoot when nothing created them, then loads boot-start (0) and
// then system-start (1) services, each start class in the order of
// \Registry\Machine\System\CurrentControlSet\Control\ServiceGroupOrder\List, services of no listed
// group last, by name within a group. A failure is logged; with ErrorControl critical (3) it stops
// the boot: the failing status is returned and `failed_service` names the service.
NTSTATUS load_start_services(System& system, std::u16string* failed_service = nullptr);

}  // namespace ntio::io
