// I/O space mappings through the DDK surface. With no device registers, a "physical" address is a
// virtual one (as MmGetPhysicalAddress says): memory maps to itself, an address nothing maps does not
// map at all, and MmIsIoSpaceActive follows the live mappings.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmapiospace
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmisiospaceactive
#include <cstring>

#include <gtest/gtest.h>

#include <ntddk.h>

#include "support/system_fixture.hpp"

namespace io_space_test {

class IoSpaceTest : public ntio::test::SystemTest {};

TEST_F(IoSpaceTest, memory_maps_to_itself_and_is_active_until_unmapped) {
    PVOID block = MmAllocateNonCachedMemory(2 * PAGE_SIZE);
    ASSERT_NE(block, nullptr);
    const PHYSICAL_ADDRESS physical = MmGetPhysicalAddress(block);
    ASSERT_NE(physical.QuadPart, 0);
    EXPECT_FALSE(MmIsIoSpaceActive(physical, 2 * PAGE_SIZE));
    auto* mapped = static_cast<unsigned char*>(MmMapIoSpace(physical, 2 * PAGE_SIZE, MmNonCached));
    ASSERT_EQ(mapped, block);
    mapped[PAGE_SIZE + 5] = 0x5a;
    EXPECT_EQ(static_cast<unsigned char*>(block)[PAGE_SIZE + 5], 0x5a);
    PHYSICAL_ADDRESS inside = physical;
    inside.QuadPart += PAGE_SIZE;
    EXPECT_TRUE(MmIsIoSpaceActive(inside, 1));
    PHYSICAL_ADDRESS past = physical;
    past.QuadPart += 2 * PAGE_SIZE;
    EXPECT_FALSE(MmIsIoSpaceActive(past, PAGE_SIZE));
    PVOID again = MmMapIoSpaceEx(physical, PAGE_SIZE, PAGE_READWRITE | PAGE_NOCACHE);
    EXPECT_EQ(again, block);
    MmUnmapIoSpace(mapped, 2 * PAGE_SIZE);
    EXPECT_TRUE(MmIsIoSpaceActive(physical, 1));  // the second mapping is still there
    MmUnmapIoSpace(again, PAGE_SIZE);
    EXPECT_FALSE(MmIsIoSpaceActive(physical, 2 * PAGE_SIZE));
    MmFreeNonCachedMemory(block, 2 * PAGE_SIZE);
}

TEST_F(IoSpaceTest, unmapped_or_invalid_ranges_do_not_map) {
    PHYSICAL_ADDRESS nothing;
    nothing.QuadPart = 0x1000;  // below every mapping
    EXPECT_EQ(MmMapIoSpace(nothing, PAGE_SIZE, MmNonCached), nullptr);
    PVOID block = MmAllocateNonCachedMemory(PAGE_SIZE);
    ASSERT_NE(block, nullptr);
    const PHYSICAL_ADDRESS physical = MmGetPhysicalAddress(block);
    EXPECT_EQ(MmMapIoSpace(physical, 0, MmNonCached), nullptr);
    EXPECT_EQ(MmMapIoSpace(physical, PAGE_SIZE, static_cast<MEMORY_CACHING_TYPE>(MmMaximumCacheType)), nullptr);
    EXPECT_EQ(MmMapIoSpaceEx(physical, PAGE_SIZE, PAGE_EXECUTE_READWRITE), nullptr);
    EXPECT_EQ(MmMapIoSpaceEx(physical, PAGE_SIZE, PAGE_READWRITE | PAGE_NOCACHE | PAGE_WRITECOMBINE), nullptr);
    EXPECT_FALSE(MmIsIoSpaceActive(physical, PAGE_SIZE));
    EXPECT_TRUE(MmIsNonPagedSystemAddressValid(block));
    EXPECT_FALSE(MmIsNonPagedSystemAddressValid(reinterpret_cast<PVOID>(0x1000)));
    MmFreeNonCachedMemory(block, PAGE_SIZE);
}

}  // namespace io_space_test
