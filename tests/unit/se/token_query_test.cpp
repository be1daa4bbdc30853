// Token queries through the DDK surface: SeQueryInformationToken on the process's primary token,
// the single-value Se queries, token handles and ZwQueryInformationToken's buffer rules.
#include <gtest/gtest.h>

#include <ntifs.h>
#include <ntio/ntapi.h>

#include <cstring>

#include "support/system_fixture.hpp"

namespace token_query_test {
namespace {

class TokenQueryTest : public ntio::test::SystemTest {
protected:
    void SetUp() override
    {
        SystemTest::SetUp();
        m_token = PsReferencePrimaryToken(PsGetCurrentProcess());
        ASSERT_NE(m_token, nullptr);
    }
    void TearDown() override
    {
        PsDereferencePrimaryToken(m_token);
        SystemTest::TearDown();
    }
    PACCESS_TOKEN m_token = nullptr;
};

// The SID of the caller's user as the subject context's token reports it through TokenUser.
TEST_F(TokenQueryTest, user_owner_and_groups_describe_the_process_token)
{
    PVOID info = nullptr;
    ASSERT_EQ(SeQueryInformationToken(m_token, TokenUser, &info), STATUS_SUCCESS);
    auto* user = static_cast<PTOKEN_USER>(info);
    ASSERT_TRUE(RtlValidSid(user->User.Sid));
    // The interactive user is S-1-5-21-...-1001, not SYSTEM.
    EXPECT_FALSE(RtlEqualSid(user->User.Sid, SeExports->SeLocalSystemSid));
    EXPECT_EQ(*RtlSubAuthoritySid(user->User.Sid, *RtlSubAuthorityCountSid(user->User.Sid) - 1), 1001u);

    PVOID owner_info = nullptr;
    ASSERT_EQ(SeQueryInformationToken(m_token, TokenOwner, &owner_info), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(static_cast<PTOKEN_OWNER>(owner_info)->Owner, user->User.Sid));

    PVOID groups_info = nullptr;
    ASSERT_EQ(SeQueryInformationToken(m_token, TokenGroups, &groups_info), STATUS_SUCCESS);
    auto* groups = static_cast<PTOKEN_GROUPS>(groups_info);
    bool everyone = false, admins = false;
    for (ULONG i = 0; i < groups->GroupCount; ++i) {
        ASSERT_TRUE(RtlValidSid(groups->Groups[i].Sid));
        everyone |= RtlEqualSid(groups->Groups[i].Sid, SeExports->SeWorldSid) != FALSE;
        admins |= RtlEqualSid(groups->Groups[i].Sid, SeExports->SeAliasAdminsSid) != FALSE;
    }
    EXPECT_TRUE(everyone);
    EXPECT_EQ(admins, SeTokenIsAdmin(m_token) != FALSE);
    ExFreePool(info);
    ExFreePool(owner_info);
    ExFreePool(groups_info);
}

TEST_F(TokenQueryTest, privileges_follow_the_privilege_checks)
{
    PVOID info = nullptr;
    ASSERT_EQ(SeQueryInformationToken(m_token, TokenPrivileges, &info), STATUS_SUCCESS);
    auto* privileges = static_cast<PTOKEN_PRIVILEGES>(info);
    ASSERT_GT(privileges->PrivilegeCount, 0u);
    bool change_notify = false;
    for (ULONG i = 0; i < privileges->PrivilegeCount; ++i) {
        const LUID luid = privileges->Privileges[i].Luid;
        if (RtlEqualLuid(&luid, &SeExports->SeChangeNotifyPrivilege)) {
            change_notify = (privileges->Privileges[i].Attributes & SE_PRIVILEGE_ENABLED) != 0;
        }
        // Every privilege listed as enabled passes the user-mode single privilege check.
        if (privileges->Privileges[i].Attributes & SE_PRIVILEGE_ENABLED) {
            EXPECT_TRUE(SeSinglePrivilegeCheck(luid, UserMode));
        } else {
            EXPECT_FALSE(SeSinglePrivilegeCheck(luid, UserMode));
        }
    }
    EXPECT_TRUE(change_notify);
    ExFreePool(info);
}

TEST_F(TokenQueryTest, fixed_size_classes_and_shortcuts_agree)
{
    PVOID info = nullptr;
    ASSERT_EQ(SeQueryInformationToken(m_token, TokenType, &info), STATUS_SUCCESS);
    EXPECT_EQ(*static_cast<TOKEN_TYPE*>(info), TokenPrimary);
    EXPECT_EQ(SeTokenType(m_token), TokenPrimary);
    ExFreePool(info);

    // A primary token has no impersonation level.
    EXPECT_EQ(SeQueryInformationToken(m_token, TokenImpersonationLevel, &info), STATUS_INVALID_INFO_CLASS);

    ASSERT_EQ(SeQueryInformationToken(m_token, TokenStatistics, &info), STATUS_SUCCESS);
    auto* statistics = static_cast<PTOKEN_STATISTICS>(info);
    LUID authentication{};
    ASSERT_EQ(SeQueryAuthenticationIdToken(m_token, &authentication), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualLuid(&statistics->AuthenticationId, &authentication));
    const LUID system_luid = SYSTEM_LUID;
    EXPECT_FALSE(RtlEqualLuid(&authentication, &system_luid));
    EXPECT_FALSE(RtlIsZeroLuid(&statistics->TokenId));
    EXPECT_EQ(statistics->TokenType, TokenPrimary);
    PVOID groups = nullptr;
    ASSERT_EQ(SeQueryInformationToken(m_token, TokenGroups, &groups), STATUS_SUCCESS);
    EXPECT_EQ(statistics->GroupCount, static_cast<PTOKEN_GROUPS>(groups)->GroupCount);
    ExFreePool(groups);
    ExFreePool(info);

    // TokenSessionId and TokenIntegrityLevel store a ULONG in place, no buffer.
    ULONG session = 0xFFFFFFFF;
    ASSERT_EQ(SeQueryInformationToken(m_token, TokenSessionId, reinterpret_cast<PVOID*>(&session)), STATUS_SUCCESS);
    ULONG session_shortcut = 0xFFFFFFFF;
    ASSERT_EQ(SeQuerySessionIdToken(m_token, &session_shortcut), STATUS_SUCCESS);
    EXPECT_EQ(session, session_shortcut);
    ULONG integrity = 0;
    ASSERT_EQ(SeQueryInformationToken(m_token, TokenIntegrityLevel, reinterpret_cast<PVOID*>(&integrity)),
              STATUS_SUCCESS);
    EXPECT_EQ(integrity, SeTokenIsAdmin(m_token) ? ULONG{SECURITY_MANDATORY_HIGH_RID}
                                                 : ULONG{SECURITY_MANDATORY_MEDIUM_RID});

    ASSERT_EQ(SeQueryInformationToken(m_token, TokenIsAppContainer, &info), STATUS_SUCCESS);
    EXPECT_EQ(*static_cast<PULONG>(info), 0u);
    ExFreePool(info);
    ASSERT_EQ(SeQueryInformationToken(m_token, TokenElevation, &info), STATUS_SUCCESS);
    EXPECT_EQ(static_cast<PTOKEN_ELEVATION>(info)->TokenIsElevated != 0, SeTokenIsAdmin(m_token) != FALSE);
    ExFreePool(info);
    EXPECT_FALSE(SeTokenIsRestricted(m_token));

    EXPECT_EQ(SeQueryInformationToken(m_token, TokenLinkedToken, &info), STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(SeQueryInformationToken(m_token, static_cast<TOKEN_INFORMATION_CLASS>(0), &info),
              STATUS_INVALID_INFO_CLASS);
}

TEST_F(TokenQueryTest, default_dacl_grants_the_user)
{
    PVOID info = nullptr;
    ASSERT_EQ(SeQueryInformationToken(m_token, TokenDefaultDacl, &info), STATUS_SUCCESS);
    PACL dacl = static_cast<PTOKEN_DEFAULT_DACL>(info)->DefaultDacl;
    ASSERT_NE(dacl, nullptr);
    ASSERT_TRUE(RtlValidAcl(dacl));
    PVOID user_info = nullptr;
    ASSERT_EQ(SeQueryInformationToken(m_token, TokenUser, &user_info), STATUS_SUCCESS);
    bool user_allowed = false;
    for (ULONG i = 0; i < dacl->AceCount; ++i) {
        PVOID ace = nullptr;
        ASSERT_EQ(RtlGetAce(dacl, i, &ace), STATUS_SUCCESS);
        auto* allowed = static_cast<PACCESS_ALLOWED_ACE>(ace);
        if (allowed->Header.AceType == ACCESS_ALLOWED_ACE_TYPE &&
            RtlEqualSid(&allowed->SidStart, static_cast<PTOKEN_USER>(user_info)->User.Sid)) {
            user_allowed = true;
        }
    }
    EXPECT_TRUE(user_allowed);
    ExFreePool(user_info);
    ExFreePool(info);
}

TEST_F(TokenQueryTest, token_handle_query_reports_sizes_and_matches_the_pointer_form)
{
    HANDLE token = nullptr;
    ASSERT_EQ(ZwOpenProcessTokenEx(ZwCurrentProcess(), TOKEN_QUERY, OBJ_KERNEL_HANDLE, &token), STATUS_SUCCESS);
    ULONG needed = 0;
    EXPECT_EQ(ZwQueryInformationToken(token, TokenUser, nullptr, 0, &needed), STATUS_BUFFER_TOO_SMALL);
    ASSERT_GT(needed, sizeof(TOKEN_USER));
    alignas(8) unsigned char small[sizeof(TOKEN_USER)];
    ULONG again = 0;
    EXPECT_EQ(ZwQueryInformationToken(token, TokenUser, small, sizeof(small), &again), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(again, needed);
    alignas(8) unsigned char buffer[256];
    ASSERT_LE(needed, sizeof(buffer));
    ULONG written = 0;
    ASSERT_EQ(ZwQueryInformationToken(token, TokenUser, buffer, sizeof(buffer), &written), STATUS_SUCCESS);
    EXPECT_EQ(written, needed);
    PVOID info = nullptr;
    ASSERT_EQ(SeQueryInformationToken(m_token, TokenUser, &info), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(reinterpret_cast<PTOKEN_USER>(buffer)->User.Sid, static_cast<PTOKEN_USER>(info)->User.Sid));
    ExFreePool(info);

    // The service form of TokenIntegrityLevel is a TOKEN_MANDATORY_LABEL.
    ASSERT_EQ(ZwQueryInformationToken(token, TokenIntegrityLevel, buffer, sizeof(buffer), &written), STATUS_SUCCESS);
    auto* label = reinterpret_cast<PTOKEN_MANDATORY_LABEL>(buffer);
    EXPECT_TRUE(label->Label.Attributes & SE_GROUP_INTEGRITY);
    EXPECT_TRUE(RtlEqualSid(label->Label.Sid, SeExports->SeMediumMandatorySid) ||
                RtlEqualSid(label->Label.Sid, SeExports->SeHighMandatorySid));

    // The object behind the handle is accepted as a PACCESS_TOKEN.
    PVOID object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(token, TOKEN_QUERY, *SeTokenObjectType, KernelMode, &object, nullptr),
              STATUS_SUCCESS);
    LUID from_object{}, from_process{};
    ASSERT_EQ(SeQueryAuthenticationIdToken(object, &from_object), STATUS_SUCCESS);
    ASSERT_EQ(SeQueryAuthenticationIdToken(m_token, &from_process), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualLuid(&from_object, &from_process));
    ObDereferenceObject(object);

    EXPECT_EQ(ZwQueryInformationToken(token, TokenLogonSid, buffer, sizeof(buffer), &written),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(ZwClose(token), STATUS_SUCCESS);
}

TEST_F(TokenQueryTest, token_handle_access_and_type_are_checked)
{
    HANDLE token = nullptr;
    // Opened by the user for TOKEN_QUERY_SOURCE only: TOKEN_QUERY classes are refused.
    ASSERT_EQ(NtOpenProcessTokenEx(NtCurrentProcess(), TOKEN_QUERY_SOURCE, 0, &token), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[128];
    ULONG written = 0;
    EXPECT_EQ(NtQueryInformationToken(token, TokenUser, buffer, sizeof(buffer), &written), STATUS_ACCESS_DENIED);
    ASSERT_EQ(NtQueryInformationToken(token, TokenSource, buffer, sizeof(buffer), &written), STATUS_SUCCESS);
    EXPECT_EQ(written, sizeof(TOKEN_SOURCE));
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);

    HANDLE event = nullptr;
    ASSERT_EQ(ZwCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(ZwQueryInformationToken(event, TokenUser, buffer, sizeof(buffer), &written),
              STATUS_OBJECT_TYPE_MISMATCH);
    ZwClose(event);

    // The thread does not impersonate: it has no thread token.
    EXPECT_EQ(ZwOpenThreadTokenEx(ZwCurrentThread(), TOKEN_QUERY, TRUE, OBJ_KERNEL_HANDLE, &token), STATUS_NO_TOKEN);
}

TEST_F(TokenQueryTest, allocated_luids_are_unique)
{
    LUID a{}, b{};
    ASSERT_EQ(ZwAllocateLocallyUniqueId(&a), STATUS_SUCCESS);
    ASSERT_EQ(ZwAllocateLocallyUniqueId(&b), STATUS_SUCCESS);
    EXPECT_FALSE(RtlEqualLuid(&a, &b));
    EXPECT_FALSE(RtlIsZeroLuid(&a));
}

}  // namespace
}  // namespace token_query_test
