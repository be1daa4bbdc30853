// NtCancelIoFile, NtCancelIoFileEx and NtCancelSynchronousIoFile through the NT surface against the
// FileCancel WDM driver: which requests each one cancels, what the requester sees when it returns,
// and the handle, pointer and access checks (NT facts D1-D8, G3).
#include <future>

#include "conformance/nt/nt_test_support.hpp"
#include "file_cancel_driver.hpp"

namespace ntio::test::file_cancel {
namespace {

constexpr NTSTATUS kFill = static_cast<NTSTATUS>(0xdeadbeef);
constexpr ULONG_PTR kFillInformation = 0x5555;

IO_STATUS_BLOCK filled() {
    IO_STATUS_BLOCK iosb{};
    iosb.Status = kFill;
    iosb.Information = kFillInformation;
    return iosb;
}

bool untouched(const IO_STATUS_BLOCK& iosb) { return iosb.Status == kFill && iosb.Information == kFillInformation; }

// What the user APCs of the requests saw (NT fact G1: (ApcContext, IOSB*, 0)).
struct ApcLog {
    int calls = 0;
    NTSTATUS status = kFill;
    ULONG_PTR information = kFillInformation;
    PIO_STATUS_BLOCK iosb = nullptr;
};

VOID NTAPI record_io_apc(PVOID context, PIO_STATUS_BLOCK iosb, ULONG reserved) {
    auto* log = static_cast<ApcLog*>(context);
    ++log->calls;
    log->iosb = iosb;
    log->status = iosb->Status;
    log->information = iosb->Information;
    EXPECT_EQ(reserved, 0u);
}

NTSTATUS park(HANDLE file, IO_STATUS_BLOCK* iosb, HANDLE event = nullptr, ApcLog* apc = nullptr,
              ULONG code = kIoctlPark) {
    return NtDeviceIoControlFile(file, event, apc ? record_io_apc : nullptr, apc, iosb, code, nullptr, 0, nullptr, 0);
}

NTSTATUS read_async(HANDLE file, IO_STATUS_BLOCK* iosb, void* buffer, ULONG length, HANDLE event = nullptr,
                    ApcLog* apc = nullptr) {
    LARGE_INTEGER offset;
    offset.QuadPart = 0;
    return NtReadFile(file, event, apc ? record_io_apc : nullptr, apc, iosb, buffer, length, &offset, nullptr);
}

// Runs the user APCs queued to this thread (an alertable wait that would otherwise time out).
NTSTATUS alertable_pause() {
    LARGE_INTEGER delay = relative_ms(1);
    return NtDelayExecution(TRUE, &delay);
}

HANDLE duplicate(HANDLE handle) {
    HANDLE copy = nullptr;
    EXPECT_EQ(NtDuplicateObject(NtCurrentProcess(), handle, NtCurrentProcess(), &copy, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    return copy;
}

// NT fact D1 (NT form): both pending IOCTLs of this thread are cancelled before NtCancelIoFile
// returns, so the next synchronous IOCTL already counts two cancellations; NtCancelIoFileEx with one
// IOSB cancels only the request that uses it.
TEST_F(FileCancelTest, cancel_io_file_cancels_both_pending_ioctls_before_returning) {
    Handle h(open_device(false));
    Handle e1(make_event(NotificationEvent, FALSE));
    Handle e2(make_event(NotificationEvent, FALSE));
    IO_STATUS_BLOCK a = filled(), b = filled();
    ASSERT_EQ(park(h, &a, e1), STATUS_PENDING);
    ASSERT_EQ(park(h, &b, e2), STATUS_PENDING);
    EXPECT_TRUE(untouched(a));
    EXPECT_EQ(cancel_count(h), 0u);

    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelIoFile(h, &io), STATUS_SUCCESS);
    EXPECT_EQ(io.Status, STATUS_SUCCESS);
    EXPECT_EQ(io.Information, 0u);
    EXPECT_EQ(cancel_count(h), 2u);
    EXPECT_EQ(a.Status, STATUS_CANCELLED);
    EXPECT_EQ(b.Status, STATUS_CANCELLED);
    EXPECT_EQ(event_state(e1), 1);
    EXPECT_EQ(event_state(e2), 1);

    IO_STATUS_BLOCK c = filled(), d = filled();
    ASSERT_EQ(park(h, &c), STATUS_PENDING);
    ASSERT_EQ(park(h, &d), STATUS_PENDING);
    io = filled();
    EXPECT_EQ(NtCancelIoFileEx(h, &c, &io), STATUS_SUCCESS);
    EXPECT_EQ(io.Status, STATUS_SUCCESS);
    EXPECT_EQ(cancel_count(h), 3u);
    EXPECT_EQ(c.Status, STATUS_CANCELLED);
    EXPECT_EQ(c.Information, 0u);
    EXPECT_TRUE(untouched(d));
    EXPECT_TRUE(complete_one(h));
    EXPECT_EQ(d.Status, STATUS_SUCCESS);
}

// NT facts D2, G3: the cancel routine hands the request to a worker thread that takes 20 ms to
// complete it, yet when NtCancelIoFile returns the IOSB already holds {STATUS_CANCELLED, 0} and the
// event is set; the APC has not run and runs at the next alertable wait with that IOSB.
TEST_F(FileCancelTest, cancel_io_file_waits_for_completion_but_not_for_the_apc) {
    g_counters.cancel_mode = kCancelWorkItem;
    g_counters.work_delay_ms = 20;
    Handle h(open_device(false));
    Handle event(make_event(NotificationEvent, FALSE));
    ApcLog apc;
    IO_STATUS_BLOCK iosb = filled();
    ASSERT_EQ(park(h, &iosb, event, &apc), STATUS_PENDING);
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelIoFile(h, &io), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_EQ(event_state(event), 1);
    EXPECT_EQ(apc.calls, 0);
    EXPECT_EQ(alertable_pause(), STATUS_USER_APC);
    EXPECT_EQ(apc.calls, 1);
    EXPECT_EQ(apc.iosb, &iosb);
    EXPECT_EQ(apc.status, STATUS_CANCELLED);
    EXPECT_EQ(apc.information, 0u);
}

// NT facts D2, G3 for NtCancelIoFileEx, whose cancel routine completes inline here.
TEST_F(FileCancelTest, cancel_io_file_ex_leaves_the_apc_for_the_next_alertable_wait) {
    Handle h(open_device(false));
    Handle event(make_event(NotificationEvent, FALSE));
    ApcLog apc;
    IO_STATUS_BLOCK iosb = filled();
    ASSERT_EQ(park(h, &iosb, event, &apc), STATUS_PENDING);
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelIoFileEx(h, &iosb, &io), STATUS_SUCCESS);
    EXPECT_EQ(io.Status, STATUS_SUCCESS);
    EXPECT_EQ(io.Information, 0u);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(event_state(event), 1);
    EXPECT_EQ(apc.calls, 0);
    LARGE_INTEGER delay = relative_ms(1);
    EXPECT_EQ(NtDelayExecution(FALSE, &delay), STATUS_SUCCESS);
    EXPECT_EQ(apc.calls, 0) << "a non-alertable wait runs no user APC";
    EXPECT_EQ(alertable_pause(), STATUS_USER_APC);
    EXPECT_EQ(apc.calls, 1);
    EXPECT_EQ(apc.status, STATUS_CANCELLED);
    EXPECT_EQ(apc.information, 0u);
}

// "The CancelIoEx function does not wait for all canceled operations to complete"
// (https://learn.microsoft.com/windows/win32/fileio/cancelioex-func): a cancel routine that keeps
// the request leaves it pending after NtCancelIoFileEx returned STATUS_SUCCESS.
TEST_F(FileCancelTest, cancel_io_file_ex_does_not_wait_for_the_request) {
    g_counters.cancel_mode = kCancelHold;
    Handle h(open_device(false));
    Handle event(make_event(NotificationEvent, FALSE));
    IO_STATUS_BLOCK iosb = filled();
    ASSERT_EQ(park(h, &iosb, event), STATUS_PENDING);
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelIoFileEx(h, nullptr, &io), STATUS_SUCCESS);
    EXPECT_EQ(g_counters.cancel_routine_calls.load(), 1);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(event_state(event), 0);
    ULONG released = 0;
    IO_STATUS_BLOCK sync{};
    ASSERT_EQ(NtDeviceIoControlFile(h, nullptr, nullptr, nullptr, &sync, kIoctlReleaseHeld, nullptr, 0, &released,
                                    sizeof(released)),
              STATUS_SUCCESS);
    EXPECT_EQ(released, 1u);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(event_state(event), 1);
}

// NT fact D3: a different handle to the same file object cancels the request issued through the
// first one: {STATUS_CANCELLED, 0}, event set, APC queued. A handle to another file object of the
// same device cancels nothing.
TEST_F(FileCancelTest, cancel_through_a_duplicate_handle_reaches_the_same_file_object) {
    Handle h(open_device(false));
    Handle copy(duplicate(h));
    Handle other(open_device(false));
    Handle event(make_event(NotificationEvent, FALSE));
    ApcLog apc;
    IO_STATUS_BLOCK iosb = filled();
    ASSERT_EQ(park(h, &iosb, event, &apc), STATUS_PENDING);

    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelIoFile(other, &io), STATUS_SUCCESS);
    EXPECT_EQ(NtCancelIoFileEx(other, nullptr, &io), STATUS_NOT_FOUND);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(g_counters.cancel_routine_calls.load(), 0);

    EXPECT_EQ(NtCancelIoFile(copy, &io), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_EQ(event_state(event), 1);
    EXPECT_EQ(apc.calls, 0);
    EXPECT_EQ(alertable_pause(), STATUS_USER_APC);
    EXPECT_EQ(apc.calls, 1);
    EXPECT_EQ(apc.status, STATUS_CANCELLED);
}

// NT fact D4 and the parameter checks of both services: a closed handle is STATUS_INVALID_HANDLE, a
// handle to something else a type mismatch, an unwritable IOSB STATUS_ACCESS_VIOLATION.
TEST_F(FileCancelTest, cancel_rejects_closed_handles_and_bad_iosb_pointers) {
    HANDLE h = open_device(false);
    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelIoFile(h, &io), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtCancelIoFileEx(h, nullptr, &io), STATUS_INVALID_HANDLE);
    EXPECT_TRUE(untouched(io));

    Handle event(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(NtCancelIoFile(event, &io), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtCancelIoFileEx(event, nullptr, &io), STATUS_OBJECT_TYPE_MISMATCH);

    Handle file(open_device(false));
    BadMemory bad;
    EXPECT_EQ(NtCancelIoFile(file, nullptr), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtCancelIoFile(file, bad.read_only<IO_STATUS_BLOCK>()), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtCancelIoFileEx(file, nullptr, bad.no_access<IO_STATUS_BLOCK>()), STATUS_ACCESS_VIOLATION);
}

// NT fact D5: every pending request that uses the IOSB is cancelled (two reads sharing one IOSB ->
// two APCs); a request with another IOSB stays pending.
TEST_F(FileCancelTest, cancel_io_file_ex_cancels_every_request_sharing_the_iosb) {
    Handle h(open_device(false));
    ApcLog apc;
    IO_STATUS_BLOCK shared = filled(), separate = filled();
    char buffer[16];
    ASSERT_EQ(read_async(h, &shared, buffer, sizeof(buffer), nullptr, &apc), STATUS_PENDING);
    ASSERT_EQ(read_async(h, &shared, buffer, sizeof(buffer), nullptr, &apc), STATUS_PENDING);
    ASSERT_EQ(read_async(h, &separate, buffer, sizeof(buffer)), STATUS_PENDING);
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelIoFileEx(h, &shared, &io), STATUS_SUCCESS);
    EXPECT_EQ(g_counters.cancel_routine_calls.load(), 2);
    EXPECT_EQ(shared.Status, STATUS_CANCELLED);
    EXPECT_TRUE(untouched(separate));
    EXPECT_EQ(alertable_pause(), STATUS_USER_APC);
    EXPECT_EQ(apc.calls, 2);
    EXPECT_EQ(apc.status, STATUS_CANCELLED);
    EXPECT_TRUE(complete_one(h));
    EXPECT_EQ(separate.Status, STATUS_SUCCESS);
}

// NT fact D6 (NT form): cancelling a request that was already cancelled finds nothing
// (STATUS_NOT_FOUND, written to the IOSB too) and the request reports STATUS_CANCELLED with 0 bytes;
// cancelling one queued read leaves the next one pending.
TEST_F(FileCancelTest, cancelling_an_already_cancelled_request_is_not_found) {
    Handle h(open_device(false));
    Handle e1(make_event(NotificationEvent, FALSE));
    Handle e2(make_event(NotificationEvent, FALSE));
    IO_STATUS_BLOCK first = filled(), second = filled();
    char buffer[16];
    ASSERT_EQ(read_async(h, &first, buffer, sizeof(buffer), e1), STATUS_PENDING);
    ASSERT_EQ(read_async(h, &second, buffer, sizeof(buffer), e2), STATUS_PENDING);
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelIoFileEx(h, &first, &io), STATUS_SUCCESS);
    EXPECT_EQ(first.Status, STATUS_CANCELLED);
    EXPECT_EQ(first.Information, 0u);
    EXPECT_TRUE(untouched(second));
    EXPECT_EQ(event_state(e2), 0);
    EXPECT_EQ(NtCancelIoFileEx(h, &first, &io), STATUS_NOT_FOUND);
    EXPECT_EQ(io.Status, STATUS_NOT_FOUND);
    EXPECT_EQ(io.Information, 0u);
    EXPECT_TRUE(untouched(second));
    EXPECT_TRUE(complete_one(h));
    EXPECT_EQ(second.Status, STATUS_SUCCESS);
}

// NT facts D6, C1, C7: a request parked without a cancel routine only gets its Cancel flag; it stays
// pending, and a second NtCancelIoFileEx does not count it again. Its driver then finishes it as
// cancelled.
TEST_F(FileCancelTest, a_request_whose_cancel_is_under_way_is_not_found_again) {
    Handle h(open_device(false));
    Handle event(make_event(NotificationEvent, FALSE));
    IO_STATUS_BLOCK iosb = filled();
    ASSERT_EQ(park(h, &iosb, event, nullptr, kIoctlParkPlain), STATUS_PENDING);
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelIoFileEx(h, nullptr, &io), STATUS_SUCCESS);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(NtCancelIoFileEx(h, nullptr, &io), STATUS_NOT_FOUND);
    EXPECT_EQ(NtCancelIoFileEx(h, &iosb, &io), STATUS_NOT_FOUND);
    ULONG flushed = 0;
    IO_STATUS_BLOCK sync{};
    ASSERT_EQ(NtDeviceIoControlFile(h, nullptr, nullptr, nullptr, &sync, kIoctlFlushPlain, nullptr, 0, &flushed,
                                    sizeof(flushed)),
              STATUS_SUCCESS);
    EXPECT_EQ(flushed, 1u);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(event_state(event), 1);
}

// CancelIo cancels the calling thread's requests only; CancelIoEx those of every thread of the
// process (https://learn.microsoft.com/windows/win32/fileio/cancelio, .../cancelioex-func; NT fact D1).
TEST_F(FileCancelTest, cancel_io_file_is_per_thread_and_cancel_io_file_ex_per_process) {
    Handle h(open_device(false));
    IO_STATUS_BLOCK iosb = filled();
    std::promise<NTSTATUS> issued;
    std::promise<void> finish;
    std::thread other([&] {
        issued.set_value(park(h, &iosb));
        finish.get_future().wait();  // stay alive: a thread's exit cancels its requests
    });
    ASSERT_EQ(issued.get_future().get(), STATUS_PENDING);
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelIoFile(h, &io), STATUS_SUCCESS);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(g_counters.cancel_routine_calls.load(), 0);
    EXPECT_EQ(NtCancelIoFileEx(h, nullptr, &io), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(g_counters.cancel_routine_calls.load(), 1);
    finish.set_value();
    other.join();
}

// NT fact D8: closing the handle that issued a pending read, while a duplicate of it is still open,
// cancels nothing (IOSB and event untouched); the duplicate can cancel it later.
TEST_F(FileCancelTest, closing_one_of_two_handles_does_not_cancel_the_request) {
    HANDLE h = open_device(false);
    Handle copy(duplicate(h));
    Handle event(make_event(NotificationEvent, FALSE));
    IO_STATUS_BLOCK iosb = filled();
    char buffer[16];
    ASSERT_EQ(read_async(h, &iosb, buffer, sizeof(buffer), event), STATUS_PENDING);
    ASSERT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(event_state(event), 0);
    EXPECT_EQ(g_counters.cancel_routine_calls.load(), 0);
    EXPECT_EQ(g_counters.parked.load(), 1);
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelIoFile(copy, &io), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_EQ(event_state(event), 1);
}

// A thread blocked in a synchronous read on a FILE_SYNCHRONOUS_IO_NONALERT handle, and a real handle
// to it with the access asked for.
class BlockedReader {
public:
    BlockedReader(HANDLE file, ACCESS_MASK thread_access) {
        m_thread = std::thread([this, file, thread_access] {
            HANDLE self = nullptr;
            NTSTATUS status = NtDuplicateObject(NtCurrentProcess(), NtCurrentThread(), NtCurrentProcess(), &self,
                                                thread_access, 0, 0);
            m_handle.set_value(NT_SUCCESS(status) ? self : nullptr);
            m_result = NtReadFile(file, nullptr, nullptr, nullptr, &m_iosb, m_buffer, sizeof(m_buffer), nullptr,
                                  nullptr);
        });
        m_thread_handle = m_handle.get_future().get();
    }
    ~BlockedReader() {
        if (m_thread.joinable()) m_thread.join();
        if (m_thread_handle) (void)NtClose(m_thread_handle);
    }
    HANDLE thread_handle() const { return m_thread_handle; }
    IO_STATUS_BLOCK* iosb() { return &m_iosb; }
    NTSTATUS join() {
        m_thread.join();
        return m_result;
    }
    const IO_STATUS_BLOCK& final_iosb() const { return m_iosb; }

private:
    std::thread m_thread;
    std::promise<HANDLE> m_handle;
    HANDLE m_thread_handle = nullptr;
    IO_STATUS_BLOCK m_iosb = filled();
    char m_buffer[16];
    NTSTATUS m_result = kFill;
};

// NT fact D7: the parameter checks, STATUS_NOT_FOUND {STATUS_NOT_FOUND, 0} for a thread without
// synchronous I/O and for an IOSB that does not match, STATUS_SUCCESS {0, 0} and an unblocked
// thread whose read returns STATUS_CANCELLED with its own IOSB untouched or {STATUS_CANCELLED, 0}.
TEST_F(FileCancelTest, cancel_synchronous_io_file_unblocks_a_thread_in_a_synchronous_read) {
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelSynchronousIoFile(reinterpret_cast<HANDLE>(static_cast<ULONG_PTR>(0xdeadbee0)), nullptr, &io),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtCancelSynchronousIoFile(nullptr, nullptr, &io), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtCancelSynchronousIoFile(NtCurrentThread(), nullptr, nullptr), STATUS_ACCESS_VIOLATION);
    BadMemory bad;
    EXPECT_EQ(NtCancelSynchronousIoFile(NtCurrentThread(), nullptr, bad.read_only<IO_STATUS_BLOCK>()),
              STATUS_ACCESS_VIOLATION);
    EXPECT_TRUE(untouched(io));
    EXPECT_EQ(NtCancelSynchronousIoFile(NtCurrentThread(), nullptr, &io), STATUS_NOT_FOUND);
    EXPECT_EQ(io.Status, STATUS_NOT_FOUND);
    EXPECT_EQ(io.Information, 0u);

    Handle sync(open_device(true));
    BlockedReader reader(sync, THREAD_TERMINATE | SYNCHRONIZE);
    ASSERT_NE(reader.thread_handle(), nullptr);
    ASSERT_TRUE(wait_parked(1));
    IO_STATUS_BLOCK other = filled();
    io = filled();
    EXPECT_EQ(NtCancelSynchronousIoFile(reader.thread_handle(), &other, &io), STATUS_NOT_FOUND);
    EXPECT_EQ(io.Status, STATUS_NOT_FOUND);
    EXPECT_EQ(g_counters.cancel_routine_calls.load(), 0);
    io = filled();
    EXPECT_EQ(NtCancelSynchronousIoFile(reader.thread_handle(), nullptr, &io), STATUS_SUCCESS);
    EXPECT_EQ(io.Status, STATUS_SUCCESS);
    EXPECT_EQ(io.Information, 0u);
    EXPECT_EQ(reader.join(), STATUS_CANCELLED);
    const IO_STATUS_BLOCK& own = reader.final_iosb();
    EXPECT_TRUE(untouched(own) || (own.Status == STATUS_CANCELLED && own.Information == 0));
    EXPECT_EQ(g_counters.cancel_routine_calls.load(), 1);
}

// NT fact D7: the request can be named by its IOSB.
TEST_F(FileCancelTest, cancel_synchronous_io_file_with_the_matching_iosb) {
    Handle sync(open_device(true));
    BlockedReader reader(sync, THREAD_TERMINATE);
    ASSERT_TRUE(wait_parked(1));
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelSynchronousIoFile(reader.thread_handle(), reader.iosb(), &io), STATUS_SUCCESS);
    EXPECT_EQ(io.Status, STATUS_SUCCESS);
    EXPECT_EQ(reader.join(), STATUS_CANCELLED);
}

// NtCancelSynchronousIoFile needs THREAD_TERMINATE on the thread handle
// (https://learn.microsoft.com/windows/win32/fileio/cancelsynchronousio-func).
TEST_F(FileCancelTest, cancel_synchronous_io_file_needs_thread_terminate_access) {
    Handle sync(open_device(true));
    BlockedReader reader(sync, SYNCHRONIZE);
    ASSERT_TRUE(wait_parked(1));
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelSynchronousIoFile(reader.thread_handle(), nullptr, &io), STATUS_ACCESS_DENIED);
    EXPECT_TRUE(untouched(io));
    EXPECT_EQ(g_counters.cancel_routine_calls.load(), 0);
    // NtCancelIoFileEx reaches the synchronous request too (any thread of the process).
    EXPECT_EQ(NtCancelIoFileEx(sync, nullptr, &io), STATUS_SUCCESS);
    EXPECT_EQ(reader.join(), STATUS_CANCELLED);
}

// NT fact D7: an asynchronous pending request is never cancelled by NtCancelSynchronousIoFile.
TEST_F(FileCancelTest, cancel_synchronous_io_file_leaves_asynchronous_requests_alone) {
    Handle h(open_device(false));
    IO_STATUS_BLOCK iosb = filled();
    ASSERT_EQ(park(h, &iosb), STATUS_PENDING);
    IO_STATUS_BLOCK io = filled();
    EXPECT_EQ(NtCancelSynchronousIoFile(NtCurrentThread(), nullptr, &io), STATUS_NOT_FOUND);
    EXPECT_EQ(io.Status, STATUS_NOT_FOUND);
    EXPECT_EQ(NtCancelSynchronousIoFile(NtCurrentThread(), &iosb, &io), STATUS_NOT_FOUND);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(NtCancelIoFile(h, &io), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_CANCELLED);
}

}  // namespace
}  // namespace ntio::test::file_cancel
