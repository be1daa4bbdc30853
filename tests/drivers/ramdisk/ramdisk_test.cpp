// ramdisk.sys through the Nt surface, loaded through the registry and directly: data round trips,
// bounds and sector-alignment checks, the disk and storage IOCTLs, a read-only disk, bad
// Parameters, and the backing image (flush writes it, a later boot of a new System reads it back).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "driver_test_support.hpp"

#include <ntdddisk.h>

namespace ntio::test::drivers {
namespace {

constexpr ULONG kDiskSize = 1024 * 1024;

std::vector<char> pattern(std::size_t size, char seed) {
    std::vector<char> data(size);
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(seed + i * 7);
    return data;
}

// A host file path unique to this process and test, removed at the end.
class TempImage {
public:
    explicit TempImage(const char* tag) {
        m_path = "/tmp/ntio_ramdisk_" + std::to_string(getpid()) + "_" + tag + ".img";
        std::remove(m_path.c_str());
    }
    ~TempImage() { std::remove(m_path.c_str()); }
    const std::string& path() const { return m_path; }
    std::vector<char> contents() const {
        std::ifstream in(m_path, std::ios::binary);
        return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }

private:
    std::string m_path;
};

class RamdiskTest : public DriverTest {
protected:
    void load(std::vector<Value> parameters = {{"DiskSize", ULONG{kDiskSize}}}) {
        ASSERT_EQ(m_driver.load(GetParam(), "Ramdisk", "ramdisk.sys", parameters), STATUS_SUCCESS);
        ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &m_handle), STATUS_SUCCESS);
    }
    void TearDown() override {
        if (m_handle) {
            EXPECT_EQ(NtClose(m_handle), STATUS_SUCCESS);
        }
        EXPECT_EQ(m_driver.unload(), STATUS_SUCCESS);
        DriverTest::TearDown();
    }
    HANDLE m_handle = nullptr;
    Driver m_driver;
};

TEST_P(RamdiskTest, written_sectors_read_back_and_the_rest_is_zero)
{
    load();
    const std::vector<char> data = pattern(8192, 'a');
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(m_handle, data.data(), 8192, 4096, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 8192u);
    std::vector<char> back(16384, 'x');
    ASSERT_EQ(read_at(m_handle, back.data(), 16384, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 16384u);
    EXPECT_EQ(std::vector<char>(back.begin(), back.begin() + 4096), std::vector<char>(4096, 0));
    EXPECT_EQ(std::vector<char>(back.begin() + 4096, back.begin() + 12288), data);
    EXPECT_EQ(std::vector<char>(back.begin() + 12288, back.end()), std::vector<char>(4096, 0));
}

// The disk class driver's rule: a transfer that ends past the end of the disk, or whose length is
// not a multiple of the sector size, fails with STATUS_INVALID_PARAMETER; so does a misaligned
// offset here. The caller's buffer and IOSB stay as they were (NT fact E2).
TEST_P(RamdiskTest, transfers_past_the_end_or_off_sector_boundaries_are_invalid)
{
    load();
    std::vector<char> buffer(4096, 'x');
    IO_STATUS_BLOCK iosb{{static_cast<NTSTATUS>(0xdeadbeef)}, 0x5555};
    EXPECT_EQ(read_at(m_handle, buffer.data(), 1024, kDiskSize - 512, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(iosb.Information, 0x5555u);
    EXPECT_EQ(read_at(m_handle, buffer.data(), 512, kDiskSize, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(write_at(m_handle, buffer.data(), 512, kDiskSize + 4096, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(read_at(m_handle, buffer.data(), 100, 0, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(write_at(m_handle, buffer.data(), 512, 100, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(buffer[0], 'x');
    // The last sector itself, and a zero-length transfer at the end, are fine.
    EXPECT_EQ(read_at(m_handle, buffer.data(), 512, kDiskSize - 512, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 512u);
    EXPECT_EQ(read_at(m_handle, buffer.data(), 0, kDiskSize, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 0u);
}

// NT fact J6 for the geometry IOCTLs, and the values a disk of kDiskSize bytes reports.
TEST_P(RamdiskTest, geometry_and_length_describe_the_disk)
{
    load();
    IO_STATUS_BLOCK iosb{};
    DISK_GEOMETRY geometry{};
    ASSERT_EQ(ioctl(m_handle, IOCTL_DISK_GET_DRIVE_GEOMETRY, nullptr, 0, &geometry, sizeof(geometry), &iosb),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(DISK_GEOMETRY));
    EXPECT_EQ(geometry.BytesPerSector, 512u);
    EXPECT_EQ(geometry.MediaType, FixedMedia);
    EXPECT_EQ(static_cast<ULONGLONG>(geometry.Cylinders.QuadPart) * geometry.TracksPerCylinder *
                  geometry.SectorsPerTrack * geometry.BytesPerSector,
              kDiskSize);
    iosb.Information = 0x5555;
    EXPECT_EQ(ioctl(m_handle, IOCTL_DISK_GET_DRIVE_GEOMETRY, nullptr, 0, &geometry, sizeof(geometry) - 1, &iosb),
              STATUS_BUFFER_TOO_SMALL);

    DISK_GEOMETRY_EX ex{};
    ASSERT_EQ(ioctl(m_handle, IOCTL_DISK_GET_DRIVE_GEOMETRY_EX, nullptr, 0, &ex, sizeof(ex), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, FIELD_OFFSET(DISK_GEOMETRY_EX, Data));
    EXPECT_EQ(ex.DiskSize.QuadPart, kDiskSize);
    EXPECT_EQ(ex.Geometry.BytesPerSector, 512u);

    GET_LENGTH_INFORMATION length{};
    ASSERT_EQ(ioctl(m_handle, IOCTL_DISK_GET_LENGTH_INFO, nullptr, 0, &length, sizeof(length), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(length.Length.QuadPart, kDiskSize);
    EXPECT_EQ(ioctl(m_handle, IOCTL_DISK_IS_WRITABLE, nullptr, 0, nullptr, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(ioctl(m_handle, CTL_CODE(IOCTL_DISK_BASE, 0x7ff, METHOD_BUFFERED, FILE_ANY_ACCESS), nullptr, 0, nullptr,
                    0, &iosb),
              STATUS_INVALID_DEVICE_REQUEST);
}

TEST_P(RamdiskTest, storage_query_property_reports_device_and_alignment)
{
    load({{"DiskSize", ULONG{kDiskSize}}, {"SectorSize", ULONG{4096}}});
    IO_STATUS_BLOCK iosb{};
    STORAGE_PROPERTY_QUERY query{};
    query.PropertyId = StorageDeviceProperty;
    query.QueryType = PropertyStandardQuery;

    // The header alone tells the size of the whole descriptor.
    STORAGE_DESCRIPTOR_HEADER header{};
    ASSERT_EQ(ioctl(m_handle, IOCTL_STORAGE_QUERY_PROPERTY, &query, sizeof(query), &header, sizeof(header), &iosb),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(header));
    ASSERT_GT(header.Size, sizeof(STORAGE_DEVICE_DESCRIPTOR));

    std::vector<UCHAR> full(header.Size);
    ASSERT_EQ(ioctl(m_handle, IOCTL_STORAGE_QUERY_PROPERTY, &query, sizeof(query), full.data(), header.Size, &iosb),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, header.Size);
    const auto* device = reinterpret_cast<const STORAGE_DEVICE_DESCRIPTOR*>(full.data());
    EXPECT_EQ(device->BusType, BusTypeVirtual);
    EXPECT_FALSE(device->RemovableMedia);
    ASSERT_LT(device->ProductIdOffset, header.Size);
    EXPECT_STREQ(reinterpret_cast<const char*>(full.data() + device->VendorIdOffset), "ntio");
    EXPECT_STREQ(reinterpret_cast<const char*>(full.data() + device->ProductIdOffset), "RAM disk");

    query.PropertyId = StorageAccessAlignmentProperty;
    STORAGE_ACCESS_ALIGNMENT_DESCRIPTOR alignment{};
    ASSERT_EQ(
        ioctl(m_handle, IOCTL_STORAGE_QUERY_PROPERTY, &query, sizeof(query), &alignment, sizeof(alignment), &iosb),
        STATUS_SUCCESS);
    EXPECT_EQ(alignment.BytesPerLogicalSector, 4096u);
    EXPECT_EQ(alignment.BytesPerPhysicalSector, 4096u);
    EXPECT_EQ(alignment.Size, sizeof(alignment));

    query.QueryType = PropertyExistsQuery;
    EXPECT_EQ(ioctl(m_handle, IOCTL_STORAGE_QUERY_PROPERTY, &query, sizeof(query), nullptr, 0, &iosb), STATUS_SUCCESS);
    query.PropertyId = StorageDeviceTrimProperty;
    EXPECT_EQ(ioctl(m_handle, IOCTL_STORAGE_QUERY_PROPERTY, &query, sizeof(query), nullptr, 0, &iosb),
              STATUS_NOT_SUPPORTED);
    EXPECT_EQ(ioctl(m_handle, IOCTL_STORAGE_QUERY_PROPERTY, &query, 4, nullptr, 0, &iosb), STATUS_INVALID_PARAMETER);

    // 4 KiB sectors: a 512-byte transfer is now off the sector size.
    std::vector<char> buffer(4096);
    EXPECT_EQ(read_at(m_handle, buffer.data(), 512, 0, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(read_at(m_handle, buffer.data(), 4096, 4096, &iosb), STATUS_SUCCESS);
}

TEST_P(RamdiskTest, a_read_only_disk_refuses_writes_as_write_protected)
{
    load({{"DiskSize", ULONGLONG{kDiskSize}}, {"ReadOnly", ULONG{1}}});
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(ioctl(m_handle, IOCTL_DISK_IS_WRITABLE, nullptr, 0, nullptr, 0, &iosb), STATUS_MEDIA_WRITE_PROTECTED);
    std::vector<char> buffer(512, 'w');
    EXPECT_EQ(write_at(m_handle, buffer.data(), 512, 0, &iosb), STATUS_MEDIA_WRITE_PROTECTED);
    EXPECT_EQ(read_at(m_handle, buffer.data(), 512, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(buffer, std::vector<char>(512, 0));
}

TEST_P(RamdiskTest, bad_parameters_fail_the_load_with_their_status)
{
    Driver driver;
    EXPECT_EQ(driver.load(GetParam(), "Ramdisk", "ramdisk.sys", {{"SectorSize", ULONG{3}}}), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(
        driver.load(GetParam(), "Ramdisk", "ramdisk.sys", {{"DiskSize", ULONG{1000}}, {"SectorSize", ULONG{512}}}),
        STATUS_INVALID_PARAMETER);
    EXPECT_EQ(driver.load(GetParam(), "Ramdisk", "ramdisk.sys",
                          {{"DiskSize", ULONG{kDiskSize}}, {"BackingImage", std::string("/nonexistent-dir/x.img")}}),
              STATUS_OBJECT_PATH_NOT_FOUND);
    EXPECT_EQ(driver.load(GetParam(), "Ramdisk", "ramdisk.sys", {{"DiskSize", ULONG{kDiskSize}}, {"ReadPrefetch", ULONG{4097}}}),
              STATUS_INVALID_PARAMETER);
    HANDLE h = nullptr;
    EXPECT_EQ(open_device(u"\\Device\\Ramdisk0", &h), STATUS_OBJECT_NAME_NOT_FOUND);
}

// ReadPrefetch (how much of each read's start is prefetched before the copy) changes no data: with
// every setting, reads of a sector, a page and two pages at the disk's start, inside it and at its
// end return what was written, through fast I/O (a synchronous handle) and through IRPs (an
// overlapped one).
TEST_P(RamdiskTest, every_read_prefetch_setting_reads_back_what_was_written)
{
    for (const ULONG prefetch : {0u, 64u, 2048u, 4096u}) {
        SCOPED_TRACE(prefetch);
        Driver driver;
        ASSERT_EQ(driver.load(GetParam(), "Ramdisk", "ramdisk.sys",
                              {{"DiskSize", ULONG{kDiskSize}}, {"ReadPrefetch", ULONG{prefetch}}}),
                  STATUS_SUCCESS);
        HANDLE sync = nullptr;
        HANDLE overlapped = nullptr;
        ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &sync), STATUS_SUCCESS);
        ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &overlapped, true), STATUS_SUCCESS);
        const std::vector<char> data = pattern(kDiskSize, static_cast<char>(prefetch / 64 + 1));
        IO_STATUS_BLOCK iosb{};
        ASSERT_EQ(write_at(sync, data.data(), kDiskSize, 0, &iosb), STATUS_SUCCESS);
        for (HANDLE handle : {sync, overlapped}) {
            for (const ULONG length : {512u, 4096u, 8192u}) {
                for (const LONGLONG offset : {LONGLONG{0}, LONGLONG{1536}, LONGLONG{kDiskSize / 2 + 512},
                                              LONGLONG{kDiskSize - length}}) {
                    std::vector<char> back(length, 'x');
                    ASSERT_EQ(read_at(handle, back.data(), length, offset, &iosb), STATUS_SUCCESS);
                    EXPECT_EQ(iosb.Information, length);
                    EXPECT_EQ(back, std::vector<char>(data.begin() + offset, data.begin() + offset + length))
                        << length << " bytes at " << offset;
                }
            }
        }
        EXPECT_EQ(NtClose(sync), STATUS_SUCCESS);
        EXPECT_EQ(NtClose(overlapped), STATUS_SUCCESS);
        EXPECT_EQ(driver.unload(), STATUS_SUCCESS);
    }
}

TEST_P(RamdiskTest, flush_writes_the_backing_image)
{
    TempImage image("flush");
    load({{"DiskSize", ULONG{kDiskSize}}, {"BackingImage", image.path()}});
    const std::vector<char> data = pattern(4096, 'f');
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(m_handle, data.data(), 4096, 3 * 1024 * 1024 / 4, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(NtFlushBuffersFile(m_handle, &iosb), STATUS_SUCCESS);
    const std::vector<char> file = image.contents();
    ASSERT_GE(file.size(), 3u * 1024 * 1024 / 4 + 4096);
    EXPECT_EQ(std::vector<char>(file.begin() + 3 * 1024 * 1024 / 4, file.begin() + 3 * 1024 * 1024 / 4 + 4096), data);
}

// A DOS path reaches the host file through the drive letter's link (\??\C: names the host root).
TEST_P(RamdiskTest, a_dos_backing_image_path_maps_through_the_drive_letter)
{
    TempImage image("dos");
    std::string dos = "\\??\\C:" + image.path();
    for (char& c : dos) {
        if (c == '/') c = '\\';
    }
    load({{"DiskSize", ULONG{kDiskSize}}, {"BackingImage", dos}});
    const std::vector<char> data = pattern(512, 'd');
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(m_handle, data.data(), 512, 0, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(NtFlushBuffersFile(m_handle, &iosb), STATUS_SUCCESS);
    const std::vector<char> file = image.contents();
    ASSERT_GE(file.size(), 512u);
    EXPECT_EQ(std::vector<char>(file.begin(), file.begin() + 512), data);
}

// Unloading (as at shutdown) writes back what no flush covered.
TEST_P(RamdiskTest, unload_writes_back_what_was_not_flushed)
{
    TempImage image("unload");
    load({{"DiskSize", ULONG{kDiskSize}}, {"BackingImage", image.path()}});
    const std::vector<char> data = pattern(2048, 'u');
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(m_handle, data.data(), 2048, 512, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(m_handle), STATUS_SUCCESS);
    m_handle = nullptr;
    EXPECT_EQ(m_driver.unload(), STATUS_SUCCESS);
    const std::vector<char> file = image.contents();
    ASSERT_GE(file.size(), 2560u);
    EXPECT_EQ(std::vector<char>(file.begin() + 512, file.begin() + 2560), data);
}

INSTANTIATE_TEST_SUITE_P(LoadPaths, RamdiskTest, ::testing::Values(LoadPath::registry, LoadPath::direct),
                         load_path_name);

// The backing image outlives the System: what one boot wrote and flushed, the next boot (a new
// System with the same Parameters) reads back; an image without DiskSize gives the disk its size.
TEST(RamdiskReboot, the_backing_image_survives_a_reboot_of_the_system)
{
    TempImage image("reboot");
    const std::vector<char> data = pattern(65536, 'r');
    for (LoadPath path : {LoadPath::registry, LoadPath::direct}) {
        SCOPED_TRACE(to_string(path));
        std::remove(image.path().c_str());
        {
            System system;
            system.make_current();
            Driver driver;
            ASSERT_EQ(driver.load(path, "Ramdisk", "ramdisk.sys",
                                  {{"DiskSize", ULONG{2 * kDiskSize}}, {"BackingImage", image.path()}}),
                      STATUS_SUCCESS);
            HANDLE h = nullptr;
            ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &h), STATUS_SUCCESS);
            IO_STATUS_BLOCK iosb{};
            ASSERT_EQ(write_at(h, data.data(), 65536, kDiskSize + 8192, &iosb), STATUS_SUCCESS);
            ASSERT_EQ(NtFlushBuffersFile(h, &iosb), STATUS_SUCCESS);
            EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
            EXPECT_EQ(driver.unload(), STATUS_SUCCESS);
        }
        {
            System system;
            system.make_current();
            Driver driver;
            ASSERT_EQ(driver.load(path, "Ramdisk", "ramdisk.sys", {{"BackingImage", image.path()}}), STATUS_SUCCESS);
            HANDLE h = nullptr;
            ASSERT_EQ(open_device(u"\\Device\\Ramdisk0", &h), STATUS_SUCCESS);
            IO_STATUS_BLOCK iosb{};
            GET_LENGTH_INFORMATION length{};
            ASSERT_EQ(ioctl(h, IOCTL_DISK_GET_LENGTH_INFO, nullptr, 0, &length, sizeof(length), &iosb), STATUS_SUCCESS);
            EXPECT_EQ(length.Length.QuadPart, 2 * kDiskSize);
            std::vector<char> back(65536);
            ASSERT_EQ(read_at(h, back.data(), 65536, kDiskSize + 8192, &iosb), STATUS_SUCCESS);
            EXPECT_EQ(back, data);
            EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
            EXPECT_EQ(driver.unload(), STATUS_SUCCESS);
        }
    }
}

}  // namespace
}  // namespace ntio::test::drivers
