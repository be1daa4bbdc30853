// kernel32 process calls: ExitProcess and TerminateProcess end the host process with the code
// (death tests), the exit code, ids, priority class, WOW64 answers, start-up information, times,
// memory status and handle count, and the errors for bad handles, rights and arguments.
#include <cstdio>
#include <cstring>

#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

VOID NTAPI print_fls_value_at_exit(PVOID value) {
    std::fprintf(stderr, "fls callback %s\n", static_cast<const char*>(value));
    std::fflush(stderr);
}

void exit_with_an_fls_value() {
    const DWORD index = FlsAlloc(print_fls_value_at_exit);
    if (index == FLS_OUT_OF_INDEXES) return;
    static char text[] = "ran";
    (void)FlsSetValue(index, text);
    ExitProcess(7);
}

void terminate_with_an_fls_value() {
    const DWORD index = FlsAlloc(print_fls_value_at_exit);
    if (index == FLS_OUT_OF_INDEXES) return;
    static char text[] = "ran";
    (void)FlsSetValue(index, text);
    (void)TerminateProcess(GetCurrentProcess(), 9);
    std::fprintf(stderr, "TerminateProcess returned\n");
}

TEST_F(Win32Test, exit_process_runs_the_fls_callbacks_and_exits_with_the_code) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(exit_with_an_fls_value(), testing::ExitedWithCode(7), "fls callback ran");
}

TEST_F(Win32Test, terminate_process_on_itself_exits_at_once_without_callbacks) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // Nothing on stderr: neither the callback nor a return from TerminateProcess.
    EXPECT_EXIT(terminate_with_an_fls_value(), testing::ExitedWithCode(9), "^$");
}

TEST_F(Win32Test, terminate_process_needs_process_terminate_and_a_process_handle) {
    HANDLE limited = nullptr;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(), GetCurrentProcess(), &limited,
                                PROCESS_QUERY_LIMITED_INFORMATION, FALSE, 0));
    Win32Handle closer(limited);
    EXPECT_FALSE(TerminateProcess(limited, 1));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    Win32Handle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    EXPECT_FALSE(TerminateProcess(event, 1));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_FALSE(TerminateProcess(nullptr, 1));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
}

TEST_F(Win32Test, a_running_process_is_still_active_and_has_its_id) {
    DWORD code = 0;
    ASSERT_TRUE(GetExitCodeProcess(GetCurrentProcess(), &code));
    EXPECT_EQ(code, STILL_ACTIVE);
    EXPECT_EQ(GetProcessId(GetCurrentProcess()), GetCurrentProcessId());
    EXPECT_EQ(GetProcessIdOfThread(GetCurrentThread()), GetCurrentProcessId());
    EXPECT_EQ(GetProcessId(nullptr), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_EQ(GetProcessIdOfThread(GetCurrentProcess()), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_FALSE(GetExitCodeProcess(GetCurrentThread(), &code));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
}

TEST_F(Win32Test, priority_class_is_kept_and_checked) {
    HANDLE self = GetCurrentProcess();
    EXPECT_EQ(GetPriorityClass(self), DWORD(NORMAL_PRIORITY_CLASS));
    for (DWORD c : {IDLE_PRIORITY_CLASS, BELOW_NORMAL_PRIORITY_CLASS, ABOVE_NORMAL_PRIORITY_CLASS, HIGH_PRIORITY_CLASS,
                    NORMAL_PRIORITY_CLASS}) {
        ASSERT_TRUE(SetPriorityClass(self, c)) << c;
        EXPECT_EQ(GetPriorityClass(self), c);
    }
    for (DWORD bad : {DWORD{0}, DWORD{1}, DWORD{NORMAL_PRIORITY_CLASS | HIGH_PRIORITY_CLASS}, DWORD{0x80000000u}}) {
        EXPECT_FALSE(SetPriorityClass(self, bad)) << bad;
        EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    }
    EXPECT_EQ(GetPriorityClass(self), DWORD(NORMAL_PRIORITY_CLASS));
    // Background mode: once in, once out.
    EXPECT_FALSE(SetPriorityClass(self, PROCESS_MODE_BACKGROUND_END));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_PROCESS_MODE_NOT_BACKGROUND));
    EXPECT_TRUE(SetPriorityClass(self, PROCESS_MODE_BACKGROUND_BEGIN));
    EXPECT_FALSE(SetPriorityClass(self, PROCESS_MODE_BACKGROUND_BEGIN));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_PROCESS_MODE_ALREADY_BACKGROUND));
    EXPECT_TRUE(SetPriorityClass(self, PROCESS_MODE_BACKGROUND_END));
    // The rights: PROCESS_SET_INFORMATION to set, a query right to read.
    HANDLE query_only = nullptr;
    ASSERT_TRUE(DuplicateHandle(self, self, self, &query_only, PROCESS_QUERY_LIMITED_INFORMATION, FALSE, 0));
    Win32Handle closer(query_only);
    EXPECT_FALSE(SetPriorityClass(query_only, HIGH_PRIORITY_CLASS));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    EXPECT_EQ(GetPriorityClass(query_only), DWORD(NORMAL_PRIORITY_CLASS));
    EXPECT_EQ(GetPriorityClass(nullptr), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
}

TEST_F(Win32Test, programs_run_natively_not_under_wow64) {
    BOOL wow64 = TRUE;
    ASSERT_TRUE(IsWow64Process(GetCurrentProcess(), &wow64));
    EXPECT_FALSE(wow64);
    USHORT process_machine = 0xFFFF, native_machine = 0;
    ASSERT_TRUE(IsWow64Process2(GetCurrentProcess(), &process_machine, &native_machine));
    EXPECT_EQ(process_machine, USHORT(IMAGE_FILE_MACHINE_UNKNOWN));
    EXPECT_EQ(native_machine, USHORT(IMAGE_FILE_MACHINE_AMD64));
    EXPECT_TRUE(IsWow64Process2(GetCurrentProcess(), &process_machine, nullptr));
    EXPECT_FALSE(IsWow64Process(nullptr, &wow64));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
}

TEST_F(Win32Test, startup_info_has_its_size_a_desktop_and_a_title) {
    STARTUPINFOW wide;
    std::memset(&wide, 0xCC, sizeof wide);
    GetStartupInfoW(&wide);
    EXPECT_EQ(wide.cb, DWORD(sizeof wide));
    EXPECT_EQ(wide.lpReserved, nullptr);
    ASSERT_NE(wide.lpDesktop, nullptr);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(wide.lpDesktop)), u"WinSta0\\Default");
    ASSERT_NE(wide.lpTitle, nullptr);
    WCHAR module[MAX_PATH * 4] = {};
    ASSERT_GT(GetModuleFileNameW(nullptr, module, MAX_PATH * 4), 0u);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(wide.lpTitle)),
              std::u16string(reinterpret_cast<const char16_t*>(module)));
    EXPECT_EQ(wide.dwFlags, 0u);
    EXPECT_EQ(wide.cbReserved2, 0u);
    EXPECT_EQ(wide.lpReserved2, nullptr);
    STARTUPINFOA narrow;
    std::memset(&narrow, 0xCC, sizeof narrow);
    GetStartupInfoA(&narrow);
    EXPECT_EQ(narrow.cb, DWORD(sizeof narrow));
    EXPECT_STREQ(narrow.lpDesktop, "WinSta0\\Default");
    EXPECT_EQ(narrow.dwFlags, 0u);
}

ULONGLONG test_filetime_value(const FILETIME& ft) { return (ULONGLONG{ft.dwHighDateTime} << 32) | ft.dwLowDateTime; }

TEST_F(Win32Test, process_and_system_times_come_in_filetime_units) {
    FILETIME now{};
    GetSystemTimeAsFileTime(&now);
    FILETIME created{}, exited{}, kernel{}, user{};
    ASSERT_TRUE(GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user));
    EXPECT_GT(test_filetime_value(created), 0u);
    EXPECT_LE(test_filetime_value(created), test_filetime_value(now));
    EXPECT_EQ(test_filetime_value(exited), 0u);
    EXPECT_FALSE(GetProcessTimes(GetCurrentProcess(), &created, nullptr, &kernel, &user));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NOACCESS));
    EXPECT_FALSE(GetProcessTimes(GetCurrentThread(), &created, &exited, &kernel, &user));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));

    FILETIME idle{}, system_kernel{}, system_user{};
    ASSERT_TRUE(GetSystemTimes(&idle, &system_kernel, &system_user));
    // The kernel time includes the idle time.
    EXPECT_GE(test_filetime_value(system_kernel), test_filetime_value(idle));
    EXPECT_GT(test_filetime_value(system_kernel) + test_filetime_value(system_user), 0u);
    EXPECT_TRUE(GetSystemTimes(nullptr, nullptr, nullptr));
}

TEST_F(Win32Test, memory_status_needs_its_length) {
    MEMORYSTATUSEX status{};
    EXPECT_FALSE(GlobalMemoryStatusEx(&status));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    status.dwLength = sizeof status - 1;
    EXPECT_FALSE(GlobalMemoryStatusEx(&status));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    status.dwLength = sizeof status;
    ASSERT_TRUE(GlobalMemoryStatusEx(&status));
    EXPECT_LE(status.dwMemoryLoad, 100u);
    EXPECT_GT(status.ullTotalPhys, 0u);
    EXPECT_LE(status.ullAvailPhys, status.ullTotalPhys);
    EXPECT_GE(status.ullTotalPageFile, status.ullTotalPhys);
    EXPECT_LE(status.ullAvailPageFile, status.ullTotalPageFile);
    EXPECT_GT(status.ullTotalVirtual, 0x7FFFFFFFull);
    EXPECT_LT(status.ullAvailVirtual, status.ullTotalVirtual);
    EXPECT_EQ(status.ullAvailExtendedVirtual, 0u);
}

TEST_F(Win32Test, process_handle_count_follows_its_handles) {
    DWORD before = 0;
    ASSERT_TRUE(GetProcessHandleCount(GetCurrentProcess(), &before));
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    ASSERT_NE(event, nullptr);
    DWORD during = 0;
    ASSERT_TRUE(GetProcessHandleCount(GetCurrentProcess(), &during));
    EXPECT_EQ(during, before + 1);
    ASSERT_TRUE(CloseHandle(event));
    DWORD after = 0;
    ASSERT_TRUE(GetProcessHandleCount(GetCurrentProcess(), &after));
    EXPECT_EQ(after, before);
    EXPECT_FALSE(GetProcessHandleCount(GetCurrentProcess(), nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NOACCESS));
    EXPECT_FALSE(GetProcessHandleCount(nullptr, &after));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
}

}  // namespace
}  // namespace ntio::test
