// Makes the test thread act in a process with a given primary token (TokenProcess), such as an
// elevated administrator's (AdministratorProcess: what "Run as administrator" gives a Windows test
// application; loading, unloading and stopping drivers need it), for the lifetime of the object.
#pragma once

#include <gtest/gtest.h>

#include <optional>

#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "ob/process.hpp"
#include "se/token.hpp"

namespace ntio::test {

// Makes the test thread act in a new process whose primary token is `token`, for the lifetime of
// the object.
class TokenProcess {
public:
    TokenProcess(System& system, std::shared_ptr<se::Token> token, const char16_t* image_name) : m_system(system) {
        EXPECT_EQ(system.objects().create_process(std::move(token), image_name, &m_process), STATUS_SUCCESS);
        if (m_process) m_attach.emplace(m_process);
    }
    TokenProcess(const TokenProcess&) = delete;
    TokenProcess& operator=(const TokenProcess&) = delete;
    ~TokenProcess() {
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

class AdministratorProcess : public TokenProcess {
public:
    AdministratorProcess(System& system, const char16_t* image_name)
        : TokenProcess(system, se::Token::create_user(true), image_name) {}
};

}  // namespace ntio::test
