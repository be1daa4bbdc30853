// The fastfat.sys tests' fixture: an image made by mkfs.fat in a temporary directory, given to
// ramdisk.sys as its backing image, fastfat.sys loaded through the registry, and helpers to open
// paths on the volume (\Device\Ramdisk0\...), read and write them through the Nt services, and take
// everything down again so fsck.fat and the mtools can check the image.
#pragma once

#include <string>
#include <vector>

#include "driver_test_support.hpp"
#include "fat_image.hpp"

#include <ntifs.h>

namespace ntio::test::drivers {

namespace fat = ntio::fastfat::test;

inline constexpr char kFatDisk[] = "\\Device\\Ramdisk0";

class FastFatTest : public SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        std::string missing = fat::missing_tools();
        if (!missing.empty()) GTEST_SKIP() << missing;
    }

    void TearDown() override {
        unmount();
        SystemTest::TearDown();
    }

    // Loads fastfat.sys (service Fastfat), optionally with the I/O verifier on its image.
    void load_fs(bool verified = false) {
        if (verified) {
            std::u16string image = u"fastfat.sys";
            ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, L"Session Manager\\Memory Management",
                                            L"VerifyDrivers", REG_SZ, image.data(),
                                            static_cast<ULONG>((image.size() + 1) * sizeof(WCHAR))),
                      STATUS_SUCCESS);
        }
        ASSERT_EQ(m_fs.load(LoadPath::registry, "Fastfat", "fastfat.sys"), STATUS_SUCCESS);
    }

    // mkfs.fat an image, give it to ramdisk.sys, load fastfat.sys.
    void format(const fat::ImageSpec& spec, bool verified = false) {
        m_image = m_dir.file("volume.img");
        fat::make_image(m_image, spec);
        load_disk();
        load_fs(verified);
    }

    void load_disk() {
        ASSERT_EQ(m_disk.load(LoadPath::registry, "Ramdisk", "ramdisk.sys", {{"BackingImage", m_image}}),
                  STATUS_SUCCESS);
    }

    // Unloads the file system (its volumes go, their data written) and the disk (which writes the
    // image back), so the host tools see the final image. Either unload may finish on another
    // thread: the last close of a volume's stream file can be the cache manager's.
    void unmount() {
        EXPECT_EQ(m_fs.unload(), STATUS_SUCCESS);
        EXPECT_TRUE(m_fs.wait_unloaded()) << "fastfat.sys still loaded";
        EXPECT_EQ(m_disk.unload(), STATUS_SUCCESS);
        EXPECT_TRUE(m_disk.wait_unloaded()) << "ramdisk.sys still loaded";
    }

    void expect_fsck_clean() {
        fat::CommandResult r = fat::fsck(m_image);
        EXPECT_EQ(r.exit_code, 0) << r.output;
    }

    static std::u16string path_of(const std::string& name) { return u16(kFatDisk) + u16(name); }

    // NtCreateFile of `name` on the volume ("\\a.txt"; "" for the volume itself).
    NTSTATUS create(const std::string& name, HANDLE* h, ULONG disposition = FILE_OPEN,
                    ACCESS_MASK access = GENERIC_READ | GENERIC_WRITE, ULONG options = 0,
                    ULONG share = FILE_SHARE_READ | FILE_SHARE_WRITE, ULONG_PTR* information = nullptr,
                    ULONG attributes = FILE_ATTRIBUTE_NORMAL) {
        return create_nt(path_of(name), h, disposition, access, options, share, information, attributes);
    }

    // Creates (or overwrites) a file with `data` and closes it.
    void put_file(const std::string& name, const std::vector<uint8_t>& data) {
        HANDLE h = nullptr;
        ASSERT_EQ(create(name, &h, FILE_OVERWRITE_IF, GENERIC_WRITE, FILE_NON_DIRECTORY_FILE), STATUS_SUCCESS) << name;
        IO_STATUS_BLOCK iosb{};
        if (!data.empty()) {
            EXPECT_EQ(write_at(h, data.data(), static_cast<ULONG>(data.size()), 0, &iosb), STATUS_SUCCESS) << name;
            EXPECT_EQ(iosb.Information, data.size());
        }
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    }

    // Reads a whole file through the volume.
    std::vector<uint8_t> get_file(const std::string& name) {
        HANDLE h = nullptr;
        std::vector<uint8_t> data;
        EXPECT_EQ(create(name, &h, FILE_OPEN, GENERIC_READ, FILE_NON_DIRECTORY_FILE), STATUS_SUCCESS) << name;
        if (!h) return data;
        FILE_STANDARD_INFORMATION standard{};
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
        data.resize(static_cast<size_t>(standard.EndOfFile.QuadPart));
        if (!data.empty()) {
            EXPECT_EQ(read_at(h, data.data(), static_cast<ULONG>(data.size()), 0, &iosb), STATUS_SUCCESS);
            EXPECT_EQ(iosb.Information, data.size());
        }
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        return data;
    }

    static NTSTATUS fsctl(HANDLE h, ULONG code, IO_STATUS_BLOCK* iosb, void* out = nullptr, ULONG out_length = 0) {
        return NtFsControlFile(h, nullptr, nullptr, nullptr, iosb, code, nullptr, 0, out, out_length);
    }

    // The names a directory lists (FileDirectoryInformation, one query after another).
    std::vector<std::string> list(const std::string& directory, const char* mask = nullptr) {
        HANDLE h = nullptr;
        EXPECT_EQ(create(directory, &h, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
        if (!h) return {};
        std::vector<std::string> names = query_directory_names(h, mask, 512);
        return names;
    }

    fat::TempDir m_dir;
    std::string m_image;
    Driver m_disk;
    Driver m_fs;
};

}  // namespace ntio::test::drivers
