// fastfat.sys reads and writes: cached, non-cached (FILE_NO_INTERMEDIATE_BUFFERING), appends,
// extending and sparse writes, end of file (NT fact I1), flush, byte-range locks, and that what was
// written reads back through mtools after an unmount with the image clean for fsck.fat.
#include "fastfat_driver_support.hpp"

namespace ntio::test::drivers {
namespace {

class FastFatIoTest : public FastFatTest, public ::testing::WithParamInterface<fat::ImageSpec> {
protected:
    void SetUp() override {
        FastFatTest::SetUp();
        if (IsSkipped()) return;
        format(GetParam());
    }
};

TEST_P(FastFatIoTest, cached_writes_read_back_and_survive_the_unmount) {
    std::vector<uint8_t> big = fat::pattern(300000, 11);  // more than one cache view
    put_file("\\big.bin", big);
    EXPECT_EQ(get_file("\\big.bin"), big);

    // Overwrite a range in the middle, then read it back at an odd offset.
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\big.bin", &h, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    std::vector<uint8_t> patch = fat::pattern(10000, 12);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(h, patch.data(), ULONG(patch.size()), 12345, &iosb), STATUS_SUCCESS);
    std::copy(patch.begin(), patch.end(), big.begin() + 12345);
    std::vector<uint8_t> back(20000);
    ASSERT_EQ(read_at(h, back.data(), ULONG(back.size()), 10001, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, back.size());
    EXPECT_TRUE(std::equal(back.begin(), back.end(), big.begin() + 10001));
    // NT fact I1: a read at the end of file is STATUS_END_OF_FILE; a short read stops at the end.
    EXPECT_EQ(read_at(h, back.data(), 10, LONGLONG(big.size()), &iosb), STATUS_END_OF_FILE);
    ASSERT_EQ(read_at(h, back.data(), 100, LONGLONG(big.size()) - 7, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 7u);
    EXPECT_EQ(NtFlushBuffersFile(h, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    // A write past the end leaves zeros in the gap.
    ASSERT_EQ(create("\\sparse.bin", &h, FILE_CREATE, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    ASSERT_EQ(write_at(h, "tail", 4, 70000, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    std::vector<uint8_t> sparse(70004, 0);
    std::memcpy(sparse.data() + 70000, "tail", 4);
    EXPECT_EQ(get_file("\\sparse.bin"), sparse);

    // Appends through the file pointer and FILE_WRITE_TO_END_OF_FILE.
    ASSERT_EQ(create("\\log.txt", &h, FILE_CREATE, FILE_APPEND_DATA | FILE_READ_DATA), STATUS_SUCCESS);
    for (int i = 0; i < 3; ++i) {
        LARGE_INTEGER end;
        end.LowPart = FILE_WRITE_TO_END_OF_FILE;
        end.HighPart = -1;
        ASSERT_EQ(NtWriteFile(h, nullptr, nullptr, nullptr, &iosb, const_cast<char*>("line\n"), 5, &end, nullptr),
                  STATUS_SUCCESS);
    }
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    std::string log = "line\nline\nline\n";
    EXPECT_EQ(get_file("\\log.txt"), std::vector<uint8_t>(log.begin(), log.end()));

    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mtype(m_image, "big.bin"), big);
    EXPECT_EQ(fat::mtype(m_image, "sparse.bin"), sparse);
    EXPECT_EQ(fat::mtype(m_image, "log.txt"), std::vector<uint8_t>(log.begin(), log.end()));
}

TEST_P(FastFatIoTest, non_cached_io_is_sector_aligned_and_sees_cached_data) {
    const ULONG sector = ULONG(GetParam().sector_size);
    HANDLE cached = nullptr, direct = nullptr;
    ASSERT_EQ(create("\\mixed.bin", &cached, FILE_CREATE, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    ASSERT_EQ(create("\\mixed.bin", &direct, FILE_OPEN, GENERIC_READ | GENERIC_WRITE, FILE_NO_INTERMEDIATE_BUFFERING),
              STATUS_SUCCESS);
    std::vector<uint8_t> first = fat::pattern(4 * sector, 21);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(cached, first.data(), ULONG(first.size()), 0, &iosb), STATUS_SUCCESS);
    // The non-cached read sees what the cached handle wrote (the cache is flushed first).
    std::vector<uint8_t> back(4 * sector);
    ASSERT_EQ(read_at(direct, back.data(), ULONG(back.size()), 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(back, first);
    // Misaligned non-cached transfers are refused.
    EXPECT_EQ(read_at(direct, back.data(), 100, 0, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(write_at(direct, back.data(), sector, 3, &iosb), STATUS_INVALID_PARAMETER);
    // A non-cached write replaces what the cache held.
    std::vector<uint8_t> second = fat::pattern(sector, 22);
    ASSERT_EQ(write_at(direct, second.data(), sector, sector, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(read_at(cached, back.data(), sector, sector, &iosb), STATUS_SUCCESS);
    EXPECT_TRUE(std::equal(second.begin(), second.end(), back.begin()));
    std::copy(second.begin(), second.end(), first.begin() + sector);
    EXPECT_EQ(NtClose(direct), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(cached), STATUS_SUCCESS);
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mtype(m_image, "mixed.bin"), first);
}

TEST_P(FastFatIoTest, end_of_file_truncates_and_extends) {
    std::vector<uint8_t> data = fat::pattern(50000, 31);
    put_file("\\sized.bin", data);
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\sized.bin", &h, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    FILE_END_OF_FILE_INFORMATION eof{};
    eof.EndOfFile.QuadPart = 1000;
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &eof, sizeof(eof), FileEndOfFileInformation), STATUS_SUCCESS);
    eof.EndOfFile.QuadPart = 3000;
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &eof, sizeof(eof), FileEndOfFileInformation), STATUS_SUCCESS);
    FILE_STANDARD_INFORMATION standard{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
    EXPECT_EQ(standard.EndOfFile.QuadPart, 3000);
    EXPECT_GE(standard.AllocationSize.QuadPart, 3000);
    std::vector<uint8_t> back(3000);
    ASSERT_EQ(read_at(h, back.data(), 3000, 0, &iosb), STATUS_SUCCESS);
    std::vector<uint8_t> expected(data.begin(), data.begin() + 1000);
    expected.resize(3000, 0);
    EXPECT_EQ(back, expected);
    // FileAllocationInformation below the size truncates.
    FILE_ALLOCATION_INFORMATION allocation{};
    allocation.AllocationSize.QuadPart = 500;
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &allocation, sizeof(allocation), FileAllocationInformation), STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof(standard), FileStandardInformation), STATUS_SUCCESS);
    EXPECT_EQ(standard.EndOfFile.QuadPart, 500);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    expected.resize(500);
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mtype(m_image, "sized.bin"), expected);
}

TEST_P(FastFatIoTest, byte_range_locks_block_other_handles) {
    put_file("\\locked.bin", fat::pattern(4096, 41));
    HANDLE a = nullptr, b = nullptr;
    ASSERT_EQ(create("\\locked.bin", &a, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    ASSERT_EQ(create("\\locked.bin", &b, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER offset, length;
    offset.QuadPart = 100;
    length.QuadPart = 50;
    ASSERT_EQ(NtLockFile(a, nullptr, nullptr, nullptr, &iosb, &offset, &length, 0, TRUE, TRUE), STATUS_SUCCESS);
    UCHAR buffer[64];
    EXPECT_EQ(read_at(b, buffer, 10, 120, &iosb), STATUS_FILE_LOCK_CONFLICT);
    EXPECT_EQ(write_at(b, buffer, 10, 95, &iosb), STATUS_FILE_LOCK_CONFLICT);
    EXPECT_EQ(write_at(b, buffer, 10, 90, &iosb), STATUS_SUCCESS);  // ends where the lock starts
    EXPECT_EQ(read_at(b, buffer, 10, 200, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(read_at(a, buffer, 10, 120, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtLockFile(b, nullptr, nullptr, nullptr, &iosb, &offset, &length, 0, TRUE, TRUE), STATUS_LOCK_NOT_GRANTED);
    ASSERT_EQ(NtUnlockFile(a, &iosb, &offset, &length, 0), STATUS_SUCCESS);
    EXPECT_EQ(read_at(b, buffer, 10, 120, &iosb), STATUS_SUCCESS);
    // A handle's locks go with it at cleanup.
    ASSERT_EQ(NtLockFile(a, nullptr, nullptr, nullptr, &iosb, &offset, &length, 0, TRUE, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_EQ(write_at(b, buffer, 10, 120, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
}

INSTANTIATE_TEST_SUITE_P(Types, FastFatIoTest,
                         ::testing::Values(fat::ImageSpec{12, 2048, 1, 512, ""}, fat::ImageSpec{16, 16384, 4, 512, ""},
                                           fat::ImageSpec{32, 40000, 1, 512, ""},
                                           fat::ImageSpec{16, 32768, 2, 4096, ""}),
                         [](const ::testing::TestParamInfo<fat::ImageSpec>& info) {
                             return "FAT" + std::to_string(info.param.fat_bits) + "_" +
                                    std::to_string(info.param.sector_size);
                         });

TEST_F(FastFatTest, a_full_volume_fails_the_write_with_disk_full_and_stays_clean) {
    format({12, 1024, 1, 512, ""});
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\huge.bin", &h, FILE_CREATE, GENERIC_WRITE), STATUS_SUCCESS);
    std::vector<uint8_t> data(2 * 1024 * 1024, 0x5A);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(write_at(h, data.data(), ULONG(data.size()), 0, &iosb), STATUS_DISK_FULL);
    ASSERT_EQ(write_at(h, data.data(), 1000, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mtype(m_image, "huge.bin"), std::vector<uint8_t>(1000, 0x5A));
}

// A cached write, then an end of file below the old one but past the written bytes: the written
// bytes stay, in the cache and on the disk (the truncation's purge of the cache keeps the dirty page
// the new end falls in), with or without a flush before the close.
TEST_F(FastFatTest, a_shorter_end_of_file_keeps_what_was_just_written_before_it) {
    format({12, 1024, 1, 512, ""});
    for (const bool flush : {false, true}) {
        const std::string name = flush ? "\\flushed.txt" : "\\lazy.txt";
        put_file(name, std::vector<uint8_t>(300, 'a'));
        HANDLE h = nullptr;
        ASSERT_EQ(create(name, &h, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
        std::vector<uint8_t> old(300);
        IO_STATUS_BLOCK iosb{};
        ASSERT_EQ(read_at(h, old.data(), ULONG(old.size()), 0, &iosb), STATUS_SUCCESS);
        const std::vector<uint8_t> data(200, 'b');
        ASSERT_EQ(write_at(h, data.data(), ULONG(data.size()), 0, &iosb), STATUS_SUCCESS);
        FILE_END_OF_FILE_INFORMATION end{};
        end.EndOfFile.QuadPart = 200;
        ASSERT_EQ(NtSetInformationFile(h, &iosb, &end, sizeof(end), FileEndOfFileInformation), STATUS_SUCCESS);
        if (flush) {
            EXPECT_EQ(NtFlushBuffersFile(h, &iosb), STATUS_SUCCESS);
        }
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        EXPECT_EQ(get_file(name), data) << name;
    }
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mtype(m_image, "lazy.txt"), std::vector<uint8_t>(200, 'b'));
    EXPECT_EQ(fat::mtype(m_image, "flushed.txt"), std::vector<uint8_t>(200, 'b'));
}

}  // namespace
}  // namespace ntio::test::drivers

namespace ntio::test::drivers {
namespace {

// NT fact I8: a NULL buffer with a length: the read fails in the I/O manager's probe
// (STATUS_ACCESS_VIOLATION), the write in the file system (STATUS_INVALID_USER_BUFFER); the IOSB
// stays untouched. NT fact I9: a handle with FILE_APPEND_DATA only appends, whatever the offset.
TEST_F(FastFatTest, I8_null_buffers_and_I9_append_only_handles) {
    format({12, 1024, 1, 512, ""});
    put_file("\\data.bin", fat::pattern(100, 8));
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\data.bin", &h, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    iosb.Status = 0x1234;
    iosb.Information = 0x5678;
    EXPECT_EQ(read_at(h, nullptr, 10, 0, &iosb), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(write_at(h, nullptr, 10, 0, &iosb), STATUS_INVALID_USER_BUFFER);
    EXPECT_EQ(iosb.Status, NTSTATUS(0x1234));
    EXPECT_EQ(iosb.Information, 0x5678u);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    ASSERT_EQ(create("\\data.bin", &h, FILE_OPEN, FILE_APPEND_DATA), STATUS_SUCCESS);
    ASSERT_EQ(write_at(h, "end", 3, 0, &iosb), STATUS_SUCCESS);
    FILE_POSITION_INFORMATION position{};
    ASSERT_EQ(NtQueryInformationFile(h, &iosb, &position, sizeof(position), FilePositionInformation), STATUS_SUCCESS);
    EXPECT_EQ(position.CurrentByteOffset.QuadPart, 103);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    std::vector<uint8_t> expected = fat::pattern(100, 8);
    expected.insert(expected.end(), {'e', 'n', 'd'});
    EXPECT_EQ(get_file("\\data.bin"), expected);
}

}  // namespace
}  // namespace ntio::test::drivers
