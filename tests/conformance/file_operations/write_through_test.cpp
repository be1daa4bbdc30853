// Write-through: a file object opened with FILE_WRITE_THROUGH (FO_WRITE_THROUGH), or switched to it
// with FileModeInformation, sends its writes (NtWriteFile and NtWriteFileGather) with SL_WRITE_THROUGH
// in the stack location's Flags, which file systems and disk drivers read per IRP (wdm.h: SL_WRITE_THROUGH
// "IRP_MJ_WRITE"; FILE_FLAG_WRITE_THROUGH: "write operations will not go through any intermediate
// cache"). Reads never carry it.
#include <sys/mman.h>

#include <cstring>

#include "conformance/file_operations/file_operations_test_driver.hpp"

namespace ntio::file_operations_test {
namespace {

struct Page {
    Page() { base = static_cast<char*>(mmap(nullptr, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)); }
    ~Page() { munmap(base, PAGE_SIZE); }
    char* base;
};

UCHAR write_flags(HANDLE h, bool gather) {
    Page page;
    std::memset(page.base, 'w', PAGE_SIZE);
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER offset{};
    g_state.information = PAGE_SIZE;
    NTSTATUS status;
    if (gather) {
        FILE_SEGMENT_ELEMENT segments[2] = {};
        segments[0].Buffer = page.base;
        status = NtWriteFileGather(h, nullptr, nullptr, nullptr, &iosb, segments, PAGE_SIZE, &offset, nullptr);
    } else {
        status = NtWriteFile(h, nullptr, nullptr, nullptr, &iosb, page.base, PAGE_SIZE, &offset, nullptr);
    }
    EXPECT_EQ(status, STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    EXPECT_EQ(records.size(), 1u);
    return records.empty() ? 0xFF : records[0].flags;
}

TEST_F(FileOperationsTest, writes_on_a_write_through_file_carry_sl_write_through) {
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoDisk\\file", &h, FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE,
                   FILE_WRITE_THROUGH | FILE_NO_INTERMEDIATE_BUFFERING | FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_SUCCESS);
    EXPECT_TRUE(write_flags(h, false) & SL_WRITE_THROUGH);
    EXPECT_TRUE(write_flags(h, true) & SL_WRITE_THROUGH);
    Page page;
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER offset{};
    g_state.information = 512;
    EXPECT_EQ(NtReadFile(h, nullptr, nullptr, nullptr, &iosb, page.base, 512, &offset, nullptr), STATUS_SUCCESS);
    std::vector<Record> reads = g_state.take();
    ASSERT_EQ(reads.size(), 1u);
    EXPECT_FALSE(reads[0].flags & SL_WRITE_THROUGH);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(FileOperationsTest, write_through_follows_the_file_mode) {
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoDisk\\file", &h, FILE_WRITE_DATA | SYNCHRONIZE,
                   FILE_NO_INTERMEDIATE_BUFFERING | FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_SUCCESS);
    EXPECT_FALSE(write_flags(h, false) & SL_WRITE_THROUGH);
    EXPECT_FALSE(write_flags(h, true) & SL_WRITE_THROUGH);
    FILE_MODE_INFORMATION mode{FILE_WRITE_THROUGH | FILE_SYNCHRONOUS_IO_NONALERT};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtSetInformationFile(h, &iosb, &mode, sizeof(mode), FileModeInformation), STATUS_SUCCESS);
    EXPECT_TRUE(write_flags(h, false) & SL_WRITE_THROUGH);
    EXPECT_TRUE(write_flags(h, true) & SL_WRITE_THROUGH);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::file_operations_test
