// Memory by its physical properties, through the DDK surface: contiguous and non-cached blocks are
// page-aligned and usable, a physical address is the virtual one (as the MDL page frame numbers
// say), pages for an MDL are zeroed, locked, mappable, protectable and freed, and secured ranges
// are probed for the mode asked.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmallocatecontiguousmemoryspecifycache
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmallocatepagesformdlex
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmprotectmdlsystemaddress
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmsecurevirtualmemory
#include <cstdint>
#include <cstring>

#include <gtest/gtest.h>

#include <ntddk.h>

#include "support/system_fixture.hpp"

namespace physical_memory_test {

class PhysicalMemoryTest : public ntio::test::SystemTest {};

PHYSICAL_ADDRESS address(LONGLONG value) {
    PHYSICAL_ADDRESS a;
    a.QuadPart = value;
    return a;
}

bool page_aligned(PVOID p) { return (reinterpret_cast<std::uintptr_t>(p) & (PAGE_SIZE - 1)) == 0; }

TEST_F(PhysicalMemoryTest, contiguous_memory_is_page_aligned_and_usable) {
    PVOID block = MmAllocateContiguousMemory(3 * PAGE_SIZE + 5, address(-1));
    ASSERT_NE(block, nullptr);
    EXPECT_TRUE(page_aligned(block));
    std::memset(block, 0x5a, 3 * PAGE_SIZE + 5);
    EXPECT_EQ(MmGetPhysicalAddress(block).QuadPart, static_cast<LONGLONG>(reinterpret_cast<std::uintptr_t>(block)));
    MmFreeContiguousMemory(block);

    PVOID small = MmAllocateContiguousMemorySpecifyCache(100, address(0), address(-1), address(0), MmNonCached);
    ASSERT_NE(small, nullptr);
    EXPECT_TRUE(page_aligned(small));
    MmFreeContiguousMemorySpecifyCache(small, 100, MmNonCached);

    PVOID node = MmAllocateContiguousNodeMemory(PAGE_SIZE, address(0), address(-1), address(0),
                                                PAGE_READWRITE | PAGE_NOCACHE, MM_ANY_NODE_OK);
    ASSERT_NE(node, nullptr);
    EXPECT_TRUE(page_aligned(node));
    MmFreeContiguousMemory(node);
}

TEST_F(PhysicalMemoryTest, contiguous_memory_refuses_bad_requests) {
    EXPECT_EQ(MmAllocateContiguousMemory(0, address(-1)), nullptr);
    EXPECT_EQ(MmAllocateContiguousMemorySpecifyCache(PAGE_SIZE, address(0), address(-1), address(0),
                                                     static_cast<MEMORY_CACHING_TYPE>(MmMaximumCacheType)),
              nullptr);
    // The block must fit within one boundary multiple, which must be a power of two.
    EXPECT_EQ(MmAllocateContiguousMemorySpecifyCache(2 * PAGE_SIZE, address(0), address(-1), address(PAGE_SIZE), MmCached),
              nullptr);
    EXPECT_EQ(MmAllocateContiguousMemorySpecifyCache(PAGE_SIZE, address(0), address(-1), address(3 * PAGE_SIZE), MmCached),
              nullptr);
    EXPECT_EQ(MmAllocateContiguousNodeMemory(PAGE_SIZE, address(0), address(-1), address(0), PAGE_READONLY, MM_ANY_NODE_OK),
              nullptr);
    EXPECT_EQ(MmAllocateContiguousNodeMemory(PAGE_SIZE, address(0), address(-1), address(0), PAGE_READWRITE, 5), nullptr);
}

TEST_F(PhysicalMemoryTest, non_cached_memory_is_page_aligned) {
    PVOID block = MmAllocateNonCachedMemory(10);
    ASSERT_NE(block, nullptr);
    EXPECT_TRUE(page_aligned(block));
    std::memset(block, 1, PAGE_SIZE);  // whole pages
    MmFreeNonCachedMemory(block, 10);
    EXPECT_EQ(MmAllocateNonCachedMemory(0), nullptr);
}

TEST_F(PhysicalMemoryTest, physical_address_matches_the_mdl_page_frames) {
    PVOID buffer = ExAllocatePoolWithTag(NonPagedPoolNx, 2 * PAGE_SIZE, 'tsyP');
    ASSERT_NE(buffer, nullptr);
    PMDL mdl = IoAllocateMdl(buffer, 2 * PAGE_SIZE, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    MmBuildMdlForNonPagedPool(mdl);
    const PHYSICAL_ADDRESS physical = MmGetPhysicalAddress(static_cast<char*>(buffer) + PAGE_SIZE + 7);
    EXPECT_EQ(static_cast<PFN_NUMBER>(physical.QuadPart >> PAGE_SHIFT), MmGetMdlPfnArray(mdl)[1]);
    EXPECT_EQ(physical.QuadPart & (PAGE_SIZE - 1), 7);
    EXPECT_EQ(MmGetPhysicalAddress(nullptr).QuadPart, 0);  // nothing mapped there
    IoFreeMdl(mdl);
    ExFreePoolWithTag(buffer, 'tsyP');
}

TEST_F(PhysicalMemoryTest, pages_for_an_mdl_are_zeroed_mapped_protected_and_freed) {
    const SIZE_T bytes = 3 * PAGE_SIZE;
    PMDL mdl = MmAllocatePagesForMdlEx(address(0), address(-1), address(0), bytes, MmCached, MM_ALLOCATE_FULLY_REQUIRED);
    ASSERT_NE(mdl, nullptr);
    EXPECT_EQ(MmGetMdlByteCount(mdl), bytes);
    EXPECT_TRUE(mdl->MdlFlags & MDL_PAGES_LOCKED);
    EXPECT_EQ(MmProtectMdlSystemAddress(mdl, PAGE_READONLY), STATUS_NOT_MAPPED_VIEW);  // not mapped yet

    auto* va = static_cast<unsigned char*>(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));
    ASSERT_NE(va, nullptr);
    EXPECT_TRUE(page_aligned(va));
    for (SIZE_T i = 0; i < bytes; ++i) ASSERT_EQ(va[i], 0) << i;
    const PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
    for (ULONG i = 0; i < 3; ++i) {
        EXPECT_EQ(pfn[i], static_cast<PFN_NUMBER>(MmGetPhysicalAddress(va + i * PAGE_SIZE).QuadPart >> PAGE_SHIFT));
    }
    std::memset(va, 0x77, bytes);

    EXPECT_EQ(MmProtectMdlSystemAddress(mdl, 0x1234), STATUS_INVALID_PAGE_PROTECTION);
    EXPECT_EQ(MmProtectMdlSystemAddress(mdl, PAGE_WRITECOPY), STATUS_INVALID_PAGE_PROTECTION);

    EXPECT_EQ(MmProtectMdlSystemAddress(mdl, PAGE_NOACCESS), STATUS_SUCCESS);
    EXPECT_FALSE(MmIsAddressValid(va));
    EXPECT_FALSE(MmIsAddressValid(va + 2 * PAGE_SIZE));
    EXPECT_EQ(MmProtectMdlSystemAddress(mdl, PAGE_READONLY), STATUS_SUCCESS);
    EXPECT_TRUE(MmIsAddressValid(va));
    EXPECT_EQ(va[PAGE_SIZE], 0x77);
    HANDLE writable = MmSecureVirtualMemory(va, bytes, PAGE_READWRITE);
    EXPECT_EQ(writable, nullptr);  // read-only pages fail a write probe
    EXPECT_EQ(MmProtectMdlSystemAddress(mdl, PAGE_READWRITE), STATUS_SUCCESS);
    va[0] = 1;

    MmUnmapLockedPages(va, mdl);
    MmFreePagesFromMdl(mdl);
    ExFreePool(mdl);
}

TEST_F(PhysicalMemoryTest, pages_for_an_mdl_refuse_bad_requests) {
    EXPECT_EQ(MmAllocatePagesForMdlEx(address(0), address(-1), address(0), 0, MmCached, 0), nullptr);
    EXPECT_EQ(MmAllocatePagesForMdlEx(address(0), address(-1), address(0), PAGE_SIZE,
                                      static_cast<MEMORY_CACHING_TYPE>(MmMaximumCacheType), 0),
              nullptr);
    // More than one MDL can describe: all of it is required, or as much as fits.
    const SIZE_T huge = SIZE_T{1} << 30;
    EXPECT_EQ(MmAllocatePagesForMdlEx(address(0), address(-1), address(0), huge, MmCached, MM_ALLOCATE_FULLY_REQUIRED),
              nullptr);
    PMDL partial = MmAllocatePagesForMdlEx(address(0), address(-1), address(0), huge, MmCached, MM_DONT_ZERO_ALLOCATION);
    ASSERT_NE(partial, nullptr);
    EXPECT_GT(MmGetMdlByteCount(partial), 0u);
    EXPECT_LT(MmGetMdlByteCount(partial), huge);
    MmFreePagesFromMdl(partial);
    ExFreePool(partial);

    PMDL plain = MmAllocatePagesForMdl(address(0), address(-1), address(0), 100);
    ASSERT_NE(plain, nullptr);
    EXPECT_EQ(MmGetMdlByteCount(plain), 100u);
    MmFreePagesFromMdl(plain);
    ExFreePool(plain);
}

TEST_F(PhysicalMemoryTest, protecting_an_unmapped_or_other_mdl) {
    PVOID buffer = ExAllocatePoolWithTag(NonPagedPoolNx, PAGE_SIZE, 'tsyP');
    ASSERT_NE(buffer, nullptr);
    PMDL mdl = IoAllocateMdl(buffer, PAGE_SIZE, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    EXPECT_EQ(MmProtectMdlSystemAddress(mdl, PAGE_READONLY), STATUS_NOT_MAPPED_VIEW);
    EXPECT_EQ(MmProtectMdlSystemAddress(mdl, PAGE_GUARD), STATUS_INVALID_PAGE_PROTECTION);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(buffer, 'tsyP');
}

TEST_F(PhysicalMemoryTest, secure_virtual_memory_probes_the_mode) {
    static const char kReadOnly[PAGE_SIZE * 2] = {1};
    char writable[64] = {};
    HANDLE read = MmSecureVirtualMemory(const_cast<char*>(kReadOnly), sizeof(kReadOnly), PAGE_READONLY);
    EXPECT_NE(read, nullptr);
    MmUnsecureVirtualMemory(read);
    HANDLE write = MmSecureVirtualMemory(writable, sizeof(writable), PAGE_READWRITE);
    EXPECT_NE(write, nullptr);
    MmUnsecureVirtualMemory(write);
    // .rodata is not writable; bad modes, empty and unmapped ranges are refused.
    EXPECT_EQ(MmSecureVirtualMemory(const_cast<char*>(kReadOnly), sizeof(kReadOnly), PAGE_READWRITE), nullptr);
    EXPECT_EQ(MmSecureVirtualMemory(writable, sizeof(writable), PAGE_EXECUTE), nullptr);
    EXPECT_EQ(MmSecureVirtualMemory(writable, 0, PAGE_READONLY), nullptr);
    EXPECT_EQ(MmSecureVirtualMemory(reinterpret_cast<PVOID>(PAGE_SIZE), PAGE_SIZE, PAGE_READONLY), nullptr);
    MmUnsecureVirtualMemory(nullptr);  // ignored
}

}  // namespace physical_memory_test
