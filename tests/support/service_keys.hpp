// Registry helpers for the tests that load a .sys image from its service key, through the Zw
// surface: keys created, values written, a DWORD the image reports back read, and the service
// installed as a demand-start kernel driver.
#pragma once

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include <wdm.h>

namespace ntio::test {

// The counted string over text (which must outlive it).
inline UNICODE_STRING unicode_of(const std::u16string& text) {
    return UNICODE_STRING{static_cast<USHORT>(text.size() * 2), static_cast<USHORT>(text.size() * 2),
                          reinterpret_cast<PWCH>(const_cast<char16_t*>(text.data()))};
}

inline HANDLE create_key(const std::u16string& path) {
    UNICODE_STRING name = unicode_of(path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE key = nullptr;
    EXPECT_EQ(ZwCreateKey(&key, KEY_ALL_ACCESS, &oa, 0, nullptr, 0, nullptr), STATUS_SUCCESS);
    return key;
}

// The key `name` under `root` (an open key, or NULL for an absolute name).
inline HANDLE create_key(HANDLE root, const wchar_t* name) {
    UNICODE_STRING us;
    RtlInitUnicodeString(&us, name);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &us, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, root, nullptr);
    HANDLE key = nullptr;
    EXPECT_EQ(ZwCreateKey(&key, KEY_ALL_ACCESS, &oa, 0, nullptr, 0, nullptr), STATUS_SUCCESS) << "key";
    return key;
}

inline void set_value(HANDLE key, const wchar_t* value, ULONG type, const void* data, ULONG bytes) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, value);
    EXPECT_EQ(ZwSetValueKey(key, &name, 0, type, const_cast<void*>(data), bytes), STATUS_SUCCESS);
}

// The DWORD `value` under `path`, or 0xFFFFFFFF when there is none.
inline ULONG read_dword(const std::u16string& path, const wchar_t* value) {
    HANDLE key = create_key(path);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, value);
    alignas(8) unsigned char buffer[64];
    ULONG length = 0;
    ULONG data = 0xFFFFFFFF;
    if (NT_SUCCESS(ZwQueryValueKey(key, &name, KeyValuePartialInformation, buffer, sizeof buffer, &length)))
        std::memcpy(&data, reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buffer)->Data, sizeof data);
    ZwClose(key);
    return data;
}

// The service at `path` as a demand-start kernel driver (Type 1, Start 3) loaded from `image`.
inline void install_kernel_service(const std::u16string& path, const std::string& image) {
    HANDLE service = create_key(path);
    const ULONG type = 1, start = 3;  // SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START
    set_value(service, L"Type", REG_DWORD, &type, sizeof type);
    set_value(service, L"Start", REG_DWORD, &start, sizeof start);
    const std::u16string wide(image.begin(), image.end());
    set_value(service, L"ImagePath", REG_EXPAND_SZ, wide.c_str(), static_cast<ULONG>((wide.size() + 1) * 2));
    ZwClose(service);
}

}  // namespace ntio::test
