// Reserved mappings through the DDK surface: a locked MDL maps through a reserved range as long as it
// fits, the mapped address shows the MDL's pages (writes through either are seen by the other), the
// range can be mapped again after an unmap, and misuse is SYSTEM_PTE_MISUSE with the parameters of
// the bug check reference.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmaplockedpageswithreservedmapping
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xda--system-pte-misuse
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include <ntddk.h>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

namespace reserved_mapping_test {

constexpr ULONG kTag = 'tseR';
constexpr ULONG kOtherTag = 'rhtO';

class ReservedMappingTest : public ntio::test::SystemTest {
protected:
    // A locked MDL over `bytes` of a page-aligned buffer starting `offset` bytes in.
    PMDL locked_mdl(ULONG offset, ULONG bytes)
    {
        m_buffer.assign(8 * PAGE_SIZE, 0);
        auto base = reinterpret_cast<ULONG_PTR>(m_buffer.data());
        char* start = reinterpret_cast<char*>((base + PAGE_SIZE - 1) & ~static_cast<ULONG_PTR>(PAGE_SIZE - 1)) + offset;
        PMDL mdl = IoAllocateMdl(start, bytes, FALSE, FALSE, nullptr);
        EXPECT_NE(mdl, nullptr);
        if (mdl) MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
        return mdl;
    }
    static void release(PMDL mdl)
    {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
    std::vector<char> m_buffer;
};

TEST_F(ReservedMappingTest, a_locked_mdl_maps_through_the_range_and_aliases_its_pages)
{
    PVOID range = MmAllocateMappingAddress(3 * PAGE_SIZE, kTag);
    ASSERT_NE(range, nullptr);
    PMDL mdl = locked_mdl(0x10, 2 * PAGE_SIZE);
    auto* original = static_cast<char*>(MmGetMdlVirtualAddress(mdl));
    original[0] = 'a';
    auto* mapped = static_cast<char*>(MmMapLockedPagesWithReservedMapping(range, kTag, mdl, MmCached));
    ASSERT_NE(mapped, nullptr);
    EXPECT_EQ(BYTE_OFFSET(mapped), 0x10u);  // the returned address keeps the MDL's byte offset
    EXPECT_EQ(mapped[0], 'a');
    mapped[PAGE_SIZE + 5] = 'b';
    EXPECT_EQ(original[PAGE_SIZE + 5], 'b');
    MmUnmapReservedMapping(range, kTag, mdl);

    // Unmapped, the range takes the next MDL.
    mapped = static_cast<char*>(MmMapLockedPagesWithReservedMapping(range, kTag, mdl, MmNonCached));
    ASSERT_NE(mapped, nullptr);
    MmUnmapReservedMapping(range, kTag, mdl);
    release(mdl);
    MmFreeMappingAddress(range, kTag);
}

TEST_F(ReservedMappingTest, an_mdl_larger_than_the_range_or_not_locked_is_not_mapped)
{
    PVOID range = MmAllocateMappingAddressEx(2 * PAGE_SIZE, kTag, MM_MAPPING_ADDRESS_DIVISIBLE);
    ASSERT_NE(range, nullptr);
    // Two pages of bytes starting mid-page span three pages.
    PMDL mdl = locked_mdl(0x100, 2 * PAGE_SIZE);
    EXPECT_EQ(MmMapLockedPagesWithReservedMapping(range, kTag, mdl, MmCached), nullptr);
    release(mdl);

    mdl = IoAllocateMdl(m_buffer.data(), 16, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    EXPECT_EQ(MmMapLockedPagesWithReservedMapping(range, kTag, mdl, MmCached), nullptr);
    IoFreeMdl(mdl);
    // A failed map leaves the range unmapped: freeing it is legal.
    ntio::test::expect_no_bugcheck([&] { MmFreeMappingAddress(range, kTag); });

    EXPECT_EQ(MmAllocateMappingAddressEx(PAGE_SIZE, kTag, 0x80), nullptr);
}

TEST_F(ReservedMappingTest, misuse_bugchecks_system_pte_misuse)
{
    PVOID range = MmAllocateMappingAddress(PAGE_SIZE, kTag);
    ASSERT_NE(range, nullptr);
    const auto base = reinterpret_cast<ULONG_PTR>(range);
    PMDL mdl = locked_mdl(0, PAGE_SIZE);

    auto bc = ntio::test::catch_bugcheck([] { (void)MmAllocateMappingAddress(0, kTag); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, ULONG{SYSTEM_PTE_MISUSE});
    EXPECT_EQ(bc->p1, 0x100u);

    bc = ntio::test::catch_bugcheck([&] { (void)MmMapLockedPagesWithReservedMapping(range, kOtherTag, mdl, MmCached); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->p1, 0x104u);
    EXPECT_EQ(bc->p2, base);
    EXPECT_EQ(bc->p3, ULONG_PTR{kOtherTag});
    EXPECT_EQ(bc->p4, ULONG_PTR{kTag});

    bc = ntio::test::catch_bugcheck([&] { MmUnmapReservedMapping(range, kTag, mdl); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->p1, 0x109u);  // nothing mapped

    ASSERT_NE(MmMapLockedPagesWithReservedMapping(range, kTag, mdl, MmCached), nullptr);
    bc = ntio::test::catch_bugcheck([&] { (void)MmMapLockedPagesWithReservedMapping(range, kTag, mdl, MmCached); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->p1, 0x107u);  // already mapped
    bc = ntio::test::catch_bugcheck([&] { MmFreeMappingAddress(range, kTag); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, ULONG{SYSTEM_PTE_MISUSE});
    EXPECT_EQ(bc->p1, 0x103u);  // still mapped
    EXPECT_EQ(bc->p2, base);
    bc = ntio::test::catch_bugcheck([&] { MmUnmapReservedMapping(range, kOtherTag, mdl); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->p1, 0x108u);

    MmUnmapReservedMapping(range, kTag, mdl);
    bc = ntio::test::catch_bugcheck([&] { MmFreeMappingAddress(range, kOtherTag); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->p1, 0x101u);
    MmFreeMappingAddress(range, kTag);
    bc = ntio::test::catch_bugcheck([&] { MmFreeMappingAddress(range, kTag); });  // freed twice
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, ULONG{SYSTEM_PTE_MISUSE});
    release(mdl);
}

}  // namespace reserved_mapping_test
