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

    // Opens the key, or creates it (non-volatile) when `create` is set. A key this object already
    // holds is closed once the new one is open, and kept when the open fails.
    NTSTATUS open(std::u16string_view path, ACCESS_MASK access, bool create) {
        UNICODE_STRING name = counted(path);
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
        HANDLE handle = nullptr;
        const NTSTATUS status = create ? ZwCreateKey(&handle, access, &attributes, 0, nullptr, REG_OPTION_NON_VOLATILE, nullptr)
                                       : ZwOpenKey(&handle, access, &attributes);
        if (!NT_SUCCESS(status)) return status;
        if (m_handle) (void)ZwClose(m_handle);
        m_handle = handle;
        return status;
    }

    HANDLE get() const { return m_handle; }

private:
    HANDLE m_handle = nullptr;
};

}  // namespace ntio::tool
