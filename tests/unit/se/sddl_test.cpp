// SDDL parsing: owner/group aliases and SID strings, DACL flags and ACEs, rights codes, and errors.
#include <gtest/gtest.h>

#include "se/access_check.hpp"
#include "se/security_descriptor.hpp"

namespace {

using namespace ntio::se;

const ACCESS_ALLOWED_ACE* ace_at(const SecurityDescriptor& sd, ULONG index)
{
    PVOID ace = nullptr;
    EXPECT_EQ(RtlGetAce(const_cast<PACL>(sd.dacl()), index, &ace), STATUS_SUCCESS);
    return static_cast<const ACCESS_ALLOWED_ACE*>(ace);
}

const SID* ace_sid(const ACCESS_ALLOWED_ACE* ace)
{
    return reinterpret_cast<const SID*>(&ace->SidStart);
}

// NT fact S4: the SDDL IoCreateDeviceSecure drivers pass for SYSTEM and Administrators only.
TEST(SddlTest, device_default_system_and_admins)
{
    SecurityDescriptor sd;
    ASSERT_EQ(SecurityDescriptor::from_sddl("D:P(A;;GA;;;SY)(A;;GA;;;BA)", sd), STATUS_SUCCESS);
    EXPECT_EQ(sd.owner(), nullptr);
    EXPECT_EQ(sd.group(), nullptr);
    ASSERT_NE(sd.dacl(), nullptr);
    EXPECT_TRUE(sd.control() & SE_DACL_PROTECTED);
    ASSERT_EQ(sd.dacl()->AceCount, 2);
    EXPECT_EQ(ace_at(sd, 0)->Header.AceType, ACCESS_ALLOWED_ACE_TYPE);
    EXPECT_EQ(ace_at(sd, 0)->Mask, static_cast<ACCESS_MASK>(GENERIC_ALL));
    EXPECT_TRUE(sid_equal(ace_sid(ace_at(sd, 0)), well_known::local_system()));
    EXPECT_TRUE(sid_equal(ace_sid(ace_at(sd, 1)), well_known::administrators()));
    EXPECT_TRUE(RtlValidSecurityDescriptor(sd.get()));

    const GENERIC_MAPPING mapping{0x120089, 0x120116, 0x1200A0, 0x1F01FF};
    ACCESS_MASK granted = 0;
    EXPECT_EQ(access_check(sd.get(), *Token::create_user(false), GENERIC_READ, mapping, &granted),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(access_check(sd.get(), *Token::create_user(true), GENERIC_READ, mapping, &granted), STATUS_SUCCESS);
    EXPECT_EQ(access_check(sd.get(), *Token::create_system(), GENERIC_ALL, mapping, &granted), STATUS_SUCCESS);
}

TEST(SddlTest, owner_group_and_sid_strings)
{
    SecurityDescriptor sd;
    ASSERT_EQ(SecurityDescriptor::from_sddl("O:BAG:S-1-5-21-1-2-3-513D:(D;OICI;0x1f01ff;;;S-1-5-21-1-2-3-1001)"
                                            "(A;;FR;;;WD)",
                                            sd),
              STATUS_SUCCESS);
    EXPECT_TRUE(sid_equal(sd.owner(), well_known::administrators()));
    EXPECT_EQ(sid_to_string(sd.group()), "S-1-5-21-1-2-3-513");
    ASSERT_EQ(sd.dacl()->AceCount, 2);
    const auto* deny = ace_at(sd, 0);
    EXPECT_EQ(deny->Header.AceType, ACCESS_DENIED_ACE_TYPE);
    EXPECT_EQ(deny->Header.AceFlags, OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE);
    EXPECT_EQ(deny->Mask, 0x1F01FFu);
    EXPECT_EQ(sid_to_string(ace_sid(deny)), "S-1-5-21-1-2-3-1001");
    EXPECT_EQ(ace_at(sd, 1)->Mask, 0x120089u);
}

TEST(SddlTest, alias_owner_and_group_back_to_back_with_hex_rights)
{
    SecurityDescriptor sd;
    ASSERT_EQ(SecurityDescriptor::from_sddl("O:SYG:SYD:(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x2000F;;;WD)", sd), STATUS_SUCCESS);
    EXPECT_TRUE(sid_equal(sd.owner(), well_known::local_system()));
    EXPECT_TRUE(sid_equal(sd.group(), well_known::local_system()));
    ASSERT_EQ(sd.dacl()->AceCount, 3);
    EXPECT_EQ(ace_at(sd, 2)->Mask, 0x2000Fu);
    EXPECT_TRUE(sid_equal(ace_sid(ace_at(sd, 2)), well_known::world()));
}

TEST(SddlTest, sid_string_owner_followed_by_dacl)
{
    SecurityDescriptor sd;
    ASSERT_EQ(SecurityDescriptor::from_sddl("O:S-1-5-18D:(A;;GA;;;CO)", sd), STATUS_SUCCESS);
    EXPECT_TRUE(sid_equal(sd.owner(), well_known::local_system()));
    EXPECT_TRUE(sid_equal(ace_sid(ace_at(sd, 0)), well_known::creator_owner()));
}

TEST(SddlTest, combined_rights_codes)
{
    SecurityDescriptor sd;
    ASSERT_EQ(SecurityDescriptor::from_sddl("D:(A;;GRGWGX;;;AU)(A;;RCSDWDWO;;;BU)(A;;KR;;;IU)", sd), STATUS_SUCCESS);
    EXPECT_EQ(ace_at(sd, 0)->Mask, static_cast<ACCESS_MASK>(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE));
    EXPECT_EQ(ace_at(sd, 1)->Mask, static_cast<ACCESS_MASK>(READ_CONTROL | DELETE | WRITE_DAC | WRITE_OWNER));
    EXPECT_EQ(ace_at(sd, 2)->Mask, 0x20019u);
}

TEST(SddlTest, empty_dacl_and_null_dacl)
{
    SecurityDescriptor empty;
    ASSERT_EQ(SecurityDescriptor::from_sddl("D:P", empty), STATUS_SUCCESS);
    ASSERT_NE(empty.dacl(), nullptr);
    EXPECT_EQ(empty.dacl()->AceCount, 0);

    SecurityDescriptor null_dacl;
    ASSERT_EQ(SecurityDescriptor::from_sddl("D:NO_ACCESS_CONTROL", null_dacl), STATUS_SUCCESS);
    EXPECT_TRUE(null_dacl.dacl_present());
    EXPECT_EQ(null_dacl.dacl(), nullptr);
}

TEST(SddlTest, sacl_with_audit_ace)
{
    SecurityDescriptor sd;
    ASSERT_EQ(SecurityDescriptor::from_sddl("D:(A;;GA;;;WD)S:(AU;SAFA;GA;;;WD)", sd), STATUS_SUCCESS);
    EXPECT_TRUE(sd.control() & SE_SACL_PRESENT);
    BOOLEAN present = FALSE, defaulted = FALSE;
    PACL sacl = nullptr;
    ASSERT_EQ(RtlGetSaclSecurityDescriptor(sd.get(), &present, &sacl, &defaulted), STATUS_SUCCESS);
    ASSERT_TRUE(present);
    ASSERT_NE(sacl, nullptr);
    EXPECT_EQ(sacl->AceCount, 1);
}

TEST(SddlTest, malformed_text_is_invalid_parameter)
{
    SecurityDescriptor sd;
    for (const char* bad : {"X:BA", "O:ZZ", "D:(A;;GA;;;SY", "D:(Q;;GA;;;SY)", "D:(A;;QQ;;;SY)", "D:(A;;GA;;;S-1-x)",
                            "D:(A;ZZ;GA;;;SY)", "O:BAO:SY", "D:(A;;GA;;)", "O:S-2-5-18", "D:(A;;GA;abc;;SY)"}) {
        EXPECT_EQ(SecurityDescriptor::from_sddl(bad, sd), STATUS_INVALID_PARAMETER) << bad;
    }
    EXPECT_TRUE(SecurityDescriptor::from_sddl("D:(A;;GA;;;QQ)").empty());
    EXPECT_FALSE(SecurityDescriptor::from_sddl("D:(A;;GA;;;SY)").empty());
}

}  // namespace
