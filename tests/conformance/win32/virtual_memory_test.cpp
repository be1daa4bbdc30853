// kernel32 virtual memory through <windows.h>: VirtualAlloc, VirtualFree, VirtualProtect,
// VirtualQuery (and their Ex forms), VirtualLock, VirtualUnlock and FlushInstructionCache, with the
// last errors Windows sets for bad input.
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualalloc
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualfree
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualquery
#include "win32_test_support.hpp"

namespace ntio::test {
namespace virtual_memory_win32 {

class VirtualMemoryWin32 : public Win32Test {};

constexpr SIZE_T kPage = 4096;

TEST_F(VirtualMemoryWin32, AllocQueryProtectFree) {
    char* base = static_cast<char*>(VirtualAlloc(nullptr, 3 * kPage, MEM_RESERVE, PAGE_NOACCESS));
    ASSERT_NE(base, nullptr);
    EXPECT_EQ(reinterpret_cast<ULONG_PTR>(base) % 0x10000, 0u);
    ASSERT_EQ(VirtualAlloc(base + kPage, kPage, MEM_COMMIT, PAGE_READWRITE), base + kPage);
    base[kPage] = 'x';
    MEMORY_BASIC_INFORMATION info{};
    ASSERT_EQ(VirtualQuery(base + kPage + 1, &info, sizeof info), sizeof info);
    EXPECT_EQ(info.BaseAddress, base + kPage);
    EXPECT_EQ(info.AllocationBase, base);
    EXPECT_EQ(info.AllocationProtect, static_cast<DWORD>(PAGE_NOACCESS));
    EXPECT_EQ(info.RegionSize, kPage);
    EXPECT_EQ(info.State, static_cast<DWORD>(MEM_COMMIT));
    EXPECT_EQ(info.Protect, static_cast<DWORD>(PAGE_READWRITE));
    EXPECT_EQ(info.Type, static_cast<DWORD>(MEM_PRIVATE));
    DWORD old = 0;
    ASSERT_TRUE(VirtualProtect(base + kPage, 1, PAGE_READONLY, &old));
    EXPECT_EQ(old, static_cast<DWORD>(PAGE_READWRITE));
    ASSERT_TRUE(VirtualProtectEx(GetCurrentProcess(), base + kPage, 1, PAGE_READWRITE, &old));
    EXPECT_EQ(old, static_cast<DWORD>(PAGE_READONLY));
    EXPECT_EQ(base[kPage], 'x');
    // Protecting reserved pages, and without an old-protection variable.
    SetLastError(0);
    EXPECT_FALSE(VirtualProtect(base, kPage, PAGE_READONLY, &old));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
    EXPECT_FALSE(VirtualProtect(base + kPage, kPage, PAGE_READONLY, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOACCESS));
    // MEM_RELEASE needs size 0 and the allocation base.
    EXPECT_FALSE(VirtualFree(base, kPage, MEM_RELEASE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(VirtualFree(base + kPage, 0, MEM_RELEASE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
    EXPECT_TRUE(VirtualFree(base + kPage, kPage, MEM_DECOMMIT));
    ASSERT_EQ(VirtualQueryEx(GetCurrentProcess(), base, &info, sizeof info), sizeof info);
    EXPECT_EQ(info.State, static_cast<DWORD>(MEM_RESERVE));
    EXPECT_EQ(info.RegionSize, 3 * kPage);
    EXPECT_TRUE(VirtualFreeEx(GetCurrentProcess(), base, 0, MEM_RELEASE));
    ASSERT_EQ(VirtualQuery(base, &info, sizeof info), sizeof info);
    EXPECT_EQ(info.State, static_cast<DWORD>(MEM_FREE));
    EXPECT_FALSE(VirtualFree(base, 0, MEM_RELEASE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_ADDRESS));
}

TEST_F(VirtualMemoryWin32, BadInputSetsTheLastError) {
    SetLastError(0);
    EXPECT_EQ(VirtualAlloc(nullptr, 0, MEM_COMMIT, PAGE_READWRITE), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(VirtualAlloc(nullptr, kPage, MEM_COMMIT, PAGE_WRITECOPY), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(VirtualAlloc(nullptr, kPage, 0, PAGE_READWRITE), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(VirtualAllocEx(reinterpret_cast<HANDLE>(0x4444), nullptr, kPage, MEM_COMMIT, PAGE_READWRITE), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    MEMORY_BASIC_INFORMATION info{};
    int local = 0;
    EXPECT_EQ(VirtualQuery(&local, &info, sizeof info - 1), 0u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_BAD_LENGTH));
    EXPECT_EQ(VirtualQuery(reinterpret_cast<LPCVOID>(0xFFFF800000000000ull), &info, sizeof info), 0u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    ASSERT_EQ(VirtualQuery(&local, &info, sizeof info), sizeof info);
    EXPECT_EQ(info.State, static_cast<DWORD>(MEM_COMMIT));
}

TEST_F(VirtualMemoryWin32, LockUnlockAndInstructionCache) {
    char* base = static_cast<char*>(VirtualAlloc(nullptr, 2 * kPage, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE));
    ASSERT_NE(base, nullptr);
    if (!VirtualLock(base, kPage)) {
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_WORKING_SET_QUOTA));
        EXPECT_TRUE(VirtualFree(base, 0, MEM_RELEASE));
        GTEST_SKIP() << "the host allows this process to lock no memory";
    }
    EXPECT_FALSE(VirtualUnlock(base + kPage, kPage));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_LOCKED));
    EXPECT_TRUE(VirtualUnlock(base, kPage));
    EXPECT_TRUE(FlushInstructionCache(GetCurrentProcess(), base, 2 * kPage));
    EXPECT_TRUE(FlushInstructionCache(GetCurrentProcess(), nullptr, 0));
    EXPECT_TRUE(VirtualFree(base, 0, MEM_RELEASE));
}

TEST_F(VirtualMemoryWin32, FileMappingViewIsMapped) {
    Win32Handle mapping(CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0, 2 * kPage, nullptr));
    ASSERT_NE(mapping.get(), nullptr);
    char* view = static_cast<char*>(MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0));
    ASSERT_NE(view, nullptr);
    MEMORY_BASIC_INFORMATION info{};
    ASSERT_EQ(VirtualQuery(view, &info, sizeof info), sizeof info);
    EXPECT_EQ(info.Type, static_cast<DWORD>(MEM_MAPPED));
    EXPECT_EQ(info.AllocationBase, view);
    EXPECT_FALSE(VirtualFree(view, 0, MEM_RELEASE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    view[0] = 1;
    EXPECT_TRUE(FlushViewOfFile(view, 0));
    EXPECT_TRUE(UnmapViewOfFile(view));
}

}  // namespace virtual_memory_win32
}  // namespace ntio::test
