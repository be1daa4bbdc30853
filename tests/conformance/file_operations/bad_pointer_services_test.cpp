// Caller pointers that fault, given from user mode to the file-operation, EA and quota services
// (NtQueryDirectoryFile, NtNotifyChangeDirectoryFile, NtQueryEaFile, NtSetEaFile,
// NtQueryQuotaInformationFile, NtSetQuotaInformationFile, NtReadFileScatter, NtWriteFileGather):
// each is STATUS_ACCESS_VIOLATION from the probe or capture, no IRP reaches the driver, a good IOSB
// stays untouched and the process does not crash (issue 4: "bad pointers give STATUS_ACCESS_VIOLATION").
#include "conformance/file_operations/file_operations_test_driver.hpp"
#include "conformance/nt/nt_test_support.hpp"
#include "support/io_status.hpp"

namespace ntio::file_operations_test {
namespace {
using ntio::test::kUntouched;
using ntio::test::untouched;

class BadPointerTest : public FileOperationsTest {
protected:
    HANDLE open_or_fail(const wchar_t* name, ACCESS_MASK access, ULONG options) {
        HANDLE h = nullptr;
        EXPECT_EQ(open(name, &h, access, options), STATUS_SUCCESS);
        g_state.take();
        return h;
    }
    void expect_no_irp() { EXPECT_TRUE(g_state.take().empty()) << "an IRP reached the driver"; }

    ntio::test::BadMemory m_bad;
};

TEST_F(BadPointerTest, query_directory_file_faults_on_iosb_buffer_and_file_name) {
    HANDLE h = open_or_fail(L"\\??\\FoBuffered\\dir", FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT);
    char buffer[0x100];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, m_bad.read_only<IO_STATUS_BLOCK>(), buffer,
                                   sizeof(buffer), FileDirectoryInformation, FALSE, nullptr, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, nullptr, buffer, sizeof(buffer),
                                   FileDirectoryInformation, FALSE, nullptr, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, m_bad.no_access<void>(), 0x100,
                                   FileDirectoryInformation, FALSE, nullptr, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, m_bad.read_only<void>(), 0x100,
                                   FileDirectoryInformation, FALSE, nullptr, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                   FileDirectoryInformation, FALSE, m_bad.no_access<UNICODE_STRING>(), FALSE),
              STATUS_ACCESS_VIOLATION);
    UNICODE_STRING name;
    name.Buffer = m_bad.no_access<WCHAR>();
    name.Length = name.MaximumLength = 8;
    EXPECT_EQ(NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                   FileDirectoryInformation, FALSE, &name, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_TRUE(untouched(iosb));
    expect_no_irp();
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(BadPointerTest, notify_change_directory_file_faults_on_iosb_and_buffer) {
    HANDLE h = open_or_fail(L"\\??\\FoBuffered\\dir", FILE_LIST_DIRECTORY | SYNCHRONIZE, 0);
    HANDLE event = create_event();
    char buffer[0x100];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtNotifyChangeDirectoryFile(h, event, nullptr, nullptr, m_bad.read_only<IO_STATUS_BLOCK>(), buffer,
                                          sizeof(buffer), FILE_NOTIFY_CHANGE_FILE_NAME, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtNotifyChangeDirectoryFile(h, event, nullptr, nullptr, &iosb, m_bad.no_access<void>(), 0x100,
                                          FILE_NOTIFY_CHANGE_FILE_NAME, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtNotifyChangeDirectoryFile(h, event, nullptr, nullptr, &iosb, m_bad.read_only<void>(), 0x100,
                                          FILE_NOTIFY_CHANGE_FILE_NAME, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_TRUE(signalled(event)) << "the probe comes before the event reset";
    expect_no_irp();
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(BadPointerTest, query_and_set_ea_file_fault_on_iosb_buffer_list_and_index) {
    HANDLE h = open_or_fail(L"\\??\\FoNeither\\file", FILE_READ_EA | FILE_WRITE_EA | SYNCHRONIZE,
                            FILE_SYNCHRONOUS_IO_NONALERT);
    char buffer[0x100];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtQueryEaFile(h, m_bad.read_only<IO_STATUS_BLOCK>(), buffer, sizeof(buffer), FALSE, nullptr, 0, nullptr,
                            FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryEaFile(h, &iosb, m_bad.no_access<void>(), 0x100, FALSE, nullptr, 0, nullptr, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryEaFile(h, &iosb, m_bad.read_only<void>(), 0x100, FALSE, nullptr, 0, nullptr, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryEaFile(h, &iosb, buffer, sizeof(buffer), FALSE, m_bad.no_access<void>(), 0x20, nullptr, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryEaFile(h, &iosb, buffer, sizeof(buffer), FALSE, nullptr, 0, m_bad.no_access<ULONG>(), FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtSetEaFile(h, m_bad.read_only<IO_STATUS_BLOCK>(), buffer, sizeof(buffer)), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtSetEaFile(h, &iosb, m_bad.no_access<void>(), 0x40), STATUS_ACCESS_VIOLATION);
    EXPECT_TRUE(untouched(iosb));
    expect_no_irp();
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(BadPointerTest, query_and_set_quota_fault_on_iosb_buffer_sid_list_and_start_sid) {
    HANDLE h = open_or_fail(L"\\??\\FoNeither\\vol", FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE,
                            FILE_SYNCHRONOUS_IO_NONALERT);
    char buffer[0x100];
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtQueryQuotaInformationFile(h, m_bad.read_only<IO_STATUS_BLOCK>(), buffer, sizeof(buffer), FALSE,
                                          nullptr, 0, nullptr, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryQuotaInformationFile(h, &iosb, m_bad.no_access<void>(), 0x100, FALSE, nullptr, 0, nullptr, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryQuotaInformationFile(h, &iosb, buffer, sizeof(buffer), FALSE, m_bad.no_access<void>(), 0x20, nullptr,
                                          FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryQuotaInformationFile(h, &iosb, buffer, sizeof(buffer), FALSE, nullptr, 0, m_bad.no_access<SID>(),
                                          FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtSetQuotaInformationFile(h, m_bad.read_only<IO_STATUS_BLOCK>(), buffer, sizeof(buffer)),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtSetQuotaInformationFile(h, &iosb, m_bad.no_access<void>(), 0x40), STATUS_ACCESS_VIOLATION);
    EXPECT_TRUE(untouched(iosb));
    expect_no_irp();
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(BadPointerTest, scatter_gather_fault_on_segments_iosb_offset_and_key) {
    HANDLE h = open_or_fail(L"\\??\\FoDisk\\file", FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE,
                            FILE_NO_INTERMEDIATE_BUFFERING);
    const auto page_size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* page = mmap(nullptr, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    FILE_SEGMENT_ELEMENT segments[2];
    segments[0].Buffer = page;
    segments[1].Alignment = 0;
    LARGE_INTEGER offset{};
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtReadFileScatter(h, nullptr, nullptr, nullptr, &iosb, m_bad.no_access<FILE_SEGMENT_ELEMENT>(), 512, &offset,
                                nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtWriteFileGather(h, nullptr, nullptr, nullptr, &iosb, m_bad.no_access<FILE_SEGMENT_ELEMENT>(), 512, &offset,
                                nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtReadFileScatter(h, nullptr, nullptr, nullptr, m_bad.read_only<IO_STATUS_BLOCK>(), segments, 512,
                                &offset, nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtWriteFileGather(h, nullptr, nullptr, nullptr, &iosb, segments, 512, m_bad.no_access<LARGE_INTEGER>(),
                                nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtReadFileScatter(h, nullptr, nullptr, nullptr, &iosb, segments, 512, &offset, m_bad.no_access<ULONG>()),
              STATUS_ACCESS_VIOLATION);
    EXPECT_TRUE(untouched(iosb));
    expect_no_irp();
    munmap(page, page_size);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::file_operations_test
