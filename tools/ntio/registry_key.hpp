// A registry key handle the tool opens with ZwOpenKey / ZwCreateKey (as a kernel-mode caller, by
// its full \Registry path), closed when it goes.
#pragma once

#include <wdm.h>

#include <string_view>

#include "unicode_string.hpp"

namespace ntio::tool {

class RegistryKey {
public:
    RegistryKey() = default;
    RegistryKey(const RegistryKey&) = delete;
    RegistryKey& operator=(const RegistryKey&) = delete;
    ~RegistryKey() {
        if (m_handle) (void)ZwClose(m_handle);
    }

    // Opens the key, or creates it (non-volatile) when `create` is set.
    NTSTATUS open(std::u16string_view path, ACCESS_MASK access, bool create) {
        UNICODE_STRING name = counted(path);
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
        if (create) return ZwCreateKey(&m_handle, access, &attributes, 0, nullptr, REG_OPTION_NON_VOLATILE, nullptr);
        return ZwOpenKey(&m_handle, access, &attributes);
    }

    HANDLE get() const { return m_handle; }

private:
    HANDLE m_handle = nullptr;
};

}  // namespace ntio::tool
