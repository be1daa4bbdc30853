// MmAdvanceMdl (the start of an MDL's range moves, its end stays; passed pages leave the PFN array and
// the system mapping moves with the start) and MmProbeAndLockProcessPages (the probe and lock in
// another process's context, its exceptions raised to the caller after the thread detached).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmadvancemdl
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmprobeandlockprocesspages
#include <sys/mman.h>

#include <vector>

#include "ob/object_manager.hpp"
#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace mdl_advance_test {

class MdlAdvanceTest : public ntio::test::SystemTest {};

NTSTATUS probe_in(PMDL mdl, PEPROCESS process, LOCK_OPERATION operation) {
    volatile NTSTATUS status = STATUS_SUCCESS;
    __try {
        MmProbeAndLockProcessPages(mdl, process, KernelMode, operation);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

TEST_F(MdlAdvanceTest, advancing_within_and_across_pages_keeps_the_end) {
    std::vector<char> buffer(4 * PAGE_SIZE);
    char* start = buffer.data() + 100;
    const ULONG length = 3 * PAGE_SIZE;
    PMDL mdl = IoAllocateMdl(start, length, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    auto* mapped = static_cast<char*>(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));
    ASSERT_NE(mapped, nullptr);
    const PFN_NUMBER last_pfn = MmGetMdlPfnArray(mdl)[ADDRESS_AND_SIZE_TO_SPAN_PAGES(start, length) - 1];
    char* const end = start + length;

    ASSERT_EQ(MmAdvanceMdl(mdl, 10), STATUS_SUCCESS);
    EXPECT_EQ(MmGetMdlVirtualAddress(mdl), start + 10);
    EXPECT_EQ(MmGetMdlByteCount(mdl), length - 10);
    EXPECT_EQ(mdl->MappedSystemVa, mapped + 10);

    // Across two page boundaries: the passed pages leave the front of the PFN array.
    const ULONG step = 2 * PAGE_SIZE;
    char* const target = start + 10 + step;
    ASSERT_EQ(MmAdvanceMdl(mdl, step), STATUS_SUCCESS);
    EXPECT_EQ(MmGetMdlVirtualAddress(mdl), target);
    EXPECT_EQ(static_cast<char*>(MmGetMdlVirtualAddress(mdl)) + MmGetMdlByteCount(mdl), end) << "the end stays";
    EXPECT_EQ(mdl->StartVa, PAGE_ALIGN(target));
    EXPECT_EQ(MmGetMdlByteOffset(mdl), BYTE_OFFSET(target));
    EXPECT_EQ(MmGetMdlPfnArray(mdl)[0], reinterpret_cast<ULONG_PTR>(PAGE_ALIGN(target)) >> PAGE_SHIFT);
    EXPECT_EQ(MmGetMdlPfnArray(mdl)[ADDRESS_AND_SIZE_TO_SPAN_PAGES(target, MmGetMdlByteCount(mdl)) - 1], last_pfn);
    EXPECT_EQ(mdl->MappedSystemVa, mapped + 10 + step);
    EXPECT_EQ(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), mapped + 10 + step);

    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

TEST_F(MdlAdvanceTest, advancing_onto_or_past_the_end_fails_and_changes_nothing) {
    char buffer[600];
    PMDL mdl = IoAllocateMdl(buffer, 500, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    MmBuildMdlForNonPagedPool(mdl);
    EXPECT_EQ(MmAdvanceMdl(mdl, 501), STATUS_INVALID_PARAMETER_2);
    EXPECT_EQ(MmAdvanceMdl(mdl, 500), STATUS_INVALID_PARAMETER_2);
    EXPECT_EQ(MmAdvanceMdl(mdl, 0xFFFFFFFFu), STATUS_INVALID_PARAMETER_2);
    EXPECT_EQ(MmGetMdlVirtualAddress(mdl), buffer);
    EXPECT_EQ(MmGetMdlByteCount(mdl), 500u);
    EXPECT_EQ(MmAdvanceMdl(mdl, 0), STATUS_SUCCESS);
    EXPECT_EQ(MmGetMdlVirtualAddress(mdl), buffer);
    ASSERT_EQ(MmAdvanceMdl(mdl, 499), STATUS_SUCCESS);
    EXPECT_EQ(MmGetMdlByteCount(mdl), 1u);
    EXPECT_EQ(mdl->MappedSystemVa, buffer + 499) << "a nonpaged-pool MDL's address moves too";
    IoFreeMdl(mdl);
}

TEST_F(MdlAdvanceTest, probe_and_lock_in_another_process_names_it_and_detaches) {
    PEPROCESS other = nullptr;
    ASSERT_EQ(system().objects().create_process(nullptr, u"mdl-lock-target", &other), STATUS_SUCCESS);
    PEPROCESS const own = PsGetCurrentProcess();
    std::vector<char> buffer(2 * PAGE_SIZE);
    PMDL mdl = IoAllocateMdl(buffer.data() + 7, PAGE_SIZE, FALSE, FALSE, nullptr);
    ASSERT_NE(mdl, nullptr);
    ASSERT_EQ(probe_in(mdl, other, IoReadAccess), STATUS_SUCCESS);
    EXPECT_TRUE(mdl->MdlFlags & MDL_PAGES_LOCKED);
    EXPECT_EQ(mdl->Process, other) << "the pages are the target process's";
    EXPECT_EQ(PsGetCurrentProcess(), own) << "the thread is back in its own process";
    MmUnlockPages(mdl);

    ASSERT_EQ(probe_in(mdl, own, IoModifyAccess), STATUS_SUCCESS);
    EXPECT_EQ(mdl->Process, own);
    EXPECT_TRUE(mdl->MdlFlags & MDL_WRITE_OPERATION);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);

    // A range the process cannot write raises STATUS_ACCESS_VIOLATION, after the detach.
    void* page = mmap(nullptr, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(page, MAP_FAILED);
    PMDL read_only = IoAllocateMdl(page, 64, FALSE, FALSE, nullptr);
    ASSERT_NE(read_only, nullptr);
    EXPECT_EQ(probe_in(read_only, other, IoWriteAccess), STATUS_ACCESS_VIOLATION);
    EXPECT_FALSE(read_only->MdlFlags & MDL_PAGES_LOCKED);
    EXPECT_EQ(PsGetCurrentProcess(), own);
    EXPECT_EQ(probe_in(read_only, other, IoReadAccess), STATUS_SUCCESS);
    MmUnlockPages(read_only);
    IoFreeMdl(read_only);
    munmap(page, PAGE_SIZE);

    system().objects().terminate_process(other, STATUS_SUCCESS);
    ObDereferenceObject(other);
}

}  // namespace mdl_advance_test
