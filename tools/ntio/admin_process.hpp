// The process the ntio command acts in: an elevated administrator's (what "Run as administrator"
// gives sc.exe or a driver developer's console on Windows), with SeLoadDriverPrivilege enabled as
// an installer enables it before NtLoadDriver. Handles the command opens live in its table.
#pragma once

#include <optional>

#include "ntio/system.hpp"
#include "ob/process.hpp"

namespace ntio::tool {

class AdminProcess {
public:
    // Attaches the calling thread; when the process cannot be created the thread stays in the
    // initial (standard user) process and ok() is false.
    explicit AdminProcess(System& system);
    ~AdminProcess();
    AdminProcess(const AdminProcess&) = delete;
    AdminProcess& operator=(const AdminProcess&) = delete;
    bool ok() const noexcept { return m_process != nullptr; }

private:
    System& m_system;
    PEPROCESS m_process = nullptr;
    std::optional<ob::ProcessAttach> m_attach;
};

}  // namespace ntio::tool
