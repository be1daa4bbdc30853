// kernel32's change notification over FsRtl's notify lists: ReadDirectoryChangesW (overlapped, with
// GetOverlappedResult) and the FindFirstChangeNotification handle, on the notify test file system.
// Contracts from Microsoft Learn, "ReadDirectoryChangesW" and "FindFirstChangeNotificationW".
#include <gtest/gtest.h>

#include <cstring>

#include <windows.h>

#include "../../unit/fsrtl/notify_test_fs.hpp"
#include "support/driver_fixture.hpp"

namespace ntio::fsrtl::test {
namespace notify_win32 {

constexpr const wchar_t* kRoot = L"\\\\.\\FsRtlNotifyTest\\";

class NotifyWin32Test : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        DriverTest::SetUp();
        ASSERT_EQ(create_driver(L"FsRtlNotifyTest", notify_fs_entry), STATUS_SUCCESS);
    }
    // Built by hand: the C++ library's wide-string code assumes a 32-bit wchar_t (-fshort-wchar).
    static void make(const wchar_t* name) {
        wchar_t path[64] = {};
        std::size_t n = 0;
        for (const wchar_t* p = kRoot; *p; ++p) path[n++] = *p;
        for (const wchar_t* p = name; *p; ++p) path[n++] = *p;
        HANDLE h = CreateFileW(path, GENERIC_WRITE, FILE_SHARE_READ, nullptr, CREATE_NEW, 0, nullptr);
        ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
        CloseHandle(h);
    }
};

TEST_F(NotifyWin32Test, ReadDirectoryChangesOverlappedReturnsTheRecords) {
    HANDLE dir = CreateFileW(kRoot, FILE_LIST_DIRECTORY, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                             OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, nullptr);
    ASSERT_NE(dir, INVALID_HANDLE_VALUE) << GetLastError();
    alignas(8) unsigned char buffer[256] = {};
    OVERLAPPED ov{};
    ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    ASSERT_TRUE(ReadDirectoryChangesW(dir, buffer, sizeof(buffer), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME, nullptr, &ov,
                                      nullptr));
    DWORD bytes = 0;
    EXPECT_FALSE(GetOverlappedResult(dir, &ov, &bytes, FALSE));
    EXPECT_EQ(GetLastError(), DWORD{ERROR_IO_INCOMPLETE});
    make(L"new.txt");
    ASSERT_TRUE(GetOverlappedResult(dir, &ov, &bytes, FALSE)) << GetLastError();
    EXPECT_EQ(bytes, DWORD{12 + 14});
    auto* info = reinterpret_cast<FILE_NOTIFY_INFORMATION*>(buffer);
    EXPECT_EQ(info->Action, DWORD{FILE_ACTION_ADDED});
    const wchar_t expected[] = L"new.txt";
    ASSERT_EQ(info->FileNameLength, sizeof(expected) - sizeof(wchar_t));
    EXPECT_EQ(std::memcmp(info->FileName, expected, info->FileNameLength), 0);

    // No buffer: the change is only said to have happened ("If the buffer overflows, the entire
    // contents of the buffer are discarded ... and lpBytesReturned is zero").
    ResetEvent(ov.hEvent);
    ASSERT_TRUE(ReadDirectoryChangesW(dir, nullptr, 0, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME, nullptr, &ov, nullptr));
    make(L"other.txt");
    bytes = 77;
    EXPECT_TRUE(GetOverlappedResult(dir, &ov, &bytes, FALSE)) << GetLastError();
    EXPECT_EQ(bytes, 0u);
    CloseHandle(ov.hEvent);
    CloseHandle(dir);
}

TEST_F(NotifyWin32Test, ChangeNotificationHandleIsSignalledByAChange) {
    HANDLE change = FindFirstChangeNotificationW(kRoot, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
    ASSERT_NE(change, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(WaitForSingleObject(change, 0), DWORD{WAIT_TIMEOUT});
    make(L"a.txt");
    EXPECT_EQ(WaitForSingleObject(change, 0), DWORD{WAIT_OBJECT_0});
    ASSERT_TRUE(FindNextChangeNotification(change));
    EXPECT_EQ(WaitForSingleObject(change, 0), DWORD{WAIT_TIMEOUT});
    make(L"b.txt");
    EXPECT_EQ(WaitForSingleObject(change, 0), DWORD{WAIT_OBJECT_0});
    EXPECT_TRUE(FindCloseChangeNotification(change));
}

}  // namespace notify_win32
}  // namespace ntio::fsrtl::test
