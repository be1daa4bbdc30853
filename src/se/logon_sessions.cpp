// Logon session lifetime and its termination notification: SeRegisterLogonSessionTerminatedRoutine,
// SeUnregisterLogonSessionTerminatedRoutine and SeMarkLogonSessionForTerminationNotification.
// Tokens are process-wide in ntio (their LUIDs too), so the sessions and the routines are as well.
#include "se/logon_sessions.hpp"

#include <unordered_map>

namespace ntio::se {
namespace {

std::uint64_t key_of(LUID luid) noexcept
{
    return (std::uint64_t{static_cast<ULONG>(luid.HighPart)} << 32) | luid.LowPart;
}

struct Session {
    unsigned long tokens = 0;
    bool marked = false;
};

struct Sessions {
    std::mutex lock;
    std::unordered_map<std::uint64_t, Session> live;
    std::vector<PSE_LOGON_SESSION_TERMINATED_ROUTINE> routines;
};

Sessions& sessions()
{
    static Sessions* instance = new Sessions();  // never destroyed: tokens may die at exit
    return *instance;
}

}  // namespace

void LogonSessionReference::attach(LUID session)
{
    Sessions& all = sessions();
    std::lock_guard guard(all.lock);
    ++all.live[key_of(session)].tokens;
    m_session = session;
    m_attached = true;
}

LogonSessionReference::~LogonSessionReference()
{
    if (!m_attached) return;
    Sessions& all = sessions();
    std::vector<PSE_LOGON_SESSION_TERMINATED_ROUTINE> notify;
    {
        std::lock_guard guard(all.lock);
        auto it = all.live.find(key_of(m_session));
        if (it == all.live.end() || --it->second.tokens != 0) return;
        if (it->second.marked) notify = all.routines;
        all.live.erase(it);
    }
    LUID session = m_session;
    for (PSE_LOGON_SESSION_TERMINATED_ROUTINE routine : notify) {
        (void)routine(&session);
    }
}

}  // namespace ntio::se

using ntio::se::sessions;

extern "C" {

// Adds CallbackRoutine to the routines called when a marked logon session terminates (its last
// token is deleted). Each registration is matched by one unregistration; registering a routine
// twice makes it called twice (Learn is silent; ntio keeps one entry per call).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seregisterlogonsessionterminatedroutine
NTKERNELAPI NTSTATUS NTAPI SeRegisterLogonSessionTerminatedRoutine(PSE_LOGON_SESSION_TERMINATED_ROUTINE CallbackRoutine)
{
    if (CallbackRoutine == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    auto& all = sessions();
    std::lock_guard guard(all.lock);
    all.routines.push_back(CallbackRoutine);
    return STATUS_SUCCESS;
}

// Removes one registration of CallbackRoutine; one that is not registered is
// STATUS_INSUFFICIENT_RESOURCES, the status Learn gives for "a list entry could not be found".
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seunregisterlogonsessionterminatedroutine
NTKERNELAPI NTSTATUS NTAPI SeUnregisterLogonSessionTerminatedRoutine(
    PSE_LOGON_SESSION_TERMINATED_ROUTINE CallbackRoutine)
{
    if (CallbackRoutine == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    auto& all = sessions();
    std::lock_guard guard(all.lock);
    auto it = std::find(all.routines.begin(), all.routines.end(), CallbackRoutine);
    if (it == all.routines.end()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    all.routines.erase(it);
    return STATUS_SUCCESS;
}

// Asks for the registered routines to be called when the logon session LogonId terminates;
// STATUS_NOT_FOUND when no token references that session. A NULL LogonId is STATUS_INVALID_PARAMETER
// (Learn is silent).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-semarklogonsessionforterminationnotification
NTKERNELAPI NTSTATUS NTAPI SeMarkLogonSessionForTerminationNotification(PLUID LogonId)
{
    if (LogonId == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    auto& all = sessions();
    std::lock_guard guard(all.lock);
    auto it = all.live.find(ntio::se::key_of(*LogonId));
    if (it == all.live.end()) {
        return STATUS_NOT_FOUND;
    }
    it->second.marked = true;
    return STATUS_SUCCESS;
}

}  // extern "C"
