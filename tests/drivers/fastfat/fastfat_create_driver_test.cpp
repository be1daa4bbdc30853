// fastfat.sys create, cleanup and close through NtCreateFile: dispositions and their information
// codes (NT fact K8), directory and non-directory opens, relative opens, names FAT cannot hold,
// share access (NT fact N1), delete-on-close and disposition, read-only files.
#include "fastfat_driver_support.hpp"

namespace ntio::test::drivers {
namespace {

class FastFatCreateTest : public FastFatTest {
protected:
    void SetUp() override {
        FastFatTest::SetUp();
        if (IsSkipped()) return;
        format({12, 1024, 1, 512, "CREATE"});
    }
};

// NT fact K8: each disposition's result and IOSB.Information on a file system.
TEST_F(FastFatCreateTest, K8_dispositions_and_their_information_codes) {
    HANDLE h = nullptr;
    ULONG_PTR info = 0;
    EXPECT_EQ(create("\\k8.txt", &h, FILE_OPEN, GENERIC_READ, 0, 0, &info), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(create("\\k8.txt", &h, FILE_OVERWRITE, GENERIC_WRITE, 0, 0, &info), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(create("\\k8.txt", &h, FILE_CREATE, GENERIC_WRITE, 0, 0, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_CREATED));
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(h, "hello", 5, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(create("\\k8.txt", &h, FILE_CREATE, GENERIC_WRITE, 0, 0, &info), STATUS_OBJECT_NAME_COLLISION);

    struct Case {
        ULONG disposition;
        ULONG_PTR expected;
        bool truncates;
    } cases[] = {{FILE_OPEN, FILE_OPENED, false},
                 {FILE_OPEN_IF, FILE_OPENED, false},
                 {FILE_OVERWRITE, FILE_OVERWRITTEN, true},
                 {FILE_OVERWRITE_IF, FILE_OVERWRITTEN, true},
                 {FILE_SUPERSEDE, FILE_SUPERSEDED, true}};
    for (const Case& c : cases) {
        put_file("\\k8.txt", {1, 2, 3, 4, 5});
        ASSERT_EQ(create("\\k8.txt", &h, c.disposition, GENERIC_READ | GENERIC_WRITE, 0, 0, &info), STATUS_SUCCESS)
            << c.disposition;
        EXPECT_EQ(info, c.expected) << c.disposition;
        FILE_STANDARD_INFORMATION standard{};
        EXPECT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
        EXPECT_EQ(standard.EndOfFile.QuadPart, c.truncates ? 0 : 5) << c.disposition;
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    }
    ASSERT_EQ(create("\\new_if.txt", &h, FILE_OPEN_IF, GENERIC_READ, 0, 0, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_CREATED));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    ASSERT_EQ(create("\\new_ow.txt", &h, FILE_OVERWRITE_IF, GENERIC_WRITE, 0, 0, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_CREATED));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    ASSERT_EQ(create("\\new_su.txt", &h, FILE_SUPERSEDE, GENERIC_WRITE, 0, 0, &info), STATUS_SUCCESS);
    EXPECT_EQ(info, ULONG_PTR(FILE_CREATED));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    // A trailing backslash with FILE_CREATE names a directory: without FILE_DIRECTORY_FILE it is invalid.
    EXPECT_EQ(create("\\trail\\", &h, FILE_CREATE, GENERIC_WRITE, 0, 0, &info), STATUS_OBJECT_NAME_INVALID);
    ASSERT_EQ(create("\\trail\\", &h, FILE_CREATE, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE, 0, &info), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mdir_tree(m_image),
              (std::vector<std::string>{"k8.txt", "new_if.txt", "new_ow.txt", "new_su.txt", "trail/"}));
}

TEST_F(FastFatCreateTest, directories_and_files_are_told_apart) {
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\dir", &h, FILE_CREATE, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    put_file("\\file.txt", {9});
    EXPECT_EQ(create("\\dir", &h, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_FILE_IS_A_DIRECTORY);
    EXPECT_EQ(create("\\file.txt", &h, FILE_OPEN, GENERIC_READ, FILE_DIRECTORY_FILE), STATUS_NOT_A_DIRECTORY);
    EXPECT_EQ(create("\\file.txt\\", &h, FILE_OPEN, GENERIC_READ), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(create("\\dir", &h, FILE_OVERWRITE_IF, GENERIC_WRITE), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(create("\\file.txt\\below", &h, FILE_OPEN, GENERIC_READ), STATUS_OBJECT_PATH_NOT_FOUND);
    EXPECT_EQ(create("\\missing\\below", &h, FILE_OPEN_IF, GENERIC_READ), STATUS_OBJECT_PATH_NOT_FOUND);
    EXPECT_EQ(create("\\bad*name", &h, FILE_CREATE, GENERIC_WRITE), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(create("\\stream:x", &h, FILE_CREATE, GENERIC_WRITE), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(create("\\dir\\..", &h, FILE_OPEN, GENERIC_READ), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(create("\\" + std::string(256, 'n'), &h, FILE_CREATE, GENERIC_WRITE), STATUS_OBJECT_NAME_INVALID);
    // The root opens as a directory and cannot be overwritten.
    ASSERT_EQ(create("\\", &h, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(create("\\", &h, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_FILE_IS_A_DIRECTORY);

    // Relative to an open directory.
    HANDLE dir = nullptr;
    ASSERT_EQ(create("\\dir", &dir, FILE_OPEN, FILE_LIST_DIRECTORY | FILE_ADD_FILE, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    std::u16string child = u"Child.TXT";
    UNICODE_STRING child_name = unicode(child);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &child_name, OBJ_CASE_INSENSITIVE, dir, nullptr);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtCreateFile(&h, GENERIC_WRITE | SYNCHRONIZE, &oa, &iosb, nullptr, 0, 0, FILE_CREATE,
                           FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0),
              STATUS_SUCCESS);
    alignas(8) UCHAR name_buffer[256];
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, name_buffer, sizeof(name_buffer), FileNameInformation), STATUS_SUCCESS);
    auto* name = reinterpret_cast<PFILE_NAME_INFORMATION>(name_buffer);
    EXPECT_EQ(fat::narrow(name->FileName, name->FileNameLength / 2), "\\dir\\Child.TXT");
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(dir), STATUS_SUCCESS);
    EXPECT_EQ(get_file("\\DIR\\child.txt").size(), 0u);  // case-insensitive
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mdir_tree(m_image), (std::vector<std::string>{"dir/", "dir/Child.TXT", "file.txt"}));
}

// NT fact N1: only read, write and delete access take part; a second open fails iff its access
// meets the first's share (or the other way round).
TEST_F(FastFatCreateTest, N1_share_access_between_two_opens) {
    put_file("\\shared.txt", {1});
    struct Open {
        ACCESS_MASK access;
        ULONG share;
    };
    const Open opens[] = {{FILE_READ_DATA, FILE_SHARE_READ},
                          {FILE_READ_DATA, 0},
                          {FILE_WRITE_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE},
                          {FILE_APPEND_DATA, FILE_SHARE_WRITE},
                          {DELETE, FILE_SHARE_READ},
                          {DELETE, FILE_SHARE_DELETE | FILE_SHARE_READ | FILE_SHARE_WRITE},
                          {FILE_READ_ATTRIBUTES, 0},
                          {FILE_EXECUTE, FILE_SHARE_READ}};
    auto conflicts = [](const Open& held, const Open& next) {
        auto reads = [](ACCESS_MASK a) { return (a & (FILE_READ_DATA | FILE_EXECUTE)) != 0; };
        auto writes = [](ACCESS_MASK a) { return (a & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0; };
        auto deletes = [](ACCESS_MASK a) { return (a & DELETE) != 0; };
        auto data = [&](ACCESS_MASK a) { return reads(a) || writes(a) || deletes(a); };
        if (!data(held.access) || !data(next.access)) return false;
        auto against = [&](const Open& a, const Open& b) {
            return (reads(a.access) && !(b.share & FILE_SHARE_READ)) ||
                   (writes(a.access) && !(b.share & FILE_SHARE_WRITE)) ||
                   (deletes(a.access) && !(b.share & FILE_SHARE_DELETE));
        };
        return against(held, next) || against(next, held);
    };
    for (const Open& first : opens) {
        for (const Open& second : opens) {
            HANDLE a = nullptr, b = nullptr;
            ASSERT_EQ(create("\\shared.txt", &a, FILE_OPEN, first.access, 0, first.share), STATUS_SUCCESS);
            NTSTATUS status = create("\\shared.txt", &b, FILE_OPEN, second.access, 0, second.share);
            EXPECT_EQ(status, conflicts(first, second) ? STATUS_SHARING_VIOLATION : STATUS_SUCCESS)
                << std::hex << first.access << "/" << first.share << " then " << second.access << "/" << second.share;
            if (b) {
                EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
            }
            EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
        }
    }
    // The share of a closed handle no longer counts.
    HANDLE a = nullptr;
    ASSERT_EQ(create("\\shared.txt", &a, FILE_OPEN, FILE_READ_DATA, 0, 0), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    ASSERT_EQ(create("\\shared.txt", &a, FILE_OPEN, FILE_WRITE_DATA, 0, 0), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
}

TEST_F(FastFatCreateTest, delete_on_close_and_disposition_delete_at_the_last_handle) {
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\doc.txt", &h, FILE_CREATE, GENERIC_WRITE | DELETE, FILE_DELETE_ON_CLOSE,
                     FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE),
              STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(h, "gone", 4, 0, &iosb), STATUS_SUCCESS);
    HANDLE other = nullptr;
    ASSERT_EQ(create("\\doc.txt", &other, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    // Marked for deletion: new opens fail, the open handle still works.
    EXPECT_EQ(create("\\doc.txt", &h, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE),
              STATUS_DELETE_PENDING);
    FILE_STANDARD_INFORMATION standard{};
    EXPECT_EQ(NtQueryInformationFile(other, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
    EXPECT_TRUE(standard.DeletePending);
    EXPECT_EQ(NtClose(other), STATUS_SUCCESS);
    EXPECT_EQ(create("\\doc.txt", &h, FILE_OPEN, GENERIC_READ), STATUS_OBJECT_NAME_NOT_FOUND);

    // FileDispositionInformation, set and cleared again.
    put_file("\\keep.txt", {1, 2});
    put_file("\\drop.txt", {3, 4});
    FILE_DISPOSITION_INFORMATION disposition{TRUE};
    ASSERT_EQ(create("\\keep.txt", &h, FILE_OPEN, DELETE), STATUS_SUCCESS);
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation), STATUS_SUCCESS);
    disposition.DeleteFile = FALSE;
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    disposition.DeleteFile = TRUE;
    ASSERT_EQ(create("\\drop.txt", &h, FILE_OPEN, DELETE), STATUS_SUCCESS);
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    // A directory that is not empty cannot be marked; the root never.
    ASSERT_EQ(create("\\full", &h, FILE_CREATE, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    put_file("\\full\\inner.txt", {5});
    ASSERT_EQ(create("\\full", &h, FILE_OPEN, DELETE, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation),
              STATUS_DIRECTORY_NOT_EMPTY);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    ASSERT_EQ(create("\\", &h, FILE_OPEN, DELETE, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation),
              STATUS_CANNOT_DELETE);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mdir_tree(m_image), (std::vector<std::string>{"full/", "full/inner.txt", "keep.txt"}));
}

TEST_F(FastFatCreateTest, read_only_files_refuse_writers_and_deletion) {
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\ro.txt", &h, FILE_CREATE, GENERIC_WRITE, 0, 0, nullptr, FILE_ATTRIBUTE_READONLY), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(create("\\ro.txt", &h, FILE_OPEN, GENERIC_WRITE), STATUS_ACCESS_DENIED);
    EXPECT_EQ(create("\\ro.txt", &h, FILE_OVERWRITE, GENERIC_READ), STATUS_ACCESS_DENIED);
    EXPECT_EQ(create("\\ro.txt", &h, FILE_OPEN, GENERIC_READ | DELETE, FILE_DELETE_ON_CLOSE), STATUS_CANNOT_DELETE);
    ASSERT_EQ(create("\\ro.txt", &h, FILE_OPEN, GENERIC_READ | DELETE), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    FILE_BASIC_INFORMATION basic{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
    EXPECT_EQ(basic.FileAttributes & (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_ARCHIVE),
              ULONG(FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_ARCHIVE));
    FILE_DISPOSITION_INFORMATION disposition{TRUE};
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation),
              STATUS_CANNOT_DELETE);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::drivers
