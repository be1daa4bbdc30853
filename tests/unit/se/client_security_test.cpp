// Client security contexts through the DDK surface: what SeCreateClientSecurity(FromSubjectContext)
// captures (a reference for dynamic tracking, a copy at the asked level for static tracking or a
// remote server), the documented STATUS_BAD_IMPERSONATION_LEVEL cases, and SeImpersonateClient(Ex).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-secreateclientsecurity
#include <gtest/gtest.h>

#include <ntifs.h>

#include "support/system_fixture.hpp"

namespace client_security_test {
namespace {

SECURITY_QUALITY_OF_SERVICE qos(SECURITY_IMPERSONATION_LEVEL level, BOOLEAN tracking, BOOLEAN effective_only = FALSE)
{
    SECURITY_QUALITY_OF_SERVICE q{};
    q.Length = sizeof(q);
    q.ImpersonationLevel = level;
    q.ContextTrackingMode = tracking;
    q.EffectiveOnly = effective_only;
    return q;
}

LUID token_id(PACCESS_TOKEN token)
{
    PVOID info = nullptr;
    EXPECT_EQ(SeQueryInformationToken(token, TokenStatistics, &info), STATUS_SUCCESS);
    LUID id{};
    if (info) {
        id = static_cast<PTOKEN_STATISTICS>(info)->TokenId;
        ExFreePool(info);
    }
    return id;
}

bool same(LUID a, LUID b) { return a.LowPart == b.LowPart && a.HighPart == b.HighPart; }

class ClientSecurityTest : public ntio::test::SystemTest {
protected:
    void SetUp() override
    {
        SystemTest::SetUp();
        ASSERT_EQ(PsLookupProcessByProcessId(reinterpret_cast<HANDLE>(4), &m_system_process), STATUS_SUCCESS);
        m_system_token = PsReferencePrimaryToken(m_system_process);
        ASSERT_NE(m_system_token, nullptr);
        m_own_token = PsReferencePrimaryToken(PsGetCurrentProcess());
        ASSERT_NE(m_own_token, nullptr);
    }
    void TearDown() override
    {
        PsRevertToSelf();
        if (m_own_token) PsDereferencePrimaryToken(m_own_token);
        if (m_system_token) PsDereferencePrimaryToken(m_system_token);
        if (m_system_process) ObDereferenceObject(m_system_process);
        SystemTest::TearDown();
    }
    PEPROCESS m_system_process = nullptr;
    PACCESS_TOKEN m_system_token = nullptr;
    PACCESS_TOKEN m_own_token = nullptr;
};

TEST_F(ClientSecurityTest, layout_is_the_x64_one)
{
    static_assert(sizeof(TOKEN_CONTROL) == 40);
    static_assert(FIELD_OFFSET(SECURITY_CLIENT_CONTEXT, ClientToken) == 16);
    static_assert(FIELD_OFFSET(SECURITY_CLIENT_CONTEXT, DirectlyAccessClientToken) == 24);
    static_assert(FIELD_OFFSET(SECURITY_CLIENT_CONTEXT, ServerIsRemote) == 26);
    static_assert(FIELD_OFFSET(SECURITY_CLIENT_CONTEXT, ClientTokenControl) == 28);
    SUCCEED();
}

TEST_F(ClientSecurityTest, dynamic_local_tracking_refers_to_the_clients_primary_token)
{
    SECURITY_QUALITY_OF_SERVICE q = qos(SecurityImpersonation, SECURITY_DYNAMIC_TRACKING);
    SECURITY_CLIENT_CONTEXT context{};
    ASSERT_EQ(SeCreateClientSecurity(PsGetCurrentThread(), &q, FALSE, &context), STATUS_SUCCESS);
    EXPECT_EQ(context.ClientToken, m_own_token);
    EXPECT_TRUE(context.DirectlyAccessClientToken);
    EXPECT_FALSE(context.ServerIsRemote);
    EXPECT_EQ(context.SecurityQos.ImpersonationLevel, SecurityImpersonation);
    EXPECT_TRUE(same(context.ClientTokenControl.TokenId, token_id(m_own_token)));
    SeDeleteClientSecurity(&context);
}

TEST_F(ClientSecurityTest, static_tracking_and_remote_servers_get_a_copy_at_the_asked_level)
{
    for (BOOLEAN remote : {BOOLEAN{FALSE}, BOOLEAN{TRUE}}) {
        SECURITY_QUALITY_OF_SERVICE q = qos(SecurityIdentification,
                                            remote ? SECURITY_DYNAMIC_TRACKING : SECURITY_STATIC_TRACKING, TRUE);
        SECURITY_CLIENT_CONTEXT context{};
        ASSERT_EQ(SeCreateClientSecurity(PsGetCurrentThread(), &q, remote, &context), STATUS_SUCCESS);
        ASSERT_NE(context.ClientToken, nullptr);
        EXPECT_NE(context.ClientToken, m_own_token);
        EXPECT_FALSE(context.DirectlyAccessClientToken);
        EXPECT_EQ(context.ServerIsRemote, remote);
        EXPECT_EQ(SeTokenType(context.ClientToken), TokenImpersonation);
        EXPECT_EQ(SeTokenImpersonationLevel(context.ClientToken), SecurityIdentification);
        EXPECT_FALSE(same(token_id(context.ClientToken), token_id(m_own_token)));
        EXPECT_TRUE(same(context.ClientTokenControl.TokenId, token_id(context.ClientToken)));
        LUID own_session{}, copy_session{};
        ASSERT_EQ(SeQueryAuthenticationIdToken(m_own_token, &own_session), STATUS_SUCCESS);
        ASSERT_EQ(SeQueryAuthenticationIdToken(context.ClientToken, &copy_session), STATUS_SUCCESS);
        EXPECT_TRUE(same(own_session, copy_session));
        SeDeleteClientSecurity(&context);
    }
}

TEST_F(ClientSecurityTest, a_client_impersonating_below_impersonation_level_cannot_be_passed_on)
{
    PETHREAD self = PsGetCurrentThread();
    SECURITY_QUALITY_OF_SERVICE q = qos(SecurityImpersonation, SECURITY_DYNAMIC_TRACKING);
    SECURITY_CLIENT_CONTEXT context{};
    for (SECURITY_IMPERSONATION_LEVEL low : {SecurityAnonymous, SecurityIdentification}) {
        ASSERT_EQ(PsImpersonateClient(self, m_system_token, FALSE, FALSE, low), STATUS_SUCCESS);
        EXPECT_EQ(SeCreateClientSecurity(self, &q, FALSE, &context), STATUS_BAD_IMPERSONATION_LEVEL);
    }
    // Remote servers need delegation level.
    ASSERT_EQ(PsImpersonateClient(self, m_system_token, FALSE, FALSE, SecurityImpersonation), STATUS_SUCCESS);
    EXPECT_EQ(SeCreateClientSecurity(self, &q, TRUE, &context), STATUS_BAD_IMPERSONATION_LEVEL);
    ASSERT_EQ(SeCreateClientSecurity(self, &q, FALSE, &context), STATUS_SUCCESS);
    EXPECT_EQ(context.ClientToken, m_system_token);  // the client's effective token
    SeDeleteClientSecurity(&context);
    ASSERT_EQ(PsImpersonateClient(self, m_system_token, FALSE, TRUE, SecurityDelegation), STATUS_SUCCESS);
    ASSERT_EQ(SeCreateClientSecurity(self, &q, TRUE, &context), STATUS_SUCCESS);
    EXPECT_NE(context.ClientToken, m_system_token);
    SeDeleteClientSecurity(&context);
}

TEST_F(ClientSecurityTest, impersonate_client_makes_the_server_act_with_the_clients_token)
{
    // The client context is SYSTEM's, captured from a subject context of a thread impersonating it.
    PETHREAD self = PsGetCurrentThread();
    ASSERT_EQ(PsImpersonateClient(self, m_system_token, FALSE, TRUE, SecurityImpersonation), STATUS_SUCCESS);
    SECURITY_SUBJECT_CONTEXT subject;
    SeCaptureSubjectContext(&subject);
    PsRevertToSelf();
    SECURITY_QUALITY_OF_SERVICE q = qos(SecurityImpersonation, SECURITY_DYNAMIC_TRACKING, TRUE);
    SECURITY_CLIENT_CONTEXT context{};
    ASSERT_EQ(SeCreateClientSecurityFromSubjectContext(&subject, &q, FALSE, &context), STATUS_SUCCESS);
    SeReleaseSubjectContext(&subject);
    EXPECT_EQ(context.ClientToken, m_system_token);

    BOOLEAN copy = FALSE, effective = FALSE;
    SECURITY_IMPERSONATION_LEVEL level = SecurityAnonymous;
    EXPECT_EQ(PsReferenceImpersonationToken(self, &copy, &effective, &level), nullptr);
    ASSERT_EQ(SeImpersonateClientEx(&context, nullptr), STATUS_SUCCESS);
    PACCESS_TOKEN now = PsReferenceImpersonationToken(self, &copy, &effective, &level);
    EXPECT_EQ(now, m_system_token);
    EXPECT_EQ(level, SecurityImpersonation);
    PsDereferenceImpersonationToken(now);
    PsRevertToSelf();

    SeImpersonateClient(&context, self);
    now = PsReferenceImpersonationToken(self, &copy, &effective, &level);
    EXPECT_EQ(now, m_system_token);
    PsDereferenceImpersonationToken(now);
    PsRevertToSelf();
    SeDeleteClientSecurity(&context);

    // A subject context without a client token captures the primary one.
    SeCaptureSubjectContext(&subject);
    ASSERT_EQ(SeCreateClientSecurityFromSubjectContext(&subject, &q, FALSE, &context), STATUS_SUCCESS);
    EXPECT_EQ(context.ClientToken, m_own_token);
    SeDeleteClientSecurity(&context);
    SeReleaseSubjectContext(&subject);
}

TEST_F(ClientSecurityTest, bad_parameters_fail_without_touching_anything)
{
    SECURITY_QUALITY_OF_SERVICE q = qos(SecurityImpersonation, SECURITY_DYNAMIC_TRACKING);
    SECURITY_CLIENT_CONTEXT context{};
    EXPECT_EQ(SeCreateClientSecurity(nullptr, &q, FALSE, &context), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(SeCreateClientSecurity(PsGetCurrentThread(), nullptr, FALSE, &context), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(SeCreateClientSecurityFromSubjectContext(nullptr, &q, FALSE, &context), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(context.ClientToken, nullptr);
    EXPECT_EQ(SeImpersonateClientEx(&context, nullptr), STATUS_INVALID_PARAMETER);
}

}  // namespace
}  // namespace client_security_test
