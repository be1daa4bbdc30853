// ACL routines: create, add allowed/denied ACEs, space accounting, get/delete, validation and the
// statuses for bad input.
#include <gtest/gtest.h>

#include "se/sid.hpp"
#include "unit/se/se_test_support.hpp"

namespace {

using namespace ntio::se;
using ntio::se::test::sid_of;

ULONG ace_bytes(const SID* sid)
{
    return sizeof(ACCESS_ALLOWED_ACE) - sizeof(ULONG) + RtlLengthSid(sid_of(sid));
}

TEST(AclTest, create_sets_header)
{
    alignas(4) unsigned char buffer[64];
    auto* acl = reinterpret_cast<PACL>(buffer);
    ASSERT_EQ(RtlCreateAcl(acl, sizeof(buffer), ACL_REVISION), STATUS_SUCCESS);
    EXPECT_EQ(acl->AclRevision, ACL_REVISION);
    EXPECT_EQ(acl->AclSize, sizeof(buffer));
    EXPECT_EQ(acl->AceCount, 0);
    EXPECT_TRUE(RtlValidAcl(acl));
}

TEST(AclTest, create_rejects_bad_length_and_revision)
{
    alignas(4) unsigned char buffer[64];
    auto* acl = reinterpret_cast<PACL>(buffer);
    EXPECT_EQ(RtlCreateAcl(acl, sizeof(ACL) - 1, ACL_REVISION), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(RtlCreateAcl(acl, sizeof(buffer), 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlCreateAcl(acl, sizeof(buffer), 5), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlCreateAcl(acl, 0x10000, ACL_REVISION), STATUS_INVALID_PARAMETER);
}

TEST(AclTest, add_aces_in_order_and_read_back)
{
    const ULONG size = sizeof(ACL) + ace_bytes(well_known::local_system()) + ace_bytes(well_known::world());
    std::vector<ULONG> storage(size / 4);
    auto* acl = reinterpret_cast<PACL>(storage.data());
    ASSERT_EQ(RtlCreateAcl(acl, size, ACL_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlAddAccessDeniedAce(acl, ACL_REVISION, WRITE_DAC, sid_of(well_known::world())), STATUS_SUCCESS);
    ASSERT_EQ(RtlAddAccessAllowedAceEx(acl, ACL_REVISION, CONTAINER_INHERIT_ACE, GENERIC_ALL,
                                       sid_of(well_known::local_system())),
              STATUS_SUCCESS);
    EXPECT_EQ(acl->AceCount, 2);
    EXPECT_TRUE(RtlValidAcl(acl));

    PVOID ace = nullptr;
    ASSERT_EQ(RtlGetAce(acl, 0, &ace), STATUS_SUCCESS);
    auto* denied = static_cast<PACCESS_DENIED_ACE>(ace);
    EXPECT_EQ(denied->Header.AceType, ACCESS_DENIED_ACE_TYPE);
    EXPECT_EQ(denied->Mask, static_cast<ACCESS_MASK>(WRITE_DAC));
    EXPECT_TRUE(RtlEqualSid(&denied->SidStart, sid_of(well_known::world())));
    ASSERT_EQ(RtlGetAce(acl, 1, &ace), STATUS_SUCCESS);
    auto* allowed = static_cast<PACCESS_ALLOWED_ACE>(ace);
    EXPECT_EQ(allowed->Header.AceType, ACCESS_ALLOWED_ACE_TYPE);
    EXPECT_EQ(allowed->Header.AceFlags, CONTAINER_INHERIT_ACE);
    EXPECT_EQ(allowed->Header.AceSize, ace_bytes(well_known::local_system()));
    EXPECT_EQ(RtlGetAce(acl, 2, &ace), STATUS_INVALID_PARAMETER);

    ACL_SIZE_INFORMATION info{};
    ASSERT_EQ(RtlQueryInformationAcl(acl, &info, sizeof(info), AclSizeInformation), STATUS_SUCCESS);
    EXPECT_EQ(info.AceCount, 2u);
    EXPECT_EQ(info.AclBytesInUse, size);
    EXPECT_EQ(info.AclBytesFree, 0u);
}

TEST(AclTest, add_beyond_size_is_allotted_space_exceeded)
{
    alignas(4) unsigned char buffer[sizeof(ACL) + 20];
    auto* acl = reinterpret_cast<PACL>(buffer);
    ASSERT_EQ(RtlCreateAcl(acl, sizeof(buffer), ACL_REVISION), STATUS_SUCCESS);
    EXPECT_EQ(RtlAddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, sid_of(well_known::administrators())),
              STATUS_ALLOTTED_SPACE_EXCEEDED);
    EXPECT_EQ(RtlAddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, sid_of(well_known::world())), STATUS_SUCCESS);
}

TEST(AclTest, add_rejects_bad_sid_acl_revision_and_flags)
{
    alignas(4) unsigned char buffer[128];
    auto* acl = reinterpret_cast<PACL>(buffer);
    ASSERT_EQ(RtlCreateAcl(acl, sizeof(buffer), ACL_REVISION), STATUS_SUCCESS);
    SidBuffer bad(5, {18});
    bad.get()->Revision = 9;
    EXPECT_EQ(RtlAddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, bad.get()), STATUS_INVALID_SID);
    EXPECT_EQ(RtlAddAccessAllowedAce(acl, 7, GENERIC_ALL, sid_of(well_known::world())), STATUS_REVISION_MISMATCH);
    EXPECT_EQ(RtlAddAccessAllowedAceEx(acl, ACL_REVISION, 0x40, GENERIC_ALL, sid_of(well_known::world())),
              STATUS_INVALID_PARAMETER);
    acl->AclRevision = 9;
    EXPECT_EQ(RtlAddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, sid_of(well_known::world())), STATUS_INVALID_ACL);
}

TEST(AclTest, delete_ace_shifts_the_rest)
{
    alignas(4) unsigned char buffer[128];
    auto* acl = reinterpret_cast<PACL>(buffer);
    ASSERT_EQ(RtlCreateAcl(acl, sizeof(buffer), ACL_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlAddAccessAllowedAce(acl, ACL_REVISION, 1, sid_of(well_known::world())), STATUS_SUCCESS);
    ASSERT_EQ(RtlAddAccessAllowedAce(acl, ACL_REVISION, 2, sid_of(well_known::users())), STATUS_SUCCESS);
    ASSERT_EQ(RtlAddAccessAllowedAce(acl, ACL_REVISION, 3, sid_of(well_known::local_system())), STATUS_SUCCESS);
    ASSERT_EQ(RtlDeleteAce(acl, 1), STATUS_SUCCESS);
    EXPECT_EQ(acl->AceCount, 2);
    PVOID ace = nullptr;
    ASSERT_EQ(RtlGetAce(acl, 1, &ace), STATUS_SUCCESS);
    EXPECT_EQ(static_cast<PACCESS_ALLOWED_ACE>(ace)->Mask, 3u);
    EXPECT_EQ(RtlDeleteAce(acl, 2), STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(RtlValidAcl(acl));
}

TEST(AclTest, add_ace_inserts_a_list_at_an_index)
{
    alignas(4) unsigned char buffer[128];
    auto* acl = reinterpret_cast<PACL>(buffer);
    ASSERT_EQ(RtlCreateAcl(acl, sizeof(buffer), ACL_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlAddAccessAllowedAce(acl, ACL_REVISION, 1, sid_of(well_known::world())), STATUS_SUCCESS);
    PVOID first = nullptr;
    ASSERT_EQ(RtlGetAce(acl, 0, &first), STATUS_SUCCESS);
    std::vector<unsigned char> copy(static_cast<unsigned char*>(first),
                                    static_cast<unsigned char*>(first) + static_cast<PACE_HEADER>(first)->AceSize);
    reinterpret_cast<PACCESS_ALLOWED_ACE>(copy.data())->Mask = 9;
    ASSERT_EQ(RtlAddAce(acl, ACL_REVISION, 0, copy.data(), static_cast<ULONG>(copy.size())), STATUS_SUCCESS);
    EXPECT_EQ(acl->AceCount, 2);
    PVOID ace = nullptr;
    ASSERT_EQ(RtlGetAce(acl, 0, &ace), STATUS_SUCCESS);
    EXPECT_EQ(static_cast<PACCESS_ALLOWED_ACE>(ace)->Mask, 9u);
    EXPECT_TRUE(RtlValidAcl(acl));
}

TEST(AclTest, valid_acl_rejects_corruption)
{
    alignas(4) unsigned char buffer[64] = {};  // the claimed ACEs below read zeros, not stack garbage
    auto* acl = reinterpret_cast<PACL>(buffer);
    ASSERT_EQ(RtlCreateAcl(acl, sizeof(buffer), ACL_REVISION), STATUS_SUCCESS);
    ASSERT_EQ(RtlAddAccessAllowedAce(acl, ACL_REVISION, 1, sid_of(well_known::world())), STATUS_SUCCESS);
    EXPECT_TRUE(RtlValidAcl(acl));
    acl->AceCount = 5;  // claims ACEs that are not there
    EXPECT_FALSE(RtlValidAcl(acl));
    acl->AceCount = 1;
    reinterpret_cast<PACE_HEADER>(buffer + sizeof(ACL))->AceSize = 200;  // runs past the ACL
    EXPECT_FALSE(RtlValidAcl(acl));
    reinterpret_cast<PACE_HEADER>(buffer + sizeof(ACL))->AceSize = 6;  // unaligned
    EXPECT_FALSE(RtlValidAcl(acl));
    EXPECT_FALSE(RtlValidAcl(nullptr));
}

}  // namespace
