// Helpers for the driver loading tests: service keys written through Zw*Key, the values the probe
// drivers report back, and ZwLoadDriver / ZwUnloadDriver by service name.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "ntio_test_config.h"  // NTIO_LD_DRIVERS
#include "support/system_fixture.hpp"

#undef __try
#include <ntio/ntapi.h>

namespace ntio::test {

inline std::u16string services_path(const std::u16string& service) {
    return u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + service;
}

// A UNICODE_STRING over `text` (std::wstring is unusable with -fshort-wchar: libc's wcslen counts
// 32-bit units).
inline UNICODE_STRING unicode(const char16_t* text) {
    USHORT length = 0;
    while (text[length]) ++length;
    return UNICODE_STRING{static_cast<USHORT>(length * 2), static_cast<USHORT>(length * 2 + 2),
                          reinterpret_cast<PWCH>(const_cast<char16_t*>(text))};
}

// Appended rather than joined with operator+ (a GCC 12 false -Warray-bounds, as in
// tests/drivers/driver_test_support.hpp).
inline std::string driver_image(const char* file) {
    std::string path = NTIO_LD_DRIVERS;
    return path.append("/").append(file);
}

inline std::u16string widen(const std::string& text) {
    std::u16string out;
    for (char c : text) out += static_cast<char16_t>(static_cast<unsigned char>(c));
    return out;
}

class KeyHandle {
public:
    explicit KeyHandle(const std::u16string& path, bool create = true) {
        UNICODE_STRING name = unicode(path.c_str());
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
        m_status = create ? ZwCreateKey(&m_handle, KEY_ALL_ACCESS, &oa, 0, nullptr, 0, nullptr)
                          : ZwOpenKey(&m_handle, KEY_READ, &oa);
    }
    ~KeyHandle() {
        if (m_handle) ZwClose(m_handle);
    }
    KeyHandle(const KeyHandle&) = delete;
    KeyHandle& operator=(const KeyHandle&) = delete;
    NTSTATUS status() const { return m_status; }
    HANDLE get() const { return m_handle; }

    void set_dword(const char16_t* value, ULONG data) {
        UNICODE_STRING name = unicode(value);
        EXPECT_EQ(ZwSetValueKey(m_handle, &name, 0, REG_DWORD, &data, sizeof(data)), STATUS_SUCCESS);
    }
    void set_string(const char16_t* value, const std::u16string& data, ULONG type = REG_SZ) {
        UNICODE_STRING name = unicode(value);
        EXPECT_EQ(ZwSetValueKey(m_handle, &name, 0, type, const_cast<char16_t*>(data.c_str()),
                                static_cast<ULONG>((data.size() + 1) * sizeof(char16_t))),
                  STATUS_SUCCESS);
    }
    void set_multi_string(const char16_t* value, const std::vector<std::u16string>& strings) {
        std::u16string data;
        for (const std::u16string& s : strings) data += s + u'\0';
        data += u'\0';
        UNICODE_STRING name = unicode(value);
        EXPECT_EQ(ZwSetValueKey(m_handle, &name, 0, REG_MULTI_SZ, data.data(),
                                static_cast<ULONG>(data.size() * sizeof(char16_t))),
                  STATUS_SUCCESS);
    }
    std::optional<ULONG> dword(const char16_t* value) const {
        UNICODE_STRING name = unicode(value);
        alignas(8) unsigned char buffer[64];
        ULONG length = 0;
        if (!NT_SUCCESS(ZwQueryValueKey(m_handle, &name, KeyValuePartialInformation, buffer, sizeof(buffer), &length)))
            return std::nullopt;
        auto* info = reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buffer);
        if (info->Type != REG_DWORD) return std::nullopt;
        ULONG data = 0;
        std::memcpy(&data, info->Data, sizeof(data));
        return data;
    }

private:
    HANDLE m_handle = nullptr;
    NTSTATUS m_status = STATUS_UNSUCCESSFUL;
};

struct ServiceSpec {
    ULONG type = 1;
    ULONG start = 3;
    ULONG error_control = 1;
    std::u16string image_path;
    std::u16string group;
};

inline void create_service(const std::u16string& service, const ServiceSpec& spec) {
    KeyHandle key(services_path(service));
    ASSERT_EQ(key.status(), STATUS_SUCCESS);
    key.set_dword(u"Type", spec.type);
    key.set_dword(u"Start", spec.start);
    key.set_dword(u"ErrorControl", spec.error_control);
    if (!spec.image_path.empty()) key.set_string(u"ImagePath", spec.image_path, REG_EXPAND_SZ);
    if (!spec.group.empty()) key.set_string(u"Group", spec.group);
}

inline void set_parameter(const std::u16string& service, const char16_t* value, ULONG data) {
    KeyHandle key(services_path(service) + u"\\Parameters");
    ASSERT_EQ(key.status(), STATUS_SUCCESS);
    key.set_dword(value, data);
}

inline std::optional<ULONG> reported(const std::u16string& service, const char16_t* value) {
    KeyHandle key(services_path(service), false);
    if (!NT_SUCCESS(key.status())) return std::nullopt;
    return key.dword(value);
}

inline NTSTATUS zw_load(const std::u16string& service) {
    std::u16string path = services_path(service);
    UNICODE_STRING name = unicode(path.c_str());
    return ZwLoadDriver(&name);
}

inline NTSTATUS zw_unload(const std::u16string& service) {
    std::u16string path = services_path(service);
    UNICODE_STRING name = unicode(path.c_str());
    return ZwUnloadDriver(&name);
}

// The driver object \Driver\<service>, referenced; null when there is none.
inline PDRIVER_OBJECT reference_driver(const std::u16string& service) {
    const std::u16string path = u"\\Driver\\" + service;
    UNICODE_STRING name = unicode(path.c_str());
    PVOID object = nullptr;
    const NTSTATUS status = ObReferenceObjectByName(&name, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDriverObjectType,
                                                    KernelMode, nullptr, &object);
    return NT_SUCCESS(status) ? static_cast<PDRIVER_OBJECT>(object) : nullptr;
}

inline bool object_exists(const char16_t* path) {
    UNICODE_STRING name = unicode(path);
    PVOID object = nullptr;
    NTSTATUS status = ObReferenceObjectByName(&name, OBJ_CASE_INSENSITIVE | OBJ_OPENLINK, nullptr, 0, nullptr,
                                              KernelMode, nullptr, &object);
    if (NT_SUCCESS(status)) ObDereferenceObject(object);
    return NT_SUCCESS(status);
}

}  // namespace ntio::test
