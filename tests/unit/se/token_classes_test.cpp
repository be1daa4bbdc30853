// The token information classes beyond identity and defaults, through NtQueryInformationToken,
// NtSetInformationToken and the Se routines: integrity level and mandatory policy (query and set),
// the app-container, virtualization, UIAccess and origin answers, SeQueryTokenIntegrity and
// SeSetSessionIdToken.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <ntifs.h>
#include <ntio/ntapi.h>

#include "support/administrator_process.hpp"
#include "support/system_fixture.hpp"

namespace token_classes_test {
namespace {

class TokenClassesTest : public ntio::test::SystemTest {
protected:
    HANDLE open_own(ACCESS_MASK access)
    {
        HANDLE token = nullptr;
        EXPECT_EQ(NtOpenProcessToken(NtCurrentProcess(), access, &token), STATUS_SUCCESS);
        return token;
    }
    static std::vector<unsigned char> answer(HANDLE token, TOKEN_INFORMATION_CLASS cls, NTSTATUS expected = STATUS_SUCCESS)
    {
        std::vector<unsigned char> buffer(512);
        ULONG written = 0;
        EXPECT_EQ(NtQueryInformationToken(token, cls, buffer.data(), static_cast<ULONG>(buffer.size()), &written),
                  expected);
        buffer.resize(NT_SUCCESS(expected) ? written : 0);
        return buffer;
    }
    static ULONG ulong_of(HANDLE token, TOKEN_INFORMATION_CLASS cls)
    {
        std::vector<unsigned char> bytes = answer(token, cls);
        EXPECT_EQ(bytes.size(), sizeof(ULONG));
        ULONG value = 0xdead;
        if (bytes.size() >= sizeof(ULONG)) std::memcpy(&value, bytes.data(), sizeof(value));
        return value;
    }
    static ULONG integrity_of(HANDLE token)
    {
        std::vector<unsigned char> bytes = answer(token, TokenIntegrityLevel);
        auto* label = reinterpret_cast<PTOKEN_MANDATORY_LABEL>(bytes.data());
        return *RtlSubAuthoritySid(label->Label.Sid, 0);
    }
};

TEST_F(TokenClassesTest, classes_without_state_answer_what_windows_gives_a_desktop_token)
{
    HANDLE token = open_own(TOKEN_QUERY);
    EXPECT_EQ(ulong_of(token, TokenVirtualizationAllowed), 0u);
    EXPECT_EQ(ulong_of(token, TokenVirtualizationEnabled), 0u);
    EXPECT_EQ(ulong_of(token, TokenUIAccess), 0u);
    EXPECT_EQ(ulong_of(token, TokenAppContainerNumber), 0u);
    EXPECT_EQ(ulong_of(token, TokenIsAppContainer), 0u);
    EXPECT_EQ(ulong_of(token, TokenMandatoryPolicy),
              static_cast<ULONG>(TOKEN_MANDATORY_POLICY_NO_WRITE_UP | TOKEN_MANDATORY_POLICY_NEW_PROCESS_MIN));
    std::vector<unsigned char> container = answer(token, TokenAppContainerSid);
    ASSERT_EQ(container.size(), sizeof(TOKEN_APPCONTAINER_INFORMATION));
    EXPECT_EQ(reinterpret_cast<PTOKEN_APPCONTAINER_INFORMATION>(container.data())->TokenAppContainer, nullptr);
    std::vector<unsigned char> capabilities = answer(token, TokenCapabilities);
    EXPECT_EQ(reinterpret_cast<PTOKEN_GROUPS>(capabilities.data())->GroupCount, 0u);
    std::vector<unsigned char> origin = answer(token, TokenOrigin);
    ASSERT_EQ(origin.size(), sizeof(TOKEN_ORIGIN));
    const LUID system_luid = SYSTEM_LUID;
    EXPECT_TRUE(RtlEqualLuid(&reinterpret_cast<PTOKEN_ORIGIN>(origin.data())->OriginatingLogonSession, &system_luid));
    // Classes ntio has no state for stay unanswered.
    answer(token, TokenLinkedToken, STATUS_INVALID_INFO_CLASS);
    answer(token, TokenLogonSid, STATUS_INVALID_INFO_CLASS);
    // A buffer too small for a ULONG class reports the size.
    ULONG small = 0, written = 0;
    EXPECT_EQ(NtQueryInformationToken(token, TokenUIAccess, &small, 2, &written), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(written, sizeof(ULONG));
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenClassesTest, integrity_level_can_be_lowered_but_not_raised_without_tcb)
{
    HANDLE token = open_own(TOKEN_QUERY | TOKEN_ADJUST_DEFAULT);
    EXPECT_EQ(integrity_of(token), static_cast<ULONG>(SECURITY_MANDATORY_MEDIUM_RID));
    SID_IDENTIFIER_AUTHORITY mandatory = SECURITY_MANDATORY_LABEL_AUTHORITY;
    alignas(4) unsigned char low[SECURITY_MAX_SID_SIZE];
    ASSERT_EQ(RtlInitializeSid(low, &mandatory, 1), STATUS_SUCCESS);
    *RtlSubAuthoritySid(low, 0) = SECURITY_MANDATORY_LOW_RID;
    TOKEN_MANDATORY_LABEL label{{low, SE_GROUP_INTEGRITY}};
    ASSERT_EQ(NtSetInformationToken(token, TokenIntegrityLevel, &label, sizeof(label)), STATUS_SUCCESS);
    EXPECT_EQ(integrity_of(token), static_cast<ULONG>(SECURITY_MANDATORY_LOW_RID));

    // The Se form sees the same level.
    PVOID object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(token, TOKEN_QUERY, *SeTokenObjectType, KernelMode, &object, nullptr),
              STATUS_SUCCESS);
    SID_AND_ATTRIBUTES integrity{};
    ASSERT_EQ(SeQueryTokenIntegrity(object, &integrity), STATUS_SUCCESS);
    EXPECT_EQ(*RtlSubAuthoritySid(integrity.Sid, 0), static_cast<ULONG>(SECURITY_MANDATORY_LOW_RID));
    EXPECT_EQ(integrity.Attributes, static_cast<ULONG>(SE_GROUP_INTEGRITY | SE_GROUP_INTEGRITY_ENABLED));
    EXPECT_EQ(SeQueryTokenIntegrity(object, nullptr), STATUS_INVALID_PARAMETER);

    // Back up to medium needs SeTcbPrivilege, which a user lacks.
    *RtlSubAuthoritySid(low, 0) = SECURITY_MANDATORY_MEDIUM_RID;
    EXPECT_EQ(NtSetInformationToken(token, TokenIntegrityLevel, &label, sizeof(label)), STATUS_PRIVILEGE_NOT_HELD);
    EXPECT_EQ(integrity_of(token), static_cast<ULONG>(SECURITY_MANDATORY_LOW_RID));
    // Kernel mode holds every privilege.
    EXPECT_EQ(ZwSetInformationToken(token, TokenIntegrityLevel, &label, sizeof(label)), STATUS_SUCCESS);
    EXPECT_EQ(integrity_of(token), static_cast<ULONG>(SECURITY_MANDATORY_MEDIUM_RID));

    // Not a label, too short, no access.
    alignas(4) unsigned char world[SECURITY_MAX_SID_SIZE];
    SID_IDENTIFIER_AUTHORITY world_authority = SECURITY_WORLD_SID_AUTHORITY;
    ASSERT_EQ(RtlInitializeSid(world, &world_authority, 1), STATUS_SUCCESS);
    *RtlSubAuthoritySid(world, 0) = 0;
    TOKEN_MANDATORY_LABEL not_label{{world, SE_GROUP_INTEGRITY}};
    EXPECT_EQ(NtSetInformationToken(token, TokenIntegrityLevel, &not_label, sizeof(not_label)),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtSetInformationToken(token, TokenIntegrityLevel, &label, sizeof(label) - 1),
              STATUS_INFO_LENGTH_MISMATCH);
    HANDLE query_only = open_own(TOKEN_QUERY);
    EXPECT_EQ(NtSetInformationToken(query_only, TokenIntegrityLevel, &label, sizeof(label)), STATUS_ACCESS_DENIED);
    ObDereferenceObject(object);
    EXPECT_EQ(NtClose(query_only), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenClassesTest, mandatory_policy_needs_tcb_and_a_valid_mask)
{
    HANDLE token = open_own(TOKEN_QUERY | TOKEN_ADJUST_DEFAULT);
    TOKEN_MANDATORY_POLICY policy{TOKEN_MANDATORY_POLICY_OFF};
    EXPECT_EQ(NtSetInformationToken(token, TokenMandatoryPolicy, &policy, sizeof(policy)), STATUS_PRIVILEGE_NOT_HELD);
    ASSERT_EQ(ZwSetInformationToken(token, TokenMandatoryPolicy, &policy, sizeof(policy)), STATUS_SUCCESS);
    EXPECT_EQ(ulong_of(token, TokenMandatoryPolicy), static_cast<ULONG>(TOKEN_MANDATORY_POLICY_OFF));
    policy.Policy = 0x4;
    EXPECT_EQ(ZwSetInformationToken(token, TokenMandatoryPolicy, &policy, sizeof(policy)), STATUS_INVALID_PARAMETER);
    // What ntio still cannot set.
    ULONG on = 1;
    EXPECT_EQ(NtSetInformationToken(token, TokenVirtualizationEnabled, &on, sizeof(on)), STATUS_NOT_IMPLEMENTED);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenClassesTest, se_set_session_id_token_moves_the_token)
{
    HANDLE token = open_own(TOKEN_QUERY);
    PVOID object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(token, TOKEN_QUERY, *SeTokenObjectType, KernelMode, &object, nullptr),
              STATUS_SUCCESS);
    ASSERT_EQ(SeSetSessionIdToken(object, 7), STATUS_SUCCESS);
    ULONG session = 0;
    ASSERT_EQ(SeQuerySessionIdToken(object, &session), STATUS_SUCCESS);
    EXPECT_EQ(session, 7u);
    EXPECT_EQ(ulong_of(token, TokenSessionId), 7u);
    EXPECT_EQ(SeSetSessionIdToken(nullptr, 1), STATUS_INVALID_PARAMETER);
    ObDereferenceObject(object);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

}  // namespace
}  // namespace token_classes_test
