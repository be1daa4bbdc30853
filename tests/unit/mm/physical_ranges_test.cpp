// Physical memory as ntddk.h's routines see it: the ranges hold every physical address
// MmGetPhysicalAddress gives and end in a zero entry; nothing can be hot-added or removed; there is
// no video display to map and no mirror to create.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmgetphysicalmemoryranges
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmaddphysicalmemory
#include <gtest/gtest.h>

#include <ntddk.h>

#include "support/system_fixture.hpp"

namespace physical_ranges_test {

class PhysicalRangesTest : public ntio::test::SystemTest {};

TEST_F(PhysicalRangesTest, ranges_end_in_a_zero_entry_and_hold_physical_addresses) {
    PPHYSICAL_MEMORY_RANGE ranges = MmGetPhysicalMemoryRanges();
    ASSERT_NE(ranges, nullptr);
    PVOID block = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'gRhP');
    ASSERT_NE(block, nullptr);
    const LONGLONG physical = MmGetPhysicalAddress(block).QuadPart;
    bool inside = false;
    size_t count = 0;
    for (; ranges[count].BaseAddress.QuadPart || ranges[count].NumberOfBytes.QuadPart; ++count) {
        const PHYSICAL_MEMORY_RANGE& r = ranges[count];
        EXPECT_GT(r.NumberOfBytes.QuadPart, 0);
        EXPECT_EQ(r.BaseAddress.QuadPart % PAGE_SIZE, 0);
        if (physical >= r.BaseAddress.QuadPart && physical < r.BaseAddress.QuadPart + r.NumberOfBytes.QuadPart)
            inside = true;
    }
    EXPECT_GE(count, 1u);
    EXPECT_TRUE(inside);
    ExFreePoolWithTag(block, 'gRhP');
    ExFreePool(ranges);
}

TEST_F(PhysicalRangesTest, memory_cannot_be_added_removed_or_mirrored) {
    PHYSICAL_ADDRESS start;
    start.QuadPart = 1LL << 40;
    LARGE_INTEGER bytes;
    bytes.QuadPart = 1 << 20;
    EXPECT_EQ(MmAddPhysicalMemory(&start, &bytes), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(bytes.QuadPart, 0);
    bytes.QuadPart = 1 << 20;
    EXPECT_EQ(MmRemovePhysicalMemory(&start, &bytes), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(bytes.QuadPart, 0);
    EXPECT_EQ(MmAddPhysicalMemory(nullptr, &bytes), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(MmRemovePhysicalMemory(&start, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(MmCreateMirror(), STATUS_NOT_SUPPORTED);
}

TEST_F(PhysicalRangesTest, there_is_no_video_display_to_map) {
    PHYSICAL_ADDRESS frame_buffer;
    frame_buffer.QuadPart = 0xA0000;
    EXPECT_EQ(MmMapVideoDisplay(frame_buffer, 0x20000, MmNonCached), nullptr);
    MmUnmapVideoDisplay(nullptr, 0x20000);
    // On x64 a routine's address is the address of its code.
    auto routine = &MmCreateMirror;
    EXPECT_EQ(MmGetProcedureAddress(routine), routine);
}

}  // namespace physical_ranges_test
