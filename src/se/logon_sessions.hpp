// Logon sessions as the tokens that reference them: a session lives while a token of its
// AuthenticationId does, and when the last one dies the routines registered with
// SeRegisterLogonSessionTerminatedRoutine hear of it, if a driver marked the session.
#pragma once

#include "se/ddk.hpp"

namespace ntio::se {

// One token's reference on its logon session; the token holds it for its whole life.
class LogonSessionReference {
public:
    LogonSessionReference() = default;
    LogonSessionReference(const LogonSessionReference&) = delete;
    LogonSessionReference& operator=(const LogonSessionReference&) = delete;
    // The last reference of a marked session calls the termination routines, at PASSIVE_LEVEL, on
    // the thread that drops it.
    ~LogonSessionReference();
    void attach(LUID session);

private:
    bool m_attached = false;
    LUID m_session{};
};

}  // namespace ntio::se
