// Host files through C:, the host file system's volume (hostfs.sys, started with the default
// system): kernel32's file calls on C:\<a temporary host directory>\..., each checked on the host
// side, and the errors Windows gives for names that are missing or taken.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-createfilew
// https://learn.microsoft.com/windows/win32/debug/system-error-codes--0-499-
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include "support/host_directory.hpp"
#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

class HostFilesTest : public Win32Test {
protected:
    void SetUp() override {
        Win32Test::SetUp();
        ASSERT_FALSE(m_dir.path().empty());
    }
    // C:\tmp\ntio-c-...\<name> ("\\x.txt").
    std::u16string dos(const std::string& name = "") const {
        std::u16string path = u"C:";
        for (char c : m_dir.path() + name) path.push_back(c == '/' ? u'\\' : static_cast<char16_t>(c));
        return path;
    }
    static LPCWSTR w(const std::u16string& s) { return reinterpret_cast<LPCWSTR>(s.c_str()); }
    std::string host(const std::string& name) const { return m_dir.host(name); }
    std::string get_host(const std::string& name) const { return m_dir.read(name); }
    bool host_exists(const std::string& name) const { return m_dir.exists(name); }
    HostDirectory m_dir{"ntio-c-"};
};

TEST_F(HostFilesTest, create_write_read_and_delete_a_host_file_through_c) {
    const std::u16string path = dos("\\x.txt");
    Win32Handle file(CreateFileW(w(path), GENERIC_READ | GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL,
                                 nullptr));
    ASSERT_NE(file.get(), INVALID_HANDLE_VALUE) << GetLastError();
    DWORD done = 0;
    ASSERT_TRUE(WriteFile(file, "from win32", 10, &done, nullptr));
    EXPECT_EQ(done, 10u);
    EXPECT_EQ(get_host("/x.txt"), "from win32");
    LARGE_INTEGER size{};
    ASSERT_TRUE(GetFileSizeEx(file, &size));
    EXPECT_EQ(size.QuadPart, 10);
    LARGE_INTEGER start{};
    ASSERT_TRUE(SetFilePointerEx(file, start, nullptr, FILE_BEGIN));
    char buffer[32] = {};
    ASSERT_TRUE(ReadFile(file, buffer, sizeof(buffer), &done, nullptr));
    EXPECT_EQ(std::string(buffer, done), "from win32");
    // At the end: success with nothing read.
    ASSERT_TRUE(ReadFile(file, buffer, sizeof(buffer), &done, nullptr));
    EXPECT_EQ(done, 0u);
    file.reset();

    // CREATE_NEW of a name that exists, in any case.
    SetLastError(0);
    EXPECT_EQ(CreateFileW(w(dos("\\X.TXT")), GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_EXISTS));
    // CREATE_ALWAYS of an existing file: opened, and ERROR_ALREADY_EXISTS says so.
    Win32Handle again(CreateFileW(w(dos("\\X.TXT")), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr));
    ASSERT_NE(again.get(), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ALREADY_EXISTS));
    again.reset();
    EXPECT_EQ(get_host("/x.txt"), "");

    ASSERT_TRUE(DeleteFileW(w(path))) << GetLastError();
    EXPECT_FALSE(host_exists("/x.txt"));
    EXPECT_FALSE(DeleteFileW(w(path)));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
}

TEST_F(HostFilesTest, missing_files_and_missing_directories_have_their_errors) {
    EXPECT_EQ(CreateFileW(w(dos("\\none.txt")), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(CreateFileW(w(dos("\\nodir\\none.txt")), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_PATH_NOT_FOUND));
    EXPECT_EQ(GetFileAttributesW(w(dos("\\none.txt"))), INVALID_FILE_ATTRIBUTES);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(CreateFileW(w(dos("\\bad|name")), GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_NAME));
}

TEST_F(HostFilesTest, attributes_of_host_files_and_directories) {
    { std::ofstream(host("/a.bin")) << "12345"; }
    WIN32_FILE_ATTRIBUTE_DATA data{};
    ASSERT_TRUE(GetFileAttributesExW(w(dos("\\A.BIN")), GetFileExInfoStandard, &data)) << GetLastError();
    EXPECT_EQ(data.dwFileAttributes, DWORD(FILE_ATTRIBUTE_ARCHIVE));
    EXPECT_EQ(data.nFileSizeLow, 5u);
    EXPECT_EQ(data.nFileSizeHigh, 0u);
    ASSERT_EQ(chmod(host("/a.bin").c_str(), 0444), 0);
    EXPECT_EQ(GetFileAttributesW(w(dos("\\a.bin"))), DWORD(FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_READONLY));
    // A read-only file is not deleted.
    EXPECT_FALSE(DeleteFileW(w(dos("\\a.bin"))));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    EXPECT_TRUE(host_exists("/a.bin"));
    EXPECT_EQ(GetFileAttributesW(w(dos(""))), DWORD(FILE_ATTRIBUTE_DIRECTORY));
}

TEST_F(HostFilesTest, directories_are_made_listed_and_removed) {
    ASSERT_TRUE(CreateDirectoryW(w(dos("\\sub")), nullptr)) << GetLastError();
    struct stat st;
    ASSERT_EQ(stat(host("/sub").c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_FALSE(CreateDirectoryW(w(dos("\\SUB")), nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ALREADY_EXISTS));
    { std::ofstream(host("/sub/one.txt")) << "1"; }
    { std::ofstream(host("/sub/two.txt")) << "22"; }
    { std::ofstream(host("/sub/three.dat")) << "333"; }

    WIN32_FIND_DATAW found{};
    HANDLE find = FindFirstFileW(w(dos("\\sub\\*.TXT")), &found);
    ASSERT_NE(find, INVALID_HANDLE_VALUE) << GetLastError();
    std::vector<std::u16string> names;
    do {
        names.emplace_back(reinterpret_cast<const char16_t*>(found.cFileName));
    } while (FindNextFileW(find, &found));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NO_MORE_FILES));
    EXPECT_TRUE(FindClose(find));
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::u16string>{u"one.txt", u"two.txt"}));
    EXPECT_EQ(FindFirstFileW(w(dos("\\sub\\*.none")), &found), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));

    EXPECT_FALSE(RemoveDirectoryW(w(dos("\\sub"))));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_DIR_NOT_EMPTY));
    ASSERT_TRUE(DeleteFileW(w(dos("\\sub\\one.txt"))));
    ASSERT_TRUE(DeleteFileW(w(dos("\\sub\\two.txt"))));
    ASSERT_TRUE(DeleteFileW(w(dos("\\sub\\three.dat"))));
    ASSERT_TRUE(RemoveDirectoryW(w(dos("\\sub")))) << GetLastError();
    EXPECT_FALSE(host_exists("/sub"));
}

TEST_F(HostFilesTest, move_file_renames_on_the_host_and_replaces_only_when_asked) {
    { std::ofstream(host("/from.txt")) << "moved"; }
    { std::ofstream(host("/taken.txt")) << "taken"; }
    ASSERT_TRUE(MoveFileExW(w(dos("\\from.txt")), w(dos("\\to.txt")), 0)) << GetLastError();
    EXPECT_FALSE(host_exists("/from.txt"));
    EXPECT_EQ(get_host("/to.txt"), "moved");
    EXPECT_FALSE(MoveFileExW(w(dos("\\to.txt")), w(dos("\\taken.txt")), 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ALREADY_EXISTS));
    ASSERT_TRUE(MoveFileExW(w(dos("\\to.txt")), w(dos("\\taken.txt")), MOVEFILE_REPLACE_EXISTING)) << GetLastError();
    EXPECT_EQ(get_host("/taken.txt"), "moved");
    EXPECT_FALSE(MoveFileExW(w(dos("\\none.txt")), w(dos("\\x.txt")), 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
}

TEST_F(HostFilesTest, c_is_a_fixed_volume_with_a_name_and_free_space) {
    EXPECT_EQ(GetDriveTypeW(L"C:\\"), UINT(DRIVE_FIXED));
    WCHAR file_system[MAX_PATH] = {};
    DWORD serial = 0, max_component = 0, flags = 0;
    ASSERT_TRUE(GetVolumeInformationW(L"C:\\", nullptr, 0, &serial, &max_component, &flags, file_system, MAX_PATH))
        << GetLastError();
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(file_system)), u"HostFS");
    EXPECT_EQ(max_component, 255u);
    EXPECT_EQ(flags, DWORD(FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK));
    ULARGE_INTEGER caller_free{}, total{}, total_free{};
    ASSERT_TRUE(GetDiskFreeSpaceExW(L"C:\\", &caller_free, &total, &total_free)) << GetLastError();
    EXPECT_GT(total.QuadPart, 0u);
    EXPECT_LE(caller_free.QuadPart, total.QuadPart);
    EXPECT_LE(total_free.QuadPart, total.QuadPart);
}

}  // namespace
}  // namespace ntio::test
