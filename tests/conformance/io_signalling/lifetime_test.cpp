// Requests that outlive their handle or their process, and a device that goes away under them: NT
// facts D9 (last handle of one process closed while another process keeps the file), D10 (process
// exit with a read pending on a handle moved into that process) and D11 (surprise removal).
// Processes are set up through the object manager (ntio has no process-creation service yet); the
// behaviour under test goes through NtDuplicateObject / DuplicateHandle, the I/O services and the
// completion-port services.
#include <thread>

#include "lifetime_support.hpp"

namespace ntio::test::io_signalling {
namespace {

// NT fact D9, the port case: the issuing process closes its last handle while another process keeps
// the file open. The request (completion context, no event) is cancelled and its STATUS_CANCELLED
// packet queued; the caller's IOSB is written only when the packet is removed.
TEST_F(LifetimeTest, closing_the_last_handle_in_a_process_cancels_to_the_port_and_defers_the_iosb) {
    g_state.park_reads = true;
    OtherProcess other(system());
    HANDLE h = open_device();
    (void)share_with(h, other);
    HANDLE port = make_port();
    bind(h, port, ctx(0x99));
    IO_STATUS_BLOCK iosb = filled();
    char buffer[4];
    ASSERT_EQ(read_async(h, &iosb, buffer, nullptr, ctx(0x42)), STATUS_PENDING);
    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(port_depth(port), 1) << "a STATUS_CANCELLED packet is queued";
    EXPECT_TRUE(untouched(iosb)) << "the IOSB waits for the packet's removal";
    PVOID key = nullptr, value = nullptr;
    IO_STATUS_BLOCK packet = filled();
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10000LL * 1000;
    EXPECT_EQ(NtRemoveIoCompletion(port, &key, &value, &packet, &timeout), STATUS_SUCCESS);
    EXPECT_EQ(key, ctx(0x99));
    EXPECT_EQ(value, ctx(0x42));
    EXPECT_EQ(packet.Status, STATUS_CANCELLED);
    EXPECT_EQ(packet.Information, 0u);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(iosb.Information, 0u);
    other.terminate();
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

// NT facts D8, D9: only the process's last handle counts. Closing one of two handles of the issuing
// process leaves the request alone (D8); closing the second cancels it to the port (D9). Two requests
// are removed in one NtRemoveIoCompletionEx batch, which writes both IOSBs.
TEST_F(LifetimeTest, only_the_last_handle_of_the_process_cancels_and_a_batched_removal_writes_every_iosb) {
    g_state.park_reads = true;
    OtherProcess other(system());
    HANDLE h = open_device();
    HANDLE port = make_port();
    bind(h, port, ctx(0x77));
    HANDLE copy = share_with(h, other);
    HANDLE second = nullptr;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), h, NtCurrentProcess(), &second, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    IO_STATUS_BLOCK a = filled(), b = filled();
    char buffer_a[4], buffer_b[4];
    ASSERT_EQ(read_async(h, &a, buffer_a, nullptr, ctx(0x51)), STATUS_PENDING);
    ASSERT_EQ(read_async(second, &b, buffer_b, nullptr, ctx(0x52)), STATUS_PENDING);

    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(port_depth(port), 0) << "another handle of the process is still open (D8)";
    EXPECT_EQ(g_state.parked.load(), 2);
    ASSERT_EQ(NtClose(second), STATUS_SUCCESS);
    EXPECT_EQ(port_depth(port), 2);
    EXPECT_EQ(g_state.parked.load(), 0);
    EXPECT_TRUE(untouched(a));
    EXPECT_TRUE(untouched(b));

    FILE_IO_COMPLETION_INFORMATION entries[4];
    ULONG removed = 0;
    LARGE_INTEGER timeout;
    timeout.QuadPart = 0;
    ASSERT_EQ(NtRemoveIoCompletionEx(port, entries, 4, &removed, &timeout, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(removed, 2u);
    for (ULONG i = 0; i < removed; ++i) {
        EXPECT_EQ(entries[i].KeyContext, ctx(0x77));
        EXPECT_EQ(entries[i].IoStatusBlock.Status, STATUS_CANCELLED);
        EXPECT_EQ(entries[i].IoStatusBlock.Information, 0u);
    }
    EXPECT_EQ(a.Status, STATUS_CANCELLED);
    EXPECT_EQ(a.Information, 0u);
    EXPECT_EQ(b.Status, STATUS_CANCELLED);
    EXPECT_EQ(b.Information, 0u);
    EXPECT_EQ(close_in(other, copy), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

// NT fact D9: a request the driver completes after the close has cancelled nothing it could see
// (it was completed before the close, or belongs to another process) writes its IOSB at completion.
// Here the driver completes the request first; the close then finds nothing to cancel, and the
// IOSB was written at completion, before the packet's removal.
TEST_F(LifetimeTest, a_request_completed_before_the_close_keeps_its_iosb_written_at_completion) {
    g_state.park_reads = true;
    OtherProcess other(system());
    HANDLE h = open_device();
    HANDLE port = make_port();
    bind(h, port, ctx(0x31));
    HANDLE copy = share_with(h, other);
    IO_STATUS_BLOCK iosb = filled();
    char buffer[4];
    ASSERT_EQ(read_async(h, &iosb, buffer, nullptr, ctx(0x32)), STATUS_PENDING);
    ASSERT_TRUE(complete_one(STATUS_SUCCESS, 3));
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 3u);
    iosb = filled();  // a second write (at removal) would show here
    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(port_depth(port), 1);
    PVOID key = nullptr, value = nullptr;
    IO_STATUS_BLOCK packet = filled();
    ASSERT_EQ(remove_packet(port, &key, &value, &packet), STATUS_SUCCESS);
    EXPECT_EQ(value, ctx(0x32));
    EXPECT_EQ(packet.Status, STATUS_SUCCESS);
    EXPECT_EQ(packet.Information, 3u);
    EXPECT_TRUE(untouched(iosb)) << "written once, at completion";
    EXPECT_EQ(close_in(other, copy), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

struct ParkedReader {
    HANDLE file = nullptr;  // a handle of the reader's process
    IO_STATUS_BLOCK iosb{};
    char buffer[4];
    NTSTATUS status = STATUS_UNSUCCESSFUL;
    KEVENT issued;
    KEVENT leave;
};

// A thread of the other process that issues a read through that process's handle and stays alive
// (a thread's exit cancels its requests) until told to leave.
VOID NTAPI parked_reader(PVOID context) {
    auto* reader = static_cast<ParkedReader*>(context);
    LARGE_INTEGER offset;
    offset.QuadPart = 0;
    reader->status = NtReadFile(reader->file, nullptr, nullptr, &reader->iosb, &reader->iosb, reader->buffer,
                                sizeof(reader->buffer), &offset, nullptr);
    KeSetEvent(&reader->issued, IO_NO_INCREMENT, FALSE);
    (void)KeWaitForSingleObject(&reader->leave, Executive, KernelMode, FALSE, nullptr);
}

// NT fact D9: the close cancels the closing process's requests only; a read that a thread of the
// process keeping the file issued stays pending.
TEST_F(LifetimeTest, closing_the_last_handle_in_a_process_leaves_other_processes_requests_alone) {
    g_state.park_reads = true;
    OtherProcess other(system());
    HANDLE h = open_device();
    HANDLE port = make_port();
    bind(h, port, ctx(0x61));
    ParkedReader reader;
    reader.file = share_with(h, other);
    reader.iosb = filled();
    KeInitializeEvent(&reader.issued, NotificationEvent, FALSE);
    KeInitializeEvent(&reader.leave, NotificationEvent, FALSE);
    HANDLE thread = nullptr;
    ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, nullptr, other.handle(), nullptr, parked_reader, &reader),
              STATUS_SUCCESS);
    LARGE_INTEGER bound;
    bound.QuadPart = -10000LL * 10000;
    ASSERT_EQ(KeWaitForSingleObject(&reader.issued, Executive, KernelMode, FALSE, &bound), STATUS_SUCCESS);
    EXPECT_EQ(reader.status, STATUS_PENDING);

    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(port_depth(port), 0);
    EXPECT_EQ(g_state.parked.load(), 1);
    EXPECT_TRUE(untouched(reader.iosb));

    KeSetEvent(&reader.leave, IO_NO_INCREMENT, FALSE);  // the thread's exit cancels its read
    EXPECT_EQ(WaitForSingleObject(thread, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    EXPECT_EQ(NtClose(thread), STATUS_SUCCESS);
    PVOID key = nullptr, value = nullptr;
    IO_STATUS_BLOCK packet = filled();
    ASSERT_EQ(remove_packet(port, &key, &value, &packet), STATUS_SUCCESS);
    EXPECT_EQ(key, ctx(0x61));
    EXPECT_EQ(value, &reader.iosb);
    EXPECT_EQ(packet.Status, STATUS_CANCELLED);
    EXPECT_EQ(reader.iosb.Status, STATUS_CANCELLED);
    other.terminate();
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

// NT fact D9, the other cases: with an event, or without a completion context, closing the issuing
// process's last handle while another process keeps the file changes nothing the caller can see:
// no packet, event not set, IOSB untouched. The request ends when the other process lets go (C6).
TEST_F(LifetimeTest, closing_the_last_handle_in_a_process_shows_nothing_without_a_port_packet) {
    g_state.park_reads = true;
    OtherProcess other(system());
    HANDLE with_port = open_device();
    HANDLE without_port = open_device();
    (void)share_with(with_port, other);
    (void)share_with(without_port, other);
    HANDLE port = make_port();
    bind(with_port, port, ctx(0x99));
    HANDLE event1 = nullptr, event2 = nullptr;
    ASSERT_EQ(NtCreateEvent(&event1, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(NtCreateEvent(&event2, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    IO_STATUS_BLOCK a = filled(), b = filled(), c = filled();
    char buffer[4];
    ASSERT_EQ(read_async(with_port, &a, buffer, event1, ctx(0x42)), STATUS_PENDING);  // event given
    ASSERT_EQ(read_async(without_port, &b, buffer, event2, nullptr), STATUS_PENDING);
    ASSERT_EQ(read_async(without_port, &c, buffer, nullptr, ctx(0x43)), STATUS_PENDING);  // no completion context
    ASSERT_EQ(NtClose(with_port), STATUS_SUCCESS);
    ASSERT_EQ(NtClose(without_port), STATUS_SUCCESS);
    EXPECT_EQ(port_depth(port), 0);
    EXPECT_EQ(event_state(event1), 0);
    EXPECT_EQ(event_state(event2), 0);
    EXPECT_TRUE(untouched(a));
    EXPECT_TRUE(untouched(b));
    EXPECT_TRUE(untouched(c));

    // The other process's exit closes the last handles; CLEANUP cancels what is still parked.
    other.terminate();
    EXPECT_EQ(g_state.parked.load(), 0);
    EXPECT_EQ(a.Status, STATUS_CANCELLED);
    EXPECT_EQ(event_state(event1), 1);
    EXPECT_EQ(NtClose(event1), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(event2), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

struct ChildRead {
    HANDLE file = nullptr;
    OVERLAPPED ov{};
    char buffer[4];
    BOOL result = TRUE;
    DWORD error = 0;
};

// A thread of the other process: issues the overlapped read on the handle moved into that process
// and ends, as ExitProcess ends every thread.
VOID NTAPI child_read(PVOID context) {
    auto* read = static_cast<ChildRead*>(context);
    read->result = ReadFile(read->file, read->buffer, sizeof(read->buffer), nullptr, &read->ov);
    read->error = GetLastError();
}

// NT fact D10: process exit with an async read pending on a handle moved into that process
// (DUPLICATE_CLOSE_SOURCE): the request is cancelled and the packet still reaches the file's port:
// GetQueuedCompletionStatus returns FALSE, ERROR_OPERATION_ABORTED, 0 bytes, key 123.
TEST_F(LifetimeTest, process_exit_cancels_a_moved_handles_read_and_still_posts_the_packet) {
    g_state.park_reads = true;
    OtherProcess other(system());
    HANDLE h = CreateFileW(L"\\\\.\\IoSignal", GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    HANDLE port = CreateIoCompletionPort(h, nullptr, 123, 0);
    ASSERT_NE(port, nullptr);
    ChildRead read;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h, other.handle(), &read.file, 0, FALSE,
                                DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
    EXPECT_EQ(NtClose(h), STATUS_INVALID_HANDLE) << "the source handle was moved";

    HANDLE thread = nullptr;
    ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, nullptr, other.handle(), nullptr, child_read, &read),
              STATUS_SUCCESS);
    EXPECT_EQ(WaitForSingleObject(thread, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    EXPECT_EQ(NtClose(thread), STATUS_SUCCESS);
    EXPECT_FALSE(read.result);
    EXPECT_EQ(read.error, static_cast<DWORD>(ERROR_IO_PENDING));
    other.terminate();

    DWORD bytes = 77;
    ULONG_PTR key = 0;
    LPOVERLAPPED ov = nullptr;
    SetLastError(0);
    EXPECT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &ov, 10000));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(key, 123u);
    EXPECT_EQ(ov, &read.ov);
    EXPECT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &ov, 0)) << "exactly one packet";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_TRUE(CloseHandle(port));
}

// NT fact D10 through the NT services: the moved handle's read, issued with an ApcContext and no
// event, is cancelled by the process's exit; NtRemoveIoCompletion returns the port key, the context,
// {STATUS_CANCELLED, 0}, and the caller's IOSB holds the same once the packet is removed.
TEST_F(LifetimeTest, process_exit_posts_the_cancelled_packet_of_a_moved_handles_read_with_the_port_key) {
    g_state.park_reads = true;
    OtherProcess other(system());
    HANDLE h = open_device();
    HANDLE port = make_port();
    bind(h, port, ctx(123));
    ParkedReader reader;
    reader.iosb = filled();
    KeInitializeEvent(&reader.issued, NotificationEvent, FALSE);
    KeInitializeEvent(&reader.leave, NotificationEvent, TRUE);  // the reader leaves at once
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), h, other.handle(), &reader.file, 0, 0,
                                DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE),
              STATUS_SUCCESS);
    HANDLE thread = nullptr;
    ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, nullptr, other.handle(), nullptr, parked_reader, &reader),
              STATUS_SUCCESS);
    EXPECT_EQ(WaitForSingleObject(thread, 10000), static_cast<DWORD>(WAIT_OBJECT_0));
    EXPECT_EQ(NtClose(thread), STATUS_SUCCESS);
    EXPECT_EQ(reader.status, STATUS_PENDING);
    other.terminate();

    PVOID key = nullptr, value = nullptr;
    IO_STATUS_BLOCK packet = filled();
    ASSERT_EQ(remove_packet(port, &key, &value, &packet), STATUS_SUCCESS);
    EXPECT_EQ(key, ctx(123));
    EXPECT_EQ(value, &reader.iosb);
    EXPECT_EQ(packet.Status, STATUS_CANCELLED);
    EXPECT_EQ(packet.Information, 0u);
    EXPECT_EQ(reader.iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(reader.iosb.Information, 0u);
    EXPECT_EQ(port_depth(port), 0) << "exactly one packet";
    EXPECT_EQ(g_state.parked.load(), 0);
    EXPECT_EQ(NtClose(port), STATUS_SUCCESS);
}

// NT fact D11: a pending IOCTL that the driver completes with STATUS_DELETE_PENDING during surprise
// removal reports FALSE / ERROR_ACCESS_DENIED with 0 bytes; so does every later request.
TEST_F(LifetimeTest, ioctl_completed_delete_pending_by_surprise_removal_is_access_denied) {
    HANDLE h = CreateFileW(L"\\\\.\\IoSignal", GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED ov{};
    ov.hEvent = event;
    DWORD bytes = 77;
    EXPECT_FALSE(DeviceIoControl(h, kIoctlPark, nullptr, 0, nullptr, 0, &bytes, &ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    ASSERT_TRUE(wait_parked(1));

    HANDLE control = CreateFileW(L"\\\\.\\IoSignal", GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(control, INVALID_HANDLE_VALUE);
    ASSERT_TRUE(DeviceIoControl(control, kIoctlSurpriseRemove, nullptr, 0, nullptr, 0, &bytes, nullptr));

    bytes = 77;
    SetLastError(0);
    EXPECT_FALSE(GetOverlappedResult(h, &ov, &bytes, TRUE));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(static_cast<NTSTATUS>(ov.Internal), STATUS_DELETE_PENDING);

    EXPECT_FALSE(DeviceIoControl(control, kIoctlPark, nullptr, 0, nullptr, 0, &bytes, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
    EXPECT_TRUE(CloseHandle(control));
    EXPECT_TRUE(CloseHandle(event));
    EXPECT_TRUE(CloseHandle(h));
}

}  // namespace
}  // namespace ntio::test::io_signalling
