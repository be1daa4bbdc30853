// fastfat.sys through kernel32 on a drive letter (\??\X: linked to the RAM disk, as the mount
// manager would link a volume): CreateFileW, WriteFile / ReadFile with the file pointer, the EOF
// rules (NT facts I1, I2), FindFirstFileW / FindNextFileW, DeleteFileW and ReadDirectoryChangesW; and a
// create / write / read / rename / delete sequence with the driver under the I/O verifier.
#include "fastfat_win32_support.hpp"

#include <algorithm>

namespace ntio::test::drivers {
namespace {

TEST_F(FastFatWin32Test, files_through_kernel32_on_a_drive_letter) {
    HANDLE h = CreateFileW(L"X:\\notes.txt", GENERIC_READ | GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    const char text[] = "written through kernel32";
    DWORD done = 0;
    ASSERT_TRUE(WriteFile(h, text, sizeof(text) - 1, &done, nullptr));
    EXPECT_EQ(done, sizeof(text) - 1);
    // The file pointer moved: a read now is at the end (NT fact I1: TRUE with 0 bytes).
    char back[64] = {};
    ASSERT_TRUE(ReadFile(h, back, sizeof(back), &done, nullptr));
    EXPECT_EQ(done, 0u);
    // NT fact I2: with an OVERLAPPED at the end, FALSE and ERROR_HANDLE_EOF.
    OVERLAPPED at_end{};
    at_end.Offset = sizeof(text) - 1;
    EXPECT_FALSE(ReadFile(h, back, sizeof(back), &done, &at_end));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_HANDLE_EOF));
    ASSERT_EQ(SetFilePointer(h, 0, nullptr, FILE_BEGIN), 0u);
    ASSERT_TRUE(ReadFile(h, back, sizeof(back), &done, nullptr));
    EXPECT_EQ(std::string(back, done), text);
    LARGE_INTEGER size{};
    ASSERT_TRUE(GetFileSizeEx(h, &size));
    EXPECT_EQ(size.QuadPart, LONGLONG(sizeof(text) - 1));
    EXPECT_TRUE(FlushFileBuffers(h));
    // Opened without sharing: a second open is a sharing violation.
    EXPECT_EQ(CreateFileW(L"X:\\notes.txt", GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_SHARING_VIOLATION));
    EXPECT_TRUE(CloseHandle(h));
    EXPECT_EQ(CreateFileW(L"X:\\notes.txt", GENERIC_READ, 0, nullptr, CREATE_NEW, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_EXISTS));
    EXPECT_EQ(CreateFileW(L"X:\\missing\\x.txt", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_PATH_NOT_FOUND));

    for (const wchar_t* name : {L"X:\\a.dat", L"X:\\b.dat", L"X:\\c.txt"}) {
        HANDLE f = CreateFileW(name, GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr);
        ASSERT_NE(f, INVALID_HANDLE_VALUE);
        EXPECT_TRUE(CloseHandle(f));
    }
    WIN32_FIND_DATAW found{};
    HANDLE find = FindFirstFileW(L"X:\\*.dat", &found);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    std::vector<std::string> names;
    do {
        names.push_back(fat::narrow(reinterpret_cast<const WCHAR*>(found.cFileName),
                                    std::char_traits<char16_t>::length(reinterpret_cast<const char16_t*>(found.cFileName))));
    } while (FindNextFileW(find, &found));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NO_MORE_FILES));
    EXPECT_TRUE(FindClose(find));
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"a.dat", "b.dat"}));
    EXPECT_EQ(FindFirstFileW(L"X:\\*.none", &found), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));

    EXPECT_TRUE(DeleteFileW(L"X:\\b.dat"));
    EXPECT_FALSE(DeleteFileW(L"X:\\b.dat"));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mdir_tree(m_image), (std::vector<std::string>{"a.dat", "c.txt", "notes.txt"}));
    std::string expected(text);
    EXPECT_EQ(fat::mtype(m_image, "notes.txt"), std::vector<uint8_t>(expected.begin(), expected.end()));
}

TEST_F(FastFatWin32Test, directories_and_moves_through_kernel32) {
    ASSERT_TRUE(CreateDirectoryW(L"X:\\docs", nullptr)) << GetLastError();
    EXPECT_FALSE(CreateDirectoryW(L"X:\\docs", nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ALREADY_EXISTS));
    const std::pair<const wchar_t*, const char*> files[] = {{L"X:\\draft.txt", "draft"}, {L"X:\\other.txt", "other"}};
    for (const auto& [name, content] : files) {
        HANDLE f = CreateFileW(name, GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr);
        ASSERT_NE(f, INVALID_HANDLE_VALUE);
        DWORD done = 0;
        EXPECT_TRUE(WriteFile(f, content, 5, &done, nullptr));
        EXPECT_TRUE(CloseHandle(f));
    }
    // Into the directory under a new name; over an existing file only with MOVEFILE_REPLACE_EXISTING.
    EXPECT_TRUE(MoveFileW(L"X:\\draft.txt", L"X:\\docs\\final.txt")) << GetLastError();
    EXPECT_FALSE(MoveFileW(L"X:\\other.txt", L"X:\\docs\\final.txt"));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ALREADY_EXISTS));
    EXPECT_TRUE(MoveFileExW(L"X:\\other.txt", L"X:\\docs\\final.txt", MOVEFILE_REPLACE_EXISTING)) << GetLastError();
    EXPECT_FALSE(MoveFileW(L"X:\\gone.txt", L"X:\\docs\\x.txt"));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
    // A directory that is not empty stays; an empty one goes.
    EXPECT_FALSE(RemoveDirectoryW(L"X:\\docs"));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_DIR_NOT_EMPTY));
    ASSERT_TRUE(CreateDirectoryW(L"X:\\empty", nullptr));
    EXPECT_TRUE(RemoveDirectoryW(L"X:\\empty")) << GetLastError();
    // A directory moves too.
    EXPECT_TRUE(MoveFileW(L"X:\\docs", L"X:\\papers")) << GetLastError();
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mdir_tree(m_image), (std::vector<std::string>{"papers/", "papers/final.txt"}));
    std::vector<uint8_t> final_data = fat::mtype(m_image, "papers/final.txt");
    EXPECT_EQ(std::string(final_data.begin(), final_data.end()), "other");
}

TEST_F(FastFatWin32Test, read_directory_changes_sees_a_new_file) {
    HANDLE dir = CreateFileW(L"X:\\", FILE_LIST_DIRECTORY, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                             nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, nullptr);
    ASSERT_NE(dir, INVALID_HANDLE_VALUE) << GetLastError();
    alignas(8) BYTE buffer[1024];
    OVERLAPPED overlapped{};
    overlapped.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    ASSERT_NE(overlapped.hEvent, nullptr);
    ASSERT_TRUE(ReadDirectoryChangesW(dir, buffer, sizeof(buffer), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME, nullptr,
                                      &overlapped, nullptr));
    HANDLE f = CreateFileW(L"X:\\watched.txt", GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr);
    ASSERT_NE(f, INVALID_HANDLE_VALUE);
    EXPECT_TRUE(CloseHandle(f));
    DWORD bytes = 0;
    ASSERT_TRUE(GetOverlappedResult(dir, &overlapped, &bytes, TRUE)) << GetLastError();
    ASSERT_GT(bytes, 0u);
    auto* record = reinterpret_cast<FILE_NOTIFY_INFORMATION*>(buffer);
    EXPECT_EQ(record->Action, DWORD(FILE_ACTION_ADDED));
    EXPECT_EQ(fat::narrow(reinterpret_cast<const WCHAR*>(record->FileName), record->FileNameLength / 2), "watched.txt");
    EXPECT_TRUE(CloseHandle(overlapped.hEvent));
    EXPECT_TRUE(CloseHandle(dir));
}

// The I/O verifier watches fastfat.sys through a create / write / read / rename / delete sequence
// and finds nothing to flag (a flagged rule would stop the test with a bugcheck).
TEST_F(FastFatTest, a_file_lifecycle_under_the_verifier_is_not_flagged) {
    format({32, 40000, 1, 512, ""}, /*verified=*/true);
    UNICODE_STRING driver_name = RTL_CONSTANT_STRING(L"\\Driver\\Fastfat");
    PVOID driver = nullptr;
    ASSERT_EQ(ObReferenceObjectByName(&driver_name, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDriverObjectType, KernelMode,
                                      nullptr, &driver),
              STATUS_SUCCESS);
    EXPECT_EQ(NtioVerifierQueryFlags(static_cast<PDRIVER_OBJECT>(driver)), NTIO_VERIFIER_STANDARD_FLAGS);
    ObDereferenceObject(driver);

    HANDLE h = nullptr;
    ASSERT_EQ(create("\\dir", &h, FILE_CREATE, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    std::vector<uint8_t> data = fat::pattern(100000, 5);
    put_file("\\dir\\file.bin", data);
    EXPECT_EQ(get_file("\\dir\\file.bin"), data);
    ASSERT_EQ(create("\\dir\\file.bin", &h, FILE_OPEN, DELETE | GENERIC_READ), STATUS_SUCCESS);
    std::u16string target = u"renamed.bin";
    std::vector<uint8_t> info(sizeof(FILE_RENAME_INFORMATION) + target.size() * 2);
    auto* rename = reinterpret_cast<PFILE_RENAME_INFORMATION>(info.data());
    rename->FileNameLength = ULONG(target.size() * 2);
    std::memcpy(rename->FileName, target.data(), rename->FileNameLength);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtSetInformationFile(h, &iosb, rename, ULONG(info.size()), FileRenameInformation), STATUS_SUCCESS);
    FILE_DISPOSITION_INFORMATION disposition{TRUE};
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(list("\\dir"), (std::vector<std::string>{".", ".."}));
    unmount();
    expect_fsck_clean();
}

}  // namespace
}  // namespace ntio::test::drivers
