// DOS path translation through <windows.h>: GetFullPathName folding, "\\.\" and "\\?\" opens of a
// device link, relative names against the current directory, CreateFile dispositions and errors
// (NT facts S1, S2, K4).
#include <string>

#include "win32_io_driver.hpp"

namespace ntio::test::win32_io {
namespace {

std::string full(const wchar_t* name, std::string* file_part = nullptr) {
    WCHAR buffer[MAX_PATH];
    LPWSTR part = nullptr;
    const DWORD n = GetFullPathNameW(name, MAX_PATH, buffer, &part);
    if (n == 0 || n >= MAX_PATH) return "<fail>";
    if (file_part) *file_part = part ? narrow(part) : "<null>";
    return narrow(buffer, n);
}

TEST_F(Win32IoTest, get_full_path_name_folds_dots_and_separators) {
    EXPECT_EQ(full(L"C:\\a\\.\\b\\..\\c"), "C:\\a\\c");
    EXPECT_EQ(full(L"c:/x/y/../z.txt"), "C:\\x\\z.txt");
    EXPECT_EQ(full(L"C:\\..\\..\\q"), "C:\\q") << "no climbing above the root";
    EXPECT_EQ(full(L"C:\\dir\\"), "C:\\dir\\");
    EXPECT_EQ(full(L"\\\\?\\C:\\a\\..\\b"), "\\\\?\\C:\\a\\..\\b") << "\\\\?\\ names are not folded";
    EXPECT_EQ(full(L"\\\\.\\W32Io\\x\\..\\y"), "\\\\.\\W32Io\\y");
    EXPECT_EQ(full(L"\\\\server\\share\\a\\..\\..\\b"), "\\\\server\\share\\b");
    std::string part;
    EXPECT_EQ(full(L"C:\\dir\\name.txt", &part), "C:\\dir\\name.txt");
    EXPECT_EQ(part, "name.txt");
    // Relative names resolve against the current directory (initially C:\).
    EXPECT_EQ(full(L"rel\\x"), "C:\\rel\\x");
    EXPECT_EQ(full(L"\\rooted"), "C:\\rooted");
    WCHAR small[4];
    EXPECT_EQ(GetFullPathNameW(L"C:\\abcdef", 4, small, nullptr), 10u) << "too small: size with NUL";
    char ansi[MAX_PATH];
    EXPECT_EQ(GetFullPathNameA("C:\\a\\..\\b", MAX_PATH, ansi, nullptr), 4u);
    EXPECT_EQ(std::string(ansi), "C:\\b");
}

TEST_F(Win32IoTest, device_links_open_through_dot_and_question_mark_prefixes) {
    // NT facts S1, K4
    HANDLE a = CreateFileW(L"\\\\.\\W32Io", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(a, INVALID_HANDLE_VALUE);
    EXPECT_EQ(g_state.last_create_name, "");
    HANDLE b = CreateFileA("\\\\?\\W32Io\\sub", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(b, INVALID_HANDLE_VALUE);
    EXPECT_EQ(g_state.last_create_name, "\\sub");
    HANDLE c = CreateFileW(L"\\\\.\\W32Io\\x\\..\\y", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(c, INVALID_HANDLE_VALUE);
    EXPECT_EQ(g_state.last_create_name, "\\y");
    EXPECT_EQ(GetFileType(a), static_cast<DWORD>(FILE_TYPE_UNKNOWN)) << "FILE_DEVICE_UNKNOWN";
    CloseHandle(a);
    CloseHandle(b);
    CloseHandle(c);
    SetLastError(0);
    EXPECT_EQ(CreateFileW(L"\\\\.\\NoSuchLink", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND)) << "NT fact S1";
}

TEST_F(Win32IoTest, relative_names_open_against_the_current_directory) {
    ASSERT_TRUE(SetCurrentDirectoryW(L"\\\\.\\W32Io\\dir"));
    EXPECT_EQ(g_state.last_create_name, "\\dir\\");
    WCHAR cwd[MAX_PATH];
    EXPECT_EQ(GetCurrentDirectoryW(MAX_PATH, cwd), 13u);
    EXPECT_EQ(narrow(cwd), "\\\\.\\W32Io\\dir");
    HANDLE h = CreateFileW(L"sub\\..\\file", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    EXPECT_EQ(g_state.last_create_name, "\\dir\\file");
    CloseHandle(h);
    EXPECT_EQ(full(L"..\\up"), "\\\\.\\W32Io\\up");
    // A drive letter no link names: the open fails with what the namespace says and the current
    // directory stays where it was.
    EXPECT_FALSE(SetCurrentDirectoryA("Q:\\"));
    const DWORD error = GetLastError();
    EXPECT_NE(error, static_cast<DWORD>(ERROR_SUCCESS));
    char ansi[MAX_PATH];
    EXPECT_EQ(GetCurrentDirectoryA(MAX_PATH, ansi), 13u);
    EXPECT_EQ(std::string(ansi), "\\\\.\\W32Io\\dir");
    // C: is the host file system's volume: its root is a directory to stand in.
    ASSERT_TRUE(SetCurrentDirectoryA("C:\\")) << GetLastError();
    EXPECT_EQ(GetCurrentDirectoryA(MAX_PATH, ansi), 3u);
    EXPECT_EQ(std::string(ansi), "C:\\");
}

TEST_F(Win32IoTest, create_file_dispositions_and_errors) {
    // NT fact S2: a plain device ignores the disposition; OPEN_ALWAYS of an existing object reports
    // ERROR_ALREADY_EXISTS, OPEN_EXISTING clears the last error.
    SetLastError(0x99);
    HANDLE a = CreateFileW(L"\\\\.\\W32Io", GENERIC_READ, 0, nullptr, OPEN_ALWAYS, 0, nullptr);
    ASSERT_NE(a, INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    HANDLE b = CreateFileW(L"\\\\.\\W32Io", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(b, INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), 0u);
    CloseHandle(a);
    CloseHandle(b);
    EXPECT_EQ(CreateFileW(L"\\\\.\\W32Io", GENERIC_READ, 0, nullptr, 0, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(CreateFileW(L"", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_PATH_NOT_FOUND));
}

}  // namespace
}  // namespace ntio::test::win32_io
