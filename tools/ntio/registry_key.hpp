// A registry key handle the tool opened with ZwCreateKey / ZwOpenKey, closed when it goes.
#pragma once

#include <wdm.h>

namespace ntio::tool {

class RegistryKey {
public:
    RegistryKey() = default;
    RegistryKey(const RegistryKey&) = delete;
    RegistryKey& operator=(const RegistryKey&) = delete;
    ~RegistryKey() {
        if (m_handle) (void)ZwClose(m_handle);
    }
    HANDLE get() const { return m_handle; }
    HANDLE* put() { return &m_handle; }

private:
    HANDLE m_handle = nullptr;
};

}  // namespace ntio::tool
