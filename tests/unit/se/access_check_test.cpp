// The access check matrix: no descriptor, NULL and empty DACLs, allow/deny ordering, owner rights,
// generic mapping, MAXIMUM_ALLOWED, inherit-only ACEs, and the privilege-driven rights.
#include <gtest/gtest.h>

#include "se/access_check.hpp"
#include "se/acl_builder.hpp"
#include "se/security_descriptor.hpp"
#include "unit/se/se_test_support.hpp"

namespace {

using namespace ntio::se;
using ntio::se::test::kMapping;

class AccessCheckTest : public ::testing::Test {
protected:
    std::shared_ptr<Token> m_user = Token::create_user(false);
    std::shared_ptr<Token> m_admin = Token::create_user(true);
    std::shared_ptr<Token> m_system = Token::create_system();

    static SecurityDescriptor with_dacl(const SID* owner, const AclBuilder& acl)
    {
        auto bytes = acl.finish();
        return SecurityDescriptor::from_parts(owner, nullptr, true, reinterpret_cast<const ACL*>(bytes.data()), false,
                                              nullptr, 0);
    }

    static NTSTATUS check(const SecurityDescriptor& sd, const Token& token, ACCESS_MASK desired, ACCESS_MASK* granted)
    {
        return access_check(sd.get(), token, desired, kMapping, granted);
    }
};

TEST_F(AccessCheckTest, no_descriptor_grants_what_is_asked)
{
    ACCESS_MASK granted = 0;
    ASSERT_EQ(access_check(nullptr, *m_user, 0x3, kMapping, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, 0x3u);
    ASSERT_EQ(access_check(nullptr, *m_user, MAXIMUM_ALLOWED, kMapping, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, kMapping.GenericAll | STANDARD_RIGHTS_ALL);
    ASSERT_EQ(access_check(nullptr, *m_user, GENERIC_READ, kMapping, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, kMapping.GenericRead);
}

TEST_F(AccessCheckTest, null_dacl_grants_everything)
{
    SecurityDescriptor sd = SecurityDescriptor::from_parts(well_known::local_system(), nullptr, true, nullptr, false,
                                                           nullptr, 0);
    ACCESS_MASK granted = 0;
    ASSERT_EQ(check(sd, *m_user, GENERIC_ALL, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, kMapping.GenericAll);
    ASSERT_EQ(check(sd, *m_user, MAXIMUM_ALLOWED, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, kMapping.GenericAll | STANDARD_RIGHTS_ALL);
}

TEST_F(AccessCheckTest, empty_dacl_denies_everyone_but_owner_implicit_rights)
{
    AclBuilder empty;
    SecurityDescriptor sd = with_dacl(well_known::local_system(), empty);
    ACCESS_MASK granted = 0xFFFF;
    EXPECT_EQ(check(sd, *m_user, 0x1u, &granted), STATUS_ACCESS_DENIED);
    EXPECT_EQ(granted, 0u);
    EXPECT_EQ(check(sd, *m_user, MAXIMUM_ALLOWED, &granted), STATUS_ACCESS_DENIED);
    // SYSTEM owns it: READ_CONTROL and WRITE_DAC come with ownership, nothing else.
    ASSERT_EQ(check(sd, *m_system, READ_CONTROL | WRITE_DAC, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, static_cast<ACCESS_MASK>(READ_CONTROL | WRITE_DAC));
    EXPECT_EQ(check(sd, *m_system, DELETE, &granted), STATUS_ACCESS_DENIED);
}

TEST_F(AccessCheckTest, allow_ace_grants_only_its_bits)
{
    AclBuilder acl;
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, 0x1 | SYNCHRONIZE, well_known::world());
    SecurityDescriptor sd = with_dacl(well_known::local_system(), acl);
    ACCESS_MASK granted = 0;
    ASSERT_EQ(check(sd, *m_user, 0x1, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, 0x1u);
    EXPECT_EQ(check(sd, *m_user, 0x1 | 0x2, &granted), STATUS_ACCESS_DENIED);
    EXPECT_EQ(granted, 0u);
}

TEST_F(AccessCheckTest, rights_accumulate_over_several_aces)
{
    AclBuilder acl;
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, 0x1, well_known::world());
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, 0x2, well_known::users());
    SecurityDescriptor sd = with_dacl(well_known::local_system(), acl);
    ACCESS_MASK granted = 0;
    ASSERT_EQ(check(sd, *m_user, 0x3, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, 0x3u);
    // SYSTEM is in Everyone but not in Users.
    EXPECT_EQ(check(sd, *m_system, 0x3, &granted), STATUS_ACCESS_DENIED);
}

TEST_F(AccessCheckTest, deny_before_allow_denies)
{
    AclBuilder acl;
    acl.add(ACCESS_DENIED_ACE_TYPE, 0, 0x2, well_known::users());
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_ALL, well_known::world());
    SecurityDescriptor sd = with_dacl(well_known::local_system(), acl);
    ACCESS_MASK granted = 0;
    EXPECT_EQ(check(sd, *m_user, 0x2, &granted), STATUS_ACCESS_DENIED);
    ASSERT_EQ(check(sd, *m_user, 0x1, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, 0x1u);
    ASSERT_EQ(check(sd, *m_user, MAXIMUM_ALLOWED, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, kMapping.GenericAll & ~0x2u);
    // The deny does not apply to SYSTEM, which is not in Users.
    ASSERT_EQ(check(sd, *m_system, 0x2, &granted), STATUS_SUCCESS);
}

TEST_F(AccessCheckTest, allow_before_deny_grants)
{
    AclBuilder acl;
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, 0x2, well_known::world());
    acl.add(ACCESS_DENIED_ACE_TYPE, 0, 0x2, well_known::users());
    SecurityDescriptor sd = with_dacl(well_known::local_system(), acl);
    ACCESS_MASK granted = 0;
    ASSERT_EQ(check(sd, *m_user, 0x2, &granted), STATUS_SUCCESS);
    ASSERT_EQ(check(sd, *m_user, MAXIMUM_ALLOWED, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, 0x2u);
}

TEST_F(AccessCheckTest, owner_gets_read_control_and_write_dac_despite_deny)
{
    AclBuilder acl;
    acl.add(ACCESS_DENIED_ACE_TYPE, 0, READ_CONTROL | WRITE_DAC | 0x1, m_user->user());
    SecurityDescriptor sd = with_dacl(m_user->user(), acl);
    ACCESS_MASK granted = 0;
    ASSERT_EQ(check(sd, *m_user, READ_CONTROL | WRITE_DAC, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, static_cast<ACCESS_MASK>(READ_CONTROL | WRITE_DAC));
    EXPECT_EQ(check(sd, *m_user, 0x1, &granted), STATUS_ACCESS_DENIED);
    ASSERT_EQ(check(sd, *m_user, MAXIMUM_ALLOWED, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, static_cast<ACCESS_MASK>(READ_CONTROL | WRITE_DAC));
}

TEST_F(AccessCheckTest, owner_rights_ace_replaces_implicit_owner_rights)
{
    AclBuilder acl;
    SidBuffer owner_rights(3, {SECURITY_CREATOR_OWNER_RIGHTS_RID});
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, READ_CONTROL, owner_rights.get());
    SecurityDescriptor sd = with_dacl(m_user->user(), acl);
    ACCESS_MASK granted = 0;
    ASSERT_EQ(check(sd, *m_user, READ_CONTROL, &granted), STATUS_SUCCESS);
    EXPECT_EQ(check(sd, *m_user, WRITE_DAC, &granted), STATUS_ACCESS_DENIED);
    // Not the owner: the OWNER RIGHTS ACE does not apply.
    EXPECT_EQ(check(sd, *m_system, READ_CONTROL, &granted), STATUS_ACCESS_DENIED);
}

TEST_F(AccessCheckTest, generic_rights_map_in_request_and_in_aces)
{
    AclBuilder acl;
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_READ, well_known::world());
    SecurityDescriptor sd = with_dacl(well_known::local_system(), acl);
    ACCESS_MASK granted = 0;
    ASSERT_EQ(check(sd, *m_user, GENERIC_READ, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, kMapping.GenericRead);
    ASSERT_EQ(check(sd, *m_user, 0x1 | SYNCHRONIZE, &granted), STATUS_SUCCESS);
    EXPECT_EQ(check(sd, *m_user, GENERIC_WRITE, &granted), STATUS_ACCESS_DENIED);
    ASSERT_EQ(check(sd, *m_user, MAXIMUM_ALLOWED, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, kMapping.GenericRead);
}

TEST_F(AccessCheckTest, maximum_allowed_with_extra_bits_needs_them_granted)
{
    AclBuilder acl;
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, 0x1, well_known::world());
    SecurityDescriptor sd = with_dacl(well_known::local_system(), acl);
    ACCESS_MASK granted = 0;
    ASSERT_EQ(check(sd, *m_user, MAXIMUM_ALLOWED | 0x1, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, 0x1u);
    EXPECT_EQ(check(sd, *m_user, MAXIMUM_ALLOWED | 0x2, &granted), STATUS_ACCESS_DENIED);
    EXPECT_EQ(granted, 0u);
}

TEST_F(AccessCheckTest, inherit_only_aces_are_skipped)
{
    AclBuilder acl;
    acl.add(ACCESS_DENIED_ACE_TYPE, INHERIT_ONLY_ACE | OBJECT_INHERIT_ACE, 0x1, well_known::world());
    acl.add(ACCESS_ALLOWED_ACE_TYPE, INHERIT_ONLY_ACE | CONTAINER_INHERIT_ACE, 0x2, well_known::world());
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, 0x1, well_known::world());
    SecurityDescriptor sd = with_dacl(well_known::local_system(), acl);
    ACCESS_MASK granted = 0;
    ASSERT_EQ(check(sd, *m_user, 0x1, &granted), STATUS_SUCCESS);
    EXPECT_EQ(check(sd, *m_user, 0x2, &granted), STATUS_ACCESS_DENIED);
}

TEST_F(AccessCheckTest, access_system_security_needs_security_privilege)
{
    AclBuilder acl;
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_ALL, well_known::world());
    SecurityDescriptor sd = with_dacl(well_known::local_system(), acl);
    ACCESS_MASK granted = 0xFF;
    EXPECT_EQ(check(sd, *m_user, ACCESS_SYSTEM_SECURITY, &granted), STATUS_PRIVILEGE_NOT_HELD);
    EXPECT_EQ(granted, 0u);
    // The administrator holds SeSecurityPrivilege but disabled by default.
    EXPECT_EQ(check(sd, *m_admin, ACCESS_SYSTEM_SECURITY, &granted), STATUS_PRIVILEGE_NOT_HELD);
    ASSERT_EQ(m_admin->adjust_privilege(SE_SECURITY_PRIVILEGE, true), STATUS_SUCCESS);
    ASSERT_EQ(check(sd, *m_admin, ACCESS_SYSTEM_SECURITY | 0x1, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, static_cast<ACCESS_MASK>(ACCESS_SYSTEM_SECURITY | 0x1));
    // MAXIMUM_ALLOWED never includes it by itself.
    ASSERT_EQ(check(sd, *m_admin, MAXIMUM_ALLOWED, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted & ACCESS_SYSTEM_SECURITY, 0u);
}

TEST_F(AccessCheckTest, take_ownership_privilege_grants_write_owner)
{
    AclBuilder empty;
    SecurityDescriptor sd = with_dacl(well_known::local_system(), empty);
    ACCESS_MASK granted = 0;
    EXPECT_EQ(check(sd, *m_admin, WRITE_OWNER, &granted), STATUS_ACCESS_DENIED);
    ASSERT_EQ(m_admin->adjust_privilege(SE_TAKE_OWNERSHIP_PRIVILEGE, true), STATUS_SUCCESS);
    ASSERT_EQ(check(sd, *m_admin, WRITE_OWNER, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, static_cast<ACCESS_MASK>(WRITE_OWNER));
    ASSERT_EQ(check(sd, *m_admin, MAXIMUM_ALLOWED, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, static_cast<ACCESS_MASK>(WRITE_OWNER));
}

TEST_F(AccessCheckTest, previously_granted_rights_need_no_ace)
{
    AclBuilder acl;
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, 0x1, well_known::world());
    SecurityDescriptor sd = with_dacl(well_known::local_system(), acl);
    ACCESS_MASK granted = 0;
    ASSERT_EQ(access_check(sd.get(), *m_user, 0x1 | DELETE, DELETE, kMapping, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, static_cast<ACCESS_MASK>(0x1 | DELETE));
}

TEST_F(AccessCheckTest, absolute_descriptors_are_checked_too)
{
    SECURITY_DESCRIPTOR sd;
    alignas(4) unsigned char dacl[64];
    ASSERT_EQ(RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlCreateAcl(reinterpret_cast<PACL>(dacl), sizeof(dacl), ACL_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlAddAccessAllowedAce(reinterpret_cast<PACL>(dacl), ACL_REVISION, 0x4,
                                     const_cast<SID*>(well_known::authenticated_users())),
              STATUS_SUCCESS);
    ASSERT_EQ(RtlSetDaclSecurityDescriptor(&sd, TRUE, reinterpret_cast<PACL>(dacl), FALSE), STATUS_SUCCESS);
    ACCESS_MASK granted = 0;
    ASSERT_EQ(access_check(&sd, *m_user, 0x4, kMapping, &granted), STATUS_SUCCESS);
    EXPECT_EQ(access_check(&sd, *m_user, 0x8, kMapping, &granted), STATUS_ACCESS_DENIED);
    // DACL not present at all behaves like a NULL DACL.
    ASSERT_EQ(RtlSetDaclSecurityDescriptor(&sd, FALSE, nullptr, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(access_check(&sd, *m_user, 0x8, kMapping, &granted), STATUS_SUCCESS);
}

TEST_F(AccessCheckTest, administrators_group_matches_only_admin_tokens)
{
    AclBuilder acl;
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_ALL, well_known::local_system());
    acl.add(ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_ALL, well_known::administrators());
    SecurityDescriptor sd = with_dacl(well_known::local_system(), acl);
    ACCESS_MASK granted = 0;
    EXPECT_EQ(check(sd, *m_user, 0x1, &granted), STATUS_ACCESS_DENIED);
    ASSERT_EQ(check(sd, *m_admin, GENERIC_ALL, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, kMapping.GenericAll);
    ASSERT_EQ(check(sd, *m_system, GENERIC_ALL, &granted), STATUS_SUCCESS);
}

}  // namespace
