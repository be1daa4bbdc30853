// SeAppendPrivileges and SeSetAccessStateGenericMapping on an access state with auxiliary data, as
// the I/O manager hands file systems in IRP_MJ_CREATE: three privileges fit in the state itself, a
// fourth moves the set to pool, and the mapping lands in the auxiliary data.
#include <gtest/gtest.h>

#include <ntifs.h>

#include "se/access_state.hpp"
#include "support/system_fixture.hpp"

namespace access_state_test {
namespace {

struct TwoPrivileges {
    ULONG PrivilegeCount = 2;
    ULONG Control = 0;
    LUID_AND_ATTRIBUTES Privilege[2];
};

TwoPrivileges two(LUID a, LUID b)
{
    TwoPrivileges set;
    set.Privilege[0] = {a, SE_PRIVILEGE_USED_FOR_ACCESS};
    set.Privilege[1] = {b, SE_PRIVILEGE_USED_FOR_ACCESS};
    return set;
}

class AccessStateTest : public ntio::test::SystemTest {
protected:
    void SetUp() override
    {
        ntio::test::SystemTest::SetUp();
        SeCaptureSubjectContext(&m_state.SubjectSecurityContext);
        ntio::se::attach_aux_data(m_state, m_aux, nullptr);
    }
    void TearDown() override
    {
        ntio::se::release_appended_privileges(m_state);
        SeReleaseSubjectContext(&m_state.SubjectSecurityContext);
        ntio::test::SystemTest::TearDown();
    }
    ACCESS_STATE m_state{};
    ntio::se::AuxAccessData m_aux{};
};

TEST_F(AccessStateTest, three_privileges_stay_in_the_state_a_fourth_moves_to_pool)
{
    TwoPrivileges first = two(SeExports->SeBackupPrivilege, SeExports->SeRestorePrivilege);
    ASSERT_EQ(SeAppendPrivileges(&m_state, reinterpret_cast<PPRIVILEGE_SET>(&first)), STATUS_SUCCESS);
    EXPECT_FALSE(m_state.PrivilegesAllocated);
    ASSERT_EQ(m_state.Privileges.InitialPrivilegeSet.PrivilegeCount, 2u);
    EXPECT_TRUE(RtlEqualLuid(&m_state.Privileges.InitialPrivilegeSet.Privilege[1].Luid,
                             &SeExports->SeRestorePrivilege));
    EXPECT_EQ(m_aux.PrivilegesUsed, reinterpret_cast<PPRIVILEGE_SET>(&m_state.Privileges));

    TwoPrivileges second = two(SeExports->SeTcbPrivilege, SeExports->SeSecurityPrivilege);
    ASSERT_EQ(SeAppendPrivileges(&m_state, reinterpret_cast<PPRIVILEGE_SET>(&second)), STATUS_SUCCESS);
    EXPECT_TRUE(m_state.PrivilegesAllocated);
    ASSERT_NE(m_aux.PrivilegesUsed, reinterpret_cast<PPRIVILEGE_SET>(&m_state.Privileges));
    ASSERT_EQ(m_aux.PrivilegesUsed->PrivilegeCount, 4u);
    // The set is variable-length: index it through a pointer, not the one-entry array.
    const LUID_AND_ATTRIBUTES* entries = m_aux.PrivilegesUsed->Privilege;
    EXPECT_TRUE(RtlEqualLuid(&entries[0].Luid, &SeExports->SeBackupPrivilege));
    EXPECT_TRUE(RtlEqualLuid(&entries[3].Luid, &SeExports->SeSecurityPrivilege));
    EXPECT_EQ(entries[3].Attributes, static_cast<ULONG>(SE_PRIVILEGE_USED_FOR_ACCESS));

    // Growing an allocated set again keeps everything.
    ASSERT_EQ(SeAppendPrivileges(&m_state, reinterpret_cast<PPRIVILEGE_SET>(&first)), STATUS_SUCCESS);
    ASSERT_EQ(m_aux.PrivilegesUsed->PrivilegeCount, 6u);
    entries = m_aux.PrivilegesUsed->Privilege;
    EXPECT_TRUE(RtlEqualLuid(&entries[2].Luid, &SeExports->SeTcbPrivilege));
}

TEST_F(AccessStateTest, generic_mapping_lands_in_the_aux_data)
{
    GENERIC_MAPPING mapping{0x1, 0x2, 0x4, 0xF};
    SeSetAccessStateGenericMapping(&m_state, &mapping);
    EXPECT_EQ(m_aux.GenericMapping.GenericRead, 0x1u);
    EXPECT_EQ(m_aux.GenericMapping.GenericAll, 0xFu);
}

TEST_F(AccessStateTest, a_state_without_aux_data_is_refused)
{
    ACCESS_STATE bare{};
    TwoPrivileges first = two(SeExports->SeBackupPrivilege, SeExports->SeRestorePrivilege);
    EXPECT_EQ(SeAppendPrivileges(&bare, reinterpret_cast<PPRIVILEGE_SET>(&first)), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(SeAppendPrivileges(&m_state, nullptr), STATUS_INVALID_PARAMETER);
    GENERIC_MAPPING mapping{0x1, 0x2, 0x4, 0xF};
    SeSetAccessStateGenericMapping(&bare, &mapping);  // nothing to set, nothing breaks
    EXPECT_EQ(bare.AuxData, nullptr);
}

}  // namespace
}  // namespace access_state_test
