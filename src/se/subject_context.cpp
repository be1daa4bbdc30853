// The Se routines drivers call: subject context capture and release, SeAccessCheck, the privilege
// checks, and the Rtl access mask helpers. Tokens come from the resolver the object manager installs.
#include "se/access_check.hpp"

#include <ntio_ddk/ex.h>

namespace {

using ntio::se::Token;

Token* as_token(PACCESS_TOKEN token) noexcept
{
    return ntio::se::token_from(token);
}

// The token a captured context acts with: the impersonation token when present, else the primary one.
Token* effective_token(PSECURITY_SUBJECT_CONTEXT context) noexcept
{
    if (context == nullptr) {
        return nullptr;
    }
    return as_token(context->ClientToken ? context->ClientToken : context->PrimaryToken);
}

}  // namespace

extern "C" {

NTSYSAPI VOID NTAPI RtlMapGenericMask(PACCESS_MASK AccessMask, const GENERIC_MAPPING* GenericMapping)
{
    ACCESS_MASK mask = *AccessMask;
    if (mask & GENERIC_READ) {
        mask |= GenericMapping->GenericRead;
    }
    if (mask & GENERIC_WRITE) {
        mask |= GenericMapping->GenericWrite;
    }
    if (mask & GENERIC_EXECUTE) {
        mask |= GenericMapping->GenericExecute;
    }
    if (mask & GENERIC_ALL) {
        mask |= GenericMapping->GenericAll;
    }
    *AccessMask = mask & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
}

NTSYSAPI BOOLEAN NTAPI RtlAreAllAccessesGranted(ACCESS_MASK GrantedAccess, ACCESS_MASK DesiredAccess)
{
    return (DesiredAccess & ~GrantedAccess) == 0 ? TRUE : FALSE;
}

NTSYSAPI BOOLEAN NTAPI RtlAreAnyAccessesGranted(ACCESS_MASK GrantedAccess, ACCESS_MASK DesiredAccess)
{
    return (GrantedAccess & DesiredAccess) != 0 ? TRUE : FALSE;
}

NTKERNELAPI VOID NTAPI SeCaptureSubjectContext(PSECURITY_SUBJECT_CONTEXT SubjectContext)
{
    std::shared_ptr<Token> token = ntio::se::current_subject_token();
    token->pin();
    SECURITY_IMPERSONATION_LEVEL level = SecurityAnonymous;
    std::shared_ptr<Token> client = ntio::se::current_client_token(&level);
    if (client) {
        client->pin();
    }
    SubjectContext->ClientToken = client.get();
    SubjectContext->ImpersonationLevel = level;
    SubjectContext->PrimaryToken = token.get();
    SubjectContext->ProcessAuditId = nullptr;
}

NTKERNELAPI VOID NTAPI SeReleaseSubjectContext(PSECURITY_SUBJECT_CONTEXT SubjectContext)
{
    if (SubjectContext == nullptr) {
        return;
    }
    if (Token* client = as_token(SubjectContext->ClientToken)) {
        SubjectContext->ClientToken = nullptr;
        client->unpin();
    }
    if (Token* primary = as_token(SubjectContext->PrimaryToken)) {
        SubjectContext->PrimaryToken = nullptr;
        primary->unpin();
    }
}

// Token identity never changes and privilege state is read atomically, so a captured context needs
// no lock to stay consistent; these exist for drivers that bracket their checks with them.
NTKERNELAPI VOID NTAPI SeLockSubjectContext(PSECURITY_SUBJECT_CONTEXT SubjectContext)
{
    (void)SubjectContext;
}

NTKERNELAPI VOID NTAPI SeUnlockSubjectContext(PSECURITY_SUBJECT_CONTEXT SubjectContext)
{
    (void)SubjectContext;
}

NTKERNELAPI PACCESS_TOKEN NTAPI SeQuerySubjectContextToken(PSECURITY_SUBJECT_CONTEXT SubjectContext)
{
    return effective_token(SubjectContext);
}

// Whether the token's user is a member of the local Administrators group (S-1-5-32-544), as an
// enabled group; a NULL token is not.
// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntifs/nf-ntifs-setokenisadmin
NTKERNELAPI BOOLEAN NTAPI SeTokenIsAdmin(PACCESS_TOKEN Token)
{
    const ntio::se::Token* token = as_token(Token);
    return token && token->is_member(ntio::se::well_known::administrators()) ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-seaccesscheck
NTKERNELAPI BOOLEAN NTAPI SeAccessCheck(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                        PSECURITY_SUBJECT_CONTEXT SubjectSecurityContext,
                                        BOOLEAN SubjectContextLocked, ACCESS_MASK DesiredAccess,
                                        ACCESS_MASK PreviouslyGrantedAccess, PPRIVILEGE_SET* Privileges,
                                        PGENERIC_MAPPING GenericMapping, KPROCESSOR_MODE AccessMode,
                                        PACCESS_MASK GrantedAccess, PNTSTATUS AccessStatus)
{
    (void)SubjectContextLocked;
    if (Privileges != nullptr) {
        *Privileges = nullptr;  // privileges used are not reported
    }
    static const GENERIC_MAPPING kNoMapping{};
    const GENERIC_MAPPING& mapping = GenericMapping ? *GenericMapping : kNoMapping;

    if (AccessMode == KernelMode) {
        // Kernel-mode requests are not checked: every right asked for is granted.
        ACCESS_MASK desired = DesiredAccess;
        RtlMapGenericMask(&desired, &mapping);
        ACCESS_MASK granted = desired & ~MAXIMUM_ALLOWED;
        if (desired & MAXIMUM_ALLOWED) {
            granted |= mapping.GenericAll;
        }
        ACCESS_MASK previous = PreviouslyGrantedAccess;
        RtlMapGenericMask(&previous, &mapping);
        *GrantedAccess = granted | previous;
        *AccessStatus = STATUS_SUCCESS;
        return TRUE;
    }

    // Unlike the object manager's internal check, the DDI treats a missing descriptor as no access,
    // and a request for nothing succeeds only with rights already granted.
    if (SecurityDescriptor == nullptr) {
        *GrantedAccess = 0;
        *AccessStatus = STATUS_ACCESS_DENIED;
        return FALSE;
    }
    if (DesiredAccess == 0) {
        *GrantedAccess = PreviouslyGrantedAccess;
        *AccessStatus = PreviouslyGrantedAccess ? STATUS_SUCCESS : STATUS_ACCESS_DENIED;
        return PreviouslyGrantedAccess ? TRUE : FALSE;
    }
    std::shared_ptr<Token> fallback;
    Token* token = effective_token(SubjectSecurityContext);
    if (token == nullptr) {
        fallback = ntio::se::current_effective_token();
        token = fallback.get();
    }
    ACCESS_MASK granted = 0;
    const NTSTATUS status = ntio::se::access_check(SecurityDescriptor, *token, DesiredAccess, PreviouslyGrantedAccess,
                                                   mapping, &granted);
    *GrantedAccess = granted;
    *AccessStatus = status;
    return NT_SUCCESS(status) ? TRUE : FALSE;
}

NTKERNELAPI VOID NTAPI SeFreePrivileges(PPRIVILEGE_SET Privileges)
{
    // SeAccessCheck never hands out a privilege set, so there is normally nothing to free.
    if (Privileges != nullptr) {
        ExFreePool(Privileges);
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seprivilegecheck
NTKERNELAPI BOOLEAN NTAPI SePrivilegeCheck(PPRIVILEGE_SET RequiredPrivileges,
                                           PSECURITY_SUBJECT_CONTEXT SubjectSecurityContext,
                                           KPROCESSOR_MODE AccessMode)
{
    if (RequiredPrivileges == nullptr) {
        return FALSE;
    }
    if (AccessMode == KernelMode) {
        return TRUE;
    }
    std::shared_ptr<Token> fallback;
    Token* token = effective_token(SubjectSecurityContext);
    if (token == nullptr) {
        fallback = ntio::se::current_effective_token();
        token = fallback.get();
    }
    ULONG held = 0;
    for (ULONG i = 0; i < RequiredPrivileges->PrivilegeCount; ++i) {
        LUID_AND_ATTRIBUTES& privilege = RequiredPrivileges->Privilege[i];
        if (privilege.Luid.HighPart == 0 && token->privilege_enabled(privilege.Luid.LowPart)) {
            privilege.Attributes |= SE_PRIVILEGE_USED_FOR_ACCESS;
            ++held;
        }
    }
    if (RequiredPrivileges->Control & PRIVILEGE_SET_ALL_NECESSARY) {
        return held == RequiredPrivileges->PrivilegeCount ? TRUE : FALSE;
    }
    return held != 0 ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-sesingleprivilegecheck
NTKERNELAPI BOOLEAN NTAPI SeSinglePrivilegeCheck(LUID PrivilegeValue, KPROCESSOR_MODE PreviousMode)
{
    if (PreviousMode == KernelMode) {
        return TRUE;
    }
    if (PrivilegeValue.HighPart != 0) {
        return FALSE;
    }
    return ntio::se::current_effective_token()->privilege_enabled(PrivilegeValue.LowPart) ? TRUE : FALSE;
}

}  // extern "C"
