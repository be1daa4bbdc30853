// Thread impersonation: PsImpersonateClient, PsAssignImpersonationToken and PsRevertToSelf set or
// clear the client token a thread acts with; PsReferenceImpersonationToken reads it; PsDisableImpersonation and
// PsRestoreImpersonation set it aside and back. SeCaptureSubjectContext and the object manager's
// access check find it through the resolver installed here.
#include "ob/process.hpp"

#include <ntifs.h>

#include "ke/thread.hpp"
#include "se/access_check.hpp"

namespace ntio::ob {
namespace {

_ETHREAD* current_ethread() noexcept
{
    return static_cast<_ETHREAD*>(ke::current_thread_if_any());
}

struct Impersonation {
    std::shared_ptr<se::Token> token;
    SECURITY_IMPERSONATION_LEVEL level = SecurityAnonymous;
    bool copy_on_open = false;
    bool effective_only = false;
};

Impersonation read(_ETHREAD* thread)
{
    std::lock_guard guard(thread->m_impersonation_lock);
    return {thread->m_impersonation_token, thread->m_impersonation_level, thread->m_copy_on_open,
            thread->m_effective_only};
}

// Replaces the thread's impersonation; the previous token is released after the lock is dropped.
void write(_ETHREAD* thread, Impersonation next)
{
    std::shared_ptr<se::Token> previous;
    {
        std::lock_guard guard(thread->m_impersonation_lock);
        previous = std::exchange(thread->m_impersonation_token, std::move(next.token));
        thread->m_impersonation_level = next.level;
        thread->m_copy_on_open = next.copy_on_open;
        thread->m_effective_only = next.effective_only;
    }
}

}  // namespace

std::shared_ptr<se::Token> current_impersonation(SECURITY_IMPERSONATION_LEVEL* level)
{
    _ETHREAD* thread = current_ethread();
    if (!thread) return nullptr;
    Impersonation state = read(thread);
    if (state.token) *level = state.level;
    return state.token;
}
}  // namespace ntio::ob

using namespace ntio;

extern "C" {

// Makes Thread act with Token (a primary or impersonation token) at ImpersonationLevel until it
// reverts; a NULL Token ends the impersonation. The thread keeps its own reference on the token.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psimpersonateclient
// NT deviation: the caller's right to impersonate the token's user (SeImpersonatePrivilege or the
// same user) is not checked, so the level is never lowered to SecurityIdentification.
NTSTATUS NTAPI PsImpersonateClient(PETHREAD Thread, PACCESS_TOKEN Token, BOOLEAN CopyOnOpen, BOOLEAN EffectiveOnly,
                                   SECURITY_IMPERSONATION_LEVEL ImpersonationLevel)
{
    if (!Thread) return STATUS_INVALID_PARAMETER;
    if (!Token) {
        ob::write(Thread, {});
        return STATUS_SUCCESS;
    }
    if (!VALID_IMPERSONATION_LEVEL(ImpersonationLevel)) return STATUS_BAD_IMPERSONATION_LEVEL;
    se::Token* token = se::token_from(Token);
    ob::write(Thread, {token->shared_from_this(), ImpersonationLevel, CopyOnOpen != FALSE, EffectiveOnly != FALSE});
    return STATUS_SUCCESS;
}

// Makes Thread impersonate the token a handle names (TOKEN_IMPERSONATE, checked in the caller's
// previous mode) at the token's own impersonation level; a NULL Token ends the impersonation. A
// primary token is STATUS_BAD_TOKEN_TYPE.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psassignimpersonationtoken
NTSTATUS NTAPI PsAssignImpersonationToken(PETHREAD Thread, HANDLE Token)
{
    if (!Thread) return STATUS_INVALID_PARAMETER;
    if (!Token) {
        ob::write(Thread, {});
        return STATUS_SUCCESS;
    }
    PVOID object = nullptr;
    NTSTATUS status =
        ObReferenceObjectByHandle(Token, TOKEN_IMPERSONATE, *SeTokenObjectType, ExGetPreviousMode(), &object, nullptr);
    if (!NT_SUCCESS(status)) return status;
    std::shared_ptr<se::Token> token = static_cast<se::TokenObjectBody*>(object)->token;
    ObDereferenceObject(object);
    if (token->type() != TokenImpersonation) return STATUS_BAD_TOKEN_TYPE;
    const SECURITY_IMPERSONATION_LEVEL level = token->impersonation_level();
    ob::write(Thread, {std::move(token), level, false, false});
    return STATUS_SUCCESS;
}

// Ends the calling thread's impersonation; it acts with its process's token again.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psreverttoself
VOID NTAPI PsRevertToSelf(VOID)
{
    if (_ETHREAD* thread = ob::current_ethread()) ob::write(thread, {});
}

// The thread's impersonation token with a reference the caller drops with
// PsDereferenceImpersonationToken, and how it impersonates; NULL when it does not impersonate.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psreferenceimpersonationtoken
PACCESS_TOKEN NTAPI PsReferenceImpersonationToken(PETHREAD Thread, PBOOLEAN CopyOnOpen, PBOOLEAN EffectiveOnly,
                                                  PSECURITY_IMPERSONATION_LEVEL ImpersonationLevel)
{
    if (!Thread) return nullptr;
    ob::Impersonation state = ob::read(Thread);
    if (!state.token) return nullptr;
    if (CopyOnOpen) *CopyOnOpen = state.copy_on_open;
    if (EffectiveOnly) *EffectiveOnly = state.effective_only;
    if (ImpersonationLevel) *ImpersonationLevel = state.level;
    state.token->pin();
    return state.token.get();
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psdereferenceimpersonationtoken
// NT deviation: tokens are not objects; this drops the reference PsReferenceImpersonationToken took
// (ObDereferenceObject would not).
VOID NTAPI PsDereferenceImpersonationToken(PACCESS_TOKEN ImpersonationToken)
{
    if (se::Token* token = se::token_from(ImpersonationToken)) token->unpin();
}

// Sets the thread's impersonation aside in ImpersonationState (which keeps the token referenced)
// so that it acts with its process's token until PsRestoreImpersonation. TRUE when the thread was
// impersonating; FALSE (and a NULL state token) when there was nothing to disable.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psdisableimpersonation
BOOLEAN NTAPI PsDisableImpersonation(PETHREAD Thread, PSE_IMPERSONATION_STATE ImpersonationState)
{
    if (!Thread || !ImpersonationState) return FALSE;
    ob::Impersonation state = ob::read(Thread);
    ImpersonationState->Token = nullptr;
    ImpersonationState->CopyOnOpen = FALSE;
    ImpersonationState->EffectiveOnly = FALSE;
    ImpersonationState->Level = SecurityAnonymous;
    if (!state.token) return FALSE;
    state.token->pin();
    ImpersonationState->Token = state.token.get();
    ImpersonationState->CopyOnOpen = state.copy_on_open;
    ImpersonationState->EffectiveOnly = state.effective_only;
    ImpersonationState->Level = state.level;
    ob::write(Thread, {});
    return TRUE;
}

// Puts back what PsDisableImpersonation saved and drops the state's token reference.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-psrestoreimpersonation
VOID NTAPI PsRestoreImpersonation(PETHREAD Thread, PSE_IMPERSONATION_STATE ImpersonationState)
{
    if (!Thread || !ImpersonationState || !ImpersonationState->Token) return;
    se::Token* token = se::token_from(ImpersonationState->Token);
    ob::write(Thread, {token->shared_from_this(), ImpersonationState->Level, ImpersonationState->CopyOnOpen != FALSE,
                       ImpersonationState->EffectiveOnly != FALSE});
    ImpersonationState->Token = nullptr;
    token->unpin();
}

}  // extern "C"
