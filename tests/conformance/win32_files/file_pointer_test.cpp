// GetFileSize(Ex), SetFilePointer(Ex), SetEndOfFile, FlushFileBuffers and GetFileType on W32Fs files
// and on plain devices of other types. Expected values come from each call's Microsoft Learn page.
#include <cstring>

#include "win32_files_driver.hpp"

namespace ntio::test::win32_files {
namespace {

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getfilesizeex
TEST_F(Win32FilesTest, get_file_size_ex_returns_the_end_of_file) {
    HANDLE h = open(L"\\dir\\beta.txt", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    LARGE_INTEGER size{};
    ASSERT_TRUE(GetFileSizeEx(h, &size));
    EXPECT_EQ(size.QuadPart, 5000);
    CloseHandle(h);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getfilesize: the high part goes to
// lpFileSizeHigh; a low part equal to INVALID_FILE_SIZE is a success when GetLastError is NO_ERROR.
TEST_F(Win32FilesTest, get_file_size_splits_the_size_and_marks_a_low_part_of_all_ones_as_success) {
    HANDLE h = open(L"\\huge.bin", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    DWORD high = 0;
    SetLastError(ERROR_GEN_FAILURE);
    EXPECT_EQ(GetFileSize(h, &high), INVALID_FILE_SIZE);
    EXPECT_EQ(high, 1u);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(NO_ERROR));
    CloseHandle(h);

    h = open(L"\\file.bin", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetFileSize(h, nullptr), 100u);
    high = 7;
    EXPECT_EQ(GetFileSize(h, &high), 100u);
    EXPECT_EQ(high, 0u);
    CloseHandle(h);
}

TEST_F(Win32FilesTest, get_file_size_on_a_bad_handle_fails_with_invalid_handle) {
    // GetFileSize: "If the function fails and lpFileSizeHigh is non-NULL, the return value is
    // INVALID_FILE_SIZE and GetLastError will return a value other than NO_ERROR."
    DWORD high = 0;
    EXPECT_EQ(GetFileSize(reinterpret_cast<HANDLE>(0x1234), &high), INVALID_FILE_SIZE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    LARGE_INTEGER size{};
    EXPECT_FALSE(GetFileSizeEx(reinterpret_cast<HANDLE>(0x1234), &size));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-setfilepointer
TEST_F(Win32FilesTest, set_file_pointer_moves_from_begin_current_and_end) {
    HANDLE h = open(L"\\file.bin", GENERIC_READ | GENERIC_WRITE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(SetFilePointer(h, 40, nullptr, FILE_BEGIN), 40u);
    EXPECT_EQ(SetFilePointer(h, -15, nullptr, FILE_CURRENT), 25u);
    EXPECT_EQ(SetFilePointer(h, 0, nullptr, FILE_CURRENT), 25u);
    EXPECT_EQ(SetFilePointer(h, -10, nullptr, FILE_END), 90u);
    // Beyond the end of file is not an error.
    EXPECT_EQ(SetFilePointer(h, 50, nullptr, FILE_END), 150u);
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_file_pointer_with_a_high_part_uses_a_64_bit_distance_and_returns_the_high_part) {
    HANDLE h = open(L"\\huge.bin", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    LONG high = 1;
    EXPECT_EQ(SetFilePointer(h, 0x10, &high, FILE_BEGIN), 0x10u);
    EXPECT_EQ(high, 1);
    // FILE_END of 0x1FFFFFFFF: the new low part is INVALID_SET_FILE_POINTER, and GetLastError is
    // NO_ERROR because it succeeded.
    high = 0;
    SetLastError(ERROR_GEN_FAILURE);
    EXPECT_EQ(SetFilePointer(h, 0, &high, FILE_END), INVALID_SET_FILE_POINTER);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(NO_ERROR));
    EXPECT_EQ(high, 1);
    // A negative 64-bit distance.
    high = -1;
    EXPECT_EQ(SetFilePointer(h, -0x1FF, &high, FILE_CURRENT), 0xFFFFFE00u);
    EXPECT_EQ(high, 1);
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_file_pointer_before_the_start_fails_with_negative_seek_and_does_not_move) {
    // "If a new file pointer is a negative value, the function fails, the file pointer is not
    // moved, and the code returned by GetLastError is ERROR_NEGATIVE_SEEK."
    HANDLE h = open(L"\\file.bin", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    ASSERT_EQ(SetFilePointer(h, 5, nullptr, FILE_BEGIN), 5u);
    EXPECT_EQ(SetFilePointer(h, -6, nullptr, FILE_CURRENT), INVALID_SET_FILE_POINTER);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NEGATIVE_SEEK));
    EXPECT_EQ(SetFilePointer(h, -1, nullptr, FILE_BEGIN), INVALID_SET_FILE_POINTER);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NEGATIVE_SEEK));
    LONG high = -1;
    EXPECT_EQ(SetFilePointer(h, -200, &high, FILE_END), INVALID_SET_FILE_POINTER);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NEGATIVE_SEEK));
    EXPECT_EQ(SetFilePointer(h, 0, nullptr, FILE_CURRENT), 5u);
    LARGE_INTEGER distance;
    distance.QuadPart = -1;
    EXPECT_FALSE(SetFilePointerEx(h, distance, nullptr, FILE_BEGIN));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NEGATIVE_SEEK));
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_file_pointer_without_a_high_part_fails_when_the_result_needs_33_bits) {
    // "If lpDistanceToMoveHigh is NULL and the new file position does not fit in a 32-bit value,
    // the function fails and returns INVALID_SET_FILE_POINTER."
    HANDLE h = open(L"\\huge.bin", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    ASSERT_EQ(SetFilePointer(h, 0x20, nullptr, FILE_BEGIN), 0x20u);
    EXPECT_EQ(SetFilePointer(h, 1, nullptr, FILE_END), INVALID_SET_FILE_POINTER);
    EXPECT_NE(GetLastError(), static_cast<DWORD>(NO_ERROR));
    LARGE_INTEGER position{};
    LARGE_INTEGER zero{};
    ASSERT_TRUE(SetFilePointerEx(h, zero, &position, FILE_CURRENT));
    EXPECT_EQ(position.QuadPart, 0x20) << "a failed move leaves the pointer";
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_file_pointer_with_an_unknown_move_method_fails_with_invalid_parameter) {
    HANDLE h = open(L"\\file.bin", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(SetFilePointer(h, 0, nullptr, 3), INVALID_SET_FILE_POINTER);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    LARGE_INTEGER zero{};
    EXPECT_FALSE(SetFilePointerEx(h, zero, nullptr, 7));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    CloseHandle(h);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-setfilepointerex
TEST_F(Win32FilesTest, set_file_pointer_ex_reports_the_new_64_bit_position) {
    HANDLE h = open(L"\\huge.bin", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    LARGE_INTEGER distance, position{};
    distance.QuadPart = -0xFF;
    ASSERT_TRUE(SetFilePointerEx(h, distance, &position, FILE_END));
    EXPECT_EQ(position.QuadPart, 0x1FFFFFF00LL);
    distance.QuadPart = 0x100;
    ASSERT_TRUE(SetFilePointerEx(h, distance, &position, FILE_CURRENT));
    EXPECT_EQ(position.QuadPart, 0x200000000LL);
    distance.QuadPart = 3;
    ASSERT_TRUE(SetFilePointerEx(h, distance, nullptr, FILE_BEGIN));
    ASSERT_TRUE(SetFilePointerEx(h, LARGE_INTEGER{}, &position, FILE_CURRENT));
    EXPECT_EQ(position.QuadPart, 3);
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_file_pointer_on_an_overlapped_handle_keeps_the_position_in_the_file_object) {
    // The I/O manager leaves the position of asynchronous opens to the file system, which keeps it in
    // FileObject->CurrentByteOffset.
    HANDLE h = open(L"\\file.bin", GENERIC_READ, FILE_FLAG_OVERLAPPED);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(SetFilePointer(h, 60, nullptr, FILE_BEGIN), 60u);
    EXPECT_EQ(SetFilePointer(h, 4, nullptr, FILE_CURRENT), 64u);
    CloseHandle(h);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-setendoffile: "Sets the physical
// file size for the specified file to the current position of the file pointer."
TEST_F(Win32FilesTest, set_end_of_file_truncates_and_extends_to_the_file_pointer) {
    HANDLE h = open(L"\\file.bin", GENERIC_READ | GENERIC_WRITE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    ASSERT_EQ(SetFilePointer(h, 42, nullptr, FILE_BEGIN), 42u);
    ASSERT_TRUE(SetEndOfFile(h)) << GetLastError();
    LARGE_INTEGER size{};
    ASSERT_TRUE(GetFileSizeEx(h, &size));
    EXPECT_EQ(size.QuadPart, 42);
    FILE_STANDARD_INFO standard{};
    ASSERT_TRUE(GetFileInformationByHandleEx(h, FileStandardInfo, &standard, sizeof(standard)));
    EXPECT_EQ(standard.EndOfFile.QuadPart, 42);
    EXPECT_EQ(standard.AllocationSize.QuadPart, kClusterSize) << "allocation follows the new end of file";

    ASSERT_EQ(SetFilePointer(h, 10000, nullptr, FILE_BEGIN), 10000u);
    ASSERT_TRUE(SetEndOfFile(h));
    ASSERT_TRUE(GetFileSizeEx(h, &size));
    EXPECT_EQ(size.QuadPart, 10000);
    EXPECT_EQ(SetFilePointer(h, 0, nullptr, FILE_CURRENT), 10000u) << "the pointer does not move";
    CloseHandle(h);
}

TEST_F(Win32FilesTest, set_end_of_file_needs_write_access) {
    // SetEndOfFile: "The handle must be created with the GENERIC_WRITE access right."
    HANDLE h = open(L"\\file.bin", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    ASSERT_EQ(SetFilePointer(h, 1, nullptr, FILE_BEGIN), 1u);
    EXPECT_FALSE(SetEndOfFile(h));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    LARGE_INTEGER size{};
    ASSERT_TRUE(GetFileSizeEx(h, &size));
    EXPECT_EQ(size.QuadPart, 100);
    CloseHandle(h);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-flushfilebuffers: the handle needs
// GENERIC_WRITE. NT fact I10.
TEST_F(Win32FilesTest, flush_file_buffers_sends_a_flush_and_needs_write_access) {
    HANDLE h = open(L"\\file.bin", GENERIC_WRITE);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_TRUE(FlushFileBuffers(h)) << GetLastError();
    EXPECT_EQ(g_state.flushes.load(), 1);
    EXPECT_EQ(g_state.last_flush_minor.load(), 0) << "a plain flush, no IRP_MN_FLUSH_* minor";
    CloseHandle(h);

    h = open(L"\\file.bin", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    EXPECT_FALSE(FlushFileBuffers(h));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_EQ(g_state.flushes.load(), 1);
    CloseHandle(h);
}

TEST_F(Win32FilesTest, flush_file_buffers_on_an_overlapped_handle_returns_when_the_flush_is_done) {
    HANDLE h = open(L"\\file.bin", GENERIC_WRITE, FILE_FLAG_OVERLAPPED);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_TRUE(FlushFileBuffers(h)) << GetLastError();
    EXPECT_EQ(g_state.flushes.load(), 1);
    CloseHandle(h);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getfiletype
TEST_F(Win32FilesTest, get_file_type_follows_the_device_type) {
    HANDLE disk = open(L"\\file.bin", GENERIC_READ);
    ASSERT_NE(disk, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(GetFileType(disk), static_cast<DWORD>(FILE_TYPE_DISK));
    CloseHandle(disk);

    struct Case {
        const wchar_t* path;
        DWORD type;
    };
    const Case cases[] = {
        {L"\\\\.\\W32FsChar", FILE_TYPE_CHAR},
        {L"\\\\.\\W32FsPipe", FILE_TYPE_PIPE},
        {L"\\\\.\\W32FsOther", FILE_TYPE_UNKNOWN},
    };
    for (const Case& c : cases) {
        HANDLE h = CreateFileW(c.path, GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr);
        ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
        SetLastError(ERROR_GEN_FAILURE);
        EXPECT_EQ(GetFileType(h), c.type);
        // "If the function worked properly and FILE_TYPE_UNKNOWN was returned, a call to GetLastError
        // will return NO_ERROR."
        if (c.type == FILE_TYPE_UNKNOWN) {
            EXPECT_EQ(GetLastError(), static_cast<DWORD>(NO_ERROR));
        }
        CloseHandle(h);
    }
}

TEST_F(Win32FilesTest, get_file_type_of_a_bad_handle_is_unknown_with_an_error) {
    EXPECT_EQ(GetFileType(reinterpret_cast<HANDLE>(0x1234)), static_cast<DWORD>(FILE_TYPE_UNKNOWN));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

}  // namespace
}  // namespace ntio::test::win32_files
