// The token queries drivers call on a PACCESS_TOKEN: SeQueryInformationToken and the single-value
// shortcuts (authentication id, session id, integrity, type, impersonation level, restriction), and
// SeSetSessionIdToken.
#include "se/token_information.hpp"

#include <map>

#include <ntio_ddk/ex.h>

namespace {

using ntio::se::Token;

constexpr ULONG kTokenInformationTag = 'iTeS';

// The mandatory label SID S-1-16-<rid>, kept for the life of the library: SeQueryTokenIntegrity
// hands out a pointer to it, which must stay valid whatever the token does later.
const SID* integrity_label(ULONG rid)
{
    static std::mutex lock;
    static std::map<ULONG, std::unique_ptr<ntio::se::SidBuffer>> labels;
    std::lock_guard guard(lock);
    auto& slot = labels[rid];
    if (!slot) slot = std::make_unique<ntio::se::SidBuffer>(16, std::initializer_list<ULONG>{rid});
    return slot->get();
}

}  // namespace

extern "C" {

// Answers one TOKEN_INFORMATION_CLASS about Token in a buffer allocated from paged pool, which the
// caller frees with ExFreePool; TokenSessionId and TokenIntegrityLevel store their ULONG in
// *TokenInformation itself ("a DWORD value, not a pointer to it"). STATUS_INVALID_INFO_CLASS for a
// class it does not answer (and TokenImpersonationLevel of a primary token).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sequeryinformationtoken
NTKERNELAPI NTSTATUS NTAPI SeQueryInformationToken(PACCESS_TOKEN Token, TOKEN_INFORMATION_CLASS TokenInformationClass,
                                                   PVOID* TokenInformation)
{
    const ntio::se::Token* token = ntio::se::token_from(Token);
    if (token == nullptr || TokenInformation == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    ntio::se::TokenInformation answer;
    const NTSTATUS status = answer.build(*token, TokenInformationClass, true);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (TokenInformationClass == TokenSessionId || TokenInformationClass == TokenIntegrityLevel) {
        // Exactly a ULONG: callers pass the address of a ULONG cast to PVOID*.
        answer.place(TokenInformation, reinterpret_cast<ULONG_PTR>(TokenInformation));
        return STATUS_SUCCESS;
    }
    void* buffer = ExAllocatePoolWithTag(PagedPool, answer.length(), kTokenInformationTag);
    if (buffer == nullptr) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    answer.place(buffer, reinterpret_cast<ULONG_PTR>(buffer));
    *TokenInformation = buffer;
    return STATUS_SUCCESS;
}

// The LUID of the logon session the token belongs to (SYSTEM_LUID for SYSTEM).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sequeryauthenticationidtoken
NTKERNELAPI NTSTATUS NTAPI SeQueryAuthenticationIdToken(PACCESS_TOKEN Token, PLUID AuthenticationId)
{
    const ntio::se::Token* token = ntio::se::token_from(Token);
    if (token == nullptr || AuthenticationId == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    *AuthenticationId = token->authentication_id();
    return STATUS_SUCCESS;
}

// The Terminal Services session of the token: 0 for SYSTEM, 1 for the interactive user.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sequerysessionidtoken
NTKERNELAPI NTSTATUS NTAPI SeQuerySessionIdToken(PACCESS_TOKEN Token, PULONG SessionId)
{
    const ntio::se::Token* token = ntio::se::token_from(Token);
    if (token == nullptr || SessionId == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    *SessionId = token->session_id();
    return STATUS_SUCCESS;
}

// Whether the token holds restricting SIDs (SeFilterToken's RestrictedSids).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-setokenisrestricted
NTKERNELAPI BOOLEAN NTAPI SeTokenIsRestricted(PACCESS_TOKEN Token)
{
    const ntio::se::Token* token = ntio::se::token_from(Token);
    return token && token->restricted() ? TRUE : FALSE;
}

// Whether Token is write-restricted (a filter with WRITE_RESTRICTED: its restricting SIDs apply to
// write access only). Learn has no page for this ntifs.h routine (see SeTokenIsRestricted,
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-setokenisrestricted).
NTKERNELAPI BOOLEAN NTAPI SeTokenIsWriteRestricted(PACCESS_TOKEN Token)
{
    const ntio::se::Token* token = ntio::se::token_from(Token);
    return token && token->write_restricted() ? TRUE : FALSE;
}

// The token's mandatory integrity label: IntegritySA->Sid gets S-1-16-<level> (valid for the life of
// the system) and Attributes SE_GROUP_INTEGRITY | SE_GROUP_INTEGRITY_ENABLED.
// No Learn page was found for this ntifs.h routine; ntio answers as TokenIntegrityLevel does and a
// NULL argument is STATUS_INVALID_PARAMETER. ntio declares it NTSTATUS (mingw-w64's ntifs.h says
// VOID; which the WDK uses is unverified).
NTKERNELAPI NTSTATUS NTAPI SeQueryTokenIntegrity(PACCESS_TOKEN Token, PSID_AND_ATTRIBUTES IntegritySA)
{
    const ntio::se::Token* token = ntio::se::token_from(Token);
    if (token == nullptr || IntegritySA == nullptr) return STATUS_INVALID_PARAMETER;
    IntegritySA->Sid = const_cast<SID*>(integrity_label(token->integrity_rid()));
    IntegritySA->Attributes = SE_GROUP_INTEGRITY | SE_GROUP_INTEGRITY_ENABLED;
    return STATUS_SUCCESS;
}

// Moves the token to Terminal Services session SessionId (what TokenSessionId then reports).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sesetsessionidtoken
// (reserved for system use; ntio: a NULL token is STATUS_INVALID_PARAMETER, else STATUS_SUCCESS).
NTKERNELAPI NTSTATUS NTAPI SeSetSessionIdToken(PACCESS_TOKEN Token, ULONG SessionId)
{
    ntio::se::Token* token = ntio::se::token_from(Token);
    if (token == nullptr) return STATUS_INVALID_PARAMETER;
    std::lock_guard guard(token->adjust_lock());
    token->set_session_id(SessionId);
    return STATUS_SUCCESS;
}

// TokenPrimary or TokenImpersonation.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-setokentype
NTKERNELAPI TOKEN_TYPE NTAPI SeTokenType(PACCESS_TOKEN Token)
{
    const ntio::se::Token* token = ntio::se::token_from(Token);
    return token ? token->type() : TokenPrimary;
}

// The impersonation level of an impersonation token (SecurityAnonymous for a primary one).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-setokenimpersonationlevel
NTKERNELAPI SECURITY_IMPERSONATION_LEVEL NTAPI SeTokenImpersonationLevel(PACCESS_TOKEN Token)
{
    const ntio::se::Token* token = ntio::se::token_from(Token);
    return token ? token->impersonation_level() : SecurityAnonymous;
}

}  // extern "C"
