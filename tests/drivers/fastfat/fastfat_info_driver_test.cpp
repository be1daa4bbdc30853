// fastfat.sys file information: the query classes (basic, standard, internal, EA, name, alternate
// name, network open, attribute tag, all) and the sets (basic: attributes and times; rename within
// a directory, into another, over an existing file), each rename checked by fsck.fat and mdir.
#include "fastfat_driver_support.hpp"

namespace ntio::test::drivers {
namespace {

class FastFatInfoTest : public FastFatTest {
protected:
    void SetUp() override {
        FastFatTest::SetUp();
        if (IsSkipped()) return;
        format({16, 16384, 4, 512, ""});
    }

    NTSTATUS rename(HANDLE h, const std::u16string& target, bool replace, HANDLE root = nullptr) {
        std::vector<uint8_t> buffer(sizeof(FILE_RENAME_INFORMATION) + target.size() * sizeof(WCHAR));
        auto* info = reinterpret_cast<PFILE_RENAME_INFORMATION>(buffer.data());
        info->ReplaceIfExists = replace;
        info->RootDirectory = root;
        info->FileNameLength = ULONG(target.size() * sizeof(WCHAR));
        std::memcpy(info->FileName, target.data(), info->FileNameLength);
        IO_STATUS_BLOCK iosb{};
        return NtSetInformationFile(h, &iosb, info, ULONG(buffer.size()), FileRenameInformation);
    }
};

TEST_F(FastFatInfoTest, query_classes_describe_the_file) {
    put_file("\\A Long File Name.txt", fat::pattern(5000, 1));
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\a long file name.TXT", &h, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};

    FILE_BASIC_INFORMATION basic{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(basic));
    EXPECT_EQ(basic.FileAttributes, ULONG(FILE_ATTRIBUTE_ARCHIVE));
    EXPECT_NE(basic.LastWriteTime.QuadPart, 0);
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    EXPECT_LE(basic.LastWriteTime.QuadPart, now.QuadPart + 20000000LL);   // FAT keeps 2-second steps
    EXPECT_GE(basic.LastWriteTime.QuadPart, now.QuadPart - 600000000LL);  // within a minute

    FILE_STANDARD_INFORMATION standard{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
    EXPECT_EQ(standard.EndOfFile.QuadPart, 5000);
    EXPECT_EQ(standard.AllocationSize.QuadPart, 6144);  // three 2 KiB clusters
    EXPECT_EQ(standard.NumberOfLinks, 1u);
    EXPECT_FALSE(standard.Directory);

    FILE_INTERNAL_INFORMATION internal{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &internal, sizeof(internal), FileInternalInformation), STATUS_SUCCESS);
    EXPECT_NE(internal.IndexNumber.QuadPart, 0);

    alignas(8) UCHAR buffer[1024];
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, buffer, sizeof(buffer), FileNameInformation), STATUS_SUCCESS);
    auto* name = reinterpret_cast<PFILE_NAME_INFORMATION>(buffer);
    EXPECT_EQ(fat::narrow(name->FileName, name->FileNameLength / 2), "\\A Long File Name.txt");  // as stored
    EXPECT_EQ(iosb.Information, FIELD_OFFSET(FILE_NAME_INFORMATION, FileName) + name->FileNameLength);
    // Too small for the whole name: as much as fits and STATUS_BUFFER_OVERFLOW.
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, buffer, FIELD_OFFSET(FILE_NAME_INFORMATION, FileName) + 8,
                                     FileNameInformation),
              STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(name->FileNameLength, 21u * 2);
    EXPECT_EQ(iosb.Information, FIELD_OFFSET(FILE_NAME_INFORMATION, FileName) + 8u);

    ASSERT_EQ(NtQueryInformationFile(h, &iosb, buffer, sizeof(buffer), FileAlternateNameInformation), STATUS_SUCCESS);
    EXPECT_EQ(fat::narrow(name->FileName, name->FileNameLength / 2), "ALONGF~1.TXT");

    FILE_NETWORK_OPEN_INFORMATION network{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &network, sizeof(network), FileNetworkOpenInformation), STATUS_SUCCESS);
    EXPECT_EQ(network.EndOfFile.QuadPart, 5000);
    EXPECT_EQ(network.LastWriteTime.QuadPart, basic.LastWriteTime.QuadPart);

    FILE_ATTRIBUTE_TAG_INFORMATION tag{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &tag, sizeof(tag), FileAttributeTagInformation), STATUS_SUCCESS);
    EXPECT_EQ(tag.FileAttributes, ULONG(FILE_ATTRIBUTE_ARCHIVE));
    EXPECT_EQ(tag.ReparseTag, 0u);

    ASSERT_EQ(NtQueryInformationFile(h, &iosb, buffer, sizeof(buffer), FileAllInformation), STATUS_SUCCESS);
    auto* all = reinterpret_cast<PFILE_ALL_INFORMATION>(buffer);
    EXPECT_EQ(all->StandardInformation.EndOfFile.QuadPart, 5000);
    EXPECT_EQ(all->InternalInformation.IndexNumber.QuadPart, internal.IndexNumber.QuadPart);
    EXPECT_EQ(all->AccessInformation.AccessFlags & FILE_READ_DATA, ULONG(FILE_READ_DATA));
    EXPECT_EQ(fat::narrow(all->NameInformation.FileName, all->NameInformation.FileNameLength / 2),
              "\\A Long File Name.txt");

    FILE_EA_INFORMATION ea{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &ea, sizeof(ea), FileEaInformation), STATUS_SUCCESS);
    EXPECT_EQ(ea.EaSize, 0u);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    // A directory.
    ASSERT_EQ(create("\\", &h, FILE_OPEN, FILE_READ_ATTRIBUTES, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
    EXPECT_TRUE(standard.Directory);
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
    EXPECT_EQ(basic.FileAttributes, ULONG(FILE_ATTRIBUTE_DIRECTORY));
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, buffer, sizeof(buffer), FileNameInformation), STATUS_SUCCESS);
    EXPECT_EQ(fat::narrow(name->FileName, name->FileNameLength / 2), "\\");
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(FastFatInfoTest, basic_information_sets_attributes_and_times) {
    put_file("\\attr.txt", {1, 2, 3});
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\attr.txt", &h, FILE_OPEN, FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    FILE_BASIC_INFORMATION basic{};
    basic.FileAttributes = FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM;
    basic.LastWriteTime.QuadPart = 132000000000000000LL;  // 2019-04-16, an even number of seconds
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
    FILE_BASIC_INFORMATION back{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &back, sizeof(back), FileBasicInformation), STATUS_SUCCESS);
    EXPECT_EQ(back.FileAttributes, ULONG(FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM));
    EXPECT_EQ(back.LastWriteTime.QuadPart, basic.LastWriteTime.QuadPart);
    // FILE_ATTRIBUTE_NORMAL clears them; the directory attribute is not a file's to take.
    basic = FILE_BASIC_INFORMATION{};
    basic.FileAttributes = FILE_ATTRIBUTE_NORMAL;
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &back, sizeof(back), FileBasicInformation), STATUS_SUCCESS);
    EXPECT_EQ(back.FileAttributes, ULONG(FILE_ATTRIBUTE_NORMAL));
    basic.FileAttributes = FILE_ATTRIBUTE_DIRECTORY;
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    unmount();
    expect_fsck_clean();
}

// File name tunneling (Microsoft KB 172190): a file created under a name just deleted from its
// directory gets the deleted file's creation time back; another name gets its own. The tunnel's
// age limit is raised so that the test does not depend on how fast it runs.
TEST_F(FastFatInfoTest, a_name_deleted_and_created_again_keeps_its_creation_time) {
    ULONG age = 3600;
    ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, L"FileSystem", L"MaximumTunnelEntryAgeInSeconds", REG_DWORD,
                                    &age, sizeof(age)),
              STATUS_SUCCESS);
    unmount();  // the volume reads the limit when it mounts
    load_disk();
    load_fs();
    auto creation_of = [&](const std::string& name) {
        HANDLE h = nullptr;
        EXPECT_EQ(create(name, &h, FILE_OPEN, FILE_READ_ATTRIBUTES), STATUS_SUCCESS);
        FILE_BASIC_INFORMATION basic{};
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(NtQueryInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        return basic.CreationTime.QuadPart;
    };
    put_file("\\Tunneled Name.txt", {1, 2, 3});
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\Tunneled Name.txt", &h, FILE_OPEN, FILE_WRITE_ATTRIBUTES | DELETE), STATUS_SUCCESS);
    FILE_BASIC_INFORMATION basic{};
    basic.CreationTime.QuadPart = 126000000000000000LL;  // 2000-04-15, an even number of seconds
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
    FILE_DISPOSITION_INFORMATION disposition{TRUE};
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    put_file("\\tunneled name.TXT", {4, 5});
    EXPECT_EQ(creation_of("\\tunneled name.TXT"), basic.CreationTime.QuadPart);
    put_file("\\another name.txt", {6});
    EXPECT_NE(creation_of("\\another name.txt"), basic.CreationTime.QuadPart);
    unmount();
    expect_fsck_clean();
}

TEST_F(FastFatInfoTest, rename_within_and_across_directories_and_over_a_file) {
    put_file("\\one.txt", {1});
    put_file("\\two.txt", {2});
    HANDLE dir = nullptr;
    ASSERT_EQ(create("\\sub", &dir, FILE_CREATE, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(dir), STATUS_SUCCESS);

    HANDLE h = nullptr;
    ASSERT_EQ(create("\\one.txt", &h, FILE_OPEN, DELETE | FILE_READ_DATA), STATUS_SUCCESS);
    // A bare name: the same directory.
    EXPECT_EQ(rename(h, u"First File.txt", false), STATUS_SUCCESS);
    alignas(8) UCHAR buffer[512];
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, buffer, sizeof(buffer), FileNameInformation), STATUS_SUCCESS);
    auto* name = reinterpret_cast<PFILE_NAME_INFORMATION>(buffer);
    EXPECT_EQ(fat::narrow(name->FileName, name->FileNameLength / 2), "\\First File.txt");
    // A full name into another directory.
    EXPECT_EQ(rename(h, path_of("\\sub\\moved.txt"), false), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, buffer, sizeof(buffer), FileNameInformation), STATUS_SUCCESS);
    EXPECT_EQ(fat::narrow(name->FileName, name->FileNameLength / 2), "\\sub\\moved.txt");
    // Over an existing file: only with ReplaceIfExists.
    EXPECT_EQ(rename(h, path_of("\\two.txt"), false), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(rename(h, path_of("\\two.txt"), true), STATUS_SUCCESS);
    // Into a directory that does not exist.
    EXPECT_EQ(rename(h, path_of("\\nowhere\\x.txt"), true), STATUS_OBJECT_PATH_NOT_FOUND);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(get_file("\\two.txt"), std::vector<uint8_t>{1});

    // A directory with an open file below it does not move; without one it does.
    put_file("\\sub\\inner.txt", {3});
    HANDLE inner = nullptr;
    ASSERT_EQ(create("\\sub\\inner.txt", &inner, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    ASSERT_EQ(create("\\sub", &dir, FILE_OPEN, DELETE, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    EXPECT_EQ(rename(dir, u"renamed", false), STATUS_ACCESS_DENIED);
    EXPECT_EQ(NtClose(inner), STATUS_SUCCESS);
    EXPECT_EQ(rename(dir, u"renamed", false), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(dir), STATUS_SUCCESS);
    EXPECT_EQ(get_file("\\renamed\\inner.txt"), std::vector<uint8_t>{3});
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mdir_tree(m_image), (std::vector<std::string>{"renamed/", "renamed/inner.txt", "two.txt"}));
}

}  // namespace
}  // namespace ntio::test::drivers
