// Token services that change or copy a token, as an application calls them (UserMode) and as a
// driver does (Zw*): NtOpenProcessToken / NtOpenThreadToken, NtAdjustPrivilegesToken and what the
// privilege checks then see, NtDuplicateToken, NtSetInformationToken, NtPrivilegeCheck and
// NtImpersonateAnonymousToken.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include <ntifs.h>
#include <ntio/ntapi.h>

#include "support/administrator_process.hpp"
#include "support/system_fixture.hpp"

namespace token_adjust_test {
namespace {

struct OnePrivilege {
    ULONG PrivilegeCount = 1;
    LUID_AND_ATTRIBUTES Privileges[1];
};
static_assert(sizeof(OnePrivilege) == 16);

struct TwoPrivileges {
    ULONG PrivilegeCount = 2;
    LUID_AND_ATTRIBUTES Privileges[2];
};

PTOKEN_PRIVILEGES as_privileges(void* p) { return static_cast<PTOKEN_PRIVILEGES>(p); }

OnePrivilege one(LUID luid, ULONG attributes)
{
    OnePrivilege p;
    p.Privileges[0].Luid = luid;
    p.Privileges[0].Attributes = attributes;
    return p;
}

class TokenAdjustTest : public ntio::test::SystemTest {
protected:
    HANDLE open_own(ACCESS_MASK access)
    {
        HANDLE token = nullptr;
        EXPECT_EQ(NtOpenProcessToken(NtCurrentProcess(), access, &token), STATUS_SUCCESS);
        return token;
    }
    // Attributes of `luid` in the token TokenPrivileges reports, or ~0u when it is not listed.
    static ULONG privilege_attributes(HANDLE token, LUID luid)
    {
        alignas(8) unsigned char buffer[1024];
        ULONG written = 0;
        EXPECT_EQ(NtQueryInformationToken(token, TokenPrivileges, buffer, sizeof(buffer), &written), STATUS_SUCCESS);
        auto* privileges = reinterpret_cast<PTOKEN_PRIVILEGES>(buffer);
        for (ULONG i = 0; i < privileges->PrivilegeCount; ++i) {
            if (RtlEqualLuid(&privileges->Privileges[i].Luid, &luid)) return privileges->Privileges[i].Attributes;
        }
        return ~0u;
    }
    static TOKEN_TYPE token_type(HANDLE token)
    {
        TOKEN_TYPE type{};
        ULONG written = 0;
        EXPECT_EQ(NtQueryInformationToken(token, TokenType, &type, sizeof(type), &written), STATUS_SUCCESS);
        return type;
    }
};

TEST_F(TokenAdjustTest, open_token_forms_without_attributes)
{
    HANDLE token = open_own(TOKEN_QUERY);
    ASSERT_NE(token, nullptr);
    EXPECT_EQ(token_type(token), TokenPrimary);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);

    EXPECT_EQ(NtOpenProcessToken(NtCurrentProcess(), TOKEN_QUERY, nullptr), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtOpenProcessToken(reinterpret_cast<HANDLE>(0x7ff0), TOKEN_QUERY, &token), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtOpenThreadToken(NtCurrentThread(), TOKEN_QUERY, FALSE, &token), STATUS_NO_TOKEN);

    // The Zw forms run in KernelMode: the handle is usable by kernel code.
    HANDLE kernel = nullptr;
    ASSERT_EQ(ZwOpenProcessToken(ZwCurrentProcess(), TOKEN_QUERY, &kernel), STATUS_SUCCESS);
    EXPECT_EQ(ZwOpenThreadToken(ZwCurrentThread(), TOKEN_QUERY, TRUE, &token), STATUS_NO_TOKEN);
    EXPECT_EQ(ZwClose(kernel), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, enabling_a_privilege_is_what_the_privilege_check_sees)
{
    const LUID shutdown = SeExports->SeShutdownPrivilege;
    ASSERT_FALSE(SeSinglePrivilegeCheck(shutdown, UserMode));
    HANDLE token = open_own(TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY);

    OnePrivilege enable = one(shutdown, SE_PRIVILEGE_ENABLED);
    OnePrivilege previous{};
    ULONG needed = 0;
    ASSERT_EQ(NtAdjustPrivilegesToken(token, FALSE, as_privileges(&enable), sizeof(previous), as_privileges(&previous),
                                      &needed),
              STATUS_SUCCESS);
    EXPECT_EQ(needed, sizeof(previous));
    ASSERT_EQ(previous.PrivilegeCount, 1u);
    EXPECT_TRUE(RtlEqualLuid(&previous.Privileges[0].Luid, &shutdown));
    EXPECT_EQ(previous.Privileges[0].Attributes & SE_PRIVILEGE_ENABLED, 0u);
    EXPECT_TRUE(SeSinglePrivilegeCheck(shutdown, UserMode));
    EXPECT_EQ(privilege_attributes(token, shutdown) & SE_PRIVILEGE_ENABLED, static_cast<ULONG>(SE_PRIVILEGE_ENABLED));

    // Enabling it again changes nothing: the previous state lists no privilege.
    OnePrivilege again{};
    ASSERT_EQ(NtAdjustPrivilegesToken(token, FALSE, as_privileges(&enable), sizeof(again), as_privileges(&again),
                                      &needed),
              STATUS_SUCCESS);
    EXPECT_EQ(again.PrivilegeCount, 0u);
    EXPECT_EQ(needed, static_cast<ULONG>(offsetof(TOKEN_PRIVILEGES, Privileges)));

    // The previous state given back as the new state undoes the change.
    ASSERT_EQ(NtAdjustPrivilegesToken(token, FALSE, as_privileges(&previous), 0, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_FALSE(SeSinglePrivilegeCheck(shutdown, UserMode));
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, administrator_enables_load_driver_privilege)
{
    ntio::test::AdministratorProcess admin(system(), u"admin.exe");
    const LUID load = SeExports->SeLoadDriverPrivilege;
    EXPECT_FALSE(SeSinglePrivilegeCheck(load, UserMode));
    // NtLoadDriver checks the privilege before it looks at the name (a relative one is refused).
    UNICODE_STRING relative = RTL_CONSTANT_STRING(L"NoSuchService");
    EXPECT_EQ(NtLoadDriver(&relative), STATUS_PRIVILEGE_NOT_HELD);
    HANDLE token = open_own(TOKEN_ADJUST_PRIVILEGES);
    OnePrivilege enable = one(load, SE_PRIVILEGE_ENABLED);
    ASSERT_EQ(NtAdjustPrivilegesToken(token, FALSE, as_privileges(&enable), 0, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_TRUE(SeSinglePrivilegeCheck(load, UserMode));
    EXPECT_EQ(NtLoadDriver(&relative), STATUS_OBJECT_PATH_SYNTAX_BAD);
    // Kernel-mode checks pass whatever the token holds.
    EXPECT_TRUE(SeSinglePrivilegeCheck(SeExports->SeTcbPrivilege, KernelMode));
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, privileges_the_token_lacks_are_not_all_assigned)
{
    const LUID shutdown = SeExports->SeShutdownPrivilege;
    HANDLE token = open_own(TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY);
    TwoPrivileges both;
    both.Privileges[0] = {SeExports->SeTcbPrivilege, SE_PRIVILEGE_ENABLED};
    both.Privileges[1] = {shutdown, SE_PRIVILEGE_ENABLED};
    const NTSTATUS status = NtAdjustPrivilegesToken(token, FALSE, as_privileges(&both), 0, nullptr, nullptr);
    EXPECT_EQ(status, STATUS_NOT_ALL_ASSIGNED);
    EXPECT_TRUE(NT_SUCCESS(status));
    // The one it holds was enabled all the same; the other was not added.
    EXPECT_TRUE(SeSinglePrivilegeCheck(shutdown, UserMode));
    EXPECT_FALSE(SeSinglePrivilegeCheck(SeExports->SeTcbPrivilege, UserMode));
    EXPECT_EQ(privilege_attributes(token, SeExports->SeTcbPrivilege), ~0u);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, a_previous_state_buffer_too_small_changes_nothing)
{
    const LUID shutdown = SeExports->SeShutdownPrivilege;
    HANDLE token = open_own(TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY);
    OnePrivilege enable = one(shutdown, SE_PRIVILEGE_ENABLED);
    ULONG small = 0xAAAAAAAA;
    ULONG needed = 0;
    EXPECT_EQ(NtAdjustPrivilegesToken(token, FALSE, as_privileges(&enable), sizeof(small), as_privileges(&small),
                                      &needed),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(needed, sizeof(OnePrivilege));
    EXPECT_FALSE(SeSinglePrivilegeCheck(shutdown, UserMode));
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, disable_all_and_removal)
{
    const LUID notify = SeExports->SeChangeNotifyPrivilege;
    const LUID shutdown = SeExports->SeShutdownPrivilege;
    HANDLE token = open_own(TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY);
    ASSERT_TRUE(SeSinglePrivilegeCheck(notify, UserMode));
    alignas(8) unsigned char previous[256];
    ULONG needed = 0;
    // NewState is ignored with DisableAllPrivileges.
    ASSERT_EQ(NtAdjustPrivilegesToken(token, TRUE, nullptr, sizeof(previous), as_privileges(previous), &needed),
              STATUS_SUCCESS);
    EXPECT_FALSE(SeSinglePrivilegeCheck(notify, UserMode));
    auto* listed = as_privileges(previous);
    ASSERT_EQ(listed->PrivilegeCount, 1u);  // only SeChangeNotifyPrivilege was enabled
    EXPECT_TRUE(RtlEqualLuid(&listed->Privileges[0].Luid, &notify));
    EXPECT_EQ(listed->Privileges[0].Attributes,
              static_cast<ULONG>(SE_PRIVILEGE_ENABLED | SE_PRIVILEGE_ENABLED_BY_DEFAULT));
    EXPECT_EQ(privilege_attributes(token, notify), static_cast<ULONG>(SE_PRIVILEGE_ENABLED_BY_DEFAULT));

    // A removed privilege leaves the token for good: enabling it again is not all assigned.
    OnePrivilege remove = one(shutdown, SE_PRIVILEGE_REMOVED | SE_PRIVILEGE_ENABLED);
    ASSERT_EQ(NtAdjustPrivilegesToken(token, FALSE, as_privileges(&remove), 0, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(privilege_attributes(token, shutdown), ~0u);
    OnePrivilege enable = one(shutdown, SE_PRIVILEGE_ENABLED);
    EXPECT_EQ(NtAdjustPrivilegesToken(token, FALSE, as_privileges(&enable), 0, nullptr, nullptr),
              STATUS_NOT_ALL_ASSIGNED);
    EXPECT_FALSE(SeSinglePrivilegeCheck(shutdown, UserMode));
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, adjust_checks_access_and_parameters)
{
    OnePrivilege enable = one(SeExports->SeShutdownPrivilege, SE_PRIVILEGE_ENABLED);
    HANDLE query_only = open_own(TOKEN_QUERY);
    EXPECT_EQ(NtAdjustPrivilegesToken(query_only, FALSE, as_privileges(&enable), 0, nullptr, nullptr),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtClose(query_only), STATUS_SUCCESS);

    // PreviousState needs TOKEN_QUERY as well.
    HANDLE adjust_only = open_own(TOKEN_ADJUST_PRIVILEGES);
    OnePrivilege previous{};
    ULONG needed = 0;
    EXPECT_EQ(NtAdjustPrivilegesToken(adjust_only, FALSE, as_privileges(&enable), sizeof(previous),
                                      as_privileges(&previous), &needed),
              STATUS_ACCESS_DENIED);
    EXPECT_FALSE(SeSinglePrivilegeCheck(SeExports->SeShutdownPrivilege, UserMode));
    EXPECT_EQ(NtAdjustPrivilegesToken(adjust_only, FALSE, nullptr, 0, nullptr, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtAdjustPrivilegesToken(adjust_only, FALSE, reinterpret_cast<PTOKEN_PRIVILEGES>(std::uintptr_t{0x10}),
                                      0, nullptr, nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtAdjustPrivilegesToken(adjust_only, FALSE, as_privileges(&enable), sizeof(previous),
                                      reinterpret_cast<PTOKEN_PRIVILEGES>(std::uintptr_t{0x10}), &needed),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtClose(adjust_only), STATUS_SUCCESS);

    EXPECT_EQ(NtAdjustPrivilegesToken(reinterpret_cast<HANDLE>(0x7ff0), FALSE, as_privileges(&enable), 0, nullptr,
                                      nullptr),
              STATUS_INVALID_HANDLE);
    HANDLE event = nullptr;
    ASSERT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(NtAdjustPrivilegesToken(event, FALSE, as_privileges(&enable), 0, nullptr, nullptr),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);

    // A kernel handle is invalid to a user-mode caller.
    HANDLE kernel = nullptr;
    ASSERT_EQ(ZwOpenProcessTokenEx(ZwCurrentProcess(), TOKEN_ALL_ACCESS, OBJ_KERNEL_HANDLE, &kernel), STATUS_SUCCESS);
    EXPECT_EQ(NtAdjustPrivilegesToken(kernel, FALSE, as_privileges(&enable), 0, nullptr, nullptr),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(ZwAdjustPrivilegesToken(kernel, FALSE, as_privileges(&enable), 0, nullptr, &needed), STATUS_SUCCESS);
    EXPECT_TRUE(SeSinglePrivilegeCheck(SeExports->SeShutdownPrivilege, UserMode));
    EXPECT_EQ(ZwClose(kernel), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, duplicate_makes_an_independent_token_of_the_type_asked)
{
    HANDLE token = open_own(TOKEN_DUPLICATE | TOKEN_QUERY);
    SECURITY_QUALITY_OF_SERVICE qos{sizeof(qos), SecurityImpersonation, SECURITY_STATIC_TRACKING, FALSE};
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, nullptr, 0, nullptr, nullptr);
    attributes.SecurityQualityOfService = &qos;
    HANDLE copy = nullptr;
    ASSERT_EQ(NtDuplicateToken(token, TOKEN_ALL_ACCESS, &attributes, FALSE, TokenImpersonation, &copy), STATUS_SUCCESS);
    EXPECT_EQ(token_type(copy), TokenImpersonation);
    SECURITY_IMPERSONATION_LEVEL level{};
    ULONG written = 0;
    ASSERT_EQ(NtQueryInformationToken(copy, TokenImpersonationLevel, &level, sizeof(level), &written), STATUS_SUCCESS);
    EXPECT_EQ(level, SecurityImpersonation);
    TOKEN_STATISTICS original{}, duplicate{};
    ASSERT_EQ(NtQueryInformationToken(token, TokenStatistics, &original, sizeof(original), &written), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationToken(copy, TokenStatistics, &duplicate, sizeof(duplicate), &written), STATUS_SUCCESS);
    EXPECT_FALSE(RtlEqualLuid(&original.TokenId, &duplicate.TokenId));
    EXPECT_TRUE(RtlEqualLuid(&original.AuthenticationId, &duplicate.AuthenticationId));
    EXPECT_EQ(original.PrivilegeCount, duplicate.PrivilegeCount);

    // Adjusting the copy leaves the process token alone.
    OnePrivilege enable = one(SeExports->SeShutdownPrivilege, SE_PRIVILEGE_ENABLED);
    ASSERT_EQ(NtAdjustPrivilegesToken(copy, FALSE, as_privileges(&enable), 0, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(privilege_attributes(copy, SeExports->SeShutdownPrivilege) & SE_PRIVILEGE_ENABLED,
              static_cast<ULONG>(SE_PRIVILEGE_ENABLED));
    EXPECT_EQ(privilege_attributes(token, SeExports->SeShutdownPrivilege) & SE_PRIVILEGE_ENABLED, 0u);
    EXPECT_FALSE(SeSinglePrivilegeCheck(SeExports->SeShutdownPrivilege, UserMode));

    // Without a quality of service an impersonation copy is at SecurityAnonymous; a primary copy of
    // an impersonation token below SecurityImpersonation is refused, as is a level above the source's.
    HANDLE anonymous = nullptr;
    ASSERT_EQ(NtDuplicateToken(token, TOKEN_ALL_ACCESS, nullptr, FALSE, TokenImpersonation, &anonymous),
              STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationToken(anonymous, TokenImpersonationLevel, &level, sizeof(level), &written),
              STATUS_SUCCESS);
    EXPECT_EQ(level, SecurityAnonymous);
    HANDLE refused = nullptr;
    EXPECT_EQ(NtDuplicateToken(anonymous, 0, nullptr, FALSE, TokenPrimary, &refused), STATUS_BAD_IMPERSONATION_LEVEL);
    EXPECT_EQ(NtDuplicateToken(anonymous, 0, &attributes, FALSE, TokenImpersonation, &refused),
              STATUS_BAD_IMPERSONATION_LEVEL);
    HANDLE primary = nullptr;
    ASSERT_EQ(NtDuplicateToken(copy, 0, nullptr, FALSE, TokenPrimary, &primary), STATUS_SUCCESS);
    EXPECT_EQ(token_type(primary), TokenPrimary);
    EXPECT_EQ(NtClose(primary), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(anonymous), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(copy), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, duplicate_effective_only_keeps_what_is_enabled)
{
    HANDLE token = open_own(TOKEN_DUPLICATE | TOKEN_QUERY);
    HANDLE copy = nullptr;
    ASSERT_EQ(NtDuplicateToken(token, 0, nullptr, TRUE, TokenPrimary, &copy), STATUS_SUCCESS);
    // DesiredAccess 0 gives the copy the access of the existing handle.
    OBJECT_BASIC_INFORMATION basic{};
    ULONG written = 0;
    ASSERT_EQ(NtQueryObject(copy, ObjectBasicInformation, &basic, sizeof(basic), &written), STATUS_SUCCESS);
    EXPECT_EQ(basic.GrantedAccess, static_cast<ACCESS_MASK>(TOKEN_DUPLICATE | TOKEN_QUERY));
    alignas(8) unsigned char buffer[1024];
    ASSERT_EQ(NtQueryInformationToken(copy, TokenPrivileges, buffer, sizeof(buffer), &written), STATUS_SUCCESS);
    auto* privileges = as_privileges(buffer);
    ASSERT_EQ(privileges->PrivilegeCount, 1u);
    EXPECT_TRUE(RtlEqualLuid(&privileges->Privileges[0].Luid, &SeExports->SeChangeNotifyPrivilege));
    EXPECT_EQ(privilege_attributes(token, SeExports->SeShutdownPrivilege) & SE_PRIVILEGE_ENABLED, 0u);
    EXPECT_EQ(NtClose(copy), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, duplicate_rejects_bad_input)
{
    HANDLE token = open_own(TOKEN_QUERY);
    HANDLE copy = nullptr;
    EXPECT_EQ(NtDuplicateToken(token, 0, nullptr, FALSE, TokenPrimary, &copy), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtDuplicateToken(token, 0, nullptr, FALSE, static_cast<TOKEN_TYPE>(7), &copy), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtDuplicateToken(token, 0, nullptr, FALSE, TokenPrimary, nullptr), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtDuplicateToken(reinterpret_cast<HANDLE>(0x7ff0), 0, nullptr, FALSE, TokenPrimary, &copy),
              STATUS_INVALID_HANDLE);
    OBJECT_ATTRIBUTES bad;
    InitializeObjectAttributes(&bad, nullptr, 0, nullptr, nullptr);
    bad.Length = 3;
    EXPECT_EQ(NtDuplicateToken(token, 0, &bad, FALSE, TokenPrimary, &copy), STATUS_INVALID_PARAMETER);
    SECURITY_QUALITY_OF_SERVICE qos{sizeof(qos), static_cast<SECURITY_IMPERSONATION_LEVEL>(9), 0, FALSE};
    InitializeObjectAttributes(&bad, nullptr, 0, nullptr, nullptr);
    bad.SecurityQualityOfService = &qos;
    EXPECT_EQ(NtDuplicateToken(token, 0, &bad, FALSE, TokenImpersonation, &copy), STATUS_BAD_IMPERSONATION_LEVEL);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, set_information_changes_the_defaults)
{
    HANDLE token = open_own(TOKEN_ADJUST_DEFAULT | TOKEN_QUERY);
    alignas(8) unsigned char buffer[512];
    ULONG written = 0;

    // The primary group may be any group of the token; Everyone is one.
    TOKEN_PRIMARY_GROUP group{SeExports->SeWorldSid};
    ASSERT_EQ(NtSetInformationToken(token, TokenPrimaryGroup, &group, sizeof(group)), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationToken(token, TokenPrimaryGroup, buffer, sizeof(buffer), &written), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(reinterpret_cast<PTOKEN_PRIMARY_GROUP>(buffer)->PrimaryGroup, SeExports->SeWorldSid));
    TOKEN_PRIMARY_GROUP stranger{SeExports->SeLocalSystemSid};
    EXPECT_EQ(NtSetInformationToken(token, TokenPrimaryGroup, &stranger, sizeof(stranger)),
              STATUS_INVALID_PRIMARY_GROUP);

    // The owner must be the user or a group the token may assign as owner; Everyone is not.
    TOKEN_OWNER owner{SeExports->SeWorldSid};
    EXPECT_EQ(NtSetInformationToken(token, TokenOwner, &owner, sizeof(owner)), STATUS_INVALID_OWNER);
    ASSERT_EQ(NtQueryInformationToken(token, TokenUser, buffer, sizeof(buffer), &written), STATUS_SUCCESS);
    unsigned char user[SECURITY_MAX_SID_SIZE];
    std::memcpy(user, reinterpret_cast<PTOKEN_USER>(buffer)->User.Sid,
                RtlLengthSid(reinterpret_cast<PTOKEN_USER>(buffer)->User.Sid));
    TOKEN_OWNER self{user};
    EXPECT_EQ(NtSetInformationToken(token, TokenOwner, &self, sizeof(self)), STATUS_SUCCESS);

    // A new default DACL reads back; a NULL one removes it.
    alignas(4) unsigned char acl_bytes[64];
    auto* acl = reinterpret_cast<PACL>(acl_bytes);
    ASSERT_EQ(RtlCreateAcl(acl, sizeof(acl_bytes), ACL_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlAddAccessAllowedAce(acl, ACL_REVISION, GENERIC_READ, SeExports->SeWorldSid), STATUS_SUCCESS);
    TOKEN_DEFAULT_DACL dacl{acl};
    ASSERT_EQ(NtSetInformationToken(token, TokenDefaultDacl, &dacl, sizeof(dacl)), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationToken(token, TokenDefaultDacl, buffer, sizeof(buffer), &written), STATUS_SUCCESS);
    PACL read = reinterpret_cast<PTOKEN_DEFAULT_DACL>(buffer)->DefaultDacl;
    ASSERT_NE(read, nullptr);
    EXPECT_EQ(read->AceCount, 1u);
    EXPECT_EQ(read->AclSize, acl->AclSize);
    TOKEN_DEFAULT_DACL none{nullptr};
    ASSERT_EQ(NtSetInformationToken(token, TokenDefaultDacl, &none, sizeof(none)), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationToken(token, TokenDefaultDacl, buffer, sizeof(buffer), &written), STATUS_SUCCESS);
    EXPECT_EQ(reinterpret_cast<PTOKEN_DEFAULT_DACL>(buffer)->DefaultDacl, nullptr);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, set_information_rejects_bad_input)
{
    HANDLE token = open_own(TOKEN_ADJUST_DEFAULT | TOKEN_QUERY);
    TOKEN_PRIMARY_GROUP group{SeExports->SeWorldSid};
    EXPECT_EQ(NtSetInformationToken(token, TokenPrimaryGroup, &group, sizeof(group) - 1), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtSetInformationToken(token, TokenUser, &group, sizeof(group)), STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtSetInformationToken(token, TokenPrivileges, &group, sizeof(group)), STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtSetInformationToken(token, static_cast<TOKEN_INFORMATION_CLASS>(4000), &group, sizeof(group)),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtSetInformationToken(token, TokenPrimaryGroup, reinterpret_cast<PVOID>(std::uintptr_t{0x10}),
                                    sizeof(group)),
              STATUS_ACCESS_VIOLATION);
    TOKEN_PRIMARY_GROUP null_group{nullptr};
    EXPECT_EQ(NtSetInformationToken(token, TokenPrimaryGroup, &null_group, sizeof(null_group)), STATUS_INVALID_SID);
    alignas(4) unsigned char garbage[16] = {ACL_REVISION, 0, 16, 0, 5, 0, 0, 0};
    TOKEN_DEFAULT_DACL bad{reinterpret_cast<PACL>(garbage)};
    EXPECT_EQ(NtSetInformationToken(token, TokenDefaultDacl, &bad, sizeof(bad)), STATUS_INVALID_ACL);

    // TOKEN_ADJUST_DEFAULT is needed, and the session needs SeTcbPrivilege besides its own right.
    HANDLE query_only = open_own(TOKEN_QUERY);
    EXPECT_EQ(NtSetInformationToken(query_only, TokenPrimaryGroup, &group, sizeof(group)), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtClose(query_only), STATUS_SUCCESS);
    ULONG session = 5;
    EXPECT_EQ(NtSetInformationToken(token, TokenSessionId, &session, sizeof(session)), STATUS_PRIVILEGE_NOT_HELD);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);

    // A kernel caller holds every privilege.
    HANDLE kernel = nullptr;
    ASSERT_EQ(ZwOpenProcessTokenEx(ZwCurrentProcess(), TOKEN_ALL_ACCESS, OBJ_KERNEL_HANDLE, &kernel), STATUS_SUCCESS);
    ASSERT_EQ(ZwSetInformationToken(kernel, TokenSessionId, &session, sizeof(session)), STATUS_SUCCESS);
    ULONG read = 0;
    ULONG written = 0;
    ASSERT_EQ(ZwQueryInformationToken(kernel, TokenSessionId, &read, sizeof(read), &written), STATUS_SUCCESS);
    EXPECT_EQ(read, 5u);
    EXPECT_EQ(ZwClose(kernel), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, privilege_check_needs_an_impersonation_token)
{
    HANDLE token = open_own(TOKEN_DUPLICATE | TOKEN_QUERY);
    struct {
        ULONG PrivilegeCount = 2;
        ULONG Control = PRIVILEGE_SET_ALL_NECESSARY;
        LUID_AND_ATTRIBUTES Privilege[2];
    } set;
    set.Privilege[0] = {SeExports->SeChangeNotifyPrivilege, 0};
    set.Privilege[1] = {SeExports->SeShutdownPrivilege, 0};
    auto* privileges = reinterpret_cast<PPRIVILEGE_SET>(&set);
    BOOLEAN result = 2;
    EXPECT_EQ(NtPrivilegeCheck(token, privileges, &result), STATUS_NO_IMPERSONATION_TOKEN);

    SECURITY_QUALITY_OF_SERVICE qos{sizeof(qos), SecurityIdentification, SECURITY_STATIC_TRACKING, FALSE};
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, nullptr, 0, nullptr, nullptr);
    attributes.SecurityQualityOfService = &qos;
    HANDLE client = nullptr;
    ASSERT_EQ(NtDuplicateToken(token, TOKEN_QUERY, &attributes, FALSE, TokenImpersonation, &client), STATUS_SUCCESS);
    ASSERT_EQ(NtPrivilegeCheck(client, privileges, &result), STATUS_SUCCESS);
    EXPECT_EQ(result, FALSE);  // SeShutdownPrivilege is disabled
    EXPECT_EQ(set.Privilege[0].Attributes, static_cast<ULONG>(SE_PRIVILEGE_USED_FOR_ACCESS));
    EXPECT_EQ(set.Privilege[1].Attributes, 0u);
    set.Control = 0;  // any one suffices
    ASSERT_EQ(NtPrivilegeCheck(client, privileges, &result), STATUS_SUCCESS);
    EXPECT_EQ(result, TRUE);
    EXPECT_EQ(NtPrivilegeCheck(client, privileges, nullptr), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtPrivilegeCheck(client, reinterpret_cast<PPRIVILEGE_SET>(std::uintptr_t{0x10}), &result),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtClose(client), STATUS_SUCCESS);

    HANDLE anonymous = nullptr;
    ASSERT_EQ(NtDuplicateToken(token, TOKEN_QUERY, nullptr, FALSE, TokenImpersonation, &anonymous), STATUS_SUCCESS);
    EXPECT_EQ(NtPrivilegeCheck(anonymous, privileges, &result), STATUS_BAD_IMPERSONATION_LEVEL);
    EXPECT_EQ(NtClose(anonymous), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenAdjustTest, impersonate_anonymous_token)
{
    ASSERT_EQ(NtImpersonateAnonymousToken(NtCurrentThread()), STATUS_SUCCESS);
    // A driver reads the thread's token (kernel mode: no access check against its descriptor).
    HANDLE token = nullptr;
    ASSERT_EQ(ZwOpenThreadToken(ZwCurrentThread(), TOKEN_QUERY, TRUE, &token), STATUS_SUCCESS);
    alignas(8) unsigned char buffer[256];
    ULONG written = 0;
    ASSERT_EQ(ZwQueryInformationToken(token, TokenUser, buffer, sizeof(buffer), &written), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(reinterpret_cast<PTOKEN_USER>(buffer)->User.Sid, SeExports->SeAnonymousLogonSid));
    TOKEN_TYPE type{};
    ASSERT_EQ(ZwQueryInformationToken(token, TokenType, &type, sizeof(type), &written), STATUS_SUCCESS);
    EXPECT_EQ(type, TokenImpersonation);
    // The anonymous logon holds no privilege, so the thread's checks now fail.
    EXPECT_FALSE(SeSinglePrivilegeCheck(SeExports->SeChangeNotifyPrivilege, UserMode));
    EXPECT_EQ(ZwClose(token), STATUS_SUCCESS);
    PsRevertToSelf();
    EXPECT_TRUE(SeSinglePrivilegeCheck(SeExports->SeChangeNotifyPrivilege, UserMode));

    HANDLE event = nullptr;
    ASSERT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(NtImpersonateAnonymousToken(event), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    EXPECT_EQ(NtImpersonateAnonymousToken(reinterpret_cast<HANDLE>(0x7ff0)), STATUS_INVALID_HANDLE);
}

}  // namespace
}  // namespace token_adjust_test
