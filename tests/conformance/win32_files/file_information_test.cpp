// GetFileInformationByHandle, GetFileInformationByHandleEx and SetFileInformationByHandle for every
// FILE_INFO_BY_HANDLE_CLASS the Win32 layer maps, and DeleteFileA/W, on W32Fs files. Expected values
// come from each call's Microsoft Learn page.
#include <cstring>

#include "win32_files_driver.hpp"

namespace ntio::test::win32_files {
namespace {

LONGLONG filetime(const FILETIME& ft) {
    return static_cast<LONGLONG>((static_cast<ULONGLONG>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getfileinformationbyhandle and
// .../ns-fileapi-by_handle_file_information
TEST_F(Win32FilesTest, get_file_information_by_handle_fills_every_member) {
    HANDLE h = open(L"\\huge.bin", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    BY_HANDLE_FILE_INFORMATION info;
    std::memset(&info, 0xCC, sizeof(info));
    ASSERT_TRUE(GetFileInformationByHandle(h, &info)) << GetLastError();
    EXPECT_EQ(info.dwFileAttributes, static_cast<DWORD>(FILE_ATTRIBUTE_ARCHIVE));
    EXPECT_EQ(filetime(info.ftCreationTime), kTimeBase + kNodeHuge);
    EXPECT_EQ(filetime(info.ftLastAccessTime), kTimeBase + kNodeHuge + 0x100);
    EXPECT_EQ(filetime(info.ftLastWriteTime), kTimeBase + kNodeHuge + 0x200);
    EXPECT_EQ(info.dwVolumeSerialNumber, kVolumeSerial);
    EXPECT_EQ(info.nFileSizeHigh, 1u);
    EXPECT_EQ(info.nFileSizeLow, 0xFFFFFFFFu);
    EXPECT_EQ(info.nNumberOfLinks, 1u);
    EXPECT_EQ(info.nFileIndexHigh, static_cast<DWORD>(kNodeHuge));
    EXPECT_EQ(info.nFileIndexLow, static_cast<DWORD>(0x100 + kNodeHuge));
    CloseHandle(h);
}

TEST_F(Win32FilesTest, get_file_information_by_handle_reports_a_directory) {
    HANDLE h = open_directory(L"\\dir", false);
    BY_HANDLE_FILE_INFORMATION info{};
    ASSERT_TRUE(GetFileInformationByHandle(h, &info)) << GetLastError();
    EXPECT_EQ(info.dwFileAttributes, static_cast<DWORD>(FILE_ATTRIBUTE_DIRECTORY));
    EXPECT_EQ(info.nFileIndexLow, static_cast<DWORD>(0x100 + kNodeDir));
    CloseHandle(h);
}

TEST_F(Win32FilesTest, get_file_information_by_handle_on_a_bad_handle_fails) {
    BY_HANDLE_FILE_INFORMATION info{};
    EXPECT_FALSE(GetFileInformationByHandle(reinterpret_cast<HANDLE>(0x1234), &info));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getfileinformationbyhandleex and
// .../minwinbase/ne-minwinbase-file_info_by_handle_class
TEST_F(Win32FilesTest, get_file_information_by_handle_ex_basic_and_standard_info) {
    HANDLE h = open(L"\\dir\\alpha.txt", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    FILE_BASIC_INFO basic{};
    ASSERT_TRUE(GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof(basic))) << GetLastError();
    EXPECT_EQ(basic.CreationTime.QuadPart, kTimeBase + kNodeAlpha);
    EXPECT_EQ(basic.LastAccessTime.QuadPart, kTimeBase + kNodeAlpha + 0x100);
    EXPECT_EQ(basic.LastWriteTime.QuadPart, kTimeBase + kNodeAlpha + 0x200);
    EXPECT_EQ(basic.ChangeTime.QuadPart, kTimeBase + kNodeAlpha + 0x300);
    EXPECT_EQ(basic.FileAttributes, static_cast<DWORD>(FILE_ATTRIBUTE_ARCHIVE));
    FILE_STANDARD_INFO standard{};
    ASSERT_TRUE(GetFileInformationByHandleEx(h, FileStandardInfo, &standard, sizeof(standard)));
    EXPECT_EQ(standard.EndOfFile.QuadPart, 10);
    EXPECT_EQ(standard.AllocationSize.QuadPart, kClusterSize);
    EXPECT_EQ(standard.NumberOfLinks, 1u);
    EXPECT_FALSE(standard.DeletePending);
    EXPECT_FALSE(standard.Directory);
    CloseHandle(h);
}

TEST_F(Win32FilesTest, get_file_information_by_handle_ex_name_info_is_the_path_on_the_volume) {
    // FILE_NAME_INFO: the file name without the volume; a buffer too small for it fails with
    // ERROR_MORE_DATA and FileNameLength still gives the whole length.
    HANDLE h = open(L"\\dir\\alpha.txt", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    struct {
        FILE_NAME_INFO info;
        WCHAR more[64];
    } name{};
    ASSERT_TRUE(GetFileInformationByHandleEx(h, FileNameInfo, &name, sizeof(name))) << GetLastError();
    ASSERT_EQ(name.info.FileNameLength, 14 * sizeof(WCHAR));
    EXPECT_EQ(narrow(name.info.FileName, name.info.FileNameLength / sizeof(WCHAR)), "\\dir\\alpha.txt");

    struct {
        FILE_NAME_INFO info;
        WCHAR more[2];
    } small{};
    EXPECT_FALSE(GetFileInformationByHandleEx(h, FileNameInfo, &small, sizeof(small)));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_MORE_DATA));
    EXPECT_EQ(small.info.FileNameLength, 14 * sizeof(WCHAR));
    EXPECT_EQ(narrow(small.info.FileName, 4), "\\dir");
    CloseHandle(h);
}

TEST_F(Win32FilesTest, get_file_information_by_handle_ex_attribute_tag_and_alignment_info) {
    HANDLE h = open(L"\\dir\\gamma.log", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    FILE_ATTRIBUTE_TAG_INFO tag{};
    ASSERT_TRUE(GetFileInformationByHandleEx(h, FileAttributeTagInfo, &tag, sizeof(tag))) << GetLastError();
    EXPECT_EQ(tag.FileAttributes, static_cast<DWORD>(FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_HIDDEN));
    EXPECT_EQ(tag.ReparseTag, 0u);
    FILE_ALIGNMENT_INFO alignment{0xFFFF};
    ASSERT_TRUE(GetFileInformationByHandleEx(h, FileAlignmentInfo, &alignment, sizeof(alignment)));
    EXPECT_EQ(alignment.AlignmentRequirement, 0u) << "the device's AlignmentRequirement (byte aligned)";
    CloseHandle(h);
}

TEST_F(Win32FilesTest, get_file_information_by_handle_ex_refuses_set_only_and_unknown_classes) {
    HANDLE h = open(L"\\dir\\alpha.txt", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    UCHAR buffer[256];
    for (FILE_INFO_BY_HANDLE_CLASS c : {FileRenameInfo, FileDispositionInfo, FileAllocationInfo, FileEndOfFileInfo,
                                        MaximumFileInfoByHandleClass}) {
        SetLastError(0);
        EXPECT_FALSE(GetFileInformationByHandleEx(h, c, buffer, sizeof(buffer))) << c;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER)) << c;
    }
    CloseHandle(h);
}

TEST_F(Win32FilesTest, get_file_information_by_handle_ex_directory_classes_enumerate_and_restart) {
    // FileIdBothDirectoryInfo continues the enumeration, ...RestartInfo starts it again; the end is
    // ERROR_NO_MORE_FILES (FILE_INFO_BY_HANDLE_CLASS on Microsoft Learn).
    HANDLE h = open_directory(L"\\dir\\sub", false);
    alignas(8) UCHAR buffer[4096];
    ASSERT_TRUE(GetFileInformationByHandleEx(h, FileIdBothDirectoryInfo, buffer, sizeof(buffer))) << GetLastError();
    EXPECT_EQ(g_state.last_directory_class.load(), FileIdBothDirectoryInformation);
    std::string names;
    for (auto* e = reinterpret_cast<FILE_ID_BOTH_DIR_INFO*>(buffer);;
         e = reinterpret_cast<FILE_ID_BOTH_DIR_INFO*>(reinterpret_cast<UCHAR*>(e) + e->NextEntryOffset)) {
        names += narrow(e->FileName, e->FileNameLength / sizeof(WCHAR)) + ";";
        if (narrow(e->FileName, e->FileNameLength / sizeof(WCHAR)) == "delta.txt") {
            EXPECT_EQ(e->EndOfFile.QuadPart, 7);
            EXPECT_EQ(e->FileId.QuadPart & 0xFFFFFFFF, 0x106);
        }
        if (!e->NextEntryOffset) break;
    }
    EXPECT_EQ(names, ".;..;delta.txt;");
    EXPECT_FALSE(GetFileInformationByHandleEx(h, FileIdBothDirectoryInfo, buffer, sizeof(buffer)));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_MORE_FILES));

    ASSERT_TRUE(GetFileInformationByHandleEx(h, FileFullDirectoryRestartInfo, buffer, sizeof(buffer)));
    EXPECT_EQ(g_state.last_directory_class.load(), FileFullDirectoryInformation);
    EXPECT_TRUE(g_state.last_directory_flags.load() & SL_RESTART_SCAN);
    auto* full = reinterpret_cast<FILE_FULL_DIR_INFO*>(buffer);
    EXPECT_EQ(narrow(full->FileName, full->FileNameLength / sizeof(WCHAR)), ".");
    EXPECT_NE(full->NextEntryOffset, 0u);
    EXPECT_FALSE(GetFileInformationByHandleEx(h, FileFullDirectoryInfo, buffer, sizeof(buffer)));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NO_MORE_FILES));

    ASSERT_TRUE(GetFileInformationByHandleEx(h, FileIdBothDirectoryRestartInfo, buffer, sizeof(buffer)));
    EXPECT_TRUE(g_state.last_directory_flags.load() & SL_RESTART_SCAN);
    CloseHandle(h);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-setfileinformationbyhandle
TEST_F(Win32FilesTest, set_file_information_by_handle_basic_info_changes_times_and_attributes) {
    HANDLE h = open(L"\\dir\\alpha.txt", GENERIC_READ | GENERIC_WRITE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    // FILE_BASIC_INFO: a zero time or zero attributes leave that member unchanged.
    FILE_BASIC_INFO basic{};
    basic.LastWriteTime.QuadPart = 0x01D6000000000000LL;
    basic.FileAttributes = FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM;
    ASSERT_TRUE(SetFileInformationByHandle(h, FileBasicInfo, &basic, sizeof(basic))) << GetLastError();
    FILE_BASIC_INFO now{};
    ASSERT_TRUE(GetFileInformationByHandleEx(h, FileBasicInfo, &now, sizeof(now)));
    EXPECT_EQ(now.LastWriteTime.QuadPart, 0x01D6000000000000LL);
    EXPECT_EQ(now.CreationTime.QuadPart, kTimeBase + kNodeAlpha);
    EXPECT_EQ(now.FileAttributes, static_cast<DWORD>(FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM));
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_file_information_by_handle_end_of_file_and_allocation_info) {
    HANDLE h = open(L"\\file.bin", GENERIC_READ | GENERIC_WRITE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    FILE_END_OF_FILE_INFO eof{};
    eof.EndOfFile.QuadPart = 12345;
    ASSERT_TRUE(SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof(eof))) << GetLastError();
    LARGE_INTEGER size{};
    ASSERT_TRUE(GetFileSizeEx(h, &size));
    EXPECT_EQ(size.QuadPart, 12345);
    FILE_ALLOCATION_INFO allocation{};
    allocation.AllocationSize.QuadPart = 5 * kClusterSize;
    ASSERT_TRUE(SetFileInformationByHandle(h, FileAllocationInfo, &allocation, sizeof(allocation)));
    FILE_STANDARD_INFO standard{};
    ASSERT_TRUE(GetFileInformationByHandleEx(h, FileStandardInfo, &standard, sizeof(standard)));
    EXPECT_EQ(standard.AllocationSize.QuadPart, 5 * kClusterSize);
    EXPECT_EQ(standard.EndOfFile.QuadPart, 12345);
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_file_information_by_handle_needs_the_access_of_the_class) {
    // FileEndOfFileInfo needs write access to the data, FileDispositionInfo DELETE.
    HANDLE h = open(L"\\file.bin", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    FILE_END_OF_FILE_INFO eof{};
    EXPECT_FALSE(SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof(eof)));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    FILE_DISPOSITION_INFO disposition{TRUE};
    EXPECT_FALSE(SetFileInformationByHandle(h, FileDispositionInfo, &disposition, sizeof(disposition)));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_file_information_by_handle_refuses_query_only_classes) {
    HANDLE h = open(L"\\file.bin", GENERIC_READ | GENERIC_WRITE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    UCHAR buffer[64]{};
    for (FILE_INFO_BY_HANDLE_CLASS c : {FileStandardInfo, FileNameInfo, FileAttributeTagInfo,
                                        FileIdBothDirectoryInfo, MaximumFileInfoByHandleClass}) {
        EXPECT_FALSE(SetFileInformationByHandle(h, c, buffer, sizeof(buffer))) << c;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER)) << c;
    }
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_file_information_by_handle_disposition_info_deletes_at_the_last_close) {
    // FILE_DISPOSITION_INFO: the file is deleted when the last handle is closed; meanwhile
    // DeletePending is reported and new opens fail (DeleteFile: ERROR_ACCESS_DENIED).
    HANDLE h = open(L"\\dir\\beta.txt", GENERIC_READ | DELETE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    FILE_DISPOSITION_INFO disposition{TRUE};
    ASSERT_TRUE(SetFileInformationByHandle(h, FileDispositionInfo, &disposition, sizeof(disposition)))
        << GetLastError();
    FILE_STANDARD_INFO standard{};
    ASSERT_TRUE(GetFileInformationByHandleEx(h, FileStandardInfo, &standard, sizeof(standard)));
    EXPECT_TRUE(standard.DeletePending);
    EXPECT_EQ(open(L"\\dir\\beta.txt", GENERIC_READ), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    CloseHandle(h);
    EXPECT_EQ(open(L"\\dir\\beta.txt", GENERIC_READ), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

TEST_F(Win32FilesTest, set_file_information_by_handle_disposition_info_can_be_taken_back) {
    HANDLE h = open(L"\\dir\\beta.txt", GENERIC_READ | DELETE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    FILE_DISPOSITION_INFO disposition{TRUE};
    ASSERT_TRUE(SetFileInformationByHandle(h, FileDispositionInfo, &disposition, sizeof(disposition)));
    disposition.DeleteFile = FALSE;
    ASSERT_TRUE(SetFileInformationByHandle(h, FileDispositionInfo, &disposition, sizeof(disposition)));
    CloseHandle(h);
    h = open(L"\\dir\\beta.txt", GENERIC_READ);
    EXPECT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_file_information_by_handle_disposition_info_ex_flags) {
    // FILE_DISPOSITION_INFO_EX: FILE_DISPOSITION_FLAG_DELETE marks the file, and
    // FILE_DISPOSITION_FLAG_IGNORE_READONLY_ATTRIBUTE lets a read-only file go.
    HANDLE h = open(L"\\readonly.txt", GENERIC_READ | DELETE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    FILE_DISPOSITION_INFO_EX ex{FILE_DISPOSITION_FLAG_DELETE};
    EXPECT_FALSE(SetFileInformationByHandle(h, FileDispositionInfoEx, &ex, sizeof(ex)));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED)) << "STATUS_CANNOT_DELETE";
    ex.Flags = FILE_DISPOSITION_FLAG_DELETE | FILE_DISPOSITION_FLAG_IGNORE_READONLY_ATTRIBUTE;
    ASSERT_TRUE(SetFileInformationByHandle(h, FileDispositionInfoEx, &ex, sizeof(ex))) << GetLastError();
    CloseHandle(h);
    EXPECT_EQ(open(L"\\readonly.txt", GENERIC_READ), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

TEST_F(Win32FilesTest, set_file_information_by_handle_disposition_of_a_non_empty_directory_fails) {
    HANDLE h = open(L"\\dir\\sub", GENERIC_READ | DELETE, FILE_FLAG_BACKUP_SEMANTICS);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    FILE_DISPOSITION_INFO disposition{TRUE};
    EXPECT_FALSE(SetFileInformationByHandle(h, FileDispositionInfo, &disposition, sizeof(disposition)));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_DIR_NOT_EMPTY));
    CloseHandle(h);
}

// FILE_RENAME_INFO: https://learn.microsoft.com/windows/win32/api/winbase/ns-winbase-file_rename_info
// The name follows the fixed part, so the structure lives in a larger buffer.
struct RenameBuffer {
    alignas(8) UCHAR bytes[sizeof(FILE_RENAME_INFO) + 64];
    FILE_RENAME_INFO& info() { return *reinterpret_cast<FILE_RENAME_INFO*>(bytes); }
};

void make_rename(RenameBuffer& b, const wchar_t* name, bool replace) {
    std::memset(b.bytes, 0, sizeof(b.bytes));
    b.info().ReplaceIfExists = replace ? TRUE : FALSE;
    DWORD n = 0;
    auto* chars = reinterpret_cast<WCHAR*>(b.bytes + FIELD_OFFSET(FILE_RENAME_INFO, FileName));
    for (; name[n]; ++n) chars[n] = name[n];
    b.info().FileNameLength = n * sizeof(WCHAR);
}

TEST_F(Win32FilesTest, set_file_information_by_handle_rename_info_renames_within_the_directory) {
    HANDLE h = open(L"\\dir\\alpha.txt", GENERIC_READ | DELETE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    RenameBuffer rename;
    make_rename(rename, L"omega.txt", false);
    ASSERT_TRUE(SetFileInformationByHandle(h, FileRenameInfo, rename.bytes, sizeof(rename.bytes))) << GetLastError();
    CloseHandle(h);
    EXPECT_EQ(open(L"\\dir\\alpha.txt", GENERIC_READ), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    h = open(L"\\dir\\omega.txt", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    LARGE_INTEGER size{};
    ASSERT_TRUE(GetFileSizeEx(h, &size));
    EXPECT_EQ(size.QuadPart, 10);
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_file_information_by_handle_rename_onto_an_existing_name_needs_replace_if_exists) {
    HANDLE h = open(L"\\dir\\alpha.txt", GENERIC_READ | DELETE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    RenameBuffer rename;
    make_rename(rename, L"beta.txt", false);
    EXPECT_FALSE(SetFileInformationByHandle(h, FileRenameInfo, rename.bytes, sizeof(rename.bytes)));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    make_rename(rename, L"beta.txt", true);
    ASSERT_TRUE(SetFileInformationByHandle(h, FileRenameInfo, rename.bytes, sizeof(rename.bytes))) << GetLastError();
    LARGE_INTEGER size{};
    CloseHandle(h);
    h = open(L"\\dir\\beta.txt", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    ASSERT_TRUE(GetFileSizeEx(h, &size));
    EXPECT_EQ(size.QuadPart, 10) << "beta.txt is now the former alpha.txt";
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_file_information_by_handle_rename_info_ex_takes_the_replace_flag) {
    HANDLE h = open(L"\\dir\\alpha.txt", GENERIC_READ | DELETE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    RenameBuffer rename;
    make_rename(rename, L"beta.txt", false);
    rename.info().Flags = 0;
    EXPECT_FALSE(SetFileInformationByHandle(h, FileRenameInfoEx, rename.bytes, sizeof(rename.bytes)));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    rename.info().Flags = FILE_RENAME_FLAG_REPLACE_IF_EXISTS;
    EXPECT_TRUE(SetFileInformationByHandle(h, FileRenameInfoEx, rename.bytes, sizeof(rename.bytes))) << GetLastError();
    CloseHandle(h);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-deletefilew
TEST_F(Win32FilesTest, delete_file_removes_the_file) {
    ASSERT_TRUE(DeleteFileW(L"\\\\.\\W32Fs\\dir\\gamma.log")) << GetLastError();
    EXPECT_EQ(open(L"\\dir\\gamma.log", GENERIC_READ), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    ASSERT_TRUE(DeleteFileA("\\\\.\\W32Fs\\file.bin")) << GetLastError();
    EXPECT_EQ(open(L"\\file.bin", GENERIC_READ), INVALID_HANDLE_VALUE);
}

TEST_F(Win32FilesTest, delete_file_of_a_missing_file_fails_with_file_not_found) {
    // "If the specified file does not exist, DeleteFile fails and GetLastError returns
    // ERROR_FILE_NOT_FOUND."
    EXPECT_FALSE(DeleteFileW(L"\\\\.\\W32Fs\\dir\\nothing.txt"));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_FALSE(DeleteFileA("\\\\.\\W32Fs\\nowhere\\nothing.txt"));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_PATH_NOT_FOUND));
}

TEST_F(Win32FilesTest, delete_file_of_a_read_only_file_fails_with_access_denied) {
    // "If the file is a read-only file, the function fails with ERROR_ACCESS_DENIED."
    EXPECT_FALSE(DeleteFileW(L"\\\\.\\W32Fs\\readonly.txt"));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    HANDLE h = open(L"\\readonly.txt", GENERIC_READ);
    EXPECT_NE(h, INVALID_HANDLE_VALUE) << "still there";
    CloseHandle(h);
}

TEST_F(Win32FilesTest, delete_file_marks_an_open_file_and_deletes_it_at_the_last_close) {
    // "The DeleteFile function marks a file for deletion on close. Therefore, the file deletion does
    // not occur until the last handle to the file is closed. Subsequent calls to CreateFile to open the
    // file fail with ERROR_ACCESS_DENIED."
    HANDLE h = open(L"\\dir\\beta.txt", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    ASSERT_TRUE(DeleteFileW(L"\\\\.\\W32Fs\\dir\\beta.txt")) << GetLastError();
    EXPECT_EQ(open(L"\\dir\\beta.txt", GENERIC_READ), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    CloseHandle(h);
    EXPECT_EQ(open(L"\\dir\\beta.txt", GENERIC_READ), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

TEST_F(Win32FilesTest, delete_file_of_a_file_open_without_delete_sharing_fails_with_sharing_violation) {
    // DeleteFile fails for a file with other handles open for normal I/O (without FILE_SHARE_DELETE).
    HANDLE h = open(L"\\dir\\beta.txt", GENERIC_READ, 0, FILE_SHARE_READ | FILE_SHARE_WRITE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_FALSE(DeleteFileW(L"\\\\.\\W32Fs\\dir\\beta.txt"));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SHARING_VIOLATION));
    CloseHandle(h);
    EXPECT_TRUE(DeleteFileW(L"\\\\.\\W32Fs\\dir\\beta.txt")) << GetLastError();
}

}  // namespace
}  // namespace ntio::test::win32_files
