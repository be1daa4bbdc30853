// See images.hpp: where the built driver images are and how the gates load them.
#include "drivers/images.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "drivers/file_stack.hpp"

#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::bench {

std::string drivers_directory() {
    if (const char* dir = std::getenv("NTIO_DRIVERS")) return dir;
    // <build>/bench/ntio_gates and <build>/tools/ntio/ntio: <build>/drivers is two or three up.
    std::error_code error;
    std::filesystem::path at = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error) {
        for (int up = 0; up < 4 && at.has_parent_path(); ++up) {
            at = at.parent_path();
            if (std::filesystem::exists(at / "drivers" / "passthrough.sys", error)) return (at / "drivers").string();
        }
    }
#ifdef NTIO_DRIVERS_DIR
    // The build tree this binary was configured in, for copies of it run from elsewhere.
    if (std::filesystem::exists(std::filesystem::path(NTIO_DRIVERS_DIR) / "passthrough.sys", error))
        return NTIO_DRIVERS_DIR;
#endif
    return {};
}

std::string missing_images(std::initializer_list<const char*> images) {
    const std::string directory = drivers_directory();
    std::error_code error;
    for (const char* image : images)
        if (directory.empty() || !std::filesystem::exists(std::filesystem::path(directory) / image, error))
            return std::string(image) + " not found (set NTIO_DRIVERS to the directory of the .sys images)";
    return {};
}

UNICODE_STRING unicode(const std::u16string& text) {
    UNICODE_STRING s;
    s.Buffer = const_cast<PWCH>(reinterpret_cast<const WCHAR*>(text.c_str()));
    s.Length = static_cast<USHORT>(text.size() * sizeof(WCHAR));
    s.MaximumLength = s.Length;
    return s;
}

namespace {

HANDLE create_key(const std::u16string& path) {
    UNICODE_STRING name = unicode(path);
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE key = nullptr;
    NTSTATUS status = ZwCreateKey(&key, KEY_ALL_ACCESS, &attributes, 0, nullptr, REG_OPTION_VOLATILE, nullptr);
    require(status == STATUS_SUCCESS, "ZwCreateKey", status);
    return key;
}

}  // namespace

void set_service_parameter(const std::u16string& service, const std::u16string& value, ULONG type,
                           const void* data, ULONG size) {
    const std::u16string root = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + service;
    HANDLE key = create_key(root);
    HANDLE parameters = create_key(root + u"\\Parameters");
    UNICODE_STRING name = unicode(value);
    NTSTATUS status = ZwSetValueKey(parameters, &name, 0, type, const_cast<void*>(data), size);
    require(status == STATUS_SUCCESS, "ZwSetValueKey", status);
    (void)ZwClose(parameters);
    (void)ZwClose(key);
}

void set_service_dword(const std::u16string& service, const std::u16string& value, ULONG data) {
    set_service_parameter(service, value, REG_DWORD, &data, sizeof(data));
}

void set_service_string(const std::u16string& service, const std::u16string& value, const std::u16string& data) {
    set_service_parameter(service, value, REG_SZ, data.c_str(), static_cast<ULONG>((data.size() + 1) * sizeof(WCHAR)));
}

PDRIVER_OBJECT load_driver_image(const char* image, const std::u16string& service) {
    const std::string directory = drivers_directory();
    const std::string path = std::string(image).find('/') != std::string::npos
                                 ? std::string(image)
                                 : (directory.empty() ? std::string(".") : directory) + "/" + image;
    void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!module) {
        std::fprintf(stderr, "ntio bench: cannot load %s: %s (set NTIO_DRIVERS to the directory of the .sys images)\n",
                     path.c_str(), dlerror());
        std::exit(1);
    }
    auto entry = reinterpret_cast<PDRIVER_INITIALIZE>(dlsym(module, "DriverEntry"));
    require(entry != nullptr, "DriverEntry of the driver image");
    UNICODE_STRING name = unicode(service);
    PDRIVER_OBJECT driver = nullptr;
    NTSTATUS status = NtioCreateDriver(&name, entry, &driver);
    require(status == STATUS_SUCCESS, "DriverEntry", status);
    return driver;
}

void unload_driver(PDRIVER_OBJECT& driver) {
    if (!driver) return;
    (void)NtioUnloadDriver(driver);
    ObDereferenceObject(driver);
    driver = nullptr;
}

}  // namespace ntio::bench
