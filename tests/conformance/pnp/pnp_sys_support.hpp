// The .sys side of the Plug and Play suite: service keys for pnp_sys_function.sys (PnpSysFn) and the
// filter images (PnpSysLower, PnpSysUpper), the Enum\Root\PNPSYS\0000 device that names them, the
// counters the images report in their service keys, and whether an image is mapped at all.
#pragma once

#include <dlfcn.h>

#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ntio_test_config.h"  // NTIO_PNP_SYS_DRIVERS, NTIO_DRIVERS_DIR
#include "pnp_test_drivers.hpp"

namespace ntio::pnp_test::sys {

inline constexpr const wchar_t* kInstance = L"ROOT\\PNPSYS\\0000";
inline constexpr const wchar_t* kInterfaceLink = L"\\??\\ROOT#PNPSYS#0000#{5c1c1e6e-4b5a-4e3a-9d53-3f1a1f7a0002}";

struct Image {
    const wchar_t* service;
    const char* file;
};
inline constexpr Image kFunction{L"PnpSysFn", "pnp_sys_function.sys"};
inline constexpr Image kLower{L"PnpSysLower", "pnp_sys_lower.sys"};
inline constexpr Image kUpper{L"PnpSysUpper", "pnp_sys_upper.sys"};
inline constexpr Image kImages[] = {kLower, kFunction, kUpper};

// Appended rather than joined with operator+ (a GCC 12 false -Warray-bounds, as in
// tests/drivers/driver_test_support.hpp).
inline std::string host_path(const Image& image) {
    std::string path = NTIO_PNP_SYS_DRIVERS;
    return path.append("/").append(image.file);
}

// std::wstring is unusable with -fshort-wchar (libc's wcslen counts 32-bit units): paths are built
// as std::u16string.
inline const char16_t* u16(const wchar_t* text) { return reinterpret_cast<const char16_t*>(text); }

inline UNICODE_STRING unicode(const std::u16string& text) {
    return UNICODE_STRING{static_cast<USHORT>(text.size() * 2), static_cast<USHORT>(text.size() * 2),
                          reinterpret_cast<PWCH>(const_cast<char16_t*>(text.data()))};
}

inline std::u16string services_key(const Image& image) {
    return u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + std::u16string(u16(image.service));
}

class Key {
public:
    explicit Key(const std::u16string& path, bool create = true) {
        UNICODE_STRING name = unicode(path);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
        m_status = create ? ZwCreateKey(&m_handle, KEY_ALL_ACCESS, &oa, 0, nullptr, 0, nullptr)
                          : ZwOpenKey(&m_handle, KEY_READ, &oa);
    }
    ~Key() {
        if (m_handle) ZwClose(m_handle);
    }
    Key(const Key&) = delete;
    Key& operator=(const Key&) = delete;
    NTSTATUS status() const { return m_status; }

    void set(const wchar_t* value, ULONG type, const void* data, std::size_t bytes) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, value);
        EXPECT_EQ(ZwSetValueKey(m_handle, &name, 0, type, const_cast<void*>(data), static_cast<ULONG>(bytes)),
                  STATUS_SUCCESS);
    }
    void set_dword(const wchar_t* value, ULONG data) { set(value, REG_DWORD, &data, sizeof data); }
    void set_string(const wchar_t* value, const std::u16string& data, ULONG type = REG_SZ) {
        set(value, type, data.c_str(), (data.size() + 1) * sizeof(char16_t));
    }
    std::optional<ULONG> dword(const wchar_t* value) const {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, value);
        alignas(8) unsigned char buffer[64];
        ULONG length = 0;
        if (!NT_SUCCESS(ZwQueryValueKey(m_handle, &name, KeyValuePartialInformation, buffer, sizeof buffer, &length)))
            return std::nullopt;
        auto* info = reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buffer);
        if (info->Type != REG_DWORD) return std::nullopt;
        ULONG data = 0;
        std::memcpy(&data, info->Data, sizeof data);
        return data;
    }

private:
    HANDLE m_handle = nullptr;
    NTSTATUS m_status = STATUS_UNSUCCESSFUL;
};

inline std::u16string widen(const std::string& text) { return std::u16string(text.begin(), text.end()); }

// Creates the key and the keys above it that do not exist yet (ZwCreateKey makes one level).
inline void create_key_path(const std::u16string& path) {
    for (std::size_t at = path.find(u'\\', 1); at != std::u16string::npos; at = path.find(u'\\', at + 1))
        Key parent(path.substr(0, at));
    Key key(path);
    ASSERT_EQ(key.status(), STATUS_SUCCESS);
}

inline std::u16string enum_key(const char16_t* instance) {
    return u"\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\Root\\" + std::u16string(instance);
}

// Demand-start kernel driver services for the three images, and the device naming them.
inline void install(bool with_filters = true) {
    for (const Image& image : kImages) {
        Key key(services_key(image));
        ASSERT_EQ(key.status(), STATUS_SUCCESS);
        key.set_dword(L"Type", 1);
        key.set_dword(L"Start", 3);
        key.set_dword(L"ErrorControl", 1);
        key.set_string(L"ImagePath", widen(host_path(image)), REG_EXPAND_SZ);
    }
    create_key_path(enum_key(u"PNPSYS\\0000"));
    Key device(enum_key(u"PNPSYS\\0000"));
    ASSERT_EQ(device.status(), STATUS_SUCCESS);
    device.set_string(L"Service", u16(kFunction.service));
    if (with_filters) {
        static const wchar_t kLowerList[] = L"PnpSysLower\0";
        static const wchar_t kUpperList[] = L"PnpSysUpper\0";
        device.set(L"LowerFilters", REG_MULTI_SZ, kLowerList, sizeof kLowerList);
        device.set(L"UpperFilters", REG_MULTI_SZ, kUpperList, sizeof kUpperList);
    }
}

// A counter the image reported (0 when it never did).
inline ULONG reported(const Image& image, const wchar_t* value) {
    Key key(services_key(image), false);
    if (!NT_SUCCESS(key.status())) return 0;
    return key.dword(value).value_or(0);
}

inline void set_service_value(const Image& image, const wchar_t* value, ULONG data) {
    Key key(services_key(image));
    key.set_dword(value, data);
}

// Whether the host process has the image mapped (RTLD_NOLOAD maps nothing).
inline bool image_mapped(const Image& image) {
    void* handle = dlopen(host_path(image).c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (!handle) return false;
    dlclose(handle);
    return true;
}

inline bool driver_object_exists(const Image& image) {
    std::u16string path = u"\\Driver\\" + std::u16string(u16(image.service));
    UNICODE_STRING name = unicode(path);
    PVOID object = nullptr;
    NTSTATUS status = ObReferenceObjectByName(&name, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDriverObjectType, KernelMode,
                                              nullptr, &object);
    if (NT_SUCCESS(status)) ObDereferenceObject(object);
    return NT_SUCCESS(status);
}

inline UNICODE_STRING instance_name() {
    UNICODE_STRING us;
    RtlInitUnicodeString(&us, kInstance);
    return us;
}

inline NTIO_PNP_DEVICE_STATE device_state() {
    UNICODE_STRING name = instance_name();
    NTIO_PNP_DEVICE_STATE state = NtioPnpDeviceNotFound;
    EXPECT_EQ(NtioPnpQueryDevice(&name, &state, nullptr), STATUS_SUCCESS);
    return state;
}

inline NTSTATUS remove_device(BOOLEAN surprise) {
    UNICODE_STRING name = instance_name();
    return NtioPnpRemoveDevice(&name, surprise, nullptr);
}

// Waits (bounded, as a failure guard only) until the PnP manager has finished with the node: a
// removal deferred to the last close completes on a worker.
inline bool wait_node_gone() {
    for (int i = 0; i < 200000; ++i) {
        if (device_state() == NtioPnpDeviceNotFound) return true;
        std::this_thread::yield();
    }
    return false;
}

inline NTSTATUS open_interface(HANDLE* handle) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, kInterfaceLink);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    *handle = nullptr;
    return NtOpenFile(handle, GENERIC_READ | SYNCHRONIZE, &oa, &iosb, FILE_SHARE_READ | FILE_SHARE_WRITE,
                      FILE_SYNCHRONOUS_IO_NONALERT);
}

}  // namespace ntio::pnp_test::sys
