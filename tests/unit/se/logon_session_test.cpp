// Logon session termination notification (SeRegisterLogonSessionTerminatedRoutine and friends) and
// the small token helpers of <ntifs.h>: SeLengthSid, SeTokenIsWriteRestricted,
// SeStopImpersonatingClient.
#include <gtest/gtest.h>

#include <optional>

#include <ntifs.h>
#include <ntio/ntapi.h>

#include "support/administrator_process.hpp"
#include "support/system_fixture.hpp"

namespace logon_session_test {
namespace {

int g_calls = 0;
LUID g_last{};

NTSTATUS NTAPI on_terminated(PLUID LogonId)
{
    ++g_calls;
    g_last = *LogonId;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI never_registered(PLUID) { return STATUS_SUCCESS; }

class LogonSessionTest : public ntio::test::SystemTest {
protected:
    void SetUp() override
    {
        SystemTest::SetUp();
        g_calls = 0;
        g_last = {};
        ASSERT_EQ(SeRegisterLogonSessionTerminatedRoutine(on_terminated), STATUS_SUCCESS);
    }
    void TearDown() override
    {
        EXPECT_EQ(SeUnregisterLogonSessionTerminatedRoutine(on_terminated), STATUS_SUCCESS);
        SystemTest::TearDown();
    }
    // The logon session of the current process's token.
    static LUID current_session()
    {
        PACCESS_TOKEN token = PsReferencePrimaryToken(PsGetCurrentProcess());
        LUID id{};
        EXPECT_EQ(SeQueryAuthenticationIdToken(token, &id), STATUS_SUCCESS);
        PsDereferencePrimaryToken(token);
        return id;
    }
};

TEST_F(LogonSessionTest, a_marked_session_is_reported_when_its_last_token_goes)
{
    LUID session{};
    std::optional<ntio::test::AdministratorProcess> admin;
    admin.emplace(system(), u"logon.exe");
    session = current_session();
    EXPECT_EQ(SeMarkLogonSessionForTerminationNotification(&session), STATUS_SUCCESS);
    // A duplicate shares the session and keeps it alive after the process is gone.
    HANDLE token = nullptr;
    ASSERT_EQ(ZwOpenProcessTokenEx(ZwCurrentProcess(), TOKEN_DUPLICATE, OBJ_KERNEL_HANDLE, &token), STATUS_SUCCESS);
    HANDLE copy = nullptr;
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    ASSERT_EQ(ZwDuplicateToken(token, TOKEN_QUERY, &attributes, FALSE, TokenPrimary, &copy), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(token), STATUS_SUCCESS);
    admin.reset();
    EXPECT_EQ(g_calls, 0);
    EXPECT_EQ(ZwClose(copy), STATUS_SUCCESS);
    EXPECT_EQ(g_calls, 1);
    EXPECT_TRUE(RtlEqualLuid(&g_last, &session));
    // The session is gone: it can no longer be marked.
    EXPECT_EQ(SeMarkLogonSessionForTerminationNotification(&session), STATUS_NOT_FOUND);
}

TEST_F(LogonSessionTest, an_unmarked_session_ends_silently)
{
    {
        ntio::test::AdministratorProcess admin(system(), u"quiet.exe");
    }
    EXPECT_EQ(g_calls, 0);
}

TEST_F(LogonSessionTest, registration_errors)
{
    EXPECT_EQ(SeRegisterLogonSessionTerminatedRoutine(nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(SeUnregisterLogonSessionTerminatedRoutine(nullptr), STATUS_INVALID_PARAMETER);
    // Learn: a routine with no registration "could not be found": STATUS_INSUFFICIENT_RESOURCES.
    EXPECT_EQ(SeUnregisterLogonSessionTerminatedRoutine(never_registered), STATUS_INSUFFICIENT_RESOURCES);
    // Two registrations need two unregistrations.
    ASSERT_EQ(SeRegisterLogonSessionTerminatedRoutine(never_registered), STATUS_SUCCESS);
    ASSERT_EQ(SeRegisterLogonSessionTerminatedRoutine(never_registered), STATUS_SUCCESS);
    EXPECT_EQ(SeUnregisterLogonSessionTerminatedRoutine(never_registered), STATUS_SUCCESS);
    EXPECT_EQ(SeUnregisterLogonSessionTerminatedRoutine(never_registered), STATUS_SUCCESS);
    EXPECT_EQ(SeUnregisterLogonSessionTerminatedRoutine(never_registered), STATUS_INSUFFICIENT_RESOURCES);

    LUID unknown{0x7fff0001, 0x1234};
    EXPECT_EQ(SeMarkLogonSessionForTerminationNotification(&unknown), STATUS_NOT_FOUND);
    EXPECT_EQ(SeMarkLogonSessionForTerminationNotification(nullptr), STATUS_INVALID_PARAMETER);
    // The current process's session exists.
    LUID mine = current_session();
    EXPECT_EQ(SeMarkLogonSessionForTerminationNotification(&mine), STATUS_SUCCESS);
}

TEST_F(LogonSessionTest, token_helpers)
{
    EXPECT_EQ(SeLengthSid(SeExports->SeWorldSid), RtlLengthSid(SeExports->SeWorldSid));
    EXPECT_EQ(SeLengthSid(SeExports->SeAliasAdminsSid), 16u);
    PACCESS_TOKEN token = PsReferencePrimaryToken(PsGetCurrentProcess());
    EXPECT_FALSE(SeTokenIsWriteRestricted(token));
    PsDereferencePrimaryToken(token);

    // SeStopImpersonatingClient ends the calling thread's impersonation.
    ASSERT_EQ(NtImpersonateAnonymousToken(NtCurrentThread()), STATUS_SUCCESS);
    BOOLEAN copy = FALSE, effective = FALSE;
    SECURITY_IMPERSONATION_LEVEL level{};
    PACCESS_TOKEN client = PsReferenceImpersonationToken(PsGetCurrentThread(), &copy, &effective, &level);
    ASSERT_NE(client, nullptr);
    EXPECT_EQ(level, SecurityImpersonation);
    PsDereferenceImpersonationToken(client);
    SeStopImpersonatingClient();
    EXPECT_EQ(PsReferenceImpersonationToken(PsGetCurrentThread(), &copy, &effective, &level), nullptr);
}

}  // namespace
}  // namespace logon_session_test
