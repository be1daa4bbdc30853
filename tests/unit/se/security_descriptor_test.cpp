// Security descriptors: absolute construction, the accessors, absolute <-> self-relative round trips,
// validation statuses, and SecurityDescriptor capture and defaults.
#include <gtest/gtest.h>

#include "se/security_descriptor.hpp"
#include "se/token.hpp"
#include "unit/se/se_test_support.hpp"

namespace {

using namespace ntio::se;
using ntio::se::test::sid_of;

struct AbsoluteSd {
    SECURITY_DESCRIPTOR sd;
    alignas(4) unsigned char dacl[64]{};  // AclSize covers all 64 bytes, which copies compare
    AbsoluteSd()
    {
        EXPECT_EQ(RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
        EXPECT_EQ(RtlCreateAcl(reinterpret_cast<PACL>(dacl), sizeof(dacl), ACL_REVISION), STATUS_SUCCESS);
        EXPECT_EQ(RtlAddAccessAllowedAce(reinterpret_cast<PACL>(dacl), ACL_REVISION, GENERIC_READ,
                                         sid_of(well_known::world())),
                  STATUS_SUCCESS);
        EXPECT_EQ(RtlSetDaclSecurityDescriptor(&sd, TRUE, reinterpret_cast<PACL>(dacl), FALSE), STATUS_SUCCESS);
        EXPECT_EQ(RtlSetOwnerSecurityDescriptor(&sd, sid_of(well_known::administrators()), FALSE), STATUS_SUCCESS);
        EXPECT_EQ(RtlSetGroupSecurityDescriptor(&sd, sid_of(well_known::local_system()), TRUE), STATUS_SUCCESS);
    }
};

TEST(SecurityDescriptorTest, create_rejects_unknown_revision)
{
    SECURITY_DESCRIPTOR sd;
    EXPECT_EQ(RtlCreateSecurityDescriptor(&sd, 2), STATUS_UNKNOWN_REVISION);
    ASSERT_EQ(RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
    EXPECT_EQ(sd.Control, 0);
    EXPECT_EQ(sd.Owner, nullptr);
    EXPECT_TRUE(RtlValidSecurityDescriptor(&sd));
    EXPECT_EQ(RtlLengthSecurityDescriptor(&sd), sizeof(SECURITY_DESCRIPTOR_RELATIVE));
}

TEST(SecurityDescriptorTest, accessors_report_what_was_set)
{
    AbsoluteSd abs;
    BOOLEAN present = FALSE, defaulted = TRUE;
    PACL dacl = nullptr;
    ASSERT_EQ(RtlGetDaclSecurityDescriptor(&abs.sd, &present, &dacl, &defaulted), STATUS_SUCCESS);
    EXPECT_TRUE(present);
    EXPECT_FALSE(defaulted);
    EXPECT_EQ(dacl, reinterpret_cast<PACL>(abs.dacl));
    PSID owner = nullptr;
    ASSERT_EQ(RtlGetOwnerSecurityDescriptor(&abs.sd, &owner, &defaulted), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(owner, sid_of(well_known::administrators())));
    EXPECT_FALSE(defaulted);
    PSID group = nullptr;
    ASSERT_EQ(RtlGetGroupSecurityDescriptor(&abs.sd, &group, &defaulted), STATUS_SUCCESS);
    EXPECT_TRUE(defaulted);
    EXPECT_EQ(abs.sd.Control, SE_DACL_PRESENT | SE_GROUP_DEFAULTED);
}

TEST(SecurityDescriptorTest, absolute_to_self_relative_round_trip)
{
    AbsoluteSd abs;
    ULONG length = 0;
    ASSERT_EQ(RtlAbsoluteToSelfRelativeSD(&abs.sd, nullptr, &length), STATUS_BUFFER_TOO_SMALL);
    const ULONG expected = sizeof(SECURITY_DESCRIPTOR_RELATIVE) + reinterpret_cast<PACL>(abs.dacl)->AclSize + 16 + 12;
    ASSERT_EQ(length, expected);
    EXPECT_EQ(RtlLengthSecurityDescriptor(&abs.sd), expected);

    std::vector<ULONG> relative(length / 4);
    ASSERT_EQ(RtlAbsoluteToSelfRelativeSD(&abs.sd, relative.data(), &length), STATUS_SUCCESS);
    auto* rel = reinterpret_cast<PISECURITY_DESCRIPTOR_RELATIVE>(relative.data());
    EXPECT_EQ(rel->Control, SE_SELF_RELATIVE | SE_DACL_PRESENT | SE_GROUP_DEFAULTED);
    EXPECT_TRUE(SeValidSecurityDescriptor(length, rel));
    EXPECT_TRUE(RtlValidRelativeSecurityDescriptor(rel, length, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION));
    EXPECT_FALSE(RtlValidRelativeSecurityDescriptor(rel, length, SACL_SECURITY_INFORMATION));
    EXPECT_EQ(RtlLengthSecurityDescriptor(rel), length);
    EXPECT_EQ(RtlAbsoluteToSelfRelativeSD(rel, relative.data(), &length), STATUS_BAD_DESCRIPTOR_FORMAT);
    EXPECT_EQ(RtlSetOwnerSecurityDescriptor(rel, nullptr, FALSE), STATUS_INVALID_SECURITY_DESCR);

    // Accessors read the self-relative form too.
    PSID owner = nullptr;
    BOOLEAN defaulted = TRUE;
    ASSERT_EQ(RtlGetOwnerSecurityDescriptor(rel, &owner, &defaulted), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(owner, sid_of(well_known::administrators())));

    // And back to absolute.
    SECURITY_DESCRIPTOR back;
    alignas(4) unsigned char dacl[64], sacl[8], owner_buf[68], group_buf[68];
    ULONG sd_size = sizeof(back), dacl_size = 4, sacl_size = sizeof(sacl), owner_size = sizeof(owner_buf),
          group_size = sizeof(group_buf);
    ASSERT_EQ(RtlSelfRelativeToAbsoluteSD(rel, &back, &sd_size, reinterpret_cast<PACL>(dacl), &dacl_size,
                                          reinterpret_cast<PACL>(sacl), &sacl_size, owner_buf, &owner_size, group_buf,
                                          &group_size),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(dacl_size, reinterpret_cast<PACL>(abs.dacl)->AclSize);
    EXPECT_EQ(sacl_size, 0u);
    EXPECT_EQ(owner_size, 16u);
    ASSERT_EQ(RtlSelfRelativeToAbsoluteSD(rel, &back, &sd_size, reinterpret_cast<PACL>(dacl), &dacl_size,
                                          reinterpret_cast<PACL>(sacl), &sacl_size, owner_buf, &owner_size, group_buf,
                                          &group_size),
              STATUS_SUCCESS);
    EXPECT_EQ(back.Control, SE_DACL_PRESENT | SE_GROUP_DEFAULTED);
    EXPECT_TRUE(RtlEqualSid(back.Owner, sid_of(well_known::administrators())));
    EXPECT_TRUE(RtlEqualSid(back.Group, sid_of(well_known::local_system())));
    EXPECT_EQ(std::memcmp(back.Dacl, abs.dacl, reinterpret_cast<PACL>(abs.dacl)->AclSize), 0);
}

TEST(SecurityDescriptorTest, make_self_relative_copies_either_form)
{
    AbsoluteSd abs;
    ULONG length = 256;
    std::vector<ULONG> first(64), second(64);
    ASSERT_EQ(RtlMakeSelfRelativeSD(&abs.sd, first.data(), &length), STATUS_SUCCESS);
    ULONG length2 = 256;
    ASSERT_EQ(RtlMakeSelfRelativeSD(first.data(), second.data(), &length2), STATUS_SUCCESS);
    EXPECT_EQ(RtlLengthSecurityDescriptor(first.data()), RtlLengthSecurityDescriptor(second.data()));
    EXPECT_EQ(std::memcmp(first.data(), second.data(), RtlLengthSecurityDescriptor(first.data())), 0);
}

TEST(SecurityDescriptorTest, setters_and_getters_reject_bad_revision)
{
    SECURITY_DESCRIPTOR sd{};
    sd.Revision = 3;
    EXPECT_EQ(RtlSetDaclSecurityDescriptor(&sd, TRUE, nullptr, FALSE), STATUS_UNKNOWN_REVISION);
    PSID owner;
    BOOLEAN defaulted;
    EXPECT_EQ(RtlGetOwnerSecurityDescriptor(&sd, &owner, &defaulted), STATUS_UNKNOWN_REVISION);
    EXPECT_FALSE(RtlValidSecurityDescriptor(&sd));
}

TEST(SecurityDescriptorTest, capture_copies_and_validates)
{
    AbsoluteSd abs;
    SecurityDescriptor captured;
    ASSERT_EQ(SecurityDescriptor::capture(&abs.sd, captured), STATUS_SUCCESS);
    ASSERT_FALSE(captured.empty());
    EXPECT_EQ(captured.length(), RtlLengthSecurityDescriptor(&abs.sd));
    EXPECT_TRUE(sid_equal(captured.owner(), well_known::administrators()));
    EXPECT_TRUE(sid_equal(captured.group(), well_known::local_system()));
    EXPECT_TRUE(captured.dacl_present());
    ASSERT_NE(captured.dacl(), nullptr);
    EXPECT_EQ(captured.dacl()->AceCount, 1);
    // The copy owns its bytes: changing the source does not change it.
    reinterpret_cast<PACL>(abs.dacl)->AceCount = 0;
    EXPECT_EQ(captured.dacl()->AceCount, 1);

    SecurityDescriptor copy = captured;
    EXPECT_NE(copy.get(), captured.get());
    EXPECT_EQ(std::memcmp(copy.get(), captured.get(), captured.length()), 0);
}

TEST(SecurityDescriptorTest, capture_reports_bad_input)
{
    SecurityDescriptor out;
    EXPECT_EQ(SecurityDescriptor::capture(nullptr, out), STATUS_INVALID_SECURITY_DESCR);
    {
        AbsoluteSd abs;
        abs.sd.Revision = 2;
        EXPECT_EQ(SecurityDescriptor::capture(&abs.sd, out), STATUS_UNKNOWN_REVISION);
    }
    {
        AbsoluteSd abs;
        SidBuffer bad(5, {18});
        bad.get()->Revision = 7;
        abs.sd.Owner = bad.get();
        EXPECT_EQ(SecurityDescriptor::capture(&abs.sd, out), STATUS_INVALID_SID);
    }
    {
        AbsoluteSd abs;
        reinterpret_cast<PACL>(abs.dacl)->AclRevision = 1;
        EXPECT_EQ(SecurityDescriptor::capture(&abs.sd, out), STATUS_INVALID_ACL);
    }
    EXPECT_TRUE(out.empty());
}

TEST(SecurityDescriptorTest, capture_relative_checks_offsets_against_length)
{
    AbsoluteSd abs;
    ULONG length = 256;
    std::vector<ULONG> relative(64);
    ASSERT_EQ(RtlMakeSelfRelativeSD(&abs.sd, relative.data(), &length), STATUS_SUCCESS);
    length = RtlLengthSecurityDescriptor(relative.data());
    SecurityDescriptor out;
    EXPECT_EQ(SecurityDescriptor::capture_relative(relative.data(), length, out), STATUS_SUCCESS);
    EXPECT_NE(SecurityDescriptor::capture_relative(relative.data(), length - 4, out), STATUS_SUCCESS);
    auto* rel = reinterpret_cast<PISECURITY_DESCRIPTOR_RELATIVE>(relative.data());
    rel->Owner = 0x1000;  // outside the descriptor
    EXPECT_EQ(SecurityDescriptor::capture_relative(relative.data(), length, out), STATUS_INVALID_SECURITY_DESCR);
    rel->Owner = 6;  // inside the header
    EXPECT_EQ(SecurityDescriptor::capture_relative(relative.data(), length, out), STATUS_INVALID_SECURITY_DESCR);
}

TEST(SecurityDescriptorTest, null_dacl_round_trips)
{
    SECURITY_DESCRIPTOR sd;
    ASSERT_EQ(RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlSetDaclSecurityDescriptor(&sd, TRUE, nullptr, FALSE), STATUS_SUCCESS);
    SecurityDescriptor captured;
    ASSERT_EQ(SecurityDescriptor::capture(&sd, captured), STATUS_SUCCESS);
    EXPECT_TRUE(captured.dacl_present());
    EXPECT_EQ(captured.dacl(), nullptr);
    BOOLEAN present = FALSE, defaulted = TRUE;
    PACL dacl = reinterpret_cast<PACL>(1);
    ASSERT_EQ(RtlGetDaclSecurityDescriptor(captured.get(), &present, &dacl, &defaulted), STATUS_SUCCESS);
    EXPECT_TRUE(present);
    EXPECT_EQ(dacl, nullptr);
}

TEST(SecurityDescriptorTest, default_for_uses_token_identity_and_default_dacl)
{
    auto token = Token::create_user(false);
    SecurityDescriptor sd = SecurityDescriptor::default_for(*token);
    EXPECT_TRUE(sid_equal(sd.owner(), token->user()));
    EXPECT_TRUE(sid_equal(sd.group(), token->primary_group()));
    ASSERT_NE(sd.dacl(), nullptr);
    ASSERT_EQ(sd.dacl()->AceCount, 2);
    PVOID ace = nullptr;
    ASSERT_EQ(RtlGetAce(const_cast<PACL>(sd.dacl()), 0, &ace), STATUS_SUCCESS);
    EXPECT_EQ(static_cast<PACCESS_ALLOWED_ACE>(ace)->Mask, static_cast<ACCESS_MASK>(GENERIC_ALL));
    EXPECT_TRUE(RtlEqualSid(&static_cast<PACCESS_ALLOWED_ACE>(ace)->SidStart, const_cast<SID*>(token->user())));
    ASSERT_EQ(RtlGetAce(const_cast<PACL>(sd.dacl()), 1, &ace), STATUS_SUCCESS);
    EXPECT_TRUE(RtlEqualSid(&static_cast<PACCESS_ALLOWED_ACE>(ace)->SidStart, sid_of(well_known::local_system())));
    EXPECT_TRUE(RtlValidSecurityDescriptor(sd.get()));
}

}  // namespace
