// FindFirstFileA/W, FindFirstFileExW, FindNextFileA/W and FindClose over the W32Fs directories: the
// directory is opened, the pattern goes to IRP_MN_QUERY_DIRECTORY as the search expression. Expected
// values come from each call's Microsoft Learn page.
#include <set>
#include <string>

#include "win32_files_driver.hpp"

namespace ntio::test::win32_files {
namespace {

std::string all_names(HANDLE find, const WIN32_FIND_DATAW& first) {
    std::string names = narrow(first.cFileName) + ";";
    WIN32_FIND_DATAW data;
    while (FindNextFileW(find, &data)) names += narrow(data.cFileName) + ";";
    // FindNextFile: "If no matching files can be found, the GetLastError function returns
    // ERROR_NO_MORE_FILES."
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_MORE_FILES));
    return names;
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-findfirstfilew and
// .../nf-fileapi-findnextfilew
TEST_F(Win32FilesTest, find_first_file_lists_a_directory_with_a_star) {
    WIN32_FIND_DATAW data;
    HANDLE find = FindFirstFileW(L"\\\\.\\W32Fs\\dir\\*", &data);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(g_state.last_directory_class.load(), FileBothDirectoryInformation);
    EXPECT_EQ(g_state.last_directory_pattern, "*");
    EXPECT_EQ(all_names(find, data), ".;..;alpha.txt;beta.txt;gamma.log;sub;longfilename.text;");
    EXPECT_FALSE(FindNextFileW(find, &data)) << "the end stays the end";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_MORE_FILES));
    EXPECT_TRUE(FindClose(find));
}

TEST_F(Win32FilesTest, find_first_file_fills_the_find_data_from_the_directory_entry) {
    // WIN32_FIND_DATA: https://learn.microsoft.com/windows/win32/api/minwinbase/ns-minwinbase-win32_find_dataw
    WIN32_FIND_DATAW data;
    HANDLE find = FindFirstFileW(L"\\\\.\\W32Fs\\dir\\longfilename.text", &data);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(narrow(data.cFileName), "longfilename.text");
    EXPECT_EQ(narrow(data.cAlternateFileName), "LONGFI~1.TEX");
    EXPECT_EQ(data.dwFileAttributes, static_cast<DWORD>(FILE_ATTRIBUTE_ARCHIVE));
    EXPECT_EQ(data.nFileSizeHigh, 0u);
    EXPECT_EQ(data.nFileSizeLow, 1u);
    EXPECT_EQ(data.ftCreationTime.dwLowDateTime, static_cast<DWORD>(kTimeBase + 11));
    EXPECT_EQ(data.ftLastWriteTime.dwLowDateTime, static_cast<DWORD>(kTimeBase + 11 + 0x200));
    WIN32_FIND_DATAW next;
    EXPECT_FALSE(FindNextFileW(find, &next));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_MORE_FILES));
    FindClose(find);

    find = FindFirstFileW(L"\\\\.\\W32Fs\\huge.bin", &data);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(data.nFileSizeHigh, 1u);
    EXPECT_EQ(data.nFileSizeLow, 0xFFFFFFFFu);
    EXPECT_EQ(data.cAlternateFileName[0], 0) << "no short name for a name that has none";
    FindClose(find);
}

TEST_F(Win32FilesTest, find_first_file_matches_wildcards) {
    WIN32_FIND_DATAW data;
    HANDLE find = FindFirstFileW(L"\\\\.\\W32Fs\\dir\\*.txt", &data);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(all_names(find, data), "alpha.txt;beta.txt;");
    FindClose(find);
    find = FindFirstFileW(L"\\\\.\\W32Fs\\dir\\?eta.*", &data);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(all_names(find, data), "beta.txt;");
    FindClose(find);
}

TEST_F(Win32FilesTest, find_first_file_star_dot_star_matches_names_without_a_dot) {
    // "*.*" is every name, "sub" included: the file system gets the DOS form of the expression.
    WIN32_FIND_DATAW data;
    HANDLE find = FindFirstFileW(L"\\\\.\\W32Fs\\dir\\*.*", &data);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(g_state.last_directory_pattern, "*");
    EXPECT_EQ(all_names(find, data), ".;..;alpha.txt;beta.txt;gamma.log;sub;longfilename.text;");
    FindClose(find);
    find = FindFirstFileW(L"\\\\.\\W32Fs\\dir\\*.t?t", &data);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(g_state.last_directory_pattern, "<.t>t");
    EXPECT_EQ(all_names(find, data), "alpha.txt;beta.txt;");
    FindClose(find);
}

TEST_F(Win32FilesTest, find_first_file_of_a_name_ending_in_a_backslash_finds_nothing) {
    // lpFileName should not "end in a trailing backslash (\\)".
    WIN32_FIND_DATAW data;
    EXPECT_EQ(FindFirstFileW(L"\\\\.\\W32Fs\\dir\\", &data), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

TEST_F(Win32FilesTest, find_first_file_names_a_directory_itself_without_a_wildcard) {
    WIN32_FIND_DATAW data;
    HANDLE find = FindFirstFileW(L"\\\\.\\W32Fs\\dir\\sub", &data);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(narrow(data.cFileName), "sub");
    EXPECT_EQ(data.dwFileAttributes, static_cast<DWORD>(FILE_ATTRIBUTE_DIRECTORY));
    FindClose(find);
}

TEST_F(Win32FilesTest, find_first_file_without_a_match_fails_with_file_not_found) {
    // "If the function fails because no matching files can be found, the GetLastError function returns
    // ERROR_FILE_NOT_FOUND."
    WIN32_FIND_DATAW data;
    EXPECT_EQ(FindFirstFileW(L"\\\\.\\W32Fs\\dir\\*.exe", &data), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(FindFirstFileW(L"\\\\.\\W32Fs\\empty\\x*", &data), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(FindFirstFileW(L"\\\\.\\W32Fs\\dir\\missing.txt", &data), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

TEST_F(Win32FilesTest, find_first_file_in_an_empty_root_directory_has_no_dot_entries) {
    // The root lists no "." and ".."; "\empty" lists only them.
    WIN32_FIND_DATAW data;
    HANDLE find = FindFirstFileW(L"\\\\.\\W32Fs\\empty\\*", &data);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(all_names(find, data), ".;..;");
    FindClose(find);
    find = FindFirstFileW(L"\\\\.\\W32Fs\\*", &data);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(all_names(find, data), "dir;empty;huge.bin;readonly.txt;file.bin;");
    FindClose(find);
}

TEST_F(Win32FilesTest, find_first_file_a_converts_names_to_ansi) {
    // https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-findfirstfilea
    WIN32_FIND_DATAA data;
    HANDLE find = FindFirstFileA("\\\\.\\W32Fs\\dir\\l*", &data);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_STREQ(data.cFileName, "longfilename.text");
    EXPECT_STREQ(data.cAlternateFileName, "LONGFI~1.TEX");
    EXPECT_EQ(data.nFileSizeLow, 1u);
    WIN32_FIND_DATAA next;
    EXPECT_FALSE(FindNextFileA(find, &next));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_MORE_FILES));
    EXPECT_TRUE(FindClose(find));
    EXPECT_EQ(FindFirstFileA("\\\\.\\W32Fs\\dir\\zz*", &data), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

TEST_F(Win32FilesTest, find_first_file_in_a_missing_directory_fails) {
    WIN32_FIND_DATAW data;
    EXPECT_EQ(FindFirstFileW(L"\\\\.\\W32Fs\\nowhere\\*", &data), INVALID_HANDLE_VALUE);
    const DWORD error = GetLastError();
    EXPECT_TRUE(error == ERROR_PATH_NOT_FOUND || error == ERROR_FILE_NOT_FOUND) << error;
}

TEST_F(Win32FilesTest, find_close_and_find_next_refuse_a_handle_that_is_not_a_find_handle) {
    // https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-findclose
    WIN32_FIND_DATAW data;
    EXPECT_FALSE(FindNextFileW(INVALID_HANDLE_VALUE, &data));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_FALSE(FindClose(INVALID_HANDLE_VALUE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    HANDLE find = FindFirstFileW(L"\\\\.\\W32Fs\\dir\\*", &data);
    ASSERT_NE(find, INVALID_HANDLE_VALUE);
    EXPECT_TRUE(FindClose(find));
    EXPECT_FALSE(FindClose(find)) << "closed once";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-findfirstfileexw
TEST_F(Win32FilesTest, find_first_file_ex_standard_matches_find_first_file) {
    WIN32_FIND_DATAW data;
    HANDLE find = FindFirstFileExW(L"\\\\.\\W32Fs\\dir\\*.text", FindExInfoStandard, &data, FindExSearchNameMatch,
                                   nullptr, 0);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(narrow(data.cFileName), "longfilename.text");
    EXPECT_EQ(narrow(data.cAlternateFileName), "LONGFI~1.TEX");
    EXPECT_EQ(all_names(find, data), "longfilename.text;");
    EXPECT_TRUE(FindClose(find));
}

TEST_F(Win32FilesTest, find_first_file_ex_basic_leaves_the_short_name_empty) {
    // FindExInfoBasic: "the cAlternateFileName member is always a NULL string."
    WIN32_FIND_DATAW data;
    HANDLE find = FindFirstFileExW(L"\\\\.\\W32Fs\\dir\\long*", FindExInfoBasic, &data, FindExSearchNameMatch,
                                   nullptr, FIND_FIRST_EX_LARGE_FETCH);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(narrow(data.cFileName), "longfilename.text");
    EXPECT_EQ(data.cAlternateFileName[0], 0);
    WIN32_FIND_DATAW next;
    EXPECT_FALSE(FindNextFileW(find, &next));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_MORE_FILES));
    FindClose(find);
}

TEST_F(Win32FilesTest, find_first_file_ex_limit_to_directories_is_advisory) {
    // FindExSearchLimitToDirectories: "If the file system does not support directory filtering, this
    // flag is silently ignored." W32Fs does not filter.
    WIN32_FIND_DATAW data;
    HANDLE find = FindFirstFileExW(L"\\\\.\\W32Fs\\dir\\s*", FindExInfoStandard, &data,
                                   FindExSearchLimitToDirectories, nullptr, 0);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(all_names(find, data), "sub;");
    FindClose(find);
}

TEST_F(Win32FilesTest, find_first_file_ex_rejects_bad_levels_operations_filters_and_flags) {
    WIN32_FIND_DATAW data;
    int filter = 0;
    EXPECT_EQ(FindFirstFileExW(L"\\\\.\\W32Fs\\dir\\*", FindExInfoMaxInfoLevel, &data, FindExSearchNameMatch, nullptr,
                               0),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(FindFirstFileExW(L"\\\\.\\W32Fs\\dir\\*", FindExInfoStandard, &data, FindExSearchMaxSearchOp, nullptr, 0),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    // lpSearchFilter: "this parameter is not supported and must be NULL" for the defined operations.
    EXPECT_EQ(FindFirstFileExW(L"\\\\.\\W32Fs\\dir\\*", FindExInfoStandard, &data, FindExSearchNameMatch, &filter, 0),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(FindFirstFileExW(L"\\\\.\\W32Fs\\dir\\*", FindExInfoStandard, &data, FindExSearchNameMatch, nullptr,
                               0x80),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

TEST_F(Win32FilesTest, find_enumeration_continues_across_query_batches) {
    // More matches than one small batch: FindNextFile asks again and the directory continues where it
    // left off. Enumerate the same directory through two find handles at once; each has its own cursor.
    WIN32_FIND_DATAW a, b;
    HANDLE first = FindFirstFileW(L"\\\\.\\W32Fs\\dir\\*", &a);
    HANDLE second = FindFirstFileW(L"\\\\.\\W32Fs\\dir\\*", &b);
    ASSERT_NE(first, INVALID_HANDLE_VALUE);
    ASSERT_NE(second, INVALID_HANDLE_VALUE);
    EXPECT_EQ(all_names(first, a), all_names(second, b));
    FindClose(first);
    FindClose(second);
}

}  // namespace
}  // namespace ntio::test::win32_files
