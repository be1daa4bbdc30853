// Test support for the FAT engine: FAT images made by mkfs.fat in a temporary directory, held in
// memory behind the engine's volume callbacks, written back for fsck.fat and the mtools to check.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fat_engine.h"

namespace ntio::fastfat::test {

// Where a dosfstools / mtools program is, or "" when it is not installed.
std::string find_tool(const std::string& name);
// The message to skip with when mkfs.fat, fsck.fat, mcopy, mmd, mtype or mdir is missing; "" when all are there.
std::string missing_tools();

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};
// Runs a shell command line (with TZ=UTC and MTOOLS_SKIP_CHECK=1), capturing its output.
CommandResult run(const std::string& command);
std::string quote(const std::string& s);

// A temporary directory removed with everything in it at destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return m_path; }
    std::string file(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

// An image file and its bytes in memory; the engine reads and writes the memory, save() puts it back
// in the file for the host tools and load() takes the file in again after they changed it.
class FatImage {
public:
    explicit FatImage(std::string path) : m_path(std::move(path)) {}
    void load();
    void save() const;
    FAT_VOLUME_IO io();
    std::vector<uint8_t>& bytes() { return m_bytes; }
    const std::string& path() const { return m_path; }
    // Counts the callbacks that went past the image (the engine must never ask for such a range).
    int out_of_range() const { return m_out_of_range; }
    // Makes every read (or write) after the next n fail with STATUS_DEVICE_DATA_ERROR; -1 never.
    void fail_reads_after(int n) { m_reads_left = n; }
    void fail_writes_after(int n) { m_writes_left = n; }

private:
    static NTSTATUS read_cb(PVOID context, ULONGLONG offset, ULONG length, PVOID buffer);
    static NTSTATUS write_cb(PVOID context, ULONGLONG offset, ULONG length, const VOID* buffer);
    std::string m_path;
    std::vector<uint8_t> m_bytes;
    int m_out_of_range = 0;
    int m_reads_left = -1;
    int m_writes_left = -1;
};

// UTF-16 strings for the engine (WCHAR is 16-bit here; std::wstring is not).
std::u16string u16(const std::string& ascii);
std::string narrow(const WCHAR* s, size_t length);
// A UNICODE_STRING viewing s (which must outlive it).
UNICODE_STRING ustr(const std::u16string& s);

std::vector<uint8_t> pattern(size_t size, uint32_t seed);
void write_host_file(const std::string& path, const std::vector<uint8_t>& data);
std::vector<uint8_t> read_host_file(const std::string& path);

// Looks a '/'-separated path up from the root through the engine.
NTSTATUS lookup_path(PFAT_VOLUME volume, const std::string& path, FAT_DIRENT* dirent);
// Reads a whole file through the engine.
std::vector<uint8_t> read_all(PFAT_VOLUME volume, const FAT_DIRENT& dirent);
// The long name (or the short one when there is none) of every entry in a directory, "." and ".." excluded.
std::vector<std::string> list_names(PFAT_VOLUME volume, ULONG directory);

// fsck.fat -n on the image: exit code 0 means it found nothing to fix.
CommandResult fsck(const std::string& image);
// A file's bytes as mtype prints them.
std::vector<uint8_t> mtype(const std::string& image, const std::string& path);
// Every path on the image as mdir -b -/ lists it, without the "::/" prefix (directories end in '/').
std::vector<std::string> mdir_tree(const std::string& image);

// mkfs.fat options for one test image.
struct ImageSpec {
    int fat_bits;             // 12, 16 or 32
    int size_kib;             // image size
    int sectors_per_cluster;  // -s
    int sector_size = 512;    // -S
    std::string label;        // -n, empty for none
    std::string describe() const;
};
inline void PrintTo(const ImageSpec& spec, std::ostream* os) { *os << spec.describe(); }
// Makes the image with mkfs.fat (serial 1234ABCD); fails the test on error.
void make_image(const std::string& path, const ImageSpec& spec);

// Fixture: a temporary directory and the tool check, and one image mounted through the engine.
class FatTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string missing = missing_tools();
        if (!missing.empty()) GTEST_SKIP() << missing;
    }
    // Makes the image, loads it and mounts it into m_volume.
    void format_and_mount(const ImageSpec& spec);
    // Mounts what is in memory again (a fresh FAT_VOLUME, nothing carried over).
    void remount();
    // Writes the image back and runs fsck.fat -n on it, failing the test on any finding.
    void expect_clean();
    ULONG root() { return FatRootDirectory(&m_volume); }
    // Creates a file through the engine and writes data to it in one go.
    FAT_DIRENT create_file(ULONG directory, const std::string& name, const std::vector<uint8_t>& data);
    FAT_DIRENT create_directory(ULONG directory, const std::string& name);

    TempDir m_dir;
    std::unique_ptr<FatImage> m_image;
    FAT_VOLUME m_volume{};
};

}  // namespace ntio::fastfat::test
