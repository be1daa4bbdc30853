// The WMI registry's name and deleter, for the I/O manager that owns it (io_manager.hpp) without
// the registry's definition (wmi_registry.hpp).
#pragma once

namespace ntio::io {

class WmiRegistry;
struct WmiRegistryDeleter {
    void operator()(WmiRegistry* wmi) const noexcept;
};

}  // namespace ntio::io
