// Extra create parameter lists: ECPs allocated zeroed under the caller's tag, one of each type per
// list (a second is STATUS_OBJECT_NAME_COLLISION), found, walked in insertion order, removed and
// freed with their list through their cleanup callbacks; acknowledgement; bad arguments refused.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/using-extra-create-parameters-with-an-irp-mj-create-operation
#include <gtest/gtest.h>

#include <vector>

#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace {

using EcpListTest = ntio::test::SystemTest;

// {6D5E0A3C-1B0F-4C1E-9C55-0A7D2E1F3B41}, {6D5E0A3C-1B0F-4C1E-9C55-0A7D2E1F3B42}: test ECP types.
const GUID kTypeA = {0x6d5e0a3c, 0x1b0f, 0x4c1e, {0x9c, 0x55, 0x0a, 0x7d, 0x2e, 0x1f, 0x3b, 0x41}};
const GUID kTypeB = {0x6d5e0a3c, 0x1b0f, 0x4c1e, {0x9c, 0x55, 0x0a, 0x7d, 0x2e, 0x1f, 0x3b, 0x42}};

std::vector<PVOID> g_cleaned;
VOID NTAPI record_cleanup(PVOID EcpContext, LPCGUID) { g_cleaned.push_back(EcpContext); }

TEST_F(EcpListTest, insert_find_walk_remove_and_free_with_cleanup) {
    g_cleaned.clear();
    PECP_LIST list = nullptr;
    ASSERT_EQ(FsRtlAllocateExtraCreateParameterList(0, &list), STATUS_SUCCESS);
    PVOID a = nullptr;
    PVOID b = nullptr;
    PVOID a2 = nullptr;
    ASSERT_EQ(FsRtlAllocateExtraCreateParameter(&kTypeA, 24, 0, record_cleanup, 'tpcE', &a), STATUS_SUCCESS);
    ASSERT_EQ(FsRtlAllocateExtraCreateParameter(&kTypeB, 8, FSRTL_ALLOCATE_ECP_FLAG_NONPAGED_POOL, record_cleanup,
                                                'tpcE', &b),
              STATUS_SUCCESS);
    ASSERT_EQ(FsRtlAllocateExtraCreateParameter(&kTypeA, 4, 0, nullptr, 'tpcE', &a2), STATUS_SUCCESS);
    EXPECT_EQ(static_cast<const unsigned char*>(a)[23], 0);  // zeroed
    EXPECT_EQ(FsRtlInsertExtraCreateParameter(list, a), STATUS_SUCCESS);
    EXPECT_EQ(FsRtlInsertExtraCreateParameter(list, b), STATUS_SUCCESS);
    EXPECT_EQ(FsRtlInsertExtraCreateParameter(list, a2), STATUS_OBJECT_NAME_COLLISION);

    PVOID found = nullptr;
    ULONG size = 0;
    EXPECT_EQ(FsRtlFindExtraCreateParameter(list, &kTypeB, &found, &size), STATUS_SUCCESS);
    EXPECT_EQ(found, b);
    EXPECT_EQ(size, 8u);

    GUID type{};
    EXPECT_EQ(FsRtlGetNextExtraCreateParameter(list, nullptr, &type, &found, &size), STATUS_SUCCESS);
    EXPECT_EQ(found, a);
    EXPECT_TRUE(IsEqualGUID(type, kTypeA));
    EXPECT_EQ(size, 24u);
    EXPECT_EQ(FsRtlGetNextExtraCreateParameter(list, a, &type, &found, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(found, b);
    EXPECT_EQ(FsRtlGetNextExtraCreateParameter(list, b, nullptr, &found, nullptr), STATUS_NOT_FOUND);

    EXPECT_FALSE(FsRtlIsEcpAcknowledged(a));
    FsRtlAcknowledgeEcp(a);
    EXPECT_TRUE(FsRtlIsEcpAcknowledged(a));
    EXPECT_FALSE(FsRtlIsEcpFromUserMode(a));

    // Removed, the ECP is the caller's: the list's free leaves it, and its type can go in again.
    PVOID removed = nullptr;
    EXPECT_EQ(FsRtlRemoveExtraCreateParameter(list, &kTypeA, &removed, &size), STATUS_SUCCESS);
    EXPECT_EQ(removed, a);
    EXPECT_EQ(FsRtlFindExtraCreateParameter(list, &kTypeA, nullptr, nullptr), STATUS_NOT_FOUND);
    EXPECT_EQ(FsRtlRemoveExtraCreateParameter(list, &kTypeA, &removed, nullptr), STATUS_NOT_FOUND);
    EXPECT_EQ(FsRtlInsertExtraCreateParameter(list, a2), STATUS_SUCCESS);

    FsRtlFreeExtraCreateParameterList(list);  // b (cleaned up) and a2 (no callback)
    EXPECT_EQ(g_cleaned, std::vector<PVOID>{b});
    FsRtlFreeExtraCreateParameter(a);
    EXPECT_EQ(g_cleaned, (std::vector<PVOID>{b, a}));
}

TEST_F(EcpListTest, bad_arguments_are_refused) {
    PECP_LIST list = nullptr;
    EXPECT_EQ(FsRtlAllocateExtraCreateParameterList(0x80, &list), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlAllocateExtraCreateParameterList(0, nullptr), STATUS_INVALID_PARAMETER);
    PVOID ecp = nullptr;
    EXPECT_EQ(FsRtlAllocateExtraCreateParameter(nullptr, 8, 0, nullptr, 'tpcE', &ecp), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlAllocateExtraCreateParameter(&kTypeA, 0, 0, nullptr, 'tpcE', &ecp), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlAllocateExtraCreateParameter(&kTypeA, 8, 0x100, nullptr, 'tpcE', &ecp), STATUS_INVALID_PARAMETER);

    ASSERT_EQ(FsRtlAllocateExtraCreateParameterList(FSRTL_ALLOCATE_ECPLIST_FLAG_CHARGE_QUOTA, &list), STATUS_SUCCESS);
    ASSERT_EQ(FsRtlAllocateExtraCreateParameter(&kTypeA, 8, 0, nullptr, 'tpcE', &ecp), STATUS_SUCCESS);
    ASSERT_EQ(FsRtlInsertExtraCreateParameter(list, ecp), STATUS_SUCCESS);
    EXPECT_EQ(FsRtlInsertExtraCreateParameter(list, ecp), STATUS_INVALID_PARAMETER);  // already in a list
    EXPECT_EQ(FsRtlFindExtraCreateParameter(nullptr, &kTypeA, nullptr, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlRemoveExtraCreateParameter(list, &kTypeA, nullptr, nullptr), STATUS_INVALID_PARAMETER);

    // Only IRP-based creates carry a list.
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    PECP_LIST from_irp = list;
    EXPECT_EQ(FsRtlGetEcpListFromIrp(irp, &from_irp), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlSetEcpListIntoIrp(irp, list), STATUS_INVALID_PARAMETER_2);
    IoFreeIrp(irp);
    FsRtlFreeExtraCreateParameterList(list);
}

}  // namespace
