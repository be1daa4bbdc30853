// hostfs.sys's IRP_MN_QUERY_DIRECTORY through NtQueryDirectoryFile: "." and "..", search masks
// matched without case, restart and single-entry scans, the end statuses, entries 8-byte aligned, a
// first entry too big for the buffer, and the classes' fields against the host.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-query-directory
#include "hostfs_driver_support.hpp"

namespace ntio::test::drivers {
namespace {

TEST_F(HostfsTest, a_directory_lists_dot_entries_and_its_host_names) {
    put_host("/one.txt", "1");
    put_host("/Two.TXT", "22");
    put_host("/three.dat", "333");
    ASSERT_EQ(mkdir(host("/four").c_str(), 0755), 0);
    EXPECT_EQ(list(""), (std::vector<std::string>{".", "..", "Two.TXT", "four", "one.txt", "three.dat"}));
    EXPECT_EQ(list("", "*.txt"), (std::vector<std::string>{"Two.TXT", "one.txt"}));
    EXPECT_EQ(list("", "T*"), (std::vector<std::string>{"Two.TXT", "three.dat"}));
    EXPECT_EQ(list("", "ONE.TXT"), (std::vector<std::string>{"one.txt"}));
    EXPECT_EQ(list("/four"), (std::vector<std::string>{".", ".."}));
}

// NTFS keeps a directory's names in the order of their upcased values ("B.TXT" before "B2": '.' is 0x2E).
TEST_F(HostfsTest, names_list_in_upcased_order_after_the_dot_entries) {
    for (const char* name : {"/b.txt", "/_x", "/A.txt", "/c.txt", "/B2"}) put_host(name, "x");
    HANDLE h = nullptr;
    ASSERT_EQ(create("", &h, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    std::vector<ULONGLONG> buffer(512);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer.data(), 4096, FileNamesInformation,
                                   FALSE, nullptr, FALSE),
              STATUS_SUCCESS);
    std::vector<std::string> names;
    const auto* bytes = reinterpret_cast<const uint8_t*>(buffer.data());
    for (size_t at = 0;;) {
        auto* entry = reinterpret_cast<const FILE_NAMES_INFORMATION*>(bytes + at);
        std::string name;
        for (ULONG i = 0; i < entry->FileNameLength / 2; ++i) name.push_back(static_cast<char>(entry->FileName[i]));
        names.push_back(name);
        if (!entry->NextEntryOffset) break;
        at += entry->NextEntryOffset;
    }
    EXPECT_EQ(names, (std::vector<std::string>{".", "..", "A.txt", "b.txt", "B2", "c.txt", "_x"}));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(HostfsTest, the_end_statuses_restart_and_single_entries) {
    put_host("/a.txt", "a");
    put_host("/b.txt", "b");
    HANDLE h = nullptr;
    ASSERT_EQ(create("", &h, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    std::vector<ULONGLONG> buffer(128);
    IO_STATUS_BLOCK iosb{};
    std::u16string none = u"*.none";
    UNICODE_STRING none_mask = unicode(none);
    // Nothing matches on the first query: no such file; after that, no more files.
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer.data(), 1024, FileNamesInformation,
                                   FALSE, &none_mask, FALSE),
              STATUS_NO_SUCH_FILE);
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer.data(), 1024, FileNamesInformation,
                                   FALSE, nullptr, FALSE),
              STATUS_NO_MORE_FILES);
    // A restart with a new mask, one entry at a time.
    std::u16string txt = u"*.TXT";
    UNICODE_STRING txt_mask = unicode(txt);
    std::vector<std::string> seen;
    NTSTATUS status = NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer.data(), 1024,
                                           FileNamesInformation, TRUE, &txt_mask, TRUE);
    while (status == STATUS_SUCCESS) {
        auto* entry = reinterpret_cast<FILE_NAMES_INFORMATION*>(buffer.data());
        EXPECT_EQ(entry->NextEntryOffset, 0u);
        EXPECT_EQ(iosb.Information, FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName) + entry->FileNameLength);
        std::string name;
        for (ULONG i = 0; i < entry->FileNameLength / 2; ++i) name.push_back(static_cast<char>(entry->FileName[i]));
        seen.push_back(name);
        status = NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer.data(), 1024, FileNamesInformation,
                                      TRUE, nullptr, FALSE);
    }
    EXPECT_EQ(status, STATUS_NO_MORE_FILES);
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (std::vector<std::string>{"a.txt", "b.txt"}));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(HostfsTest, a_first_entry_bigger_than_the_buffer_overflows_with_what_fits) {
    put_host("/a-rather-long-file-name-for-a-small-buffer.txt", "x");
    HANDLE h = nullptr;
    ASSERT_EQ(create("", &h, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    std::u16string mask = u"a-*";
    UNICODE_STRING mask_string = unicode(mask);
    std::vector<ULONGLONG> buffer(16);
    const ULONG length = FIELD_OFFSET(FILE_DIRECTORY_INFORMATION, FileName) + 8;
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer.data(), length,
                                   FileDirectoryInformation, FALSE, &mask_string, FALSE),
              STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(iosb.Information, length);
    auto* entry = reinterpret_cast<FILE_DIRECTORY_INFORMATION*>(buffer.data());
    EXPECT_EQ(entry->FileNameLength, 46u * sizeof(WCHAR));
    EXPECT_EQ(entry->FileName[0], L'a');
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(HostfsTest, the_entry_classes_carry_sizes_attributes_and_the_host_inode) {
    put_host("/sized.bin", std::string(1000, 'x'));
    ASSERT_EQ(mkdir(host("/sub").c_str(), 0755), 0);
    struct stat st;
    ASSERT_EQ(stat(host("/sized.bin").c_str(), &st), 0);
    HANDLE h = nullptr;
    ASSERT_EQ(create("", &h, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    std::vector<ULONGLONG> buffer(512);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer.data(), 4096,
                                   FileIdBothDirectoryInformation, FALSE, nullptr, FALSE),
              STATUS_SUCCESS);
    const auto* bytes = reinterpret_cast<const uint8_t*>(buffer.data());
    bool found_file = false, found_dir = false;
    for (size_t at = 0;;) {
        EXPECT_EQ(at % 8, 0u);
        auto* entry = reinterpret_cast<const FILE_ID_BOTH_DIR_INFORMATION*>(bytes + at);
        std::u16string name(reinterpret_cast<const char16_t*>(entry->FileName), entry->FileNameLength / 2);
        EXPECT_EQ(entry->ShortNameLength, 0);
        if (name == u"sized.bin") {
            found_file = true;
            EXPECT_EQ(entry->EndOfFile.QuadPart, 1000);
            EXPECT_EQ(entry->FileAttributes, ULONG(FILE_ATTRIBUTE_ARCHIVE));
            EXPECT_EQ(ULONGLONG(entry->FileId.QuadPart), ULONGLONG(st.st_ino));
        } else if (name == u"sub") {
            found_dir = true;
            EXPECT_EQ(entry->FileAttributes, ULONG(FILE_ATTRIBUTE_DIRECTORY));
            EXPECT_EQ(entry->EndOfFile.QuadPart, 0);
        }
        if (!entry->NextEntryOffset) break;
        at += entry->NextEntryOffset;
    }
    EXPECT_TRUE(found_file);
    EXPECT_TRUE(found_dir);
    // Every class puts the name at its own offset: the first entry is "." in each.
    const std::pair<FILE_INFORMATION_CLASS, size_t> classes[] = {
        {FileDirectoryInformation, FIELD_OFFSET(FILE_DIRECTORY_INFORMATION, FileName)},
        {FileFullDirectoryInformation, FIELD_OFFSET(FILE_FULL_DIR_INFORMATION, FileName)},
        {FileBothDirectoryInformation, FIELD_OFFSET(FILE_BOTH_DIR_INFORMATION, FileName)},
        {FileIdFullDirectoryInformation, FIELD_OFFSET(FILE_ID_FULL_DIR_INFORMATION, FileName)},
        {FileNamesInformation, FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName)},
    };
    for (const auto& [info_class, name_offset] : classes) {
        ASSERT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer.data(), 4096, info_class, TRUE,
                                       nullptr, TRUE),
                  STATUS_SUCCESS)
            << info_class;
        EXPECT_EQ(iosb.Information, name_offset + sizeof(WCHAR)) << info_class;
        EXPECT_EQ(reinterpret_cast<const WCHAR*>(bytes + name_offset)[0], L'.') << info_class;
    }
    // An information class no directory answers.
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer.data(), 4096, FileBasicInformation,
                                   FALSE, nullptr, TRUE),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::drivers
