// ReadFile / WriteFile / WriteFileEx rules through <windows.h> on the W32Io device (a 10-byte file):
// the completion statuses of a synchronous handle's IRP-path reads, bad buffers, the pseudo handle,
// the ByteOffset special values, and OutputDebugStringA (NT facts E10, E11, I4, I7, I8, G6).
#include <vector>

#include "win32_io_driver.hpp"

namespace ntio::test::win32_io {
namespace {

constexpr ULONG_PTR kFillHigh = 0x5555;

OVERLAPPED at(DWORD low, DWORD high, HANDLE event = nullptr) {
    OVERLAPPED ov{};
    ov.Offset = low;
    ov.OffsetHigh = high;
    ov.hEvent = event;
    ov.InternalHigh = kFillHigh;
    return ov;
}

LONGLONG file_pointer(HANDLE h) {
    LARGE_INTEGER zero{}, position{};
    EXPECT_TRUE(SetFilePointerEx(h, zero, &position, FILE_CURRENT));
    return position.QuadPart;
}

// A synchronous ReadFile on its own thread (it blocks until the test completes the parked IRP).
struct BlockedRead {
    HANDLE file;
    void* buffer;
    DWORD length;
    BOOL ok = TRUE;
    DWORD error = 0;
    DWORD bytes = 0x7777;
    HANDLE thread = nullptr;

    void start() {
        thread = CreateThread(
            nullptr, 0,
            [](LPVOID p) -> DWORD {
                auto* r = static_cast<BlockedRead*>(p);
                SetLastError(0x4321);
                r->ok = ReadFile(r->file, r->buffer, r->length, &r->bytes, nullptr);
                r->error = GetLastError();
                return 0;
            },
            this, 0, nullptr);
        EXPECT_NE(thread, nullptr);
    }
    void join() {
        EXPECT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
        CloseHandle(thread);
    }
};

// NT fact E10 (Win32 form): a synchronous handle whose read pends in the driver and completes with
// status S: a success or informational S -> TRUE with the bytes; a warning -> FALSE with the mapped
// error and the bytes; an error -> FALSE with the mapped error and 0 bytes; STATUS_END_OF_FILE is a
// successful read of 0 bytes (NT fact I1).
TEST_F(Win32IoTest, synchronous_read_completion_status_decides_return_error_and_bytes) {
    struct Row {
        NTSTATUS status;
        ULONG information;
        BOOL ok;
        DWORD error;  // after FALSE
        DWORD bytes;
    };
    const Row rows[] = {
        {STATUS_SUCCESS, 4, TRUE, 0, 4},
        {STATUS_WAIT_1, 3, TRUE, 0, 3},
        {STATUS_OBJECT_NAME_EXISTS, 2, TRUE, 0, 2},
        {STATUS_BUFFER_OVERFLOW, 4, FALSE, ERROR_MORE_DATA, 4},
        {STATUS_DEVICE_BUSY, 1, FALSE, ERROR_BUSY, 1},
        {STATUS_UNSUCCESSFUL, 0, FALSE, ERROR_GEN_FAILURE, 0},
        {STATUS_NOT_IMPLEMENTED, 0, FALSE, ERROR_INVALID_FUNCTION, 0},
        {STATUS_ACCESS_DENIED, 0, FALSE, ERROR_ACCESS_DENIED, 0},
        {STATUS_DEVICE_NOT_READY, 0, FALSE, ERROR_NOT_READY, 0},
        {STATUS_END_OF_FILE, 0, TRUE, 0, 0},
    };
    g_state.park_reads = true;
    HANDLE h = open_device(false);
    for (const Row& row : rows) {
        SCOPED_TRACE(testing::Message() << std::hex << "status 0x" << row.status);
        char buffer[4];
        BlockedRead read{h, buffer, sizeof(buffer)};
        read.start();
        ASSERT_TRUE(wait_parked(1));
        g_state.complete_status = row.status;
        g_state.complete_information = row.information;
        ASSERT_TRUE(complete_one());
        read.join();
        EXPECT_EQ(read.ok, row.ok);
        EXPECT_EQ(read.error, row.ok ? 0x4321u : row.error);
        EXPECT_EQ(read.bytes, row.bytes);
    }
    EXPECT_TRUE(CloseHandle(h));
}

// NT facts E11, I8 (Win32 form): a NULL buffer with a non-zero length is ERROR_NOACCESS
// (STATUS_ACCESS_VIOLATION from the probe), 0 bytes, and the read leaves a pre-set event signalled
// and the OVERLAPPED untouched: the probe comes before the event reset. A write's buffer is only
// range-checked (ProbeForRead), so on this buffered device it faults in the I/O manager's copy into
// the system buffer: ERROR_NOACCESS too, but after the event was reset (I8).
TEST_F(Win32IoTest, null_buffer_with_a_length_is_noaccess_before_the_event_is_reset) {
    HANDLE h = open_device(false);
    HANDLE event = CreateEventW(nullptr, TRUE, TRUE, nullptr);
    DWORD bytes = 99;
    SetLastError(0);
    EXPECT_FALSE(ReadFile(h, nullptr, 4, &bytes, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOACCESS));
    EXPECT_EQ(bytes, 0u);
    OVERLAPPED ov = at(0, 0, event);
    bytes = 99;
    EXPECT_FALSE(ReadFile(h, nullptr, 4, &bytes, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOACCESS));
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);
    EXPECT_EQ(ov.Internal, static_cast<ULONG_PTR>(STATUS_PENDING));
    EXPECT_EQ(ov.InternalHigh, kFillHigh);
    SetLastError(0);
    EXPECT_FALSE(WriteFile(h, nullptr, 4, &bytes, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOACCESS));
    EXPECT_EQ(file_pointer(h), 0) << "nothing moved the file pointer";
    ov = at(0, 0, event);
    bytes = 99;
    SetLastError(0);
    EXPECT_FALSE(WriteFile(h, nullptr, 4, &bytes, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOACCESS));
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(WaitForSingleObject(event, 0), static_cast<DWORD>(WAIT_TIMEOUT)) << "the write reset the event";
    EXPECT_EQ(ov.Internal, static_cast<ULONG_PTR>(STATUS_PENDING));
    EXPECT_EQ(ov.InternalHigh, kFillHigh);
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact E11 (Win32 form), the pending half: a zero-length read into NULL that the driver pends and
// completes with STATUS_BUFFER_OVERFLOW and Information 17 faults in the buffered copy-back:
// ReadFile -> FALSE, ERROR_NOACCESS.
TEST_F(Win32IoTest, pended_copy_back_into_a_null_buffer_is_noaccess) {
    g_state.park_reads = true;
    HANDLE h = open_device(false);
    BlockedRead read{h, nullptr, 0};
    read.start();
    ASSERT_TRUE(wait_parked(1));
    g_state.complete_status = STATUS_BUFFER_OVERFLOW;
    g_state.complete_information = 17;
    ASSERT_TRUE(complete_one());
    read.join();
    EXPECT_FALSE(read.ok);
    EXPECT_EQ(read.error, static_cast<DWORD>(ERROR_NOACCESS));
    EXPECT_EQ(read.bytes, 0u);
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact I7: INVALID_HANDLE_VALUE is the current-process pseudo handle; ReadFile / WriteFile on it
// fail with ERROR_INVALID_HANDLE (STATUS_OBJECT_TYPE_MISMATCH mapped), set *read = 0 and leave the
// OVERLAPPED untouched.
TEST_F(Win32IoTest, read_file_on_invalid_handle_value_is_invalid_handle_with_zero_bytes) {
    char buffer[4];
    DWORD bytes = 99;
    SetLastError(0);
    EXPECT_FALSE(ReadFile(INVALID_HANDLE_VALUE, buffer, sizeof(buffer), &bytes, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(bytes, 0u);
    bytes = 99;
    SetLastError(0);
    EXPECT_FALSE(WriteFile(INVALID_HANDLE_VALUE, buffer, sizeof(buffer), &bytes, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(bytes, 0u);
    OVERLAPPED ov = at(0, 0);
    bytes = 99;
    EXPECT_FALSE(ReadFile(INVALID_HANDLE_VALUE, buffer, sizeof(buffer), &bytes, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(ov.InternalHigh, kFillHigh);
}

// NT fact I4 (Win32 form): on a synchronous handle an OVERLAPPED offset of
// {FILE_USE_FILE_POINTER_POSITION, -1} reads at the file pointer, {FILE_WRITE_TO_END_OF_FILE, -1}
// writes at the end of file; any other negative offset, and -1 for a read, is
// ERROR_INVALID_PARAMETER with the OVERLAPPED untouched and the pointer where it was.
TEST_F(Win32IoTest, special_overlapped_offsets_on_a_synchronous_handle) {
    HANDLE h = open_device(false);
    char buffer[4] = {};
    DWORD bytes = 0;
    ASSERT_TRUE(ReadFile(h, buffer, sizeof(buffer), &bytes, nullptr));
    ASSERT_EQ(file_pointer(h), 4);
    OVERLAPPED current = at(FILE_USE_FILE_POINTER_POSITION, 0xffffffffu);
    ASSERT_TRUE(ReadFile(h, buffer, sizeof(buffer), &bytes, &current));
    EXPECT_EQ(bytes, 4u);
    EXPECT_EQ(std::string(buffer, 4), "4567");
    EXPECT_EQ(file_pointer(h), 8);

    OVERLAPPED end = at(FILE_WRITE_TO_END_OF_FILE, 0xffffffffu);
    ASSERT_TRUE(WriteFile(h, "ab", 2, &bytes, &end));
    EXPECT_EQ(bytes, 2u);
    LARGE_INTEGER end_of_file;
    end_of_file.LowPart = FILE_WRITE_TO_END_OF_FILE;
    end_of_file.HighPart = -1;
    EXPECT_EQ(g_state.last_write_offset.load(), end_of_file.QuadPart) << "passed to the driver as it is";
    const LONGLONG pointer = file_pointer(h);

    for (DWORD low : {0xfffffffdu, 0xfffffff0u, 0x80000000u}) {
        SCOPED_TRACE(low);
        OVERLAPPED bad = at(low, 0xffffffffu);
        bytes = 99;
        SetLastError(0);
        EXPECT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &bad));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
        EXPECT_EQ(bytes, 0u);
        EXPECT_EQ(bad.Internal, static_cast<ULONG_PTR>(STATUS_PENDING));
        EXPECT_EQ(bad.InternalHigh, kFillHigh);
        SetLastError(0);
        EXPECT_FALSE(WriteFile(h, buffer, sizeof(buffer), &bytes, &bad));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    }
    OVERLAPPED read_end = at(FILE_WRITE_TO_END_OF_FILE, 0xffffffffu);
    SetLastError(0);
    EXPECT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &read_end)) << "-1 is for writes only";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(file_pointer(h), pointer);
    EXPECT_TRUE(CloseHandle(h));
}

struct Routine {
    DWORD error;
    DWORD bytes;
    LPOVERLAPPED ov;
};
std::vector<Routine>* g_routines = nullptr;
VOID WINAPI record_routine(DWORD error, DWORD bytes, LPOVERLAPPED ov) { g_routines->push_back({error, bytes, ov}); }

// NT fact G6 for WriteFileEx: the routine runs only in an alertable wait, with (0, bytes, &ov), for a
// write that completed at once and for one that pended; a WriteFileEx that fails never calls it.
TEST_F(Win32IoTest, write_file_ex_routine_runs_only_in_an_alertable_wait) {
    std::vector<Routine> routines;
    g_routines = &routines;
    HANDLE h = open_device(true);
    OVERLAPPED now = at(2, 0);
    SetLastError(0x55);
    ASSERT_TRUE(WriteFileEx(h, "abc", 3, &now, record_routine));
    EXPECT_EQ(g_state.last_write_offset.load(), 2);
    EXPECT_TRUE(routines.empty());
    EXPECT_EQ(SleepEx(0, FALSE), 0u);
    EXPECT_TRUE(routines.empty());
    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    ASSERT_EQ(routines.size(), 1u);
    EXPECT_EQ(routines[0].error, 0u);
    EXPECT_EQ(routines[0].bytes, 3u);
    EXPECT_EQ(routines[0].ov, &now);

    g_state.park_reads = true;
    OVERLAPPED later = at(5, 0);
    ASSERT_TRUE(WriteFileEx(h, "defg", 4, &later, record_routine));
    ASSERT_TRUE(wait_parked(1));
    EXPECT_EQ(later.Internal, static_cast<ULONG_PTR>(STATUS_PENDING));
    g_state.complete_information = 4;
    ASSERT_TRUE(complete_one());
    EXPECT_EQ(routines.size(), 1u);
    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    ASSERT_EQ(routines.size(), 2u);
    EXPECT_EQ(routines[1].bytes, 4u);
    EXPECT_EQ(routines[1].ov, &later);

    OVERLAPPED failed = at(0, 0);
    HANDLE closed = open_device(true);
    ASSERT_TRUE(CloseHandle(closed));
    SetLastError(0);
    EXPECT_FALSE(WriteFileEx(closed, "x", 1, &failed, record_routine));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(SleepEx(0, TRUE), 0u);
    EXPECT_EQ(routines.size(), 2u);
    EXPECT_TRUE(CloseHandle(h));
}

// OutputDebugStringA without a debugger: the text reaches the debug output (stderr here, as
// DbgPrint's does); NULL is ignored.
TEST_F(Win32IoTest, output_debug_string_writes_the_text_to_the_debug_output) {
    testing::internal::CaptureStderr();
    OutputDebugStringA("w32facts: debug line\n");
    OutputDebugStringA(nullptr);
    const std::string text = testing::internal::GetCapturedStderr();
    EXPECT_NE(text.find("w32facts: debug line\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace ntio::test::win32_io
