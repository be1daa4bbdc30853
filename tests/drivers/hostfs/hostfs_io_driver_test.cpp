// hostfs.sys's IRP_MJ_READ, IRP_MJ_WRITE, IRP_MJ_FLUSH_BUFFERS and IRP_MJ_LOCK_CONTROL through the Nt
// services: explicit offsets, the current position of a synchronous file, writes to the end of file,
// STATUS_END_OF_FILE at or past the end, directories, and byte-range locks between two handles.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-read
#include "hostfs_driver_support.hpp"

namespace ntio::test::drivers {
namespace {

TEST_F(HostfsTest, writes_and_reads_reach_the_host_file_at_their_offsets) {
    HANDLE h = nullptr;
    ASSERT_EQ(create("/io.bin", &h, FILE_CREATE), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(h, "hello", 5, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 5u);
    ASSERT_EQ(write_at(h, "world", 5, 10, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(get_host("/io.bin"), std::string("hello\0\0\0\0\0world", 15));
    char buffer[32] = {};
    ASSERT_EQ(read_at(h, buffer, sizeof(buffer), 10, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::string(buffer, iosb.Information), "world");
    // At and past the end.
    EXPECT_EQ(read_at(h, buffer, sizeof(buffer), 15, &iosb), STATUS_END_OF_FILE);
    EXPECT_EQ(read_at(h, buffer, sizeof(buffer), 1000, &iosb), STATUS_END_OF_FILE);
    EXPECT_EQ(NtFlushBuffersFile(h, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(HostfsTest, a_synchronous_file_moves_its_position_and_can_write_at_the_end) {
    put_host("/pos.txt", "abcdef");
    HANDLE h = nullptr;
    ASSERT_EQ(create("/pos.txt", &h, FILE_OPEN), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    char buffer[4] = {};
    ASSERT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 3, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(std::string(buffer, 3), "abc");
    ASSERT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 3, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(std::string(buffer, 3), "def");
    FILE_POSITION_INFORMATION position{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &position, sizeof(position), FilePositionInformation), STATUS_SUCCESS);
    EXPECT_EQ(position.CurrentByteOffset.QuadPart, 6);
    EXPECT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 3, nullptr, nullptr), STATUS_END_OF_FILE);

    LARGE_INTEGER end;
    end.LowPart = FILE_WRITE_TO_END_OF_FILE;
    end.HighPart = -1;
    ASSERT_EQ(NtWriteFile(h, nullptr, nullptr, nullptr, &iosb, const_cast<char*>("gh"), 2, &end, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(get_host("/pos.txt"), "abcdefgh");
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &position, sizeof(position), FilePositionInformation), STATUS_SUCCESS);
    EXPECT_EQ(position.CurrentByteOffset.QuadPart, 8);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(HostfsTest, a_directory_has_no_data_to_read) {
    ASSERT_EQ(mkdir(host("/d").c_str(), 0755), 0);
    HANDLE h = nullptr;
    ASSERT_EQ(create("/d", &h, FILE_OPEN, GENERIC_READ, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    char buffer[8];
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(read_at(h, buffer, sizeof(buffer), 0, &iosb), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// A FIFO has no data at an offset: the open does not wait for a writer and a read fails at once.
TEST_F(HostfsTest, a_host_fifo_opens_and_reads_without_waiting_for_a_writer) {
    ASSERT_EQ(mkfifo(host("/fifo").c_str(), 0644), 0);
    HANDLE h = nullptr;
    ASSERT_EQ(create("/fifo", &h, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    char buffer[8];
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(read_at(h, buffer, sizeof(buffer), 0, &iosb), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(HostfsTest, byte_range_locks_stop_the_other_handles_reads_and_writes) {
    put_host("/lock.bin", "0123456789");
    HANDLE owner = nullptr;
    HANDLE other = nullptr;
    ASSERT_EQ(create("/lock.bin", &owner, FILE_OPEN), STATUS_SUCCESS);
    ASSERT_EQ(create("/lock.bin", &other, FILE_OPEN), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER offset, length;
    offset.QuadPart = 2;
    length.QuadPart = 4;
    ASSERT_EQ(NtLockFile(owner, nullptr, nullptr, nullptr, &iosb, &offset, &length, 0, TRUE, TRUE), STATUS_SUCCESS);
    char buffer[4];
    EXPECT_EQ(read_at(other, buffer, 2, 3, &iosb), STATUS_FILE_LOCK_CONFLICT);
    EXPECT_EQ(write_at(other, "xx", 2, 3, &iosb), STATUS_FILE_LOCK_CONFLICT);
    EXPECT_EQ(read_at(other, buffer, 2, 6, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(read_at(owner, buffer, 2, 3, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtUnlockFile(owner, &iosb, &offset, &length, 0), STATUS_SUCCESS);
    EXPECT_EQ(read_at(other, buffer, 2, 3, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(other), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(owner), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::drivers
