// LockFile / LockFileEx / UnlockFile / UnlockFileEx against the W32Fs byte-range lock table, on
// synchronous and overlapped handles. Expected values come from each call's Microsoft Learn page.
#include <thread>

#include "win32_files_driver.hpp"

namespace ntio::test::win32_files {
namespace {

OVERLAPPED at(DWORD offset, HANDLE event = nullptr) {
    OVERLAPPED ov{};
    ov.Offset = offset;
    ov.hEvent = event;
    return ov;
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-lockfile: an exclusive lock that
// never waits; "If the locking process opens the file a second time, it cannot access the specified
// region through this second handle until it unlocks the region."
TEST_F(Win32FilesTest, lock_file_is_exclusive_and_fails_at_once_with_lock_violation) {
    HANDLE a = open(L"\\file.bin", GENERIC_READ | GENERIC_WRITE);
    HANDLE b = open(L"\\file.bin", GENERIC_READ | GENERIC_WRITE);
    ASSERT_NE(a, INVALID_HANDLE_VALUE);
    ASSERT_NE(b, INVALID_HANDLE_VALUE);
    ASSERT_TRUE(LockFile(a, 10, 0, 20, 0)) << GetLastError();
    EXPECT_FALSE(LockFile(b, 25, 0, 10, 0));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_LOCK_VIOLATION));
    EXPECT_FALSE(LockFile(a, 0, 0, 11, 0)) << "overlapping locks through the same handle conflict too";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_LOCK_VIOLATION));
    EXPECT_TRUE(LockFile(b, 30, 0, 10, 0)) << "an adjacent range is free";
    ASSERT_TRUE(UnlockFile(a, 10, 0, 20, 0)) << GetLastError();
    EXPECT_TRUE(LockFile(b, 25, 0, 5, 0)) << GetLastError();
    CloseHandle(a);
    CloseHandle(b);
}

TEST_F(Win32FilesTest, lock_file_beyond_the_end_of_file_is_not_an_error) {
    // LockFileEx: "Locking a region that goes beyond the current end-of-file position is not an error."
    HANDLE h = open(L"\\file.bin", GENERIC_READ);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    EXPECT_TRUE(LockFile(h, 0, 1, 0x1000, 0)) << GetLastError();
    EXPECT_TRUE(UnlockFile(h, 0, 1, 0x1000, 0)) << GetLastError();
    CloseHandle(h);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-unlockfile
TEST_F(Win32FilesTest, unlock_file_of_a_range_not_locked_fails_with_not_locked) {
    HANDLE a = open(L"\\file.bin", GENERIC_READ);
    HANDLE b = open(L"\\file.bin", GENERIC_READ);
    ASSERT_TRUE(LockFile(a, 0, 0, 8, 0));
    EXPECT_FALSE(UnlockFile(a, 0, 0, 4, 0)) << "the range must match a lock exactly";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_LOCKED));
    EXPECT_FALSE(UnlockFile(b, 0, 0, 8, 0)) << "another handle's lock";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_LOCKED));
    EXPECT_TRUE(UnlockFile(a, 0, 0, 8, 0));
    EXPECT_FALSE(UnlockFile(a, 0, 0, 8, 0));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_LOCKED));
    CloseHandle(a);
    CloseHandle(b);
}

// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-lockfileex: "Locking a portion of a
// file for shared access denies all processes write access to the specified region of the file,
// including the process that first locks the region. All processes can read the locked region."
TEST_F(Win32FilesTest, lock_file_ex_shared_locks_coexist_and_block_exclusive_ones) {
    HANDLE a = open(L"\\file.bin", GENERIC_READ);
    HANDLE b = open(L"\\file.bin", GENERIC_READ);
    OVERLAPPED ov = at(0);
    ASSERT_TRUE(LockFileEx(a, LOCKFILE_FAIL_IMMEDIATELY, 0, 50, 0, &ov)) << GetLastError();
    ov = at(20);
    ASSERT_TRUE(LockFileEx(b, LOCKFILE_FAIL_IMMEDIATELY, 0, 50, 0, &ov)) << GetLastError();
    ov = at(40);
    EXPECT_FALSE(LockFileEx(b, LOCKFILE_FAIL_IMMEDIATELY | LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_LOCK_VIOLATION));
    // LockFile is exclusive, so it conflicts with the shared lock as well.
    EXPECT_FALSE(LockFile(a, 45, 0, 1, 0));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_LOCK_VIOLATION));
    ov = at(0);
    EXPECT_TRUE(UnlockFileEx(a, 0, 50, 0, &ov)) << GetLastError();
    ov = at(20);
    EXPECT_TRUE(UnlockFileEx(b, 0, 50, 0, &ov)) << GetLastError();
    CloseHandle(a);
    CloseHandle(b);
}

TEST_F(Win32FilesTest, lock_file_ex_exclusive_lock_blocks_shared_requests) {
    HANDLE a = open(L"\\file.bin", GENERIC_READ);
    HANDLE b = open(L"\\file.bin", GENERIC_READ);
    OVERLAPPED ov = at(100);
    ASSERT_TRUE(LockFileEx(a, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 10, 0, &ov));
    ov = at(105);
    EXPECT_FALSE(LockFileEx(b, LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_LOCK_VIOLATION));
    CloseHandle(a);  // closing releases the handle's locks
    EXPECT_TRUE(LockFileEx(b, LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov)) << GetLastError();
    CloseHandle(b);
}

TEST_F(Win32FilesTest, lock_file_ex_rejects_a_reserved_value_and_a_missing_overlapped) {
    // dwReserved "must be set to zero"; lpOverlapped "is required".
    HANDLE h = open(L"\\file.bin", GENERIC_READ);
    OVERLAPPED ov = at(0);
    EXPECT_FALSE(LockFileEx(h, 0, 1, 1, 0, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(LockFileEx(h, 0, 0, 1, 0, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(UnlockFileEx(h, 1, 1, 0, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    CloseHandle(h);
}

TEST_F(Win32FilesTest, lock_file_needs_read_or_write_access) {
    // LockFileEx: "The handle must have been created with either the GENERIC_READ or GENERIC_WRITE
    // access right."
    HANDLE h = open(L"\\file.bin", FILE_READ_ATTRIBUTES);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_FALSE(LockFile(h, 0, 0, 1, 0));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    CloseHandle(h);
}

// LockFileEx: "If the file handle is not opened for asynchronous I/O and the lock is not available,
// this call waits until the lock is granted or an error occurs, unless the LOCKFILE_FAIL_IMMEDIATELY
// flag is specified."
TEST_F(Win32FilesTest, lock_file_ex_on_a_synchronous_handle_waits_for_the_conflicting_lock) {
    HANDLE a = open(L"\\file.bin", GENERIC_READ);
    HANDLE b = open(L"\\file.bin", GENERIC_READ);
    ASSERT_TRUE(LockFile(a, 0, 0, 10, 0));
    BOOL granted = FALSE;
    std::thread waiter([&] {
        OVERLAPPED ov = at(5);
        granted = LockFileEx(b, LOCKFILE_EXCLUSIVE_LOCK, 0, 10, 0, &ov);
    });
    ASSERT_TRUE(wait_for(g_state.lock_waiters, 1));
    EXPECT_FALSE(granted);
    ASSERT_TRUE(UnlockFile(a, 0, 0, 10, 0));
    waiter.join();
    EXPECT_TRUE(granted);
    EXPECT_FALSE(LockFile(a, 5, 0, 1, 0)) << "b holds the range now";
    CloseHandle(a);
    CloseHandle(b);
}

// LockFileEx: "If the file handle is opened for asynchronous I/O, LockFileEx operates asynchronously
// unless LOCKFILE_FAIL_IMMEDIATELY is specified. If an exclusive lock is requested for a range of a
// file that already has a shared or exclusive lock, the function returns the error ERROR_IO_PENDING.
// The system will signal the event specified in the OVERLAPPED structure after the lock is granted."
TEST_F(Win32FilesTest, lock_file_ex_on_an_overlapped_handle_pends_until_the_lock_is_granted) {
    HANDLE a = open(L"\\file.bin", GENERIC_READ);
    HANDLE b = open(L"\\file.bin", GENERIC_READ, FILE_FLAG_OVERLAPPED);
    ASSERT_NE(b, INVALID_HANDLE_VALUE);
    ASSERT_TRUE(LockFile(a, 0, 0, 10, 0));
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED ov = at(0, event);
    EXPECT_FALSE(LockFileEx(b, LOCKFILE_EXCLUSIVE_LOCK, 0, 4, 0, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    EXPECT_EQ(WaitForSingleObject(event, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_EQ(g_state.lock_waiters.load(), 1);
    ASSERT_TRUE(UnlockFile(a, 0, 0, 10, 0));
    EXPECT_EQ(WaitForSingleObject(event, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    DWORD bytes = 99;
    EXPECT_TRUE(GetOverlappedResult(b, &ov, &bytes, FALSE)) << GetLastError();
    EXPECT_FALSE(LockFile(a, 0, 0, 1, 0));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_LOCK_VIOLATION));

    // With LOCKFILE_FAIL_IMMEDIATELY the overlapped request fails at once instead.
    OVERLAPPED ov2 = at(2, event);
    EXPECT_FALSE(LockFileEx(a, LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov2));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_LOCK_VIOLATION));
    CloseHandle(event);
    CloseHandle(a);
    CloseHandle(b);
}

TEST_F(Win32FilesTest, a_pending_lock_request_ends_cancelled_by_cancel_io) {
    HANDLE a = open(L"\\file.bin", GENERIC_READ);
    HANDLE b = open(L"\\file.bin", GENERIC_READ, FILE_FLAG_OVERLAPPED);
    ASSERT_TRUE(LockFile(a, 0, 0, 10, 0));
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED ov = at(0, event);
    EXPECT_FALSE(LockFileEx(b, LOCKFILE_EXCLUSIVE_LOCK, 0, 4, 0, &ov));
    ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    EXPECT_TRUE(CancelIoEx(b, &ov)) << GetLastError();
    EXPECT_EQ(WaitForSingleObject(event, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    DWORD bytes = 0;
    EXPECT_FALSE(GetOverlappedResult(b, &ov, &bytes, FALSE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    EXPECT_EQ(g_state.lock_waiters.load(), 0);
    CloseHandle(event);
    CloseHandle(a);
    CloseHandle(b);
}

}  // namespace
}  // namespace ntio::test::win32_files
