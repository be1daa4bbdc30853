// NtWriteFile on a handle opened with FILE_APPEND_DATA and without FILE_WRITE_DATA: whatever offset
// the caller gives, the driver is asked to write at the end of file (NT fact I9, the NT twin of the
// Win32 test in tests/conformance/win32_io/overlapped_test.cpp).
#include "conformance/file_operations/file_operations_test_driver.hpp"

namespace ntio::file_operations_test {
namespace {

LONGLONG write_to_end_of_file() {
    LARGE_INTEGER end;
    end.LowPart = FILE_WRITE_TO_END_OF_FILE;
    end.HighPart = -1;
    return end.QuadPart;
}

// NT fact I9: on an append-only handle explicit offsets, FILE_USE_FILE_POINTER_POSITION and a missing
// offset all become FILE_WRITE_TO_END_OF_FILE; a handle with FILE_WRITE_DATA keeps its offset.
TEST_F(FileOperationsTest, append_only_handle_writes_at_end_of_file_whatever_the_offset) {
    HANDLE append = nullptr;
    ASSERT_EQ(open(L"\\??\\FoBuffered\\file", &append, FILE_APPEND_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_SUCCESS);
    char data[3] = {'a', 'b', 'c'};
    g_state.information = sizeof(data);
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER offset;
    offset.QuadPart = 4;
    EXPECT_EQ(NtWriteFile(append, nullptr, nullptr, nullptr, &iosb, data, sizeof(data), &offset, nullptr),
              STATUS_SUCCESS);
    LARGE_INTEGER pointer;
    pointer.LowPart = FILE_USE_FILE_POINTER_POSITION;
    pointer.HighPart = -1;
    EXPECT_EQ(NtWriteFile(append, nullptr, nullptr, nullptr, &iosb, data, sizeof(data), &pointer, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(NtWriteFile(append, nullptr, nullptr, nullptr, &iosb, data, sizeof(data), nullptr, nullptr),
              STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 3u);
    for (const Record& r : records) {
        EXPECT_EQ(r.major, IRP_MJ_WRITE);
        EXPECT_EQ(r.offset, write_to_end_of_file());
    }
    EXPECT_EQ(NtClose(append), STATUS_SUCCESS);

    HANDLE both = nullptr;
    ASSERT_EQ(open(L"\\??\\FoBuffered\\file", &both, FILE_WRITE_DATA | FILE_APPEND_DATA | SYNCHRONIZE,
                   FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_SUCCESS);
    EXPECT_EQ(NtWriteFile(both, nullptr, nullptr, nullptr, &iosb, data, sizeof(data), &offset, nullptr),
              STATUS_SUCCESS);
    records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].offset, 4);
    EXPECT_EQ(NtClose(both), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::file_operations_test
