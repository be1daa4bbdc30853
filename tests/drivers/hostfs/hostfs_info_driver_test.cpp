// hostfs.sys's IRP_MJ_QUERY_INFORMATION, IRP_MJ_SET_INFORMATION and IRP_MJ_QUERY_VOLUME_INFORMATION
// through the Nt services, compared with what stat(2) and statvfs(3) say on the host.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-query-information
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-set-information
#include <sys/statvfs.h>

#include "hostfs_driver_support.hpp"

namespace ntio::test::drivers {
namespace {

std::u16string hostfs_name_of(const FILE_NAME_INFORMATION& info) {
    return std::u16string(reinterpret_cast<const char16_t*>(info.FileName), info.FileNameLength / sizeof(WCHAR));
}

TEST_F(HostfsTest, the_query_classes_describe_the_host_file) {
    put_host("/q.txt", "twelve bytes");
    struct stat st;
    ASSERT_EQ(stat(host("/q.txt").c_str(), &st), 0);
    HANDLE h = nullptr;
    ASSERT_EQ(create("/Q.TXT", &h, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};

    FILE_BASIC_INFORMATION basic{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(basic));
    EXPECT_EQ(basic.FileAttributes, ULONG(FILE_ATTRIBUTE_ARCHIVE));
    const LONGLONG mtime = LONGLONG(st.st_mtim.tv_sec) * 10000000 + st.st_mtim.tv_nsec / 100 + 116444736000000000LL;
    EXPECT_EQ(basic.LastWriteTime.QuadPart, mtime);

    FILE_STANDARD_INFORMATION standard{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
    EXPECT_EQ(standard.EndOfFile.QuadPart, 12);
    EXPECT_EQ(standard.NumberOfLinks, 1u);
    EXPECT_FALSE(standard.Directory);
    EXPECT_FALSE(standard.DeletePending);

    FILE_INTERNAL_INFORMATION internal{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &internal, sizeof(internal), FileInternalInformation), STATUS_SUCCESS);
    EXPECT_EQ(ULONGLONG(internal.IndexNumber.QuadPart), ULONGLONG(st.st_ino));

    FILE_EA_INFORMATION ea{1};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &ea, sizeof(ea), FileEaInformation), STATUS_SUCCESS);
    EXPECT_EQ(ea.EaSize, 0u);

    FILE_ATTRIBUTE_TAG_INFORMATION tag{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &tag, sizeof(tag), FileAttributeTagInformation), STATUS_SUCCESS);
    EXPECT_EQ(tag.FileAttributes, ULONG(FILE_ATTRIBUTE_ARCHIVE));
    EXPECT_EQ(tag.ReparseTag, 0u);

    FILE_NETWORK_OPEN_INFORMATION network{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &network, sizeof(network), FileNetworkOpenInformation), STATUS_SUCCESS);
    EXPECT_EQ(network.EndOfFile.QuadPart, 12);
    EXPECT_EQ(network.LastWriteTime.QuadPart, mtime);

    // The name from the volume root, spelled as the host spells it.
    std::vector<ULONGLONG> buffer(512);
    auto* name = reinterpret_cast<FILE_NAME_INFORMATION*>(buffer.data());
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, name, 4096, FileNameInformation), STATUS_SUCCESS);
    std::u16string expected;
    for (char c : host("/q.txt")) expected.push_back(c == '/' ? u'\\' : static_cast<char16_t>(c));
    EXPECT_EQ(hostfs_name_of(*name), expected);
    // Too small for the name: what fits, and STATUS_BUFFER_OVERFLOW.
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, name, 8, FileNameInformation), STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(iosb.Information, 8u);
    EXPECT_EQ(name->FileNameLength, expected.size() * sizeof(WCHAR));

    auto* all = reinterpret_cast<FILE_ALL_INFORMATION*>(buffer.data());
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, all, 4096, FileAllInformation), STATUS_SUCCESS);
    EXPECT_EQ(all->StandardInformation.EndOfFile.QuadPart, 12);
    EXPECT_EQ(ULONGLONG(all->InternalInformation.IndexNumber.QuadPart), ULONGLONG(st.st_ino));
    EXPECT_EQ(hostfs_name_of(all->NameInformation), expected);

    // A class the driver does not answer.
    ULONGLONG stream[8] = {};
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, stream, sizeof(stream), FileStreamInformation), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(HostfsTest, set_basic_changes_the_host_times_and_the_owner_write_bit) {
    put_host("/t.txt", "x");
    HANDLE h = nullptr;
    ASSERT_EQ(create("/t.txt", &h, FILE_OPEN, FILE_WRITE_ATTRIBUTES | FILE_READ_ATTRIBUTES), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    FILE_BASIC_INFORMATION basic{};
    // 2001-09-09 01:46:40 UTC (Unix 1000000000).
    basic.LastWriteTime.QuadPart = 1000000000LL * 10000000 + 116444736000000000LL;
    basic.FileAttributes = FILE_ATTRIBUTE_READONLY;
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
    struct stat st;
    ASSERT_EQ(stat(host("/t.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_mtim.tv_sec, 1000000000);
    EXPECT_EQ(st.st_mode & S_IWUSR, 0u);
    FILE_BASIC_INFORMATION read_back{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &read_back, sizeof(read_back), FileBasicInformation), STATUS_SUCCESS);
    EXPECT_EQ(read_back.FileAttributes, ULONG(FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_READONLY));
    // FILE_ATTRIBUTE_NORMAL gives the write bit back; a directory attribute on a file is refused.
    basic = {};
    basic.FileAttributes = FILE_ATTRIBUTE_NORMAL;
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
    ASSERT_EQ(stat(host("/t.txt").c_str(), &st), 0);
    EXPECT_NE(st.st_mode & S_IWUSR, 0u);
    basic.FileAttributes = FILE_ATTRIBUTE_DIRECTORY;
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(HostfsTest, end_of_file_and_allocation_resize_the_host_file) {
    put_host("/e.txt", "0123456789");
    HANDLE h = nullptr;
    ASSERT_EQ(create("/e.txt", &h, FILE_OPEN), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    FILE_END_OF_FILE_INFORMATION eof{};
    eof.EndOfFile.QuadPart = 4;
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &eof, sizeof(eof), FileEndOfFileInformation), STATUS_SUCCESS);
    EXPECT_EQ(get_host("/e.txt"), "0123");
    eof.EndOfFile.QuadPart = 6;
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &eof, sizeof(eof), FileEndOfFileInformation), STATUS_SUCCESS);
    EXPECT_EQ(get_host("/e.txt"), std::string("0123\0\0", 6));
    FILE_ALLOCATION_INFORMATION allocation{};
    allocation.AllocationSize.QuadPart = 1 << 20;  // more: the size stays
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &allocation, sizeof(allocation), FileAllocationInformation), STATUS_SUCCESS);
    EXPECT_EQ(get_host("/e.txt").size(), 6u);
    allocation.AllocationSize.QuadPart = 2;  // less: cut to it
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &allocation, sizeof(allocation), FileAllocationInformation), STATUS_SUCCESS);
    EXPECT_EQ(get_host("/e.txt"), "01");
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(HostfsTest, the_disposition_deletes_at_the_last_cleanup_and_refuses_a_full_directory) {
    put_host("/del.txt", "x");
    HANDLE h = nullptr;
    ASSERT_EQ(create("/del.txt", &h, FILE_OPEN, DELETE, 0, FILE_SHARE_READ | FILE_SHARE_DELETE), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    FILE_DISPOSITION_INFORMATION disposition{TRUE};
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation),
              STATUS_SUCCESS);
    FILE_STANDARD_INFORMATION standard{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
    EXPECT_TRUE(standard.DeletePending);
    EXPECT_TRUE(host_exists("/del.txt"));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_FALSE(host_exists("/del.txt"));

    ASSERT_EQ(mkdir(host("/full").c_str(), 0755), 0);
    put_host("/full/x", "x");
    ASSERT_EQ(create("/full", &h, FILE_OPEN, DELETE | FILE_READ_ATTRIBUTES, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation),
              STATUS_DIRECTORY_NOT_EMPTY);
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
    EXPECT_FALSE(standard.DeletePending);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_TRUE(host_exists("/full/x"));

    // An empty directory goes.
    ASSERT_EQ(unlink(host("/full/x").c_str()), 0);
    ASSERT_EQ(create("/full", &h, FILE_OPEN, DELETE, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_FALSE(host_exists("/full"));
}

// FILE_RENAME_INFORMATION with a name of FileNameLength bytes.
std::vector<ULONGLONG> hostfs_rename_info(const std::u16string& name, BOOLEAN replace) {
    std::vector<ULONGLONG> buffer((sizeof(FILE_RENAME_INFORMATION) + name.size() * 2 + 7) / 8 + 1);
    auto* info = reinterpret_cast<FILE_RENAME_INFORMATION*>(buffer.data());
    info->ReplaceIfExists = replace;
    info->RootDirectory = nullptr;
    info->FileNameLength = static_cast<ULONG>(name.size() * sizeof(WCHAR));
    std::memcpy(info->FileName, name.data(), info->FileNameLength);
    return buffer;
}

TEST_F(HostfsTest, rename_in_place_and_to_another_directory_with_and_without_replace) {
    put_host("/old.txt", "payload");
    put_host("/taken.txt", "taken");
    ASSERT_EQ(mkdir(host("/sub").c_str(), 0755), 0);
    HANDLE h = nullptr;
    ASSERT_EQ(create("/old.txt", &h, FILE_OPEN, DELETE | GENERIC_READ), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    auto simple = hostfs_rename_info(u"new.txt", FALSE);
    ASSERT_EQ(NtSetInformationFile(h, &iosb, simple.data(), static_cast<ULONG>(simple.size() * 8), FileRenameInformation),
              STATUS_SUCCESS);
    EXPECT_FALSE(host_exists("/old.txt"));
    EXPECT_EQ(get_host("/new.txt"), "payload");

    // Onto an existing name (in another case): a collision without ReplaceIfExists.
    auto collide = hostfs_rename_info(u"TAKEN.txt", FALSE);
    EXPECT_EQ(NtSetInformationFile(h, &iosb, collide.data(), static_cast<ULONG>(collide.size() * 8),
                                   FileRenameInformation),
              STATUS_OBJECT_NAME_COLLISION);
    auto replace = hostfs_rename_info(u"TAKEN.txt", TRUE);
    ASSERT_EQ(NtSetInformationFile(h, &iosb, replace.data(), static_cast<ULONG>(replace.size() * 8),
                                   FileRenameInformation),
              STATUS_SUCCESS);
    EXPECT_FALSE(host_exists("/taken.txt"));
    EXPECT_EQ(get_host("/TAKEN.txt"), "payload");

    // A full NT name: into the subdirectory.
    auto moved = hostfs_rename_info(nt_path("\\sub\\moved.txt"), FALSE);
    ASSERT_EQ(NtSetInformationFile(h, &iosb, moved.data(), static_cast<ULONG>(moved.size() * 8), FileRenameInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(get_host("/sub/moved.txt"), "payload");
    // The open follows its file.
    std::vector<ULONGLONG> buffer(512);
    auto* name = reinterpret_cast<FILE_NAME_INFORMATION*>(buffer.data());
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, name, 4096, FileNameInformation), STATUS_SUCCESS);
    EXPECT_EQ(hostfs_name_of(*name), nt_path("\\sub\\moved.txt").substr(14));

    // Relative to a directory handle (RootDirectory): back to the test directory.
    HANDLE top = nullptr;
    ASSERT_EQ(create("", &top, FILE_OPEN, FILE_LIST_DIRECTORY | FILE_ADD_FILE, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    auto relative = hostfs_rename_info(u"back.txt", FALSE);
    reinterpret_cast<FILE_RENAME_INFORMATION*>(relative.data())->RootDirectory = top;
    ASSERT_EQ(NtSetInformationFile(h, &iosb, relative.data(), static_cast<ULONG>(relative.size() * 8),
                                   FileRenameInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(get_host("/back.txt"), "payload");
    EXPECT_FALSE(host_exists("/sub/moved.txt"));
    EXPECT_EQ(NtClose(top), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(HostfsTest, the_volume_classes_answer_from_statvfs) {
    HANDLE h = nullptr;
    ASSERT_EQ(create("", &h, FILE_OPEN, FILE_READ_ATTRIBUTES, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    FILE_FS_DEVICE_INFORMATION device{};
    ASSERT_EQ(NtQueryVolumeInformationFile(h, &iosb, &device, sizeof(device), FileFsDeviceInformation), STATUS_SUCCESS);
    // The I/O manager answers this class from the volume's device object.
    EXPECT_EQ(device.DeviceType, ULONG(FILE_DEVICE_DISK_FILE_SYSTEM));
    std::vector<ULONGLONG> buffer(64);
    auto* attribute = reinterpret_cast<FILE_FS_ATTRIBUTE_INFORMATION*>(buffer.data());
    ASSERT_EQ(NtQueryVolumeInformationFile(h, &iosb, attribute, 512, FileFsAttributeInformation), STATUS_SUCCESS);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(attribute->FileSystemName),
                             attribute->FileSystemNameLength / 2),
              u"HostFS");
    EXPECT_EQ(attribute->FileSystemAttributes, 0x6u);  // FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK
    EXPECT_NE(attribute->FileSystemAttributes, 0u);
    EXPECT_EQ(attribute->MaximumComponentNameLength, 255u);
    FILE_FS_FULL_SIZE_INFORMATION full{};
    ASSERT_EQ(NtQueryVolumeInformationFile(h, &iosb, &full, sizeof(full), FileFsFullSizeInformation), STATUS_SUCCESS);
    struct statvfs vfs;
    ASSERT_EQ(statvfs("/", &vfs), 0);
    EXPECT_EQ(ULONGLONG(full.TotalAllocationUnits.QuadPart), ULONGLONG(vfs.f_blocks));
    EXPECT_EQ(ULONGLONG(full.SectorsPerAllocationUnit) * full.BytesPerSector, ULONGLONG(vfs.f_frsize));
    FILE_FS_SIZE_INFORMATION size{};
    ASSERT_EQ(NtQueryVolumeInformationFile(h, &iosb, &size, sizeof(size), FileFsSizeInformation), STATUS_SUCCESS);
    EXPECT_EQ(size.TotalAllocationUnits.QuadPart, full.TotalAllocationUnits.QuadPart);
    FILE_FS_VOLUME_INFORMATION volume{};
    ASSERT_EQ(NtQueryVolumeInformationFile(h, &iosb, &volume, sizeof(volume), FileFsVolumeInformation), STATUS_SUCCESS);
    EXPECT_EQ(volume.VolumeLabelLength, 0u);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::drivers
