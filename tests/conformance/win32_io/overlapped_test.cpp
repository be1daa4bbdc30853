// ReadFile / WriteFile, their Ex forms, GetOverlappedResult(Ex) and the Win32 cancel calls through
// <windows.h> on the W32Io device (a 10-byte file with an end of file): NT facts H6, H7, H8, I1, I2,
// I5, I6, I9, G6, G7, F14, D1, D6, D7.
#include <cstring>
#include <thread>
#include <vector>

#include "win32_io_driver.hpp"

namespace ntio::test::win32_io {
namespace {

struct Completion {
    DWORD error;
    DWORD bytes;
    LPOVERLAPPED ov;
};
std::vector<Completion>* g_completions = nullptr;

VOID WINAPI record_completion(DWORD error, DWORD bytes, LPOVERLAPPED ov) {
    g_completions->push_back({error, bytes, ov});
}

VOID NTAPI user_apc(ULONG_PTR data) { *reinterpret_cast<int*>(data) += 1; }

TEST_F(Win32IoTest, get_overlapped_result_reads_internal_and_trusts_a_signalled_event) {
    // NT fact H6
    OVERLAPPED ov{};
    DWORD bytes = 99;
    ov.Internal = STATUS_PENDING;
    SetLastError(0);
    EXPECT_FALSE(GetOverlappedResult(nullptr, &ov, &bytes, FALSE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_INCOMPLETE));
    ov.Internal = 0;
    ov.InternalHigh = 0xabc;
    EXPECT_TRUE(GetOverlappedResult(nullptr, &ov, &bytes, FALSE)) << "the handle is not used";
    EXPECT_EQ(bytes, 0xabcu);
    ov.Internal = static_cast<ULONG_PTR>(STATUS_INVALID_HANDLE);
    ov.InternalHigh = 0xdef;
    EXPECT_FALSE(GetOverlappedResult(nullptr, &ov, &bytes, FALSE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(bytes, 0xdefu);
    HANDLE event = CreateEventW(nullptr, TRUE, TRUE, nullptr);
    ov.Internal = STATUS_PENDING;
    ov.InternalHigh = 0x1234;
    ov.hEvent = event;
    EXPECT_TRUE(GetOverlappedResult(nullptr, &ov, &bytes, TRUE));
    EXPECT_EQ(bytes, 0x1234u);
    EXPECT_EQ(ov.Internal, static_cast<ULONG_PTR>(STATUS_PENDING));
    CloseHandle(event);
}

TEST_F(Win32IoTest, synchronous_read_at_end_of_file_succeeds_with_zero_bytes) {
    // NT fact I1: ReadFile without an OVERLAPPED at EOF is TRUE, 0 bytes, last error untouched.
    HANDLE h = open_device(false);
    char buffer[16] = {};
    DWORD bytes = 0;
    ASSERT_TRUE(ReadFile(h, buffer, sizeof(buffer), &bytes, nullptr));
    EXPECT_EQ(bytes, kFileSize);
    EXPECT_EQ(std::string(buffer, bytes), kFileData);
    SetLastError(0x1234);
    bytes = 77;
    EXPECT_TRUE(ReadFile(h, buffer, sizeof(buffer), &bytes, nullptr));
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(GetLastError(), 0x1234u);
    CloseHandle(h);
}

TEST_F(Win32IoTest, synchronous_read_with_overlapped_at_end_of_file_fails_with_handle_eof) {
    // NT fact I2
    HANDLE h = open_device(false);
    char buffer[4];
    OVERLAPPED ov{};
    ov.Offset = kFileSize;
    DWORD bytes = 77;
    EXPECT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_HANDLE_EOF));
    // On NTFS the IOSB reads {STATUS_END_OF_FILE, 0} (the cached path writes it, NT fact E12); this
    // device answers on the IRP path, where an error IOSB stays untouched (E10), so Internal keeps
    // the STATUS_PENDING kernel32 stored (H7).
    EXPECT_EQ(static_cast<NTSTATUS>(ov.Internal), STATUS_PENDING);
    OVERLAPPED zero{};
    zero.Offset = kFileSize;
    EXPECT_TRUE(ReadFile(h, buffer, 0, &bytes, &zero)) << "a zero-length read at EOF succeeds";
    OVERLAPPED middle{};
    middle.Offset = 8;
    EXPECT_TRUE(ReadFile(h, buffer, sizeof(buffer), &bytes, &middle));
    EXPECT_EQ(bytes, 2u);
    EXPECT_EQ(std::string(buffer, 2), "89");
    CloseHandle(h);
}

TEST_F(Win32IoTest, overlapped_handle_read_without_overlapped_is_invalid_parameter) {
    // NT fact I5
    HANDLE h = open_device(true);
    char buffer[4];
    DWORD bytes = 5;
    EXPECT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(bytes, 0u);
    EXPECT_FALSE(WriteFile(h, buffer, sizeof(buffer), &bytes, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    CloseHandle(h);
}

TEST_F(Win32IoTest, pending_read_sets_internal_pending_and_zero_bytes) {
    // NT facts H7, H8
    g_state.park_reads = true;
    HANDLE h = open_device(true);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    char buffer[4];
    OVERLAPPED ov{};
    ov.hEvent = event;
    ov.InternalHigh = 1234;
    DWORD bytes = 99;
    EXPECT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(ov.Internal, static_cast<ULONG_PTR>(STATUS_PENDING));
    EXPECT_EQ(ov.InternalHigh, 1234u);
    EXPECT_FALSE(HasOverlappedIoCompleted(&ov));
    g_state.complete_information = 4;
    ASSERT_TRUE(complete_one());
    EXPECT_TRUE(HasOverlappedIoCompleted(&ov));
    EXPECT_TRUE(GetOverlappedResult(h, &ov, &bytes, FALSE));
    EXPECT_EQ(bytes, 4u);
    CloseHandle(event);
    CloseHandle(h);
}

TEST_F(Win32IoTest, pending_read_at_end_of_file_completes_with_handle_eof_and_signals_the_handle) {
    // NT fact I6: an asynchronous read at EOF pends, then completes with {STATUS_END_OF_FILE, 0};
    // GetOverlappedResult gives ERROR_HANDLE_EOF and, with no event, the file handle is signalled.
    // The file system's part (deciding to pend at EOF) is the test driver's: it parks the read.
    g_state.park_reads = true;
    HANDLE h = open_device(true);
    char buffer[4];
    OVERLAPPED ov{};
    ov.Offset = kFileSize;
    DWORD bytes = 99;
    EXPECT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    ASSERT_TRUE(wait_parked(1));
    EXPECT_EQ(WaitForSingleObject(h, 0), static_cast<DWORD>(WAIT_TIMEOUT)) << "a request resets the handle";
    g_state.complete_status = STATUS_END_OF_FILE;
    g_state.complete_information = 0;
    ASSERT_TRUE(complete_one());
    EXPECT_EQ(WaitForSingleObject(h, 0), static_cast<DWORD>(WAIT_OBJECT_0));
    EXPECT_EQ(static_cast<NTSTATUS>(ov.Internal), STATUS_END_OF_FILE);
    EXPECT_EQ(ov.InternalHigh, 0u);
    bytes = 99;
    SetLastError(0);
    EXPECT_FALSE(GetOverlappedResult(h, &ov, &bytes, TRUE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_HANDLE_EOF));
    EXPECT_EQ(bytes, 0u);
    CloseHandle(h);
}

TEST_F(Win32IoTest, append_only_handle_writes_at_end_of_file_whatever_the_offset) {
    // NT fact I9: a handle with FILE_APPEND_DATA and no FILE_WRITE_DATA ignores ByteOffset; the
    // driver is asked to write at the end of file. A handle with FILE_WRITE_DATA keeps the offset.
    HANDLE append = CreateFileW(L"\\\\.\\W32Io", FILE_APPEND_DATA | SYNCHRONIZE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                nullptr, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
    ASSERT_NE(append, INVALID_HANDLE_VALUE);
    char data[3] = {'a', 'b', 'c'};
    OVERLAPPED ov{};
    ov.Offset = 4;
    DWORD bytes = 0;
    ASSERT_TRUE(WriteFile(append, data, sizeof(data), &bytes, &ov));
    EXPECT_EQ(bytes, 3u);
    LARGE_INTEGER end_of_file;
    end_of_file.LowPart = FILE_WRITE_TO_END_OF_FILE;
    end_of_file.HighPart = -1;
    EXPECT_EQ(g_state.last_write_offset.load(), end_of_file.QuadPart);
    CloseHandle(append);

    HANDLE both = CreateFileW(L"\\\\.\\W32Io", FILE_WRITE_DATA | FILE_APPEND_DATA | SYNCHRONIZE,
                              FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
    ASSERT_NE(both, INVALID_HANDLE_VALUE);
    OVERLAPPED ov2{};
    ov2.Offset = 4;
    ASSERT_TRUE(WriteFile(both, data, sizeof(data), &bytes, &ov2));
    EXPECT_EQ(g_state.last_write_offset.load(), 4);
    CloseHandle(both);
}

TEST_F(Win32IoTest, read_file_ex_routine_runs_only_in_an_alertable_wait) {
    // NT fact G6
    std::vector<Completion> completions;
    g_completions = &completions;
    g_state.park_reads = true;
    HANDLE h = open_device(true);
    char buffer[4];
    OVERLAPPED ov{};
    ASSERT_TRUE(ReadFileEx(h, buffer, sizeof(buffer), &ov, record_completion));
    ASSERT_TRUE(wait_parked(1));
    g_state.complete_information = 3;
    ASSERT_TRUE(complete_one());
    EXPECT_TRUE(completions.empty()) << "not during an unrelated call";
    EXPECT_EQ(SleepEx(0, FALSE), 0u);
    EXPECT_TRUE(completions.empty()) << "not in a non-alertable wait";
    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    ASSERT_EQ(completions.size(), 1u);
    EXPECT_EQ(completions[0].error, 0u);
    EXPECT_EQ(completions[0].bytes, 3u);
    EXPECT_EQ(completions[0].ov, &ov);
    CloseHandle(h);
}

TEST_F(Win32IoTest, read_file_ex_that_fails_never_calls_the_routine) {
    // NT fact G6: a FALSE return means no completion routine; here the handle is synchronous-free but
    // the read has an invalid handle.
    std::vector<Completion> completions;
    g_completions = &completions;
    char buffer[4];
    OVERLAPPED ov{};
    EXPECT_FALSE(ReadFileEx(reinterpret_cast<HANDLE>(0x1230), buffer, sizeof(buffer), &ov, record_completion));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(SleepEx(0, TRUE), 0u);
    EXPECT_TRUE(completions.empty());
}

TEST_F(Win32IoTest, get_overlapped_result_ex_times_out_and_is_interrupted_by_apcs) {
    // NT fact G7
    g_state.park_reads = true;
    HANDLE h = open_device(true);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    char buffer[4];
    OVERLAPPED ov{};
    ov.hEvent = event;
    DWORD bytes = 0;
    ASSERT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &ov));
    int apcs = 0;
    ASSERT_NE(QueueUserAPC(user_apc, GetCurrentThread(), reinterpret_cast<ULONG_PTR>(&apcs)), 0u);
    EXPECT_FALSE(GetOverlappedResultEx(h, &ov, &bytes, 0, TRUE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_INCOMPLETE));
    EXPECT_EQ(apcs, 0) << "a zero timeout runs no APC";
    EXPECT_FALSE(GetOverlappedResultEx(h, &ov, &bytes, 10, FALSE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_FALSE(GetOverlappedResultEx(h, &ov, &bytes, 10, TRUE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(WAIT_IO_COMPLETION));
    EXPECT_EQ(apcs, 1);
    EXPECT_TRUE(CancelIo(h));
    EXPECT_FALSE(GetOverlappedResult(h, &ov, &bytes, TRUE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    CloseHandle(event);
    CloseHandle(h);
}

TEST_F(Win32IoTest, event_with_low_bit_set_is_masked_and_queues_no_packet) {
    // NT fact F14
    HANDLE h = open_device(true);
    HANDLE port = CreateIoCompletionPort(h, nullptr, 7, 0);
    ASSERT_NE(port, nullptr);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    char buffer[4];
    OVERLAPPED ov{};
    ov.hEvent = reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(event) | 1);
    DWORD bytes = 0;
    ASSERT_TRUE(ReadFile(h, buffer, sizeof(buffer), &bytes, &ov));
    EXPECT_EQ(bytes, 4u);
    EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0) << "the masked event is set";
    ULONG_PTR key = 0;
    LPOVERLAPPED got = &ov;
    EXPECT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_EQ(got, nullptr);
    OVERLAPPED plain{};
    plain.hEvent = event;
    ASSERT_TRUE(ReadFile(h, buffer, sizeof(buffer), &bytes, &plain));
    EXPECT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0)) << "NT fact F1: without the bit a packet comes";
    EXPECT_EQ(got, &plain);
    EXPECT_EQ(key, 7u);
    CloseHandle(event);
    CloseHandle(h);
    CloseHandle(port);
}

TEST_F(Win32IoTest, cancel_io_cancels_this_threads_requests_and_cancel_io_ex_one) {
    // NT fact D1
    HANDLE h = open_device(true);
    OVERLAPPED a{}, b{}, c{};
    DWORD bytes = 0;
    ASSERT_FALSE(DeviceIoControl(h, kIoctlPark, nullptr, 0, nullptr, 0, &bytes, &a));
    ASSERT_FALSE(DeviceIoControl(h, kIoctlPark, nullptr, 0, nullptr, 0, &bytes, &b));
    ASSERT_FALSE(DeviceIoControl(h, kIoctlPark, nullptr, 0, nullptr, 0, &bytes, &c));
    EXPECT_TRUE(CancelIoEx(h, &b));
    EXPECT_EQ(g_state.cancelled.load(), 1);
    EXPECT_EQ(static_cast<NTSTATUS>(b.Internal), STATUS_CANCELLED);
    EXPECT_EQ(a.Internal, static_cast<ULONG_PTR>(STATUS_PENDING));
    EXPECT_TRUE(CancelIo(h));
    EXPECT_EQ(g_state.cancelled.load(), 3) << "CancelIo returns after both requests are cancelled";
    // NT fact D6: a request already cancelled is not found again, and reports ERROR_OPERATION_ABORTED.
    SetLastError(0);
    EXPECT_FALSE(CancelIoEx(h, &b));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_FOUND));
    EXPECT_FALSE(GetOverlappedResult(h, &b, &bytes, TRUE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    EXPECT_EQ(bytes, 0u);
    CloseHandle(h);
}

TEST_F(Win32IoTest, cancel_synchronous_io_unblocks_a_thread_in_a_synchronous_read) {
    // NT fact D7 (Win32 form)
    SetLastError(0x77);
    EXPECT_FALSE(CancelSynchronousIo(reinterpret_cast<HANDLE>(0x1230)));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_FALSE(CancelSynchronousIo(GetCurrentThread()));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_FOUND));

    g_state.park_reads = true;
    HANDLE h = open_device(false);
    struct Reader {
        HANDLE file;
        BOOL ok = TRUE;
        DWORD error = 0;
    } reader{h};
    HANDLE thread = CreateThread(
        nullptr, 0,
        [](LPVOID p) -> DWORD {
            auto* r = static_cast<Reader*>(p);
            char buffer[4];
            DWORD bytes = 0;
            r->ok = ReadFile(r->file, buffer, sizeof(buffer), &bytes, nullptr);
            r->error = GetLastError();
            return 0;
        },
        &reader, 0, nullptr);
    ASSERT_NE(thread, nullptr);
    ASSERT_TRUE(wait_parked(1));
    SetLastError(0x55);
    EXPECT_TRUE(CancelSynchronousIo(thread));
    EXPECT_EQ(GetLastError(), 0x55u) << "success leaves the last error alone";
    EXPECT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    EXPECT_FALSE(reader.ok);
    EXPECT_EQ(reader.error, static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    CloseHandle(thread);
    CloseHandle(h);
}

}  // namespace
}  // namespace ntio::test::win32_io
