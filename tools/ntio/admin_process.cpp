// The ntio command's elevated administrator process.
#include "admin_process.hpp"

#include "ob/object_manager.hpp"
#include "se/token.hpp"

namespace ntio::tool {

AdminProcess::AdminProcess(System& system) : m_system(system) {
    std::shared_ptr<se::Token> token = se::Token::create_user(true);
    (void)token->adjust_privilege(SE_LOAD_DRIVER_PRIVILEGE, true);
    if (!NT_SUCCESS(system.objects().create_process(token, u"ntio.exe", &m_process))) m_process = nullptr;
    if (m_process) m_attach.emplace(m_process);
}

AdminProcess::~AdminProcess() {
    m_attach.reset();
    if (m_process) {
        // Closes what the session left open (handles of an ended process, as NT closes them).
        m_system.objects().terminate_process(m_process, STATUS_SUCCESS);
        ObDereferenceObject(m_process);
    }
}

}  // namespace ntio::tool
