// Restricted tokens and group adjustment through the public surface: NtFilterToken / SeFilterToken
// (deny-only SIDs, deleted privileges, restricting SIDs that SeAccessCheck then applies, write-restricted
// tokens, the sandbox-inert mark), NtAdjustGroupsToken, and the token information classes and Se
// queries that report them.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include <ntifs.h>
#include <ntio/ntapi.h>

#include "support/system_fixture.hpp"
#include "support/system_token_process.hpp"

namespace token_filter_test {
namespace {

constexpr GENERIC_MAPPING kFilterMapping{0x00120001, 0x00120002, 0x00120004, 0x001F0007};

// Owned SIDs built with RtlInitializeSid.
struct Sid {
    alignas(4) unsigned char bytes[SECURITY_MAX_SID_SIZE] = {};
    Sid(UCHAR authority, std::initializer_list<ULONG> rids)
    {
        SID_IDENTIFIER_AUTHORITY id = {{0, 0, 0, 0, 0, authority}};
        EXPECT_EQ(RtlInitializeSid(get(), &id, static_cast<UCHAR>(rids.size())), STATUS_SUCCESS);
        UCHAR i = 0;
        for (ULONG rid : rids) *RtlSubAuthoritySid(get(), i++) = rid;
    }
    PSID get() { return bytes; }
};

Sid users_sid() { return Sid(5, {32, 545}); }
Sid admins_sid() { return Sid(5, {32, 544}); }
Sid restricted_code_sid() { return Sid(5, {12}); }
Sid system_sid() { return Sid(5, {18}); }

// An absolute descriptor owned by SYSTEM whose DACL holds the given allow ACEs.
class Descriptor {
public:
    Descriptor(std::initializer_list<std::pair<ACCESS_MASK, Sid>> allows)
    {
        EXPECT_EQ(RtlCreateSecurityDescriptor(&m_sd, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
        EXPECT_EQ(RtlCreateAcl(reinterpret_cast<PACL>(m_acl), sizeof(m_acl), ACL_REVISION), STATUS_SUCCESS);
        for (auto allow : allows) {
            EXPECT_EQ(RtlAddAccessAllowedAce(reinterpret_cast<PACL>(m_acl), ACL_REVISION, allow.first, allow.second.get()),
                      STATUS_SUCCESS);
        }
        EXPECT_EQ(RtlSetDaclSecurityDescriptor(&m_sd, TRUE, reinterpret_cast<PACL>(m_acl), FALSE), STATUS_SUCCESS);
        EXPECT_EQ(RtlSetOwnerSecurityDescriptor(&m_sd, m_owner.get(), FALSE), STATUS_SUCCESS);
    }
    PSECURITY_DESCRIPTOR get() { return &m_sd; }

private:
    SECURITY_DESCRIPTOR m_sd{};
    alignas(4) unsigned char m_acl[512] = {};
    Sid m_owner = system_sid();
};

// What SeAccessCheck grants `token` in UserMode (0 when denied).
ACCESS_MASK granted_to(PACCESS_TOKEN token, Descriptor& sd, ACCESS_MASK desired)
{
    SECURITY_SUBJECT_CONTEXT context{};
    context.PrimaryToken = token;
    GENERIC_MAPPING mapping = kFilterMapping;
    ACCESS_MASK granted = 0;
    NTSTATUS status = STATUS_SUCCESS;
    const BOOLEAN ok = SeAccessCheck(sd.get(), &context, FALSE, desired, 0, nullptr, &mapping, UserMode, &granted, &status);
    EXPECT_EQ(ok != FALSE, NT_SUCCESS(status));
    return ok ? granted : 0;
}

// One TOKEN_GROUPS entry.
struct OneGroup {
    ULONG GroupCount = 1;
    SID_AND_ATTRIBUTES Groups[1];
};
PTOKEN_GROUPS as_groups(OneGroup& g) { return reinterpret_cast<PTOKEN_GROUPS>(&g); }
OneGroup one_group(PSID sid, ULONG attributes)
{
    OneGroup g;
    g.Groups[0].Sid = sid;
    g.Groups[0].Attributes = attributes;
    return g;
}

class TokenFilterTest : public ntio::test::SystemTest {
protected:
    HANDLE open_own(ACCESS_MASK access)
    {
        HANDLE token = nullptr;
        EXPECT_EQ(NtOpenProcessToken(NtCurrentProcess(), access, &token), STATUS_SUCCESS);
        return token;
    }
    static PACCESS_TOKEN object_of(HANDLE token)
    {
        PVOID object = nullptr;
        EXPECT_EQ(ObReferenceObjectByHandle(token, TOKEN_QUERY, *SeTokenObjectType, KernelMode, &object, nullptr),
                  STATUS_SUCCESS);
        return object;
    }
    static std::vector<unsigned char> query(HANDLE token, TOKEN_INFORMATION_CLASS cls)
    {
        std::vector<unsigned char> buffer(2048);
        ULONG written = 0;
        EXPECT_EQ(NtQueryInformationToken(token, cls, buffer.data(), static_cast<ULONG>(buffer.size()), &written),
                  STATUS_SUCCESS);
        buffer.resize(written);
        return buffer;
    }
    static ULONG query_ulong(HANDLE token, TOKEN_INFORMATION_CLASS cls)
    {
        std::vector<unsigned char> answer = query(token, cls);
        ULONG value = 0xdead;
        EXPECT_EQ(answer.size(), sizeof(ULONG));
        if (answer.size() == sizeof(ULONG)) std::memcpy(&value, answer.data(), sizeof(value));
        return value;
    }
    // Attributes of `sid` in the token's TokenGroups, or ~0u when it is not listed.
    static ULONG group_attributes(HANDLE token, PSID sid)
    {
        std::vector<unsigned char> answer = query(token, TokenGroups);
        auto* groups = reinterpret_cast<PTOKEN_GROUPS>(answer.data());
        for (ULONG i = 0; i < groups->GroupCount; ++i) {
            if (RtlEqualSid(groups->Groups[i].Sid, sid)) return groups->Groups[i].Attributes;
        }
        return ~0u;
    }
};

TEST_F(TokenFilterTest, restricting_sids_limit_what_the_access_check_grants)
{
    HANDLE token = open_own(TOKEN_DUPLICATE | TOKEN_QUERY);
    Sid rc = restricted_code_sid();
    OneGroup restricting = one_group(rc.get(), 0);
    HANDLE filtered = nullptr;
    ASSERT_EQ(NtFilterToken(token, 0, nullptr, nullptr, as_groups(restricting), &filtered), STATUS_SUCCESS);

    // Users may read and write; RESTRICTED may only read.
    Descriptor sd({{0x3, users_sid()}, {0x1, restricted_code_sid()}});
    PACCESS_TOKEN original = object_of(token);
    PACCESS_TOKEN restricted = object_of(filtered);
    EXPECT_EQ(granted_to(original, sd, 0x3), 0x3u);
    EXPECT_EQ(granted_to(restricted, sd, 0x1), 0x1u);
    EXPECT_EQ(granted_to(restricted, sd, 0x2), 0u);
    EXPECT_EQ(granted_to(restricted, sd, MAXIMUM_ALLOWED), 0x1u);
    // A right only the restricting SID is granted is not enough either: both passes must grant.
    Descriptor only_restricted({{0x3, restricted_code_sid()}});
    EXPECT_EQ(granted_to(restricted, only_restricted, 0x1), 0u);

    EXPECT_TRUE(SeTokenIsRestricted(restricted));
    EXPECT_FALSE(SeTokenIsRestricted(original));
    EXPECT_FALSE(SeTokenIsWriteRestricted(restricted));
    std::vector<unsigned char> sids = query(filtered, TokenRestrictedSids);
    auto* groups = reinterpret_cast<PTOKEN_GROUPS>(sids.data());
    ASSERT_EQ(groups->GroupCount, 1u);
    EXPECT_TRUE(RtlEqualSid(groups->Groups[0].Sid, rc.get()));
    EXPECT_EQ(groups->Groups[0].Attributes,
              static_cast<ULONG>(SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED));
    EXPECT_EQ(query_ulong(filtered, TokenHasRestrictions), 1u);
    EXPECT_EQ(query_ulong(token, TokenHasRestrictions), 0u);
    EXPECT_EQ(query_ulong(filtered, TokenIsRestricted), 1u);
    EXPECT_EQ(reinterpret_cast<PTOKEN_GROUPS>(query(token, TokenRestrictedSids).data())->GroupCount, 0u);

    ObDereferenceObject(original);
    ObDereferenceObject(restricted);
    EXPECT_EQ(NtClose(filtered), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenFilterTest, write_restricted_tokens_restrict_only_writes)
{
    HANDLE token = open_own(TOKEN_DUPLICATE | TOKEN_QUERY);
    Sid rc = restricted_code_sid();
    OneGroup restricting = one_group(rc.get(), 0);
    HANDLE filtered = nullptr;
    ASSERT_EQ(NtFilterToken(token, WRITE_RESTRICTED, nullptr, nullptr, as_groups(restricting), &filtered),
              STATUS_SUCCESS);
    PACCESS_TOKEN restricted = object_of(filtered);
    EXPECT_TRUE(SeTokenIsWriteRestricted(restricted));
    // The mapping's GenericWrite holds 0x2: only that right needs the restricting SID too.
    Descriptor sd({{0x7, users_sid()}});
    EXPECT_EQ(granted_to(restricted, sd, 0x1 | 0x4), 0x5u);
    EXPECT_EQ(granted_to(restricted, sd, 0x2), 0u);
    Descriptor writable({{0x7, users_sid()}, {0x2, restricted_code_sid()}});
    EXPECT_EQ(granted_to(restricted, writable, 0x7), 0x7u);
    ObDereferenceObject(restricted);
    EXPECT_EQ(NtClose(filtered), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenFilterTest, disabled_sids_become_deny_only_and_privileges_go)
{
    HANDLE token = open_own(TOKEN_DUPLICATE | TOKEN_QUERY);
    Sid users = users_sid();
    OneGroup disable = one_group(users.get(), SE_GROUP_ENABLED);  // attributes are ignored
    struct {
        ULONG PrivilegeCount = 1;
        LUID_AND_ATTRIBUTES Privileges[1];
    } remove;
    remove.Privileges[0].Luid = SeExports->SeShutdownPrivilege;
    remove.Privileges[0].Attributes = 0;
    HANDLE filtered = nullptr;
    ASSERT_EQ(NtFilterToken(token, SANDBOX_INERT, as_groups(disable), reinterpret_cast<PTOKEN_PRIVILEGES>(&remove),
                            nullptr, &filtered),
              STATUS_SUCCESS);
    EXPECT_EQ(group_attributes(filtered, users.get()),
              static_cast<ULONG>(SE_GROUP_MANDATORY | SE_GROUP_USE_FOR_DENY_ONLY));
    EXPECT_NE(group_attributes(token, users.get()) & SE_GROUP_ENABLED, 0u);
    Descriptor sd({{0x1, users_sid()}});
    PACCESS_TOKEN object = object_of(filtered);
    EXPECT_EQ(granted_to(object, sd, 0x1), 0u);  // a deny-only SID never grants
    EXPECT_FALSE(SeTokenIsRestricted(object));    // no restricting SIDs
    EXPECT_EQ(query_ulong(filtered, TokenSandBoxInert), 1u);
    EXPECT_EQ(query_ulong(token, TokenSandBoxInert), 0u);
    EXPECT_EQ(query_ulong(filtered, TokenHasRestrictions), 1u);

    std::vector<unsigned char> privileges = query(filtered, TokenPrivileges);
    auto* list = reinterpret_cast<PTOKEN_PRIVILEGES>(privileges.data());
    for (ULONG i = 0; i < list->PrivilegeCount; ++i) {
        EXPECT_FALSE(RtlEqualLuid(&list->Privileges[i].Luid, &SeExports->SeShutdownPrivilege));
    }
    ObDereferenceObject(object);
    EXPECT_EQ(NtClose(filtered), STATUS_SUCCESS);

    // DISABLE_MAX_PRIVILEGE keeps SeChangeNotifyPrivilege only.
    ASSERT_EQ(NtFilterToken(token, DISABLE_MAX_PRIVILEGE, nullptr, nullptr, nullptr, &filtered), STATUS_SUCCESS);
    privileges = query(filtered, TokenPrivileges);
    list = reinterpret_cast<PTOKEN_PRIVILEGES>(privileges.data());
    ASSERT_EQ(list->PrivilegeCount, 1u);
    EXPECT_TRUE(RtlEqualLuid(&list->Privileges[0].Luid, &SeExports->SeChangeNotifyPrivilege));
    EXPECT_EQ(NtClose(filtered), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenFilterTest, filter_rejects_bad_input)
{
    HANDLE token = open_own(TOKEN_DUPLICATE | TOKEN_QUERY);
    HANDLE query_only = open_own(TOKEN_QUERY);
    HANDLE filtered = nullptr;
    EXPECT_EQ(NtFilterToken(token, 0x10, nullptr, nullptr, nullptr, &filtered), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtFilterToken(query_only, 0, nullptr, nullptr, nullptr, &filtered), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtFilterToken(reinterpret_cast<HANDLE>(0x7ff0), 0, nullptr, nullptr, nullptr, &filtered),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtFilterToken(token, 0, nullptr, nullptr, nullptr, nullptr), STATUS_ACCESS_VIOLATION);
    unsigned char bad_sid[12] = {7, 1};  // revision 7
    OneGroup bad = one_group(bad_sid, 0);
    EXPECT_EQ(NtFilterToken(token, 0, nullptr, nullptr, as_groups(bad), &filtered), STATUS_INVALID_SID);
    EXPECT_EQ(NtFilterToken(token, 0, as_groups(bad), nullptr, nullptr, &filtered), STATUS_INVALID_SID);

    // The new handle has the existing handle's access.
    ASSERT_EQ(NtFilterToken(token, 0, nullptr, nullptr, nullptr, &filtered), STATUS_SUCCESS);
    OBJECT_BASIC_INFORMATION basic{};
    ASSERT_EQ(NtQueryObject(filtered, ObjectBasicInformation, &basic, sizeof(basic), nullptr), STATUS_SUCCESS);
    EXPECT_EQ(basic.GrantedAccess, static_cast<ACCESS_MASK>(TOKEN_DUPLICATE | TOKEN_QUERY));
    EXPECT_EQ(NtClose(filtered), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(query_only), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenFilterTest, se_filter_token_gives_a_token_object)
{
    HANDLE token = open_own(TOKEN_QUERY);
    PACCESS_TOKEN existing = object_of(token);
    Sid rc = restricted_code_sid();
    OneGroup restricting = one_group(rc.get(), 0);
    PACCESS_TOKEN filtered = nullptr;
    ASSERT_EQ(SeFilterToken(existing, 0, nullptr, nullptr, as_groups(restricting), &filtered), STATUS_SUCCESS);
    ASSERT_NE(filtered, nullptr);
    EXPECT_TRUE(SeTokenIsRestricted(filtered));
    EXPECT_EQ(SeTokenType(filtered), TokenPrimary);
    // Filtering a restricted token again keeps only the restricting SIDs both lists name.
    Sid users = users_sid();
    OneGroup other = one_group(users.get(), 0);
    PACCESS_TOKEN twice = nullptr;
    ASSERT_EQ(SeFilterToken(filtered, 0, nullptr, nullptr, as_groups(other), &twice), STATUS_SUCCESS);
    Descriptor sd({{0x1, users_sid()}});
    EXPECT_EQ(granted_to(twice, sd, 0x1), 0u);
    EXPECT_TRUE(SeTokenIsRestricted(twice));

    EXPECT_EQ(SeFilterToken(nullptr, 0, nullptr, nullptr, nullptr, &twice), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(SeFilterToken(existing, 0x100, nullptr, nullptr, nullptr, &twice), STATUS_INVALID_PARAMETER);
    ObDereferenceObject(twice);
    ObDereferenceObject(filtered);
    ObDereferenceObject(existing);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenFilterTest, adjust_groups_enables_disables_and_resets)
{
    ntio::test::SystemTokenProcess as_system(system(), u"sysproc.exe");
    HANDLE token = open_own(TOKEN_ADJUST_GROUPS | TOKEN_QUERY);
    Sid admins = admins_sid();
    Descriptor sd({{0x1, admins_sid()}});
    PACCESS_TOKEN object = object_of(token);
    EXPECT_EQ(granted_to(object, sd, 0x1), 0x1u);

    OneGroup disable = one_group(admins.get(), 0);
    alignas(8) unsigned char previous[256];
    ULONG needed = 0;
    // Too small a PreviousState: nothing changes, the size needed is reported.
    ASSERT_EQ(NtAdjustGroupsToken(token, FALSE, as_groups(disable), 8, reinterpret_cast<PTOKEN_GROUPS>(previous), &needed),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(needed, static_cast<ULONG>(offsetof(TOKEN_GROUPS, Groups) + sizeof(SID_AND_ATTRIBUTES) +
                                         RtlLengthSid(admins.get())));
    EXPECT_NE(group_attributes(token, admins.get()) & SE_GROUP_ENABLED, 0u);

    ASSERT_EQ(NtAdjustGroupsToken(token, FALSE, as_groups(disable), sizeof(previous),
                                  reinterpret_cast<PTOKEN_GROUPS>(previous), &needed),
              STATUS_SUCCESS);
    auto* before = reinterpret_cast<PTOKEN_GROUPS>(previous);
    ASSERT_EQ(before->GroupCount, 1u);
    EXPECT_TRUE(RtlEqualSid(before->Groups[0].Sid, admins.get()));
    EXPECT_NE(before->Groups[0].Attributes & SE_GROUP_ENABLED, 0u);
    EXPECT_EQ(group_attributes(token, admins.get()) & SE_GROUP_ENABLED, 0u);
    EXPECT_EQ(granted_to(object, sd, 0x1), 0u);  // a disabled group grants nothing

    // ResetToDefault enables what is enabled by default again.
    ASSERT_EQ(NtAdjustGroupsToken(token, TRUE, nullptr, 0, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_NE(group_attributes(token, admins.get()) & SE_GROUP_ENABLED, 0u);
    EXPECT_EQ(granted_to(object, sd, 0x1), 0x1u);

    // Mandatory groups cannot be disabled; unknown SIDs are not all assigned.
    Sid world(1, {0});
    OneGroup mandatory = one_group(world.get(), 0);
    EXPECT_EQ(NtAdjustGroupsToken(token, FALSE, as_groups(mandatory), 0, nullptr, nullptr),
              STATUS_CANT_DISABLE_MANDATORY);
    Sid stranger(5, {32, 999});
    OneGroup unknown = one_group(stranger.get(), SE_GROUP_ENABLED);
    EXPECT_EQ(NtAdjustGroupsToken(token, FALSE, as_groups(unknown), 0, nullptr, nullptr), STATUS_NOT_ALL_ASSIGNED);
    ObDereferenceObject(object);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

TEST_F(TokenFilterTest, adjust_groups_checks_access_and_deny_only)
{
    ntio::test::SystemTokenProcess as_system(system(), u"sysproc.exe");
    HANDLE token = open_own(TOKEN_DUPLICATE | TOKEN_QUERY);
    Sid admins = admins_sid();
    OneGroup group = one_group(admins.get(), SE_GROUP_ENABLED);
    EXPECT_EQ(NtAdjustGroupsToken(token, FALSE, as_groups(group), 0, nullptr, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtAdjustGroupsToken(token, FALSE, nullptr, 0, nullptr, nullptr), STATUS_INVALID_PARAMETER);
    // A deny-only group (disabled by a filter) cannot be enabled again.
    OneGroup disable = one_group(admins.get(), 0);
    HANDLE filtered = nullptr;
    ASSERT_EQ(NtFilterToken(token, 0, as_groups(disable), nullptr, nullptr, &filtered), STATUS_SUCCESS);
    HANDLE adjustable = nullptr;
    ASSERT_EQ(NtDuplicateToken(filtered, TOKEN_ADJUST_GROUPS | TOKEN_QUERY, nullptr, FALSE, TokenPrimary, &adjustable),
              STATUS_SUCCESS);
    EXPECT_EQ(NtAdjustGroupsToken(adjustable, FALSE, as_groups(group), 0, nullptr, nullptr),
              STATUS_CANT_ENABLE_DENY_ONLY);
    EXPECT_EQ(NtAdjustGroupsToken(adjustable, TRUE, nullptr, 0, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(group_attributes(adjustable, admins.get()) & SE_GROUP_ENABLED, 0u);
    // Zw form: kernel mode, same rules.
    EXPECT_EQ(ZwAdjustGroupsToken(adjustable, FALSE, as_groups(group), 0, nullptr, nullptr),
              STATUS_CANT_ENABLE_DENY_ONLY);
    EXPECT_EQ(NtClose(adjustable), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(filtered), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(token), STATUS_SUCCESS);
}

}  // namespace
}  // namespace token_filter_test
