// MDLs: IoAllocateMdl limits and IRP chaining (NT fact M1), probing and locking with faults raised
// into the caller's __try, mapping a stack buffer (M3), partial MDLs, nonpaged-pool MDLs and the
// METHOD_NEITHER pattern a driver uses on a caller's raw pointer (S9).
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"

#include <wdm.h>
#include <ntio/ntio.h>

namespace {

class MdlTest : public ntio::test::SystemTest {};

// An anonymous mapping of `pages` pages with the given protection, unmapped on destruction.
class Pages {
public:
    Pages(std::size_t pages, int protection) : m_size(pages * PAGE_SIZE) {
        m_base = mmap(nullptr, m_size, protection, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m_base == MAP_FAILED) m_base = nullptr;
    }
    ~Pages() {
        if (m_base) munmap(m_base, m_size);
    }
    Pages(const Pages&) = delete;
    Pages& operator=(const Pages&) = delete;
    char* get() const { return static_cast<char*>(m_base); }

private:
    void* m_base = nullptr;
    std::size_t m_size;
};

// Runs MmProbeAndLockPages the way a driver does, inside __try, and returns the exception code
// (STATUS_SUCCESS when nothing was raised).
NTSTATUS probe_and_lock(PMDL mdl, KPROCESSOR_MODE mode, LOCK_OPERATION operation) {
    volatile NTSTATUS status = STATUS_SUCCESS;
    __try {
        MmProbeAndLockPages(mdl, mode, operation);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

constexpr ULONG kMaxPages = static_cast<ULONG>((0x10000 - sizeof(MDL)) / sizeof(ULONG_PTR)) - 1;

// NT fact M1
TEST_F(MdlTest, AllocateTwoGigabytesFails) {
    EXPECT_EQ(IoAllocateMdl(nullptr, 0x80000000u, FALSE, FALSE, nullptr), nullptr);
    EXPECT_EQ(NtioMdlCount(), 0u);
}

// NT fact M1
TEST_F(MdlTest, LargestMdlSpansTheDocumentedPageCountAndOneMoreFails) {
    auto* base = reinterpret_cast<PVOID>(0x10000000ULL);  // page aligned; never touched
    PMDL largest = IoAllocateMdl(base, kMaxPages * PAGE_SIZE, FALSE, FALSE, nullptr);
    ASSERT_NE(largest, nullptr);
    EXPECT_EQ(static_cast<USHORT>(largest->Size), sizeof(MDL) + kMaxPages * sizeof(PFN_NUMBER));
    EXPECT_EQ(IoAllocateMdl(base, (kMaxPages + 1) * PAGE_SIZE, FALSE, FALSE, nullptr), nullptr);
    // The same page count reached through a misaligned start also fails.
    EXPECT_EQ(IoAllocateMdl(static_cast<char*>(base) + 1, kMaxPages * PAGE_SIZE, FALSE, FALSE, nullptr), nullptr);
    IoFreeMdl(largest);
}

// NT fact M1
TEST_F(MdlTest, FreshMdlDescribesTheRange) {
    char buffer[300];
    PMDL mdl = IoAllocateMdl(buffer + 5, 200, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    EXPECT_EQ(mdl->Next, nullptr);
    EXPECT_EQ(MmGetMdlByteCount(mdl), 200u);
    EXPECT_EQ(MmGetMdlVirtualAddress(mdl), buffer + 5);
    EXPECT_EQ(MmGetMdlByteOffset(mdl), BYTE_OFFSET(buffer + 5));
    EXPECT_EQ(MmGetMdlBaseVa(mdl), PAGE_ALIGN(buffer + 5));
    EXPECT_EQ(static_cast<USHORT>(mdl->Size), MmSizeOfMdl(buffer + 5, 200));
    EXPECT_EQ(mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA), 0);
    EXPECT_EQ(NtioMdlCount(), 1u);
    IoFreeMdl(mdl);
    EXPECT_EQ(NtioMdlCount(), 0u);
}

// NT fact M1
TEST_F(MdlTest, PrimaryBufferSetsIrpMdlAddressAndSecondaryBuffersChain) {
    IRP irp{};
    char a[16], b[16], c[16];
    PMDL first = IoAllocateMdl(a, sizeof a, FALSE, FALSE, &irp);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(irp.MdlAddress, first);
    PMDL second = IoAllocateMdl(b, sizeof b, TRUE, FALSE, &irp);
    PMDL third = IoAllocateMdl(c, sizeof c, TRUE, FALSE, &irp);
    ASSERT_NE(second, nullptr);
    ASSERT_NE(third, nullptr);
    EXPECT_EQ(irp.MdlAddress, first);
    EXPECT_EQ(first->Next, second);
    EXPECT_EQ(second->Next, third);
    EXPECT_EQ(third->Next, nullptr);
    IoFreeMdl(third);
    IoFreeMdl(second);
    IoFreeMdl(first);
}

// NT fact M3
TEST_F(MdlTest, StackBufferLocksAndMapsToItsOwnAddress) {
    char buffer[64];
    std::memset(buffer, 'x', sizeof buffer);
    PMDL mdl = IoAllocateMdl(buffer, sizeof buffer, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    ASSERT_EQ(probe_and_lock(mdl, KernelMode, IoReadAccess), STATUS_SUCCESS);
    EXPECT_NE(mdl->MdlFlags & MDL_PAGES_LOCKED, 0);
    EXPECT_EQ(mdl->MdlFlags & MDL_WRITE_OPERATION, 0);
    PVOID mapped = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, nullptr, FALSE, NormalPagePriority);
    ASSERT_NE(mapped, nullptr);
    EXPECT_EQ(mapped, static_cast<PVOID>(buffer));
    EXPECT_NE(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, 0);
    EXPECT_EQ(mdl->MappedSystemVa, mapped);
    EXPECT_EQ(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), mapped);
    static_cast<char*>(mapped)[3] = 'y';
    EXPECT_EQ(buffer[3], 'y');
    MmUnmapLockedPages(mapped, mdl);
    EXPECT_EQ(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, 0);
    MmUnlockPages(mdl);
    EXPECT_EQ(mdl->MdlFlags & MDL_PAGES_LOCKED, 0);
    IoFreeMdl(mdl);
}

TEST_F(MdlTest, LockingFillsThePfnArrayWithOneEntryPerPage) {
    Pages pages(3, PROT_READ | PROT_WRITE);
    ASSERT_NE(pages.get(), nullptr);
    char* start = pages.get() + PAGE_SIZE - 10;  // 10 bytes in page 0, all of page 1, 10 in page 2
    PMDL mdl = IoAllocateMdl(start, PAGE_SIZE + 20, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    ASSERT_EQ(probe_and_lock(mdl, UserMode, IoWriteAccess), STATUS_SUCCESS);
    EXPECT_NE(mdl->MdlFlags & MDL_WRITE_OPERATION, 0);
    EXPECT_EQ(mdl->Process, IoGetCurrentProcess());
    const ULONG_PTR first = reinterpret_cast<ULONG_PTR>(pages.get()) >> PAGE_SHIFT;
    PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
    ASSERT_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(start, PAGE_SIZE + 20), 3u);
    for (ULONG i = 0; i < 3; ++i) EXPECT_EQ(pfn[i], first + i) << i;
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

TEST_F(MdlTest, ProbingAnUnmappedPageRaisesAccessViolationInsideTry) {
    Pages pages(1, PROT_NONE);
    ASSERT_NE(pages.get(), nullptr);
    PMDL mdl = IoAllocateMdl(pages.get() + 100, 50, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    EXPECT_EQ(probe_and_lock(mdl, UserMode, IoReadAccess), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(probe_and_lock(mdl, KernelMode, IoReadAccess), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(mdl->MdlFlags & MDL_PAGES_LOCKED, 0);
    IoFreeMdl(mdl);
}

TEST_F(MdlTest, ProbingAReadOnlyPageForWriteRaisesButReadSucceeds) {
    Pages pages(2, PROT_READ | PROT_WRITE);
    ASSERT_NE(pages.get(), nullptr);
    ASSERT_EQ(mprotect(pages.get() + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
    // Writable first page, read-only second: the fault is on the second page.
    PMDL mdl = IoAllocateMdl(pages.get() + PAGE_SIZE - 8, 16, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    EXPECT_EQ(probe_and_lock(mdl, UserMode, IoWriteAccess), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(probe_and_lock(mdl, UserMode, IoModifyAccess), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(mdl->MdlFlags & MDL_PAGES_LOCKED, 0);
    ASSERT_EQ(probe_and_lock(mdl, UserMode, IoReadAccess), STATUS_SUCCESS);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

TEST_F(MdlTest, UserModeProbeOfASystemAddressRaisesWithoutTouchingIt) {
    PMDL mdl = IoAllocateMdl(MmSystemRangeStart, 64, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    EXPECT_EQ(probe_and_lock(mdl, UserMode, IoReadAccess), STATUS_ACCESS_VIOLATION);
    // A range that straddles the boundary is refused as well.
    PMDL straddle = IoAllocateMdl(reinterpret_cast<PVOID>(MmUserProbeAddress - 16), 32, FALSE, FALSE, nullptr);
    ASSERT_NE(straddle, nullptr);
    EXPECT_EQ(probe_and_lock(straddle, UserMode, IoWriteAccess), STATUS_ACCESS_VIOLATION);
    IoFreeMdl(straddle);
    IoFreeMdl(mdl);
}

TEST_F(MdlTest, UnlockingAnUnlockedMdlBugchecksPfnListCorrupt) {
    char buffer[32];
    PMDL mdl = IoAllocateMdl(buffer, sizeof buffer, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    auto bc = ntio::test::catch_bugcheck([&] { MmUnlockPages(mdl); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(PFN_LIST_CORRUPT));
    EXPECT_EQ(bc->p1, 0x07u);
    EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(PAGE_ALIGN(buffer)) >> PAGE_SHIFT);
    IoFreeMdl(mdl);
}

TEST_F(MdlTest, PartialMdlSharesTheSourceMappingAndPages) {
    Pages pages(4, PROT_READ | PROT_WRITE);
    ASSERT_NE(pages.get(), nullptr);
    char* base = pages.get() + 100;
    const ULONG length = 3 * PAGE_SIZE;
    PMDL source = IoAllocateMdl(base, length, FALSE, FALSE, nullptr);
    ASSERT_NE(source, nullptr);
    ASSERT_EQ(probe_and_lock(source, KernelMode, IoWriteAccess), STATUS_SUCCESS);
    auto* system_va = static_cast<char*>(MmGetSystemAddressForMdlSafe(source, NormalPagePriority));
    ASSERT_EQ(system_va, base);

    char* part_va = base + PAGE_SIZE + 7;
    PMDL partial = IoAllocateMdl(part_va, PAGE_SIZE, FALSE, FALSE, nullptr);
    ASSERT_NE(partial, nullptr);
    IoBuildPartialMdl(source, partial, part_va, PAGE_SIZE);
    EXPECT_NE(partial->MdlFlags & MDL_PARTIAL, 0);
    EXPECT_EQ(partial->MdlFlags & MDL_PAGES_LOCKED, 0);
    EXPECT_EQ(MmGetMdlVirtualAddress(partial), part_va);
    EXPECT_EQ(MmGetMdlByteCount(partial), PAGE_SIZE);
    const ULONG first_index = static_cast<ULONG>((reinterpret_cast<ULONG_PTR>(PAGE_ALIGN(part_va)) -
                                                  reinterpret_cast<ULONG_PTR>(source->StartVa)) >> PAGE_SHIFT);
    const ULONG partial_pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(part_va, PAGE_SIZE);
    for (ULONG i = 0; i < partial_pages; ++i) {
        EXPECT_EQ(MmGetMdlPfnArray(partial)[i], MmGetMdlPfnArray(source)[first_index + i]) << i;
    }
    auto* partial_system = static_cast<char*>(MmGetSystemAddressForMdlSafe(partial, NormalPagePriority));
    EXPECT_EQ(partial_system, system_va + (part_va - base));
    partial_system[0] = 'p';
    EXPECT_EQ(*part_va, 'p');

    // Length 0: the rest of the source from the given address.
    IoBuildPartialMdl(source, partial, base + 2 * PAGE_SIZE, 0);
    EXPECT_EQ(MmGetMdlByteCount(partial), length - 2 * PAGE_SIZE);
    IoFreeMdl(partial);  // unmaps what the partial mapped; the source keeps its own mapping
    EXPECT_NE(source->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, 0);
    MmUnlockPages(source);
    EXPECT_EQ(source->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA), 0);
    IoFreeMdl(source);
}

TEST_F(MdlTest, PartialMdlTooSmallForTheRangeBugchecks) {
    Pages pages(3, PROT_READ | PROT_WRITE);
    ASSERT_NE(pages.get(), nullptr);
    PMDL source = IoAllocateMdl(pages.get(), 3 * PAGE_SIZE, FALSE, FALSE, nullptr);
    PMDL small = IoAllocateMdl(pages.get(), PAGE_SIZE, FALSE, FALSE, nullptr);
    ASSERT_NE(source, nullptr);
    ASSERT_NE(small, nullptr);
    ASSERT_EQ(probe_and_lock(source, KernelMode, IoReadAccess), STATUS_SUCCESS);
    auto bc = ntio::test::catch_bugcheck([&] { IoBuildPartialMdl(source, small, pages.get(), 2 * PAGE_SIZE); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(TARGET_MDL_TOO_SMALL));
    MmUnlockPages(source);
    IoFreeMdl(small);
    IoFreeMdl(source);
}

// A range not inside the source MDL's is INVALID_MDL_RANGE (0x12E): SourceMdl, TargetMdl,
// VirtualAddress, Length
// (https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x12e--invalid-mdl-range).
TEST_F(MdlTest, PartialMdlOutsideTheSourceRangeIsInvalidMdlRange) {
    Pages pages(4, PROT_READ | PROT_WRITE);
    ASSERT_NE(pages.get(), nullptr);
    char* base = pages.get() + PAGE_SIZE + 16;  // the source starts inside its first page
    const ULONG length = PAGE_SIZE;
    PMDL source = IoAllocateMdl(base, length, FALSE, FALSE, nullptr);
    PMDL target = IoAllocateMdl(pages.get(), 3 * PAGE_SIZE, FALSE, FALSE, nullptr);
    ASSERT_NE(source, nullptr);
    ASSERT_NE(target, nullptr);
    ASSERT_EQ(probe_and_lock(source, KernelMode, IoReadAccess), STATUS_SUCCESS);
    struct Case {
        char* va;
        ULONG length;
    };
    for (Case c : {Case{base - 1, 8}, Case{base + length - 4, 8}, Case{base, length + 1}, Case{base + length, 0},
                   Case{base + length + PAGE_SIZE, 4}}) {
        auto bc = ntio::test::catch_bugcheck([&] { IoBuildPartialMdl(source, target, c.va, c.length); });
        ASSERT_TRUE(bc.has_value()) << "offset " << (c.va - base) << " length " << c.length;
        EXPECT_EQ(bc->code, static_cast<ULONG>(INVALID_MDL_RANGE));
        EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(source));
        EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(target));
        EXPECT_EQ(bc->p3, reinterpret_cast<ULONG_PTR>(c.va));
        EXPECT_EQ(bc->p4, c.length);
    }
    // The whole source, and its last byte, are inside.
    ntio::test::expect_no_bugcheck([&] { IoBuildPartialMdl(source, target, base, length); });
    ntio::test::expect_no_bugcheck([&] { IoBuildPartialMdl(source, target, base + length - 1, 0); });
    EXPECT_EQ(MmGetMdlByteCount(target), 1u);
    MmUnlockPages(source);
    IoFreeMdl(target);
    IoFreeMdl(source);
}

TEST_F(MdlTest, NonPagedPoolMdlIsMappedWithoutLocking) {
    auto* pool = static_cast<char*>(ExAllocatePoolWithTag(NonPagedPoolNx, 5000, 'tseT'));
    ASSERT_NE(pool, nullptr);
    PMDL mdl = IoAllocateMdl(pool, 5000, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    MmBuildMdlForNonPagedPool(mdl);
    EXPECT_NE(mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL, 0);
    EXPECT_EQ(mdl->MdlFlags & MDL_PAGES_LOCKED, 0);
    EXPECT_EQ(mdl->MappedSystemVa, pool);
    EXPECT_EQ(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), pool);
    EXPECT_EQ(MmGetMdlPfnArray(mdl)[0], reinterpret_cast<ULONG_PTR>(pool) >> PAGE_SHIFT);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(pool, 'tseT');
}

TEST_F(MdlTest, MapRefusesAnMdlThatIsNeitherLockedNorNonPaged) {
    char buffer[16];
    PMDL mdl = IoAllocateMdl(buffer, sizeof buffer, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    EXPECT_EQ(MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, nullptr, FALSE, NormalPagePriority), nullptr);
    EXPECT_EQ(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, 0);
    IoFreeMdl(mdl);
}

TEST_F(MdlTest, CreateMdlAndSizeOfMdl) {
    char buffer[2 * PAGE_SIZE];
    EXPECT_EQ(MmSizeOfMdl(nullptr, 0), sizeof(MDL));
    EXPECT_EQ(MmSizeOfMdl(reinterpret_cast<PVOID>(PAGE_SIZE - 1), 2), sizeof(MDL) + 2 * sizeof(PFN_NUMBER));
    PMDL mdl = MmCreateMdl(nullptr, buffer + 1, PAGE_SIZE);
    ASSERT_NE(mdl, nullptr);
    EXPECT_EQ(MmGetMdlVirtualAddress(mdl), buffer + 1);
    EXPECT_EQ(MmGetMdlByteCount(mdl), PAGE_SIZE);
    EXPECT_EQ(static_cast<USHORT>(mdl->Size), MmSizeOfMdl(buffer + 1, PAGE_SIZE));
    EXPECT_EQ(NtioMdlCount(), 0u);  // freed with ExFreePool, not an I/O manager MDL
    ExFreePool(mdl);
}

TEST_F(MdlTest, IsAddressValidReportsWhetherAReadWouldFault) {
    Pages readable(1, PROT_READ);
    Pages none(1, PROT_NONE);
    ASSERT_NE(readable.get(), nullptr);
    ASSERT_NE(none.get(), nullptr);
    int local = 0;
    EXPECT_TRUE(MmIsAddressValid(&local));
    EXPECT_TRUE(MmIsAddressValid(readable.get() + 17));
    EXPECT_FALSE(MmIsAddressValid(none.get()));
    EXPECT_FALSE(MmIsAddressValid(nullptr));
}

// NT fact S9: the METHOD_NEITHER pattern on a caller's output pointer.
TEST_F(MdlTest, MethodNeitherOutputBufferThroughUserModeMdl) {
    char user_output[100];
    std::memset(user_output, 0, sizeof user_output);
    volatile NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(user_output, sizeof user_output, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    ASSERT_EQ(status, STATUS_SUCCESS);
    auto* system = static_cast<char*>(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute));
    ASSERT_NE(system, nullptr);
    std::memcpy(system, "reply", 6);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    EXPECT_STREQ(user_output, "reply");
}

}  // namespace
