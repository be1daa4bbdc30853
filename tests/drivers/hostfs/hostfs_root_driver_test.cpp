// The system-start hostfs.sys behind C: (\??\C: links to \Device\HostFs), and its Root parameter:
// reloaded with another root, the volume serves that directory, and image paths through C: name host
// files under it; a root that is no directory fails DriverEntry.
#include "hostfs_driver_support.hpp"

namespace ntio::test::drivers {
namespace {

std::u16string hostfs_link_target(const std::u16string& link) {
    UNICODE_STRING name = unicode(link);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE handle = nullptr;
    EXPECT_EQ(ZwOpenSymbolicLinkObject(&handle, GENERIC_READ, &oa), STATUS_SUCCESS);
    if (!handle) return {};
    WCHAR buffer[256];
    UNICODE_STRING target{0, sizeof(buffer), buffer};
    EXPECT_EQ(ZwQuerySymbolicLinkObject(handle, &target, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    return std::u16string(reinterpret_cast<const char16_t*>(target.Buffer), target.Length / sizeof(WCHAR));
}

// Loads the Hostfs service again with Parameters\Root set to `root` (unloading it first when
// `loaded`); the load's status.
NTSTATUS hostfs_reload_with_root(const std::string& root, bool loaded = true) {
    std::u16string service = service_path("Hostfs");
    UNICODE_STRING name = unicode(service);
    if (loaded) {
        EXPECT_EQ(ZwUnloadDriver(&name), STATUS_SUCCESS);
    }
    HANDLE parameters = create_key(service + u"\\Parameters");
    set_value(parameters, {"Root", root});
    EXPECT_EQ(ZwClose(parameters), STATUS_SUCCESS);
    return ZwLoadDriver(&name);
}

TEST_F(HostfsTest, c_links_to_the_host_file_system_volume) {
    EXPECT_EQ(hostfs_link_target(u"\\??\\C:"), u"\\Device\\HostFs");
    // The host's root through C: is the volume's root.
    HANDLE h = nullptr;
    ASSERT_EQ(create_nt(u"\\??\\C:\\", &h, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE, 0, nullptr, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    put_host("/c.txt", "via c");
    std::u16string path = u"\\??\\C:" + nt_path("\\c.txt").substr(14);
    ASSERT_EQ(create_nt(path, &h, FILE_OPEN, GENERIC_READ, 0, 0, nullptr, 0), STATUS_SUCCESS);
    char buffer[8] = {};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(read_at(h, buffer, sizeof(buffer), 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::string(buffer, iosb.Information), "via c");
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(HostfsTest, another_root_is_served_and_image_paths_through_c_follow_it) {
    ASSERT_EQ(hostfs_reload_with_root(m_host + "/"), STATUS_SUCCESS);
    put_host("/top.txt", "top");
    HANDLE h = nullptr;
    ULONG_PTR info = 0;
    ASSERT_EQ(create_nt(u"\\Device\\HostFs\\TOP.TXT", &h, FILE_OPEN, GENERIC_READ, 0, 0, &info, 0), STATUS_SUCCESS);
    std::vector<ULONGLONG> buffer(64);
    auto* name = reinterpret_cast<FILE_NAME_INFORMATION*>(buffer.data());
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, name, 512, FileNameInformation), STATUS_SUCCESS);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(name->FileName), name->FileNameLength / 2), u"\\top.txt");
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    // A driver image under the root, named by its DOS path.
    ASSERT_EQ(mkdir(host("/drivers").c_str(), 0755), 0);
    std::filesystem::copy_file(image_path("null.sys"), host("/drivers/null.sys"));
    std::u16string service = service_path("HostfsImage");
    HANDLE key = create_key(service);
    set_value(key, {"Type", ULONG{1}});
    set_value(key, {"Start", ULONG{3}});
    set_value(key, {"ErrorControl", ULONG{1}});
    set_value(key, {"ImagePath", std::string("C:\\drivers\\null.sys")});
    EXPECT_EQ(ZwClose(key), STATUS_SUCCESS);
    UNICODE_STRING service_name = unicode(service);
    ASSERT_EQ(ZwLoadDriver(&service_name), STATUS_SUCCESS);
    EXPECT_EQ(ZwUnloadDriver(&service_name), STATUS_SUCCESS);
}

TEST_F(HostfsTest, a_root_that_is_no_directory_fails_the_load) {
    put_host("/plain", "x");
    EXPECT_EQ(hostfs_reload_with_root(host("/plain")), STATUS_OBJECT_PATH_NOT_FOUND);
    EXPECT_EQ(hostfs_reload_with_root("relative", false), STATUS_INVALID_PARAMETER);
    HANDLE h = nullptr;
    EXPECT_EQ(create_nt(u"\\Device\\HostFs", &h, FILE_OPEN, FILE_LIST_DIRECTORY, 0, 0, nullptr, 0),
              STATUS_OBJECT_NAME_NOT_FOUND);
    // Back to the default root, as the system started it.
    EXPECT_EQ(hostfs_reload_with_root("/", false), STATUS_SUCCESS);
}

// Every dispatch routine under the I/O verifier: a request it handled wrongly would bug check.
TEST_F(HostfsTest, the_requests_pass_the_io_verifier) {
    std::u16string image = u"hostfs.sys";
    ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, L"Session Manager\\Memory Management", L"VerifyDrivers",
                                    REG_SZ, image.data(), static_cast<ULONG>((image.size() + 1) * sizeof(WCHAR))),
              STATUS_SUCCESS);
    ASSERT_EQ(hostfs_reload_with_root("/"), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(create("/v.txt", &h, FILE_CREATE, GENERIC_READ | GENERIC_WRITE | DELETE, FILE_DELETE_ON_CLOSE), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(h, "verified", 8, 0, &iosb), STATUS_SUCCESS);
    char buffer[16];
    EXPECT_EQ(read_at(h, buffer, sizeof(buffer), 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(read_at(h, buffer, sizeof(buffer), 100, &iosb), STATUS_END_OF_FILE);
    FILE_STANDARD_INFORMATION standard{};
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
    FILE_FS_SIZE_INFORMATION size{};
    EXPECT_EQ(NtQueryVolumeInformationFile(h, &iosb, &size, sizeof(size), FileFsSizeInformation), STATUS_SUCCESS);
    LARGE_INTEGER offset{}, length{};
    length.QuadPart = 1;
    EXPECT_EQ(NtLockFile(h, nullptr, nullptr, nullptr, &iosb, &offset, &length, 0, TRUE, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(NtFlushBuffersFile(h, &iosb), STATUS_SUCCESS);
    FILE_END_OF_FILE_INFORMATION eof{};
    eof.EndOfFile.QuadPart = 3;
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &eof, sizeof(eof), FileEndOfFileInformation), STATUS_SUCCESS);
    const std::u16string target = nt_path("\\w.txt");
    std::vector<ULONGLONG> rename((sizeof(FILE_RENAME_INFORMATION) + target.size() * 2) / 8 + 1);
    auto* info = reinterpret_cast<FILE_RENAME_INFORMATION*>(rename.data());
    info->FileNameLength = static_cast<ULONG>(target.size() * sizeof(WCHAR));
    std::memcpy(info->FileName, target.data(), info->FileNameLength);
    EXPECT_EQ(NtSetInformationFile(h, &iosb, info, static_cast<ULONG>(rename.size() * 8), FileRenameInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(get_host("/w.txt"), "ver");
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_FALSE(host_exists("/w.txt"));
    EXPECT_EQ(list(""), (std::vector<std::string>{".", ".."}));
}

}  // namespace
}  // namespace ntio::test::drivers
