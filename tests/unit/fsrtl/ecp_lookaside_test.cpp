// ECP lookaside lists: a paged or nonpaged list of ECPs of one context size. A context that fits
// comes from the list (zeroed, even when recycled) and goes back to it when freed, directly or with
// the ECP list holding it; a larger one comes from pool; bad arguments are refused.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinitextracreateparameterlookasidelist
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlallocateextracreateparameterfromlookasidelist
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace ecp_lookaside_test {

using EcpLookasideTest = ntio::test::SystemTest;

// {0E7B1C2A-55D4-4F09-8A3B-6C1D2E3F4A51}: a test ECP type.
const GUID kType = {0x0e7b1c2a, 0x55d4, 0x4f09, {0x8a, 0x3b, 0x6c, 0x1d, 0x2e, 0x3f, 0x4a, 0x51}};
constexpr ULONG kTag = 'lpcE';

std::vector<PVOID> g_cleaned;
VOID NTAPI record_cleanup(PVOID EcpContext, LPCGUID) { g_cleaned.push_back(EcpContext); }

// Allocates, frees and allocates again through one list, for either kind of list.
void recycles_through(PVOID lookaside, FSRTL_ECP_LOOKASIDE_FLAGS flags) {
    g_cleaned.clear();
    FsRtlInitExtraCreateParameterLookasideList(lookaside, flags, 32, kTag);
    auto* general = static_cast<PGENERAL_LOOKASIDE>(lookaside);
    EXPECT_EQ(general->Tag, kTag);

    PVOID ecp = nullptr;
    ASSERT_EQ(FsRtlAllocateExtraCreateParameterFromLookasideList(&kType, 32, 0, record_cleanup, lookaside, &ecp),
              STATUS_SUCCESS);
    ASSERT_NE(ecp, nullptr);
    EXPECT_EQ(general->TotalAllocates, 1u);
    std::memset(ecp, 0xAB, 32);
    FsRtlFreeExtraCreateParameter(ecp);
    EXPECT_EQ(g_cleaned, std::vector<PVOID>{ecp});
    EXPECT_EQ(general->TotalFrees, 1u);  // back to the list, not to pool

    PVOID again = nullptr;
    ASSERT_EQ(FsRtlAllocateExtraCreateParameterFromLookasideList(&kType, 8, 0, nullptr, lookaside, &again),
              STATUS_SUCCESS);
    EXPECT_EQ(general->TotalAllocates, 2u);
    EXPECT_EQ(again, ecp);  // the cached block
    const auto* bytes = static_cast<const unsigned char*>(again);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(bytes[i], 0) << i;
    ULONG size = 0;
    PECP_LIST list = nullptr;
    ASSERT_EQ(FsRtlAllocateExtraCreateParameterList(0, &list), STATUS_SUCCESS);
    ASSERT_EQ(FsRtlInsertExtraCreateParameter(list, again), STATUS_SUCCESS);
    PVOID found = nullptr;
    ASSERT_EQ(FsRtlFindExtraCreateParameter(list, &kType, &found, &size), STATUS_SUCCESS);
    EXPECT_EQ(found, again);
    EXPECT_EQ(size, 8u);
    FsRtlFreeExtraCreateParameterList(list);  // the ECP goes back to its lookaside list with it
    EXPECT_EQ(general->TotalFrees, 2u);

    // Larger than the list's size: from pool, and back to pool.
    PVOID big = nullptr;
    ASSERT_EQ(FsRtlAllocateExtraCreateParameterFromLookasideList(&kType, 33, 0, record_cleanup, lookaside, &big),
              STATUS_SUCCESS);
    EXPECT_EQ(general->TotalAllocates, 2u);
    EXPECT_EQ(static_cast<const unsigned char*>(big)[32], 0);
    ASSERT_EQ(FsRtlAllocateExtraCreateParameterList(0, &list), STATUS_SUCCESS);
    ASSERT_EQ(FsRtlInsertExtraCreateParameter(list, big), STATUS_SUCCESS);
    ASSERT_EQ(FsRtlFindExtraCreateParameter(list, &kType, nullptr, &size), STATUS_SUCCESS);
    EXPECT_EQ(size, 33u);
    FsRtlFreeExtraCreateParameterList(list);
    EXPECT_EQ(general->TotalFrees, 2u);
    EXPECT_EQ(g_cleaned, (std::vector<PVOID>{ecp, big}));

    FsRtlDeleteExtraCreateParameterLookasideList(lookaside, flags);
}

TEST_F(EcpLookasideTest, paged_list_recycles_its_ecps) {
    PAGED_LOOKASIDE_LIST list;
    recycles_through(&list, 0);
    EXPECT_EQ(list.L.Type & 1, PagedPool);
}

TEST_F(EcpLookasideTest, nonpaged_list_recycles_its_ecps) {
    NPAGED_LOOKASIDE_LIST list;
    recycles_through(&list, FSRTL_ECP_LOOKASIDE_FLAG_NONPAGED_POOL);
    EXPECT_EQ(list.L.Type & 1, NonPagedPool);
}

TEST_F(EcpLookasideTest, bad_arguments_are_refused) {
    PAGED_LOOKASIDE_LIST list;
    FsRtlInitExtraCreateParameterLookasideList(&list, 0, 16, kTag);
    PVOID ecp = nullptr;
    EXPECT_EQ(FsRtlAllocateExtraCreateParameterFromLookasideList(&kType, 8, 0, nullptr, nullptr, &ecp),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlAllocateExtraCreateParameterFromLookasideList(&kType, 0, 0, nullptr, &list, &ecp),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlAllocateExtraCreateParameterFromLookasideList(nullptr, 8, 0, nullptr, &list, &ecp),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlAllocateExtraCreateParameterFromLookasideList(&kType, 8, 0x80, nullptr, &list, &ecp),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlAllocateExtraCreateParameterFromLookasideList(&kType, 8, 0, nullptr, &list, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlAllocateExtraCreateParameterFromLookasideList(&kType, MAXULONG, 0, nullptr, &list, &ecp),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(list.L.TotalAllocates, 0u);
    FsRtlDeleteExtraCreateParameterLookasideList(&list, 0);
}

}  // namespace ecp_lookaside_test
