// kernel32 and psapi process queries built on NtQueryInformationProcess: the image name in its Win32
// and native forms, the affinity mask, the priority boost, the session and the remote debugger
// check, with the errors for small buffers, bad flags, handles and rights.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-queryfullprocessimagenamew
// https://learn.microsoft.com/windows/win32/api/psapi/nf-psapi-getprocessimagefilenamew
#include <cstring>
#include <string>

#include "win32_test_support.hpp"
#include <psapi.h>

namespace ntio::test {
namespace {

std::u16string module_file_name_of_program() {
    WCHAR path[1024];
    const DWORD length = GetModuleFileNameW(nullptr, path, 1024);
    return std::u16string(reinterpret_cast<const char16_t*>(path), length);
}

std::u16string as_text(const WCHAR* text, DWORD length) {
    return std::u16string(reinterpret_cast<const char16_t*>(text), length);
}

TEST_F(Win32Test, query_full_process_image_name_gives_the_program_in_both_forms) {
    const std::u16string program = module_file_name_of_program();
    ASSERT_FALSE(program.empty());
    WCHAR name[1024];
    DWORD size = 1024;
    ASSERT_TRUE(QueryFullProcessImageNameW(GetCurrentProcess(), 0, name, &size));
    EXPECT_EQ(as_text(name, size), program);
    EXPECT_EQ(name[size], 0);
    size = 1024;
    ASSERT_TRUE(QueryFullProcessImageNameW(GetCurrentProcess(), PROCESS_NAME_NATIVE, name, &size));
    EXPECT_EQ(as_text(name, size), u"\\??\\" + program);

    char ansi[1024];
    DWORD ansi_size = sizeof ansi;
    ASSERT_TRUE(QueryFullProcessImageNameA(GetCurrentProcess(), 0, ansi, &ansi_size));
    EXPECT_EQ(ansi_size, std::strlen(ansi));
    EXPECT_EQ(ansi_size, program.size());  // an ASCII path
    EXPECT_EQ(ansi[0], 'C');

    // Too small by the NUL: the size is left as it was.
    size = static_cast<DWORD>(program.size());
    EXPECT_FALSE(QueryFullProcessImageNameW(GetCurrentProcess(), 0, name, &size));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    EXPECT_EQ(size, program.size());
    size = 1024;
    EXPECT_FALSE(QueryFullProcessImageNameW(GetCurrentProcess(), 2, name, &size));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32Test, query_full_process_image_name_takes_the_limited_right_only) {
    HANDLE limited = nullptr;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(), GetCurrentProcess(), &limited,
                                PROCESS_QUERY_LIMITED_INFORMATION, FALSE, 0));
    Win32Handle closer(limited);
    WCHAR name[1024];
    DWORD size = 1024;
    EXPECT_TRUE(QueryFullProcessImageNameW(limited, 0, name, &size));
    HANDLE sync_only = nullptr;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(), GetCurrentProcess(), &sync_only, SYNCHRONIZE,
                                FALSE, 0));
    Win32Handle sync_closer(sync_only);
    size = 1024;
    EXPECT_FALSE(QueryFullProcessImageNameW(sync_only, 0, name, &size));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    EXPECT_FALSE(QueryFullProcessImageNameW(GetCurrentThread(), 0, name, &size));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_FALSE(QueryFullProcessImageNameW(nullptr, 0, name, &size));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
}

TEST_F(Win32Test, get_process_image_file_name_gives_the_native_form) {
    const std::u16string native = u"\\??\\" + module_file_name_of_program();
    WCHAR name[1024];
    const DWORD length = GetProcessImageFileNameW(GetCurrentProcess(), name, 1024);
    ASSERT_EQ(length, native.size());
    EXPECT_EQ(as_text(name, length), native);
    EXPECT_EQ(K32GetProcessImageFileNameW(GetCurrentProcess(), name, 1024), length);
    char ansi[1024];
    EXPECT_EQ(GetProcessImageFileNameA(GetCurrentProcess(), ansi, sizeof ansi), length);
    EXPECT_EQ(std::strncmp(ansi, "\\??\\C:", 6), 0);
    EXPECT_EQ(K32GetProcessImageFileNameA(GetCurrentProcess(), ansi, sizeof ansi), length);

    EXPECT_EQ(GetProcessImageFileNameW(GetCurrentProcess(), name, length), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    Win32Handle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    EXPECT_EQ(GetProcessImageFileNameW(event.get(), name, 1024), 0u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
}

TEST_F(Win32Test, process_affinity_mask_is_set_within_the_system_mask) {
    DWORD_PTR process_mask = 0, system_mask = 0;
    ASSERT_TRUE(GetProcessAffinityMask(GetCurrentProcess(), &process_mask, &system_mask));
    EXPECT_NE(system_mask, 0u);
    EXPECT_EQ(process_mask & ~system_mask, 0u);
    const DWORD_PTR lowest = system_mask & (~system_mask + 1);
    ASSERT_TRUE(SetProcessAffinityMask(GetCurrentProcess(), lowest));
    DWORD_PTR now = 0;
    ASSERT_TRUE(GetProcessAffinityMask(GetCurrentProcess(), &now, &system_mask));
    EXPECT_EQ(now, lowest);
    EXPECT_FALSE(SetProcessAffinityMask(GetCurrentProcess(), 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    if (~system_mask != 0) {
        EXPECT_FALSE(SetProcessAffinityMask(GetCurrentProcess(), ~system_mask));
        EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    }
    ASSERT_TRUE(SetProcessAffinityMask(GetCurrentProcess(), system_mask));

    HANDLE limited = nullptr;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(), GetCurrentProcess(), &limited,
                                PROCESS_QUERY_LIMITED_INFORMATION, FALSE, 0));
    Win32Handle closer(limited);
    EXPECT_TRUE(GetProcessAffinityMask(limited, &now, &system_mask));
    EXPECT_FALSE(SetProcessAffinityMask(limited, system_mask));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
}

TEST_F(Win32Test, process_priority_boost_session_and_debugger) {
    BOOL disabled = TRUE;
    ASSERT_TRUE(GetProcessPriorityBoost(GetCurrentProcess(), &disabled));
    EXPECT_FALSE(disabled);
    ASSERT_TRUE(SetProcessPriorityBoost(GetCurrentProcess(), TRUE));
    ASSERT_TRUE(GetProcessPriorityBoost(GetCurrentProcess(), &disabled));
    EXPECT_TRUE(disabled);
    ASSERT_TRUE(SetProcessPriorityBoost(GetCurrentProcess(), FALSE));
    EXPECT_FALSE(GetProcessPriorityBoost(GetCurrentThread(), &disabled));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));

    DWORD session = 0xFFFF;
    ASSERT_TRUE(ProcessIdToSessionId(GetCurrentProcessId(), &session));
    EXPECT_NE(session, 0xFFFFu);
    EXPECT_FALSE(ProcessIdToSessionId(0x7FFFFFF0, &session));

    BOOL present = TRUE;
    ASSERT_TRUE(CheckRemoteDebuggerPresent(GetCurrentProcess(), &present));
    EXPECT_FALSE(present);
    EXPECT_FALSE(CheckRemoteDebuggerPresent(GetCurrentProcess(), nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

}  // namespace
}  // namespace ntio::test
