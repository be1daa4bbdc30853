// Client security contexts: a server captures the security context of the client it acts for
// (SeCreateClientSecurity*), impersonates it later on any thread (SeImpersonateClient*), and
// releases it with the SeDeleteClientSecurity macro of ntifs.h.
#include "se/token.hpp"

#include <ntio_ddk/ob.h>
#include <ntio_ddk/se_token.h>

namespace {

using ntio::se::Token;

// The token the context holds, pinned once: SeDeleteClientSecurity releases it with the
// dereference routine its type calls for, both of which unpin.
struct Effective {
    Token* token = nullptr;
    bool impersonating = false;
    SECURITY_IMPERSONATION_LEVEL level = SecurityAnonymous;
    bool effective_only = false;
};

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-secreateclientsecurity
// Dynamic tracking of a local client refers to its effective token; static tracking or a remote
// server gets a copy, an impersonation token at the level the quality of service asks.
NTSTATUS create_context(const Effective& client, PSECURITY_QUALITY_OF_SERVICE qos, BOOLEAN remote,
                        PSECURITY_CLIENT_CONTEXT context)
{
    if (client.impersonating) {
        // A client acting for a client of its own may pass that token on only when it may be
        // impersonated, and to a remote server only at delegation level.
        if (client.level < SecurityImpersonation) return STATUS_BAD_IMPERSONATION_LEVEL;
        if (remote && client.level != SecurityDelegation) return STATUS_BAD_IMPERSONATION_LEVEL;
    }
    if (!VALID_IMPERSONATION_LEVEL(qos->ImpersonationLevel)) return STATUS_INVALID_PARAMETER;

    Token* held = nullptr;
    const bool direct = qos->ContextTrackingMode == SECURITY_DYNAMIC_TRACKING && !remote;
    if (direct) {
        held = client.token;
        held->pin();
    } else {
        std::shared_ptr<Token> copy = client.token->duplicate(TokenImpersonation, qos->ImpersonationLevel);
        copy->pin();  // the pin keeps the copy alive once this shared_ptr goes
        held = copy.get();
    }
    context->SecurityQos = *qos;
    context->SecurityQos.Length = sizeof(SECURITY_QUALITY_OF_SERVICE);
    context->ClientToken = held;
    context->DirectlyAccessClientToken = direct ? TRUE : FALSE;
    context->DirectAccessEffectiveOnly = (direct && client.effective_only) ? TRUE : FALSE;
    context->ServerIsRemote = remote ? TRUE : FALSE;
    context->ClientTokenControl.TokenId = held->token_id();
    context->ClientTokenControl.AuthenticationId = held->authentication_id();
    context->ClientTokenControl.ModifiedId = held->modified_id();
    context->ClientTokenControl.TokenSource = held->source();
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-secreateclientsecurity
NTKERNELAPI NTSTATUS NTAPI SeCreateClientSecurity(PETHREAD ClientThread, PSECURITY_QUALITY_OF_SERVICE ClientSecurityQos,
                                                  BOOLEAN RemoteSession, PSECURITY_CLIENT_CONTEXT ClientContext)
{
    if (!ClientThread || !ClientSecurityQos || !ClientContext) return STATUS_INVALID_PARAMETER;
    Effective client;
    BOOLEAN copy_on_open = FALSE, effective_only = FALSE;
    SECURITY_IMPERSONATION_LEVEL level = SecurityAnonymous;
    PACCESS_TOKEN token = PsReferenceImpersonationToken(ClientThread, &copy_on_open, &effective_only, &level);
    if (token) {
        client = {ntio::se::token_from(token), true, level, effective_only != FALSE};
    } else {
        token = PsReferencePrimaryToken(PsGetThreadProcess(ClientThread));
        if (!token) return STATUS_NO_TOKEN;
        client.token = ntio::se::token_from(token);
    }
    const NTSTATUS status = create_context(client, ClientSecurityQos, RemoteSession, ClientContext);
    // The lookup's reference goes; the context took its own.
    if (client.impersonating) {
        PsDereferenceImpersonationToken(token);
    } else {
        PsDereferencePrimaryToken(token);
    }
    return status;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-secreateclientsecurityfromsubjectcontext
NTKERNELAPI NTSTATUS NTAPI SeCreateClientSecurityFromSubjectContext(PSECURITY_SUBJECT_CONTEXT SubjectContext,
                                                                    PSECURITY_QUALITY_OF_SERVICE ClientSecurityQos,
                                                                    BOOLEAN ServerIsRemote,
                                                                    PSECURITY_CLIENT_CONTEXT ClientContext)
{
    if (!SubjectContext || !ClientSecurityQos || !ClientContext) return STATUS_INVALID_PARAMETER;
    Effective client;
    if (SubjectContext->ClientToken) {
        // The captured context does not record EffectiveOnly; it is taken as FALSE.
        client = {ntio::se::token_from(SubjectContext->ClientToken), true, SubjectContext->ImpersonationLevel, false};
    } else {
        client.token = ntio::se::token_from(SubjectContext->PrimaryToken);
    }
    if (!client.token) return STATUS_NO_TOKEN;
    return create_context(client, ClientSecurityQos, ServerIsRemote, ClientContext);
}

// Makes ServerThread (the caller's thread when NULL) impersonate the client at the level of the
// context's quality of service.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seimpersonateclientex
NTKERNELAPI NTSTATUS NTAPI SeImpersonateClientEx(PSECURITY_CLIENT_CONTEXT ClientContext, PETHREAD ServerThread)
{
    if (!ClientContext || !ClientContext->ClientToken) return STATUS_INVALID_PARAMETER;
    PETHREAD thread = ServerThread ? ServerThread : PsGetCurrentThread();
    const BOOLEAN effective_only = ClientContext->DirectlyAccessClientToken ? ClientContext->DirectAccessEffectiveOnly
                                                                            : ClientContext->SecurityQos.EffectiveOnly;
    return PsImpersonateClient(thread, ClientContext->ClientToken, TRUE, effective_only,
                               ClientContext->SecurityQos.ImpersonationLevel);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seimpersonateclient
NTKERNELAPI VOID NTAPI SeImpersonateClient(PSECURITY_CLIENT_CONTEXT ClientContext, PETHREAD ServerThread)
{
    (void)SeImpersonateClientEx(ClientContext, ServerThread);
}

}  // extern "C"
