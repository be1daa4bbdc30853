// NtQueryDirectoryFile(Ex) and NtNotifyChangeDirectoryFile through the test driver: the
// IRP_MJ_DIRECTORY_CONTROL each builds, the class, length, access and filter checks, and the
// buffering of the output by device flags.
#include "conformance/file_operations/file_operations_test_driver.hpp"
#include "support/io_status.hpp"

namespace ntio::file_operations_test {
namespace {
using ntio::test::kUntouched;
using ntio::test::untouched;

// The Windows x64 layouts (the FileName offsets of the ntifs.h structures).
TEST(FileOperationLayouts, directory_structures_have_windows_x64_layouts)
{
    EXPECT_EQ(offsetof(FILE_DIRECTORY_INFORMATION, FileName), 0x40u);
    EXPECT_EQ(offsetof(FILE_FULL_DIR_INFORMATION, FileName), 0x44u);
    EXPECT_EQ(offsetof(FILE_BOTH_DIR_INFORMATION, ShortName), 0x46u);
    EXPECT_EQ(offsetof(FILE_BOTH_DIR_INFORMATION, FileName), 0x5Eu);
    EXPECT_EQ(offsetof(FILE_ID_BOTH_DIR_INFORMATION, FileId), 0x60u);
    EXPECT_EQ(offsetof(FILE_ID_FULL_DIR_INFORMATION, FileId), 0x48u);
    EXPECT_EQ(offsetof(FILE_NAMES_INFORMATION, FileName), 0x0Cu);
    EXPECT_EQ(offsetof(FILE_NOTIFY_INFORMATION, FileName), 0x0Cu);
    EXPECT_EQ(sizeof(FILE_SEGMENT_ELEMENT), 8u);
    EXPECT_EQ(sizeof(NAMED_PIPE_CREATE_PARAMETERS), 0x28u);
    EXPECT_EQ(sizeof(MAILSLOT_CREATE_PARAMETERS), 0x18u);
}

// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-query-directory: the search
// expression is captured and passed in Parameters.QueryDirectory.FileName with the class, length
// and SL_RESTART_SCAN / SL_RETURN_SINGLE_ENTRY; on a DO_BUFFERED_IO device the caller receives
// exactly Information bytes of the system buffer (as NT fact E4 for buffered copy-back).
TEST_F(FileOperationsTest, query_directory_sends_name_class_and_flags_and_copies_back_information_bytes)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoBuffered\\dir", &h, FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_SUCCESS);
    g_state.information = 0x50;
    g_state.fill = 'q';
    char buffer[0x100];
    std::memset(buffer, 'a', sizeof(buffer));
    UNICODE_STRING mask;
    RtlInitUnicodeString(&mask, L"*.txt");
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                   FileBothDirectoryInformation, TRUE, &mask, TRUE),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 0x50u);
    EXPECT_EQ(std::string(buffer, 0x50), std::string(0x50, 'q'));
    EXPECT_EQ(buffer[0x50], 'a');
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_DIRECTORY_CONTROL);
    EXPECT_EQ(records[0].minor, IRP_MN_QUERY_DIRECTORY);
    EXPECT_EQ(records[0].flags, SL_RESTART_SCAN | SL_RETURN_SINGLE_ENTRY);
    EXPECT_EQ(records[0].length, sizeof(buffer));
    EXPECT_EQ(records[0].information_class, FileBothDirectoryInformation);
    ASSERT_TRUE(records[0].has_file_name);
    EXPECT_EQ(records[0].file_name, u"*.txt");
    EXPECT_NE(records[0].system_buffer, nullptr);
    EXPECT_EQ(records[0].user_buffer, buffer);

    // No expression, no flags; an error leaves the IOSB and the buffer alone (NT facts E2, E4).
    g_state.status = STATUS_NO_SUCH_FILE;
    std::memset(buffer, 'a', sizeof(buffer));
    iosb = kUntouched;
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), FileNamesInformation,
                                   FALSE, nullptr, FALSE),
              STATUS_NO_SUCH_FILE);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(buffer[0], 'a');
    records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].flags, 0);
    EXPECT_FALSE(records[0].has_file_name);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// On a device with neither buffering flag the file system gets the caller's buffer in UserBuffer;
// on a DO_DIRECT_IO device an MDL over it.
TEST_F(FileOperationsTest, query_directory_passes_user_buffer_or_mdl_by_device_flags)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoNeither\\dir", &h, FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_SUCCESS);
    alignas(8) char buffer[0x80];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), FileDirectoryInformation,
                                   FALSE, nullptr, FALSE),
              STATUS_SUCCESS);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].user_buffer, buffer);
    EXPECT_EQ(records[0].mdl, nullptr);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    ASSERT_EQ(open(L"\\??\\FoDisk\\dir", &h, FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_SUCCESS);
    g_state.information = 0x10;
    g_state.fill = 'm';
    std::memset(buffer, 'a', sizeof(buffer));
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), FileDirectoryInformation,
                                   FALSE, nullptr, FALSE),
              STATUS_SUCCESS);
    records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_NE(records[0].mdl, nullptr);
    EXPECT_EQ(std::string(buffer, 0x10), std::string(0x10, 'm'));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// Only the directory classes are valid (others STATUS_INVALID_INFO_CLASS), a buffer shorter than
// the class's fixed structure is STATUS_INFO_LENGTH_MISMATCH, and the handle needs
// FILE_LIST_DIRECTORY; each fails before any IRP with the IOSB untouched.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntquerydirectoryfile
TEST_F(FileOperationsTest, query_directory_checks_class_length_and_access)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoNeither\\dir", &h, FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_SUCCESS);
    alignas(8) char buffer[0x200];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), FileBasicInformation,
                                   FALSE, nullptr, FALSE),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), FileMaximumInformation,
                                   FALSE, nullptr, FALSE),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer,
                                   sizeof(FILE_ID_BOTH_DIR_INFORMATION) - 1, FileIdBothDirectoryInformation, FALSE,
                                   nullptr, FALSE),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryDirectoryFileEx(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                     FileDirectoryInformation, 0x100, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    // FILE_LIST_DIRECTORY is FILE_READ_DATA's bit: a write-only handle lacks it.
    ASSERT_EQ(open(L"\\??\\FoNeither\\dir", &h, FILE_WRITE_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT),
              STATUS_SUCCESS);
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), FileNamesInformation,
                                   FALSE, nullptr, FALSE),
              STATUS_ACCESS_DENIED);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_TRUE(g_state.take().empty());
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

std::atomic<int> g_notify_apc_calls{0};
VOID NTAPI count_notify_apc(PVOID, PIO_STATUS_BLOCK, ULONG) { ++g_notify_apc_calls; }

// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mn-notify-change-directory:
// CompletionFilter, SL_WATCH_TREE and the caller's buffer in UserBuffer. The request pends on an
// asynchronous handle; its completion writes the IOSB and its APC runs at the next alertable wait
// (NT facts B1, G1).
TEST_F(FileOperationsTest, notify_change_directory_pends_and_completes_through_apc)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoNeither\\dir", &h, FILE_LIST_DIRECTORY | SYNCHRONIZE, 0), STATUS_SUCCESS);
    g_state.pend = true;
    g_notify_apc_calls = 0;
    alignas(8) char buffer[0x100];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtNotifyChangeDirectoryFile(h, nullptr, count_notify_apc, nullptr, &iosb, buffer, sizeof(buffer),
                                          FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_SIZE, TRUE),
              STATUS_PENDING);
    EXPECT_TRUE(untouched(iosb));
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_DIRECTORY_CONTROL);
    EXPECT_EQ(records[0].minor, IRP_MN_NOTIFY_CHANGE_DIRECTORY);
    EXPECT_EQ(records[0].flags, SL_WATCH_TREE);
    EXPECT_EQ(records[0].completion_filter, FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_SIZE);
    EXPECT_EQ(records[0].length, sizeof(buffer));
    EXPECT_EQ(records[0].user_buffer, buffer);
    g_state.complete_parked(STATUS_NOTIFY_ENUM_DIR, 0);
    EXPECT_EQ(iosb.Status, STATUS_NOTIFY_ENUM_DIR);
    EXPECT_EQ(g_notify_apc_calls.load(), 0);
    LARGE_INTEGER zero{};
    EXPECT_EQ(NtDelayExecution(TRUE, &zero), STATUS_USER_APC);
    EXPECT_EQ(g_notify_apc_calls.load(), 1);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// A filter of 0 or with unknown bits is STATUS_INVALID_PARAMETER; the handle needs
// FILE_LIST_DIRECTORY; both before any IRP, IOSB untouched.
TEST_F(FileOperationsTest, notify_change_directory_checks_filter_and_access)
{
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\FoNeither\\dir", &h, FILE_WRITE_DATA | SYNCHRONIZE, 0), STATUS_SUCCESS);
    alignas(8) char buffer[0x40];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtNotifyChangeDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), 0, FALSE),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtNotifyChangeDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), 0x1000, FALSE),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtNotifyChangeDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                          FILE_NOTIFY_CHANGE_NAME, FALSE),
              STATUS_ACCESS_DENIED);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_TRUE(g_state.take().empty());
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::file_operations_test
