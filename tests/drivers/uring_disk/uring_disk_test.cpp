// uring_disk.sys through the Nt services: reads and writes reach the host file through the ring,
// requests pend and complete (synchronously waited, overlapped with events, up to the queue depth),
// bounds and alignment give the disk's statuses, the disk IOCTLs answer, cancellation completes each
// request exactly once, and a kernel without io_uring makes the load fail with STATUS_NOT_SUPPORTED.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "uring_disk_test_support.hpp"

#include <ntdddisk.h>

namespace ntio::test::drivers::uring {
namespace {


class UringDiskTest : public DriverTest {};

TEST_P(UringDiskTest, WriteThenReadReachesTheHostFile)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    Driver driver;
    ASSERT_EQ(driver.load(GetParam(), kService, kImage, disk_parameters(file, kDiskSize)), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(kDeviceName, &h), STATUS_SUCCESS);

    const std::vector<unsigned char> data = pattern(8192, 1);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(h, data.data(), 8192, 4096, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 8192u);
    std::vector<unsigned char> back(8192);
    ASSERT_EQ(read_at(h, back.data(), 8192, 4096, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 8192u);
    EXPECT_EQ(back, data);
    EXPECT_EQ(file.read_host(4096, 8192), data);

    // Data the host put there is what the disk reads.
    const std::vector<unsigned char> host = pattern(512, 9);
    file.write_host(65536, host);
    std::vector<unsigned char> seen(512);
    ASSERT_EQ(read_at(h, seen.data(), 512, 65536, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(seen, host);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_P(UringDiskTest, MissingBackingFileIsCreatedWithTheConfiguredSize)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    Driver driver;
    ASSERT_EQ(driver.load(GetParam(), kService, kImage, disk_parameters(file, 256 * 1024)), STATUS_SUCCESS);
    struct stat st {};
    ASSERT_EQ(stat(file.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_size, 256 * 1024);
}

TEST_P(UringDiskTest, OutOfRangeAndMisalignedTransfersAreInvalidParameter)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    Driver driver;
    ASSERT_EQ(driver.load(GetParam(), kService, kImage, disk_parameters(file, kDiskSize)), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(kDeviceName, &h), STATUS_SUCCESS);
    std::vector<unsigned char> buffer(8192);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(read_at(h, buffer.data(), 512, kDiskSize, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(read_at(h, buffer.data(), 1024, kDiskSize - 512, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(write_at(h, buffer.data(), 512, kDiskSize + 4096, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(read_at(h, buffer.data(), 512, 100, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(read_at(h, buffer.data(), 100, 0, &iosb), STATUS_INVALID_PARAMETER);
    // The last sector is inside.
    EXPECT_EQ(read_at(h, buffer.data(), 512, kDiskSize - 512, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_P(UringDiskTest, DirectModeNeedsSectorAlignedBuffersAndMovesData)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    Driver driver;
    ASSERT_EQ(driver.load(GetParam(), kService, kImage, disk_parameters(file, kDiskSize, true)), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(kDeviceName, &h), STATUS_SUCCESS);
    AlignedBuffer out(16384), in(16384);
    const std::vector<unsigned char> data = pattern(16384, 3);
    std::memcpy(out.data, data.data(), data.size());
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(h, out.data, 16384, 32768, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(read_at(h, in.data, 16384, 32768, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::memcmp(in.data, data.data(), data.size()), 0);
    EXPECT_EQ(file.read_host(32768, 16384), data);
    // A buffer off the sector boundary is refused before it reaches the host.
    EXPECT_EQ(read_at(h, in.data + 8, 4096, 0, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_P(UringDiskTest, DiskIoctlsDescribeTheDisk)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    Driver driver;
    ASSERT_EQ(driver.load(GetParam(), kService, kImage, disk_parameters(file, kDiskSize)), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(kDeviceName, &h), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};

    DISK_GEOMETRY geometry{};
    ASSERT_EQ(ioctl(h, IOCTL_DISK_GET_DRIVE_GEOMETRY, nullptr, 0, &geometry, sizeof(geometry), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(DISK_GEOMETRY));
    EXPECT_EQ(geometry.BytesPerSector, 512u);
    EXPECT_EQ(geometry.MediaType, FixedMedia);
    EXPECT_EQ(static_cast<ULONGLONG>(geometry.Cylinders.QuadPart) * geometry.TracksPerCylinder *
                  geometry.SectorsPerTrack * geometry.BytesPerSector,
              kDiskSize);
    EXPECT_EQ(ioctl(h, IOCTL_DISK_GET_DRIVE_GEOMETRY, nullptr, 0, &geometry, sizeof(geometry) - 1, &iosb),
              STATUS_BUFFER_TOO_SMALL);

    DISK_GEOMETRY_EX ex{};
    ASSERT_EQ(ioctl(h, IOCTL_DISK_GET_DRIVE_GEOMETRY_EX, nullptr, 0, &ex, sizeof(ex), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, FIELD_OFFSET(DISK_GEOMETRY_EX, Data));
    EXPECT_EQ(static_cast<ULONGLONG>(ex.DiskSize.QuadPart), kDiskSize);

    GET_LENGTH_INFORMATION length{};
    ASSERT_EQ(ioctl(h, IOCTL_DISK_GET_LENGTH_INFO, nullptr, 0, &length, sizeof(length), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(static_cast<ULONGLONG>(length.Length.QuadPart), kDiskSize);

    EXPECT_EQ(ioctl(h, IOCTL_DISK_IS_WRITABLE, nullptr, 0, nullptr, 0, &iosb), STATUS_SUCCESS);

    STORAGE_PROPERTY_QUERY query{};
    query.PropertyId = StorageAccessAlignmentProperty;
    query.QueryType = PropertyStandardQuery;
    STORAGE_ACCESS_ALIGNMENT_DESCRIPTOR alignment{};
    ASSERT_EQ(ioctl(h, IOCTL_STORAGE_QUERY_PROPERTY, &query, sizeof(query), &alignment, sizeof(alignment), &iosb),
              STATUS_SUCCESS);
    EXPECT_EQ(alignment.BytesPerLogicalSector, 512u);

    query.PropertyId = StorageDeviceProperty;
    STORAGE_DESCRIPTOR_HEADER header{};
    ASSERT_EQ(ioctl(h, IOCTL_STORAGE_QUERY_PROPERTY, &query, sizeof(query), &header, sizeof(header), &iosb),
              STATUS_SUCCESS);
    ASSERT_GT(header.Size, sizeof(STORAGE_DEVICE_DESCRIPTOR));
    std::vector<unsigned char> descriptor(header.Size);
    ASSERT_EQ(ioctl(h, IOCTL_STORAGE_QUERY_PROPERTY, &query, sizeof(query), descriptor.data(), header.Size, &iosb),
              STATUS_SUCCESS);
    auto* device = reinterpret_cast<STORAGE_DEVICE_DESCRIPTOR*>(descriptor.data());
    EXPECT_STREQ(reinterpret_cast<const char*>(descriptor.data() + device->ProductIdOffset), "uring_disk");

    query.PropertyId = StorageDeviceSeekPenaltyProperty;
    EXPECT_EQ(ioctl(h, IOCTL_STORAGE_QUERY_PROPERTY, &query, sizeof(query), &header, sizeof(header), &iosb),
              STATUS_NOT_SUPPORTED);
    EXPECT_EQ(ioctl(h, CTL_CODE(FILE_DEVICE_DISK, 0x7FF, METHOD_BUFFERED, FILE_ANY_ACCESS), nullptr, 0, nullptr, 0,
                    &iosb),
              STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_P(UringDiskTest, ReadOnlyDiskRefusesWritesWriteProtected)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    Driver driver;
    std::vector<Value> parameters = disk_parameters(file, kDiskSize);
    parameters.push_back({"ReadOnly", ULONG{1}});
    ASSERT_EQ(driver.load(GetParam(), kService, kImage, parameters), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(kDeviceName, &h), STATUS_SUCCESS);
    std::vector<unsigned char> buffer(512);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(write_at(h, buffer.data(), 512, 0, &iosb), STATUS_MEDIA_WRITE_PROTECTED);
    EXPECT_EQ(ioctl(h, IOCTL_DISK_IS_WRITABLE, nullptr, 0, nullptr, 0, &iosb), STATUS_MEDIA_WRITE_PROTECTED);
    EXPECT_EQ(read_at(h, buffer.data(), 512, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_P(UringDiskTest, FlushBuffersSucceeds)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    Driver driver;
    ASSERT_EQ(driver.load(GetParam(), kService, kImage, disk_parameters(file, kDiskSize)), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(kDeviceName, &h), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtFlushBuffersFile(h, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// Overlapped requests pend (the IOSB says STATUS_PENDING until the ring completes them) and all
// complete with their data, at the full queue depth, buffered and O_DIRECT.
void overlapped_reads(LoadPath path, bool direct)
{
    constexpr int kRequests = 64;
    constexpr ULONG kLength = 4096;
    ScratchFile file;
    std::vector<unsigned char> content = pattern(kDiskSize, 5);
    file.write_host(0, content);
    Driver driver;
    ASSERT_EQ(driver.load(path, kService, kImage, disk_parameters(file, kDiskSize, direct, kRequests)), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(kDeviceName, &h, true), STATUS_SUCCESS);
    AlignedBuffer buffers(kRequests * kLength);
    std::vector<IO_STATUS_BLOCK> iosbs(kRequests);
    std::vector<HANDLE> events(kRequests);
    for (int round = 0; round < 20; ++round) {
        for (int i = 0; i < kRequests; ++i) {
            if (round == 0) {
                ASSERT_EQ(NtCreateEvent(&events[i], EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE),
                          STATUS_SUCCESS);
            }
            const LONGLONG offset = static_cast<LONGLONG>(((i * 37 + round * 11) % (kDiskSize / kLength)) * kLength);
            LARGE_INTEGER where;
            where.QuadPart = offset;
            const NTSTATUS status = NtReadFile(h, events[i], nullptr, nullptr, &iosbs[i],
                                               buffers.data + i * kLength, kLength, &where, nullptr);
            ASSERT_TRUE(status == STATUS_PENDING || status == STATUS_SUCCESS) << std::hex << status;
        }
        for (int i = 0; i < kRequests; ++i) {
            ASSERT_EQ(NtWaitForSingleObject(events[i], FALSE, nullptr), STATUS_SUCCESS);
            ASSERT_EQ(iosbs[i].Status, STATUS_SUCCESS);
            ASSERT_EQ(iosbs[i].Information, kLength);
            const std::size_t offset = ((i * 37 + round * 11) % (kDiskSize / kLength)) * kLength;
            ASSERT_EQ(std::memcmp(buffers.data + i * kLength, content.data() + offset, kLength), 0);
        }
    }
    for (HANDLE e : events) EXPECT_EQ(NtClose(e), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_P(UringDiskTest, OverlappedReadsAtFullQueueDepthAllCompleteBuffered)
{
    SKIP_WITHOUT_IO_URING();
    overlapped_reads(GetParam(), false);
}

TEST_P(UringDiskTest, OverlappedReadsAtFullQueueDepthAllCompleteDirect)
{
    SKIP_WITHOUT_IO_URING();
    overlapped_reads(GetParam(), true);
}

// Invariant: NtCancelIoFile racing large O_DIRECT reads leaves each request completed exactly once,
// either cancelled (no data) or successful with all its data; nothing hangs.
TEST_P(UringDiskTest, CancelledRequestsCompleteExactlyOnce)
{
    SKIP_WITHOUT_IO_URING();
    constexpr int kRequests = 16;
    constexpr ULONG kLength = 65536;
    ScratchFile file;
    const ULONGLONG size = kRequests * kLength;
    std::vector<unsigned char> content = pattern(size, 6);
    file.write_host(0, content);
    Driver driver;
    std::vector<Value> parameters = disk_parameters(file, size, true, kRequests);
    parameters.push_back({"SubmitBatch", ULONG{kRequests}});
    ASSERT_EQ(driver.load(GetParam(), kService, kImage, parameters), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(kDeviceName, &h, true), STATUS_SUCCESS);
    AlignedBuffer buffers(size);
    std::vector<HANDLE> events(kRequests);
    for (HANDLE& e : events) ASSERT_EQ(NtCreateEvent(&e, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    int cancelled = 0;
    int succeeded = 0;
    for (int round = 0; round < 50; ++round) {
        std::vector<IO_STATUS_BLOCK> iosbs(kRequests);
        for (int i = 0; i < kRequests; ++i) {
            iosbs[i].Status = STATUS_ALERTED;  // a value no completion writes
            LARGE_INTEGER where;
            where.QuadPart = static_cast<LONGLONG>(i) * kLength;
            std::memset(buffers.data + i * kLength, 0, kLength);
            const NTSTATUS status =
                NtReadFile(h, events[i], nullptr, nullptr, &iosbs[i], buffers.data + i * kLength, kLength, &where, nullptr);
            ASSERT_TRUE(status == STATUS_PENDING || status == STATUS_SUCCESS) << std::hex << status;
        }
        IO_STATUS_BLOCK cancel_iosb{};
        ASSERT_EQ(NtCancelIoFile(h, &cancel_iosb), STATUS_SUCCESS);
        for (int i = 0; i < kRequests; ++i) {
            ASSERT_EQ(NtWaitForSingleObject(events[i], FALSE, nullptr), STATUS_SUCCESS);
            if (iosbs[i].Status == STATUS_CANCELLED) {
                ++cancelled;
                EXPECT_EQ(iosbs[i].Information, 0u);
            } else {
                ASSERT_EQ(iosbs[i].Status, STATUS_SUCCESS);
                ASSERT_EQ(iosbs[i].Information, kLength);
                ASSERT_EQ(std::memcmp(buffers.data + i * kLength, content.data() + i * kLength, kLength), 0);
                ++succeeded;
            }
        }
    }
    EXPECT_EQ(cancelled + succeeded, 50 * kRequests);
    RecordProperty("cancelled", cancelled);
    for (HANDLE e : events) EXPECT_EQ(NtClose(e), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_P(UringDiskTest, LoadWithoutFileNameFailsInvalidParameter)
{
    SKIP_WITHOUT_IO_URING();
    Driver driver;
    EXPECT_EQ(driver.load(GetParam(), kService, kImage, {{"DiskSize", ULONGLONG{kDiskSize}}}), STATUS_INVALID_PARAMETER);
}

TEST_P(UringDiskTest, LoadFailsNotSupportedWhenIoUringIsRefused)
{
    ScratchFile file;
    setenv("NTIO_URING_DISABLE", "1", 1);
    Driver driver;
    const NTSTATUS status = driver.load(GetParam(), kService, kImage, disk_parameters(file, kDiskSize));
    unsetenv("NTIO_URING_DISABLE");
    EXPECT_EQ(status, STATUS_NOT_SUPPORTED);
}

INSTANTIATE_TEST_SUITE_P(LoadPaths, UringDiskTest, ::testing::Values(LoadPath::registry, LoadPath::direct),
                         load_path_name);

}  // namespace
}  // namespace ntio::test::drivers::uring
