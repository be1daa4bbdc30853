// The user-side cancellation facts through <windows.h> (CancelIo, CancelIoEx, DuplicateHandle,
// CloseHandle, ReadFileEx) on the W32Io device: the Win32 twins of the NT-surface tests in
// tests/conformance/file_cancel (NT facts D2, D3, D4, D5, D8, G3).
#include <vector>

#include "win32_io_driver.hpp"

namespace ntio::test::win32_io {
namespace {

struct Routine {
    DWORD error;
    DWORD bytes;
    LPOVERLAPPED ov;
};
std::vector<Routine>* g_routines = nullptr;

VOID WINAPI record_routine(DWORD error, DWORD bytes, LPOVERLAPPED ov) { g_routines->push_back({error, bytes, ov}); }

HANDLE duplicate(HANDLE h) {
    HANDLE copy = nullptr;
    EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &copy, 0, FALSE, DUPLICATE_SAME_ACCESS));
    return copy;
}

constexpr ULONG_PTR kFillHigh = 0x5555;

// NT facts D2, G3: when CancelIo returns, the request's OVERLAPPED already holds
// {STATUS_CANCELLED, 0} and its event is set; the ReadFileEx routine of the other request has not
// run and runs at the next alertable wait with ERROR_OPERATION_ABORTED and 0 bytes.
TEST_F(Win32IoTest, cancel_io_returns_with_the_overlapped_written_and_leaves_the_routine_for_an_alertable_wait) {
    std::vector<Routine> routines;
    g_routines = &routines;
    g_state.park_reads = true;
    HANDLE h = open_device(true);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    char buffer[4];
    OVERLAPPED with_event{};
    with_event.hEvent = event;
    with_event.InternalHigh = kFillHigh;
    DWORD bytes = 99;
    ASSERT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &with_event));
    ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    OVERLAPPED with_routine{};
    ASSERT_TRUE(ReadFileEx(h, buffer, sizeof(buffer), &with_routine, record_routine));
    ASSERT_TRUE(wait_parked(2));

    SetLastError(0x4321);
    EXPECT_TRUE(CancelIo(h));
    EXPECT_EQ(GetLastError(), 0x4321u) << "success leaves the last error alone";
    EXPECT_EQ(g_state.cancelled.load(), 2);
    EXPECT_EQ(static_cast<NTSTATUS>(with_event.Internal), STATUS_CANCELLED);
    EXPECT_EQ(with_event.InternalHigh, 0u);
    EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);
    EXPECT_EQ(static_cast<NTSTATUS>(with_routine.Internal), STATUS_CANCELLED);
    EXPECT_TRUE(routines.empty()) << "the routine waits for an alertable wait";
    EXPECT_EQ(SleepEx(0, FALSE), 0u);
    EXPECT_TRUE(routines.empty());

    // NT fact G3
    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    ASSERT_EQ(routines.size(), 1u);
    EXPECT_EQ(routines[0].error, static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    EXPECT_EQ(routines[0].bytes, 0u);
    EXPECT_EQ(routines[0].ov, &with_routine);
    bytes = 99;
    EXPECT_FALSE(GetOverlappedResult(h, &with_event, &bytes, FALSE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    EXPECT_EQ(bytes, 0u);
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact D3: CancelIo through a duplicate handle of the same file object cancels the request issued
// through the first handle (OVERLAPPED {STATUS_CANCELLED, 0}, event set, routine queued); a handle to
// another file object of the same device cancels nothing.
TEST_F(Win32IoTest, cancel_io_through_a_duplicate_handle_cancels_the_first_handles_request) {
    std::vector<Routine> routines;
    g_routines = &routines;
    g_state.park_reads = true;
    HANDLE h = open_device(true);
    HANDLE copy = duplicate(h);
    HANDLE other = CreateFileW(L"\\\\.\\W32Io", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                               OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
    // W32Io does not call IoCheckShareAccess, so a second file object opens whatever the first asked.
    ASSERT_NE(other, INVALID_HANDLE_VALUE) << GetLastError();
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    char buffer[4];
    OVERLAPPED ov{};
    ov.hEvent = event;
    DWORD bytes = 0;
    ASSERT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &ov));
    OVERLAPPED ex{};
    ASSERT_TRUE(ReadFileEx(h, buffer, sizeof(buffer), &ex, record_routine));
    ASSERT_TRUE(wait_parked(2));

    EXPECT_TRUE(CancelIo(other));
    SetLastError(0);
    EXPECT_FALSE(CancelIoEx(other, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_FOUND));
    EXPECT_EQ(g_state.cancelled.load(), 0);
    EXPECT_EQ(ov.Internal, static_cast<ULONG_PTR>(STATUS_PENDING));

    EXPECT_TRUE(CancelIo(copy));
    EXPECT_EQ(g_state.cancelled.load(), 2);
    EXPECT_EQ(static_cast<NTSTATUS>(ov.Internal), STATUS_CANCELLED);
    EXPECT_EQ(ov.InternalHigh, 0u);
    EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);
    EXPECT_TRUE(routines.empty());
    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    ASSERT_EQ(routines.size(), 1u);
    EXPECT_EQ(routines[0].error, static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    EXPECT_EQ(routines[0].bytes, 0u);
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(other));
    EXPECT_TRUE(CloseHandle(copy));
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact D4: CancelIo / CancelIoEx on a closed handle -> FALSE, ERROR_INVALID_HANDLE
// (STATUS_INVALID_HANDLE); on a handle to something that is not a file, STATUS_OBJECT_TYPE_MISMATCH,
// which RtlNtStatusToDosError also maps to ERROR_INVALID_HANDLE.
TEST_F(Win32IoTest, cancel_io_on_a_closed_handle_is_invalid_handle) {
    HANDLE h = open_device(true);
    ASSERT_TRUE(CloseHandle(h));
    SetLastError(0);
    EXPECT_FALSE(CancelIo(h));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    SetLastError(0);
    EXPECT_FALSE(CancelIoEx(h, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    SetLastError(0);
    EXPECT_FALSE(CancelIo(event));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_TRUE(CloseHandle(event));
}

// NT fact D5: CancelIoEx with an OVERLAPPED cancels every pending request that uses it (two
// ReadFileEx sharing one OVERLAPPED -> two routines with ERROR_OPERATION_ABORTED); a request with
// another OVERLAPPED stays pending.
TEST_F(Win32IoTest, cancel_io_ex_cancels_every_request_sharing_the_overlapped) {
    std::vector<Routine> routines;
    g_routines = &routines;
    g_state.park_reads = true;
    HANDLE h = open_device(true);
    char buffer[4];
    OVERLAPPED shared{};
    OVERLAPPED separate{};
    ASSERT_TRUE(ReadFileEx(h, buffer, sizeof(buffer), &shared, record_routine));
    ASSERT_TRUE(ReadFileEx(h, buffer, sizeof(buffer), &shared, record_routine));
    ASSERT_TRUE(ReadFileEx(h, buffer, sizeof(buffer), &separate, record_routine));
    ASSERT_TRUE(wait_parked(3));
    EXPECT_TRUE(CancelIoEx(h, &shared));
    EXPECT_EQ(g_state.cancelled.load(), 2);
    EXPECT_EQ(static_cast<NTSTATUS>(shared.Internal), STATUS_CANCELLED);
    EXPECT_EQ(separate.Internal, static_cast<ULONG_PTR>(STATUS_PENDING));
    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    ASSERT_EQ(routines.size(), 2u);
    for (const Routine& r : routines) {
        EXPECT_EQ(r.error, static_cast<DWORD>(ERROR_OPERATION_ABORTED));
        EXPECT_EQ(r.bytes, 0u);
        EXPECT_EQ(r.ov, &shared);
    }
    routines.clear();
    g_state.complete_information = 2;
    ASSERT_TRUE(complete_one());
    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    ASSERT_EQ(routines.size(), 1u);
    EXPECT_EQ(routines[0].error, 0u);
    EXPECT_EQ(routines[0].bytes, 2u);
    EXPECT_EQ(routines[0].ov, &separate);
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact D8: closing the handle that issued a pending read while a duplicate is still open cancels
// nothing (OVERLAPPED and event untouched, the driver still holds it); CancelIo through the duplicate
// cancels it later.
TEST_F(Win32IoTest, closing_one_of_two_handles_leaves_the_request_pending) {
    g_state.park_reads = true;
    HANDLE h = open_device(true);
    HANDLE copy = duplicate(h);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    char buffer[4];
    OVERLAPPED ov{};
    ov.hEvent = event;
    ov.InternalHigh = kFillHigh;
    DWORD bytes = 0;
    ASSERT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &ov));
    ASSERT_TRUE(wait_parked(1));
    ASSERT_TRUE(CloseHandle(h));
    EXPECT_EQ(ov.Internal, static_cast<ULONG_PTR>(STATUS_PENDING));
    EXPECT_EQ(ov.InternalHigh, kFillHigh);
    EXPECT_EQ(WaitForSingleObject(event, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_EQ(g_state.cancelled.load(), 0);
    EXPECT_EQ(g_state.parked.load(), 1);
    EXPECT_TRUE(CancelIo(copy));
    EXPECT_EQ(static_cast<NTSTATUS>(ov.Internal), STATUS_CANCELLED);
    EXPECT_EQ(ov.InternalHigh, 0u);
    EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);
    EXPECT_FALSE(GetOverlappedResult(copy, &ov, &bytes, TRUE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(copy));
}

}  // namespace
}  // namespace ntio::test::win32_io
