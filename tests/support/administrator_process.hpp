// Makes the test thread act in a process whose token is an elevated administrator's (what "Run as
// administrator" gives a Windows test application), for the lifetime of the object: loading,
// unloading and stopping drivers need it.
#pragma once

#include <gtest/gtest.h>

#include <optional>

#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "ob/process.hpp"
#include "se/token.hpp"

namespace ntio::test {

class AdministratorProcess {
public:
    AdministratorProcess(System& system, const char16_t* image_name) : m_system(system) {
        EXPECT_EQ(system.objects().create_process(se::Token::create_user(true), image_name, &m_process),
                  STATUS_SUCCESS);
        if (m_process) m_attach.emplace(m_process);
    }
    AdministratorProcess(const AdministratorProcess&) = delete;
    AdministratorProcess& operator=(const AdministratorProcess&) = delete;
    ~AdministratorProcess() {
        m_attach.reset();
        if (m_process) {
            m_system.objects().terminate_process(m_process, 0);
            ObDereferenceObject(m_process);
        }
    }

private:
    System& m_system;
    PEPROCESS m_process = nullptr;
    std::optional<ob::ProcessAttach> m_attach;
};

}  // namespace ntio::test
