// GetSystemInfo, GetComputerName, the Windows and system directories and the environment variables
// of kernel32: sizes and the errors their pages give for small buffers, names compared without
// case, %NAME% expansion.
#include <cstring>

#include "win32_test_support.hpp"

#include <wdm.h>

namespace ntio::test {
namespace {

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getactiveprocessorcount
TEST_F(Win32Test, processor_counts_agree_with_system_info) {
    SYSTEM_INFO info{};
    GetSystemInfo(&info);
    EXPECT_EQ(GetActiveProcessorCount(ALL_PROCESSOR_GROUPS), info.dwNumberOfProcessors);
    EXPECT_EQ(GetActiveProcessorCount(0), info.dwNumberOfProcessors);
    EXPECT_GE(GetMaximumProcessorCount(ALL_PROCESSOR_GROUPS), info.dwNumberOfProcessors);
    EXPECT_EQ(GetMaximumProcessorCount(0), GetMaximumProcessorCount(ALL_PROCESSOR_GROUPS));
    SetLastError(0);
    EXPECT_EQ(GetActiveProcessorCount(1), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    SetLastError(0);
    EXPECT_EQ(GetMaximumProcessorCount(7), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32Test, system_info_describes_this_machine) {
    SYSTEM_INFO info{};
    GetSystemInfo(&info);
    EXPECT_EQ(info.dwPageSize, 4096u);
    EXPECT_EQ(info.dwAllocationGranularity, 65536u);
    EXPECT_EQ(info.lpMinimumApplicationAddress, reinterpret_cast<LPVOID>(0x10000));
    EXPECT_GT(reinterpret_cast<ULONG_PTR>(info.lpMaximumApplicationAddress), 0x7FFFFFFFull);
    EXPECT_GE(info.dwNumberOfProcessors, 1u);
    // One bit per processor in the mask.
    EXPECT_EQ(static_cast<DWORD>(__builtin_popcountll(info.dwActiveProcessorMask)), info.dwNumberOfProcessors);
    EXPECT_EQ(info.wProcessorArchitecture, WORD(PROCESSOR_ARCHITECTURE_AMD64));
    SYSTEM_INFO native{};
    GetNativeSystemInfo(&native);
    EXPECT_EQ(std::memcmp(&info, &native, sizeof info), 0);
    EXPECT_FALSE(IsDebuggerPresent());
}

TEST_F(Win32Test, computer_name_and_directories_follow_the_size_rules) {
    DWORD size = 0;
    EXPECT_FALSE(GetComputerNameW(nullptr, &size));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_BUFFER_OVERFLOW));
    ASSERT_GE(size, 2u);
    EXPECT_LE(size, DWORD(MAX_COMPUTERNAME_LENGTH + 1));
    WCHAR name[MAX_COMPUTERNAME_LENGTH + 1] = {};
    DWORD length = MAX_COMPUTERNAME_LENGTH + 1;
    ASSERT_TRUE(GetComputerNameW(name, &length)) << GetLastError();
    EXPECT_EQ(length, size - 1);
    for (DWORD i = 0; i < length; ++i) EXPECT_FALSE(name[i] >= u'a' && name[i] <= u'z') << "NetBIOS names are upper case";
    char narrow[MAX_COMPUTERNAME_LENGTH + 1] = {};
    DWORD narrow_length = sizeof narrow;
    ASSERT_TRUE(GetComputerNameA(narrow, &narrow_length));
    EXPECT_EQ(narrow_length, length);

    WCHAR windows[MAX_PATH] = {};
    const UINT windows_length = GetWindowsDirectoryW(windows, MAX_PATH);
    ASSERT_GT(windows_length, 0u);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(windows)), u"C:\\Windows");
    // Too small: the size needed, the NUL included.
    EXPECT_EQ(GetWindowsDirectoryW(windows, 3), windows_length + 1);
    char system[MAX_PATH] = {};
    ASSERT_EQ(GetSystemDirectoryA(system, MAX_PATH), UINT(std::strlen("C:\\Windows\\system32")));
    EXPECT_STREQ(system, "C:\\Windows\\system32");
}

TEST_F(Win32Test, environment_variables_set_get_expand_and_delete) {
    ASSERT_TRUE(SetEnvironmentVariableW(L"NtioTestVar", L"value one"));
    WCHAR buffer[64] = {};
    // Names are compared without case.
    EXPECT_EQ(GetEnvironmentVariableW(L"NTIOTESTVAR", buffer, 64), 9u);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(buffer)), u"value one");
    EXPECT_EQ(GetEnvironmentVariableW(L"ntiotestvar", buffer, 5), 10u);  // the size needed
    char narrow[64] = {};
    EXPECT_EQ(GetEnvironmentVariableA("NtioTestVar", narrow, sizeof narrow), 9u);
    EXPECT_STREQ(narrow, "value one");

    ASSERT_TRUE(SetEnvironmentVariableA("NTIOTESTVAR", "second"));
    EXPECT_EQ(GetEnvironmentVariableA("NtioTestVar", narrow, sizeof narrow), 6u);
    char expanded[128] = {};
    const DWORD needed = ExpandEnvironmentStringsA("[%NtioTestVar%] %NtioUnsetVar% 100%", expanded, sizeof expanded);
    EXPECT_STREQ(expanded, "[second] %NtioUnsetVar% 100%");
    EXPECT_EQ(needed, DWORD(std::strlen(expanded) + 1));
    EXPECT_EQ(ExpandEnvironmentStringsA("%NtioTestVar%", expanded, 3), 7u);
    WCHAR wide_expanded[32] = {};
    EXPECT_EQ(ExpandEnvironmentStringsW(L"%NTIOTESTVAR%%NtioTestVar%", wide_expanded, 32), 13u);

    LPWCH block = GetEnvironmentStringsW();
    ASSERT_NE(block, nullptr);
    bool found = false;
    for (LPWCH entry = block; *entry; entry += std::char_traits<char16_t>::length(reinterpret_cast<char16_t*>(entry)) + 1)
        found = found || std::u16string(reinterpret_cast<char16_t*>(entry)) == u"NtioTestVar=second";
    EXPECT_TRUE(found);
    EXPECT_TRUE(FreeEnvironmentStringsW(block));

    // NULL deletes; then the variable is not found.
    ASSERT_TRUE(SetEnvironmentVariableW(L"ntioTESTvar", nullptr));
    EXPECT_EQ(GetEnvironmentVariableW(L"NtioTestVar", buffer, 64), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ENVVAR_NOT_FOUND));
    EXPECT_FALSE(SetEnvironmentVariableW(L"Bad=Name", L"x"));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    // The host's environment is there from the start.
    EXPECT_GT(GetEnvironmentVariableA("PATH", narrow, 0), 0u);
}

// A program without a manifest is told Windows 8 (6.2.9200), as Windows 8.1 and later tell it.
TEST_F(Win32Test, get_version_ex_reports_windows_8_to_a_program_without_a_manifest) {
    OSVERSIONINFOEXW ex{};
    ex.dwOSVersionInfoSize = sizeof ex;
    ASSERT_TRUE(GetVersionExW(reinterpret_cast<LPOSVERSIONINFOW>(&ex)));
    EXPECT_EQ(ex.dwMajorVersion, 6u);
    EXPECT_EQ(ex.dwMinorVersion, 2u);
    EXPECT_EQ(ex.dwBuildNumber, 9200u);
    EXPECT_EQ(ex.dwPlatformId, DWORD(VER_PLATFORM_WIN32_NT));
    OSVERSIONINFOA plain{};
    plain.dwOSVersionInfoSize = sizeof plain;
    ASSERT_TRUE(GetVersionExA(&plain));
    EXPECT_EQ(plain.dwBuildNumber, 9200u);
    EXPECT_EQ(plain.szCSDVersion[0], 0);
    plain.dwOSVersionInfoSize = 12;
    EXPECT_FALSE(GetVersionExA(&plain));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    EXPECT_EQ(GetVersion(), 6u | 2u << 8 | 9200u << 16);
    // RtlGetVersion is not told a smaller story.
    RTL_OSVERSIONINFOW truth{};
    truth.dwOSVersionInfoSize = sizeof truth;
    ASSERT_EQ(RtlGetVersion(&truth), STATUS_SUCCESS);
    EXPECT_GE(truth.dwMajorVersion, 10u);
}

// The Interlocked family comes with <windows.h>, as winnt.h brings it.
TEST_F(Win32Test, interlocked_operations_come_with_windows_h) {
    LONG value = 5;
    EXPECT_EQ(InterlockedIncrement(&value), 6);
    EXPECT_EQ(InterlockedExchangeAdd(&value, 4), 6);
    EXPECT_EQ(InterlockedCompareExchange(&value, 1, 10), 10);
    EXPECT_EQ(value, 1);
    LONG64 wide = 0;
    EXPECT_EQ(InterlockedDecrement64(&wide), -1);
    PVOID slot = nullptr;
    EXPECT_EQ(InterlockedExchangePointer(&slot, &value), nullptr);
    EXPECT_EQ(slot, &value);
}

}  // namespace
}  // namespace ntio::test
