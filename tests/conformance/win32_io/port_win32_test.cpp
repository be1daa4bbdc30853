// The completion-status, completion-port and file-signalling facts through <windows.h>
// (DeviceIoControl, ReadFile(Ex), WriteFileEx, CreateIoCompletionPort, GetQueuedCompletionStatus,
// SetFileCompletionNotificationModes, DuplicateHandle) on the IoSignal device: the Win32 twins of the
// NT-surface tests in io_completion and io_signalling (NT facts D9, E5, E6, E7, E8, F4, F5, F7, F11,
// F15, H2, H3, H4).
#include <vector>

#include "conformance/io_signalling/lifetime_support.hpp"

namespace ntio::test::io_signalling {
namespace {

HANDLE open_win32(bool overlapped) {
    HANDLE h = CreateFileW(L"\\\\.\\IoSignal", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                           nullptr, OPEN_EXISTING, overlapped ? FILE_FLAG_OVERLAPPED : 0, nullptr);
    EXPECT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    return h;
}

// What GetQueuedCompletionStatus returned for one packet.
struct Packet {
    BOOL ok = FALSE;
    DWORD error = 0;
    DWORD bytes = 0xffff;
    ULONG_PTR key = 0;
    LPOVERLAPPED ov = nullptr;
};

// The next packet, waiting `ms` at most; ov == nullptr and error WAIT_TIMEOUT when there is none.
Packet next_packet(HANDLE port, DWORD ms = 0) {
    Packet p;
    SetLastError(0);
    p.ok = GetQueuedCompletionStatus(port, &p.bytes, &p.key, &p.ov, ms);
    p.error = p.ok ? 0 : GetLastError();
    return p;
}

// DeviceIoControl(kIoctlMatrix) on an overlapped handle: the return value and last error.
struct Call {
    BOOL ok;
    DWORD error;
    DWORD bytes;
};
Call matrix(HANDLE h, OVERLAPPED* ov, NTSTATUS ret, NTSTATUS iosb, bool pend) {
    MatrixRequest request{ret, iosb, pend ? 1u : 0u};
    Call call{};
    call.bytes = 0x7777;
    SetLastError(0x1234);
    call.ok = DeviceIoControl(h, kIoctlMatrix, &request, sizeof(request), nullptr, 0, &call.bytes, ov);
    call.error = GetLastError();
    return call;
}

constexpr ULONG_PTR kFillHigh = 0x5555;

OVERLAPPED fresh(HANDLE event) {
    OVERLAPPED ov{};
    ov.hEvent = event;
    ov.InternalHigh = kFillHigh;
    return ov;
}

// NT facts E5, E6, E7 (Win32 form): on an overlapped handle bound to a port, with an event set before
// each call, DeviceIoControl returns TRUE only for a non-pending success of the dispatch's return
// value, else FALSE with RtlNtStatusToDosError of it; a non-pending error IOSB leaves the OVERLAPPED,
// the (reset) event, the file and the port untouched; otherwise the OVERLAPPED holds {iosb_status, 3},
// the event is set and one packet {key, &ov, iosb_status, 3} is queued.
TEST_F(IoSignalTest, overlapped_device_io_control_follows_the_async_status_matrix) {
    HANDLE h = open_win32(true);
    HANDLE port = CreateIoCompletionPort(h, nullptr, 0x77, 0);
    ASSERT_NE(port, nullptr);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    struct Row {
        NTSTATUS ret;
        NTSTATUS iosb;
        bool pend;
        BOOL ok;
        DWORD error;  // GetLastError after a FALSE return
        bool written;  // OVERLAPPED, event, packet
        DWORD packet_error;  // GetQueuedCompletionStatus's last error (0: it returns TRUE)
    };
    const Row rows[] = {
        {STATUS_SUCCESS, STATUS_SUCCESS, false, TRUE, 0, true, 0},
        {STATUS_SUCCESS, STATUS_SUCCESS, true, TRUE, 0, true, 0},
        {STATUS_TIMEOUT, STATUS_TIMEOUT, false, TRUE, 0, true, 0},
        {STATUS_BUFFER_OVERFLOW, STATUS_BUFFER_OVERFLOW, false, FALSE, ERROR_MORE_DATA, true, ERROR_MORE_DATA},
        {STATUS_INVALID_DEVICE_REQUEST, STATUS_INVALID_DEVICE_REQUEST, false, FALSE, ERROR_INVALID_FUNCTION, false, 0},
        {STATUS_INVALID_DEVICE_REQUEST, STATUS_INVALID_DEVICE_REQUEST, true, FALSE, ERROR_INVALID_FUNCTION, true,
         ERROR_INVALID_FUNCTION},
        {STATUS_PENDING, STATUS_DEVICE_NOT_READY, true, FALSE, ERROR_IO_PENDING, true, ERROR_NOT_READY},
        {STATUS_PENDING, STATUS_SUCCESS, true, FALSE, ERROR_IO_PENDING, true, 0},
        // The return value is the dispatch's, the IOSB the driver's, each on its own.
        {STATUS_SUCCESS, STATUS_INVALID_DEVICE_REQUEST, true, TRUE, 0, true, ERROR_INVALID_FUNCTION},
        {STATUS_INVALID_DEVICE_REQUEST, STATUS_SUCCESS, false, FALSE, ERROR_INVALID_FUNCTION, true, 0},
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(testing::Message() << std::hex << "ret 0x" << row.ret << " iosb 0x" << row.iosb
                                        << " pend " << row.pend);
        ASSERT_TRUE(SetEvent(event));
        OVERLAPPED ov = fresh(event);
        const Call call = matrix(h, &ov, row.ret, row.iosb, row.pend);
        EXPECT_EQ(call.ok, row.ok);
        EXPECT_EQ(call.error, row.ok ? 0x1234u : row.error) << "TRUE leaves the last error alone";
        if (row.written) {
            EXPECT_EQ(static_cast<NTSTATUS>(ov.Internal), row.iosb);
            EXPECT_EQ(ov.InternalHigh, 3u);
            EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);
            const Packet p = next_packet(port);
            EXPECT_EQ(p.ok, row.packet_error == 0 ? TRUE : FALSE);
            EXPECT_EQ(p.error, row.packet_error);
            EXPECT_EQ(p.key, 0x77u);  // NT fact E7
            EXPECT_EQ(p.ov, &ov);
            EXPECT_EQ(p.bytes, 3u);
        } else {
            // NT fact E6: the event was reset at submission even though the call failed at once.
            EXPECT_EQ(ov.Internal, static_cast<ULONG_PTR>(STATUS_PENDING));
            EXPECT_EQ(ov.InternalHigh, kFillHigh);
            EXPECT_EQ(WaitForSingleObject(event, 0), static_cast<DWORD>(WAIT_TIMEOUT));
            EXPECT_EQ(WaitForSingleObject(h, 0), static_cast<DWORD>(WAIT_TIMEOUT)) << "the file is not signalled";
            EXPECT_EQ(call.bytes, 0x7777u) << "NT fact E3: untouched for an error";
        }
        const Packet none = next_packet(port);
        EXPECT_EQ(none.ov, nullptr) << "exactly one packet";
        EXPECT_EQ(none.error, static_cast<DWORD>(WAIT_TIMEOUT));
    }
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(port));
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact E8: with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, a non-pending success and a non-pending
// error queue nothing; a non-pending warning (Windows 8 and later) and anything that pended do.
TEST_F(IoSignalTest, skip_completion_port_on_success_drops_only_synchronous_successes) {
    HANDLE h = open_win32(true);
    HANDLE port = CreateIoCompletionPort(h, nullptr, 5, 0);
    ASSERT_NE(port, nullptr);
    ASSERT_TRUE(SetFileCompletionNotificationModes(h, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    OVERLAPPED ov = fresh(nullptr);
    EXPECT_TRUE(matrix(h, &ov, STATUS_SUCCESS, STATUS_SUCCESS, false).ok);
    EXPECT_EQ(next_packet(port).ov, nullptr);
    EXPECT_FALSE(matrix(h, &ov, STATUS_INVALID_DEVICE_REQUEST, STATUS_INVALID_DEVICE_REQUEST, false).ok);
    EXPECT_EQ(next_packet(port).ov, nullptr);

    OVERLAPPED warning = fresh(nullptr);
    const Call call = matrix(h, &warning, STATUS_BUFFER_OVERFLOW, STATUS_BUFFER_OVERFLOW, false);
    EXPECT_FALSE(call.ok);
    EXPECT_EQ(call.error, static_cast<DWORD>(ERROR_MORE_DATA));
    Packet p = next_packet(port);
    EXPECT_EQ(p.ov, &warning);
    EXPECT_EQ(p.error, static_cast<DWORD>(ERROR_MORE_DATA));

    OVERLAPPED pended = fresh(nullptr);
    EXPECT_TRUE(matrix(h, &pended, STATUS_SUCCESS, STATUS_SUCCESS, true).ok);
    p = next_packet(port);
    EXPECT_TRUE(p.ok);
    EXPECT_EQ(p.ov, &pended);
    EXPECT_EQ(p.bytes, 3u);
    EXPECT_EQ(next_packet(port).ov, nullptr);
    EXPECT_TRUE(CloseHandle(port));
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact H2: with an event in the OVERLAPPED only the event is signalled by the completion; the
// file handle, reset at submission, stays non-signalled. Without an event the handle is signalled.
TEST_F(IoSignalTest, a_completion_with_an_event_leaves_the_file_handle_unsignalled) {
    g_state.park_reads = true;
    HANDLE h = open_win32(true);
    EXPECT_EQ(WaitForSingleObject(h, 0), WAIT_OBJECT_0) << "NT fact H1: idle handles are signalled";
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    char buffer[4];
    DWORD bytes = 0;
    OVERLAPPED ov = fresh(event);
    ASSERT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &ov));
    ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    ASSERT_TRUE(wait_parked(1));
    ASSERT_TRUE(complete_one(STATUS_SUCCESS, 4));
    EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);
    EXPECT_EQ(WaitForSingleObject(h, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_TRUE(GetOverlappedResult(h, &ov, &bytes, FALSE));
    EXPECT_EQ(bytes, 4u);

    OVERLAPPED no_event = fresh(nullptr);
    ASSERT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &no_event));
    ASSERT_TRUE(wait_parked(1));
    ASSERT_TRUE(complete_one(STATUS_SUCCESS, 2));
    EXPECT_EQ(WaitForSingleObject(h, 0), WAIT_OBJECT_0);
    EXPECT_TRUE(GetOverlappedResult(h, &no_event, &bytes, TRUE));
    EXPECT_EQ(bytes, 2u);
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact H3: after SetFileCompletionNotificationModes(FILE_SKIP_SET_EVENT_ON_HANDLE) completions no
// longer signal the file handle; the port still gets its packet.
TEST_F(IoSignalTest, skip_set_event_on_handle_keeps_the_handle_unsignalled_and_still_posts) {
    g_state.park_reads = true;
    HANDLE h = open_win32(true);
    HANDLE port = CreateIoCompletionPort(h, nullptr, 9, 0);
    ASSERT_NE(port, nullptr);
    ASSERT_TRUE(SetFileCompletionNotificationModes(h, FILE_SKIP_SET_EVENT_ON_HANDLE));
    char buffer[4];
    DWORD bytes = 0;
    OVERLAPPED ov = fresh(nullptr);
    ASSERT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &ov));
    ASSERT_TRUE(wait_parked(1));
    ASSERT_TRUE(complete_one(STATUS_SUCCESS, 4));
    const Packet p = next_packet(port, 10000);
    EXPECT_TRUE(p.ok);
    EXPECT_EQ(p.ov, &ov);
    EXPECT_EQ(p.key, 9u);
    EXPECT_EQ(p.bytes, 4u);
    EXPECT_EQ(WaitForSingleObject(h, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_TRUE(CloseHandle(port));
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact H4: ReadFile on an invalid file handle fails with ERROR_INVALID_HANDLE and leaves the
// OVERLAPPED's event signalled; an invalid event handle fails the call with ERROR_INVALID_HANDLE and
// nothing reaches the driver.
TEST_F(IoSignalTest, invalid_file_or_event_handles_fail_without_touching_anything) {
    HANDLE h = open_win32(true);
    HANDLE event = CreateEventW(nullptr, TRUE, TRUE, nullptr);
    HANDLE closed = open_win32(true);
    ASSERT_TRUE(CloseHandle(closed));
    char buffer[4];
    DWORD bytes = 99;
    OVERLAPPED ov = fresh(event);
    SetLastError(0);
    EXPECT_FALSE(ReadFile(closed, buffer, sizeof(buffer), &bytes, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0) << "the event is not reset";
    EXPECT_EQ(ov.InternalHigh, kFillHigh);
    EXPECT_FALSE(WriteFile(closed, buffer, sizeof(buffer), &bytes, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);

    const LONG before = g_state.dispatches.load();
    OVERLAPPED bad_event = fresh(reinterpret_cast<HANDLE>(static_cast<ULONG_PTR>(0x7770)));
    SetLastError(0);
    EXPECT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &bad_event));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_EQ(bad_event.InternalHigh, kFillHigh);
    EXPECT_EQ(g_state.dispatches.load(), before) << "no IRP";
    EXPECT_EQ(WaitForSingleObject(h, 0), WAIT_OBJECT_0) << "the file was not reset either";
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact F4: a port associated while a read is already pending still receives that read's
// completion, keyed with the new key and valued with the OVERLAPPED.
TEST_F(IoSignalTest, a_read_pending_before_create_io_completion_port_completes_to_the_port) {
    g_state.park_reads = true;
    HANDLE h = open_win32(true);
    char buffer[4];
    DWORD bytes = 0;
    OVERLAPPED ov = fresh(nullptr);
    ASSERT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &ov));
    ASSERT_TRUE(wait_parked(1));
    HANDLE port = CreateIoCompletionPort(h, nullptr, 0x42, 0);
    ASSERT_NE(port, nullptr);
    ASSERT_TRUE(complete_one(STATUS_SUCCESS, 4));
    const Packet p = next_packet(port, 10000);
    EXPECT_TRUE(p.ok);
    EXPECT_EQ(p.key, 0x42u);
    EXPECT_EQ(p.ov, &ov);
    EXPECT_EQ(p.bytes, 4u);
    EXPECT_TRUE(CloseHandle(port));
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact F5: a read that finds its data at once on a port-associated handle returns TRUE and
// still queues exactly one packet.
TEST_F(IoSignalTest, an_immediate_read_on_a_port_handle_queues_exactly_one_packet) {
    HANDLE h = open_win32(true);
    HANDLE port = CreateIoCompletionPort(h, nullptr, 3, 0);
    ASSERT_NE(port, nullptr);
    char buffer[4] = {};
    DWORD bytes = 0;
    OVERLAPPED ov = fresh(nullptr);
    ASSERT_TRUE(ReadFile(h, buffer, sizeof(buffer), &bytes, &ov));
    EXPECT_EQ(bytes, 4u);
    const Packet p = next_packet(port);
    EXPECT_TRUE(p.ok);
    EXPECT_EQ(p.key, 3u);
    EXPECT_EQ(p.ov, &ov);
    EXPECT_EQ(p.bytes, 4u);
    EXPECT_EQ(next_packet(port).ov, nullptr);
    EXPECT_TRUE(CloseHandle(port));
    EXPECT_TRUE(CloseHandle(h));
}

struct Routine {
    DWORD error;
    DWORD bytes;
    LPOVERLAPPED ov;
};
std::vector<Routine>* g_routines = nullptr;
VOID WINAPI record_routine(DWORD error, DWORD bytes, LPOVERLAPPED ov) { g_routines->push_back({error, bytes, ov}); }

// NT facts F7, F15: once a port is associated, ReadFileEx / WriteFileEx (an APC routine) fail at
// once with ERROR_INVALID_PARAMETER and their routine never runs; a ReadFileEx issued before the
// association completes through its routine only, with no packet. A pended request whose hEvent has
// the low bit set (ApcContext NULL) queues no packet either.
TEST_F(IoSignalTest, completion_routines_and_ports_are_exclusive) {
    std::vector<Routine> routines;
    g_routines = &routines;
    g_state.park_reads = true;
    HANDLE h = open_win32(true);
    char buffer[4];
    OVERLAPPED early{};
    ASSERT_TRUE(ReadFileEx(h, buffer, sizeof(buffer), &early, record_routine));
    ASSERT_TRUE(wait_parked(1));
    HANDLE port = CreateIoCompletionPort(h, nullptr, 1, 0);
    ASSERT_NE(port, nullptr);

    OVERLAPPED late{};
    SetLastError(0);
    EXPECT_FALSE(ReadFileEx(h, buffer, sizeof(buffer), &late, record_routine));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    SetLastError(0);
    EXPECT_FALSE(WriteFileEx(h, buffer, sizeof(buffer), &late, record_routine));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(g_state.parked.load(), 1) << "neither reached the driver";

    ASSERT_TRUE(complete_one(STATUS_SUCCESS, 2));
    EXPECT_EQ(SleepEx(0, TRUE), static_cast<DWORD>(WAIT_IO_COMPLETION));
    ASSERT_EQ(routines.size(), 1u);
    EXPECT_EQ(routines[0].ov, &early);
    EXPECT_EQ(routines[0].error, 0u);
    EXPECT_EQ(routines[0].bytes, 2u);
    EXPECT_EQ(next_packet(port).ov, nullptr);

    // F15 / F14: no ApcContext, no packet, even for a request that pended.
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED masked = fresh(reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(event) | 1));
    DWORD bytes = 0;
    ASSERT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &masked));
    ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    ASSERT_TRUE(wait_parked(1));
    ASSERT_TRUE(complete_one(STATUS_SUCCESS, 1));
    EXPECT_EQ(WaitForSingleObject(event, 10000), WAIT_OBJECT_0);
    EXPECT_EQ(next_packet(port).ov, nullptr);
    EXPECT_TRUE(routines.size() == 1u);
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(port));
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact F11 (Win32 form): FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on a synchronous handle ->
// ERROR_INVALID_PARAMETER, FILE_SKIP_SET_EVENT_ON_HANDLE is accepted there; on an overlapped handle
// the modes accumulate (setting 0 does not clear the skip) and unknown bits are accepted.
TEST_F(IoSignalTest, set_file_completion_notification_modes_checks_the_handle_and_accumulates) {
    HANDLE sync = open_win32(false);
    SetLastError(0);
    EXPECT_FALSE(SetFileCompletionNotificationModes(sync, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_TRUE(SetFileCompletionNotificationModes(sync, FILE_SKIP_SET_EVENT_ON_HANDLE));
    EXPECT_TRUE(SetFileCompletionNotificationModes(sync, FILE_SKIP_SET_USER_EVENT_ON_FAST_IO));
    EXPECT_TRUE(CloseHandle(sync));

    HANDLE h = open_win32(true);
    HANDLE port = CreateIoCompletionPort(h, nullptr, 2, 0);
    ASSERT_NE(port, nullptr);
    EXPECT_TRUE(SetFileCompletionNotificationModes(h, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    EXPECT_TRUE(SetFileCompletionNotificationModes(h, 0));
    EXPECT_TRUE(SetFileCompletionNotificationModes(h, 0xe8));  // unknown bits only
    OVERLAPPED ov = fresh(nullptr);
    EXPECT_TRUE(matrix(h, &ov, STATUS_SUCCESS, STATUS_SUCCESS, false).ok);
    EXPECT_EQ(next_packet(port).ov, nullptr) << "the skip is still set";
    EXPECT_TRUE(CloseHandle(port));
    EXPECT_TRUE(CloseHandle(h));
}

// NT fact D9 (Win32 form): the issuing process closes its last handle while another process keeps a
// duplicate. The read with no event on a port-associated handle is cancelled to the port and the
// OVERLAPPED is written only when GetQueuedCompletionStatus removes the packet (FALSE,
// ERROR_OPERATION_ABORTED, 0 bytes, the key); the read with an event shows nothing.
TEST_F(LifetimeTest, closing_the_last_win32_handle_cancels_to_the_port_and_defers_the_overlapped) {
    g_state.park_reads = true;
    OtherProcess other(system());
    HANDLE h = open_win32(true);
    HANDLE copy = nullptr;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, other.handle(), &copy, 0, FALSE, DUPLICATE_SAME_ACCESS));
    HANDLE port = CreateIoCompletionPort(h, nullptr, 0x99, 0);
    ASSERT_NE(port, nullptr);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    char buffer[4];
    DWORD bytes = 0;
    OVERLAPPED to_port = fresh(nullptr);
    OVERLAPPED with_event = fresh(event);
    ASSERT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &to_port));
    ASSERT_FALSE(ReadFile(h, buffer, sizeof(buffer), &bytes, &with_event));
    ASSERT_TRUE(wait_parked(2));
    ASSERT_TRUE(CloseHandle(h));

    EXPECT_EQ(port_depth(port), 1) << "one STATUS_CANCELLED packet";
    EXPECT_EQ(to_port.Internal, static_cast<ULONG_PTR>(STATUS_PENDING)) << "written at removal";
    EXPECT_EQ(to_port.InternalHigh, kFillHigh);
    EXPECT_EQ(with_event.Internal, static_cast<ULONG_PTR>(STATUS_PENDING));
    EXPECT_EQ(WaitForSingleObject(event, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    const Packet p = next_packet(port, 10000);
    EXPECT_FALSE(p.ok);
    EXPECT_EQ(p.error, static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    EXPECT_EQ(p.key, 0x99u);
    EXPECT_EQ(p.ov, &to_port);
    EXPECT_EQ(p.bytes, 0u);
    EXPECT_EQ(static_cast<NTSTATUS>(to_port.Internal), STATUS_CANCELLED);
    EXPECT_EQ(to_port.InternalHigh, 0u);
    EXPECT_EQ(next_packet(port).ov, nullptr);

    // The other process's exit closes the last handle; CLEANUP cancels the read still parked.
    other.terminate();
    EXPECT_EQ(g_state.parked.load(), 0);
    EXPECT_EQ(static_cast<NTSTATUS>(with_event.Internal), STATUS_CANCELLED);
    EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(port));
}

}  // namespace
}  // namespace ntio::test::io_signalling
