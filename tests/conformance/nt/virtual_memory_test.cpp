// NtAllocateVirtualMemory, NtFreeVirtualMemory, NtProtectVirtualMemory, NtQueryVirtualMemory,
// NtLockVirtualMemory / NtUnlockVirtualMemory and NtFlushInstructionCache, with their Zw forms:
// reservations on 64 KiB, commits on pages, what MemoryBasicInformation reports for private memory,
// views and free space, and the statuses Learn gives for bad input.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntallocatevirtualmemory
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwfreevirtualmemory
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwqueryvirtualmemory
#include "nt_test_support.hpp"

#include <ntifs.h>

namespace ntio::test {
namespace virtual_memory_nt {

class VirtualMemoryNt : public NtTest {};

constexpr SIZE_T kPage = PAGE_SIZE;
constexpr ULONG_PTR kGranularity = 0x10000;

// Reserves (and maybe commits) `size` bytes anywhere; released at scope end unless taken.
class Region {
public:
    Region(SIZE_T size, ULONG type, ULONG protect) {
        m_size = size;
        m_status = NtAllocateVirtualMemory(NtCurrentProcess(), &m_base, 0, &m_size, type, protect);
    }
    ~Region() {
        if (m_base && NT_SUCCESS(m_status)) {
            SIZE_T size = 0;
            (void)NtFreeVirtualMemory(NtCurrentProcess(), &m_base, &size, MEM_RELEASE);
        }
    }
    Region(const Region&) = delete;
    Region& operator=(const Region&) = delete;
    NTSTATUS status() const { return m_status; }
    char* base() const { return static_cast<char*>(m_base); }
    SIZE_T size() const { return m_size; }
    void forget() { m_base = nullptr; }

private:
    PVOID m_base = nullptr;
    SIZE_T m_size = 0;
    NTSTATUS m_status = STATUS_UNSUCCESSFUL;
};

MEMORY_BASIC_INFORMATION query(const void* address) {
    MEMORY_BASIC_INFORMATION info{};
    SIZE_T written = 0;
    EXPECT_EQ(NtQueryVirtualMemory(NtCurrentProcess(), const_cast<void*>(address), MemoryBasicInformation, &info,
                                   sizeof info, &written),
              STATUS_SUCCESS);
    EXPECT_EQ(written, sizeof info);
    return info;
}

TEST_F(VirtualMemoryNt, ReserveRoundsToGranularityAndCommitToPages) {
    Region region(3 * kPage + 1, MEM_RESERVE, PAGE_READWRITE);
    ASSERT_EQ(region.status(), STATUS_SUCCESS);
    EXPECT_EQ(reinterpret_cast<ULONG_PTR>(region.base()) % kGranularity, 0u);
    EXPECT_EQ(region.size(), 4 * kPage);
    MEMORY_BASIC_INFORMATION info = query(region.base() + 5);
    EXPECT_EQ(info.BaseAddress, region.base());
    EXPECT_EQ(info.AllocationBase, region.base());
    EXPECT_EQ(info.AllocationProtect, static_cast<ULONG>(PAGE_READWRITE));
    EXPECT_EQ(info.RegionSize, 4 * kPage);
    EXPECT_EQ(info.State, static_cast<ULONG>(MEM_RESERVE));
    EXPECT_EQ(info.Protect, 0u);
    EXPECT_EQ(info.Type, static_cast<ULONG>(MEM_PRIVATE));

    // Commit one byte across a page boundary: both pages are committed, zero-filled and writable.
    PVOID base = region.base() + kPage + kPage - 1;
    SIZE_T size = 2;
    ASSERT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    EXPECT_EQ(base, region.base() + kPage);
    EXPECT_EQ(size, 2 * kPage);
    EXPECT_EQ(region.base()[kPage], 0);
    region.base()[kPage] = 7;
    region.base()[3 * kPage - 1] = 9;
    info = query(region.base());
    EXPECT_EQ(info.State, static_cast<ULONG>(MEM_RESERVE));
    EXPECT_EQ(info.RegionSize, kPage);
    info = query(region.base() + kPage);
    EXPECT_EQ(info.State, static_cast<ULONG>(MEM_COMMIT));
    EXPECT_EQ(info.Protect, static_cast<ULONG>(PAGE_READWRITE));
    EXPECT_EQ(info.RegionSize, 2 * kPage);
    EXPECT_EQ(info.AllocationBase, region.base());
    info = query(region.base() + 3 * kPage);
    EXPECT_EQ(info.State, static_cast<ULONG>(MEM_RESERVE));
    EXPECT_EQ(info.RegionSize, kPage);
}

TEST_F(VirtualMemoryNt, ReserveAtAnAddressAndConflicts) {
    Region first(kGranularity, MEM_RESERVE | MEM_COMMIT, PAGE_READONLY);
    ASSERT_EQ(first.status(), STATUS_SUCCESS);
    // The same range again, and a range ending inside it.
    PVOID base = first.base() + 100;
    SIZE_T size = kPage;
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_RESERVE, PAGE_READWRITE),
              STATUS_CONFLICTING_ADDRESSES);
    EXPECT_EQ(base, first.base() + 100) << "nothing written on failure";
    // Release it and take the same place back by address: the base rounds down to 64 KiB.
    PVOID at = first.base();
    SIZE_T zero = 0;
    ASSERT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &at, &zero, MEM_RELEASE), STATUS_SUCCESS);
    EXPECT_EQ(zero, kGranularity);
    first.forget();
    base = static_cast<char*>(at) + 3 * kPage + 5;
    size = kPage;
    ASSERT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE),
              STATUS_SUCCESS);
    EXPECT_EQ(base, at);
    EXPECT_EQ(size, 5 * kPage) << "from the rounded base to the end of the page holding the last byte";
    SIZE_T release = 0;
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &release, MEM_RELEASE), STATUS_SUCCESS);
    // Committing in free space, or past the end of a reservation.
    Region small(kPage, MEM_RESERVE, PAGE_READWRITE);
    ASSERT_EQ(small.status(), STATUS_SUCCESS);
    base = small.base();
    size = 2 * kPage;
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT, PAGE_READWRITE),
              STATUS_CONFLICTING_ADDRESSES);
}

TEST_F(VirtualMemoryNt, CommitWithoutAddressReservesToo) {
    PVOID base = nullptr;
    SIZE_T size = 10;
    ASSERT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    EXPECT_EQ(size, kPage);
    static_cast<char*>(base)[0] = 1;
    EXPECT_EQ(query(base).State, static_cast<ULONG>(MEM_COMMIT));
    size = 0;
    EXPECT_EQ(ZwFreeVirtualMemory(ZwCurrentProcess(), &base, &size, MEM_RELEASE), STATUS_SUCCESS);
}

TEST_F(VirtualMemoryNt, DecommitAndRelease) {
    Region region(4 * kPage, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    ASSERT_EQ(region.status(), STATUS_SUCCESS);
    std::memset(region.base(), 0x5A, 4 * kPage);
    // Decommit the middle two pages (a two-byte range across their boundary).
    PVOID base = region.base() + 2 * kPage - 1;
    SIZE_T size = 2;
    ASSERT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_DECOMMIT), STATUS_SUCCESS);
    EXPECT_EQ(base, region.base() + kPage);
    EXPECT_EQ(size, 2 * kPage);
    EXPECT_EQ(query(region.base() + kPage).State, static_cast<ULONG>(MEM_RESERVE));
    EXPECT_EQ(query(region.base() + kPage).RegionSize, 2 * kPage);
    EXPECT_EQ(region.base()[0], 0x5A) << "the other pages keep their data";
    EXPECT_EQ(region.base()[3 * kPage], 0x5A);
    // Decommitting reserved pages again is no error; recommitted pages read zero.
    base = region.base() + kPage;
    size = kPage;
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_DECOMMIT), STATUS_SUCCESS);
    base = region.base() + kPage;
    size = kPage;
    ASSERT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    EXPECT_EQ(region.base()[kPage], 0);
    // MEM_RELEASE not at the base, or of part of the allocation.
    base = region.base() + kPage;
    size = 0;
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE), STATUS_FREE_VM_NOT_AT_BASE);
    base = region.base();
    size = kPage;
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE), STATUS_UNABLE_TO_FREE_VM);
    // Decommit past the end of the allocation.
    base = region.base() + 3 * kPage;
    size = 2 * kPage;
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_DECOMMIT), STATUS_UNABLE_TO_FREE_VM);
    // Decommit with size 0 from the base: the whole allocation goes back to reserved.
    base = region.base();
    size = 0;
    ASSERT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_DECOMMIT), STATUS_SUCCESS);
    EXPECT_EQ(size, 4 * kPage);
    MEMORY_BASIC_INFORMATION info = query(region.base());
    EXPECT_EQ(info.State, static_cast<ULONG>(MEM_RESERVE));
    EXPECT_EQ(info.RegionSize, 4 * kPage);
    // Released: the range is free; freeing it again finds nothing.
    base = region.base();
    size = 0;
    ASSERT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE), STATUS_SUCCESS);
    region.forget();
    info = query(base);
    EXPECT_EQ(info.State, static_cast<ULONG>(MEM_FREE));
    EXPECT_EQ(info.Protect, static_cast<ULONG>(PAGE_NOACCESS));
    EXPECT_EQ(info.AllocationBase, nullptr);
    EXPECT_EQ(info.Type, 0u);
    EXPECT_GE(info.RegionSize, kPage);
    size = 0;
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE), STATUS_MEMORY_NOT_ALLOCATED);
}

TEST_F(VirtualMemoryNt, ProtectReturnsTheOldProtection) {
    Region region(3 * kPage, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    ASSERT_EQ(region.status(), STATUS_SUCCESS);
    PVOID base = region.base() + kPage + 10;
    SIZE_T size = 1;
    ULONG old = 0;
    ASSERT_EQ(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, &old), STATUS_SUCCESS);
    EXPECT_EQ(old, static_cast<ULONG>(PAGE_READWRITE));
    EXPECT_EQ(base, region.base() + kPage);
    EXPECT_EQ(size, kPage);
    MEMORY_BASIC_INFORMATION info = query(region.base() + kPage);
    EXPECT_EQ(info.Protect, static_cast<ULONG>(PAGE_READONLY));
    EXPECT_EQ(info.RegionSize, kPage);
    EXPECT_EQ(info.AllocationProtect, static_cast<ULONG>(PAGE_READWRITE));
    // The read-only page refuses a result a service would write there.
    auto* readonly_base = reinterpret_cast<PVOID*>(region.base() + kPage);
    size = kPage;
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), readonly_base, 0, &size, MEM_COMMIT, PAGE_READWRITE),
              STATUS_ACCESS_VIOLATION);
    base = region.base();
    // Back to read-write through the Zw form; the old protection is the first page's.
    size = 3 * kPage;
    ASSERT_EQ(ZwProtectVirtualMemory(ZwCurrentProcess(), &base, &size, PAGE_EXECUTE_READWRITE, &old), STATUS_SUCCESS);
    EXPECT_EQ(old, static_cast<ULONG>(PAGE_READWRITE));
    EXPECT_EQ(query(region.base()).RegionSize, 3 * kPage);
    region.base()[kPage] = 1;
    // Reserved pages cannot be protected; a range past the allocation conflicts.
    Region reserved(2 * kPage, MEM_RESERVE, PAGE_READWRITE);
    ASSERT_EQ(reserved.status(), STATUS_SUCCESS);
    base = reserved.base();
    size = kPage;
    EXPECT_EQ(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, &old), STATUS_NOT_COMMITTED);
    base = region.base();
    size = 4 * kPage;
    EXPECT_EQ(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, &old),
              STATUS_CONFLICTING_ADDRESSES);
    base = region.base();
    size = kPage;
    EXPECT_EQ(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_WRITECOPY, &old),
              STATUS_INVALID_PAGE_PROTECTION);
    EXPECT_EQ(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY | PAGE_EXECUTE, &old),
              STATUS_INVALID_PAGE_PROTECTION);
    EXPECT_EQ(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, nullptr),
              STATUS_ACCESS_VIOLATION);
}

TEST_F(VirtualMemoryNt, GuardAndNoCacheAreReported) {
    Region region(2 * kPage, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    ASSERT_EQ(region.status(), STATUS_SUCCESS);
    EXPECT_EQ(query(region.base()).Protect, static_cast<ULONG>(PAGE_READWRITE | PAGE_GUARD));
    PVOID base = region.base();
    SIZE_T size = kPage;
    ULONG old = 0;
    ASSERT_EQ(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READWRITE | PAGE_NOCACHE, &old),
              STATUS_SUCCESS);
    EXPECT_EQ(old, static_cast<ULONG>(PAGE_READWRITE | PAGE_GUARD));
    EXPECT_EQ(query(region.base()).Protect, static_cast<ULONG>(PAGE_READWRITE | PAGE_NOCACHE));
    region.base()[0] = 3;
}

TEST_F(VirtualMemoryNt, AllocateBadInput) {
    PVOID base = nullptr;
    SIZE_T size = kPage;
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 22, &size, MEM_COMMIT, PAGE_READWRITE),
              STATUS_INVALID_PARAMETER_3);
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, 0, PAGE_READWRITE),
              STATUS_INVALID_PARAMETER_5);
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_TOP_DOWN, PAGE_READWRITE),
              STATUS_INVALID_PARAMETER_5);
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_RESET | MEM_COMMIT, PAGE_READWRITE),
              STATUS_INVALID_PARAMETER_5);
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT | 0x4, PAGE_READWRITE),
              STATUS_INVALID_PARAMETER_5);
    for (ULONG protect : {0u, 0x3u, static_cast<ULONG>(PAGE_WRITECOPY), static_cast<ULONG>(PAGE_EXECUTE_WRITECOPY),
                          static_cast<ULONG>(PAGE_NOACCESS | PAGE_GUARD),
                          static_cast<ULONG>(PAGE_READWRITE | PAGE_GUARD | PAGE_NOCACHE), 0x800u}) {
        EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT, protect),
                  STATUS_INVALID_PAGE_PROTECTION)
            << protect;
    }
    size = 0;
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT, PAGE_READWRITE),
              STATUS_INVALID_PARAMETER_4);
    size = kPage;
    base = reinterpret_cast<PVOID>(0x800000000000ull);
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_RESERVE, PAGE_READWRITE),
              STATUS_INVALID_PARAMETER_2);
    base = reinterpret_cast<PVOID>(0x7FFFFFFE0000ull);
    size = 0x100000;
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_RESERVE, PAGE_READWRITE),
              STATUS_INVALID_PARAMETER_4);
    // More than ntio's table holds (docs/nt-deviations.md): no room, nothing reserved.
    base = nullptr;
    size = (SIZE_T{1} << 40) + kPage;
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_RESERVE, PAGE_READWRITE),
              STATUS_NO_MEMORY);
    EXPECT_EQ(base, nullptr);
    // Bad caller pointers under UserMode.
    BadMemory bad;
    size = kPage;
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), bad.no_access<PVOID>(), 0, &size, MEM_COMMIT, PAGE_READWRITE),
              STATUS_ACCESS_VIOLATION);
    base = nullptr;
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, bad.read_only<SIZE_T>(), MEM_COMMIT, PAGE_READWRITE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), nullptr, 0, &size, MEM_COMMIT, PAGE_READWRITE),
              STATUS_ACCESS_VIOLATION);
    // Free: the type, and nothing allocated at the address.
    base = nullptr;
    size = 0;
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_DECOMMIT | MEM_RELEASE),
              STATUS_INVALID_PARAMETER_4);
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, 0), STATUS_INVALID_PARAMETER_4);
    base = reinterpret_cast<PVOID>(0x800000000000ull);
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE), STATUS_INVALID_PARAMETER_2);
}

TEST_F(VirtualMemoryNt, ProcessHandleAccessAndType) {
    PVOID base = nullptr;
    SIZE_T size = kPage;
    EXPECT_EQ(NtAllocateVirtualMemory(reinterpret_cast<HANDLE>(0x1234), &base, 0, &size, MEM_COMMIT, PAGE_READWRITE),
              STATUS_INVALID_HANDLE);
    Handle event(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(NtAllocateVirtualMemory(event.get(), &base, 0, &size, MEM_COMMIT, PAGE_READWRITE),
              STATUS_OBJECT_TYPE_MISMATCH);
    // A process handle without PROCESS_VM_OPERATION cannot allocate; without
    // PROCESS_QUERY_INFORMATION it cannot query.
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, 0, nullptr, nullptr);
    CLIENT_ID cid{PsGetCurrentProcessId(), nullptr};
    Handle query_only;
    ASSERT_EQ(NtOpenProcess(query_only.out(), PROCESS_QUERY_INFORMATION, &oa, &cid), STATUS_SUCCESS);
    EXPECT_EQ(NtAllocateVirtualMemory(query_only.get(), &base, 0, &size, MEM_COMMIT, PAGE_READWRITE),
              STATUS_ACCESS_DENIED);
    Handle operate;
    ASSERT_EQ(NtOpenProcess(operate.out(), PROCESS_VM_OPERATION, &oa, &cid), STATUS_SUCCESS);
    ASSERT_EQ(NtAllocateVirtualMemory(operate.get(), &base, 0, &size, MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    MEMORY_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryVirtualMemory(operate.get(), base, MemoryBasicInformation, &info, sizeof info, nullptr),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtQueryVirtualMemory(query_only.get(), base, MemoryBasicInformation, &info, sizeof info, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(info.State, static_cast<ULONG>(MEM_COMMIT));
    ULONG old = 0;
    PVOID at = base;
    SIZE_T one = 1;
    EXPECT_EQ(NtProtectVirtualMemory(query_only.get(), &at, &one, PAGE_READONLY, &old), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtFlushInstructionCache(operate.get(), base, kPage), STATUS_ACCESS_DENIED) << "needs PROCESS_VM_WRITE";
    size = 0;
    EXPECT_EQ(NtFreeVirtualMemory(query_only.get(), &base, &size, MEM_RELEASE), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtFreeVirtualMemory(operate.get(), &base, &size, MEM_RELEASE), STATUS_SUCCESS);
}

TEST_F(VirtualMemoryNt, QueryBadInputAndHostMemory) {
    MEMORY_BASIC_INFORMATION info{};
    int local = 0;
    EXPECT_EQ(NtQueryVirtualMemory(NtCurrentProcess(), &local, static_cast<MEMORY_INFORMATION_CLASS>(7), &info,
                                   sizeof info, nullptr),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtQueryVirtualMemory(NtCurrentProcess(), &local, MemoryBasicInformation, &info, sizeof info - 1, nullptr),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryVirtualMemory(NtCurrentProcess(), reinterpret_cast<PVOID>(0x800000000000ull),
                                   MemoryBasicInformation, &info, sizeof info, nullptr),
              STATUS_INVALID_PARAMETER);
    BadMemory bad;
    EXPECT_EQ(NtQueryVirtualMemory(NtCurrentProcess(), &local, MemoryBasicInformation,
                                   bad.read_only<MEMORY_BASIC_INFORMATION>(), sizeof info, nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryVirtualMemory(NtCurrentProcess(), &local, MemoryBasicInformation, &info, sizeof info,
                                   bad.no_access<SIZE_T>()),
              STATUS_ACCESS_VIOLATION);
    // The caller's stack is committed, readable and writable private memory.
    ASSERT_EQ(NtQueryVirtualMemory(NtCurrentProcess(), &local, MemoryBasicInformation, &info, sizeof info, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(info.State, static_cast<ULONG>(MEM_COMMIT));
    EXPECT_EQ(info.Protect, static_cast<ULONG>(PAGE_READWRITE));
    EXPECT_EQ(info.Type, static_cast<ULONG>(MEM_PRIVATE));
    EXPECT_LE(reinterpret_cast<ULONG_PTR>(info.BaseAddress), reinterpret_cast<ULONG_PTR>(&local));
    EXPECT_GT(reinterpret_cast<ULONG_PTR>(info.BaseAddress) + info.RegionSize, reinterpret_cast<ULONG_PTR>(&local));
    // The first 64 KiB are free.
    ASSERT_EQ(NtQueryVirtualMemory(NtCurrentProcess(), nullptr, MemoryBasicInformation, &info, sizeof info, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(info.State, static_cast<ULONG>(MEM_FREE));
    EXPECT_EQ(info.BaseAddress, nullptr);
    EXPECT_GE(info.RegionSize, kGranularity);
}

TEST_F(VirtualMemoryNt, SectionViewsAreMappedAndNotFreeable) {
    LARGE_INTEGER maximum;
    maximum.QuadPart = 3 * kPage;
    Handle section;
    ASSERT_EQ(NtCreateSection(section.out(), SECTION_ALL_ACCESS, nullptr, &maximum, PAGE_READWRITE, SEC_COMMIT, nullptr),
              STATUS_SUCCESS);
    PVOID view = nullptr;
    SIZE_T view_size = 0;
    ASSERT_EQ(NtMapViewOfSection(section.get(), NtCurrentProcess(), &view, 0, 0, nullptr, &view_size, ViewUnmap, 0,
                                 PAGE_READWRITE),
              STATUS_SUCCESS);
    MEMORY_BASIC_INFORMATION info = query(static_cast<char*>(view) + kPage);
    EXPECT_EQ(info.Type, static_cast<ULONG>(MEM_MAPPED));
    EXPECT_EQ(info.State, static_cast<ULONG>(MEM_COMMIT));
    EXPECT_EQ(info.AllocationBase, view);
    EXPECT_EQ(info.AllocationProtect, static_cast<ULONG>(PAGE_READWRITE));
    EXPECT_EQ(info.BaseAddress, static_cast<char*>(view) + kPage);
    EXPECT_EQ(info.RegionSize, 2 * kPage);
    PVOID base = view;
    SIZE_T size = 0;
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE), STATUS_UNABLE_TO_DELETE_SECTION);
    size = kPage;
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_DECOMMIT), STATUS_UNABLE_TO_DELETE_SECTION);
    // A view's page can be made read-only and back, never more than the view allows.
    ULONG old = 0;
    base = static_cast<char*>(view) + kPage;
    size = kPage;
    ASSERT_EQ(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, &old), STATUS_SUCCESS);
    EXPECT_EQ(old, static_cast<ULONG>(PAGE_READWRITE));
    info = query(view);
    EXPECT_EQ(info.RegionSize, kPage);
    EXPECT_EQ(query(static_cast<char*>(view) + kPage).Protect, static_cast<ULONG>(PAGE_READONLY));
    ASSERT_EQ(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READWRITE, &old), STATUS_SUCCESS);
    EXPECT_EQ(old, static_cast<ULONG>(PAGE_READONLY));
    static_cast<char*>(view)[kPage] = 4;
    // A view flushes (ZwFlushVirtualMemory returns the rounded range); private memory is no view.
    base = static_cast<char*>(view) + kPage + 3;
    size = 1;
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(ZwFlushVirtualMemory(ZwCurrentProcess(), &base, &size, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(base, static_cast<char*>(view) + kPage);
    EXPECT_EQ(size, kPage);
    Region region(kPage, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    ASSERT_EQ(region.status(), STATUS_SUCCESS);
    base = region.base();
    size = 0;
    EXPECT_EQ(ZwFlushVirtualMemory(ZwCurrentProcess(), &base, &size, &iosb), STATUS_NOT_MAPPED_VIEW);
    base = reinterpret_cast<PVOID>(0x800000000000ull);
    EXPECT_EQ(NtFlushVirtualMemory(NtCurrentProcess(), &base, &size, &iosb), STATUS_INVALID_PARAMETER_2);
    base = view;
    size = ~SIZE_T{0} - 10;
    EXPECT_EQ(NtFlushVirtualMemory(NtCurrentProcess(), &base, &size, &iosb), STATUS_INVALID_PARAMETER_2);
    EXPECT_EQ(NtUnmapViewOfSection(NtCurrentProcess(), view), STATUS_SUCCESS);

    PVOID read_view = nullptr;
    view_size = 0;
    ASSERT_EQ(NtMapViewOfSection(section.get(), NtCurrentProcess(), &read_view, 0, 0, nullptr, &view_size, ViewUnmap,
                                 0, PAGE_READONLY),
              STATUS_SUCCESS);
    base = read_view;
    size = kPage;
    EXPECT_EQ(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READWRITE, &old),
              STATUS_SECTION_PROTECTION);
    EXPECT_EQ(static_cast<char*>(read_view)[kPage], 4) << "the view sees what the first one wrote";
    EXPECT_EQ(NtUnmapViewOfSection(NtCurrentProcess(), read_view), STATUS_SUCCESS);
}

TEST_F(VirtualMemoryNt, LockAndUnlock) {
    Region region(2 * kPage, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    ASSERT_EQ(region.status(), STATUS_SUCCESS);
    PVOID base = region.base() + 1;
    SIZE_T size = 1;
    NTSTATUS status = NtLockVirtualMemory(NtCurrentProcess(), &base, &size, MAP_PROCESS);
    if (status == STATUS_WORKING_SET_QUOTA) GTEST_SKIP() << "the host allows this process to lock no memory";
    ASSERT_EQ(status, STATUS_SUCCESS);
    EXPECT_EQ(base, region.base());
    EXPECT_EQ(size, kPage);
    base = region.base();
    size = kPage;
    EXPECT_EQ(NtLockVirtualMemory(NtCurrentProcess(), &base, &size, MAP_PROCESS), STATUS_WAS_LOCKED);
    base = region.base();
    size = 2 * kPage;
    EXPECT_EQ(NtUnlockVirtualMemory(NtCurrentProcess(), &base, &size, MAP_PROCESS), STATUS_NOT_LOCKED)
        << "the second page is not locked";
    size = kPage;
    EXPECT_EQ(NtUnlockVirtualMemory(NtCurrentProcess(), &base, &size, MAP_PROCESS), STATUS_SUCCESS);
    EXPECT_EQ(NtUnlockVirtualMemory(NtCurrentProcess(), &base, &size, MAP_PROCESS), STATUS_NOT_LOCKED);
    EXPECT_EQ(NtLockVirtualMemory(NtCurrentProcess(), &base, &size, 0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtLockVirtualMemory(NtCurrentProcess(), &base, &size, 4), STATUS_INVALID_PARAMETER);
    // Reserved pages cannot be locked.
    Region reserved(kPage, MEM_RESERVE, PAGE_READWRITE);
    ASSERT_EQ(reserved.status(), STATUS_SUCCESS);
    base = reserved.base();
    size = kPage;
    EXPECT_EQ(NtLockVirtualMemory(NtCurrentProcess(), &base, &size, MAP_PROCESS), STATUS_NOT_COMMITTED);
    // Through the Zw forms; a decommit forgets the lock.
    base = region.base() + kPage;
    size = kPage;
    ASSERT_EQ(ZwLockVirtualMemory(ZwCurrentProcess(), &base, &size, MAP_PROCESS), STATUS_SUCCESS);
    ASSERT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_DECOMMIT), STATUS_SUCCESS);
    ASSERT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    EXPECT_EQ(ZwUnlockVirtualMemory(ZwCurrentProcess(), &base, &size, MAP_PROCESS), STATUS_NOT_LOCKED);
}

TEST_F(VirtualMemoryNt, ResetKeepsTheRangeAndTheZwQuery) {
    Region region(2 * kPage, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    ASSERT_EQ(region.status(), STATUS_SUCCESS);
    region.base()[0] = 1;
    PVOID base = region.base();
    SIZE_T size = 2 * kPage;
    ASSERT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_RESET, PAGE_NOACCESS), STATUS_SUCCESS);
    EXPECT_EQ(query(region.base()).State, static_cast<ULONG>(MEM_COMMIT));
    EXPECT_EQ(query(region.base()).Protect, static_cast<ULONG>(PAGE_READWRITE)) << "Protect is not used by MEM_RESET";
    ASSERT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_RESET_UNDO, PAGE_READWRITE),
              STATUS_SUCCESS);
    EXPECT_EQ(region.base()[0], 1) << "MEM_RESET_UNDO succeeded: the data is intact";
    Region reserved(kPage, MEM_RESERVE, PAGE_READWRITE);
    ASSERT_EQ(reserved.status(), STATUS_SUCCESS);
    base = reserved.base();
    size = kPage;
    EXPECT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_RESET, PAGE_READWRITE),
              STATUS_CONFLICTING_ADDRESSES);
    MEMORY_BASIC_INFORMATION info{};
    SIZE_T written = 0;
    ASSERT_EQ(ZwQueryVirtualMemory(ZwCurrentProcess(), region.base(), MemoryBasicInformation, &info, sizeof info,
                                   &written),
              STATUS_SUCCESS);
    EXPECT_EQ(written, sizeof info);
    EXPECT_EQ(info.RegionSize, 2 * kPage);
    EXPECT_EQ(NtFlushInstructionCache(NtCurrentProcess(), region.base(), 2 * kPage), STATUS_SUCCESS);
    EXPECT_EQ(ZwFlushInstructionCache(ZwCurrentProcess(), nullptr, 0), STATUS_SUCCESS);
    EXPECT_EQ(NtFlushInstructionCache(NtCurrentProcess(), reinterpret_cast<PVOID>(0x7FFFFFFFF000ull), 0x2000),
              STATUS_ACCESS_VIOLATION);
}

TEST_F(VirtualMemoryNt, ZeroBitsKeepTheAddressLow) {
    PVOID base = nullptr;
    SIZE_T size = kPage;
    ASSERT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 1, &size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE),
              STATUS_SUCCESS);
    EXPECT_LE(reinterpret_cast<ULONG_PTR>(base) + size - 1, 0x7FFFFFFFull);
    static_cast<char*>(base)[0] = 1;
    size = 0;
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE), STATUS_SUCCESS);
    // A mask: the address fits in it.
    base = nullptr;
    size = kPage;
    ASSERT_EQ(NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0x3FFFFFFFFull, &size, MEM_COMMIT | MEM_RESERVE | MEM_TOP_DOWN,
                                      PAGE_READWRITE),
              STATUS_SUCCESS);
    EXPECT_LE(reinterpret_cast<ULONG_PTR>(base) + size - 1, 0x3FFFFFFFFull);
    size = 0;
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE), STATUS_SUCCESS);
}

alignas(4096) char g_host_pages[3 * 4096];

TEST_F(VirtualMemoryNt, HostMemoryIsDescribedAndProtectable) {
    // This test's own code: an image, executable and readable.
    const auto* code = reinterpret_cast<const char*>(&query);
    MEMORY_BASIC_INFORMATION info = query(code);
    EXPECT_EQ(info.Type, static_cast<ULONG>(MEM_IMAGE));
    EXPECT_EQ(info.State, static_cast<ULONG>(MEM_COMMIT));
    EXPECT_EQ(info.Protect, static_cast<ULONG>(PAGE_EXECUTE_READ));
    EXPECT_LE(static_cast<const char*>(info.AllocationBase), code);
    // A page of the program's data: made read-only and back, the old protection returned each time.
    PVOID base = g_host_pages + 4096;
    SIZE_T size = 4096;
    ULONG old = 0;
    ASSERT_EQ(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, &old), STATUS_SUCCESS);
    EXPECT_EQ(old, static_cast<ULONG>(PAGE_READWRITE));
    EXPECT_EQ(query(g_host_pages + 4096).Protect, static_cast<ULONG>(PAGE_READONLY));
    ASSERT_EQ(NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READWRITE, &old), STATUS_SUCCESS);
    EXPECT_EQ(old, static_cast<ULONG>(PAGE_READONLY));
    g_host_pages[4096] = 1;
    // Not freeable: ntio did not allocate it.
    size = 0;
    EXPECT_EQ(NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE), STATUS_MEMORY_NOT_ALLOCATED);
}

}  // namespace virtual_memory_nt
}  // namespace ntio::test
