// Driver images and loading by service: an image is an ELF shared object (dlopen RTLD_NOW |
// RTLD_LOCAL) exporting DriverEntry; export drivers it links against get DllInitialize before it
// runs and DllUnload after its last importer goes. The image stays mapped until the last reference
// to its driver object goes (driver_object.cpp calls release_image from the delete procedure).
// DriverStart / DriverSize cover the mapped image from before DriverEntry runs.
#include "io/driver_loader.hpp"

#include <strings.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <mutex>
#include <thread>
#include <utility>

#include "host/image.hpp"
#include "host/library.hpp"
#include "io/driver_loader_registry.hpp"
#include "io/driver_object.hpp"
#include "io/objects.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "ob/ps_notify.hpp"
#include <ntio/ntio.h>

namespace ntio::io {

using namespace loader;

namespace {

using DllInitializeRoutine = NTSTATUS(NTAPI*)(PUNICODE_STRING RegistryPath);
using DllUnloadRoutine = NTSTATUS(NTAPI*)();

// An export driver (a .sys another image links against) while it has importers in a System.
struct ExportImage {
    void* handle = nullptr;  // our own dlopen reference
    System* system = nullptr;
    unsigned users = 0;
    DllUnloadRoutine dll_unload = nullptr;
};

// A driver image loaded for a service.
struct DriverImage {
    void* handle = nullptr;
    System* system = nullptr;
    std::vector<ExportImage*> imports;
    std::u16string path;  // ImagePath as stored: IoQueryFullDriverPath
};

// dlopen's handles are per host process, so the table of loaded images is too; entries say which
// System they belong to.
struct ImageTable {
    // Serializes loads and unloads, as NT runs them one at a time on a system worker; recursive
    // because a DriverEntry may load another driver (ZwLoadDriver) or an export driver's service.
    std::recursive_mutex load_lock;
    std::mutex lock;  // images, exports
    std::vector<DriverImage*> images;
    std::vector<ExportImage*> exports;
};

// Never destroyed: a System that outlives static destruction (a Win32 program's default System shut
// down at exit) still unloads its drivers through it.
ImageTable& table() {
    static ImageTable* instance = new ImageTable;
    return *instance;
}

void log_failure(std::u16string_view service, const std::string& what, NTSTATUS status) {
    DbgPrintEx(DPFLTR_DEFAULT_ID, DPFLTR_ERROR_LEVEL, "ntio: driver %s: %s (status 0x%08X)\n",
               to_utf8(service).c_str(), what.c_str(), static_cast<unsigned>(status));
}

// DT_NEEDED entries of the image whose names end in ".sys": the export drivers it imports.
std::vector<std::string> imported_drivers(void* handle) {
    std::vector<std::string> out;
    for (std::string& name : host::library_needed(handle))
        if (name.size() > 4 && strcasecmp(name.c_str() + name.size() - 4, ".sys") == 0) out.push_back(std::move(name));
    return out;
}

void drop_import(ExportImage* e) noexcept {
    ImageTable& t = table();
    {
        std::lock_guard guard(t.lock);
        if (--e->users != 0) return;
        std::erase(t.exports, e);
    }
    if (e->dll_unload) (void)e->dll_unload();
    host::library_close(e->handle);
    delete e;
}

void release_image(void* p) noexcept {
    auto* image = static_cast<DriverImage*>(p);
    {
        ImageTable& t = table();
        std::lock_guard guard(t.lock);
        std::erase(t.images, image);
    }
    host::library_close(image->handle);
    // NT unloads an export driver (DllUnload) after the last driver importing it.
    for (ExportImage* e : image->imports) drop_import(e);
    delete image;
}

// Loads, or takes one more user of, an export driver the image imports (by its DT_NEEDED name).
// An export driver that is also a service is loaded as a driver first.
NTSTATUS import_export_driver(System& system, const std::string& needed, std::u16string_view importer,
                              ExportImage*& out) {
    ImageTable& t = table();
    void* handle = host::library_reference_loaded(needed.c_str());
    if (!handle) return STATUS_DLL_NOT_FOUND;
    {
        std::lock_guard guard(t.lock);
        for (ExportImage* e : t.exports) {
            if (e->handle == handle && e->system == &system) {
                ++e->users;
                out = e;
                host::library_close(handle);
                return STATUS_SUCCESS;
            }
        }
    }
    std::string base = needed.substr(needed.rfind('/') + 1);
    base.resize(base.size() - 4);
    const std::u16string service = to_utf16(base);
    ServiceConfig config;
    if (NT_SUCCESS(read_service_config(service, config)) && config.start != kServiceDisabled) {
        PDRIVER_OBJECT driver = nullptr;
        NTSTATUS status = load_service(service, &driver);
        if (driver) ObDereferenceObject(driver);
        if (!NT_SUCCESS(status) && status != STATUS_IMAGE_ALREADY_LOADED) {
            host::library_close(handle);
            return status;
        }
    }
    if (auto init = reinterpret_cast<DllInitializeRoutine>(host::library_own_symbol(handle, "DllInitialize"))) {
        // The registry path MmCallDllInitialize passes: the export driver's own service key.
        std::u16string path = std::u16string(u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\") + service;
        UNICODE_STRING registry_path = unicode_of(path);
        NTSTATUS status = init(&registry_path);
        if (!NT_SUCCESS(status)) {
            log_failure(importer, "DllInitialize of " + needed + " failed", status);
            host::library_close(handle);
            return status;
        }
    }
    auto* e = new ExportImage{handle, &system, 1,
                              reinterpret_cast<DllUnloadRoutine>(host::library_own_symbol(handle, "DllUnload"))};
    std::lock_guard guard(t.lock);
    t.exports.push_back(e);
    out = e;
    return STATUS_SUCCESS;
}

// Maps the service's image: a clear status for a missing, unreadable or malformed image, a missing
// DriverEntry, an image another service already loaded, or an export driver that fails.
NTSTATUS open_image(System& system, const ServiceConfig& config, DriverImage*& out, PDRIVER_INITIALIZE& entry) {
    const char* problem = "";
    NTSTATUS status = host::library_check_file(config.host_path.c_str(), problem);
    if (!NT_SUCCESS(status)) {
        log_failure(config.name, "image " + config.host_path + " " + problem, status);
        return status;
    }
    std::string message;
    host::LibraryFailure failure{};
    void* handle = host::library_open(config.host_path.c_str(), message, failure);
    if (!handle) {
        // NT's status for an import the kernel does not export; else not a loadable image.
        status = failure == host::LibraryFailure::kUndefinedSymbol     ? STATUS_DRIVER_ENTRYPOINT_NOT_FOUND
                 : failure == host::LibraryFailure::kMissingDependency ? STATUS_DLL_NOT_FOUND
                                                                       : STATUS_INVALID_IMAGE_FORMAT;
        log_failure(config.name, "cannot load image: " + message, status);
        return status;
    }
    ImageTable& t = table();
    {
        std::lock_guard guard(t.lock);
        for (DriverImage* image : t.images) {
            if (image->handle == handle && image->system == &system) {
                // Two services naming one image: as MmLoadSystemImage refuses a second mapping.
                host::library_close(handle);
                log_failure(config.name, "image " + config.host_path + " is already loaded by another service",
                            STATUS_IMAGE_ALREADY_LOADED);
                return STATUS_IMAGE_ALREADY_LOADED;
            }
        }
    }
    entry = reinterpret_cast<PDRIVER_INITIALIZE>(host::library_own_symbol(handle, "DriverEntry"));
    if (!entry) {
        // NT deviation: a PE image always has an entry point; an ELF image without DriverEntry is
        // STATUS_PROCEDURE_NOT_FOUND.
        host::library_close(handle);
        log_failure(config.name, "image " + config.host_path + " does not export DriverEntry", STATUS_PROCEDURE_NOT_FOUND);
        return STATUS_PROCEDURE_NOT_FOUND;
    }
    auto* image = new DriverImage{handle, &system, {}, config.image_path};
    for (const std::string& needed : imported_drivers(handle)) {
        ExportImage* e = nullptr;
        status = import_export_driver(system, needed, config.name, e);
        if (!NT_SUCCESS(status)) {
            log_failure(config.name, "export driver " + needed + " did not load", status);
            release_image(image);
            return status;
        }
        image->imports.push_back(e);
    }
    {
        std::lock_guard guard(t.lock);
        t.images.push_back(image);
    }
    out = image;
    return STATUS_SUCCESS;
}

}  // namespace

bool for_each_loaded_image(System& system, void (*visit)(const void* inside, std::u16string_view image_path, void* context),
                           void* context, bool try_only) {
    ImageTable& t = table();
    std::unique_lock guard(t.lock, std::defer_lock);
    if (!try_only) {
        guard.lock();
    } else {
        for (int attempt = 0; attempt < 2000 && !guard.try_lock(); ++attempt) std::this_thread::yield();
        if (!guard.owns_lock()) return false;
    }
    for (DriverImage* image : t.images)
        if (image->system == &system) visit(host::library_inside_address(image->handle), image->path, context);
    for (ExportImage* image : t.exports)
        if (image->system == &system) visit(host::library_inside_address(image->handle), {}, context);
    return true;
}

namespace {

// DriverStart / DriverSize and DriverInit of the next driver object this thread's load_service
// creates: handed to image_driver_entry, which runs as DriverEntry inside create_driver, so the
// driver's own DriverEntry sees them set (as MmLoadSystemImage's values are on NT). Taken at entry,
// so a DriverEntry that loads another driver hands that one its own.
struct PendingImage {
    PDRIVER_INITIALIZE entry = nullptr;
    PVOID start = nullptr;
    ULONG size = 0;
    const std::u16string* path = nullptr;  // ImagePath, for the load-image notify routines
};
thread_local PendingImage t_pending_image;

NTSTATUS NTAPI image_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path) {
    const PendingImage image = std::exchange(t_pending_image, PendingImage{});
    if (!image.entry) return STATUS_INVALID_PARAMETER;  // only load_service hands this routine out
    // NT deviation: DriverStart is the lowest PT_LOAD segment of the ELF image (its ELF header for a
    // usual link) and DriverSize spans to the end of its highest, bss included.
    driver->DriverStart = image.start;
    driver->DriverSize = image.size;
    driver->DriverInit = image.entry;
    // As MmLoadSystemImage does once the image is mapped: the load-image notify routines, before
    // DriverEntry runs.
    if (image.path) {
        UNICODE_STRING name = unicode_of(*image.path);
        ob::notify_image_loaded(ob::manager_of(driver).ps_notify(), &name, image.start, image.size);
    }
    return image.entry(driver, registry_path);
}

// The driver object \Driver\<service>, referenced, unload-pending or not.
PDRIVER_OBJECT reference_driver_object(std::u16string_view service) {
    std::u16string name = u"\\Driver\\" + std::u16string(service);
    UNICODE_STRING object_name = unicode_of(name);
    void* object = nullptr;
    NTSTATUS status = ObReferenceObjectByName(&object_name, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDriverObjectType,
                                              KernelMode, nullptr, &object);
    return NT_SUCCESS(status) ? static_cast<PDRIVER_OBJECT>(object) : nullptr;
}

}  // namespace

PDRIVER_OBJECT reference_service_driver(std::u16string_view service) {
    PDRIVER_OBJECT driver = reference_driver_object(service);
    if (driver && driver_unloading(driver)) {
        ObDereferenceObject(driver);
        return nullptr;
    }
    return driver;
}

NTSTATUS load_service(std::u16string_view name, PDRIVER_OBJECT* driver) {
    if (driver) *driver = nullptr;
    System* system = System::current();
    if (!system) return STATUS_INVALID_PARAMETER;
    std::lock_guard load(table().load_lock);
    ServiceConfig config;
    NTSTATUS status = read_service_config(name, config);
    if (!NT_SUCCESS(status)) {
        if (status != STATUS_OBJECT_NAME_NOT_FOUND) log_failure(config.name, "service key or ImagePath refused", status);
        return status;
    }
    if (config.start == kServiceDisabled) {
        // NT deviation: the status NtLoadDriver gives for a disabled service is not documented
        // (the service controller refuses first with ERROR_SERVICE_DISABLED); ntio refuses here too.
        log_failure(config.name, "service is disabled (Start 4)", STATUS_DRIVER_UNABLE_TO_LOAD);
        return STATUS_DRIVER_UNABLE_TO_LOAD;
    }
    // NT fact L7: a loaded driver (or one still unloading) is not loaded twice.
    if (PDRIVER_OBJECT loaded = reference_driver_object(config.name)) {
        if (driver && !driver_unloading(loaded)) *driver = loaded;
        else ObDereferenceObject(loaded);
        return STATUS_IMAGE_ALREADY_LOADED;
    }
    DriverImage* image = nullptr;
    PDRIVER_INITIALIZE entry = nullptr;
    status = open_image(*system, config, image, entry);
    if (!NT_SUCCESS(status)) return status;
    std::uintptr_t low = 0;
    std::uintptr_t high = 0;
    if (!host::image_extent_of(reinterpret_cast<const void*>(entry), low, high) || high - low > ULONG_MAX)
        low = high = 0;
    t_pending_image = {entry, reinterpret_cast<PVOID>(low), static_cast<ULONG>(high - low), &config.image_path};
    status = create_driver(config.name, image_driver_entry, image, release_image, driver);
    t_pending_image = {};  // not consumed when no driver object could be made
    if (status == STATUS_OBJECT_NAME_COLLISION) return STATUS_IMAGE_ALREADY_LOADED;
    // NT fact L8: the image went with the driver object; the caller gets DriverEntry's status.
    if (!NT_SUCCESS(status)) log_failure(config.name, "DriverEntry failed", status);
    return status;
}

NTSTATUS unload_service(std::u16string_view name) {
    std::lock_guard load(table().load_lock);
    std::u16string key_path;
    std::u16string service;
    NTSTATUS status = service_key_of(name, key_path, service);
    if (!NT_SUCCESS(status)) return status;
    KernelHandle key;
    status = open_key(key_path, key);
    if (!NT_SUCCESS(status)) return status;  // NT fact L7
    PDRIVER_OBJECT driver = reference_driver_object(service);
    if (!driver) return STATUS_OBJECT_NAME_NOT_FOUND;
    status = NtioUnloadDriver(driver);  // NT fact L7: no DriverUnload, STATUS_INVALID_DEVICE_REQUEST
    ObDereferenceObject(driver);
    return status;
}

}  // namespace ntio::io

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioqueryfulldriverpath
// Any driver object may be asked about (Windows 10 1709 and later). NT deviation: the path is the
// service's ImagePath as stored (the one the load-image notify routines were given), not the
// image file's name on its volume.
NTSTATUS NTAPI IoQueryFullDriverPath(PDRIVER_OBJECT DriverObject, PUNICODE_STRING FullPath) {
    if (!DriverObject || !FullPath || DriverObject->Type != IO_TYPE_DRIVER) return STATUS_INVALID_PARAMETER;
    auto* image = static_cast<ntio::io::DriverImage*>(ntio::io::driver_image(DriverObject));
    if (!image) return STATUS_NOT_FOUND;  // no section: an in-process driver
    const std::u16string& path = image->path;
    const std::size_t bytes = path.size() * sizeof(WCHAR);
    if (bytes + sizeof(WCHAR) > UNICODE_STRING_MAX_BYTES) return STATUS_INSUFFICIENT_RESOURCES;
    auto* buffer = static_cast<PWCH>(ExAllocatePoolWithTag(PagedPool, bytes + sizeof(WCHAR), 'pDoI'));
    if (!buffer) return STATUS_INSUFFICIENT_RESOURCES;
    std::memcpy(buffer, path.data(), bytes);
    buffer[path.size()] = L'\0';
    FullPath->Buffer = buffer;
    FullPath->Length = static_cast<USHORT>(bytes);
    FullPath->MaximumLength = static_cast<USHORT>(bytes + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

}  // extern "C"
