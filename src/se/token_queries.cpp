// The token queries drivers call on a PACCESS_TOKEN: SeQueryInformationToken and the single-value
// shortcuts (authentication id, session id, type, impersonation level, restriction).
#include "se/token_information.hpp"

#include <ntio_ddk/ex.h>

namespace {

using ntio::se::Token;

constexpr ULONG kTokenInformationTag = 'iTeS';

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

// Whether the token holds restricting SIDs: ntio tokens never do.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-setokenisrestricted
NTKERNELAPI BOOLEAN NTAPI SeTokenIsRestricted(PACCESS_TOKEN Token)
{
    (void)Token;
    return FALSE;
}

// Whether Token is write-restricted (restricting SIDs that apply to write access only). Learn has
// no page for this ntifs.h routine; ntio's tokens carry no restricting SIDs (see SeTokenIsRestricted,
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-setokenisrestricted), so
// never.
NTKERNELAPI BOOLEAN NTAPI SeTokenIsWriteRestricted(PACCESS_TOKEN Token)
{
    (void)Token;
    return FALSE;
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
