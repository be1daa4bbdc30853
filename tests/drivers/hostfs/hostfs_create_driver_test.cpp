// hostfs.sys's IRP_MJ_CREATE through NtCreateFile: the dispositions and their Information values,
// directories and the option flags, a trailing backslash, missing names and paths, case-insensitive
// names, host names Windows cannot spell, share access, FILE_DELETE_ON_CLOSE and the read-only
// attribute, each checked on the host side.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create
#include "hostfs_driver_support.hpp"

namespace ntio::test::drivers {
namespace {

TEST_F(HostfsTest, the_dispositions_make_open_and_replace_files_with_their_information_values) {
    HANDLE h = nullptr;
    ULONG_PTR info = 0;
    ASSERT_EQ(create("/a.txt", &h, FILE_CREATE, GENERIC_WRITE, FILE_NON_DIRECTORY_FILE, 0, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_CREATED));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_TRUE(host_exists("/a.txt"));

    EXPECT_EQ(create("/a.txt", &h, FILE_CREATE, GENERIC_WRITE), STATUS_OBJECT_NAME_COLLISION);
    put_host("/a.txt", "data");
    ASSERT_EQ(create("/a.txt", &h, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_OPENED));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    ASSERT_EQ(create("/a.txt", &h, FILE_OPEN_IF, GENERIC_READ, 0, FILE_SHARE_READ, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_OPENED));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(get_host("/a.txt"), "data");

    ASSERT_EQ(create("/a.txt", &h, FILE_OVERWRITE, GENERIC_WRITE, 0, 0, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_OVERWRITTEN));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(get_host("/a.txt"), "");

    put_host("/a.txt", "again");
    ASSERT_EQ(create("/a.txt", &h, FILE_SUPERSEDE, GENERIC_WRITE, 0, 0, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_SUPERSEDED));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(get_host("/a.txt"), "");

    ASSERT_EQ(create("/b.txt", &h, FILE_OVERWRITE_IF, GENERIC_WRITE, 0, 0, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_CREATED));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    ASSERT_EQ(create("/c.txt", &h, FILE_SUPERSEDE, GENERIC_WRITE, 0, 0, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_CREATED));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(create("/d.txt", &h, FILE_OVERWRITE, GENERIC_WRITE), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_FALSE(host_exists("/d.txt"));
}

TEST_F(HostfsTest, missing_names_and_missing_paths_have_their_own_statuses) {
    HANDLE h = nullptr;
    EXPECT_EQ(create("/missing.txt", &h), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(create("/nodir/x.txt", &h), STATUS_OBJECT_PATH_NOT_FOUND);
    EXPECT_EQ(create("/nodir/x.txt", &h, FILE_CREATE), STATUS_OBJECT_PATH_NOT_FOUND);
    put_host("/file.txt", "x");
    EXPECT_EQ(create("/file.txt/x.txt", &h), STATUS_OBJECT_PATH_NOT_FOUND);
    // Wildcards, empty components and '.' components are invalid names.
    EXPECT_EQ(create("/a*b.txt", &h, FILE_CREATE), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(create("/a//b.txt", &h, FILE_CREATE), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(create("/a:s", &h, FILE_CREATE), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(h, nullptr);
}

TEST_F(HostfsTest, directories_and_the_directory_options) {
    HANDLE h = nullptr;
    ULONG_PTR info = 0;
    ASSERT_EQ(create("/dir", &h, FILE_CREATE, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE, 0, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_CREATED));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    struct stat st;
    ASSERT_EQ(stat(host("/dir").c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));

    EXPECT_EQ(create("/dir", &h, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_FILE_IS_A_DIRECTORY);
    put_host("/f.txt", "x");
    EXPECT_EQ(create("/f.txt", &h, FILE_OPEN, GENERIC_READ, FILE_DIRECTORY_FILE), STATUS_NOT_A_DIRECTORY);
    // A trailing backslash names a directory.
    EXPECT_EQ(create("/f.txt/", &h, FILE_OPEN, GENERIC_READ), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(create("/new.txt/", &h, FILE_CREATE, GENERIC_WRITE), STATUS_OBJECT_NAME_INVALID);
    ASSERT_EQ(create("/dir/", &h, FILE_OPEN, FILE_LIST_DIRECTORY), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    // A directory cannot be overwritten; a new one only with FILE_CREATE or FILE_OPEN_IF.
    // (The I/O manager refuses FILE_DIRECTORY_FILE with another disposition before the driver sees it.)
    EXPECT_EQ(create("/dir", &h, FILE_OVERWRITE_IF, GENERIC_WRITE, 0), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(create("/dir2", &h, FILE_OVERWRITE_IF, GENERIC_WRITE, FILE_DIRECTORY_FILE), STATUS_INVALID_PARAMETER);
    EXPECT_FALSE(host_exists("/dir2"));
    ASSERT_EQ(create("/dir2", &h, FILE_OPEN_IF, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE, 0, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_CREATED));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    // Relative to an open directory.
    HANDLE dir = nullptr;
    ASSERT_EQ(create("/dir", &dir, FILE_OPEN, FILE_LIST_DIRECTORY | FILE_ADD_FILE, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    ASSERT_EQ(create_nt(u"inner.txt", &h, FILE_CREATE, GENERIC_WRITE, 0, 0, &info, 0, dir), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(dir), STATUS_SUCCESS);
    EXPECT_TRUE(host_exists("/dir/inner.txt"));
}

TEST_F(HostfsTest, the_volume_root_opens_as_a_directory_and_cannot_be_replaced) {
    HANDLE h = nullptr;
    ULONG_PTR info = 0;
    ASSERT_EQ(create_nt(u"\\Device\\HostFs\\", &h, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE, 0, &info, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_OPENED));
    FILE_STANDARD_INFORMATION standard{};
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
    EXPECT_TRUE(standard.Directory);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(create_nt(u"\\Device\\HostFs\\", &h, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE, 0, &info, 0),
              STATUS_FILE_IS_A_DIRECTORY);
    EXPECT_EQ(create_nt(u"\\Device\\HostFs\\", &h, FILE_CREATE, GENERIC_READ, FILE_DIRECTORY_FILE, 0, &info, 0),
              STATUS_ACCESS_DENIED);
}

TEST_F(HostfsTest, names_match_host_names_ignoring_case_and_an_exact_spelling_wins) {
    put_host("/MixedCase.txt", "mixed");
    HANDLE h = nullptr;
    ASSERT_EQ(create("/mIXEDcASE.TXT", &h, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    char buffer[16] = {};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(read_at(h, buffer, sizeof(buffer), 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::string(buffer, iosb.Information), "mixed");
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    // FILE_CREATE of another spelling of an existing name is a collision, and makes no second file.
    EXPECT_EQ(create("/MIXEDCASE.TXT", &h, FILE_CREATE, GENERIC_WRITE), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_FALSE(host_exists("/MIXEDCASE.TXT"));

    // Two host names that differ only in case: the exact one, else the lowest in byte order.
    put_host("/ab", "lower");
    put_host("/AB", "upper");
    auto read_name = [&](const std::string& name) {
        HANDLE file = nullptr;
        EXPECT_EQ(create(name, &file, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
        char data[16] = {};
        IO_STATUS_BLOCK status_block{};
        EXPECT_EQ(read_at(file, data, sizeof(data), 0, &status_block), STATUS_SUCCESS);
        EXPECT_EQ(NtClose(file), STATUS_SUCCESS);
        return std::string(data, status_block.Information);
    };
    EXPECT_EQ(read_name("/ab"), "lower");
    EXPECT_EQ(read_name("/AB"), "upper");
    EXPECT_EQ(read_name("/Ab"), "upper");
    // Directories on the way match the same way.
    ASSERT_EQ(mkdir(host("/Sub").c_str(), 0755), 0);
    put_host("/Sub/Inner.txt", "inner");
    EXPECT_EQ(read_name("/SUB/inner.TXT"), "inner");
}

TEST_F(HostfsTest, host_names_windows_cannot_spell_are_not_found) {
    put_host("/with:colon", "x");
    put_host("/bad\x80utf8", "x");
    put_host("/good.txt", "x");
    EXPECT_EQ(list(""), (std::vector<std::string>{".", "..", "good.txt"}));
}

TEST_F(HostfsTest, share_access_is_checked_among_the_opens_of_a_file) {
    put_host("/s.txt", "x");
    HANDLE first = nullptr;
    HANDLE second = nullptr;
    ASSERT_EQ(create("/s.txt", &first, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ), STATUS_SUCCESS);
    EXPECT_EQ(create("/s.txt", &second, FILE_OPEN, GENERIC_WRITE, 0, FILE_SHARE_READ | FILE_SHARE_WRITE),
              STATUS_SHARING_VIOLATION);
    // Another spelling is the same file.
    EXPECT_EQ(create("/S.TXT", &second, FILE_OPEN, GENERIC_WRITE, 0, FILE_SHARE_READ | FILE_SHARE_WRITE),
              STATUS_SHARING_VIOLATION);
    ASSERT_EQ(create("/s.txt", &second, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(second), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(first), STATUS_SUCCESS);
    ASSERT_EQ(create("/s.txt", &second, FILE_OPEN, GENERIC_WRITE, 0, 0), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(second), STATUS_SUCCESS);
}

TEST_F(HostfsTest, delete_on_close_removes_the_host_file_with_the_last_handle) {
    HANDLE h = nullptr;
    HANDLE other = nullptr;
    ASSERT_EQ(create("/gone.txt", &h, FILE_CREATE, GENERIC_WRITE | DELETE, FILE_DELETE_ON_CLOSE,
                     FILE_SHARE_READ | FILE_SHARE_DELETE),
              STATUS_SUCCESS);
    ASSERT_EQ(create("/gone.txt", &other, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    // Delete pending: still there for the open handle, no new opens.
    EXPECT_TRUE(host_exists("/gone.txt"));
    HANDLE third = nullptr;
    EXPECT_EQ(create("/gone.txt", &third, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE),
              STATUS_DELETE_PENDING);
    EXPECT_EQ(NtClose(other), STATUS_SUCCESS);
    EXPECT_FALSE(host_exists("/gone.txt"));
}

TEST_F(HostfsTest, a_file_without_the_owner_write_bit_is_read_only) {
    put_host("/ro.txt", "x");
    ASSERT_EQ(chmod(host("/ro.txt").c_str(), 0444), 0);
    HANDLE h = nullptr;
    EXPECT_EQ(create("/ro.txt", &h, FILE_OPEN, GENERIC_WRITE), STATUS_ACCESS_DENIED);
    EXPECT_EQ(create("/ro.txt", &h, FILE_OVERWRITE_IF, GENERIC_READ), STATUS_ACCESS_DENIED);
    EXPECT_EQ(create("/ro.txt", &h, FILE_OPEN, GENERIC_READ | DELETE, FILE_DELETE_ON_CLOSE), STATUS_CANNOT_DELETE);
    ASSERT_EQ(create("/ro.txt", &h, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(get_host("/ro.txt"), "x");
}

TEST_F(HostfsTest, what_the_host_refuses_is_access_denied) {
    if (geteuid() == 0) GTEST_SKIP() << "the superuser passes every host permission check";
    put_host("/secret.txt", "x");
    ASSERT_EQ(chmod(host("/secret.txt").c_str(), 0200), 0);
    HANDLE h = nullptr;
    EXPECT_EQ(create("/secret.txt", &h, FILE_OPEN, GENERIC_READ), STATUS_ACCESS_DENIED);
}

}  // namespace
}  // namespace ntio::test::drivers
