// ReadDirectoryChangesW, synchronous and overlapped, on W32Fs directories: the notification pends in
// the driver until a create, delete, rename or size change in the watched directory completes it with a
// FILE_NOTIFY_INFORMATION chain.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-readdirectorychangesw and
// https://learn.microsoft.com/windows/win32/api/winnt/ns-winnt-file_notify_information
#include <string>
#include <thread>
#include <vector>

#include "win32_files_driver.hpp"

namespace ntio::test::win32_files {
namespace {

struct Record {
    DWORD action;
    std::string name;
};

std::vector<Record> records(const void* buffer, DWORD bytes) {
    std::vector<Record> out;
    if (!bytes) return out;
    auto* p = static_cast<const UCHAR*>(buffer);
    for (;;) {
        auto* r = reinterpret_cast<const FILE_NOTIFY_INFORMATION*>(p);
        EXPECT_EQ(reinterpret_cast<ULONG_PTR>(r) % sizeof(DWORD), 0u) << "records are DWORD aligned";
        out.push_back({r->Action, narrow(r->FileName, r->FileNameLength / sizeof(WCHAR))});
        if (!r->NextEntryOffset) break;
        p += r->NextEntryOffset;
        if (p >= static_cast<const UCHAR*>(buffer) + bytes) {
            ADD_FAILURE() << "NextEntryOffset points past the returned bytes";
            break;
        }
    }
    return out;
}

void create_file(const wchar_t* path) {
    WCHAR full[MAX_PATH];
    static const WCHAR kPrefix[] = L"\\\\.\\W32Fs";
    std::size_t n = 0;
    for (; kPrefix[n]; ++n) full[n] = kPrefix[n];
    for (std::size_t i = 0; path[i]; ++i) full[n++] = path[i];
    full[n] = 0;
    HANDLE h = CreateFileW(full, GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    CloseHandle(h);
}

TEST_F(Win32FilesTest, read_directory_changes_overlapped_pends_until_a_file_is_added) {
    // "For asynchronous calls, this indicates that the operation was successfully queued."
    HANDLE dir = open_directory(L"\\dir", true);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED ov{};
    ov.hEvent = event;
    alignas(DWORD) UCHAR buffer[512];
    ASSERT_TRUE(ReadDirectoryChangesW(dir, buffer, sizeof(buffer), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME, nullptr, &ov,
                                      nullptr))
        << GetLastError();
    ASSERT_TRUE(wait_for(g_state.notify_parked, 1));
    EXPECT_EQ(WaitForSingleObject(event, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    create_file(L"\\dir\\new.txt");
    ASSERT_EQ(WaitForSingleObject(event, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    DWORD bytes = 0;
    ASSERT_TRUE(GetOverlappedResult(dir, &ov, &bytes, FALSE)) << GetLastError();
    const std::vector<Record> got = records(buffer, bytes);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].action, static_cast<DWORD>(FILE_ACTION_ADDED));
    EXPECT_EQ(got[0].name, "new.txt");
    EXPECT_EQ(bytes, FIELD_OFFSET(FILE_NOTIFY_INFORMATION, FileName) + 7 * sizeof(WCHAR));
    CloseHandle(event);
    CloseHandle(dir);
}

TEST_F(Win32FilesTest, read_directory_changes_reports_a_rename_as_an_old_and_new_name_chain) {
    HANDLE dir = open_directory(L"\\dir", true);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED ov{};
    ov.hEvent = event;
    alignas(DWORD) UCHAR buffer[512];
    ASSERT_TRUE(ReadDirectoryChangesW(dir, buffer, sizeof(buffer), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME, nullptr, &ov,
                                      nullptr));
    ASSERT_TRUE(wait_for(g_state.notify_parked, 1));
    HANDLE file = open(L"\\dir\\alpha.txt", GENERIC_READ | DELETE);
    ASSERT_NE(file, INVALID_HANDLE_VALUE);
    alignas(8) UCHAR rename[sizeof(FILE_RENAME_INFO) + 32]{};
    const wchar_t kName[] = L"renamed.txt";
    auto* chars = reinterpret_cast<WCHAR*>(rename + FIELD_OFFSET(FILE_RENAME_INFO, FileName));
    for (DWORD i = 0; kName[i]; ++i) chars[i] = kName[i];
    reinterpret_cast<FILE_RENAME_INFO*>(rename)->FileNameLength = 11 * sizeof(WCHAR);
    ASSERT_TRUE(SetFileInformationByHandle(file, FileRenameInfo, rename, sizeof(rename))) << GetLastError();
    CloseHandle(file);
    ASSERT_EQ(WaitForSingleObject(event, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    DWORD bytes = 0;
    ASSERT_TRUE(GetOverlappedResult(dir, &ov, &bytes, FALSE));
    const std::vector<Record> got = records(buffer, bytes);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].action, static_cast<DWORD>(FILE_ACTION_RENAMED_OLD_NAME));
    EXPECT_EQ(got[0].name, "alpha.txt");
    EXPECT_EQ(got[1].action, static_cast<DWORD>(FILE_ACTION_RENAMED_NEW_NAME));
    EXPECT_EQ(got[1].name, "renamed.txt");
    CloseHandle(event);
    CloseHandle(dir);
}

TEST_F(Win32FilesTest, read_directory_changes_returns_changes_made_between_calls_at_once) {
    // "Directory changes that occur between calls to this function are added to the buffer and then
    // returned with the next call."
    HANDLE dir = open_directory(L"\\dir", true);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED ov{};
    ov.hEvent = event;
    alignas(DWORD) UCHAR buffer[512];
    ASSERT_TRUE(ReadDirectoryChangesW(dir, buffer, sizeof(buffer), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME, nullptr, &ov,
                                      nullptr));
    ASSERT_TRUE(wait_for(g_state.notify_parked, 1));
    create_file(L"\\dir\\one.txt");
    ASSERT_EQ(WaitForSingleObject(event, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    DWORD bytes = 0;
    ASSERT_TRUE(GetOverlappedResult(dir, &ov, &bytes, FALSE));
    ASSERT_EQ(records(buffer, bytes).size(), 1u);

    create_file(L"\\dir\\two.txt");
    ASSERT_TRUE(DeleteFileW(L"\\\\.\\W32Fs\\dir\\gamma.log"));
    // The next call completes with the buffered pair without waiting for a new change.
    ResetEvent(event);
    ASSERT_TRUE(ReadDirectoryChangesW(dir, buffer, sizeof(buffer), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME, nullptr,
                                      &ov, nullptr));
    ASSERT_EQ(WaitForSingleObject(event, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    ASSERT_TRUE(GetOverlappedResult(dir, &ov, &bytes, FALSE));
    const std::vector<Record> got = records(buffer, bytes);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].action, static_cast<DWORD>(FILE_ACTION_ADDED));
    EXPECT_EQ(got[0].name, "two.txt");
    EXPECT_EQ(got[1].action, static_cast<DWORD>(FILE_ACTION_REMOVED));
    EXPECT_EQ(got[1].name, "gamma.log");
    CloseHandle(event);
    CloseHandle(dir);
}

TEST_F(Win32FilesTest, read_directory_changes_synchronous_call_blocks_until_a_change) {
    // "For synchronous calls, this parameter receives the number of bytes transferred into the
    // lpBuffer parameter."
    HANDLE dir = open_directory(L"\\dir", false);
    alignas(DWORD) UCHAR buffer[512];
    DWORD bytes = 0;
    BOOL ok = FALSE;
    std::thread watcher([&] {
        ok = ReadDirectoryChangesW(dir, buffer, sizeof(buffer), FALSE, FILE_NOTIFY_CHANGE_SIZE, &bytes, nullptr,
                                   nullptr);
    });
    ASSERT_TRUE(wait_for(g_state.notify_parked, 1));
    HANDLE file = open(L"\\dir\\beta.txt", GENERIC_WRITE);
    ASSERT_NE(file, INVALID_HANDLE_VALUE);
    FILE_END_OF_FILE_INFO eof{};
    eof.EndOfFile.QuadPart = 1;
    ASSERT_TRUE(SetFileInformationByHandle(file, FileEndOfFileInfo, &eof, sizeof(eof)));
    CloseHandle(file);
    watcher.join();
    EXPECT_TRUE(ok) << GetLastError();
    const std::vector<Record> got = records(buffer, bytes);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].action, static_cast<DWORD>(FILE_ACTION_MODIFIED));
    EXPECT_EQ(got[0].name, "beta.txt");
    CloseHandle(dir);
}

TEST_F(Win32FilesTest, read_directory_changes_watches_a_subtree_only_when_asked) {
    // bWatchSubtree: "If this parameter is TRUE, the function monitors the directory tree rooted at the
    // specified directory." Names are relative to the watched directory.
    HANDLE flat = open_directory(L"\\dir", true);
    HANDLE tree = open_directory(L"\\dir", true);
    HANDLE flat_event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    HANDLE tree_event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED flat_ov{}, tree_ov{};
    flat_ov.hEvent = flat_event;
    tree_ov.hEvent = tree_event;
    alignas(DWORD) UCHAR flat_buffer[512], tree_buffer[512];
    ASSERT_TRUE(ReadDirectoryChangesW(flat, flat_buffer, sizeof(flat_buffer), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME,
                                      nullptr, &flat_ov, nullptr));
    ASSERT_TRUE(ReadDirectoryChangesW(tree, tree_buffer, sizeof(tree_buffer), TRUE, FILE_NOTIFY_CHANGE_FILE_NAME,
                                      nullptr, &tree_ov, nullptr));
    ASSERT_TRUE(wait_for(g_state.notify_parked, 2));
    create_file(L"\\dir\\sub\\deep.txt");
    ASSERT_EQ(WaitForSingleObject(tree_event, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    DWORD bytes = 0;
    ASSERT_TRUE(GetOverlappedResult(tree, &tree_ov, &bytes, FALSE));
    const std::vector<Record> got = records(tree_buffer, bytes);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].name, "sub\\deep.txt");
    EXPECT_EQ(WaitForSingleObject(flat_event, 0), static_cast<DWORD>(WAIT_TIMEOUT)) << "not a change in \\dir itself";
    EXPECT_EQ(g_state.notify_parked.load(), 1);
    EXPECT_TRUE(CancelIoEx(flat, &flat_ov));
    ASSERT_EQ(WaitForSingleObject(flat_event, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    EXPECT_FALSE(GetOverlappedResult(flat, &flat_ov, &bytes, FALSE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    CloseHandle(flat_event);
    CloseHandle(tree_event);
    CloseHandle(flat);
    CloseHandle(tree);
}

TEST_F(Win32FilesTest, read_directory_changes_ignores_changes_outside_the_filter) {
    HANDLE dir = open_directory(L"\\dir", true);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED ov{};
    ov.hEvent = event;
    alignas(DWORD) UCHAR buffer[512];
    ASSERT_TRUE(ReadDirectoryChangesW(dir, buffer, sizeof(buffer), FALSE, FILE_NOTIFY_CHANGE_DIR_NAME, nullptr, &ov,
                                      nullptr));
    ASSERT_TRUE(wait_for(g_state.notify_parked, 1));
    create_file(L"\\dir\\file_only.txt");
    EXPECT_EQ(WaitForSingleObject(event, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    CloseHandle(event);
    EXPECT_TRUE(CancelIoEx(dir, &ov));
    DWORD bytes = 0;
    EXPECT_FALSE(GetOverlappedResult(dir, &ov, &bytes, TRUE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    CloseHandle(dir);
}

std::vector<Record>* g_routine_records = nullptr;
DWORD g_routine_error = 0xFFFF;
UCHAR* g_routine_buffer = nullptr;

VOID WINAPI on_changes(DWORD error, DWORD bytes, LPOVERLAPPED ov) {
    UNREFERENCED_PARAMETER(ov);
    g_routine_error = error;
    *g_routine_records = records(g_routine_buffer, bytes);
}

TEST_F(Win32FilesTest, read_directory_changes_with_a_completion_routine_runs_it_in_an_alertable_wait) {
    // lpCompletionRoutine: called "when the operation has been completed or canceled and the calling
    // thread is in an alertable wait state".
    HANDLE dir = open_directory(L"\\dir", true);
    alignas(DWORD) UCHAR buffer[512];
    std::vector<Record> got;
    g_routine_records = &got;
    g_routine_buffer = buffer;
    g_routine_error = 0xFFFF;
    OVERLAPPED ov{};
    ASSERT_TRUE(ReadDirectoryChangesW(dir, buffer, sizeof(buffer), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME, nullptr, &ov,
                                      on_changes))
        << GetLastError();
    ASSERT_TRUE(wait_for(g_state.notify_parked, 1));
    create_file(L"\\dir\\routine.txt");
    EXPECT_EQ(SleepEx(10000, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    EXPECT_EQ(g_routine_error, static_cast<DWORD>(ERROR_SUCCESS));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].name, "routine.txt");
    g_routine_records = nullptr;
    CloseHandle(dir);
}

TEST_F(Win32FilesTest, read_directory_changes_rejects_bad_filters_access_and_files) {
    HANDLE dir = open_directory(L"\\dir", false);
    alignas(DWORD) UCHAR buffer[64];
    DWORD bytes = 0;
    EXPECT_FALSE(ReadDirectoryChangesW(dir, buffer, sizeof(buffer), FALSE, 0, &bytes, nullptr, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(ReadDirectoryChangesW(dir, buffer, sizeof(buffer), FALSE, 0x10000, &bytes, nullptr, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    CloseHandle(dir);
    // "This directory must be opened with the FILE_LIST_DIRECTORY access right."
    HANDLE no_list = open(L"\\dir", FILE_READ_ATTRIBUTES, FILE_FLAG_BACKUP_SEMANTICS);
    ASSERT_NE(no_list, INVALID_HANDLE_VALUE);
    EXPECT_FALSE(ReadDirectoryChangesW(no_list, buffer, sizeof(buffer), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME, &bytes,
                                       nullptr, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    CloseHandle(no_list);
    EXPECT_EQ(g_state.notify_parked.load(), 0);
}

TEST_F(Win32FilesTest, read_directory_changes_that_do_not_fit_return_zero_bytes) {
    // "If the buffer overflows, the entire contents of the buffer are discarded [and]
    // lpBytesReturned contains zero."
    HANDLE dir = open_directory(L"\\dir", true);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED ov{};
    ov.hEvent = event;
    alignas(DWORD) UCHAR buffer[16];
    ASSERT_TRUE(ReadDirectoryChangesW(dir, buffer, sizeof(buffer), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME, nullptr, &ov,
                                      nullptr));
    ASSERT_TRUE(wait_for(g_state.notify_parked, 1));
    create_file(L"\\dir\\a_rather_long_name.txt");
    ASSERT_EQ(WaitForSingleObject(event, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    DWORD bytes = 99;
    (void)GetOverlappedResult(dir, &ov, &bytes, FALSE);
    EXPECT_EQ(bytes, 0u);
    CloseHandle(event);
    CloseHandle(dir);
}

}  // namespace
}  // namespace ntio::test::win32_files
