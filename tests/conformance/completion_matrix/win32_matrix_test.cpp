// The series E completion-status matrix through kernel32's DeviceIoControl (issue 4, Tests): every
// cell of matrix_oracle.hpp on a synchronous handle, and on overlapped handles with an event, bound to
// a port (plain, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) and with a low-bit event; checking the return
// value, last error, bytes returned, the OVERLAPPED's status block, event, packet, GetOverlappedResult
// and the output buffer. NT facts E3-E8, F10, F14, H6, H7.
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include <windows.h>
#include <winioctl.h>
#include <ntio/ntio.h>

#include "matrix_check.hpp"
#include "support/driver_fixture.hpp"

namespace ntio::test::completion_matrix {
namespace {

constexpr ULONG_PTR kSentinelStatus = 0xdeadf00d;
constexpr ULONG_PTR kSentinelInformation = 0x5555;
constexpr DWORD kSentinelBytes = 0xdeadf00d;
constexpr DWORD kSentinelError = 0xbeef;

DWORD expected_error(NTSTATUS status) {
    return status == STATUS_PENDING ? ERROR_IO_PENDING : RtlNtStatusToDosError(status);
}

class CompletionMatrixWin32 : public DriverTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        ASSERT_EQ(create_driver(L"CmpMatrix", matrix_driver_entry), STATUS_SUCCESS);
    }

    static HANDLE open_device(bool overlapped) {
        HANDLE h = CreateFileW(L"\\\\.\\CmpMatrix", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                               nullptr, OPEN_EXISTING, overlapped ? FILE_FLAG_OVERLAPPED : 0, nullptr);
        EXPECT_NE(h, INVALID_HANDLE_VALUE);
        return h;
    }

    // NT facts E3, E4 on a synchronous handle.
    void run_sync() {
        HANDLE h = open_device(false);
        SurfaceReport report("DeviceIoControl, sync handle");
        for (const Cell& cell : all_cells()) {
            CellCheck check;
            const Win32Outcome w = win32_sync(cell);
            Instruction instruction{cell.ret, cell.iosb, kInformation, cell.pend ? 1u : 0u, cell.completer};
            char out[6];
            std::memcpy(out, kPrefill, sizeof(out));
            DWORD bytes = kSentinelBytes;
            const int deferred_before = g_log.deferred_done.load();
            SetLastError(kSentinelError);
            const BOOL ok =
                DeviceIoControl(h, cell.code, &instruction, sizeof(instruction), out, sizeof(out), &bytes, nullptr);
            const DWORD error = GetLastError();
            if (cell.completer != kDispatch)
                check.expect_true(wait_deferred(deferred_before + 1), "the work item or DPC never finished");
            check_result(check, w, ok, error, bytes);
            const std::string output(out, sizeof(out));
            check.expect(output == w.nt.output, "output buffer (E4)", w.nt.output, output);
            report.add(cell, check);
        }
        CloseHandle(h);
    }

    void run_overlapped(const char* name, Win32Async kind) {
        HANDLE h = open_device(true);
        HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
        HANDLE port = nullptr;
        if (kind != Win32Async::event) {
            port = CreateIoCompletionPort(h, nullptr, kKey, 0);
            ASSERT_NE(port, nullptr);
            if (kind == Win32Async::port_skip_on_success) {
                ASSERT_TRUE(SetFileCompletionNotificationModes(h, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
            }
        }
        SurfaceReport report(name);
        for (const Cell& cell : all_cells()) {
            CellCheck check;
            const Win32Outcome w = win32_overlapped(cell, kind);
            const Effective e = effective(cell);
            Instruction instruction{cell.ret, cell.iosb, kInformation, cell.pend ? 1u : 0u, cell.completer};
            char out[6];
            std::memcpy(out, kPrefill, sizeof(out));
            OVERLAPPED ov{};
            ov.Internal = kSentinelStatus;
            ov.InternalHigh = kSentinelInformation;
            ov.hEvent = kind == Win32Async::port_low_bit_event
                            ? reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(event) | 1)
                            : event;
            SetEvent(event);  // E6: the call resets it
            DWORD bytes = kSentinelBytes;
            const int deferred_before = g_log.deferred_done.load();
            SetLastError(kSentinelError);
            const BOOL ok =
                DeviceIoControl(h, cell.code, &instruction, sizeof(instruction), out, sizeof(out), &bytes, &ov);
            const DWORD error = GetLastError();
            if (cell.completer != kDispatch)
                check.expect_true(wait_deferred(deferred_before + 1), "the work item or DPC never finished");
            check_result(check, w, ok, error, bytes);

            // H7, E5: the OVERLAPPED is the IOSB; Internal is STATUS_PENDING until the IOSB is written.
            if (w.nt.iosb_written) {
                check.expect(static_cast<NTSTATUS>(ov.Internal) == e.iosb, "OVERLAPPED.Internal", e.iosb,
                             static_cast<NTSTATUS>(ov.Internal));
                check.expect(ov.InternalHigh == e.information, "OVERLAPPED.InternalHigh", e.information,
                             ov.InternalHigh);
                // H6: GetOverlappedResult reports the status block: InternalHigh, TRUE iff NT_SUCCESS.
                DWORD transferred = kSentinelBytes;
                SetLastError(kSentinelError);
                const BOOL result = GetOverlappedResult(h, &ov, &transferred, FALSE);
                check.expect((result != FALSE) == NT_SUCCESS(e.iosb), "GetOverlappedResult", NT_SUCCESS(e.iosb),
                             result);
                check.expect(transferred == e.information, "GetOverlappedResult bytes", e.information, transferred);
                if (!result)
                    check.expect(GetLastError() == RtlNtStatusToDosError(e.iosb), "GetOverlappedResult last error",
                                 RtlNtStatusToDosError(e.iosb), GetLastError());
            } else {
                check.expect(static_cast<NTSTATUS>(ov.Internal) == STATUS_PENDING,
                             "OVERLAPPED.Internal (H7: STATUS_PENDING, IOSB not written)", STATUS_PENDING,
                             static_cast<NTSTATUS>(ov.Internal));
                check.expect(ov.InternalHigh == kSentinelInformation, "OVERLAPPED.InternalHigh untouched",
                             kSentinelInformation, ov.InternalHigh);
            }
            const bool signalled = WaitForSingleObject(event, 0) == WAIT_OBJECT_0;
            check.expect(signalled == w.nt.event_signalled, "event signalled (E5, E6)", w.nt.event_signalled,
                         signalled);
            if (port) {
                DWORD packet_bytes = kSentinelBytes;
                ULONG_PTR key = 0;
                LPOVERLAPPED packet = nullptr;
                SetLastError(kSentinelError);
                const BOOL got = GetQueuedCompletionStatus(port, &packet_bytes, &key, &packet, 0);
                const DWORD packet_error = GetLastError();
                check.expect((packet != nullptr) == w.nt.packet, "packet present", w.nt.packet, packet != nullptr);
                if (packet) {  // E7; a packet of a failed request dequeues as FALSE with its error
                    check.expect(packet == &ov, "packet OVERLAPPED", &ov, packet);
                    check.expect(key == kKey, "packet key", kKey, key);
                    check.expect(packet_bytes == e.information, "packet bytes", e.information, packet_bytes);
                    check.expect((got != FALSE) == NT_SUCCESS(e.iosb), "GetQueuedCompletionStatus result",
                                 NT_SUCCESS(e.iosb), got);
                    if (!got)
                        check.expect(packet_error == RtlNtStatusToDosError(e.iosb), "GetQueuedCompletionStatus error",
                                     RtlNtStatusToDosError(e.iosb), packet_error);
                    packet = nullptr;
                    const BOOL again = GetQueuedCompletionStatus(port, &packet_bytes, &key, &packet, 0);
                    check.expect(!again && packet == nullptr, "exactly one packet", 0, again);
                } else {
                    // F10: an empty port with timeout 0.
                    check.expect(!got && packet_error == WAIT_TIMEOUT, "empty port: WAIT_TIMEOUT", WAIT_TIMEOUT,
                                 packet_error);
                }
            }
            const std::string output(out, sizeof(out));
            check.expect(output == w.nt.output, "output buffer (E4)", w.nt.output, output);
            report.add(cell, check);
        }
        if (port) CloseHandle(port);
        CloseHandle(event);
        CloseHandle(h);
    }

    static void check_result(CellCheck& check, const Win32Outcome& w, BOOL ok, DWORD error, DWORD bytes) {
        check.expect((ok != FALSE) == w.result, "return value", w.result, ok);
        const DWORD want_error = w.error_from ? expected_error(*w.error_from) : kSentinelError;
        check.expect(error == want_error, "last error", want_error, error);
        if (w.bytes_untouched) check.expect(bytes == kSentinelBytes, "bytes returned untouched", kSentinelBytes, bytes);
        if (w.bytes) check.expect(bytes == *w.bytes, "bytes returned", *w.bytes, bytes);
    }
};

// NT fact E3 over E1, E2, E4.
TEST_F(CompletionMatrixWin32, device_io_control_sync_follows_the_status_matrix) { run_sync(); }

// NT facts E4, E5, E6, H6, H7.
TEST_F(CompletionMatrixWin32, device_io_control_overlapped_with_event_follows_the_status_matrix) {
    run_overlapped("DeviceIoControl, overlapped + event", Win32Async::event);
}

// NT facts E5, E7, F10, F15: the packet carries the OVERLAPPED.
TEST_F(CompletionMatrixWin32, device_io_control_on_a_port_queues_the_overlapped) {
    run_overlapped("DeviceIoControl, overlapped + event + port", Win32Async::port);
}

// NT facts E8, F2, F12.
TEST_F(CompletionMatrixWin32, skip_completion_port_on_success_drops_only_unpended_successes) {
    run_overlapped("DeviceIoControl, overlapped + event + port, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS",
                   Win32Async::port_skip_on_success);
}

// NT fact F14: a low-bit hEvent suppresses the packet but the event is still set.
TEST_F(CompletionMatrixWin32, low_bit_event_suppresses_the_packet) {
    run_overlapped("DeviceIoControl, overlapped + low-bit event + port", Win32Async::port_low_bit_event);
}

}  // namespace
}  // namespace ntio::test::completion_matrix
